//! Goroutines that reach a map through a named function one call away:
//! `go f(m)` and `go s.loop()` (the map handed over, a field of the
//! receiver, or a package-level map), and a literal that calls `f(m)`.
//! The callee's unlocked writes come from `named`; whether the spawner's
//! other uses can run at the same time comes from `flow`.

use super::flow::{self, Conflict};
use super::goroutine::{self, Goroutine};
use super::named::{self, Written};
use super::target::{self, WrittenMap};
use super::{channel_is_mutex, handlers};
use crate::go::syntax::{code_children, GoNode};
use crate::rules::{Detection, RuleContext};

/// A write of the callee, with where it is (`line N`, or `file.go:N` in
/// another file of the package).
struct CalleeWrite {
    written: Written,
    place: String,
}

/// The unlocked writes of the function a call reaches, in this file or
/// another file of the package.
fn callee_writes(ctx: &RuleContext, call: &GoNode) -> Vec<CalleeWrite> {
    if let Some(decl) = named::callee_decl(ctx.scope, call) {
        return named::unlocked_writes(ctx.scope, &decl)
            .into_iter()
            .map(|w| CalleeWrite {
                written: w.written,
                place: format!("line {}", crate::go::lines::line_col(ctx.text, w.at.range().start).0),
            })
            .collect();
    }
    super::remote::remote_writes(ctx, call)
        .into_iter()
        .map(|w| CalleeWrite {
            written: w.written,
            place: w.place,
        })
        .collect()
}

/// `go f(m)`, `go s.loop()`: the maps the named callee writes without a
/// lock, followed in the spawner after the `go` statement.
pub fn named_launch(ctx: &RuleContext, go: &GoNode) -> Vec<Detection> {
    let Some(call) = code_children(go)
        .into_iter()
        .next()
        .filter(|c| c.kind() == "call_expression")
    else {
        return Vec::new();
    };
    let writes = callee_writes(ctx, &call);
    if writes.is_empty() {
        return Vec::new();
    }
    let g = Goroutine {
        literal: call.clone(),
        launch: go.clone(),
    };
    let is_mutex = |channel: &str| channel_is_mutex(ctx, &g.launch, channel);
    let mut out = Vec::new();
    for w in writes {
        if let Written::Package(name) = &w.written {
            out.extend(handlers::check_package_write(ctx, &g, name, &w.place, &is_mutex));
            continue;
        }
        let Some(target) = named::spawner_target(ctx, &call, &w.written) else {
            continue;
        };
        let Some(conflict) = flow::find_conflict(ctx, &g, &target, &[call.range().start], &is_mutex) else {
            continue;
        };
        let name = target.text.clone();
        let callee = named::callee_text(&call);
        let line = |at: usize| crate::go::lines::line_col(ctx.text, at).0;
        let verb = |write: bool| if write { "writes" } else { "reads" };
        let when = match conflict {
            Conflict::OtherIteration => {
                "the goroutines started by other iterations of the loop write it too".to_string()
            }
            Conflict::Enclosing { at, write } => {
                format!("the function that started it {} it (line {})", verb(write), line(at))
            }
            Conflict::Goroutine { at, write } => format!("another goroutine {} it (line {})", verb(write), line(at)),
        };
        out.push(Detection {
            range: call.range(),
            message: Some(format!(
                "{name} is written without a lock by {callee} ({}), started as a goroutine, while {when}",
                w.place
            )),
            note: Some(format!(
                "no automatic fix: the map is written in {callee}; guard {name} with a sync.Mutex"
            )),
            related: Vec::new(),
            fix: None,
        });
    }
    out
}

/// Maps a goroutine's literal hands to a function of the package that
/// writes them without a lock (`go func() { fill(m) }()`), as writes at the call.
pub fn written_through_calls<'r>(
    ctx: &RuleContext,
    g: &Goroutine<'r>,
    known: &[WrittenMap<'r>],
) -> Vec<WrittenMap<'r>> {
    let nodes = goroutine::own_nodes(g);
    let mut out: Vec<WrittenMap<'r>> = Vec::new();
    for call in nodes.iter().filter(|n| n.kind() == "call_expression") {
        let Some(args) = call.field("arguments") else { continue };
        let args = code_children(&args);
        if !args
            .iter()
            .any(|a| matches!(a.kind().as_ref(), "identifier" | "selector_expression"))
        {
            continue;
        }
        for w in callee_writes(ctx, call) {
            let Written::Param(i) = w.written else { continue };
            let Some(arg) = args.get(i) else { continue };
            if known.iter().chain(out.iter()).any(|k| k.target.is(arg, ctx)) {
                continue;
            }
            let Some(target) = target::captured_map(ctx, g, arg, call) else {
                continue;
            };
            if target.map_type.is_none() {
                continue;
            }
            let accesses = nodes
                .iter()
                .filter(|n| target.is(n, ctx))
                .map(|n| n.range().start)
                .collect();
            out.push(WrittenMap {
                target,
                first_write: call.clone(),
                accesses,
            });
        }
    }
    out
}
