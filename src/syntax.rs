//! Thin helpers over the tree-sitter Go syntax tree as exposed by ast-grep:
//! parsing, error detection, and navigation shared by every rule.

use ast_grep_core::tree_sitter::{LanguageExt, StrDoc};
use ast_grep_core::{AstGrep, Node};
use ast_grep_language::Go;

/// A parsed Go file.
pub type GoTree = AstGrep<StrDoc<Go>>;
/// A node of a parsed Go file.
pub type GoNode<'r> = Node<'r, StrDoc<Go>>;

/// Parses Go source text. Never fails; see [`first_error`].
pub fn parse(text: &str) -> GoTree {
    Go.ast_grep(text)
}

/// The first ERROR or MISSING node of a tree, if the source does not parse.
pub fn first_error<'r>(root: &GoNode<'r>) -> Option<GoNode<'r>> {
    let inner = root.get_inner_node();
    if !inner.has_error() {
        return None;
    }
    root.dfs().find(|n| n.is_error() || n.is_missing())
}

/// Kinds of nodes that start a new function body (and so a new scope of control flow).
pub fn is_function(node: &GoNode) -> bool {
    matches!(
        node.kind().as_ref(),
        "function_declaration" | "method_declaration" | "func_literal"
    )
}

/// The innermost function (declaration, method or literal) containing `node`.
pub fn enclosing_function<'r>(node: &GoNode<'r>) -> Option<GoNode<'r>> {
    node.ancestors().find(is_function)
}

/// Named children that are not comments.
pub fn code_children<'r>(node: &GoNode<'r>) -> Vec<GoNode<'r>> {
    node.named_children().filter(|c| c.kind() != "comment").collect()
}

/// Statements of a `block` (tree-sitter-go 0.25 wraps them in a `statement_list`).
pub fn block_statements<'r>(block: &GoNode<'r>) -> Vec<GoNode<'r>> {
    match block.children().find(|c| c.kind() == "statement_list") {
        Some(list) => code_children(&list),
        None => Vec::new(),
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
        | "rune_literal"
        | "true"
        | "false"
        | "nil"
        | "iota" => true,
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
    let start = text[..at].rfind('\n').map_or(0, |i| i + 1);
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

/// Renders the tree for `mapfix dump-tree` (a debugging aid for rule authors).
pub fn dump(node: &GoNode, depth: usize, out: &mut String) {
    if !node.is_named() {
        return;
    }
    let text = node.text();
    let short: String = text.chars().take(40).collect::<String>().replace('\n', "⏎");
    out.push_str(&format!(
        "{}{} [{}:{}] {:?}\n",
        "  ".repeat(depth),
        node.kind(),
        node.start_pos().line() + 1,
        node.start_pos().column(node) + 1,
        short
    ));
    for c in node.children() {
        dump(&c, depth + 1, out);
    }
}
