//! The questions nil-map-write asks of a package's files (`Key`), and which
//! top-level declarations can hold their answers, read from words: a
//! declaration that cannot is not parsed (`PackageScope::package_declared`).

use crate::go::decls::{self, Decl, DeclKind};
use crate::go::lex;
use crate::go::types::DeclFilter;

/// What a write asks of the package's files.
#[derive(Debug, Clone, Copy)]
pub enum Key<'a> {
    /// Field `field` of struct type `type_name`: every fact about it is in
    /// a declaration that names the type (its builds, its literals assigned
    /// over a value) or the field (its assignments, nil tests), or calls a
    /// decoder (`json.Unmarshal(data, &cfg)` into a package variable whose
    /// type the declaration need not spell).
    /// Those that call a decoder are `Decoders`' (asked with every field):
    /// the facts of a field are those of both keys (`FileFacts::merge`).
    Field { type_name: &'a str, field: &'a str },
    /// The declarations that call a decoder, whatever the field: the same
    /// for every key of a package, parsed once per file.
    Decoders,
    /// The package function `name` (its `return nil`): its own declaration.
    Func(&'a str),
}

/// The word every decoder call that `call_builds` counts holds
/// (`…Unmarshal`), and the callee it also takes.
const DECODE_NEEDLES: [&str; 2] = ["Unmarshal", "Decode"];

impl<'a> Key<'a> {
    /// The cache key (see `PackageScope::package_declared`).
    pub fn name(&self) -> String {
        match self {
            Key::Field { type_name, field } => format!("nil-map-write {type_name}.{field}"),
            Key::Decoders => "nil-map-write decoders".to_string(),
            Key::Func(name) => format!("nil-map-write func {name}"),
        }
    }

    /// Whether the declaration `piece` (the text of `decl`) can hold a fact
    /// about the key, by words (comments and strings included, which only
    /// keeps more). A function's facts are all in its body (a header holds
    /// no literal, assignment or call), so only the body is searched: a
    /// method's receiver names its type.
    pub fn keeps(&self, piece: &str, decl: &Decl) -> bool {
        if let Key::Func(name) = *self {
            return func_named(piece, decl, name);
        }
        let searched = match (&decl.kind, &decl.body) {
            (DeclKind::Func, Some(body)) => &piece[body.start - decl.range.start..body.end - decl.range.start],
            (DeclKind::Func, None) => return false,
            _ => piece,
        };
        let decodes = decodes(searched);
        match *self {
            Key::Field { type_name, field } => {
                !decodes && (names_type(searched, type_name) || names_field(searched, field))
            }
            _ => decodes,
        }
    }

    /// The declarations to parse for the key.
    pub fn filter<'k>(&'k self, keep: &'k dyn Fn(&str, &Decl) -> bool) -> DeclFilter<'k> {
        let needles = match self {
            Key::Field { type_name, field } => vec![*type_name, *field],
            Key::Decoders => DECODE_NEEDLES.to_vec(),
            Key::Func(name) => vec![*name],
        };
        DeclFilter { needles, keep }
    }
}

/// Whether `text` may call a decoder (`…Unmarshal`, `Decode`).
fn decodes(text: &str) -> bool {
    memchr::memmem::find(text.as_bytes(), DECODE_NEEDLES[0].as_bytes()).is_some()
        || lex::word_occurrences(text, DECODE_NEEDLES[1]).next().is_some()
}

/// Whether the file `text` may build a value of the package type
/// `type_name` that leaves `field` out, as far as words tell: some
/// declaration that `Key::keeps` would search (function bodies, other
/// declarations whole) calls a decoder, or names the type where
/// `names_type` keeps it, except in a composite literal that gives the
/// field (keyed with it, or positional) and holds no elided literal. Every
/// build the facts find (`facts.rs`) is one of these, so a package none of
/// whose files has one builds no value without the field.
pub fn may_build_without(text: &str, type_name: &str, field: &str) -> bool {
    if lex::word_occurrences(text, type_name).next().is_none() && !decodes(text) {
        return false;
    }
    decls::split(text).iter().any(|d| {
        let searched = match (&d.kind, &d.body) {
            (DeclKind::Func, Some(body)) => &text[body.clone()],
            (DeclKind::Other, _) => &text[d.range.clone()],
            _ => return false,
        };
        // A type or constant declaration holds no value of a struct type.
        let first = lex::tokens(searched).find_map(|(t, _)| match t {
            lex::Tok::Word(s, e) => Some(&searched[s..e]),
            _ => None,
        });
        if d.kind == DeclKind::Other && matches!(first, Some("type" | "const")) {
            return false;
        }
        decodes(searched) || builds_without(searched, type_name, field)
    })
}

/// `names_type`, but not in a line comment nor for a literal that gives
/// `field`.
fn builds_without(text: &str, name: &str, field: &str) -> bool {
    lex::word_occurrences(text, name).any(|at| {
        lex::byte_before(text, at) != lex::Before::InComment && may_build_at(text, at, at + name.len(), Some(field))
    })
}

/// The bytes next to the word at `at..end` of `text` past white space:
/// before and after (`None` at the text's ends).
fn neighbours(text: &str, at: usize, end: usize) -> (Option<u8>, Option<u8>, Option<u8>) {
    let bytes = text.as_bytes();
    let before = bytes[..at].iter().rposition(|b| !b.is_ascii_whitespace());
    let after = bytes[end..]
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .map(|i| end + i);
    (
        before.map(|i| bytes[i]),
        before.and_then(|i| i.checked_sub(1)).map(|i| bytes[i]),
        after.map(|i| bytes[i]),
    )
}

/// Whether `text` may build or refill a value of the package type `name`
/// (`T{…}`, `&T{…}`, `[]T{…}`, `new(T)`, `var v T`): some occurrence of
/// the word not selected from a value or package (`b.T`), with `{` after
/// it, or `(` or a name before it; a comment beside it (`/`) also counts.
fn names_type(text: &str, name: &str) -> bool {
    lex::word_occurrences(text, name).any(|at| may_build_at(text, at, at + name.len(), None))
}

/// Whether the type name at `at..end` of `text` may be a build (see
/// `names_type`); with `gives`, a composite literal counts only where it
/// may leave that field out (keyed without it, or holding an elided
/// literal or none).
fn may_build_at(text: &str, at: usize, end: usize, gives: Option<&str>) -> bool {
    match neighbours(text, at, end) {
        (Some(b'.'), ..) => false,
        (_, _, Some(b'{')) => gives.is_none_or(|field| {
            let open = end + text[end..].find('{').unwrap_or(0);
            match lex::literal_shape(text, open + 1) {
                None => true,
                Some(shape) => shape.elided_or_empty || (shape.keyed && !shape.keys.contains(&field)),
            }
        }),
        (Some(b'/'), ..) | (_, _, Some(b'/')) => true,
        (Some(b), ..) => b == b'(' || lex::is_ident_byte(b),
        (None, ..) => false,
    }
}

/// Whether `text` may assign, take the address of or compare with nil the
/// field `name` (`x.f = …`, `&x.f`, `x.f == nil`), or compare a variable
/// of that name with nil (`f != nil`, which `nil_tested_names` also
/// counts): some occurrence of the word after `.`, or beside `==` or `!=`;
/// a comment beside it (`/`) also counts.
fn names_field(text: &str, name: &str) -> bool {
    let bytes = text.as_bytes();
    lex::word_occurrences(text, name).any(|at| {
        let end = at + name.len();
        let (before, before2, after) = neighbours(text, at, end);
        let compared_after = after.is_some_and(|b| b == b'=' || b == b'!') && {
            let i = end + bytes[end..].iter().position(|b| !b.is_ascii_whitespace()).unwrap_or(0);
            bytes.get(i + 1) == Some(&b'=')
        };
        before == Some(b'.')
            || before == Some(b'/')
            || after == Some(b'/')
            || (before == Some(b'=') && matches!(before2, Some(b'=' | b'!')))
            || compared_after
    })
}

/// Whether the declaration `piece` (the text of `decl`) declares the
/// function (not a method) `name`.
fn func_named(piece: &str, decl: &Decl, name: &str) -> bool {
    if decl.kind != DeclKind::Func {
        return false;
    }
    let base = decl.range.start;
    let own = Decl {
        kind: decl.kind,
        range: 0..piece.len(),
        body: decl.body.as_ref().map(|b| b.start - base..b.end - base),
    };
    decls::receiver_type(piece, &own).is_none() && decls::func_name(piece, &own) == Some(name)
}
