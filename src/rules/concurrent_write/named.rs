//! Goroutines started on a named function or method of the same file, one
//! call away: `go f(m)`, `go s.loop()`, or a literal that calls `f(m)`.
//! The callee's body is summarised (which of its parameters, receiver
//! fields and package-level maps it writes without a lock); the map the
//! spawner hands over is then followed like a literal's captured map.

use super::goroutine::{callee_name, is_exclusive_lock_call};
use super::target::{self, Home, MapTarget};
use crate::go::syntax::{self, code_children, GoNode};
use crate::go::types::{self, PackageScope};
use crate::rules::RuleContext;

/// A map a function writes, as seen from its callers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Written {
    /// Its `i`-th parameter.
    Param(usize),
    /// A field of its receiver (`s.cache` → `cache`).
    RecvField(String),
    /// A package-level variable.
    Package(String),
}

/// One unlocked write of a callee, with the write node (for its line).
pub struct CalleeWrite<'r> {
    pub written: Written,
    /// The write (statement, or `delete`/`clear` call).
    pub at: GoNode<'r>,
}

/// The function or method declaration in this file that a call reaches:
/// `f(…)` → `func f`, `x.m(…)` → the method `m` (of `x`'s type when it is
/// known, else the only method of that name in the file).
pub fn callee_decl<'r>(scope: &PackageScope, call: &GoNode<'r>) -> Option<GoNode<'r>> {
    callee_decl_of(scope, &call.field("function")?)
}

/// The declaration in this file that a function expression (`f`, `x.m`) names.
pub fn callee_decl_of<'r>(scope: &PackageScope, func: &GoNode<'r>) -> Option<GoNode<'r>> {
    let func = func.clone();
    let root = func.ancestors().last()?;
    let decls = code_children(&root);
    match func.kind().as_ref() {
        "identifier" => {
            let decl = decls.into_iter().find(|d| {
                d.kind() == "function_declaration" && d.field("name").is_some_and(|n| n.text() == func.text())
            })?;
            // A local variable of that name is not the package function.
            let shadowed = types::resolve(&func.text(), &func, scope).is_some_and(|b| b.decl_at.is_some());
            (!shadowed).then_some(decl)
        }
        "selector_expression" => {
            let name = func.field("field")?.text().to_string();
            let methods: Vec<GoNode> = decls
                .into_iter()
                .filter(|d| d.kind() == "method_declaration" && d.field("name").is_some_and(|n| n.text() == name))
                .collect();
            if methods.is_empty() {
                return None;
            }
            let operand = func.field("operand")?;
            match types::expr_type(&operand, scope).map(|t| base_type(&t)) {
                Some(t) => methods
                    .into_iter()
                    .find(|m| receiver_type(m).as_deref() == Some(t.as_str())),
                None if methods.len() == 1 => {
                    // An imported package's function is no method of ours.
                    let is_package =
                        operand.kind() == "identifier" && types::resolve(&operand.text(), &operand, scope).is_none();
                    (!is_package).then(|| methods.into_iter().next()).flatten()
                }
                None => None,
            }
        }
        _ => None,
    }
}

/// `*pkg.T[K]` → `T`.
pub(super) fn base_type(t: &str) -> String {
    let t = t.trim_start_matches('*');
    let t = t.split('[').next().unwrap_or(t);
    t.rsplit('.').next().unwrap_or(t).to_string()
}

pub(super) fn receiver_type(method: &GoNode) -> Option<String> {
    let recv = method.field("receiver")?;
    let param = code_children(&recv).into_iter().next()?;
    Some(base_type(&param.field("type")?.text()))
}

/// The names of a function's parameters, in order, up to a variadic one.
fn param_names(decl: &GoNode) -> Vec<String> {
    let Some(params) = decl.field("parameters") else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for p in code_children(&params) {
        if syntax::is_variadic(&p) || p.kind() != "parameter_declaration" {
            break;
        }
        let names: Vec<String> = p.field_children("name").map(|n| n.text().to_string()).collect();
        if names.is_empty() {
            out.push(String::from("_"));
        }
        out.extend(names);
    }
    out
}

/// The maps a function or method writes without a lock: writes outside
/// nested function literals (a callback may run under the caller's lock);
/// nothing when the body takes or releases an exclusive lock anywhere.
pub fn unlocked_writes<'r>(scope: &PackageScope, decl: &GoNode<'r>) -> Vec<CalleeWrite<'r>> {
    let Some(body) = decl.field("body") else {
        return Vec::new();
    };
    let mut nodes = Vec::new();
    collect_outside_literals(&body, &mut nodes);
    // Most bodies write no map: look for writes before looking for locks.
    let sites: Vec<_> = nodes.iter().flat_map(target::write_sites).collect();
    if sites.is_empty() {
        return Vec::new();
    }
    let params = param_names(decl);
    let recv = decl
        .field("receiver")
        .and_then(|r| code_children(&r).into_iter().next())
        .and_then(|p| p.field("name"))
        .map(|n| n.text().to_string());
    let mut out: Vec<CalleeWrite<'r>> = Vec::new();
    for (map, write) in sites {
        let Some(written) = written_kind(scope, decl, &map, &params, recv.as_deref()) else {
            continue;
        };
        if !out.iter().any(|w| w.written == written) {
            out.push(CalleeWrite { written, at: write });
        }
    }
    let locks = || {
        nodes.iter().any(|n| {
            n.kind() == "call_expression"
                && (callee_name(n).is_some_and(|c| is_exclusive_lock_call(&c)) || is_lock_helper_call(scope, n))
        })
    };
    if out.is_empty() || locks() {
        return Vec::new();
    }
    out
}

/// A call of a function of this file that takes an exclusive lock and
/// leaves it held (`func lockState() { mu.Lock() }`): the caller runs under it.
fn is_lock_helper_call(scope: &PackageScope, call: &GoNode) -> bool {
    let Some(decl) = callee_decl(scope, call) else {
        return false;
    };
    let Some(body) = decl.field("body") else { return false };
    let names: Vec<String> = body
        .dfs()
        .filter(|n| n.kind() == "call_expression")
        .filter_map(|n| callee_name(&n))
        .collect();
    names.iter().any(|n| n == "Lock") && !names.iter().any(|n| n == "Unlock")
}

fn collect_outside_literals<'r>(node: &GoNode<'r>, out: &mut Vec<GoNode<'r>>) {
    out.push(node.clone());
    for child in node.children() {
        if child.kind() != "function_literal" {
            collect_outside_literals(&child, out);
        }
    }
}

fn written_kind(
    scope: &PackageScope,
    decl: &GoNode,
    map: &GoNode,
    params: &[String],
    recv: Option<&str>,
) -> Option<Written> {
    let is_map = || {
        types::expr_type(map, scope)
            .and_then(|t| types::map_parts(&t, scope))
            .is_some()
    };
    match map.kind().as_ref() {
        "identifier" => {
            let name = map.text();
            let binding = types::resolve(&name, map, scope)?;
            match binding.decl_at {
                None => (scope.var_type(&name).is_some() && is_map()).then(|| Written::Package(name.to_string())),
                Some(at) => {
                    let params_node = decl.field("parameters")?;
                    if !params_node.range().contains(&at) || !is_map() {
                        return None;
                    }
                    params
                        .iter()
                        .position(|p| p == name.as_ref() as &str)
                        .map(Written::Param)
                }
            }
        }
        "selector_expression" => {
            let operand = map.field("operand")?;
            let recv = recv?;
            if operand.kind() != "identifier" || operand.text() != recv {
                return None;
            }
            let binding = types::resolve(recv, &operand, scope)?;
            let recv_node = decl.field("receiver")?;
            if !binding.decl_at.is_some_and(|at| recv_node.range().contains(&at)) || !is_map() {
                return None;
            }
            Some(Written::RecvField(map.field("field")?.text().to_string()))
        }
        _ => None,
    }
}

/// The spawner's expression for a map the callee writes, as a target:
/// the `i`-th argument, or `x.field` for the receiver `x` of `x.m(…)`.
pub fn spawner_target<'r>(ctx: &RuleContext, call: &GoNode<'r>, written: &Written) -> Option<MapTarget<'r>> {
    let expr = match written {
        Written::Param(i) => code_children(&call.field("arguments")?).into_iter().nth(*i)?,
        Written::RecvField(field) => {
            let func = call.field("function")?;
            let operand = func.field("operand")?;
            // `s.loop()`: the spawner's `s.field`, found among its uses.
            let func_node = syntax::enclosing_function(call)?;
            let text = format!("{}.{field}", syntax::squashed(&operand));
            if let Some(used) = func_node
                .dfs()
                .find(|n| n.kind() == "selector_expression" && syntax::squashed(n) == text)
            {
                return target_of(ctx, &used);
            }
            // Not used by the spawner: still written by the goroutines of
            // other iterations when the launch is in a loop. The receiver
            // variable stands for the map (a new one per iteration when it
            // is declared in the loop).
            if operand.kind() != "identifier" {
                return None;
            }
            let mut target = target_of(ctx, &operand)?;
            target.text = text;
            target.home = Home::Field;
            return Some(target);
        }
        Written::Package(_) => return None,
    };
    target_of(ctx, &expr)
}

fn target_of<'r>(ctx: &RuleContext, expr: &GoNode<'r>) -> Option<MapTarget<'r>> {
    if !matches!(expr.kind().as_ref(), "identifier" | "selector_expression") {
        return None;
    }
    let root_node = syntax::selector_root(expr)?;
    let root = types::resolve(&root_node.text(), &root_node, ctx.scope)?;
    let home = if expr.kind() == "selector_expression" {
        Home::Field
    } else if root.decl_at.is_none() {
        Home::Package
    } else {
        Home::Local
    };
    Some(MapTarget {
        expr: expr.clone(),
        text: syntax::squashed(expr),
        root,
        home,
        map_type: types::expr_type(expr, ctx.scope),
    })
}

/// The callee's name as written at the call (`f`, `s.loop`).
pub fn callee_text(call: &GoNode) -> String {
    call.field("function").map(|f| syntax::squashed(&f)).unwrap_or_default()
}
