//! `--format markdown`: a pull-request body. A summary table (rule,
//! findings, fixed, unsafe-skipped), then per rule its rationale (the first
//! two sentences of the rule's `docs.why`), the changed files with their
//! diffs folded in `<details>` blocks, the sites left unfixed, and a pointer
//! to `mapfix explain RULE`. It reads as plain text too.

use super::{display_path, RunResult};
use crate::engine::{line_col, FileReport, Finding};
use crate::rules::{FixSafety, RuleDocs};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::io::{self, Write};

/// Diff text beyond this is left out, keeping the body under GitHub's
/// 65,536-character limit for pull-request descriptions.
const DIFF_BUDGET: usize = 48_000;

pub struct MarkdownRenderer {
    /// Documentation of the rules, by ID.
    docs: BTreeMap<String, RuleDocs>,
}

impl Default for MarkdownRenderer {
    fn default() -> Self {
        Self::new()
    }
}

/// Per-rule counts of the summary table.
#[derive(Default)]
struct RuleCounts {
    findings: usize,
    fixed: usize,
    unsafe_skipped: usize,
}

impl MarkdownRenderer {
    /// A renderer that knows the built-in rules' documentation.
    pub fn new() -> Self {
        let docs = crate::rules::builtin_rules()
            .into_iter()
            .map(|r| (r.id, r.docs))
            .collect();
        MarkdownRenderer { docs }
    }

    /// The pull-request body for a run.
    pub fn body(&self, run: &RunResult) -> String {
        let mut out = String::new();
        let counts = rule_counts(run);
        out.push_str(&intro(run, &counts));
        if !counts.is_empty() {
            out.push_str("\n| rule | findings | fixed | unsafe-skipped |\n|---|---:|---:|---:|\n");
            for (rule, c) in &counts {
                let _ = writeln!(
                    out,
                    "| `{rule}` | {} | {} | {} |",
                    c.findings, c.fixed, c.unsafe_skipped
                );
            }
            if counts.len() > 1 {
                let total = |f: fn(&RuleCounts) -> usize| counts.values().map(f).sum::<usize>();
                let _ = writeln!(
                    out,
                    "| **total** | {} | {} | {} |",
                    total(|c| c.findings),
                    total(|c| c.fixed),
                    total(|c| c.unsafe_skipped)
                );
            }
        }
        let diffs = rule_diffs(run);
        let mut budget = DIFF_BUDGET;
        for rule in counts.keys() {
            out.push('\n');
            self.rule_section(run, rule, diffs.get(rule.as_str()), &mut budget, &mut out);
        }
        errors_section(run, &mut out);
        out
    }

    fn rule_section(
        &self,
        run: &RunResult,
        rule: &str,
        diffs: Option<&BTreeMap<String, String>>,
        budget: &mut usize,
        out: &mut String,
    ) {
        let docs = self.docs.get(rule);
        match docs.map(|d| d.summary.trim()).filter(|s| !s.is_empty()) {
            Some(summary) => {
                let _ = writeln!(out, "### `{rule}`: {summary}\n");
            }
            None => {
                let _ = writeln!(out, "### `{rule}`\n");
            }
        }
        if let Some(why) = docs.map(|d| first_sentences(&d.why, 2)).filter(|s| !s.is_empty()) {
            let _ = writeln!(out, "{why}\n");
        }
        let fixed: Vec<&Finding> = run.findings().filter(|f| f.rule == rule && is_fixed(run, f)).collect();
        if !fixed.is_empty() {
            out.push_str(if run.wrote {
                "Changed files:\n\n"
            } else {
                "Files to change:\n\n"
            });
            let mut by_file: BTreeMap<String, Vec<&Finding>> = BTreeMap::new();
            for f in &fixed {
                by_file.entry(display_path(&f.path)).or_default().push(f);
            }
            for (path, sites) in &by_file {
                let lines: Vec<String> = sites
                    .iter()
                    .map(|f| match &f.fix {
                        Some(fix) => format!("line {} ({})", f.line, fix.description),
                        None => format!("line {}", f.line),
                    })
                    .collect();
                let _ = writeln!(out, "- `{path}`: {}", lines.join(", "));
            }
            out.push('\n');
            for (path, diff) in diffs.into_iter().flatten() {
                diff_block(path, diff, budget, out);
            }
        }
        let unfixed: Vec<&Finding> = run.findings().filter(|f| f.rule == rule && !is_fixed(run, f)).collect();
        if !unfixed.is_empty() {
            out.push_str("Not fixed:\n\n");
            for f in unfixed {
                let _ = writeln!(
                    out,
                    "- `{}:{}`: {}{}",
                    display_path(&f.path),
                    f.line,
                    f.message,
                    why_unfixed(f)
                );
            }
            out.push('\n');
        }
        let _ = writeln!(out, "Before/after example and fix safety: `mapfix explain {rule}`.");
    }
}

impl super::Renderer for MarkdownRenderer {
    fn render(&self, run: &RunResult, out: &mut dyn Write, err: &mut dyn Write) -> io::Result<()> {
        for e in run.all_errors() {
            writeln!(err, "mapfix: error: {}: {}", display_path(&e.path), e.message)?;
        }
        out.write_all(self.body(run).as_bytes())
    }
}

/// Whether this run fixes (dry run: shows the fix for) a finding.
fn is_fixed(run: &RunResult, f: &Finding) -> bool {
    f.fix
        .as_ref()
        .is_some_and(|x| if run.wrote { x.applied } else { x.included })
}

fn rule_counts(run: &RunResult) -> BTreeMap<String, RuleCounts> {
    let mut counts: BTreeMap<String, RuleCounts> = BTreeMap::new();
    for f in run.findings() {
        let c = counts.entry(f.rule.clone()).or_default();
        c.findings += 1;
        if is_fixed(run, f) {
            c.fixed += 1;
        }
        if f.fix
            .as_ref()
            .is_some_and(|x| !x.included && x.safety == FixSafety::Unsafe)
        {
            c.unsafe_skipped += 1;
        }
    }
    counts
}

fn intro(run: &RunResult, counts: &BTreeMap<String, RuleCounts>) -> String {
    let s = run.summary();
    let fixed: usize = counts.values().map(|c| c.fixed).sum();
    let changed = run.reports.iter().filter(|r| r.fixed_text.is_some()).count();
    let files = |n: usize| {
        if n == 1 {
            "1 file".to_string()
        } else {
            format!("{n} files")
        }
    };
    let findings = |n: usize| {
        if n == 1 {
            "1 finding".to_string()
        } else {
            format!("{n} findings")
        }
    };
    if s.findings == 0 {
        return format!(
            "mapfix found no Go map anti-patterns in {} scanned.\n",
            files(s.files_scanned)
        );
    }
    let what = if run.wrote {
        format!(
            "mapfix fixed {fixed} of {} in {} ({} scanned).",
            findings(s.findings),
            files(changed),
            s.files_scanned
        )
    } else {
        format!(
            "mapfix found {} in {} scanned; {fixed} {} a fix shown below (dry run: nothing was written).",
            findings(s.findings),
            files(s.files_scanned),
            if fixed == 1 { "has" } else { "have" }
        )
    };
    format!("{what} Each rule below says why the change is made; `mapfix explain RULE` has the details.\n")
}

fn why_unfixed(f: &Finding) -> String {
    match (&f.fix, &f.note) {
        (Some(fix), _) if fix.safety == FixSafety::Unsafe && !fix.included => {
            format!(" — unsafe fix available with `--unsafe`: {}", fix.description)
        }
        (_, Some(note)) => format!(" — {note}"),
        _ => String::new(),
    }
}

fn errors_section(run: &RunResult, out: &mut String) {
    let errors: Vec<_> = run.all_errors().collect();
    if errors.is_empty() {
        return;
    }
    out.push_str("\n### Not processed\n\n");
    for e in errors {
        let _ = writeln!(out, "- `{}`: {}", display_path(&e.path), e.message);
    }
}

/// One file's diff folded in a `<details>` block, or a note once the diff
/// budget is spent.
fn diff_block(path: &str, diff: &str, budget: &mut usize, out: &mut String) {
    let (added, removed) = diff.lines().fold((0, 0), |(a, r), l| match l.as_bytes().first() {
        Some(b'+') if !l.starts_with("+++") => (a + 1, r),
        Some(b'-') if !l.starts_with("---") => (a, r + 1),
        _ => (a, r),
    });
    if diff.len() > *budget {
        let _ = writeln!(
            out,
            "_Diff of `{path}` (+{added} −{removed}) left out to keep this description within size limits._\n"
        );
        return;
    }
    *budget -= diff.len();
    let fence = fence_for(diff);
    let _ = writeln!(
        out,
        "<details>\n<summary><code>{}</code> (+{added} −{removed})</summary>\n\n{fence}diff\n{diff}{fence}\n\n</details>\n",
        html_escape(path)
    );
}

/// A backtick fence longer than any backtick run in `text`.
fn fence_for(text: &str) -> String {
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    "`".repeat(longest.max(2) + 1)
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// The first `n` sentences of a paragraph, on one line.
pub fn first_sentences(text: &str, n: usize) -> String {
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut count = 0;
    let bytes = flat.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        let ends = matches!(b, b'.' | b'!' | b'?') && (i + 1 == bytes.len() || bytes[i + 1] == b' ');
        if ends && !ends_with_abbreviation(&flat[..=i]) {
            count += 1;
            if count == n {
                return flat[..=i].to_string();
            }
        }
    }
    flat
}

fn ends_with_abbreviation(s: &str) -> bool {
    ["e.g.", "i.e.", "etc.", "vs."].iter().any(|a| s.ends_with(a))
}

/// Per rule, per file path: the unified diff of the hunks its fixes touch.
fn rule_diffs(run: &RunResult) -> BTreeMap<&str, BTreeMap<String, String>> {
    let mut out: BTreeMap<&str, BTreeMap<String, String>> = BTreeMap::new();
    for report in &run.reports {
        for (rule, diff) in hunks_by_rule(run, report) {
            out.entry(rule).or_default().insert(display_path(&report.path), diff);
        }
    }
    out
}

/// Splits one file's diff between the rules that changed it: a hunk goes to
/// every rule whose fixed sites it touches; a hunk no site explains (an
/// added import) goes to the rules whose fixes add imports, else to all.
fn hunks_by_rule<'a>(run: &RunResult, report: &'a FileReport) -> Vec<(&'a str, String)> {
    let (Some(source), Some(fixed)) = (&report.source, &report.fixed_text) else {
        return Vec::new();
    };
    let old = source.text.as_str();
    let sites: Vec<(&str, usize, usize, bool)> = report
        .findings
        .iter()
        .filter(|f| is_fixed(run, f))
        .flat_map(|f| {
            let fix = f.fix.as_ref().expect("fixed findings have a fix");
            let mut spans = vec![(f.line - 1, f.end_line - 1)];
            spans.extend(
                fix.edits
                    .iter()
                    .map(|e| (line_col(old, e.range.start).0 - 1, line_col(old, e.range.end).0 - 1)),
            );
            spans
                .into_iter()
                .map(move |(lo, hi)| (f.rule.as_str(), lo, hi, !fix.imports.is_empty()))
        })
        .collect();
    let rules: BTreeSet<&str> = sites.iter().map(|s| s.0).collect();
    let importers: BTreeSet<&str> = sites.iter().filter(|s| s.3).map(|s| s.0).collect();
    let path = display_path(&report.path);
    let diff = crate::render::line_diff(old, fixed.as_str());
    let mut unified = diff.unified_diff();
    unified.context_radius(3);
    let mut per_rule: BTreeMap<&str, String> = BTreeMap::new();
    for hunk in unified.iter_hunks() {
        let changed: Vec<(usize, usize)> = hunk
            .ops()
            .iter()
            .filter(|op| op.tag() != similar::DiffTag::Equal)
            .map(|op| {
                let r = op.old_range();
                if r.is_empty() {
                    (r.start.saturating_sub(1), r.start)
                } else {
                    (r.start, r.end - 1)
                }
            })
            .collect();
        let touches = |lo: usize, hi: usize| changed.iter().any(|&(a, b)| a <= hi + 1 && lo <= b + 1);
        let mut owners: BTreeSet<&str> = sites.iter().filter(|s| touches(s.1, s.2)).map(|s| s.0).collect();
        if owners.is_empty() {
            owners = if importers.is_empty() {
                rules.clone()
            } else {
                importers.clone()
            };
        }
        for rule in owners {
            per_rule
                .entry(rule)
                .or_insert_with(|| format!("--- a/{path}\n+++ b/{path}\n"))
                .push_str(&hunk.to_string());
        }
    }
    per_rule.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_two_sentences() {
        let why = "`clear(m)` (Go 1.21) says what the loop\n means. It is short, e.g. one call.  Third one.";
        assert_eq!(
            first_sentences(why, 2),
            "`clear(m)` (Go 1.21) says what the loop means. It is short, e.g. one call."
        );
        assert_eq!(first_sentences("No full stop", 2), "No full stop");
    }

    #[test]
    fn fence_outgrows_backticks_in_the_diff() {
        assert_eq!(fence_for("+x := 1\n"), "```");
        assert_eq!(fence_for("+s := ```raw```\n"), "````");
    }
}
