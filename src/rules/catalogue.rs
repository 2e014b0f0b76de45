//! The rule catalogue as users read it: `mapfix rules` (text, JSON, or the
//! markdown table the README embeds), `mapfix explain RULE`, and the
//! "did you mean" suggestions for unknown rule IDs. Everything here is
//! generated from the rules' YAML (`metadata.docs`), written once.

mod pages;

use crate::rules::{self, Rule, Severity};
use serde::Serialize;
use std::fmt::Write;

pub use pages::rule_pages;

/// `mapfix rules --format …`.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum CatalogueFormat {
    /// One aligned row per rule.
    Text,
    /// An array of rule objects.
    Json,
    /// The README's rule table (the rows between its `rules-table` markers);
    /// with `--out DIR`, a page per rule and an index instead.
    Markdown,
}

pub use crate::rules::near_matches;

/// A rule ID that names no rule (`--rule`, `--skip-rule`, `explain`).
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error("{}", unknown_rule_message(.id, .known))]
pub struct UnknownRule {
    pub id: String,
    /// Every rule ID there is, to suggest the near ones from.
    pub known: Vec<String>,
}

/// The message for an unknown rule ID: near matches, else every known ID.
pub fn unknown_rule_message(id: &str, known: &[String]) -> String {
    let near = near_matches(id, known.iter().map(String::as_str));
    if near.is_empty() {
        format!("unknown rule {id:?}; known rules: {}", known.join(", "))
    } else {
        format!("unknown rule {id:?}; did you mean {}?", near.join(" or "))
    }
}

fn default_state(r: &Rule) -> &'static str {
    if r.opt_in {
        "opt-in"
    } else {
        "on"
    }
}

/// A rule in `mapfix rules --format json`; `min_go` is `null` when the rule has none.
#[derive(Debug, Serialize)]
struct CatalogueEntry<'a> {
    id: &'a str,
    severity: Severity,
    safety: &'static str,
    fix_availability: &'static str,
    min_go: Option<String>,
    default: &'static str,
    summary: &'a str,
    fix: &'a str,
}

impl<'a> From<&'a Rule> for CatalogueEntry<'a> {
    fn from(r: &'a Rule) -> Self {
        CatalogueEntry {
            id: &r.id,
            severity: r.severity,
            safety: r.safety.as_str(),
            fix_availability: r.fix_availability().as_str(),
            min_go: r.min_go.map(|v| v.to_string()),
            default: default_state(r),
            summary: &r.docs.summary,
            fix: &r.docs.fix,
        }
    }
}

/// `mapfix rules`: the catalogue in the chosen format.
pub fn render(rules: &[Rule], format: CatalogueFormat) -> String {
    match format {
        CatalogueFormat::Json => {
            let list: Vec<CatalogueEntry> = rules.iter().map(CatalogueEntry::from).collect();
            serde_json::to_string_pretty(&list).unwrap() + "\n"
        }
        CatalogueFormat::Text => text_table(rules),
        CatalogueFormat::Markdown => markdown_table(rules),
    }
}

fn text_table(rules: &[Rule]) -> String {
    let width = rules.iter().map(|r| r.id.len()).max().unwrap_or(2).max(2);
    let mut out = format!(
        "{:<width$}  {:<8} {:<7} {:<7} {:<7} summary\n",
        "id", "severity", "fix", "min go", "default"
    );
    for r in rules {
        let min_go = r.min_go.map(|v| v.to_string()).unwrap_or_else(|| "-".into());
        let fix = r.fix_availability().as_str();
        let _ = writeln!(
            out,
            "{:<width$}  {:<8} {:<7} {:<7} {:<7} {}",
            r.id,
            r.severity,
            fix,
            min_go,
            default_state(r),
            r.docs.summary.trim()
        );
    }
    out
}

/// The README's rule table: a header and one row per rule, from its YAML.
pub fn markdown_table(rules: &[Rule]) -> String {
    markdown_table_with(rules, |r| format!("`{}`", r.id))
}

/// The rule table with each rule's id cell written by `id_cell`
/// (the index of the rule pages links them).
fn markdown_table_with(rules: &[Rule], id_cell: impl Fn(&Rule) -> String) -> String {
    let mut out = String::from("| id | finds | fix | safety |\n|---|---|---|---|\n");
    for r in rules {
        let id = if r.opt_in {
            format!("{} (opt-in)", id_cell(r))
        } else {
            id_cell(r)
        };
        let safety = r
            .docs
            .fix_safety
            .clone()
            .unwrap_or_else(|| r.safety.as_str().to_string());
        let fix = if r.docs.fix.is_empty() {
            "—".to_string()
        } else {
            r.docs.fix.clone()
        };
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} |",
            cell(&id),
            cell(&r.docs.summary),
            cell(&fix),
            cell(&safety)
        );
    }
    out
}

/// Table cell text: one line, pipes escaped.
fn cell(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ").replace('|', "\\|")
}

/// `mapfix explain RULE`: the rule's documentation, or near matches.
pub fn explain(rules: &[Rule], id: &str) -> Result<String, UnknownRule> {
    let Some(r) = rules.iter().find(|r| r.id == id) else {
        return Err(UnknownRule {
            id: id.to_string(),
            known: rules.iter().map(|r| r.id.clone()).collect(),
        });
    };
    let d = &r.docs;
    let mut out = String::new();
    let min_go = r.min_go.map(|v| format!(", Go ≥ {v}")).unwrap_or_default();
    let _ = writeln!(
        out,
        "{} ({}, fix: {}{}, {})\n",
        r.id,
        r.severity,
        r.fix_availability().as_str(),
        min_go,
        default_state(r)
    );
    let _ = writeln!(out, "{}", d.summary.trim());
    if let Some(path) = &r.source {
        let _ = writeln!(out, "\nUser rule, from {}.", path.display());
    }
    // A user rule without mapfix's `metadata.docs` has only its message.
    for (heading, text) in [
        ("Why is this bad?", d.why.trim().to_string()),
        ("Example:", indent(&d.before)),
        ("Use instead:", indent(&d.after)),
        ("Options:", option_lines(r)),
        ("Limitations:", limitation_lines(r)),
        ("Fix safety:", d.safety.trim().to_string()),
    ] {
        if !text.trim().is_empty() {
            let _ = write!(out, "\n{heading}\n{text}\n");
        }
    }
    if r.opt_in {
        let _ = writeln!(
            out,
            "\nOpt-in: enable with `--rule {}` or `[rules] enable = [\"{}\"]` in mapfix.toml.",
            r.id, r.id
        );
    }
    Ok(out)
}

/// `explain`'s options: `[rules.<id>] key = values (default …): meaning`.
fn option_lines(r: &Rule) -> String {
    r.docs
        .options
        .iter()
        .map(|o| {
            format!(
                "    [rules.{}] {} = {} (default {}): {}",
                r.id,
                o.key,
                o.values,
                o.default,
                cell(&o.meaning)
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn limitation_lines(r: &Rule) -> String {
    r.docs
        .limitations
        .iter()
        .map(|l| format!("  - {}", cell(l)))
        .collect::<Vec<_>>()
        .join("\n")
}

fn indent(code: &str) -> String {
    code.trim_end()
        .lines()
        .map(|l| format!("    {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Every built-in rule (the catalogue `mapfix rules` lists).
pub fn builtin() -> Vec<Rule> {
    rules::builtin_rules()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn near_matches_find_typos_and_fragments() {
        let known = ["range-delete", "nil-reset", "loopvar-pointer"];
        assert_eq!(near_matches("range-delet", known.into_iter()), ["range-delete"]);
        assert_eq!(near_matches("nilreset", known.into_iter()), ["nil-reset"]);
        assert_eq!(near_matches("loopvar", known.into_iter()), ["loopvar-pointer"]);
        assert!(near_matches("concurrency", known.into_iter()).is_empty());
    }

    #[test]
    fn every_builtin_rule_documents_its_fix_for_the_table() {
        for r in builtin() {
            assert!(
                !r.docs.fix.trim().is_empty(),
                "rule {} lacks metadata.docs.fix (the README table's fix column)",
                r.id
            );
        }
    }

    #[test]
    fn markdown_cells_are_single_line_and_escaped() {
        assert_eq!(cell("a | b\n  c"), "a \\| b c");
    }
}
