//! Skimming a Go file for its package-level declarations without parsing
//! function bodies: a small lexer (comments, strings, runes, semicolon
//! insertion) finds where each top-level declaration ends. `package`,
//! `type` and `var` declarations are kept, with composite-literal and
//! function-literal bodies emptied to `{}`; function names are recorded;
//! imports, constants and function bodies are dropped. What remains is a
//! small Go file with the same package-level types and variables, cheap to
//! parse (the per-package index of `types.rs` is built from it).

/// The package-level skeleton of a Go file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Skeleton {
    /// `package` clause, `type` and `var` declarations, one per line.
    pub text: String,
    /// Names of package-level functions (not methods), in order.
    pub funcs: Vec<String>,
}

/// A token of Go source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tok {
    /// Identifier, keyword or number: `start..end` in the text.
    Word(usize, usize),
    /// A string, raw string or rune literal.
    Literal,
    /// One byte of punctuation (multi-byte operators come as several).
    Punct(u8),
    /// `++` or `--`.
    IncDec,
    /// A newline, or a comment that contains one.
    Newline,
    /// A `//` comment (only from `line_comments`).
    LineComment,
}

struct Lexer<'a> {
    src: &'a [u8],
    pos: usize,
    /// Report `//` comments as `Tok::LineComment`.
    comments: bool,
}

impl Lexer<'_> {
    /// The next token and its start offset; `None` at the end.
    fn next(&mut self) -> Option<(Tok, usize)> {
        let s = self.src;
        loop {
            let start = self.pos;
            let &b = s.get(start)?;
            self.pos += 1;
            match b {
                b' ' | b'\t' | b'\r' => {}
                b'\n' => return Some((Tok::Newline, start)),
                b'/' if s.get(start + 1) == Some(&b'/') => {
                    self.pos = memchr::memchr(b'\n', &s[start..]).map_or(s.len(), |n| start + n);
                    if self.comments {
                        return Some((Tok::LineComment, start));
                    }
                }
                b'/' if s.get(start + 1) == Some(&b'*') => {
                    let end = memchr::memmem::find(&s[start + 2..], b"*/").map_or(s.len(), |n| start + 2 + n + 2);
                    self.pos = end;
                    if memchr::memchr(b'\n', &s[start..end]).is_some() {
                        return Some((Tok::Newline, start));
                    }
                }
                b'"' | b'\'' => {
                    self.skip_quoted(b);
                    return Some((Tok::Literal, start));
                }
                b'`' => {
                    self.pos = memchr::memchr(b'`', &s[start + 1..]).map_or(s.len(), |n| start + 1 + n + 1);
                    return Some((Tok::Literal, start));
                }
                _ if is_word_byte(b) || (b == b'.' && s.get(start + 1).is_some_and(u8::is_ascii_digit)) => {
                    while self.pos < s.len() && (is_word_byte(s[self.pos]) || s[self.pos] == b'.' && b.is_ascii_digit())
                    {
                        self.pos += 1;
                    }
                    return Some((Tok::Word(start, self.pos), start));
                }
                b'+' | b'-' if s.get(start + 1) == Some(&b) => {
                    self.pos += 1;
                    return Some((Tok::IncDec, start));
                }
                _ => return Some((Tok::Punct(b), start)),
            }
        }
    }

    fn skip_quoted(&mut self, quote: u8) {
        let s = self.src;
        while let Some(&b) = s.get(self.pos) {
            self.pos += 1;
            match b {
                b'\\' => self.pos += 1,
                b'\n' => {
                    // Unterminated: stop before the newline.
                    self.pos -= 1;
                    return;
                }
                _ if b == quote => return,
                _ => {}
            }
        }
        self.pos = self.pos.min(s.len());
    }
}

/// The tokens of Go source with their offsets; comments are dropped (one
/// holding a newline comes as `Newline`, as Go's semicolon rule sees it).
pub fn tokens(text: &str) -> impl Iterator<Item = (Tok, usize)> + '_ {
    let mut lex = Lexer {
        src: text.as_bytes(),
        pos: 0,
        comments: false,
    };
    std::iter::from_fn(move || lex.next())
}

/// The offsets of the `//` comments of Go source (not `//` inside string
/// or rune literals).
pub fn line_comments(text: &str) -> impl Iterator<Item = usize> + '_ {
    let mut lex = Lexer {
        src: text.as_bytes(),
        pos: 0,
        comments: true,
    };
    std::iter::from_fn(move || lex.next()).filter_map(|(t, at)| (t == Tok::LineComment).then_some(at))
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80
}

/// Keywords after which a newline does not end a statement.
fn is_plain_keyword(word: &[u8]) -> bool {
    matches!(
        word,
        b"case"
            | b"chan"
            | b"const"
            | b"default"
            | b"defer"
            | b"else"
            | b"for"
            | b"func"
            | b"go"
            | b"goto"
            | b"if"
            | b"import"
            | b"interface"
            | b"map"
            | b"package"
            | b"range"
            | b"select"
            | b"struct"
            | b"switch"
            | b"type"
            | b"var"
    )
}

/// Whether a newline after this token ends the statement (Go's semicolon rule).
fn ends_statement(tok: Tok, src: &[u8]) -> bool {
    match tok {
        Tok::Word(s, e) => !is_plain_keyword(&src[s..e]),
        Tok::Literal | Tok::IncDec => true,
        Tok::Punct(b) => matches!(b, b')' | b']' | b'}'),
        Tok::Newline | Tok::LineComment => false,
    }
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
    let mut lex = Lexer {
        src,
        pos: 0,
        comments: false,
    };
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
                    skip_block(&mut lex);
                    if kind == Decl::Var {
                        out.text.push_str(&text[copy_from..=at]);
                        out.text.push('}');
                        copy_from = lex.pos;
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

/// Skips past the `}` matching a `{` just read. A byte loop rather than
/// the tokenizer: inside a body only braces, strings, runes and comments
/// matter, and bodies are most of a file.
fn skip_block(lex: &mut Lexer) {
    let s = lex.src;
    let mut depth = 1usize;
    let mut i = lex.pos;
    while i < s.len() {
        match s[i] {
            b'{' => depth += 1,
            b'}' => {
                depth -= 1;
                if depth == 0 {
                    lex.pos = i + 1;
                    return;
                }
            }
            quote @ (b'"' | b'\'') => {
                i += 1;
                while i < s.len() && s[i] != quote && s[i] != b'\n' {
                    i += if s[i] == b'\\' { 2 } else { 1 };
                }
            }
            b'`' => i = memchr::memchr(b'`', &s[i + 1..]).map_or(s.len(), |n| i + 1 + n),
            b'/' if s.get(i + 1) == Some(&b'/') => i = memchr::memchr(b'\n', &s[i..]).map_or(s.len(), |n| i + n),
            b'/' if s.get(i + 1) == Some(&b'*') => {
                i = memchr::memmem::find(&s[i + 2..], b"*/").map_or(s.len(), |n| i + 2 + n + 1);
            }
            _ => {}
        }
        i += 1;
    }
    lex.pos = s.len();
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
        use crate::types::FileIndex;
        let out = std::process::Command::new("go")
            .args(["env", "GOROOT"])
            .env("GOTOOLCHAIN", "local")
            .output();
        let out = out.expect("the Go toolchain is not on PATH; run `bash tests/run.sh`, which installs it");
        let src = std::path::PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()).join("src");
        let (files, _) = crate::walk::go_files(&[src]);
        assert!(files.len() > 1000, "{} files", files.len());
        let mut compared = 0;
        for file in files.iter().step_by(13) {
            let Ok(text) = std::fs::read_to_string(&file.path) else {
                continue;
            };
            if text.len() > 200_000 {
                continue;
            }
            let tree = crate::syntax::parse(&text);
            if crate::syntax::first_error(&tree.root()).is_some() {
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
            assert_eq!(
                skimmed,
                full,
                "{}\nskeleton:\n{}",
                file.path.display(),
                skim(&text).text
            );
            compared += 1;
        }
        assert!(compared > 100, "{compared} files compared");
    }
}
