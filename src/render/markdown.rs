//! `--format markdown`: a pull-request body. A summary table (rule,
//! findings, fixed, unsafe-skipped), then per rule its rationale (the first
//! two sentences of the rule's `docs.why`), the changed files with their
//! diffs folded in `<details>` blocks (only that rule's changes:
//! `rule_diffs.rs`), every unsafe fix marked with why it may change
//! behaviour, the sites left unfixed, and a pointer to `mapfix explain RULE`.
//! It reads as plain text too.

mod rule_diffs;

use super::{display_path, RunResult};
use crate::diagnostic::FixState;
use crate::engine::Finding;
use crate::rules::{FixSafety, Rule};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::{self, Write};

/// Diff text beyond this is left out, keeping the body under GitHub's
/// 65,536-character limit for pull-request descriptions.
const DIFF_BUDGET: usize = 48_000;

pub struct MarkdownRenderer {
    /// What the body says about each rule of the run, by ID.
    rules: BTreeMap<String, MarkdownRule>,
}

/// A rule's documentation as the body uses it.
struct MarkdownRule {
    summary: String,
    why: String,
    /// `docs.safety`: why the rule's unsafe fixes may change behaviour.
    safety_doc: String,
    /// A built-in rule's page (`docs/rules/<id>.md`); `None` for user rules.
    page: Option<String>,
}

/// Where a built-in rule's page is published: in the repository named by
/// Cargo.toml's `repository`, at this version's tag.
fn rule_page(id: &str) -> String {
    let repository = env!("CARGO_PKG_REPOSITORY").trim_end_matches('/');
    let path = format!("docs/rules/{id}.md");
    if repository.is_empty() {
        return format!("`{path}` in mapfix's repository");
    }
    format!("[{path}]({repository}/blob/v{}/{path})", env!("CARGO_PKG_VERSION"))
}

/// Per-rule counts of the summary table.
#[derive(Default)]
struct RuleCounts {
    findings: usize,
    fixed: usize,
    /// Fixed with an unsafe fix (`--unsafe`).
    unsafe_fixed: usize,
    unsafe_skipped: usize,
}

impl MarkdownRenderer {
    /// A renderer for the rules of the run (built-in and user rules), whose
    /// documentation the body quotes.
    pub fn new<'a>(rules: impl IntoIterator<Item = &'a Rule>) -> Self {
        let rules = rules
            .into_iter()
            .map(|r| {
                let rule = MarkdownRule {
                    summary: r.docs.summary.trim().to_string(),
                    why: r.docs.why.clone(),
                    safety_doc: r.docs.safety.clone(),
                    page: r.source.is_none().then(|| rule_page(&r.id)),
                };
                (r.id.clone(), rule)
            })
            .collect();
        MarkdownRenderer { rules }
    }

    /// The pull-request body for a run.
    pub fn body(&self, run: &RunResult) -> String {
        let mut out = String::new();
        let counts = rule_counts(run);
        out.push_str(&intro(run, &counts));
        // Rules with changes first (what the pull request is about), then
        // rules with findings only; each group by rule ID.
        let mut order: Vec<(&String, &RuleCounts)> = counts.iter().collect();
        order.sort_by_key(|(rule, c)| (c.fixed == 0, rule.as_str()));
        if !counts.is_empty() {
            out.push_str("\n| rule | findings | fixed | unsafe-skipped |\n|---|---:|---:|---:|\n");
            for (rule, c) in &order {
                let _ = writeln!(
                    out,
                    "| `{rule}` | {} | {} | {} |",
                    c.findings,
                    fixed_cell(c.fixed, c.unsafe_fixed),
                    c.unsafe_skipped
                );
            }
            if counts.len() > 1 {
                let total = |f: fn(&RuleCounts) -> usize| counts.values().map(f).sum::<usize>();
                let _ = writeln!(
                    out,
                    "| **total** | {} | {} | {} |",
                    total(|c| c.findings),
                    fixed_cell(total(|c| c.fixed), total(|c| c.unsafe_fixed)),
                    total(|c| c.unsafe_skipped)
                );
            }
        }
        let diffs = rule_diffs::rule_diffs(run);
        let mut budget = DIFF_BUDGET;
        for (rule, _) in &order {
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
        let docs = self.rules.get(rule);
        match docs.map(|d| d.summary.as_str()).filter(|s| !s.is_empty()) {
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
                let lines: Vec<String> = sites.iter().map(|f| self.site(f)).collect();
                let _ = writeln!(out, "- {}: {}", code_span(path), lines.join(", "));
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
                    "- {}: {}{}",
                    code_span(&format!("{}:{}", display_path(&f.path), f.line)),
                    f.message,
                    why_unfixed(f)
                );
            }
            out.push('\n');
        }
        match docs.and_then(|d| d.page.as_deref()) {
            Some(page) => {
                let _ = writeln!(
                    out,
                    "Before/after example and fix safety: {page}, or `mapfix explain {rule}`."
                );
            }
            None => {
                let _ = writeln!(out, "Before/after example and fix safety: `mapfix explain {rule}`.");
            }
        }
    }

    /// A fixed site in the list of changed files: its line and what the fix
    /// does, an unsafe fix marked with why it may change behaviour.
    fn site(&self, f: &Finding) -> String {
        let Some(fix) = &f.fix else {
            return format!("line {}", f.line);
        };
        if fix.safety != FixSafety::Unsafe {
            return format!("line {} ({})", f.line, fix.description);
        }
        // The site's own reason when its checker lowered the fix to
        // unsafe, else the rule's (its `docs.safety`).
        let reason = match &fix.unsafe_reason {
            Some(reason) => reason.clone(),
            None => self
                .rules
                .get(&f.rule)
                .map(|r| safety_reason(&r.safety_doc))
                .unwrap_or_default(),
        };
        let what = fix.description.as_str();
        let why = if reason.is_empty() {
            format!("see `mapfix explain {}`", f.rule)
        } else {
            reason
        };
        format!("line {} ({what}; **unsafe: may change behaviour — {why}**)", f.line)
    }
}

/// The summary table's "fixed" cell: the count, and how many of those
/// fixes are unsafe when there are any.
fn fixed_cell(fixed: usize, unsafe_fixed: usize) -> String {
    if unsafe_fixed == 0 {
        fixed.to_string()
    } else {
        format!("{fixed} ({unsafe_fixed} unsafe)")
    }
}

/// Why a rule's unsafe fix may change behaviour, from its `docs.safety`:
/// the first sentence without its "Unsafe:" label, up to a colon that
/// opens a list.
fn safety_reason(doc: &str) -> String {
    let first = first_sentences(doc, 1);
    let first = first.strip_prefix("Unsafe:").unwrap_or(&first).trim();
    let first = first.split_once(": ").map_or(first, |(head, _)| head);
    first.trim_end_matches('.').to_string()
}

impl super::Renderer for MarkdownRenderer {
    fn render(&self, run: &RunResult, out: &mut dyn Write, err: &mut dyn Write) -> io::Result<()> {
        for e in run.all_errors() {
            crate::report::write_error(err, &super::text::ErrorDiag::new(e, None))?;
        }
        out.write_all(self.body(run).as_bytes())
    }
}

/// Whether this run fixes (dry run: shows the fix for) a finding.
fn is_fixed(run: &RunResult, f: &Finding) -> bool {
    if run.wrote {
        f.fix_status().is_applied()
    } else {
        f.fix_status().is_included()
    }
}

fn rule_counts(run: &RunResult) -> BTreeMap<String, RuleCounts> {
    let mut counts: BTreeMap<String, RuleCounts> = BTreeMap::new();
    for f in run.findings() {
        let c = counts.entry(f.rule.clone()).or_default();
        c.findings += 1;
        if is_fixed(run, f) {
            c.fixed += 1;
            c.unsafe_fixed += usize::from(f.fix.as_ref().is_some_and(|x| x.safety == FixSafety::Unsafe));
        }
        if !f.fix_status().is_included() && f.fix.as_ref().is_some_and(|x| x.safety == FixSafety::Unsafe) {
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
    let unsafe_fixed: usize = counts.values().map(|c| c.unsafe_fixed).sum();
    let review = match unsafe_fixed {
        0 => String::new(),
        1 => " 1 fix is unsafe (`--unsafe`): it may change behaviour, and is marked below.".to_string(),
        n => format!(" {n} fixes are unsafe (`--unsafe`): they may change behaviour, and are marked below."),
    };
    format!("{what}{review} Each rule below says why the change is made; `mapfix explain RULE` has the details.\n")
}

fn why_unfixed(f: &Finding) -> String {
    let mut why = match (f.fix_state(), &f.note) {
        (state @ FixState::NeedsUnsafe(_), _) => format!(" — {}", state.phrase().unwrap_or_default()),
        (_, Some(note)) => format!(" — {note}"),
        _ => String::new(),
    };
    // Where the evidence is: "see `path:line`" for each related location.
    for r in &f.related {
        why.push_str(&format!(
            " (see {}: {})",
            code_span(&format!("{}:{}", display_path(&r.path), r.line)),
            r.message
        ));
    }
    why
}

fn errors_section(run: &RunResult, out: &mut String) {
    let errors: Vec<_> = run.all_errors().collect();
    if errors.is_empty() {
        return;
    }
    out.push_str("\n### Not processed\n\n");
    for e in errors {
        let _ = writeln!(out, "- {}: {}", code_span(&display_path(&e.path)), e.message);
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
            "_Diff of {} (+{added} −{removed}) left out to keep this description within size limits._\n",
            code_span(path)
        );
        return;
    }
    *budget -= diff.len();
    let fence = fence_for(diff);
    let _ = writeln!(
        out,
        "<details>\n<summary><code>{}</code> (+{added} −{removed})</summary>\n\n{fence}diff\n{diff}{fence}\n\n</details>\n",
        html_escape(&visible(path))
    );
}

/// A backtick fence longer than any backtick run in `text`.
fn fence_for(text: &str) -> String {
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    "`".repeat(longest.max(2) + 1)
}

/// A file name as an inline code span that nothing in the name can end:
/// a fence longer than any backtick run in it, and control characters (a
/// newline would end the list item and let the name write markdown) shown
/// as escapes.
fn code_span(name: &str) -> String {
    let name = visible(name);
    let longest = name.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    let pad = if name.starts_with('`') || name.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{name}{pad}{fence}")
}

/// `name` with its control characters escaped (`\n`, `\t`, `\u{1b}`).
fn visible(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_control() {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// The first `n` sentences of a paragraph, on one line.
fn first_sentences(text: &str, n: usize) -> String {
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
    fn the_docs_reason_drops_the_label_and_the_list() {
        for rule in crate::rules::builtin_rules() {
            let reason = safety_reason(&rule.docs.safety);
            assert!(
                !reason.is_empty() && !reason.starts_with("Unsafe"),
                "{}: {reason}",
                rule.id
            );
        }
        let loopvar = "Unsafe: the fix changes what the map holds, which is the point. More.";
        assert_eq!(
            safety_reason(loopvar),
            "the fix changes what the map holds, which is the point"
        );
        let sync_map = "Unsafe: the fix turns m into a `sync.Map`: `m[k] = v` → `m.Store(k, v)`.";
        assert_eq!(safety_reason(sync_map), "the fix turns m into a `sync.Map`");
    }

    #[test]
    fn file_names_cannot_end_their_code_span() {
        assert_eq!(code_span("a.go"), "`a.go`");
        assert_eq!(code_span("x\n# Approve.go"), "`x\\n# Approve.go`");
        assert_eq!(code_span("a`b.go"), "``a`b.go``");
        assert_eq!(code_span("`a.go"), "`` `a.go ``");
        assert_eq!(visible("a\tb\r"), "a\\tb\\r");
    }

    #[test]
    fn fence_outgrows_backticks_in_the_diff() {
        assert_eq!(fence_for("+x := 1\n"), "```");
        assert_eq!(fence_for("+s := ```raw```\n"), "````");
    }
}
