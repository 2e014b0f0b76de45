//! What each method of a file does to its receiver's fields, in source
//! order: assignments (of `nil` or of something else), comparisons with
//! `nil`, calls of the receiver's own methods. Syntactic, one walk per
//! file; `types::PackageScope::methods_of` gathers them for a package.

use crate::go::syntax::{self, code_children, GoNode};

/// One method declaration, as far as its receiver's fields go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MethodSummary {
    /// The receiver's type name, without `*` and type arguments.
    pub type_name: String,
    pub name: String,
    /// `func (s *T)`: a field it assigns is seen by the caller.
    pub pointer_receiver: bool,
    /// What the body does to `recv.field`, in source order.
    pub events: Vec<FieldEvent>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldEvent {
    /// `recv.field = …` (`nil` when the value is `nil`); `&recv.field` counts
    /// as an assignment of something else. `line` is 1-based.
    Assign { field: String, nil: bool, line: usize },
    /// `recv.field == nil` or `!= nil`.
    NilTest { field: String },
    /// `recv.method(…)`.
    Call { method: String },
}

impl MethodSummary {
    /// Whether the method assigns `field` a value that may not be nil.
    pub fn may_make(&self, field: &str) -> bool {
        self.events
            .iter()
            .any(|e| matches!(e, FieldEvent::Assign { field: f, nil: false, .. } if f == field))
    }

    /// Whether the method compares `field` with nil.
    pub fn nil_tests(&self, field: &str) -> bool {
        self.events
            .iter()
            .any(|e| matches!(e, FieldEvent::NilTest { field: f } if f == field))
    }

    /// The fields the method assigns, whatever the value.
    pub fn assigned_fields(&self) -> impl Iterator<Item = &str> {
        self.events.iter().filter_map(|e| match e {
            FieldEvent::Assign { field, .. } => Some(field.as_str()),
            _ => None,
        })
    }
}

/// The receiver of a method declaration: its name (none for `_` or an
/// unnamed receiver), its type name and whether it is a pointer.
pub fn receiver(method: &GoNode) -> Option<(Option<String>, String, bool)> {
    let params = method.field("receiver")?;
    let [decl] = code_children(&params).try_into().ok()?;
    let ty = decl.field("type")?;
    let (pointer, named) = match ty.kind().as_ref() {
        "pointer_type" => (true, code_children(&ty).into_iter().next()?),
        _ => (false, ty),
    };
    let type_name = match named.kind().as_ref() {
        "type_identifier" => named.text().to_string(),
        "generic_type" => named.field("type")?.text().to_string(),
        _ => return None,
    };
    let name = decl.field("name").map(|n| n.text().to_string()).filter(|n| n != "_");
    Some((name, type_name, pointer))
}

/// The field name when `node` is `recv.field`.
pub fn receiver_field(node: &GoNode, recv: &str) -> Option<String> {
    if node.kind() != "selector_expression" {
        return None;
    }
    let operand = node.field("operand")?;
    (operand.kind() == "identifier" && operand.text() == recv)
        .then(|| node.field("field").map(|f| f.text().to_string()))?
}

/// Summaries of the file's method declarations with a named receiver.
pub fn summarize(root: &GoNode) -> Vec<MethodSummary> {
    code_children(root)
        .into_iter()
        .filter(|d| d.kind() == "method_declaration")
        .filter_map(|d| summarize_method(&d))
        .collect()
}

fn summarize_method(method: &GoNode) -> Option<MethodSummary> {
    let (Some(recv), type_name, pointer_receiver) = receiver(method)? else {
        return None;
    };
    let name = method.field("name")?.text().to_string();
    let mut events = Vec::new();
    if let Some(body) = method.field("body") {
        for n in body.dfs() {
            if let Some(event) = event_at(&n, &recv) {
                events.extend(event);
            }
        }
    }
    Some(MethodSummary {
        type_name,
        name,
        pointer_receiver,
        events,
    })
}

/// The events a node stands for (several for `s.a, s.b = nil, nil`).
fn event_at(n: &GoNode, recv: &str) -> Option<Vec<FieldEvent>> {
    let line = n.start_pos().line() + 1;
    match n.kind().as_ref() {
        "assignment" => {
            let left = code_children(&n.field("left")?);
            let right = n.field("right").map(|r| code_children(&r)).unwrap_or_default();
            let plain = n.field("operator").is_some_and(|o| o.text() == "=");
            let events: Vec<_> = left
                .iter()
                .enumerate()
                .filter_map(|(i, l)| {
                    let field = receiver_field(l, recv)?;
                    let nil = plain && left.len() == right.len() && syntax::is_nil(&right[i]);
                    Some(FieldEvent::Assign { field, nil, line })
                })
                .collect();
            Some(events)
        }
        "unary_expression" if n.field("operator").is_some_and(|o| o.text() == "&") => {
            let field = receiver_field(&n.field("operand")?, recv)?;
            Some(vec![FieldEvent::Assign {
                field,
                nil: false,
                line,
            }])
        }
        "binary_expression" => {
            let op = n.field("operator")?.text().to_string();
            if op != "==" && op != "!=" {
                return None;
            }
            let (l, r) = (n.field("left")?, n.field("right")?);
            let other = if syntax::is_nil(&r) {
                l
            } else if syntax::is_nil(&l) {
                r
            } else {
                return None;
            };
            Some(vec![FieldEvent::NilTest {
                field: receiver_field(&other, recv)?,
            }])
        }
        "call_expression" => {
            let method = receiver_field(&n.field("function")?, recv)?;
            Some(vec![FieldEvent::Call { method }])
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_in_source_order() {
        let src = "package p\n\nfunc (s *S) Close() {\n\ts.closed = true\n\ts.m, s.n = nil, nil\n\tif s.m == nil {\n\t\ts.init()\n\t}\n\tdecode(&s.m)\n}\n\nfunc (T) f() {}\n\nfunc g() {}\n";
        let tree = syntax::parse(src);
        let got = summarize(&tree.root());
        assert_eq!(got.len(), 1);
        let m = &got[0];
        assert_eq!(
            (m.type_name.as_str(), m.name.as_str(), m.pointer_receiver),
            ("S", "Close", true)
        );
        let assign = |field: &str, nil, line| FieldEvent::Assign {
            field: field.into(),
            nil,
            line,
        };
        assert_eq!(
            m.events,
            vec![
                assign("closed", false, 4),
                assign("m", true, 5),
                assign("n", true, 5),
                FieldEvent::NilTest { field: "m".into() },
                FieldEvent::Call { method: "init".into() },
                assign("m", false, 9),
            ]
        );
        assert!(m.may_make("m") && m.nil_tests("m") && !m.may_make("n"));
    }

    #[test]
    fn generic_receivers_name_their_type() {
        let tree = syntax::parse("package p\n\nfunc (c *Cache[K, V]) Reset() { c.items = nil }\n");
        let got = summarize(&tree.root());
        assert_eq!(got[0].type_name, "Cache");
    }
}
