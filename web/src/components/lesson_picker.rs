//! "lesson ▾": picks one of the shipped lessons (or the free-play default scenario), and the share
//! button that puts the current lesson or scenario, seed and virtual time into the URL.

use crate::lessons::{LessonInfo, Lang};
use web_sys::HtmlSelectElement;
use yew::prelude::*;

/// Properties of [`LessonPicker`].
#[derive(Properties, PartialEq, Clone)]
pub struct LessonPickerProps {
    /// The lessons, in order.
    pub lessons: std::rc::Rc<Vec<LessonInfo>>,
    /// The lesson loaded, if any.
    pub current: Option<String>,
    /// Language of the titles.
    #[prop_or_default]
    pub lang: Lang,
    /// Loads a lesson (`None`: the default scenario).
    pub on_pick: Callback<Option<String>>,
    /// Puts a share link into the address bar.
    pub on_share: Callback<()>,
    /// The last share link made, shown for copying.
    #[prop_or_default]
    pub share_url: Option<String>,
}

/// Renders the picker and the share button.
#[function_component(LessonPicker)]
pub fn lesson_picker(p: &LessonPickerProps) -> Html {
    let on_change = {
        let cb = p.on_pick.clone();
        Callback::from(move |e: Event| {
            let select: HtmlSelectElement = e.target_unchecked_into();
            let v = select.value();
            cb.emit((!v.is_empty()).then_some(v));
        })
    };
    let on_share = p.on_share.reform(|_: MouseEvent| ());
    let current = p.current.clone().unwrap_or_default();
    html! {
        <div class="lesson-bar">
            <label class="lesson-picker" title="Load a lesson: a scenario with narration">
                { "lesson ▾ " }
                <select data-testid="lesson-picker" onchange={on_change}>
                    <option value="" selected={current.is_empty()}>{ p.lang.pick("free play (default scenario)", "自由操作（預設情境）") }</option>
                    { for p.lessons.iter().map(|l| html! {
                        <option value={l.id.clone()} selected={l.id == current} title={p.lang.pick(&l.goal.0, &l.goal.1).to_owned()}>
                            { format!("{} · {}", l.id.split('-').next().unwrap_or_default(), p.lang.pick(&l.title.0, &l.title.1)) }
                        </option>
                    }) }
                </select>
            </label>
            <button data-testid="share" onclick={on_share} title="Put a link to this lesson, seed and moment into the address bar">{ "share" }</button>
            if let Some(url) = &p.share_url {
                <input class="share-url" data-testid="share-url" readonly=true value={url.clone()} aria-label="Share link" />
            }
        </div>
    }
}
