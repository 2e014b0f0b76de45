//! How the map variable is used: every occurrence of it in its function is
//! classified as a literal-key access (write, asserted read, plain read), a
//! JSON encode or decode, fmt printing, or a use that makes it a real map.

use super::MapDecl;
use crate::go::syntax::{self, code_children, GoNode};
use crate::go::types;

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
    /// `json.Unmarshal(data, &m)`, `dec.Decode(&m)` (`json.NewDecoder(r)`
    /// or a variable holding one); with why a struct would decode
    /// differently, when it would.
    JsonDecode(Option<String>),
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
    /// `m["k"] == true`: compared with an untyped constant, whose default
    /// type this is. A field of that type compares the same way.
    Compared(String),
    /// An access whose meaning changes on a struct: why.
    Problem(String),
    /// A read that asks for the value's dynamic type, directly or through a
    /// variable holding it: a type switch, or comma-ok assertions to `types`.
    Inspected {
        why: String,
        types: Vec<String>,
        switched: bool,
    },
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
        // `request{body: b}`: a struct field's name, not the variable (a map
        // cannot be a map key, and array keys are constants).
        .filter(|n| {
            !n.parent()
                .is_some_and(|p| p.kind() == "keyed_element" && p.field("key").is_some_and(|k| k.range() == n.range()))
        })
        .filter(|n| types::resolve(&name, n, cx.scope).and_then(|b| b.decl_at) == Some(decl_at))
        .map(|n| classify(&n, func, imports, cx))
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

fn classify<'r>(n: &GoNode<'r>, func: &GoNode<'r>, imports: &Imports, cx: &super::Cx) -> Use<'r> {
    let Some(parent) = n.parent() else { return Use::RealMap };
    match parent.kind().as_ref() {
        "index_expression" if parent.field("operand").is_some_and(|o| o.range() == n.range()) => {
            match parent.field("index").and_then(|i| literal_key(&i)) {
                // `v, ok := m["k"]` tests membership, which only a map can answer.
                Some(_) if in_comma_ok(&parent) => Use::RealMap,
                Some(key) => Use::Key {
                    access: access(&parent, &n.text(), &key, func, cx),
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
            let only = args.len() == 1 && args[0].range() == parent.range();
            let first = args.first().is_some_and(|a| a.range() == parent.range());
            // `json.Marshal(&m)`, `enc.Encode(&m)`: a pointer to a struct
            // encodes as the struct does.
            if let Some(c) = &call {
                let encodes = first && is_pkg_call(c, imports.json.as_deref(), &["Marshal", "MarshalIndent"])
                    || only && is_encoder_call(c, imports, cx);
                let deferred = c
                    .parent()
                    .is_some_and(|s| matches!(s.kind().as_ref(), "defer_statement" | "go_statement"));
                if encodes && !deferred {
                    return Use::JsonEncode(c.clone());
                }
            }
            match call {
                Some(c) if second && is_pkg_call(&c, imports.json.as_deref(), &["Unmarshal"]) => Use::JsonDecode(None),
                Some(c) if only => match decoder_call(&c, func, imports, cx) {
                    Some(strict) => Use::JsonDecode(strict.then(|| {
                        format!(
                            "{} is decoded with DisallowUnknownFields: a struct would reject the keys it lacks, a map takes them all",
                            n.text()
                        )
                    })),
                    None => Use::RealMap,
                },
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
    coder_receiver(call, ("Encode", "NewEncoder", "Encoder"), imports, cx).is_some()
}

/// `X.Decode(&m)` where X is `json.NewDecoder(…)` or a variable holding
/// one: whether the decoder is told to reject unknown fields (a variable
/// on which `func` calls `DisallowUnknownFields`).
fn decoder_call(call: &GoNode, func: &GoNode, imports: &Imports, cx: &super::Cx) -> Option<bool> {
    let recv = coder_receiver(call, ("Decode", "NewDecoder", "Decoder"), imports, cx)?;
    if recv.kind() != "identifier" {
        return Some(false);
    }
    let strict = func.dfs().any(|c| {
        c.kind() == "call_expression"
            && c.field("function").is_some_and(|f| {
                f.kind() == "selector_expression"
                    && f.field("operand").is_some_and(|o| o.text() == recv.text())
                    && f.field("field").is_some_and(|x| x.text() == "DisallowUnknownFields")
            })
    });
    Some(strict)
}

/// The receiver X of `X.METHOD(…)` when X is `json.NEW(…)`, or a variable
/// of type `*json.TYPE` or initialised with `json.NEW(…)`.
fn coder_receiver<'r>(
    call: &GoNode<'r>,
    (method, new, ty): (&str, &str, &str),
    imports: &Imports,
    cx: &super::Cx,
) -> Option<GoNode<'r>> {
    let json = imports.json.as_deref()?;
    let f = call.field("function").filter(|f| f.kind() == "selector_expression")?;
    if f.field("field").is_none_or(|x| x.text() != method) {
        return None;
    }
    let recv = f.field("operand")?;
    let made = |e: &GoNode| e.kind() == "call_expression" && is_pkg_call(e, Some(json), &[new]);
    if made(&recv) {
        return Some(recv);
    }
    if recv.kind() != "identifier" {
        return None;
    }
    let binding = types::resolve(&recv.text(), &recv, cx.scope)?;
    let typed = binding
        .type_text
        .as_deref()
        .is_some_and(|t| t.replace(' ', "") == format!("*{json}.{ty}"));
    let initialised = || {
        binding
            .decl_at
            .and_then(|at| cx.initializer_of(at))
            .is_some_and(|v| made(&v))
    };
    (typed || initialised()).then_some(recv)
}

/// What `m["k"]` (the index expression `ix` on the map named `map`) does where it stands.
fn access<'r>(ix: &GoNode<'r>, map: &str, key: &str, func: &GoNode<'r>, cx: &super::Cx) -> Access<'r> {
    let mut node = ix.clone();
    while let Some(p) = node.parent().filter(|p| p.kind() == "parenthesized_expression") {
        node = p;
    }
    let Some(parent) = node.parent() else {
        return Access::Problem(String::new());
    };
    let problem = |why: &str| Access::Problem(format!("{map}[{key:?}] {why}"));
    match parent.kind().as_ref() {
        "type_switch_statement" if parent.field("operand").is_some_and(|o| o.range() == node.range()) => {
            Access::Inspected {
                why: format!("{map}[{key:?}] is used in a type switch"),
                types: Vec::new(),
                switched: true,
            }
        }
        "type_assertion_expression" => match parent.field("type") {
            Some(ty) if in_comma_ok(&parent) => Access::Inspected {
                why: format!(
                    "{map}[{key:?}] is read with a comma-ok type assertion, which a struct field cannot reproduce"
                ),
                types: vec![ty.text().to_string()],
                switched: false,
            },
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
                _ => {
                    let why = format!("{map}[{key:?}] is stored in a new variable whose type would change from any");
                    let i = rhs.iter().position(|x| x.range() == node.range());
                    let held = i.filter(|_| lhs.len() == rhs.len()).map(|i| lhs[i].clone());
                    match held.map(|v| inspections(&v, func, cx)) {
                        Some((types, switched)) if switched || !types.is_empty() => {
                            Access::Inspected { why, types, switched }
                        }
                        _ => Access::Problem(why),
                    }
                }
            }
        }
        "return_statement" | "arguments" | "keyed_element" | "literal_value" => Access::Read,
        "binary_expression" => {
            let nil = [parent.field("left"), parent.field("right")]
                .into_iter()
                .flatten()
                .any(|x| syntax::is_nil(&x));
            let op = parent.field("operator").map(|o| o.text().to_string());
            let other = [parent.field("left"), parent.field("right")]
                .into_iter()
                .flatten()
                .find(|x| x.range() != node.range());
            let constant = other
                .as_ref()
                .filter(|o| !syntax::is_bool_literal(o) || !cx.scope.declares(&o.text()))
                .and_then(types::basic::untyped_default);
            match (nil, op.as_deref(), constant) {
                (true, _, _) => problem("is compared with nil; a struct field is never nil"),
                (false, Some("==" | "!="), Some(ty)) => Access::Compared(ty.to_string()),
                _ => problem("is compared; its static type would change"),
            }
        }
        _ => problem("is used where its static type matters"),
    }
}

/// How `func` asks for the dynamic type of the variable `var` declares:
/// the types it is asserted to, and whether it is type-switched.
fn inspections(var: &GoNode, func: &GoNode, cx: &super::Cx) -> (Vec<String>, bool) {
    let (name, at) = (var.text().to_string(), var.range().start);
    let mut types = Vec::new();
    let mut switched = false;
    let uses = func.dfs().filter(|n| {
        n.kind() == "identifier"
            && n.text() == name
            && n.range().start > at
            && types::resolve(&name, n, cx.scope).and_then(|b| b.decl_at) == Some(at)
    });
    for n in uses {
        let Some(p) = n.parent() else { continue };
        match p.kind().as_ref() {
            "type_switch_statement" if p.field("operand").is_some_and(|o| o.range() == n.range()) => switched = true,
            "type_assertion_expression" => types.extend(p.field("type").map(|t| t.text().to_string())),
            _ => {}
        }
    }
    (types, switched)
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
