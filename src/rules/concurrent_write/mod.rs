//! concurrent-write: a map written inside a goroutine's function literal
//! (`go func() {…}()`, or `X.Go(func() error {…})` matched by shape) while
//! another goroutine may access it, with no lock taken in the literal; also
//! the read side, named goroutine functions and HTTP handlers (no fix).
//! One finding per map per literal, at its first write. Fix (unsafe): a
//! local map variable becomes a `sync.Map` and every use is rewritten.
//!
//! - `goroutine`: recognising launches; locks and channel signals in a body.
//! - `target`: the maps a goroutine writes and how to recognise them.
//! - `flow`: whether another access can run at the same time.
//! - `fix`, `range_fix`: the `sync.Map` rewrite.
//! - `reads`: the read side (a literal that only reads a map its spawner writes).
//! - `named`, `launch`, `remote`: goroutines started on a named function or
//!   method (`go f(m)`, `go s.loop()`, a literal calling `f(m)`), its callee
//!   in this file or another file of the package.
//! - `handlers`: package-level maps written in HTTP handlers and named goroutines.
//! - `precondition`: the text test that spares most files with goroutines a parse.

mod fix;
mod flow;
mod goroutine;
mod handlers;
mod launch;
mod named;
mod precondition;
mod range_fix;
mod reads;
mod remote;
mod target;
#[cfg(test)]
mod tests;

use super::{Detection, RuleContext, RuleModule};
use crate::go::lang::Go;
use crate::go::syntax::{code_children, GoNode};
use crate::go::types;
use ast_grep_core::tree_sitter::StrDoc;
use ast_grep_core::NodeMatch;
use flow::Conflict;
use goroutine::Goroutine;
use target::{Home, WrittenMap};

pub const MODULE: RuleModule = RuleModule {
    name: "concurrent_write",
    check,
    precondition: Some(precondition::may_match),
    package_precondition: None,
    options: None,
};

pub fn check(ctx: &RuleContext, m: &NodeMatch<StrDoc<Go>>) -> Vec<Detection> {
    let node = m.get_node();
    match node.kind().as_ref() {
        "go_statement" => return launch::named_launch(ctx, node),
        "method_declaration" | "call_expression" => return handlers::check_handler(ctx, node),
        _ => {}
    }
    let Some(g) = Goroutine::of_literal(node) else {
        return Vec::new();
    };
    let ops = goroutine::channel_ops(&g);
    let is_mutex = |channel: &str| channel_is_mutex(ctx, &g.launch, channel);
    let mut out = Vec::new();
    // A literal that locks guards its writes; its reads are ordered only
    // when the spawner's writes take a lock too.
    let mut written_maps = Vec::new();
    if !goroutine::holds_lock(&g) {
        written_maps = target::written_maps(ctx, &g);
        let through_calls = launch::written_through_calls(ctx, &g, &written_maps);
        written_maps.extend(through_calls);
    }
    for written in written_maps {
        if goroutine::accesses_inside_semaphore(&ops, &written.accesses, is_mutex) {
            continue;
        }
        let Some(conflict) = flow::find_conflict(ctx, &g, &written.target, &written.accesses, &is_mutex) else {
            continue;
        };
        out.push(detection(ctx, &written, &conflict));
    }
    let read_maps = reads::read_maps(ctx, &g);
    if !read_maps.is_empty() && !reads::spawner_locks(&g) {
        for read in read_maps {
            if let Some(at) = flow::find_write_after(ctx, &g, &read.target, &read.accesses, &is_mutex) {
                out.push(read_detection(ctx, &read, at));
            }
        }
    }
    out
}

/// A goroutine that reads a map its spawner writes: no fix (the writer is
/// the spawner, whose other uses decide the remedy).
fn read_detection(ctx: &RuleContext, read: &reads::ReadMap, write_at: usize) -> Detection {
    let name = read.target.name();
    let line = crate::go::lines::line_col(ctx.text, write_at).0;
    let end = write_at
        + ctx.text[write_at..]
            .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '.'))
            .unwrap_or(0);
    let related = crate::diagnostic::RelatedLocation::new(
        &ctx.file.path,
        ctx.text,
        write_at..end.max(write_at),
        format!("{name} written here"),
    );
    Detection {
        related: vec![related],
        range: read.first_read.range(),
        message: Some(format!(
            "{name} is read in a goroutine while the function that started it writes it (line {line})"
        )),
        note: Some(format!(
            "no automatic fix: wait for the goroutine before writing {name}, give it a copy, or guard {name} with a sync.Mutex"
        )),
        fix: None,
    }
}

fn detection(ctx: &RuleContext, written: &WrittenMap, conflict: &Conflict) -> Detection {
    let name = written.target.name();
    let line = |at: usize| crate::go::lines::line_col(ctx.text, at).0;
    let verb = |write: bool| if write { "writes" } else { "reads" };
    let message = match conflict {
        Conflict::OtherIteration => {
            format!("{name} is written by goroutines started in a loop, which run at the same time")
        }
        Conflict::Enclosing { at, write } => {
            format!(
                "{name} is written in a goroutine while the function that started it {} it (line {})",
                verb(*write),
                line(*at)
            )
        }
        Conflict::Goroutine { at, write } => {
            format!(
                "{name} is written in a goroutine while another goroutine {} it (line {})",
                verb(*write),
                line(*at)
            )
        }
    };
    let mut det = Detection {
        range: written.first_write.range(),
        message: Some(message),
        note: None,
        related: Vec::new(),
        fix: None,
    };
    let why_not = match written.target.home {
        Home::Field => Some(format!("{name} is a struct field")),
        Home::Parameter => Some(format!("{name} is a parameter: the map belongs to the caller")),
        Home::Package => Some(format!(
            "{name} is a package-level variable that other functions may use"
        )),
        Home::Local => None,
    };
    let planned = match why_not {
        Some(reason) => Err(reason),
        None => fix::plan(ctx, &written.target),
    };
    match planned {
        Ok(plan) => det.fix = Some(plan),
        Err(reason) => det.note = Some(format!("no automatic fix: {reason}; guard {name} with a sync.Mutex")),
    }
    det
}

/// Whether a channel used as a semaphore admits one holder at a time: not
/// when it is made here with a literal capacity above one.
pub(super) fn channel_is_mutex(ctx: &RuleContext, at: &GoNode, channel: &str) -> bool {
    capacity(ctx, at, channel).is_none_or(|cap| cap <= 1)
}

/// The literal capacity of a local channel made with `make(chan T, N)`.
fn capacity(ctx: &RuleContext, at: &GoNode, channel: &str) -> Option<u64> {
    if channel.contains('.') {
        return None;
    }
    let decl_at = types::resolve(channel, at, ctx.scope)?.decl_at?;
    let root = at.ancestors().last()?;
    let ident = root
        .dfs()
        .find(|n| n.kind() == "identifier" && n.range().start == decl_at)?;
    let names = ident.parent()?;
    let stmt = if names.kind() == "expression_list" {
        names.parent()?
    } else {
        names
    };
    let index = match stmt.kind().as_ref() {
        "short_var_declaration" => code_children(&stmt.field("left")?)
            .iter()
            .position(|n| n.range() == ident.range())?,
        "var_spec" => stmt.field_children("name").position(|n| n.range() == ident.range())?,
        _ => return None,
    };
    let value = code_children(&stmt.field(if stmt.kind() == "var_spec" { "value" } else { "right" })?)
        .into_iter()
        .nth(index)?;
    if value.kind() != "call_expression" || value.field("function")?.text() != "make" {
        return None;
    }
    let args = code_children(&value.field("arguments")?);
    match args.as_slice() {
        [_] => Some(0),
        [_, n] if n.kind() == "int_literal" => n.text().replace('_', "").parse().ok(),
        _ => None,
    }
}
