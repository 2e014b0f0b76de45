//! The maps a goroutine writes: `m[k] = v`, `m[k] op= v`, `m[k]++`,
//! `delete(m, k)` and `clear(m)` on a variable or field declared outside
//! its literal, with the identity used to recognise the same map elsewhere.

use super::goroutine::{own_nodes, Goroutine};
use crate::go::syntax::{self, code_children, GoNode};
use crate::go::types::{self, Binding};
use crate::rules::RuleContext;

/// Where the written map lives.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Home {
    /// A local variable of an enclosing function.
    Local,
    /// A parameter (or receiver) of an enclosing function: the caller's map.
    Parameter,
    /// A package-level variable.
    Package,
    /// A struct field (`s.cache`).
    Field,
}

/// A map written by a goroutine.
pub struct MapTarget<'r> {
    /// The map expression at the first write.
    pub expr: GoNode<'r>,
    /// `expr` with whitespace removed.
    pub text: String,
    /// The root identifier's declaration.
    pub root: Binding,
    pub home: Home,
    /// The map type as declared, when it is written out.
    pub map_type: Option<String>,
}

impl MapTarget<'_> {
    /// Whether `node` denotes the same map (same text, same root variable).
    pub fn is(&self, node: &GoNode, ctx: &RuleContext) -> bool {
        if !matches!(node.kind().as_ref(), "identifier" | "selector_expression") || syntax::squashed(node) != self.text
        {
            return false;
        }
        if node.kind() == "identifier" && is_literal_field_key(node) {
            return false;
        }
        let Some(root) = crate::go::syntax::selector_root(node) else {
            return false;
        };
        types::resolve(&root.text(), &root, ctx.scope).as_ref() == Some(&self.root)
    }

    pub fn name(&self) -> String {
        self.expr.text().to_string()
    }
}

/// `x` in `T{x: 1}`: a field name when T is a struct, never a variable we track.
fn is_literal_field_key(node: &GoNode) -> bool {
    node.parent()
        .filter(|p| p.kind() == "keyed_element")
        .and_then(|keyed| keyed.field("key"))
        .is_some_and(|key| key.range() == node.range())
}

/// A map a goroutine writes, with where it does so.
pub struct WrittenMap<'r> {
    pub target: MapTarget<'r>,
    /// The first write (a statement, or the `delete`/`clear` call).
    pub first_write: GoNode<'r>,
    /// Start offsets of every access to the map inside the goroutine.
    pub accesses: Vec<usize>,
}

/// The maps declared outside the goroutine's literal that it writes, one
/// entry per map, in order of first write.
pub fn written_maps<'r>(ctx: &RuleContext, g: &Goroutine<'r>) -> Vec<WrittenMap<'r>> {
    let nodes = own_nodes(g);
    let mut out: Vec<WrittenMap<'r>> = Vec::new();
    for n in &nodes {
        for (map, write) in write_sites(n) {
            if out.iter().any(|w| w.target.is(&map, ctx)) {
                continue;
            }
            if let Some(target) = captured_map(ctx, g, &map, &write) {
                out.push(WrittenMap {
                    target,
                    first_write: write,
                    accesses: Vec::new(),
                });
            }
        }
    }
    for w in &mut out {
        w.accesses = nodes
            .iter()
            .filter(|n| w.target.is(n, ctx))
            .map(|n| n.range().start)
            .collect();
    }
    out
}

/// The map expressions a node writes, each with the node to report.
pub(super) fn write_sites<'r>(node: &GoNode<'r>) -> Vec<(GoNode<'r>, GoNode<'r>)> {
    let indexed_operand = |e: &GoNode<'r>| (e.kind() == "index_expression").then(|| e.field("operand")).flatten();
    match node.kind().as_ref() {
        "assignment" => node
            .field("left")
            .map(|l| code_children(&l))
            .unwrap_or_default()
            .iter()
            .filter_map(indexed_operand)
            .map(|m| (m, node.clone()))
            .collect(),
        "inc_dec_statement" => node
            .field("operand")
            .as_ref()
            .and_then(indexed_operand)
            .map(|m| vec![(m, node.clone())])
            .unwrap_or_default(),
        "call_expression" => match node.field("function").map(|f| f.text().to_string()).as_deref() {
            Some("delete" | "clear") => node
                .field("arguments")
                .and_then(|a| code_children(&a).into_iter().next())
                .map(|m| vec![(m, node.clone())])
                .unwrap_or_default(),
            _ => Vec::new(),
        },
        _ => Vec::new(),
    }
}

/// The written expression as a map target, when it is a variable or field
/// chain declared outside the literal and known to be a map.
pub(super) fn captured_map<'r>(
    ctx: &RuleContext,
    g: &Goroutine,
    map: &GoNode<'r>,
    write: &GoNode,
) -> Option<MapTarget<'r>> {
    if !matches!(map.kind().as_ref(), "identifier" | "selector_expression") || !is_field_chain(map) {
        return None;
    }
    let root_node = crate::go::syntax::selector_root(map)?;
    let root = types::resolve(&root_node.text(), &root_node, ctx.scope)?;
    if root.decl_at.is_some_and(|at| g.literal.range().contains(&at)) {
        return None;
    }
    let map_type = types::expr_type(map, ctx.scope).filter(|t| types::map_parts(t, ctx.scope).is_some());
    let is_delete = write.kind() == "call_expression" && write.field("function").is_some_and(|f| f.text() == "delete");
    if map_type.is_none() && !is_delete {
        return None;
    }
    let home = if map.kind() == "selector_expression" {
        Home::Field
    } else if root.decl_at.is_none() {
        Home::Package
    } else if is_parameter(map, &root) {
        Home::Parameter
    } else {
        Home::Local
    };
    Some(MapTarget {
        expr: map.clone(),
        text: syntax::squashed(map),
        root,
        home,
        map_type,
    })
}

/// `a`, `a.b`, `a.b.c`: identifiers and field selections only.
fn is_field_chain(node: &GoNode) -> bool {
    match node.kind().as_ref() {
        "identifier" => node.text() != "_",
        "selector_expression" => node.field("operand").is_some_and(|o| is_field_chain(&o)),
        _ => false,
    }
}

/// Whether the binding is a parameter, receiver or result of a function.
fn is_parameter(at: &GoNode, binding: &Binding) -> bool {
    let Some(decl) = binding.decl_at else { return false };
    at.ancestors().filter(syntax::is_function).any(|f| {
        ["receiver", "parameters", "result"]
            .iter()
            .filter_map(|field| f.field(field))
            .any(|list| list.range().contains(&decl))
    })
}

/// Whether a use of the map expression `node` writes it.
pub fn is_write_use(node: &GoNode) -> bool {
    let Some(parent) = node.parent() else { return false };
    match parent.kind().as_ref() {
        "index_expression" if parent.field("operand").is_some_and(|o| o.range() == node.range()) => {
            let Some(up) = parent.parent() else { return false };
            match up.kind().as_ref() {
                "inc_dec_statement" => true,
                "expression_list" => up.parent().is_some_and(|s| {
                    s.kind() == "assignment" && s.field("left").is_some_and(|l| l.range() == up.range())
                }),
                _ => false,
            }
        }
        "arguments" => parent
            .parent()
            .and_then(|c| c.field("function"))
            .is_some_and(|f| matches!(f.text().as_ref(), "delete" | "clear")),
        _ => false,
    }
}
