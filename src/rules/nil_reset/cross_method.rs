//! nil-reset's `cross_method` option: a map field that a method of `T`
//! leaves nil (`s.f = nil` in `Close`) and another method of `T` writes
//! (`s.f[k] = v`, `++`, `op=`), anywhere in the package. A finding at the
//! reset, the construct that makes the write panic, with each such write as
//! a related location; no fix: the remedy for a write after close is a
//! guard. A suppression comment on the reset's line silences the finding
//! (as for any finding); one on a write's line leaves that write out.
//!
//! A write does not count when the writing method, before the write,
//! assigns the field, compares it with nil, tests a field the resetting
//! method also sets (a `closed` flag) or the field itself in a condition (a
//! comma-ok lookup `_, ok := s.f[k]` does not count: it finds nothing on
//! nil and empty maps alike, unless the write runs only when it found an
//! entry), calls a receiver method in a condition, or calls a method of `T`
//! that assigns or nil-tests the field. A call through a func field of `T`
//! is no method call: it neither re-makes the map after a reset nor guards a
//! write.

use super::{Detection, RuleContext};
use crate::diagnostic::RelatedLocation;
use crate::go::lines::LineIndex;
use crate::go::methods::{self, FieldEvent, MethodSummary};
use crate::go::syntax::{self, code_children, GoNode};
use crate::go::types::{self, PackageScope};
use crate::rules::suppress;
use std::collections::HashSet;

/// A write of a receiver's map field in a method, and the other methods of
/// the type whose reset of the field it does not guard against.
#[derive(Debug, Clone)]
struct FieldWrite {
    type_name: String,
    field: String,
    method: String,
    /// The map as written (`s.m`).
    name: String,
    /// Where the write is, in its file (the path is set by the caller).
    at: RelatedLocation,
    /// The methods that leave the field nil, before whose reset the write
    /// is not guarded.
    resetters: Vec<String>,
}

/// The cross-method finding of `lhs = nil` (`lhs` a field of the
/// receiver), if this is the last reset of the field in a method that
/// leaves it nil and some other method of the type writes it unguarded.
pub fn check(ctx: &RuleContext, stmt: &GoNode, lhs: &GoNode) -> Option<Detection> {
    let method = stmt.ancestors().find(|a| a.kind() == "method_declaration")?;
    let (Some(recv), type_name, _) = methods::receiver(&method)? else {
        return None;
    };
    let field = methods::receiver_field(lhs, &recv)?;
    let method_name = method.field("name")?.text().to_string();
    let all = ctx.scope.methods_of(&type_name, stmt);
    let fields = field_names(ctx.scope, &type_name);
    let known = Known {
        all: &all,
        fields: &fields,
    };
    let (summary, _) = all.iter().find(|(m, _)| m.name == method_name)?;
    if !leaves_nil(summary, &field, &known) || last_reset_line(summary, &field) != Some(stmt.start_pos().line() + 1) {
        return None;
    }
    let mut writes: Vec<FieldWrite> = Vec::new();
    let include: fn(&std::path::Path) -> bool = |_| true;
    for (path, found) in ctx.scope.package_derived(stmt, include, field_writes) {
        for w in found.iter() {
            if w.type_name == type_name && w.field == field && w.resetters.contains(&method_name) {
                // The package's files share a directory: name the file as
                // the checked one was reached.
                let mut w = w.clone();
                w.at.path = match path.file_name() {
                    Some(name) => ctx.file.path.with_file_name(name),
                    None => path.clone(),
                };
                writes.push(w);
            }
        }
    }
    let first = writes.first()?;
    let others = match writes.len() {
        1 => String::new(),
        n => format!(" (and {} other write{})", n - 1, if n == 2 { "" } else { "s" }),
    };
    let file = |w: &FieldWrite| {
        w.at.path
            .file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned())
    };
    Some(Detection {
        range: stmt.range(),
        message: Some(format!(
            "{} is set to nil here but {type_name}.{} writes it at {}:{}{others}: after {method_name} the write panics",
            lhs.text(),
            first.method,
            file(first),
            first.at.line
        )),
        note: Some(format!(
            "guard the write with `if {} == nil {{ … }}` (or re-make the map) by hand: no automatic fix",
            first.name
        )),
        related: writes
            .into_iter()
            .map(|mut w| {
                w.at.message = format!("{type_name}.{} writes {} here", w.method, w.name);
                w.at
            })
            .collect(),
        fix: None,
    })
}

/// The field names of the type (empty when it is not declared in the package).
fn field_names(scope: &PackageScope, type_name: &str) -> HashSet<String> {
    scope
        .type_decl(type_name)
        .map(|d| d.fields().map(|(n, _)| n.to_string()).collect())
        .unwrap_or_default()
}

/// The 1-based line of the method's last `recv.field = nil`.
fn last_reset_line(m: &MethodSummary, field: &str) -> Option<usize> {
    m.events.iter().rev().find_map(|e| match e {
        FieldEvent::Assign {
            field: f,
            nil: true,
            line,
        } if f == field => Some(*line),
        _ => None,
    })
}

/// Every unguarded write of a receiver's map field in a method of the
/// file, with the methods that reset it (see the module doc); writes on a
/// line with a suppression comment for nil-reset are left out.
fn field_writes(root: &GoNode, scope: &PackageScope) -> Vec<FieldWrite> {
    let text = root.text();
    let suppressions = suppress::scan(&text);
    let lines = LineIndex::new(&text);
    root.dfs()
        .filter(|n| match n.kind().as_ref() {
            "inc_dec_statement" => true,
            "assignment" => n
                .field("left")
                .is_some_and(|l| code_children(&l).iter().any(|x| x.kind() == "index_expression")),
            _ => false,
        })
        .filter(|w| !suppress::is_suppressed(&suppressions, "nil-reset", w.start_pos().line()))
        .filter_map(|w| field_write(&w, scope, &text, &lines))
        .collect()
}

/// The write's `FieldWrite`, if `write` (an assignment or
/// `inc_dec_statement`) writes a receiver field some other method of the
/// type resets to nil.
fn field_write(write: &GoNode, scope: &PackageScope, text: &str, lines: &LineIndex) -> Option<FieldWrite> {
    let map = written_map(write)?;
    let method = write.ancestors().find(|a| a.kind() == "method_declaration")?;
    let (Some(recv), type_name, _) = methods::receiver(&method)? else {
        return None;
    };
    let field = methods::receiver_field(&map, &recv)?;
    let method_name = method.field("name")?.text().to_string();
    let map_type = types::expr_type(&map, scope)?;
    types::map_parts(&map_type, scope)?;
    let all = scope.methods_of(&type_name, write);
    let fields = field_names(scope, &type_name);
    let known = Known {
        all: &all,
        fields: &fields,
    };
    let resetters: Vec<&(MethodSummary, String)> = all
        .iter()
        .filter(|(m, _)| m.name != method_name && leaves_nil(m, &field, &known))
        .collect();
    if resetters.is_empty() {
        return None;
    }
    let flags: HashSet<&str> = resetters
        .iter()
        .flat_map(|(m, _)| m.assigned_fields())
        .filter(|f| *f != field)
        .collect();
    let body = method.field("body")?;
    if guarded(&body, write, &recv, &field, &flags, &known) {
        return None;
    }
    let mut at = RelatedLocation::new(std::path::Path::new(""), "", 0..0, String::new());
    at.place(text, lines, write.range());
    Some(FieldWrite {
        type_name,
        field,
        method: method_name,
        name: map.text().to_string(),
        at,
        resetters: resetters.iter().map(|(m, _)| m.name.clone()).collect(),
    })
}

/// The map of `m[k] = v`, `m[k] op= v`, `m[k]++`: the first index write of
/// the statement (`a[i], m[k] = …` writes `a` first; only a map operand of
/// the form `recv.field` matters to the caller).
fn written_map<'r>(write: &GoNode<'r>) -> Option<GoNode<'r>> {
    let target = match write.kind().as_ref() {
        "inc_dec_statement" => write.field("operand")?,
        "assignment" => code_children(&write.field("left")?)
            .into_iter()
            .find(|l| l.kind() == "index_expression")?,
        _ => return None,
    };
    if target.kind() != "index_expression" {
        return None;
    }
    target.field("operand")
}

/// The type's methods (with their files) and field names.
struct Known<'a> {
    all: &'a [(MethodSummary, String)],
    fields: &'a HashSet<String>,
}

/// Whether method `m` sets `field` to nil and nothing after that in `m`
/// (an assignment, or a call of a method of the type that assigns it) can
/// make it a map again. Only a pointer receiver's reset reaches the caller.
fn leaves_nil(m: &MethodSummary, field: &str, known: &Known) -> bool {
    if !m.pointer_receiver {
        return false;
    }
    let Some(last_reset) = m
        .events
        .iter()
        .rposition(|e| matches!(e, FieldEvent::Assign { field: f, nil: true, .. } if f == field))
    else {
        return false;
    };
    !m.events[last_reset + 1..].iter().any(|e| match e {
        FieldEvent::Assign { field: f, .. } => f == field,
        FieldEvent::Call { method } => calls_may_touch(method, field, known),
        FieldEvent::NilTest { .. } => false,
    })
}

/// Whether a method of the type named `method` assigns `field` or tests it
/// for nil (an `ensure()`-style lazy init). Unknown methods (embedded,
/// promoted) answer yes; a field of the type (a func value, `s.onClose()`)
/// is no method and cannot reach the unexported map through the receiver.
fn calls_may_touch(method: &str, field: &str, known: &Known) -> bool {
    let found: Vec<_> = known.all.iter().filter(|(m, _)| m.name == method).collect();
    if found.is_empty() {
        return !known.fields.contains(method);
    }
    found.iter().any(|(m, _)| m.may_make(field) || m.nil_tests(field))
}

/// Whether code of the writing method before the write guards it (see the
/// module doc).
fn guarded(body: &GoNode, write: &GoNode, recv: &str, field: &str, flags: &HashSet<&str>, known: &Known) -> bool {
    let before = |n: &GoNode| n.range().start < write.range().start;
    for n in body.dfs().take_while(before) {
        let is_field = |x: &GoNode| methods::receiver_field(x, recv).is_some_and(|f| f == field);
        match n.kind().as_ref() {
            // An earlier write of the same field: the finding is there.
            "index_expression" if n.field("operand").is_some_and(|o| is_field(&o)) && syntax::is_written_index(&n) => {
                return true
            }
            "assignment" => {
                let left = n.field("left").map(|l| code_children(&l)).unwrap_or_default();
                if left.iter().any(is_field) {
                    return true;
                }
            }
            "unary_expression"
                if n.field("operator").is_some_and(|o| o.text() == "&")
                    && n.field("operand").is_some_and(|o| is_field(&o)) =>
            {
                return true
            }
            "binary_expression" => {
                let nil_side = |s: &str| n.field(s).is_some_and(|x| crate::go::syntax::is_nil(&x));
                let op = n.field("operator").map(|o| o.text().to_string()).unwrap_or_default();
                let other = if nil_side("right") {
                    n.field("left")
                } else if nil_side("left") {
                    n.field("right")
                } else {
                    None
                };
                if (op == "==" || op == "!=") && other.is_some_and(|o| is_field(&o)) {
                    return true;
                }
            }
            "call_expression" => {
                let callee = n.field("function").and_then(|f| methods::receiver_field(&f, recv));
                if callee.is_some_and(|m| calls_may_touch(&m, field, known)) {
                    return true;
                }
            }
            _ => {}
        }
        if condition_guards(&n, recv, field, flags) || found_entry_guards(&n, write, recv, field) {
            return true;
        }
    }
    false
}

/// Whether `n` is a condition (of an `if`, `for`, `switch` or `case`, or a
/// range over the field) that reads the field, a field the resetting method
/// sets, or calls a receiver method: code that may know the map is closed.
fn condition_guards(n: &GoNode, recv: &str, field: &str, flags: &HashSet<&str>) -> bool {
    let conditions: Vec<GoNode> = match n.kind().as_ref() {
        "if_statement" => ["condition", "init_statement"]
            .iter()
            .filter_map(|f| n.field(f))
            .collect(),
        "for_statement" => code_children(n)
            .into_iter()
            .filter(|c| matches!(c.kind().as_ref(), "range_clause" | "for_clause"))
            .chain(n.field("condition"))
            .collect(),
        "expression_switch_statement" => n.field("value").into_iter().collect(),
        "expression_case_clause" => n.field("value").into_iter().collect(),
        _ => return false,
    };
    conditions.iter().any(|c| {
        c.dfs().any(|x| {
            if is_comma_ok_lookup(&x) {
                return false;
            }
            if let Some(f) = methods::receiver_field(&x, recv) {
                let called = x.parent().is_some_and(|p| {
                    p.kind() == "call_expression" && p.field("function").is_some_and(|f| f.range() == x.range())
                });
                return f == field || flags.contains(f.as_str()) || called;
            }
            false
        })
    })
}

/// Whether `x` is the map of a comma-ok lookup (`_, ok := s.m[k]`): on a nil
/// map it finds nothing, as on an empty one, so it tells nothing about a
/// reset (`if _, ok := s.m[k]; !ok { s.m[k] = v }` still panics).
fn is_comma_ok_lookup(x: &GoNode) -> bool {
    let Some(index) = x.parent().filter(|p| p.kind() == "index_expression") else {
        return false;
    };
    if index.field("operand").is_none_or(|o| o.range() != x.range()) {
        return false;
    }
    let Some(list) = index.parent().filter(|p| p.kind() == "expression_list") else {
        return false;
    };
    let Some(stmt) = list.parent() else { return false };
    matches!(stmt.kind().as_ref(), "short_var_declaration" | "assignment")
        && stmt.field("right").is_some_and(|r| r.range() == list.range())
        && code_children(&list).len() == 1
        && stmt.field("left").is_some_and(|l| code_children(&l).len() == 2)
}

/// `if v, ok := s.f[k]; ok { … }` (or `ok && …`) around the write: the
/// write runs only where the lookup found an entry, never on a nil map.
fn found_entry_guards(n: &GoNode, write: &GoNode, recv: &str, field: &str) -> bool {
    if n.kind() != "if_statement" {
        return false;
    }
    let in_consequence = n
        .field("body")
        .is_some_and(|c| c.range().start <= write.range().start && write.range().end <= c.range().end);
    let Some(init) = n
        .field("init_statement")
        .filter(|i| i.kind() == "short_var_declaration")
    else {
        return false;
    };
    let lefts = init.field("left").map(|l| code_children(&l)).unwrap_or_default();
    let rights = init.field("right").map(|r| code_children(&r)).unwrap_or_default();
    let (Some(ok), [lookup]) = (lefts.get(1), rights.as_slice()) else {
        return false;
    };
    let looks_up_field = lookup.kind() == "index_expression"
        && lookup
            .field("operand")
            .and_then(|o| methods::receiver_field(&o, recv))
            .is_some_and(|f| f == field);
    let mut cond = n.field("condition");
    while let Some(c) = cond.clone().filter(|c| c.kind() == "binary_expression") {
        if c.field("operator").is_none_or(|o| o.text() != "&&") {
            break;
        }
        cond = c.field("left");
    }
    in_consequence && looks_up_field && cond.is_some_and(|c| c.kind() == "identifier" && c.text() == ok.text())
}
