//! Goroutine launches and what their bodies do: a function literal started
//! by a `go` statement or passed alone to `X.Go(…)` (errgroup,
//! `sync.WaitGroup.Go`), the statement that starts it, and the lock calls
//! and channel operations of its body that make its map accesses safe or
//! signal that they are done.

use crate::go::syntax::{self, code_children, GoNode};
use std::ops::Range;

/// A function literal that runs in a new goroutine.
#[derive(Clone)]
pub struct Goroutine<'r> {
    pub literal: GoNode<'r>,
    /// The statement that starts it (the `go` statement, or the statement
    /// holding the `X.Go(…)` call).
    pub launch: GoNode<'r>,
}

impl<'r> Goroutine<'r> {
    /// The goroutine a function literal is the body of, if any.
    pub fn of_literal(lit: &GoNode<'r>) -> Option<Goroutine<'r>> {
        if lit.kind() != "function_literal" {
            return None;
        }
        let parent = lit.parent()?;
        if parent.kind() == "call_expression" && parent.field("function").is_some_and(|f| f.range() == lit.range()) {
            let go = parent.parent().filter(|g| g.kind() == "go_statement")?;
            return Some(Goroutine {
                literal: lit.clone(),
                launch: go,
            });
        }
        if parent.kind() != "arguments" || code_children(&parent).len() != 1 {
            return None;
        }
        let call = parent.parent().filter(|c| c.kind() == "call_expression")?;
        let func = call.field("function").filter(|f| f.kind() == "selector_expression")?;
        if func.field("field")?.text() != "Go" || !takes_nothing_returns_error_or_nothing(lit) {
            return None;
        }
        let launch = call
            .ancestors()
            .take_while(|a| !syntax::is_function(a))
            .find(|a| a.parent().is_some_and(|p| syntax::is_statement_list(&p)))?;
        Some(Goroutine {
            literal: lit.clone(),
            launch,
        })
    }

    /// The literal's body block.
    pub fn body(&self) -> Option<GoNode<'r>> {
        self.literal.field("body")
    }

    /// Whether `node` lies inside this goroutine's literal.
    pub fn contains(&self, node: &GoNode) -> bool {
        contains(&self.literal.range(), &node.range())
    }
}

fn contains(outer: &Range<usize>, inner: &Range<usize>) -> bool {
    outer.start <= inner.start && inner.end <= outer.end
}

/// `func() error` or `func()`: the shape of errgroup's and WaitGroup's `Go`.
fn takes_nothing_returns_error_or_nothing(lit: &GoNode) -> bool {
    let no_params = lit.field("parameters").is_some_and(|p| code_children(&p).is_empty());
    let result_ok = match lit.field("result") {
        None => true,
        Some(r) => r.text() == "error",
    };
    no_params && result_ok
}

/// Nodes of a goroutine's body in document order, without the bodies of
/// goroutines it starts itself (they run on their own).
pub fn own_nodes<'r>(g: &Goroutine<'r>) -> Vec<GoNode<'r>> {
    let mut out = Vec::new();
    if let Some(body) = g.body() {
        collect_own(&body, &mut out);
    }
    out
}

fn collect_own<'r>(node: &GoNode<'r>, out: &mut Vec<GoNode<'r>>) {
    out.push(node.clone());
    for child in node.children() {
        if Goroutine::of_literal(&child).is_some() {
            continue;
        }
        collect_own(&child, out);
    }
}

/// The name a call is made by: `mu.Lock()` → `Lock`, `lock()` → `lock`.
pub fn callee_name(call: &GoNode) -> Option<String> {
    let func = call.field("function")?;
    match func.kind().as_ref() {
        "identifier" => Some(func.text().to_string()),
        "selector_expression" => Some(func.field("field")?.text().to_string()),
        _ => None,
    }
}

/// Whether a call name takes or releases an exclusive lock: `Lock`,
/// `Unlock`, `TryLock`, `lock`, `unlock`, and camel-case names ending in
/// `Lock`/`Unlock`/`Locked` (`withLock`, `mustLock`). `RLock`, `RUnlock`
/// and `RLocker` only share a lock and do not protect a write.
pub fn is_exclusive_lock_call(name: &str) -> bool {
    if matches!(name, "lock" | "unlock" | "locked") {
        return true;
    }
    let shared = ["RLock", "RUnlock", "RLocked"].iter().any(|s| name.ends_with(s));
    !shared && ["Lock", "Unlock", "Locked"].iter().any(|s| name.ends_with(s))
}

/// Whether the goroutine takes or releases an exclusive lock anywhere in its body.
pub fn holds_lock(g: &Goroutine) -> bool {
    own_nodes(g)
        .iter()
        .any(|n| n.kind() == "call_expression" && callee_name(n).is_some_and(|name| is_exclusive_lock_call(&name)))
}

/// A channel operation in a goroutine body.
pub struct ChannelOp {
    /// The channel expression, whitespace removed.
    pub channel: String,
    pub kind: OpKind,
    pub at: usize,
    /// Inside a `defer` (runs when the goroutine returns).
    pub deferred: bool,
    /// Byte ranges of the loops (inside the goroutine) that contain it.
    pub loops: Vec<Range<usize>>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum OpKind {
    Send,
    Close,
    Receive,
}

/// The sends, closes and receives of a goroutine body, in document order.
pub fn channel_ops(g: &Goroutine) -> Vec<ChannelOp> {
    let mut out = Vec::new();
    for n in own_nodes(g) {
        let (channel, kind) = match n.kind().as_ref() {
            "send_statement" => (n.field("channel"), OpKind::Send),
            "unary_expression" if n.field("operator").is_some_and(|o| o.text() == "<-") => {
                (n.field("operand"), OpKind::Receive)
            }
            "call_expression" if n.field("function").is_some_and(|f| f.text() == "close") => (
                n.field("arguments").and_then(|a| code_children(&a).into_iter().next()),
                OpKind::Close,
            ),
            _ => continue,
        };
        let Some(channel) = channel else { continue };
        let inside: Vec<GoNode> = n.ancestors().take_while(|a| a.range() != g.literal.range()).collect();
        out.push(ChannelOp {
            channel: syntax::squashed(&channel),
            kind,
            // A send happens once its value is evaluated: `ch <- m[k]` reads first.
            at: if kind == OpKind::Send {
                n.range().end - 1
            } else {
                n.range().start
            },
            deferred: inside.iter().any(|a| a.kind() == "defer_statement"),
            loops: inside
                .iter()
                .filter(|a| a.kind() == "for_statement")
                .map(|a| a.range())
                .collect(),
        });
    }
    out
}

/// How a goroutine coordinates with the code around it, relative to its
/// accesses to one map (byte offsets of the first and last access).
pub struct Signals {
    /// Channels it sends on or closes once its accesses are over: a receive
    /// from one of them means this goroutine is done with the map.
    pub done: Vec<String>,
    /// Channels it receives from once its accesses are over: a send on one
    /// of them (capacity one) waits until this goroutine is done with the map.
    pub released: Vec<String>,
    /// Any receive waits: the goroutine is a named function whose channel
    /// operations are not followed.
    pub any_receive: bool,
}

impl Signals {
    pub fn of(ops: &[ChannelOp], accesses: &[usize]) -> Signals {
        let last = accesses.iter().copied().max().unwrap_or(0);
        let in_loop_with_access = |op: &ChannelOp| op.loops.iter().any(|l| accesses.iter().any(|a| l.contains(a)));
        let after_all = |op: &ChannelOp| op.deferred || (op.at > last && !in_loop_with_access(op));
        let mut done = Vec::new();
        let mut released = Vec::new();
        for op in ops {
            match op.kind {
                OpKind::Close if op.deferred || op.at > last => done.push(op.channel.clone()),
                OpKind::Send if after_all(op) => done.push(op.channel.clone()),
                OpKind::Receive if after_all(op) => released.push(op.channel.clone()),
                _ => {}
            }
        }
        Signals {
            done,
            released,
            any_receive: false,
        }
    }
}

/// Whether every access lies between a send on a channel and a later
/// receive from it inside the goroutine (a semaphore held around them).
pub fn accesses_inside_semaphore(ops: &[ChannelOp], accesses: &[usize], is_mutex: impl Fn(&str) -> bool) -> bool {
    let (Some(first), Some(last)) = (accesses.iter().min(), accesses.iter().max()) else {
        return false;
    };
    ops.iter()
        .filter(|s| s.kind == OpKind::Send && !s.deferred && s.at < *first)
        .any(|send| {
            is_mutex(&send.channel)
                && ops
                    .iter()
                    .any(|r| r.kind == OpKind::Receive && r.channel == send.channel && (r.deferred || r.at > *last))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lock_names() {
        for yes in [
            "Lock",
            "Unlock",
            "lock",
            "unlock",
            "TryLock",
            "withLock",
            "mustLock",
            "callLocked",
        ] {
            assert!(is_exclusive_lock_call(yes), "{yes}");
        }
        for no in ["RLock", "RUnlock", "Block", "Clock", "block", "Load", "Wait"] {
            assert!(!is_exclusive_lock_call(no), "{no}");
        }
    }

    fn goroutines(src: &str) -> Vec<(String, String)> {
        let tree = syntax::parse(src);
        let root = tree.root();
        let found: Vec<(String, String)> = root
            .dfs()
            .filter_map(|n| Goroutine::of_literal(&n))
            .map(|g| (g.literal.text().to_string(), g.launch.kind().to_string()))
            .collect();
        found
    }

    #[test]
    fn recognises_launches_by_shape() {
        let src = "package p\nfunc f() {\n\tgo func() {}()\n\tg.Go(func() error { return nil })\n\twg.Go(func() {})\n\tx.Go(func(i int) {})\n\tgo run(func() {})\n\tdefer func() {}()\n}\n";
        let found = goroutines(src);
        assert_eq!(
            found,
            vec![
                ("func() {}".into(), "go_statement".into()),
                ("func() error { return nil }".into(), "expression_statement".into()),
                ("func() {}".into(), "expression_statement".into()),
            ]
        );
    }
}
