//! The rule reference pages (`mapfix rules --format markdown --out DIR`):
//! one markdown page per rule and an index, generated from the rules' YAML
//! docs, as `docs/rules/` holds them.

use super::{default_state, markdown_table_with};
use crate::rules::Rule;
use std::fmt::Write;

/// The index page's file name.
const INDEX: &str = "README.md";

/// Every page for `rules`: `(file name, text)`, each rule's `<id>.md` in
/// catalogue order, then the index.
pub fn rule_pages(rules: &[Rule]) -> Vec<(String, String)> {
    let mut pages: Vec<(String, String)> = rules.iter().map(|r| (format!("{}.md", r.id), rule_page(r))).collect();
    pages.push((INDEX.to_string(), index_page(rules)));
    pages
}

/// Where a rule's docs are written: `patterns/<id>.yml` for built-in rules.
fn yaml_source(r: &Rule) -> String {
    match &r.source {
        Some(path) => path.display().to_string(),
        None => format!("patterns/{}.yml", r.id),
    }
}

fn generated_note(from: &str) -> String {
    format!(
        "<!-- Generated from {from} by `mapfix rules --format markdown --out DIR`; edit the YAML, not this page. -->\n\n"
    )
}

/// One rule's page: summary, why, example, options, limitations, fix safety.
pub fn rule_page(r: &Rule) -> String {
    let d = &r.docs;
    let mut out = generated_note(&yaml_source(r));
    let title = d.title.trim();
    if title.is_empty() {
        let _ = writeln!(out, "# `{}`\n", r.id);
    } else {
        let _ = writeln!(out, "# `{}`: {}\n", r.id, title);
    }
    let _ = writeln!(out, "{}\n", d.summary.trim());
    let min_go = r.min_go.map(|v| v.to_string()).unwrap_or_else(|| "—".into());
    let _ = writeln!(out, "| severity | fix | fix needs Go | default |\n|---|---|---|---|");
    let _ = writeln!(
        out,
        "| {} | {} | {} | {} |",
        r.severity,
        r.fix_availability().as_str(),
        min_go,
        default_state(r)
    );
    if let Some(v) = r.before_go {
        let _ = writeln!(out, "\nThe rule checks only files whose Go version is below {v}.");
    }
    section(&mut out, "Why is this bad?", d.why.trim());
    if !d.before.trim().is_empty() {
        section(&mut out, "Example", &go_block(&d.before));
        section(&mut out, "Use instead", &go_block(&d.after));
    }
    section(&mut out, "Options", &options(r));
    let limits: Vec<String> = d
        .limitations
        .iter()
        .map(|l| format!("- {}", l.trim().replace('\n', "\n  ")))
        .collect();
    section(&mut out, "Limitations", &limits.join("\n"));
    section(&mut out, "Fix safety", d.safety.trim());
    if r.opt_in {
        section(
            &mut out,
            "Enabling",
            &format!(
                "The rule is opt-in: enable it with `--rule {id}` (or `--rule all`), or with \
                 `[rules] enable = [\"{id}\"]` in `mapfix.toml`.",
                id = r.id
            ),
        );
    }
    out
}

fn section(out: &mut String, heading: &str, body: &str) {
    if !body.is_empty() {
        let _ = write!(out, "\n## {heading}\n\n{body}\n");
    }
}

/// A ```go block long enough to hold any backtick run in `code`.
fn go_block(code: &str) -> String {
    let longest = code.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest.max(2) + 1);
    format!("{fence}go\n{}\n{fence}", code.trim_end())
}

/// The Options section: the rule's `[rules.<id>]` keys, or a sentence
/// saying it has none.
fn options(r: &Rule) -> String {
    if r.docs.options.is_empty() {
        return format!("None: `[rules.{}]` takes no keys.", r.id);
    }
    let mut out = format!(
        "In `mapfix.toml`, under `[rules.{}]`:\n\n| key | values | default | meaning |\n|---|---|---|---|\n",
        r.id
    );
    for o in &r.docs.options {
        let _ = writeln!(
            out,
            "| `{}` | `{}` | `{}` | {} |",
            o.key,
            super::cell(&o.values),
            super::cell(&o.default),
            super::cell(&o.meaning)
        );
    }
    out.trim_end().to_string()
}

/// The index: the rule table, each id linking to its page.
fn index_page(rules: &[Rule]) -> String {
    let mut out = generated_note("patterns/*.yml");
    out.push_str("# Rules\n\n");
    out.push_str(
        "One page per rule, generated from the rule's YAML (`metadata.docs`); `mapfix explain RULE` \
         prints the same text in a terminal.\n\n",
    );
    out.push_str(&markdown_table_with(rules, |r| format!("[`{}`]({}.md)", r.id, r.id)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_blocks_outgrow_backtick_runs() {
        assert_eq!(go_block("x := 1\n"), "```go\nx := 1\n```");
        assert_eq!(go_block("s := ````\n"), "`````go\ns := ````\n`````");
    }

    #[test]
    fn every_builtin_rule_gets_a_page_and_an_index_row() {
        let rules = crate::rules::catalogue::builtin();
        let pages = rule_pages(&rules);
        assert_eq!(pages.len(), rules.len() + 1);
        let index = &pages.last().unwrap().1;
        for (r, (name, page)) in rules.iter().zip(&pages) {
            assert_eq!(name, &format!("{}.md", r.id));
            assert!(page.contains(&format!("from patterns/{}.yml", r.id)), "{page}");
            assert!(index.contains(&format!("[`{}`]({}.md)", r.id, r.id)), "{index}");
        }
    }
}
