//! The native command line's subcommands, as library functions so they are testable.

pub mod assign;
pub mod check_determinism;
pub mod dump_json;
pub mod dump_log;
pub mod partition;
pub mod run;

/// `kafkascope --help`.
pub const HELP: &str = "\
kafkascope: Apache Kafka's semantics, simulated (follows Kafka 3.6 and 4.0; see README.md)

USAGE:
  kafkascope run FILE [--seed N] [--until-ms T] [--export DIR]
      Run a scenario headless. Prints every event as a JSON line ({\"type\", \"atUs\", ...}), then one
      summary object {\"type\": \"summary\", \"produced\", \"acknowledged\", \"consumed\", \"traceHash\", ...}.
      --seed N       override the scenario's seed
      --until-ms T   virtual time to stop at (default: 10 s after the last timeline entry)
      --export DIR   afterwards, write each broker's partition directories (segments, indexes,
                     leader-epoch-checkpoint) under DIR/broker-N/, as Kafka lays them out
  kafkascope partition --partitions N [--hex] KEY...
      Print each key's partition under Kafka's default partitioner (murmur2), one per line.
  kafkascope assign --assignor range|roundrobin|sticky|cooperative-sticky --topic NAME=PARTITIONS...
                    --member ID[=TOPIC,TOPIC...]...
      Print the assignment a fresh consumer group gets from that assignor, as one JSON object.
  kafkascope dump-log [--print-data-log] [--json] FILE...
      Print a segment's .log, .index or .timeindex the way kafka-dump-log.sh does; --json prints
      JSON Lines instead (one object per batch with its records, or per index entry).
  kafkascope check-determinism FILE [--until-ms T] [--seed N]
      Run the scenario twice, and once more restored from a JSON snapshot taken half-way; print
      `deterministic: <traceHash>`, or the first divergent event of each run with its virtual time
      (exit status 1).
  kafkascope --help
      This text.

Exit status: 0 on success, 1 when check-determinism finds a divergence, 2 on bad input (the error is
printed on stderr).
";

/// Dispatches a command line (without the program name); errors are for stderr and exit code 2.
pub fn main_with(args: &[String], out: &mut dyn std::io::Write) -> Result<(), String> {
    match main_with_status(args, out)? {
        0 => Ok(()),
        _ => Err("the runs diverged".into()),
    }
}

/// Like [`main_with`], but a check that ran and failed is `Ok(1)` (exit status 1), not an error.
pub fn main_with_status(args: &[String], out: &mut dyn std::io::Write) -> Result<u8, String> {
    if args.first().map(String::as_str) == Some("check-determinism") {
        return check_determinism::check_determinism(&args[1..], out).map(|ok| if ok { 0 } else { 1 });
    }
    dispatch(args, out).map(|()| 0)
}

fn dispatch(args: &[String], out: &mut dyn std::io::Write) -> Result<(), String> {
    let (cmd, rest) = match args.split_first() {
        Some((c, r)) => (c.as_str(), r),
        None => ("--help", &[][..]),
    };
    match cmd {
        "run" => run::run(rest, out),
        "partition" => partition::partition(rest, out),
        "assign" => assign::assign(rest, out),
        "dump-log" => dump_log::dump_log(rest, out),
        "--help" | "-h" | "help" => out.write_all(HELP.as_bytes()).map_err(|e| e.to_string()),
        other => Err(format!("unknown subcommand `{other}`; see `kafkascope --help`")),
    }
}
