//! The native command line: `kafkascope --help` lists the subcommands.

use std::io::Write;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let result = kafkascope::cli::main_with_status(&args, &mut out);
    let flushed = out.flush();
    match result {
        // A closed pipe (`| head`) is not an error worth a stack trace.
        Ok(0) => {
            let _ = flushed;
            ExitCode::SUCCESS
        }
        Ok(status) => ExitCode::from(status),
        Err(message) => {
            eprintln!("kafkascope: {message}");
            ExitCode::from(2)
        }
    }
}
