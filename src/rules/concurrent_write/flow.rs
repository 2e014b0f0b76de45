//! Whether a goroutine's map write can run at the same time as another
//! access: the code that runs after its launch (in execution order, a loop
//! body again when the launch is inside a loop) is scanned until a point
//! that waits for the goroutine — `X.Wait()`, a receive from a channel it
//! signals on when done, a send on a capacity-one channel it releases — and
//! goroutines started earlier are scanned the same way up to this launch.

use super::goroutine::{channel_ops, Goroutine, Signals};
use super::target::{is_write_use, MapTarget};
use crate::go::syntax::{self, code_children, GoNode};
use crate::rules::RuleContext;

/// Why a write is concurrent with another access.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Conflict {
    /// The launch is inside a loop: the goroutines of other iterations write too.
    OtherIteration,
    /// The function that started the goroutine accesses the map (byte offset).
    Enclosing { at: usize, write: bool },
    /// Another goroutine accesses the map (byte offset of its first access).
    Goroutine { at: usize, write: bool },
}

/// The first access that may run concurrently with goroutine `g`'s accesses
/// to `target`, if any.
pub fn find_conflict<'r>(
    ctx: &RuleContext,
    g: &Goroutine<'r>,
    target: &MapTarget<'r>,
    accesses: &[usize],
    is_mutex: &dyn Fn(&str) -> bool,
) -> Option<Conflict> {
    let func = syntax::enclosing_function(&g.launch)?;
    let mut signals = Signals::of(&channel_ops(g), accesses);
    signals.any_receive = g.literal.kind() != "function_literal";
    let scan = Scan::new(ctx, target, &signals, is_mutex, Seek::Accesses { own: g }, false);
    if let Some(c) = scan.run(&g.launch, &func) {
        return Some(c);
    }
    // Goroutines started before this one and not waited for in between.
    for lit in func.dfs().filter(|n| n.kind() == "function_literal" && !g.contains(n)) {
        let Some(other) = Goroutine::of_literal(&lit) else {
            continue;
        };
        let Some(other_func) = syntax::enclosing_function(&other.launch) else {
            continue;
        };
        let other_nodes = super::goroutine::own_nodes(&other);
        let other_accesses: Vec<&GoNode> = other_nodes.iter().filter(|n| target.is(n, ctx)).collect();
        let Some(first) = other_accesses.first() else { continue };
        let offsets: Vec<usize> = other_accesses.iter().map(|n| n.range().start).collect();
        let signals = Signals::of(&channel_ops(&other), &offsets);
        let scan = Scan::new(ctx, target, &signals, is_mutex, Seek::Launch(g), false);
        for seg in syntax::code_after(&other.launch, &other_func) {
            match scan.walk(&seg.node, false) {
                Some(Stop::Conflict(_)) => {
                    let write = other_accesses.iter().any(|n| is_write_use(n));
                    return Some(Conflict::Goroutine {
                        at: first.range().start,
                        write,
                    });
                }
                Some(Stop::Synced) => break,
                None => {}
            }
        }
    }
    None
}

/// The first write to `target` by the function that started goroutine `g`
/// (after the launch, or earlier in its loop on a later iteration) that is
/// not ordered after `g`'s accesses (`accesses`, byte offsets) by a wait:
/// the read side of a goroutine that only reads the map. Writes by other
/// goroutines are reported from their own side.
pub fn find_write_after<'r>(
    ctx: &RuleContext,
    g: &Goroutine<'r>,
    target: &MapTarget<'r>,
    accesses: &[usize],
    is_mutex: &dyn Fn(&str) -> bool,
) -> Option<usize> {
    let func = syntax::enclosing_function(&g.launch)?;
    let signals = Signals::of(&channel_ops(g), accesses);
    let scan = Scan::new(ctx, target, &signals, is_mutex, Seek::Accesses { own: g }, true);
    match scan.run(&g.launch, &func)? {
        Conflict::Enclosing { at, .. } => Some(at),
        _ => None,
    }
}

enum Seek<'a, 'r> {
    /// Any access to the map, another goroutine that accesses it, or this
    /// goroutine's own launch again.
    Accesses { own: &'a Goroutine<'r> },
    /// Reaching the launch of this goroutine.
    Launch(&'a Goroutine<'r>),
}

enum Stop {
    Conflict(Conflict),
    /// A point that waits for the goroutine, or the map variable declared anew.
    Synced,
}

struct Scan<'a, 'r> {
    ctx: &'a RuleContext<'a>,
    target: &'a MapTarget<'r>,
    signals: &'a Signals,
    is_mutex: &'a dyn Fn(&str) -> bool,
    seek: Seek<'a, 'r>,
    /// The first access found in a `defer` registered after the launch.
    deferred: std::cell::Cell<Option<Conflict>>,
    /// Only the enclosing function's writes conflict (the goroutine only
    /// reads): its own launch again and other goroutines are passed over.
    writes_only: bool,
}

impl<'a, 'r> Scan<'a, 'r> {
    fn new(
        ctx: &'a RuleContext<'a>,
        target: &'a MapTarget<'r>,
        signals: &'a Signals,
        is_mutex: &'a dyn Fn(&str) -> bool,
        seek: Seek<'a, 'r>,
        writes_only: bool,
    ) -> Self {
        Scan {
            ctx,
            target,
            signals,
            is_mutex,
            seek,
            deferred: Default::default(),
            writes_only,
        }
    }

    /// Scans the code after `launch` in `func` up to a wait; then the
    /// deferred calls, which run after any wait in the body.
    fn run<'n>(&self, launch: &GoNode<'n>, func: &GoNode<'n>) -> Option<Conflict> {
        let mut synced = false;
        for seg in syntax::code_after(launch, func) {
            match self.walk(&seg.node, false) {
                Some(Stop::Conflict(c)) => return Some(c),
                Some(Stop::Synced) => {
                    synced = true;
                    break;
                }
                None => {}
            }
        }
        self.deferred.take().filter(|_| !synced)
    }

    /// Walks `node` in document order; `deferred` is set inside closures and
    /// `defer` statements, whose waiting does not order the code after them.
    fn walk(&self, node: &GoNode, deferred: bool) -> Option<Stop> {
        match &self.seek {
            Seek::Accesses { own } if node.range() == own.launch.range() => {
                if self.writes_only {
                    return None;
                }
                return Some(Stop::Conflict(Conflict::OtherIteration));
            }
            Seek::Launch(g) if node.range() == g.launch.range() => {
                return Some(Stop::Conflict(Conflict::OtherIteration))
            }
            _ => {}
        }
        if self.declares_target(node) {
            return Some(Stop::Synced);
        }
        match node.kind().as_ref() {
            "function_literal" => {
                if let Some(other) = Goroutine::of_literal(node) {
                    if self.writes_only {
                        return None;
                    }
                    return self.other_goroutine(&other);
                }
                return self.walk_children(node, true);
            }
            "go_statement" => {
                // `go f(m)`: the arguments go to another goroutine.
                let call = code_children(node).into_iter().next()?;
                if call.field("function").is_some_and(|f| f.kind() == "function_literal") {
                    return self.walk_children(node, deferred);
                }
                if self.writes_only {
                    return None;
                }
                if let Seek::Accesses { .. } = self.seek {
                    if let Some(n) = call.dfs().find(|n| self.target.is(n, self.ctx)) {
                        return Some(Stop::Conflict(Conflict::Goroutine {
                            at: n.range().start,
                            write: false,
                        }));
                    }
                }
                return None;
            }
            "defer_statement" => {
                return match self.walk_children(node, true) {
                    Some(Stop::Conflict(c)) if matches!(self.seek, Seek::Accesses { .. }) => {
                        let first = self.deferred.take().unwrap_or(c);
                        self.deferred.set(Some(first));
                        None
                    }
                    other => other,
                };
            }
            _ => {}
        }
        if !deferred && self.waits(node) {
            return Some(Stop::Synced);
        }
        if let Seek::Accesses { .. } = self.seek {
            if self.target.is(node, self.ctx) && (!self.writes_only || is_write_use(node)) {
                let write = is_write_use(node);
                return Some(Stop::Conflict(Conflict::Enclosing {
                    at: node.range().start,
                    write,
                }));
            }
        }
        self.walk_children(node, deferred)
    }

    fn walk_children(&self, node: &GoNode, deferred: bool) -> Option<Stop> {
        node.children().find_map(|c| self.walk(&c, deferred))
    }

    fn other_goroutine(&self, other: &Goroutine) -> Option<Stop> {
        match &self.seek {
            Seek::Accesses { .. } => {
                let nodes = super::goroutine::own_nodes(other);
                let hit = nodes.iter().find(|n| self.target.is(n, self.ctx))?;
                let write = nodes.iter().any(|n| self.target.is(n, self.ctx) && is_write_use(n));
                Some(Stop::Conflict(Conflict::Goroutine {
                    at: hit.range().start,
                    write,
                }))
            }
            Seek::Launch(_) => None,
        }
    }

    /// Whether `node` waits for the goroutine: `X.Wait()`, a receive from a
    /// channel it signals when done (also `range` over it), a send on a
    /// capacity-one channel it releases.
    fn waits(&self, node: &GoNode) -> bool {
        match node.kind().as_ref() {
            "call_expression" => {
                node.field("function").is_some_and(|f| {
                    f.kind() == "selector_expression" && f.field("field").is_some_and(|x| x.text() == "Wait")
                }) && node.field("arguments").is_some_and(|a| code_children(&a).is_empty())
            }
            "unary_expression" if node.field("operator").is_some_and(|o| o.text() == "<-") => {
                self.signals.any_receive
                    || node
                        .field("operand")
                        .is_some_and(|c| self.signals.done.contains(&syntax::squashed(&c)))
            }
            "select_statement" => self.signals.any_receive,
            "range_clause" => node
                .field("right")
                .is_some_and(|c| self.signals.done.contains(&syntax::squashed(&c))),
            "send_statement" => node.field("channel").is_some_and(|c| {
                let name = syntax::squashed(&c);
                self.signals.released.contains(&name) && (self.is_mutex)(&name)
            }),
            _ => false,
        }
    }

    /// The statement declaring the local map variable: from there on it is a new map.
    fn declares_target(&self, node: &GoNode) -> bool {
        let Some(decl) = self.target.root.decl_at else {
            return false;
        };
        matches!(node.kind().as_ref(), "short_var_declaration" | "var_declaration")
            && node.range().contains(&decl)
            && self.target.expr.kind() == "identifier"
    }
}
