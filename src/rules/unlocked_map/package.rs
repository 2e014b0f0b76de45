//! The package-wide facts of unlocked-map, computed once per package: the
//! candidate types, each function's walk, the locks each method holds on
//! entry (its in-package callers', to a fixed point), the guard of each map
//! field with evidence, the fields changed in place outside construction, and for
//! the fix the locks each function takes and the fields it writes
//! (through its callees too).

use super::candidates::{Candidates, MutexField};
use super::locks::ORDERED;
use super::walk::{self, Ctx, Event, EventKind, FuncWalk, Receiver};
use crate::go::decls;
use crate::go::lines::LineIndex;
use crate::go::syntax::{self, GoNode};
use crate::go::types::PackageScope;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

/// The guard needs at least this many guarded accesses…
pub const MIN_GUARDED: usize = 3;
/// …in at least this many functions…
pub const MIN_FUNCTIONS: usize = 2;
/// …and at least this share (percent) of the field's accesses.
pub const MIN_PERCENT: usize = 75;

/// Locks a method's receiver holds on entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    /// Every lock (construction, a `…Locked` name, a "must hold" comment).
    All,
    /// Mutex field name → held for writing.
    Locks(BTreeMap<String, bool>),
}

impl Entry {
    pub fn meet(self, other: Entry) -> Entry {
        match (self, other) {
            (Entry::All, x) | (x, Entry::All) => x,
            (Entry::Locks(a), Entry::Locks(b)) => Entry::Locks(
                a.into_iter()
                    .filter_map(|(k, w)| b.get(&k).map(|bw| (k, w && *bw)))
                    .collect(),
            ),
        }
    }

    /// Whether mutex `name` is held, and for writing.
    pub fn get(&self, name: &str) -> Option<bool> {
        match self {
            Entry::All => Some(true),
            Entry::Locks(m) => m.get(name).copied(),
        }
    }
}

/// A guarded access, named as evidence: `c.mu at cache.go:41`.
#[derive(Debug, Clone)]
pub struct Evidence {
    pub func: String,
    pub text: String,
    /// The guarded access: its file, byte range there, and the lock held.
    pub path: PathBuf,
    pub range: std::ops::Range<usize>,
    pub lock: String,
}

#[derive(Debug, Clone)]
pub struct Guard {
    pub mutex: MutexField,
    pub evidence: Vec<Evidence>,
}

/// One walked function of the package.
pub struct Summary {
    pub walk: FuncWalk,
    pub file: String,
    pub path: PathBuf,
    /// Line of each event's start.
    pub lines: Vec<usize>,
}

#[derive(Default)]
pub struct Facts {
    pub cands: Candidates,
    /// (type, field) → guard.
    pub guards: HashMap<(String, String), Guard>,
    /// Fields whose map is changed in place (index write, `delete`, `clear`)
    /// outside construction: only then can a read race with a write (a map
    /// replaced whole, copy on write, is not changed under its readers).
    pub mutated: HashSet<(String, String)>,
    /// Functions that say the caller holds the lock (name or doc comment).
    pub assumed: HashSet<String>,
    /// Methods that set their receiver's fields with no lock of it held:
    /// setup code, taken as not concurrent.
    pub setup: HashSet<String>,
    pub entry: HashMap<String, Entry>,
    /// Functions run only while their value is being built.
    pub construction: HashSet<String>,
    /// Function → mutex names some in-package caller holds on its receiver.
    pub held_by_caller: HashMap<String, HashSet<String>>,
    /// Function → locks it or a callee takes: (owner type if known, mutex).
    pub takes: HashMap<String, HashSet<(Option<String>, String)>>,
    /// Function → fields it or a callee writes.
    pub writes: HashMap<String, HashSet<(String, String)>>,
}

impl Facts {
    /// The names of the map fields that have a guard.
    pub fn guarded_fields(&self) -> std::collections::BTreeSet<String> {
        self.guards.keys().map(|(_, field)| field.clone()).collect()
    }
}

/// Whether a name says the caller holds the lock (`flushLocked`).
pub fn locked_name(key: &str) -> bool {
    let name = key.rsplit('.').next().unwrap_or(key);
    name.ends_with("Locked") || name.ends_with("locked") || name.ends_with("NoLock") || name.ends_with("Nolock")
}

/// Whether a function's doc comment says the lock is held on entry.
pub fn doc_says_held(func: &GoNode) -> bool {
    let mut doc = String::new();
    let mut cur = func.prev();
    while let Some(c) = cur {
        if c.kind() != "comment" {
            break;
        }
        doc.push_str(&c.text().to_lowercase());
        doc.push(' ');
        cur = c.prev();
    }
    let doc = doc.replace("//", " ").replace("/*", " ").replace("*/", " ");
    let doc = doc.split_whitespace().collect::<Vec<_>>().join(" ");
    said_held(&doc)
}

/// Whether a (lower-case) doc comment says the caller holds a lock: it
/// names a lock and says it is held, assumed or expected of the caller
/// ("Lock should be held.", "must be called with s.mu held", "expects the
/// caller to acquire needed locks"), and does not say the opposite.
fn said_held(doc: &str) -> bool {
    let names_lock = ["lock", "mutex", "mu ", "mu.", "mu,", "mtx"]
        .iter()
        .any(|w| doc.contains(w));
    let held = [
        "held",
        "must hold",
        "caller holds",
        "callers hold",
        "caller must",
        "caller to acquire",
        "caller should",
        "assumed",
        "assumes",
        "expects",
        "requires",
        "must be locked",
        "while holding",
    ]
    .iter()
    .any(|w| doc.contains(w));
    let denied = [
        "not be held",
        "not held",
        "must not hold",
        "not hold",
        "without holding",
        "acquires",
        "takes the lock",
    ]
    .iter()
    .any(|w| doc.contains(w));
    names_lock && held && !denied
}

/// Whether the mutex `m` of the value `base` is held at `ev` (and for
/// writing), given its function's receiver and entry locks.
pub fn holds(ev: &Event, base: &str, m: &MutexField, recv: Option<&Receiver>, entry: Option<&Entry>) -> Option<bool> {
    if ev.fresh || ev.ctx == Ctx::Construction {
        return Some(true);
    }
    let mut held = ev.held.get(&format!("{base}.{}", m.name)).copied();
    // `base.Lock()` takes the embedded mutex, not a named one.
    if let Some(w) = ev.held.get(base).filter(|_| m.value_lock) {
        held = Some(held.unwrap_or(false) | *w);
    }
    if ev.inherits && recv.is_some_and(|r| r.0 == base) {
        if let Some(w) = entry.and_then(|e| e.get(&m.name)) {
            held = Some(held.unwrap_or(false) | w);
        }
    }
    held
}

/// The strongest lock held on `base` or on a value that contains it
/// (`e.mu` for `e.subs`): any mutex of the owner counts, since code that
/// takes several locks in order is common and need not use the guard.
pub fn any_lock(ev: &Event, base: &str) -> Option<bool> {
    let mut out = None;
    for (k, w) in &ev.held {
        if k == ORDERED {
            continue;
        }
        let owners = [Some(k.as_str()), k.rsplit_once('.').map(|(o, _)| o)];
        let covers = owners
            .into_iter()
            .flatten()
            .any(|o| base == o || base.strip_prefix(o).is_some_and(|rest| rest.starts_with('.')));
        if covers {
            out = Some(out.unwrap_or(false) | *w);
        }
    }
    out
}

/// Whether a walk sets fields of its receiver with no lock of it held.
fn sets_fields_unlocked(w: &FuncWalk) -> bool {
    let Some((recv, _, _)) = &w.recv else {
        return false;
    };
    w.events.iter().any(|e| {
        matches!(e.kind, EventKind::SetField) && e.unit == 0 && e.ctx == Ctx::Body && any_lock(e, recv).is_none()
    })
}

/// Whether an access is one the rule counts and may report: not during
/// construction or setup, not through a parameter, not after a wait, and
/// not a read through an alias of a map never changed in place.
pub fn counted(facts: &Facts, key: &str, ev: &Event) -> bool {
    let EventKind::Access {
        ty, field, kind, alias, ..
    } = &ev.kind
    else {
        return false;
    };
    !(ev.fresh
        || ev.param
        || ev.ordered
        || !matches!(ev.ctx, Ctx::Body | Ctx::Goroutine)
        || facts.construction.contains(key)
        || facts.setup.contains(key)
        || facts.assumed.contains(key)
        || (*alias && !kind.is_write() && !facts.mutated.contains(&(ty.clone(), field.clone()))))
}

/// Builds the facts of the package of `scope`'s file (`own_text` is that
/// file's text, used when it is not on disk).
pub fn build(scope: &PackageScope, own_path: &Path, own_text: &str, tests: bool) -> Facts {
    let mut files: Vec<(std::path::PathBuf, String)> = Vec::new();
    let mut indexes = Vec::new();
    let mut own_seen = false;
    let own_abs = std::path::absolute(own_path).unwrap_or_else(|_| own_path.to_path_buf());
    for (path, index, text) in scope.package_files() {
        let test_code = crate::go::load::is_test_file(path) || text.as_deref().is_some_and(super::imports_testing);
        if test_code && !tests {
            continue;
        }
        own_seen |= path == own_abs;
        indexes.push(index.clone());
        if let Some(text) = text {
            files.push((path.to_path_buf(), text.to_string()));
        }
    }
    if !own_seen && (tests || !(crate::go::load::is_test_file(own_path) || super::imports_testing(own_text))) {
        indexes.push(scope.own.clone());
        files.push((own_path.to_path_buf(), own_text.to_string()));
    }
    let mut cands = Candidates::from_indexes(indexes.iter(), scope);
    if cands.is_empty() {
        return Facts::default();
    }
    // Only files that name a map field or take a lock are read: a file
    // doing neither adds at most call sites, and an unexported method whose
    // callers are not seen is taken as guarded (see `flow::entries`).
    let words: Vec<String> = cands.field_words().map(str::to_string).collect();
    let relevant = |text: &str| {
        text.contains("Lock(")
            || words
                .iter()
                .any(|w| crate::go::lex::word_occurrences(text, w).next().is_some())
    };
    let files: Vec<(std::path::PathBuf, String)> = files
        .into_iter()
        .filter(|(_, text)| relevant(text))
        .map(|(path, text)| (path, text.trim_start_matches('\u{feff}').to_string()))
        .collect();
    // Of those files, only the functions of the cone (see `cone.rs`) are
    // parsed whole: the others as their headers.
    let decls: Vec<Vec<decls::Decl>> = files.iter().map(|(_, text)| decls::split(text)).collect();
    let texts: Vec<&str> = files.iter().map(|(_, text)| text.as_str()).collect();
    let field_words: HashSet<&str> = words.iter().map(String::as_str).collect();
    // The package's methods first (from the headers' tokens), then one
    // file at a time parsed, walked and dropped.
    for (text, ds) in texts.iter().zip(&decls) {
        for d in ds {
            if let (Some(ty), Some(name)) = (decls::receiver_type(text, d), decls::func_name(text, d)) {
                if cands.is_type(ty) {
                    cands.add_method(ty, name);
                }
            }
        }
    }
    // First the field users alone, to learn which fields may have a guard
    // at all; then the cone of those fields only (see `cone.rs`).
    let all = super::cone::select(&texts, &decls, &field_words, &|ty| cands.is_type(ty));
    let mut walked = Walked::default();
    walked.walk(scope, &cands, &files, &decls, &all.seeds);
    let possible = may_be_guarded(&cands, &walked.summaries);
    let words: HashSet<&str> = field_words.iter().copied().filter(|w| possible.contains(*w)).collect();
    let cone = super::cone::select(&texts, &decls, &words, &|ty| cands.is_type(ty));
    let rest = mask_minus(&cone.users, &all.seeds);
    walked.walk(scope, &cands, &files, &decls, &rest);
    let mut facts = walked.facts(cands);
    let mut summaries = walked.summaries;
    guards_and_writes(&mut facts, &summaries);
    // What a fix needs (the locks and writes of the callees) only where
    // some field has a guard.
    if !facts.guards.is_empty() {
        let mut more = Walked::default();
        more.walk(
            scope,
            &facts.cands,
            &files,
            &decls,
            &mask_minus(&cone.callees, &all.seeds),
        );
        summaries.extend(more.summaries);
    }
    super::flow::transitive(&mut facts, &summaries);
    facts
}

/// The declarations `a` selects and `b` does not.
fn mask_minus(a: &[Vec<bool>], b: &[Vec<bool>]) -> Vec<Vec<bool>> {
    a.iter()
        .zip(b)
        .map(|(a, b)| a.iter().zip(b).map(|(a, b)| *a && !*b).collect())
        .collect()
}

/// The names of the fields that some mutex may guard, from the walks of
/// every function that selects a field: the guard's thresholds but its
/// share of the accesses, with every method taken to hold every lock of
/// its receiver on entry, no function taken as construction, setup or
/// assumed, and every field as changed in place. Each of these can only
/// add guarded accesses, and the other functions add none (they access no
/// field), so a field outside this set has no guard.
fn may_be_guarded(cands: &Candidates, summaries: &[Summary]) -> HashSet<String> {
    let mut bound = Facts {
        cands: cands.clone(),
        ..Facts::default()
    };
    bound.mutated = (cands.types.iter())
        .flat_map(|(ty, info)| info.maps.iter().map(move |f| (ty.clone(), f.clone())))
        .collect();
    for s in summaries.iter().filter(|s| s.walk.recv.is_some()) {
        bound.entry.insert(s.walk.key.clone(), Entry::All);
    }
    tally(&bound, summaries, false)
        .into_keys()
        .map(|(_, field)| field)
        .collect()
}

/// The walks of some of the package's functions.
#[derive(Default)]
struct Walked {
    summaries: Vec<Summary>,
    /// Functions that say the caller holds the lock.
    fixed_entry: HashMap<String, Entry>,
    /// Functions that set their receiver's fields unlocked.
    setup: HashSet<String>,
}

impl Walked {
    /// The facts of the walks so far that need no threshold: the assumed
    /// and setup functions, the entry locks and the construction set.
    fn facts(&self, cands: Candidates) -> Facts {
        let mut facts = Facts {
            cands,
            assumed: self.fixed_entry.keys().cloned().collect(),
            setup: self.setup.clone(),
            ..Facts::default()
        };
        super::flow::entries(&mut facts, &self.summaries, self.fixed_entry.clone());
        facts
    }

    /// Walks the declarations `which` selects, each file parsed, walked and
    /// dropped (a file with none selected is not parsed), on the run's
    /// threads: the other workers are often waiting for these facts.
    fn walk(
        &mut self,
        scope: &PackageScope,
        cands: &Candidates,
        files: &[(PathBuf, String)],
        decls: &[Vec<decls::Decl>],
        which: &[Vec<bool>],
    ) {
        let cache = scope.cache();
        let todo: Vec<usize> = (0..files.len()).filter(|&i| which[i].iter().any(|w| *w)).collect();
        let walked = crate::ordered::map_ordered(todo, cache.jobs(), 2, |i| {
            let (path, text) = &files[i];
            let tree = match decls::ranges_to_parse(text, &decls[i], |d, _| which[i][d]) {
                Some(ranges) => syntax::parse_ranges(text, &ranges),
                None => syntax::parse(text),
            };
            let root = tree.root();
            let file_scope = PackageScope::new(&root, path, cache);
            let label = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let lines = LineIndex::new(text);
            let mut out = Vec::new();
            for f in root
                .children()
                .filter(|n| matches!(n.kind().as_ref(), "function_declaration" | "method_declaration"))
            {
                let Some(w) = walk::walk_function(&f, &file_scope, cands) else {
                    continue;
                };
                let assumed = locked_name(&w.key) || doc_says_held(&f);
                let setup = sets_fields_unlocked(&w);
                let ev_lines = w.events.iter().map(|e| lines.line_col(e.start).0).collect();
                let summary = Summary {
                    walk: w,
                    file: label.clone(),
                    path: path.to_path_buf(),
                    lines: ev_lines,
                };
                out.push((summary, assumed, setup));
            }
            out
        });
        for (summary, assumed, setup) in walked.into_iter().flatten() {
            if assumed {
                self.fixed_entry.insert(summary.walk.key.clone(), Entry::All);
            }
            if setup {
                self.setup.insert(summary.walk.key.clone());
            }
            self.summaries.push(summary);
        }
    }
}

fn guards_and_writes(facts: &mut Facts, summaries: &[Summary]) {
    for s in summaries {
        let key = &s.walk.key;
        let construction = facts.construction.contains(key);
        for ev in &s.walk.events {
            let outside = !ev.fresh && ev.ctx != Ctx::Construction && !construction;
            if let EventKind::Access { ty, field, kind, .. } = &ev.kind {
                if outside && kind.is_write() {
                    facts.mutated.insert((ty.clone(), field.clone()));
                }
            }
        }
    }
    facts.guards = tally(facts, summaries, true);
}

/// The guard of each (type, field) over the walks `summaries`, by the
/// thresholds (the share of the field's accesses only if `share`).
fn tally(facts: &Facts, summaries: &[Summary], share: bool) -> HashMap<(String, String), Guard> {
    type Key = (String, String);
    // Per (field, mutex): accesses under it (explicitly locked, in all),
    // the functions they are in, and evidence.
    #[derive(Default)]
    struct Tally {
        explicit: usize,
        all: usize,
        funcs: HashSet<String>,
        evidence: Vec<Evidence>,
    }
    let mut total: HashMap<Key, usize> = HashMap::new();
    let mut tallies: HashMap<(Key, String), Tally> = HashMap::new();
    for s in summaries {
        let key = &s.walk.key;
        let entry = facts.entry.get(key);
        let recv = s.walk.recv.as_ref();
        for (ev, line) in s.walk.events.iter().zip(&s.lines) {
            let EventKind::Access { base, ty, field, .. } = &ev.kind else {
                continue;
            };
            let value_recv = recv.is_some_and(|r| !r.2 && r.0 == *base);
            if value_recv || !counted(facts, key, ev) {
                continue;
            }
            let k = (ty.clone(), field.clone());
            *total.entry(k.clone()).or_default() += 1;
            let Some(info) = facts.cands.types.get(ty) else {
                continue;
            };
            for m in &info.mutexes {
                if holds(ev, base, m, recv, entry).is_none() {
                    continue;
                }
                let t = tallies.entry((k.clone(), m.name.clone())).or_default();
                t.all += 1;
                t.explicit += usize::from(holds(ev, base, m, recv, None).is_some());
                t.funcs.insert(key.clone());
                if t.evidence.len() < 8 && !t.evidence.iter().any(|e| e.func == *key) {
                    let lock = format!("{base}.{}", m.name);
                    t.evidence.push(Evidence {
                        func: key.clone(),
                        text: format!("{lock} at {}:{line}", s.file),
                        path: s.path.clone(),
                        range: ev.start..ev.end,
                        lock,
                    });
                }
            }
        }
    }
    type Score = (usize, usize, (bool, usize));
    let mut best: HashMap<Key, (Score, Guard)> = HashMap::new();
    for ((k, mutex), t) in tallies {
        let all = total.get(&k).copied().unwrap_or(0);
        if t.explicit == 0
            || t.all < MIN_GUARDED
            || t.funcs.len() < MIN_FUNCTIONS
            || (share && t.all * 100 < all * MIN_PERCENT)
        {
            continue;
        }
        let Some(info) = facts.cands.types.get(&k.0) else {
            continue;
        };
        let Some(m) = info.mutex(&mutex).cloned() else {
            continue;
        };
        let score = (t.explicit, t.all, info.nearness(&m, &k.1));
        if best.get(&k).is_none_or(|(c, _)| *c < score) {
            best.insert(
                k,
                (
                    score,
                    Guard {
                        mutex: m,
                        evidence: t.evidence,
                    },
                ),
            );
        }
    }
    best.into_iter().map(|(k, (_, g))| (k, g)).collect()
}
