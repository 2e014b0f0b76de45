//! How the map variable is used: every occurrence of it in its function is
//! classified as a literal-key access (write, asserted read, plain read), a
//! JSON encode or decode, fmt printing, or a use that makes it a real map.

use super::MapDecl;
use crate::syntax::{self, code_children, GoNode};
use crate::types;

/// One occurrence of the map variable.
pub enum Use<'r> {
    /// `m["key"]` in some role.
    Key {
        index: GoNode<'r>,
        key: String,
        access: Access<'r>,
    },
    /// `json.Marshal(m)`, `json.MarshalIndent(m, …)`, `enc.Encode(m)`.
    JsonEncode(GoNode<'r>),
    /// `json.Unmarshal(data, &m)`.
    JsonDecode,
    /// A use the map allows and a struct would change: why.
    NoFix(String),
    /// Anything that treats it as a map (range, len, delete, passed on,
    /// returned, stored, non-literal key) or that mapfix does not know.
    RealMap,
}

/// What a literal-key access does.
pub enum Access<'r> {
    /// `m["k"] = value` (`stmt` is the assignment).
    Write { value: GoNode<'r>, stmt: GoNode<'r> },
    /// `m["k"].(T)` in a single-value context; `node` is the assertion.
    AssertedRead { node: GoNode<'r>, ty: String },
    /// `m["k"]` where a value of the field's type serves as well as `any`.
    Read,
    /// An access whose meaning changes on a struct: why.
    Problem(String),
}

/// Import names of the packages the classification needs.
pub struct Imports {
    pub json: Option<String>,
    pub fmt: Option<String>,
}

/// The local name under which `root` imports `path` (`None`: not imported,
/// or imported as `_` or `.`).
pub fn import_name(root: &GoNode, path: &str) -> Option<String> {
    for spec in root.dfs().filter(|n| n.kind() == "import_spec") {
        let Some(p) = spec.field("path") else { continue };
        if p.text().trim_matches(['"', '`']) != path {
            continue;
        }
        return match spec.field("name") {
            Some(n) if matches!(n.text().as_ref(), "_" | ".") => None,
            Some(n) => Some(n.text().to_string()),
            None => path.rsplit('/').next().map(str::to_string),
        };
    }
    None
}

/// The occurrences of the declared variable inside `func`, in source order.
pub fn collect<'r>(decl: &MapDecl<'r>, func: &GoNode<'r>, imports: &Imports, cx: &super::Cx) -> Vec<Use<'r>> {
    let name = decl.name.text().to_string();
    let decl_at = decl.name.range().start;
    func.dfs()
        .filter(|n| n.kind() == "identifier" && n.text() == name && n.range().start >= decl.scope_start)
        .filter(|n| !declares_new_variable(n, &decl.scope))
        .filter(|n| types::resolve(&name, n, cx.scope).and_then(|b| b.decl_at) == Some(decl_at))
        .map(|n| classify(&n, imports, cx))
        .collect()
}

/// Whether the identifier declares a variable of its own (shadowing the
/// map) rather than using it: a `var` name, a parameter, a `:=` or range
/// variable outside the map's own scope (where `:=` would reassign it).
fn declares_new_variable(n: &GoNode, map_scope: &std::ops::Range<usize>) -> bool {
    let Some(parent) = n.parent() else { return false };
    match parent.kind().as_ref() {
        "var_spec" | "const_spec" | "parameter_declaration" => {
            parent.field_children("name").any(|x| x.range() == n.range())
        }
        "expression_list" => {
            let Some(stmt) = parent.parent() else { return false };
            let on_left = stmt.field("left").is_some_and(|l| l.range() == parent.range());
            match stmt.kind().as_ref() {
                "short_var_declaration" => on_left && stmt.parent().is_none_or(|p| p.range() != *map_scope),
                "range_clause" => on_left && stmt.children().any(|c| c.kind() == ":="),
                _ => false,
            }
        }
        _ => false,
    }
}

fn classify<'r>(n: &GoNode<'r>, imports: &Imports, cx: &super::Cx) -> Use<'r> {
    let Some(parent) = n.parent() else { return Use::RealMap };
    match parent.kind().as_ref() {
        "index_expression" if parent.field("operand").is_some_and(|o| o.range() == n.range()) => {
            match parent.field("index").and_then(|i| literal_key(&i)) {
                // `v, ok := m["k"]` tests membership, which only a map can answer.
                Some(_) if in_comma_ok(&parent) => Use::RealMap,
                Some(key) => Use::Key {
                    access: access(&parent, &key),
                    index: parent,
                    key,
                },
                None => Use::RealMap,
            }
        }
        "arguments" => {
            let Some(call) = parent.parent() else {
                return Use::RealMap;
            };
            let args = code_children(&parent);
            let first = args.first().is_some_and(|a| a.range() == n.range());
            let name = n.text();
            if is_pkg_call(&call, imports.json.as_deref(), &["Marshal", "MarshalIndent"]) && first
                || args.len() == 1 && is_encoder_call(&call, imports, cx)
            {
                if call
                    .parent()
                    .is_some_and(|s| matches!(s.kind().as_ref(), "defer_statement" | "go_statement"))
                {
                    return Use::NoFix(format!(
                        "{name} is encoded by a defer or go statement, which would copy a struct before later writes"
                    ));
                }
                Use::JsonEncode(call)
            } else if is_pkg_call(&call, imports.fmt.as_deref(), &[]) {
                Use::NoFix(format!(
                    "{name} is printed with fmt, and a struct prints differently (no key names, field order)"
                ))
            } else {
                Use::RealMap
            }
        }
        "unary_expression" if parent.field("operator").is_some_and(|o| o.text() == "&") => {
            let list = parent.parent().filter(|l| l.kind() == "arguments");
            let call = list.as_ref().and_then(|l| l.parent());
            let args = list.as_ref().map(code_children).unwrap_or_default();
            let second = args.len() == 2 && args[1].range() == parent.range();
            match call {
                Some(c) if second && is_pkg_call(&c, imports.json.as_deref(), &["Unmarshal"]) => Use::JsonDecode,
                _ => Use::RealMap,
            }
        }
        _ => Use::RealMap,
    }
}

/// The value of a string-literal index when it is plain text (no escapes).
pub fn literal_key(index: &GoNode) -> Option<String> {
    let text = index.text();
    match index.kind().as_ref() {
        "interpreted_string_literal" if !text.contains('\\') => Some(text[1..text.len() - 1].to_string()),
        "raw_string_literal" if !text.contains('\r') => Some(text[1..text.len() - 1].to_string()),
        _ => None,
    }
}

/// `pkg.F(…)` for the package imported as `pkg` (any function when `funcs` is empty).
fn is_pkg_call(call: &GoNode, pkg: Option<&str>, funcs: &[&str]) -> bool {
    let Some(pkg) = pkg else { return false };
    let Some(f) = call.field("function").filter(|f| f.kind() == "selector_expression") else {
        return false;
    };
    let on_pkg = f
        .field("operand")
        .is_some_and(|o| o.kind() == "identifier" && o.text() == pkg);
    on_pkg
        && f.field("field")
            .is_some_and(|x| funcs.is_empty() || funcs.contains(&x.text().as_ref()))
}

/// `X.Encode(m)` where X is `json.NewEncoder(…)` or a variable holding one.
fn is_encoder_call(call: &GoNode, imports: &Imports, cx: &super::Cx) -> bool {
    let Some(json) = imports.json.as_deref() else {
        return false;
    };
    let Some(f) = call.field("function").filter(|f| f.kind() == "selector_expression") else {
        return false;
    };
    if f.field("field").is_none_or(|x| x.text() != "Encode") {
        return false;
    }
    let Some(recv) = f.field("operand") else { return false };
    let new_encoder = |e: &GoNode| e.kind() == "call_expression" && is_pkg_call(e, Some(json), &["NewEncoder"]);
    if new_encoder(&recv) {
        return true;
    }
    if recv.kind() != "identifier" {
        return false;
    }
    let Some(binding) = types::resolve(&recv.text(), &recv, cx.scope) else {
        return false;
    };
    if binding
        .type_text
        .as_deref()
        .is_some_and(|t| t.replace(' ', "") == format!("*{json}.Encoder"))
    {
        return true;
    }
    binding
        .decl_at
        .and_then(|at| cx.initializer_of(at))
        .is_some_and(|v| new_encoder(&v))
}

/// What `m["k"]` (the index expression `ix`) does where it stands.
fn access<'r>(ix: &GoNode<'r>, key: &str) -> Access<'r> {
    let mut node = ix.clone();
    while let Some(p) = node.parent().filter(|p| p.kind() == "parenthesized_expression") {
        node = p;
    }
    let Some(parent) = node.parent() else {
        return Access::Problem(String::new());
    };
    let problem = |why: &str| Access::Problem(format!("m[{key:?}] {why}"));
    match parent.kind().as_ref() {
        "type_assertion_expression" => match parent.field("type") {
            Some(_) if in_comma_ok(&parent) => {
                problem("is read with a comma-ok type assertion, which a struct field cannot reproduce")
            }
            Some(ty) => Access::AssertedRead {
                node: parent.clone(),
                ty: ty.text().to_string(),
            },
            None => problem("is used in a type switch"),
        },
        "expression_list" => {
            let Some(stmt) = parent.parent() else {
                return problem("is used where its type matters");
            };
            let left = stmt.field("left").is_some_and(|l| l.range() == parent.range());
            let lhs = assigned(&stmt);
            let rhs = stmt
                .field("right")
                .or_else(|| stmt.field("value"))
                .map(|r| code_children(&r))
                .unwrap_or_default();
            match stmt.kind().as_ref() {
                "assignment" if left => {
                    let op = stmt.field("operator").map(|o| o.text().to_string()).unwrap_or_default();
                    let i = lhs.iter().position(|x| x.range() == node.range());
                    match i {
                        Some(i) if op == "=" && lhs.len() == rhs.len() => Access::Write {
                            value: rhs[i].clone(),
                            stmt: stmt.clone(),
                        },
                        _ => problem("is assigned in a way a struct field cannot reproduce"),
                    }
                }
                "assignment" if lhs.len() == rhs.len() => Access::Read,
                "var_spec" if stmt.field("type").is_some() => Access::Read,
                "return_statement" => Access::Read,
                _ => problem("is stored in a new variable whose type would change from any"),
            }
        }
        "return_statement" | "arguments" | "keyed_element" | "literal_value" => Access::Read,
        "binary_expression" => {
            let nil = [parent.field("left"), parent.field("right")]
                .into_iter()
                .flatten()
                .any(|x| syntax::is_nil(&x));
            if nil {
                problem("is compared with nil; a struct field is never nil")
            } else {
                problem("is compared; its static type would change")
            }
        }
        _ => problem("is used where its static type matters"),
    }
}

/// `v, ok := x` / `v, ok = x` / `var v, ok = x` for a single expression `x`
/// (a type assertion or an index expression).
fn in_comma_ok(expr: &GoNode) -> bool {
    let Some(list) = expr.parent().filter(|p| p.kind() == "expression_list") else {
        return false;
    };
    let Some(stmt) = list.parent() else { return false };
    let right = stmt.field("right").or_else(|| stmt.field("value"));
    right.is_some_and(|r| r.range() == list.range()) && code_children(&list).len() == 1 && assigned(&stmt).len() == 2
}

/// The left side of an assignment, `:=` or `var` spec.
fn assigned<'r>(stmt: &GoNode<'r>) -> Vec<GoNode<'r>> {
    if stmt.kind() == "var_spec" {
        return stmt.field_children("name").collect();
    }
    stmt.field("left").map(|l| code_children(&l)).unwrap_or_default()
}
