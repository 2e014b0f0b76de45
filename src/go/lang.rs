//! The Go language for ast-grep: the `tree-sitter-golang` grammar (Go 1.27 syntax,
//! go/ast-shaped node kinds) behind ast-grep-core's `Language` trait.

use std::borrow::Cow;

use ast_grep_core::matcher::{Pattern, PatternBuilder, PatternError};
use ast_grep_core::tree_sitter::{LanguageExt, StrDoc, TSLanguage};
use ast_grep_core::Language;

/// Go, parsed with `tree-sitter-golang`. Rules name it `language: go` (or `golang`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Go;

/// Go identifiers cannot hold `$`, so meta-variables are rewritten to this
/// character (a letter to the grammar) before a pattern is parsed, as
/// ast-grep does for its own Go.
const EXPANDO: char = 'µ';

impl Language for Go {
    fn kind_to_id(&self, kind: &str) -> u16 {
        self.get_ts_language().id_for_node_kind(kind, true)
    }

    fn field_to_id(&self, field: &str) -> Option<u16> {
        self.get_ts_language().field_id_for_name(field).map(|f| f.get())
    }

    fn expando_char(&self) -> char {
        EXPANDO
    }

    fn pre_process_pattern<'q>(&self, query: &'q str) -> Cow<'q, str> {
        if !query.contains('$') {
            return Cow::Borrowed(query);
        }
        let mut out = String::with_capacity(query.len());
        let mut dollars = 0;
        for c in query.chars() {
            if c == '$' {
                dollars += 1;
                continue;
            }
            // `$A`, `$$A`, `$$$A`, `$_` and the anonymous `$$$`.
            let sigil = if matches!(c, 'A'..='Z' | '_') || dollars == 3 {
                EXPANDO
            } else {
                '$'
            };
            out.extend(std::iter::repeat_n(sigil, dollars));
            dollars = 0;
            out.push(c);
        }
        let sigil = if dollars == 3 { EXPANDO } else { '$' };
        out.extend(std::iter::repeat_n(sigil, dollars));
        Cow::Owned(out)
    }

    fn build_pattern(&self, builder: &PatternBuilder) -> Result<Pattern, PatternError> {
        builder.build(|src| StrDoc::try_new(src, *self))
    }
}

impl LanguageExt for Go {
    fn get_ts_language(&self) -> TSLanguage {
        tree_sitter_golang::LANGUAGE.into()
    }
}

impl std::fmt::Display for Go {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("go")
    }
}

impl<'de> serde::Deserialize<'de> for Go {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = String::deserialize(deserializer)?;
        if name.eq_ignore_ascii_case("go") || name.eq_ignore_ascii_case("golang") {
            Ok(Go)
        } else {
            Err(serde::de::Error::custom(format!(
                "unsupported language `{name}`: mapfix rules are `language: go`"
            )))
        }
    }
}

/// Whether `kind` names a node kind of this grammar (named or not).
pub fn is_known_kind(kind: &str) -> bool {
    let lang = Go.get_ts_language();
    lang.id_for_node_kind(kind, true) != 0 || lang.id_for_node_kind(kind, false) != 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_go_1_26_syntax() {
        let src = "package p\n\nimport \"time\"\n\nvar d = new(3 * time.Second)\n\ntype S struct{}\n\nfunc (S) M[T any](x T) T { return x }\n";
        let tree = Go.ast_grep(src);
        assert!(
            !tree.root().get_inner_node().has_error(),
            "{}",
            tree.root().get_inner_node().to_sexp()
        );
    }

    #[test]
    fn patterns_with_meta_variables_match() {
        let tree =
            Go.ast_grep("package p\n\nfunc f(m map[int]int) {\n\tfor k := range m {\n\t\tdelete(m, k)\n\t}\n}\n");
        let pat = Pattern::try_new("delete($M, $K)", Go).unwrap();
        assert_eq!(tree.root().find_all(&pat).count(), 1);
        assert!(is_known_kind("for_statement"));
        assert!(!is_known_kind("func_literal"));
    }
}
