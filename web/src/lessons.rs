//! The lessons shipped inside the page (`static/scenarios/lessons/`), their index, and how a page load
//! or a share link picks what to run. Pure Rust: tested natively in `web/tests/lessons.rs`.

use crate::permalink::{Permalink, Source};
use kafkascope::scenario::{NarrationStep, Scenario};

macro_rules! lessons {
    ($($id:literal),* $(,)?) => { &[$(($id, include_str!(concat!("../../static/scenarios/lessons/", $id, ".json")))),*] };
}

/// Every lesson's id and JSON, in teaching order.
pub const LESSON_FILES: &[(&str, &str)] = lessons!(
    "01-queue-vs-pubsub", "02-partitions-spread-load", "03-choosing-a-partition", "04-the-train",
    "05-acks0-loses-data", "06-acks1-acked-then-lost", "07-acks-all-isr", "08-idempotence", "09-transactions",
    "10-ordering", "11-follower-failure", "12-leader-failure", "13a-leader-epochs-lost-commit",
    "13b-leader-epochs-divergence", "14a-unclean-election-jepsen", "14b-last-replica-standing-elr",
    "15-segments-and-index", "16-retention-and-compaction", "17-consumer-groups", "18-delivery-semantics",
    "19-rebalance-and-reassignment", "20-why-kafka-is-fast",
);

const INDEX: &str = include_str!("../../static/scenarios/lessons/index.json");

/// The language narration is shown in.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Lang {
    /// English.
    #[default]
    En,
    /// Traditional Chinese (Taiwan).
    ZhTw,
}

impl Lang {
    /// Picks the text for this language.
    pub fn pick<'a>(self, en: &'a str, zh_tw: &'a str) -> &'a str {
        match self {
            Lang::En => en,
            Lang::ZhTw => zh_tw,
        }
    }
}

/// One row of `index.json`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LessonInfo {
    /// Id, also the file stem.
    pub id: String,
    /// Title (en, zhTW).
    pub title: (String, String),
    /// One-line goal (en, zhTW).
    pub goal: (String, String),
    /// Virtual time (ms) by which the lesson has made its point.
    pub end_ms: u64,
}

/// The lesson index (rows with missing fields are skipped, never a panic).
pub fn index() -> Vec<LessonInfo> {
    let v: serde_json::Value = serde_json::from_str(INDEX).unwrap_or_default();
    let text = |x: &serde_json::Value| x.as_str().unwrap_or_default().to_owned();
    v.get("lessons")
        .and_then(|l| l.as_array())
        .map(|rows| {
            rows.iter()
                .filter_map(|r| {
                    let id = r.get("id")?.as_str()?.to_owned();
                    Some(LessonInfo {
                        title: (text(&r["title"]["en"]), text(&r["title"]["zhTW"])),
                        goal: (text(&r["goal"]["en"]), text(&r["goal"]["zhTW"])),
                        end_ms: r.get("endMs").and_then(|e| e.as_u64()).unwrap_or(60_000),
                        id,
                    })
                })
                .collect()
        })
        .unwrap_or_default()
}

/// A lesson's JSON by id.
pub fn lesson_json(id: &str) -> Option<&'static str> {
    LESSON_FILES.iter().find(|(i, _)| *i == id).map(|(_, j)| *j)
}

/// The narration steps of a scenario's JSON (none if it does not parse).
pub fn narration(json: &str) -> Vec<NarrationStep> {
    Scenario::from_json(json).map(|s| s.narration).unwrap_or_default()
}

/// The step shown at `now_us`: the last one whose time has come.
pub fn current_step(steps: &[NarrationStep], now_us: u64) -> Option<usize> {
    steps.iter().rposition(|s| s.at_ms.saturating_mul(1000) <= now_us)
}

/// What to run: the lesson (if any), its JSON, seed and start time, plus a message for the page
/// when the link could not be followed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Choice {
    /// Lesson id, when a lesson is loaded.
    pub lesson: Option<String>,
    /// Scenario JSON to run.
    pub json: String,
    /// Seed override.
    pub seed: Option<u64>,
    /// Virtual time to open at (ms).
    pub t_ms: Option<u64>,
    /// Why the link was not followed, if it was not.
    pub problem: Option<String>,
}

/// Resolves a URL fragment into what to run, falling back to `default_json` with a message.
pub fn choose(fragment: &str, default_json: &str) -> Choice {
    let fallback = |problem: Option<String>| Choice { lesson: None, json: default_json.to_owned(), seed: None, t_ms: None, problem };
    match crate::permalink::parse(fragment) {
        Ok(None) => fallback(None),
        Err(e) => fallback(Some(format!("The shared link could not be opened: {e}. Showing the default scenario."))),
        Ok(Some(Permalink { source, seed, t_ms })) => {
            let (lesson, json) = match source {
                Source::Lesson(id) => match lesson_json(&id) {
                    Some(j) => (Some(id), j.to_owned()),
                    None => return fallback(Some(format!("The shared link names an unknown lesson {id:?}. Showing the default scenario."))),
                },
                Source::Scenario(json) => (None, json),
            };
            if let Err(e) = Scenario::from_json(&json).and_then(|s| s.validate().map(|_| s)) {
                return fallback(Some(format!("The shared scenario is not valid: {e}. Showing the default scenario.")));
            }
            Choice { lesson, json, seed, t_ms, problem: None }
        }
    }
}

/// The share link for what is running: a lesson by id, otherwise the scenario itself.
pub fn share_fragment(lesson: Option<&str>, json: &str, seed: u64, now_us: u64) -> Result<String, String> {
    let source = match lesson {
        Some(id) => Source::Lesson(id.to_owned()),
        None => Source::Scenario(json.to_owned()),
    };
    crate::permalink::encode(&Permalink { source, seed: Some(seed), t_ms: Some(now_us / 1000) })
}

/// The page's URL fragment (empty outside a browser page).
pub fn location_hash() -> String {
    web_sys::window().and_then(|w| w.location().hash().ok()).unwrap_or_default()
}

/// Replaces the URL fragment without adding a history entry; returns the full URL.
pub fn set_location_hash(fragment: &str) -> Option<String> {
    let w = web_sys::window()?;
    let loc = w.location();
    let base = loc.href().ok()?.split('#').next().unwrap_or_default().to_owned();
    let url = format!("{base}#{fragment}");
    let replaced = w.history().ok().and_then(|h| h.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url)).ok());
    if replaced.is_none() {
        let _ = loc.set_hash(fragment);
    }
    Some(url)
}
