//! Writing a fixed file: atomically (a temporary file in the same folder,
//! flushed to disk, renamed over the original), keeping the file's owner,
//! permissions and extended attributes, never through a symlink (of the file
//! or of a folder above it) that leads out of the project, never over a hard
//! link, and never over a file that changed since it was read.
//!
//! A fix run checks every file first ([`check_replaceable`]: what can be
//! written, and what the file held), and replaces each one with
//! [`replace_checked`], which compares the file on disk with what was checked
//! once more right before the rename: an edit saved while the run works is
//! never overwritten.

use std::ffi::{CString, OsString};
use std::fs::{self, File};
use std::io::{self, Read, Write};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// Why a file is not replaced because it is not what was read.
pub const CHANGED: &str =
    "it changed while fix ran (after it was read); rerun `redis-unify fix` to fix it";

/// The real file behind a work-tree path: every symlink on the way resolved,
/// the file's own and its folders'. A real path outside `root` is refused.
pub fn write_target(path: &Path, root: &Path) -> Result<PathBuf, String> {
    let is_symlink = fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
    let target = path.canonicalize().map_err(|e| {
        if is_symlink {
            format!("broken symlink: {e}")
        } else {
            e.to_string()
        }
    })?;
    let root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    if target.starts_with(&root) {
        Ok(target)
    } else if is_symlink {
        Err(format!(
            "is a symlink to {}, outside the project: not written through",
            target.display()
        ))
    } else {
        Err(format!(
            "its real path is {} (a folder on the way is a symlink), outside the project: \
             not written through",
            target.display()
        ))
    }
}

/// What a file's metadata was when it was checked. Any difference later
/// (another inode, size, modification or change time, mode, owner, links)
/// means someone else touched it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Snapshot {
    dev: u64,
    ino: u64,
    size: u64,
    mtime: (i64, i64),
    ctime: (i64, i64),
    mode: u32,
    uid: u32,
    gid: u32,
    nlink: u64,
}

impl Snapshot {
    fn of(metadata: &fs::Metadata) -> Snapshot {
        Snapshot {
            dev: metadata.dev(),
            ino: metadata.ino(),
            size: metadata.size(),
            mtime: (metadata.mtime(), metadata.mtime_nsec()),
            ctime: (metadata.ctime(), metadata.ctime_nsec()),
            mode: metadata.mode(),
            uid: metadata.uid(),
            gid: metadata.gid(),
            nlink: metadata.nlink(),
        }
    }
}

/// A file found safe to replace, and what it was then.
#[derive(Debug, Clone)]
pub struct Checked {
    /// The path as named (through symlinks inside the project).
    path: PathBuf,
    root: PathBuf,
    /// The real file that is replaced.
    pub target: PathBuf,
    snapshot: Snapshot,
    /// Its extended attributes then (a change to them changes its ctime).
    xattrs: Vec<(OsString, Vec<u8>)>,
}

/// Opens a regular file without following a final symlink, and reads it.
fn read_with_snapshot(path: &Path) -> io::Result<(Snapshot, Vec<u8>)> {
    let mut file = fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(path)?;
    let metadata = file.metadata()?;
    if !metadata.is_file() {
        return Err(io::Error::other("not a regular file"));
    }
    let mut bytes = Vec::with_capacity(metadata.len() as usize + 1);
    file.read_to_end(&mut bytes)?;
    Ok((Snapshot::of(&metadata), bytes))
}

/// `access(2)`: whether this process (by its real ids, as a user runs it) may
/// use `path` so; root is not stopped by mode bits, other users are, and so
/// are ACLs and read-only mounts for everyone.
fn accessible(path: &Path, mode: libc::c_int) -> bool {
    let Ok(path) = CString::new(path.as_os_str().as_bytes()) else {
        return false;
    };
    // SAFETY: a valid NUL-terminated path; access only reads it.
    unsafe { libc::access(path.as_ptr(), mode) == 0 }
}

fn in_my_groups(gid: u32) -> bool {
    // SAFETY: getegid has no preconditions.
    if unsafe { libc::getegid() } == gid {
        return true;
    }
    // SAFETY: with size 0, getgroups only returns the count.
    let count = unsafe { libc::getgroups(0, std::ptr::null_mut()) };
    if count <= 0 {
        return false;
    }
    let mut groups = vec![0 as libc::gid_t; count as usize];
    // SAFETY: the buffer holds `count` entries.
    let count = unsafe { libc::getgroups(count, groups.as_mut_ptr()) };
    count > 0 && groups[..count as usize].contains(&gid)
}

/// Checks that `path` (inside `root`) can be replaced by this process keeping
/// what it is (owner, group, mode, links), and that it still holds `expected`,
/// the bytes the fix was computed from. The reason is a sentence for
/// `warning: FILE: not fixed: REASON`.
pub fn check_replaceable(path: &Path, root: &Path, expected: &[u8]) -> Result<Checked, String> {
    let target = write_target(path, root)?;
    let (snapshot, bytes) = match read_with_snapshot(&target) {
        Ok(read) => read,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Err(CHANGED.to_string()),
        Err(e) => return Err(format!("cannot read it: {e}")),
    };
    if bytes != expected {
        return Err(CHANGED.to_string());
    }
    if snapshot.nlink > 1 {
        return Err(format!(
            "it has {} hard links (other names for the same file, maybe outside the project): \
             replacing it would leave the other names with the old text, and writing it in \
             place would change them too. To fix this name alone, give it its own copy first \
             (`cp -p FILE FILE.copy && mv FILE.copy FILE`) and rerun",
            snapshot.nlink
        ));
    }
    if snapshot.mode & 0o222 == 0 {
        return Err("the file is read-only; make it writable (chmod u+w) to have it fixed".into());
    }
    if !accessible(&target, libc::W_OK) {
        return Err(format!(
            "you may not write it (owner uid {}, group gid {}, mode {:o}); run as a user \
             who may, or make it writable for you",
            snapshot.uid,
            snapshot.gid,
            snapshot.mode & 0o7777
        ));
    }
    let folder = target.parent().unwrap_or(Path::new("/"));
    if !accessible(folder, libc::W_OK | libc::X_OK) {
        return Err(format!(
            "its folder {} is not writable for you (the fixed file is written beside it and \
             renamed over it)",
            folder.display()
        ));
    }
    // SAFETY: geteuid has no preconditions.
    let euid = unsafe { libc::geteuid() };
    if euid != 0 && snapshot.uid != euid {
        return Err(format!(
            "it belongs to another user (uid {}): the fixed file would be yours instead; \
             run the fix as that user",
            snapshot.uid
        ));
    }
    if euid != 0 && !in_my_groups(snapshot.gid) {
        return Err(format!(
            "its group (gid {}) is not one of yours: the fixed file would lose it; run the \
             fix as a member of that group",
            snapshot.gid
        ));
    }
    let xattrs = read_xattrs(&target)?;
    Ok(Checked {
        path: path.to_path_buf(),
        root: root.to_path_buf(),
        target,
        snapshot,
        xattrs,
    })
}

/// Replaces a checked file with `bytes`, atomically, keeping its owner, mode
/// and extended attributes, unless it no longer holds `expected` with the
/// metadata it had when checked (then [`CHANGED`]). The last comparison is made
/// right before the rename, after the new content is on disk.
pub fn replace_checked(checked: &Checked, expected: &[u8], bytes: &[u8]) -> Result<(), String> {
    let folder = checked.target.parent().unwrap_or(Path::new("/"));
    let mut temporary = tempfile::Builder::new()
        .prefix(".redis-unify-")
        .suffix(".tmp")
        .tempfile_in(folder)
        .map_err(|e| {
            format!(
                "cannot create a temporary file in {}: {e}",
                folder.display()
            )
        })?;
    temporary
        .write_all(bytes)
        .map_err(|e| format!("cannot write a temporary file: {e}"))?;
    keep_metadata(temporary.as_file(), &checked.snapshot, &checked.xattrs)?;
    temporary
        .as_file()
        .sync_all()
        .map_err(|e| format!("cannot flush a temporary file: {e}"))?;
    // The last look, as close to the rename as it can be.
    if write_target(&checked.path, &checked.root).as_ref() != Ok(&checked.target) {
        return Err(CHANGED.to_string());
    }
    match read_with_snapshot(&checked.target) {
        Ok((snapshot, current)) if snapshot == checked.snapshot && current == expected => {}
        _ => return Err(CHANGED.to_string()),
    }
    temporary
        .persist(&checked.target)
        .map_err(|e| format!("cannot rename the fixed file into place: {}", e.error))?;
    // Make the rename itself durable.
    if let Ok(folder) = File::open(folder) {
        let _ = folder.sync_all();
    }
    Ok(())
}

/// Gives the new file (`file`, not yet in place) the owner, extended
/// attributes and mode of the file it replaces. Owner first: changing it
/// clears the set-user-ID and set-group-ID bits, which the mode then restores.
fn keep_metadata(
    file: &File,
    snapshot: &Snapshot,
    xattrs: &[(OsString, Vec<u8>)],
) -> Result<(), String> {
    let current = file
        .metadata()
        .map_err(|e| format!("cannot read a temporary file's metadata: {e}"))?;
    if current.uid() != snapshot.uid || current.gid() != snapshot.gid {
        std::os::unix::fs::fchown(file, Some(snapshot.uid), Some(snapshot.gid)).map_err(|e| {
            format!(
                "cannot give the fixed file its owner {}:{} ({e}); not replaced",
                snapshot.uid, snapshot.gid
            )
        })?;
    }
    set_xattrs(file, xattrs)?;
    file.set_permissions(fs::Permissions::from_mode(snapshot.mode & 0o7777))
        .map_err(|e| format!("cannot give the fixed file its mode ({e}); not replaced"))?;
    Ok(())
}

/// Every extended attribute of `path` (user.*, ACLs, security labels).
fn read_xattrs(path: &Path) -> Result<Vec<(OsString, Vec<u8>)>, String> {
    if !xattr::SUPPORTED_PLATFORM {
        return Ok(Vec::new());
    }
    let names = match xattr::list(path) {
        Ok(names) => names,
        // The file system has none.
        Err(e) if e.raw_os_error() == Some(libc::ENOTSUP) => return Ok(Vec::new()),
        Err(e) => return Err(format!("cannot list its extended attributes ({e})")),
    };
    let mut xattrs = Vec::new();
    for name in names {
        match xattr::get(path, &name) {
            Ok(Some(value)) => xattrs.push((name, value)),
            Ok(None) => {} // removed meanwhile
            Err(e) => {
                return Err(format!(
                    "cannot read its extended attribute {} ({e})",
                    name.to_string_lossy()
                ));
            }
        }
    }
    Ok(xattrs)
}

/// Gives `file` these extended attributes; one that cannot be set, and that
/// the new file does not already have with the same value, stops the write.
fn set_xattrs(file: &File, xattrs: &[(OsString, Vec<u8>)]) -> Result<(), String> {
    use xattr::FileExt;
    if !xattr::SUPPORTED_PLATFORM {
        return Ok(());
    }
    for (name, value) in xattrs {
        if let Err(e) = file.set_xattr(name, value)
            && file.get_xattr(name).ok().flatten().as_ref() != Some(value)
        {
            return Err(format!(
                "cannot keep its extended attribute {} ({e}); not replaced",
                name.to_string_lossy()
            ));
        }
    }
    // Whatever the new file got that the original did not have (a default ACL
    // of the folder): removed where allowed.
    if let Ok(extra) = file.list_xattr() {
        for name in extra.filter(|name| !xattrs.iter().any(|(kept, _)| kept == name)) {
            let _ = file.remove_xattr(&name);
        }
    }
    Ok(())
}

/// Replaces the content of `path` (a regular file) with `bytes`, atomically,
/// keeping its owner, mode and extended attributes (the journal's manifests,
/// and `rollback` with `--force`).
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
    let xattrs = read_xattrs(path).map_err(io::Error::other)?;
    keep_metadata(temporary.as_file(), &Snapshot::of(&metadata), &xattrs)
        .map_err(io::Error::other)?;
    temporary.as_file().sync_all()?;
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
    fn checked_replace_keeps_setuid_sticky_and_refuses_a_changed_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.py");
        fs::write(&path, "a").unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o5751)).unwrap();
        let checked = check_replaceable(&path, dir.path(), b"a").unwrap();
        replace_checked(&checked, b"a", b"b").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"b");
        assert_eq!(
            fs::metadata(&path).unwrap().permissions().mode() & 0o7777,
            0o5751
        );

        // Changed between the check and the write: never overwritten.
        let checked = check_replaceable(&path, dir.path(), b"b").unwrap();
        fs::write(&path, "b + mine").unwrap();
        assert_eq!(replace_checked(&checked, b"b", b"c").unwrap_err(), CHANGED);
        assert_eq!(fs::read(&path).unwrap(), b"b + mine");
        // Not what the fix was computed from.
        assert_eq!(
            check_replaceable(&path, dir.path(), b"b").unwrap_err(),
            CHANGED
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
        let error = check_replaceable(&path, dir.path(), b"a").unwrap_err();
        assert!(error.contains("read-only"), "{error}");
        assert_eq!(fs::read(&path).unwrap(), b"a");
    }

    #[test]
    fn refuses_hard_links() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.py");
        fs::write(&path, "a").unwrap();
        fs::hard_link(&path, dir.path().join("y.py")).unwrap();
        let error = check_replaceable(&path, dir.path(), b"a").unwrap_err();
        assert!(error.contains("2 hard links"), "{error}");
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
        // A folder symlink on the way out of the project.
        std::os::unix::fs::symlink(outside.path(), project.path().join("vendored")).unwrap();
        assert!(write_target(&project.path().join("out.py"), project.path()).is_err());
        let error =
            write_target(&project.path().join("vendored/t.py"), project.path()).unwrap_err();
        assert!(error.contains("outside the project"), "{error}");
        let target = write_target(&project.path().join("link.py"), project.path()).unwrap();
        assert_eq!(target, project.path().canonicalize().unwrap().join("in.py"));
    }
}
