//! Embeds every `patterns/*.yml` rule in the binary, so an installed mapfix
//! needs no files beside it, and registers the rule module each one names
//! in `metadata.fixer` (`src/rules/<fixer>.rs` or `src/rules/<fixer>/mod.rs`),
//! after checking that `src/rules/mod.rs` declares exactly those modules.

use std::fmt::Write;

fn main() {
    println!("cargo:rerun-if-changed=patterns");
    println!("cargo:rerun-if-changed=src/rules");
    println!("cargo:rerun-if-changed=src/rules/mod.rs");
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

/// The rule modules `src/rules/mod.rs` declares: its `mod` lines between
/// `// rule-modules: begin` and `// rule-modules: end`.
fn declared_modules(text: &str) -> Vec<String> {
    let block = text
        .split_once("// rule-modules: begin")
        .and_then(|(_, rest)| rest.split_once("// rule-modules: end"))
        .map(|(block, _)| block)
        .expect("src/rules/mod.rs lists the rule modules between `// rule-modules: begin` and `// rule-modules: end`");
    block
        .lines()
        .filter_map(|l| l.trim().strip_prefix("mod ")?.strip_suffix(';'))
        .map(|name| name.trim().to_string())
        .collect()
}

/// Checks that `src/rules/mod.rs` declares exactly the modules the rules
/// name, each with its file; the message names every one missing or extra.
fn check_declared(fixers: &[String]) {
    let text = std::fs::read_to_string("src/rules/mod.rs").expect("src/rules/mod.rs");
    let declared = declared_modules(&text);
    let mut problems = Vec::new();
    for name in fixers.iter().filter(|f| !declared.contains(f)) {
        problems.push(format!(
            "a rule names metadata.fixer {name:?}: add the line `mod {name};` to the rule modules of src/rules/mod.rs"
        ));
    }
    for name in declared.iter().filter(|d| !fixers.contains(d)) {
        problems.push(format!(
            "src/rules/mod.rs declares the rule module `{name}`, which no patterns/*.yml names in metadata.fixer: remove the line `mod {name};`"
        ));
    }
    for name in fixers {
        let file = std::path::Path::new("src/rules").join(format!("{name}.rs"));
        if !file.is_file() && !std::path::Path::new("src/rules").join(name).join("mod.rs").is_file() {
            problems.push(format!(
                "a rule names metadata.fixer {name:?}: src/rules/{name}.rs (or src/rules/{name}/mod.rs) is missing"
            ));
        }
    }
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}

/// The `MODULES` list of the registry (the `mod` items are in `src/rules/mod.rs`).
fn rule_modules(fixers: &[String]) -> String {
    check_declared(fixers);
    let mut out = String::from(
        "/// Every rule module, in name order.\npub(crate) const MODULES: &[&registry::RuleModule] = &[\n",
    );
    for name in fixers {
        writeln!(out, "    &{name}::MODULE,").unwrap();
    }
    out.push_str("];\n");
    out
}
