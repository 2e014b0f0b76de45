//! What a use of a candidate map field is: an access the rule counts (index
//! read or write, `delete`, `clear`, `range`, printing or marshalling), the
//! replacement of the whole field, or neither (`len`, a nil test, passing it
//! on). Also the locals that alias a field (`m := c.m`) and the values a
//! function creates and has not yet shared (construction).

use super::candidates::Candidates;
use crate::go::syntax::{code_children, GoNode};
use crate::go::types::{self, PackageScope, TypeExpr, TypeKind};
use std::collections::HashMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccessKind {
    Read,
    Write,
    Range,
    Delete,
    Clear,
    Print,
}

impl AccessKind {
    pub fn is_write(self) -> bool {
        matches!(self, AccessKind::Write | AccessKind::Delete | AccessKind::Clear)
    }

    /// The access as a past participle: "read", "written"…
    pub fn verb(self) -> &'static str {
        match self {
            AccessKind::Read => "read",
            AccessKind::Write => "written",
            AccessKind::Range => "ranged over",
            AccessKind::Delete => "deleted from",
            AccessKind::Clear => "cleared",
            AccessKind::Print => "printed",
        }
    }
}

/// What a use of a map field is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Site {
    Access(AccessKind),
    /// `x.f = …`
    Assign,
}

/// The parent of `node` above any parentheses around it.
pub fn parent_skipping_parens<'r>(node: &GoNode<'r>) -> Option<GoNode<'r>> {
    outer_parens(node).parent()
}

fn outer_parens<'r>(node: &GoNode<'r>) -> GoNode<'r> {
    let mut cur = node.clone();
    while let Some(p) = cur.parent() {
        if p.kind() != "parenthesized_expression" {
            break;
        }
        cur = p;
    }
    cur
}

fn same(a: &GoNode, b: &GoNode) -> bool {
    a.range() == b.range()
}

/// Classifies a use of a map field (`x.f`, or a local aliasing it).
pub fn classify(node: &GoNode) -> Option<Site> {
    let me = outer_parens(node);
    let up = me.parent()?;
    match up.kind().as_ref() {
        "index_expression" if up.field("operand").is_some_and(|o| same(&o, &me)) => {
            let ix = outer_parens(&up);
            let outer = ix.parent()?;
            let write = match outer.kind().as_ref() {
                "expression_list" => outer
                    .parent()
                    .is_some_and(|a| a.kind() == "assignment" && a.field("left").is_some_and(|l| same(&l, &outer))),
                "inc_dec_statement" => true,
                _ => false,
            };
            Some(Site::Access(if write { AccessKind::Write } else { AccessKind::Read }))
        }
        "arguments" => {
            let call = up.parent()?;
            let f = call.field("function")?.text().to_string();
            let first = code_children(&up).first().is_some_and(|a| same(a, &me));
            match f.as_str() {
                "delete" if first => Some(Site::Access(AccessKind::Delete)),
                "clear" if first => Some(Site::Access(AccessKind::Clear)),
                _ if is_printer(&f) => Some(Site::Access(AccessKind::Print)),
                _ => None,
            }
        }
        "range_clause" if up.field("right").is_some_and(|r| same(&r, &me)) => Some(Site::Access(AccessKind::Range)),
        "expression_list" => {
            let a = up.parent()?;
            let whole = a.kind() == "assignment"
                && a.field("left").is_some_and(|l| same(&l, &up))
                && node.kind() == "selector_expression";
            whole.then_some(Site::Assign)
        }
        _ => None,
    }
}

/// `fmt`/`log` printing and `encoding/json` marshalling, which read the whole map.
fn is_printer(f: &str) -> bool {
    f.starts_with("fmt.")
        || f.starts_with("log.")
        || matches!(f, "json.Marshal" | "json.MarshalIndent")
        || (f.starts_with("json.NewEncoder(") && f.ends_with(".Encode"))
}

/// The package type name of an expression's type (`*T`, `T`, `T[K]` → `T`).
pub fn named_type(expr: &GoNode, scope: &PackageScope) -> Option<String> {
    let text = types::expr_type(expr, scope)?;
    let ty = TypeExpr::parse(&text)?;
    match ty.without_pointers().kind() {
        TypeKind::Name(n) => Some(n.clone()),
        TypeKind::Generic { base, .. } => base.name().map(str::to_string),
        _ => None,
    }
}

/// A local holding a candidate field's map: `m := c.m`.
#[derive(Debug, Clone)]
pub struct Alias {
    pub name: String,
    pub base: String,
    pub ty: String,
    pub field: String,
    /// Offsets where the alias holds the field's map.
    pub from: usize,
    pub until: usize,
}

/// The aliases of a function body. A local assigned again, or a field
/// replaced after the alias was taken (swap-and-drain), is no alias.
pub fn aliases(body: &GoNode, scope: &PackageScope, cands: &Candidates) -> Vec<Alias> {
    let mut out = Vec::new();
    for decl in body.dfs().filter(|n| n.kind() == "short_var_declaration") {
        let (Some(left), Some(right)) = (decl.field("left"), decl.field("right")) else {
            continue;
        };
        let (l, r) = (code_children(&left), code_children(&right));
        let ([name], [value]) = (l.as_slice(), r.as_slice()) else {
            continue;
        };
        if value.kind() != "selector_expression" || name.kind() != "identifier" {
            continue;
        }
        let (Some(op), Some(field)) = (value.field("operand"), value.field("field")) else {
            continue;
        };
        let field = field.text().to_string();
        if !cands.is_map_field_name(&field) {
            continue;
        }
        let Some(ty) = named_type(&op, scope) else {
            continue;
        };
        if !cands.is_map_field(&ty, &field) {
            continue;
        }
        let name = name.text().to_string();
        let from = decl.range().end;
        let until = decl.parent().map_or(body.range().end, |p| p.range().end);
        let reassigned = body.dfs().any(|n| {
            n.kind() == "assignment"
                && n.field("left").is_some_and(|l| {
                    code_children(&l)
                        .iter()
                        .any(|t| t.text() == name || (t.range().start >= from && t.text() == value.text()))
                })
        });
        if !reassigned {
            out.push(Alias {
                name,
                base: op.text().to_string(),
                ty,
                field,
                from,
                until,
            });
        }
    }
    out
}

/// Values of candidate types this function creates (`x := &T{…}`,
/// `new(T)`, `var x T`): name → spans in which they are not yet shared.
pub fn fresh_values(body: &GoNode, cands: &Candidates) -> HashMap<String, Vec<(usize, usize)>> {
    let mut out: HashMap<String, Vec<(usize, usize)>> = HashMap::new();
    for decl in body.dfs() {
        let pairs: Vec<(GoNode, Option<GoNode>, Option<GoNode>)> = match decl.kind().as_ref() {
            "short_var_declaration" => {
                let (Some(l), Some(r)) = (decl.field("left"), decl.field("right")) else {
                    continue;
                };
                let (l, r) = (code_children(&l), code_children(&r));
                if l.len() != r.len() {
                    continue;
                }
                l.into_iter().zip(r).map(|(n, v)| (n, Some(v), None)).collect()
            }
            "var_spec" => {
                let names: Vec<_> = decl.field_children("name").collect();
                let values = decl.field("value").map(|v| code_children(&v)).unwrap_or_default();
                let ty = decl.field("type");
                names
                    .into_iter()
                    .enumerate()
                    .map(|(i, n)| (n, values.get(i).cloned(), ty.clone()))
                    .collect()
            }
            _ => continue,
        };
        for (name, value, ty) in pairs {
            let creates = match (&value, &ty) {
                (Some(v), _) => created_type(v).is_some_and(|t| cands.is_type(&t)),
                (None, Some(t)) => cands.is_type(&t.text()),
                _ => false,
            };
            if !creates {
                continue;
            }
            let name_text = name.text().to_string();
            let from = name.range().start;
            let until = escape_point(body, &name_text, decl.range().end).unwrap_or(body.range().end);
            out.entry(name_text).or_default().push((from, until));
        }
    }
    out
}

/// The type name of `&T{…}`, `T{…}` or `new(T)`.
fn created_type(v: &GoNode) -> Option<String> {
    let lit = match v.kind().as_ref() {
        "unary_expression" if v.field("operator").is_some_and(|o| o.text() == "&") => v.field("operand")?,
        "call_expression" if v.field("function").is_some_and(|f| f.text() == "new") => {
            let args = code_children(&v.field("arguments")?);
            return args.first().map(|a| type_name_of(&a.text()));
        }
        _ => v.clone(),
    };
    (lit.kind() == "composite_literal").then(|| lit.field("type").map(|t| type_name_of(&t.text())))?
}

fn type_name_of(text: &str) -> String {
    text.split('[').next().unwrap_or(text).trim().to_string()
}

/// Where a fresh value is first shared: a use of the name that is not
/// `x.f` or `x.m(…)`, or any use inside a closure or a `go` statement.
fn escape_point(body: &GoNode, name: &str, after: usize) -> Option<usize> {
    body.dfs()
        .filter(|n| n.kind() == "identifier" && n.range().start >= after && n.text() == name)
        .find(|id| {
            let in_closure = id
                .ancestors()
                .take_while(|a| a.range() != body.range())
                .any(|a| matches!(a.kind().as_ref(), "function_literal" | "go_statement"));
            let selected = id
                .parent()
                .is_some_and(|p| p.kind() == "selector_expression" && p.field("operand").is_some_and(|o| same(&o, id)));
            in_closure || !selected
        })
        .map(|n| n.range().start)
}
