//! A file's imports, and what they make of qualified types: whether
//! `pkg.Name` can be spelled in a file (imported there under that name, or
//! importable as another file of the package imports it) and, for the
//! standard library's named types (`go/stdlib_types.rs`), what they are.

use crate::go::syntax::{code_children, GoNode};
use crate::go::types::{self, PackageScope, TypeExpr, TypeKind};

/// One import spec.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Import {
    /// `h "net/http"`: `h`; `None` when the spec names no package.
    pub alias: Option<String>,
    pub path: String,
}

impl Import {
    /// The name the file refers to the package by: the alias, else the
    /// last path element (before a `/vN` major-version suffix). `None` for
    /// `_` and `.` imports and for paths whose package name cannot be
    /// told from the path (`gopkg.in/yaml.v3`, `go-foo`).
    pub fn name(&self) -> Option<&str> {
        if let Some(a) = &self.alias {
            return (a != "_" && a != ".").then_some(a.as_str());
        }
        let mut parts = self.path.rsplit('/');
        let mut last = parts.next()?;
        if last.len() > 1 && last.starts_with('v') && last[1..].bytes().all(|b| b.is_ascii_digit()) {
            last = parts.next()?;
        }
        last.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_')
            .then_some(last)
    }
}

/// The import specs of a parsed file.
pub fn file_imports(root: &GoNode) -> Vec<Import> {
    code_children(root)
        .into_iter()
        .filter(|d| d.kind() == "import_declaration")
        .flat_map(|d| d.dfs().filter(|n| n.kind() == "import_spec").collect::<Vec<_>>())
        .filter_map(|spec| {
            let path = spec.field("path")?.text().trim_matches(['"', '`']).to_string();
            let alias = spec.field("name").map(|n| n.text().to_string());
            Some(Import { alias, path })
        })
        .collect()
}

/// The path this file imports under `name`.
pub fn path_of(name: &str, scope: &PackageScope) -> Option<String> {
    scope
        .own
        .imports
        .iter()
        .find(|i| i.name() == Some(name))
        .map(|i| i.path.clone())
}

/// The one path other files of the package import under `name` without
/// an alias, which this file could import to spell `name.T`.
fn importable(name: &str, scope: &PackageScope) -> Option<String> {
    let mut paths: Vec<String> = scope
        .sibling_imports()
        .into_iter()
        .flatten()
        .filter(|i| i.name() == Some(name))
        .map(|i| (i.alias.is_none()).then_some(i.path))
        .collect::<Option<Vec<_>>>()?;
    paths.sort();
    paths.dedup();
    match paths.as_slice() {
        [one] => Some(one.clone()),
        _ => None,
    }
}

/// Whether type text `ty` can be written at `at`, and the imports it then
/// needs: every package qualifier in it is imported in this file under
/// that name (or can be, as another file of the package imports it), and
/// no declaration in scope hides the name.
pub fn spelling(ty: &str, at: &GoNode, scope: &PackageScope) -> Option<Vec<String>> {
    let packages = TypeExpr::parse(ty)?
        .packages()
        .into_iter()
        .map(str::to_string)
        .collect::<Vec<_>>();
    let mut imports = Vec::new();
    if packages.is_empty() && ty.contains('.') {
        return None;
    }
    for name in packages {
        if types::resolve(&name, at, scope).is_some() || scope.declares(&name) {
            return None;
        }
        if path_of(&name, scope).is_none() {
            let path = importable(&name, scope)?;
            if !imports.contains(&path) {
                imports.push(path);
            }
        }
    }
    Some(imports)
}

/// The underlying type of `pkg.Name` when `pkg` is a standard-library
/// package this file (or, failing that, another file of the package)
/// imports under that name and the table knows the type.
pub fn std_underlying(ty: &TypeExpr, scope: &PackageScope) -> Option<&'static str> {
    let TypeKind::Qualified { package, name } = ty.kind() else {
        return None;
    };
    let path = path_of(package, scope).or_else(|| importable(package, scope))?;
    crate::go::stdlib_types::underlying(&path, name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn import_names() {
        let imp = |alias: Option<&str>, path: &str| Import {
            alias: alias.map(str::to_string),
            path: path.to_string(),
        };
        assert_eq!(imp(None, "net/http").name(), Some("http"));
        assert_eq!(imp(Some("h"), "net/http").name(), Some("h"));
        assert_eq!(imp(None, "example.com/x/span/v2").name(), Some("span"));
        assert_eq!(imp(None, "gopkg.in/yaml.v3").name(), None);
        assert_eq!(imp(Some("_"), "embed").name(), None);
    }
}
