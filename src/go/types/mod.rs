//! Declared types, found syntactically: which declaration an identifier
//! refers to, the type text of simple expressions, the key and value of map
//! types (named ones included) and the package-level declarations of a
//! package (its other files are parsed only when a lookup needs them).
//! Type texts are taken apart as `TypeExpr`s (`expr.rs`), never by hand;
//! `basic.rs` knows the predeclared types.

pub mod basic;
pub mod declared;
pub mod expr;
mod file_index;
pub mod imports;
pub mod package_index;

pub use basic::BASIC_TYPES;
pub use declared::{DeclFilter, Declared};
pub use expr::{TypeExpr, TypeKind};
pub use file_index::{infer_type, nil_tested_names, FileIndex};

use crate::go::methods::{self, MethodSummary};
use crate::go::skim;
use crate::go::syntax::{self, code_children, GoNode};
use crate::go::types::package_index::{DirectoryIndex, SiblingFile};
use std::any::Any;
use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

pub use crate::go::types::package_index::PackageCache;

/// A declared result type and the imports of the file that declares it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResultType {
    pub text: String,
    pub imports: Vec<(String, String)>,
}

/// Package-level declarations visible from one file: its own, then those of
/// the other files of its package in the same directory.
pub struct PackageScope<'a> {
    /// The file's own declarations (`nil_tested` is left empty: see `is_nil_tested`).
    pub own: FileIndex,
    /// The file's `nil_tested`, computed on first need (a walk of the whole
    /// tree, which few findings need).
    own_nil_tested: std::cell::OnceCell<std::collections::HashSet<String>>,
    path: &'a Path,
    cache: &'a PackageCache,
    siblings: std::cell::OnceCell<DirectoryIndex>,
    /// The file's own method summaries, computed on first need.
    own_methods: std::cell::OnceCell<Vec<MethodSummary>>,
    /// What `package_derived` computed from this file's tree, one per type.
    own_derived: std::cell::RefCell<Vec<Arc<dyn Any + Send + Sync>>>,
    /// What `package_declared` computed from this file, by type and key.
    own_declared: std::cell::RefCell<HashMap<(std::any::TypeId, String), Arc<dyn Any + Send + Sync>>>,
    /// The file's whole text when the tree holds only some of its
    /// declarations (`go/decls.rs`), and its parse, made on first need for
    /// the questions about the whole file.
    whole_text: Option<&'a str>,
    whole_tree: std::cell::OnceCell<crate::go::syntax::GoTree>,
}

impl<'a> PackageScope<'a> {
    pub fn new(root: &GoNode, path: &'a Path, cache: &'a PackageCache) -> Self {
        Self::with_own(FileIndex::declarations(root), path, cache)
    }

    fn with_own(own: FileIndex, path: &'a Path, cache: &'a PackageCache) -> Self {
        PackageScope {
            own,
            own_nil_tested: std::cell::OnceCell::new(),
            path,
            cache,
            siblings: std::cell::OnceCell::new(),
            own_methods: std::cell::OnceCell::new(),
            own_derived: std::cell::RefCell::new(Vec::new()),
            own_declared: std::cell::RefCell::default(),
            whole_text: None,
            whole_tree: std::cell::OnceCell::new(),
        }
    }

    /// The scope of a file of `directory` known only by its index (a
    /// package precondition's, before any parse): asks of the package what
    /// a parsed file's scope would, but nothing of the file's own tree.
    pub fn of_index(index: FileIndex, path: &'a Path, cache: &'a PackageCache, directory: DirectoryIndex) -> Self {
        let scope = Self::with_own(index, path, cache);
        let _ = scope.siblings.set(directory);
        scope
    }

    /// The scope of a tree that holds only some declarations of `text`:
    /// what is asked of the whole file (nil tests, method summaries,
    /// `package_derived`) is read from a parse of `text`.
    pub fn of_partial_tree(mut self, text: &'a str) -> Self {
        self.whole_text = Some(text);
        self
    }

    /// `f` of the root of the whole file's tree (`node` is any node of this
    /// scope's tree).
    fn with_whole_root<R>(&self, node: &GoNode, f: impl FnOnce(&GoNode) -> R) -> R {
        match self.whole_text {
            Some(text) => f(&self.whole_tree.get_or_init(|| crate::go::syntax::parse(text)).root()),
            None => f(&node.ancestors().last().unwrap_or_else(|| node.clone())),
        }
    }

    /// What `compute` derives from each file of the package that `include`
    /// accepts, with its path: this file first (from its tree, as it is
    /// now, whatever `include` says), then the others (each parsed once per
    /// directory index and type `T`, whatever the number of files and
    /// matches that ask). `node` is any node of this scope's file.
    pub fn package_derived<T: Any + Send + Sync>(
        &self,
        node: &GoNode,
        include: fn(&Path) -> bool,
        compute: fn(&GoNode, &PackageScope) -> T,
    ) -> Vec<(std::path::PathBuf, Arc<T>)> {
        let cached = self
            .own_derived
            .borrow()
            .iter()
            .find_map(|d| d.clone().downcast::<T>().ok());
        let own = cached.unwrap_or_else(|| {
            let value = Arc::new(self.with_whole_root(node, |root| compute(root, self)));
            self.own_derived.borrow_mut().push(value.clone());
            value
        });
        let mut out = vec![(self.path.to_path_buf(), own)];
        for f in self.other_files().filter(|f| include(&f.path)) {
            let value = f.derived(|root| compute(root, &PackageScope::new(root, &f.path, self.cache)));
            out.push((f.path.clone(), value));
        }
        out
    }

    /// The index of this file's directory (built on first need).
    pub fn directory(&self) -> &package_index::Directory {
        self.siblings()
    }

    fn siblings(&self) -> &DirectoryIndex {
        self.siblings.get_or_init(|| self.cache.directory(self.path))
    }

    fn others(&self) -> impl Iterator<Item = &FileIndex> {
        self.other_files().map(|f| &f.index)
    }

    fn other_files(&self) -> impl Iterator<Item = &SiblingFile> {
        let me = std::path::absolute(self.path).unwrap_or_else(|_| self.path.to_path_buf());
        let pkg = self.own.package.clone();
        self.siblings()
            .iter()
            .filter(move |f| f.path != me && f.index.package == pkg)
    }

    /// The package's other files in this directory: path and text (an
    /// editor's buffer when it has one; `None` when the file cannot be read).
    pub fn other_file_texts(&self) -> Vec<(std::path::PathBuf, Option<Arc<str>>)> {
        self.other_files().map(|f| (f.path.clone(), f.text())).collect()
    }

    /// The package's files in this directory, this one included, each with
    /// its package-level declarations and its text (an editor's buffer when
    /// it has one; `None` when the file cannot be read).
    pub fn package_files(&self) -> Vec<(&std::path::Path, &FileIndex, Option<Arc<str>>)> {
        let pkg = self.own.package.clone();
        self.siblings()
            .iter()
            .filter(|f| f.index.package == pkg)
            .map(|f| (f.path.as_path(), &f.index, f.text()))
            .collect()
    }

    /// A scope for another file of the same package (parsed by the caller),
    /// sharing this one's package cache.
    pub fn for_file<'b>(&self, root: &GoNode, path: &'b Path) -> PackageScope<'b>
    where
        'a: 'b,
    {
        PackageScope::new(root, path, self.cache)
    }

    /// The package cache this scope asks.
    pub fn cache(&self) -> &'a PackageCache {
        self.cache
    }

    /// A fact derived from the whole package, computed once per package
    /// (see `PackageCache::facts`).
    pub fn package_facts<T: std::any::Any + Send + Sync>(
        &self,
        key: &str,
        build: impl FnOnce() -> T,
    ) -> std::sync::Arc<T> {
        let key = format!("{key}\0{}", self.own.package);
        self.cache.facts(self.path, &key, build)
    }

    /// The type that defines the package's named type `name`.
    pub fn type_decl(&self, name: &str) -> Option<TypeExpr> {
        if let Some(t) = self.own.types.get(name) {
            return Some(t.clone());
        }
        self.others().find_map(|i| i.types.get(name).cloned())
    }

    /// The type of a package-level variable: `None` when there is no such
    /// variable, `Some(None)` when it exists but its type is not written out.
    pub fn var_type(&self, name: &str) -> Option<Option<String>> {
        if let Some(t) = self.own.vars.get(name) {
            return Some(t.clone());
        }
        self.others().find_map(|i| i.vars.get(name).cloned())
    }

    /// Whether any file of the package compares `name` (a variable or field)
    /// with nil; `node` is any node of this scope's file.
    pub fn is_nil_tested(&self, name: &str, node: &GoNode) -> bool {
        self.own_nil_tested
            .get_or_init(|| self.with_whole_root(node, nil_tested_names))
            .contains(name)
            || self.other_files().any(|f| f.compares_with_nil(name))
    }

    /// The methods of type `type_name` declared anywhere in the package,
    /// this file's first, each with the name of its file; `node` is any
    /// node of this scope's file.
    pub fn methods_of(&self, type_name: &str, node: &GoNode) -> Vec<(MethodSummary, String)> {
        let label = |p: &Path| {
            p.file_name()
                .map_or_else(String::new, |n| n.to_string_lossy().into_owned())
        };
        let own = self
            .own_methods
            .get_or_init(|| self.with_whole_root(node, methods::summarize));
        let mut out: Vec<_> = own
            .iter()
            .filter(|m| m.type_name == type_name)
            .map(|m| (m.clone(), label(self.path)))
            .collect();
        for f in self.other_files() {
            out.extend(f.methods_of(type_name).into_iter().map(|m| (m, label(&f.path))));
        }
        out
    }

    pub fn is_package_func(&self, name: &str) -> bool {
        self.own.funcs.iter().any(|f| f == name) || self.others().any(|i| i.funcs.iter().any(|f| f == name))
    }

    /// The single result type of a non-generic package function, with
    /// the imports of the file declaring it (a type from another file may
    /// name packages this file imports under other names, or not at all).
    pub fn func_result(&self, name: &str) -> Option<ResultType> {
        self.result_in(|i| i.func_results.get(name))
    }

    /// The single result type of the method `method` of the package type
    /// `ty` (declared on `ty` or `*ty`), with the declaring file's imports.
    pub fn method_result(&self, ty: &str, method: &str) -> Option<ResultType> {
        let key = format!("{ty}.{method}");
        self.result_in(|i| i.method_results.get(&key))
    }

    fn result_in<'s>(&'s self, get: impl Fn(&'s FileIndex) -> Option<&'s String>) -> Option<ResultType> {
        let found = |i: &'s FileIndex| {
            get(i).map(|t| ResultType {
                text: t.clone(),
                imports: i.import_names(),
            })
        };
        found(&self.own).or_else(|| self.other_files().find_map(|f| found(f.full_index())))
    }

    /// The imports of each other file of the package (each parsed in its
    /// import declarations).
    pub fn sibling_imports(&self) -> Vec<Vec<crate::go::types::imports::Import>> {
        self.other_files().map(|f| f.imports().to_vec()).collect()
    }

    /// Whether any file of the package declares `name` at package level.
    pub fn declares(&self, name: &str) -> bool {
        if self.own.declares(name) {
            return true;
        }
        let me = std::path::absolute(self.path).unwrap_or_else(|_| self.path.to_path_buf());
        self.siblings()
            .declarers(&self.own.package, name)
            .iter()
            .any(|p| *p != me)
    }
}

/// What an identifier refers to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Binding {
    /// Byte offset of the declaring identifier; `None` for package-level names.
    pub decl_at: Option<usize>,
    /// The declared or inferred type text, when written out.
    pub type_text: Option<String>,
}

/// Finds the declaration of `name` visible at `at`, innermost scope first.
pub fn resolve(name: &str, at: &GoNode, scope: &PackageScope) -> Option<Binding> {
    let mut child = at.clone();
    for anc in at.ancestors() {
        if let Some(b) = declared_in(&anc, &child, name) {
            return Some(b);
        }
        child = anc;
    }
    scope.var_type(name).map(|type_text| Binding {
        decl_at: None,
        type_text,
    })
}

/// A declaration of `name` made by `scope_node` and visible to its child `child`.
fn declared_in(scope_node: &GoNode, child: &GoNode, name: &str) -> Option<Binding> {
    match scope_node.kind().as_ref() {
        _ if syntax::is_statement_list(scope_node) => {
            let before: Vec<_> = syntax::block_statements(scope_node)
                .into_iter()
                .take_while(|s| s.range().start < child.range().start)
                .collect();
            before.iter().rev().find_map(|stmt| declared_by_statement(stmt, name))
        }
        "for_statement" => {
            let clause = code_children(scope_node)
                .into_iter()
                .find(|c| c.kind() == "range_clause" || c.kind() == "for_clause")?;
            if clause.range() == child.range() && clause.kind() == "for_clause" {
                return None;
            }
            if clause.kind() == "range_clause" {
                if clause.range() == child.range() || !range_defines(&clause) {
                    return None;
                }
                let left = clause.field("left")?;
                let id = code_children(&left).into_iter().find(|n| n.text() == name)?;
                Some(Binding {
                    decl_at: Some(id.range().start),
                    type_text: None,
                })
            } else {
                clause
                    .field("init_statement")
                    .and_then(|i| declared_by_statement(&i, name))
            }
        }
        "if_statement" | "expression_switch_statement" | "type_switch_statement" => {
            if let Some(init) = scope_node.field("init_statement") {
                if init.range() == child.range() {
                    return None;
                }
                if let Some(b) = declared_by_statement(&init, name) {
                    return Some(b);
                }
            }
            if scope_node.kind() == "type_switch_statement" {
                let id = scope_node.field("name").filter(|n| n.text() == name)?;
                if scope_node.field("operand").is_some_and(|o| o.range() == child.range()) {
                    return None;
                }
                return Some(Binding {
                    decl_at: Some(id.range().start),
                    type_text: None,
                });
            }
            None
        }
        "function_declaration" | "method_declaration" | "function_literal" => {
            let mut lists: Vec<GoNode> = Vec::new();
            for f in ["receiver", "parameters", "result"] {
                if let Some(l) = scope_node.field(f) {
                    lists.push(l);
                }
            }
            for list in lists {
                for param in code_children(&list) {
                    for id in param.field_children("name") {
                        if id.text() == name {
                            let ty = param.field("type").map(|t| {
                                if syntax::is_variadic(&param) {
                                    format!("[]{}", t.text())
                                } else {
                                    t.text().to_string()
                                }
                            });
                            return Some(Binding {
                                decl_at: Some(id.range().start),
                                type_text: ty,
                            });
                        }
                    }
                }
            }
            None
        }
        _ => None,
    }
}

fn range_defines(clause: &GoNode) -> bool {
    clause.children().any(|c| c.kind() == ":=")
}

/// A declaration of `name` made by a statement (`var`, `:=`, labelled ones).
fn declared_by_statement(stmt: &GoNode, name: &str) -> Option<Binding> {
    match stmt.kind().as_ref() {
        "short_var_declaration" => {
            let left = code_children(&stmt.field("left")?);
            let right = stmt.field("right").map(|r| code_children(&r)).unwrap_or_default();
            let i = left.iter().position(|n| n.text() == name)?;
            let ty = if left.len() == right.len() {
                infer_type(&right[i])
            } else {
                None
            };
            Some(Binding {
                decl_at: Some(left[i].range().start),
                type_text: ty,
            })
        }
        "var_declaration" => stmt.dfs().filter(|n| n.kind() == "var_spec").find_map(|spec| {
            let names: Vec<_> = spec.field_children("name").collect();
            let i = names.iter().position(|n| n.text() == name)?;
            let values: Vec<_> = spec.field("value").map(|v| code_children(&v)).unwrap_or_default();
            let ty = spec.field("type").map(|t| t.text().to_string()).or_else(|| {
                values
                    .get(i)
                    .filter(|_| values.len() == names.len())
                    .and_then(infer_type)
            });
            Some(Binding {
                decl_at: Some(names[i].range().start),
                type_text: ty,
            })
        }),
        "labeled_statement" => stmt.field("statement").and_then(|s| declared_by_statement(&s, name)),
        _ => None,
    }
}

/// The type text of a side-effect-free expression, when declarations say it.
pub fn expr_type(expr: &GoNode, scope: &PackageScope) -> Option<String> {
    expr_type_within(expr, scope, 0)
}

/// `expr_type`, following at most a few `x := <expr>` initialisations.
fn expr_type_within(expr: &GoNode, scope: &PackageScope, depth: u8) -> Option<String> {
    let expr_type = |e: &GoNode, scope: &PackageScope| expr_type_within(e, scope, depth);
    match expr.kind().as_ref() {
        "identifier" => {
            let binding = resolve(&expr.text(), expr, scope)?;
            match binding.type_text {
                Some(t) => Some(t),
                None if depth < 4 => {
                    let decl_at = binding.decl_at?;
                    match short_var_init(expr, decl_at) {
                        Some(init) => expr_type_within(&init, scope, depth + 1),
                        None => range_var_type(expr, decl_at, scope, depth + 1),
                    }
                }
                None => None,
            }
        }
        "parenthesized_expression" => code_children(expr).first().and_then(|e| expr_type(e, scope)),
        "selector_expression" => {
            let base = expr_type(&expr.field("operand")?, scope)?;
            let field = expr.field("field")?.text().to_string();
            field_type(&base, &field, scope, 0)
        }
        "index_expression" => {
            let base = expr_type(&expr.field("operand")?, scope)?;
            if let Some((_, value)) = map_parts(&base, scope) {
                return Some(value);
            }
            element_type(&base)
        }
        "unary_expression" if expr.field("operator").is_some_and(|o| o.text() == "*") => {
            let pointer = TypeExpr::parse(&expr_type(&expr.field("operand")?, scope)?)?;
            pointer.pointee().map(TypeExpr::to_string)
        }
        _ => None,
    }
}

/// The type of a variable a `for k, v := range x` declares at `decl_at`,
/// from the type of `x`: a map's key and value, a slice's, array's or
/// pointer-to-array's index and element, a string's index and rune, a
/// channel's element.
fn range_var_type(at: &GoNode, decl_at: usize, scope: &PackageScope, depth: u8) -> Option<String> {
    let function = at.ancestors().filter(syntax::is_function).last()?;
    let id = syntax::identifier_at(&function, decl_at)?;
    let left = id.parent().filter(|p| p.kind() == "expression_list")?;
    let clause = left.parent().filter(|p| p.kind() == "range_clause")?;
    if clause.field("left")?.range() != left.range() || !range_defines(&clause) {
        return None;
    }
    let i = code_children(&left).iter().position(|n| n.range() == id.range())?;
    let ranged = expr_type_within(&clause.field("right")?, scope, depth)?;
    let mut ty = TypeExpr::parse(&ranged)?;
    for _ in 0..5 {
        ty = match ty.kind() {
            TypeKind::Name(name) if name == "string" => {
                return Some(if i == 0 { "int" } else { "rune" }.to_string());
            }
            TypeKind::Name(name) if !crate::go::types::BASIC_TYPES.contains(&name.as_str()) => scope.type_decl(name)?,
            TypeKind::Qualified { .. } => {
                let (key, value) = map_parts(ty.text(), scope)?;
                return Some(if i == 0 { key } else { value });
            }
            TypeKind::Map { key, value } => {
                return Some(if i == 0 { key.to_string() } else { value.to_string() });
            }
            TypeKind::Pointer(inner) if matches!(inner.kind(), TypeKind::Array { .. }) => (**inner).clone(),
            TypeKind::Slice(_) | TypeKind::Array { .. } => {
                return if i == 0 {
                    Some("int".to_string())
                } else {
                    ty.element().map(TypeExpr::to_string)
                };
            }
            TypeKind::Chan { .. } if i == 0 => return ty.element().map(TypeExpr::to_string),
            _ => return None,
        };
    }
    None
}

/// The value a `name := value` declaring the identifier at `decl_at` gives
/// it (one value per name), found in the function around `at`.
fn short_var_init<'r>(at: &GoNode<'r>, decl_at: usize) -> Option<GoNode<'r>> {
    // The outermost function: a closure may use a name its parent declares.
    let function = at.ancestors().filter(syntax::is_function).last()?;
    let id = syntax::identifier_at(&function, decl_at)?;
    let left = id.parent().filter(|p| p.kind() == "expression_list")?;
    let stmt = left.parent().filter(|p| p.kind() == "short_var_declaration")?;
    if stmt.field("left")?.range() != left.range() {
        return None;
    }
    let names = code_children(&left);
    let values = code_children(&stmt.field("right")?);
    if names.len() != values.len() {
        return None;
    }
    let i = names.iter().position(|n| n.range() == id.range())?;
    Some(values[i].clone())
}

fn field_type(base: &str, field: &str, scope: &PackageScope, depth: u8) -> Option<String> {
    if depth > 4 {
        return None;
    }
    let base = TypeExpr::parse(base)?;
    let base = base.without_pointers();
    let name = match base.kind() {
        TypeKind::Struct(_) => None,
        TypeKind::Name(name) => Some(name.as_str()),
        TypeKind::Generic { base, .. } => Some(base.name()?),
        _ => return None,
    };
    let decl = match name {
        Some(name) => scope.type_decl(name)?,
        None => base.clone(),
    };
    match decl.kind() {
        TypeKind::Struct(_) => decl.fields().find(|(n, _)| *n == field).map(|(_, t)| t.to_string()),
        TypeKind::Name(_) | TypeKind::Pointer(_) => field_type(decl.text(), field, scope, depth + 1),
        _ => None,
    }
}

fn element_type(ty: &str) -> Option<String> {
    TypeExpr::parse(ty)?.element().map(TypeExpr::to_string)
}

/// The key and value type texts of a map type, following named types
/// declared in the package (`type Registry map[string]*Entry`) and the
/// standard library's (`url.Values`).
pub fn map_parts(ty: &str, scope: &PackageScope) -> Option<(String, String)> {
    let mut ty = TypeExpr::parse(ty)?;
    for _ in 0..5 {
        ty = match ty.kind() {
            TypeKind::Map { key, value } => return Some((key.to_string(), value.to_string())),
            TypeKind::Qualified { .. } => TypeExpr::parse(imports::std_underlying(&ty, scope)?)?,
            TypeKind::Name(name) => scope.type_decl(name)?,
            _ => return None,
        };
    }
    None
}

/// Whether a map key of this type can hold a NaN, making a delete-all loop
/// and `clear` differ. Unresolvable types answer yes.
pub fn key_may_hold_nan(ty: &str, scope: &PackageScope) -> bool {
    TypeExpr::parse(ty).is_none_or(|ty| may_hold_nan(&ty, scope, 0))
}

fn may_hold_nan(ty: &TypeExpr, scope: &PackageScope, depth: u8) -> bool {
    if depth > 8 {
        return true;
    }
    let fields_may =
        |s: &TypeExpr| s.fields().any(|(_, f)| may_hold_nan(f, scope, depth + 1)) || s.has_embedded_field();
    match ty.kind() {
        TypeKind::Name(name) if basic::is_basic(name) => basic::has_nan(name),
        TypeKind::Name(name) if name == "any" || name == "error" => true,
        TypeKind::Name(name) => match scope.type_decl(name) {
            Some(decl) if decl.is_struct() => fields_may(&decl),
            Some(decl) => may_hold_nan(&decl, scope, depth + 1),
            None => true,
        },
        TypeKind::Pointer(_) | TypeKind::Chan { .. } => false,
        TypeKind::Qualified { .. } => imports::std_underlying(ty, scope)
            .and_then(TypeExpr::parse)
            .is_none_or(|under| may_hold_nan(&under, scope, depth + 1)),
        TypeKind::Array { elem, .. } => may_hold_nan(elem, scope, depth + 1),
        TypeKind::Struct(_) => fields_may(ty),
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_scope(src: &str, f: impl FnOnce(&GoNode, &PackageScope)) {
        let tree = syntax::parse(src);
        let cache = PackageCache::default();
        let path = Path::new("/nonexistent/x.go");
        let scope = PackageScope::new(&tree.root(), path, &cache);
        f(&tree.root(), &scope);
    }

    #[test]
    fn nan_keys() {
        let src = "package p\ntype F float64\ntype K struct{ a int; b string }\ntype KF struct{ a int; f F }\ntype R map[string]int\n";
        with_scope(src, |_, s| {
            assert!(!key_may_hold_nan("string", s));
            assert!(!key_may_hold_nan("K", s));
            assert!(!key_may_hold_nan("[2]int", s));
            assert!(!key_may_hold_nan("*KF", s));
            assert!(key_may_hold_nan("float64", s));
            assert!(key_may_hold_nan("F", s));
            assert!(key_may_hold_nan("KF", s));
            assert!(key_may_hold_nan("[2]float32", s));
            assert!(key_may_hold_nan("any", s));
            assert!(key_may_hold_nan("interface{}", s));
            assert!(key_may_hold_nan("struct{ x complex64 }", s));
            assert!(key_may_hold_nan("time.Time", s));
            assert!(key_may_hold_nan("Unknown", s));
            assert_eq!(map_parts("R", s), Some(("string".into(), "int".into())));
        });
    }

    #[test]
    fn resolves_locals_fields_and_shadowing() {
        let src = "package p\ntype C struct{ items map[int]string }\nvar g = make(map[string]bool)\nfunc (c *C) f(p map[uint]int) {\n\tm := map[string]int{}\n\t{\n\t\tm := 3\n\t\t_ = m\n\t}\n\t_ = c.items\n\t_ = m\n\t_ = p\n\t_ = g\n}\n";
        with_scope(src, |root, s| {
            let idents: Vec<_> = root
                .dfs()
                .filter(|n| n.kind() == "identifier" || n.kind() == "selector_expression")
                .collect();
            let find = |t: &str, nth: usize| idents.iter().filter(|n| n.text() == t).nth(nth).unwrap().clone();
            assert_eq!(expr_type(&find("c.items", 0), s).as_deref(), Some("map[int]string"));
            assert_eq!(expr_type(&find("m", 3), s).as_deref(), Some("map[string]int"));
            assert_eq!(expr_type(&find("m", 2), s), None);
            assert_eq!(expr_type(&find("p", 1), s).as_deref(), Some("map[uint]int"));
            assert_eq!(expr_type(&find("g", 1), s).as_deref(), Some("map[string]bool"));
        });
    }

    #[test]
    fn follows_short_declarations_to_their_value() {
        let src = "package p\ntype Set map[string]struct{}\nfunc f(m *Set) {\n\tdst := *m\n\tcp := dst\n\tgo func() {\n\t\t_ = cp\n\t}()\n\tx := *x\n\t_ = x\n}\n";
        with_scope(src, |root, s| {
            let idents: Vec<_> = root.dfs().filter(|n| n.kind() == "identifier").collect();
            let find = |t: &str, nth: usize| idents.iter().filter(|n| n.text() == t).nth(nth).unwrap().clone();
            assert_eq!(expr_type(&find("dst", 1), s).as_deref(), Some("Set"));
            assert_eq!(expr_type(&find("cp", 1), s).as_deref(), Some("Set"), "inside a closure");
            assert_eq!(expr_type(&find("x", 2), s), None, "a self-reference ends");
        });
    }

    #[test]
    fn indexes_method_results_and_imports() {
        let src = "package p\nimport (\n\ttm \"time\"\n\t\"gopkg.in/yaml.v3\"\n\t_ \"embed\"\n)\ntype S struct{}\ntype L[T any] struct{}\nfunc (s *S) At() tm.Time { return tm.Time{} }\nfunc (S) n() (n int) { return 0 }\nfunc (S) two() (int, error) { return 0, nil }\nfunc (l *L[T]) get() T { var t T; return t }\n";
        with_scope(src, |_, s| {
            let at = s.method_result("S", "At").unwrap();
            assert_eq!(at.text, "tm.Time");
            assert_eq!(
                at.imports,
                [("tm".into(), "time".into()), ("yaml".into(), "gopkg.in/yaml.v3".into())]
            );
            assert_eq!(s.method_result("S", "n").map(|r| r.text).as_deref(), Some("int"));
            assert_eq!(s.method_result("S", "two"), None);
            assert_eq!(s.method_result("L", "get"), None);
        });
    }
}
