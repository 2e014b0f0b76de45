//! `for k, v := range m { body }` → `m.Range(func(key, value any) bool {
//! k := key.(K); v := value.(V); body; return true })`. Refused when the body
//! leaves the loop or the function (`break`, `continue`, `return`, `goto`
//! aimed at this loop or beyond), defers a call (it would run per
//! iteration), or is not laid out over several lines.

use super::fix::{ident_in_text, Rewrite};
use crate::go::syntax::{self, code_children, GoNode};
use crate::rules::TextEdit;

/// The edits for the loop whose range clause is `clause`, or why not.
pub fn rewrite(rw: &Rewrite, clause: &GoNode) -> Result<Vec<TextEdit>, String> {
    let stmt = clause
        .parent()
        .filter(|p| p.kind() == "for_statement")
        .ok_or("is not a plain for statement")?;
    if stmt.parent().is_some_and(|p| p.kind() == "labeled_statement") {
        return Err("is labelled".into());
    }
    let names: Vec<String> = match clause.field("left") {
        None => Vec::new(),
        Some(left) => {
            if !clause.children().any(|c| c.kind() == ":=") {
                return Err("assigns existing variables".into());
            }
            code_children(&left).iter().map(|n| n.text().to_string()).collect()
        }
    };
    let body = stmt.field("body").ok_or("has no body")?;
    if let Some(why) = leaves_loop(&body) {
        return Err(why);
    }
    let text = rw.ctx.text;
    let open = body.range().start;
    let close = body.range().end - 1;
    let indent = syntax::line_indent(text, stmt.range().start);
    if !text[open + 1..].starts_with('\n') || !text[..close].ends_with(&format!("\n{indent}")) {
        return Err("is written on one line".into());
    }
    let avoid = |candidate: &str| {
        ident_in_text(&body.text(), candidate)
            || names.iter().any(|n| n == candidate)
            || ident_in_text(&rw.key, candidate)
            || ident_in_text(&rw.value, candidate)
    };
    let key_param = fresh(&["key", "k", "mapKey"], &avoid);
    let value_param = fresh(&["value", "v", "mapValue"], &avoid);
    let bound = |i: usize| names.get(i).filter(|n| n.as_str() != "_");
    let mut header = format!(
        "{}.Range(func({}, {} {}) bool {{",
        rw.name,
        if bound(0).is_some() { key_param.as_str() } else { "_" },
        if bound(1).is_some() { value_param.as_str() } else { "_" },
        rw.any
    );
    for (i, (param, ty)) in [(&key_param, &rw.key), (&value_param, &rw.value)]
        .into_iter()
        .enumerate()
    {
        if let Some(var) = bound(i) {
            let assertion = if rw.is_concrete(ty) {
                format!("{var} := {param}.({ty})")
            } else {
                format!("{var}, _ := {param}.({ty})")
            };
            header.push_str(&format!("\n{indent}\t{assertion}"));
        }
    }
    Ok(vec![
        TextEdit {
            range: stmt.range().start..open + 1,
            replacement: header,
        },
        TextEdit {
            range: close..close + 1,
            replacement: format!("\treturn true\n{indent}}})"),
        },
    ])
}

fn fresh(candidates: &[&str], avoid: &dyn Fn(&str) -> bool) -> String {
    for c in candidates {
        if !avoid(c) {
            return c.to_string();
        }
    }
    (2..)
        .map(|n| format!("{}{n}", candidates[0]))
        .find(|c| !avoid(c))
        .unwrap_or_default()
}

/// Why the loop body cannot become a callback, if it cannot.
fn leaves_loop(body: &GoNode) -> Option<String> {
    walk(body, Depth::default())
}

/// How deep inside the body a statement is: inner loops take `break` and
/// `continue`, inner switches and selects take `break`.
#[derive(Clone, Copy, Default)]
struct Depth {
    loops: u32,
    breakables: u32,
}

fn walk(node: &GoNode, depth: Depth) -> Option<String> {
    let labelled = || node.field("label").is_some();
    match node.kind().as_ref() {
        "function_literal" => return None,
        "return_statement" => return Some("returns from inside the loop".into()),
        "goto_statement" => return Some("has a goto".into()),
        "defer_statement" => return Some("defers a call".into()),
        "break_statement" if labelled() || depth.loops + depth.breakables == 0 => {
            return Some("breaks out of the loop".into())
        }
        "continue_statement" if labelled() || depth.loops == 0 => return Some("continues the loop".into()),
        _ => {}
    }
    let mut inner = depth;
    match node.kind().as_ref() {
        "for_statement" => inner.loops += 1,
        "expression_switch_statement" | "type_switch_statement" | "select_statement" => inner.breakables += 1,
        _ => {}
    }
    node.children().find_map(|c| walk(&c, inner))
}
