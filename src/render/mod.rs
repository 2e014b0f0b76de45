//! Rendering a run's results: one module per output format behind the
//! `Renderer` trait; diffs come from `similar` in one place.

mod github;
mod json;
mod markdown;
mod patch;
mod sarif;
mod text;

use crate::engine::{FileError, FileReport, Finding};
use std::io::{self, Write};

pub use github::GithubRenderer;
pub use json::JsonRenderer;
pub use markdown::MarkdownRenderer;
pub use patch::PatchRenderer;
pub use sarif::{SarifRenderer, SarifRule};
pub use text::{paint_diff, render_diagnostic, summary_line, TextRenderer};

/// Counts over the whole run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    pub files_scanned: usize,
    pub findings: usize,
    pub fixable: usize,
    pub applied: usize,
    pub errors: usize,
}

/// A finished run, ready to render.
pub struct RunResult {
    pub reports: Vec<FileReport>,
    /// Errors not tied to a processed file (walk errors, config).
    pub errors: Vec<FileError>,
    /// Whether fixes were written (`--write`).
    pub wrote: bool,
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
        Summary {
            files_scanned: self.reports.iter().filter(|r| r.scanned).count(),
            findings: self.findings().count(),
            fixable: self.findings().filter(|f| f.fix.is_some()).count(),
            applied: self
                .findings()
                .filter(|f| f.fix.as_ref().is_some_and(|x| x.applied))
                .count(),
            errors: self.all_errors().count(),
        }
    }

    /// Exit status (SPEC §1): 2 on errors, 1 on findings left, else 0.
    pub fn exit_code(&self) -> i32 {
        if self.all_errors().next().is_some() {
            return 2;
        }
        let left = if self.wrote {
            self.findings().any(|f| !f.fix.as_ref().is_some_and(|x| x.applied))
        } else {
            self.findings().next().is_some() || self.reports.iter().any(|r| r.fixed_text.is_some())
        };
        i32::from(left)
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
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[line_start..].encode_utf16().count() + 1)
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
