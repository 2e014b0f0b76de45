//! Where a run spends its time: counters and per-stage thread time, kept in
//! process-wide atomics and printed by the hidden `--profile` flag. Costs
//! nothing measurable when off (one relaxed load per stage).

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Instant;

static ENABLED: AtomicBool = AtomicBool::new(false);

/// A step of the pipeline whose thread time is measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    Walk,
    /// Reading, decoding and checking a file (`go/load.rs`).
    Read,
    /// The pre-filter: tokens and preconditions.
    Filter,
    Parse,
    /// Running rules and checkers (package indexes included).
    Match,
    /// Building package indexes (part of `Match`).
    Index,
    /// Applying fixes, re-parsing and re-matching to the fixpoint.
    Fix,
    /// Rendering output (diffs included) and writing files.
    Output,
    /// Computing unified diffs (part of `Output`).
    Diff,
}

const STAGES: [(Stage, &str); 9] = [
    (Stage::Walk, "walk"),
    (Stage::Read, "read"),
    (Stage::Filter, "filter"),
    (Stage::Parse, "parse"),
    (Stage::Match, "match"),
    (Stage::Index, "(of which package index)"),
    (Stage::Fix, "fix"),
    (Stage::Output, "output"),
    (Stage::Diff, "(of which diffs)"),
];

/// Something counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Counter {
    FilesRead,
    BytesRead,
    Generated,
    Candidates,
    FilesParsed,
    /// Files parsed only in the declarations a rule can match.
    FilesParsedInPart,
    BytesParsed,
    PackageIndexes,
    FilesIndexed,
    BytesIndexed,
    /// Sibling files parsed whole to answer `PackageScope::is_nil_tested`.
    SiblingsParsed,
    /// Package files parsed in the declarations a rule's package facts need
    /// (`package_index::parse_declarations`).
    SiblingsParsedInPart,
}

static NANOS: [AtomicU64; 9] = [const { AtomicU64::new(0) }; 9];
static COUNTS: [AtomicU64; 12] = [const { AtomicU64::new(0) }; 12];
/// Rule id → files and bytes the pre-filter let through for it.
static RULE_CANDIDATES: Mutex<BTreeMap<String, (u64, u64)>> = Mutex::new(BTreeMap::new());

/// Turns measuring on for the rest of the process.
pub fn enable() {
    ENABLED.store(true, Ordering::Relaxed);
}

fn enabled() -> bool {
    ENABLED.load(Ordering::Relaxed)
}

/// Adds `n` to a counter.
pub fn count(counter: Counter, n: u64) {
    if enabled() {
        COUNTS[counter as usize].fetch_add(n, Ordering::Relaxed);
    }
}

/// Counts a file the pre-filter let through for `rule`.
pub fn count_candidate(rule: &str, bytes: u64) {
    if enabled() {
        let mut map = RULE_CANDIDATES.lock().unwrap_or_else(|e| e.into_inner());
        let entry = map.entry(rule.to_string()).or_default();
        entry.0 += 1;
        entry.1 += bytes;
    }
}

/// Measures the thread time of a stage until the guard is dropped.
pub fn timer(stage: Stage) -> Timer {
    Timer {
        stage,
        start: enabled().then(Instant::now),
    }
}

pub struct Timer {
    stage: Stage,
    start: Option<Instant>,
}

impl Drop for Timer {
    fn drop(&mut self) {
        if let Some(start) = self.start {
            NANOS[self.stage as usize].fetch_add(start.elapsed().as_nanos() as u64, Ordering::Relaxed);
        }
    }
}

/// The report printed on stderr at the end of a run.
pub fn report() -> String {
    let c = |k: Counter| COUNTS[k as usize].load(Ordering::Relaxed);
    let mb = |b: u64| b as f64 / 1e6;
    let mut out = format!(
        "mapfix profile: {} files read ({:.1} MB), {} generated skipped, {} passed the pre-filter, {} parsed whole and {} in part ({:.1} MB parsed, {:.1}% of the bytes read); \
         package indexes: {} built from {} files ({:.1} MB skimmed), {} of them parsed whole for nil tests and {} in part for package facts\nthread time:",
        c(Counter::FilesRead),
        mb(c(Counter::BytesRead)),
        c(Counter::Generated),
        c(Counter::Candidates),
        c(Counter::FilesParsed),
        c(Counter::FilesParsedInPart),
        mb(c(Counter::BytesParsed)),
        100.0 * c(Counter::BytesParsed) as f64 / c(Counter::BytesRead).max(1) as f64,
        c(Counter::PackageIndexes),
        c(Counter::FilesIndexed),
        mb(c(Counter::BytesIndexed)),
        c(Counter::SiblingsParsed),
        c(Counter::SiblingsParsedInPart),
    );
    for (stage, name) in STAGES {
        let secs = NANOS[stage as usize].load(Ordering::Relaxed) as f64 / 1e9;
        out.push_str(&format!(" {name} {secs:.3}s"));
    }
    out.push_str("\npre-filter candidates by rule:");
    for (rule, (files, bytes)) in RULE_CANDIDATES.lock().unwrap_or_else(|e| e.into_inner()).iter() {
        out.push_str(&format!(" {rule} {files} files ({:.1} MB);", mb(*bytes)));
    }
    out
}
