//! Package-level pre-filters for rules that need a package of a certain
//! shape (a struct type with a map field, one that also holds a mutex): read
//! from the directory's skim index, so a file of a package without one is
//! never parsed for these rules. Each is a necessary condition only: when
//! in doubt, it lets the file through.

use crate::go::lex;
use crate::go::types::basic;
use crate::go::types::package_index::Directory;
use crate::go::types::{TypeExpr, TypeKind};
use std::collections::BTreeSet;

/// Which struct types' fields count.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Structs {
    /// Every struct type of the package.
    All,
    /// Only those that hold a `sync.Mutex` or `sync.RWMutex` (named or embedded).
    WithMutex,
}

/// The names of the fields of the package's struct types that may be maps
/// (a map type, a name the package declares as a map or does not declare, a
/// type of another package).
pub fn map_field_names(dir: &Directory, structs: Structs) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    for file in dir.iter() {
        for decl in file.index.types.values() {
            if !decl.is_struct() {
                continue;
            }
            if structs == Structs::WithMutex && !holds_mutex(decl) {
                continue;
            }
            for (name, ty) in decl.fields() {
                if may_be_map(ty, dir, 0) {
                    names.insert(name.to_string());
                }
            }
        }
    }
    names
}

/// The package's functions (the skim does not keep their results, so any
/// of them may return a map).
pub fn package_funcs(dir: &Directory) -> BTreeSet<String> {
    dir.iter().flat_map(|f| f.index.funcs.iter().cloned()).collect()
}

fn holds_mutex(decl: &TypeExpr) -> bool {
    let text = decl.text();
    text.contains("Mutex")
}

fn may_be_map(ty: &TypeExpr, dir: &Directory, depth: u8) -> bool {
    match ty.kind() {
        // Synchronisation and time values of the standard library are no maps.
        TypeKind::Qualified { package, .. } if matches!(package.as_str(), "sync" | "atomic" | "time") => false,
        TypeKind::Map { .. } | TypeKind::Qualified { .. } | TypeKind::Generic { .. } | TypeKind::Other => true,
        TypeKind::Paren(inner) => may_be_map(inner, dir, depth),
        TypeKind::Name(name) if basic::is_basic(name) || name == "error" => false,
        TypeKind::Name(name) => {
            let decl = dir.iter().find_map(|f| f.index.types.get(name));
            match decl {
                Some(d) if depth < 4 => may_be_map(d, dir, depth + 1),
                Some(_) => true,
                // A type parameter, or a name the skim did not see.
                None => true,
            }
        }
        _ => false,
    }
}

/// Whether `text` selects one of `names` as a field: `.name`, with only
/// white space between the dot and the name.
pub fn selects_any(text: &str, names: &BTreeSet<String>) -> bool {
    let bytes = text.as_bytes();
    names.iter().any(|name| {
        lex::word_occurrences(text, name).any(|at| {
            let before = bytes[..at].iter().rposition(|b| !b.is_ascii_whitespace());
            before.is_some_and(|i| bytes[i] == b'.')
        })
    })
}

/// Whether `text` indexes one of `names` as a field: `.name[`, with only
/// white space around the name.
pub fn indexes_any(text: &str, names: &BTreeSet<String>) -> bool {
    let bytes = text.as_bytes();
    names.iter().any(|name| {
        lex::word_occurrences(text, name).any(|at| {
            let before = bytes[..at].iter().rposition(|b| !b.is_ascii_whitespace());
            let after = bytes[at + name.len()..].iter().position(|b| !b.is_ascii_whitespace());
            before.is_some_and(|i| bytes[i] == b'.') && after.is_some_and(|i| bytes[at + name.len() + i] == b'[')
        })
    })
}

/// Whether `text` mentions one of `names` as a word.
pub fn mentions_any(text: &str, names: &BTreeSet<String>) -> bool {
    names
        .iter()
        .any(|name| lex::word_occurrences(text, name).next().is_some())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::go::types::package_index::PackageCache;

    #[test]
    fn finds_map_fields_and_selectors_from_the_skim() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("a.go"),
            "package p\n\nimport \"sync\"\n\ntype Set map[string]bool\n\ntype C struct {\n\tmu sync.Mutex\n\titems map[string]int\n\tseen Set\n\tn int\n}\n\ntype D struct {\n\tlabels map[string]string\n}\n\nfunc load() map[string]int { return nil }\n\nfunc count() int { return 0 }\n",
        )
        .unwrap();
        let cache = PackageCache::default();
        let index = cache.directory(&dir.path().join("a.go"));
        let locked = map_field_names(&index, Structs::WithMutex);
        assert_eq!(locked.iter().map(String::as_str).collect::<Vec<_>>(), ["items", "seen"]);
        let all = map_field_names(&index, Structs::All);
        assert!(all.contains("labels") && !all.contains("n"));
        let funcs = package_funcs(&index);
        assert!(funcs.contains("load") && funcs.contains("count"));
        assert!(selects_any("x := c.\n\titems[k]", &locked));
        assert!(!selects_any("items := 1", &locked));
        assert!(indexes_any("c.items [k] = 1", &locked));
        assert!(!indexes_any("n := len(c.items)", &locked));
    }
}
