//! nil-map-write: a write `x.f[k] = v` (`op=`, `++`, `--`) to a map field of
//! a package struct type `T` that the package builds without that field
//! (`T{…}` omitting it, `new(T)`, `var v T`, a decoded value) and never
//! assigns outside composite literals, with no nil check or assignment of
//! `x.f` before the write in the function: on such a `T` the write panics.
//! Also a write to a local holding the result of a package function that
//! has a `return nil` path. Fix: `if x.f == nil { x.f = make(…) }` before
//! the write (`fix.rs`). The package's facts are gathered per file and per
//! field or function asked about, from the declarations that name it
//! (`facts.rs`).

mod facts;
mod fix;
mod guard;
mod keys;
#[cfg(test)]
mod tests;

use super::{Detection, RuleContext, RuleModule};
use crate::go::lang::Go;
use crate::go::lex::{self, Before};
use crate::go::syntax::{self, code_children, GoNode};
use crate::go::types::{self, TypeExpr, TypeKind};
use ast_grep_core::tree_sitter::StrDoc;
use ast_grep_core::NodeMatch;
use facts::{Build, FileFacts, How};
use keys::Key;
use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::Arc;

pub const MODULE: RuleModule = RuleModule {
    name: "nil_map_write",
    check,
    precondition: Some(may_match),
    package_precondition: Some(package_may_match),
    options: None,
};

pub fn check(ctx: &RuleContext, m: &NodeMatch<StrDoc<Go>>) -> Vec<Detection> {
    let stmt = m.get_node();
    // A test that writes a nil map panics when it runs: test files are
    // checked by running them.
    if is_test_file(&ctx.file.path) {
        return Vec::new();
    }
    let writes: Vec<GoNode> = match stmt.kind().as_ref() {
        "inc_dec_statement" => stmt.field("operand").into_iter().collect(),
        _ => stmt.field("left").map(|l| code_children(&l)).unwrap_or_default(),
    };
    let writes = writes.into_iter().filter(|w| w.kind() == "index_expression");
    let mut out: Vec<Detection> = Vec::new();
    for write in writes {
        let Some(map) = write.field("operand") else { continue };
        let found = match map.kind().as_ref() {
            "selector_expression" => field_write(ctx, stmt, &map),
            "identifier" => result_write(ctx, stmt, &map),
            _ => None,
        };
        out.extend(found.filter(|d| !out.iter().any(|o| o.range == d.range)));
    }
    out
}

/// The package's facts about `key`, one entry per file, this file first,
/// without the test files (with `own_only`, this file's alone). A field's
/// are merged with those of the declarations that call a decoder, gathered
/// once per file for every field.
fn package_facts(ctx: &RuleContext, key: Key, own_only: bool) -> Vec<(PathBuf, Arc<FileFacts>)> {
    let declared = |key: Key| {
        let keep = |piece: &str, d: &crate::go::decls::Decl| key.keeps(piece, d);
        let include: fn(&std::path::Path) -> bool = if own_only { |_| false } else { |p| !is_test_file(p) };
        ctx.scope.package_declared(
            ctx.text,
            include,
            &key.name(),
            &key.filter(&keep),
            facts::gather_declared,
        )
    };
    let facts = declared(key);
    if !matches!(key, Key::Field { .. }) {
        return facts;
    }
    facts
        .into_iter()
        .zip(declared(Key::Decoders))
        .map(|((path, a), (_, b))| (path, Arc::new(FileFacts::merge(&a, &b))))
        .collect()
}

use crate::go::load::is_test_file;

/// `x.f[k] = v` where `x` is of package struct type `T` (or `*T`).
fn field_write(ctx: &RuleContext, stmt: &GoNode, map: &GoNode) -> Option<Detection> {
    let owner = map.field("operand")?;
    let field = map.field("field")?.text().to_string();
    let owner_type = TypeExpr::parse(&types::expr_type(&owner, ctx.scope)?)?;
    let TypeKind::Name(type_name) = owner_type.without_pointers().kind() else {
        return None;
    };
    let decl = ctx.scope.type_decl(type_name)?;
    let field_type = decl.fields().find(|(n, _)| *n == field)?.1.to_string();
    types::map_parts(&field_type, ctx.scope)?;
    let refilled = [format!("{type_name}.{field}"), format!("{type_name}.*")];
    // A package that compares the field with nil uses nil as a state (a
    // directory marker, a closed value) and its writes may rely on a test
    // made elsewhere (`if !n.IsDir() { return }`).
    let silences = |f: &FileFacts| {
        f.assigned.contains(&field) || refilled.iter().any(|r| f.refilled.contains(r)) || f.nil_tested.contains(&field)
    };
    // What the writing function shows first, then whether some file of the
    // package assigns the field as far as tokens tell (the package
    // pre-filter's question, answered once per directory: each such token
    // is an assignment the facts would find), then this file's facts, and
    // the package's other files only when those say nothing.
    let func = syntax::enclosing_function(stmt)?;
    if guard::guarded(ctx, stmt, map, &func) {
        return None;
    }
    let local = guard::local_build(stmt, &owner, &func);
    if local.as_ref().is_some_and(|l| !l.omits(&field)) {
        return None;
    }
    let package = &ctx.scope.own.package;
    if open_field(ctx.scope.directory(), package, &field) == Some(false) {
        return None;
    }
    // Without a value built here, some file must build one without the
    // field (as far as words tell) before any other file is parsed.
    if local.is_none() && !builds_may_omit(ctx, type_name, &field) {
        return None;
    }
    let key = Key::Field {
        type_name,
        field: &field,
    };
    let own = package_facts(ctx, key, true);
    if own.iter().any(|(_, f)| silences(f)) {
        return None;
    }
    let all = package_facts(ctx, key, false);
    if all.iter().any(|(_, f)| silences(f)) {
        return None;
    }
    let builds: Vec<(&PathBuf, &Build)> = all
        .iter()
        .filter(|(_, f)| !f.generated)
        .flat_map(|(p, f)| f.builds.iter().map(move |b| (p, b)))
        .filter(|(_, b)| b.type_name == *type_name)
        .collect();
    let own_path = &all[0].0;
    let func_start = Some(func.range().start);
    let decoded_here = builds
        .iter()
        .find(|(p, b)| *p == own_path && b.func == func_start && matches!(b.how, How::Decoded(_)));
    let local_source = local.map(|l| {
        let how = match (&l.how, decoded_here) {
            (How::Var | How::Literal, Some((_, d))) => d.how.clone(),
            _ => l.how.clone(),
        };
        Build::new(type_name.to_string(), l.present, how, l.line)
    });
    // Values built in other functions: when no literal of the package
    // gives the field a value (the field is never made), any of them; where
    // some constructors make it and others do not, only an exported
    // constructor's (`func Named(…) *T { return &T{…} }`): other partial
    // values serve other paths (stubs, copies, lookups) far more often than
    // they reach the write.
    let never_given = !builds.iter().any(|(_, b)| b.how == How::Literal && !b.omits(&field));
    let package_source = builds
        .iter()
        .filter(|(_, b)| b.omits(&field) && (never_given || b.exported_ctor))
        .min_by_key(|(_, b)| (!b.exported_ctor, !matches!(b.how, How::Decoded(_))))
        .map(|(p, b)| ((*p).clone(), (*b).clone()));
    let nil_source = match local_source {
        Some(b) => (own_path.clone(), b),
        None => package_source?,
    };
    let nil_source = (&nil_source.0, &nil_source.1);
    let name = map.text().to_string();
    let (message, source) = describe(type_name, &field, nil_source, ctx);
    let mut det = Detection {
        range: stmt.range(),
        message: Some(format!("{name} is written with no nil check, but {message}")),
        note: None,
        related: Vec::new(),
        fix: None,
    };
    match fix::lazy_init(ctx, stmt, map, &field_type, crate::rules::FixSafety::Safe) {
        Ok(fix) => det.fix = Some(fix),
        Err(why) => det.note = Some(format!("{source}; no fix: {why}")),
    }
    Some(det)
}

/// The finding's message about where a nil `T` comes from, and a short
/// form of it for notes.
fn describe(type_name: &str, field: &str, (path, build): (&PathBuf, &Build), ctx: &RuleContext) -> (String, String) {
    let file = path
        .file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    let at = format!("{file}:{}", build.line);
    let _ = ctx;
    let message = match &build.how {
        How::Decoded(callee) => format!(
            "{type_name} is decoded by {callee} ({at}), which leaves {field} nil when the input lacks it, \
             and nothing assigns {field} outside composite literals: the write panics on such a value"
        ),
        how => {
            let shape = match how {
                How::Literal => format!("a {type_name} literal without {field}"),
                How::New => format!("new({type_name})"),
                _ => format!("a var of type {type_name}"),
            };
            format!(
                "the package builds {shape} ({at}) and assigns {field} nowhere but in composite literals: \
                 the write panics on such a value"
            )
        }
    };
    (message, format!("{type_name}.{field} can be nil ({at})"))
}

/// `m[k] = v` where the local `m` was last assigned the result of a package
/// function that returns nil on some path.
fn result_write(ctx: &RuleContext, stmt: &GoNode, map: &GoNode) -> Option<Detection> {
    let func = syntax::enclosing_function(stmt)?;
    let name = map.text().to_string();
    let binding = types::resolve(&name, map, ctx.scope)?;
    binding.decl_at?;
    let (assign, callee) = guard::last_call_assignment(&func, stmt, &name)?;
    if !ctx.scope.is_package_func(&callee) {
        return None;
    }
    if guard::local_checked_between(ctx, &assign, stmt, map) {
        return None;
    }
    let all = package_facts(ctx, Key::Func(&callee), false);
    let (path, line) = all
        .iter()
        .find_map(|(p, f)| f.nil_map_funcs.get(&callee).map(|l| (p.clone(), *l)))?;
    let result = ctx.scope.func_result(&callee)?.text;
    let file = path
        .file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    let mut det = Detection {
        range: stmt.range(),
        message: Some(format!(
            "{name} holds the result of {callee}, which returns nil ({file}:{line}); \
             the write panics when it does"
        )),
        note: None,
        related: Vec::new(),
        fix: None,
    };
    match fix::lazy_init(ctx, stmt, map, &result, crate::rules::FixSafety::Unsafe) {
        Ok(mut fix) => {
            fix.unsafe_reason = Some(format!(
                "unsafe: the write then lands in a new map that {callee}'s owner never sees"
            ));
            det.fix = Some(fix);
        }
        Err(why) => det.note = Some(format!("no fix: {why}")),
    }
    Some(det)
}

/// Whether this file or a file of its directory other than tests may
/// build a `type_name` without `field` (`keys::may_build_without`; the
/// directory's answer is kept per type and field).
fn builds_may_omit(ctx: &RuleContext, type_name: &str, field: &str) -> bool {
    type Answers = std::sync::Mutex<std::collections::HashMap<String, bool>>;
    if keys::may_build_without(ctx.text, type_name, field) {
        return true;
    }
    let dir = ctx.scope.directory();
    let answers = dir.derived_once("nil-map-write builds without", |_| Answers::default());
    let key = format!("{type_name}.{field}");
    if let Some(found) = answers.lock().unwrap_or_else(|e| e.into_inner()).get(&key) {
        return *found;
    }
    let found = dir
        .iter()
        .filter(|f| !is_test_file(&f.path))
        .filter_map(|f| f.text())
        .any(|text| keys::may_build_without(text.trim_start_matches('\u{feff}'), type_name, field));
    answers.lock().unwrap_or_else(|e| e.into_inner()).insert(key, found);
    found
}

/// Whether `field` is a map field of one of the directory's struct types
/// that no file of package `package` other than tests assigns as far as
/// tokens tell (see `package_shape::Assignments`); `None` when the
/// directory has no such file of that package.
fn open_field(dir: &crate::go::types::package_index::Directory, package: &str, field: &str) -> Option<bool> {
    use super::package_shape::{map_field_names, Assignments, Structs};
    let fields = dir.derived_once("nil-map-write map fields", |d| map_field_names(d, Structs::All));
    let assignments = dir.derived_once("nil-map-write assignments", Assignments::new);
    if !assignments.has_package(package) {
        return None;
    }
    Some(fields.contains(field) && !assignments.packages_assigning(dir, field).contains(package))
}

/// A file can hold a finding only where it writes through an index
/// (`x.f[k] = v`, `x.f[k]++`) a map field of one of its package's struct
/// types that no file of the package assigns (a field assigned anywhere is
/// never a nil field nothing fills), or names a package function whose
/// result may be one map and that has a `return nil` (whose result may be
/// a nil map). The fields the file writes are found first: only they are
/// looked for in the package's other files.
fn package_may_match(text: &str, package: &crate::go::types::package_index::PackageProbe) -> bool {
    use super::package_shape::{index_writes, map_field_names, mentions_any, nil_returning_funcs, Structs};
    let dir = package.directory();
    let fields = dir.derived_once("nil-map-write map fields", |d| map_field_names(d, Structs::All));
    // A whole file names its package; a declaration of it (see
    // `metadata.prefilter_scope`) is checked against every package's fields.
    let own = lex::package_name(text);
    let packages: BTreeSet<&str> = match own {
        Some(own) => [own].into_iter().collect(),
        None => dir.iter().map(|f| f.index.package.as_str()).collect(),
    };
    let fields_open = fields
        .iter()
        .filter(|f| index_writes(text, f))
        .any(|f| packages.iter().any(|p| open_field(dir, p, f) == Some(true)));
    // A local holding a function's result: only then the functions that
    // may return a nil map.
    fields_open
        || (writes_through_index(text, false)
            && mentions_any(text, &dir.derived_once("nil-returning funcs", nil_returning_funcs)))
}

/// Precondition (see `go/prefilter.rs`): a field is written through an
/// index (`x.f[k] = v`, `x.f[k]++`, `x.f[k] += v`), or a local that may hold
/// a function's result (`m := load()`, see `may_hold_call_result`) is; yes
/// when a comment or raw string leaves it unsure.
pub fn may_match(text: &str) -> bool {
    writes_through_index(text, true)
}

/// `may_match`'s search: whether `text` may write through an index a
/// local that may hold a function's result, or (with `fields`) a selected
/// field.
fn writes_through_index(text: &str, fields: bool) -> bool {
    let bytes = text.as_bytes();
    memchr::memchr_iter(b'[', bytes).any(|open| {
        let name_end = match lex::byte_before(text, open) {
            Before::Unknown => return true,
            Before::Byte(b, at) if lex::is_ident_byte(b) => at + 1,
            _ => return false,
        };
        let written = match lex::bracketed(text, open + 1) {
            None => true,
            Some(b) => !b.slice && lex::assignment_follows(text, b.end),
        };
        if !written {
            return false;
        }
        let name_start = bytes[..name_end]
            .iter()
            .rposition(|b| !lex::is_ident_byte(*b))
            .map_or(0, |i| i + 1);
        match lex::byte_before(text, name_start) {
            Before::Byte(b'.', _) => fields,
            Before::Unknown => true,
            _ => may_hold_call_result(text, &text[name_start..name_end]),
        }
    })
}

/// Builtins whose call never returns a package function's nil map.
const NOT_PACKAGE_FUNCS: [&str; 8] = ["make", "new", "append", "len", "cap", "copy", "min", "max"];

/// Whether the local `name` may be assigned the result of a call of a
/// plain function name (`name := f(…)`, `name = f(…)`): the only writes
/// through a local the rule reports. Yes also when unsure: `name` in a
/// list (`a, name := …`) or a `var` declaration, or a comment in between.
fn may_hold_call_result(text: &str, name: &str) -> bool {
    let bytes = text.as_bytes();
    let skip_space = |mut i: usize| {
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        i
    };
    lex::word_occurrences(text, name).any(|at| {
        let in_list_or_var = match lex::byte_before(text, at) {
            Before::Byte(b',', _) | Before::Unknown => true,
            Before::Byte(_, end) => {
                let start = bytes[..=end]
                    .iter()
                    .rposition(|b| !lex::is_ident_byte(*b))
                    .map_or(0, |i| i + 1);
                &text[start..=end] == "var"
            }
            _ => false,
        };
        let after = skip_space(at + name.len());
        let rest = &bytes[after.min(bytes.len())..];
        let value = if in_list_or_var || rest.starts_with(b",") || rest.starts_with(b"/") {
            return true;
        } else if rest.starts_with(b":=") {
            after + 2
        } else if rest.starts_with(b"=") && !rest.starts_with(b"==") {
            after + 1
        } else {
            return false;
        };
        let callee = skip_space(value);
        let callee_end = bytes[callee.min(bytes.len())..]
            .iter()
            .position(|b| !lex::is_ident_byte(*b))
            .map_or(bytes.len(), |i| callee + i);
        if callee_end == callee {
            // Not a name: a comment may hide one.
            return bytes.get(callee) == Some(&b'/');
        }
        let word = &text[callee..callee_end];
        let paren = skip_space(callee_end);
        bytes.get(paren) == Some(&b'(') && !NOT_PACKAGE_FUNCS.contains(&word)
    })
}
