//! Thin helpers over the tree-sitter Go syntax tree as exposed by ast-grep:
//! parsing, error detection, and navigation shared by every rule.

use crate::go::lang::Go;
use ast_grep_core::tree_sitter::{LanguageExt, StrDoc};
use ast_grep_core::{AstGrep, Node};

/// A parsed Go file.
pub type GoTree = AstGrep<StrDoc<Go>>;
/// A node of a parsed Go file.
pub type GoNode<'r> = Node<'r, StrDoc<Go>>;

/// Parses Go source text. Never fails; see [`first_error`].
pub fn parse(text: &str) -> GoTree {
    Go.ast_grep(text)
}

/// Parses only the byte ranges `ranges` of `text` (sorted, disjoint; see
/// `go/decls.rs`), as if the text between them were not there; nodes keep
/// their offsets in `text`. Never fails; see [`first_error`].
pub fn parse_ranges(text: &str, ranges: &[std::ops::Range<usize>]) -> GoTree {
    use ast_grep_core::tree_sitter::{TSPoint, TSRange};
    thread_local! {
        // Not ast-grep's parser: included ranges stay set on a parser.
        static PARSER: std::cell::RefCell<Option<tree_sitter::Parser>> = const { std::cell::RefCell::new(None) };
    }
    let lines = crate::go::lines::LineIndex::new(text);
    let point = |at: usize| {
        let (line, col) = lines.line_col(at);
        TSPoint::new(line - 1, col - 1)
    };
    let ts_ranges: Vec<TSRange> = ranges
        .iter()
        .map(|r| TSRange {
            start_byte: r.start,
            end_byte: r.end,
            start_point: point(r.start),
            end_point: point(r.end),
        })
        .collect();
    let tree = PARSER.with(|cell| {
        let mut cell = cell.borrow_mut();
        let parser = cell.get_or_insert_with(|| {
            let mut p = tree_sitter::Parser::new();
            p.set_language(&Go.get_ts_language()).expect("the Go grammar loads");
            p
        });
        parser.reset();
        match parser.set_included_ranges(&ts_ranges) {
            Ok(()) => parser.parse(text.as_bytes(), None),
            Err(_) => None,
        }
    });
    match tree {
        Some(tree) => AstGrep::doc(StrDoc {
            src: text.to_string(),
            lang: Go,
            tree,
        }),
        None => parse(text),
    }
}

/// The first ERROR or MISSING node of a tree, if the source does not parse.
pub fn first_error<'r>(root: &GoNode<'r>) -> Option<GoNode<'r>> {
    let inner = root.get_inner_node();
    if !inner.has_error() {
        return None;
    }
    root.dfs().find(|n| n.is_error() || n.is_missing())
}

/// A file the grammar accepts but Go does not, for its layout: where it
/// goes wrong and what Go expects there. A file starts with its package
/// clause; imports come before every other declaration; only declarations
/// stand at the top level (tree-sitter accepts statements there too).
pub fn misplaced_top_level(root: &GoNode) -> Option<(usize, &'static str)> {
    let mut seen_package = false;
    let mut seen_decl = false;
    for node in code_children(root) {
        let kind = node.kind();
        let at = node.range().start;
        match kind.as_ref() {
            "package_clause" if !seen_package => seen_package = true,
            _ if !seen_package => return Some((at, "expected 'package'")),
            "package_clause" => return Some((at, "expected declaration, found 'package'")),
            "import_declaration" if seen_decl => return Some((at, "imports must appear before other declarations")),
            "import_declaration" => {}
            "function_declaration"
            | "method_declaration"
            | "var_declaration"
            | "const_declaration"
            | "type_declaration" => seen_decl = true,
            _ => return Some((at, "non-declaration statement outside function body")),
        }
    }
    (!seen_package).then_some((0, "expected 'package'"))
}

/// The byte offset to report for a syntax error, near where `gofmt -e`
/// would: a missing token where it is missing; the innermost error inside
/// an error; an error on one line at its start; an error spanning lines
/// (the parser skipped a valid prefix) at the first token after it.
pub fn error_offset(text: &str, err: &GoNode) -> usize {
    if let Some(inner) = err.dfs().skip(1).find(|n| n.is_error() || n.is_missing()) {
        return error_offset(text, &inner);
    }
    let range = err.range();
    let one_line = !text[range.clone()].contains('\n');
    if err.is_missing() || one_line || err.children().count() <= 1 {
        return range.start;
    }
    let rest = &text[range.end..];
    let skipped = rest.len() - rest.trim_start().len();
    (range.end + skipped).min(text.len())
}

/// How deep a syntax tree may nest for mapfix to analyse it: the rules and
/// type lookups recurse over the tree, and no hand-written Go comes near
/// (Go's own parser stops at 100,000; real code stays under a few hundred).
pub const MAX_TREE_DEPTH: usize = 1500;

/// Whether the tree below `root` nests deeper than `MAX_TREE_DEPTH` (read
/// with a cursor, without recursion).
pub fn too_deep(root: &GoNode) -> bool {
    let mut cursor = root.get_inner_node().walk();
    let mut depth = 0usize;
    loop {
        if cursor.goto_first_child() {
            depth += 1;
            if depth > MAX_TREE_DEPTH {
                return true;
            }
            continue;
        }
        loop {
            if depth == 0 {
                return false;
            }
            if cursor.goto_next_sibling() {
                break;
            }
            cursor.goto_parent();
            depth -= 1;
        }
    }
}

/// A parse of `text` when it nests no deeper than `MAX_TREE_DEPTH` (for
/// the other files of a package, which are read, never reported on).
pub fn parse_shallow(text: &str) -> Option<GoTree> {
    let tree = parse(text);
    (!too_deep(&tree.root())).then_some(tree)
}

/// Kinds of nodes that start a new function body (and so a new scope of control flow).
pub fn is_function(node: &GoNode) -> bool {
    matches!(
        node.kind().as_ref(),
        "function_declaration" | "method_declaration" | "function_literal"
    )
}

/// The innermost function (declaration, method or literal) containing `node`.
pub fn enclosing_function<'r>(node: &GoNode<'r>) -> Option<GoNode<'r>> {
    node.ancestors().find(is_function)
}

/// The identifier of `within` that starts at byte `at`, found by descending
/// the tree to that offset instead of visiting every node before it.
pub fn identifier_at<'r>(within: &GoNode<'r>, at: usize) -> Option<GoNode<'r>> {
    let r = within.range();
    if at < r.start || at >= r.end {
        return None;
    }
    let inner = within.get_inner_node().named_descendant_for_byte_range(at, at + 1)?;
    let node = within.root().adopt(inner);
    (node.kind() == "identifier" && node.range().start == at).then_some(node)
}

/// Whether the index expression `index` is written: `index = …`,
/// `index op= …`, `index++`.
pub fn is_written_index(index: &GoNode) -> bool {
    let Some(up) = index.parent() else { return false };
    match up.kind().as_ref() {
        "inc_dec_statement" => true,
        "expression_list" => up
            .parent()
            .is_some_and(|s| s.kind() == "assignment" && s.field("left").is_some_and(|l| l.range() == up.range())),
        _ => false,
    }
}

/// Named children that are not comments.
pub fn code_children<'r>(node: &GoNode<'r>) -> Vec<GoNode<'r>> {
    node.named_children().filter(|c| c.kind() != "comment").collect()
}

/// Whether `node` holds a list of statements: a `block` or the body of a
/// `case`/`default` clause (the grammar puts a clause's statements directly in it).
pub fn is_statement_list(node: &GoNode) -> bool {
    matches!(
        node.kind().as_ref(),
        "block" | "expression_case_clause" | "type_case_clause" | "communication_clause"
    )
}

/// The statements of a block or a case clause, in order: comments, empty
/// statements and a clause's own `case` operands left out.
pub fn block_statements<'r>(list: &GoNode<'r>) -> Vec<GoNode<'r>> {
    let header: Option<&str> = match list.kind().as_ref() {
        "expression_case_clause" => Some("value"),
        "type_case_clause" => Some("type"),
        "communication_clause" => Some("communication"),
        _ => None,
    };
    let header_ranges: Vec<_> = header
        .map(|f| list.field_children(f).map(|n| n.range()).collect())
        .unwrap_or_default();
    list.named_children()
        .filter(|c| !matches!(c.kind().as_ref(), "comment" | "empty_statement"))
        .filter(|c| !header_ranges.contains(&c.range()))
        .collect()
}

/// A stretch of code that may run after a statement, in execution order.
pub struct After<'r> {
    pub node: GoNode<'r>,
    /// Runs whenever the statement ran (not only on another iteration of
    /// an enclosing loop).
    pub unconditional: bool,
}

/// The code that may run after `stmt` within `func`, in execution order:
/// the rest of each enclosing statement list, and a loop's header and body
/// again when `stmt` is inside the loop. `break` and `continue` leave their
/// statement list; a terminating statement (`return`, `panic`, `os.Exit`,
/// a labelled jump…) comes last, since its operands still run.
pub fn code_after<'r>(stmt: &GoNode<'r>, func: &GoNode<'r>) -> Vec<After<'r>> {
    let mut out = Vec::new();
    let mut cur = stmt.clone();
    let mut unconditional = true;
    // How the current statement list was left: normally, by break, or by continue.
    let mut exit: Option<&str> = None;
    while let Some(parent) = cur.parent() {
        if parent.range() == func.range() && parent.kind() == func.kind() {
            break;
        }
        match parent.kind().as_ref() {
            _ if exit.is_none() && is_statement_list(&parent) => {
                for sib in block_statements(&parent)
                    .into_iter()
                    .filter(|s| s.range().start > cur.range().start)
                {
                    if is_terminating(&sib) {
                        out.push(After {
                            node: sib,
                            unconditional,
                        });
                        return out;
                    }
                    match sib.kind().as_ref() {
                        "break_statement" => {
                            exit = Some("break");
                            break;
                        }
                        "continue_statement" => {
                            exit = Some("continue");
                            break;
                        }
                        _ => out.push(After {
                            node: sib,
                            unconditional,
                        }),
                    }
                }
            }
            "for_statement" => {
                if exit != Some("break") {
                    // The loop runs again: its header and body come after the statement.
                    for part in code_children(&parent) {
                        if part.range() != cur.range() || part.kind() == "block" {
                            out.push(After {
                                node: part,
                                unconditional: false,
                            });
                        }
                    }
                    unconditional = false;
                }
                exit = None;
            }
            "expression_switch_statement" | "type_switch_statement" | "select_statement" if exit == Some("break") => {
                exit = None;
            }
            _ => {}
        }
        cur = parent;
    }
    out
}

/// A statement after which nothing else in the function runs.
pub fn is_terminating(stmt: &GoNode) -> bool {
    match stmt.kind().as_ref() {
        "return_statement" | "goto_statement" => true,
        "expression_statement" => code_children(stmt).first().is_some_and(|call| {
            call.kind() == "call_expression"
                && call.field("function").is_some_and(|f| {
                    matches!(
                        f.text().as_ref(),
                        "panic"
                            | "os.Exit"
                            | "log.Fatal"
                            | "log.Fatalf"
                            | "log.Fatalln"
                            | "log.Panic"
                            | "log.Panicf"
                            | "log.Panicln"
                    )
                })
        }),
        "break_statement" | "continue_statement" => stmt.field("label").is_some(),
        _ => false,
    }
}

/// Whether an expression is the predeclared `nil` (an identifier to this grammar).
pub fn is_nil(node: &GoNode) -> bool {
    node.kind() == "identifier" && node.text() == "nil"
}

/// Whether an expression is the predeclared `true` or `false`.
pub fn is_bool_literal(node: &GoNode) -> bool {
    node.kind() == "identifier" && matches!(node.text().as_ref(), "true" | "false")
}

/// Whether a parameter declaration is variadic (`xs ...T`).
pub fn is_variadic(param: &GoNode) -> bool {
    param.kind() == "parameter_declaration" && param.children().any(|c| c.kind() == "...")
}

/// Whether an argument may be a type (`new(T)`, `make(T)`): a type
/// expression, or a name or qualified name that may denote one. Go 1.26's
/// `new(expr)` takes values too; a literal or an operation is never a type.
pub fn may_be_type(node: &GoNode) -> bool {
    match node.kind().as_ref() {
        "identifier" => !matches!(node.text().as_ref(), "nil" | "true" | "false" | "iota"),
        "selector_expression" => node.field("operand").is_some_and(|o| o.kind() == "identifier"),
        "parenthesized_expression" => code_children(node).first().is_some_and(may_be_type),
        kind => kind.ends_with("_type") || kind == "qualified_identifier",
    }
}

/// Whether any comment node lies inside `node`.
pub fn contains_comment(node: &GoNode) -> bool {
    node.dfs().any(|n| n.kind() == "comment")
}

/// The text of `node` with all whitespace removed, for structural comparisons
/// of small expressions (`c.items` vs `c .items`).
pub fn squashed(node: &GoNode) -> String {
    node.text().chars().filter(|c| !c.is_whitespace()).collect()
}

/// Whether an expression can be evaluated twice without side effects:
/// identifiers, selectors, index expressions with such operands, literals.
pub fn is_pure_expression(node: &GoNode) -> bool {
    match node.kind().as_ref() {
        "identifier"
        | "field_identifier"
        | "int_literal"
        | "interpreted_string_literal"
        | "raw_string_literal"
        | "rune_literal" => true,
        "selector_expression" => node.field("operand").is_some_and(|o| is_pure_expression(&o)),
        "index_expression" => {
            node.field("operand").is_some_and(|o| is_pure_expression(&o))
                && node.field("index").is_some_and(|i| is_pure_expression(&i))
        }
        "parenthesized_expression" => code_children(node).iter().all(is_pure_expression),
        _ => false,
    }
}

/// The leading whitespace of the line on which byte offset `at` lies.
pub fn line_indent(text: &str, at: usize) -> &str {
    let start = crate::go::lines::line_start(text, at);
    let rest = &text[start..];
    let len = rest.len() - rest.trim_start_matches([' ', '\t']).len();
    &rest[..len]
}

/// The identifier names declared by the left side of `:=`, a `var` spec,
/// or a range clause (`k, v := range`).
pub fn declared_names(node: &GoNode) -> Vec<String> {
    match node.kind().as_ref() {
        "short_var_declaration" | "range_clause" => node
            .field("left")
            .map(|l| {
                code_children(&l)
                    .into_iter()
                    .filter(|n| n.kind() == "identifier")
                    .map(|n| n.text().to_string())
                    .collect()
            })
            .unwrap_or_default(),
        "var_spec" | "const_spec" => node.field_children("name").map(|n| n.text().to_string()).collect(),
        _ => Vec::new(),
    }
}

/// Renders the tree for `mapfix dump-tree` (a debugging aid for rule authors):
/// one named node a line, `field: kind [line:column] "text"`.
pub fn dump(node: &GoNode, depth: usize, out: &mut String) {
    dump_node(node, None, depth, out);
}

fn dump_node(node: &GoNode, field: Option<&str>, depth: usize, out: &mut String) {
    let text = node.text();
    let short: String = text.chars().take(40).collect::<String>().replace('\n', "⏎");
    let field = field.map(|f| format!("{f}: ")).unwrap_or_default();
    out.push_str(&format!(
        "{}{field}{} [{}:{}] {:?}\n",
        "  ".repeat(depth),
        node.kind(),
        node.start_pos().line() + 1,
        node.start_pos().column(node) + 1,
        short
    ));
    let inner = node.get_inner_node();
    for (i, c) in node.children().enumerate() {
        if c.is_named() {
            let name = u32::try_from(i).ok().and_then(|i| inner.field_name_for_child(i));
            dump_node(&c, name, depth + 1, out);
        }
    }
}

/// The variable at the root of a selector chain (`s.a.b` → `s`), or the
/// identifier itself; `None` for anything else.
pub fn selector_root<'r>(node: &GoNode<'r>) -> Option<GoNode<'r>> {
    match node.kind().as_ref() {
        "identifier" => Some(node.clone()),
        "selector_expression" => selector_root(&node.field("operand")?),
        _ => None,
    }
}

/// The variable at the root of an access path through selectors, indexes
/// and parentheses (`(s.m[k]).f` → `s`).
pub fn access_root<'r>(node: &GoNode<'r>) -> Option<GoNode<'r>> {
    match node.kind().as_ref() {
        "identifier" => Some(node.clone()),
        "selector_expression" | "index_expression" => access_root(&node.field("operand")?),
        "parenthesized_expression" => access_root(code_children(node).first()?),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The statements `code_after` yields after the `s := 0` statement.
    fn after_start(body: &str) -> Vec<(String, bool)> {
        let text = format!("package p\n\nfunc f(m map[int]int, c bool) {{\n{body}\n}}\n");
        let tree = parse(&text);
        let root = tree.root();
        let start = root
            .dfs()
            .find(|n| n.kind() == "short_var_declaration" && n.text().starts_with("s :="))
            .unwrap();
        let func = enclosing_function(&start).unwrap();
        code_after(&start, &func)
            .into_iter()
            .map(|a| (squashed(&a.node), a.unconditional))
            .collect()
    }

    #[test]
    fn code_after_follows_execution_order() {
        assert_eq!(
            after_start("\ts := 0\n\tm[1] = s\n\tlog.Fatal(m)\n\tm[2] = 2"),
            [("m[1]=s".to_string(), true), ("log.Fatal(m)".to_string(), true)],
            "nothing runs after log.Fatal"
        );
        let in_loop = after_start(
            "\tfor i := 0; i < 3; i++ {\n\t\ts := 0\n\t\tif c {\n\t\t\tbreak\n\t\t}\n\t\tm[i] = s\n\t}\n\tm[9] = 9",
        );
        assert_eq!(in_loop[0], ("ifc{break}".to_string(), true));
        assert_eq!(in_loop[1], ("m[i]=s".to_string(), true));
        assert!(
            in_loop.iter().any(|(s, u)| s.ends_with("i++") && !u),
            "the loop header runs again: {in_loop:?}"
        );
        assert_eq!(in_loop.last().unwrap(), &("m[9]=9".to_string(), false));
        assert_eq!(
            after_start("\tfor {\n\t\ts := 0\n\t\tm[s] = 1\n\t\tbreak\n\t}\n\tm[2] = 2"),
            [("m[s]=1".to_string(), true), ("m[2]=2".to_string(), true)],
            "a break leaves the loop without running it again"
        );
    }
}
