//! The per-file pipeline: load → pre-filter → parse → match → plan, run on
//! every file in parallel. Produces a `FileReport` per file (findings, the
//! fixed text, errors), handed on in path order as soon as it is ready;
//! rendering and writing happen elsewhere.

pub use crate::diagnostic::{FileError, FileReport, Finding};
use crate::diagnostic::{FileErrorKind, FixSafety, FixStatus};
use crate::go::decls;
use crate::go::goversion::VersionResolver;
use crate::go::lex;
use crate::go::load::{self, SourceFile};
use crate::go::prefilter::Prefilter;
use crate::go::syntax;
use crate::go::types::{PackageCache, PackageScope};
use crate::plan;
use crate::profile::{self, Counter, Stage};
use crate::rules::suppress;
use crate::rules::{self, Detection, PrefilterScope, Rule, RuleContext, TextEdit};
use crate::walk::{GoFile, WalkItem};
use selection::FixSelection;

mod fixpoint;
pub mod selection;

pub use crate::go::lines::{line_col, LineIndex};
use std::ops::Range;
use std::sync::Arc;

/// Fix passes before a file is declared non-converging (SPEC §3).
pub const MAX_PASSES: usize = 10;

/// The most tokens a file may have to be parsed: hand-written Go files stay
/// far below (a 10,000-line file has about 100,000); generated ones are
/// skipped before this.
pub const MAX_TOKENS: usize = 1_000_000;

/// The parts of a report that need the engine's planner.
impl FileReport {
    /// The edits of a finding's fix applied on its own, with the imports it
    /// needs, against the text `text_for` gives (interactive mode, quick
    /// fixes, SARIF `fixes`): as the engine planned them for the text as
    /// read; for a finding moved into the written text, placed in that text.
    pub fn standalone_edits(&self, f: &Finding) -> Vec<TextEdit> {
        match (&self.fixed_text, &f.fix) {
            (Some(fixed), Some(fix)) if self.written && !f.fix_status.is_applied() => {
                plan::standalone_edits(fixed, &fix.edits, &fix.imports)
            }
            _ => f.standalone_edits(),
        }
    }
}

/// Run-wide settings the engine needs.
#[derive(Debug, Clone, Default)]
pub struct EngineOptions {
    pub unsafe_fixes: bool,
    pub include_generated: bool,
    /// IDs of every loaded rule, enabled or not (suppression comments may name any of them).
    pub known_rules: Vec<String>,
    /// When set, only these fixes are included (interactive answers, baseline).
    pub selection: Option<Arc<FixSelection>>,
    /// Parse every file, as if no rule had prefilter tokens or a
    /// precondition (to check that the pre-filter changes no result).
    pub skip_prefilter: bool,
}

/// Runs the enabled rules over files.
pub struct Engine {
    pub rules: Vec<Rule>,
    pub options: EngineOptions,
    pub versions: VersionResolver,
    packages: PackageCache,
    prefilter: Prefilter,
}

impl Engine {
    pub fn new(rules: Vec<Rule>, options: EngineOptions, versions: VersionResolver) -> Self {
        let prefilter = Prefilter::new(rules.iter().map(|r| (r.prefilter.as_slice(), r.precondition)));
        Engine {
            rules,
            options,
            versions,
            packages: PackageCache::default(),
            prefilter,
        }
    }

    /// Makes `text` (an editor's buffer) stand in for the file at `path`
    /// when another file of its package is processed; `None` goes back to
    /// the file on disk.
    pub fn set_buffer(&self, path: &std::path::Path, text: Option<Arc<str>>) {
        self.packages.set_buffer(path, text);
    }

    /// Processes every file on `jobs` threads; reports come back in input order
    /// (all held at once: prefer `run_streaming`).
    pub fn run(&self, files: &[GoFile], jobs: usize) -> Vec<FileReport> {
        let mut reports = Vec::with_capacity(files.len());
        self.run_streaming(files, jobs, |r| reports.push(r));
        reports
    }

    /// Processes every file on `jobs` threads and hands each report to
    /// `sink` (on the calling thread) in input order, as soon as it and all
    /// before it are done. Only a bounded number of reports is held at once.
    pub fn run_streaming(&self, files: &[GoFile], jobs: usize, sink: impl FnMut(FileReport)) {
        self.packages.set_jobs(jobs);
        crate::ordered::for_each_ordered(files, jobs, |f| self.process(f), sink);
    }

    /// `run_streaming` over a walk still going on (see `walk::walk_sorted`):
    /// a walk error becomes the report of its path.
    pub fn run_walk(&self, items: impl Iterator<Item = WalkItem> + Send, jobs: usize, sink: impl FnMut(FileReport)) {
        let work = |item| match item {
            WalkItem::File(f) => self.process(&f),
            WalkItem::Error(e) => FileReport::failed(e.path, e.message),
        };
        self.packages.set_jobs(jobs);
        crate::ordered::for_each_ordered(items, jobs, work, sink);
    }

    /// The rules that may match `text`, by the pre-filter.
    fn candidates(&self, text: &str) -> Vec<&Rule> {
        if self.options.skip_prefilter {
            return self.rules.iter().collect();
        }
        let _timer = profile::timer(Stage::Filter);
        let hits = self.prefilter.candidates(text);
        self.rules
            .iter()
            .zip(hits)
            .filter(|(_, hit)| *hit)
            .map(|(r, _)| r)
            .collect()
    }

    /// Processes one file.
    pub fn process(&self, file: &GoFile) -> FileReport {
        let mut report = FileReport::new(file.path.clone());
        // Most files cannot match: they are only read, checked and filtered.
        let read = {
            let _timer = profile::timer(Stage::Read);
            load::read_go_file(&file.path, !self.options.include_generated)
        };
        let bytes = match read {
            Ok(Some(bytes)) => bytes,
            Ok(None) => {
                report.scanned = true;
                profile::count(Counter::FilesRead, 1);
                profile::count(Counter::Generated, 1);
                return report;
            }
            Err(e) => return FileReport::failed(e.path, e.message),
        };
        self.process_bytes(report, bytes)
    }

    /// Processes the text of `path` as an editor holds it (the language
    /// server's open buffers), not as it is on disk; everything else — the
    /// Go version from `go.mod`, the generated-file check, suppression
    /// comments, the fix passes — is as for a file read from disk.
    pub fn process_text(&self, path: &std::path::Path, text: &str) -> FileReport {
        if text.len() as u64 > load::MAX_FILE_BYTES {
            let message = format!(
                "buffer is {} bytes, over the {} byte limit; skipped",
                text.len(),
                load::MAX_FILE_BYTES
            );
            return FileReport::failed(path.to_path_buf(), message);
        }
        self.process_bytes(FileReport::new(path.to_path_buf()), text.as_bytes().to_vec())
    }

    /// The pipeline after reading: decode, pre-filter, parse, match, fix.
    fn process_bytes(&self, mut report: FileReport, bytes: Vec<u8>) -> FileReport {
        let path = report.path.clone();
        let text = match load::decode(&bytes) {
            Ok(text) => text,
            Err(message) => return FileReport::failed(path.clone(), message),
        };
        report.scanned = true;
        profile::count(Counter::FilesRead, 1);
        profile::count(Counter::BytesRead, bytes.len() as u64);
        if !self.options.include_generated && load::is_generated(text) {
            profile::count(Counter::Generated, 1);
            return report;
        }
        let candidates = self.candidates(text);
        if candidates.is_empty() {
            // Not parsed (the pre-filter is for speed), but a file that is
            // no Go file at all is said to be so (a lexer-level check).
            if !lex::starts_with_package_clause(text) {
                report.errors.push(FileError {
                    path: path.clone(),
                    message: "syntax error at 1:1: expected 'package'; file not analysed".into(),
                    kind: FileErrorKind::Syntax,
                    span: None,
                });
            }
            return report;
        }
        let source = match SourceFile::from_bytes(&path, bytes, &self.versions) {
            Ok(source) => source,
            Err(message) => {
                report.errors.push(FileError {
                    path: path.clone(),
                    message,
                    kind: FileErrorKind::Other,
                    span: None,
                });
                return report;
            }
        };
        // Rules about older Go versions only (before_go) are dropped by the file's version.
        let candidates: Vec<&Rule> = candidates.into_iter().filter(|r| applies_to(r, &source)).collect();
        // Rules that need a package of some shape ask its declarations (the
        // directory's skim index, built once per directory without parsing).
        let package = crate::go::types::package_index::PackageProbe::new(&self.packages, &source.path);
        let candidates: Vec<&Rule> = candidates
            .into_iter()
            .filter(|r| match r.package_precondition {
                Some(pre) if !self.options.skip_prefilter => {
                    let _timer = profile::timer(Stage::Filter);
                    pre(&source.text, &package)
                }
                _ => true,
            })
            .collect();
        if candidates.is_empty() {
            return report;
        }
        profile::count(Counter::Candidates, 1);
        for rule in &candidates {
            profile::count_candidate(&rule.id, source.text.len() as u64);
        }
        // Memory grows with the syntax tree (about 1 KB per token through
        // the fix passes): a file that would need more is skipped, named.
        if lex::tokens(&source.text).take(MAX_TOKENS + 1).count() > MAX_TOKENS {
            report.errors.push(FileError {
                path: path.clone(),
                message: format!(
                    "the file has over {MAX_TOKENS} tokens, more than mapfix analyses in bounded memory; skipped"
                ),
                kind: FileErrorKind::Other,
                span: None,
            });
            return report;
        }
        // Most candidates hold nothing: parsed first only in the
        // declarations a rule can match (every other function as its
        // header), and done when those hold no finding; parsed whole when
        // they do, or when the partial tree has an error (whose report and
        // findings are then the whole file's).
        if let Some(ranges) = self.declarations_to_parse(&source.text, &candidates, &package) {
            if ranges.is_empty() {
                return report;
            }
            let tree = parse_ranges_counted(&source.text, &ranges);
            let root = tree.root();
            let clean = !syntax::too_deep(&root)
                && syntax::first_error(&root).is_none()
                && syntax::misplaced_top_level(&root).is_none();
            if clean && {
                let _timer = profile::timer(Stage::Match);
                self.detect(&source, &source.text, &tree, &candidates, true).is_empty()
            } {
                return report;
            }
        }
        let tree = parse_counted(&source.text);
        if syntax::too_deep(&tree.root()) {
            report.errors.push(FileError {
                path: path.clone(),
                message: format!(
                    "the file nests more than {} levels deep; file not analysed",
                    syntax::MAX_TREE_DEPTH
                ),
                kind: FileErrorKind::Other,
                span: None,
            });
            return report;
        }
        if let Some(err) = syntax::first_error(&tree.root()) {
            let at = syntax::error_offset(&source.text, &err);
            let (line, col) = line_col(&source.text, at);
            report.errors.push(FileError {
                path: path.clone(),
                message: format!("syntax error at {line}:{col}; file not analysed"),
                kind: FileErrorKind::Syntax,
                // The character the error is reported at (none at the end of the file).
                span: Some(at..at + source.text[at..].chars().next().map_or(0, char::len_utf8)),
            });
            report.source = Some(Arc::new(source));
            return report;
        }
        if let Some((at, expected)) = syntax::misplaced_top_level(&tree.root()) {
            let (line, col) = line_col(&source.text, at);
            report.errors.push(FileError {
                path: path.clone(),
                message: format!("syntax error at {line}:{col}: {expected}; file not analysed"),
                kind: FileErrorKind::Syntax,
                span: Some(at..at + source.text[at..].chars().next().map_or(0, char::len_utf8)),
            });
            report.source = Some(Arc::new(source));
            return report;
        }
        let detections = {
            let _timer = profile::timer(Stage::Match);
            self.detect(&source, &source.text, &tree, &candidates, false)
        };
        let suppressions = suppress::scan(&source.text);
        let lines = LineIndex::new(&source.text);
        for (rule, det) in detections {
            let (line, _) = lines.line_col(det.range.start);
            if suppress::is_suppressed(&suppressions, &rule.id, line - 1) {
                continue;
            }
            report.findings.push(self.finding(&source, &tree, &lines, rule, det));
        }
        report.findings.sort_by_key(|f| (f.range.start, f.rule.clone()));
        if report.findings.iter().any(|f| f.fix_status.is_included()) {
            let _timer = profile::timer(Stage::Fix);
            let fixed = self.fix_to_fixpoint(&source, &tree, &report.findings);
            for &i in &fixed.left_out {
                report.findings[i].fix_status = FixStatus::LeftOut;
            }
            report
                .errors
                .extend(fixed.problems.into_iter().map(|message| FileError {
                    path: path.clone(),
                    message,
                    kind: FileErrorKind::Other,
                    span: None,
                }));
            report.fixed_text = (fixed.text != source.text).then_some(fixed.text);
        }
        if !report.findings.is_empty() || report.fixed_text.is_some() {
            report.source = Some(Arc::new(source));
        }
        report
    }

    fn detect<'a>(
        &'a self,
        source: &SourceFile,
        text: &str,
        tree: &syntax::GoTree,
        rules: &[&'a Rule],
        partial: bool,
    ) -> Vec<(&'a Rule, Detection)> {
        let root = tree.root();
        let mut scope = PackageScope::new(&root, &source.path, &self.packages);
        if partial {
            scope = scope.of_partial_tree(text);
        }
        let ctx = RuleContext::new(source, text, &scope, &self.options.known_rules);
        let rules: Vec<&Rule> = rules
            .iter()
            .copied()
            .filter(|rule| !(rule.min_go.is_some_and(|v| source.go_version < v) && rule.module.is_none()))
            .collect();
        let matches = rules::find_matches(&rules, &root);
        let mut out = Vec::new();
        for (rule, matches) in rules.into_iter().zip(matches) {
            for det in rule.check_matches(&ctx, &matches) {
                out.push((rule, det));
            }
        }
        out
    }

    /// The byte ranges of `text` to parse first: the declarations in which
    /// some rule's tokens and preconditions hold (`go/decls.rs`); empty when
    /// there is none, `None` when the file is parsed whole (with
    /// `--no-prefilter`, or for a rule whose tokens hold only file-wide).
    fn declarations_to_parse(
        &self,
        text: &str,
        rules: &[&Rule],
        package: &crate::go::types::package_index::PackageProbe,
    ) -> Option<Vec<Range<usize>>> {
        if self.options.skip_prefilter || rules.iter().any(|r| r.prefilter_scope == PrefilterScope::File) {
            return None;
        }
        let _timer = profile::timer(Stage::Filter);
        let decls = decls::split(text);
        // The rules left, by their index in the pre-filter.
        let indexes: Vec<usize> = rules
            .iter()
            .filter_map(|r| self.rules.iter().position(|x| std::ptr::eq(x, *r)))
            .collect();
        let may_match = |d: &decls::Decl| {
            let piece = &text[d.range.clone()];
            let hits = self.prefilter.token_hits(piece);
            indexes.iter().any(|&i| {
                let r = &self.rules[i];
                // A rule whose finding may sit in a function the declaration
                // names: its preconditions hold in the two together, so
                // only its tokens are asked of the declaration.
                hits[i]
                    && (r.prefilter_scope == PrefilterScope::Callees
                        || r.precondition.is_none_or(|pre| pre(piece))
                            && r.package_precondition.is_none_or(|pre| pre(piece, package)))
            })
        };
        let mut keep: Vec<bool> = decls.iter().map(may_match).collect();
        if !keep.iter().any(|k| *k) {
            return Some(Vec::new());
        }
        if rules.iter().any(|r| r.prefilter_scope == PrefilterScope::Callees) {
            let named: std::collections::HashSet<&str> = decls
                .iter()
                .zip(&keep)
                .filter(|(_, k)| **k)
                .flat_map(|(d, _)| {
                    let piece = &text[d.range.clone()];
                    lex::tokens(piece).filter_map(move |(t, _)| match t {
                        lex::Tok::Word(s, e) => Some(&piece[s..e]),
                        _ => None,
                    })
                })
                .collect();
            for (d, k) in decls.iter().zip(keep.iter_mut()) {
                *k |= decls::func_name(text, d).is_some_and(|n| named.contains(n));
            }
        }
        decls::ranges_to_parse(text, &decls, |i, _| keep[i])
    }

    fn fix_allowed(&self, source: &SourceFile, safety: FixSafety) -> bool {
        !source.generated && (safety == FixSafety::Safe || self.options.unsafe_fixes)
    }

    /// Whether a selection (if any) lets the fix of this finding in.
    fn selected(&self, source: &SourceFile, rule: &str, range: &Range<usize>) -> bool {
        self.options
            .selection
            .as_ref()
            .is_none_or(|s| s.accepts(&source.path, rule, range))
    }

    fn finding(
        &self,
        source: &SourceFile,
        tree: &syntax::GoTree,
        lines: &LineIndex,
        rule: &Rule,
        det: Detection,
    ) -> Finding {
        let text = &source.text;
        let (line, column) = lines.line_col(det.range.start);
        let (end_line, end_column) = lines.line_col(det.range.end);
        let mut note = det.note;
        let mut fix = det.fix;
        if source.generated && fix.is_some() {
            fix = None;
            note = Some("generated file: reported, never fixed".into());
        }
        // The run's one decision about the fix; the planner may still leave it out.
        let fix_status = match &fix {
            Some(fix) if self.fix_allowed(source, fix.safety) && self.selected(source, &rule.id, &det.range) => {
                FixStatus::Included
            }
            _ => FixStatus::LeftOut,
        };
        let fix_import_edits = fix
            .as_ref()
            .map(|fix| plan::standalone_import_edits(text, &tree.root(), &fix.edits, &fix.imports))
            .unwrap_or_default();
        Finding {
            rule: rule.id.clone(),
            severity: rule.severity,
            path: source.path.clone(),
            line,
            column,
            end_line,
            end_column,
            message: det.message.unwrap_or_else(|| rule.message.clone()),
            note,
            related: det.related,
            fix,
            fix_status,
            fix_import_edits,
            snippet: text[det.range.clone()].to_string(),
            range: det.range,
        }
    }
}

/// Whether a rule concerns the file's Go version (`metadata.before_go`).
fn applies_to(rule: &Rule, source: &SourceFile) -> bool {
    rule.before_go.is_none_or(|v| source.go_version < v)
}

/// The first parse of a file, measured.
fn parse_ranges_counted(text: &str, ranges: &[Range<usize>]) -> syntax::GoTree {
    let _timer = profile::timer(Stage::Parse);
    profile::count(Counter::FilesParsedInPart, 1);
    profile::count(Counter::BytesParsed, ranges.iter().map(|r| r.len() as u64).sum());
    syntax::parse_ranges(text, ranges)
}

fn parse_counted(text: &str) -> syntax::GoTree {
    let _timer = profile::timer(Stage::Parse);
    profile::count(Counter::FilesParsed, 1);
    profile::count(Counter::BytesParsed, text.len() as u64);
    syntax::parse(text)
}

#[cfg(test)]
mod tests;
