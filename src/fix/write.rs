//! Writing a fixed file: atomically (a temporary file in the same folder,
//! flushed to disk, renamed over the original), keeping the file's permissions,
//! and never through a symlink that leads out of the project.

use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// The real file behind a work-tree path: the path itself, or the target of a
/// symlink that stays inside `root`. A target outside `root` is refused.
pub fn write_target(path: &Path, root: &Path) -> Result<PathBuf, String> {
    let metadata = fs::symlink_metadata(path).map_err(|e| e.to_string())?;
    if !metadata.file_type().is_symlink() {
        return Ok(path.to_path_buf());
    }
    let target = path
        .canonicalize()
        .map_err(|e| format!("broken symlink: {e}"))?;
    let root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    if target.starts_with(&root) {
        Ok(target)
    } else {
        Err(format!(
            "is a symlink to {}, outside the project: not written through",
            target.display()
        ))
    }
}

/// Replaces the content of `path` (a regular file) with `bytes`, atomically.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let metadata = fs::metadata(path)?;
    if metadata.permissions().readonly() {
        return Err(io::Error::new(
            io::ErrorKind::PermissionDenied,
            "the file is read-only; make it writable (chmod u+w) to have it fixed",
        ));
    }
    let folder = path.parent().unwrap_or(Path::new("."));
    let mut temporary = tempfile::Builder::new()
        .prefix(".redis-unify-")
        .suffix(".tmp")
        .tempfile_in(folder)?;
    temporary.write_all(bytes)?;
    temporary.as_file().sync_all()?;
    fs::set_permissions(temporary.path(), metadata.permissions())?;
    temporary.persist(path).map_err(|e| e.error)?;
    // Make the rename itself durable.
    if let Ok(folder) = File::open(folder) {
        let _ = folder.sync_all();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    #[test]
    fn keeps_the_mode() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.py");
        fs::write(&path, "a").unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o751)).unwrap();
        write_atomically(&path, b"b").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"b");
        assert_eq!(
            fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o751
        );
        let leftovers = fs::read_dir(dir.path()).unwrap().count();
        assert_eq!(leftovers, 1, "no temporary file left behind");
    }

    #[test]
    fn refuses_read_only_files() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.py");
        fs::write(&path, "a").unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o444)).unwrap();
        let error = write_atomically(&path, b"b").unwrap_err();
        assert!(error.to_string().contains("read-only"));
        assert_eq!(fs::read(&path).unwrap(), b"a");
    }

    #[test]
    fn symlinks_out_of_the_project_are_refused() {
        let project = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        fs::write(outside.path().join("t.py"), "a").unwrap();
        fs::write(project.path().join("in.py"), "a").unwrap();
        std::os::unix::fs::symlink(outside.path().join("t.py"), project.path().join("out.py"))
            .unwrap();
        std::os::unix::fs::symlink(project.path().join("in.py"), project.path().join("link.py"))
            .unwrap();
        assert!(write_target(&project.path().join("out.py"), project.path()).is_err());
        let target = write_target(&project.path().join("link.py"), project.path()).unwrap();
        assert_eq!(target, project.path().canonicalize().unwrap().join("in.py"));
    }
}
