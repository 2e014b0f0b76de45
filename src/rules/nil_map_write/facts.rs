//! nil-map-write's per-file facts: which package struct types a file
//! builds without some of their fields, which fields it assigns outside
//! composite literals, and which of its functions return a nil map. They
//! are gathered per file and per question (`keys.rs`: a field `T.f`, or a
//! function's result) from the declarations that can hold an answer
//! (`PackageScope::package_declared`), the other functions parsed as their
//! headers only.

use crate::go::syntax::{self, code_children, GoNode};
use crate::go::types::{self, Declared, PackageScope, TypeExpr, TypeKind};
use std::collections::{HashMap, HashSet};
use std::ops::Range;

/// The facts of a file parsed in the declarations a key keeps (`None`: it
/// keeps none), from those declarations only, `text` being the file's text.
pub fn gather_declared(declared: Option<Declared>, text: &str) -> FileFacts {
    let generated = crate::go::load::is_generated(text);
    match declared {
        Some(d) => gather_with(d.root, d.scope, generated, Some(d.kept)),
        None => FileFacts {
            generated,
            ..FileFacts::default()
        },
    }
}

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
    /// `T.f` for each literal of `T` that gives `f` and is assigned over an
    /// existing value (`x.rec = T{f: …}`, `*p = T{…}`, `global = T{…}`):
    /// the package refills values in place, nil ones included.
    pub refilled: HashSet<String>,
    /// Names (variables and fields) the file compares with nil.
    pub nil_tested: HashSet<String>,
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
    /// Discarded (`var _ I = &T{}`) or built by a test helper: not a value
    /// that reaches the package's code.
    ignored: bool,
    /// Where the function (or function literal) that builds it starts.
    pub func: Option<usize>,
    /// Where the top-level declaration that holds it starts.
    decl_at: usize,
    /// Returned by the last statement of an exported package function: a
    /// constructor that hands such values to every caller.
    pub exported_ctor: bool,
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
    /// A build seen in the checked function (see `guard::local_build`).
    pub fn new(type_name: String, present: Option<Vec<String>>, how: How, line: usize) -> Build {
        Build {
            type_name,
            present,
            how,
            line,
            ignored: false,
            func: None,
            decl_at: 0,
            exported_ctor: false,
        }
    }

    /// Whether the value is built without giving `field` a value.
    pub fn omits(&self, field: &str) -> bool {
        self.present.as_ref().is_some_and(|p| !p.iter().any(|f| f == field))
    }
}

/// The facts of the file whose root is `root` (a whole parse).
#[cfg(test)]
pub fn gather(root: &GoNode, scope: &PackageScope) -> FileFacts {
    gather_with(root, scope, crate::go::load::is_generated(&root.text()), None)
}

/// The facts of the top-level declarations of `root` that start in one of
/// `within` (all of them with `None`).
fn gather_with(root: &GoNode, scope: &PackageScope, generated: bool, within: Option<&[Range<usize>]>) -> FileFacts {
    let mut facts = FileFacts {
        generated,
        ..FileFacts::default()
    };
    let is_struct = |name: &str| scope.type_decl(name).is_some_and(|d| d.is_struct());
    let taken = |n: &GoNode| within.is_none_or(|w| w.iter().any(|r| r.contains(&n.range().start)));
    for top in root.children().filter(taken) {
        let first = facts.builds.len();
        facts.nil_tested.extend(types::nil_tested_names(&top));
        for n in top.dfs() {
            gather_node(&n, scope, &is_struct, &mut facts);
        }
        for b in &mut facts.builds[first..] {
            b.decl_at = top.range().start;
        }
    }
    facts.builds.retain(|b| !b.ignored);
    facts
}

fn gather_node(n: &GoNode, scope: &PackageScope, is_struct: &dyn Fn(&str) -> bool, facts: &mut FileFacts) {
    match n.kind().as_ref() {
        "composite_literal" => literal_builds(n, is_struct, &mut facts.builds),
        "call_expression" => call_builds(n, scope, is_struct, &mut facts.builds),
        "var_spec" if n.field("value").is_none() => {
            let Some(name) = n.field("type").and_then(|t| local_type_name(&t)) else {
                return;
            };
            if is_struct(&name) {
                facts.builds.push(build(name, Some(Vec::new()), How::Var, n));
            }
        }
        "assignment" => {
            for l in n.field("left").map(|l| code_children(&l)).unwrap_or_default() {
                if let Some(f) = selected_field(&l) {
                    facts.assigned.insert(f);
                }
            }
            refills(n, is_struct, &mut facts.refilled);
        }
        "unary_expression" if n.field("operator").is_some_and(|o| o.text() == "&") => {
            if let Some(f) = n.field("operand").and_then(|o| selected_field(&o)) {
                facts.assigned.insert(f);
            }
        }
        "function_declaration" => {
            if let Some((name, line)) = nil_map_func(n, scope) {
                facts.nil_map_funcs.insert(name, line);
            }
        }
        _ => {}
    }
}

impl FileFacts {
    /// The facts of two disjoint sets of declarations of one file (see
    /// `Key::Field`): the builds in the order of their declarations, as a
    /// walk of the whole file finds them.
    pub fn merge(a: &FileFacts, b: &FileFacts) -> FileFacts {
        let mut builds: Vec<Build> = a.builds.iter().chain(&b.builds).cloned().collect();
        builds.sort_by_key(|b| b.decl_at);
        FileFacts {
            generated: a.generated || b.generated,
            builds,
            assigned: a.assigned.union(&b.assigned).cloned().collect(),
            nil_map_funcs: a
                .nil_map_funcs
                .iter()
                .chain(&b.nil_map_funcs)
                .map(|(k, v)| (k.clone(), *v))
                .collect(),
            refilled: a.refilled.union(&b.refilled).cloned().collect(),
            nil_tested: a.nil_tested.union(&b.nil_tested).cloned().collect(),
        }
    }
}

/// `T.f` for each field `f` given by a literal of a package struct type
/// `T` on the right of a plain `=`.
fn refills(assign: &GoNode, is_struct: &dyn Fn(&str) -> bool, out: &mut HashSet<String>) {
    if assign.field("operator").is_none_or(|o| o.text() != "=") {
        return;
    }
    for value in assign.field("right").map(|r| code_children(&r)).unwrap_or_default() {
        let lit = match value.kind().as_ref() {
            "unary_expression" => value.field("operand"),
            _ => Some(value),
        };
        let Some(lit) = lit.filter(|l| l.kind() == "composite_literal") else {
            continue;
        };
        let (Some(name), Some(body)) = (lit.field("type").and_then(|t| local_type_name(&t)), lit.field("value")) else {
            continue;
        };
        if !is_struct(&name) {
            continue;
        }
        match present_fields(&body) {
            Some(fields) => out.extend(fields.iter().map(|f| format!("{name}.{f}"))),
            None => {
                out.insert(format!("{name}.*"));
            }
        };
    }
}

/// A value that nothing can use: `var _ I = &T{}` (an interface check),
/// `_ = T{}`.
fn discarded(at: &GoNode) -> bool {
    let mut node = at.clone();
    while let Some(parent) = node.parent() {
        match parent.kind().as_ref() {
            "unary_expression" | "parenthesized_expression" => node = parent,
            "expression_list" => {
                let Some(holder) = parent.parent() else { return false };
                let names: Vec<String> = match holder.kind().as_ref() {
                    "var_spec" => holder.field_children("name").map(|n| n.text().to_string()).collect(),
                    "assignment" => holder
                        .field("left")
                        .map(|l| code_children(&l).iter().map(|n| n.text().to_string()).collect())
                        .unwrap_or_default(),
                    _ => return false,
                };
                return !names.is_empty() && names.iter().all(|n| n == "_");
            }
            _ => return false,
        }
    }
    false
}

/// Code that exists for tests: a function named `Test…`, `…ForTest` or
/// `…ForTesting`, or one that takes a `testing` value (`t testing.TB`).
fn in_test_helper(at: &GoNode) -> bool {
    let Some(func) = at
        .ancestors()
        .find(|a| matches!(a.kind().as_ref(), "function_declaration" | "method_declaration"))
    else {
        return false;
    };
    let name = func.field("name").map(|n| n.text().to_string()).unwrap_or_default();
    let takes_testing = func.field("parameters").is_some_and(|p| {
        code_children(&p).iter().any(|param| {
            param
                .field("type")
                .is_some_and(|t| t.text().trim_start_matches('*').starts_with("testing."))
        })
    });
    name.starts_with("Test") || name.ends_with("ForTest") || name.ends_with("ForTesting") || takes_testing
}

/// `return &T{…}` (or `T{…}`, `new(T)`) as the last statement of an
/// exported function (not a method).
fn returned_by_exported_func(at: &GoNode) -> bool {
    let mut node = at.clone();
    while let Some(parent) = node.parent() {
        if matches!(parent.kind().as_ref(), "unary_expression" | "expression_list") {
            node = parent;
            continue;
        }
        if parent.kind() != "return_statement" {
            return false;
        }
        let Some(block) = parent.parent() else { return false };
        let Some(func) = block.parent().filter(|f| f.kind() == "function_declaration") else {
            return false;
        };
        let last = syntax::block_statements(&block)
            .last()
            .is_some_and(|l| l.range() == parent.range());
        let exported = func
            .field("name")
            .is_some_and(|n| n.text().starts_with(|c: char| c.is_uppercase()));
        return last && exported;
    }
    false
}

fn enclosing_func(at: &GoNode) -> Option<usize> {
    at.ancestors().find(syntax::is_function).map(|f| f.range().start)
}

/// A copy method (`Clone`, `clone`, `Copy`, `copy`, `DeepCopy…`): the copy
/// carries what its author chose (often only what is serialised).
fn in_copy_method(at: &GoNode) -> bool {
    at.ancestors()
        .find(|a| a.kind() == "method_declaration")
        .and_then(|m| m.field("name"))
        .is_some_and(|n| {
            matches!(n.text().as_ref(), "Clone" | "clone" | "Copy" | "copy") || n.text().starts_with("DeepCopy")
        })
}

fn build(type_name: String, present: Option<Vec<String>>, how: How, at: &GoNode) -> Build {
    Build {
        type_name,
        present,
        how,
        line: at.start_pos().line() + 1,
        ignored: discarded(at) || in_test_helper(at) || in_copy_method(at),
        func: enclosing_func(at),
        decl_at: 0,
        exported_ctor: returned_by_exported_func(at),
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
