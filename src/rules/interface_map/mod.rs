//! interface-map: a local `map[string]any` (or `map[string]interface{}`)
//! built by a literal, `make` or `json.Unmarshal` and used only with
//! string-literal keys is a struct in disguise. Fix (unsafe): a named
//! struct type declared above the function, with typed fields (JSON tags
//! when the map meets encoding/json); accesses become field selectors.
//!
//! `uses` classifies each occurrence of the variable (any real-map use
//! means no finding), `value_type` finds the types of stored values,
//! `fields` plans the struct's fields, `layout` spells names and aligns
//! the new text as gofmt does; `precondition` is the text test that spares
//! most files holding the type a parse.

mod fields;
mod fix;
mod layout;
mod names;
mod precondition;
mod uses;
mod value_type;

use super::registry::OptionsSpec;
use super::{Detection, Fix, FixSafety, RuleContext, RuleModule, RuleOptions, TextEdit};
use crate::go::lang::Go;
use crate::go::syntax::{self, code_children, GoNode};
use crate::go::types::{PackageScope, TypeExpr};
use ast_grep_core::tree_sitter::StrDoc;
use ast_grep_core::NodeMatch;
use fields::{FieldPlan, JsonUse};
use fix::plan_fix;
use uses::{Access, Use};

pub const MODULE: RuleModule = RuleModule {
    name: "interface_map",
    check,
    precondition: Some(precondition::may_match),
    package_precondition: None,
    options: Some(OptionsSpec::of::<Options>()),
};

/// `[rules.interface-map]`.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Options {
    /// `tests = true`: also report `_test.go` files.
    #[serde(default)]
    tests: bool,
}

impl RuleOptions for Options {}

pub fn check(ctx: &RuleContext, m: &NodeMatch<StrDoc<Go>>) -> Vec<Detection> {
    // In tests, such maps are mostly expected values and fixtures, which a
    // struct would not improve: opt in with `[rules.interface-map] tests = true`.
    if is_test_file(&ctx.file.path) && !ctx.options::<Options>().tests {
        return Vec::new();
    }
    match MapDecl::find(m.get_node()) {
        Some(decl) => analyse(ctx, &decl).into_iter().collect(),
        None => Vec::new(),
    }
}

use crate::go::load::is_test_file;

/// How the variable gets its map.
pub enum Init<'r> {
    /// `map[string]any{…}` (the composite literal).
    Literal(GoNode<'r>),
    /// `make(map[string]any[, n])` (the call).
    Make(GoNode<'r>),
    /// `var m map[string]any` with no value (only `json.Unmarshal` fills it).
    Nil,
}

/// A local variable declared as a `map[string]any`.
pub struct MapDecl<'r> {
    /// The declaring identifier.
    pub name: GoNode<'r>,
    /// The map type written in `var m map[string]any`, when written.
    declared_type: Option<GoNode<'r>>,
    init: Init<'r>,
    /// Uses of the variable start after this offset (the end of its declaration).
    pub scope_start: usize,
    /// The node (statement list, or `if`/`for`/`switch` header) whose scope
    /// declares the variable: a `:=` directly in it reassigns the variable.
    pub scope: std::ops::Range<usize>,
    /// The span a finding points at: from the name to the end of the map type.
    span: std::ops::Range<usize>,
}

impl<'r> MapDecl<'r> {
    /// The declaration a matched `map_type` node defines, if it is one.
    fn find(map_type: &GoNode<'r>) -> Option<MapDecl<'r>> {
        let parent = map_type.parent()?;
        let is = |a: &Option<GoNode>| a.as_ref().is_some_and(|n| n.range() == map_type.range());
        let (init, spec) = match parent.kind().as_ref() {
            "composite_literal" if is(&parent.field("type")) => (Init::Literal(parent.clone()), declaring(&parent)?),
            "arguments" => {
                let call = parent.parent().filter(|c| c.kind() == "call_expression")?;
                let first = code_children(&parent).into_iter().next();
                if call.field("function")?.text() != "make" || !is(&first) {
                    return None;
                }
                (Init::Make(call.clone()), declaring(&call)?)
            }
            "var_spec" if is(&parent.field("type")) => {
                let init = match parent.field("value").map(|v| code_children(&v)) {
                    None => Init::Nil,
                    Some(values) => {
                        let [value] = values.try_into().ok()?;
                        match value.kind().as_ref() {
                            "composite_literal" if value_is_map(&value.field("type")?, map_type) => {
                                Init::Literal(value)
                            }
                            "call_expression" if value.field("function")?.text() == "make" => {
                                let t = code_children(&value.field("arguments")?).into_iter().next()?;
                                if !value_is_map(&t, map_type) {
                                    return None;
                                }
                                Init::Make(value)
                            }
                            _ => return None,
                        }
                    }
                };
                (init, parent.clone())
            }
            _ => return None,
        };
        // With a declared type, the declaration is found from the type, not the value.
        let declared_type = spec.field("type");
        if spec.kind() == "var_spec" && declared_type.as_ref().is_some_and(|t| t.range() != map_type.range()) {
            return None;
        }
        let names: Vec<GoNode> = match spec.kind().as_ref() {
            "var_spec" => spec.field_children("name").collect(),
            _ => code_children(&spec.field("left")?),
        };
        let [name] = names.try_into().ok()?;
        if name.kind() != "identifier" || name.text() == "_" {
            return None;
        }
        syntax::enclosing_function(&spec)?;
        let statement = if spec.kind() == "var_spec" {
            spec.ancestors().find(|a| a.kind() == "var_declaration")?
        } else {
            spec.clone()
        };
        let scope = statement.parent()?.range();
        let end = match &init {
            Init::Make(call) => call.range().end,
            _ => map_type.range().end,
        };
        // The construct's first token: `var` of a one-spec `var m …`, else the name.
        let first = match statement.child(1) {
            Some(only) if spec.kind() == "var_spec" && only.range() == spec.range() => statement.range().start,
            _ => name.range().start,
        };
        let span = first..end.max(map_type.range().end);
        Some(MapDecl {
            name,
            declared_type,
            init,
            scope_start: spec.range().end,
            scope,
            span,
        })
    }

    /// The literal's entries: (key, key element, value); `None` when a key
    /// is not a plain string literal (a real map).
    fn literal_entries(&self) -> Option<Vec<Entry<'r>>> {
        let Init::Literal(lit) = &self.init else {
            return Some(Vec::new());
        };
        let mut out = Vec::new();
        for element in lit.field("value").map(|b| code_children(&b)).unwrap_or_default() {
            let (k, value) = (element.field("key")?, element.field("element")?);
            let key_expr = k.clone();
            out.push(Entry {
                key: uses::literal_key(&key_expr)?,
                key_node: k,
                value,
                element,
            });
        }
        Some(out)
    }
}

/// One `"key": value` of the map literal.
struct Entry<'r> {
    key: String,
    key_node: GoNode<'r>,
    value: GoNode<'r>,
    element: GoNode<'r>,
}

/// `m := X` / `var m = X` with exactly one name and one value: the statement or spec.
fn declaring<'r>(value: &GoNode<'r>) -> Option<GoNode<'r>> {
    let list = value.parent().filter(|p| p.kind() == "expression_list")?;
    if code_children(&list).len() != 1 {
        return None;
    }
    let stmt = list.parent()?;
    let field = match stmt.kind().as_ref() {
        "short_var_declaration" => "right",
        "var_spec" => "value",
        _ => return None,
    };
    stmt.field(field)
        .is_some_and(|f| f.range() == list.range())
        .then_some(stmt)
}

/// The initialiser's map type is the declared one.
fn value_is_map(t: &GoNode, declared: &GoNode) -> bool {
    value_type::same_type(&t.text(), &declared.text())
}

/// What the type checks of the fix may look up.
pub struct Cx<'a, 'r> {
    pub scope: &'a PackageScope<'a>,
    /// Where the map variable is declared (its identity for `types::resolve`).
    pub map_decl_at: usize,
    /// Where local declarations are searched: the top-level function, or the file.
    search: GoNode<'r>,
    /// Import names and paths of the file.
    imports: Vec<(String, String)>,
    /// Type names declared inside the top-level function (type parameters, local types).
    local_types: Vec<String>,
}

impl<'r> Cx<'_, 'r> {
    /// The value a local variable is declared with (`x := v`, `var x = v`).
    pub fn initializer_of(&self, decl_at: usize) -> Option<GoNode<'r>> {
        let id = syntax::identifier_at(&self.search, decl_at)?;
        let parent = id.parent()?;
        let (names, values) = match parent.kind().as_ref() {
            "expression_list" => {
                let stmt = parent.parent().filter(|s| s.kind() == "short_var_declaration")?;
                if stmt.field("left")?.range() != parent.range() {
                    return None;
                }
                (code_children(&parent), code_children(&stmt.field("right")?))
            }
            "var_spec" => (
                parent.field_children("name").collect(),
                code_children(&parent.field("value")?),
            ),
            _ => return None,
        };
        let i = names.iter().position(|n| n.range() == id.range())?;
        (names.len() == values.len()).then(|| values[i].clone())
    }

    pub fn import_path(&self, name: &str) -> Option<&str> {
        self.imports.iter().find(|(n, _)| n == name).map(|(_, p)| p.as_str())
    }

    /// The name under which this file imports `path`.
    pub fn import_name(&self, path: &str) -> Option<&str> {
        self.imports.iter().find(|(_, p)| p == path).map(|(n, _)| n.as_str())
    }

    /// Whether `name` is a type declared inside the top-level function.
    pub fn is_local_type(&self, name: &str) -> bool {
        self.local_types.iter().any(|t| t == name)
    }

    /// Whether a type can be written at package level in this file: no
    /// type local to the function, every package qualifier imported here.
    pub fn valid_at_package_level(&self, ty: &str) -> bool {
        if ty.contains('\n') {
            return false;
        }
        let Some(ty) = TypeExpr::parse(ty) else {
            return false;
        };
        ty.packages().into_iter().all(|p| self.import_path(p).is_some())
            && ty.names().into_iter().all(|n| !self.local_types.iter().any(|t| t == n))
    }
}

/// The top-level function or method declaration containing `node`.
fn top_function<'r>(node: &GoNode<'r>) -> Option<GoNode<'r>> {
    node.ancestors()
        .find(|a| a.parent().is_some_and(|p| p.kind() == "source_file"))
        .filter(|a| matches!(a.kind().as_ref(), "function_declaration" | "method_declaration"))
}

/// Type names a function declares: type parameters (its own or its
/// receiver's) and types declared in its body.
fn local_type_names(func: &GoNode) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(tp) = func.field("type_parameters") {
        out.extend(
            tp.dfs()
                .filter(|n| n.kind() == "type_parameter_declaration")
                .flat_map(|d| {
                    d.field_children("name")
                        .map(|n| n.text().to_string())
                        .collect::<Vec<_>>()
                }),
        );
    }
    if let Some(recv) = func.field("receiver") {
        out.extend(recv.dfs().filter(|n| n.kind() == "type_arguments").flat_map(|a| {
            a.dfs()
                .filter(|n| n.kind() == "type_identifier")
                .map(|n| n.text().to_string())
                .collect::<Vec<_>>()
        }));
    }
    if let Some(body) = func.field("body") {
        out.extend(
            body.dfs()
                .filter(|n| matches!(n.kind().as_ref(), "type_definition" | "alias_declaration"))
                .filter_map(|s| s.field("name"))
                .map(|n| n.text().to_string()),
        );
    }
    out
}

fn analyse(ctx: &RuleContext, decl: &MapDecl) -> Option<Detection> {
    let func = syntax::enclosing_function(&decl.name)?;
    let root = decl.name.ancestors().last()?;
    let top = top_function(&decl.name);
    let cx = Cx {
        scope: ctx.scope,
        map_decl_at: decl.name.range().start,
        search: top.clone().unwrap_or_else(|| root.clone()),
        imports: ctx.scope.own.import_names(),
        local_types: top.as_ref().map(local_type_names).unwrap_or_default(),
    };
    let names = uses::Imports {
        json: uses::import_name(&root, "encoding/json"),
        fmt: uses::import_name(&root, "fmt"),
    };
    let all = uses::collect(decl, &func, &names, &cx);
    if all.iter().any(|u| matches!(u, Use::RealMap)) {
        return None;
    }
    let entries = decl.literal_entries()?;
    let decoded = all.iter().any(|u| matches!(u, Use::JsonDecode(_)));
    if matches!(decl.init, Init::Nil) && !decoded {
        return None;
    }
    let encoded = all.iter().any(|u| matches!(u, Use::JsonEncode(_)));
    if decoded && encoded {
        // A document decoded, changed and encoded again: the map keeps the
        // keys the code does not know, which is its job.
        return None;
    }
    if polymorphic(&all) {
        // A key whose value changes type (between versions of a document):
        // `any` is the honest type of that field.
        return None;
    }
    let literal: Vec<(String, GoNode)> = entries.iter().map(|e| (e.key.clone(), e.value.clone())).collect();
    let keys = fields::gather(&literal, &all);
    if keys.is_empty() || decoded && keys.len() == 1 {
        // One value read from a foreign document: a one-field type says little more.
        return None;
    }
    let name = decl.name.text().to_string();
    let mut det = Detection {
        range: decl.span.clone(),
        message: Some(format!(
            "map {name} is used only with string-literal keys; use a struct type"
        )),
        note: None,
        related: Vec::new(),
        fix: None,
    };
    let json = JsonUse {
        encodes: all
            .iter()
            .filter_map(|u| {
                if let Use::JsonEncode(c) = u {
                    Some(c.clone())
                } else {
                    None
                }
            })
            .collect(),
        decoded,
        map_name: name.clone(),
    };
    match plan_fix(ctx, &cx, decl, &entries, &all, keys, json, top.as_ref(), &root) {
        Ok(fix) => det.fix = Some(fix),
        Err(note) => det.note = Some(format!("no fix: {note}")),
    }
    Some(det)
}

/// Whether some key is type-switched, or asserted to two different types.
fn polymorphic(all: &[Use]) -> bool {
    let mut asserted: std::collections::BTreeMap<&str, Vec<&str>> = Default::default();
    for u in all {
        let Use::Key { key, access, .. } = u else { continue };
        let types: Vec<&str> = match access {
            Access::Inspected { switched: true, .. } => return true,
            Access::Inspected { types, .. } => types.iter().map(String::as_str).collect(),
            Access::AssertedRead { ty, .. } => vec![ty.as_str()],
            _ => continue,
        };
        asserted.entry(key).or_default().extend(types);
    }
    asserted
        .values()
        .any(|ts| ts.iter().any(|t| !value_type::same_type(t, ts[0])))
}
