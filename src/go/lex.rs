//! The Go lexer, the one every reader of raw Go text goes through: tokens
//! (comments, strings, runes and raw strings skipped as Go reads them, a
//! newline where Go's semicolon rule sees one), the `//` comments of a file,
//! the scan past a brace-delimited body, and the byte-level looks around
//! an offset that the pre-filter's preconditions are written with (those
//! err on the side of "may match" around comments).
//!
//! Its users: the preconditions (`rules/*`), the package-level skeleton
//! (`go/skim.rs`), suppression comments (`rules/suppress.rs`) and the type parser
//! (`go/types/expr.rs`).

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

/// The tokens of a text, with their start offsets.
pub struct Lexer<'a> {
    src: &'a [u8],
    pos: usize,
    /// Report `//` comments as `Tok::LineComment`.
    comments: bool,
}

/// The bytes `Lexer::skip_block` stops at: braces, quotes and `/`.
const BLOCK_BYTES: [bool; 256] = {
    let mut t = [false; 256];
    t[b'{' as usize] = true;
    t[b'}' as usize] = true;
    t[b'"' as usize] = true;
    t[b'\'' as usize] = true;
    t[b'`' as usize] = true;
    t[b'/' as usize] = true;
    t
};

impl<'a> Lexer<'a> {
    /// A lexer at the start of `text`; comments are dropped (one holding
    /// a newline comes as `Newline`, as Go's semicolon rule sees it).
    pub fn new(text: &'a str) -> Self {
        Lexer {
            src: text.as_bytes(),
            pos: 0,
            comments: false,
        }
    }

    /// Where the next token is looked for: just past the last one.
    pub fn offset(&self) -> usize {
        self.pos
    }

    /// Skips past the `}` matching a `{` just read. A byte loop rather
    /// than the tokenizer: inside a body only braces, strings, runes and
    /// comments matter, and bodies are most of a file.
    pub fn skip_block(&mut self) {
        let s = self.src;
        let mut depth = 1usize;
        let mut i = self.pos;
        while i < s.len() {
            // Most bytes of a body are none of these: step over them first.
            while i < s.len() && !BLOCK_BYTES[usize::from(s[i])] {
                i += 1;
            }
            if i == s.len() {
                break;
            }
            if let Some(end) = comment_end(s, i) {
                i = end;
                continue;
            }
            if let Some(end) = literal_end(s, i) {
                i = end.unwrap_or_else(|cut| cut);
                continue;
            }
            match s[i] {
                b'{' => depth += 1,
                b'}' => {
                    depth -= 1;
                    if depth == 0 {
                        self.pos = i + 1;
                        return;
                    }
                }
                _ => {}
            }
            i += 1;
        }
        self.pos = s.len();
    }
}

impl Iterator for Lexer<'_> {
    /// A token and its start offset.
    type Item = (Tok, usize);

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
                    self.pos = line_comment_end(s, start);
                    if self.comments {
                        return Some((Tok::LineComment, start));
                    }
                }
                b'/' if s.get(start + 1) == Some(&b'*') => {
                    let end = block_comment_end(s, start);
                    self.pos = end;
                    if memchr::memchr(b'\n', &s[start..end]).is_some() {
                        return Some((Tok::Newline, start));
                    }
                }
                b'"' | b'\'' => {
                    // Unterminated: stop before the newline.
                    self.pos = quoted_end(s, start).map_or_else(|cut| cut, |close| close + 1);
                    return Some((Tok::Literal, start));
                }
                b'`' => {
                    self.pos = raw_string_end(s, start);
                    return Some((Tok::Literal, start));
                }
                _ if is_ident_byte(b) || (b == b'.' && s.get(start + 1).is_some_and(u8::is_ascii_digit)) => {
                    while self.pos < s.len()
                        && (is_ident_byte(s[self.pos]) || s[self.pos] == b'.' && b.is_ascii_digit())
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
}

/// The name in the package clause of `text`, if it starts with one.
pub fn package_name(text: &str) -> Option<&str> {
    let text = text.trim_start_matches('\u{feff}');
    let mut toks = tokens(text).filter(|(t, _)| *t != Tok::Newline);
    match (toks.next()?, toks.next()?) {
        ((Tok::Word(s, e), _), (Tok::Word(ns, ne), _)) if &text[s..e] == "package" => Some(&text[ns..ne]),
        _ => None,
    }
}

/// The tokens of Go source with their offsets; comments are dropped (one
/// holding a newline comes as `Newline`, as Go's semicolon rule sees it).
pub fn tokens(text: &str) -> Lexer<'_> {
    Lexer::new(text)
}

/// Whether the first token of Go source (after a BOM, comments and blank
/// lines) is the `package` keyword, as every Go file's is.
pub fn starts_with_package_clause(text: &str) -> bool {
    let text = text.trim_start_matches('\u{feff}');
    let first = tokens(text).find(|(t, _)| *t != Tok::Newline);
    matches!(first, Some((Tok::Word(s, e), _)) if &text[s..e] == "package")
}

/// The offsets of the `//` comments of Go source (not `//` inside string
/// or rune literals).
pub fn line_comments(text: &str) -> impl Iterator<Item = usize> + '_ {
    let lex = Lexer {
        comments: true,
        ..Lexer::new(text)
    };
    lex.filter_map(|(t, at)| (t == Tok::LineComment).then_some(at))
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

/// Whether a Go keyword (which cannot be an identifier).
pub fn is_keyword(word: &[u8]) -> bool {
    is_plain_keyword(word) || matches!(word, b"break" | b"continue" | b"fallthrough" | b"return")
}

/// Whether a newline after this token ends the statement (Go's semicolon
/// rule); `src` is the text the token was read from.
pub fn ends_statement(tok: Tok, src: &[u8]) -> bool {
    match tok {
        Tok::Word(s, e) => !is_plain_keyword(&src[s..e]),
        Tok::Literal | Tok::IncDec => true,
        Tok::Punct(b) => matches!(b, b')' | b']' | b'}'),
        Tok::Newline | Tok::LineComment => false,
    }
}

/// Whether `b` can be part of a Go identifier (bytes of non-ASCII letters included).
pub fn is_ident_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80
}

/// Start offsets of `word` in `text` where it stands as a whole identifier.
pub fn word_occurrences<'a>(text: &'a str, word: &'a str) -> impl Iterator<Item = usize> + 'a {
    let bytes = text.as_bytes();
    memchr::memmem::find_iter(bytes, word.as_bytes()).filter(move |&at| {
        let end = at + word.len();
        (at == 0 || !is_ident_byte(bytes[at - 1])) && (end >= bytes.len() || !is_ident_byte(bytes[end]))
    })
}

/// Where the string or rune literal whose quote is at `at` ends: `Ok` with
/// the offset of its closing quote, or `Err` with that of the newline or
/// the end of the text that cuts it short. A backslash escapes the byte
/// after it.
#[inline]
fn quoted_end(bytes: &[u8], at: usize) -> Result<usize, usize> {
    let quote = bytes[at];
    let mut i = at + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 1,
            b'\n' => return Err(i),
            b if b == quote => return Ok(i),
            _ => {}
        }
        i += 1;
    }
    Err(bytes.len())
}

/// Just past the comment that starts at `at`, if one does (the end of the
/// text for a block comment that is not closed).
fn comment_end(bytes: &[u8], at: usize) -> Option<usize> {
    match (bytes[at], bytes.get(at + 1)) {
        (b'/', Some(b'/')) => Some(line_comment_end(bytes, at)),
        (b'/', Some(b'*')) => Some(block_comment_end(bytes, at)),
        _ => None,
    }
}

/// Just past the string or rune literal that starts at `at`, if one does;
/// `Err` with where a quoted one is cut off by a line break or the text's
/// end (see `quoted_end`).
fn literal_end(bytes: &[u8], at: usize) -> Option<Result<usize, usize>> {
    match bytes[at] {
        b'"' | b'\'' => Some(quoted_end(bytes, at).map(|close| close + 1)),
        b'`' => Some(Ok(raw_string_end(bytes, at))),
        _ => None,
    }
}

/// Just past the raw string whose backquote is at `at` (the end of the
/// text if it is not closed).
#[inline]
fn raw_string_end(bytes: &[u8], at: usize) -> usize {
    memchr::memchr(b'`', &bytes[at + 1..]).map_or(bytes.len(), |n| at + 1 + n + 1)
}

/// The newline (or end of text) that ends the `//` comment at `at`.
#[inline]
fn line_comment_end(bytes: &[u8], at: usize) -> usize {
    memchr::memchr(b'\n', &bytes[at..]).map_or(bytes.len(), |n| at + n)
}

/// Just past the `*/` that closes the `/*` comment at `at` (the end of the
/// text if it is not closed).
#[inline]
fn block_comment_end(bytes: &[u8], at: usize) -> usize {
    memchr::memmem::find(&bytes[at + 2..], b"*/").map_or(bytes.len(), |n| at + 2 + n + 2)
}

/// What precedes offset `at`, looking back over whitespace.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Before {
    /// The last byte of the previous token, and its offset.
    Byte(u8, usize),
    /// A comment may lie in between: the previous token is unknown.
    Unknown,
    /// Only whitespace before `at`.
    Start,
    /// `at` itself is inside a line comment: not code.
    InComment,
}

/// The previous token's last byte before `at`, skipping whitespace, blank
/// lines and line comments. Says `Unknown` when that cannot be told from
/// the lines alone (a `/` that may end a block comment, a raw string or a
/// block comment on a line before), so callers can stay conservative.
pub fn byte_before(text: &str, at: usize) -> Before {
    let bytes = text.as_bytes();
    let line_start = memchr::memrchr(b'\n', &bytes[..at]).map_or(0, |n| n + 1);
    match code_len(&bytes[line_start..at]) {
        None => return Before::Unknown,
        Some(len) if len < at - line_start => return Before::InComment,
        Some(_) => {}
    }
    let mut i = at;
    loop {
        while i > 0 && matches!(bytes[i - 1], b' ' | b'\t' | b'\r') {
            i -= 1;
        }
        if i == 0 {
            return Before::Start;
        }
        match bytes[i - 1] {
            b'\n' => {
                let line_end = i - 1;
                let line_start = memchr::memrchr(b'\n', &bytes[..line_end]).map_or(0, |n| n + 1);
                match code_len(&bytes[line_start..line_end]) {
                    Some(len) => i = line_start + len,
                    None => return Before::Unknown,
                }
            }
            b'/' => return Before::Unknown,
            b => return Before::Byte(b, i - 1),
        }
    }
}

/// The length of a line without its `//` comment; `None` when a raw string
/// or a block comment makes the line ambiguous on its own (one may have
/// begun on a line before and end on this one, even after a `//`).
fn code_len(line: &[u8]) -> Option<usize> {
    let mut i = 0;
    while i < line.len() {
        match line[i] {
            b'"' | b'\'' => match quoted_end(line, i) {
                Ok(close) => i = close,
                Err(_) => return Some(line.len()),
            },
            b'`' => return None,
            b'/' if line.get(i + 1) == Some(&b'/') => {
                let rest = &line[i..];
                let ambiguous = memchr::memchr(b'`', rest).is_some() || memchr::memmem::find(rest, b"*/").is_some();
                return (!ambiguous).then_some(i);
            }
            b'/' if line.get(i + 1) == Some(&b'*') => return None,
            b'*' if line.get(i + 1) == Some(&b'/') => return None,
            _ => {}
        }
        i += 1;
    }
    Some(line.len())
}

/// An index or slice expression's brackets, as found by [`bracketed`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bracketed {
    /// Just past the closing `]`.
    pub end: usize,
    /// A `:` at the top level inside: a slice expression (`a[i:j]`), which
    /// cannot be assigned to.
    pub slice: bool,
}

/// The brackets whose `[` is just before `from`, skipping strings and
/// runes; `None` when a comment, a raw string, an unbalanced closer or the
/// end of the text makes them uncertain.
pub fn bracketed(text: &str, from: usize) -> Option<Bracketed> {
    let bytes = text.as_bytes();
    let mut depth = 1usize;
    let mut slice = false;
    let mut i = from;
    while i < bytes.len() {
        match bytes[i] {
            b'"' | b'\'' => i = quoted_end(bytes, i).ok()?,
            b'`' => return None,
            b'/' if matches!(bytes.get(i + 1), Some(b'/' | b'*')) => return None,
            b':' if depth == 1 => slice = true,
            b'[' | b'(' | b'{' => depth += 1,
            b']' | b')' | b'}' => {
                depth -= 1;
                if depth == 0 {
                    return (bytes[i] == b']').then_some(Bracketed { end: i + 1, slice });
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// What the top level of a composite literal's braces holds, as found by
/// [`literal_shape`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiteralShape<'t> {
    /// The words used as keys (`name:`) at the top level.
    pub keys: Vec<&'t str>,
    /// A `:` at the top level: keyed elements.
    pub keyed: bool,
    /// Some element at the top level is itself a brace (`{…}`, an elided
    /// literal of the element type), or there is no element.
    pub elided_or_empty: bool,
}

/// The top level of the braces whose `{` is just before `from`, skipping
/// strings, runes and comments; `None` when an unbalanced closer, a line
/// break in a quoted string or the end of the text makes it uncertain.
pub fn literal_shape(text: &str, from: usize) -> Option<LiteralShape<'_>> {
    let bytes = text.as_bytes();
    let mut depth = 1usize;
    let mut shape = LiteralShape {
        keys: Vec::new(),
        keyed: false,
        elided_or_empty: false,
    };
    // At the start of an element (or a keyed element's value).
    let mut element_start = true;
    let mut elements = 0usize;
    let mut i = from;
    while i < bytes.len() {
        let b = bytes[i];
        if b.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        if let Some(end) = comment_end(bytes, i) {
            i = end;
            continue;
        }
        if depth == 1 && element_start && b != b'}' {
            elements += 1;
            shape.elided_or_empty |= b == b'{';
        }
        element_start = false;
        if let Some(end) = literal_end(bytes, i) {
            i = end.ok()?;
            continue;
        }
        match b {
            b':' if depth == 1 => {
                shape.keyed = true;
                let key_end = bytes[from..i]
                    .iter()
                    .rposition(|b| !b.is_ascii_whitespace())
                    .map(|k| from + k + 1);
                if let Some(end) = key_end {
                    let start = bytes[from..end]
                        .iter()
                        .rposition(|b| !is_ident_byte(*b))
                        .map_or(from, |k| from + k + 1);
                    if start < end {
                        shape.keys.push(&text[start..end]);
                    }
                }
                element_start = true;
                elements = elements.saturating_sub(1);
            }
            b',' if depth == 1 => element_start = true,
            b'[' | b'(' | b'{' => depth += 1,
            b']' | b')' | b'}' => {
                depth -= 1;
                if depth == 0 {
                    shape.elided_or_empty |= elements == 0;
                    return (b == b'}').then_some(shape);
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// Whether the text at `at` (after spaces) assigns to or increments what
/// precedes it: `=` (not `==`), `op=`, `++`, `--`, or a `,` that continues
/// a list of assigned expressions (`m[k], ok = …`). A comment there, or a
/// list that goes on past the line, counts as a yes.
pub fn assignment_follows(text: &str, at: usize) -> bool {
    let bytes = text.as_bytes();
    let rest_at = |i: usize| {
        i + bytes[i..]
            .iter()
            .position(|b| !matches!(b, b' ' | b'\t' | b'\r'))
            .unwrap_or(bytes.len() - i)
    };
    let at = rest_at(at);
    let rest = &bytes[at..];
    let ops: [&[u8]; 15] = [
        b"//", b"/*", b"++", b"--", b"+=", b"-=", b"*=", b"/=", b"%=", b"&=", b"|=", b"^=", b"<<=", b">>=", b"&^=",
    ];
    if (rest.starts_with(b"=") && !rest.starts_with(b"==")) || ops.iter().any(|op| rest.starts_with(op)) {
        return true;
    }
    if !rest.starts_with(b",") {
        return false;
    }
    // A list: assigned if an `=` follows on the line before anything closes it.
    let mut depth = 0usize;
    let mut i = at + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\n' => return bytes[..i].trim_ascii_end().ends_with(b","),
            b'"' | b'\'' => match quoted_end(bytes, i) {
                Ok(end) => i = end,
                Err(_) => return true,
            },
            b'`' => return true,
            b'/' if matches!(bytes.get(i + 1), Some(b'/' | b'*')) => return true,
            b'[' | b'(' | b'{' => depth += 1,
            b']' | b')' | b'}' | b';' if depth == 0 => return false,
            b']' | b')' | b'}' => depth -= 1,
            b'=' if depth == 0 => return bytes.get(i + 1) != Some(&b'='),
            b'!' | b'<' | b'>' if depth == 0 && bytes.get(i + 1) == Some(&b'=') => i += 1,
            _ => {}
        }
        i += 1;
    }
    false
}

#[cfg(test)]
mod tests {
    #[test]
    fn reads_the_package_name() {
        assert_eq!(
            super::package_name("\u{feff}// c\npackage p_test // x\n"),
            Some("p_test")
        );
        assert_eq!(super::package_name("func f() {}"), None);
    }

    use super::*;

    #[test]
    fn tokens_skip_comments_strings_and_runes() {
        let text = "a.b(\"x//\", 'y', `z\n`) // c\n/* d\n */ i++ /* e */ 1.5 .5";
        let toks: Vec<_> = tokens(text)
            .map(|(t, at)| match t {
                Tok::Word(s, e) => format!("w:{}", &text[s..e]),
                Tok::Punct(b) => format!("p:{}", b as char),
                _ => format!("{t:?}@{at}"),
            })
            .collect();
        assert_eq!(
            toks,
            [
                "w:a",
                "p:.",
                "w:b",
                "p:(",
                "Literal@4",
                "p:,",
                "Literal@11",
                "p:,",
                "Literal@16",
                "p:)",
                "Newline@26",
                "Newline@27",
                "w:i",
                "IncDec@37",
                "w:1.5",
                "w:.5"
            ]
        );
        let comments: Vec<_> = line_comments("x := \"//\" // a\n// b\n").collect();
        assert_eq!(comments, [10, 15]);
    }

    #[test]
    fn unterminated_literals_stop_at_the_line_end() {
        let text = "\"ab\nc";
        let toks: Vec<_> = tokens(text).collect();
        assert_eq!(toks, [(Tok::Literal, 0), (Tok::Newline, 3), (Tok::Word(4, 5), 4)]);
        let mut lex = Lexer::new("{ s := \"}\"; r := '}'; /* } */ // }\n `}` } tail");
        lex.next();
        lex.skip_block();
        assert_eq!(
            &"{ s := \"}\"; r := '}'; /* } */ // }\n `}` } tail"[lex.offset()..],
            " tail"
        );
    }

    #[test]
    fn words_respect_identifier_boundaries() {
        let text = "nil nilable x.nil _nil nil2 (nil) é nil";
        let at: Vec<_> = word_occurrences(text, "nil").collect();
        assert_eq!(at, [0, 14, 29, text.len() - 3]);
    }

    #[test]
    fn byte_before_skips_whitespace_and_doubts_comments() {
        assert_eq!(byte_before("m =  nil", 5), Before::Byte(b'=', 2));
        assert_eq!(byte_before("m =\n\tnil", 5), Before::Byte(b'=', 2));
        assert_eq!(byte_before("m = /* c */ nil", 12), Before::Unknown);
        assert_eq!(byte_before("m = // c\n\tnil", 10), Before::Byte(b'=', 2));
        assert_eq!(
            byte_before("{ // \"x\"\n\t// more\n\n\tdelete", 20),
            Before::Byte(b'{', 0)
        );
        assert_eq!(byte_before("s := \"http://x\"\nnil", 16), Before::Byte(b'"', 14));
        assert_eq!(byte_before("x := `a\nb` +\nnil", 13), Before::Unknown);
        assert_eq!(byte_before("/* a\nb */\nnil", 10), Before::Unknown);
        assert_eq!(byte_before("  nil", 2), Before::Start);
        assert_eq!(byte_before("x = 1 // or nil", 12), Before::InComment);
        assert_eq!(byte_before("s := \"//\" + nil", 12), Before::Byte(b'+', 10));
        assert_eq!(byte_before("a\n// x ` y\nnil", 11), Before::Unknown);
        assert_eq!(byte_before("a\nb // c */ nil", 12), Before::Unknown);
    }

    #[test]
    fn finds_brackets_and_assignments() {
        let text = "m[k[1]] = 1; m[\"]\"] += 2; m[f(x)]++; m[k] == 1; m[k][j] = 3; m[/* c */k] = 1; m[i:j] = x";
        let found: Vec<_> = text.match_indices("m[").map(|(i, _)| bracketed(text, i + 2)).collect();
        let ends: Vec<_> = found.iter().map(|b| b.map(|b| b.end)).collect();
        assert_eq!(ends[..5], [Some(7), Some(19), Some(33), Some(41), Some(52)]);
        assert_eq!(ends[5], None, "a comment in the way");
        assert_eq!(found[6].map(|b| b.slice), Some(true));
        assert!(found[..5].iter().all(|b| !b.unwrap().slice));
        let assigned: Vec<_> = ends[..5].iter().map(|e| assignment_follows(text, e.unwrap())).collect();
        assert_eq!(assigned, [true, true, true, false, false]);
        assert!(assignment_follows("] // c", 1));
        assert!(assignment_follows("], x = 1, 2", 1));
        assert!(assignment_follows("], x[f(a, b)] = 1, 2", 1));
        assert!(assignment_follows("], x,\n\ty = 1, 2, 3", 1));
        assert!(!assignment_follows("], x)", 1));
        assert!(!assignment_follows("], x == y)", 1));
        assert!(!assignment_follows("], b\nreturn", 1));
        assert!(!assignment_follows("] <= 2", 1));
        assert!(!assignment_follows("]\n\t= 2", 1));
    }

    #[test]
    fn reads_the_top_level_of_a_literal() {
        fn shape(text: &str) -> Option<LiteralShape<'_>> {
            literal_shape(text, text.find('{').unwrap() + 1)
        }
        let keyed = shape("T{a: 1, b: f(x, y), c: map[int]int{1: 2}} rest").unwrap();
        assert_eq!(
            (keyed.keys, keyed.keyed, keyed.elided_or_empty),
            (vec!["a", "b", "c"], true, false)
        );
        let positional = shape("T{1, \"a:b\", '}', `x}`}").unwrap();
        assert_eq!((positional.keyed, positional.elided_or_empty), (false, false));
        let commented = shape("T{\n\t// a: 1\n\tb: 2, /* } */\n}").unwrap();
        assert_eq!(commented.keys, ["b"]);
        assert!(shape("T{}").unwrap().elided_or_empty);
        assert!(shape("[]T{{a: 1}}").unwrap().elided_or_empty);
        assert!(shape("map[int]T{1: {a: 1}}").unwrap().elided_or_empty);
        assert!(
            shape("[]T{\n\t// first\n\t{a: 1},\n}").unwrap().elided_or_empty,
            "a comment before an element"
        );
        assert_eq!(shape("T{a: 1"), None, "not closed");
        assert_eq!(shape("T{a: \"x\n\"}"), None, "a line break in a string");
    }
}
