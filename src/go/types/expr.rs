//! Type expressions: a Go type read once from its text (`map[string][]*pkg.T`,
//! `Set[K]`, `func(int) error`, `struct{…}`) into a [`TypeExpr`], so that
//! code asks what a type is (a map and its key and value, a pointer and what
//! it points to, the fields of a struct, the packages and type names it
//! mentions) instead of taking its text apart or parsing it again as a Go
//! file. Types come as text from declarations (`FileIndex`, `Binding`);
//! [`TypeExpr::parse`] reads that text with the Go lexer (`go/lex.rs`), as
//! go/parser reads a type. Every part keeps its text as written (comments
//! inside included), which `Display` gives back: the Go spelling of the
//! type, as the source spells it.

use crate::go::lex::{self, Tok};
use crate::go::syntax::GoNode;
use std::fmt;

/// A Go type expression and its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypeExpr {
    kind: TypeKind,
    text: String,
}

/// What a type expression is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TypeKind {
    /// A type name of the package, a predeclared one or a type parameter: `int`, `T`.
    Name(String),
    /// A type of another package: `pkg.T`.
    Qualified { package: String, name: String },
    /// An instance of a generic type: `Set[K]`, `pkg.List[int]` (the base is
    /// a `Name` or a `Qualified`).
    Generic { base: Box<TypeExpr>, args: Vec<TypeExpr> },
    /// `*T`.
    Pointer(Box<TypeExpr>),
    /// `[]T`.
    Slice(Box<TypeExpr>),
    /// `[N]T`, with the length as written (`...` in `[...]T`).
    Array { len: String, elem: Box<TypeExpr> },
    /// `map[K]V`.
    Map { key: Box<TypeExpr>, value: Box<TypeExpr> },
    /// `chan T`, `chan<- T`, `<-chan T`.
    Chan { dir: ChanDir, elem: Box<TypeExpr> },
    /// `(T)`.
    Paren(Box<TypeExpr>),
    /// `func(…) …`.
    Func(Signature),
    /// `struct{…}`.
    Struct(Vec<Field>),
    /// `interface{…}`.
    Interface(Vec<InterfaceElem>),
    /// Text that does not read as a type; kept so that a declaration of it
    /// is still known.
    Other,
}

/// The direction of a channel type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChanDir {
    /// `chan T`.
    Both,
    /// `chan<- T`.
    Send,
    /// `<-chan T`.
    Receive,
}

/// The parameters and results of a function type or method.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signature {
    pub params: Vec<Param>,
    pub results: Vec<Param>,
}

/// One parameter (or result) declaration: `a, b int`, `int`, `xs ...T`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Param {
    /// Empty for an unnamed parameter.
    pub names: Vec<String>,
    pub ty: TypeExpr,
    pub variadic: bool,
}

/// One field declaration of a struct: `a, b int`, or an embedded `T`, `*pkg.T`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    /// Empty for an embedded field.
    pub names: Vec<String>,
    pub ty: TypeExpr,
}

/// One element of an interface type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InterfaceElem {
    /// `M(…) …`.
    Method { name: String, signature: Signature },
    /// A union of type terms, `~int | string`, or one embedded interface
    /// (`io.Reader`): each term and whether it is `~T`.
    Terms(Vec<(bool, TypeExpr)>),
}

impl TypeExpr {
    /// Reads a type from its text; `None` when the text (comments and
    /// surrounding whitespace aside) is not exactly one Go type.
    pub fn parse(text: &str) -> Option<TypeExpr> {
        let mut p = Parser::new(text);
        let ty = p.ty()?;
        (p.at == p.toks.len()).then_some(ty)
    }

    /// The type a node of the syntax tree writes: [`TypeExpr::parse`] of
    /// its text, or an `Other` of that text.
    pub fn of_node(node: &GoNode) -> TypeExpr {
        let text = node.text();
        TypeExpr::parse(&text).unwrap_or_else(|| TypeExpr {
            kind: TypeKind::Other,
            text: text.trim().to_string(),
        })
    }

    pub fn kind(&self) -> &TypeKind {
        &self.kind
    }

    /// The type as written.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The name of a plain type name (`T`, `int`; not `pkg.T` or `T[int]`).
    pub fn name(&self) -> Option<&str> {
        match &self.kind {
            TypeKind::Name(n) => Some(n),
            _ => None,
        }
    }

    /// The key and value of a map type (written out, not named).
    pub fn map_parts(&self) -> Option<(&TypeExpr, &TypeExpr)> {
        match &self.kind {
            TypeKind::Map { key, value } => Some((key, value)),
            _ => None,
        }
    }

    /// What a pointer type points to.
    pub fn pointee(&self) -> Option<&TypeExpr> {
        match &self.kind {
            TypeKind::Pointer(t) => Some(t),
            _ => None,
        }
    }

    /// The type with all its pointers taken off: `**T` → `T`.
    pub fn without_pointers(&self) -> &TypeExpr {
        let mut t = self;
        while let Some(p) = t.pointee() {
            t = p;
        }
        t
    }

    /// The element type of a slice or array type.
    pub fn element(&self) -> Option<&TypeExpr> {
        match &self.kind {
            TypeKind::Slice(e) | TypeKind::Array { elem: e, .. } => Some(e),
            _ => None,
        }
    }

    /// The signature of a function type.
    pub fn signature(&self) -> Option<&Signature> {
        match &self.kind {
            TypeKind::Func(s) => Some(s),
            _ => None,
        }
    }

    /// The named fields of a struct type, in order, with their types
    /// (embedded fields left out); none for other types.
    pub fn fields(&self) -> impl Iterator<Item = (&str, &TypeExpr)> {
        let fields = match &self.kind {
            TypeKind::Struct(f) => f.as_slice(),
            _ => &[],
        };
        fields
            .iter()
            .flat_map(|f| f.names.iter().map(move |n| (n.as_str(), &f.ty)))
    }

    pub fn is_struct(&self) -> bool {
        matches!(self.kind, TypeKind::Struct(_))
    }

    pub fn is_interface(&self) -> bool {
        matches!(self.kind, TypeKind::Interface(_))
    }

    /// This type and every type written inside it (elements, keys, type
    /// arguments, parameters, fields, terms), outermost first, in the order
    /// of the text.
    pub fn parts(&self) -> Vec<&TypeExpr> {
        fn walk<'t>(t: &'t TypeExpr, out: &mut Vec<&'t TypeExpr>) {
            out.push(t);
            let sig = |s: &'t Signature, out: &mut Vec<&'t TypeExpr>| {
                for p in s.params.iter().chain(&s.results) {
                    walk(&p.ty, out);
                }
            };
            match &t.kind {
                TypeKind::Name(_) | TypeKind::Qualified { .. } | TypeKind::Other => {}
                TypeKind::Generic { base, args } => {
                    walk(base, out);
                    args.iter().for_each(|a| walk(a, out));
                }
                TypeKind::Pointer(e)
                | TypeKind::Slice(e)
                | TypeKind::Array { elem: e, .. }
                | TypeKind::Chan { elem: e, .. }
                | TypeKind::Paren(e) => walk(e, out),
                TypeKind::Map { key, value } => {
                    walk(key, out);
                    walk(value, out);
                }
                TypeKind::Func(s) => sig(s, out),
                TypeKind::Struct(fields) => fields.iter().for_each(|f| walk(&f.ty, out)),
                TypeKind::Interface(elems) => {
                    for e in elems {
                        match e {
                            InterfaceElem::Method { signature, .. } => sig(signature, out),
                            InterfaceElem::Terms(terms) => terms.iter().for_each(|(_, t)| walk(t, out)),
                        }
                    }
                }
            }
        }
        let mut out = Vec::new();
        walk(self, &mut out);
        out
    }

    /// The package names of the qualified types written anywhere in this
    /// type (`pkg` of `map[string]pkg.T`), in order, repeats included.
    pub fn packages(&self) -> Vec<&str> {
        self.parts()
            .into_iter()
            .filter_map(|t| match &t.kind {
                TypeKind::Qualified { package, .. } => Some(package.as_str()),
                _ => None,
            })
            .collect()
    }

    /// The unqualified type names written anywhere in this type (`K` and
    /// `V` of `map[K][]V`; not the `T` of `pkg.T`), in order.
    pub fn names(&self) -> Vec<&str> {
        self.parts().into_iter().filter_map(TypeExpr::name).collect()
    }

    /// Whether a struct type written anywhere in this type (itself or a
    /// nested one) embeds a field.
    pub fn has_embedded_field(&self) -> bool {
        self.parts()
            .into_iter()
            .any(|t| matches!(&t.kind, TypeKind::Struct(fields) if fields.iter().any(|f| f.names.is_empty())))
    }
}

impl Signature {
    /// The result types, when the results are unnamed; empty otherwise.
    pub fn unnamed_results(&self) -> Vec<&TypeExpr> {
        if self.results.iter().any(|r| !r.names.is_empty()) {
            return Vec::new();
        }
        self.results.iter().map(|r| &r.ty).collect()
    }
}

impl fmt::Display for TypeExpr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// A token of the type text: the token, its start and its end. Newlines
/// where Go's semicolon rule puts a semicolon come as an empty `;`.
type Token = (Tok, usize, usize);

/// A recursive-descent reader of Go types, after go/parser.
struct Parser<'a> {
    text: &'a str,
    toks: Vec<Token>,
    /// The next token.
    at: usize,
}

impl<'a> Parser<'a> {
    fn new(text: &'a str) -> Self {
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
        Parser { text, toks, at: 0 }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::go::syntax::{self, code_children};

    fn parse(text: &str) -> TypeExpr {
        TypeExpr::parse(text).unwrap_or_else(|| panic!("{text:?} does not parse"))
    }

    #[test]
    fn prints_back_what_it_read() {
        for text in [
            "int",
            "pkg.T",
            "map[string]map[int][]*pkg.T",
            "Set[K]",
            "pkg.Pair[K, map[K]V]",
            "[]byte",
            "[4]int",
            "[N * 2]T",
            "[len(x)]int",
            "[...]string",
            "chan int",
            "chan<- error",
            "<-chan struct{}",
            "chan (<-chan int)",
            "func()",
            "func(int) error",
            "func(a, b int, opts ...Option) (n int, err error)",
            "func(context.Context) func() bool",
            "func(T[int], []T) (T, error)",
            "struct{}",
            "struct {\n\tname string `json:\"name\"`\n\t*Base\n\tpkg.Embedded\n\tnext *Node[T] // the next\n\tgrid [2][3]int\n}",
            "interface{}",
            "interface {\n\tio.Reader\n\tClose() error\n}",
            "interface{ ~int | ~string; String() string }",
            "(T)",
            "map[string] /* c */ int",
            "* T",
        ] {
            assert_eq!(parse(text).to_string(), text);
            assert_eq!(parse(&format!(" {text}\n")).to_string(), text, "trimmed");
        }
    }

    #[test]
    fn takes_maps_apart() {
        let t = parse("map[string]map[int][]*pkg.T");
        let (k, v) = t.map_parts().unwrap();
        assert_eq!((k.name(), v.text()), (Some("string"), "map[int][]*pkg.T"));
        let (k, v) = v.map_parts().unwrap();
        assert_eq!((k.text(), v.text()), ("int", "[]*pkg.T"));
        let elem = v.element().unwrap();
        assert_eq!(elem.text(), "*pkg.T");
        assert_eq!(
            elem.pointee().unwrap().kind(),
            &TypeKind::Qualified {
                package: "pkg".into(),
                name: "T".into()
            }
        );
        assert_eq!(t.packages(), ["pkg"]);
        assert_eq!(t.names(), ["string", "int"]);
        assert!(parse("Registry").map_parts().is_none());
        assert_eq!(parse("**T").without_pointers().name(), Some("T"));
    }

    #[test]
    fn generic_instances() {
        let t = parse("Set[K]");
        let TypeKind::Generic { base, args } = t.kind() else {
            panic!("{t:?}")
        };
        assert_eq!((base.name(), args.len(), args[0].name()), (Some("Set"), 1, Some("K")));
        assert_eq!(parse("pkg.Map[string, []V]").packages(), ["pkg"]);
        assert_eq!(parse("pkg.Map[string, []V]").names(), ["string", "V"]);
        // Type parameter lists are no types.
        for not_a_type in [
            "Set[K comparable]",
            "map[K comparable]V",
            "Set[]",
            "map[string]",
            "[]",
            "int int",
            "func(a int, string)",
        ] {
            assert_eq!(TypeExpr::parse(not_a_type), None, "{not_a_type}");
        }
    }

    #[test]
    fn channels() {
        let dir = |text: &str| match parse(text).kind() {
            TypeKind::Chan { dir, elem } => (*dir, elem.text().to_string()),
            k => panic!("{k:?}"),
        };
        assert_eq!(dir("chan int"), (ChanDir::Both, "int".into()));
        assert_eq!(dir("chan<- int"), (ChanDir::Send, "int".into()));
        assert_eq!(dir("<-chan int"), (ChanDir::Receive, "int".into()));
        // `<-` goes with the leftmost `chan`.
        assert_eq!(dir("chan <-chan int"), (ChanDir::Send, "chan int".into()));
        assert_eq!(dir("chan (<-chan int)"), (ChanDir::Both, "(<-chan int)".into()));
    }

    #[test]
    fn funcs() {
        let t = parse("func(a, b int, opts ...pkg.Option) (n int, err error)");
        let sig = t.signature().unwrap();
        let names: Vec<_> = sig
            .params
            .iter()
            .map(|p| (p.names.join(","), p.ty.text(), p.variadic))
            .collect();
        assert_eq!(
            names,
            [("a,b".into(), "int", false), ("opts".into(), "pkg.Option", true)]
        );
        assert!(sig.unnamed_results().is_empty());
        let sig = parse("func(T, []U) (int, error)");
        let sig = sig.signature().unwrap();
        assert!(sig.params.iter().all(|p| p.names.is_empty()));
        let results: Vec<_> = sig.unnamed_results().iter().map(|t| t.text()).collect();
        assert_eq!(results, ["int", "error"]);
        assert_eq!(parse("func(T, []U) (int, error)").names(), ["T", "U", "int", "error"]);
        assert_eq!(parse("func(a, b)").names(), ["a", "b"]);
        assert_eq!(parse("func(a b)").names(), ["b"]);
        let one: Vec<_> = parse("func() func() bool")
            .signature()
            .unwrap()
            .unnamed_results()
            .iter()
            .map(|t| t.text().to_string())
            .collect();
        assert_eq!(one, ["func() bool"]);
    }

    #[test]
    fn structs_and_interfaces() {
        let t = parse("struct {\n\ta, b int\n\tgrid [2]T \"tag\"\n\tList[T]\n\tinner struct{ Base }\n}");
        let fields: Vec<_> = t.fields().map(|(n, t)| (n, t.text())).collect();
        assert_eq!(
            fields,
            [
                ("a", "int"),
                ("b", "int"),
                ("grid", "[2]T"),
                ("inner", "struct{ Base }")
            ]
        );
        assert!(t.has_embedded_field());
        assert!(!parse("struct{ a int; b struct{ c string } }").has_embedded_field());
        assert!(parse("map[K]struct{ pkg.T }").has_embedded_field());
        let i = parse("interface{ io.Reader; Get(k K) (V, bool); ~int | string }");
        assert!(i.is_interface());
        assert_eq!(i.packages(), ["io"]);
        assert_eq!(i.names(), ["K", "V", "bool", "int", "string"]);
    }

    /// The type a node of the syntax tree writes, read from the tree:
    /// what `TypeExpr::parse` of its text must give. `None` for nodes that
    /// hold expressions (a generic instance read in an expression).
    fn from_tree(n: &GoNode) -> Option<TypeExpr> {
        let text = n.text().to_string();
        let field = |f: &str| n.field(f).and_then(|c| from_tree(&c)).map(Box::new);
        let only = || code_children(n).first().and_then(from_tree).map(Box::new);
        let kind = match n.kind().as_ref() {
            "type_identifier" => TypeKind::Name(text.clone()),
            "qualified_identifier" => TypeKind::Qualified {
                package: n.field("package")?.text().to_string(),
                name: n.field("name")?.text().to_string(),
            },
            "generic_type" => TypeKind::Generic {
                base: field("type")?,
                args: code_children(&n.field("type_arguments")?)
                    .iter()
                    .map(from_tree)
                    .collect::<Option<_>>()?,
            },
            "pointer_type" => TypeKind::Pointer(only()?),
            "slice_type" => TypeKind::Slice(field("element")?),
            "array_type" => TypeKind::Array {
                len: n.field("length")?.text().to_string(),
                elem: field("element")?,
            },
            "implicit_length_array_type" => TypeKind::Array {
                len: "...".into(),
                elem: field("element")?,
            },
            "map_type" => TypeKind::Map {
                key: field("key")?,
                value: field("element")?,
            },
            "channel_type" => {
                let dir = if text.starts_with("<-") {
                    ChanDir::Receive
                } else if text["chan".len()..].trim_start().starts_with("<-") {
                    ChanDir::Send
                } else {
                    ChanDir::Both
                };
                TypeKind::Chan {
                    dir,
                    elem: field("element")?,
                }
            }
            "parenthesized_type" => TypeKind::Paren(only()?),
            "function_type" => TypeKind::Func(signature(n)?),
            "struct_type" => TypeKind::Struct(
                code_children(n)
                    .iter()
                    .map(|f| {
                        Some(Field {
                            names: f.field_children("name").map(|n| n.text().to_string()).collect(),
                            ty: from_tree(&f.field("type")?)?,
                        })
                    })
                    .collect::<Option<_>>()?,
            ),
            "interface_type" => TypeKind::Interface(
                code_children(n)
                    .iter()
                    .map(|e| match e.kind().as_ref() {
                        "method_elem" => Some(InterfaceElem::Method {
                            name: e.field("name")?.text().to_string(),
                            signature: signature(e)?,
                        }),
                        _ => Some(InterfaceElem::Terms(
                            code_children(e)
                                .iter()
                                .map(|t| match t.kind().as_ref() {
                                    "underlying_type" => Some((true, from_tree(code_children(t).first()?)?)),
                                    _ => Some((false, from_tree(t)?)),
                                })
                                .collect::<Option<_>>()?,
                        )),
                    })
                    .collect::<Option<_>>()?,
            ),
            _ => return None,
        };
        Some(TypeExpr { kind, text })
    }

    fn signature(n: &GoNode) -> Option<Signature> {
        let params = |list: &GoNode| {
            code_children(list)
                .iter()
                .map(|p| {
                    Some(Param {
                        names: p.field_children("name").map(|n| n.text().to_string()).collect(),
                        ty: from_tree(&p.field("type")?)?,
                        variadic: syntax::is_variadic(p),
                    })
                })
                .collect::<Option<Vec<_>>>()
        };
        let results = match n.field("result") {
            None => Vec::new(),
            Some(r) if r.kind() == "parameters" => params(&r)?,
            Some(t) => vec![Param {
                names: Vec::new(),
                ty: from_tree(&t)?,
                variadic: false,
            }],
        };
        Some(Signature {
            params: params(&n.field("parameters")?)?,
            results,
        })
    }

    const TYPE_KINDS: &[&str] = &[
        "array_type",
        "channel_type",
        "function_type",
        "generic_type",
        "implicit_length_array_type",
        "interface_type",
        "map_type",
        "parenthesized_type",
        "pointer_type",
        "qualified_identifier",
        "slice_type",
        "struct_type",
        "type_identifier",
    ];

    /// Every type node of `text` reads, from its text, as the tree has it;
    /// the number of nodes compared.
    fn agrees_with_tree(text: &str, what: &str) -> usize {
        let tree = syntax::parse(text);
        if syntax::first_error(&tree.root()).is_some() {
            return 0;
        }
        let mut compared = 0;
        for n in tree.root().dfs().filter(|n| TYPE_KINDS.contains(&n.kind().as_ref())) {
            let Some(want) = from_tree(&n) else { continue };
            assert_eq!(TypeExpr::parse(&n.text()).as_ref(), Some(&want), "{what}: {}", n.text());
            compared += 1;
        }
        compared
    }

    #[test]
    fn reads_types_as_the_syntax_tree_does() {
        let src = "package p\n\nvar (\n\t_ [pkg.N]int\n\t_ Set[N]\n\t_ func(a, b)\n\t_ func(a b, c ...pkg.T) (x int)\n\t_ struct{ a [2]int; T[int]; *pkg.U; b, c map[string]int \"tag\" }\n\t_ interface{ ~int | string; M(x T) pkg.R; io.Reader }\n\t_ chan <-chan int\n\t_ <-chan chan<- int\n\t_ [...]int\n\t_ (T)\n\t_ map[string]/* c */ int\n\t_ struct {\n\t\tf func(\n\t\t\ta int,\n\t\t) error // c\n\t\tg struct {\n\t\t\th []T\n\t\t}\n\t}\n)\n";
        assert!(agrees_with_tree(src, "sample") > 40);
    }

    /// The same on a sample of the Go standard library.
    #[test]
    fn reads_the_standard_library_types_as_the_syntax_tree_does() {
        let mut compared = 0;
        for (path, text) in crate::testing::stdlib_sample(13) {
            compared += agrees_with_tree(&text, &path.display().to_string());
        }
        assert!(compared > 10_000, "{compared} type nodes compared");
    }
}
