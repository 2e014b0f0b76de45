//! The read side: a goroutine's literal that only reads a captured local
//! map (index, `range`, `fmt` printing, JSON marshalling) while the function
//! that started it writes the map after the `go` statement, or the loop that
//! starts it writes it on a later iteration. Reads are the ones that crash
//! ("concurrent map read and map write"); `len(m)` and a map handed to
//! other functions are not counted.

use super::goroutine::{own_nodes, Goroutine};
use super::target::{is_write_use, Home, MapTarget};
use crate::go::syntax::{self, GoNode};
use crate::go::types;
use crate::rules::RuleContext;

/// A captured local map a goroutine only reads.
pub struct ReadMap<'r> {
    pub target: MapTarget<'r>,
    /// The first read, where the finding points.
    pub first_read: GoNode<'r>,
    /// Start offsets of every use of the map inside the goroutine.
    pub accesses: Vec<usize>,
}

/// The local maps declared outside the literal that it reads and never
/// writes, in order of first read. A literal that waits (a receive, a
/// `select`, `Wait()`) before its first read of a map may be ordered after
/// the spawner's writes: that map is left out.
pub fn read_maps<'r>(ctx: &RuleContext, g: &Goroutine<'r>) -> Vec<ReadMap<'r>> {
    let nodes = own_nodes(g);
    let mut out: Vec<ReadMap<'r>> = Vec::new();
    let mut seen: Vec<String> = Vec::new();
    for n in &nodes {
        if n.kind() != "identifier" || !is_crashing_read(n) {
            continue;
        }
        let name = n.text().to_string();
        if seen.contains(&name) {
            continue;
        }
        seen.push(name.clone());
        let Some(target) = captured_local_map(ctx, g, n) else {
            continue;
        };
        let uses: Vec<&GoNode> = nodes.iter().filter(|u| target.is(u, ctx)).collect();
        if uses.iter().any(|u| is_write_use(u)) {
            continue; // a writer: reported from the write side
        }
        let first = n.range().start;
        if nodes.iter().any(|w| w.range().start < first && waits(w)) {
            continue;
        }
        out.push(ReadMap {
            accesses: uses.iter().map(|u| u.range().start).collect(),
            target,
            first_read: n.clone(),
        });
    }
    out
}

/// A receive, a `select` or a `Wait()` call.
fn waits(node: &GoNode) -> bool {
    match node.kind().as_ref() {
        "unary_expression" => node.field("operator").is_some_and(|o| o.text() == "<-"),
        "select_statement" => true,
        "call_expression" => node
            .field("function")
            .and_then(|f| f.field("field"))
            .is_some_and(|f| f.text() == "Wait"),
        _ => false,
    }
}

/// `m[k]` (not written), `range m`, or `m` handed to `fmt.*` or
/// `json.Marshal`/`MarshalIndent`: reads that walk the map's buckets.
fn is_crashing_read(node: &GoNode) -> bool {
    let Some(parent) = node.parent() else { return false };
    match parent.kind().as_ref() {
        "index_expression" => {
            parent.field("operand").is_some_and(|o| o.range() == node.range())
                && !is_write_use(node)
                && !parent.parent().is_some_and(|p| {
                    p.kind() == "unary_expression" && p.field("operator").is_some_and(|o| o.text() == "&")
                })
        }
        "range_clause" => parent.field("right").is_some_and(|r| r.range() == node.range()),
        "arguments" => parent
            .parent()
            .and_then(|c| c.field("function"))
            .is_some_and(|f| prints_or_marshals(&syntax::squashed(&f))),
        _ => false,
    }
}

fn prints_or_marshals(callee: &str) -> bool {
    callee.starts_with("fmt.") || matches!(callee, "json.Marshal" | "json.MarshalIndent")
}

/// The identifier as a local map variable of an enclosing function,
/// declared outside the literal.
fn captured_local_map<'r>(ctx: &RuleContext, g: &Goroutine, ident: &GoNode<'r>) -> Option<MapTarget<'r>> {
    let root = types::resolve(&ident.text(), ident, ctx.scope)?;
    let decl_at = root.decl_at?;
    if g.literal.range().contains(&decl_at) {
        return None;
    }
    let declared_in_params = ident.ancestors().filter(syntax::is_function).any(|f| {
        ["receiver", "parameters", "result"]
            .iter()
            .filter_map(|field| f.field(field))
            .any(|list| list.range().contains(&decl_at))
    });
    if declared_in_params {
        return None;
    }
    let map_type = types::expr_type(ident, ctx.scope).filter(|t| types::map_parts(t, ctx.scope).is_some())?;
    Some(MapTarget {
        expr: ident.clone(),
        text: ident.text().to_string(),
        root,
        home: Home::Local,
        map_type: Some(map_type),
    })
}

/// Whether the function that starts the goroutine takes an exclusive lock
/// anywhere outside the goroutine: its writes may be ordered by it.
pub fn spawner_locks(g: &Goroutine) -> bool {
    let Some(func) = syntax::enclosing_function(&g.launch) else {
        return true;
    };
    let locks = func.dfs().any(|n| {
        n.kind() == "call_expression"
            && !g.contains(&n)
            && super::goroutine::callee_name(&n).is_some_and(|name| super::goroutine::is_exclusive_lock_call(&name))
    });
    locks
}
