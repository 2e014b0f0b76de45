//! loopvar-pointer: `m[k] = &v` (or a composite literal holding `&v`) where
//! `v` is a `for` loop variable and the file's Go version is below 1.22, so
//! every entry points to the one variable the loop reuses. Fix (unsafe):
//! `v := v` as the first statement of the loop that declares `v`.

use super::{Detection, Fix, FixSafety, RuleContext, RuleModule, TextEdit};
use crate::go::goversion::GoVersion;
use crate::go::lang::Go;
use crate::go::syntax::{self, block_statements, code_children, GoNode};
use crate::go::types;
use ast_grep_core::tree_sitter::StrDoc;
use ast_grep_core::NodeMatch;

/// Go 1.22 made loop variables per-iteration.
const PER_ITERATION_SINCE: GoVersion = GoVersion(22);

pub const MODULE: RuleModule = RuleModule {
    name: "loopvar_pointer",
    check,
    precondition: None,
    package_precondition: None,
    options: None,
};

pub fn check(ctx: &RuleContext, m: &NodeMatch<StrDoc<Go>>) -> Vec<Detection> {
    if ctx.go_version() >= PER_ITERATION_SINCE {
        return Vec::new();
    }
    let stmt = m.get_node();
    let mut seen: Vec<usize> = Vec::new();
    let mut out = Vec::new();
    for address in stored_addresses(ctx, stmt) {
        let Some(var) = loop_variable(ctx, &address) else {
            continue;
        };
        if seen.contains(&var.decl_at) {
            continue;
        }
        seen.push(var.decl_at);
        if exits_loop_after(stmt, &var.loop_stmt) {
            continue;
        }
        out.push(detection(ctx, stmt, &var));
    }
    out
}

/// The identifiers `v` of every `&v` stored into a map entry by `stmt`
/// (directly or inside a composite literal), for maps not created inside
/// the loop body (checked later, once the loop is known).
fn stored_addresses<'r>(ctx: &RuleContext, stmt: &GoNode<'r>) -> Vec<GoNode<'r>> {
    if stmt.field("operator").is_none_or(|o| o.text() != "=") {
        return Vec::new();
    }
    let (Some(left), Some(right)) = (stmt.field("left"), stmt.field("right")) else {
        return Vec::new();
    };
    let left = code_children(&left);
    let right = code_children(&right);
    if left.len() != right.len() {
        return Vec::new();
    }
    let mut out = Vec::new();
    for (target, value) in left.iter().zip(&right) {
        if target.kind() != "index_expression" || !is_map(ctx, target) {
            continue;
        }
        collect_addresses(value, &mut out);
    }
    out
}

/// Whether `target` (an index expression) indexes a map, by its declared type.
fn is_map(ctx: &RuleContext, target: &GoNode) -> bool {
    let Some(operand) = target.field("operand") else {
        return false;
    };
    types::expr_type(&operand, ctx.scope).is_some_and(|t| types::map_parts(&t, ctx.scope).is_some())
}

/// `&v` identifiers in a stored value: the value itself, or elements of
/// (nested) composite literals. Calls, closures and other expressions are
/// not entered: what they do with `&v` is out of scope.
fn collect_addresses<'r>(value: &GoNode<'r>, out: &mut Vec<GoNode<'r>>) {
    match value.kind().as_ref() {
        "parenthesized_expression" => {
            for c in code_children(value) {
                collect_addresses(&c, out);
            }
        }
        "unary_expression" if value.field("operator").is_some_and(|o| o.text() == "&") => {
            let Some(operand) = value.field("operand") else { return };
            match operand.kind().as_ref() {
                "identifier" => out.push(operand),
                "composite_literal" | "parenthesized_expression" => collect_addresses(&operand, out),
                _ => {}
            }
        }
        "composite_literal" => {
            if let Some(body) = value.field("value") {
                collect_addresses(&body, out);
            }
        }
        "literal_value" => {
            for element in code_children(value) {
                match element.kind().as_ref() {
                    // Only the value of `key: value`: a key holding &v is not stored as a pointer here.
                    "keyed_element" => {
                        if let Some(v) = element.field("element") {
                            collect_addresses(&v, out);
                        }
                    }
                    _ => collect_addresses(&element, out),
                }
            }
        }
        _ => {}
    }
}

/// A loop variable whose address is stored.
struct LoopVariable<'r> {
    name: String,
    /// Byte offset of the declaring identifier.
    decl_at: usize,
    /// The `for` statement declaring it.
    loop_stmt: GoNode<'r>,
    /// Whether it comes from a three-clause `for` (not a `range`).
    three_clause: bool,
}

/// The loop variable `ident` refers to, if it is one and the map stored
/// into outlives the iteration.
fn loop_variable<'r>(ctx: &RuleContext, ident: &GoNode<'r>) -> Option<LoopVariable<'r>> {
    let name = ident.text().to_string();
    let binding = types::resolve(&name, ident, ctx.scope)?;
    let decl_at = binding.decl_at?;
    let loop_stmt = ident
        .ancestors()
        .find(|a| a.kind() == "for_statement" && declares_at(a, decl_at))?;
    if shadowed_by_select_case(ident, &loop_stmt, &name) {
        return None;
    }
    let body = loop_stmt.field("body")?;
    if !contains(&body, ident) {
        return None;
    }
    let assignment = ident.ancestors().find(|a| a.kind() == "assignment")?;
    if map_declared_inside(ctx, &assignment, &body) {
        return None;
    }
    let three_clause = code_children(&loop_stmt).iter().any(|c| c.kind() == "for_clause");
    Some(LoopVariable {
        name,
        decl_at,
        loop_stmt,
        three_clause,
    })
}

/// Whether the clause of `loop_stmt` declares the identifier at `decl_at`.
fn declares_at(loop_stmt: &GoNode, decl_at: usize) -> bool {
    let Some(clause) = code_children(loop_stmt)
        .into_iter()
        .find(|c| c.kind() == "range_clause" || c.kind() == "for_clause")
    else {
        return false;
    };
    let left = match clause.kind().as_ref() {
        "range_clause" => clause.field("left"),
        _ => clause
            .field("init_statement")
            .filter(|i| i.kind() == "short_var_declaration")
            .and_then(|i| i.field("left")),
    };
    left.is_some_and(|l| {
        code_children(&l)
            .iter()
            .any(|id| id.kind() == "identifier" && id.range().start == decl_at)
    })
}

fn contains(outer: &GoNode, inner: &GoNode) -> bool {
    outer.range().start <= inner.range().start && inner.range().end <= outer.range().end
}

/// `case v := <-ch:` between the use and the loop redeclares `v`
/// (a scope `types::resolve` does not model).
fn shadowed_by_select_case(ident: &GoNode, loop_stmt: &GoNode, name: &str) -> bool {
    ident
        .ancestors()
        .take_while(|a| a.range() != loop_stmt.range())
        .filter(|a| a.kind() == "communication_clause")
        .any(|case| {
            case.field("communication").is_some_and(|recv| {
                recv.kind() == "receive_statement"
                    && recv.children().any(|c| c.kind() == ":=")
                    && recv
                        .field("left")
                        .is_some_and(|l| code_children(&l).iter().any(|n| n.text() == name))
            })
        })
}

/// Whether the map of every index target of `assignment` is a variable
/// declared inside the loop body (a fresh map per iteration cannot alias
/// across iterations unless it escapes, which is out of scope).
fn map_declared_inside(ctx: &RuleContext, assignment: &GoNode, body: &GoNode) -> bool {
    let Some(left) = assignment.field("left") else {
        return false;
    };
    code_children(&left)
        .iter()
        .filter(|t| t.kind() == "index_expression")
        .all(|target| {
            let Some(root) = crate::go::syntax::access_root(target) else {
                return false;
            };
            let binding = types::resolve(&root.text(), &root, ctx.scope);
            binding
                .and_then(|b| b.decl_at)
                .is_some_and(|at| body.range().contains(&at))
        })
}

/// What a statement following the store does to the loop.
enum Flow<'r> {
    /// Nothing that changes control flow at this level.
    Next,
    /// Leaves the loop for good (`return`, `panic`, `break` to it or beyond).
    LeavesLoop,
    /// Starts the loop's next iteration (`continue` to it).
    NextIteration,
    /// Jumps past an inner statement (a `break`/`continue` of an inner loop or switch).
    After(GoNode<'r>),
}

/// Whether every path after the store leaves the loop before its next
/// iteration, e.g. `m[k] = &v; break` in a search loop: the variable is
/// not reused, so the pointer stays right.
fn exits_loop_after<'r>(store: &GoNode<'r>, loop_stmt: &GoNode<'r>) -> bool {
    let mut current = store.clone();
    loop {
        let Some(parent) = current.parent() else { return false };
        if parent.kind() == "labeled_statement" {
            current = parent;
            continue;
        }
        if syntax::is_statement_list(&parent) {
            let mut jumped = None;
            for sibling in current.next_all().filter(|n| n.is_named() && n.kind() != "comment") {
                match flow_of(&sibling, loop_stmt) {
                    Flow::Next => {}
                    Flow::LeavesLoop => return true,
                    Flow::NextIteration => return false,
                    Flow::After(target) => {
                        jumped = Some(target);
                        break;
                    }
                }
            }
            if let Some(target) = jumped {
                current = target;
                continue;
            }
        }
        // The list ran to its end: go to the statement that contains it.
        let Some(container) = enclosing_statement(&parent) else {
            return false;
        };
        if container.range() == loop_stmt.range() || syntax::is_function(&container) {
            return false;
        }
        current = container;
    }
}

/// The nearest ancestor (or `node` itself) that is a statement in a list or
/// a function (beyond which the search stops).
fn enclosing_statement<'r>(node: &GoNode<'r>) -> Option<GoNode<'r>> {
    std::iter::once(node.clone()).chain(node.ancestors()).find(|a| {
        syntax::is_function(a)
            || a.parent()
                .is_some_and(|p| syntax::is_statement_list(&p) || p.kind() == "labeled_statement")
    })
}

fn flow_of<'r>(stmt: &GoNode<'r>, loop_stmt: &GoNode<'r>) -> Flow<'r> {
    match stmt.kind().as_ref() {
        "return_statement" | "goto_statement" => Flow::LeavesLoop,
        "expression_statement" if syntax::is_terminating(stmt) => Flow::LeavesLoop,
        "break_statement" | "continue_statement" => {
            let is_break = stmt.kind() == "break_statement";
            let label = stmt.field("label").map(|l| l.text().to_string());
            let Some(target) = jump_target(stmt, label.as_deref(), is_break) else {
                return Flow::LeavesLoop;
            };
            if target.range() == loop_stmt.range() {
                return if is_break {
                    Flow::LeavesLoop
                } else {
                    Flow::NextIteration
                };
            }
            if contains(&target, loop_stmt) {
                Flow::LeavesLoop
            } else {
                Flow::After(target)
            }
        }
        _ => Flow::Next,
    }
}

/// The statement a `break`/`continue` leaves: the labelled one, or the
/// innermost loop (and, for `break`, switch or select).
fn jump_target<'r>(stmt: &GoNode<'r>, label: Option<&str>, is_break: bool) -> Option<GoNode<'r>> {
    let mut ancestors = stmt.ancestors().take_while(|a| !syntax::is_function(a));
    match label {
        Some(name) => ancestors
            .find(|a| a.kind() == "labeled_statement" && a.field("label").is_some_and(|l| l.text() == name))
            .and_then(|l| l.field("statement")),
        None => ancestors.find(|a| match a.kind().as_ref() {
            "for_statement" => true,
            "expression_switch_statement" | "type_switch_statement" | "select_statement" => is_break,
            _ => false,
        }),
    }
}

fn detection(ctx: &RuleContext, stmt: &GoNode, var: &LoopVariable) -> Detection {
    let name = &var.name;
    let loop_line = var.loop_stmt.start_pos().line() + 1;
    let mut det = Detection {
        range: stmt.range(),
        message: Some(format!(
            "map entry stores a pointer to loop variable {name} (declared once per loop before Go 1.22; this file is Go {}): every entry points to the same variable",
            ctx.go_version()
        )),
        note: None,
        related: Vec::new(),
        fix: None,
    };
    match copy_insertion(ctx, var) {
        Ok(edit) => {
            det.fix = Some(Fix {
                safety: FixSafety::Unsafe,
                description: format!(
                    "copy {name} per iteration: `{name} := {name}` at the top of the loop at line {loop_line}"
                ),
                unsafe_reason: None,
                edits: vec![edit],
                imports: Vec::new(),
            })
        }
        Err(why) => det.note = Some(why),
    }
    det
}

/// The edit inserting `v := v` as the first statement of the loop body,
/// indented like the body's first statement.
fn copy_insertion(ctx: &RuleContext, var: &LoopVariable) -> Result<TextEdit, String> {
    let name = &var.name;
    let body = var.loop_stmt.field("body").ok_or("loop without a body")?;
    let statements = block_statements(&body);
    if statements.iter().any(|s| declares(s, name)) {
        return Err(format!(
            "the loop body declares its own {name} later; a copy at the top would turn that declaration into an assignment: copy {name} by hand"
        ));
    }
    if var.three_clause && counter_changed_in_body(ctx, &body, var) {
        return Err(format!(
            "the loop body changes {name} or takes its address outside map stores; a copy would detach it from the loop counter: copy {name} by hand"
        ));
    }
    let first = statements.first().ok_or("empty loop body")?;
    let text = ctx.text;
    let open = body.range().start;
    let line_end = text[open..].find('\n').map(|i| open + i);
    let copy = format!("{name} := {name}");
    let edit = match line_end {
        Some(end) if first.range().start > end => {
            let at = end + 1;
            // gofmt puts a label one level left of the statements.
            let indent = if first.kind() == "labeled_statement" {
                format!("{}\t", syntax::line_indent(text, var.loop_stmt.range().start))
            } else {
                syntax::line_indent(text, first.range().start).to_string()
            };
            TextEdit {
                range: at..at,
                replacement: format!("{indent}{copy}\n"),
            }
        }
        // The first statement shares the `{` line (not gofmt-formatted).
        _ => TextEdit {
            range: first.range().start..first.range().start,
            replacement: format!("{copy}; "),
        },
    };
    if body
        .dfs()
        .any(|n| n.kind() == "comment" && n.range().start < edit.range.start && edit.range.start < n.range().end)
    {
        return Err("a comment spans the top of the loop body; copy the variable by hand".into());
    }
    Ok(edit)
}

/// Whether a statement of the body's own block declares `name`.
fn declares(stmt: &GoNode, name: &str) -> bool {
    match stmt.kind().as_ref() {
        "short_var_declaration" => syntax::declared_names(stmt).iter().any(|n| n == name),
        "var_declaration" | "const_declaration" => stmt
            .dfs()
            .filter(|n| matches!(n.kind().as_ref(), "var_spec" | "const_spec"))
            .any(|spec| syntax::declared_names(&spec).iter().any(|n| n == name)),
        "labeled_statement" => stmt.field("statement").is_some_and(|s| declares(&s, name)),
        _ => false,
    }
}

/// For a three-clause loop: whether the body assigns the counter, or takes
/// its address anywhere but in a stored map value.
fn counter_changed_in_body(ctx: &RuleContext, body: &GoNode, var: &LoopVariable) -> bool {
    let refers = |n: &GoNode| {
        n.kind() == "identifier"
            && n.text() == var.name.as_str()
            && types::resolve(&var.name, n, ctx.scope).and_then(|b| b.decl_at) == Some(var.decl_at)
    };
    body.dfs().any(|n| match n.kind().as_ref() {
        // `:=` in the body declares a new variable; `=`, `op=`, `++` and `--` write the counter.
        "assignment" => n.field("left").is_some_and(|l| code_children(&l).iter().any(&refers)),
        "inc_dec_statement" => n.field("operand").is_some_and(|o| refers(&o)),
        "unary_expression" if n.field("operator").is_some_and(|o| o.text() == "&") => {
            n.field("operand").is_some_and(|o| refers(&o)) && !is_stored_address(ctx, &n)
        }
        _ => false,
    })
}

/// Whether an `&v` node is one of the addresses its statement stores into a map.
fn is_stored_address(ctx: &RuleContext, address: &GoNode) -> bool {
    let Some(stmt) = address.ancestors().find(|a| a.kind() == "assignment") else {
        return false;
    };
    stored_addresses(ctx, &stmt)
        .iter()
        .any(|id| address.field("operand").is_some_and(|o| o.range() == id.range()))
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::run_rule;

    fn run(src: &str, minor: u32) -> Vec<(usize, Result<String, String>)> {
        run_rule("loopvar-pointer", src, minor)
            .into_iter()
            .map(|o| (o.line, o.fixed))
            .collect()
    }

    const RANGE: &str = "package p\n\nfunc f(xs []int) map[int]*int {\n\tm := map[int]*int{}\n\tfor i, v := range xs {\n\t\tm[i] = &v\n\t}\n\treturn m\n}\n";

    #[test]
    fn range_value_gets_a_copy_below_go_1_22_only() {
        let found = run(RANGE, 21);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].0, 6);
        assert_eq!(
            found[0].1.as_deref().unwrap(),
            "package p\n\nfunc f(xs []int) map[int]*int {\n\tm := map[int]*int{}\n\tfor i, v := range xs {\n\t\tv := v\n\t\tm[i] = &v\n\t}\n\treturn m\n}\n"
        );
        assert!(run(RANGE, 22).is_empty());
    }

    #[test]
    fn search_loop_that_breaks_after_the_store_is_fine() {
        let src = "package p\n\nvar m = map[int]*int{}\n\nfunc f(xs []int) {\n\tfor _, v := range xs {\n\t\tif v > 3 {\n\t\t\tm[0] = &v\n\t\t\tbreak\n\t\t}\n\t}\n}\n";
        assert!(run(src, 21).is_empty());
        let inner_break = src.replace("\t\t\tbreak\n", "\t\t\tfor {\n\t\t\t\tbreak\n\t\t\t}\n");
        assert_eq!(
            run(&inner_break, 21).len(),
            1,
            "a break of an inner loop does not leave the outer one"
        );
        let switch_break = "package p\n\nvar m = map[int]*int{}\n\nfunc f(xs []int) {\n\tfor _, v := range xs {\n\t\tswitch v {\n\t\tcase 1:\n\t\t\tm[0] = &v\n\t\t\tbreak\n\t\t}\n\t}\n}\n";
        assert_eq!(
            run(switch_break, 21).len(),
            1,
            "a break of a switch does not leave the loop"
        );
    }

    #[test]
    fn counter_written_in_body_gets_no_fix() {
        let src = "package p\n\nvar m = map[int]*int{}\n\nfunc f(n int) {\n\tfor i := 0; i < n; i++ {\n\t\tm[i] = &i\n\t\tif i%2 == 0 {\n\t\t\ti++\n\t\t}\n\t}\n}\n";
        let found = run(src, 21);
        assert_eq!(found.len(), 1);
        assert!(found[0].1.as_ref().unwrap_err().contains("loop counter"));
    }

    #[test]
    fn one_line_body_gets_an_inline_copy() {
        let src =
            "package p\n\nvar m = map[int]*int{}\n\nfunc f(xs []int) {\n\tfor _, v := range xs { m[v] = &v }\n}\n";
        let found = run(src, 21);
        assert_eq!(found[0].1.as_deref().unwrap(), "package p\n\nvar m = map[int]*int{}\n\nfunc f(xs []int) {\n\tfor _, v := range xs { v := v; m[v] = &v }\n}\n");
    }

    #[test]
    fn copy_is_indented_like_the_statements_not_a_leading_label() {
        let src = "package p\n\nvar m = map[int]*int{}\n\nfunc f(xs []int) {\n\tif len(xs) > 0 {\n\t\tfor _, v := range xs { // all of them\n\t\tagain:\n\t\t\tm[v] = &v\n\t\t\tif v < 0 {\n\t\t\t\tgoto again\n\t\t\t}\n\t\t}\n\t}\n}\n";
        let found = run(src, 21);
        assert_eq!(found.len(), 1);
        assert_eq!(
            found[0].1.as_deref().unwrap(),
            src.replace("// all of them\n", "// all of them\n\t\t\tv := v\n")
        );
    }

    #[test]
    fn select_case_redeclaration_is_not_the_loop_variable() {
        let src = "package p\n\nvar m = map[int]*int{}\n\nfunc f(xs []int, ch chan int) {\n\tfor _, v := range xs {\n\t\tselect {\n\t\tcase v := <-ch:\n\t\t\tm[0] = &v\n\t\t}\n\t\t_ = v\n\t}\n}\n";
        assert!(run(src, 21).is_empty());
    }
}
