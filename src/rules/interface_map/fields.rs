//! From the map's keys to the struct's fields: each key's type (from the
//! values written and the type assertions on reads), whether it is set on
//! every path to its reads and to each JSON encode, its field name and
//! JSON tag. Any doubt is an `Err` carrying the note shown to the user.

use super::layout::camel;
use super::uses::{Access, Use};
use super::value_type::{same_type, stored_type};
use super::Cx;
use crate::go::syntax::{self, code_children, GoNode};
use std::collections::BTreeMap;

/// Everything known about one key.
pub struct Key<'r> {
    pub key: String,
    first_at: usize,
    /// Set by the map literal.
    in_literal: bool,
    /// Values written: the value and, for `m[k] = v`, the assignment.
    writes: Vec<(GoNode<'r>, Option<GoNode<'r>>)>,
    asserted: Vec<String>,
    /// Default types of the constants the key's value is compared with.
    compared: Vec<String>,
    /// Reads: the node read, and whether it is a type assertion.
    reads: Vec<(GoNode<'r>, bool)>,
    /// Nodes that become `m.Field` (index expressions and assertions).
    pub replaced: Vec<GoNode<'r>>,
}

/// A field of the struct that replaces the map.
pub struct FieldPlan<'r> {
    pub key: Key<'r>,
    pub name: String,
    pub ty: String,
    /// The struct tag, backquotes included, or empty.
    pub tag: String,
}

/// The keys of the map, with the literal's entries first.
pub fn gather<'r>(literal: &[(String, GoNode<'r>)], uses: &[Use<'r>]) -> BTreeMap<String, Key<'r>> {
    let mut keys: BTreeMap<String, Key> = BTreeMap::new();
    fn entry<'k, 'r>(keys: &'k mut BTreeMap<String, Key<'r>>, k: &str, at: usize) -> &'k mut Key<'r> {
        keys.entry(k.to_string()).or_insert_with(|| Key {
            key: k.to_string(),
            first_at: at,
            in_literal: false,
            writes: Vec::new(),
            asserted: Vec::new(),
            compared: Vec::new(),
            reads: Vec::new(),
            replaced: Vec::new(),
        })
    }
    for (k, value) in literal {
        let e = entry(&mut keys, k, value.range().start);
        e.in_literal = true;
        e.writes.push((value.clone(), None));
    }
    for u in uses {
        let Use::Key { index, key, access } = u else { continue };
        let e = entry(&mut keys, key, index.range().start);
        match access {
            Access::Write { value, stmt } => {
                e.writes.push((value.clone(), Some(stmt.clone())));
                e.replaced.push(index.clone());
            }
            Access::AssertedRead { node, ty } => {
                e.asserted.push(ty.clone());
                e.reads.push((node.clone(), true));
                e.replaced.push(node.clone());
            }
            Access::Read => {
                e.reads.push((index.clone(), false));
                e.replaced.push(index.clone());
            }
            Access::Compared(ty) => {
                e.compared.push(ty.clone());
                e.reads.push((index.clone(), false));
                e.replaced.push(index.clone());
            }
            Access::Problem(_) | Access::Inspected { .. } => {}
        }
    }
    keys
}

/// How the map meets JSON.
pub struct JsonUse<'r> {
    pub encodes: Vec<GoNode<'r>>,
    pub decoded: bool,
    /// The map variable's name, for notes.
    pub map_name: String,
}

/// Plans the fields, in JSON key order when JSON is involved, else in order of first appearance.
pub fn plan<'r>(keys: BTreeMap<String, Key<'r>>, json: &JsonUse<'r>, cx: &Cx) -> Result<Vec<FieldPlan<'r>>, String> {
    let with_json = json.decoded || !json.encodes.is_empty();
    let mut out: Vec<FieldPlan> = Vec::new();
    for (_, key) in keys {
        let ty = field_type(&key, json.decoded, cx)?;
        check_reads(&key, json.decoded)?;
        // `any(int64(3)) == 3` is false, `int64(3) == 3` true: only a field
        // of the constant's default type compares as the map did.
        if let Some(c) = key.compared.iter().find(|c| !same_type(c, &ty)) {
            return Err(format!(
                "key {:?} is compared with a constant of default type {c} while its field would be {ty}",
                key.key
            ));
        }
        let omitempty = needs_omitempty(&key, &ty, json)?;
        let name = camel(&key.key).ok_or_else(|| format!("key {:?} cannot be spelled as a Go field name", key.key))?;
        if let Some(other) = out.iter().find(|f| f.name == name) {
            return Err(format!(
                "keys {:?} and {:?} would both become field {name}",
                other.key.key, key.key
            ));
        }
        let tag = if with_json {
            if !valid_json_tag(&key.key) {
                return Err(format!("key {:?} cannot be written as a json struct tag", key.key));
            }
            format!("`json:\"{}{}\"`", key.key, if omitempty { ",omitempty" } else { "" })
        } else {
            String::new()
        };
        out.push(FieldPlan { key, name, ty, tag });
    }
    if !with_json {
        out.sort_by_key(|f| f.key.first_at);
    }
    Ok(out)
}

/// The one type every write and assertion of the key agrees on.
fn field_type(key: &Key, decoded: bool, cx: &Cx) -> Result<String, String> {
    let mut types: Vec<String> = Vec::new();
    for (value, _) in &key.writes {
        let t = stored_type(value, cx)
            .ok_or_else(|| format!("the type of {} (key {:?}) is not known", short(value), key.key))?;
        types.push(t);
    }
    types.extend(key.asserted.iter().cloned());
    let Some(first) = types.first().cloned() else {
        return Err(if decoded {
            format!(
                "key {:?} is never read with a type assertion, so its type is not known",
                key.key
            )
        } else {
            format!("key {:?} is read but never set", key.key)
        });
    };
    if let Some(other) = types.iter().find(|t| !same_type(t, &first)) {
        return Err(format!("key {:?} holds values of types {first} and {other}", key.key));
    }
    if !cx.valid_at_package_level(&first) {
        return Err(format!(
            "the type {first} of key {:?} cannot be named outside the function",
            key.key
        ));
    }
    Ok(first)
}

/// Reads must find the key set: a missing key reads as nil from a map
/// and as the zero value from a struct. An asserted read of a decoded key
/// is exempt: where the key is missing, the map's assertion panics.
fn check_reads(key: &Key, decoded: bool) -> Result<(), String> {
    for (read, asserted) in &key.reads {
        if decoded && *asserted {
            continue;
        }
        if !set_before(key, read) {
            return Err(format!(
                "{} is read where key {:?} may be unset (a map gives nil, a struct field its zero value)",
                short(read),
                key.key
            ));
        }
    }
    Ok(())
}

/// Whether the key is unset at some JSON encode, where a map leaves it out:
/// `omitempty` keeps the output only if every value written is non-empty.
fn needs_omitempty(key: &Key, ty: &str, json: &JsonUse) -> Result<bool, String> {
    if json.encodes.iter().all(|e| set_before(key, e)) {
        return Ok(false);
    }
    let nonempty = key
        .writes
        .iter()
        .all(|(v, stmt)| provably_nonempty(v) || stmt.as_ref().is_some_and(|s| guarded_nonempty(v, s, ty)));
    if nonempty && omittable(ty) && !key.writes.is_empty() {
        return Ok(true);
    }
    Err(format!(
        "key {:?} is set only on some paths before {} is encoded, and its value may be empty: omitempty cannot keep the JSON output",
        key.key, json.map_name
    ))
}

/// The key is set (by the literal, or by an assignment in an enclosing
/// statement list) before `at` runs.
fn set_before(key: &Key, at: &GoNode) -> bool {
    key.in_literal
        || key.writes.iter().filter_map(|(_, stmt)| stmt.as_ref()).any(|stmt| {
            let Some(list) = stmt.parent().filter(syntax::is_statement_list) else {
                return false;
            };
            let (l, a) = (list.range(), at.range());
            stmt.range().end <= a.start && l.start <= a.start && a.end <= l.end
        })
}

/// Types whose zero value `omitempty` leaves out.
fn omittable(ty: &str) -> bool {
    use crate::go::types::{basic, TypeExpr, TypeKind};
    TypeExpr::parse(ty).is_some_and(|t| match t.kind() {
        TypeKind::Name(name) => basic::is_basic(name) && !basic::is_complex(name),
        TypeKind::Pointer(_) | TypeKind::Slice(_) | TypeKind::Map { .. } => true,
        _ => false,
    })
}

/// A value that is never the zero value of its type.
fn provably_nonempty(v: &GoNode) -> bool {
    let text = v.text();
    match v.kind().as_ref() {
        "interpreted_string_literal" | "raw_string_literal" => text.len() > 2,
        "int_literal" => nonzero_int(&text),
        "float_literal" => text
            .split(['e', 'E', 'p', 'P'])
            .next()
            .is_some_and(|m| m.chars().any(|c| ('1'..='9').contains(&c))),
        "rune_literal" => !text.contains('\\'),
        "identifier" => text == "true",
        "unary_expression" => match v.field("operator").map(|o| o.text().to_string()).as_deref() {
            Some("&") => true,
            Some("-") | Some("+") => v.field("operand").is_some_and(|o| provably_nonempty(&o)),
            _ => false,
        },
        "composite_literal" => {
            let sized = v
                .field("type")
                .is_some_and(|t| matches!(t.kind().as_ref(), "slice_type" | "map_type"));
            sized
                && v.field("value")
                    .is_some_and(|b| b.named_children().any(|c| c.kind() != "comment"))
        }
        _ => false,
    }
}

/// `if v != "" { m["k"] = v }`: the write runs only where an enclosing
/// `if` condition (one of its `&&` operands) says the variable is not empty
/// as `omitempty` means it (`v != ""`, `v != 0`, `len(v) > 0`, and
/// `v != nil` for a pointer), and the branch does not assign the variable.
fn guarded_nonempty(v: &GoNode, stmt: &GoNode, ty: &str) -> bool {
    if v.kind() != "identifier" {
        return false;
    }
    let name = v.text();
    let mut child = stmt.clone();
    for anc in stmt.ancestors() {
        if syntax::is_function(&anc) {
            return false;
        }
        if anc.kind() == "if_statement" && anc.field("body").is_some_and(|c| c.range() == child.range()) {
            let assigned = child
                .dfs()
                .filter(|n| n.kind() == "identifier" && n.text() == name)
                .any(|n| is_changed_at(&n));
            let init_declares = anc.field("init_statement").is_some();
            if !assigned && !init_declares && anc.field("condition").is_some_and(|c| says_nonempty(&c, &name, ty)) {
                return true;
            }
        }
        child = anc;
    }
    false
}

/// Whether this occurrence of a variable may change it: it is assigned
/// (`=`, `:=`, `op=`), incremented, or its address taken.
fn is_changed_at(id: &GoNode) -> bool {
    let Some(parent) = id.parent() else { return false };
    match parent.kind().as_ref() {
        "expression_list" => parent.parent().is_some_and(|s| {
            matches!(s.kind().as_ref(), "assignment" | "short_var_declaration")
                && s.field("left").is_some_and(|l| l.range() == parent.range())
        }),
        "inc_dec_statement" => true,
        "unary_expression" => parent.field("operator").is_some_and(|o| o.text() == "&"),
        _ => false,
    }
}

/// Whether `cond` (or one operand of its `&&`s) says `name` is not empty.
fn says_nonempty(cond: &GoNode, name: &str, ty: &str) -> bool {
    match cond.kind().as_ref() {
        "parenthesized_expression" => code_children(cond).first().is_some_and(|c| says_nonempty(c, name, ty)),
        "binary_expression" => {
            let op = cond.field("operator").map(|o| o.text().to_string()).unwrap_or_default();
            let (Some(l), Some(r)) = (cond.field("left"), cond.field("right")) else {
                return false;
            };
            if op == "&&" {
                return says_nonempty(&l, name, ty) || says_nonempty(&r, name, ty);
            }
            let is_name = |n: &GoNode| n.kind() == "identifier" && n.text() == name;
            let is_len = |n: &GoNode| {
                n.kind() == "call_expression"
                    && n.field("function").is_some_and(|f| f.text() == "len")
                    && n.field("arguments")
                        .is_some_and(|a| matches!(code_children(&a).as_slice(), [x] if is_name(x)))
            };
            let zero = |n: &GoNode| n.text() == "0";
            match op.as_str() {
                "!=" => {
                    let (var, other) = if is_name(&l) { (&l, &r) } else { (&r, &l) };
                    if !is_name(var) {
                        return is_len(&l) && zero(&r);
                    }
                    match other.text().as_ref() {
                        "\"\"" | "``" => ty == "string",
                        "0" => crate::go::types::basic::is_basic(ty) && ty != "string" && ty != "bool",
                        "nil" => ty.starts_with('*'),
                        _ => false,
                    }
                }
                ">" => is_len(&l) && zero(&r),
                _ => false,
            }
        }
        _ => false,
    }
}

fn nonzero_int(text: &str) -> bool {
    let t = text.replace('_', "").to_ascii_lowercase();
    let digits = t
        .strip_prefix("0x")
        .or_else(|| t.strip_prefix("0b"))
        .or_else(|| t.strip_prefix("0o"))
        .unwrap_or(&t);
    digits.chars().any(|c| c != '0')
}

/// encoding/json's isValidTag, plus "-" (which means "skip this field").
fn valid_json_tag(key: &str) -> bool {
    !key.is_empty()
        && key != "-"
        && key
            .chars()
            .all(|c| "!#$%&()*+-./:;<=>?@[]^_{|}~ ".contains(c) || c.is_alphanumeric())
}

/// The first line of a node's text, for notes.
fn short(n: &GoNode) -> String {
    let text = n.text();
    let line = text.lines().next().unwrap_or("");
    if line.len() < text.len() {
        format!("{line}…")
    } else {
        line.to_string()
    }
}
