//! The charts tab: small SVG line charts (no chart library) of the series the view state keeps —
//! throughput, latency p50/p99, batch fill, compression ratio, consumer lag per partition — and the
//! safety ledger's acked-then-lost and duplicates counts as an alarm. Rendering only.

use crate::i18n::{tr, Lang};
use crate::layout::{seconds, OKABE_ITO};
use crate::series::{ChartSeries, Series};
use yew::prelude::*;

/// Drawing width of a chart (SVG user units).
pub const CHART_W: f64 = 460.0;
/// Drawing height of a chart.
pub const CHART_H: f64 = 96.0;
/// Left margin for the y labels.
const LEFT: f64 = 54.0;
/// Bottom margin for the x labels.
const BOTTOM: f64 = 14.0;

/// How a chart's values read: a unit and a scale from the stored integer.
#[derive(Clone, Copy, PartialEq)]
enum Unit {
    /// A plain count per second or records.
    Count(&'static str),
    /// Microseconds shown as milliseconds.
    Micros,
    /// Per mille shown as a percentage.
    Permille,
}

impl Unit {
    fn label(self, v: i64) -> String {
        match self {
            Unit::Count(u) => format!("{}{u}", compact(v)),
            Unit::Micros => format!("{:.1} ms", v as f64 / 1_000.0),
            Unit::Permille => format!("{:.0}%", v as f64 / 10.0),
        }
    }
}

/// 1234567 → "1.2M": labels stay short.
fn compact(v: i64) -> String {
    match v.unsigned_abs() {
        n if n >= 1_000_000 => format!("{:.1}M", v as f64 / 1e6),
        n if n >= 10_000 => format!("{:.0}k", v as f64 / 1e3),
        _ => v.to_string(),
    }
}

/// The `points` attribute of a polyline for `s` in the box `[t0, t1] × [0, max]`.
pub fn polyline(s: &Series, t0: u64, t1: u64, max: i64) -> String {
    let span = t1.saturating_sub(t0).max(1) as f64;
    let (w, h) = (CHART_W - LEFT - 4.0, CHART_H - BOTTOM - 6.0);
    s.points
        .iter()
        .map(|(t, v)| {
            let x = LEFT + (t.saturating_sub(t0)) as f64 / span * w;
            let y = 6.0 + h - (*v).clamp(0, max.max(1)) as f64 / max.max(1) as f64 * h;
            format!("{x:.1},{y:.1}")
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// One chart: a title, lines with a legend, the y range and the time span.
fn chart(id: &'static str, title: String, unit: Unit, lines: Vec<(String, &Series)>, empty: &'static str) -> Html {
    let points = lines.iter().flat_map(|(_, s)| s.points.iter());
    let (t0, t1, max) = points.fold((u64::MAX, 0, 0), |(a, b, m), (t, v)| (a.min(*t), b.max(*t), m.max(*v)));
    let max = if unit == Unit::Permille { max.max(1000) } else { max.max(1) };
    let drawn = lines.iter().any(|(_, s)| !s.points.is_empty());
    html! {
        <figure class="chart" data-testid={format!("chart-{id}")}>
            <figcaption>{ title }</figcaption>
            if !drawn { <p class="muted">{ empty }</p> }
            if drawn {
                <svg viewBox={format!("0 0 {CHART_W} {CHART_H}")} role="img" aria-label={id}>
                    <line class="axis" x1={LEFT.to_string()} x2={LEFT.to_string()} y1="6" y2={(CHART_H - BOTTOM).to_string()} />
                    <line class="axis" x1={LEFT.to_string()} x2={(CHART_W - 4.0).to_string()} y1={(CHART_H - BOTTOM).to_string()} y2={(CHART_H - BOTTOM).to_string()} />
                    <text class="tick" x={(LEFT - 4.0).to_string()} y="12" text-anchor="end">{ unit.label(max) }</text>
                    <text class="tick" x={(LEFT - 4.0).to_string()} y={(CHART_H - BOTTOM).to_string()} text-anchor="end">{ unit.label(0) }</text>
                    <text class="tick" x={LEFT.to_string()} y={(CHART_H - 2.0).to_string()}>{ seconds(t0) }</text>
                    <text class="tick" x={(CHART_W - 4.0).to_string()} y={(CHART_H - 2.0).to_string()} text-anchor="end">{ seconds(t1) }</text>
                    { for lines.iter().enumerate().map(|(i, (name, s))| html! {
                        <polyline key={name.clone()} class="series" data-series={name.clone()} points={polyline(s, t0, t1, max)}
                            stroke={OKABE_ITO[i % OKABE_ITO.len()]} stroke-dasharray={if i % 2 == 1 { "4 2" } else { "none" }} />
                    }) }
                </svg>
                <div class="legend">{ for lines.iter().enumerate().map(|(i, (name, s))| html! {
                    <span key={name.clone()}><i style={format!("background: {}", OKABE_ITO[i % OKABE_ITO.len()])} />
                        { format!("{name}: {}", s.last().map(|v| unit.label(v)).unwrap_or_default()) }</span>
                }) }</div>
            }
        </figure>
    }
}

/// Properties of [`Charts`].
#[derive(Properties, PartialEq, Clone)]
pub struct ChartsProps {
    /// The series to draw.
    pub series: ChartSeries,
}

/// Renders the charts tab.
#[function_component(Charts)]
pub fn charts(p: &ChartsProps) -> Html {
    let lang = use_context::<Lang>().unwrap_or_default();
    let s = &p.series;
    let per = |f: fn(&crate::series::ProducerSeries) -> &Series, suffix: &str| -> Vec<(String, &Series)> {
        s.producers.iter().map(|(i, ps)| (format!("P{i}{suffix}"), f(ps))).collect()
    };
    let mut latency = per(|x| &x.latency_p50_us, " p50");
    latency.extend(per(|x| &x.latency_p99_us, " p99"));
    let lag = s.lag.iter().map(|((c, (t, n)), se)| (format!("C{c} {t}-{n}"), se)).collect();
    let (lost, dups) = (s.acked_lost.last().unwrap_or(0), s.duplicates.last().unwrap_or(0));
    let alarm = lost > 0 || dups > 0;
    let no_metrics = tr(lang, "charts.no_metrics");
    html! {
        <div class="charts" data-testid="charts-tab">
            <div class={classes!("safety", alarm.then_some("alarm"))} data-testid="charts-alarm" data-alarm={alarm.to_string()} role="status">
                { format!("{} {} {lost} · {} {dups}", if alarm { "⚠" } else { "✓" }, tr(lang, "acked_lost"), tr(lang, "duplicates")) }
                if alarm { <span class="why">{ tr(lang, "charts.alarm") }</span> }
            </div>
            { chart("records", tr(lang, "charts.records").to_owned(), Unit::Count("/s"), per(|x| &x.records_per_sec, ""), no_metrics) }
            { chart("bytes", tr(lang, "charts.bytes").to_owned(), Unit::Count(" B/s"), per(|x| &x.bytes_per_sec, ""), no_metrics) }
            { chart("latency", tr(lang, "charts.latency").to_owned(), Unit::Micros, latency, no_metrics) }
            { chart("fill", tr(lang, "charts.fill").to_owned(), Unit::Permille, per(|x| &x.batch_fill_permille, ""), no_metrics) }
            { chart("compression", tr(lang, "charts.compression").to_owned(), Unit::Permille, per(|x| &x.compression_permille, ""), no_metrics) }
            { chart("lag", tr(lang, "charts.lag").to_owned(), Unit::Count(""), lag, tr(lang, "charts.no_lag")) }
            { chart("alarms", tr(lang, "charts.ledger").to_owned(), Unit::Count(""),
                vec![(tr(lang, "acked_lost").to_owned(), &s.acked_lost), (tr(lang, "duplicates").to_owned(), &s.duplicates)], tr(lang, "charts.no_ledger")) }
        </div>
    }
}
