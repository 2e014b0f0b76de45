//! A progress bar on stderr for long runs (files done of total, findings so
//! far). Shown only when stderr is a terminal, the output is text and the
//! run has many files; cleared when the run ends, so it never mixes with
//! results or reaches a pipe, a log or a machine-readable format.

use crate::engine::FileReport;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::sync::atomic::{AtomicUsize, Ordering};

/// A bar counting `len` steps of a slow phase (`--verify`'s packages), on
/// stderr when it is a terminal; `None` otherwise. `unit` names the steps
/// ("packages vetted").
pub fn step_bar(len: usize, unit: &str) -> Option<ProgressBar> {
    let terminal = std::io::stderr().is_terminal() && std::env::var("TERM").map_or(true, |t| t != "dumb");
    (terminal && len > 0).then(|| {
        let bar = ProgressBar::with_draw_target(Some(len as u64), ProgressDrawTarget::stderr());
        bar.set_style(
            ProgressStyle::with_template(&format!(
                "{{spinner}} [{{bar:30}}] {{pos}}/{{len}} {unit} ({{elapsed}})"
            ))
            .expect("valid template")
            .progress_chars("=> "),
        );
        bar
    })
}

/// Runs over fewer files finish too fast for a bar to help.
const MIN_FILES: usize = 100;

pub struct Progress {
    bar: Option<ProgressBar>,
    findings: AtomicUsize,
    /// Files the walk has found so far (the bar's length).
    found: AtomicUsize,
}

impl Progress {
    /// A bar, if `wanted` (a text run) and stderr is a terminal. Its length
    /// grows as the run's own walk finds files (`file_found`), so the tree
    /// is walked once; it is drawn once the run has `MIN_FILES` files.
    pub fn new(wanted: bool) -> Self {
        let terminal = std::io::stderr().is_terminal() && std::env::var("TERM").map_or(true, |t| t != "dumb");
        let bar = (wanted && terminal).then(|| {
            let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::hidden());
            bar.set_style(
                ProgressStyle::with_template("{spinner} [{bar:30}] {pos}/{len} files, {msg} ({elapsed})")
                    .expect("valid template")
                    .progress_chars("=> "),
            );
            bar.set_message("0 findings");
            bar
        });
        Progress {
            bar,
            findings: AtomicUsize::new(0),
            found: AtomicUsize::new(0),
        }
    }

    /// The walk found one more file to process.
    pub fn file_found(&self) {
        let Some(bar) = &self.bar else { return };
        bar.inc_length(1);
        if self.found.fetch_add(1, Ordering::Relaxed) + 1 == MIN_FILES {
            bar.set_draw_target(ProgressDrawTarget::stderr());
        }
    }

    pub fn file_done(&self, report: &FileReport) {
        let Some(bar) = &self.bar else { return };
        let n = self.findings.fetch_add(report.findings.len(), Ordering::Relaxed) + report.findings.len();
        bar.set_message(format!("{n} finding{}", if n == 1 { "" } else { "s" }));
        bar.inc(1);
    }

    /// Runs `f` (which prints) with the bar hidden.
    pub fn suspend<R>(&self, f: impl FnOnce() -> R) -> R {
        match &self.bar {
            Some(bar) => bar.suspend(f),
            None => f(),
        }
    }

    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
