//! nil-reset: `m = nil` on a map that is written afterwards in the same
//! function, with no nil test or re-assignment in between: the write panics.
//! Fix: `m = make(map[K]V)` with the type as declared.
//!
//! "Afterwards" follows execution order: the statements after the reset,
//! then those after each enclosing block, a loop body again when the reset
//! is inside a loop; `return`, `panic` and `goto` end the search.
//!
//! With `[rules.nil-reset] cross_method = true` the rule also reports
//! writes of a field that another method of the type resets
//! (`cross_method.rs`); the YAML rule matches index writes for that.

mod cross_method;
mod precondition;
mod unobserved;

use super::registry::OptionsSpec;
use super::{Detection, Fix, FixSafety, Rule, RuleContext, RuleModule, RuleOptions, TextEdit};
use crate::go::lang::Go;
use crate::go::syntax::{self, code_children, GoNode};
use crate::go::types::{self, Binding};
use ast_grep_core::tree_sitter::StrDoc;
use ast_grep_core::NodeMatch;
use serde::Deserialize;

pub const MODULE: RuleModule = RuleModule {
    name: "nil_reset",
    check,
    precondition: Some(precondition::may_match),
    package_precondition: None,
    options: Some(OptionsSpec::of::<Options>()),
};

/// `[rules.nil-reset]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Options {
    /// `cross_method = true`: also report writes of a field another method resets.
    #[serde(default)]
    cross_method: bool,
}

impl RuleOptions for Options {
    /// With `cross_method`, files that reset a field without writing it are
    /// candidates too (the write may be in another file of the package).
    fn widen(&self, rule: &mut Rule) {
        if self.cross_method {
            rule.precondition = Some(precondition::may_match_cross_method);
        }
    }
}

pub fn check(ctx: &RuleContext, m: &NodeMatch<StrDoc<Go>>) -> Vec<Detection> {
    let stmt = m.get_node();
    let index_write = stmt.kind() == "inc_dec_statement"
        || stmt
            .field("left")
            .is_some_and(|l| code_children(&l).iter().any(|x| x.kind() == "index_expression"));
    if index_write {
        // Matched for the writes it may name; findings are at resets.
        return Vec::new();
    }
    let found = analyse(ctx, stmt);
    if !found.is_empty() || !ctx.options::<Options>().cross_method {
        return found;
    }
    nil_targets(stmt)
        .filter_map(|lhs| cross_method::check(ctx, stmt, &lhs))
        .collect()
}

/// The targets `x` of `x = nil` in a plain assignment (`a, b = nil, nil` has two).
fn nil_targets<'r>(stmt: &GoNode<'r>) -> impl Iterator<Item = GoNode<'r>> {
    let plain = stmt.field("operator").is_some_and(|o| o.text() == "=");
    let left = stmt.field("left").map(|l| code_children(&l)).unwrap_or_default();
    let right = stmt.field("right").map(|r| code_children(&r)).unwrap_or_default();
    let same = plain && left.len() == right.len();
    left.into_iter()
        .zip(right)
        .filter(move |(_, rhs)| same && syntax::is_nil(rhs))
        .map(|(lhs, _)| lhs)
}

/// The map being reset: its expression and the identity of its root variable.
struct Target<'r> {
    expr: GoNode<'r>,
    /// The `nil` assigned to it (the fix replaces it).
    nil_value: GoNode<'r>,
    text: String,
    root_name: String,
    root: Option<Binding>,
    is_local: bool,
    /// The function holding the reset.
    func: GoNode<'r>,
}

impl<'r> Target<'r> {
    /// Whether `node` denotes the same map (same text, same root variable).
    fn is(&self, node: &GoNode, ctx: &RuleContext) -> bool {
        if syntax::squashed(node) != self.text {
            return false;
        }
        let root = crate::go::syntax::selector_root(node);
        root.is_some_and(|r| types::resolve(&r.text(), &r, ctx.scope) == self.root)
    }
}

/// Each `target = nil` of the assignment (`a, b = nil, nil` has two).
fn analyse(ctx: &RuleContext, stmt: &GoNode) -> Vec<Detection> {
    if stmt.field("operator").is_none_or(|o| o.text() != "=") {
        return Vec::new();
    }
    let left = stmt.field("left").map(|l| code_children(&l)).unwrap_or_default();
    let right = stmt.field("right").map(|r| code_children(&r)).unwrap_or_default();
    if left.len() != right.len() {
        return Vec::new();
    }
    left.iter()
        .zip(&right)
        .filter(|(_, rhs)| syntax::is_nil(rhs))
        .filter_map(|(lhs, rhs)| analyse_target(ctx, stmt, lhs, rhs))
        .collect()
}

fn analyse_target<'r>(ctx: &RuleContext, stmt: &GoNode<'r>, lhs: &GoNode<'r>, rhs: &GoNode<'r>) -> Option<Detection> {
    let lhs = lhs.clone();
    if !matches!(lhs.kind().as_ref(), "identifier" | "selector_expression") {
        return None;
    }
    if !syntax::is_pure_expression(&lhs) || lhs.text() == "_" {
        return None;
    }
    let func = syntax::enclosing_function(stmt)?;
    if stmt
        .ancestors()
        .take_while(|a| a.range() != func.range())
        .any(|a| a.kind() == "defer_statement")
        || func.parent().is_some_and(|p| p.kind() == "defer_statement")
    {
        return None;
    }
    let map_type = types::expr_type(&lhs, ctx.scope)?;
    types::map_parts(&map_type, ctx.scope)?;
    let root_node = crate::go::syntax::selector_root(&lhs)?;
    let root = types::resolve(&root_node.text(), &root_node, ctx.scope);
    let is_local = lhs.kind() == "identifier" && root.as_ref().is_some_and(|b| b.decl_at.is_some());
    let target = Target {
        nil_value: rhs.clone(),
        expr: lhs.clone(),
        text: syntax::squashed(&lhs),
        root_name: root_node.text().to_string(),
        root,
        is_local,
        func: func.clone(),
    };
    if assigned_in_closure(ctx, &func, &target, stmt) {
        return None;
    }
    let segments = syntax::code_after(stmt, &func);
    let mut escapes = is_local && used_in_closure(ctx, &func, &target);
    for seg in &segments {
        match scan(ctx, &seg.node, &target, stmt, &mut escapes) {
            Event::Cancel => return None,
            Event::None => {}
            Event::Write(write) => {
                // Code that tests the map for nil, or writes only where a read
                // found an entry, knows about nil: leave it alone.
                if segments.iter().any(|seg| nil_tested_in(ctx, &seg.node, &target))
                    || guarded_by_read(ctx, &write, &func, &target, stmt)
                {
                    return None;
                }
                escapes |= segments.iter().any(|seg| escapes_in(ctx, &seg.node, &target, stmt));
                let write_stmt = write
                    .ancestors()
                    .find(|a| a.parent().is_some_and(|p| syntax::is_statement_list(&p)))?;
                let unconditional = seg.unconditional && write_stmt.range() == seg.node.range();
                return Some(detection(ctx, stmt, &target, &map_type, &write, escapes, unconditional));
            }
        }
    }
    None
}

fn detection(
    ctx: &RuleContext,
    stmt: &GoNode,
    target: &Target,
    map_type: &str,
    write: &GoNode,
    escapes: bool,
    unconditional: bool,
) -> Detection {
    let name = target.expr.text();
    let line = write.start_pos().line() + 1;
    let mut det = Detection {
        range: stmt.range(),
        message: Some(format!(
            "{name} is set to nil and written at line {line}: the write panics"
        )),
        note: None,
        related: Vec::new(),
        fix: None,
    };
    let imports = match crate::go::types::imports::spelling(map_type, stmt, ctx.scope) {
        Some(imports) if !receiver_is_generic(&target.expr, ctx) => imports,
        _ => {
            det.note = Some(format!(
                "the map type {map_type} cannot be spelled here; use make(...) by hand"
            ));
            return det;
        }
    };
    let mut names = vec!["make"];
    names.extend(crate::go::scope::predeclared_types_in(map_type));
    if let Some(name) = crate::go::scope::first_shadowed(&names, stmt, ctx.scope) {
        det.note = Some(crate::go::scope::shadowed_note(name));
        return det;
    }
    // A write reached on every path after the reset panics on every
    // execution that gets there: no surviving execution can see the change.
    let (safety, why) = if unconditional || (target.is_local && !escapes) {
        (FixSafety::Safe, None)
    } else if target.is_local {
        (
            FixSafety::Unsafe,
            Some("the map is used elsewhere, where nil and empty may differ"),
        )
    } else if never_nil_tested(&target.expr, ctx) {
        (FixSafety::Safe, None)
    } else {
        (
            FixSafety::Unsafe,
            Some("other code may test it for nil; the write is conditional"),
        )
    };
    det.fix = Some(Fix {
        safety,
        description: format!("reset {name} with make({map_type}) instead of nil"),
        unsafe_reason: why.map(String::from),
        edits: vec![TextEdit {
            range: target.nil_value.range(),
            replacement: format!("make({map_type})"),
        }],
        imports,
    });
    det
}

/// An unexported field or package variable that no code of the package
/// compares with nil: nil and empty are then indistinguishable to it.
fn never_nil_tested(expr: &GoNode, ctx: &RuleContext) -> bool {
    let name = match expr.kind().as_ref() {
        "selector_expression" => expr.field("field").map(|f| f.text().to_string()),
        _ => Some(expr.text().to_string()),
    };
    name.is_some_and(|n| n.starts_with(|c: char| c.is_lowercase() || c == '_') && !ctx.scope.is_nil_tested(&n, expr))
}

/// A field of a value whose type has type arguments: the field's declared
/// type may name type parameters the receiver spells differently.
fn receiver_is_generic(expr: &GoNode, ctx: &RuleContext) -> bool {
    expr.field("operand")
        .and_then(|op| types::expr_type(&op, ctx.scope))
        .is_some_and(|t| t.contains('['))
}

enum Event<'r> {
    None,
    Cancel,
    Write(GoNode<'r>),
}

/// Looks through `node` in document order for the first write to the target
/// map, or anything that makes the reset harmless or unknowable.
fn scan<'r>(ctx: &RuleContext, node: &GoNode<'r>, target: &Target, reset: &GoNode, escapes: &mut bool) -> Event<'r> {
    let mut skip_until = 0usize;
    for n in node.dfs() {
        if n.range().start < skip_until {
            continue;
        }
        if n.kind() == "function_literal" {
            skip_until = n.range().end;
            continue;
        }
        if n.range() == reset.range() {
            skip_until = n.range().end;
            continue;
        }
        if n.kind() == "call_expression" && call_may_reinit(ctx, &n, target) {
            return Event::Cancel;
        }
        if !matches!(n.kind().as_ref(), "identifier" | "selector_expression") || !target.is(&n, ctx) {
            continue;
        }
        skip_until = n.range().end;
        let Some(parent) = n.parent() else { continue };
        match classify_use(&n, &parent) {
            Use::NilTest | Use::Assigned | Use::AddressTaken => return Event::Cancel,
            Use::Write(w) => return Event::Write(w),
            Use::Escape => *escapes |= !unobserved::cannot_see_nil(ctx, &n, target, reset, &target.func),
            Use::Read => {}
        }
    }
    Event::None
}

/// Whether `node` compares the target with nil anywhere.
fn nil_tested_in(ctx: &RuleContext, node: &GoNode, target: &Target) -> bool {
    node.dfs().any(|n| {
        matches!(n.kind().as_ref(), "identifier" | "selector_expression")
            && target.is(&n, ctx)
            && n.parent().is_some_and(|p| matches!(classify_use(&n, &p), Use::NilTest))
    })
}

/// Whether the write sits under a condition that reads the map
/// (`if m[k] > 0 { m[k] = 2 }`, `if _, ok := m[k]; ok`, `if len(m) > 0`) or
/// inside a range over it: on a nil map that code never runs. A condition
/// around the reset itself was evaluated before the reset, on the old map
/// (`if len(m) > max { m = nil; m[k] = v }`): it guards nothing.
fn guarded_by_read(ctx: &RuleContext, write: &GoNode, func: &GoNode, target: &Target, reset: &GoNode) -> bool {
    let reads_target = |n: &GoNode| {
        n.dfs()
            .any(|x| matches!(x.kind().as_ref(), "identifier" | "selector_expression") && target.is(&x, ctx))
    };
    let holds_reset = |a: &GoNode| a.range().start <= reset.range().start && reset.range().end <= a.range().end;
    write
        .ancestors()
        .take_while(|a| a.range() != func.range())
        .filter(|a| !holds_reset(a))
        .any(|a| match a.kind().as_ref() {
            "if_statement" => {
                a.field("condition").is_some_and(|c| reads_target(&c))
                    || a.field("init_statement").is_some_and(|i| reads_target(&i))
            }
            "for_statement" => code_children(&a)
                .iter()
                .any(|c| c.kind() == "range_clause" && c.field("right").is_some_and(|r| target.is(&r, ctx))),
            "expression_case_clause" => a.field("value").is_some_and(|v| reads_target(&v)),
            _ => false,
        })
}

/// Whether the target is used in `node` in a way that can tell nil from empty
/// (passed on, returned, stored, compared), anywhere after the reset.
fn escapes_in(ctx: &RuleContext, node: &GoNode, target: &Target, reset: &GoNode) -> bool {
    node.dfs().any(|n| {
        n.range() != reset.range()
            && matches!(n.kind().as_ref(), "identifier" | "selector_expression")
            && target.is(&n, ctx)
            && n.parent().is_some_and(|p| matches!(classify_use(&n, &p), Use::Escape))
            && !unobserved::cannot_see_nil(ctx, &n, target, reset, &target.func)
    })
}

enum Use<'r> {
    NilTest,
    Assigned,
    AddressTaken,
    Write(GoNode<'r>),
    Escape,
    Read,
}

fn classify_use<'r>(n: &GoNode<'r>, parent: &GoNode<'r>) -> Use<'r> {
    match parent.kind().as_ref() {
        "binary_expression" => {
            let other = if parent.field("left").is_some_and(|l| l.range() == n.range()) {
                parent.field("right")
            } else {
                parent.field("left")
            };
            let op = parent
                .field("operator")
                .map(|o| o.text().to_string())
                .unwrap_or_default();
            if (op == "==" || op == "!=") && other.is_some_and(|o| syntax::is_nil(&o)) {
                Use::NilTest
            } else {
                Use::Escape
            }
        }
        "unary_expression" if parent.field("operator").is_some_and(|o| o.text() == "&") => Use::AddressTaken,
        "expression_list" => {
            let Some(stmt) = parent.parent() else {
                return Use::Escape;
            };
            let on_left = stmt.field("left").is_some_and(|l| l.range() == parent.range());
            match stmt.kind().as_ref() {
                "assignment" | "short_var_declaration" if on_left => Use::Assigned,
                "range_clause" if on_left => Use::Assigned,
                _ => Use::Escape,
            }
        }
        "index_expression" if parent.field("operand").is_some_and(|o| o.range() == n.range()) => {
            let Some(up) = parent.parent() else { return Use::Read };
            match up.kind().as_ref() {
                "inc_dec_statement" => Use::Write(parent.clone()),
                "expression_list" => {
                    let stmt = up.parent();
                    let on_left = stmt.as_ref().is_some_and(|s| {
                        s.kind() == "assignment" && s.field("left").is_some_and(|l| l.range() == up.range())
                    });
                    if on_left {
                        Use::Write(parent.clone())
                    } else {
                        Use::Read
                    }
                }
                _ => Use::Read,
            }
        }
        "call_expression" | "arguments" => {
            // `len`, `delete` and `clear` do the same on nil and empty maps.
            let builtin = parent
                .parent()
                .and_then(|c| c.field("function"))
                .is_some_and(|f| matches!(f.text().as_ref(), "len" | "delete" | "clear"));
            let first = code_children(parent).first().is_some_and(|a| a.range() == n.range());
            if builtin && first && parent.kind() == "arguments" {
                Use::Read
            } else {
                Use::Escape
            }
        }
        "range_clause" | "selector_expression" => Use::Read,
        _ => Use::Escape,
    }
}

/// A call that may re-create the map behind our back: a method called on
/// the field's owner, the owner passed on, or (for a package variable) a
/// function of the same package.
fn call_may_reinit(ctx: &RuleContext, call: &GoNode, target: &Target) -> bool {
    if target.is_local {
        return false;
    }
    let Some(func) = call.field("function") else {
        return false;
    };
    if target.expr.kind() == "selector_expression" {
        let owner = target.root_name.as_str();
        let is_owner = |n: &GoNode| n.kind() == "identifier" && n.text() == owner;
        let on_owner = func.kind() == "selector_expression" && func.field("operand").is_some_and(|o| is_owner(&o));
        let passes_owner = call.field("arguments").is_some_and(|args| {
            code_children(&args).iter().any(|a| {
                is_owner(a) || (a.kind() == "unary_expression" && a.field("operand").is_some_and(|o| is_owner(&o)))
            })
        });
        return on_owner || passes_owner;
    }
    func.kind() == "identifier" && ctx.scope.is_package_func(&func.text())
}

/// Whether a function literal inside `func` assigns the target (a closure
/// that may re-create it at any time).
fn assigned_in_closure(ctx: &RuleContext, func: &GoNode, target: &Target, reset: &GoNode) -> bool {
    func.dfs()
        .filter(|n| n.kind() == "function_literal" && n.range() != func.range())
        .any(|lit| {
            lit.dfs().any(|n| {
                n.range() != reset.range()
                    && matches!(n.kind().as_ref(), "assignment" | "short_var_declaration")
                    && n.field("left")
                        .is_some_and(|l| code_children(&l).iter().any(|x| target.is(x, ctx)))
            })
        })
}

/// Whether a closure inside `func` uses the local target in a way that can
/// tell nil from empty (reads, `len`, `range` and writes cannot).
fn used_in_closure(ctx: &RuleContext, func: &GoNode, target: &Target) -> bool {
    func.dfs()
        .filter(|n| n.kind() == "function_literal" && n.range() != func.range())
        .any(|lit| {
            lit.dfs().any(|n| {
                n.kind() == "identifier"
                    && target.is(&n, ctx)
                    && n.parent()
                        .is_none_or(|p| !matches!(classify_use(&n, &p), Use::Read | Use::Write(_)))
            })
        })
}
