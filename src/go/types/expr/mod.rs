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
        Parser::new(text).whole_type()
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

    /// The key and value of a map type (written out, not named): how the
    /// tests look inside a parsed map type.
    #[cfg(test)]
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

mod parse;
#[cfg(test)]
mod tests;

use parse::Parser;
