//! Which functions of the package the facts walk: those that name a
//! candidate map field, with every function that may call them (the locks
//! their callers hold, to a fixed point) and every function they may call
//! (the locks a fix would take twice), as far as words tell. A call is
//! taken to be any mention of a function's or method's name, so the set
//! only grows past what the walks would follow; the functions outside it
//! can change no guard, no entry lock and no fix, and are parsed as their
//! headers only.

use crate::go::decls::{self, Decl};
use crate::go::lex::{self, Tok};
use std::collections::{HashMap, HashSet};

/// For each file and each of its declarations, whether to walk it.
pub fn select(texts: &[&str], decls: &[Vec<Decl>], field_words: &HashSet<&str>) -> Vec<Vec<bool>> {
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
        for (tok, _) in lex::tokens(piece) {
            if let Tok::Word(s, e) = tok {
                let word = &piece[s..e];
                names_field[i] |= field_words.contains(word);
                if by_name.contains_key(word) && seen.insert(word) {
                    mentions[i].push(word);
                    mentioned_by.entry(word).or_default().push(i);
                }
            }
        }
    }
    let seeds: Vec<usize> = (0..funcs.len()).filter(|&i| names_field[i]).collect();
    let mut walk = vec![false; funcs.len()];
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
    // Callers, transitively.
    let mut queue = seeds;
    let mut caller = vec![false; funcs.len()];
    for &i in &queue {
        caller[i] = true;
    }
    while let Some(i) = queue.pop() {
        let (f, d) = funcs[i];
        let Some(name) = decls::func_name(texts[f], &decls[f][d]) else {
            continue;
        };
        for &j in mentioned_by.get(name).into_iter().flatten() {
            if !caller[j] {
                caller[j] = true;
                queue.push(j);
            }
        }
    }
    for i in 0..funcs.len() {
        walk[i] = callee[i] || caller[i];
    }
    let mut out: Vec<Vec<bool>> = decls.iter().map(|ds| vec![false; ds.len()]).collect();
    for (i, &(f, d)) in funcs.iter().enumerate() {
        out[f][d] = walk[i];
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn walks_the_field_users_their_callers_and_callees_only() {
        let a = "package p\n\nfunc (s *S) get(k string) int { return s.items[k] }\n\nfunc (s *S) Get(k string) int {\n\ts.mu.Lock()\n\tdefer s.mu.Unlock()\n\treturn s.get(k)\n}\n\nfunc (s *S) Other() { helper() }\n";
        let b = "package p\n\nfunc (s *S) Set(k string) { s.items[k] = depth() }\n\nfunc depth() int { return leaf() }\n\nfunc leaf() int { return 1 }\n\nfunc helper() {}\n\nfunc Top(s *S) { s.Get(\"x\") }\n";
        let texts = [a, b];
        let decls: Vec<Vec<Decl>> = texts.iter().map(|t| decls::split(t)).collect();
        let fields: HashSet<&str> = ["items"].into_iter().collect();
        let walk = select(&texts, &decls, &fields);
        let walked: Vec<&str> = texts
            .iter()
            .zip(&decls)
            .zip(&walk)
            .flat_map(|((t, ds), w)| {
                ds.iter()
                    .zip(w)
                    .filter(|(_, w)| **w)
                    .filter_map(|(d, _)| decls::func_name(t, d))
            })
            .collect();
        assert_eq!(walked, ["get", "Get", "Set", "depth", "leaf", "Top"]);
    }
}
