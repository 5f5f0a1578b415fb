//! Configuration: `[tool.redis-unify]` in `pyproject.toml`, or `redis-unify.toml`
//! / `.redis-unify.toml`, found from the current directory upwards, then the
//! command-line flags on top.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use globset::{Glob, GlobBuilder, GlobSet, GlobSetBuilder};
use serde::Deserialize;

use crate::error::Error;
use crate::lint::LintOptions;
use crate::rules::{Rule, RuleSet};
use crate::selection::{RuleSelector, resolve_layer};
use crate::version::RedisVersion;

/// The keys of the configuration, in both files. Unknown keys are an error.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Options {
    pub select: Option<Vec<String>>,
    pub extend_select: Option<Vec<String>>,
    pub ignore: Option<Vec<String>>,
    pub exclude: Option<Vec<String>>,
    pub extend_exclude: Option<Vec<String>>,
    pub per_file_ignores: Option<BTreeMap<String, Vec<String>>>,
    /// The redis-py release the code runs on, such as "7.4" or "8.0.0".
    pub target_redis_version: Option<String>,
    /// Migration phases, in order: a file belongs to the first phase whose globs match.
    pub phases: Option<Vec<PhaseOptions>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PhaseOptions {
    pub name: String,
    pub paths: Vec<String>,
}

/// Folders skipped when walking a tree, as ruff's defaults.
pub const DEFAULT_EXCLUDE: &[&str] = &[
    ".bzr",
    ".direnv",
    ".eggs",
    ".git",
    ".git-rewrite",
    ".hg",
    ".mypy_cache",
    ".nox",
    ".pants.d",
    ".pytype",
    ".ruff_cache",
    ".svn",
    ".tox",
    ".venv",
    "__pypackages__",
    "_build",
    "buck-out",
    "build",
    "dist",
    "node_modules",
    "site-packages",
    "venv",
];

const CONFIG_NAMES: &[&str] = &[".redis-unify.toml", "redis-unify.toml", "pyproject.toml"];

/// A configuration file that was found, with its options.
#[derive(Debug)]
pub struct ConfigFile {
    pub path: PathBuf,
    pub options: Options,
}

/// Finds the closest configuration file from `start` upwards.
pub fn discover(start: &Path) -> Result<Option<ConfigFile>, Error> {
    for dir in start.ancestors() {
        for name in CONFIG_NAMES {
            let path = dir.join(name);
            if !path.is_file() {
                continue;
            }
            if let Some(options) = load(&path)? {
                return Ok(Some(ConfigFile { path, options }));
            }
        }
    }
    Ok(None)
}

/// Reads one configuration file. A `pyproject.toml` without `[tool.redis-unify]`
/// gives `None`.
pub fn load(path: &Path) -> Result<Option<Options>, Error> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::Config {
        path: path.to_path_buf(),
        message: format!("cannot read it: {e}"),
    })?;
    let config_error = |message: String| Error::Config {
        path: path.to_path_buf(),
        message,
    };
    let is_pyproject = path.file_name().is_some_and(|n| n == "pyproject.toml");
    if !is_pyproject {
        return toml::from_str::<Options>(&text)
            .map(Some)
            .map_err(|e| config_error(one_line(&e.to_string())));
    }
    let table: toml::Table =
        toml::from_str(&text).map_err(|e| config_error(one_line(&e.to_string())))?;
    let Some(section) = table.get("tool").and_then(|tool| tool.get("redis-unify")) else {
        return Ok(None);
    };
    section
        .clone()
        .try_into::<Options>()
        .map(Some)
        .map_err(|e| config_error(format!("[tool.redis-unify]: {}", one_line(&e.to_string()))))
}

/// toml's messages span several lines with a source excerpt; keep the gist.
fn one_line(message: &str) -> String {
    let lines: Vec<&str> = message
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    match lines.as_slice() {
        [] => String::new(),
        [only] => only.to_string(),
        [first, .., last] => format!("{first}: {last}"),
    }
}

/// Selection flags from the command line, layered over the configuration.
#[derive(Debug, Default, Clone)]
pub struct SelectionArgs {
    pub select: Option<Vec<String>>,
    pub extend_select: Vec<String>,
    pub ignore: Vec<String>,
    pub exclude: Option<Vec<String>>,
    pub extend_exclude: Vec<String>,
}

/// Everything resolved: which rules, which files.
#[derive(Debug)]
pub struct Settings {
    /// Paths in `exclude` and `per-file-ignores` are relative to this folder.
    pub project_root: PathBuf,
    pub config_path: Option<PathBuf>,
    pub rules: RuleSet,
    /// From `target-redis-version`. When the configuration does not say, the
    /// commands fill it with the lowest version the project root's manifests
    /// admit (`commands::inputs::resolve_settings`), or leave it `None`.
    pub target_redis_version: Option<RedisVersion>,
    exclude: ExcludeMatcher,
    per_file_ignores: Vec<(GlobSet, RuleSet)>,
    phases: Vec<(String, GlobSet)>,
}

/// The implicit last phase: files no configured phase names.
pub const REST_PHASE: &str = "rest";

/// Phase 0: the dependency manifests (RU3xx), as `redis-unify plan` numbers it.
pub const DEPENDENCIES_PHASE: &str = "dependencies";

/// A file's migration phase: its number (0 for the dependency manifests, then
/// 1-based position) and name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Phase {
    pub number: usize,
    pub name: String,
}

impl Settings {
    pub fn resolve(
        config: Option<ConfigFile>,
        args: &SelectionArgs,
        fallback_root: &Path,
    ) -> Result<Settings, Error> {
        let (config_path, options) = match config {
            Some(file) => (Some(file.path), file.options),
            None => (None, Options::default()),
        };
        let project_root = config_path
            .as_deref()
            .and_then(Path::parent)
            .unwrap_or(fallback_root)
            .to_path_buf();
        let origin = |what: &str| match &config_path {
            Some(path) => format!("{} ({what})", path.display()),
            None => what.to_string(),
        };
        let parse = |values: &[String], source: &str| -> Result<Vec<RuleSelector>, Error> {
            values
                .iter()
                .map(|value| {
                    RuleSelector::parse(value)
                        .map_err(|message| Error::Usage(format!("{source}: {message}")))
                })
                .collect()
        };

        // Layer 1: defaults and the configuration file.
        let mut rules: RuleSet = Rule::ALL
            .iter()
            .copied()
            .filter(|r| r.info().default)
            .collect();
        rules = resolve_layer(
            rules,
            options
                .select
                .as_deref()
                .map(|v| parse(v, &origin("select")))
                .transpose()?
                .as_deref(),
            &parse(
                options.extend_select.as_deref().unwrap_or_default(),
                &origin("extend-select"),
            )?,
            &parse(
                options.ignore.as_deref().unwrap_or_default(),
                &origin("ignore"),
            )?,
        );
        // Layer 2: the command line.
        rules = resolve_layer(
            rules,
            args.select
                .as_deref()
                .map(|v| parse(v, "--select"))
                .transpose()?
                .as_deref(),
            &parse(&args.extend_select, "--extend-select")?,
            &parse(&args.ignore, "--ignore")?,
        );

        let mut exclude_patterns: Vec<String> = match (&args.exclude, &options.exclude) {
            (Some(cli), _) => cli.clone(),
            (None, Some(config)) => config.clone(),
            (None, None) => DEFAULT_EXCLUDE.iter().map(|s| s.to_string()).collect(),
        };
        exclude_patterns.extend(options.extend_exclude.iter().flatten().cloned());
        exclude_patterns.extend(args.extend_exclude.iter().cloned());
        let is_plain_name = |pattern: &String| {
            let trimmed = pattern.trim_end_matches('/');
            !trimmed.is_empty() && !trimmed.contains(['/', '*', '?', '[', ']', '{', '}', '\\', '!'])
        };
        let (plain, other): (Vec<String>, Vec<String>) =
            exclude_patterns.iter().cloned().partition(is_plain_name);
        let exclude = ExcludeMatcher {
            root: project_root.clone(),
            globs: glob_set(&exclude_patterns, &origin("exclude"))?,
            plain_names: plain
                .iter()
                .map(|p| p.trim_end_matches('/').to_string())
                .collect(),
            name_globs: glob_set(&other, &origin("exclude"))?,
            has_path_patterns: exclude_patterns
                .iter()
                .any(|p| p.trim_end_matches('/').contains('/')),
        };

        let mut per_file_ignores = Vec::new();
        for (pattern, codes) in options.per_file_ignores.iter().flatten() {
            let source = origin("per-file-ignores");
            let selectors = parse(codes, &source)?;
            let ignored: RuleSet = Rule::ALL
                .iter()
                .copied()
                .filter(|rule| selectors.iter().any(|s| s.matches(*rule)))
                .collect();
            per_file_ignores.push((glob_set(std::slice::from_ref(pattern), &source)?, ignored));
        }

        let mut phases = Vec::new();
        for phase in options.phases.iter().flatten() {
            let source = origin("phases");
            if phase.name.trim().is_empty()
                || phase.name == REST_PHASE
                || phase.name.parse::<usize>().is_ok()
            {
                return Err(Error::Usage(format!(
                    "{source}: phase name `{}` is reserved or empty; use a descriptive name such as `low-risk`",
                    phase.name
                )));
            }
            if phases
                .iter()
                .any(|(name, _): &(String, GlobSet)| name == &phase.name)
            {
                return Err(Error::Usage(format!(
                    "{source}: phase `{}` is defined twice",
                    phase.name
                )));
            }
            phases.push((phase.name.clone(), glob_set(&phase.paths, &source)?));
        }

        let target_redis_version = options
            .target_redis_version
            .as_deref()
            .map(|text| {
                text.parse::<RedisVersion>()
                    .map_err(|message| match &config_path {
                        Some(path) => Error::Config {
                            path: path.clone(),
                            message: format!("target-redis-version: {message}"),
                        },
                        None => Error::Usage(format!("target-redis-version: {message}")),
                    })
            })
            .transpose()?;

        Ok(Settings {
            project_root,
            config_path,
            rules,
            target_redis_version,
            exclude,
            per_file_ignores,
            phases,
        })
    }

    /// What the rules may assume about the project, for every file.
    pub fn lint_options(&self) -> LintOptions<'static> {
        LintOptions {
            target_redis_version: self.target_redis_version,
            also_manifest: false,
            project: None,
        }
    }

    /// Whether a path (relative to the project root, `/`-separated) is excluded.
    pub fn is_excluded(&self, relative: &str) -> bool {
        self.exclude.is_excluded(relative)
    }

    /// The exclusion test on its own, to hand to the (multi-threaded) walker.
    pub fn exclude_matcher(&self) -> ExcludeMatcher {
        self.exclude.clone()
    }

    /// The phase a file (relative to the project root) belongs to.
    pub fn phase_of(&self, relative: &str) -> Phase {
        for (index, (name, globs)) in self.phases.iter().enumerate() {
            if globs.is_match(relative) {
                return Phase {
                    number: index + 1,
                    name: name.clone(),
                };
            }
        }
        Phase {
            number: self.phases.len() + 1,
            name: REST_PHASE.to_string(),
        }
    }

    /// The phase of a file as `plan` numbers them: a configured phase whose
    /// globs match it, else 0 (`dependencies`) for a dependency manifest, else
    /// the last phase, `rest`.
    pub fn phase_of_file(&self, relative: &str, is_manifest: bool) -> Phase {
        let phase = self.phase_of(relative);
        if is_manifest && phase.name == REST_PHASE && phase.number == self.phases.len() + 1 {
            return Phase {
                number: 0,
                name: DEPENDENCIES_PHASE.to_string(),
            };
        }
        phase
    }

    pub fn has_phases(&self) -> bool {
        !self.phases.is_empty()
    }

    /// Resolves `--phase N` or `--phase NAME`, numbered as `redis-unify plan`
    /// prints them: 0 (`dependencies`) is the dependency manifests, 1… the
    /// configured phases in order, and the last one `rest`.
    pub fn find_phase(&self, wanted: &str) -> Result<Phase, Error> {
        let wanted = wanted.trim();
        let configured_name = self.phases.iter().position(|(name, _)| name == wanted);
        if configured_name.is_none()
            && (wanted == DEPENDENCIES_PHASE || wanted.parse::<usize>() == Ok(0))
        {
            return Ok(Phase {
                number: 0,
                name: DEPENDENCIES_PHASE.to_string(),
            });
        }
        if self.phases.is_empty() {
            return Err(Error::Usage(format!(
                "no phases are configured, so there is no phase `{wanted}` (only 0, the dependency \
                 manifests); save the plan's phases first with `redis-unify plan --write`, or define \
                 [[tool.redis-unify.phases]] with `name` and `paths`"
            )));
        }
        let count = self.phases.len() + 1;
        let by_number = wanted
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=count).contains(n));
        let by_name = configured_name.map(|i| i + 1);
        let number = by_number
            .or(by_name)
            .or((wanted == REST_PHASE).then_some(count))
            .ok_or_else(|| {
                let mut names = vec![format!("0 ({DEPENDENCIES_PHASE})")];
                names.extend(
                    self.phases
                        .iter()
                        .enumerate()
                        .map(|(i, (name, _))| format!("{} ({name})", i + 1)),
                );
                names.push(format!("{count} ({REST_PHASE})"));
                Error::Usage(format!(
                    "no phase `{wanted}`; the phases are: {}. Define them as [[tool.redis-unify.phases]] with `name` and `paths`",
                    names.join(", ")
                ))
            })?;
        let name = self
            .phases
            .get(number - 1)
            .map(|(name, _)| name.clone())
            .unwrap_or_else(|| REST_PHASE.to_string());
        Ok(Phase { number, name })
    }

    /// Every rule that applies to at least one file (per-file-ignores only remove).
    pub fn any_file_rules(&self) -> RuleSet {
        self.rules
    }

    /// The rules that apply to one file, after `per-file-ignores`.
    pub fn rules_for(&self, relative: &str) -> RuleSet {
        let mut rules = self.rules;
        let name = relative.rsplit('/').next().unwrap_or(relative);
        for (globs, ignored) in &self.per_file_ignores {
            if globs.is_match(relative) || globs.is_match(name) {
                for rule in ignored.iter() {
                    rules.remove(rule);
                }
            }
        }
        rules
    }
}

/// The `exclude` globs with the folder they are relative to.
#[derive(Debug, Clone)]
pub struct ExcludeMatcher {
    root: PathBuf,
    globs: GlobSet,
    /// The patterns that are plain names (`.git`, `build`, the defaults): an
    /// entry's name is looked up, not matched (the walk asks of every entry).
    plain_names: rustc_hash::FxHashSet<String>,
    /// The other patterns, matched against an entry's name.
    name_globs: GlobSet,
    /// Some pattern names a path (`tests/fixtures`), not only a name.
    has_path_patterns: bool,
}

impl ExcludeMatcher {
    /// A pattern matches the whole relative path, or the name of the file or of
    /// any folder on it, or a leading part of it (`tests/fixtures`).
    pub fn is_excluded(&self, relative: &str) -> bool {
        if self.globs.is_empty() {
            return false;
        }
        if self.globs.is_match(relative) {
            return true;
        }
        let mut prefix_end = 0;
        for component in relative.split('/') {
            prefix_end += component.len();
            if self.globs.is_match(component) || self.globs.is_match(&relative[..prefix_end]) {
                return true;
            }
            prefix_end += 1;
        }
        false
    }

    /// For the walker, which has already judged (and not pruned) every folder
    /// above `path`: only its own name, and its whole relative path for patterns
    /// with a `/`, are left to match.
    pub fn is_excluded_entry(&self, path: &Path) -> bool {
        if self.globs.is_empty() {
            return false;
        }
        if let Some(name) = path.file_name() {
            let excluded = match name.to_str() {
                Some(name) => {
                    self.plain_names.contains(name)
                        || (!self.name_globs.is_empty() && self.name_globs.is_match(name))
                }
                None => self.globs.is_match(name.to_string_lossy().as_ref()),
            };
            if excluded {
                return true;
            }
        }
        self.has_path_patterns && self.is_excluded_path(path)
    }

    pub fn is_excluded_path(&self, path: &Path) -> bool {
        let relative = crate::source::slash_path(&crate::source::relative_to(path, &self.root));
        self.is_excluded(&relative)
    }
}

fn glob_set(patterns: &[String], source: &str) -> Result<GlobSet, Error> {
    let mut builder = GlobSetBuilder::new();
    for pattern in patterns {
        let trimmed = pattern.trim_end_matches('/');
        let glob: Glob = GlobBuilder::new(trimmed)
            .literal_separator(false)
            .build()
            .map_err(|e| Error::Usage(format!("{source}: invalid glob `{pattern}`: {e}")))?;
        builder.add(glob);
    }
    builder
        .build()
        .map_err(|e| Error::Usage(format!("{source}: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(options: Options, args: SelectionArgs) -> Result<Settings, Error> {
        let config = ConfigFile {
            path: PathBuf::from("/project/redis-unify.toml"),
            options,
        };
        Settings::resolve(Some(config), &args, Path::new("/project"))
    }

    #[test]
    fn default_excludes_match_folders_anywhere() {
        let s = settings(Options::default(), SelectionArgs::default()).unwrap();
        assert!(s.is_excluded("app/.venv/lib/x.py"));
        assert!(s.is_excluded("build"));
        assert!(!s.is_excluded("app/builder.py"));
    }

    #[test]
    fn per_file_ignores_remove_rules() {
        let options = Options {
            per_file_ignores: Some(BTreeMap::from([(
                "tests/**".to_string(),
                vec!["RU1".to_string()],
            )])),
            ..Options::default()
        };
        let s = settings(options, SelectionArgs::default()).unwrap();
        assert!(
            !s.rules_for("tests/test_x.py")
                .contains(Rule::AioredisImport)
        );
        assert!(s.rules_for("app/x.py").contains(Rule::AioredisImport));
    }

    #[test]
    fn target_redis_version_is_validated() {
        let with_version = |text: &str| Options {
            target_redis_version: Some(text.to_string()),
            ..Options::default()
        };
        let s = settings(with_version("8.0"), SelectionArgs::default()).unwrap();
        assert_eq!(s.target_redis_version, Some(RedisVersion::new(8, 0, 0)));
        let error = settings(with_version("eight"), SelectionArgs::default())
            .unwrap_err()
            .to_string();
        assert!(error.contains("target-redis-version"), "{error}");
        assert!(error.contains("redis-unify.toml"), "{error}");
    }

    #[test]
    fn unknown_keys_are_still_refused() {
        let error = toml::from_str::<Options>("target-redis-versoin = \"8.0\"\n")
            .unwrap_err()
            .to_string();
        assert!(error.contains("target-redis-versoin"), "{error}");
        let options: Options = toml::from_str("target-redis-version = \"7.4.1\"\n").unwrap();
        assert_eq!(options.target_redis_version.as_deref(), Some("7.4.1"));
    }

    #[test]
    fn unknown_selector_names_its_source() {
        let options = Options {
            select: Some(vec!["RU999".to_string()]),
            ..Options::default()
        };
        let error = settings(options, SelectionArgs::default())
            .unwrap_err()
            .to_string();
        assert!(error.contains("redis-unify.toml (select)"), "{error}");
        assert!(error.contains("RU999"), "{error}");
    }
}
