//! Which functions of the package the facts walk, as far as words tell (a
//! call is taken to be any mention of a function's or method's name, so
//! each set only grows past what the walks would follow):
//!
//! - first, those that select a candidate map field (`x.f`: their accesses
//!   make the guards), with the functions that may call one of them that is a method
//!   of a candidate type, and so on up through callers that are such
//!   methods themselves: a method's locks on entry are the meet over its
//!   call sites, and only a call through a method's own receiver passes on
//!   that method's entry locks (see `flow::entries`), so a plain function's
//!   callers, or a non-candidate method's, change nothing;
//! - then, only when some guard was found, every function the field users
//!   may call, transitively (the locks a fix would take twice, the fields
//!   it would write).
//!
//! The functions outside both sets can change no guard, no entry lock and
//! no fix, and are parsed as their headers only.

use crate::go::decls::{self, Decl};
use crate::go::lex::{self, Tok};
use std::collections::{HashMap, HashSet};

/// For each file and each of its declarations, whether to walk it.
pub struct Cone {
    /// The field users (the functions that select a field).
    pub seeds: Vec<Vec<bool>>,
    /// The field users and their callers: walked first.
    pub users: Vec<Vec<bool>>,
    /// The functions the field users may call that are not in `users`:
    /// walked only for a fix.
    pub callees: Vec<Vec<bool>>,
}

/// The cone of `field_words` in the package's files; `candidate_type`
/// tells the candidate struct types (whose methods' callers count).
pub fn select(
    texts: &[&str],
    decls: &[Vec<Decl>],
    field_words: &HashSet<&str>,
    candidate_type: &dyn Fn(&str) -> bool,
) -> Cone {
    // Every function with a body: (file, declaration).
    let mut funcs: Vec<(usize, usize)> = Vec::new();
    let mut by_name: HashMap<&str, Vec<usize>> = HashMap::new();
    for (f, ds) in decls.iter().enumerate() {
        for (d, decl) in ds.iter().enumerate() {
            if decl.body.is_none() {
                continue;
            }
            if let Some(name) = decls::func_name(texts[f], decl) {
                by_name.entry(name).or_default().push(funcs.len());
            }
            funcs.push((f, d));
        }
    }
    // The names each function mentions, and whether it names a field.
    let mut names_field = vec![false; funcs.len()];
    let mut mentions: Vec<Vec<&str>> = vec![Vec::new(); funcs.len()];
    let mut mentioned_by: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, &(f, d)) in funcs.iter().enumerate() {
        let text = texts[f];
        let range = decls[f][d].range.clone();
        let piece = &text[range.clone()];
        let mut seen: HashSet<&str> = HashSet::new();
        let mut after_dot = false;
        for (tok, _) in lex::tokens(piece) {
            if tok == Tok::Newline {
                continue;
            }
            let selected = std::mem::replace(&mut after_dot, tok == Tok::Punct(b'.'));
            if let Tok::Word(s, e) = tok {
                let word = &piece[s..e];
                // A field is reached through a selector (`x.f`, `x.\n f`).
                names_field[i] |= selected && field_words.contains(word);
                if by_name.contains_key(word) && seen.insert(word) {
                    mentions[i].push(word);
                    mentioned_by.entry(word).or_default().push(i);
                }
            }
        }
    }
    let seeds: Vec<usize> = (0..funcs.len()).filter(|&i| names_field[i]).collect();
    let candidate_method: Vec<bool> = funcs
        .iter()
        .map(|&(f, d)| decls::receiver_type(texts[f], &decls[f][d]).is_some_and(candidate_type))
        .collect();
    // Callees, transitively.
    let mut queue = seeds.clone();
    let mut callee = vec![false; funcs.len()];
    for &i in &seeds {
        callee[i] = true;
    }
    while let Some(i) = queue.pop() {
        for name in &mentions[i] {
            for &j in &by_name[name] {
                if !callee[j] {
                    callee[j] = true;
                    queue.push(j);
                }
            }
        }
    }
    // Callers: of a candidate method, and on through callers that are
    // candidate methods themselves.
    let mut caller = vec![false; funcs.len()];
    for &i in &seeds {
        caller[i] = true;
    }
    let mut queue: Vec<usize> = seeds.into_iter().filter(|&i| candidate_method[i]).collect();
    while let Some(i) = queue.pop() {
        let (f, d) = funcs[i];
        let Some(name) = decls::func_name(texts[f], &decls[f][d]) else {
            continue;
        };
        for &j in mentioned_by.get(name).into_iter().flatten() {
            if !caller[j] {
                caller[j] = true;
                if candidate_method[j] {
                    queue.push(j);
                }
            }
        }
    }
    let mut users: Vec<Vec<bool>> = decls.iter().map(|ds| vec![false; ds.len()]).collect();
    let mut callees = users.clone();
    let mut field_users = users.clone();
    for (i, &(f, d)) in funcs.iter().enumerate() {
        field_users[f][d] = names_field[i];
        users[f][d] = caller[i];
        callees[f][d] = callee[i] && !caller[i];
    }
    Cone {
        seeds: field_users,
        users,
        callees,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names<'t>(texts: &[&'t str], decls: &[Vec<Decl>], mask: &[Vec<bool>]) -> Vec<&'t str> {
        texts
            .iter()
            .zip(decls)
            .zip(mask)
            .flat_map(|((t, ds), w)| {
                ds.iter()
                    .zip(w)
                    .filter(|(_, w)| **w)
                    .filter_map(|(d, _)| decls::func_name(t, d))
            })
            .collect()
    }

    #[test]
    fn walks_the_field_users_and_the_callers_that_pass_on_locks() {
        let a = "package p\n\nfunc (s *S) get(k string) int { return s.items[k] }\n\nfunc (s *S) Get(k string) int {\n\ts.mu.Lock()\n\tdefer s.mu.Unlock()\n\treturn s.get(k)\n}\n\nfunc (s *S) Other() { helper() }\n\nfunc count(s *S) int { return len(s.items) }\n";
        let b = "package p\n\nfunc (s *S) Set(k string) { s.items[k] = depth() }\n\nfunc depth() int { return leaf() }\n\nfunc leaf() int { return 1 }\n\nfunc helper() {}\n\nfunc Top(s *S) { s.Get(\"x\") }\n\nfunc Outer() { Top(nil) }\n\nfunc User() int { return count(nil) }\n\nfunc (o *O) Wrap(s *S) { s.Set(\"k\") }\n\nfunc (o *O) Above() { o.Wrap(nil) }\n";
        let texts = [a, b];
        let decls: Vec<Vec<Decl>> = texts.iter().map(|t| decls::split(t)).collect();
        let fields: HashSet<&str> = ["items"].into_iter().collect();
        let cone = select(&texts, &decls, &fields, &|ty| ty == "S");
        // Top and Wrap call methods of S; Outer calls Top, a plain
        // function, and Above calls Wrap, a method of another type: their
        // entry locks pass nothing on. count is a plain function: its
        // callers (User) are not needed.
        assert_eq!(
            names(&texts, &decls, &cone.users),
            ["get", "Get", "count", "Set", "Top", "Wrap"]
        );
        assert_eq!(names(&texts, &decls, &cone.callees), ["depth", "leaf"]);
        assert_eq!(names(&texts, &decls, &cone.seeds), ["get", "count", "Set"]);
    }
}
