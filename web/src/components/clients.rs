//! The producer panel (the accumulator's "train" per partition) and the consumer panel (positions
//! and lag per partition).

use crate::components::cluster::menu_key;
use crate::i18n::{tr, Lang};
use crate::layout::*;
use crate::links::MenuTarget;
use crate::view_model::{ConsumerView, PartKey, PartitionView, ProducerView};
use kafkascope::ids::{ConsumerIdx, ProducerIdx};
use kafkascope::vec_map::VecMap;
use yew::prelude::*;

/// Height of one partition row in a client panel.
const ROW_H: f64 = 58.0;
/// Most in-flight batches drawn per partition; the rest show as a count.
const MAX_CARS: usize = 5;

/// Properties of [`Producers`].
#[derive(Properties, PartialEq, Clone)]
pub struct ProducersProps {
    /// Producers by index.
    pub producers: VecMap<ProducerIdx, ProducerView>,
    /// Partitions, in row order (not their whole views, which would be cloned and compared every frame).
    pub partitions: Vec<PartKey>,
}

/// Draws each producer's accumulator: the open batch and the batches in flight, per partition.
#[function_component(Producers)]
pub fn producers(p: &ProducersProps) -> Html {
    let lang = use_context::<Lang>().unwrap_or_default();
    let mut y = COLUMN_Y;
    let panels = p.producers.iter().map(|(idx, prod)| {
        let top = y;
        let rows = p.partitions.iter().enumerate().map(|(r, key)| {
            let ry = top + 40.0 + r as f64 * ROW_H;
            let open = prod.open.contains_key(key);
            let cars: Vec<_> = prod.in_flight.values().filter(|(k, _)| k == key).collect();
            let acked = prod.acked.get(key).copied().unwrap_or(0);
            html! {
                <g key={format!("{}-{}", key.0, key.1)} class="acc-row">
                    <text class="tp" x={(PRODUCER_X + 10.0).to_string()} y={f1(ry + 12.0)}>{ format!("{}-{}", key.0, key.1) }</text>
                    <text class="small" x={(PRODUCER_X + SIDE_W - 10.0).to_string()} y={f1(ry + 12.0)} text-anchor="end">
                        { format!("{} {}", tr(lang, "acked"), grouped(acked)) }
                    </text>
                    <rect class={classes!("batch-open", open.then_some("filling"))} x={(PRODUCER_X + 10.0).to_string()}
                        y={f1(ry + 20.0)} width="34" height="18" rx="3">
                        <title>{ "The open batch in the RecordAccumulator: it leaves when batch.size fills or linger.ms expires" }</title>
                    </rect>
                    { for cars.iter().take(MAX_CARS).enumerate().map(|(i, (_, b))| html! {
                        <g key={i.to_string()} class="car" style={format!("transform: translate({}px, {}px)", f1(PRODUCER_X + 52.0 + i as f64 * 32.0), f1(ry + 20.0))}>
                            <rect width="28" height="18" rx="3" class={classes!((b.attempt > 1).then_some("retry"))} />
                            <text x="14" y="13" text-anchor="middle">{ b.records }</text>
                            <title>{ format!("{} records in flight to broker {} (attempt {})", b.records, b.broker, b.attempt) }</title>
                        </g>
                    }) }
                    if cars.len() > MAX_CARS {
                        <text class="small" x={(PRODUCER_X + 52.0 + MAX_CARS as f64 * 32.0).to_string()} y={f1(ry + 33.0)}>
                            { format!("+{}", cars.len() - MAX_CARS) }
                        </text>
                    }
                </g>
            }
        });
        let height = 48.0 + p.partitions.len() as f64 * ROW_H;
        y += height + 12.0;
        html! {
            <g key={idx.to_string()} class="producer" data-testid={format!("producer-{idx}")}>
                <rect class="panel" x={PRODUCER_X.to_string()} y={f1(top)} width={SIDE_W.to_string()} height={f1(height)} rx="8" />
                <text class="panel-title" x={(PRODUCER_X + 10.0).to_string()} y={f1(top + 24.0)}>{ format!("producer-{idx}") }</text>
                if let Some(err) = &prod.last_error {
                    <text class="error small" x={(PRODUCER_X + 10.0).to_string()} y={f1(top + height - 6.0)}>{ err.clone() }</text>
                }
                { for rows }
            </g>
        }
    });
    html! { <g class="producers">{ for panels }</g> }
}

/// Each partition's leader high watermark, as [`ConsumersProps::partitions`] takes it.
pub fn leader_hws(partitions: &VecMap<PartKey, PartitionView>) -> VecMap<PartKey, Option<i64>> {
    partitions.iter().map(|(k, part)| (k.clone(), part.leader.and_then(|l| part.logs.get(&l)).map(|l| l.hw))).collect()
}

/// Properties of [`Consumers`].
#[derive(Properties, PartialEq, Clone)]
pub struct ConsumersProps {
    /// Consumers by index.
    pub consumers: VecMap<ConsumerIdx, ConsumerView>,
    /// Partitions in row order, each with its leader's high watermark (`None` without a leader or
    /// its log): only what a consumer row draws, not the partitions' whole views (cloned and compared
    /// every frame otherwise).
    pub partitions: VecMap<PartKey, Option<i64>>,
    /// Consumers whose process was killed.
    pub down: kafkascope::vec_map::VecSet<ConsumerIdx>,
    /// Opens the fault menu for a consumer at client coordinates.
    pub on_menu: Callback<(MenuTarget, f64, f64)>,
}

/// Draws each consumer's position and lag per partition.
#[function_component(Consumers)]
pub fn consumers(p: &ConsumersProps) -> Html {
    let lang = use_context::<Lang>().unwrap_or_default();
    let mut y = COLUMN_Y;
    let panels = p.consumers.iter().map(|(idx, c)| {
        let top = y;
        let rows = p.partitions.iter().enumerate().map(|(r, (key, leader_hw))| {
            let ry = top + 40.0 + r as f64 * ROW_H;
            let owned = c.assigned.as_ref().is_none_or(|a| a.contains(key));
            let pos = c.position.get(key).copied().filter(|_| owned);
            let hw = leader_hw.or_else(|| c.seen_hw.get(key).copied()).unwrap_or(0);
            let lag = pos.map(|p| (hw - p).max(0));
            let frac = match pos { Some(p) if hw > 0 => (p as f64 / hw as f64).clamp(0.0, 1.0), _ => 0.0 };
            html! {
                <g key={format!("{}-{}", key.0, key.1)} class="pos-row">
                    <text class="tp" x={(CONSUMER_X + 10.0).to_string()} y={f1(ry + 12.0)}>{ format!("{}-{}", key.0, key.1) }</text>
                    <text class="small" x={(CONSUMER_X + SIDE_W - 10.0).to_string()} y={f1(ry + 12.0)} text-anchor="end">
                        { match (pos, lag) { (Some(p), Some(l)) => format!("@{} · lag {}", grouped(p as u64), l), _ if !owned => tr(lang, "consumer.unassigned").to_owned(), _ => tr(lang, "consumer.no_records").to_owned() } }
                    </text>
                    <rect class="track" x={(CONSUMER_X + 10.0).to_string()} y={f1(ry + 22.0)} width={(SIDE_W - 20.0).to_string()} height="8" rx="4" />
                    <rect class="progress" x={(CONSUMER_X + 10.0).to_string()} y={f1(ry + 22.0)} width={f1((SIDE_W - 20.0) * frac)} height="8" rx="4" />
                </g>
            }
        });
        let height = 48.0 + p.partitions.len() as f64 * ROW_H;
        y += height + 12.0;
        let target = MenuTarget::Consumer(*idx);
        let oncontextmenu = p.on_menu.reform(move |e: MouseEvent| {
            e.prevent_default();
            (target, f64::from(e.client_x()) - 240.0, f64::from(e.client_y()))
        });
        let onkeydown = {
            let cb = p.on_menu.clone();
            Callback::from(move |e: KeyboardEvent| {
                let _ = menu_key(&e, target, &cb);
            })
        };
        let down = p.down.contains(idx);
        html! {
            <g key={idx.to_string()} class={classes!("consumer", down.then_some("down"))} data-testid={format!("consumer-{idx}")}
                data-state={if down { "down" } else { "up" }} tabindex="0" role="button" {oncontextmenu} {onkeydown}
                aria-label={format!("consumer-{idx}: right-click or press M for faults")}>
                <rect class="panel" x={CONSUMER_X.to_string()} y={f1(top)} width={SIDE_W.to_string()} height={f1(height)} rx="8" />
                <text class="panel-title" x={(CONSUMER_X + 10.0).to_string()} y={f1(top + 24.0)}>{ format!("consumer-{idx}") }</text>
                if down {
                    <text class="status down" x={(CONSUMER_X + SIDE_W - 10.0).to_string()} y={f1(top + 40.0)} text-anchor="end">{ tr(lang, "consumer.down") }</text>
                }
                if let Some((group, generation)) = &c.group {
                    <text class="small" x={(CONSUMER_X + SIDE_W - 10.0).to_string()} y={f1(top + 22.0)} text-anchor="end">
                        { format!("{group} · gen {generation}") }
                        <title>{ "consumer group.id and its generation (bumped by every rebalance)" }</title>
                    </text>
                }
                { for rows }
            </g>
        }
    });
    html! { <g class="consumers">{ for panels }</g> }
}
