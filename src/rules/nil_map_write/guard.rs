//! nil-map-write: what in the writing function already deals with a nil
//! map before the write — a nil comparison, an assignment, an earlier write
//! (the finding is there), a condition or `range` that reads the map (on a
//! nil map that code does not run) — and, for a local, the call that gave
//! it its value.

use super::facts::How;
use super::RuleContext;
use crate::go::syntax::{self, code_children, GoNode};

/// Whether code of `func` before the write `stmt` of `map` (`x.f`) tests,
/// assigns or writes `map`, or the write sits under a condition or `range`
/// that reads it.
pub fn guarded(_ctx: &RuleContext, stmt: &GoNode, map: &GoNode, func: &GoNode) -> bool {
    let text = syntax::squashed(map);
    let same = |n: &GoNode| n.kind() == map.kind() && syntax::squashed(n) == text;
    let before = |n: &GoNode| n.range().start < stmt.range().start;
    let used_before = func
        .dfs()
        .take_while(|n| before(n))
        .filter(|n| same(n) && n.range() != map.range())
        .any(|n| {
            let Some(parent) = n.parent() else { return false };
            is_nil_test(&n, &parent) || is_assigned(&n, &parent) || is_index_write(&n, &parent)
        });
    used_before || under_reading_condition(stmt, func, &same)
}

/// `n == nil`, `nil != n`.
fn is_nil_test(n: &GoNode, parent: &GoNode) -> bool {
    if parent.kind() != "binary_expression" {
        return false;
    }
    let op = parent
        .field("operator")
        .map(|o| o.text().to_string())
        .unwrap_or_default();
    let other = if parent.field("left").is_some_and(|l| l.range() == n.range()) {
        parent.field("right")
    } else {
        parent.field("left")
    };
    (op == "==" || op == "!=") && other.is_some_and(|o| syntax::is_nil(&o))
}

/// `n = …` or `n, ok = …`, and `&n` (filled through a pointer).
fn is_assigned(n: &GoNode, parent: &GoNode) -> bool {
    match parent.kind().as_ref() {
        "expression_list" => parent.parent().is_some_and(|s| {
            matches!(s.kind().as_ref(), "assignment" | "short_var_declaration")
                && s.field("left").is_some_and(|l| l.range() == parent.range())
        }),
        "unary_expression" => {
            parent.field("operator").is_some_and(|o| o.text() == "&")
                && parent.field("operand").is_some_and(|o| o.range() == n.range())
        }
        _ => false,
    }
}

/// `n[k] = v`, `n[k] op= v`, `n[k]++`.
fn is_index_write(n: &GoNode, parent: &GoNode) -> bool {
    if parent.kind() != "index_expression" || parent.field("operand").is_none_or(|o| o.range() != n.range()) {
        return false;
    }
    syntax::is_written_index(parent)
}

/// Whether an `if`/`switch`/`case` condition around the write, or a `range`
/// it sits in, reads the map (`if len(x.f) > 0`, `if _, ok := x.f[k]; ok`,
/// `for k := range x.f`): code that runs only when the map has entries.
fn under_reading_condition(stmt: &GoNode, func: &GoNode, same: &dyn Fn(&GoNode) -> bool) -> bool {
    // `v := x.f[k]` before the write: a condition on `v` reads the map too
    // (`if v != nil { x.f[k] = … }` runs only when the map has the entry).
    let entries = entry_locals(stmt, func, same);
    let reads = |n: &GoNode| {
        n.dfs()
            .any(|x| same(&x) || x.kind() == "identifier" && entries.iter().any(|e| *e == x.text()))
    };
    stmt.ancestors()
        .take_while(|a| a.range() != func.range())
        .any(|a| match a.kind().as_ref() {
            "if_statement" => {
                a.field("condition").is_some_and(|c| reads(&c)) || a.field("init_statement").is_some_and(|i| reads(&i))
            }
            "for_statement" => code_children(&a)
                .iter()
                .any(|c| c.kind() == "range_clause" && c.field("right").is_some_and(|r| same(&r))),
            "expression_case_clause" => a.field("value").is_some_and(|v| reads(&v)),
            "expression_switch_statement" => {
                a.field("value").is_some_and(|v| reads(&v)) || a.field("init_statement").is_some_and(|i| reads(&i))
            }
            _ => false,
        })
}

/// Names given a value read from the map (`v := x.f[k]`, `v, ok = x.f[k]`)
/// before `stmt`.
fn entry_locals(stmt: &GoNode, func: &GoNode, same: &dyn Fn(&GoNode) -> bool) -> Vec<String> {
    func.dfs()
        .take_while(|n| n.range().start < stmt.range().start)
        .filter(|n| matches!(n.kind().as_ref(), "assignment" | "short_var_declaration"))
        .filter(|n| {
            n.field("right").is_some_and(|r| {
                r.dfs()
                    .any(|x| x.kind() == "index_expression" && x.field("operand").is_some_and(|o| same(&o)))
            })
        })
        .filter_map(|n| n.field("left"))
        .flat_map(|l| code_children(&l))
        .filter(|l| l.kind() == "identifier" && l.text() != "_")
        .map(|l| l.text().to_string())
        .collect()
}

/// The last assignment before `stmt` in `func` to the local `name`, when
/// its value there is a call of a package function: the statement and the
/// function's name.
pub fn last_call_assignment<'r>(func: &GoNode<'r>, stmt: &GoNode, name: &str) -> Option<(GoNode<'r>, String)> {
    let last = func
        .dfs()
        .take_while(|n| n.range().start < stmt.range().start)
        .filter(|n| matches!(n.kind().as_ref(), "assignment" | "short_var_declaration" | "var_spec"))
        .filter_map(|n| {
            let (left, right) = match n.kind().as_ref() {
                "var_spec" => (n.field_children("name").collect::<Vec<_>>(), n.field("value")?),
                _ => (code_children(&n.field("left")?), n.field("right")?),
            };
            let i = left.iter().position(|l| l.kind() == "identifier" && l.text() == name)?;
            Some((n.clone(), left.len(), i, right))
        })
        .last()?;
    let (assign, count, i, right) = last;
    if assign.range().end > stmt.range().start {
        return None;
    }
    let values = code_children(&right);
    if values.len() != count {
        return None;
    }
    let call = &values[i];
    if call.kind() != "call_expression" {
        return None;
    }
    let callee = call.field("function").filter(|f| f.kind() == "identifier")?;
    Some((assign, callee.text().to_string()))
}

/// Whether, between the assignment and the write, the local is compared
/// with nil, assigned, written, has its address taken or is read by a
/// condition or `range` around the write.
pub fn local_checked_between(_ctx: &RuleContext, assign: &GoNode, stmt: &GoNode, map: &GoNode) -> bool {
    let name = map.text().to_string();
    let same = |n: &GoNode| n.kind() == "identifier" && n.text() == name;
    let Some(func) = syntax::enclosing_function(stmt) else {
        return true;
    };
    let between = func
        .dfs()
        .filter(|n| n.range().start >= assign.range().end && n.range().start < stmt.range().start)
        .filter(|n| same(n))
        .any(|n| {
            let Some(parent) = n.parent() else { return false };
            is_nil_test(&n, &parent) || is_assigned(&n, &parent) || is_index_write(&n, &parent)
        });
    between || under_reading_condition(stmt, &func, &same)
}

/// How the local `owner` got its value, when its last definition or
/// assignment before the write in `func` builds it: `x := &T{…}`,
/// `x = T{…}`, `x := new(T)`, `var x T`.
pub fn local_build(stmt: &GoNode, owner: &GoNode, func: &GoNode) -> Option<LocalBuild> {
    if owner.kind() != "identifier" {
        return None;
    }
    let name = owner.text().to_string();
    let (def, value) = func
        .dfs()
        .take_while(|n| n.range().start < stmt.range().start)
        .filter(|n| matches!(n.kind().as_ref(), "assignment" | "short_var_declaration" | "var_spec"))
        .filter_map(|n| {
            let (left, right) = match n.kind().as_ref() {
                "var_spec" => (
                    n.field_children("name").collect::<Vec<_>>(),
                    n.field("value").map(|v| code_children(&v)).unwrap_or_default(),
                ),
                _ => (
                    n.field("left").map(|l| code_children(&l)).unwrap_or_default(),
                    n.field("right").map(|r| code_children(&r)).unwrap_or_default(),
                ),
            };
            let i = left.iter().position(|l| l.kind() == "identifier" && l.text() == name)?;
            Some((n.clone(), (left.len() == right.len()).then(|| right[i].clone())))
        })
        .last()?;
    if def.range().end > stmt.range().start {
        return None;
    }
    let line = def.start_pos().line() + 1;
    let Some(value) = value else {
        // `var x T` (a var spec without values), or an unknown value.
        let untyped = def.kind() != "var_spec" || def.field("value").is_some();
        return (!untyped).then_some(LocalBuild {
            present: Some(Vec::new()),
            how: How::Var,
            line,
        });
    };
    let lit = match value.kind().as_ref() {
        "unary_expression" => value.field("operand"),
        _ => Some(value.clone()),
    }?;
    match lit.kind().as_ref() {
        "composite_literal" => {
            let body = lit.field("value")?;
            let elems = code_children(&body);
            let present = (elems.iter().all(|e| e.kind() == "keyed_element")).then(|| {
                elems
                    .iter()
                    .filter_map(|e| e.field("key"))
                    .map(|k| k.text().to_string())
                    .collect()
            });
            Some(LocalBuild {
                present,
                how: How::Literal,
                line,
            })
        }
        "call_expression" if lit.field("function").is_some_and(|f| f.text() == "new") => Some(LocalBuild {
            present: Some(Vec::new()),
            how: How::New,
            line,
        }),
        _ => None,
    }
}

/// A local's value as its function builds it (see `local_build`).
pub struct LocalBuild {
    /// The fields given; `None` for a positional literal (all of them).
    pub present: Option<Vec<String>>,
    pub how: How,
    /// 1-based line.
    pub line: usize,
}

impl LocalBuild {
    pub fn omits(&self, field: &str) -> bool {
        self.present.as_ref().is_some_and(|p| !p.iter().any(|f| f == field))
    }
}
