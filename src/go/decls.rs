//! A Go file cut into its top-level declarations with the lexer, without
//! parsing, so that only the declarations a rule can match are parsed
//! (`syntax::parse_ranges`). The pieces cover the file end to end: each
//! runs from the end of the previous one (its doc comment and the blank
//! lines before it included) to the end of the line that ends it. A
//! function's body is located too: a function left out is still parsed as
//! its header (`func (r *T) M(x int) error`, a declaration without a body),
//! so that the package-level names, signatures and methods of the file are
//! all in the tree.

use crate::go::lex::{ends_statement, Lexer, Tok};
use std::ops::Range;

/// What a top-level declaration is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeclKind {
    /// The package clause (with everything before it: build tags, file comments).
    Package,
    Import,
    Func,
    /// `type`, `var`, `const`, or anything the lexer cannot tell.
    Other,
}

/// One top-level declaration of a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decl {
    pub kind: DeclKind,
    /// From the end of the previous declaration to the end of this one's
    /// last line (the file's end for the last).
    pub range: Range<usize>,
    /// A function's body, `{` to `}`.
    pub body: Option<Range<usize>>,
}

/// The top-level declarations of `text` (without BOM), in order, covering it whole.
pub fn split(text: &str) -> Vec<Decl> {
    let src = text.as_bytes();
    let mut lex = Lexer::new(text);
    let mut out: Vec<Decl> = Vec::new();
    let mut start = 0usize;
    // The declaration being read.
    let mut current: Option<(DeclKind, Option<Range<usize>>)> = None;
    let mut depth = 0usize;
    let mut prev: Option<Tok> = None;
    while let Some((tok, at)) = lex.next() {
        let ends = depth == 0
            && (tok == Tok::Punct(b';') || tok == Tok::Newline && prev.is_some_and(|p| ends_statement(p, src)));
        if ends {
            if let Some((kind, body)) = current.take() {
                let end = lex.offset();
                out.push(Decl {
                    kind,
                    range: start..end,
                    body,
                });
                start = end;
            }
            prev = None;
            continue;
        }
        if tok == Tok::Newline {
            continue;
        }
        let Some((kind, _)) = &current else {
            let kind = match tok {
                Tok::Word(s, e) => match &src[s..e] {
                    b"package" => DeclKind::Package,
                    b"import" => DeclKind::Import,
                    b"func" => DeclKind::Func,
                    _ => DeclKind::Other,
                },
                _ => DeclKind::Other,
            };
            current = Some((kind, None));
            prev = Some(tok);
            continue;
        };
        let kind = *kind;
        match tok {
            Tok::Punct(b'(' | b'[') => depth += 1,
            Tok::Punct(b')' | b']') => depth = depth.saturating_sub(1),
            Tok::Punct(b'{') => {
                let type_body = matches!(prev, Some(Tok::Word(s, e)) if matches!(&src[s..e], b"struct" | b"interface"));
                if kind == DeclKind::Func && !type_body && depth == 0 {
                    lex.skip_block();
                    current = Some((kind, Some(at..lex.offset())));
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
    match (current, out.last_mut()) {
        (Some((kind, body)), _) => out.push(Decl {
            kind,
            range: start..text.len(),
            body,
        }),
        // Comments or blank lines after the last declaration.
        (None, Some(last)) => last.range.end = text.len(),
        (None, None) => {}
    }
    out
}

/// The name of a function or method declaration (`M` of `func (r *T) M()`).
pub fn func_name<'t>(text: &'t str, d: &Decl) -> Option<&'t str> {
    if d.kind != DeclKind::Func {
        return None;
    }
    let src = text.as_bytes();
    let end = d.body.as_ref().map_or(d.range.end, |b| b.start);
    let piece = &text[d.range.start..end];
    let mut toks = Lexer::new(piece).filter(|(t, _)| *t != Tok::Newline);
    let base = d.range.start;
    let word = |t: Tok| match t {
        Tok::Word(s, e) => Some(&text[base + s..base + e]),
        _ => None,
    };
    // `func` itself.
    toks.find(|(t, _)| matches!(t, Tok::Word(s, e) if &src[base + s..base + e] == b"func"))?;
    match toks.next()? {
        (Tok::Punct(b'('), _) => {
            let mut depth = 1usize;
            for (t, _) in toks.by_ref() {
                match t {
                    Tok::Punct(b'(') => depth += 1,
                    Tok::Punct(b')') => {
                        depth -= 1;
                        if depth == 0 {
                            break;
                        }
                    }
                    _ => {}
                }
            }
            toks.next().and_then(|(t, _)| word(t))
        }
        (t, _) => word(t),
    }
}

/// The receiver's type name of a method declaration (`T` of
/// `func (r *T[K]) M()`), as `methods::receiver` reads it from a tree.
pub fn receiver_type<'t>(text: &'t str, d: &Decl) -> Option<&'t str> {
    if d.kind != DeclKind::Func {
        return None;
    }
    let end = d.body.as_ref().map_or(d.range.end, |b| b.start);
    let piece = &text[d.range.start..end];
    let mut toks = Lexer::new(piece).filter(|(t, _)| *t != Tok::Newline);
    toks.find(|(t, _)| matches!(t, Tok::Word(s, e) if &piece[*s..*e] == "func"))?;
    if toks.next()?.0 != Tok::Punct(b'(') {
        return None;
    }
    let (mut parens, mut brackets) = (1usize, 0usize);
    let mut last = None;
    for (t, _) in toks {
        match t {
            Tok::Punct(b'(') => parens += 1,
            Tok::Punct(b')') => {
                parens -= 1;
                if parens == 0 {
                    return last;
                }
            }
            Tok::Punct(b'[') => brackets += 1,
            Tok::Punct(b']') => brackets = brackets.saturating_sub(1),
            Tok::Word(s, e) if parens == 1 && brackets == 0 => last = Some(&piece[s..e]),
            _ => {}
        }
    }
    None
}

/// The byte ranges to parse so that the declarations `keep` accepts are
/// (by index and declaration) parsed whole and every other function as its header: the package
/// clause, imports, types, variables and constants always whole. Adjacent
/// ranges are merged; `None` when that is the whole text.
pub fn ranges_to_parse(text: &str, decls: &[Decl], keep: impl Fn(usize, &Decl) -> bool) -> Option<Vec<Range<usize>>> {
    let mut out: Vec<Range<usize>> = Vec::new();
    let mut push = |r: Range<usize>| {
        if r.is_empty() {
            return;
        }
        match out.last_mut() {
            Some(last) if last.end == r.start => last.end = r.end,
            _ => out.push(r),
        }
    };
    for (i, d) in decls.iter().enumerate() {
        match &d.body {
            Some(body) if d.kind == DeclKind::Func && !keep(i, d) => {
                push(d.range.start..body.start);
                push(body.end..d.range.end);
            }
            _ => push(d.range.clone()),
        }
    }
    (out.len() != 1 || out[0] != (0..text.len())).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pieces_cover_the_file_and_find_bodies() {
        let src = "//go:build x\n\n// Package p.\npackage p\n\nimport (\n\t\"fmt\"\n)\n\n// T is.\ntype T struct {\n\tm map[string]int\n}\n\nfunc (t *T) M(x struct{ a int }) (r interface{ N() }) { s := \"}\"; _ = s }\n\nvar v = func() { _ = 1 }\n\nfunc asm(x int) int\nfunc F[K comparable](k K) bool {\n\treturn k == k\n}\n// trailing\n";
        let decls = split(src);
        let kinds: Vec<DeclKind> = decls.iter().map(|d| d.kind).collect();
        use DeclKind::*;
        assert_eq!(kinds, [Package, Import, Other, Func, Other, Func, Func]);
        assert_eq!(decls[0].range.start, 0);
        for w in decls.windows(2) {
            assert_eq!(w[0].range.end, w[1].range.start);
        }
        assert_eq!(decls.last().unwrap().range.end, src.len());
        assert!(src[decls[2].range.clone()].starts_with("\n// T is.\ntype T"));
        let body = decls[3].body.clone().unwrap();
        assert_eq!(&src[body], "{ s := \"}\"; _ = s }");
        assert_eq!(decls[5].body, None, "a function without a body");
        let names: Vec<Option<&str>> = decls.iter().map(|d| func_name(src, d)).collect();
        assert_eq!(names, [None, None, None, Some("M"), None, Some("asm"), Some("F")]);
        let receivers: Vec<Option<&str>> = decls.iter().map(|d| receiver_type(src, d)).collect();
        assert_eq!(receivers, [None, None, None, Some("T"), None, None, None]);
        let generic = "package p\nfunc (s *Set[K, V]) Add(k K) {}\nfunc (Plain) M() {}\n";
        let ds = split(generic);
        assert_eq!(receiver_type(generic, &ds[1]), Some("Set"));
        assert_eq!(receiver_type(generic, &ds[2]), Some("Plain"));
        assert!(src[decls[6].range.clone()].ends_with("}\n// trailing\n"));
    }

    #[test]
    fn a_function_left_out_keeps_its_header() {
        let src = "package p\n\nfunc a() int {\n\treturn 1\n}\n\nfunc b() {\n\tm := map[int]int{}\n\tdelete(m, 1)\n}\n";
        let decls = split(src);
        let ranges = ranges_to_parse(src, &decls, |_, d| src[d.range.clone()].contains("delete")).unwrap();
        let parsed: String = ranges.iter().map(|r| &src[r.clone()]).collect();
        assert_eq!(
            parsed,
            "package p\n\nfunc a() int \n\nfunc b() {\n\tm := map[int]int{}\n\tdelete(m, 1)\n}\n"
        );
        assert_eq!(ranges_to_parse(src, &decls, |_, _| true), None);
    }

    /// The kept declaration's nodes sit where a whole parse puts them, the
    /// others are bodiless declarations, and the tree has no error.
    #[test]
    fn a_partial_parse_keeps_offsets() {
        use crate::go::syntax;
        let src = "package p\n\nimport \"fmt\"\n\n// A is.\nfunc (t *T) A() int {\n\tfmt.Println(\"}\")\n\treturn 1\n}\n\ntype T struct{ m map[string]int }\n\nfunc B(m map[int]int) {\n\tfor k := range m {\n\t\tdelete(m, k)\n\t}\n}\n";
        let decls = split(src);
        let ranges = ranges_to_parse(src, &decls, |_, d| src[d.range.clone()].contains("delete")).unwrap();
        let part = syntax::parse_ranges(src, &ranges);
        let whole = syntax::parse(src);
        assert!(syntax::first_error(&part.root()).is_none());
        let kinds = |t: &syntax::GoTree| -> Vec<(String, std::ops::Range<usize>)> {
            t.root()
                .dfs()
                .filter(|n| {
                    matches!(
                        n.kind().as_ref(),
                        "for_statement" | "call_expression" | "type_spec" | "method_declaration"
                    )
                })
                .map(|n| (n.kind().to_string(), n.range()))
                .collect()
        };
        let (p, w) = (kinds(&part), kinds(&whole));
        assert!(p.iter().any(|(k, _)| k == "for_statement"));
        assert!(p.iter().any(|(k, _)| k == "method_declaration"), "A's header is parsed");
        assert!(
            !p.iter().any(|(_, r)| src[r.clone()].starts_with("fmt.Println")),
            "A's body is not"
        );
        for n in &p {
            if n.0 != "method_declaration" {
                assert!(w.contains(n), "{n:?} not in the whole parse");
            }
        }
    }
}
