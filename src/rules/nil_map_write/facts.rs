//! nil-map-write's per-file facts, gathered once per file of the package
//! (`PackageScope::package_derived`): which package struct types the file
//! builds without some of their fields, which fields it assigns outside
//! composite literals, and which of its functions return a nil map.

use crate::go::syntax::{self, code_children, GoNode};
use crate::go::types::{self, PackageScope, TypeExpr, TypeKind};
use std::collections::{HashMap, HashSet};

/// What one file tells about the package's values.
#[derive(Debug, Default)]
pub struct FileFacts {
    /// A `// Code generated … DO NOT EDIT.` file: its constructions are a
    /// generator's (decoders, deep copies that fill the fields); its
    /// assignments still count.
    pub generated: bool,
    /// Values of package types built with some fields left out.
    pub builds: Vec<Build>,
    /// Names of fields assigned outside composite literals (`x.f = …`,
    /// `x.f, ok = …`) or whose address is taken (`&x.f`), in any type.
    pub assigned: HashSet<String>,
    /// Package functions whose single result is a map type and that have a
    /// `return nil` path: name → line of that `return`.
    pub nil_map_funcs: HashMap<String, usize>,
}

/// One construction of a value of package type `type_name`.
#[derive(Debug, Clone)]
pub struct Build {
    pub type_name: String,
    /// The fields given a value; `None` when every field is (a positional literal).
    pub present: Option<Vec<String>>,
    pub how: How,
    /// 1-based line.
    pub line: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum How {
    /// `T{…}`, `&T{…}`, or an element of a `[]T{…}` literal.
    Literal,
    /// `new(T)`.
    New,
    /// `var v T`.
    Var,
    /// `json.Unmarshal(data, &v)`, `dec.Decode(&v)`: the field stays nil
    /// when the input lacks it. Holds the callee's text.
    Decoded(String),
}

impl Build {
    /// Whether the value is built without giving `field` a value.
    pub fn omits(&self, field: &str) -> bool {
        self.present.as_ref().is_some_and(|p| !p.iter().any(|f| f == field))
    }
}

/// The facts of the file whose root is `root`.
pub fn gather(root: &GoNode, scope: &PackageScope) -> FileFacts {
    let mut facts = FileFacts {
        generated: crate::go::load::is_generated(&root.text()),
        ..FileFacts::default()
    };
    let is_struct = |name: &str| scope.type_decl(name).is_some_and(|d| d.is_struct());
    for n in root.dfs() {
        match n.kind().as_ref() {
            "composite_literal" => literal_builds(&n, &is_struct, &mut facts.builds),
            "call_expression" => call_builds(&n, scope, &is_struct, &mut facts.builds),
            "var_spec" if n.field("value").is_none() => {
                let Some(name) = n.field("type").and_then(|t| local_type_name(&t)) else {
                    continue;
                };
                if is_struct(&name) {
                    facts.builds.push(build(name, Some(Vec::new()), How::Var, &n));
                }
            }
            "assignment" => {
                for l in n.field("left").map(|l| code_children(&l)).unwrap_or_default() {
                    if let Some(f) = selected_field(&l) {
                        facts.assigned.insert(f);
                    }
                }
            }
            "unary_expression" if n.field("operator").is_some_and(|o| o.text() == "&") => {
                if let Some(f) = n.field("operand").and_then(|o| selected_field(&o)) {
                    facts.assigned.insert(f);
                }
            }
            "function_declaration" => {
                if let Some((name, line)) = nil_map_func(&n, scope) {
                    facts.nil_map_funcs.insert(name, line);
                }
            }
            _ => {}
        }
    }
    facts
}

fn build(type_name: String, present: Option<Vec<String>>, how: How, at: &GoNode) -> Build {
    Build {
        type_name,
        present,
        how,
        line: at.start_pos().line() + 1,
    }
}

/// `x.f` (after parentheses) → `f`.
fn selected_field(n: &GoNode) -> Option<String> {
    match n.kind().as_ref() {
        "selector_expression" => n.field("field").map(|f| f.text().to_string()),
        "parenthesized_expression" => code_children(n).first().and_then(selected_field),
        _ => None,
    }
}

/// The name of a type expression naming a non-generic type of this package.
fn local_type_name(ty: &GoNode) -> Option<String> {
    matches!(ty.kind().as_ref(), "type_identifier" | "identifier").then(|| ty.text().to_string())
}

/// The fields a literal value gives (`None`: positional, so all of them).
fn present_fields(value: &GoNode) -> Option<Vec<String>> {
    let elems = code_children(value);
    if elems.iter().any(|e| e.kind() != "keyed_element") {
        return None;
    }
    Some(
        elems
            .iter()
            .filter_map(|e| e.field("key"))
            .map(|k| k.text().to_string())
            .collect(),
    )
}

/// `T{…}` of a package struct type, and the elided `{…}` elements of a
/// `[]T{…}`, `[]*T{…}`, `[N]T{…}` or `map[K]T{…}` literal.
fn literal_builds(lit: &GoNode, is_struct: &dyn Fn(&str) -> bool, out: &mut Vec<Build>) {
    let (Some(ty), Some(value)) = (lit.field("type"), lit.field("value")) else {
        return;
    };
    if let Some(name) = local_type_name(&ty) {
        if is_struct(&name) {
            out.push(build(name, present_fields(&value), How::Literal, lit));
        }
        return;
    }
    let parsed = TypeExpr::of_node(&ty);
    let elem = match parsed.kind() {
        TypeKind::Map { value, .. } => Some(value.as_ref()),
        _ => parsed.element(),
    };
    let Some(TypeKind::Name(name)) = elem.map(|e| e.without_pointers().kind()) else {
        return;
    };
    if !is_struct(name) {
        return;
    }
    for e in code_children(&value) {
        let inner = match e.kind().as_ref() {
            "literal_value" => Some(e.clone()),
            "keyed_element" | "literal_element" => e.field("element").or_else(|| e.field("value")),
            _ => None,
        };
        if let Some(inner) = inner.filter(|i| i.kind() == "literal_value") {
            out.push(build(name.clone(), present_fields(&inner), How::Literal, &inner));
        }
    }
}

/// `new(T)`, and a value of a package struct type handed to a decoder
/// (`json.Unmarshal(data, &v)`, `dec.Decode(&v)`, `xml.Unmarshal`, …).
fn call_builds(call: &GoNode, scope: &PackageScope, is_struct: &dyn Fn(&str) -> bool, out: &mut Vec<Build>) {
    let Some(func) = call.field("function") else { return };
    let args = call.field("arguments").map(|a| code_children(&a)).unwrap_or_default();
    if func.kind() == "identifier" && func.text() == "new" {
        if let [arg] = args.as_slice() {
            if let Some(name) = local_type_name(arg).filter(|n| is_struct(n)) {
                out.push(build(name, Some(Vec::new()), How::New, call));
            }
        }
        return;
    }
    let callee = match func.kind().as_ref() {
        "selector_expression" => func.field("field").map(|f| f.text().to_string()),
        "identifier" => Some(func.text().to_string()),
        _ => None,
    };
    if !callee.is_some_and(|c| c.ends_with("Unmarshal") || c == "Decode") {
        return;
    }
    for arg in &args {
        let target = match arg.kind().as_ref() {
            "unary_expression" if arg.field("operator").is_some_and(|o| o.text() == "&") => arg.field("operand"),
            "identifier" => Some(arg.clone()),
            _ => None,
        };
        let Some(target) = target.filter(|t| t.kind() == "identifier") else {
            continue;
        };
        let Some(ty) = types::resolve(&target.text(), &target, scope).and_then(|b| b.type_text) else {
            continue;
        };
        let Some(parsed) = TypeExpr::parse(&ty) else { continue };
        let pointer = matches!(parsed.kind(), TypeKind::Pointer(_));
        let by_address = arg.kind() == "unary_expression";
        let Some(name) = parsed.without_pointers().name().map(str::to_string) else {
            continue;
        };
        if pointer != by_address && is_struct(&name) && !name.contains('.') {
            out.push(build(
                name,
                Some(Vec::new()),
                How::Decoded(func.text().to_string()),
                call,
            ));
        }
    }
}

/// A package function (not a method) whose single result is a map type and
/// that has a `return nil` outside its function literals.
fn nil_map_func(decl: &GoNode, scope: &PackageScope) -> Option<(String, usize)> {
    if decl.field("type_parameters").is_some() {
        return None;
    }
    let result = decl.field("result")?;
    let result_text = match result.kind().as_ref() {
        "parameter_list" | "parameters" => {
            let params = code_children(&result);
            let [one] = params.as_slice() else { return None };
            if one.field("name").is_some() {
                return None;
            }
            one.field("type")?.text().to_string()
        }
        _ => result.text().to_string(),
    };
    types::map_parts(&result_text, scope)?;
    let body = decl.field("body")?;
    let mut skip_until = 0;
    for n in body.dfs() {
        if n.range().start < skip_until {
            continue;
        }
        if n.kind() == "function_literal" {
            skip_until = n.range().end;
            continue;
        }
        if n.kind() == "return_statement" {
            let values: Vec<_> = code_children(&n)
                .into_iter()
                .flat_map(|e| {
                    if e.kind() == "expression_list" {
                        code_children(&e)
                    } else {
                        vec![e]
                    }
                })
                .collect();
            if let [v] = values.as_slice() {
                if syntax::is_nil(v) {
                    return Some((decl.field("name")?.text().to_string(), n.start_pos().line() + 1));
                }
            }
        }
    }
    None
}
