//! The static type of a value stored in the map, found from declarations
//! in the same package: untyped constants take their default type,
//! composite literals and conversions their type, identifiers the type of
//! their declaration or initialiser, calls the declared single result of a
//! package function or of a method of a package type (declared in any file
//! of the package), of a few standard-library functions and of an
//! `*http.Request`'s accessors, type assertions the asserted type. Anything
//! else is unknown.

use super::Cx;
use crate::go::syntax::{self, code_children, GoNode};
use crate::go::types::{self, TypeExpr, TypeKind};

/// A type as text; `untyped` for constant expressions without a type yet.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Typed {
    pub text: String,
    pub untyped: bool,
}

impl Typed {
    fn of(text: impl Into<String>) -> Typed {
        Typed {
            text: text.into(),
            untyped: false,
        }
    }
    fn constant(text: &str) -> Typed {
        Typed {
            text: text.into(),
            untyped: true,
        }
    }
}

/// Standard-library functions whose result type is fixed: (import path, function, result with `{}` for the qualifier).
const STDLIB_RESULTS: &[(&str, &str, &str)] = &[
    ("fmt", "Sprintf", "string"),
    ("fmt", "Sprint", "string"),
    ("fmt", "Sprintln", "string"),
    ("fmt", "Errorf", "error"),
    ("errors", "New", "error"),
    ("strconv", "Itoa", "string"),
    ("strconv", "FormatInt", "string"),
    ("strconv", "FormatUint", "string"),
    ("strconv", "FormatFloat", "string"),
    ("strconv", "FormatBool", "string"),
    ("strconv", "Quote", "string"),
    ("strings", "Join", "string"),
    ("strings", "ToLower", "string"),
    ("strings", "ToUpper", "string"),
    ("strings", "TrimSpace", "string"),
    ("strings", "Repeat", "string"),
    ("strings", "ReplaceAll", "string"),
    ("strings", "Split", "[]string"),
    ("strings", "Fields", "[]string"),
    ("time", "Now", "{}.Time"),
    ("time", "Since", "{}.Duration"),
    ("net/http", "StatusText", "string"),
];

/// Fields and accessors of `*http.Request` (read from a handler's request
/// variable), as the path from the variable: `()` marks a call.
const REQUEST_PARTS: &[(&str, &str)] = &[
    ("Method", "string"),
    ("Host", "string"),
    ("RemoteAddr", "string"),
    ("RequestURI", "string"),
    ("Proto", "string"),
    ("ContentLength", "int64"),
    ("URL.Path", "string"),
    ("URL.RawPath", "string"),
    ("URL.RawQuery", "string"),
    ("URL.Host", "string"),
    ("URL.Scheme", "string"),
    ("URL.Fragment", "string"),
    ("URL.Query().Get()", "string"),
    ("Header.Get()", "string"),
    ("FormValue()", "string"),
    ("PostFormValue()", "string"),
    ("PathValue()", "string"),
    ("UserAgent()", "string"),
    ("Referer()", "string"),
];

/// The type a value would have when stored in an `any` (untyped constants
/// converted to their default type); `None` when unknown.
pub fn stored_type(expr: &GoNode, cx: &Cx) -> Option<String> {
    let t = value_type(expr, cx, 0)?;
    if t.text == "nil" {
        return None;
    }
    Some(t.text)
}

fn value_type(expr: &GoNode, cx: &Cx, depth: u8) -> Option<Typed> {
    if depth > 6 {
        return None;
    }
    if let Some(default) = types::basic::untyped_default(expr) {
        // `true` and `false` are constants unless the package declares the name.
        if !syntax::is_bool_literal(expr) || !cx.scope.declares(&expr.text()) {
            return Some(Typed::constant(default));
        }
    }
    let kind = expr.kind();
    match kind.as_ref() {
        "parenthesized_expression" => code_children(expr).first().and_then(|e| value_type(e, cx, depth + 1)),
        "composite_literal" => {
            let ty = expr.field("type")?;
            (ty.kind() != "implicit_length_array_type").then(|| Typed::of(ty.text().to_string()))
        }
        "type_assertion_expression" => expr.field("type").map(|t| Typed::of(t.text().to_string())),
        "unary_expression" => unary_type(expr, cx, depth),
        "binary_expression" => binary_type(expr, cx, depth),
        "identifier" => identifier_type(expr, cx, depth),
        "selector_expression" | "index_expression" => {
            if is_own_map_read(expr, cx) {
                return None;
            }
            types::expr_type(expr, cx.scope)
                .or_else(|| request_part(expr, cx))
                .map(Typed::of)
        }
        "call_expression" => call_type(expr, cx, depth),
        _ => None,
    }
}

/// `m["k"]` on the map being rewritten: its type is what we are computing.
fn is_own_map_read(expr: &GoNode, cx: &Cx) -> bool {
    expr.dfs().any(|n| {
        n.kind() == "identifier"
            && types::resolve(&n.text(), &n, cx.scope).and_then(|b| b.decl_at) == Some(cx.map_decl_at)
    })
}

fn unary_type(expr: &GoNode, cx: &Cx, depth: u8) -> Option<Typed> {
    let op = expr.field("operator")?.text().to_string();
    let operand = expr.field("operand")?;
    match op.as_str() {
        "-" | "+" | "^" => value_type(&operand, cx, depth + 1),
        "!" => Some(Typed::constant("bool")),
        "&" => {
            let inner = value_type(&operand, cx, depth + 1)?;
            (!inner.untyped).then(|| Typed::of(format!("*{}", inner.text)))
        }
        _ => None,
    }
}

fn binary_type(expr: &GoNode, cx: &Cx, depth: u8) -> Option<Typed> {
    let op = expr.field("operator")?.text().to_string();
    if matches!(op.as_str(), "==" | "!=" | "<" | "<=" | ">" | ">=" | "&&" | "||") {
        return Some(Typed::constant("bool"));
    }
    let left = value_type(&expr.field("left")?, cx, depth + 1)?;
    if op == "<<" || op == ">>" {
        return Some(left);
    }
    let right = value_type(&expr.field("right")?, cx, depth + 1)?;
    match (left.untyped, right.untyped) {
        (true, true) => {
            let rank = types::basic::numeric_kind_rank;
            match (rank(&left.text), rank(&right.text)) {
                (Some(a), Some(b)) => Some(if a >= b { left } else { right }),
                _ => (left.text == right.text).then_some(left),
            }
        }
        (true, false) => Some(right),
        (false, true) => Some(left),
        (false, false) => (same_type(&left.text, &right.text)).then_some(left),
    }
}

fn identifier_type(expr: &GoNode, cx: &Cx, depth: u8) -> Option<Typed> {
    let name = expr.text();
    let Some(binding) = types::resolve(&name, expr, cx.scope) else {
        return const_type(expr, &name, cx, depth);
    };
    if binding.decl_at == Some(cx.map_decl_at) {
        return None;
    }
    if let Some(t) = binding.type_text {
        return Some(Typed::of(t));
    }
    let decl_at = binding.decl_at?;
    if let Some(value) = cx.initializer_of(decl_at) {
        let t = value_type(&value, cx, depth + 1)?;
        // A variable initialised with an untyped constant has its default type.
        return Some(Typed::of(t.text));
    }
    if let Some(t) = multi_value_type(cx, decl_at) {
        return Some(Typed::of(t));
    }
    // A range variable, or a name declared from a value of known type.
    types::expr_type(expr, cx.scope).map(Typed::of)
}

/// The type of a constant declared at package level in this file: its
/// written type, or its value's (an untyped constant keeps its kind and
/// takes its default type when stored).
fn const_type(expr: &GoNode, name: &str, cx: &Cx, depth: u8) -> Option<Typed> {
    let root = expr.ancestors().last()?;
    for decl in code_children(&root)
        .into_iter()
        .filter(|d| d.kind() == "const_declaration")
    {
        for spec in decl.dfs().filter(|n| n.kind() == "const_spec") {
            let names: Vec<GoNode> = spec.field_children("name").collect();
            let Some(i) = names.iter().position(|n| n.text() == name) else {
                continue;
            };
            if let Some(t) = spec.field("type") {
                return Some(Typed::of(t.text().to_string()));
            }
            let values = code_children(&spec.field("value")?);
            // `iota` and implicit repetition are left unknown.
            if values.len() != names.len() || values[i].dfs().any(|n| n.text() == "iota") {
                return None;
            }
            return value_type(&values[i], cx, depth + 1);
        }
    }
    None
}

/// Standard-library functions with two results whose first is fixed:
/// (import path, function, first result with `{}` for the qualifier).
const STDLIB_PAIRS: &[(&str, &str, &str)] = &[
    ("strconv", "Atoi", "int"),
    ("strconv", "ParseInt", "int64"),
    ("strconv", "ParseUint", "uint64"),
    ("strconv", "ParseFloat", "float64"),
    ("strconv", "ParseBool", "bool"),
    ("strconv", "Unquote", "string"),
    ("time", "Parse", "{}.Time"),
    ("time", "ParseDuration", "{}.Duration"),
    ("os", "Hostname", "string"),
    ("os", "Getwd", "string"),
    ("os", "ReadFile", "[]byte"),
    ("io", "ReadAll", "[]byte"),
];

/// `n, err := strconv.Atoi(s)`: the first name's type from `STDLIB_PAIRS`.
fn multi_value_type(cx: &Cx, decl_at: usize) -> Option<String> {
    let id = syntax::identifier_at(&cx.search, decl_at)?;
    let left = id.parent().filter(|p| p.kind() == "expression_list")?;
    let stmt = left.parent().filter(|s| s.kind() == "short_var_declaration")?;
    let names = code_children(&left);
    let [call] = code_children(&stmt.field("right")?).try_into().ok()?;
    if names.len() != 2 || names[0].range() != id.range() || call.kind() != "call_expression" {
        return None;
    }
    let func = call.field("function").filter(|f| f.kind() == "selector_expression")?;
    let operand = func.field("operand").filter(|o| o.kind() == "identifier")?;
    if types::resolve(&operand.text(), &operand, cx.scope).is_some() {
        return None;
    }
    let path = cx.import_path(&operand.text())?;
    let name = func.field("field")?.text().to_string();
    let (_, _, result) = STDLIB_PAIRS.iter().find(|(p, f, _)| *p == path && *f == name)?;
    Some(result.replace("{}", &operand.text()))
}

/// Methods of standard-library types with a fixed single result:
/// (import path, type, method, result with `{}` for the qualifier).
const STDLIB_METHODS: &[(&str, &str, &str, &str)] = &[
    ("time", "Time", "Format", "string"),
    ("time", "Time", "String", "string"),
    ("time", "Time", "Unix", "int64"),
    ("time", "Time", "UnixMilli", "int64"),
    ("time", "Time", "UnixNano", "int64"),
    ("time", "Time", "IsZero", "bool"),
    ("time", "Time", "UTC", "{}.Time"),
    ("time", "Time", "Year", "int"),
    ("time", "Duration", "String", "string"),
    ("time", "Duration", "Seconds", "float64"),
    ("time", "Duration", "Milliseconds", "int64"),
];

/// `t.Format(…)` on a value of a standard-library type, from `STDLIB_METHODS`.
fn stdlib_method_type(operand: &GoNode, method: &str, cx: &Cx) -> Option<Typed> {
    let ty = TypeExpr::parse(&types::expr_type(operand, cx.scope)?)?;
    let TypeKind::Qualified { package, name } = ty.without_pointers().kind() else {
        return None;
    };
    let path = cx.import_path(package)?;
    let (_, _, _, result) = STDLIB_METHODS
        .iter()
        .find(|(p, t, m, _)| *p == path && t == name && *m == method)?;
    Some(Typed::of(result.replace("{}", package)))
}

fn call_type(call: &GoNode, cx: &Cx, depth: u8) -> Option<Typed> {
    let func = call.field("function")?;
    let args = code_children(&call.field("arguments")?);
    match func.kind().as_ref() {
        "identifier" => {
            let name = func.text().to_string();
            if types::resolve(&name, &func, cx.scope).is_some() {
                return None; // a local variable holding a function
            }
            match name.as_str() {
                "len" | "cap" if !cx.scope.declares(&name) => return Some(Typed::of("int")),
                "append" if !cx.scope.declares(&name) => return value_type(args.first()?, cx, depth + 1),
                "new" if !cx.scope.declares(&name) => {
                    let arg = args.first()?;
                    return if syntax::may_be_type(arg) {
                        Some(Typed::of(format!("*{}", arg.text())))
                    } else {
                        // Go 1.26's `new(expr)`: a pointer to the value's default type.
                        let inner = value_type(arg, cx, depth + 1)?;
                        Some(Typed::of(format!("*{}", inner.text)))
                    };
                }
                "make" if !cx.scope.declares(&name) => return Some(Typed::of(args.first()?.text().to_string())),
                _ => {}
            }
            if crate::go::types::BASIC_TYPES.contains(&name.as_str()) && !cx.scope.declares(&name) {
                return Some(Typed::of(name));
            }
            if cx.scope.type_decl(&name).is_some() {
                return Some(Typed::of(name));
            }
            cx.scope.func_result(&name).and_then(|r| declared_result(r, cx))
        }
        "selector_expression" => {
            let operand = func.field("operand")?;
            let method = func.field("field")?.text().to_string();
            if operand.kind() == "identifier" && types::resolve(&operand.text(), &operand, cx.scope).is_none() {
                let path = cx.import_path(&operand.text())?;
                let (_, _, result) = STDLIB_RESULTS.iter().find(|(p, f, _)| *p == path && *f == method)?;
                return Some(Typed::of(result.replace("{}", &operand.text())));
            }
            if let Some(t) = method_type(&operand, &method, cx) {
                return Some(t);
            }
            if let Some(t) = stdlib_method_type(&operand, &method, cx) {
                return Some(t);
            }
            if let Some(t) = request_part(call, cx) {
                return Some(Typed::of(t));
            }
            // `Error() string` and `String() string` by universal convention.
            (args.is_empty() && matches!(method.as_str(), "Error" | "String")).then(|| Typed::of("string"))
        }
        // A conversion to a written-out type: `[]byte(s)`, `map[string]int(m)`.
        kind if kind.ends_with("_type") && args.len() == 1 => Some(Typed::of(func.text().to_string())),
        _ => None,
    }
}

/// The result of `operand.method(…)` when the operand's type is a type of
/// the package (or a pointer to one) that declares the method: the
/// receiver of a method, a variable or a field of such a type.
fn method_type(operand: &GoNode, method: &str, cx: &Cx) -> Option<Typed> {
    if is_own_map_read(operand, cx) {
        return None;
    }
    let ty = TypeExpr::parse(&types::expr_type(operand, cx.scope)?)?;
    let name = ty.without_pointers().name()?;
    if cx.is_local_type(name) || cx.scope.type_decl(name).is_none() {
        return None;
    }
    declared_result(cx.scope.method_result(name, method)?, cx)
}

/// A declared result type, when its package qualifiers mean in this file
/// what they mean in the file that declares it.
fn declared_result(r: types::ResultType, cx: &Cx) -> Option<Typed> {
    let agree = TypeExpr::parse(&r.text)?.packages().into_iter().all(|p| {
        let theirs = r.imports.iter().find(|(n, _)| n == p).map(|(_, path)| path.as_str());
        theirs.is_some() && theirs == cx.import_path(p)
    });
    agree.then(|| Typed::of(r.text))
}

/// The type of a part of an `*http.Request` read through a variable of
/// that type (`r.URL.Path`, `r.FormValue("q")`), from `REQUEST_PARTS`.
fn request_part(expr: &GoNode, cx: &Cx) -> Option<String> {
    fn path(e: &GoNode, cx: &Cx, http: &str) -> Option<String> {
        match e.kind().as_ref() {
            "identifier" => {
                let t = TypeExpr::parse(&types::resolve(&e.text(), e, cx.scope)?.type_text?)?;
                let request = TypeKind::Qualified {
                    package: http.to_string(),
                    name: "Request".to_string(),
                };
                (t.pointee().map(TypeExpr::kind) == Some(&request)).then(String::new)
            }
            "selector_expression" => {
                let base = path(&e.field("operand")?, cx, http)?;
                let field = e.field("field")?.text().to_string();
                Some(if base.is_empty() {
                    field
                } else {
                    format!("{base}.{field}")
                })
            }
            "call_expression" => Some(format!("{}()", path(&e.field("function")?, cx, http)?)),
            _ => None,
        }
    }
    let http = cx.import_name("net/http")?;
    let p = path(expr, cx, http)?;
    REQUEST_PARTS.iter().find(|(k, _)| *k == p).map(|(_, t)| t.to_string())
}

/// Type texts equal up to spacing and the aliases `any`/`interface{}`, `byte`/`uint8`, `rune`/`int32`.
pub fn same_type(a: &str, b: &str) -> bool {
    canonical(a) == canonical(b)
}

fn canonical(t: &str) -> String {
    let squashed: String = t.chars().filter(|c| !c.is_whitespace()).collect();
    let squashed = squashed.replace("interface{}", "any");
    match squashed.as_str() {
        "byte" => "uint8".into(),
        "rune" => "int32".into(),
        _ => squashed,
    }
}
