//! The `sync.Map` rewrite of a local map variable: its declaration becomes
//! `var m sync.Map` (initial entries become `Store` calls) and every use in
//! its function is rewritten — `m[k] = v` → `m.Store(k, v)`, `delete(m, k)`
//! → `m.Delete(k)`, `clear(m)` → `m.Clear()` (Go ≥ 1.23), reads →
//! `m.Load(k)` with a comma-ok type assertion, `range` → `m.Range` (see
//! `range_fix`). Keys and values are converted to the map's types, so that a
//! `Store` of an untyped constant and a later `Load` agree. Any other use
//! means no fix, with the reason.

use super::range_fix;
use super::target::MapTarget;
use crate::go::goversion::GoVersion;
use crate::go::scope;
use crate::go::syntax::{self, code_children, GoNode};
use crate::go::types::{self, TypeExpr, TypeKind};
use crate::rules::{Fix, FixSafety, RuleContext, TextEdit};

/// What the rewrite of one variable needs to know.
pub struct Rewrite<'a> {
    pub ctx: &'a RuleContext<'a>,
    pub name: String,
    pub key: String,
    pub value: String,
    /// `any`, or `interface{}` before Go 1.18.
    pub any: &'static str,
    /// Temporary names chosen so far (they must not clash with each other).
    pub taken: std::cell::RefCell<Vec<String>>,
}

pub fn plan(ctx: &RuleContext, target: &MapTarget) -> Result<Fix, String> {
    let name = target.name();
    let map_type = target
        .map_type
        .clone()
        .ok_or_else(|| format!("the type of {name} is not written out"))?;
    let (key, value) = types::map_parts(&map_type, ctx.scope).ok_or("the map type is not known")?;
    let decl_at = target.root.decl_at.ok_or("no local declaration")?;
    let root = target.expr.ancestors().last().ok_or("no tree")?;
    let decl_ident = root
        .dfs()
        .find(|n| n.kind() == "identifier" && n.range().start == decl_at)
        .ok_or("declaration not found")?;
    let func = syntax::enclosing_function(&decl_ident).ok_or("not in a function")?;
    let uses: Vec<GoNode> = func
        .dfs()
        .filter(|n| n.kind() == "identifier" && n.range().start != decl_at && target.is(n, ctx))
        .collect();
    let sites: Vec<GoNode> = std::iter::once(decl_ident.clone())
        .chain(uses.iter().cloned())
        .collect();
    if !scope::package_name_free("sync", "sync", &sites, ctx.scope) {
        return Err("the name sync does not refer to the sync package here".into());
    }
    // The types copied into conversions and assertions must mean the same at every use.
    let copied = scope::predeclared_types_in(&format!("{key} {value}"));
    if let Some(name) = sites.iter().find_map(|s| scope::first_shadowed(&copied, s, ctx.scope)) {
        return Err(format!("`{name}` is declared here (not the predeclared type)"));
    }
    let any_builtin = sites.iter().all(|s| scope::builtin_visible("any", s, ctx.scope));
    let rw = Rewrite {
        ctx,
        name: name.clone(),
        key,
        value,
        any: if ctx.go_version() >= GoVersion(18) && any_builtin {
            "any"
        } else {
            "interface{}"
        },
        taken: Default::default(),
    };
    let mut edits = declaration(&rw, &decl_ident)?;
    for use_ in &uses {
        edits.extend(rewrite_use(&rw, use_)?);
    }
    edits.sort_by_key(|e| (e.range.start, e.range.end));
    if edits.windows(2).any(|w| w[0].range.end > w[1].range.start) {
        return Err(format!("uses of {name} are nested in one another"));
    }
    Ok(Fix {
        safety: FixSafety::Unsafe,
        description: format!("make {name} a sync.Map (Store/Load/Delete/Range)"),
        unsafe_reason: None,
        edits,
        imports: vec!["sync".into()],
    })
}

/// `m := make(map[K]V)`, `m := map[K]V{…}`, `var m map[K]V`, `var m = …` →
/// `var m sync.Map`, plus one `Store` per initial entry.
fn declaration(rw: &Rewrite, ident: &GoNode) -> Result<Vec<TextEdit>, String> {
    let refuse = || format!("the declaration of {} cannot become a sync.Map", rw.name);
    let parent = ident.parent().ok_or_else(refuse)?;
    let (stmt, value) = match parent.kind().as_ref() {
        "expression_list" => {
            let stmt = parent
                .parent()
                .filter(|s| s.kind() == "short_var_declaration")
                .ok_or_else(refuse)?;
            let [_] = code_children(&parent).try_into().map_err(|_| refuse())?;
            let [value] = code_children(&stmt.field("right").ok_or_else(refuse)?)
                .try_into()
                .map_err(|_| refuse())?;
            (stmt, Some(value))
        }
        "var_spec" => {
            let decl = parent
                .parent()
                .filter(|d| d.kind() == "var_declaration")
                .ok_or_else(refuse)?;
            if parent.field_children("name").count() != 1 || code_children(&decl).len() != 1 {
                return Err(refuse());
            }
            let value = match parent.field("value") {
                Some(v) => {
                    let [value] = code_children(&v).try_into().map_err(|_| refuse())?;
                    Some(value)
                }
                None => None,
            };
            (decl, value)
        }
        _ => return Err(refuse()),
    };
    if stmt.parent().is_none_or(|p| !syntax::is_statement_list(&p)) || syntax::contains_comment(&stmt) {
        return Err(refuse());
    }
    let entries = match &value {
        None => Vec::new(),
        Some(v) if v.kind() == "call_expression" && v.field("function").is_some_and(|f| f.text() == "make") => {
            Vec::new()
        }
        Some(v) if v.kind() == "composite_literal" => literal_entries(v).ok_or_else(refuse)?,
        Some(v) => return Err(format!("{} is initialised from `{}`", rw.name, v.text())),
    };
    let indent = syntax::line_indent(rw.ctx.text, stmt.range().start);
    let mut text = format!("var {} sync.Map", rw.name);
    for (k, v) in entries {
        text.push_str(&format!(
            "\n{indent}{}.Store({}, {})",
            rw.name,
            rw.convert(&k, &rw.key),
            rw.convert(&v, &rw.value)
        ));
    }
    Ok(vec![TextEdit {
        range: stmt.range(),
        replacement: text,
    }])
}

/// The key and value expressions of a map literal's entries.
fn literal_entries<'r>(lit: &GoNode<'r>) -> Option<Vec<(GoNode<'r>, GoNode<'r>)>> {
    let body = lit.field("value")?;
    code_children(&body)
        .into_iter()
        .map(|elem| {
            if elem.kind() != "keyed_element" {
                return None;
            }
            Some((elem.field("key")?, elem.field("element")?))
        })
        .collect()
}

/// The edits for one use of the map variable, or why it has no sync.Map form.
fn rewrite_use(rw: &Rewrite, use_: &GoNode) -> Result<Vec<TextEdit>, String> {
    let parent = use_.parent().ok_or("no parent")?;
    let line = crate::go::lines::line_col(rw.ctx.text, use_.range().start).0;
    let name = &rw.name;
    let no_form = |what: &str| format!("{what} at line {line} has no sync.Map form");
    match parent.kind().as_ref() {
        "index_expression" if parent.field("operand").is_some_and(|o| o.range() == use_.range()) => {
            index_use(rw, &parent).map_err(|e| {
                if !e.is_empty() {
                    e
                } else if is_update(&parent) {
                    no_form(&format!("`{}`", statement_text(&parent)))
                } else {
                    format!(
                        "the read {} inside `{}` (line {line}) has no one-statement sync.Map form",
                        parent.text(),
                        statement_text(&parent)
                    )
                }
            })
        }
        "arguments" => {
            let call = parent.parent().ok_or("no call")?;
            let func = call.field("function").map(|f| f.text().to_string()).unwrap_or_default();
            let args = code_children(&parent);
            let func = if matches!(func.as_str(), "delete" | "clear" | "len")
                && !scope::builtin_visible(&func, &call, rw.ctx.scope)
            {
                format!("{func} (not the builtin here)")
            } else {
                func
            };
            match (func.as_str(), args.as_slice()) {
                ("delete", [_, k]) if call.parent().is_some_and(|p| p.kind() == "expression_statement") => {
                    Ok(vec![edit(&call, format!("{name}.Delete({})", rw.convert(k, &rw.key)))])
                }
                ("clear", [_]) if rw.ctx.go_version() >= GoVersion(23) => {
                    Ok(vec![edit(&call, format!("{name}.Clear()"))])
                }
                ("len", _) => Err(no_form(&format!("len({name})"))),
                _ => Err(format!("{name} is passed to {func} at line {line}")),
            }
        }
        "range_clause" if parent.field("right").is_some_and(|r| r.range() == use_.range()) => {
            range_fix::rewrite(rw, &parent).map_err(|why| format!("the range loop at line {line} {why}"))
        }
        "unary_expression" if parent.field("operator").is_some_and(|o| o.text() == "&") => {
            Err(format!("the address of {name} is taken at line {line}"))
        }
        "expression_list" if parent.parent().is_some_and(|p| p.kind() == "return_statement") => {
            Err(format!("{name} is returned at line {line}"))
        }
        "index_expression" => Err(format!("{name} is used as an index at line {line}")),
        _ => Err(no_form(&format!("`{}`", statement_text(use_)))),
    }
}

/// `m[k] = v`, `v := m[k]`, `v, ok := m[k]`, `v = m[k]`, `if v, ok := m[k]; ok {`.
/// An empty error means "no form" (the caller words it).
fn index_use(rw: &Rewrite, index: &GoNode) -> Result<Vec<TextEdit>, String> {
    let key = index.field("index").ok_or("")?;
    let list = index.parent().filter(|p| p.kind() == "expression_list").ok_or("")?;
    let stmt = list.parent().ok_or("")?;
    let on_left = stmt.field("left").is_some_and(|l| l.range() == list.range());
    let on_right = stmt.field("right").is_some_and(|r| r.range() == list.range());
    let op = stmt
        .field("operator")
        .map(|o| o.text().to_string())
        .unwrap_or_else(|| ":=".into());
    let left = stmt.field("left").map(|l| code_children(&l)).unwrap_or_default();
    let right = stmt.field("right").map(|r| code_children(&r)).unwrap_or_default();
    let name = &rw.name;
    if stmt.kind() == "assignment" && on_left && op == "=" && left.len() == 1 && right.len() == 1 {
        let stored = format!(
            "{name}.Store({}, {})",
            rw.convert(&key, &rw.key),
            rw.convert(&right[0], &rw.value)
        );
        return Ok(vec![edit(&stmt, stored)]);
    }
    let is_read =
        on_right && right.len() == 1 && matches!(stmt.kind().as_ref(), "assignment" | "short_var_declaration");
    if !is_read || (op != "=" && op != ":=") || left.is_empty() || left.len() > 2 {
        return Err(String::new());
    }
    let load = format!("{name}.Load({})", rw.convert(&key, &rw.key));
    let in_list = stmt.parent().is_some_and(|p| syntax::is_statement_list(&p));
    let in_if = stmt
        .parent()
        .filter(|p| p.kind() == "if_statement" && p.field("init_statement").is_some_and(|i| i.range() == stmt.range()));
    let target = left[0].text().to_string();
    let ok = left.get(1).map(|o| o.text().to_string());
    if target == "_" {
        // `_, ok := m[k]`: the loaded value is not needed.
        return match ok {
            Some(_) if op == ":=" || op == "=" => Ok(vec![edit(index, load)]),
            _ => Err(String::new()),
        };
    }
    if let Some(if_stmt) = in_if {
        return if_init_load(rw, &if_stmt, &stmt, &target, ok.as_deref(), &load);
    }
    if !in_list {
        return Err(String::new());
    }
    let indent = syntax::line_indent(rw.ctx.text, stmt.range().start);
    let tmp = rw.temp_name(&target);
    let value = &rw.value;
    let text = match (op.as_str(), ok.as_deref()) {
        (":=", None | Some("_")) => format!("{tmp}, _ := {load}\n{indent}{target}, _ := {tmp}.({value})"),
        (":=", Some(ok)) => {
            let assign = if declared_in_same_scope(&left[0], &stmt) {
                "="
            } else {
                ":="
            };
            format!("{tmp}, {ok} := {load}\n{indent}{target}, _ {assign} {tmp}.({value})")
        }
        ("=", None | Some("_")) => format!("{tmp}, _ := {load}\n{indent}{target}, _ = {tmp}.({value})"),
        ("=", Some(ok)) => {
            format!(
                "var {tmp} {}\n{indent}{tmp}, {ok} = {load}\n{indent}{target}, _ = {tmp}.({value})",
                rw.any
            )
        }
        _ => return Err(String::new()),
    };
    Ok(vec![edit(&stmt, text)])
}

/// `if v, ok := m[k]; ok { … }` (no else) → `if vValue, ok := m.Load(k); ok {`
/// with `v, _ := vValue.(V)` as the first statement of the body.
fn if_init_load(
    rw: &Rewrite,
    if_stmt: &GoNode,
    init: &GoNode,
    target: &str,
    ok: Option<&str>,
    load: &str,
) -> Result<Vec<TextEdit>, String> {
    let ok = ok.filter(|o| *o != "_").ok_or("")?;
    let cond = if_stmt.field("condition").ok_or("")?;
    let body = if_stmt.field("body").ok_or("")?;
    if init.kind() != "short_var_declaration" || cond.text() != ok || if_stmt.field("else").is_some() {
        return Err(String::new());
    }
    let uses_target = body.dfs().any(|n| n.kind() == "identifier" && n.text() == target);
    if !uses_target || !rw.ctx.text[body.range().start + 1..].starts_with('\n') {
        return Err(String::new());
    }
    let tmp = rw.temp_name(target);
    let indent = syntax::line_indent(rw.ctx.text, if_stmt.range().start);
    let open = body.range().start + 1;
    Ok(vec![
        edit(init, format!("{tmp}, {ok} := {load}")),
        TextEdit {
            range: open..open,
            replacement: format!("\n{indent}\t{target}, _ := {tmp}.({})", rw.value),
        },
    ])
}

/// Whether `ident` (on the left of `stmt`'s `:=`) is already declared in the
/// scope `stmt` is in, so that `:=` assigns it rather than declaring it.
fn declared_in_same_scope(ident: &GoNode, stmt: &GoNode) -> bool {
    let Some(list) = stmt.parent() else { return false };
    let name = ident.text().to_string();
    let earlier = syntax::block_statements(&list)
        .into_iter()
        .take_while(|s| s.range().start < stmt.range().start)
        .any(|s| syntax::declared_names(&s).contains(&name) || declares_in_var(&s, &name));
    // The function's own body block: its parameters are in the same scope.
    let is_param = list.parent().filter(|_| list.kind() == "block").is_some_and(|f| {
        syntax::is_function(&f)
            && ["receiver", "parameters", "result"]
                .iter()
                .filter_map(|x| f.field(x))
                .any(|l| l.dfs().any(|n| n.kind() == "identifier" && n.text() == name))
    });
    earlier || is_param
}

fn declares_in_var(stmt: &GoNode, name: &str) -> bool {
    stmt.kind() == "var_declaration"
        && stmt
            .dfs()
            .filter(|n| n.kind() == "var_spec")
            .any(|s| s.field_children("name").any(|n| n.text() == name))
}

/// `m[k]++`, `m[k] += v`: updates in place.
fn is_update(index: &GoNode) -> bool {
    let Some(up) = index.parent() else { return false };
    match up.kind().as_ref() {
        "inc_dec_statement" => true,
        "expression_list" => up.parent().is_some_and(|s| {
            s.kind() == "assignment"
                && s.field("left").is_some_and(|l| l.range() == up.range())
                && s.field("operator").is_some_and(|o| o.text() != "=")
        }),
        _ => false,
    }
}

fn edit(node: &GoNode, replacement: String) -> TextEdit {
    TextEdit {
        range: node.range(),
        replacement,
    }
}

/// The source line(s) of the statement around a node, for messages.
fn statement_text(node: &GoNode) -> String {
    let stmt = node
        .ancestors()
        .find(|a| a.parent().is_some_and(|p| syntax::is_statement_list(&p)))
        .unwrap_or_else(|| node.clone());
    let text = stmt.text().to_string();
    let first = text.lines().next().unwrap_or_default().trim_end_matches('{').trim();
    first.to_string()
}

impl Rewrite<'_> {
    /// `expr` as a value of type `ty`: unchanged when it already has that
    /// type (or `ty` is an interface), else converted: `int64(1)`.
    fn convert(&self, expr: &GoNode, ty: &str) -> String {
        let text = expr.text().to_string();
        let parsed = TypeExpr::parse(ty);
        if expr.kind() == "literal_value" {
            // An elided composite literal: `{…}` stands for `T{…}`, or `&T{…}` when the type is `*T`.
            return match parsed.as_ref().and_then(TypeExpr::pointee) {
                Some(pointee) => format!("&{pointee}{text}"),
                None => format!("{ty}{text}"),
            };
        }
        if self.is_interface(ty) || self.has_type(expr, ty) {
            return text;
        }
        // `*T(x)`, `func()(x)` and `<-chan T(x)` would read otherwise.
        let needs_parens = parsed.as_ref().is_some_and(|t| {
            matches!(
                t.kind(),
                TypeKind::Pointer(_) | TypeKind::Func(_) | TypeKind::Chan { .. }
            )
        });
        if needs_parens {
            format!("({ty})({text})")
        } else {
            format!("{ty}({text})")
        }
    }

    fn has_type(&self, expr: &GoNode, ty: &str) -> bool {
        if let Some(d) = types::basic::untyped_default(expr) {
            return d == ty || (d == "rune" && ty == "int32");
        }
        match expr.kind().as_ref() {
            "composite_literal" => expr.field("type").is_some_and(|t| t.text() == ty),
            "unary_expression" if expr.field("operator").is_some_and(|o| o.text() == "&") => expr
                .field("operand")
                .filter(|o| o.kind() == "composite_literal")
                .and_then(|o| o.field("type"))
                .is_some_and(|t| format!("*{}", t.text()) == ty),
            "call_expression" => expr.field("function").is_some_and(|f| {
                f.text() == ty
                    || (ty == "int" && matches!(f.text().as_ref(), "len" | "cap" | "copy"))
                    || self.call_results(&f) == [ty]
            }),
            "identifier" => types::expr_type(expr, self.ctx.scope)
                .or_else(|| self.local_type(expr))
                .is_some_and(|t| t == ty),
            "selector_expression" | "index_expression" => {
                types::expr_type(expr, self.ctx.scope).is_some_and(|t| t == ty)
            }
            _ => false,
        }
    }

    /// The type of a local variable declared without one written out: a
    /// range variable over a value of known type, or `x := <literal>`.
    fn local_type(&self, ident: &GoNode) -> Option<String> {
        let decl_at = types::resolve(&ident.text(), ident, self.ctx.scope)?.decl_at?;
        let decl = ident
            .ancestors()
            .last()?
            .dfs()
            .find(|n| n.kind() == "identifier" && n.range().start == decl_at)?;
        let list = decl.parent().filter(|p| p.kind() == "expression_list")?;
        let stmt = list.parent()?;
        let index = code_children(&list).iter().position(|n| n.range() == decl.range())?;
        match stmt.kind().as_ref() {
            "short_var_declaration" => {
                let right = code_children(&stmt.field("right")?);
                if let [call] = right.as_slice() {
                    if call.kind() == "call_expression" && code_children(&list).len() > 1 {
                        return self.call_results(&call.field("function")?).get(index).cloned();
                    }
                }
                let value = right.get(index).filter(|_| right.len() == code_children(&list).len())?;
                types::basic::untyped_default(value).map(str::to_string)
            }
            "range_clause" => {
                let over = stmt.field("right")?;
                let ty = types::expr_type(&over, self.ctx.scope)?;
                if let Some((k, v)) = types::map_parts(&ty, self.ctx.scope) {
                    return Some(if index == 0 { k } else { v });
                }
                if let Some(TypeKind::Slice(elem)) = TypeExpr::parse(&ty).as_ref().map(TypeExpr::kind) {
                    return Some(if index == 0 { "int".into() } else { elem.to_string() });
                }
                match ty.as_str() {
                    "string" => Some(if index == 0 { "int" } else { "rune" }.to_string()),
                    "int" => Some("int".into()),
                    _ => None,
                }
            }
            _ => None,
        }
    }

    /// The result types of a call to a function-typed variable or to a
    /// function declared in this file (empty when unknown or named).
    fn call_results(&self, func: &GoNode) -> Vec<String> {
        if func.kind() != "identifier" {
            return Vec::new();
        }
        if let Some(ty) = types::expr_type(func, self.ctx.scope) {
            let Some(ty) = TypeExpr::parse(&ty) else {
                return Vec::new();
            };
            // The function type, in parentheses or not.
            let func_type = ty.parts().into_iter().find_map(TypeExpr::signature);
            return func_type.map_or_else(Vec::new, |sig| {
                sig.unnamed_results().iter().map(|t| t.to_string()).collect()
            });
        }
        let root = func.ancestors().last();
        let decl = root.and_then(|r| {
            r.dfs().find(|d| {
                d.kind() == "function_declaration" && d.field("name").is_some_and(|n| n.text() == func.text())
            })
        });
        decl.map(|d| results(&d)).unwrap_or_default()
    }

    /// Whether `ty` is an interface type (values of it need no conversion,
    /// and a type assertion to it fails on nil).
    pub fn is_interface(&self, ty: &str) -> bool {
        matches!(ty, "any" | "error")
            || TypeExpr::parse(ty).is_some_and(|t| t.is_interface())
            || self.ctx.scope.type_decl(ty).is_some_and(|d| d.is_interface())
    }

    /// Whether a value of `ty` stored in the map always asserts back to it
    /// (a concrete type mapfix can see).
    pub fn is_concrete(&self, ty: &str) -> bool {
        if self.is_interface(ty) {
            return false;
        }
        let Some(parsed) = TypeExpr::parse(ty) else {
            return false;
        };
        match parsed.kind() {
            TypeKind::Name(name) => types::basic::is_basic(name) || self.ctx.scope.type_decl(name).is_some(),
            TypeKind::Pointer(_)
            | TypeKind::Slice(_)
            | TypeKind::Array { .. }
            | TypeKind::Map { .. }
            | TypeKind::Chan { .. }
            | TypeKind::Func(_)
            | TypeKind::Struct(_) => true,
            _ => false,
        }
    }

    /// A fresh identifier based on `base`: not in the file, not chosen before.
    fn temp_name(&self, base: &str) -> String {
        let base = if base.chars().all(|c| c.is_alphanumeric() || c == '_') {
            base.to_string()
        } else {
            self.name.clone()
        };
        let mut taken = self.taken.borrow_mut();
        let mut n = 1;
        loop {
            let candidate = if n == 1 {
                format!("{base}Value")
            } else {
                format!("{base}Value{n}")
            };
            if !taken.contains(&candidate) && !ident_in_text(self.ctx.text, &candidate) {
                taken.push(candidate.clone());
                return candidate;
            }
            n += 1;
        }
    }
}

/// The result types of a function type or declaration whose results are
/// unnamed; empty otherwise.
fn results(func: &GoNode) -> Vec<String> {
    let Some(result) = func.field("result") else {
        return Vec::new();
    };
    if result.kind() != "parameters" {
        return vec![result.text().to_string()];
    }
    let params = code_children(&result);
    if params.iter().any(|p| p.field("name").is_some()) {
        return Vec::new();
    }
    params
        .iter()
        .filter_map(|p| p.field("type"))
        .map(|t| t.text().to_string())
        .collect()
}

/// Whether `name` occurs in `text` as a whole identifier.
pub fn ident_in_text(text: &str, name: &str) -> bool {
    let is_ident = |c: char| c.is_alphanumeric() || c == '_';
    text.match_indices(name).any(|(i, _)| {
        let before = text[..i].chars().next_back();
        let after = text[i + name.len()..].chars().next();
        !before.is_some_and(is_ident) && !after.is_some_and(is_ident)
    })
}
