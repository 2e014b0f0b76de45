//! What `--write` keeps (SPEC §6), through the real binary and a real fix
//! (range-delete → `clear(m)` in a Go 1.22 module): every byte outside the
//! edited span (BOM, CRLF and mixed line endings, trailing blanks), the
//! file's permissions and owner, and symlinks, written through to their target.

use crate::common::*;
use std::path::{Path, PathBuf};

const LOOP: &str = "for k := range m {\r\n\t\tdelete(m, k)\r\n\t}";

fn module(files: &[(&str, &[u8])]) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("m");
    std::fs::create_dir(&dir).unwrap();
    std::fs::write(dir.join("go.mod"), "module example.com/m\n\ngo 1.22\n").unwrap();
    for (name, bytes) in files {
        std::fs::write(dir.join(name), bytes).unwrap();
    }
    (tmp, dir)
}

/// A BOM, CRLF lines, one LF-only line, trailing blanks in a comment, a raw
/// string spanning lines; the loop sits between `prefix` and `suffix`.
fn crlf_bom_source() -> (Vec<u8>, Vec<u8>) {
    let prefix = "\u{feff}package m\r\n\r\n// Reset empties m.   \r\nfunc Reset(m map[string]int) {\r\n\t_ = `raw\r\nstring`\n\t";
    let suffix = "\r\n}\r\n\r\n// LF-only line follows\nvar X = 1\r\n";
    (prefix.as_bytes().to_vec(), suffix.as_bytes().to_vec())
}

#[test]
fn crlf_and_bom_survive_a_real_fix_byte_for_byte() {
    let (prefix, suffix) = crlf_bom_source();
    let original = [prefix.clone(), LOOP.as_bytes().to_vec(), suffix.clone()].concat();
    let (_tmp, dir) = module(&[("a.go", &original)]);
    let vet = go(&dir, &["vet", "./..."]);
    assert!(vet.status.success(), "the input must be valid Go:\n{}", describe(&vet));

    let out = mapfix(&dir, &["--write", "a.go"]);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let written = std::fs::read(dir.join("a.go")).unwrap();
    assert_eq!(written, [prefix, b"clear(m)".to_vec(), suffix].concat());
    let vet = go(&dir, &["vet", "./..."]);
    assert!(vet.status.success(), "go vet after the fix:\n{}", describe(&vet));
}

#[test]
fn a_multi_line_fix_in_a_crlf_file_gets_crlf() {
    // The fix keeps the loop's comment above clear(m): two lines, both CRLF.
    let src = "package m\r\n\r\nfunc Reset(m map[string]int) {\r\n\tfor k := range m {\r\n\t\t// why\r\n\t\tdelete(m, k)\r\n\t}\r\n}\r\n";
    let (_tmp, dir) = module(&[("a.go", src.as_bytes())]);
    let out = mapfix(&dir, &["--write", "--unsafe", "a.go"]);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let written = std::fs::read_to_string(dir.join("a.go")).unwrap();
    assert_eq!(
        written,
        "package m\r\n\r\nfunc Reset(m map[string]int) {\r\n\t// why\r\n\tclear(m)\r\n}\r\n"
    );
}

#[cfg(unix)]
#[test]
fn permissions_and_owner_are_kept() {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let src = "package m\n\nfunc Reset(m map[string]int) {\n\tfor k := range m {\n\t\tdelete(m, k)\n\t}\n}\n";
    let (_tmp, dir) = module(&[("a.go", src.as_bytes())]);
    let a = dir.join("a.go");
    std::fs::set_permissions(&a, std::fs::Permissions::from_mode(0o751)).unwrap();
    // Only root can give a file away (CI runs as root); otherwise it stays ours.
    let _ = std::os::unix::fs::chown(&a, Some(4242), Some(4343));
    let before = std::fs::metadata(&a).unwrap();
    let out = mapfix(&dir, &["--write", "."]);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let after = std::fs::metadata(&a).unwrap();
    assert_ne!(before.ino(), after.ino(), "the file was not replaced");
    assert_eq!(after.permissions().mode() & 0o7777, 0o751);
    assert_eq!((after.uid(), after.gid()), (before.uid(), before.gid()));
}

#[cfg(unix)]
#[test]
fn a_symlinked_file_is_written_through_to_its_target() {
    let src = "package m\n\nfunc Reset(m map[string]int) {\n\tfor k := range m {\n\t\tdelete(m, k)\n\t}\n}\n";
    let (tmp, dir) = module(&[]);
    let elsewhere = tmp.path().join("elsewhere");
    std::fs::create_dir(&elsewhere).unwrap();
    std::fs::write(elsewhere.join("real.go"), src).unwrap();
    std::os::unix::fs::symlink(elsewhere.join("real.go"), dir.join("a.go")).unwrap();

    let out = mapfix(&dir, &["--write", "a.go"]);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    assert!(
        std::fs::symlink_metadata(dir.join("a.go"))
            .unwrap()
            .file_type()
            .is_symlink(),
        "the link was replaced"
    );
    assert!(std::fs::read_to_string(elsewhere.join("real.go"))
        .unwrap()
        .contains("\tclear(m)\n"));
    let names = |d: &Path| std::fs::read_dir(d).unwrap().count();
    assert_eq!((names(&dir), names(&elsewhere)), (2, 1), "temporary files left behind");
}

#[cfg(unix)]
#[test]
fn a_hard_linked_file_is_not_split() {
    let src = "package m\n\nfunc Reset(m map[string]int) {\n\tfor k := range m {\n\t\tdelete(m, k)\n\t}\n}\n";
    let (tmp, dir) = module(&[("a.go", src.as_bytes())]);
    std::fs::hard_link(dir.join("a.go"), tmp.path().join("other-link.go")).unwrap();
    let out = mapfix(&dir, &["--write", "."]);
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("hard links"),
        "{}",
        describe(&out)
    );
    assert_eq!(std::fs::read_to_string(dir.join("a.go")).unwrap(), src);
}

#[test]
fn a_multi_line_block_comment_moves_out_with_the_loop() {
    // The comment's later lines were indented for the loop body: gofmt
    // re-indents them with the comment, so the fix must too.
    let src = "package m\n\nfunc Reset(m map[string]int) {\n\tfor k := range m {\n\t\t/* drop\n\t\t   every key\n\t\t*/\n\t\tdelete(m, k)\n\t}\n}\n";
    let (_tmp, dir) = module(&[("a.go", src.as_bytes())]);
    let out = mapfix(&dir, &["--write", "a.go"]);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let written = std::fs::read_to_string(dir.join("a.go")).unwrap();
    assert_eq!(
        written,
        "package m\n\nfunc Reset(m map[string]int) {\n\t/* drop\n\t   every key\n\t*/\n\tclear(m)\n}\n"
    );
    let fmt = std::process::Command::new(gofmt_binary())
        .args(["-l", "a.go"])
        .current_dir(&dir)
        .output()
        .unwrap();
    assert!(fmt.stdout.is_empty(), "not gofmt-clean after the fix:\n{written}");
}

#[test]
fn a_fix_that_never_converges_leaves_the_file_as_it_was() {
    let src = "package m\n\nfunc foo(x int) int { return x }\n\nvar X = foo(1)\n";
    let (tmp, dir) = module(&[("a.go", src.as_bytes())]);
    let rules = tmp.path().join("rules");
    std::fs::create_dir(&rules).unwrap();
    std::fs::write(
        rules.join("grow.yml"),
        "id: grow\nlanguage: go\nseverity: warning\nmessage: grows\nrule:\n  pattern: foo($A)\nfix: foo(foo($A))\nmetadata:\n  safety: safe\n",
    )
    .unwrap();
    let rules_arg = rules.to_string_lossy().into_owned();
    for _ in 0..2 {
        let out = mapfix(&dir, &["--write", "--rules", &rules_arg, "--format", "json", "a.go"]);
        assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
        let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let errors = json["errors"].to_string();
        assert!(
            errors.contains("did not converge") && errors.contains("grow"),
            "{errors}"
        );
        assert_eq!(json["summary"]["applied"], 0, "{json}");
        assert_eq!(std::fs::read_to_string(dir.join("a.go")).unwrap(), src, "the file grew");
    }
}

#[cfg(unix)]
#[test]
fn a_read_only_file_is_not_rewritten() {
    use std::os::unix::fs::PermissionsExt;
    let src = "package m\n\nfunc Reset(m map[string]int) {\n\tfor k := range m {\n\t\tdelete(m, k)\n\t}\n}\n";
    let (_tmp, dir) = module(&[("a.go", src.as_bytes()), ("b.go", src.as_bytes())]);
    std::fs::set_permissions(dir.join("a.go"), std::fs::Permissions::from_mode(0o444)).unwrap();
    let out = mapfix(&dir, &["--write", "."]);
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("a.go") && stderr.contains("read-only"), "{stderr}");
    assert_eq!(std::fs::read_to_string(dir.join("a.go")).unwrap(), src);
    let mode = std::fs::metadata(dir.join("a.go")).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o444);
    assert!(std::fs::read_to_string(dir.join("b.go")).unwrap().contains("clear(m)"));
}

/// `--format patch` names a path with a tab, a newline or a quote in git's
/// quotes, and a path reached through `..` without it: `git apply` takes both.
#[cfg(unix)]
#[test]
fn patch_names_any_path_git_apply_accepts() {
    let src = "package m\n\nfunc Reset(m map[string]int) {\n\tfor k := range m {\n\t\tdelete(m, k)\n\t}\n}\n";
    let names = [
        "tab\tname.go",
        "new\nline.go",
        "q\"uote.go",
        "back\\slash.go",
        "plain.go",
    ];
    let files: Vec<(&str, &[u8])> = names.iter().map(|n| (*n, src.as_bytes())).collect();
    let (_tmp, dir) = module(&files);
    let out = mapfix(&dir, &["--format", "patch", "."]);
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    let patch = dir.join("../fix.patch");
    std::fs::write(&patch, &out.stdout).unwrap();
    let apply = std::process::Command::new("git")
        .args(["apply", "--unsafe-paths", "-v"])
        .arg(&patch)
        .current_dir(&dir)
        .output()
        .unwrap();
    assert!(
        apply.status.success(),
        "{}\n{}",
        describe(&apply),
        String::from_utf8_lossy(&out.stdout)
    );
    for name in names {
        assert!(
            std::fs::read_to_string(dir.join(name)).unwrap().contains("clear(m)"),
            "{name:?} not patched"
        );
    }
    // Reached through `..` from a subdirectory: named from the current directory.
    std::fs::write(dir.join("plain.go"), src).unwrap();
    std::fs::create_dir(dir.join("sub")).unwrap();
    let out = mapfix(&dir.join("sub"), &["--format", "patch", "../plain.go"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(!text.contains(".."), "{text}");
}
