//! Where the text to check comes from: the git index (staged mode) or the work
//! tree (paths given, or under pre-commit).

pub mod changed;
pub mod diff_index;
pub mod encoding;
pub mod paths;
pub mod staged;

use std::ffi::OsStr;
use std::io::Read;
use std::os::unix::ffi::OsStrExt;
use std::path::{Component, Path, PathBuf};

use git2::{Oid, Repository};

/// A file to check, before it is read.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// Where the file is (or would be) in the work tree.
    pub abs_path: PathBuf,
    /// The path shown to the user: relative to the current directory.
    pub display: String,
    /// Relative to the project root, `/`-separated: what globs match against.
    pub relative: String,
    pub origin: Origin,
    /// The kind of dependency manifest it is, if it is one (by its name, or
    /// because a requirements file includes it).
    pub manifest: Option<crate::manifest::ManifestKind>,
}

/// What linting needs to know about a file's path: no origin, the text is
/// given (a file read by `check`, standard input, an editor's buffer).
#[derive(Debug, Clone, Copy)]
pub struct FilePath<'a> {
    pub abs_path: &'a Path,
    /// As shown to the user; its extension decides `.py` vs `.pyi`.
    pub display: &'a str,
    /// Relative to the project root, `/`-separated: what globs match against.
    pub relative: &'a str,
    pub manifest: Option<crate::manifest::ManifestKind>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// Read the file from the work tree.
    WorkTree,
    /// Read this blob from the git object database (the staged content).
    Index(Oid),
}

impl SourceFile {
    /// The file's paths, for linting its text.
    pub fn path(&self) -> FilePath<'_> {
        FilePath {
            abs_path: &self.abs_path,
            display: &self.display,
            relative: &self.relative,
            manifest: self.manifest,
        }
    }

    /// Reads the file's bytes. `repo` is needed for index blobs.
    pub fn read(&self, repo: Option<&Repository>) -> Result<Vec<u8>, String> {
        let mut bytes = Vec::new();
        let length = self.read_into(repo, &mut bytes)?;
        bytes.truncate(length);
        Ok(bytes)
    }

    /// Reads the file's bytes into the front of `buffer` and returns how many
    /// there are (`buffer[..length]`), so that a worker reading thousands of
    /// files reuses one allocation. The buffer is never shrunk, and it only
    /// grows zeroed: past the content it holds stale bytes.
    pub fn read_into(
        &self,
        repo: Option<&Repository>,
        buffer: &mut Vec<u8>,
    ) -> Result<usize, String> {
        match self.origin {
            Origin::WorkTree => read_regular_file(&self.abs_path, buffer),
            Origin::Index(oid) => {
                let repo = repo.ok_or("the git repository could not be opened")?;
                let blob = repo
                    .find_blob(oid)
                    .map_err(|e| format!("cannot read staged blob {oid}: {}", e.message()))?;
                let content = blob.content();
                make_room(buffer, content.len());
                buffer[..content.len()].copy_from_slice(content);
                Ok(content.len())
            }
        }
    }
}

/// Makes `buffer` at least `length` bytes long. A fresh zeroed allocation, not
/// a grown one: growing would copy the old bytes, which are stale, into new
/// pages.
fn make_room(buffer: &mut Vec<u8>, length: usize) {
    if buffer.len() < length {
        *buffer = vec![0; length.next_power_of_two()];
    }
}

/// Reads a file only if it is a regular file, into the front of `buffer`
/// ([`SourceFile::read_into`]). It is opened non-blocking, so a FIFO put in
/// its place after the walk cannot hang the run, and checked with `fstat` on
/// the open handle, so what is read is what was checked. Read with `read(2)`
/// into the buffer as it is, not `read_to_end`: that one asks the size again
/// (`statx` and `lseek`, two more system calls a file on a large tree).
fn read_regular_file(path: &Path, buffer: &mut Vec<u8>) -> Result<usize, String> {
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
        .map_err(|e| e.to_string())?;
    let metadata = file.metadata().map_err(|e| e.to_string())?;
    if !metadata.is_file() {
        return Err("not a regular file; skipped".to_string());
    }
    // One byte more than the size, so that the end shows without a grow.
    make_room(buffer, metadata.len() as usize + 1);
    let mut length = 0;
    loop {
        if length == buffer.len() {
            // The file grew since `fstat`: keep what was read.
            buffer.resize(buffer.len() * 2, 0);
        }
        match file.read(&mut buffer[length..]) {
            Ok(0) => return Ok(length),
            Ok(read) => length += read,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e.to_string()),
        }
    }
}

/// `base.join(path)` without `.` and with `..` folded, without touching the disk.
pub fn absolute(base: &Path, path: &Path) -> PathBuf {
    let mut result = PathBuf::new();
    for component in base.join(path).components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                result.pop();
            }
            other => result.push(other),
        }
    }
    result
}

/// `path` relative to `base` (both absolute), with `..` where needed.
pub fn relative_to(path: &Path, base: &Path) -> PathBuf {
    // The common case, below `base`: a byte prefix, without walking components.
    let base_bytes = base.as_os_str().as_bytes();
    let base_bytes = base_bytes.strip_suffix(b"/").unwrap_or(base_bytes); // git's workdir ends in `/`
    if let Some(rest) = path.as_os_str().as_bytes().strip_prefix(base_bytes)
        && let Some(rest) = rest.strip_prefix(b"/")
        && !rest.is_empty()
        && !rest.starts_with(b"/")
    {
        return PathBuf::from(OsStr::from_bytes(rest));
    }
    // Elsewhere: up from `base` to the deepest common folder, then down.
    relative_plain(path.as_os_str().as_bytes(), base_bytes)
        .unwrap_or_else(|| relative_by_components(path, base))
}

fn relative_by_components(path: &Path, base: &Path) -> PathBuf {
    let mut path_parts = path.components().peekable();
    let mut base_parts = base.components().peekable();
    while let (Some(a), Some(b)) = (path_parts.peek(), base_parts.peek())
        && a == b
    {
        path_parts.next();
        base_parts.next();
    }
    let mut result = PathBuf::with_capacity(path.as_os_str().len());
    for _ in base_parts {
        result.push("..");
    }
    for part in path_parts {
        result.push(part);
    }
    if result.as_os_str().is_empty() {
        result.push(".");
    }
    result
}

/// [`relative_to`] by bytes, for absolute paths without `.`, `..` or empty
/// segments (where bytes and components agree); `None` for any other.
fn relative_plain(path: &[u8], base: &[u8]) -> Option<PathBuf> {
    let is_plain = |p: &[u8]| {
        p.len() > 1
            && p[0] == b'/'
            && p[1..]
                .split(|&b| b == b'/')
                .all(|s| !s.is_empty() && s != b"." && s != b"..")
    };
    if !is_plain(path) || !is_plain(base) {
        return None;
    }
    let mut path_segments = path[1..].split(|&b| b == b'/').peekable();
    let mut base_segments = base[1..].split(|&b| b == b'/').peekable();
    let mut common_end = 1; // where the first segment of `path` below the common folder starts
    while let (Some(a), Some(b)) = (path_segments.peek(), base_segments.peek())
        && a == b
    {
        common_end += a.len() + 1;
        path_segments.next();
        base_segments.next();
    }
    let mut relative = b"../".repeat(base_segments.count());
    if path_segments.peek().is_some() {
        relative.extend_from_slice(&path[common_end..]);
    } else {
        relative.pop(); // `../..`, not `../../`
    }
    if relative.is_empty() {
        relative.push(b'.');
    }
    Some(PathBuf::from(OsStr::from_bytes(&relative)))
}

/// A `/`-separated string for a relative path (what globs and git use).
/// `slash_path(&relative_to(path, base))`, without the `PathBuf` in between
/// when `path` is below `base` (what the walk asks twice of every file).
pub fn relative_slash_path(path: &Path, base: &Path) -> String {
    let base_bytes = base.as_os_str().as_bytes();
    let base_bytes = base_bytes.strip_suffix(b"/").unwrap_or(base_bytes);
    if let Some(rest) = path.as_os_str().as_bytes().strip_prefix(base_bytes)
        && let Some(rest) = rest.strip_prefix(b"/")
        && !rest.is_empty()
        && !rest.starts_with(b"/")
        && let Ok(text) = std::str::from_utf8(rest)
    {
        return text.to_string();
    }
    slash_path(&relative_to(path, base))
}

pub fn slash_path(path: &Path) -> String {
    if let Some(text) = path.to_str()
        && std::path::MAIN_SEPARATOR == '/'
    {
        return text.to_string();
    }
    let text = path.to_string_lossy();
    if std::path::MAIN_SEPARATOR == '/' {
        text.into_owned()
    } else {
        text.replace(std::path::MAIN_SEPARATOR, "/")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_slash_paths_agree_with_the_long_way() {
        for (path, base) in [
            ("/a/b/c.py", "/a"),
            ("/a/b/c.py", "/a/"),
            ("/a/b", "/a/b"),
            ("/a/bc/d.py", "/a/b"),
            ("/x/y.py", "/a/b"),
            ("/a//b.py", "/a"),
        ] {
            let (path, base) = (Path::new(path), Path::new(base));
            assert_eq!(
                relative_slash_path(path, base),
                slash_path(&relative_to(path, base)),
                "{path:?} from {base:?}"
            );
        }
    }

    #[test]
    fn one_buffer_reads_a_long_file_then_a_short_one() {
        let folder = std::env::temp_dir().join(format!("ru-read-{}", std::process::id()));
        std::fs::create_dir_all(&folder).unwrap();
        let (long, short) = (folder.join("long.py"), folder.join("short.py"));
        std::fs::write(&long, "x = 1\n".repeat(5000)).unwrap();
        std::fs::write(&short, "import aioredis\n").unwrap();
        let mut buffer = Vec::new();
        let length = read_regular_file(&long, &mut buffer).unwrap();
        assert_eq!(&buffer[..length], "x = 1\n".repeat(5000).as_bytes());
        let length = read_regular_file(&short, &mut buffer).unwrap();
        assert_eq!(&buffer[..length], b"import aioredis\n");
        assert!(buffer.len() > 30000, "the buffer keeps its size");
        let empty = folder.join("empty.py");
        std::fs::write(&empty, "").unwrap();
        assert_eq!(read_regular_file(&empty, &mut Vec::new()).unwrap(), 0);
        std::fs::remove_dir_all(&folder).unwrap();
    }

    #[test]
    fn relative_paths_by_bytes_agree_with_components() {
        let paths = [
            "/",
            "/a",
            "/a/b",
            "/a/b/c.py",
            "/a/bc/d.py",
            "/ab",
            "/x/y/z.py",
            "/a/./b",
            "/a/../b",
            "/a//b",
            "/a/b/",
        ];
        for path in paths {
            for base in paths {
                let by_components = relative_by_components(Path::new(path), Path::new(base));
                if let Some(by_bytes) = relative_plain(path.as_bytes(), base.as_bytes()) {
                    assert_eq!(by_bytes, by_components, "{path} from {base}");
                    let by_either = relative_to(Path::new(path), Path::new(base));
                    assert_eq!(by_either, by_components, "{path} from {base}");
                }
            }
        }
    }

    #[test]
    fn relative_paths() {
        assert_eq!(
            relative_to(Path::new("/a/b/c.py"), Path::new("/a")),
            PathBuf::from("b/c.py")
        );
        assert_eq!(
            relative_to(Path::new("/a/x.py"), Path::new("/a/b")),
            PathBuf::from("../x.py")
        );
        assert_eq!(
            absolute(Path::new("/a/b"), Path::new("./../c/./d.py")),
            PathBuf::from("/a/c/d.py")
        );
    }
}
