//! unknown-suppression: a `//mapfix:ignore RULE,...` comment that names a
//! rule mapfix does not know silences nothing, most often because of a typo;
//! it is reported (no fix) with the nearest known rule IDs.

use super::{Detection, RuleContext, RuleModule};
use crate::go::lang::Go;
use crate::rules::suppress;
use ast_grep_core::tree_sitter::StrDoc;
use ast_grep_core::NodeMatch;

pub const MODULE: RuleModule = RuleModule {
    name: "unknown_suppression",
    check,
    precondition: None,
    package_precondition: None,
    options: None,
};

pub fn check(ctx: &RuleContext, m: &NodeMatch<StrDoc<Go>>) -> Vec<Detection> {
    let known = ctx.known_rules;
    let node = m.get_node();
    let text = node.text();
    let Some(body) = text.strip_prefix("//") else {
        return Vec::new();
    };
    if known.is_empty() || !body.trim_start().starts_with("mapfix:ignore") {
        return Vec::new();
    }
    let base = node.range().start + 2;
    suppress::ignore_list(body)
        .into_iter()
        .filter(|(_, name)| !known.iter().any(|k| k == name))
        .map(|(at, name)| {
            let near = super::near_matches(name, known.iter().map(String::as_str));
            let note = if near.is_empty() {
                format!(
                    "known rules: {}; a reason goes after the list or after `--` (`//mapfix:ignore -- {name} …`)",
                    known.join(", ")
                )
            } else {
                format!("did you mean {}?", near.join(" or "))
            };
            Detection {
                range: base + at..base + at + name.len(),
                message: Some(format!(
                    "suppression comment names unknown rule {name:?}; it silences nothing"
                )),
                note: Some(note),
                related: Vec::new(),
                fix: None,
            }
        })
        .collect()
}
