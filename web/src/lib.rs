//! kafkascope's browser front end: the engine driven by a requestAnimationFrame loop and drawn with
//! Yew + SVG. [`driver`] owns the simulation, [`view_model`] folds its events into view state, and
//! [`components`] draw that state and turn clicks into engine commands.

pub mod app;
pub mod components;
pub mod config_help;
pub mod config_ui;
pub mod dom_num;
pub mod driver;
pub mod history;
pub mod hooks;
pub mod i18n;
pub mod inspect;
pub mod layout;
pub mod lesson_ui;
pub mod lessons;
pub mod links;
pub mod log_drop;
pub mod notable;
pub mod permalink;
pub mod record_query;
pub mod sequence_log;
pub mod series;
pub mod scenario_edit;
pub mod store;
pub mod view_model;

/// Installs a panic hook that logs to the console and shows the message in the page. The release
/// build aborts a panic at once (`.ci/size-env.sh`), so there static/boot.js shows the banner instead.
pub fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        console_error_panic_hook::hook(info);
        let doc = web_sys::window().and_then(|w| w.document());
        if let Some(el) = doc.and_then(|d| d.get_element_by_id("fatal")) {
            el.set_text_content(Some(&format!("kafkascope stopped with an internal error: {info}")));
            let _ = el.set_attribute("class", "fatal shown");
        }
    }));
}

/// Mounts the app into `#app` (or the body when the page has no such element).
pub fn start() {
    install_panic_hook();
    let root = web_sys::window().and_then(|w| w.document()).and_then(|d| d.get_element_by_id("app"));
    match root {
        Some(el) => yew::Renderer::<app::App>::with_root(el).render(),
        None => yew::Renderer::<app::App>::new().render(),
    };
}
