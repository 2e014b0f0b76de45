//! Go's predeclared basic types, and the default types of untyped constants.

use crate::go::syntax::{self, GoNode};

/// The predeclared basic types of Go.
pub const BASIC_TYPES: &[&str] = &[
    "bool",
    "string",
    "int",
    "int8",
    "int16",
    "int32",
    "int64",
    "uint",
    "uint8",
    "uint16",
    "uint32",
    "uint64",
    "uintptr",
    "byte",
    "rune",
    "float32",
    "float64",
    "complex64",
    "complex128",
];

/// Whether `name` is one of the predeclared basic types.
pub fn is_basic(name: &str) -> bool {
    BASIC_TYPES.contains(&name)
}

/// Whether a basic type is a complex one.
pub fn is_complex(name: &str) -> bool {
    matches!(name, "complex64" | "complex128")
}

/// Whether a basic type has a NaN, a value not equal to itself: the
/// floating-point and complex types.
pub fn has_nan(name: &str) -> bool {
    matches!(name, "float32" | "float64") || is_complex(name)
}

/// The kinds of untyped numeric constants: the literal that writes one,
/// and its default type, in Go's order (an operation on untyped constants
/// of two kinds has the later kind: `1 + 2.5` is a floating-point constant).
const NUMERIC_KINDS: [(&str, &str); 4] = [
    ("int_literal", "int"),
    ("rune_literal", "rune"),
    ("float_literal", "float64"),
    ("imaginary_literal", "complex128"),
];

/// The default type of an untyped constant literal (`"s"` string, `1` int,
/// `true` bool…); `None` for anything else.
pub fn untyped_default(node: &GoNode) -> Option<&'static str> {
    let kind = node.kind();
    if let Some((_, ty)) = NUMERIC_KINDS.iter().find(|(k, _)| *k == kind) {
        return Some(ty);
    }
    match kind.as_ref() {
        "interpreted_string_literal" | "raw_string_literal" => Some("string"),
        _ if syntax::is_bool_literal(node) => Some("bool"),
        _ => None,
    }
}

/// Where the kind whose default type is `ty` stands in Go's order of
/// untyped numeric kinds (`int` 0 … `complex128` 3); `None` for any other type.
pub fn numeric_kind_rank(ty: &str) -> Option<usize> {
    NUMERIC_KINDS.iter().position(|(_, t)| *t == ty)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literal_defaults_and_kinds() {
        let tree = syntax::parse("package p\n\nvar _ = f(1, 'x', 2.5, 3i, \"s\", `r`, true, x)\n");
        let args: Vec<_> = tree
            .root()
            .dfs()
            .find(|n| n.kind() == "argument_list" || n.kind() == "arguments")
            .map(|a| syntax::code_children(&a))
            .unwrap();
        let defaults: Vec<_> = args.iter().map(untyped_default).collect();
        assert_eq!(
            defaults,
            [
                Some("int"),
                Some("rune"),
                Some("float64"),
                Some("complex128"),
                Some("string"),
                Some("string"),
                Some("bool"),
                None
            ]
        );
        assert!(numeric_kind_rank("int") < numeric_kind_rank("rune"));
        assert!(numeric_kind_rank("float64") < numeric_kind_rank("complex128"));
        assert_eq!(numeric_kind_rank("string"), None);
        assert!(has_nan("float32") && has_nan("complex64") && !has_nan("int") && !is_basic("any"));
    }
}
