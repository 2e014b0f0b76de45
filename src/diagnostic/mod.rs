//! The diagnostics model, the bottom layer every other step shares: what a
//! run reports about a file (`Finding` with its `RelatedLocation`s,
//! `FileReport`, `FileError` with its `FileErrorKind`), the edits and fixes
//! a rule proposes (`TextEdit`, `Fix` with its unsafe reason, `FixSafety`),
//! what a run does with a fix (`FixStatus`) and how that reads (`FixState`,
//! worded once), and how offsets become lines and columns. It holds data
//! only: no parse (it uses `go::load`'s `SourceFile` and `go::lines`), no
//! rule, no rendering.

mod edit;
pub mod fix;
mod related;

pub use crate::go::lines::LineIndex;
use crate::go::load::SourceFile;
pub use edit::TextEdit;
pub use fix::{Fix, FixSafety, FixState, FixStatus};
pub use related::RelatedLocation;
use serde::Serialize;
use std::ops::Range;
use std::path::PathBuf;
use std::sync::Arc;

/// A rule's severity, as its YAML `severity:` says (ast-grep's levels).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Off,
    Hint,
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Off => "off",
            Severity::Hint => "hint",
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

impl std::fmt::Display for Severity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.as_str())
    }
}

impl Serialize for Severity {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// One reported site.
#[derive(Debug, Clone)]
pub struct Finding {
    pub rule: String,
    pub severity: Severity,
    pub path: PathBuf,
    pub range: Range<usize>,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
    pub message: String,
    pub note: Option<String>,
    /// Other sites the finding names (evidence, the other end of a pair),
    /// in this file or another file of the package.
    pub related: Vec<RelatedLocation>,
    /// The checker's fix, as it made it.
    pub fix: Option<Fix>,
    /// What this run does with `fix`: decided by the engine, changed
    /// afterwards only by `FileReport::mark_written` and `mark_restored`.
    pub fix_status: FixStatus,
    /// The edits adding the imports `fix` needs when it is applied on its
    /// own to the file as read (planned with the engine's parse of it).
    pub fix_import_edits: Vec<TextEdit>,
    /// The matched source text (for baselines).
    pub snippet: String,
}

impl Finding {
    /// What this run does with the fix (`LeftOut` when there is none).
    pub fn fix_status(&self) -> FixStatus {
        self.fix_status
    }

    /// The fix as its reader sees it (safety and status together).
    pub fn fix_state(&self) -> FixState<'_> {
        FixState::of(self.fix.as_ref(), self.fix_status)
    }

    /// The help a finding is shown with: for an unsafe fix, the fix's state
    /// (what it does, why it is unsafe, whether `--unsafe` is needed) unless
    /// the checker's note explains more; otherwise the note (why there is no
    /// fix), if any.
    pub fn help(&self) -> Option<String> {
        match (self.fix_state(), &self.note) {
            (state @ FixState::NeedsUnsafe(_), _) => state.phrase(),
            (FixState::Shown(fix) | FixState::Applied(fix), None) if fix.safety == FixSafety::Unsafe => {
                FixState::Shown(fix).phrase()
            }
            (_, Some(note)) => Some(note.clone()),
            _ => None,
        }
    }

    /// The fix's edits applied on its own to the file as read, with the
    /// imports it needs (`plan::standalone_edits`), sorted by position.
    pub fn standalone_edits(&self) -> Vec<TextEdit> {
        let Some(fix) = &self.fix else { return Vec::new() };
        let mut all = fix.edits.clone();
        all.extend(self.fix_import_edits.iter().cloned());
        all.sort_by_key(|e| (e.range.start, e.range.end));
        all
    }
}

/// What kind of error a file error is, for those that treat kinds apart
/// (the language server leaves syntax errors to the Go tools).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileErrorKind {
    /// The file is not Go that parses: it was not analysed.
    Syntax,
    /// Anything else: unreadable, too large, a fix left out, a write failed.
    Other,
}

/// An error tied to a file.
#[derive(Debug, Clone, thiserror::Error, miette::Diagnostic)]
#[error("{}: {message}", path.display())]
pub struct FileError {
    pub path: PathBuf,
    pub message: String,
    pub kind: FileErrorKind,
    /// Byte span the error points at, when known.
    pub span: Option<Range<usize>>,
}

/// Everything the run learned about one file.
#[derive(Debug, Clone)]
pub struct FileReport {
    pub path: PathBuf,
    /// Kept when there is something to show (findings or a fix).
    pub source: Option<Arc<SourceFile>>,
    pub findings: Vec<Finding>,
    /// The text after the fixes this run includes, when it differs.
    pub fixed_text: Option<String>,
    pub errors: Vec<FileError>,
    /// Whether the file was read at all (counted as scanned).
    pub scanned: bool,
    /// Whether `fixed_text` was written: the findings whose fix was not
    /// written then point into it (`mark_written`).
    pub written: bool,
}

impl FileReport {
    /// The report of `path` before anything is known of it.
    pub fn new(path: PathBuf) -> Self {
        FileReport {
            path,
            source: None,
            findings: Vec::new(),
            fixed_text: None,
            errors: Vec::new(),
            scanned: false,
            written: false,
        }
    }

    /// A file that could not be read or walked (not counted as scanned).
    pub fn failed(path: PathBuf, message: String) -> Self {
        let mut report = FileReport::new(path.clone());
        report.errors.push(FileError {
            path,
            message,
            kind: FileErrorKind::Other,
            span: None,
        });
        report
    }

    /// Records that the fixes this report includes reached their
    /// destination (written, or committed): they count as applied, and when
    /// `fixed_text` was written the findings left (those whose fix was not
    /// written) move to their place in it, so what is reported afterwards
    /// points at the file as it now is.
    pub fn mark_written(&mut self) {
        for f in &mut self.findings {
            if f.fix_status == FixStatus::Included {
                f.fix_status = FixStatus::Applied;
            }
        }
        if let (Some(source), Some(fixed)) = (self.source.clone(), self.fixed_text.clone()) {
            self.move_findings(&source.text, &fixed);
            self.written = true;
        }
    }

    /// The written file was restored to the text as read (`--verify`): the
    /// findings move back, nothing counts as written, and its fixes are
    /// included but not applied.
    pub fn mark_restored(&mut self) {
        if let (true, Some(source), Some(fixed)) = (self.written, self.source.clone(), self.fixed_text.clone()) {
            self.move_findings(&fixed, &source.text);
        }
        self.written = false;
        self.fixed_text = None;
        for f in &mut self.findings {
            if f.fix_status == FixStatus::Applied {
                f.fix_status = FixStatus::Included;
            }
        }
    }

    /// Moves the findings whose fix was not written from `from` to `to`.
    fn move_findings(&mut self, from: &str, to: &str) {
        let map = OffsetMap::new(from, to);
        let lines = LineIndex::new(to);
        for f in &mut self.findings {
            if f.fix_status.is_applied() {
                continue;
            }
            // A construct a fix moved (a comment carried out of a replaced
            // loop) is found again by its text in the region that replaced it.
            let moved = map
                .changed_region(f.range.start)
                .filter(|_| !f.snippet.is_empty())
                .and_then(|region| to[region.clone()].find(&f.snippet).map(|i| region.start + i));
            let (start, end) = match moved {
                Some(start) => (start, start + f.snippet.len()),
                None => {
                    let start = map.map(f.range.start);
                    (start, map.map(f.range.end).max(start))
                }
            };
            f.range = start..end;
            (f.line, f.column) = lines.line_col(start);
            (f.end_line, f.end_column) = lines.line_col(end);
            for r in f.related.iter_mut().filter(|r| r.path == self.path) {
                let start = map.map(r.range.start);
                let range = start..map.map(r.range.end).max(start);
                r.place(to, &lines, range);
            }
        }
    }

    /// The text a finding's positions refer to: the written text for a
    /// finding left after a write, else the text as read.
    pub fn text_for(&self, f: &Finding) -> Option<&str> {
        match &self.fixed_text {
            Some(fixed) if self.written && !f.fix_status.is_applied() => Some(fixed),
            _ => self.source.as_ref().map(|s| s.text.as_str()),
        }
    }

    /// Nothing to show, write or report: no finding, fix or error.
    pub fn is_clean(&self) -> bool {
        self.findings.is_empty() && self.errors.is_empty() && self.fixed_text.is_none()
    }
}

/// Byte offsets of one text mapped into an edited version of it, through
/// a line diff: an offset on an unchanged line keeps its column; one in a
/// changed region goes to the start of what replaced it.
struct OffsetMap {
    old_starts: Vec<usize>,
    new_starts: Vec<usize>,
    /// (old line range, new line range) of each diff operation, in order.
    ops: Vec<(Range<usize>, Range<usize>, bool)>,
    new_len: usize,
}

impl OffsetMap {
    fn new(old: &str, new: &str) -> Self {
        let starts = |t: &str| LineIndex::new(t).starts;
        let diff = similar::TextDiff::configure()
            .algorithm(similar::Algorithm::Patience)
            .diff_lines(old, new);
        let ops = diff
            .ops()
            .iter()
            .map(|op| (op.old_range(), op.new_range(), op.tag() == similar::DiffTag::Equal))
            .collect();
        OffsetMap {
            old_starts: starts(old),
            new_starts: starts(new),
            ops,
            new_len: new.len(),
        }
    }

    fn map(&self, offset: usize) -> usize {
        self.map_unclamped(offset).min(self.new_len)
    }

    /// The byte range of the new text that replaced the changed lines
    /// holding `offset`; `None` when its line is unchanged.
    fn changed_region(&self, offset: usize) -> Option<Range<usize>> {
        let line = self.old_starts.partition_point(|&s| s <= offset) - 1;
        let (_, new, _) = self.ops.iter().find(|(old, _, equal)| !equal && old.contains(&line))?;
        let at = |l: usize| {
            self.new_starts
                .get(l)
                .copied()
                .unwrap_or(self.new_len)
                .min(self.new_len)
        };
        Some(at(new.start)..at(new.end))
    }

    fn map_unclamped(&self, offset: usize) -> usize {
        let line = self.old_starts.partition_point(|&s| s <= offset) - 1;
        let column = offset - self.old_starts[line];
        let new_start = |l: usize| {
            self.new_starts
                .get(l)
                .copied()
                .unwrap_or(*self.new_starts.last().unwrap())
        };
        for (old, new, equal) in &self.ops {
            if old.contains(&line) {
                return if *equal {
                    new_start(new.start + line - old.start) + column
                } else {
                    new_start(new.start)
                };
            }
        }
        // Past the last line (the end of the text).
        new_start(self.new_starts.len() - 1) + column
    }
}
