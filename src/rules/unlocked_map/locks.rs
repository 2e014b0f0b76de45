//! Lock calls and lock state: `x.mu.Lock()` and friends, the set of locks
//! held at a point (`Held`) and how two paths' states join, and the plain
//! waits (`<-ch`, `x.Wait()`) after which code is ordered with other
//! goroutines.

use crate::go::syntax::{code_children, GoNode};
use std::collections::BTreeMap;

/// Locks held: lock object text (`c.mu`, or `c` for an embedded mutex or a
/// `Lock` method of the value itself) → held for writing (`Lock`, not `RLock`).
/// The key `ORDERED` marks code after a plain receive or `Wait()`.
pub type Held = BTreeMap<String, bool>;

/// The `Held` key of code after a plain `<-ch` or `x.Wait()` statement.
pub const ORDERED: &str = "<-";

/// The union of two paths' locks (held on either: when unsure, held).
pub fn join(a: Option<Held>, b: Option<Held>) -> Option<Held> {
    match (a, b) {
        (None, x) | (x, None) => x,
        (Some(mut a), Some(b)) => {
            for (k, w) in b {
                let e = a.entry(k).or_insert(w);
                *e |= w;
            }
            Some(a)
        }
    }
}

/// `obj.Lock()` and friends: the object's text and the method.
pub fn lock_call(call: &GoNode) -> Option<(String, &'static str)> {
    if call.kind() != "call_expression" {
        return None;
    }
    let f = call.field("function")?;
    if f.kind() != "selector_expression" || !call.field("arguments").is_some_and(|a| code_children(&a).is_empty()) {
        return None;
    }
    let op = match f.field("field")?.text().as_ref() {
        "Lock" => "Lock",
        "RLock" => "RLock",
        "Unlock" => "Unlock",
        "RUnlock" => "RUnlock",
        "TryLock" => "Lock",
        "TryRLock" => "RLock",
        _ => return None,
    };
    Some((lock_object(&f.field("operand")?.text()), op))
}

/// A plain receive (`<-done`) or `x.Wait()`: what comes after waited for
/// something another goroutine did.
pub fn is_wait(e: &GoNode) -> bool {
    match e.kind().as_ref() {
        "unary_expression" => e.field("operator").is_some_and(|o| o.text() == "<-"),
        "call_expression" => e
            .field("function")
            .is_some_and(|f| f.kind() == "selector_expression" && f.field("field").is_some_and(|n| n.text() == "Wait")),
        _ => false,
    }
}

/// The lock object as held-state key: an embedded mutex's `c.Mutex` is `c`.
pub fn lock_object(text: &str) -> String {
    let t = text.trim();
    for suffix in [".Mutex", ".RWMutex"] {
        if let Some(base) = t.strip_suffix(suffix) {
            return base.to_string();
        }
    }
    t.to_string()
}
