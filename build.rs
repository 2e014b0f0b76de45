//! Embeds every `patterns/*.yml` rule in the binary, so an installed mapfix
//! needs no files beside it, and registers the rule module each one names
//! in `metadata.fixer` (`src/rules/<fixer>.rs` or `src/rules/<fixer>/mod.rs`).

use std::fmt::Write;

fn main() {
    println!("cargo:rerun-if-changed=patterns");
    println!("cargo:rerun-if-changed=src/rules");
    let mut entries: Vec<_> = std::fs::read_dir("patterns")
        .expect("patterns/ directory")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "yml"))
        .collect();
    entries.sort();
    let mut out =
        String::from("/// Built-in rules: (file name, YAML text).\npub const BUILTIN_RULES: &[(&str, &str)] = &[\n");
    let mut fixers = Vec::new();
    for p in entries {
        let name = p.file_name().unwrap().to_string_lossy().into_owned();
        let abs = std::fs::canonicalize(&p).unwrap();
        writeln!(out, "    ({name:?}, include_str!({:?})),", abs.display().to_string()).unwrap();
        let text = std::fs::read_to_string(&p).unwrap();
        fixers.extend(fixer_of(&text));
    }
    out.push_str("];\n");
    let out_dir = std::path::PathBuf::from(std::env::var("OUT_DIR").unwrap());
    std::fs::write(out_dir.join("builtin_rules.rs"), out).unwrap();
    fixers.sort();
    fixers.dedup();
    std::fs::write(out_dir.join("rule_modules.rs"), rule_modules(&fixers)).unwrap();
}

/// The `metadata.fixer` of a rule file (the YAML's `  fixer: name` line).
fn fixer_of(yaml: &str) -> Option<String> {
    let name = yaml.lines().find_map(|l| l.strip_prefix("  fixer:"))?.trim();
    let valid = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    assert!(valid, "metadata.fixer {name:?} is not a module name");
    Some(name.to_string())
}

/// A `mod` item per rule module and the `MODULES` list of the registry.
fn rule_modules(fixers: &[String]) -> String {
    let dir = std::fs::canonicalize("src/rules").expect("src/rules directory");
    let mut out = String::new();
    for name in fixers {
        let file = [dir.join(format!("{name}.rs")), dir.join(name).join("mod.rs")]
            .into_iter()
            .find(|p| p.is_file())
            .unwrap_or_else(|| panic!("a rule names metadata.fixer {name:?}: src/rules/{name}.rs is missing"));
        writeln!(out, "#[path = {:?}]\nmod {name};", file.display().to_string()).unwrap();
    }
    out.push_str("/// Every rule module, in name order.\npub(crate) const MODULES: &[&registry::RuleModule] = &[\n");
    for name in fixers {
        writeln!(out, "    &{name}::MODULE,").unwrap();
    }
    out.push_str("];\n");
    out
}
