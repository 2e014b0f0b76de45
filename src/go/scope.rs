//! What a name means at a node, as far as a fix needs to know before it
//! writes that name: whether `clear`, `make`, `delete`, `new`, `any`, `nil`
//! … are the predeclared ones there, and whether an import's package name
//! (`sync`) is free or already that package. Every fix that introduces such a
//! name asks here (SPEC §6); not type resolution (`types`).

use crate::go::syntax::{self, code_children, GoNode};
use crate::go::types::PackageScope;

/// Whether `name` (a predeclared identifier: `clear`, `make`, `delete`,
/// `new`, `any`, `nil`…) means the builtin at `at`: no parameter, result,
/// receiver, type parameter or local of an enclosing scope declares it
/// before `at`, no import of the file is named so, and no file of the
/// package declares it at package level. Dot-imports bring in only
/// exported (capitalised) names, so they never shadow a builtin.
pub fn builtin_visible(name: &str, at: &GoNode, scope: &PackageScope) -> bool {
    !declared_locally(name, at) && !file_imports_name(name, scope) && !scope.declares(name)
}

/// The first of `names` that is not the builtin at `at` (see
/// [`builtin_visible`]), for a fix that writes them all.
pub fn first_shadowed<'n>(names: &[&'n str], at: &GoNode, scope: &PackageScope) -> Option<&'n str> {
    names.iter().copied().find(|n| !builtin_visible(n, at, scope))
}

/// The note of a finding whose fix would write `name` where it is not the builtin.
pub fn shadowed_note(name: &str) -> String {
    format!(
        "`{name}` is not the builtin here (a declaration of this package or an enclosing scope takes the name): no fix"
    )
}

/// The predeclared type names a type text mentions (`any`, `error`, the
/// basic types), so that a fix copying the type to another place can check
/// that they still mean the same there.
pub fn predeclared_types_in(text: &str) -> Vec<&'static str> {
    ["any", "comparable", "error"]
        .iter()
        .chain(crate::go::types::BASIC_TYPES)
        .copied()
        .filter(|n| crate::go::lex::word_occurrences(text, n).next().is_some())
        .collect()
}

/// Whether writing `name.X` at every node of `uses` refers to the package
/// imported from `path` (`sync`), once the file imports it: no local or
/// package-level declaration of `name` is visible there, and no other import
/// of the file takes the name (an import whose package name cannot be told
/// from its path counts when the path mentions `name`).
pub fn package_name_free(name: &str, path: &str, uses: &[GoNode], scope: &PackageScope) -> bool {
    let other_import = scope.own.imports.iter().any(|i| {
        i.path != path
            && match i.name() {
                Some(n) => n == name,
                None => i.alias.is_none() && last_element_mentions(&i.path, name),
            }
    });
    let same_under_alias = scope
        .own
        .imports
        .iter()
        .any(|i| i.path == path && i.alias.as_deref().is_some_and(|a| a != name));
    !other_import && !same_under_alias && !scope.declares(name) && uses.iter().all(|u| !declared_locally(name, u))
}

/// Whether an import of this file is (or may be) named `name`.
fn file_imports_name(name: &str, scope: &PackageScope) -> bool {
    scope.own.imports.iter().any(|i| match i.name() {
        Some(n) => n == name,
        // `_` and `.` declare nothing a builtin's name could meet; an
        // import whose name the path does not tell may be named anything.
        None => i.alias.is_none() && last_element_mentions(&i.path, name),
    })
}

/// Whether the last element of an import path (before a `/vN` suffix)
/// mentions `name`: the package name of `example.com/go-make` may be `make`.
fn last_element_mentions(path: &str, name: &str) -> bool {
    let mut parts = path.rsplit('/');
    let last = parts.next().unwrap_or("");
    let is_version = last.len() > 1 && last.starts_with('v') && last[1..].bytes().all(|b| b.is_ascii_digit());
    let last = if is_version { parts.next().unwrap_or("") } else { last };
    last.contains(name)
}

/// Whether a declaration of `name` in a function (or in a scope inside one)
/// is visible at `at`.
fn declared_locally(name: &str, at: &GoNode) -> bool {
    let mut child = at.clone();
    for anc in at.ancestors() {
        if scope_declares(&anc, &child, name) {
            return true;
        }
        child = anc;
    }
    false
}

fn scope_declares(node: &GoNode, child: &GoNode, name: &str) -> bool {
    let kind = node.kind();
    if syntax::is_statement_list(node) {
        let before = syntax::block_statements(node)
            .into_iter()
            .take_while(|s| s.range().start < child.range().start)
            .any(|s| statement_declares(&s, name));
        let received = kind == "communication_clause"
            && node
                .field("communication")
                .is_some_and(|c| c.range() != child.range() && statement_declares(&c, name));
        return before || received;
    }
    match kind.as_ref() {
        "for_statement" => code_children(node).into_iter().any(|clause| {
            if clause.range() == child.range() {
                return false;
            }
            match clause.kind().as_ref() {
                "range_clause" => {
                    clause.children().any(|c| c.kind() == ":=")
                        && clause
                            .field("left")
                            .is_some_and(|l| code_children(&l).iter().any(|n| n.text() == name))
                }
                "for_clause" => clause
                    .field("init_statement")
                    .is_some_and(|i| statement_declares(&i, name)),
                _ => false,
            }
        }),
        "if_statement" | "expression_switch_statement" | "type_switch_statement" => {
            let init = node
                .field("init_statement")
                .is_some_and(|i| i.range() != child.range() && statement_declares(&i, name));
            let alias = kind == "type_switch_statement"
                && node.field("name").is_some_and(|n| n.text() == name)
                && node.field("operand").is_none_or(|o| o.range() != child.range());
            init || alias
        }
        "function_declaration" | "method_declaration" | "function_literal" => signature_declares(node, name),
        _ => false,
    }
}

/// Parameters, results, receiver, type parameters, and the type parameters
/// a generic receiver names (`func (s *Set[any]) …`).
fn signature_declares(func: &GoNode, name: &str) -> bool {
    let lists = ["receiver", "parameters", "result", "type_parameters"];
    let named = lists.iter().filter_map(|f| func.field(f)).any(|list| {
        code_children(&list)
            .iter()
            .any(|p| p.field_children("name").any(|n| n.text() == name))
    });
    let receiver_params = func.field("receiver").is_some_and(|r| {
        r.dfs()
            .filter(|n| n.kind() == "type_arguments")
            .any(|args| args.dfs().any(|n| n.text() == name))
    });
    named || receiver_params
}

/// Whether a statement declares `name` in the scope it belongs to.
fn statement_declares(stmt: &GoNode, name: &str) -> bool {
    let names_in = |spec: &GoNode| spec.field_children("name").any(|n| n.text() == name);
    match stmt.kind().as_ref() {
        "short_var_declaration" | "receive_statement" => {
            stmt.children().any(|c| c.kind() == ":=")
                && stmt
                    .field("left")
                    .is_some_and(|l| code_children(&l).iter().any(|n| n.text() == name))
        }
        "var_declaration" | "const_declaration" | "type_declaration" => specs(stmt).iter().any(names_in),
        "labeled_statement" => stmt.field("statement").is_some_and(|s| statement_declares(&s, name)),
        _ => false,
    }
}

/// The specs of a declaration, grouped (`var ( … )`) or not.
fn specs<'r>(decl: &GoNode<'r>) -> Vec<GoNode<'r>> {
    let is_spec = |n: &GoNode| {
        matches!(
            n.kind().as_ref(),
            "var_spec" | "const_spec" | "type_definition" | "alias_declaration" | "type_spec"
        )
    };
    let mut out = Vec::new();
    for c in decl.named_children() {
        if is_spec(&c) {
            out.push(c);
        } else {
            out.extend(c.named_children().filter(is_spec));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::go::types::PackageCache;
    use std::path::Path;

    /// Whether `name` is the builtin at the `// HERE` comment of `src`.
    fn visible_at_marker(src: &str, name: &str) -> bool {
        let tree = syntax::parse(src);
        let root = tree.root();
        let cache = PackageCache::default();
        let scope = PackageScope::new(&root, Path::new("/nonexistent/x.go"), &cache);
        let at = root
            .dfs()
            .find(|n| n.kind() == "comment" && n.text() == "// HERE")
            .expect("marker");
        builtin_visible(name, &at, &scope)
    }

    fn in_func(body: &str) -> String {
        format!("package p\n\nfunc F(m map[string]int) {{\n{body}\n}}\n")
    }

    #[test]
    fn builtins_are_builtins_until_shadowed() {
        assert!(visible_at_marker(&in_func("\t// HERE"), "clear"));
        assert!(!visible_at_marker(
            "package p\n\nfunc F(m map[string]int, clear bool) {\n\t// HERE\n}\n",
            "clear"
        ));
        assert!(!visible_at_marker(
            "package p\n\nfunc F() (make int) {\n\t// HERE\n\treturn\n}\n",
            "make"
        ));
        assert!(!visible_at_marker(
            "package p\n\ntype T struct{}\n\nfunc (delete T) F() {\n\t// HERE\n}\n",
            "delete"
        ));
        assert!(!visible_at_marker(
            "package p\n\nfunc F[any comparable]() {\n\t// HERE\n}\n",
            "any"
        ));
        assert!(!visible_at_marker(
            "package p\n\ntype S[T any] struct{}\n\nfunc (s *S[any]) F() {\n\t// HERE\n}\n",
            "any"
        ));
        assert!(!visible_at_marker(
            &in_func("\tclear := 1\n\t_ = clear\n\t// HERE"),
            "clear"
        ));
        assert!(visible_at_marker(
            &in_func("\t// HERE\n\tclear := 1\n\t_ = clear"),
            "clear"
        ));
        assert!(visible_at_marker(
            &in_func("\t{\n\t\tclear := 1\n\t\t_ = clear\n\t}\n\t// HERE"),
            "clear"
        ));
        assert!(!visible_at_marker(
            &in_func("\tvar (\n\t\tx = 1\n\t\tnew = 2\n\t)\n\t// HERE"),
            "new"
        ));
        assert!(!visible_at_marker(&in_func("\tconst make = 1\n\t// HERE"), "make"));
        assert!(!visible_at_marker(&in_func("\ttype any = int\n\t// HERE"), "any"));
        assert!(!visible_at_marker(
            &in_func("\tfunc(clear int) {\n\t\t// HERE\n\t}(1)"),
            "clear"
        ));
        assert!(!visible_at_marker(
            &in_func("\tif clear := 1; clear > 0 {\n\t\t// HERE\n\t}"),
            "clear"
        ));
        assert!(!visible_at_marker(
            &in_func("\tfor clear := 0; clear < 1; clear++ {\n\t\t// HERE\n\t}"),
            "clear"
        ));
        assert!(!visible_at_marker(
            &in_func("\tfor clear := range m {\n\t\t// HERE\n\t}"),
            "clear"
        ));
        assert!(!visible_at_marker(
            &in_func("\tswitch clear := 1; clear {\n\tcase 1:\n\t\t// HERE\n\t}"),
            "clear"
        ));
        assert!(!visible_at_marker(
            &in_func("\tvar x any\n\tswitch delete := x.(type) {\n\tcase int:\n\t\t// HERE\n\t\t_ = delete\n\t}"),
            "delete"
        ));
        assert!(!visible_at_marker(
            &in_func("\tch := make(chan int)\n\tselect {\n\tcase clear := <-ch:\n\t\t// HERE\n\t\t_ = clear\n\t}"),
            "clear"
        ));
        assert!(!visible_at_marker(
            &in_func("\tL:\n\tclear := 1\n\t_ = clear\n\tgoto L\n\t// HERE"),
            "clear"
        ));
    }

    #[test]
    fn package_level_and_imports_shadow() {
        let with = |decl: &str| format!("package p\n\n{decl}\n\nfunc F() {{\n\t// HERE\n}}\n");
        assert!(!visible_at_marker(&with("func clear(...any) {}"), "clear"));
        assert!(!visible_at_marker(&with("var make = 1"), "make"));
        assert!(!visible_at_marker(&with("const (\n\tdelete = 1\n)"), "delete"));
        assert!(!visible_at_marker(&with("type any = int"), "any"));
        assert!(!visible_at_marker(&with("import clear \"strings\""), "clear"));
        assert!(!visible_at_marker(&with("import \"example.com/new\""), "new"));
        assert!(!visible_at_marker(&with("import \"example.com/go-make\""), "make"));
        assert!(!visible_at_marker(&with("import \"example.com/go-make/v2\""), "make"));
        assert!(visible_at_marker(&with("import \"example.com/make-it/go-x\""), "make"));
        assert!(visible_at_marker(&with("import . \"strings\""), "clear"));
        assert!(visible_at_marker(
            &with("func (T) clear() {}\n\ntype T struct{}"),
            "clear"
        ));
    }

    #[test]
    fn other_files_of_the_package_count() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.go"), "package p\n\nfunc F() {\n\t// HERE\n}\n").unwrap();
        std::fs::write(dir.path().join("b.go"), "package p\n\nfunc clear(...any) {}\n").unwrap();
        std::fs::write(dir.path().join("c_test.go"), "package p_test\n\nvar make = 1\n").unwrap();
        let src = std::fs::read_to_string(dir.path().join("a.go")).unwrap();
        let tree = syntax::parse(&src);
        let root = tree.root();
        let cache = PackageCache::default();
        let a = dir.path().join("a.go");
        let scope = PackageScope::new(&root, &a, &cache);
        let at = root.dfs().find(|n| n.kind() == "comment").unwrap();
        assert!(!builtin_visible("clear", &at, &scope));
        assert!(builtin_visible("make", &at, &scope), "another package's file");
    }

    #[test]
    fn package_names() {
        let check = |src: &str| {
            let tree = syntax::parse(src);
            let root = tree.root();
            let cache = PackageCache::default();
            let scope = PackageScope::new(&root, Path::new("/nonexistent/x.go"), &cache);
            let at = root.dfs().find(|n| n.kind() == "comment").unwrap();
            package_name_free("sync", "sync", &[at], &scope)
        };
        assert!(check("package p\n\nfunc F() {\n\t// x\n}\n"));
        assert!(check("package p\n\nimport \"sync\"\n\nfunc F() {\n\t// x\n}\n"));
        assert!(!check(
            "package p\n\nimport \"example.com/sync\"\n\nfunc F() {\n\t// x\n}\n"
        ));
        assert!(!check(
            "package p\n\nimport sync \"example.com/lock\"\n\nfunc F() {\n\t// x\n}\n"
        ));
        assert!(!check("package p\n\nimport s \"sync\"\n\nfunc F() {\n\t// x\n}\n"));
        assert!(!check("package p\n\nvar sync = 1\n\nfunc F() {\n\t// x\n}\n"));
        assert!(!check("package p\n\nfunc F(sync int) {\n\t// x\n}\n"));
    }
}
