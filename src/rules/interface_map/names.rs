//! Whether the struct type name a fix would declare can collide with the type
//! another fix of the same run declares: names are built from the function
//! and the variable (`layout::type_name`), so `fooBar`+`x` and `foo`+`barX`
//! both give `fooBarX`, and two `init` functions both give `initConf`. The
//! top-level functions of every file of the package are read with the lexer.

use super::layout;
use crate::go::lex::{self, Tok};
use crate::go::syntax::{code_children, GoNode};

/// Why `type_name`, made for variable `var` of the top-level function `top`,
/// may be made for another variable too, if it may.
pub fn collision(
    type_name: &str,
    top: &GoNode,
    var: &str,
    own_text: &str,
    others: &[Option<String>],
) -> Option<String> {
    let var_camel = layout::camel(var)?;
    let own_base = type_name.strip_suffix(var_camel.as_str())?.to_string();
    let rival = |base: &str| {
        type_name.strip_prefix(base).is_some_and(|rest| {
            rest.chars()
                .next()
                .is_some_and(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
        })
    };
    let own = function_bases(own_text)
        .into_iter()
        .filter(|(_, at)| *at != top.range().start)
        .map(|(b, _)| b);
    let siblings = others.iter().flatten().flat_map(|t| function_bases(t)).map(|(b, _)| b);
    if let Some(base) = own.chain(siblings).find(|b| rival(b)) {
        let which = if base == own_base {
            "another function of the same name"
        } else {
            "the function "
        };
        let shown = if base == own_base { String::new() } else { base };
        return Some(format!("{which}{shown} may give the same type name {type_name}"));
    }
    let same = top
        .dfs()
        .filter(|n| n.kind() == "identifier" && is_declaration(n))
        .filter(|n| layout::camel(&n.text()).as_deref() == Some(var_camel.as_str()))
        .filter(may_be_struct_like_map)
        .count();
    (same > 1).then(|| format!("another variable of this function gives the same type name {type_name}"))
}

/// Whether the variable a declaring identifier names may be one this rule
/// fixes too: its declaration mentions a map from strings to `any` or
/// `interface{}` (or gives no type to tell).
fn may_be_struct_like_map(id: &GoNode) -> bool {
    let Some(decl) = id.ancestors().find(|a| {
        matches!(
            a.kind().as_ref(),
            "short_var_declaration" | "var_spec" | "parameter_declaration" | "range_clause" | "receive_statement"
        )
    }) else {
        return true;
    };
    let text: String = decl.text().split_whitespace().collect();
    !text.contains("map[") || text.contains("map[string]any") || text.contains("map[string]interface{}")
}

/// Whether the identifier is the name a declaration declares.
fn is_declaration(id: &GoNode) -> bool {
    let Some(parent) = id.parent() else {
        return false;
    };
    match parent.kind().as_ref() {
        "var_spec" | "const_spec" | "parameter_declaration" => {
            parent.field_children("name").any(|n| n.range() == id.range())
        }
        "expression_list" => parent.parent().is_some_and(|s| {
            matches!(
                s.kind().as_ref(),
                "short_var_declaration" | "range_clause" | "receive_statement"
            ) && s.field("left").is_some_and(|l| l.range() == parent.range())
                && code_children(&parent).iter().any(|n| n.range() == id.range())
        }),
        _ => false,
    }
}

/// The name base (`layout::type_name` without the variable) of every
/// top-level function and method of a file, with the offset of its `func`.
fn function_bases(text: &str) -> Vec<(String, usize)> {
    let toks: Vec<(Tok, usize)> = lex::tokens(text).filter(|(t, _)| *t != Tok::Newline).collect();
    let word = |i: usize| match toks.get(i) {
        Some((Tok::Word(s, e), _)) => Some(&text[*s..*e]),
        _ => None,
    };
    let mut out = Vec::new();
    let mut depth = 0usize;
    for i in 0..toks.len() {
        match toks[i].0 {
            Tok::Punct(b'(' | b'[' | b'{') => depth += 1,
            Tok::Punct(b')' | b']' | b'}') => depth = depth.saturating_sub(1),
            Tok::Word(..) if depth == 0 && word(i) == Some("func") => {
                if let Some(name) = word(i + 1) {
                    if let Some(base) = layout::lower_camel(name) {
                        out.push((base, toks[i].1));
                    }
                } else if toks.get(i + 1).is_some_and(|t| t.0 == Tok::Punct(b'(')) {
                    // The receiver: its type is the last name outside brackets.
                    let (mut j, mut d, mut recv) = (i + 2, 0usize, None);
                    while j < toks.len() {
                        match toks[j].0 {
                            Tok::Punct(b'(' | b'[') => d += 1,
                            Tok::Punct(b']') => d = d.saturating_sub(1),
                            Tok::Punct(b')') if d == 0 => break,
                            Tok::Punct(b')') => d -= 1,
                            Tok::Word(..) if d == 0 => recv = word(j),
                            _ => {}
                        }
                        j += 1;
                    }
                    if let (Some(recv), Some(name)) = (recv, word(j + 1)) {
                        if let (Some(r), Some(n)) = (layout::lower_camel(recv), layout::camel(name)) {
                            out.push((format!("{r}{n}"), toks[i].1));
                        }
                    }
                }
            }
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_functions_and_methods() {
        let src = "package p\n\nfunc init() {}\n\nfunc (s *Server[K]) Handle() { _ = func() {} }\n\nfunc (Cmd) run() {}\n\nvar f = func() {}\n";
        let bases: Vec<String> = function_bases(src).into_iter().map(|(b, _)| b).collect();
        assert_eq!(bases, ["init", "serverHandle", "cmdRun"]);
    }
}
