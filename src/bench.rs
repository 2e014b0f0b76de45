//! `mapfix bench-parse` (hidden): the baselines of `bench/run.sh`. Walks
//! PATHs as a run does and, on the same worker threads and in the same
//! order, only reads every Go file (`--mode read`) or reads and parses it
//! with the Go grammar (`--mode parse`), running no rule.

use crate::{go::syntax, ordered, walk};
use std::path::PathBuf;

/// `--mode`: what to do with each file.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum BenchMode {
    Read,
    Parse,
}

/// What `bench-parse` was asked (the flags are `cli`'s).
#[derive(Debug)]
pub struct BenchArgs {
    pub mode: BenchMode,
    /// Worker threads (default: all cores).
    pub jobs: Option<usize>,
    pub paths: Vec<PathBuf>,
}

/// Per file: bytes read, and whether it parsed without error.
struct Outcome {
    bytes: u64,
    parse_error: bool,
}

pub fn run(args: &BenchArgs) -> i32 {
    let (files, _errors) = walk::walk_sorted(&args.paths);
    let jobs = args
        .jobs
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let (mut count, mut bytes, mut parse_errors) = (0u64, 0u64, 0u64);
    ordered::for_each_ordered(
        files,
        jobs,
        |item| {
            let walk::WalkItem::File(file) = item else {
                return Outcome {
                    bytes: 0,
                    parse_error: false,
                };
            };
            let Ok(data) = std::fs::read(&file.path) else {
                return Outcome {
                    bytes: 0,
                    parse_error: false,
                };
            };
            let Ok(text) = std::str::from_utf8(&data) else {
                return Outcome {
                    bytes: data.len() as u64,
                    parse_error: false,
                };
            };
            let parse_error = args.mode == BenchMode::Parse
                && syntax::first_error(&syntax::parse(text.trim_start_matches('\u{feff}')).root()).is_some();
            Outcome {
                bytes: data.len() as u64,
                parse_error,
            }
        },
        |o| {
            count += 1;
            bytes += o.bytes;
            parse_errors += u64::from(o.parse_error);
        },
    );
    let mode = match args.mode {
        BenchMode::Read => "read",
        BenchMode::Parse => "read and parsed",
    };
    println!("bench-parse: {count} files ({bytes} bytes) {mode} on {jobs} threads; {parse_errors} with syntax errors");
    0
}
