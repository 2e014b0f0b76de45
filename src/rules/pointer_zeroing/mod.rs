//! pointer-zeroing (opt-in): `delete(m, k)` on a package-level or field
//! `map[K]*T` in a function that does not itself use the entry's value.
//! Fix (unsafe): zero the struct before dropping it, offered only where the
//! package shows the map owns its pointees (`ownership.rs`).

mod ownership;

use super::{Detection, Fix, FixSafety, RuleContext, RuleModule, TextEdit};
use crate::go::lang::Go;
use crate::go::syntax::{self, code_children, GoNode};
use crate::go::types::{self, PackageScope, TypeExpr};
use ast_grep_core::tree_sitter::StrDoc;
use ast_grep_core::NodeMatch;

pub const MODULE: RuleModule = RuleModule {
    name: "pointer_zeroing",
    check,
    precondition: None,
    package_precondition: None,
    options: None,
};

pub fn check(ctx: &RuleContext, m: &NodeMatch<StrDoc<Go>>) -> Vec<Detection> {
    analyse(ctx, m.get_node()).into_iter().collect()
}

/// The deleted-from map, as the function refers to it.
enum MapRef {
    /// A package-level variable.
    Package(String),
    /// A struct field (`s.items`), matched by field name and, where the
    /// selector's operand has a known type, by the struct type holding it
    /// (`owner`): another type's field of the same name is another map.
    Field { name: String, owner: Option<String> },
}

impl MapRef {
    /// The variable's or field's name.
    fn name(&self) -> &str {
        match self {
            MapRef::Package(name) | MapRef::Field { name, .. } => name,
        }
    }

    /// Whether `node` may denote this map (by name, and for a field by the
    /// type of what it is selected from when that is known; shadowing is
    /// ignored, which only makes the rule quieter). `scope` is the scope of
    /// `node`'s file.
    fn matches(&self, node: &GoNode, scope: &PackageScope) -> bool {
        match self {
            MapRef::Package(name) => node.kind() == "identifier" && node.text() == name.as_str(),
            MapRef::Field { name, .. } => {
                node.kind() == "selector_expression"
                    && node.field("field").is_some_and(|f| f.text() == name.as_str())
                    && self.may_own(node.field("operand").and_then(|o| struct_type_of(&o, scope)))
            }
        }
    }

    /// Whether a field of a value of struct type `ty` (`None`: unknown) may
    /// be this map.
    fn may_own(&self, ty: Option<String>) -> bool {
        match (self, ty) {
            (MapRef::Field { owner: Some(owner), .. }, Some(ty)) => *owner == ty,
            _ => true,
        }
    }
}

/// The named type of `expr`'s value, through one pointer (`*Server` →
/// `Server`); `None` when it is not known.
fn struct_type_of(expr: &GoNode, scope: &PackageScope) -> Option<String> {
    let ty = TypeExpr::parse(&types::expr_type(expr, scope)?)?;
    let named = ty.pointee().unwrap_or(&ty);
    named.name().map(str::to_string)
}

fn analyse(ctx: &RuleContext, stmt: &GoNode) -> Option<Detection> {
    let [call] = code_children(stmt).try_into().ok()?;
    if call.kind() != "call_expression"
        || call.field("function")?.text() != "delete"
        || ctx.scope.is_package_func("delete")
    {
        return None;
    }
    let [map, key] = code_children(&call.field("arguments")?).try_into().ok()?;
    if !syntax::is_pure_expression(&map) {
        return None;
    }
    // `delete(m, strings.ToLower(k))`: reported; the fix would evaluate the
    // key twice, so it needs the key bound to a variable first.
    let pure_key = syntax::is_pure_expression(&key);
    let map_ref = long_lived(ctx, &map)?;
    let (_, value) = types::map_parts(&types::expr_type(&map, ctx.scope)?, ctx.scope)?;
    let struct_name = TypeExpr::parse(&value)?.pointee()?.name()?.to_string();
    if !zeroing_releases_memory(ctx, &struct_name) {
        return None;
    }
    let func = outermost_function(stmt)?;
    if uses_map(&func, &map_ref, &call, ctx.scope)
        || may_hold_value(&func, stmt, &key, &struct_name, &members_of(ctx, stmt, &struct_name))
    {
        return None;
    }
    let map_text = map.text().to_string();
    let mut det = Detection {
        range: stmt.range(),
        message: Some(format!(
            "delete from long-lived map {map_text} drops a *{struct_name} without zeroing it: what it holds stays reachable through any other reference"
        )),
        note: None,
        related: Vec::new(),
        fix: None,
    };
    let fields: Vec<_> = ctx.scope.type_decl(&struct_name).map_or_else(Vec::new, |d| {
        d.fields().map(|(n, t)| (n.to_string(), t.to_string())).collect()
    });
    let target = ownership::Owned {
        map: &map_ref,
        struct_name: &struct_name,
        fields: &fields,
    };
    let root = stmt.ancestors().last().unwrap_or_else(|| stmt.clone());
    if let Some(why) = ownership::why_not_owned(ctx, &target, &root) {
        det.note = Some(format!(
            "no fix: {why}, so other code may still use the *{struct_name} being deleted"
        ));
        return Some(det);
    }
    if !pure_key {
        det.note = Some(format!(
            "no fix: the key {} would be evaluated twice; bind it to a variable before the delete to get one",
            key.text()
        ));
        return Some(det);
    }
    match zeroing_edit(ctx, stmt, &func, &map_text, &key.text(), &struct_name) {
        Ok(edit) => {
            det.fix = Some(Fix {
                safety: FixSafety::Unsafe,
                description: format!(
                    "zero the *{struct_name} before deleting it from {map_text} (other holders of the pointer will see a zero {struct_name})"
                ),
                unsafe_reason: None,
                edits: vec![edit],
                imports: Vec::new(),
            })
        }
        Err(why) => det.note = Some(why),
    }
    Some(det)
}

/// The map as a package-level variable or a struct field; `None` for
/// locals, parameters and anything else.
fn long_lived(ctx: &RuleContext, map: &GoNode) -> Option<MapRef> {
    match map.kind().as_ref() {
        "identifier" => {
            let name = map.text().to_string();
            let binding = types::resolve(&name, map, ctx.scope)?;
            binding.decl_at.is_none().then_some(MapRef::Package(name))
        }
        "selector_expression" => Some(MapRef::Field {
            name: map.field("field")?.text().to_string(),
            owner: struct_type_of(&map.field("operand")?, ctx.scope),
        }),
        _ => None,
    }
}

/// Whether `T` is a struct type of this package whose zero value releases
/// something (it has a field that is not a number or boolean) and which
/// is safe to overwrite wholesale (no embedded fields, no sync or atomic
/// fields whose state others may depend on).
fn zeroing_releases_memory(ctx: &RuleContext, name: &str) -> bool {
    let Some(decl) = ctx.scope.type_decl(name) else {
        return false;
    };
    if !decl.is_struct() || decl.text().contains("sync.") || decl.text().contains("atomic.") {
        return false;
    }
    if decl.has_embedded_field() {
        return false;
    }
    let releases = decl.fields().any(|(_, ty)| !is_scalar(ty));
    releases
}

/// A number or a boolean (a basic type but `string`), or a standard-library
/// value that holds nothing to release: `time.Duration`, `time.Month`,
/// `time.Weekday`, and `time.Time` (its only pointer is a shared `*Location`).
fn is_scalar(ty: &TypeExpr) -> bool {
    if matches!(ty.text(), "time.Duration" | "time.Time" | "time.Month" | "time.Weekday") {
        return true;
    }
    ty.name().is_some_and(|n| types::basic::is_basic(n) && n != "string")
}

/// The function declaration (or top-level function literal) around `node`,
/// so that closures inside it are searched too.
fn outermost_function<'r>(node: &GoNode<'r>) -> Option<GoNode<'r>> {
    node.ancestors().filter(syntax::is_function).last()
}

/// Whether the function refers to the map other than as the target of
/// `delete`, the operand of `len` or a presence test of an entry
/// (`_, ok := m[k]`, `m[k] != nil`): a read, a range, a store, passing or
/// returning it.
fn uses_map(func: &GoNode, map_ref: &MapRef, delete_call: &GoNode, scope: &PackageScope) -> bool {
    func.dfs().any(|n| {
        if !map_ref.matches(&n, scope) {
            return false;
        }
        if is_presence_test(&n) {
            return false;
        }
        let Some(args) = n.parent().filter(|p| p.kind() == "arguments") else {
            return true;
        };
        let Some(call) = args.parent() else { return true };
        let callee = call.field("function").map(|f| f.text().to_string());
        let first = code_children(&args).first().is_some_and(|a| a.range() == n.range());
        let harmless = match callee.as_deref() {
            Some("delete") => first,
            Some("len") => true,
            _ => false,
        };
        !harmless && call.range() != delete_call.range()
    })
}

/// Whether `map` is the operand of an index expression that only tests
/// whether the entry is there: `_, ok := m[k]`, `_, ok = m[k]`, `m[k] == nil`.
fn is_presence_test(map: &GoNode) -> bool {
    let Some(entry) = map
        .parent()
        .filter(|p| p.kind() == "index_expression" && p.field("operand").is_some_and(|o| o.range() == map.range()))
    else {
        return false;
    };
    let Some(parent) = entry.parent() else { return false };
    if parent.kind() == "binary_expression" {
        let op = parent
            .field("operator")
            .map(|o| o.text().to_string())
            .unwrap_or_default();
        let other = [parent.field("left"), parent.field("right")]
            .into_iter()
            .flatten()
            .find(|s| s.range() != entry.range());
        return (op == "==" || op == "!=") && other.is_some_and(|o| syntax::is_nil(&o));
    }
    let Some(holder) = parent.parent().filter(|_| parent.kind() == "expression_list") else {
        return false;
    };
    let comma_ok = matches!(holder.kind().as_ref(), "short_var_declaration" | "assignment")
        && holder.field("right").is_some_and(|r| r.range() == parent.range())
        && holder
            .field("left")
            .is_some_and(|l| matches!(&code_children(&l)[..], [blank, _] if blank.text() == "_"));
    comma_ok
}

/// Whether the function may hold the value being removed through another
/// variable: it mentions `T` (a `*T` parameter or receiver, an assertion,
/// a literal), selects a field of `T` or a method of `T` declared in this
/// file (`c.send`, `s.Close()` on a value of inferred type), or deletes
/// inside a `range` loop that binds a value other than the key deleted
/// (`for id, s := range expired { delete(m, id) }`).
fn may_hold_value(func: &GoNode, stmt: &GoNode, key: &GoNode, struct_name: &str, members: &[String]) -> bool {
    let mentions = func.dfs().any(|n| match n.kind().as_ref() {
        "type_identifier" => n.text() == struct_name,
        "selector_expression" => n.field("field").is_some_and(|f| members.iter().any(|m| *m == f.text())),
        _ => false,
    });
    mentions
        || stmt.ancestors().take_while(|a| !syntax::is_function(a)).any(|a| {
            a.kind() == "for_statement"
                && code_children(&a).iter().any(|c| {
                    c.kind() == "range_clause"
                        && c.field("left").is_some_and(|l| {
                            code_children(&l)
                                .get(1)
                                .is_some_and(|v| v.text() != "_" && v.text() != key.text())
                        })
                })
        })
}

/// Field names of `T` and names of the methods on `T` declared in this file.
fn members_of(ctx: &RuleContext, stmt: &GoNode, struct_name: &str) -> Vec<String> {
    let mut members: Vec<String> = ctx
        .scope
        .type_decl(struct_name)
        .map(|d| d.fields().map(|(n, _)| n.to_string()).collect())
        .unwrap_or_default();
    let Some(root) = stmt.ancestors().last() else {
        return members;
    };
    for method in root.dfs().filter(|n| n.kind() == "method_declaration") {
        let receiver_type = method
            .field("receiver")
            .and_then(|r| code_children(&r).first().and_then(|p| p.field("type")))
            .map(|t| TypeExpr::of_node(&t).without_pointers().to_string());
        if receiver_type.as_deref() == Some(struct_name) {
            if let Some(name) = method.field("name") {
                members.push(name.text().to_string());
            }
        }
    }
    members
}

/// The edit inserting `if old := m[k]; old != nil { *old = T{} }` above the delete.
fn zeroing_edit(
    ctx: &RuleContext,
    stmt: &GoNode,
    func: &GoNode,
    map_text: &str,
    key_text: &str,
    struct_name: &str,
) -> Result<TextEdit, String> {
    let start = stmt.range().start;
    let indent = syntax::line_indent(ctx.text, start);
    let line_start = crate::go::lines::line_start(ctx.text, start);
    if line_start + indent.len() != start {
        return Err("the delete shares its line with other code; zero the value by hand".into());
    }
    if let Some(taken) = crate::go::scope::first_shadowed(&["nil", "delete"], stmt, ctx.scope) {
        return Err(crate::go::scope::shadowed_note(taken));
    }
    let name = fresh_name(ctx, func).ok_or("no free variable name for the old value")?;
    let replacement = format!(
        "if {name} := {map_text}[{key_text}]; {name} != nil {{\n{indent}\t*{name} = {struct_name}{{}}\n{indent}}}\n{indent}"
    );
    Ok(TextEdit {
        range: start..start,
        replacement,
    })
}

/// A name for the old value not used anywhere in the function nor declared
/// at package level.
fn fresh_name(ctx: &RuleContext, func: &GoNode) -> Option<String> {
    let used: std::collections::HashSet<String> = func
        .dfs()
        .filter(|n| {
            matches!(
                n.kind().as_ref(),
                "identifier" | "type_identifier" | "package_identifier" | "field_identifier"
            )
        })
        .map(|n| n.text().to_string())
        .collect();
    let candidates = ["old", "prev", "stale", "dropped"]
        .iter()
        .map(|s| s.to_string())
        .chain((2..10).map(|i| format!("old{i}")));
    candidates.into_iter().find(|c| {
        !used.contains(c)
            && ctx.scope.var_type(c).is_none()
            && !ctx.scope.is_package_func(c)
            && ctx.scope.type_decl(c).is_none()
            && crate::go::scope::builtin_visible(c, func, ctx.scope)
    })
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::run_rule;

    fn run(src: &str) -> Vec<(usize, Result<String, String>)> {
        run_rule("pointer-zeroing", src, 21)
            .into_iter()
            .map(|o| (o.line, o.fixed))
            .collect()
    }

    const SESSIONS: &str = "package p\n\ntype Session struct {\n\tbuf []byte\n\tid  int\n}\n\nvar sessions = map[string]*Session{}\n\nfunc Close(name string) {\n\tdelete(sessions, name)\n}\n";

    #[test]
    fn package_map_of_struct_pointers_is_zeroed_first() {
        let found = run(SESSIONS);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].0, 11);
        assert_eq!(
            found[0].1.as_deref().unwrap(),
            SESSIONS.replace(
                "\tdelete(sessions, name)\n",
                "\tif old := sessions[name]; old != nil {\n\t\t*old = Session{}\n\t}\n\tdelete(sessions, name)\n"
            )
        );
    }

    #[test]
    fn no_fix_where_nil_is_redeclared() {
        let src = format!("{SESSIONS}\nvar nil = 0\n");
        let found = run(&src);
        assert_eq!(found.len(), 1);
        assert!(found[0].1.as_ref().is_err_and(|why| why.contains("`nil`")), "{found:?}");
    }

    #[test]
    fn name_in_use_is_avoided() {
        let src = SESSIONS.replace(
            "func Close(name string) {\n",
            "func Close(name string) {\n\told := 1\n\t_ = old\n",
        );
        let found = run(&src);
        assert!(found[0]
            .1
            .as_deref()
            .unwrap()
            .contains("if prev := sessions[name]; prev != nil {"));
    }

    #[test]
    fn reads_passes_and_type_mentions_silence_it() {
        for body in [
            "\tv := sessions[name]\n\tdelete(sessions, name)\n\t_ = v\n",
            "\tdelete(sessions, name)\n\tfor k := range sessions {\n\t\t_ = k\n\t}\n",
            "\tdump(sessions)\n\tdelete(sessions, name)\n",
            "\tvar s *Session\n\t_ = s\n\tdelete(sessions, name)\n",
            "\tfor k, s := range expired {\n\t\tdelete(sessions, k)\n\t\t_ = s\n\t}\n",
            "\ts := <-gone\n\tdelete(sessions, name)\n\t_ = s.buf\n",
        ] {
            let src = SESSIONS.replace("\tdelete(sessions, name)\n", body)
                + "\nfunc dump(map[string]*Session) {}\n\nvar expired map[string]*Session\n\nvar gone chan *Session\n";
            assert!(run(&src).is_empty(), "{body}");
        }
        let allowed = SESSIONS.replace(
            "\tdelete(sessions, name)\n",
            "\tif len(sessions) > 0 {\n\t\tdelete(sessions, name)\n\t}\n",
        );
        assert_eq!(run(&allowed).len(), 1);
        // A computed key: reported, with no fix (it would be evaluated twice).
        let computed = SESSIONS.replace("\tdelete(sessions, name)\n", "\tdelete(sessions, name+\"x\")\n");
        let found = run(&computed);
        assert_eq!(found.len(), 1);
        assert!(found[0].1.is_err(), "{:?}", found[0].1);
    }

    #[test]
    fn fix_needs_the_map_to_own_its_values() {
        let owned = format!(
            "{SESSIONS}\nfunc Open(n string) {{\n\ts := &Session{{buf: make([]byte, 1)}}\n\tsessions[n] = s\n\ts.id = 1\n}}\n\nfunc Size(n string) int {{\n\tif sessions[n] == nil {{\n\t\treturn 0\n\t}}\n\treturn len(sessions[n].buf)\n}}\n\nfunc Reset(n string) {{\n\tsessions[n] = &Session{{}}\n\tsessions[\"x\"] = nil\n\tif old := sessions[n]; old != nil {{\n\t\t*old = Session{{}}\n\t}}\n\tif _, ok := sessions[n]; ok {{\n\t\tsessions[n].buf = nil\n\t}}\n}}\n"
        );
        let found = run(&owned);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].1.is_ok(), "{found:?}");
        for (extra, why) in [
            ("func Get(n string) *Session {\n\treturn sessions[n]\n}\n", "Get (x.go:15) returns an entry"),
            (
                "func Open(n string) *Session {\n\ts := &Session{}\n\tsessions[n] = s\n\treturn s\n}\n",
                "returns s",
            ),
            ("func Add(s *Session) {\n\tsessions[\"a\"] = s\n}\n", "stores s, which it did not create"),
            (
                "func Each() {\n\tfor _, s := range sessions {\n\t\t_ = s\n\t}\n}\n",
                "ranges over the map into s",
            ),
            ("func Send(c chan *Session) {\n\tc <- sessions[\"a\"]\n}\n", "sends an entry"),
            ("func Load() {\n\ts := sessions[\"a\"]\n\t_ = s.buf\n}\n", "loads an entry into s"),
            (
                "func Start() {\n\ts := &Session{}\n\tsessions[\"a\"] = s\n\tgo s.run()\n}\n\nfunc (s *Session) run() {}\n",
                "starts s.run in a goroutine",
            ),
            ("func Tick() {\n\tsessions[\"a\"].run()\n}\n\nfunc (s *Session) run() {}\n", "method run of an entry"),
            (
                "func Keep() {\n\ts := &Session{}\n\tsessions[\"a\"] = s\n\tf := func() { _ = s.buf }\n\tf()\n}\n",
                "captures s in a closure",
            ),
            (
                "func All(ks []string) {\n\ts := &Session{}\n\tfor _, k := range ks {\n\t\tsessions[k] = s\n\t}\n}\n",
                "inside a loop",
            ),
            ("func Buf() *[]byte {\n\treturn &sessions[\"a\"].buf\n}\n", "takes the address of field buf"),
            ("var alias = sessions\n", "shares the map itself"),
            ("func Dump() {\n\tprintln(len(sessions), sessions)\n}\n", "passes the map to println"),
        ] {
            let src = format!("{SESSIONS}\n{extra}");
            let found = run(&src);
            assert_eq!(found.len(), 1, "{extra}: {found:?}");
            let note = found[0].1.as_ref().expect_err(extra);
            assert!(note.starts_with("no fix: ") && note.contains(why), "{extra}: {note}");
        }
        let elided = SESSIONS.replace("map[string]*Session{}", "map[string]*Session{\"root\": {}}");
        assert!(
            run(&elided)[0].1.is_ok(),
            "`{{}}` in the literal is a fresh &Session{{}}"
        );
        let exported = SESSIONS.replace("sessions", "Sessions");
        let note = run(&exported)[0].1.clone().unwrap_err();
        assert!(note.contains("Sessions is exported"), "{note}");
    }

    #[test]
    fn presence_tests_do_not_silence_it() {
        let src = SESSIONS.replace(
            "\tdelete(sessions, name)\n",
            "\tif _, ok := sessions[name]; !ok || sessions[name] == nil {\n\t\treturn\n\t}\n\tdelete(sessions, name)\n",
        );
        let found = run(&src);
        assert_eq!(found.len(), 1);
        assert!(found[0].1.is_ok());
    }

    #[test]
    fn value_types_that_zeroing_cannot_help_are_skipped() {
        for ty in [
            "struct {\n\tid int\n}",
            "struct {\n\tmu sync.Mutex\n\tbuf []byte\n}",
            "struct {\n\tBase\n\tbuf []byte\n}",
            "[]byte",
        ] {
            let src = SESSIONS.replace("struct {\n\tbuf []byte\n\tid  int\n}", ty);
            assert!(run(&src).is_empty(), "{ty}");
        }
    }
}
