//! The lessons the page offers, their index, and how a page load or a share link picks what to run.
//! Pure Rust apart from the fetching at the end: tested natively in `web/tests/permalink.rs`.
//!
//! The lesson files (`static/scenarios/lessons/`) are data served beside the page as `lessons/`, not
//! compiled into the wasm, where they were a third of its read-only data. `static/boot.js` fetches the
//! index and a lesson the link names while the wasm downloads, so the first render has them; a lesson
//! picked later is fetched then ([`fetch_lesson`]).

use crate::permalink::{Permalink, Source};
use kafkascope::scenario::{NarrationStep, Scenario};
use wasm_bindgen::{JsCast, JsValue};

/// Where the page serves the lesson files, relative to the page.
pub const LESSONS_PATH: &str = "lessons/";

/// The global object `static/boot.js` fills with the files it fetched: `index`, and lessons by id.
const PREFETCHED: &str = "kafkascopeLessons";

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

/// The lessons of an `index.json` (rows with missing fields are skipped; bad JSON gives none, never a panic).
pub fn index_from(text: &str) -> Vec<LessonInfo> {
    let v: serde_json::Value = serde_json::from_str(text).unwrap_or_default();
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

/// Resolves a URL fragment into what to run, falling back to `default_json` with a message. `lesson`
/// gives a lesson's JSON by id (in the page: what boot.js fetched, [`prefetched`]).
pub fn choose(fragment: &str, default_json: &str, lesson: impl Fn(&str) -> Option<String>) -> Choice {
    let fallback = |problem: Option<String>| Choice { lesson: None, json: default_json.to_owned(), seed: None, t_ms: None, problem };
    match crate::permalink::parse(fragment) {
        Ok(None) => fallback(None),
        Err(e) => fallback(Some(format!("The shared link could not be opened: {e}. Showing the default scenario."))),
        Ok(Some(Permalink { source, seed, t_ms })) => {
            let (lesson, json) = match source {
                Source::Lesson(id) => match lesson(&id) {
                    Some(j) => (Some(id), j),
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

/// A lesson file boot.js fetched before the app started (or [`fetch_lesson`] since), by id; `index`
/// for the index. None outside a page, or when the fetch failed (an unknown lesson is a 404).
pub fn prefetched(name: &str) -> Option<String> {
    js_sys::Reflect::get(&prefetched_files()?, &name.into()).ok()?.as_string()
}

/// boot.js's `globalThis.kafkascopeLessons`, if the page has it.
fn prefetched_files() -> Option<JsValue> {
    js_sys::Reflect::get(&js_sys::global(), &PREFETCHED.into()).ok().filter(|f| f.is_object())
}

/// The page's lesson index, as boot.js fetched it (empty if it could not).
pub fn index() -> Vec<LessonInfo> {
    index_from(&prefetched("index").unwrap_or_default())
}

/// A lesson's JSON: from what is already fetched, else from `lessons/<id>.json` (then kept for the
/// next time, so "reset" does not fetch again).
pub async fn fetch_lesson(id: &str) -> Result<String, String> {
    if let Some(json) = prefetched(id) {
        return Ok(json);
    }
    let path = format!("{LESSONS_PATH}{id}.json");
    let failed = |what: &str, e: JsValue| format!("{path}: {what} ({})", e.as_string().or_else(|| js_sys::JSON::stringify(&e).ok().map(String::from)).unwrap_or_default());
    let window = web_sys::window().ok_or("no window to fetch the lesson in")?;
    let response = wasm_bindgen_futures::JsFuture::from(window.fetch_with_str(&path)).await.map_err(|e| failed("the fetch failed", e))?;
    let response: web_sys::Response = response.dyn_into().map_err(|e| failed("not a response", e))?;
    if !response.ok() {
        return Err(format!("{path}: HTTP {}", response.status()));
    }
    let text = response.text().map_err(|e| failed("no body", e))?;
    let json = wasm_bindgen_futures::JsFuture::from(text).await.map_err(|e| failed("the body could not be read", e))?.as_string().ok_or(format!("{path}: the body is not text"))?;
    if let Some(files) = prefetched_files() {
        let _ = js_sys::Reflect::set(&files, &id.into(), &json.as_str().into());
    }
    Ok(json)
}
