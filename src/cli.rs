//! The command line, as clap derive structs and nothing else.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::report::OutputFormat;

#[derive(Debug, Parser)]
#[command(
    name = "redis-unify",
    version,
    about = "Find and migrate uses of the archived aioredis package to redis.asyncio, and catch unsafe Redis clients.",
    long_about = "redis-unify finds every import and use of the archived `aioredis` package (which fails to \
import on Python 3.11+: `TypeError: duplicate base class TimeoutError`) and reports what each becomes in \
redis-py's `redis.asyncio`; it also catches unsafe Redis clients and dependency manifests that pin \
aioredis or a vulnerable redis-py. `fix` migrates, with a backup journal, a verify command and rollback.\n\n\
Exit codes: 0 nothing found, 1 findings, 2 bad usage, bad configuration or an internal error.",
    after_help = "Examples:\n  redis-unify check              lint the files staged for commit (inside a git repository)\n  \
redis-unify check .            lint every Python file and manifest below the current folder\n  \
redis-unify fix --diff .       show the safe fixes as a diff, write nothing\n  \
redis-unify plan               the migration plan, phase by phase\n  \
redis-unify plan --write       save the plan's phases in the configuration\n  \
redis-unify fix --phase 1 --verify \"pytest -x\"   fix phase 1, test, roll back on failure\n  \
redis-unify rule RU100         explain a rule (`rule --all` lists them)\n  \
redis-unify check --stdin-filename app/x.py < app/x.py   check a buffer as app/x.py\n  \
redis-unify server             the language server for editors (LSP over stdio)"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Lint the staged files (no paths) or the given files and folders.
    Check(CheckArgs),
    /// Apply fixes, with a backup journal, an optional verify command and rollback.
    Fix(FixArgs),
    /// Restore what the latest (or the given) fix run changed.
    Rollback(RollbackArgs),
    /// List the fix runs: id, time, files, phase, verify result; --prune trims the journal.
    History(HistoryArgs),
    /// Plan the migration: each file using aioredis by phase (1 low risk … 4 critical), with reasons.
    Plan(PlanArgs),
    /// Explain a rule, or list them all with --all.
    Rule(RuleArgs),
    /// Install or remove a git pre-commit hook that checks the staged files.
    Hook(HookArgs),
    /// Run the language server (LSP over standard input and output) for editors.
    Server(ServerArgs),
}

#[derive(Debug, Args)]
#[command(
    after_help = "Editors start it and speak the Language Server Protocol over its standard input and \
output: diagnostics on the buffer as you type (not the file on disk), quick fixes (safe and unsafe ones \
labelled), `source.fixAll.redis-unify` (fix all safe findings, for format-on-save) and \
`# noqa: RUxxx` suppressions. The configuration is the CLI's ([tool.redis-unify] in pyproject.toml, or \
redis-unify.toml), the closest to each file, reloaded when it changes. Set-up for Neovim, VS Code, \
Helix, Emacs and Sublime Text: docs/editors.md."
)]
pub struct ServerArgs {}

#[derive(Debug, Args)]
#[command(
    after_help = "Without PATHS, inside a git repository, the files staged for commit are checked as \
they are in the index (what will be committed), not as in the work tree. With PATHS, or when run by \
pre-commit (PRE_COMMIT=1), the work tree files are checked.\n\n\
In CI: `--changed-since origin/main` checks what a pull request changes; add `--new-only` to report only \
findings on the lines it adds. `--output-format github` annotates the pull request, `sarif` feeds code \
scanning, `gitlab` feeds GitLab Code Quality.\n\n\
Configuration: [tool.redis-unify] in pyproject.toml, or redis-unify.toml, found from the current folder \
upwards (with --stdin-filename PATH: from PATH's folder upwards); the flags below override it.\n\n\
Suppress a finding with `# noqa: RU100` on its line, or a whole file with `# redis-unify: noqa` on a line \
of its own. `--add-noqa` adds the `# noqa` comments for every finding (undo with `redis-unify rollback`); \
RU002 (`--extend-select RU002`) reports and removes the ones that no longer suppress anything."
)]
pub struct CheckArgs {
    #[command(flatten)]
    pub common: CommonArgs,

    /// Apply the safe fixes (as `redis-unify fix`), then report what remains.
    #[arg(long)]
    pub fix: bool,

    /// Also apply unsafe fixes with --fix; without it, show them as available (`[*]`), as ruff does.
    #[arg(long)]
    pub unsafe_fixes: bool,

    /// With --fix: list what was fixed.
    #[arg(long, requires = "fix", conflicts_with = "stdin_filename")]
    pub show_fixes: bool,

    /// Add a `# noqa: CODE` comment to each line where a finding starts (merged
    /// into a `# noqa: …` list already there), to adopt redis-unify on a large code
    /// base and fix the findings later. Written through the fix journal:
    /// `redis-unify rollback` removes them again. A finding whose line cannot take a
    /// comment (it ends inside a multi-line string, with a backslash, or is in
    /// setup.cfg) is reported, not suppressed; exit 1 then.
    #[arg(long, conflicts_with_all = ["fix", "stdin_filename", "statistics", "unsafe_fixes"])]
    pub add_noqa: bool,

    /// With --fix: exit with 1 when a file was fixed, even if nothing remains
    /// (a git hook: stop the commit so that the fixes get reviewed and staged).
    #[arg(long, requires = "fix")]
    pub exit_non_zero_on_fix: bool,
}

#[derive(Debug, Args)]
#[command(
    after_help = "Before writing, the original of every file to change is saved in the journal (.git/redis-unify/runs/, or .redis-unify/runs/ outside git); `redis-unify rollback` restores it. Each file is written atomically and keeps its mode, encoding, BOM and line endings. In staged mode a file is fixed only when its work-tree content equals what is staged.\n\n\
With --phase N and no PATHS, the files of that phase are fixed wherever they are in the project, staged or not: 0 is the dependency manifests, 1… the phases `redis-unify plan --write` saved."
)]
pub struct FixArgs {
    #[command(flatten)]
    pub common: CommonArgs,

    /// Also apply unsafe fixes (right in most code, but they may change behaviour).
    #[arg(long)]
    pub unsafe_fixes: bool,

    /// Print a unified diff of the fixes and write nothing (exit 1 if there would be changes).
    #[arg(long, conflicts_with_all = ["verify", "verify_imports", "show_fixes"])]
    pub diff: bool,

    /// Only fix the files of this migration phase, numbered as `plan` prints them:
    /// 0 the dependency manifests, then the configured phases (by number or
    /// name). Without PATHS, the phase's files across the whole project, staged or not.
    #[arg(long, value_name = "N|NAME", conflicts_with = "stdin_filename")]
    pub phase: Option<String>,

    /// Run this shell command in the project root after writing; if it fails, roll the run back.
    /// Ctrl-C / SIGTERM while it runs stop the command (its whole process group) and roll the
    /// run back too; redis-unify then exits 130 (SIGINT), 143 (SIGTERM) or 129 (SIGHUP).
    #[arg(long, value_name = "CMD", conflicts_with = "stdin_filename")]
    pub verify: Option<String>,

    /// After writing, import each changed Python module in a fresh interpreter (one per
    /// module, from the project root, its package's folder first on sys.path); if one
    /// fails, roll the run back. Runs before --verify.
    #[arg(long, conflicts_with = "stdin_filename")]
    pub verify_imports: bool,

    /// The interpreter for --verify-imports (default: the active virtual environment's
    /// python, else python3 on PATH).
    #[arg(long, value_name = "PATH", requires = "verify_imports")]
    pub python: Option<PathBuf>,

    /// Commit exactly the run's files when the verification passed (or, without
    /// --verify/--verify-imports, right after writing), with a message naming the phase,
    /// files, rules, run and verification. Refused when other changes are staged.
    #[arg(long, conflicts_with_all = ["diff", "stdin_filename"])]
    pub commit: bool,

    /// List what was fixed, per file and rule.
    #[arg(long, conflicts_with = "stdin_filename")]
    pub show_fixes: bool,

    /// Exit with 1 when a file was fixed, even if nothing remains (a git hook:
    /// stop the commit so that the fixes get reviewed and staged).
    #[arg(long, conflicts_with = "diff")]
    pub exit_non_zero_on_fix: bool,
}

#[derive(Debug, Args)]
#[command(
    after_help = "Phases: 1 low risk (every finding has a safe fix, or a test file whose findings are all fixable), 2 mechanical (fixable with unsafe fixes too), 3 manual (hand changes in a module few others import), 4 critical (hand changes in a central module: high fan-in, or a cache/session/lock/queue/pub-sub role). Phase 0 is the dependency manifests (`fix --phase 0 --unsafe-fixes`). A module that others import comes no later than they do when a fix can swap its import, and each phase says which files its tests still cannot import.\n\nWith --write the phases go to the configuration as [[tool.redis-unify.phases]] (the rest of the file is kept as it is; phases that differ from the plan are kept unless --force); then `redis-unify fix --phase N --verify CMD` migrates one phase at a time."
)]
pub struct PlanArgs {
    /// Files or folders to plan. Without any: the files git tracks.
    pub paths: Vec<PathBuf>,

    /// How to print the plan.
    #[arg(long, value_enum, default_value_t = PlanFormat::Markdown)]
    pub output_format: PlanFormat,

    /// Also write the phases into the configuration file. Phases already
    /// there that differ from the plan (edited by hand, or from an earlier
    /// plan) are kept, and the command fails, unless --force.
    #[arg(long)]
    pub write: bool,

    /// With --write: replace phases that differ from the plan.
    #[arg(long, requires = "write")]
    pub force: bool,

    /// Use this configuration file instead of searching for one (and write to it).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PlanFormat {
    /// Tables per phase, with reasons and the command for each phase.
    Markdown,
    /// `{"files": [{path, phase, reasons, findings, fan_in, test_file, uses}], "dependencies": [...],
    /// "target_redis_version", "notes", "verify": [{phase, still_importing_aioredis}]}`.
    Json,
}

#[derive(Debug, Args)]
pub struct RollbackArgs {
    /// The run to restore (see `redis-unify history`). Default: the latest run; when it is
    /// already rolled back (or its manifest is damaged) nothing is done: name an older run to restore it.
    pub run_id: Option<String>,

    /// Restore even the files that changed after the fix run (their changes are lost).
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
#[command(
    after_help = "The journal keeps, per fix run, the original bytes of every file it changed (in `.git/redis-unify/runs/`, outside git `.redis-unify/runs/`). Every fix run removes the folders of runs killed before they wrote anything, and stale `.redis-unify-*.tmp` files left by a killed run next to the files it writes. `--prune` also removes the runs older than the last `--keep` (default 20) and the originals of rolled-back runs; a fix run says when the journal holds 20 runs or more."
)]
pub struct HistoryArgs {
    /// Print the runs as JSON.
    #[arg(long)]
    pub json: bool,

    /// Trim the journal: keep the last --keep runs, drop the originals of rolled-back runs,
    /// folders of runs that never wrote a manifest, and stale temporary files.
    #[arg(long, conflicts_with = "json")]
    pub prune: bool,

    /// With --prune: how many of the latest runs to keep whole.
    #[arg(long, value_name = "N", default_value_t = 20, requires = "prune")]
    pub keep: usize,
}

/// What `check` and `fix` share: which files, which rules, how to report.
#[derive(Debug, Args)]
pub struct CommonArgs {
    /// Files or folders to check. Without any: the files staged for commit
    /// (with `fix --phase N`: that phase's files across the whole project).
    pub paths: Vec<PathBuf>,

    /// How to print the findings.
    #[arg(long, value_enum, default_value_t, env = "REDIS_UNIFY_OUTPUT_FORMAT")]
    pub output_format: OutputFormat,

    /// Write the findings to this file instead of standard output.
    #[arg(short = 'o', long, value_name = "FILE")]
    pub output_file: Option<PathBuf>,

    /// Rules to enable, replacing the default set: codes (RU100), prefixes (RU1) or ALL.
    #[arg(long, value_delimiter = ',', value_name = "RULE")]
    pub select: Option<Vec<String>>,

    /// Rules to enable on top of the selected ones.
    #[arg(long, value_delimiter = ',', value_name = "RULE")]
    pub extend_select: Vec<String>,

    /// Rules to disable.
    #[arg(long, value_delimiter = ',', value_name = "RULE")]
    pub ignore: Vec<String>,

    /// Paths to skip when walking folders, replacing the default list (.git, .venv, build, …).
    #[arg(long, value_delimiter = ',', value_name = "GLOB")]
    pub exclude: Option<Vec<String>>,

    /// Paths to skip when walking folders, in addition to the excluded ones.
    #[arg(long, value_delimiter = ',', value_name = "GLOB")]
    pub extend_exclude: Vec<String>,

    /// Apply the excludes to files named on the command line too (as pre-commit passes them).
    #[arg(long)]
    pub force_exclude: bool,

    /// Check only the files changed since the merge base of REF and HEAD, plus
    /// uncommitted and untracked ones: what a pull request into REF changes.
    /// With PATHS, only those of them under PATHS.
    #[arg(long, value_name = "REF")]
    pub changed_since: Option<String>,

    /// Report only findings on lines added since the base (the merge base of
    /// --changed-since REF, otherwise HEAD): forbid new aioredis use before the
    /// migration is done. Untracked files count as wholly new.
    #[arg(long)]
    pub new_only: bool,

    /// Print how many findings each rule has instead of the findings.
    #[arg(long)]
    pub statistics: bool,

    /// Exit with 0 even when there are findings (2 still means an error).
    #[arg(long)]
    pub exit_zero: bool,

    /// Use this configuration file instead of searching for one.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Read the source from standard input and check it as PATH: PATH's
    /// configuration (closest from its folder upwards), per-file-ignores and
    /// excludes (an excluded PATH has no findings). With `fix` (or `check
    /// --fix`) the fixed source is printed to standard output and the
    /// remaining findings to standard error, as editors' format-on-save expects.
    #[arg(
        long,
        value_name = "PATH",
        conflicts_with_all = ["paths", "changed_since", "new_only", "force_exclude"]
    )]
    pub stdin_filename: Option<PathBuf>,

    /// When to colour the output.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// Colour on a terminal, unless NO_COLOR is set.
    Auto,
    Always,
    Never,
}

#[derive(Debug, Args)]
#[command(
    after_help = "The hook runs `redis-unify check` on the staged content of the Python files about to \
be committed, and stops the commit when it finds something (skip it once with `git commit --no-verify`). \
It is written to the hooks folder git uses: `core.hooksPath` when set, otherwise .git/hooks. Teams using \
the pre-commit framework should use this repository's `.pre-commit-hooks.yaml` instead."
)]
pub struct HookArgs {
    #[command(subcommand)]
    pub action: HookAction,
}

#[derive(Debug, Subcommand)]
pub enum HookAction {
    /// Write the pre-commit hook. An existing hook that redis-unify did not
    /// write is left alone unless --force.
    Install {
        /// Run `check --fix` in the hook: fixes go to the work tree and the
        /// commit stops so that you can review and stage them.
        #[arg(long)]
        fix: bool,
        /// Replace a pre-commit hook that redis-unify did not write (it is
        /// kept as pre-commit.bak).
        #[arg(long)]
        force: bool,
    },
    /// Remove the pre-commit hook, only if redis-unify wrote it.
    Uninstall,
}

#[derive(Debug, Args)]
pub struct RuleArgs {
    /// The rule's code, such as RU100.
    #[arg(required_unless_present = "all", conflicts_with = "all")]
    pub code: Option<String>,

    /// List every rule: code, name, whether it is on by default, and a summary.
    #[arg(long)]
    pub all: bool,

    /// How to print the rule documentation.
    #[arg(long, value_enum, default_value_t = RuleFormat::Text)]
    pub output_format: RuleFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RuleFormat {
    Text,
    Json,
}
