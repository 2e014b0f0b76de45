//! Facts that flow along the package's calls: the locks a method's
//! receiver holds on entry (the meet over its in-package call sites, to a
//! fixed point), the methods run only during construction, the locks its
//! callers hold, and the locks taken and fields written by a function and
//! everything it calls.

use super::package::{any_lock, holds, Entry, Facts, Summary};
use super::walk::{Ctx, Event, EventKind, Receiver};
use std::collections::{BTreeMap, HashMap, HashSet};

struct Site<'a> {
    caller: &'a str,
    recv: Option<&'a Receiver>,
    ev: &'a Event,
    base: &'a str,
    ty: &'a str,
}

/// How many rounds the fixed points may take (each round can only lower an entry).
const MAX_ROUNDS: usize = 64;

pub fn entries(facts: &mut Facts, summaries: &[Summary], fixed: HashMap<String, Entry>) {
    let setup = facts.setup.clone();
    let mut sites: HashMap<String, Vec<Site>> = HashMap::new();
    let mut unknown: HashSet<String> = HashSet::new();
    for s in summaries {
        for ev in &s.walk.events {
            match &ev.kind {
                EventKind::Call { base, ty, method } => sites.entry(format!("{ty}.{method}")).or_default().push(Site {
                    caller: &s.walk.key,
                    recv: s.walk.recv.as_ref(),
                    ev,
                    base,
                    ty,
                }),
                EventKind::MethodValue { ty, method } => {
                    unknown.insert(format!("{ty}.{method}"));
                }
                _ => {}
            }
        }
    }
    let through_recv = |site: &Site| site.ev.inherits && site.recv.is_some_and(|r| r.0 == site.base);
    // Construction: every call site is on a fresh value, in initialisation,
    // or through the receiver of a construction-only method.
    let mut cons: HashSet<String> = sites.keys().filter(|k| !unknown.contains(*k)).cloned().collect();
    for _ in 0..MAX_ROUNDS {
        let dropped: Vec<String> = cons
            .iter()
            .filter(|callee| {
                !sites[*callee].iter().all(|s| {
                    s.ev.fresh || s.ev.ctx == Ctx::Construction || (through_recv(s) && cons.contains(s.caller))
                })
            })
            .cloned()
            .collect();
        if dropped.is_empty() {
            break;
        }
        for d in dropped {
            cons.remove(&d);
        }
    }
    let mut entry: HashMap<String, Entry> = HashMap::new();
    for callee in sites.keys() {
        let e = if unknown.contains(callee) {
            Entry::Locks(BTreeMap::new())
        } else {
            Entry::All
        };
        entry.insert(callee.clone(), e);
    }
    // A method no walked code calls: exported, its callers are outside the
    // package (no lock); unexported, they are unseen (an interface, a file
    // not read): taken as guarded.
    for s in summaries {
        let unexported_method = s.walk.recv.is_some()
            && s.walk
                .key
                .rsplit('.')
                .next()
                .and_then(|n| n.chars().next())
                .is_some_and(|c| !c.is_uppercase());
        let e = if unexported_method {
            Entry::All
        } else {
            Entry::Locks(BTreeMap::new())
        };
        entry.entry(s.walk.key.clone()).or_insert(e);
    }
    entry.extend(fixed.clone());
    let site_entry = |site: &Site, entry: &HashMap<String, Entry>| -> Entry {
        // Unsure what the caller holds: a value reached through another
        // (its owner's lock may guard it), a parameter, setup code.
        let unsure = site.ev.param
            || setup.contains(site.caller)
            || (site.base.contains('.') && any_lock(site.ev, site.base).is_none());
        if site.ev.fresh
            || unsure
            || matches!(site.ev.ctx, Ctx::Construction | Ctx::Unknown)
            || (through_recv(site) && cons.contains(site.caller))
        {
            return Entry::All;
        }
        let Some(info) = facts.cands.types.get(site.ty) else {
            return Entry::Locks(BTreeMap::new());
        };
        Entry::Locks(
            info.mutexes
                .iter()
                .filter_map(|m| {
                    holds(site.ev, site.base, m, site.recv, entry.get(site.caller)).map(|w| (m.name.clone(), w))
                })
                .collect(),
        )
    };
    for _ in 0..MAX_ROUNDS {
        let mut changed = false;
        for (callee, ss) in &sites {
            if fixed.contains_key(callee) || unknown.contains(callee) {
                continue;
            }
            let e = ss.iter().fold(Entry::All, |acc, s| acc.meet(site_entry(s, &entry)));
            if entry.get(callee) != Some(&e) {
                entry.insert(callee.clone(), e);
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    // The locks some caller really holds (construction aside).
    for (callee, ss) in &sites {
        let mut held = HashSet::new();
        for s in ss {
            let Some(info) = facts.cands.types.get(s.ty) else {
                continue;
            };
            for m in &info.mutexes {
                let local = s.ev.held.contains_key(&format!("{}.{}", s.base, m.name)) || s.ev.held.contains_key(s.base);
                let inherited = through_recv(s) && entry.get(s.caller).and_then(|e| e.get(&m.name)).is_some();
                if local || inherited {
                    held.insert(m.name.clone());
                }
            }
        }
        facts.held_by_caller.insert(callee.clone(), held);
    }
    facts.entry = entry;
    facts.construction = cons;
}

/// The locks taken and fields written by each function and its callees.
pub fn transitive(facts: &mut Facts, summaries: &[Summary]) {
    let mut edges: HashMap<&str, Vec<String>> = HashMap::new();
    for s in summaries {
        let key = s.walk.key.as_str();
        let takes = facts.takes.entry(key.to_string()).or_default();
        let mut writes = HashSet::new();
        for ev in &s.walk.events {
            match &ev.kind {
                EventKind::Take { ty, mutex } => {
                    takes.insert((ty.clone(), mutex.clone()));
                }
                EventKind::Access { ty, field, kind, .. } if kind.is_write() && !ev.fresh => {
                    writes.insert((ty.clone(), field.clone()));
                }
                EventKind::Assign { ty, field } if !ev.fresh => {
                    writes.insert((ty.clone(), field.clone()));
                }
                EventKind::Call { ty, method, .. } => edges.entry(key).or_default().push(format!("{ty}.{method}")),
                EventKind::FuncCall { name } => edges.entry(key).or_default().push(name.clone()),
                _ => {}
            }
        }
        facts.writes.entry(key.to_string()).or_default().extend(writes);
    }
    for _ in 0..MAX_ROUNDS {
        let mut changed = false;
        for (caller, callees) in &edges {
            for callee in callees {
                if callee == caller {
                    continue;
                }
                let t: Vec<_> = facts.takes.get(callee).into_iter().flatten().cloned().collect();
                let w: Vec<_> = facts.writes.get(callee).into_iter().flatten().cloned().collect();
                let ct = facts.takes.entry(caller.to_string()).or_default();
                for x in t {
                    changed |= ct.insert(x);
                }
                let cw = facts.writes.entry(caller.to_string()).or_default();
                for x in w {
                    changed |= cw.insert(x);
                }
            }
        }
        if !changed {
            break;
        }
    }
}
