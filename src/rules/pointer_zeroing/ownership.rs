//! pointer-zeroing's ownership proof: whether every `*T` the map holds was
//! created in this package and is reachable only through the map, so that
//! zeroing it when it is deleted cannot be seen by any other code.
//!
//! Every file of the package in the directory is scanned for uses of the map
//! (by package-level name or field name) and of the variables stored into
//! it. Anything the scan does not recognise as harmless defeats the proof.

use super::MapRef;
use crate::go::lex;
use crate::go::syntax::{self, code_children, GoNode};
use crate::go::types::{basic, PackageScope, TypeExpr, TypeKind};
use crate::rules::RuleContext;
use std::path::Path;

/// The map and its value type, as the scan needs them.
pub struct Owned<'a> {
    pub map: &'a MapRef,
    pub struct_name: &'a str,
    /// Fields of the struct: name and type text.
    pub fields: &'a [(String, String)],
}

/// Why the map cannot be shown to own what it points to; `None` when it can.
pub fn why_not_owned(ctx: &RuleContext, target: &Owned, own_root: &GoNode) -> Option<String> {
    let name = target.map.name();
    if name.starts_with(|c: char| c.is_uppercase()) {
        return Some(format!(
            "{name} is exported: code in other packages may store or keep its entries"
        ));
    }
    let own_name = file_label(&ctx.file.path);
    if let Err(why) = scan(target, own_root, &own_name, ctx.scope) {
        return Some(why);
    }
    for (path, text) in ctx.scope.other_file_texts() {
        let Some(text) = text else {
            return Some(format!("{} cannot be read", file_label(&path)));
        };
        let text = text.trim_start_matches('\u{feff}');
        if lex::word_occurrences(text, name).next().is_none() {
            continue;
        }
        let label = file_label(&path);
        let Some(tree) = syntax::parse_shallow(text) else {
            return Some(format!("{label} nests too deep to read"));
        };
        let root = tree.root();
        if syntax::first_error(&root).is_some() {
            return Some(format!("{label} does not parse"));
        }
        if let Err(why) = scan(target, &root, &label, &ctx.scope.for_file(&root, &path)) {
            return Some(why);
        }
    }
    None
}

fn file_label(path: &Path) -> String {
    path.file_name()
        .map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned())
}

/// Checks every use of the map in one file.
fn scan(target: &Owned, root: &GoNode, file: &str, scope: &PackageScope) -> Result<(), String> {
    let scan = Scan { target, file };
    for node in root.dfs() {
        if target.map.matches(&node, scope) {
            scan.map_use(&node)?;
        } else if node.kind() == "keyed_element" {
            // `Server{conns: make(...)}` sets the field without a selector
            // (in a literal of the struct holding it, when that is known).
            let is_field_key = matches!(target.map, MapRef::Field { .. })
                && node
                    .field("key")
                    .is_some_and(|k| k.kind() == "identifier" && k.text() == target.map.name())
                && target.map.may_own(literal_type(&node));
            if is_field_key {
                let value = node.field("element");
                if !value.is_some_and(|v| scan.fresh_map_value(&v)) {
                    return Err(format!(
                        "{} sets {} to a map it did not make",
                        scan.at(&node),
                        target.map.name()
                    ));
                }
            }
        }
    }
    Ok(())
}

/// The type name of the composite literal a keyed element is in
/// (`Server{…}`, `&Server{…}`); `None` when it is not a named type.
fn literal_type(element: &GoNode) -> Option<String> {
    let literal = element.ancestors().find(|a| a.kind() == "composite_literal")?;
    // A nested literal (`[]T{{k: v}}`) has no type of its own: the element's is unknown.
    let ty = literal.field("type")?;
    matches!(ty.kind().as_ref(), "type_identifier" | "generic_type").then(|| {
        let text = ty.text();
        text.split('[').next().unwrap_or(&text).to_string()
    })
}

struct Scan<'a> {
    target: &'a Owned<'a>,
    file: &'a str,
}

/// The node and its parent, looking through parentheses.
fn context<'r>(node: &GoNode<'r>) -> (GoNode<'r>, Option<GoNode<'r>>) {
    let mut cur = node.clone();
    while let Some(p) = cur.parent() {
        if p.kind() != "parenthesized_expression" {
            return (cur, Some(p));
        }
        cur = p;
    }
    (cur, None)
}

fn same(a: &GoNode, b: &GoNode) -> bool {
    a.range() == b.range() && a.kind() == b.kind()
}

fn is_nil_comparison(parent: &GoNode) -> bool {
    parent.kind() == "binary_expression"
        && parent
            .field("operator")
            .is_some_and(|o| matches!(o.text().as_ref(), "==" | "!="))
        && [parent.field("left"), parent.field("right")]
            .iter()
            .flatten()
            .any(syntax::is_nil)
}

/// The named function around `node`, for notes.
fn function_name(node: &GoNode) -> String {
    node.ancestors()
        .filter(|a| matches!(a.kind().as_ref(), "function_declaration" | "method_declaration"))
        .find_map(|f| f.field("name").map(|n| n.text().to_string()))
        .unwrap_or_else(|| "a package-level initialiser".into())
}

impl Scan<'_> {
    /// `Open (sessions.go:12)`: where a use is, for notes.
    fn at(&self, node: &GoNode) -> String {
        format!(
            "{} ({}:{})",
            function_name(node),
            self.file,
            node.start_pos().line() + 1
        )
    }

    /// A use of the map itself: it must not be handed on or replaced by a
    /// map from elsewhere; its entries are checked one by one.
    fn map_use(&self, node: &GoNode) -> Result<(), String> {
        let name = self.target.map.name();
        let (node, Some(parent)) = context(node) else {
            return Ok(());
        };
        match parent.kind().as_ref() {
            "arguments" => {
                let call = parent.parent();
                let callee = call
                    .as_ref()
                    .and_then(|c| c.field("function"))
                    .map(|f| f.text().to_string())
                    .unwrap_or_default();
                let first = code_children(&parent).first().is_some_and(|a| same(a, &node));
                match callee.as_str() {
                    "delete" | "clear" if first => Ok(()),
                    "len" => Ok(()),
                    _ => Err(format!("{} passes the map to {callee}", self.at(&node))),
                }
            }
            "index_expression" if parent.field("operand").is_some_and(|o| same(&o, &node)) => self.entry_use(&parent),
            "range_clause" => {
                let value = parent
                    .field("left")
                    .and_then(|l| code_children(&l).get(1).map(|v| v.text().to_string()));
                match value {
                    Some(v) if v != "_" => Err(format!(
                        "{} ranges over the map into {v}, which may outlive a delete",
                        self.at(&node)
                    )),
                    _ => Ok(()),
                }
            }
            _ if is_nil_comparison(&parent) => Ok(()),
            "var_spec" if parent.field_children("name").any(|n| same(&n, &node)) => {
                let names: Vec<_> = parent.field_children("name").collect();
                let values: Vec<_> = parent.field("value").map(|v| code_children(&v)).unwrap_or_default();
                let i = names.iter().position(|n| same(n, &node)).unwrap_or(0);
                match values.get(i) {
                    None if values.is_empty() => Ok(()),
                    Some(v) if values.len() == names.len() && self.fresh_map_value(v) => Ok(()),
                    _ => Err(format!(
                        "{} initialises {name} with a map it did not make",
                        self.at(&node)
                    )),
                }
            }
            "keyed_element" if matches!(self.target.map, MapRef::Package(_)) => {
                // A struct literal's field key that happens to share the name.
                Ok(())
            }
            "expression_list" => {
                let assign = parent.parent().filter(|a| a.kind() == "assignment");
                let sole_left = assign.as_ref().is_some_and(|a| {
                    a.field("left").is_some_and(|l| same(&l, &parent))
                        && code_children(&parent).len() == 1
                        && a.field("operator").is_some_and(|o| o.text() == "=")
                });
                let value = assign
                    .as_ref()
                    .and_then(|a| a.field("right"))
                    .map(|r| code_children(&r))
                    .filter(|r| r.len() == 1)
                    .and_then(|r| r.into_iter().next());
                if sole_left && value.is_some_and(|v| self.fresh_map_value(&v)) {
                    Ok(())
                } else {
                    Err(format!("{} shares the map itself ({})", self.at(&node), parent.text()))
                }
            }
            _ => Err(format!("{} uses the map itself ({})", self.at(&node), parent.text())),
        }
    }

    /// `make(...)`, `nil`, or a literal whose entries are all fresh pointers.
    fn fresh_map_value(&self, value: &GoNode) -> bool {
        match value.kind().as_ref() {
            "call_expression" => value.field("function").is_some_and(|f| f.text() == "make"),
            // `{…}` in a `map[K]*T` literal is an elided `&T{…}`.
            "composite_literal" => value.field("value").is_none_or(|body| {
                code_children(&body).iter().all(|el| {
                    el.kind() == "keyed_element"
                        && el
                            .field("element")
                            .is_some_and(|e| is_fresh_pointer(&e) || e.kind() == "literal_value")
                })
            }),
            "parenthesized_expression" => code_children(value).first().is_some_and(|v| self.fresh_map_value(v)),
            _ => syntax::is_nil(value),
        }
    }

    /// A use of one entry `m[k]`.
    fn entry_use(&self, entry: &GoNode) -> Result<(), String> {
        let (entry, Some(parent)) = context(entry) else {
            return Ok(());
        };
        if parent.kind() == "expression_list" {
            if let Some(assign) = parent.parent().filter(|a| a.kind() == "assignment") {
                if assign.field("left").is_some_and(|l| same(&l, &parent)) {
                    return self.store(&assign, &parent);
                }
            }
            if let Some(decl) = parent.parent().filter(|d| d.kind() == "short_var_declaration") {
                let left = decl.field("left").map(|l| code_children(&l)).unwrap_or_default();
                let presence_only = left.len() == 2 && left[0].text() == "_";
                if presence_only || is_zeroing(&decl) {
                    return Ok(());
                }
            }
            if let Some(assign) = parent.parent().filter(|a| a.kind() == "assignment") {
                let left = assign.field("left").map(|l| code_children(&l)).unwrap_or_default();
                if left.len() == 2 && left[0].text() == "_" {
                    return Ok(());
                }
            }
        }
        self.value_use(&entry, &parent, "an entry")
    }

    /// `m[k] = v`: the stored pointer must be created here and held by nothing else.
    fn store(&self, assign: &GoNode, left: &GoNode) -> Result<(), String> {
        let right = assign.field("right").map(|r| code_children(&r)).unwrap_or_default();
        let sole = code_children(left).len() == 1 && right.len() == 1;
        if !sole || assign.field("operator").is_none_or(|o| o.text() != "=") {
            return Err(format!(
                "{} stores into the map in a form mapfix does not follow",
                self.at(assign)
            ));
        }
        let value = &right[0];
        if is_fresh_pointer(value) || syntax::is_nil(value) {
            return Ok(());
        }
        if value.kind() == "identifier" {
            return self.fresh_variable(value, assign);
        }
        Err(format!(
            "{} stores {}, which it did not create with &{}{{}} or new({}), into the map",
            self.at(assign),
            value.text(),
            self.target.struct_name,
            self.target.struct_name
        ))
    }

    /// `v` in `m[k] = v`: declared once as `v := &T{…}` (or `new(T)`) in the
    /// same function, stored into the map once and used otherwise only for
    /// its fields, outside closures and loops that could store it twice.
    fn fresh_variable(&self, var: &GoNode, store: &GoNode) -> Result<(), String> {
        let name = var.text().to_string();
        let store_func = syntax::enclosing_function(store);
        let Some(outer) = store.ancestors().filter(syntax::is_function).last() else {
            return Err(format!("{} stores {name} outside a function", self.at(store)));
        };
        let not_created = || {
            Err(format!(
                "{} stores {name}, which it did not create with &{}{{}} or new({}), into the map",
                self.at(store),
                self.target.struct_name,
                self.target.struct_name
            ))
        };
        let uses: Vec<GoNode> = outer
            .dfs()
            .filter(|n| n.kind() == "identifier" && n.text() == name)
            .collect();
        let decls: Vec<&GoNode> = uses.iter().filter(|u| declaration_value(u).is_some()).collect();
        let [decl] = decls[..] else {
            return not_created();
        };
        if !declaration_value(decl).flatten().is_some_and(|v| is_fresh_pointer(&v)) {
            return not_created();
        }
        let decl_func = syntax::enclosing_function(decl);
        if decl_func.as_ref().map(GoNode::range) != store_func.as_ref().map(GoNode::range) {
            return Err(format!("{} stores {name} from inside a closure", self.at(store)));
        }
        let decl_loops: Vec<_> = decl
            .ancestors()
            .filter(|a| a.kind() == "for_statement")
            .map(|a| a.range())
            .collect();
        if store
            .ancestors()
            .take_while(|a| !syntax::is_function(a))
            .any(|a| a.kind() == "for_statement" && !decl_loops.contains(&a.range()))
        {
            return Err(format!(
                "{} stores {name} inside a loop that does not create it, so one pointer may sit under several keys",
                self.at(store)
            ));
        }
        let mut stores = 0;
        for use_ in uses.iter().filter(|u| !same(u, decl)) {
            if syntax::enclosing_function(use_).map(|f| f.range()) != decl_func.as_ref().map(GoNode::range) {
                return Err(format!("{} captures {name} in a closure", self.at(use_)));
            }
            let (use_, Some(parent)) = context(use_) else { continue };
            let is_store = parent.kind() == "expression_list"
                && parent
                    .parent()
                    .is_some_and(|a| same(&a, store) && a.field("right").is_some_and(|r| same(&r, &parent)));
            if is_store {
                stores += 1;
                continue;
            }
            let reassigned = parent.kind() == "expression_list"
                && parent.parent().is_some_and(|a| {
                    matches!(a.kind().as_ref(), "assignment" | "short_var_declaration")
                        && a.field("left").is_some_and(|l| same(&l, &parent))
                });
            if reassigned {
                return Err(format!("{} assigns {name} again", self.at(&use_)));
            }
            self.value_use(&use_, &parent, &name)?;
        }
        if stores != 1 {
            return Err(format!("{} stores {name} more than once", self.at(store)));
        }
        Ok(())
    }

    /// A use of a pointer the map holds (`what`: "an entry", or the name of
    /// a variable holding a fresh one) that is not a store into the map:
    /// nil comparisons and field accesses are harmless; handing the pointer
    /// on in any way is not.
    fn value_use(&self, node: &GoNode, parent: &GoNode, what: &str) -> Result<(), String> {
        let at = self.at(node);
        if is_nil_comparison(parent) {
            return Ok(());
        }
        match parent.kind().as_ref() {
            "selector_expression" if parent.field("operand").is_some_and(|o| same(&o, node)) => {
                let field = parent.field("field").map(|f| f.text().to_string()).unwrap_or_default();
                let Some((_, ty)) = self.target.fields.iter().find(|(n, _)| *n == field) else {
                    let in_go = parent
                        .parent()
                        .filter(|c| c.kind() == "call_expression")
                        .and_then(|c| c.parent())
                        .is_some_and(|g| matches!(g.kind().as_ref(), "go_statement" | "defer_statement"));
                    return Err(if in_go {
                        format!("{at} starts {what}.{field} in a goroutine")
                    } else {
                        format!("{at} uses method {field} of {what}, which may keep its receiver")
                    });
                };
                self.field_use(parent, ty, what)
            }
            "arguments" => {
                let callee = parent
                    .parent()
                    .and_then(|c| c.field("function"))
                    .map(|f| f.text().to_string())
                    .unwrap_or_default();
                Err(format!("{at} passes {what} to {callee}"))
            }
            "send_statement" => Err(format!("{at} sends {what} on a channel")),
            "keyed_element" | "literal_element" | "literal_value" => {
                Err(format!("{at} puts {what} into a composite literal"))
            }
            "expression_list" => {
                let holder = parent.parent();
                match holder.as_ref().map(|h| h.kind().to_string()).as_deref() {
                    Some("return_statement") => Err(format!("{at} returns {what}")),
                    Some("short_var_declaration") | Some("var_spec") => Err(format!(
                        "{at} loads {what} into {}, which may outlive the delete",
                        bound_name(parent, node).unwrap_or_else(|| "a variable".into())
                    )),
                    Some("assignment") => Err(format!("{at} stores {what} elsewhere")),
                    _ => Err(format!("{at} hands {what} on")),
                }
            }
            "unary_expression" if parent.field("operator").is_some_and(|o| o.text() == "*") => {
                // `*p = T{}` zeroes by hand; reading `*p` copies the struct.
                match context(parent).1 {
                    Some(g) if g.kind() == "unary_expression" => Err(format!("{at} takes the address of {what}")),
                    _ => Ok(()),
                }
            }
            _ => Err(format!(
                "{at} uses {what} in a way mapfix does not follow ({})",
                parent.text()
            )),
        }
    }

    /// `p.f` where `f` has type `ty`: reading and writing the field is
    /// harmless; its address, or a method of a field held by value (which
    /// receives that address), is not.
    fn field_use(&self, selector: &GoNode, ty: &str, what: &str) -> Result<(), String> {
        let (selector, Some(parent)) = context(selector) else {
            return Ok(());
        };
        let at = self.at(&selector);
        let field = selector
            .field("field")
            .map(|f| f.text().to_string())
            .unwrap_or_default();
        let address = parent.kind() == "unary_expression" && parent.field("operator").is_some_and(|o| o.text() == "&");
        if address {
            return Err(format!("{at} takes the address of field {field} of {what}"));
        }
        let selected =
            parent.kind() == "selector_expression" && parent.field("operand").is_some_and(|o| same(&o, &selector));
        if selected && !is_reference_type(ty) {
            return Err(format!(
                "{at} selects into field {field} of {what}, a value of type {ty} whose methods may keep its address"
            ));
        }
        Ok(())
    }
}

/// A type whose values are references or plain data: selecting through a
/// field of this type never takes the address of the struct's memory.
fn is_reference_type(ty: &str) -> bool {
    TypeExpr::parse(ty).is_some_and(|t| match t.kind() {
        TypeKind::Name(name) => basic::is_basic(name) || name == "error",
        TypeKind::Pointer(_)
        | TypeKind::Slice(_)
        | TypeKind::Map { .. }
        | TypeKind::Chan { .. }
        | TypeKind::Func(_) => true,
        _ => false,
    })
}

/// The variable that `value`, one of the values of a `:=` or `var` spec,
/// is bound to.
fn bound_name(values: &GoNode, value: &GoNode) -> Option<String> {
    let holder = values.parent()?;
    let names: Vec<_> = match holder.kind().as_ref() {
        "short_var_declaration" => code_children(&holder.field("left")?),
        _ => holder.field_children("name").collect(),
    };
    let values = code_children(values);
    let i = values.iter().position(|v| same(v, value))?;
    let name = if values.len() == names.len() {
        names.get(i)
    } else {
        names.first()
    };
    name.map(|n| n.text().to_string())
}

/// `&T{…}` or `new(T)`.
fn is_fresh_pointer(value: &GoNode) -> bool {
    match value.kind().as_ref() {
        "unary_expression" => {
            value.field("operator").is_some_and(|o| o.text() == "&")
                && value.field("operand").is_some_and(|o| o.kind() == "composite_literal")
        }
        "call_expression" => {
            value.field("function").is_some_and(|f| f.text() == "new")
                && value
                    .field("arguments")
                    .is_some_and(|a| code_children(&a).first().is_some_and(syntax::may_be_type))
        }
        "parenthesized_expression" => code_children(value).first().is_some_and(is_fresh_pointer),
        _ => false,
    }
}

/// For an identifier that a declaration introduces (`:=`, `var`, a
/// parameter, a range variable): `Some(value)` with the value it is
/// initialised with, when there is one. `None` when `ident` is not declared here.
fn declaration_value<'r>(ident: &GoNode<'r>) -> Option<Option<GoNode<'r>>> {
    let parent = ident.parent()?;
    match parent.kind().as_ref() {
        "expression_list" => {
            let holder = parent.parent()?;
            let declares = matches!(holder.kind().as_ref(), "short_var_declaration" | "range_clause")
                && holder.field("left").is_some_and(|l| same(&l, &parent));
            if !declares {
                return None;
            }
            if holder.kind() == "range_clause" {
                return Some(None);
            }
            let left = code_children(&parent);
            let right = holder.field("right").map(|r| code_children(&r)).unwrap_or_default();
            let i = left.iter().position(|n| same(n, ident))?;
            Some(right.get(i).filter(|_| left.len() == right.len()).cloned())
        }
        "var_spec" if parent.field_children("name").any(|n| same(&n, ident)) => {
            let names: Vec<_> = parent.field_children("name").collect();
            let values: Vec<_> = parent.field("value").map(|v| code_children(&v)).unwrap_or_default();
            let i = names.iter().position(|n| same(n, ident))?;
            Some(values.get(i).filter(|_| values.len() == names.len()).cloned())
        }
        "parameter_declaration" | "variadic_parameter_declaration" => Some(None),
        _ => None,
    }
}

/// The fix's own statement, `if old := m[k]; old != nil { *old = T{} }`,
/// given its init statement (so that files already fixed still prove ownership).
fn is_zeroing(decl: &GoNode) -> bool {
    let Some(stmt) = decl.parent().filter(|p| p.kind() == "if_statement") else {
        return false;
    };
    if !stmt.field("init_statement").is_some_and(|i| same(&i, decl)) || stmt.field("else").is_some() {
        return false;
    }
    let left = decl.field("left").map(|l| code_children(&l)).unwrap_or_default();
    let [var] = &left[..] else { return false };
    let name = var.text();
    let condition_ok = stmt
        .field("condition")
        .is_some_and(|c| syntax::squashed(&c) == format!("{name}!=nil"));
    let body = stmt
        .field("body")
        .map(|b| syntax::block_statements(&b))
        .unwrap_or_default();
    let body_ok = match &body[..] {
        [assign] => {
            assign.kind() == "assignment"
                && assign
                    .field("left")
                    .is_some_and(|l| syntax::squashed(&l) == format!("*{name}"))
                && assign
                    .field("right")
                    .and_then(|r| code_children(&r).into_iter().next())
                    .is_some_and(|v| v.kind() == "composite_literal" && syntax::squashed(&v).ends_with("{}"))
        }
        _ => false,
    };
    condition_ok && body_ok
}
