//! Writing fixed files safely (SPEC §6): the new bytes go to a temporary file
//! in the same directory, are synced, take the old file's permissions and
//! replace it by rename. A file that changed on disk since it was read is
//! left alone. Symlinked files are written through to their target.

use crate::load::SourceFile;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Writes `text` (BOM restored) over `source`'s file, atomically.
pub fn write_file(source: &SourceFile, text: &str) -> Result<(), String> {
    let target = resolve_target(&source.path)?;
    let current = std::fs::read(&target).map_err(|e| format!("cannot re-read before writing: {e}"))?;
    if current != source.original {
        return Err("file changed on disk since it was read; not overwritten".into());
    }
    let bytes = source.encode(text);
    atomic_replace(&target, &bytes)
}

/// The real file behind `path` (following symlinks), so a link stays a link.
fn resolve_target(path: &Path) -> Result<PathBuf, String> {
    std::fs::canonicalize(path).map_err(|e| format!("cannot resolve path: {e}"))
}

/// Replaces `target` by a file holding `bytes`, keeping its permissions.
pub fn atomic_replace(target: &Path, bytes: &[u8]) -> Result<(), String> {
    let dir = target.parent().ok_or("file has no parent directory")?;
    let perms = std::fs::metadata(target).map_err(|e| format!("cannot stat: {e}"))?.permissions();
    let mut tmp = tempfile::Builder::new()
        .prefix(".mapfix-")
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(|e| format!("cannot create a temporary file beside it: {e}"))?;
    tmp.write_all(bytes).map_err(|e| format!("cannot write temporary file: {e}"))?;
    tmp.as_file().sync_all().map_err(|e| format!("cannot sync temporary file: {e}"))?;
    std::fs::set_permissions(tmp.path(), perms).map_err(|e| format!("cannot set permissions: {e}"))?;
    preserve_owner(target, tmp.path());
    tmp.persist(target).map_err(|e| format!("cannot rename into place: {}", e.error))?;
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

#[cfg(unix)]
fn preserve_owner(original: &Path, tmp: &Path) {
    use std::os::unix::fs::MetadataExt;
    if let Ok(meta) = std::fs::metadata(original) {
        // Only root can give a file away; for others this is a no-op failure.
        let _ = std::os::unix::fs::chown(tmp, Some(meta.uid()), Some(meta.gid()));
    }
}

#[cfg(not(unix))]
fn preserve_owner(_: &Path, _: &Path) {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::goversion::VersionResolver;

    #[test]
    fn refuses_when_changed_on_disk() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.go");
        std::fs::write(&p, "package a\n").unwrap();
        let src = SourceFile::load(&p, &VersionResolver::new(None)).unwrap();
        std::fs::write(&p, "package b\n").unwrap();
        assert!(write_file(&src, "package c\n").is_err());
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "package b\n");
    }

    #[cfg(unix)]
    #[test]
    fn keeps_mode_and_writes_through_symlinks() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real.go");
        std::fs::write(&real, "package a\n").unwrap();
        std::fs::set_permissions(&real, std::fs::Permissions::from_mode(0o640)).unwrap();
        let link = dir.path().join("link.go");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        let src = SourceFile::load(&link, &VersionResolver::new(None)).unwrap();
        write_file(&src, "package z\n").unwrap();
        assert!(std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink());
        assert_eq!(std::fs::read_to_string(&real).unwrap(), "package z\n");
        assert_eq!(std::fs::metadata(&real).unwrap().permissions().mode() & 0o777, 0o640);
        let leftovers = std::fs::read_dir(dir.path()).unwrap().count();
        assert_eq!(leftovers, 2);
    }
}
