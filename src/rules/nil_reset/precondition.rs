//! nil-reset's text precondition (see `go/prefilter.rs`): a reset and a write
//! of the same name in the file, or with `cross_method`, any reset of a
//! field (the write may be in another file).

use crate::go::lex::{self, Before, Tok};

/// Precondition (see `go/prefilter.rs`): the file assigns `nil` with a plain
/// `=` to a name or a field chain (`s.m`) that is also written through an
/// index somewhere (`s.m[k] = v`, `s.m[k]++`, `s.m[k] += v`), which a reset
/// followed by a write needs. With `cross_method` the reset may be in
/// another file: `may_match_cross_method`.
pub fn may_match(text: &str) -> bool {
    let mut tried: Vec<Vec<&str>> = Vec::new();
    let mut unsure = false;
    for at in lex::word_occurrences(text, "nil") {
        let eq = match lex::byte_before(text, at) {
            Before::Unknown => {
                unsure = true;
                continue;
            }
            Before::Byte(b'=', i) if is_plain_assignment(text, i) => i,
            _ => continue,
        };
        let chain = match assigned_chain(text, eq) {
            Chain::Unknown => {
                unsure = true;
                continue;
            }
            Chain::NotAName => continue,
            Chain::Names(names) => names,
        };
        if !tried.contains(&chain) && chain_written(text, &chain) {
            return true;
        }
        tried.push(chain);
    }
    unsure && may_match_by_tokens(text)
}

/// Precondition with `cross_method = true`: `may_match`, or some field of
/// a chain set to nil with a plain `=` (`s.m = nil`): a method's reset of a
/// field another file's method writes.
pub fn may_match_cross_method(text: &str) -> bool {
    may_match(text)
        || lex::word_occurrences(text, "nil").any(|at| match lex::byte_before(text, at) {
            Before::Unknown => true,
            Before::Byte(b'=', i) if is_plain_assignment(text, i) => match assigned_chain(text, i) {
                Chain::Unknown => true,
                Chain::NotAName => false,
                Chain::Names(names) => names.len() > 1,
            },
            _ => false,
        })
}

/// `=` at `eq` is an assignment, not part of `==`, `!=`, `<=`, `:=`, `+=`, `<<=`...
fn is_plain_assignment(text: &str, eq: usize) -> bool {
    eq == 0 || !b"=!<>:+-*/%&|^".contains(&text.as_bytes()[eq - 1])
}

/// `may_match` on the file's tokens, for when comments or raw strings left
/// the byte-level look unsure.
fn may_match_by_tokens(text: &str) -> bool {
    // The latest code tokens: enough for the longest field chain worth telling apart.
    let mut recent: std::collections::VecDeque<(Tok, usize)> = std::collections::VecDeque::with_capacity(64);
    for (tok, at) in lex::tokens(text) {
        if tok == Tok::Newline {
            continue;
        }
        if tok == Tok::Word(at, at + 3) && &text[at..at + 3] == "nil" {
            if let Some(&(Tok::Punct(b'='), eq)) = recent.back() {
                if is_plain_assignment(text, eq) {
                    let mut names = Vec::new();
                    let mut rest = recent.iter().rev().skip(1);
                    while let Some(&(Tok::Word(s, e), _)) = rest.next() {
                        names.insert(0, &text[s..e]);
                        match rest.next() {
                            Some((Tok::Punct(b'.'), _)) => {}
                            // `a, b = nil, …`: any name of the list may get this nil.
                            Some((Tok::Punct(b','), _)) => return true,
                            _ => break,
                        }
                    }
                    if !names.is_empty() && chain_written(text, &names) {
                        return true;
                    }
                }
            }
        }
        if recent.len() == 64 {
            recent.pop_front();
        }
        recent.push_back((tok, at));
    }
    false
}

enum Chain<'t> {
    /// `a.b.c`: identifiers joined by dots.
    Names(Vec<&'t str>),
    /// Something else (`a[i].b`, `f().b`, `)`...): the checker ignores it.
    NotAName,
    /// A comment is in the way.
    Unknown,
}

/// The expression before the `=` at `eq`, read backwards.
fn assigned_chain(text: &str, eq: usize) -> Chain<'_> {
    let mut names = Vec::new();
    let mut before = eq;
    loop {
        let end = match lex::byte_before(text, before) {
            Before::Unknown => return Chain::Unknown,
            Before::Byte(b, i) if lex::is_ident_byte(b) => i + 1,
            _ => return Chain::NotAName,
        };
        let start = text.as_bytes()[..end]
            .iter()
            .rposition(|&b| !lex::is_ident_byte(b))
            .map_or(0, |i| i + 1);
        names.insert(0, &text[start..end]);
        match lex::byte_before(text, start) {
            Before::Byte(b'.', i) => before = i,
            // `a, b = nil, …`: which name gets this nil is not told here.
            Before::Byte(b',', _) => return Chain::Unknown,
            // Unknown: a dot may hide behind a comment; the names so far are
            // a suffix of the chain, a weaker (still necessary) condition.
            _ => return Chain::Names(names),
        }
    }
}

/// Whether `a.b.c[…]` occurs followed by an assignment or increment (spaces
/// allowed between tokens, and newlines after a `.`; a block comment in the
/// way counts as a yes; a line comment after a name ends the statement).
fn chain_written(text: &str, chain: &[&str]) -> bool {
    let bytes = text.as_bytes();
    let skip_space = |mut i: usize| {
        while i < bytes.len() && matches!(bytes[i], b' ' | b'\t' | b'\r' | b'\n') {
            i += 1;
        }
        i
    };
    // After a name a newline ends the statement, so only spaces may follow.
    let skip_space_on_line = |mut i: usize| {
        while i < bytes.len() && matches!(bytes[i], b' ' | b'\t' | b'\r') {
            i += 1;
        }
        i
    };
    let comment_at = |i: usize| bytes[i..].starts_with(b"//") || bytes[i..].starts_with(b"/*");
    // After a name, a line comment ends the statement (Go inserts a
    // semicolon at the newline): the chain goes no further.
    let after_name = |i: usize| match bytes.get(i..i + 2) {
        Some(b"//") => Some(false),
        Some(b"/*") => Some(true),
        _ => None,
    };
    lex::word_occurrences(text, chain[0]).any(|at| {
        let mut i = at + chain[0].len();
        for name in &chain[1..] {
            i = skip_space_on_line(i);
            if let Some(answer) = after_name(i) {
                return answer;
            }
            if bytes.get(i) != Some(&b'.') {
                return false;
            }
            i = skip_space(i + 1);
            if i < bytes.len() && comment_at(i) {
                return true;
            }
            let end = i + name.len();
            if !bytes[i..].starts_with(name.as_bytes()) || bytes.get(end).is_some_and(|&b| lex::is_ident_byte(b)) {
                return false;
            }
            i = end;
        }
        i = skip_space_on_line(i);
        if let Some(answer) = after_name(i) {
            return answer;
        }
        if bytes.get(i) != Some(&b'[') {
            return false;
        }
        match lex::bracketed(text, i + 1) {
            None => true,
            Some(b) => !b.slice && lex::assignment_follows(text, b.end),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::{may_match, may_match_cross_method};

    #[test]
    fn cross_method_needs_a_field_reset_to_nil() {
        assert!(may_match_cross_method("func (s *S) Close() { s.m = nil }"));
        assert!(may_match_cross_method("s.a.m = nil"));
        assert!(may_match_cross_method("m = nil\nm[k] = 1"));
        assert!(!may_match_cross_method("func (s *S) Put() { s.m[k] = v }"));
        assert!(!may_match_cross_method("m = nil\nx := s.m[k]"));
        assert!(!may_match_cross_method("if s.m == nil {}"));
    }

    #[test]
    fn needs_a_nil_assignment_and_an_index_on_the_same_name() {
        assert!(may_match("s.m = nil\ns.m[k] = v"));
        assert!(may_match("a, b = nil, nil\na[k] = v"), "a multiple assignment");
        assert!(may_match("m = nil\nm[k], n = 1, 2"));
        assert!(may_match("m = nil\nm[k] += 1"));
        assert!(!may_match("m = nil\nx := m[k]\nm[k].f = 1\nif m[k] == 1 {}"));
        assert!(may_match("m=nil\nm [k]++"));
        assert!(may_match("m =\n\tnil\nm[k] = 1"));
        assert!(may_match("m = /* reset */ nil\nm[k] = 1"));
        assert!(may_match("m /* reset */ = nil\nm[k] = 1"));
        assert!(may_match("x := `a\nb`\nm = nil\nm[k] = 1"));
        assert!(!may_match("x := `a\nb`\nm = nil\nn[k] = 1"));
        assert!(
            !may_match("x := `a\nb` + f(\nnil)\nm[k] = 1"),
            "unsure on bytes, told apart on tokens"
        );
        assert!(may_match("m = // reset\n\tnil\nm[k] = 1"));
        assert!(may_match("métrique = nil\nmétrique[k] = 1"));
        assert!(!may_match("if m == nil { m[k] = 1 }"));
        assert!(!may_match("m := nil\nm[k] = 1"));
        assert!(!may_match("err = nil\nm[k] = 1"));
        assert!(!may_match("x.m = nil\nmm[k] = 1"));
        assert!(!may_match("x.m = nil\ny.m[k] = 1"));
        assert!(!may_match("a[i].m = nil\na[i].m[k] = 1"));
        assert!(may_match("x.m = nil\nx . m [k] = 1"));
        assert!(may_match("x.m = nil\nx. /* c */ m[k] = 1"));
        assert!(may_match("x.y.m = nil\nx.y.m[k] = 1"));
        assert!(!may_match("package p\nfunc f() { return }\n"));
        assert!(
            !may_match("err = nil\nreturn err // done\n"),
            "a line comment ends the chain"
        );
        assert!(!may_match("x.m = nil\nuse(x.m) // note\n"));
        assert!(may_match("m = nil\nm /* c */ [k] = 1"));
        assert!(
            may_match("x.m = nil\nx. // c\n\tm[k] = 1"),
            "a newline after a dot goes on"
        );
    }
}
