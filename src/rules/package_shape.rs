//! Package-level pre-filters for rules that need a package of a certain
//! shape (a struct type with a map field, one that also holds a mutex): read
//! from the directory's skim index, so a file of a package without one is
//! never parsed for these rules. Each is a necessary condition only: when
//! in doubt, it lets the file through.

use crate::go::lex::{self, Tok};
use crate::go::types::basic;
use crate::go::types::package_index::Directory;
use crate::go::types::{TypeExpr, TypeKind};
use std::collections::{BTreeSet, HashMap};

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

/// Which packages of a directory assign a field outside composite
/// literals as far as tokens show, `x.f = …`, `x.f op= …` or `&x.f` (each
/// also an assignment the parse would find: a field these name is never a
/// nil field that nothing fills), asked one field at a time: a file is
/// lexed at most once, and only when it names an asked field.
pub struct Assignments {
    /// Per file of the directory: its package, and for a file other than a
    /// test the fields it assigns (lexed on first need).
    files: Vec<(String, Option<std::sync::OnceLock<Vec<String>>>)>,
    answers: std::sync::Mutex<HashMap<String, std::sync::Arc<BTreeSet<String>>>>,
}

impl Assignments {
    pub fn new(dir: &Directory) -> Assignments {
        let files = dir
            .iter()
            .map(|f| {
                let lexed = (!crate::go::load::is_test_file(&f.path)).then(std::sync::OnceLock::new);
                (f.index.package.clone(), lexed)
            })
            .collect();
        Assignments {
            files,
            answers: std::sync::Mutex::default(),
        }
    }

    /// The packages with files other than tests.
    pub fn has_package(&self, package: &str) -> bool {
        self.files.iter().any(|(p, lexed)| p == package && lexed.is_some())
    }

    /// The packages whose files other than tests assign `field` (`dir` is
    /// the directory this was made from).
    pub fn packages_assigning(&self, dir: &Directory, field: &str) -> std::sync::Arc<BTreeSet<String>> {
        if let Some(found) = self.answers.lock().unwrap_or_else(|e| e.into_inner()).get(field) {
            return found.clone();
        }
        let mut out = BTreeSet::new();
        for (file, (package, lexed)) in dir.iter().zip(&self.files) {
            let Some(lexed) = lexed else { continue };
            if out.contains(package) {
                continue;
            }
            let assigned = match lexed.get() {
                Some(assigned) => assigned,
                None => {
                    let Some(text) = file.text() else { continue };
                    let text = text.trim_start_matches('\u{feff}');
                    if lex::word_occurrences(text, field).next().is_none() {
                        continue;
                    }
                    lexed.get_or_init(|| assigned_in(text))
                }
            };
            if assigned.iter().any(|a| a == field) {
                out.insert(package.clone());
            }
        }
        let out = std::sync::Arc::new(out);
        self.answers
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(field.to_string(), out.clone());
        out
    }
}

const ASSIGN_OPS: [&str; 12] = ["=", "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "<<=", ">>=", "&^="];

/// The fields `text` assigns, by tokens (see `assigned_fields`).
fn assigned_in(text: &str) -> Vec<String> {
    let src = text.as_bytes();
    let toks: Vec<(Tok, usize)> = lex::tokens(text).collect();
    let word = |i: usize| match toks.get(i) {
        Some((Tok::Word(s, e), _)) => Some(&text[*s..*e]),
        _ => None,
    };
    let punct = |i: usize| match toks.get(i) {
        Some((Tok::Punct(b), _)) => Some(*b),
        _ => None,
    };
    // The operator of adjacent punctuation starting at token `i`.
    let operator = |i: usize| {
        let mut j = i;
        while let Some((Tok::Punct(_), at)) = toks.get(j) {
            if j > i && toks[j - 1].1 + 1 != *at {
                break;
            }
            j += 1;
        }
        toks.get(i).map(|t| t.1).map(|start| &src[start..start + (j - i)])
    };
    let mut out = Vec::new();
    for i in 1..toks.len() {
        let Some(name) = word(i) else { continue };
        if punct(i - 1) != Some(b'.') || lex::is_keyword(name.as_bytes()) {
            continue;
        }
        // `x.f = …`, `x.f += …` (not `==`, `<=`, …).
        if punct(i + 1).is_some() && operator(i + 1).is_some_and(|op| ASSIGN_OPS.iter().any(|a| a.as_bytes() == op)) {
            out.push(name.to_string());
            continue;
        }
        // `&x.f`: a selector chain after `&` ending here.
        let mut j = i;
        while j >= 2 && punct(j - 1) == Some(b'.') && word(j - 2).is_some() {
            j -= 2;
        }
        let chained = j < i && j >= 1 && punct(j - 1) == Some(b'&');
        let ends = !matches!(punct(i + 1), Some(b'{' | b'[' | b'(' | b'.'));
        if chained && ends {
            out.push(name.to_string());
        }
    }
    out
}

/// The package's functions (not methods) whose result may be a single map
/// (`map_result_may_be_map`) with a `return nil` of one value: those whose
/// result may be a nil map.
pub fn nil_returning_funcs(dir: &Directory) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for file in dir.iter() {
        if file.index.funcs.is_empty() {
            continue;
        }
        let Some(text) = file.text() else { continue };
        let text = text.trim_start_matches('\u{feff}');
        if !lex::word_occurrences(text, "return").any(|at| text[at + "return".len()..].trim_start().starts_with("nil"))
        {
            continue;
        }
        for d in crate::go::decls::split(text) {
            let (Some(name), Some(body)) = (crate::go::decls::func_name(text, &d), d.body.clone()) else {
                continue;
            };
            if !file.index.funcs.iter().any(|f| f == name) || !result_may_be_map(&text[d.range.start..body.start], dir)
            {
                continue;
            }
            let body = &text[body];
            let toks: Vec<(Tok, usize)> = lex::tokens(body).collect();
            let returns_nil = toks.windows(3).any(|w| {
                matches!(w[0].0, Tok::Word(s, e) if &body[s..e] == "return")
                    && matches!(w[1].0, Tok::Word(s, e) if &body[s..e] == "nil")
                    && w[2].0 != Tok::Punct(b',')
            });
            if returns_nil {
                out.insert(name.to_string());
            }
        }
    }
    out
}

/// Whether the result of the function whose header (`func F(…) R`, doc
/// comment included) is `header` may be one map: one type, unnamed, that
/// `may_be_map` accepts; yes when the header cannot be read.
fn result_may_be_map(header: &str, dir: &Directory) -> bool {
    let toks: Vec<(Tok, usize)> = lex::tokens(header).filter(|(t, _)| *t != Tok::Newline).collect();
    let Some(func) = toks
        .iter()
        .position(|(t, _)| matches!(t, Tok::Word(s, e) if &header[*s..*e] == "func"))
    else {
        return true;
    };
    // The name, then type parameters and parameters, each balanced.
    let mut i = func + 2;
    for open in [b'[', b'('] {
        if toks.get(i).map(|t| t.0) != Some(Tok::Punct(open)) {
            continue;
        }
        let close = if open == b'[' { b']' } else { b')' };
        let mut depth = 0usize;
        while let Some((t, _)) = toks.get(i) {
            i += 1;
            match t {
                Tok::Punct(b) if *b == open => depth += 1,
                Tok::Punct(b) if *b == close => {
                    depth -= 1;
                    if depth == 0 {
                        break;
                    }
                }
                _ => {}
            }
        }
    }
    let Some(&(_, start)) = toks.get(i) else {
        return false;
    };
    let result = header[start..].trim();
    let (single, listed) = match result.strip_prefix('(').and_then(|r| r.strip_suffix(')')) {
        Some(inner) => (inner.trim(), true),
        None => (result, false),
    };
    match TypeExpr::parse(single) {
        Some(ty) => may_be_map(&ty, dir, 0),
        // Several results (`(a, b T)`, `(T, error)`) are not one map; any
        // other result that does not read as a type stays possible.
        None => !(listed && single.contains(',')),
    }
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

/// Whether `text` may write `name` as a field through an index:
/// `.name[…]` followed by an assignment (`=`, `op=`, `++`, `--`, or a list
/// assigned later on the line), with only white space around the name; yes
/// when a comment or raw string leaves it unsure (as `nil_map_write::may_match`).
pub fn index_writes(text: &str, name: &str) -> bool {
    let bytes = text.as_bytes();
    lex::word_occurrences(text, name).any(|at| {
        let before = bytes[..at].iter().rposition(|b| !b.is_ascii_whitespace());
        let end = at + name.len();
        let open = bytes[end..]
            .iter()
            .position(|b| !b.is_ascii_whitespace())
            .map(|i| end + i);
        let (Some(b), Some(open)) = (before, open) else {
            return false;
        };
        if bytes[b] != b'.' || bytes[open] != b'[' {
            return false;
        }
        match lex::bracketed(text, open + 1) {
            None => true,
            Some(br) => !br.slice && lex::assignment_follows(text, br.end),
        }
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
        assert!(selects_any("x := c.\n\titems[k]", &locked));
        assert!(!selects_any("items := 1", &locked));
        assert!(index_writes("c.items [k] = 1", "items"));
        assert!(index_writes("c.items[k]++", "items"));
        assert!(index_writes("c.items[k], ok = 1, true", "items"));
        assert!(!index_writes("n := len(c.items)", "items"));
        assert!(!index_writes("v := c.items[k]", "items"), "a read");
        assert!(!index_writes("c.items[1:] = nil", "items"), "a slice");
    }

    #[test]
    fn reads_assigned_fields_and_nil_returning_functions_from_tokens() {
        let src = "package p\n\nfunc f(x *T, y *U) {\n\tx.a = make(map[string]int)\n\ty.b.c += 1\n\tok := x.d == nil || x.e <= 2\n\tg(&x.h, &T{i: 1}, &pkg.T{}, &x.j[0])\n\t// x.k = 1\n\ts := \"x.l = 2\"\n\tx.m, ok = 1, true\n\t_, _ = s, ok\n}\n\nfunc load() map[string]int {\n\tif true {\n\t\treturn nil\n\t}\n\treturn map[string]int{}\n}\n\nfunc pair() (map[string]int, error) { return nil, nil }\n\nfunc (t *T) get() map[string]int { return nil }\n";
        let mut got = assigned_in(src);
        got.sort();
        // `x.m, ok = …` is not read (a comma is also an argument list's).
        assert_eq!(got, ["a", "c", "h"]);
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.go"), src).unwrap();
        let cache = PackageCache::default();
        let index = cache.directory(&dir.path().join("a.go"));
        let funcs: Vec<String> = nil_returning_funcs(&index).into_iter().collect();
        assert_eq!(funcs, ["load"], "one value, not a method");
        let assignments = Assignments::new(&index);
        for (field, assigned) in [
            ("a", true),
            ("c", true),
            ("h", true),
            ("d", false),
            ("k", false),
            ("zz", false),
        ] {
            assert_eq!(
                assignments.packages_assigning(&index, field).contains("p"),
                assigned,
                "{field}"
            );
        }
        assert!(assignments.has_package("p") && !assignments.has_package("q"));
        let shapes = "package p\n\ntype M map[string]int\n\ntype S struct{ m M }\n\nfunc a() M { return nil }\n\nfunc b() *S { return nil }\n\n// c is.\nfunc c[K comparable](k K) (map[K]int) { return nil }\n\nfunc d() error { return nil }\n\nfunc e() url.Values { return nil }\n\nfunc f() (m map[int]int) { return nil }\n\nfunc g() []byte { return nil }\n\nfunc h(x func() int) S { return nil }\n";
        std::fs::write(dir.path().join("a.go"), shapes).unwrap();
        let cache = PackageCache::default();
        let index = cache.directory(&dir.path().join("a.go"));
        let funcs: Vec<String> = nil_returning_funcs(&index).into_iter().collect();
        // `f`'s result is named, which the rule does not follow, but reads as a possible map.
        assert_eq!(funcs, ["a", "c", "e", "f"], "results that may be one map");
    }
}
