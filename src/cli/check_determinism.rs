//! `kafkascope check-determinism FILE [--until-ms T] [--seed N]`: runs a scenario twice, and once more
//! restored from a JSON snapshot taken half-way, and reports the first event where the runs differ.
// Ref: shared/style.md "the first divergence is reported with its virtual time".

use super::run::default_until_ms;
use crate::event::Event;
use crate::scenario::Scenario;
use crate::sim::Sim;
use crate::time::ms;
use crate::trace::first_divergence;
use std::io::Write;

/// Advances `sim` to `until_us` in one-second slices, appending the events.
fn advance(sim: &mut Sim, until_us: u64, events: &mut Vec<Event>) {
    let mut t = sim.now_us();
    while t < until_us {
        t = (t + ms(1_000)).min(until_us);
        events.extend(sim.advance_to(t));
    }
    events.extend(sim.advance_to(until_us));
}

fn fresh(scenario: &Scenario, file: &str) -> Result<Sim, String> {
    Sim::new(scenario).map_err(|e| format!("{file}: {e}"))
}

/// Runs the check. `Ok(true)`: deterministic; `Ok(false)`: a divergence was printed; `Err`: bad input.
pub fn check_determinism(args: &[String], out: &mut dyn Write) -> Result<bool, String> {
    let (mut file, mut seed, mut until) = (None, None, None);
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--seed" => seed = Some(number(it.next(), "--seed")?),
            "--until-ms" => until = Some(number(it.next(), "--until-ms")?),
            s if s.starts_with("--") => return Err(format!("check-determinism: unknown option {s}")),
            s if file.is_none() => file = Some(s.to_string()),
            s => return Err(format!("check-determinism: unexpected argument {s}")),
        }
    }
    let file = file.ok_or("check-determinism: missing scenario FILE (usage: kafkascope check-determinism FILE [--until-ms T] [--seed N])")?;
    let text = std::fs::read_to_string(&file).map_err(|e| format!("{file}: {e}"))?;
    let mut scenario = Scenario::from_json(&text).map_err(|e| format!("{file}: {e}"))?;
    if let Some(seed) = seed {
        scenario.seed = seed;
    }
    let end = ms(until.unwrap_or_else(|| default_until_ms(&scenario)));
    let io = |e: std::io::Error| format!("writing output: {e}");

    let (mut first, mut second, mut resumed) = (fresh(&scenario, &file)?, fresh(&scenario, &file)?, fresh(&scenario, &file)?);
    let (mut a, mut b, mut c) = (Vec::new(), Vec::new(), Vec::new());
    advance(&mut first, end, &mut a);
    advance(&mut second, end, &mut b);
    // The third run goes half-way, round-trips through a JSON snapshot, and carries on.
    advance(&mut resumed, end / 2, &mut c);
    let json = serde_json::to_string(&resumed.snapshot()).map_err(|e| format!("snapshot: {e}"))?;
    let mut resumed: Sim = serde_json::from_str(&json).map_err(|e| format!("restoring snapshot: {e}"))?;
    advance(&mut resumed, end, &mut c);

    for (label, other, hash) in [("second run", &b, second.trace_hash()), ("run restored from a snapshot at half-time", &c, resumed.trace_hash())] {
        if let Some((index, at_us, both)) = first_divergence(&a, other) {
            writeln!(out, "divergent: {label} differs from the first at event #{index}, virtual time {at_us} us:\n{both}").map_err(io)?;
            return Ok(false);
        }
        if hash != first.trace_hash() {
            writeln!(out, "divergent: {label} has trace hash {hash}, the first {}", first.trace_hash()).map_err(io)?;
            return Ok(false);
        }
    }
    writeln!(out, "deterministic: {}", first.trace_hash()).map_err(io)?;
    Ok(true)
}

fn number(v: Option<&String>, flag: &str) -> Result<u64, String> {
    v.ok_or(format!("{flag} needs a value"))?.parse().map_err(|_| format!("{flag} takes a non-negative integer"))
}
