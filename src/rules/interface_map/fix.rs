//! interface-map's fix: the struct type declared before the function, the
//! map's literal and index uses rewritten to fields. Not the analysis of
//! whether the map is a struct in disguise (`mod.rs`).

use super::*;

#[allow(clippy::too_many_arguments)]
pub(super) fn plan_fix<'r>(
    ctx: &RuleContext,
    cx: &Cx,
    decl: &MapDecl<'r>,
    entries: &[Entry<'r>],
    all: &[Use<'r>],
    keys: std::collections::BTreeMap<String, fields::Key<'r>>,
    json: JsonUse<'r>,
    top: Option<&GoNode<'r>>,
    root: &GoNode<'r>,
) -> Result<Fix, String> {
    let name = decl.name.text().to_string();
    if let Some(why) = all.iter().find_map(|u| match u {
        Use::NoFix(why) | Use::JsonDecode(Some(why)) => Some(why.clone()),
        _ => None,
    }) {
        return Err(why);
    }
    if let Some(why) = all.iter().find_map(|u| match u {
        Use::Key {
            access: Access::Problem(why) | Access::Inspected { why, .. },
            ..
        } => Some(why.clone()),
        _ => None,
    }) {
        return Err(why);
    }
    let top = top.ok_or("the map is not inside a named function, so the type has no name to take")?;
    let fields = fields::plan(keys, &json, cx)?;
    let type_name = layout::type_name(top, &name).ok_or("the function and variable names give no Go type name")?;
    let used = root.dfs().any(|n| {
        matches!(
            n.kind().as_ref(),
            "identifier" | "type_identifier" | "package_identifier"
        ) && n.text() == type_name
    });
    if used || ctx.scope.declares(&type_name) {
        return Err(format!("the type name {type_name} is already used in this package"));
    }
    let others: Vec<Option<String>> = ctx
        .scope
        .other_file_texts()
        .into_iter()
        .map(|(_, t)| t.map(|t| t.to_string()))
        .collect();
    if let Some(why) = super::names::collision(&type_name, top, &name, ctx.text, &others) {
        return Err(why);
    }
    if top.kind() == "method_declaration"
        && ctx
            .scope
            .is_package_func(type_name.trim_end_matches(&layout::camel(&name).unwrap_or_default()))
    {
        return Err(format!("a package function would give the same type name {type_name}"));
    }
    if decl.declared_type.is_some()
        && decl.name.parent().and_then(|s| s.parent()).is_some_and(|l| {
            l.kind() == "var_declaration" && l.children().filter(|s| s.kind() == "var_spec").count() > 1
        })
    {
        return Err("the variable is declared in a var group, whose columns mapfix does not re-align".into());
    }
    let mut edits = vec![TextEdit {
        range: insertion_point(top)..insertion_point(top),
        replacement: format!("{}\n\n", layout::struct_decl(&type_name, &field_list(&fields))),
    }];
    if let Some(t) = &decl.declared_type {
        edits.push(TextEdit {
            range: t.range(),
            replacement: type_name.clone(),
        });
    }
    match &decl.init {
        Init::Literal(lit) => {
            let ty = lit.field("type").ok_or("the map literal has no type")?;
            let open = if in_statement_header(lit) { "(" } else { "" };
            edits.push(TextEdit {
                range: ty.range(),
                replacement: format!("{open}{type_name}"),
            });
            edits.extend(literal_key_edits(ctx.text, lit, entries, &fields)?);
            if !open.is_empty() {
                edits.push(TextEdit {
                    range: lit.range().end..lit.range().end,
                    replacement: ")".into(),
                });
            }
        }
        Init::Make(call) => {
            let args = code_children(&call.field("arguments").ok_or("make has no arguments")?);
            if args
                .get(1)
                .is_some_and(|n| !syntax::is_pure_expression(n) && !is_len_call(n))
            {
                return Err("the size argument of make has side effects".into());
            }
            let literal = format!("{type_name}{{}}");
            let literal = if in_statement_header(call) {
                format!("({literal})")
            } else {
                literal
            };
            edits.push(TextEdit {
                range: call.range(),
                replacement: literal,
            });
        }
        Init::Nil => {}
    }
    for f in &fields {
        for node in &f.key.replaced {
            edits.push(TextEdit {
                range: node.range(),
                replacement: format!("{name}.{}", f.name),
            });
        }
    }
    if let Some(line) = layout::breaks_comment_column(root, ctx.text, &edits) {
        return Err(format!(
            "line {line} has a trailing comment aligned with its neighbours, which mapfix does not re-align"
        ));
    }
    Ok(Fix {
        safety: FixSafety::Unsafe,
        description: format!("replace map {name} with struct type {type_name}"),
        unsafe_reason: None,
        edits,
        imports: Vec::new(),
    })
}

/// Whether `T{…}` at `node` would sit in an `if`/`for`/`switch` header,
/// where Go parses its brace as the start of the block: it needs parentheses.
fn in_statement_header(node: &GoNode) -> bool {
    for a in node.ancestors() {
        match a.kind().as_ref() {
            "block" | "literal_value" | "parenthesized_expression" | "index_expression" | "arguments" => return false,
            "if_statement" | "for_statement" | "expression_switch_statement" | "type_switch_statement" => return true,
            _ => {}
        }
    }
    false
}

fn is_len_call(n: &GoNode) -> bool {
    n.kind() == "call_expression"
        && n.field("function").is_some_and(|f| f.text() == "len")
        && n.field("arguments")
            .is_some_and(|a| code_children(&a).iter().all(syntax::is_pure_expression))
}

fn field_list(fields: &[FieldPlan]) -> Vec<layout::Field> {
    fields
        .iter()
        .map(|f| layout::Field {
            name: f.name.clone(),
            ty: f.ty.clone(),
            tag: f.tag.clone(),
        })
        .collect()
}

/// Where the type declaration goes: above the function and its doc comment.
fn insertion_point(top: &GoNode) -> usize {
    let mut at = top.range().start;
    let mut line = top.start_pos().line();
    let mut prev = top.prev();
    while let Some(p) = prev {
        if !p.is_named() {
            prev = p.prev();
            continue;
        }
        if p.kind() != "comment" || p.end_pos().line() + 1 != line {
            break;
        }
        at = p.range().start;
        line = p.start_pos().line();
        prev = p.prev();
    }
    at
}

/// Edits turning the literal's `"key": value` into `Field: value`, aligned as gofmt aligns them.
fn literal_key_edits(
    text: &str,
    lit: &GoNode,
    entries: &[Entry],
    fields: &[FieldPlan],
) -> Result<Vec<TextEdit>, String> {
    let body = lit.field("value").ok_or("the map literal has no body")?;
    if syntax::contains_comment(&body) {
        return Err("the map literal contains comments, which mapfix does not re-align".into());
    }
    let field_of = |k: &str| {
        fields
            .iter()
            .find(|f| f.key.key == k)
            .map(|f| f.name.clone())
            .unwrap_or_default()
    };
    let has_newline = |a: usize, b: usize| text[a..b].contains('\n');
    let body_range = body.range();
    let separators: Vec<String> = if !has_newline(body_range.start, body_range.end) {
        vec![": ".to_string(); entries.len()]
    } else {
        let mut prev_end = body_range.start;
        let mut elements = Vec::new();
        for (i, e) in entries.iter().enumerate() {
            let r = e.element.range();
            let gap = &text[prev_end..r.start];
            if !gap.contains('\n') {
                return Err("the map literal has several entries on one line".into());
            }
            let blank_before = i > 0 && gap.matches('\n').count() > 1;
            elements.push(layout::Element {
                key: field_of(&e.key),
                single_line: !has_newline(r.start, r.end),
                blank_before,
            });
            prev_end = r.end;
        }
        if !has_newline(prev_end, body_range.end) {
            return Err("the map literal's closing brace follows its last entry".into());
        }
        layout::keyed_separators(&elements)
    };
    Ok(entries
        .iter()
        .zip(separators)
        .map(|(e, sep)| TextEdit {
            range: e.key_node.range().start..e.value.range().start,
            replacement: format!("{}{sep}", field_of(&e.key)),
        })
        .collect())
}
