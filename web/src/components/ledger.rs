//! The safety ledger line: produced · acked · consumed, the event count and the trace hash.

use crate::i18n::{tr, Lang};
use crate::layout::grouped;
use crate::view_model::Ledger;
use yew::prelude::*;

/// Properties of [`LedgerLine`].
#[derive(Properties, PartialEq, Clone)]
pub struct LedgerProps {
    /// Counts to show.
    pub ledger: Ledger,
    /// The engine's trace hash (hex).
    pub trace_hash: String,
    /// A message to show at the end of the line (last command error or narration).
    #[prop_or_default]
    pub note: Option<String>,
}

/// Renders the safety ledger.
#[function_component(LedgerLine)]
pub fn ledger_line(p: &LedgerProps) -> Html {
    let lang = use_context::<Lang>().unwrap_or_default();
    let l = &p.ledger;
    html! {
        <div class="ledger" aria-live="polite">
            <span title="Records handed to the network by producers">{ tr(lang, "produced") }{ " " }<b data-testid="produced-count">{ grouped(l.produced) }</b></span>
            <span class="sep">{ "·" }</span>
            <span title="Records acknowledged to producers (acks)">{ tr(lang, "acked") }{ " " }<b data-testid="acked-count">{ grouped(l.acked) }</b></span>
            <span class="sep">{ "·" }</span>
            <span title="Records delivered to consumers (below the high watermark)">{ tr(lang, "consumed") }{ " " }<b data-testid="consumed-count">{ grouped(l.consumed) }</b></span>
            if let Some(lost) = l.acked_lost {
                <span class="sep">{ "·" }</span>
                <span class={classes!((lost > 0).then_some("alarm"))} title="Acknowledged records missing from their partition's leader: Kafka promised them and lost them">
                    { tr(lang, "acked_lost") }{ " " }<b data-testid="acked-lost-count">{ grouped(lost) }</b></span>
            }
            if let Some(dups) = l.duplicates {
                <span class="sep">{ "·" }</span>
                <span class={classes!((dups > 0).then_some("alarm"))} title="Records present more than once in a leader's log (retries without idempotence)">
                    { tr(lang, "duplicates") }{ " " }<b data-testid="duplicates-count">{ grouped(dups) }</b></span>
            }
            <span class="sep">{ "·" }</span>
            <span class="muted">{ format!("{} {}", tr(lang, "events"), grouped(l.events)) }</span>
            <span class="sep">{ "·" }</span>
            <span class="muted" title="Rolling XXH64 over every event: same seed and commands ⇒ same hash">
                { tr(lang, "trace") }{ " " }<code data-testid="trace-hash">{ p.trace_hash.clone() }</code>
            </span>
            if let Some(n) = &p.note { <span class="note">{ n.clone() }</span> }
        </div>
    }
}
