//! The reader behind `TypeExpr::parse`: a recursive descent over the Go
//! lexer's tokens of a type text, after go/parser. Not for statements or
//! expressions.

use super::*;
use crate::go::lex::{self, Tok};

/// A token of the type text: the token, its start and its end. Newlines
/// where Go's semicolon rule puts a semicolon come as an empty `;`.
type Token = (Tok, usize, usize);

/// A recursive-descent reader of Go types, after go/parser.
pub(super) struct Parser<'a> {
    text: &'a str,
    toks: Vec<Token>,
    /// The next token.
    at: usize,
    /// How many types deep the reader is (see `MAX_DEPTH`).
    depth: usize,
}

/// Types nested deeper than this are not read (`None`): no real type is,
/// and recursion must not overflow the stack on hostile input.
const MAX_DEPTH: usize = 64;

impl<'a> Parser<'a> {
    /// The one type the whole text is, if it is one.
    pub(super) fn whole_type(mut self) -> Option<TypeExpr> {
        let ty = self.ty()?;
        (self.at == self.toks.len()).then_some(ty)
    }

    pub(super) fn new(text: &'a str) -> Self {
        let mut lex = lex::Lexer::new(text);
        let mut toks: Vec<Token> = Vec::new();
        while let Some((tok, start)) = lex.next() {
            if tok == Tok::Newline {
                if toks
                    .last()
                    .is_some_and(|&(t, _, _)| lex::ends_statement(t, text.as_bytes()))
                {
                    toks.push((Tok::Punct(b';'), start, start));
                }
                continue;
            }
            toks.push((tok, start, lex.offset()));
        }
        // A semicolon the rule puts after the type itself is no part of it.
        while toks.last().is_some_and(|&(t, s, e)| t == Tok::Punct(b';') && s == e) {
            toks.pop();
        }
        Parser {
            text,
            toks,
            at: 0,
            depth: 0,
        }
    }

    fn tok(&self, k: usize) -> Option<Tok> {
        self.toks.get(self.at + k).map(|t| t.0)
    }

    fn punct(&self, k: usize, b: u8) -> bool {
        self.tok(k) == Some(Tok::Punct(b))
    }

    fn word(&self, k: usize) -> Option<&'a str> {
        match self.tok(k)? {
            Tok::Word(s, e) => Some(&self.text[s..e]),
            _ => None,
        }
    }

    fn keyword(&self, k: usize, kw: &str) -> bool {
        self.word(k) == Some(kw)
    }

    /// An identifier (not a keyword or a number).
    fn ident(&self, k: usize) -> Option<&'a str> {
        let w = self.word(k)?;
        let first = w.as_bytes()[0];
        (lex::is_ident_byte(first) && !first.is_ascii_digit() && !lex::is_keyword(w.as_bytes())).then_some(w)
    }

    /// `...`, written without spaces.
    fn ellipsis(&self, k: usize) -> bool {
        let at = self.at + k;
        (0..3).all(|i| self.punct(k + i, b'.'))
            && self.toks[at].2 == self.toks[at + 1].1
            && self.toks[at + 1].2 == self.toks[at + 2].1
    }

    /// Whether a qualified name `pkg.T` starts `k` tokens ahead.
    fn qualified_at(&self, k: usize) -> bool {
        self.ident(k).is_some() && self.punct(k + 1, b'.') && self.ident(k + 2).is_some()
    }

    /// `<-`.
    fn arrow(&self, k: usize) -> bool {
        self.punct(k, b'<') && self.punct(k + 1, b'-')
    }

    fn start(&self) -> usize {
        self.toks.get(self.at).map_or(self.text.len(), |t| t.1)
    }

    /// The end of the last token read.
    fn end(&self) -> usize {
        self.at.checked_sub(1).map_or(0, |i| self.toks[i].2)
    }

    fn expect(&mut self, b: u8) -> Option<()> {
        self.punct(0, b).then(|| self.at += 1)
    }

    fn finish(&self, start: usize, kind: TypeKind) -> TypeExpr {
        TypeExpr {
            kind,
            text: self.text[start..self.end()].to_string(),
        }
    }

    /// Whether the token `k` ahead can begin a type.
    fn starts_type(&self, k: usize) -> bool {
        self.ident(k).is_some()
            || ["map", "chan", "func", "struct", "interface"]
                .iter()
                .any(|kw| self.keyword(k, kw))
            || self.punct(k, b'*')
            || self.punct(k, b'[')
            || self.punct(k, b'(')
            || self.arrow(k)
    }

    fn ty(&mut self) -> Option<TypeExpr> {
        if self.depth >= MAX_DEPTH {
            return None;
        }
        self.depth += 1;
        let ty = self.ty_inner();
        self.depth -= 1;
        ty
    }

    fn ty_inner(&mut self) -> Option<TypeExpr> {
        let start = self.start();
        let kind = if let Some(name) = self.ident(0) {
            let base = match self.ident(2).filter(|_| self.qualified_at(0)) {
                Some(member) => {
                    self.at += 3;
                    TypeKind::Qualified {
                        package: name.to_string(),
                        name: member.to_string(),
                    }
                }
                None => {
                    self.at += 1;
                    TypeKind::Name(name.to_string())
                }
            };
            if !self.punct(0, b'[') {
                return Some(self.finish(start, base));
            }
            let base = Box::new(self.finish(start, base));
            self.at += 1;
            let args = self.list(b']', Parser::ty)?;
            if args.is_empty() {
                return None;
            }
            TypeKind::Generic { base, args }
        } else if self.punct(0, b'*') {
            self.at += 1;
            TypeKind::Pointer(Box::new(self.ty()?))
        } else if self.punct(0, b'[') {
            self.at += 1;
            if self.punct(0, b']') {
                self.at += 1;
                TypeKind::Slice(Box::new(self.ty()?))
            } else {
                let len = if self.ellipsis(0) && self.punct(3, b']') {
                    self.at += 3;
                    "...".to_string()
                } else {
                    self.array_length()?
                };
                self.expect(b']')?;
                TypeKind::Array {
                    len,
                    elem: Box::new(self.ty()?),
                }
            }
        } else if self.keyword(0, "map") {
            self.at += 1;
            self.expect(b'[')?;
            let key = Box::new(self.ty()?);
            self.expect(b']')?;
            TypeKind::Map {
                key,
                value: Box::new(self.ty()?),
            }
        } else if self.keyword(0, "chan") {
            self.at += 1;
            let dir = if self.arrow(0) {
                self.at += 2;
                ChanDir::Send
            } else {
                ChanDir::Both
            };
            TypeKind::Chan {
                dir,
                elem: Box::new(self.ty()?),
            }
        } else if self.arrow(0) && self.keyword(2, "chan") {
            self.at += 3;
            TypeKind::Chan {
                dir: ChanDir::Receive,
                elem: Box::new(self.ty()?),
            }
        } else if self.keyword(0, "func") {
            self.at += 1;
            TypeKind::Func(self.signature()?)
        } else if self.keyword(0, "struct") {
            self.at += 1;
            TypeKind::Struct(self.fields()?)
        } else if self.keyword(0, "interface") {
            self.at += 1;
            TypeKind::Interface(self.interface_elems()?)
        } else if self.punct(0, b'(') {
            self.at += 1;
            let inner = self.ty()?;
            self.expect(b')')?;
            TypeKind::Paren(Box::new(inner))
        } else {
            return None;
        };
        Some(self.finish(start, kind))
    }

    /// Items read by `item`, separated by commas (a trailing one allowed),
    /// up to and past `close`.
    fn list<T>(&mut self, close: u8, item: impl Fn(&mut Self) -> Option<T>) -> Option<Vec<T>> {
        let mut out = Vec::new();
        while !self.punct(0, close) {
            out.push(item(self)?);
            if !self.punct(0, b',') {
                break;
            }
            self.at += 1;
        }
        self.expect(close)?;
        Some(out)
    }

    /// The text of an array length (an expression), up to the `]` that
    /// closes it.
    fn array_length(&mut self) -> Option<String> {
        let start = self.start();
        let mut depth = 0usize;
        while let Some(tok) = self.tok(0) {
            match tok {
                Tok::Punct(b'(' | b'[' | b'{') => depth += 1,
                Tok::Punct(b']') if depth == 0 => break,
                Tok::Punct(b')' | b']' | b'}') => depth = depth.checked_sub(1)?,
                Tok::Punct(b';') => return None,
                _ => {}
            }
            self.at += 1;
        }
        let end = self.end();
        (end > start).then(|| self.text[start..end].to_string())
    }

    /// Parameters and results, after `func` or a method name.
    fn signature(&mut self) -> Option<Signature> {
        let params = self.params()?;
        let results = if self.punct(0, b'(') {
            self.params()?
        } else if self.starts_type(0) {
            vec![Param {
                names: Vec::new(),
                ty: self.ty()?,
                variadic: false,
            }]
        } else {
            Vec::new()
        };
        Some(Signature { params, results })
    }

    /// A parenthesised parameter list: either all parameters are named
    /// (`a, b int, c string`) or none are (`int, string`), as Go decides it.
    fn params(&mut self) -> Option<Vec<Param>> {
        /// One comma-separated entry: a lone identifier (a name or a type,
        /// as the rest of the list says), a name and a type, or a type.
        enum Entry {
            Ident(TypeExpr),
            Named(String, TypeExpr, bool),
            Type(TypeExpr, bool),
        }
        self.expect(b'(')?;
        let entries = self.list(b')', |p| {
            if let Some(name) = p.ident(0).filter(|_| !p.qualified_at(0)) {
                if p.punct(1, b',') || p.punct(1, b')') {
                    let start = p.start();
                    p.at += 1;
                    return Some(Entry::Ident(p.finish(start, TypeKind::Name(name.to_string()))));
                }
                if p.ellipsis(1) {
                    p.at += 4;
                    return Some(Entry::Named(name.to_string(), p.ty()?, true));
                }
                if let Some(ty) = p.named(|p| p.punct(0, b',') || p.punct(0, b')')) {
                    return Some(Entry::Named(name.to_string(), ty, false));
                }
            }
            if p.ellipsis(0) {
                p.at += 3;
                return Some(Entry::Type(p.ty()?, true));
            }
            Some(Entry::Type(p.ty()?, false))
        })?;
        let named = entries.iter().any(|e| matches!(e, Entry::Named(..)));
        let mut out = Vec::new();
        let mut names = Vec::new();
        for e in entries {
            match e {
                Entry::Ident(t) if named => names.push(t.text),
                Entry::Ident(ty) => out.push(Param {
                    names: Vec::new(),
                    ty,
                    variadic: false,
                }),
                Entry::Named(name, ty, variadic) => {
                    names.push(name);
                    out.push(Param {
                        names: std::mem::take(&mut names),
                        ty,
                        variadic,
                    });
                }
                Entry::Type(..) if named => return None,
                Entry::Type(ty, variadic) => out.push(Param {
                    names: Vec::new(),
                    ty,
                    variadic,
                }),
            }
        }
        names.is_empty().then_some(out)
    }

    /// After a name that may be a field or parameter name: the type it is
    /// declared with, when one follows and `ends` holds after it. An
    /// identifier followed by `[` is such a name only if what follows reads
    /// as an array or slice type (`a [2]int`); otherwise it is a generic
    /// type (`T[int]`), and nothing is read.
    fn named(&mut self, ends: impl Fn(&Self) -> bool) -> Option<TypeExpr> {
        if !self.starts_type(1) {
            return None;
        }
        let back = self.at;
        self.at += 1;
        match self.ty() {
            Some(ty) if ends(self) => Some(ty),
            _ => {
                self.at = back;
                None
            }
        }
    }

    /// The declarations of a struct or interface body, from its `{` past
    /// its `}`, each read by `item` and ended by `;` (or a newline) or the `}`.
    fn body<T>(&mut self, item: impl Fn(&mut Self) -> Option<T>) -> Option<Vec<T>> {
        self.expect(b'{')?;
        let mut out = Vec::new();
        loop {
            while self.punct(0, b';') {
                self.at += 1;
            }
            if self.punct(0, b'}') {
                self.at += 1;
                return Some(out);
            }
            out.push(item(self)?);
            if !self.punct(0, b';') && !self.punct(0, b'}') {
                return None;
            }
        }
    }

    /// The fields of a struct type, from its `{`.
    fn fields(&mut self) -> Option<Vec<Field>> {
        self.body(|p| {
            let end_of_field = |p: &Self| p.punct(0, b';') || p.punct(0, b'}') || p.tok(0) == Some(Tok::Literal);
            let field = match p.ident(0) {
                Some(_) if p.punct(1, b',') => {
                    let mut names = Vec::new();
                    while let Some(name) = p.ident(0) {
                        names.push(name.to_string());
                        p.at += 1;
                        if !p.punct(0, b',') {
                            break;
                        }
                        p.at += 1;
                    }
                    Field { names, ty: p.ty()? }
                }
                Some(name) if !p.qualified_at(0) => match p.named(end_of_field) {
                    Some(ty) => Field {
                        names: vec![name.to_string()],
                        ty,
                    },
                    None => Field {
                        names: Vec::new(),
                        ty: p.ty()?,
                    },
                },
                _ => Field {
                    names: Vec::new(),
                    ty: p.ty()?,
                },
            };
            // The tag.
            if p.tok(0) == Some(Tok::Literal) {
                p.at += 1;
            }
            Some(field)
        })
    }

    /// The elements of an interface type, from its `{`.
    fn interface_elems(&mut self) -> Option<Vec<InterfaceElem>> {
        self.body(|p| match p.ident(0) {
            Some(name) if p.punct(1, b'(') => {
                p.at += 1;
                Some(InterfaceElem::Method {
                    name: name.to_string(),
                    signature: p.signature()?,
                })
            }
            _ => {
                let mut terms = Vec::new();
                loop {
                    let tilde = p.punct(0, b'~');
                    p.at += usize::from(tilde);
                    terms.push((tilde, p.ty()?));
                    if !p.punct(0, b'|') {
                        return Some(InterfaceElem::Terms(terms));
                    }
                    p.at += 1;
                }
            }
        })
    }
}
