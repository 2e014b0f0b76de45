//! Rendering a run's results: one module per output format. Formats that
//! can print as files arrive implement `StreamRenderer` (text, json), so a
//! run never holds every report; formats that need the whole run first
//! implement `Renderer` and are driven through `Collected`. Diffs come from
//! `similar` in one place.

mod json;
mod text;

use crate::engine::{FileError, FileReport, Finding};
use std::io::{self, Write};

pub use json::JsonRenderer;
pub use text::TextRenderer;

/// Counts over the whole run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    pub files_scanned: usize,
    pub findings: usize,
    pub fixable: usize,
    pub applied: usize,
    pub errors: usize,
}

/// A finished run, ready to render (for whole-run formats, see `Collected`).
#[allow(dead_code)] // No built-in format needs the whole run yet.
pub struct RunResult {
    pub reports: Vec<FileReport>,
    /// Errors not tied to a processed file (walk errors, config).
    pub errors: Vec<FileError>,
    /// Whether fixes were written (`--write`).
    pub wrote: bool,
}

#[allow(dead_code)]
impl RunResult {
    /// The run's counts, as a streaming renderer would have added them up.
    pub fn totals(&self) -> Totals {
        let mut totals = Totals::new(self.wrote);
        totals.add_errors(self.errors.len());
        for r in &self.reports {
            totals.add(r);
        }
        totals
    }

    pub fn findings(&self) -> impl Iterator<Item = &Finding> {
        self.reports.iter().flat_map(|r| r.findings.iter())
    }

    pub fn all_errors(&self) -> impl Iterator<Item = &FileError> {
        self.errors.iter().chain(self.reports.iter().flat_map(|r| r.errors.iter()))
    }

    pub fn summary(&self) -> Summary {
        self.totals().summary
    }

    /// Exit status (SPEC §1): 2 on errors, 1 on findings left, else 0.
    pub fn exit_code(&self) -> i32 {
        self.totals().exit_code()
    }
}

/// Counts over a run, added up one file at a time.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Totals {
    pub summary: Summary,
    /// Findings whose fix this run includes (shown in the diff, or applied).
    pub fixes_included: usize,
    /// Findings with an unsafe fix left out (no `--unsafe`).
    pub unsafe_left: usize,
    /// Whether anything is left for the user (exit status 1).
    pub left: bool,
    /// Whether fixes were written (`--write`).
    pub wrote: bool,
}

impl Totals {
    pub fn new(wrote: bool) -> Self {
        Totals { wrote, ..Default::default() }
    }

    /// Adds a file's report (after its fixes were written, if they were).
    pub fn add(&mut self, report: &FileReport) {
        let s = &mut self.summary;
        s.files_scanned += usize::from(report.scanned);
        s.errors += report.errors.len();
        for f in &report.findings {
            s.findings += 1;
            s.fixable += usize::from(f.fix.is_some());
            s.applied += usize::from(f.fix.as_ref().is_some_and(|x| x.applied));
            self.fixes_included += usize::from(f.fix.as_ref().is_some_and(|x| x.included));
            self.unsafe_left += usize::from(
                f.fix.as_ref().is_some_and(|x| !x.included && x.safety == crate::rules::FixSafety::Unsafe),
            );
            if self.wrote && !f.fix.as_ref().is_some_and(|x| x.applied) {
                self.left = true;
            }
        }
        if !self.wrote && (!report.findings.is_empty() || report.fixed_text.is_some()) {
            self.left = true;
        }
    }

    /// Adds errors not tied to a processed file.
    pub fn add_errors(&mut self, n: usize) {
        self.summary.errors += n;
    }

    /// Exit status (SPEC §1): 2 on errors, 1 on findings left, else 0.
    pub fn exit_code(&self) -> i32 {
        if self.summary.errors > 0 {
            2
        } else {
            i32::from(self.left)
        }
    }
}

/// An output format that needs the whole run before it writes anything.
#[allow(dead_code)]
pub trait Renderer {
    /// Writes the results to `out` (stdout); errors go to `err` (stderr) when
    /// the format does not carry them itself.
    fn render(&self, run: &RunResult, out: &mut dyn Write, err: &mut dyn Write) -> io::Result<()>;
}

/// An output format that writes as the run goes: `begin`, then `file` for
/// every file in path order, then `finish`. `out` is stdout, `err` stderr.
pub trait StreamRenderer {
    /// Before any file: errors not tied to a file (walk errors).
    fn begin(&mut self, errors: &[FileError], out: &mut dyn Write, err: &mut dyn Write) -> io::Result<()>;
    /// One file's report, after its fixes were written (with `--write`).
    fn file(&mut self, report: FileReport, out: &mut dyn Write, err: &mut dyn Write) -> io::Result<()>;
    /// After the last file.
    fn finish(&mut self, totals: &Totals, out: &mut dyn Write, err: &mut dyn Write) -> io::Result<()>;
}

/// Drives a whole-run `Renderer` from a stream: keeps every report, renders at the end.
#[allow(dead_code)]
pub struct Collected<R: Renderer> {
    renderer: R,
    run: RunResult,
}

#[allow(dead_code)]
impl<R: Renderer> Collected<R> {
    pub fn new(renderer: R, wrote: bool) -> Self {
        Collected { renderer, run: RunResult { reports: Vec::new(), errors: Vec::new(), wrote } }
    }
}

impl<R: Renderer> StreamRenderer for Collected<R> {
    fn begin(&mut self, errors: &[FileError], _out: &mut dyn Write, _err: &mut dyn Write) -> io::Result<()> {
        self.run.errors.extend_from_slice(errors);
        Ok(())
    }
    fn file(&mut self, report: FileReport, _out: &mut dyn Write, _err: &mut dyn Write) -> io::Result<()> {
        self.run.reports.push(report);
        Ok(())
    }
    fn finish(&mut self, _totals: &Totals, out: &mut dyn Write, err: &mut dyn Write) -> io::Result<()> {
        self.renderer.render(&self.run, out, err)
    }
}

/// Streams a finished run through a `StreamRenderer` (the whole-run form of a streaming format).
#[allow(dead_code)]
pub fn render_run(stream: &mut dyn StreamRenderer, run: &RunResult, out: &mut dyn Write, err: &mut dyn Write) -> io::Result<()> {
    stream.begin(&run.errors, out, err)?;
    for report in &run.reports {
        stream.file(report.clone(), out, err)?;
    }
    stream.finish(&run.totals(), out, err)
}

/// A unified diff of one file, as `git apply` accepts it.
pub fn unified_diff(path: &str, old: &str, new: &str) -> String {
    let diff = similar::TextDiff::from_lines(old, new);
    diff.unified_diff()
        .context_radius(3)
        .header(&format!("a/{path}"), &format!("b/{path}"))
        .to_string()
}

/// The path as shown in output (forward slashes).
pub fn display_path(path: &std::path::Path) -> String {
    path.to_string_lossy().replace('\\', "/")
}
