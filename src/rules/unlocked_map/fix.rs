//! The fix of unlocked-map: take the guard at the top of the method
//! (`c.mu.Lock()` + `defer c.mu.Unlock()`, the read lock when the method
//! and its callees write nothing the guard protects), only where that
//! cannot deadlock as far as the package shows: no in-package caller holds
//! the guard, the method and its callees never take it, and the mutex is
//! an unexported named field. Otherwise the reason, for the note.

use super::package::{Facts, Guard};
use super::walk::{EventKind, FuncWalk};
use crate::go::syntax::GoNode;
use crate::rules::{Fix, FixSafety, TextEdit};

/// The unguarded access the fix is for.
pub struct Target<'a> {
    pub base: &'a str,
    pub ty: &'a str,
    pub unit: usize,
}

pub fn plan(func: &GoNode, walk: &FuncWalk, facts: &Facts, guard: &Guard, t: &Target) -> Result<Fix, String> {
    let m = &guard.mutex;
    let Some((recv, _, pointer)) = &walk.recv else {
        return Err("no fix: the access is not in a method of the type".into());
    };
    if t.unit != 0 {
        return Err("no fix: the access is in a goroutine the method starts; take the lock there".into());
    }
    if t.base != recv || !pointer {
        return Err(format!(
            "no fix: the map is reached through `{}`, not the method's pointer receiver",
            t.base
        ));
    }
    if m.embedded {
        return Err("no fix: the mutex is embedded (its Lock is part of the type's API)".into());
    }
    if m.name.chars().next().is_some_and(char::is_uppercase) {
        return Err(format!(
            "no fix: `{}` is exported, so code outside the package may hold it",
            m.name
        ));
    }
    let lock = format!("{recv}.{}", m.name);
    if facts.held_by_caller.get(&walk.key).is_some_and(|h| h.contains(&m.name)) {
        return Err(format!(
            "no fix: a caller in the package holds {lock}; taking it here would deadlock"
        ));
    }
    let takes_here = walk
        .events
        .iter()
        .any(|e| matches!(&e.kind, EventKind::Take { ty, mutex } if takes(ty.as_deref(), mutex, t.ty, &m.name)));
    let takes_below = facts
        .takes
        .get(&walk.key)
        .is_some_and(|s| s.iter().any(|(ty, mutex)| takes(ty.as_deref(), mutex, t.ty, &m.name)));
    if takes_here || takes_below {
        return Err(format!(
            "no fix: the method or a function it calls takes {lock} itself; move the access under that lock"
        ));
    }
    let guarded_by_it = |field: &str| {
        facts
            .guards
            .get(&(t.ty.to_string(), field.to_string()))
            .is_some_and(|g| g.mutex.name == m.name)
    };
    let writes_here = walk.events.iter().any(|e| match &e.kind {
        EventKind::Access { ty, field, kind, .. } => kind.is_write() && ty == t.ty && guarded_by_it(field),
        EventKind::Assign { ty, field } => ty == t.ty && guarded_by_it(field),
        _ => false,
    });
    let writes_below = facts
        .writes
        .get(&walk.key)
        .is_some_and(|w| w.iter().any(|(ty, f)| ty == t.ty && guarded_by_it(f)));
    let (take, release) = if m.rw && !writes_here && !writes_below {
        ("RLock", "RUnlock")
    } else {
        ("Lock", "Unlock")
    };
    let body = func.field("body").ok_or("no fix: the method has no body")?;
    let text = body.text();
    let range = body.range();
    let lines = format!("{lock}.{take}()\n\tdefer {lock}.{release}()");
    let edit = if text.contains('\n') {
        let first_line_end = range.start + text.find('\n').expect("checked above");
        TextEdit {
            range: first_line_end..first_line_end,
            replacement: format!("\n\t{lines}"),
        }
    } else {
        let inner = text.trim_start_matches('{').trim_end_matches('}').trim();
        if inner.contains("//") || inner.contains("/*") || inner.contains(';') {
            return Err("no fix: the method's body is written on one line".into());
        }
        TextEdit {
            range,
            replacement: format!("{{\n\t{lines}\n\t{inner}\n}}"),
        }
    };
    let name = func.field("name").map(|n| n.text().to_string()).unwrap_or_default();
    Ok(Fix {
        safety: FixSafety::Unsafe,
        description: format!("take {lock} ({lock}.{take}() + defer {lock}.{release}()) at the top of {name}"),
        unsafe_reason: None,
        edits: vec![edit],
        imports: Vec::new(),
    })
}

/// Whether a lock taken on `mutex` of a value of type `ty` (unknown: any
/// type) may be the guard `guard` of type `owner`.
fn takes(ty: Option<&str>, mutex: &str, owner: &str, guard: &str) -> bool {
    ty.is_none_or(|t| t == owner) && (mutex == guard || mutex.is_empty())
}
