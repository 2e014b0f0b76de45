//! Package facts read from declarations: a rule asks a question of the
//! package (a key, such as a field `T.f`) whose answers can only sit in the
//! declarations that hold some words, and each file is parsed in those
//! declarations alone (`go/decls.rs`, tree-sitter's included ranges), or
//! not at all, once per key; only the facts are kept, the trees dropped.

use super::PackageScope;
use crate::go::decls::{self, Decl};
use crate::go::syntax::{self, GoNode};
use crate::profile::{self, Counter};
use std::any::Any;
use std::ops::Range;
use std::path::Path;
use std::sync::Arc;

/// A file parsed in some of its declarations (see
/// `PackageScope::package_declared`): the tree, a scope for it, and the
/// ranges of the kept declarations (the tree also holds the package clause,
/// imports, types, variables and constants, and every function's header).
pub struct Declared<'t, 'r, 's> {
    pub root: &'t GoNode<'r>,
    pub scope: &'t PackageScope<'s>,
    pub kept: &'t [std::ops::Range<usize>],
}

/// Which declarations of a file a rule's package facts need: those that
/// `keep` accepts (given each declaration's text and its cut, see
/// `go/decls.rs`), in a file whose text holds one of `needles` (each kept
/// declaration must hold one: a file without any is not even cut).
pub struct DeclFilter<'k> {
    pub needles: Vec<&'k str>,
    pub keep: &'k dyn Fn(&str, &Decl) -> bool,
}

/// The tree of the declarations of `text` (without BOM) that `filter`
/// keeps, and their ranges: those parsed whole, every other function as its
/// header, the package clause, imports, types, variables and constants
/// whole; `None`, and no parse, when it keeps none.
pub fn parse_declarations(text: &str, filter: &DeclFilter) -> Option<(syntax::GoTree, Vec<Range<usize>>)> {
    if !filter
        .needles
        .iter()
        .any(|n| memchr::memmem::find(text.as_bytes(), n.as_bytes()).is_some())
    {
        return None;
    }
    let decls = decls::split(text);
    let kept: Vec<bool> = decls.iter().map(|d| (filter.keep)(&text[d.range.clone()], d)).collect();
    if !kept.iter().any(|k| *k) {
        return None;
    }
    profile::count(Counter::SiblingsParsedInPart, 1);
    let tree = match decls::ranges_to_parse(text, &decls, |i, _| kept[i]) {
        Some(ranges) => syntax::parse_ranges(text, &ranges),
        None => syntax::parse(text),
    };
    let ranges = decls
        .iter()
        .zip(&kept)
        .filter(|(_, k)| **k)
        .map(|(d, _)| d.range.clone())
        .collect();
    Some((tree, ranges))
}

impl PackageScope<'_> {
    /// The declaration-level, keyed variant of `package_derived`: what
    /// `compute` derives from the declarations that `filter` keeps in each
    /// file of the package that `include` accepts, with its path, this file
    /// first (read from `own_text`, its text as it is now, whatever
    /// `include` says). Each file is parsed only in those declarations
    /// (every other function as its header; see
    /// `package_index::parse_declarations`), or not at all when `filter`
    /// keeps none of its declarations (`compute` then gets no tree), and the
    /// tree is dropped once `compute` returns: only the facts are kept, once
    /// per directory index, type `T` and `key`, which names what `filter`
    /// selects (several questions about one key parse once).
    pub fn package_declared<T: Any + Send + Sync>(
        &self,
        own_text: &str,
        include: fn(&Path) -> bool,
        key: &str,
        filter: &DeclFilter,
        compute: fn(Option<Declared>, &str) -> T,
    ) -> Vec<(std::path::PathBuf, Arc<T>)> {
        let slot = (std::any::TypeId::of::<T>(), key.to_string());
        let cached = self
            .own_declared
            .borrow()
            .get(&slot)
            .and_then(|d| d.clone().downcast::<T>().ok());
        let own = cached.unwrap_or_else(|| {
            let text = own_text.trim_start_matches('\u{feff}');
            let tree = parse_declarations(text, filter);
            let root = tree.as_ref().map(|(t, _)| t.root());
            let declared = root.as_ref().zip(tree.as_ref()).map(|(root, (_, kept))| Declared {
                root,
                scope: self,
                kept,
            });
            let value = Arc::new(compute(declared, text));
            self.own_declared.borrow_mut().insert(slot, value.clone());
            value
        });
        let mut out = vec![(self.path.to_path_buf(), own)];
        for f in self.other_files().filter(|f| include(&f.path)) {
            let value = f.declared(key, filter, |parsed, text| {
                let scope = parsed.map(|(root, _)| PackageScope::new(root, &f.path, self.cache));
                let declared = parsed
                    .zip(scope.as_ref())
                    .map(|((root, kept), scope)| Declared { root, scope, kept });
                compute(declared, text)
            });
            out.push((f.path.clone(), value));
        }
        out
    }
}
