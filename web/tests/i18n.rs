//! Every UI string has both an English and a Traditional Chinese text, and every id the components
//! ask for is in the table. Runs in a headless browser and natively.

use kafkascope_web::i18n::{tr, Lang, MESSAGES};
use std::collections::BTreeSet;
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::*;

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test_configure!(run_in_browser);

const SOURCES: [&str; 16] = [
    include_str!("../src/app.rs"),
    include_str!("../src/links.rs"),
    include_str!("../src/components/top_bar.rs"),
    include_str!("../src/components/ledger.rs"),
    include_str!("../src/components/cluster.rs"),
    include_str!("../src/components/clients.rs"),
    include_str!("../src/components/timeline.rs"),
    include_str!("../src/components/menu.rs"),
    include_str!("../src/components/help.rs"),
    include_str!("../src/components/inspector.rs"),
    include_str!("../src/components/side_panel.rs"),
    include_str!("../src/components/config_panel.rs"),
    include_str!("../src/config_ui.rs"),
    include_str!("../src/components/scenario_file.rs"),
    include_str!("../src/log_drop.rs"),
    include_str!("../src/i18n.rs"),
];

/// Quoted strings that look like message ids (`word.word`) used in the component sources.
fn used_ids() -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for src in SOURCES.iter().take(SOURCES.len() - 1) {
        for (i, part) in src.split('"').enumerate() {
            let is_id = i % 2 == 1 && part.contains('.') && !part.contains(' ') && part.split('.').all(|w| !w.is_empty() && w.chars().all(|c| c.is_ascii_lowercase() || c == '_'));
            if is_id && MESSAGES.iter().any(|(k, _, _)| k.split('.').next() == part.split('.').next()) {
                out.insert(part.to_owned());
            }
        }
        for (i, part) in src.split("tr(lang, \"").enumerate().skip(1) {
            let _ = i;
            if let Some(id) = part.split('"').next() {
                out.insert(id.to_owned());
            }
        }
    }
    out
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn every_message_has_both_languages_and_ids_are_unique() {
    let mut seen = BTreeSet::new();
    for (id, en, zh) in MESSAGES {
        assert!(seen.insert(*id), "duplicate id {id}");
        assert!(!en.trim().is_empty(), "{id}: English missing");
        assert!(!zh.trim().is_empty(), "{id}: 繁體中文 missing");
        assert_eq!(tr(Lang::En, id), *en);
        assert_eq!(tr(Lang::ZhTw, id), *zh);
    }
    assert!(MESSAGES.len() > 60);
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn every_id_the_components_use_is_in_the_table() {
    let ids: BTreeSet<&str> = MESSAGES.iter().map(|(k, _, _)| *k).collect();
    let used = used_ids();
    assert!(used.len() > 40, "found {} ids in the sources", used.len());
    let missing: Vec<&String> = used.iter().filter(|u| !ids.contains(u.as_str())).collect();
    assert!(missing.is_empty(), "ids without a translation: {missing:?}");
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn kafka_terms_stay_in_english_in_both_languages() {
    for term in ["ISR", "segment", ".index", ".timeindex", "broker", "offset"] {
        for (id, en, zh) in MESSAGES {
            if en.contains(term) {
                assert!(zh.contains(term), "{id}: {term} must stay in English in 繁體中文: {zh}");
            }
        }
    }
}
