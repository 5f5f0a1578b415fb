//! Dependency manifests: `requirements*.txt`, `pyproject.toml`, `setup.cfg`,
//! `setup.py` and `Pipfile`, each read into one list of requirements that says
//! what is required (PEP 508, parsed by `pep508_rs`) and where it is written,
//! so that the RU3xx rules can judge it and their fixes can rewrite it in place.
//!
//! Only what is a requirement counts: a key that is merely *named* `aioredis`
//! (an extra, a `[mypy-aioredis]` section, a comment) is never one.

pub mod pipfile;
pub mod pyproject;
pub mod requirements;
pub mod setup_cfg;
pub mod setup_py;
pub mod text;
pub mod versions;

use std::path::Path;

use pep508_rs::{PackageName, Requirement, VersionOrUrl};
use ruff_text_size::TextRange;

use versions::Admitted;

/// Which kind of manifest a file is, by its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ManifestKind {
    /// `requirements*.txt`, or any `*.txt` in a `requirements/` folder.
    Requirements,
    /// `pyproject.toml`: `[project]`, `[dependency-groups]`, Poetry.
    Pyproject,
    /// `setup.cfg`: `[options] install_requires`, `[options.extras_require]`.
    SetupCfg,
    /// `setup.py`: literal `install_requires=` / `extras_require=` of `setup()`.
    SetupPy,
    /// `Pipfile`: `[packages]`, `[dev-packages]`.
    Pipfile,
}

impl ManifestKind {
    /// The kind of manifest at `path` (`/`-separated), judged by its name.
    pub fn of_path(path: &str) -> Option<ManifestKind> {
        let mut parts = path.rsplit('/');
        let name = parts.next()?;
        let folder = parts.next().unwrap_or("");
        ManifestKind::of_name(name, folder)
    }

    /// The kind of manifest named `name` in a folder named `folder`.
    fn of_name(name: &str, folder: &str) -> Option<ManifestKind> {
        match name {
            "pyproject.toml" => Some(ManifestKind::Pyproject),
            "setup.cfg" => Some(ManifestKind::SetupCfg),
            "setup.py" => Some(ManifestKind::SetupPy),
            "Pipfile" => Some(ManifestKind::Pipfile),
            _ if name.ends_with(".txt")
                && (name.starts_with("requirements") || folder == "requirements") =>
            {
                Some(ManifestKind::Requirements)
            }
            _ => None,
        }
    }

    /// [`ManifestKind::of_path`] for a path, without copying it (the walk asks
    /// this of every file of the tree). A name that is not UTF-8 is no manifest's.
    pub fn of(path: &Path) -> Option<ManifestKind> {
        // On the bytes: `Path::file_name` and `parent` parse components, which
        // cost more than this whole test.
        use std::os::unix::ffi::OsStrExt;
        let bytes = path.as_os_str().as_bytes();
        let (above, name) = match memchr::memrchr(b'/', bytes) {
            Some(slash) => (&bytes[..slash], &bytes[slash + 1..]),
            None => (&bytes[..0], bytes),
        };
        let folder = match memchr::memrchr(b'/', above) {
            Some(slash) => &above[slash + 1..],
            None => above,
        };
        let name = std::str::from_utf8(name).ok()?;
        ManifestKind::of_name(name, std::str::from_utf8(folder).unwrap_or(""))
    }
}

/// The cheap test before a manifest is parsed: every RU3xx rule is about a
/// package whose name holds `redis` (`aioredis`, `redis`, `types-redis`), in
/// any letter case, as PyPI names are case-insensitive.
pub fn may_contain_findings(text: &[u8]) -> bool {
    text.windows(5).any(|w| w.eq_ignore_ascii_case(b"redis"))
}

/// One requirement, as written in a manifest.
#[derive(Debug, Clone)]
pub struct Dependency {
    /// PEP 503-normalised (`Redis_Py` → `redis-py`).
    pub name: PackageName,
    /// The extras, normalised (`hiredis`).
    pub extras: Vec<String>,
    /// What it admits: every version when it has no specifier (or is a URL).
    pub admitted: Admitted,
    /// The specifier as PEP 440 text (`>=4.2.0`), empty when there is none.
    pub specifier: String,
    /// The environment marker, as PEP 508 text, when there is one.
    pub marker: Option<String>,
    /// Where findings point: the requirement's text.
    pub range: TextRange,
    /// How the requirement is written, for the fixes.
    pub site: Site,
    /// The list or table it belongs to (`project.dependencies`,
    /// `tool.poetry.group.dev.dependencies`, …): requirements of one group
    /// are installed together.
    pub group: String,
}

/// How a requirement is written, which decides how a fix rewrites it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Site {
    /// A PEP 508 string (a requirements line, a TOML or Python string).
    Pep508 {
        /// The raw range of `name[extras] specifier`, before any `;` marker,
        /// when it can be replaced in place (no escapes or line continuations).
        head: Option<TextRange>,
        /// The whole string literal and its requirement text, for rewriting it
        /// whole when `head` is `None` (TOML and Python strings only).
        literal: Option<Literal>,
        /// What to delete to remove the requirement (its line or list element).
        removal: Option<TextRange>,
    },
    /// A TOML key naming the package: Poetry's and Pipfile's `name = "spec"` or
    /// `name = { version = "spec", … }`.
    TomlKey {
        key: TextRange,
        /// The version string: the whole value, or the inline table's `version`.
        version: Option<TextRange>,
        /// The key's whole line(s), when it is alone on them.
        removal: Option<TextRange>,
    },
}

/// A string literal holding a PEP 508 requirement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Literal {
    pub range: TextRange,
    /// The decoded requirement text.
    pub value: String,
    pub syntax: LiteralSyntax,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LiteralSyntax {
    Toml,
    Python,
}

/// A `-r FILE` / `-c FILE` line of a requirements file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Include {
    pub path: String,
    pub range: TextRange,
}

/// What a manifest requires.
#[derive(Debug, Default)]
pub struct Manifest {
    pub dependencies: Vec<Dependency>,
    /// Requirements files it includes (requirements files only).
    pub includes: Vec<Include>,
    /// Why the file could not be read as a manifest (it gets no findings).
    pub error: Option<String>,
}

impl Manifest {
    pub fn parse(text: &str, kind: ManifestKind) -> Manifest {
        match kind {
            ManifestKind::Requirements => requirements::parse(text),
            ManifestKind::Pyproject => pyproject::parse(text),
            ManifestKind::SetupCfg => setup_cfg::parse(text),
            ManifestKind::SetupPy => setup_py::parse(text),
            ManifestKind::Pipfile => pipfile::parse(text),
        }
    }

    /// The requirements on a package, by normalised name.
    pub fn requirements_on<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Dependency> {
        self.dependencies
            .iter()
            .filter(move |d| d.name.as_ref() == name)
    }
}

/// The parts of a PEP 508 requirement the rules use.
pub struct Parsed {
    pub name: PackageName,
    pub extras: Vec<String>,
    pub admitted: Admitted,
    pub specifier: String,
    pub marker: Option<String>,
}

/// Parses one PEP 508 requirement (`aioredis[hiredis]>=2; python_version<"3.11"`).
pub fn parse_pep508(text: &str) -> Option<Parsed> {
    let requirement: Requirement = text.trim().parse().ok()?;
    let (admitted, specifier) = match &requirement.version_or_url {
        Some(VersionOrUrl::VersionSpecifier(specifiers)) => {
            (Admitted::of(specifiers), specifiers.to_string())
        }
        Some(VersionOrUrl::Url(_)) | None => (Admitted::any(), String::new()),
    };
    Some(Parsed {
        extras: requirement
            .extras
            .iter()
            .map(|e| e.as_ref().to_string())
            .collect(),
        marker: requirement.marker.contents().map(|m| m.to_string()),
        name: requirement.name,
        admitted,
        specifier,
    })
}

/// The length of a requirement's head: everything before the `;` of its
/// marker, without the spaces before it.
pub fn head_len(requirement: &str) -> usize {
    let end = if requirement.contains(" @ ") || requirement.contains("@ ") {
        // A URL may hold `;`: the marker of a URL requirement starts at ` ;`.
        requirement.find(" ;").unwrap_or(requirement.len())
    } else {
        requirement.find(';').unwrap_or(requirement.len())
    };
    requirement[..end].trim_end().len()
}

/// A PEP 508 requirement string in a literal (`"aioredis>=2"`): its dependency,
/// with the head range when the literal's content is the text itself.
pub fn string_dependency(
    source: &str,
    literal_range: TextRange,
    value: &str,
    syntax: LiteralSyntax,
    removal: Option<TextRange>,
    group: &str,
) -> Option<Dependency> {
    let parsed = parse_pep508(value)?;
    let raw = &source[literal_range];
    let leading = value.len() - value.trim_start().len();
    let head = text::literal_content(raw, value).map(|content| {
        let start = literal_range.start().to_usize() + content.start + leading;
        text::range(start, start + head_len(value.trim_start()))
    });
    Some(Dependency {
        name: parsed.name,
        extras: parsed.extras,
        admitted: parsed.admitted,
        specifier: parsed.specifier,
        marker: parsed.marker,
        range: literal_range,
        site: Site::Pep508 {
            head,
            literal: Some(Literal {
                range: literal_range,
                value: value.to_string(),
                syntax,
            }),
            removal,
        },
        group: group.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_by_name() {
        assert_eq!(
            ManifestKind::of_path("requirements-dev.txt"),
            Some(ManifestKind::Requirements)
        );
        assert_eq!(
            ManifestKind::of_path("a/requirements/base.txt"),
            Some(ManifestKind::Requirements)
        );
        assert_eq!(ManifestKind::of_path("notes.txt"), None);
        assert_eq!(
            ManifestKind::of_path("svc/pyproject.toml"),
            Some(ManifestKind::Pyproject)
        );
        assert_eq!(
            ManifestKind::of_path("Pipfile"),
            Some(ManifestKind::Pipfile)
        );
        assert_eq!(ManifestKind::of_path("Pipfile.lock"), None);
        assert_eq!(
            ManifestKind::of_path("setup.py"),
            Some(ManifestKind::SetupPy)
        );
        // A path says the same as its `/`-separated text.
        for path in [
            "requirements-dev.txt",
            "/a/requirements/base.txt",
            "requirements/base.txt",
            "/srv/svc/pyproject.toml",
            "Pipfile",
            "/x/notes.txt",
            "/x/requirements",
        ] {
            assert_eq!(
                ManifestKind::of(Path::new(path)),
                ManifestKind::of_path(path),
                "{path}"
            );
        }
    }

    #[test]
    fn pep508_names_are_normalised() {
        let parsed = parse_pep508("AioRedis[HiRedis] >= 2.0 ; python_version < '3.11'").unwrap();
        assert_eq!(parsed.name.as_ref(), "aioredis");
        assert_eq!(parsed.extras, vec!["hiredis".to_string()]);
        assert_eq!(parsed.specifier, ">=2.0");
        assert_eq!(
            parsed.marker.as_deref(),
            Some("python_full_version < '3.11'")
        );
        assert_eq!(head_len("aioredis>=2 ; python_version < '3.11'"), 11);
        assert_eq!(head_len("aioredis"), 8);
    }

    #[test]
    fn prefilter_ignores_case() {
        assert!(may_contain_findings(b"Redis==4.3.4\n"));
        assert!(!may_contain_findings(b"requests\n"));
    }
}
