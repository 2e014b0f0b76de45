//! unlocked-map: a map field of a struct that holds a `sync.Mutex` or
//! `sync.RWMutex`, accessed without the mutex that guards it everywhere
//! else in the package. Fix (unsafe): take the guard at the top of the method.
//!
//! `candidates` finds the struct types, `access` classifies each use of a
//! field, `walk` follows the lock state through a function, `package` and
//! `flow` compute the package's facts once per package (guards, locks held
//! on entry to helpers, construction), `fix` plans the fix.

mod access;
mod candidates;
mod cone;
mod fix;
mod flow;
mod locks;
mod package;
mod walk;

use super::registry::OptionsSpec;
use super::{Detection, RelatedLocation, RuleContext, RuleModule, RuleOptions};
use crate::go::lang::Go;
use ast_grep_core::tree_sitter::StrDoc;
use ast_grep_core::NodeMatch;
use package::{any_lock, holds, Facts};
use std::collections::HashSet;
use walk::EventKind;

pub const MODULE: RuleModule = RuleModule {
    name: "unlocked_map",
    check,
    precondition: Some(may_match),
    package_precondition: Some(package_may_match),
    options: Some(OptionsSpec::of::<Options>()),
};

/// `[rules.unlocked-map]`.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Options {
    /// `tests = true`: also report `_test.go` files (and count their accesses).
    #[serde(default)]
    tests: bool,
}

impl RuleOptions for Options {
    /// With `tests = true`, files that import "testing" are candidates too.
    fn widen(&self, rule: &mut super::Rule) {
        if self.tests {
            rule.precondition = Some(may_match_with_tests);
            rule.package_precondition = Some(package_may_match_with_tests);
        }
    }
}

use crate::go::load::is_test_file;

/// A file can hold a finding only where it selects a map field of a
/// struct type of its package that holds a mutex, and one that has a
/// guard. A candidate type holds a `sync.Mutex` or `sync.RWMutex`, so some
/// file of the package says `Mutex`: most directories are ruled out on that
/// word, before their declarations are indexed. The guards are the
/// package's facts (`package::build`), computed here once per package, from
/// the directory's index and the package's files, and shared with `check`:
/// in most packages no map field has a guard, and no file of them is parsed
/// for this rule.
fn package_may_match(text: &str, package: &crate::go::types::package_index::PackageProbe) -> bool {
    package_may_match_for(text, package, false)
}

/// `package_may_match` with `tests = true`.
fn package_may_match_with_tests(text: &str, package: &crate::go::types::package_index::PackageProbe) -> bool {
    package_may_match_for(text, package, true)
}

fn package_may_match_for(text: &str, package: &crate::go::types::package_index::PackageProbe, tests: bool) -> bool {
    use super::package_shape::{map_field_names, selects_any, Structs};
    if !package.mentions("Mutex") {
        return false;
    }
    let fields = package
        .directory()
        .derived_once("unlocked-map fields", |d| map_field_names(d, Structs::WithMutex));
    if !selects_any(text, &fields) {
        return false;
    }
    let Some(scope) = package.scope() else {
        return true;
    };
    let facts = scope.package_facts(facts_key(tests), || package::build(&scope, package.path(), text, tests));
    selects_any(text, &facts.guarded_fields())
}

/// The key of the package's facts (see `PackageScope::package_facts`).
fn facts_key(tests: bool) -> &'static str {
    if tests {
        "unlocked-map+tests"
    } else {
        "unlocked-map"
    }
}

/// The default precondition: `may_match_with_tests`, and not a file that
/// imports "testing" (test files are off by default; the path is not known
/// here, and a non-test file that imports "testing" is test support code).
fn may_match(text: &str) -> bool {
    !imports_testing(text) && may_match_with_tests(text)
}

/// Whether a file mentions the "testing" import path (test code).
pub fn imports_testing(text: &str) -> bool {
    memchr::memmem::find(text.as_bytes(), b"\"testing\"").is_some()
}

/// A file can hold a finding only where it uses a selector as a map:
/// `x.f[`, `range x.f`, `delete(x.f`, `clear(x.f`, printing, or an alias
/// `m := x.f` (whose uses need `[`, `range` or `delete` too).
fn may_match_with_tests(text: &str) -> bool {
    let b = text.as_bytes();
    let selector_index = memchr::memchr_iter(b'[', b).any(|at| {
        let mut i = at;
        while i > 0 && crate::go::lex::is_ident_byte(b[i - 1]) {
            i -= 1;
        }
        i < at && i > 0 && b[i - 1] == b'.'
    });
    selector_index
        || ["range ", "delete(", "clear(", "fmt.", "log.", "json."]
            .iter()
            .any(|t| memchr::memmem::find(b, t.as_bytes()).is_some())
}

pub fn check(ctx: &RuleContext, m: &NodeMatch<StrDoc<Go>>) -> Vec<Detection> {
    let tests = ctx.options::<Options>().tests;
    if !tests && (is_test_file(&ctx.file.path) || imports_testing(ctx.text)) {
        return Vec::new();
    }
    let func = m.get_node();
    let facts = ctx.scope.package_facts(facts_key(tests), || {
        package::build(ctx.scope, &ctx.file.path, ctx.text, tests)
    });
    if facts.cands.is_empty() {
        return Vec::new();
    }
    let text = func.text();
    if !facts
        .cands
        .field_words()
        .any(|w| crate::go::lex::word_occurrences(&text, w).next().is_some())
    {
        return Vec::new();
    }
    let Some(w) = walk::walk_function(func, ctx.scope, &facts.cands) else {
        return Vec::new();
    };
    findings(ctx, func, &w, &facts)
}

fn findings(ctx: &RuleContext, func: &crate::go::syntax::GoNode, w: &walk::FuncWalk, facts: &Facts) -> Vec<Detection> {
    let entry = facts.entry.get(&w.key);
    let recv = w.recv.as_ref();
    let mut seen = HashSet::new();
    let mut events: Vec<_> = w.events.iter().collect();
    events.sort_by_key(|e| e.start);
    let mut out = Vec::new();
    for ev in events {
        let EventKind::Access {
            base,
            ty,
            field,
            kind,
            alias,
        } = &ev.kind
        else {
            continue;
        };
        if !package::counted(facts, &w.key, ev) || recv.is_some_and(|r| !r.2 && r.0 == *base) {
            continue;
        }
        let Some(guard) = facts.guards.get(&(ty.clone(), field.clone())) else {
            continue;
        };
        // A read races (fatally) only with a write of the map itself: a
        // map that is only replaced whole after construction (copy on
        // write) is not mutated under a reader.
        if !kind.is_write() && !facts.mutated.contains(&(ty.clone(), field.clone())) {
            continue;
        }
        let m = &guard.mutex;
        let held = match (holds(ev, base, m, recv, entry), any_lock(ev, base)) {
            (Some(a), Some(b)) => Some(a | b),
            (a, b) => a.or(b),
        };
        let under_rlock = held == Some(false) && kind.is_write();
        if held.is_some() && !under_rlock {
            continue;
        }
        if !seen.insert((ty.clone(), field.clone(), ev.unit)) {
            continue;
        }
        let lock = format!("{base}.{}", m.name);
        let shown = guard
            .evidence
            .iter()
            .find(|e| e.func != w.key)
            .or(guard.evidence.first());
        let evidence = shown.map(|e| e.text.clone()).unwrap_or_default();
        let related = shown.and_then(|e| guarded_here(ctx, e)).into_iter().collect();
        let copy = if *alias {
            format!(" through its copy `{}`", &ctx.text[ev.start..ev.end])
        } else {
            String::new()
        };
        let message = if under_rlock {
            format!(
                "map field {base}.{field} is {}{copy} under a read lock; a write needs {lock}.Lock() (guarded by {evidence})",
                kind.verb()
            )
        } else {
            format!(
                "map field {base}.{field} is {}{copy} without holding {lock} (guarded by {evidence})",
                kind.verb()
            )
        };
        let target = fix::Target {
            base,
            ty,
            unit: ev.unit,
        };
        let (fix, note) = match fix::plan(func, w, facts, guard, &target) {
            _ if under_rlock => (
                None,
                Some(format!(
                    "no fix: take {lock}.Lock() instead of the read lock where the map is written"
                )),
            ),
            Ok(fix) => (Some(fix), None),
            // Which mutex guards the field, then why it is not taken here.
            Err(reason) => (None, Some(format!("{base}.{field} is guarded by {lock}; {reason}"))),
        };
        out.push(Detection {
            range: ev.start..ev.end,
            message: Some(message),
            note,
            related,
            fix,
        });
    }
    out
}

/// The guarded access named as evidence, as a related location ("`c.mu`
/// held here"): in this file, or another file of the package (named as
/// this one was reached, in the same directory).
fn guarded_here(ctx: &RuleContext, e: &package::Evidence) -> Option<RelatedLocation> {
    let message = format!("`{}` held here", e.lock);
    let name = e.path.file_name()?;
    let path = ctx.file.path.with_file_name(name);
    if ctx.file.path.file_name() == Some(name) {
        return Some(RelatedLocation::new(&path, ctx.text, e.range.clone(), message));
    }
    let text = ctx
        .scope
        .package_files()
        .into_iter()
        .find(|(p, _, _)| p.file_name() == Some(name))
        .and_then(|(_, _, text)| text)?;
    Some(RelatedLocation::new(&path, &text, e.range.clone(), message))
}

#[cfg(test)]
mod tests;
