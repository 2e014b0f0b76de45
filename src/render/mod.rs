//! Rendering a run's results: one module per output format behind the
//! `Renderer` trait; diffs come from `similar` in one place.

mod github;
mod json;
mod markdown;
mod patch;
mod sarif;
mod text;

use crate::engine::{FileError, FileReport, Finding};
use crate::rules::FixSafety;
use std::io::{self, Write};

pub use github::GithubRenderer;
pub use json::{JsonDocument, JsonRenderer, JsonSummary};
pub use markdown::MarkdownRenderer;
pub use patch::PatchRenderer;
pub use sarif::{SarifRenderer, SarifRepository, SarifRule};
pub use text::{paint_diff, styled, summary_line, TextRenderer};

/// Counts over the whole run, gathered one report at a time (so a
/// streamed run needs no more than this).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    pub files_scanned: usize,
    pub findings: usize,
    pub fixable: usize,
    pub applied: usize,
    pub errors: usize,
    /// Fixes the run includes (shown as diffs, or written).
    pub included: usize,
    /// Unsafe fixes left out (no `--unsafe`, declined, or not planned).
    pub unsafe_left: usize,
    /// Findings whose fix was not applied (or that have none).
    pub unapplied: usize,
    /// Files with a diff.
    pub changed_files: usize,
}

impl Summary {
    /// Counts one file's report in.
    pub fn add(&mut self, report: &FileReport) {
        self.files_scanned += usize::from(report.scanned);
        self.errors += report.errors.len();
        self.changed_files += usize::from(report.fixed_text.is_some());
        for f in &report.findings {
            self.findings += 1;
            let (fix, status) = (f.fix.as_ref(), f.fix_status());
            self.fixable += usize::from(fix.is_some());
            self.applied += usize::from(status.is_applied());
            self.included += usize::from(status.is_included());
            self.unsafe_left +=
                usize::from(!status.is_included() && fix.is_some_and(|x| x.safety == FixSafety::Unsafe));
            self.unapplied += usize::from(!status.is_applied());
        }
    }

    /// Exit status (SPEC §1): 2 on errors, 1 on findings left, else 0.
    pub fn exit_code(&self, wrote: bool) -> i32 {
        if self.errors > 0 {
            return 2;
        }
        let left = if wrote {
            self.unapplied > 0
        } else {
            self.findings > 0 || self.changed_files > 0
        };
        i32::from(left)
    }
}

/// A finished run, ready to render.
pub struct RunResult {
    pub reports: Vec<FileReport>,
    /// Errors not tied to a processed file (walk errors, config).
    pub errors: Vec<FileError>,
    /// Whether fixes were written (`--write`).
    pub wrote: bool,
    /// Files scanned with nothing to show, whose reports were not kept
    /// (a run holds only the reports it will print).
    pub clean_files: usize,
}

impl RunResult {
    pub fn findings(&self) -> impl Iterator<Item = &Finding> {
        self.reports.iter().flat_map(|r| r.findings.iter())
    }

    pub fn all_errors(&self) -> impl Iterator<Item = &FileError> {
        self.errors
            .iter()
            .chain(self.reports.iter().flat_map(|r| r.errors.iter()))
    }

    pub fn summary(&self) -> Summary {
        let mut s = Summary {
            files_scanned: self.clean_files,
            errors: self.errors.len(),
            ..Summary::default()
        };
        self.reports.iter().for_each(|r| s.add(r));
        s
    }

    /// Exit status (SPEC §1): 2 on errors, 1 on findings left, else 0.
    pub fn exit_code(&self) -> i32 {
        self.summary().exit_code(self.wrote)
    }
}

/// An output format.
pub trait Renderer {
    /// Writes the results to `out` (stdout); errors go to `err` (stderr) when
    /// the format does not carry them itself.
    fn render(&self, run: &RunResult, out: &mut dyn Write, err: &mut dyn Write) -> io::Result<()>;
}

/// A line diff. Patience keeps files with thousands of fixes fast (Myers
/// is quadratic in the number of changed lines) and gives the same hunks
/// for the small, separated edits fixes make.
pub fn line_diff<'a>(old: &'a str, new: &'a str) -> similar::TextDiff<'a, 'a, 'a, str> {
    similar::TextDiff::configure()
        .algorithm(similar::Algorithm::Patience)
        .diff_lines(old, new)
}

/// A unified diff of one file, as `git apply` accepts it.
pub fn unified_diff(path: &str, old: &str, new: &str) -> String {
    let _timer = crate::profile::timer(crate::profile::Stage::Diff);
    let diff = line_diff(old, new);
    diff.unified_diff()
        .context_radius(3)
        .header(&format!("a/{path}"), &format!("b/{path}"))
        .to_string()
}

/// 1-based line and UTF-16 column of a byte offset: the positions SARIF
/// (by default) and GitHub annotations count in.
pub fn utf16_position(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let (line, column) = crate::go::lines::line_col(text, offset);
    (line, text[offset + 1 - column..offset].encode_utf16().count() + 1)
}

/// The path as shown in output (forward slashes).
pub fn display_path(path: &std::path::Path) -> String {
    path.to_string_lossy().replace('\\', "/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_count_utf16_units() {
        let text = "a\n\"é😀\" x";
        // Before x on its line: quote, é, 😀 (two units), quote, space.
        assert_eq!(utf16_position(text, text.find('x').unwrap()), (2, 7));
        assert_eq!(utf16_position(text, 0), (1, 1));
    }
}
