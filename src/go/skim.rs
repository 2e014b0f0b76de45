//! Skimming a Go file for its package-level declarations without parsing
//! function bodies: the Go lexer's tokens (`go/lex.rs`: comments, strings,
//! runes, semicolon insertion) tell where each top-level declaration ends. `package`,
//! `type` and `var` declarations are kept, with composite-literal and
//! function-literal bodies emptied to `{}`; function names are recorded;
//! imports, constants and function bodies are dropped. What remains is a
//! small Go file with the same package-level types and variables, cheap to
//! parse (the per-package index of `types.rs` is built from it).

use crate::go::lex::{ends_statement, Lexer, Tok};

/// The package-level skeleton of a Go file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Skeleton {
    /// `package` clause, `type` and `var` declarations, one per line.
    pub text: String,
    /// Names of package-level functions (not methods), in order.
    pub funcs: Vec<String>,
}

/// What the declaration being read is.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Decl {
    Keep,
    Var,
    Func,
    Drop,
}

/// Skims `text` (without BOM) for its package-level declarations.
pub fn skim(text: &str) -> Skeleton {
    let src = text.as_bytes();
    let mut lex = Lexer::new(text);
    let mut out = Skeleton::default();
    // The declaration being read: its kind and where its kept text starts.
    let mut decl: Option<(Decl, usize)> = None;
    let mut depth = 0usize;
    let mut prev: Option<Tok> = None;
    // In a var declaration: the offset copying resumes from after an emptied body.
    let mut copy_from = 0usize;
    let mut func_name_next = false;
    while let Some((tok, at)) = lex.next() {
        let ends = depth == 0
            && (tok == Tok::Punct(b';') || tok == Tok::Newline && prev.is_some_and(|p| ends_statement(p, src)));
        if ends {
            if let Some((kind, _)) = decl.take() {
                if matches!(kind, Decl::Keep | Decl::Var) {
                    out.text.push_str(&text[copy_from..at]);
                    out.text.push('\n');
                }
            }
            prev = None;
            continue;
        }
        if tok == Tok::Newline {
            continue;
        }
        let Some((kind, _)) = decl else {
            let kind = match tok {
                Tok::Word(s, e) => match &src[s..e] {
                    b"package" | b"type" => Decl::Keep,
                    b"var" => Decl::Var,
                    b"func" => Decl::Func,
                    _ => Decl::Drop,
                },
                _ => Decl::Drop,
            };
            decl = Some((kind, at));
            copy_from = at;
            func_name_next = kind == Decl::Func;
            prev = Some(tok);
            continue;
        };
        if func_name_next {
            func_name_next = false;
            if let Tok::Word(s, e) = tok {
                out.funcs.push(text[s..e].to_string());
            }
        }
        match tok {
            Tok::Punct(b'(' | b'[') => depth += 1,
            Tok::Punct(b')' | b']') => depth = depth.saturating_sub(1),
            Tok::Punct(b'{') => {
                let type_body = matches!(prev, Some(Tok::Word(s, e)) if matches!(&src[s..e], b"struct" | b"interface"));
                if kind == Decl::Var && !type_body || kind == Decl::Func {
                    // A literal's or function's body: skip it whole.
                    lex.skip_block();
                    if kind == Decl::Var {
                        out.text.push_str(&text[copy_from..=at]);
                        out.text.push('}');
                        copy_from = lex.offset();
                    }
                    prev = Some(Tok::Punct(b'}'));
                    continue;
                }
                depth += 1;
            }
            Tok::Punct(b'}') => depth = depth.saturating_sub(1),
            _ => {}
        }
        prev = Some(tok);
    }
    if let Some((Decl::Keep | Decl::Var, _)) = decl {
        out.text.push_str(&text[copy_from..]);
        out.text.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_types_and_vars_drops_bodies() {
        let src = "// Package p.\npackage p\n\nimport (\n\t\"fmt\"\n)\n\nconst c = 1\n\ntype T struct {\n\tm map[string]int // c\n}\n\nvar (\n\ttable = map[string]struct{}{\n\t\t\"a\": {},\n\t}\n\tf = func() int { var inner map[int]int; _ = inner; return 1 }\n)\n\nfunc (t *T) M() { x := \"}\"; _ = x }\n\nfunc F[K comparable](k K) bool {\n\treturn k == k\n}\n\nfunc asm(x int) int\n\nvar g = &T{m: nil}\n";
        let sk = skim(src);
        assert_eq!(
            sk.text,
            "package p\ntype T struct {\n\tm map[string]int // c\n}\nvar (\n\ttable = map[string]struct{}{}\n\tf = func() int {}\n)\nvar g = &T{}\n"
        );
        assert_eq!(sk.funcs, ["F", "asm"]);
    }

    #[test]
    fn strings_runes_and_comments_hide_braces() {
        let src = "package p\nvar a = []string{\"{\", `}\n}`, '}'}\n/* } */ var b int // }\nfunc g() { s := '{'; _ = s }\ntype U int\n";
        let sk = skim(src);
        assert_eq!(sk.text, "package p\nvar a = []string{}\nvar b int // }\ntype U int\n");
        assert_eq!(sk.funcs, ["g"]);
    }

    #[test]
    fn multi_line_expressions_continue() {
        let src = "package p\nvar x = a +\n\tb\nvar y = m[\n\t1]\ntype V = map[\n\tstring]int\n";
        assert_eq!(
            skim(src).text,
            "package p\nvar x = a +\n\tb\nvar y = m[\n\t1]\ntype V = map[\n\tstring]int\n"
        );
    }

    /// The index built from a skeleton equals the one built from a full
    /// parse (but for `nil_tested`, which the skeleton does not carry), on a
    /// sample of the Go standard library.
    #[test]
    fn skeleton_index_equals_full_index_on_the_standard_library() {
        use crate::go::types::FileIndex;
        let mut compared = 0;
        for (path, text) in crate::testing::stdlib_sample(13) {
            let tree = crate::go::syntax::parse(&text);
            if crate::go::syntax::first_error(&tree.root()).is_some() {
                continue;
            }
            let mut full = FileIndex::build(&tree.root());
            full.nil_tested.clear();
            // The skeleton drops constants and function bodies (results included).
            full.consts.clear();
            full.func_results.clear();
            full.method_results.clear();
            full.imports.clear();
            let skimmed = FileIndex::skim(&text);
            assert_eq!(skimmed, full, "{}\nskeleton:\n{}", path.display(), skim(&text).text);
            compared += 1;
        }
        assert!(compared > 100, "{compared} files compared");
    }
}
