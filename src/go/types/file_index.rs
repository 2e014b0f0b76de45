//! The package-level declarations of one Go file (`FileIndex`): types,
//! variables, functions and their results, constants, imports, and the
//! names compared with nil. Built from a parse or a skeleton (`go/skim.rs`);
//! not resolution across files (`types`).

use super::*;

/// Package-level declarations of one file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FileIndex {
    /// Declared named types (and aliases) and the types that define them.
    pub types: HashMap<String, TypeExpr>,
    /// Package-level variables and the type text declared or inferred for them.
    pub vars: HashMap<String, Option<String>>,
    pub funcs: Vec<String>,
    /// Package-level constants (names only).
    pub consts: Vec<String>,
    /// Non-generic package functions with exactly one result: that result's type text.
    pub func_results: HashMap<String, String>,
    /// Methods with exactly one result, keyed `Type.Method` (receivers
    /// without type parameters): that result's type text.
    pub method_results: HashMap<String, String>,
    pub package: String,
    /// Names (identifiers, or field names of selectors) compared with `nil`
    /// anywhere in the file: code that may treat nil and empty differently.
    pub nil_tested: std::collections::HashSet<String>,
    /// The file's imports (empty in a skeleton's index: see `full_index`).
    pub imports: Vec<crate::go::types::imports::Import>,
}

impl FileIndex {
    /// Indexes the top-level declarations of a parsed file.
    #[cfg(test)] // The engine builds `nil_tested` lazily (see `PackageScope`).
    pub fn build(root: &GoNode) -> FileIndex {
        let mut idx = FileIndex::declarations(root);
        idx.nil_tested = nil_tested_names(root);
        idx
    }

    /// The index without `nil_tested` (which needs a walk of the whole tree).
    pub fn declarations(root: &GoNode) -> FileIndex {
        let mut idx = FileIndex {
            imports: crate::go::types::imports::file_imports(root),
            ..FileIndex::default()
        };
        for decl in code_children(root) {
            match decl.kind().as_ref() {
                "package_clause" => {
                    if let Some(n) = code_children(&decl).first() {
                        idx.package = n.text().to_string();
                    }
                }
                "type_declaration" => {
                    for spec in decl
                        .children()
                        .filter(|n| matches!(n.kind().as_ref(), "type_definition" | "alias_declaration"))
                    {
                        let (Some(name), Some(ty)) = (spec.field("name"), spec.field("type")) else {
                            continue;
                        };
                        idx.types.insert(name.text().to_string(), TypeExpr::of_node(&ty));
                    }
                }
                "var_declaration" => {
                    // Its own specs, not those of function literals in initialisers.
                    let specs = decl.children().filter(|c| c.kind() == "var_spec");
                    for spec in specs {
                        let names: Vec<_> = spec.field_children("name").collect();
                        let values: Vec<_> = spec.field("value").map(|v| code_children(&v)).unwrap_or_default();
                        for (i, name) in names.iter().enumerate() {
                            let ty = spec.field("type").map(|t| t.text().to_string()).or_else(|| {
                                values
                                    .get(i)
                                    .filter(|_| values.len() == names.len())
                                    .and_then(infer_type)
                            });
                            idx.vars.insert(name.text().to_string(), ty);
                        }
                    }
                }
                "method_declaration" => {
                    let recv = decl.field("receiver").and_then(|r| receiver_type_name(&r));
                    if let (Some(recv), Some(n), Some(result)) = (recv, decl.field("name"), single_result(&decl)) {
                        idx.method_results.insert(format!("{recv}.{}", n.text()), result);
                    }
                }
                "function_declaration" => {
                    if let Some(n) = decl.field("name") {
                        idx.funcs.push(n.text().to_string());
                        if let Some(result) = single_result(&decl) {
                            idx.func_results.insert(n.text().to_string(), result);
                        }
                    }
                }
                "const_declaration" => {
                    for spec in decl.dfs().filter(|n| n.kind() == "const_spec") {
                        idx.consts
                            .extend(spec.field_children("name").map(|n| n.text().to_string()));
                    }
                }
                _ => {}
            }
        }
        idx
    }

    /// Whether the file declares `name` at package level (as far as this
    /// index knows: a skeleton's has no constants).
    pub fn declares(&self, name: &str) -> bool {
        self.types.contains_key(name)
            || self.vars.contains_key(name)
            || self.funcs.iter().any(|f| f == name)
            || self.consts.iter().any(|c| c == name)
    }

    /// The same index, built from the file's package-level skeleton (see
    /// `go/skim.rs`) rather than a parse of the whole file; `nil_tested`, which
    /// needs function bodies, is left empty.
    pub fn skim(text: &str) -> FileIndex {
        let skeleton = skim::skim(text);
        let mut idx = match syntax::parse_shallow(&skeleton.text) {
            Some(tree) => FileIndex::declarations(&tree.root()),
            None => FileIndex::default(),
        };
        idx.funcs = skeleton.funcs;
        idx
    }
}

/// Names compared with `nil` (see `FileIndex::nil_tested`).
pub fn nil_tested_names(root: &GoNode) -> std::collections::HashSet<String> {
    let mut out = std::collections::HashSet::new();
    for n in root.dfs().filter(|n| n.kind() == "binary_expression") {
        let op = n.field("operator").map(|o| o.text().to_string()).unwrap_or_default();
        if op != "==" && op != "!=" {
            continue;
        }
        let (Some(l), Some(r)) = (n.field("left"), n.field("right")) else {
            continue;
        };
        let other = if syntax::is_nil(&r) {
            l
        } else if syntax::is_nil(&l) {
            r
        } else {
            continue;
        };
        let name = match other.kind().as_ref() {
            "selector_expression" => other.field("field").map(|f| f.text().to_string()),
            "identifier" => Some(other.text().to_string()),
            _ => None,
        };
        out.extend(name);
    }
    out
}

impl FileIndex {
    /// The file's imports as (local name, path): the alias, or the path's
    /// usual package name (`gopkg.in/yaml.v3` → `yaml`, `example.com/m/v2`
    /// → `m`); `_` and `.` imports left out.
    pub fn import_names(&self) -> Vec<(String, String)> {
        self.imports.iter().filter_map(usual_name).collect()
    }
}

fn usual_name(import: &crate::go::types::imports::Import) -> Option<(String, String)> {
    let path = import.path.clone();
    let name = match import.alias.as_deref() {
        Some("_" | ".") => return None,
        Some(a) => a.to_string(),
        None => {
            let is_version = |v: &str| v.len() > 1 && v.starts_with('v') && v[1..].chars().all(|c| c.is_ascii_digit());
            let mut parts = path.rsplit('/');
            let last = parts.next().unwrap_or_default();
            match last.rsplit_once('.') {
                // gopkg.in/yaml.v3
                Some((name, v)) if is_version(v) => name.to_string(),
                // example.com/mod/v2
                _ if is_version(last) => parts.next().unwrap_or(last).to_string(),
                _ => last.to_string(),
            }
        }
    };
    Some((name, path))
}

/// `T` for a receiver `(t T)` or `(t *T)`; `None` for a generic receiver.
fn receiver_type_name(receiver: &GoNode) -> Option<String> {
    let [param] = code_children(receiver).try_into().ok()?;
    let mut ty = param.field("type")?;
    if ty.kind() == "pointer_type" {
        ty = code_children(&ty).into_iter().next()?;
    }
    (ty.kind() == "type_identifier").then(|| ty.text().to_string())
}

/// The result type of a non-generic function declaring exactly one result.
fn single_result(func: &GoNode) -> Option<String> {
    if func.field("type_parameters").is_some() {
        return None;
    }
    let result = func.field("result")?;
    if result.kind() != "parameters" {
        return Some(result.text().to_string());
    }
    let [param] = code_children(&result).try_into().ok()?;
    if param.field_children("name").count() > 1 || param.kind() != "parameter_declaration" {
        return None;
    }
    param.field("type").map(|t| t.text().to_string())
}

/// The type of an initialiser when it is written out: `make(T, …)`, `T{…}`,
/// `&T{…}`, `new(T)`.
pub fn infer_type(value: &GoNode) -> Option<String> {
    match value.kind().as_ref() {
        "composite_literal" => value.field("type").map(|t| t.text().to_string()),
        "unary_expression" if value.field("operator").is_some_and(|o| o.text() == "&") => value
            .field("operand")
            .and_then(|o| infer_type(&o))
            .map(|t| format!("*{t}")),
        "call_expression" => {
            let func = value.field("function")?;
            let args = code_children(&value.field("arguments")?);
            let first = args.first()?;
            match func.text().as_ref() {
                "make" => Some(first.text().to_string()),
                // `new(T)`; since Go 1.26 also `new(expr)`, whose type is not written out.
                "new" if syntax::may_be_type(first) => Some(format!("*{}", first.text())),
                _ => None,
            }
        }
        "parenthesized_expression" => code_children(value).first().and_then(infer_type),
        _ => None,
    }
}
