//! range-delete: `for k := range m { delete(m, k) }` → `clear(m)` (Go ≥ 1.21),
//! unsafe when the key type can hold a NaN; or `m = make(map[K]V)` with
//! `prefer = "make"` (unsafe: aliases keep the old map).

use super::registry::OptionsSpec;
use super::{Detection, Fix, FixSafety, RuleContext, RuleModule, RuleOptions, TextEdit};
use crate::go::goversion::GoVersion;
use crate::go::lang::Go;
use crate::go::lex::{self, Before, Tok};
use crate::go::scope;
use crate::go::syntax::{self, block_statements, code_children, GoNode};
use crate::go::types;
use ast_grep_core::tree_sitter::StrDoc;
use ast_grep_core::NodeMatch;
use serde::Deserialize;

const CLEAR_SINCE: GoVersion = GoVersion(21);

pub const MODULE: RuleModule = RuleModule {
    name: "range_delete",
    check,
    precondition: Some(may_match),
    package_precondition: None,
    options: Some(OptionsSpec::of::<Options>()),
};

/// `[rules.range-delete]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Options {
    /// `prefer = "make"`: `m = make(map[K]V)` instead of `clear(m)`.
    #[serde(default)]
    prefer: Prefer,
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
enum Prefer {
    #[default]
    Clear,
    Make,
}

impl RuleOptions for Options {}

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
    if !is_map_operand(&map) {
        return None;
    }
    // The body's `delete(m[k], k)` names the loop's `k`, the header's
    // `range m[k]` an outer one: not the same map.
    if map.dfs().any(|n| n.kind() == "identifier" && n.text() == key.text()) {
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

/// A map expression the loop evaluates once and the body again each
/// time, with no side effects and the same map each time: a name, a field,
/// an index of those (`idx[t]`, a map of maps), or `*p` of them.
fn is_map_operand(map: &GoNode) -> bool {
    match map.kind().as_ref() {
        "unary_expression" if map.field("operator").is_some_and(|o| o.text() == "*") => {
            map.field("operand").is_some_and(|o| syntax::is_pure_expression(&o))
        }
        _ => syntax::is_pure_expression(map),
    }
}

fn detection(ctx: &RuleContext, node: &GoNode, map: &GoNode) -> Detection {
    let map_text = map.text().to_string();
    let message = Some(format!("loop deletes every key; use clear({map_text})"));
    let mut det = Detection {
        range: node.range(),
        message,
        note: None,
        related: Vec::new(),
        fix: None,
    };
    if node.parent().is_some_and(|p| p.kind() == "labeled_statement") {
        det.note = Some("the loop is labelled; remove the label and loop by hand".into());
        return det;
    }
    let map_type = types::expr_type(map, ctx.scope);
    let builtin = if ctx.options::<Options>().prefer == Prefer::Make {
        let mut names = vec!["delete", "make"];
        names.extend(map_type.as_deref().map(scope::predeclared_types_in).unwrap_or_default());
        scope::first_shadowed(&names, node, ctx.scope)
    } else {
        scope::first_shadowed(&["delete", "clear"], node, ctx.scope)
    };
    if let Some(name) = builtin {
        det.note = Some(scope::shadowed_note(name));
        return det;
    }
    let parts = map_type.as_deref().and_then(|t| types::map_parts(t, ctx.scope));
    if ctx.options::<Options>().prefer == Prefer::Make {
        let imports = map_type
            .as_deref()
            .and_then(|t| crate::go::types::imports::spelling(t, node, ctx.scope));
        match (&map_type, imports) {
            (Some(t), Some(imports)) if parts.is_some() => {
                let mut fix = replace_loop(
                    ctx,
                    node,
                    &format!("{map_text} = make({t})"),
                    FixSafety::Unsafe,
                    format!("replace loop with {map_text} = make({t})"),
                );
                fix.unsafe_reason = Some("aliases keep the old map".into());
                fix.imports = imports;
                det.fix = Some(fix);
            }
            _ => {
                det.note = Some(format!(
                    "cannot resolve or spell the type of {map_text} to write make(...)"
                ))
            }
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
            Some(format!("key type {k} can hold NaN, which the loop cannot delete")),
        ),
        None => (
            FixSafety::Unsafe,
            Some("key type unresolved; it may hold NaN".to_string()),
        ),
        _ => (FixSafety::Safe, None),
    };
    let mut fix = replace_loop(
        ctx,
        node,
        &format!("clear({map_text})"),
        safety,
        format!("replace loop with clear({map_text})"),
    );
    fix.unsafe_reason = why;
    det.fix = Some(fix);
    det
}

/// Replaces the loop with `statement`, keeping the loop's comments above it.
fn replace_loop(ctx: &RuleContext, node: &GoNode, statement: &str, safety: FixSafety, description: String) -> Fix {
    let indent = syntax::line_indent(ctx.text, node.range().start);
    let mut replacement = String::new();
    for comment in node.dfs().filter(|n| n.kind() == "comment") {
        // A `/* */` comment's later lines move out with it, as gofmt would put them.
        let old_indent = syntax::line_indent(ctx.text, comment.range().start);
        let text = comment.text();
        let text = if text.contains('\n') && !old_indent.is_empty() {
            text.replace(&format!("\n{old_indent}"), &format!("\n{indent}"))
        } else {
            text.to_string()
        };
        replacement.push_str(&text);
        replacement.push('\n');
        replacement.push_str(indent);
    }
    replacement.push_str(statement);
    Fix {
        safety,
        description,
        unsafe_reason: None,
        edits: vec![TextEdit {
            range: node.range(),
            replacement,
        }],
        imports: Vec::new(),
    }
}

/// Precondition (see `go/prefilter.rs`): some `delete` call is the first token
/// of a block and the only statement in it (the loop body is that one
/// call), in a file with a `range`.
pub fn may_match(text: &str) -> bool {
    if lex::word_occurrences(text, "range").next().is_none() {
        return false;
    }
    let mut unsure = false;
    for at in lex::word_occurrences(text, "delete") {
        match lex::byte_before(text, at) {
            Before::Byte(b'{', brace) if closes_block(&text[at..]) && may_open_loop_body(text, brace) => return true,
            Before::Byte(b';', _) if closes_block(&text[at..]) => return true,
            Before::Unknown => unsure = true,
            _ => {}
        }
    }
    // Comments or raw strings in the way: look at the tokens.
    unsure && {
        let mut prev = Tok::Newline;
        lex::tokens(text).any(|(tok, _)| {
            let found = matches!(tok, Tok::Word(s, e) if &text[s..e] == "delete" && closes_block(&text[s..]))
                && matches!(prev, Tok::Punct(b'{' | b';'));
            if tok != Tok::Newline {
                prev = tok;
            }
            found
        })
    }
}

/// Whether the `{` at `brace` may open a `for` body: not when its line
/// starts an `if`, `else`, `switch`, `select`, `case` or `func` (statement
/// keywords no range expression can hold, so no loop header goes on there)
/// unless a `range` is on that line too (`case x: for k := range m {`).
fn may_open_loop_body(text: &str, brace: usize) -> bool {
    let line_start = crate::go::lines::line_start(text, brace);
    let line = text[line_start..brace].trim_start_matches([' ', '\t']);
    let line = line.strip_prefix('}').map_or(line, |l| l.trim_start());
    let first = line
        .split(|c: char| !c.is_ascii_alphanumeric() && c != '_')
        .next()
        .unwrap_or("");
    !matches!(first, "if" | "else" | "switch" | "select" | "case" | "func")
        || lex::word_occurrences(line, "range").next().is_some()
}

/// Whether the `delete(…)` call `code` starts with is followed by the end
/// of its block (`}`, after comments and an optional `;`). `code` starts at
/// a code position, so its tokens are read right.
fn closes_block(code: &str) -> bool {
    let mut toks = lex::tokens(code).filter(|(t, _)| *t != Tok::Newline).skip(1);
    if toks.next().map(|(t, _)| t) != Some(Tok::Punct(b'(')) {
        return false;
    }
    let mut depth = 1usize;
    for (tok, _) in toks.by_ref() {
        match tok {
            Tok::Punct(b'(' | b'[' | b'{') => depth += 1,
            Tok::Punct(b')' | b']' | b'}') => {
                depth -= 1;
                if depth == 0 {
                    break;
                }
            }
            _ => {}
        }
    }
    match toks.next().map(|(t, _)| t) {
        Some(Tok::Punct(b'}')) => true,
        Some(Tok::Punct(b';')) => toks.next().map(|(t, _)| t) == Some(Tok::Punct(b'}')),
        // The text ended first: unsure.
        None => true,
        _ => false,
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
        assert!(may_match("for k := range m {\n\tdelete(m, f(k, \")\"))\n}"));
        assert!(may_match("for k := range m { delete(m, k); }"));
        assert!(may_match("for k := range m {\n\tdelete(m, k) // all\n\t/* gone */\n}"));
        assert!(
            !may_match("for k := range m {\n\tdelete(m, k)\n\tn--\n}"),
            "not the only statement"
        );
        assert!(!may_match("if ok {\n\tdelete(m, k)\n\treturn\n}\nfor range x {}"));
        assert!(
            !may_match("for k := range m {\n\tif k == \"\" {\n\t\tdelete(m, k)\n\t}\n}"),
            "an if body"
        );
        assert!(!may_match(
            "for k := range m {\n\tif a {\n\t} else {\n\t\tdelete(m, k)\n\t}\n}"
        ));
        assert!(
            may_match("for k := range f(\n\ta) {\n\tdelete(m, k)\n}"),
            "a header on two lines"
        );
        assert!(may_match("switch {\ncase x: for k := range m {\n\tdelete(m, k)\n}\n}"));
        assert!(may_match("for k := range m {\n\tdelete(m, k)\n"), "unterminated");
        assert!(
            !may_match("x := `a\nb` + g(\ndelete(m, k))\nfor k := range m {}"),
            "unsure on bytes, told apart on tokens"
        );
        assert!(!may_match("for k := range m {\n\tn++\n\tdelete(m, k)\n}"));
        assert!(!may_match("for k := range m { _ = k }\ndelete(m, 1)"));
        assert!(!may_match("{\n\tdelete(m, k)\n}"));
    }
}
