//! Callees declared in another file of the package (`go f(m)` with `f` in
//! `worker.go`, a handler registered in `routes.go`): where each package
//! function and method is declared is read once per package from the files'
//! `func` lines, and a callee's unlocked writes are summarised once, from a
//! parse of the one file that declares it.

use super::named::{base_type, receiver_type, unlocked_writes, Written};
use super::precondition::may_write_map;
use crate::go::syntax::{self, code_children, GoNode};
use crate::go::types;
use crate::rules::RuleContext;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// A write of a callee declared in another file, with its place
/// (`file.go:LINE`) for the message.
pub struct RemoteWrite {
    pub written: Written,
    pub place: String,
}

/// A callee declared in another file of the package.
pub struct RemoteCallee {
    /// Its parameter list as written.
    pub params: String,
    pub writes: Vec<RemoteWrite>,
}

/// The package's files, their function and method declarations (`f`,
/// `T.m`) with the file and byte range of each, and the callees summarised
/// so far.
#[derive(Default)]
struct PackageDecls {
    texts: Vec<(PathBuf, String)>,
    decls: HashMap<String, (usize, std::ops::Range<usize>)>,
    /// Method names declared in the package (`m` of `T.m`).
    methods: std::collections::HashSet<String>,
    summaries: Mutex<HashMap<String, Option<Arc<RemoteCallee>>>>,
}

impl PackageDecls {
    fn build(files: Vec<(&Path, Option<String>)>) -> PackageDecls {
        let mut out = PackageDecls::default();
        for (path, text) in files {
            let Some(text) = text else { continue };
            let file = out.texts.len();
            let mut at = 0;
            for line in text.split_inclusive('\n') {
                let start = at;
                at += line.len();
                let Some(key) = line.strip_prefix("func ").and_then(decl_key) else {
                    continue;
                };
                if let Some((_, method)) = key.split_once('.') {
                    out.methods.insert(method.to_string());
                }
                // The declaration runs to the first `}` alone on a line (gofmt).
                let end = text[start..].find("\n}").map_or(text.len(), |e| start + e + 2);
                out.decls.entry(key).or_insert((file, start..end));
            }
            out.texts.push((path.to_path_buf(), text));
        }
        out
    }
}

/// `name(…` → `name`; `(r *T[K]) name(…` → `T.name`.
fn decl_key(rest: &str) -> Option<String> {
    let ident = |s: &str| -> String { s.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect() };
    if let Some(recv) = rest.strip_prefix('(') {
        let close = recv.find(')')?;
        let receiver = recv[..close].split('[').next()?;
        let ty = receiver.split_whitespace().last()?;
        let name = ident(recv[close + 1..].trim_start());
        (!name.is_empty()).then(|| format!("{}.{name}", base_type(ty)))
    } else {
        let name = ident(rest);
        (!name.is_empty()).then_some(name)
    }
}

/// The unlocked writes of a callee declared in another file of the package.
pub fn remote_writes(ctx: &RuleContext, call: &GoNode) -> Vec<RemoteWrite> {
    let callee = call.field("function").and_then(|f| remote_callee(ctx, &f));
    match callee {
        Some(c) => c
            .writes
            .iter()
            .map(|w| RemoteWrite {
                written: w.written.clone(),
                place: w.place.clone(),
            })
            .collect(),
        None => Vec::new(),
    }
}

/// The function or method a function expression (`f`, `x.m`) names, when
/// another file of the package declares it.
pub fn remote_callee(ctx: &RuleContext, func: &GoNode) -> Option<Arc<RemoteCallee>> {
    let decls = || {
        ctx.scope.package_facts("concurrent-write.decls", || {
            PackageDecls::build(
                ctx.scope
                    .package_files()
                    .into_iter()
                    .map(|(path, _, text)| (path, text.map(|t| t.to_string())))
                    .collect(),
            )
        })
    };
    let (key, decls) = match func.kind().as_ref() {
        "identifier" => {
            let name = func.text();
            if !ctx.scope.is_package_func(&name)
                || types::resolve(&name, func, ctx.scope).is_some_and(|b| b.decl_at.is_some())
            {
                return None;
            }
            (name.to_string(), decls())
        }
        "selector_expression" => {
            let method = func.field("field")?.text().to_string();
            let decls = decls();
            if !decls.methods.contains(&method) {
                return None;
            }
            let operand = func.field("operand")?;
            let t = types::expr_type(&operand, ctx.scope).map(|t| base_type(&t))?;
            (format!("{t}.{method}"), decls)
        }
        _ => return None,
    };
    let (file, range) = decls.decls.get(&key)?;
    let (path, text) = &decls.texts[*file];
    let own = std::path::absolute(&ctx.file.path).unwrap_or_else(|_| ctx.file.path.clone());
    if std::path::absolute(path).is_ok_and(|p| p == own) {
        return None;
    }
    if let Some(known) = decls.summaries.lock().unwrap_or_else(|e| e.into_inner()).get(&key) {
        return known.clone();
    }
    // A declaration whose text writes no map has nothing to summarise.
    let summary = may_write_map(&text[range.clone()])
        .then(|| summarise(ctx, path, text, &key))
        .flatten()
        .map(Arc::new);
    decls
        .summaries
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(key, summary.clone());
    summary
}

/// Parses the declaring file and summarises the callee `key`.
fn summarise(ctx: &RuleContext, path: &Path, text: &str, key: &str) -> Option<RemoteCallee> {
    let (recv_type, name) = match key.split_once('.') {
        Some((t, m)) => (Some(t), m),
        None => (None, key),
    };
    let tree = syntax::parse(text);
    let root = tree.root();
    let decl = code_children(&root).into_iter().find(|d| {
        d.field("name").is_some_and(|n| n.text() == name)
            && match recv_type {
                None => d.kind() == "function_declaration",
                Some(t) => d.kind() == "method_declaration" && receiver_type(d).as_deref() == Some(t),
            }
    })?;
    let scope = ctx.scope.for_file(&root, path);
    let file = path
        .file_name()
        .map(|f| f.to_string_lossy().into_owned())
        .unwrap_or_default();
    let writes = unlocked_writes(&scope, &decl)
        .into_iter()
        .map(|w| RemoteWrite {
            written: w.written,
            place: format!("{file}:{}", crate::go::lines::line_col(text, w.at.range().start).0),
        })
        .collect();
    let params = decl
        .field("parameters")
        .map(|p| p.text().to_string())
        .unwrap_or_default();
    Some(RemoteCallee { params, writes })
}

#[cfg(test)]
mod tests {
    use super::decl_key;

    #[test]
    fn keys_of_func_lines() {
        assert_eq!(decl_key("fill(m map[string]int) {").as_deref(), Some("fill"));
        assert_eq!(decl_key("Map[K comparable](m K) {").as_deref(), Some("Map"));
        assert_eq!(decl_key("(s *Server) loop() {").as_deref(), Some("Server.loop"));
        assert_eq!(decl_key("(c cache[K, V]) get(k K) V {").as_deref(), Some("cache.get"));
        assert_eq!(
            decl_key("(Logout) ServeHTTP(w W, r R) {").as_deref(),
            Some("Logout.ServeHTTP")
        );
    }
}
