//! Embeds every `patterns/*.yml` rule in the binary, so an installed mapfix
//! needs no files beside it.

use std::fmt::Write;

fn main() {
    println!("cargo:rerun-if-changed=patterns");
    let mut entries: Vec<_> = std::fs::read_dir("patterns")
        .expect("patterns/ directory")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "yml"))
        .collect();
    entries.sort();
    let mut out =
        String::from("/// Built-in rules: (file name, YAML text).\npub const BUILTIN_RULES: &[(&str, &str)] = &[\n");
    for p in entries {
        let name = p.file_name().unwrap().to_string_lossy().into_owned();
        let abs = std::fs::canonicalize(&p).unwrap();
        writeln!(out, "    ({name:?}, include_str!({:?})),", abs.display().to_string()).unwrap();
    }
    out.push_str("];\n");
    let dest = std::path::Path::new(&std::env::var("OUT_DIR").unwrap()).join("builtin_rules.rs");
    std::fs::write(dest, out).unwrap();
}
