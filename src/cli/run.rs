//! `kafkascope run FILE [--seed N] [--until-ms T] [--export DIR]`: runs a scenario headless and prints its events as
//! JSON Lines, then one summary object.

use crate::scenario::Scenario;
use crate::sim::Sim;
use crate::time::ms;
use std::io::Write;

/// How long `run` simulates when `--until-ms` is not given: 10 s past the scenario's last timeline
/// or narration entry (at least 10 s).
pub fn default_until_ms(s: &Scenario) -> u64 {
    let last = s.timeline.iter().map(|t| t.at_ms).chain(s.narration.iter().map(|n| n.at_ms)).max().unwrap_or(0);
    last + 10_000
}

/// Parses the arguments, runs the scenario and writes events and summary to `out`.
pub fn run(args: &[String], out: &mut dyn Write) -> Result<(), String> {
    let mut file = None;
    let mut seed = None;
    let mut until = None;
    let mut log_dir = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--seed" => seed = Some(number(it.next(), "--seed")?),
            "--until-ms" => until = Some(number(it.next(), "--until-ms")?),
            "--export" | "--log-dir" => log_dir = Some(it.next().ok_or("--export needs a directory")?.clone()),
            s if s.starts_with("--") => return Err(format!("run: unknown option {s}")),
            s if file.is_none() => file = Some(s.to_string()),
            s => return Err(format!("run: unexpected argument {s}")),
        }
    }
    let file = file.ok_or("run: missing scenario FILE (usage: kafkascope run FILE [--seed N] [--until-ms T])")?;
    let text = std::fs::read_to_string(&file).map_err(|e| format!("{file}: {e}"))?;
    let mut scenario = Scenario::from_json(&text).map_err(|e| format!("{file}: {e}"))?;
    if let Some(seed) = seed {
        scenario.seed = seed;
    }
    let until = until.unwrap_or_else(|| default_until_ms(&scenario));
    let mut sim = Sim::new(&scenario).map_err(|e| format!("{file}: {e}"))?;
    let io = |e: std::io::Error| format!("writing output: {e}");
    // Advance in slices so memory stays bounded however long the run.
    let step = ms(1_000);
    let end = ms(until);
    let mut t = 0;
    loop {
        t = (t + step).min(end);
        for event in sim.advance_to(t) {
            serde_json::to_writer(&mut *out, &event).map_err(|e| e.to_string())?;
            out.write_all(b"\n").map_err(io)?;
        }
        if t >= end {
            break;
        }
    }
    if let Some(dir) = log_dir {
        write_log_dirs(&sim, std::path::Path::new(&dir))?;
    }
    let mut summary = serde_json::to_value(sim.summary()).map_err(|e| e.to_string())?;
    if let Some(obj) = summary.as_object_mut() {
        obj.insert("type".into(), "summary".into());
    }
    serde_json::to_writer(&mut *out, &summary).map_err(|e| e.to_string())?;
    out.write_all(b"\n").map_err(io)?;
    Ok(())
}

/// Writes every broker's partition directories as Kafka lays them out on disk
/// (`DIR/broker-1/orders-0/00000000000000000000.log`, `.index`, `.timeindex`,
/// `leader-epoch-checkpoint`), so `kafkascope dump-log` or Kafka's own tools can read them.
pub fn write_log_dirs(sim: &Sim, dir: &std::path::Path) -> Result<(), String> {
    let fail = |p: &std::path::Path, e: std::io::Error| format!("{}: {e}", p.display());
    for broker in sim.brokers() {
        for (tp, log) in &broker.disk.logs {
            let part_dir = dir.join(format!("broker-{}", broker.id())).join(tp.to_string());
            std::fs::create_dir_all(&part_dir).map_err(|e| fail(&part_dir, e))?;
            for (name, bytes) in log.segment_files() {
                let path = part_dir.join(name);
                std::fs::write(&path, bytes).map_err(|e| fail(&path, e))?;
            }
            let path = part_dir.join("leader-epoch-checkpoint");
            std::fs::write(&path, log.epoch_cache.checkpoint_file()).map_err(|e| fail(&path, e))?;
        }
    }
    Ok(())
}

fn number(v: Option<&String>, flag: &str) -> Result<u64, String> {
    v.ok_or(format!("{flag} needs a value"))?.parse().map_err(|_| format!("{flag} takes a non-negative integer"))
}
