//! The native command line: `kafkascope --help` lists the subcommands.

use std::io::Write;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let result = kafkascope::cli::main_with(&args, &mut out);
    let flushed = out.flush();
    match result {
        Ok(()) => {
            // A closed pipe (`| head`) is not an error worth a stack trace.
            if flushed.is_err() {
                return ExitCode::SUCCESS;
            }
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("kafkascope: {message}");
            ExitCode::from(2)
        }
    }
}
