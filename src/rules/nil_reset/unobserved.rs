//! nil-reset: uses of a reset local that pass it on, store or return it
//! (escapes) but cannot see nil where `make` would give an empty map: the
//! use runs only when the map has entries (`if len(m) > 0 { out =
//! append(out, m) }`, after `if len(m) == 0 { return nil }`), or only after a
//! write to it (a write to nil would have panicked first), as in a loop that
//! appends each full batch and resets the map for the next one.

use super::{RuleContext, Target};
use crate::go::syntax::{self, block_statements, code_children, GoNode};

/// Whether the escape `use_node` of the target cannot observe nil: the map
/// is non-empty (or was written) on every path from the reset to it.
pub(super) fn cannot_see_nil(
    ctx: &RuleContext,
    use_node: &GoNode,
    target: &Target,
    reset: &GoNode,
    func: &GoNode,
) -> bool {
    under_non_empty_test(ctx, use_node, target, func)
        || preceded_by(use_node, reset, func, &|s| {
            is_write_statement(ctx, s, target) || exits_when_empty(ctx, s, target)
        })
}

/// `if len(m) > 0 { … use … }` (`!= 0`, `>= N` with N ≥ 1, `0 < len(m)`,
/// or such a test joined with `&&`).
fn under_non_empty_test(ctx: &RuleContext, use_node: &GoNode, target: &Target, func: &GoNode) -> bool {
    use_node
        .ancestors()
        .take_while(|a| a.range() != func.range() && a.kind() != "function_literal")
        .filter(|a| a.kind() == "if_statement")
        .any(|a| {
            let in_consequence = a.field("body").is_some_and(|c| contains(&c, use_node));
            in_consequence && a.field("condition").is_some_and(|c| says_len(ctx, &c, target, true))
        })
}

/// Whether `cond` says `len(target) > 0` (`non_empty`) or `len(target) == 0`
/// (not `non_empty`); for `non_empty`, one conjunct of `&&` suffices, for
/// emptiness one disjunct of `||`.
fn says_len(ctx: &RuleContext, cond: &GoNode, target: &Target, non_empty: bool) -> bool {
    let cond = strip_parens(cond);
    if cond.kind() != "binary_expression" {
        return false;
    }
    let op = cond.field("operator").map(|o| o.text().to_string()).unwrap_or_default();
    let (Some(left), Some(right)) = (cond.field("left"), cond.field("right")) else {
        return false;
    };
    let join = if non_empty { "&&" } else { "||" };
    if op == join {
        return says_len(ctx, &left, target, non_empty) || says_len(ctx, &right, target, non_empty);
    }
    let number = |n: &GoNode| {
        (n.kind() == "int_literal")
            .then(|| n.text().parse::<u64>().ok())
            .flatten()
    };
    let (op, n) = if is_len_of(ctx, &left, target) {
        (op, number(&right))
    } else if is_len_of(ctx, &right, target) {
        let mirrored = match op.as_str() {
            ">" => "<",
            "<" => ">",
            ">=" => "<=",
            "<=" => ">=",
            other => other,
        };
        (mirrored.to_string(), number(&left))
    } else {
        return false;
    };
    let Some(n) = n else { return false };
    match (non_empty, op.as_str()) {
        (true, ">") | (true, "!=") => n == 0 || op == ">",
        (true, ">=") => n >= 1,
        (false, "==") => n == 0,
        (false, "<") => n == 1,
        (false, "<=") => n == 0,
        _ => false,
    }
}

fn strip_parens<'r>(n: &GoNode<'r>) -> GoNode<'r> {
    let mut n = n.clone();
    while n.kind() == "parenthesized_expression" {
        match code_children(&n).into_iter().next() {
            Some(inner) => n = inner,
            None => break,
        }
    }
    n
}

/// `len(target)`.
fn is_len_of(ctx: &RuleContext, n: &GoNode, target: &Target) -> bool {
    let n = strip_parens(n);
    n.kind() == "call_expression"
        && n.field("function").is_some_and(|f| f.text() == "len")
        && n.field("arguments")
            .map(|a| code_children(&a))
            .is_some_and(|args| args.len() == 1 && target.is(&args[0], ctx))
}

/// `target[k] = v`, `target[k] op= v`, `target[k]++`.
fn is_write_statement(ctx: &RuleContext, s: &GoNode, target: &Target) -> bool {
    let written = match s.kind().as_ref() {
        "inc_dec_statement" => s.field("operand").into_iter().collect(),
        "assignment" => s.field("left").map(|l| code_children(&l)).unwrap_or_default(),
        _ => Vec::new(),
    };
    written
        .iter()
        .any(|w| w.kind() == "index_expression" && w.field("operand").is_some_and(|o| target.is(&o, ctx)))
}

/// `if len(target) == 0 { …; return }` with no `else`: what follows it
/// runs only with entries.
fn exits_when_empty(ctx: &RuleContext, s: &GoNode, target: &Target) -> bool {
    if s.kind() != "if_statement" || s.field("else").is_some() || s.field("init_statement").is_some() {
        return false;
    }
    let exits = s.field("body").is_some_and(|c| {
        block_statements(&c).last().is_some_and(|last| {
            syntax::is_terminating(last) || matches!(last.kind().as_ref(), "continue_statement" | "break_statement")
        })
    });
    exits && s.field("condition").is_some_and(|c| says_len(ctx, &c, target, false))
}

/// Whether a statement `s` with `pred(s)` comes before `use_node` in one of
/// its enclosing statement lists, such that the reset cannot run between
/// them: the reset is not in the code from `s` to the use, nor in a loop
/// that holds the use inside that list (which would run the use again
/// after a reset without passing `s`).
fn preceded_by(use_node: &GoNode, reset: &GoNode, func: &GoNode, pred: &dyn Fn(&GoNode) -> bool) -> bool {
    let mut child = use_node.clone();
    for list in use_node.ancestors() {
        if list.range() == func.range() || list.kind() == "function_literal" {
            break;
        }
        if !syntax::is_statement_list(&list) {
            child = list;
            continue;
        }
        let holder = child.clone();
        let loop_holds_reset = std::iter::once(use_node.clone())
            .chain(use_node.ancestors())
            .take_while(|a| a.range() != list.range())
            .any(|a| a.kind() == "for_statement" && contains(&a, reset));
        if !loop_holds_reset {
            let found = block_statements(&list)
                .into_iter()
                .take_while(|s| s.range().start < holder.range().start)
                .any(|s| {
                    let reset_between =
                        s.range().start <= reset.range().start && reset.range().start < use_node.range().start;
                    !reset_between && pred(&s)
                });
            if found {
                return true;
            }
        }
        child = list;
    }
    false
}

fn contains(outer: &GoNode, inner: &GoNode) -> bool {
    outer.range().start <= inner.range().start && inner.range().end <= outer.range().end
}
