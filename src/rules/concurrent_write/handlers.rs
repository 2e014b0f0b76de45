//! Package-level maps written without a lock where the code runs
//! concurrently with itself: an HTTP handler (a `ServeHTTP` method, or a
//! function given to `HandleFunc`/`http.HandlerFunc`, which the server
//! calls from one goroutine per request), and a named function started with
//! `go` in a loop or while its spawner still uses the map.

use super::goroutine::Goroutine;
use super::named::{self, Written};
use super::target::{Home, MapTarget};
use crate::go::syntax::{self, code_children, GoNode};
use crate::go::types;
use crate::rules::{Detection, RuleContext};

/// The handler function a matched node is or registers, if it is one
/// declared in this file: a `ServeHTTP(w http.ResponseWriter, r *http.Request)`
/// method, or the last argument of `X.HandleFunc(pattern, h)` /
/// `http.HandlerFunc(h)` (a literal, or a function or method of this file
/// with a `ResponseWriter` parameter). A named handler registered several
/// times is reported from its first registration only.
fn handler_of<'r>(ctx: &RuleContext, node: &GoNode<'r>) -> Option<Handler<'r>> {
    let func = match node.kind().as_ref() {
        "method_declaration" => node.clone(),
        "call_expression" => {
            let arg = code_children(&node.field("arguments")?).into_iter().last()?;
            match arg.kind().as_ref() {
                "function_literal" => arg,
                "identifier" | "selector_expression" => match named::callee_decl_of(ctx.scope, &arg) {
                    Some(decl) => decl,
                    None => {
                        let remote = super::remote::remote_callee(ctx, &arg)?;
                        return remote
                            .params
                            .contains("ResponseWriter")
                            .then_some(Handler::Elsewhere { at: arg, remote });
                    }
                },
                _ => return None,
            }
        }
        _ => return None,
    };
    let params = func.field("parameters")?;
    params.text().contains("ResponseWriter").then_some(Handler::Here(func))
}

/// A handler declared in this file, or registered here and declared in
/// another file of the package (reported at the registration).
enum Handler<'r> {
    Here(GoNode<'r>),
    Elsewhere {
        at: GoNode<'r>,
        remote: std::sync::Arc<super::remote::RemoteCallee>,
    },
}

fn is_registration(call: &GoNode) -> bool {
    call.field("function").is_some_and(|f| {
        let t = syntax::squashed(&f);
        t == "HandleFunc" || t.ends_with(".HandleFunc") || t == "HandlerFunc" || t.ends_with(".HandlerFunc")
    })
}

fn last_arg_text(call: &GoNode) -> Option<String> {
    let arg = code_children(&call.field("arguments")?).into_iter().last()?;
    Some(syntax::squashed(&arg))
}

/// Findings for an HTTP handler that writes package-level maps without a lock.
pub fn check_handler(ctx: &RuleContext, node: &GoNode) -> Vec<Detection> {
    let found = handler_findings(ctx, node);
    if found.is_empty() || first_registration(node) {
        found
    } else {
        Vec::new()
    }
}

/// Whether no earlier call of the file registers the same named handler
/// (a literal or a method declaration is its own first registration).
fn first_registration(node: &GoNode) -> bool {
    let Some(arg) = node
        .field("arguments")
        .and_then(|a| code_children(&a).into_iter().last())
        .filter(|a| node.kind() == "call_expression" && a.kind() != "function_literal")
    else {
        return true;
    };
    let Some(root) = node.ancestors().last() else {
        return true;
    };
    let text = syntax::squashed(&arg);
    let first = root
        .dfs()
        .filter(|n| n.kind() == "call_expression" && is_registration(n))
        .find(|n| last_arg_text(n).as_deref() == Some(text.as_str()));
    first.is_none_or(|first| first.range() == node.range())
}

fn handler_findings(ctx: &RuleContext, node: &GoNode) -> Vec<Detection> {
    let message = |name: &str, place: &str| {
        format!(
            "package-level map {name} is written without a lock in an HTTP handler{place}, which runs once per request at the same time"
        )
    };
    match handler_of(ctx, node) {
        None => Vec::new(),
        Some(Handler::Here(func)) => named::unlocked_writes(ctx.scope, &func)
            .into_iter()
            .filter_map(|w| match &w.written {
                Written::Package(name) => Some(Detection {
                    range: w.at.range(),
                    message: Some(message(name, "")),
                    note: Some(no_fix(name)),
                    related: Vec::new(),
                    fix: None,
                }),
                _ => None,
            })
            .collect(),
        Some(Handler::Elsewhere { at, remote }) => remote
            .writes
            .iter()
            .filter_map(|w| match &w.written {
                Written::Package(name) => Some(Detection {
                    range: at.range(),
                    message: Some(message(name, &format!(" ({} at {})", at.text(), w.place))),
                    note: Some(no_fix(name)),
                    related: Vec::new(),
                    fix: None,
                }),
                _ => None,
            })
            .collect(),
    }
}

fn no_fix(name: &str) -> String {
    format!("no automatic fix: {name} is a package-level variable that other functions may use; guard {name} with a sync.Mutex")
}

/// A package-level map that a goroutine started on a named function writes
/// (at `place`): reported when the `go` statement is inside a loop (several
/// such goroutines run at once) or the spawner uses the map after it.
pub fn check_package_write<'r>(
    ctx: &RuleContext,
    g: &Goroutine<'r>,
    name: &str,
    place: &str,
    is_mutex: &dyn Fn(&str) -> bool,
) -> Option<Detection> {
    let target = MapTarget {
        expr: g.literal.clone(),
        text: name.to_string(),
        root: types::Binding {
            decl_at: None,
            type_text: ctx.scope.var_type(name)?,
        },
        home: Home::Package,
        map_type: None,
    };
    super::flow::find_conflict(ctx, g, &target, &[g.literal.range().start], is_mutex)?;
    let callee = named::callee_text(&g.literal);
    Some(Detection {
        range: g.literal.range(),
        message: Some(format!(
            "package-level map {name} is written without a lock by {callee} ({place}), started as a goroutine while other code uses it"
        )),
        note: Some(no_fix(name)),
        related: Vec::new(),
        fix: None,
    })
}
