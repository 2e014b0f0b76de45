//! nil-map-write's fix: `if x.f == nil {\n\tx.f = make(T)\n}` inserted just
//! before the statement that writes, at its indentation, with `T` as the
//! field (or function result) declares it. After the fix the write follows
//! a nil check, so a second run finds nothing.

use super::RuleContext;
use crate::go::syntax::{self, GoNode};
use crate::go::types;
use crate::rules::{Fix, FixSafety, TextEdit};

/// The lazy initialisation of `map` before `stmt`, or why there is none.
pub fn lazy_init(
    ctx: &RuleContext,
    stmt: &GoNode,
    map: &GoNode,
    map_type: &str,
    safety: FixSafety,
) -> Result<Fix, String> {
    if !syntax::is_pure_expression(map) {
        return Err(format!(
            "{} is not a plain expression that can be evaluated twice",
            map.text()
        ));
    }
    if !make_is_builtin(stmt, ctx) {
        return Err("make is not the builtin here".into());
    }
    if map_type.contains('[') && types::TypeExpr::parse(map_type).is_none() {
        return Err(format!("cannot read the type {map_type}"));
    }
    let imports = types::imports::spelling(map_type, stmt, ctx.scope)
        .ok_or_else(|| format!("the type {map_type} cannot be spelled here"))?;
    let at = statement_start(ctx.text, stmt).ok_or("the write does not start its own line")?;
    let indent = syntax::line_indent(ctx.text, at.range().start);
    let name = syntax::squashed(map);
    let replacement = format!("if {name} == nil {{\n{indent}\t{name} = make({map_type})\n{indent}}}\n{indent}");
    Ok(Fix {
        safety,
        description: format!("make {name} before writing it when it is nil"),
        unsafe_reason: None,
        edits: vec![TextEdit {
            range: at.range().start..at.range().start,
            replacement,
        }],
        imports,
    })
}

/// Whether `make` at `at` is the builtin: no local, parameter or package
/// declaration of that name. (The one place to swap for the shared
/// builtin check.)
fn make_is_builtin(at: &GoNode, ctx: &RuleContext) -> bool {
    types::resolve("make", at, ctx.scope).is_none() && !ctx.scope.declares("make")
}

/// The statement of a statement list that holds the write, when it starts
/// its line (only whitespace before it).
fn statement_start<'r>(text: &str, stmt: &GoNode<'r>) -> Option<GoNode<'r>> {
    let whole = std::iter::once(stmt.clone())
        .chain(stmt.ancestors())
        .find(|a| a.parent().is_some_and(|p| syntax::is_statement_list(&p)))?;
    let line_start = crate::go::lines::line_start(text, whole.range().start);
    text[line_start..whole.range().start]
        .chars()
        .all(|c| c == ' ' || c == '\t')
        .then_some(whole)
}
