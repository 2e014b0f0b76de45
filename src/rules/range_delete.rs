//! range-delete: `for k := range m { delete(m, k) }` → `clear(m)` (Go ≥ 1.21),
//! unsafe when the key type can hold a NaN; or `m = make(map[K]V)` with
//! `prefer = "make"` (unsafe: aliases keep the old map).

use super::{Detection, FixPlan, FixSafety, RuleContext, TextEdit};
use crate::goversion::GoVersion;
use crate::prefilter::{self, Before};
use crate::skim::{self, Tok};
use crate::syntax::{self, block_statements, code_children, GoNode};
use crate::types;
use ast_grep_core::tree_sitter::StrDoc;
use ast_grep_core::NodeMatch;
use ast_grep_language::Go;

const CLEAR_SINCE: GoVersion = GoVersion(21);

pub fn check(ctx: &RuleContext, m: &NodeMatch<StrDoc<Go>>) -> Vec<Detection> {
    let node = m.get_node();
    match delete_all_loop(node) {
        Some(map) => vec![detection(ctx, node, &map)],
        None => Vec::new(),
    }
}

/// The map expression of a loop whose body is exactly `delete(map, k)` for
/// its own `k := range map`.
fn delete_all_loop<'r>(node: &GoNode<'r>) -> Option<GoNode<'r>> {
    let clause = code_children(node).into_iter().find(|c| c.kind() == "range_clause")?;
    if !clause.children().any(|c| c.kind() == ":=") {
        return None;
    }
    let left = code_children(&clause.field("left")?);
    let key = match left.as_slice() {
        [k] => k.clone(),
        [k, blank] if blank.text() == "_" => k.clone(),
        _ => return None,
    };
    if key.kind() != "identifier" || key.text() == "_" {
        return None;
    }
    let map = clause.field("right")?;
    if !syntax::is_pure_expression(&map) {
        return None;
    }
    let body = node.field("body")?;
    let [stmt] = block_statements(&body).try_into().ok()?;
    if stmt.kind() != "expression_statement" {
        return None;
    }
    let call = code_children(&stmt).into_iter().next()?;
    if call.kind() != "call_expression" || call.field("function")?.text() != "delete" {
        return None;
    }
    let args = code_children(&call.field("arguments")?);
    match args.as_slice() {
        [m, k]
            if syntax::squashed(m) == syntax::squashed(&map) && k.text() == key.text() && k.kind() == "identifier" =>
        {
            Some(map)
        }
        _ => None,
    }
}

fn detection(ctx: &RuleContext, node: &GoNode, map: &GoNode) -> Detection {
    let map_text = map.text().to_string();
    let message = Some(format!("loop deletes every key; use clear({map_text})"));
    let mut det = Detection {
        range: node.range(),
        message,
        note: None,
        fix: None,
    };
    if node.parent().is_some_and(|p| p.kind() == "labeled_statement") {
        det.note = Some("the loop is labelled; remove the label and loop by hand".into());
        return det;
    }
    let map_type = types::expr_type(map, ctx.scope);
    let parts = map_type.as_deref().and_then(|t| types::map_parts(t, ctx.scope));
    if ctx.options.range_delete_prefer_make {
        match &map_type {
            Some(t) if parts.is_some() => {
                det.fix = Some(replace_loop(
                    ctx,
                    node,
                    &format!("{map_text} = make({t})"),
                    FixSafety::Unsafe,
                    format!("replace loop with {map_text} = make({t}) (aliases keep the old map)"),
                ));
            }
            _ => det.note = Some(format!("cannot resolve the type of {map_text} to write make(...)")),
        }
        return det;
    }
    if ctx.go_version() < CLEAR_SINCE {
        det.note = Some(format!(
            "clear needs Go {CLEAR_SINCE}; this file is Go {}: no fix",
            ctx.go_version()
        ));
        return det;
    }
    let nan_safe = parts
        .as_ref()
        .is_some_and(|(k, _)| !types::key_may_hold_nan(k, ctx.scope));
    let (safety, why) = match &parts {
        Some((k, _)) if !nan_safe => (
            FixSafety::Unsafe,
            format!(" (key type {k} can hold NaN, which the loop cannot delete)"),
        ),
        None => (FixSafety::Unsafe, " (key type unresolved; it may hold NaN)".to_string()),
        _ => (FixSafety::Safe, String::new()),
    };
    det.fix = Some(replace_loop(
        ctx,
        node,
        &format!("clear({map_text})"),
        safety,
        format!("replace loop with clear({map_text}){why}"),
    ));
    det
}

/// Replaces the loop with `statement`, keeping the loop's comments above it.
fn replace_loop(ctx: &RuleContext, node: &GoNode, statement: &str, safety: FixSafety, description: String) -> FixPlan {
    let indent = syntax::line_indent(ctx.text, node.range().start);
    let mut replacement = String::new();
    for comment in node.dfs().filter(|n| n.kind() == "comment") {
        replacement.push_str(&comment.text());
        replacement.push('\n');
        replacement.push_str(indent);
    }
    replacement.push_str(statement);
    FixPlan {
        safety,
        description,
        edits: vec![TextEdit {
            range: node.range(),
            replacement,
        }],
        imports: Vec::new(),
    }
}

/// Precondition (see `prefilter.rs`): some `delete` is the first token of a
/// block (the loop body is that one call), in a file with a `range`.
pub fn may_match(text: &str) -> bool {
    if prefilter::word_occurrences(text, "range").next().is_none() {
        return false;
    }
    let mut unsure = false;
    for at in prefilter::word_occurrences(text, "delete") {
        match prefilter::byte_before(text, at) {
            Before::Byte(b'{' | b';', _) => return true,
            Before::Unknown => unsure = true,
            _ => {}
        }
    }
    // Comments or raw strings in the way: look at the tokens.
    unsure && {
        let mut prev = Tok::Newline;
        skim::tokens(text).any(|(tok, _)| {
            let found =
                matches!(tok, Tok::Word(s, e) if &text[s..e] == "delete") && matches!(prev, Tok::Punct(b'{' | b';'));
            if tok != Tok::Newline {
                prev = tok;
            }
            found
        })
    }
}

#[cfg(test)]
mod precondition_tests {
    use super::may_match;

    #[test]
    fn needs_delete_first_in_a_block() {
        assert!(may_match("for k := range m {\n\tdelete(m, k)\n}"));
        assert!(may_match("for k := range m { delete (m, k) }"));
        assert!(may_match("for k := range m { // all\n\tdelete(m, k)\n}"));
        assert!(may_match("for k := range m { /* all */ delete(m, k) }"));
        assert!(may_match("x := `a\nb`\nfor k := range m {\n\tdelete(m, k)\n}"));
        assert!(
            !may_match("x := `a\nb` + g(\ndelete(m, k))\nfor k := range m {}"),
            "unsure on bytes, told apart on tokens"
        );
        assert!(!may_match("for k := range m {\n\tn++\n\tdelete(m, k)\n}"));
        assert!(!may_match("for k := range m { _ = k }\ndelete(m, 1)"));
        assert!(!may_match("{\n\tdelete(m, k)\n}"));
    }
}
