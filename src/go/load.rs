//! Loading a Go file: bytes, encoding checks, BOM and line endings, the
//! generated-file marker and the file's Go version. No parsing happens here.

use crate::go::goversion::{GoVersion, VersionResolver, VersionSource};
use std::path::{Path, PathBuf};

/// Files larger than this are reported and skipped rather than parsed.
pub const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

const BOM: &str = "\u{feff}";

/// A Go source file ready for parsing.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// The path as reached from the command-line PATH arguments.
    pub path: PathBuf,
    /// The exact bytes read, to detect a change on disk before writing.
    pub original: Vec<u8>,
    /// The text without its BOM.
    pub text: String,
    pub has_bom: bool,
    /// Whether the file's line endings are CRLF (fix text is written with them).
    pub crlf: bool,
    pub generated: bool,
    pub go_version: GoVersion,
    pub version_source: VersionSource,
}

/// Why a file could not be loaded.
#[derive(Debug, Clone)]
pub struct LoadError {
    pub path: PathBuf,
    pub message: String,
}

impl SourceFile {
    /// Reads and checks the file at `path`.
    pub fn load(path: &Path, versions: &VersionResolver) -> Result<SourceFile, LoadError> {
        let original = read_go_file(path, false)?.expect("read whole");
        Self::from_bytes(path, original, versions).map_err(|message| LoadError {
            path: path.to_path_buf(),
            message,
        })
    }

    /// Checks and decodes already-read bytes.
    pub fn from_bytes(path: &Path, original: Vec<u8>, versions: &VersionResolver) -> Result<SourceFile, String> {
        let has_bom = original.starts_with(BOM.as_bytes());
        let text = decode(&original)?.to_string();
        let crlf = text.contains("\r\n");
        let generated = is_generated(&text);
        let (go_version, version_source) = versions.resolve(path, &text);
        Ok(SourceFile {
            path: path.to_path_buf(),
            original,
            text,
            has_bom,
            crlf,
            generated,
            go_version,
            version_source,
        })
    }

    /// The bytes to write for new text: BOM restored.
    pub fn encode(&self, text: &str) -> Vec<u8> {
        let mut out = Vec::with_capacity(text.len() + 3);
        if self.has_bom {
            out.extend_from_slice(BOM.as_bytes());
        }
        out.extend_from_slice(text.as_bytes());
        out
    }
}

fn too_big(len: u64) -> String {
    format!("file is {len} bytes, over the {MAX_FILE_BYTES} byte limit; skipped")
}

/// Whether a path names a Go test file (`*_test.go`), as the go tool decides.
pub fn is_test_file(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.ends_with("_test.go"))
}

/// Reads a Go file's bytes, after the checks of `load` (a directory, the
/// size limit). With `skip_generated`, `Ok(None)` for a file whose first
/// bytes mark it generated, without reading the rest (generated files are
/// often the largest of a tree, and most runs skip them).
pub fn read_go_file(path: &Path, skip_generated: bool) -> Result<Option<Vec<u8>>, LoadError> {
    use std::io::Read;
    let err = |message: String| LoadError {
        path: path.to_path_buf(),
        message,
    };
    let meta = std::fs::metadata(path).map_err(|e| err(format!("cannot read: {e}")))?;
    if meta.is_dir() {
        return Err(err("is a directory, not a Go file".into()));
    }
    if !meta.is_file() {
        // A FIFO would block the read forever; a device is not source.
        return Err(err("not a regular file (a FIFO, socket or device); skipped".into()));
    }
    if meta.len() > MAX_FILE_BYTES {
        return Err(err(too_big(meta.len())));
    }
    let mut file = std::fs::File::open(path).map_err(|e| err(format!("cannot read: {e}")))?;
    if !skip_generated || meta.len() <= HEAD_BYTES as u64 {
        let mut all = Vec::with_capacity(meta.len() as usize);
        // The file may grow after the size check: never read past the limit.
        (&mut file)
            .take(MAX_FILE_BYTES + 1)
            .read_to_end(&mut all)
            .map_err(|e| err(format!("cannot read: {e}")))?;
        if all.len() as u64 > MAX_FILE_BYTES {
            return Err(err(too_big(all.len() as u64)));
        }
        return Ok(Some(all));
    }
    let mut bytes = Vec::with_capacity(HEAD_BYTES);
    (&mut file)
        .take(HEAD_BYTES as u64)
        .read_to_end(&mut bytes)
        .map_err(|e| err(format!("cannot read: {e}")))?;
    if generated_in_head(&bytes) == Some(true) {
        return Ok(None);
    }
    bytes.reserve_exact((meta.len() as usize).saturating_sub(bytes.len()) + 1);
    file.take(MAX_FILE_BYTES + 1 - HEAD_BYTES as u64)
        .read_to_end(&mut bytes)
        .map_err(|e| err(format!("cannot read: {e}")))?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(err(too_big(bytes.len() as u64)));
    }
    Ok(Some(bytes))
}

/// The text of a Go file's bytes, without its BOM, if they are text: no NUL
/// bytes, valid UTF-8 (the checks of `SourceFile::from_bytes`, without a copy).
pub fn decode(bytes: &[u8]) -> Result<&str, String> {
    if memchr::memchr(0, bytes).is_some() {
        return Err("binary content (NUL bytes) in a .go file".into());
    }
    let decoded = std::str::from_utf8(bytes).map_err(|e| {
        let at = e.valid_up_to();
        let line = bytes[..at].iter().filter(|&&b| b == b'\n').count() + 1;
        let column = at - bytes[..at].iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1) + 1;
        format!("not valid UTF-8 (first bad byte at line {line}, column {column}, offset {at})")
    })?;
    let text = decoded.strip_prefix(BOM).unwrap_or(decoded);
    if text.trim().is_empty() {
        let what = if text.len() < decoded.len() {
            "holds only a byte order mark"
        } else {
            "is empty"
        };
        return Err(format!("file {what}: not Go source (no package clause)"));
    }
    Ok(text)
}

/// How much of a file `read_go_file` reads to look for the marker.
const HEAD_BYTES: usize = 16 * 1024;

/// `is_generated` on the first bytes of a file: `None` when its complete
/// lines end before the first declaration.
fn generated_in_head(head: &[u8]) -> Option<bool> {
    let text = match std::str::from_utf8(head) {
        Ok(t) => t,
        Err(e) => std::str::from_utf8(&head[..e.valid_up_to()]).ok()?,
    };
    let text = text.strip_prefix(BOM).unwrap_or(text);
    generated_marker(text.split_inclusive('\n').map_while(|l| l.strip_suffix('\n')))
}

/// Whether a `// Code generated … DO NOT EDIT.` line comes before the first
/// declaration (`import`, `func`, `type`, `var`, `const`), before or after
/// the package clause: code generators such as msgp write it after.
pub fn is_generated(text: &str) -> bool {
    generated_marker(text.lines()).unwrap_or(false)
}

/// The marker decision over a file's first lines: `Some(true)` at the
/// marker, `Some(false)` at the first declaration, `None` when the lines end
/// before either.
fn generated_marker<'t>(lines: impl Iterator<Item = &'t str>) -> Option<bool> {
    let mut in_block_comment = false;
    for line in lines {
        let t = line.trim_end_matches('\r');
        if in_block_comment {
            in_block_comment = !t.contains("*/");
            continue;
        }
        if t.starts_with("// Code generated ") && t.ends_with(" DO NOT EDIT.") {
            return Some(true);
        }
        if t.starts_with("/*") && !t[2..].contains("*/") {
            in_block_comment = true;
            continue;
        }
        let first_word = t
            .split(|c: char| !c.is_ascii_alphanumeric() && c != '_')
            .next()
            .unwrap_or("");
        if matches!(first_word, "import" | "func" | "type" | "var" | "const") {
            return Some(false);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_generated_marker_before_the_first_declaration() {
        assert!(is_generated(
            "// Code generated by stringer. DO NOT EDIT.\n\npackage p\n"
        ));
        // msgp: the marker after the package clause, before the imports.
        assert!(is_generated(
            "package p\n\n// Code generated by github.com/tinylib/msgp DO NOT EDIT.\n\nimport \"x\"\n"
        ));
        assert!(is_generated("package p\n// Code generated by x. DO NOT EDIT.\n"));
        assert!(!is_generated(
            "package p\n\nfunc f() {}\n\n// Code generated by x. DO NOT EDIT.\n"
        ));
        assert!(!is_generated(
            "package p\n\nvar x = 1 // Code generated by x. DO NOT EDIT.\n"
        ));
        assert!(!is_generated(
            "package p\n/*\n// Code generated by x. DO NOT EDIT.\n*/\nfunc f() {}\n"
        ));
        assert!(!is_generated("// Code generated by x.\npackage p\n"));
    }

    #[test]
    fn generated_files_are_told_from_their_first_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let v = VersionResolver::new(None);
        let body = "var x = 1\n".repeat(4000);
        let generated = dir.path().join("gen.go");
        std::fs::write(
            &generated,
            format!("// Code generated by x. DO NOT EDIT.\r\n\npackage p\n{body}"),
        )
        .unwrap();
        assert!(read_go_file(&generated, true).unwrap().is_none());
        assert!(SourceFile::load(&generated, &v).unwrap().generated);
        let msgp = dir.path().join("msgp_gen.go");
        std::fs::write(
            &msgp,
            format!("package p\n\n// Code generated by github.com/tinylib/msgp DO NOT EDIT.\n\nimport \"x\"\n{body}"),
        )
        .unwrap();
        assert!(
            read_go_file(&msgp, true).unwrap().is_none(),
            "marker after the package clause"
        );
        let plain = dir.path().join("plain.go");
        std::fs::write(
            &plain,
            format!("package p\n{body}// Code generated by x. DO NOT EDIT.\n"),
        )
        .unwrap();
        let bytes = read_go_file(&plain, true).unwrap().unwrap();
        assert_eq!(bytes, std::fs::read(&plain).unwrap());
        assert!(!is_generated(decode(&bytes).unwrap()));
        let late = dir.path().join("late.go");
        std::fs::write(
            &late,
            format!(
                "{}// Code generated by x. DO NOT EDIT.\npackage p\n",
                "// licence\n".repeat(3000)
            ),
        )
        .unwrap();
        let bytes = read_go_file(&late, true).unwrap().unwrap();
        assert!(
            is_generated(decode(&bytes).unwrap()),
            "a marker past the first bytes is seen in the whole text"
        );
    }

    #[test]
    fn keeps_bom_and_crlf() {
        let v = VersionResolver::new(None);
        let bytes = b"\xef\xbb\xbfpackage p\r\n".to_vec();
        let f = SourceFile::from_bytes(Path::new("x.go"), bytes.clone(), &v).unwrap();
        assert!(f.has_bom && f.crlf);
        assert_eq!(f.text, "package p\r\n");
        assert_eq!(f.encode(&f.text), bytes);
    }

    #[test]
    fn rejects_binary_and_bad_utf8() {
        let v = VersionResolver::new(None);
        assert!(SourceFile::from_bytes(Path::new("x.go"), b"pa\0ck".to_vec(), &v).is_err());
        assert!(SourceFile::from_bytes(Path::new("x.go"), b"pa\xffck".to_vec(), &v).is_err());
        assert!(SourceFile::from_bytes(Path::new("x.go"), b"".to_vec(), &v).is_err());
        assert!(SourceFile::from_bytes(Path::new("x.go"), b"\xef\xbb\xbf\r\n".to_vec(), &v).is_err());
    }
}
