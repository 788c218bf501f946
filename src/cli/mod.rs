//! The native command line's subcommands, as library functions so they are testable.

pub mod dump_log;
