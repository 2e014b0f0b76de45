//! TypeExpr: round trips and the structure of real Go types.
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
