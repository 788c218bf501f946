//! The record view at the top of the inspector, for a record cell clicked on a replica strip: key
//! and value, why it is in its partition, its batch, which replicas hold it, whether it is
//! committed and the safety ledger's word on it. The data is [`RecordInfo`], answered by the driver.

use crate::i18n::{tr, Lang};
use crate::record_query::{Holding, LedgerStatus, RecordInfo, Why};
use yew::prelude::*;

/// Renders one record.
pub fn record_view(lang: Lang, r: &RecordInfo) -> Html {
    let why = match &r.why {
        Why::Murmur2 { hash, partitions } => format!("{} (murmur2 = {hash}; toPositive % {partitions})", tr(lang, "record.why.murmur2")),
        Why::NotKeyHash { expected } => format!("{} {expected}", tr(lang, "record.why.explicit")),
        Why::NullKey => tr(lang, "record.why.null").to_owned(),
    };
    let (b0, b1, epoch, n, crc) = r.batch;
    let holder = |h: Holding| match h {
        Holding::Same => ("same", "✓"),
        Holding::Other => ("other", "≠"),
        Holding::Missing => ("missing", "—"),
    };
    let (ledger_class, ledger_msg) = match r.ledger {
        LedgerStatus::Acked if r.copies_in_leader > 1 => ("alarm", "record.ledger.duplicate"),
        LedgerStatus::Acked => ("ok", "record.ledger.acked"),
        LedgerStatus::AckedThenLost => ("alarm", "record.ledger.lost"),
        LedgerStatus::NotAcked => ("muted", "record.ledger.not_acked"),
    };
    let committed = match r.leader {
        Some((l, hw)) => format!("{} (leader {l}, HW {hw})", tr(lang, if r.committed { "record.committed" } else { "record.uncommitted" })),
        None => tr(lang, "record.offline").to_owned(),
    };
    let show = |v: &Option<String>| v.clone().unwrap_or_else(|| "null".to_owned());
    html! {
        <div class="record-view" data-testid="record-view" data-ledger={format!("{:?}", r.ledger)} data-committed={r.committed.to_string()}>
            <h4>{ format!("{} @{}", tr(lang, "record.title"), r.offset) }</h4>
            <dl>
                <dt>{ "key" }</dt><dd data-testid="record-key">{ show(&r.key) }</dd>
                <dt>{ "value" }</dt><dd>{ show(&r.value) }</dd>
                <dt>{ "partition" }</dt><dd data-testid="record-why">{ why }</dd>
                <dt>{ "batch" }</dt><dd>{ format!("{b0}–{b1} · epoch {epoch} · {n} records · crc {crc:08x} · pid {} seq {}", r.producer.0, r.producer.1) }</dd>
                <dt>{ tr(lang, "record.replicas") }</dt>
                <dd data-testid="record-holders">{ for r.holders.iter().map(|(b, h)| { let (c, mark) = holder(*h); html! {
                    <span key={*b} class={classes!("holder", c)} data-broker={b.to_string()} data-holding={c}>{ format!("broker {b} {mark}") }</span>
                } }) }</dd>
                <dt>{ "HW" }</dt><dd data-testid="record-committed">{ committed }</dd>
                <dt>{ tr(lang, "record.ledger") }</dt>
                <dd class={ledger_class} data-testid="record-ledger">{ format!("{}{}", tr(lang, ledger_msg),
                    if r.copies_in_leader > 1 { format!(" (×{})", r.copies_in_leader) } else { String::new() }) }</dd>
            </dl>
        </div>
    }
}
