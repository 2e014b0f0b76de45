//! The text precondition (see `go/prefilter.rs`): a goroutine's function
//! literal (`go func…` or `.Go(func…`) that holds something that may write
//! a map: an index expression followed by an assignment or `++`/`--`, or a
//! call to `delete` or `clear`. Most files that start goroutines only
//! send on channels and call functions from them; this spares their parse.
//!
//! Read on tokens from the start of the file, so comments and strings
//! cannot mislead it; anything it cannot follow to the end counts as a
//! possible match.

use crate::go::lex::{self, Tok};

pub fn may_match(text: &str) -> bool {
    let word = |s: usize, e: usize| &text[s..e];
    let toks: Vec<(Tok, usize)> = lex::tokens(text).filter(|(t, _)| *t != Tok::Newline).collect();
    // Bracket depth, and the depths at which the literals we are inside began.
    let mut depth = 0usize;
    let mut open: Vec<Literal> = Vec::new();
    for (i, &(tok, at)) in toks.iter().enumerate() {
        let next = toks.get(i + 1).map(|(t, _)| *t);
        match tok {
            Tok::Word(s, e) if word(s, e) == "func" && launches(text, &toks[..i]) => {
                open.push(Literal { depth, in_body: false })
            }
            Tok::Word(s, e)
                if !open.is_empty() && matches!(word(s, e), "delete" | "clear") && next == Some(Tok::Punct(b'(')) =>
            {
                return true;
            }
            Tok::Punct(b'(' | b'[' | b'{') => {
                if tok == Tok::Punct(b'{') {
                    if let Some(lit) = open.last_mut().filter(|l| l.depth == depth) {
                        lit.in_body = true;
                    }
                }
                depth += 1;
            }
            Tok::Punct(b')' | b']' | b'}') => {
                let Some(d) = depth.checked_sub(1) else { return true };
                depth = d;
                if !open.is_empty() && matches!(tok, Tok::Punct(b']' | b')')) && lex::assignment_follows(text, at + 1) {
                    return true;
                }
                // A `{…}` at the literal's own depth closed: its body, unless
                // another `{` follows (that was a result type, `interface{}`).
                if tok == Tok::Punct(b'}') && next != Some(Tok::Punct(b'{')) {
                    while open.last().is_some_and(|l| l.depth == depth && l.in_body) {
                        open.pop();
                    }
                }
            }
            _ => {}
        }
    }
    // The text ended inside a literal: unsure.
    !open.is_empty()
}

struct Literal {
    /// Bracket depth at `func`.
    depth: usize,
    /// Whether a `{` has opened at that depth.
    in_body: bool,
}

/// Whether the tokens before a `func` launch it: `go func` or `.Go(func`.
fn launches(text: &str, before: &[(Tok, usize)]) -> bool {
    let is_word = |t: &(Tok, usize), w: &str| matches!(t.0, Tok::Word(s, e) if &text[s..e] == w);
    match before {
        [.., go] if is_word(go, "go") => true,
        [.., dot, go, paren] => dot.0 == Tok::Punct(b'.') && is_word(go, "Go") && paren.0 == Tok::Punct(b'('),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::may_match;

    #[test]
    fn needs_a_possible_map_write_inside_a_launched_literal() {
        assert!(may_match("go func() {\n\tm[k] = 1\n}()"));
        assert!(may_match("go func() { m[k]++ }()"));
        assert!(may_match("go func() { m[f(k)] += 2 }()"));
        assert!(may_match("go func() { v, m[k] = 1, 2 }()"));
        assert!(may_match("go func() { m[k], ok = f() }()"));
        assert!(may_match("go func() { delete(m, k) }()"));
        assert!(may_match("go func() { clear(m) }()"));
        assert!(may_match("g.Go(func() error { s.m[k] = 1; return nil })"));
        assert!(may_match("go func() interface{} { m[k] = 1; return nil }()"));
        assert!(may_match("go func() { f(func() { m[k] = 1 }) }()"));
        assert!(may_match("go func() {\n\t// c\n\tm[k] = `x`\n}()"));
        assert!(
            may_match("go func(a, b int) {\n\tm[a] = b\n}(1, 2)"),
            "arguments of the call"
        );
        assert!(may_match("go func() {\n\tm[k] = 1\n"), "unterminated");
    }

    #[test]
    fn literals_without_writes_do_not_match() {
        assert!(!may_match("go func() { ch <- m[k] }()"));
        assert!(!may_match("go func() { if m[k] == 1 { f() } }()"));
        assert!(!may_match("go func() { x := m[k]; _ = x }()"));
        assert!(!may_match("go func() { s := \"m[k] = 1\"; _ = s }()"));
        assert!(!may_match("go func() {\n\t// m[k] = 1\n\tf()\n}()"));
        assert!(
            !may_match("go func() { f() }()\nm[k] = 1\ndelete(m, k)"),
            "writes after the literal"
        );
        assert!(!may_match("m[k] = 1\ngo func() { f() }()"), "writes before it");
        assert!(!may_match("f := func() { m[k] = 1 }\ngo f()"), "not a literal launch");
        assert!(!may_match("go func() interface{} { return m[k] }()\nm[k] = 1"));
        assert!(!may_match("go func() { if m[k] <= 1 { f() } }()"));
    }
}
