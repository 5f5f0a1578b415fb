//! The dependency manifest rules (RU300–RU303) on one fixture project per
//! manifest format (`tests/fixtures/manifests/<format>/`): each is copied to a
//! temporary folder, checked, and fixed with `--unsafe-fixes --diff`; the
//! snapshots record both. The fixtures hold extras, markers, comments, line
//! continuations and the traps (an extra named `aioredis`, a `[mypy-aioredis]`
//! section, `aioredis` in a comment or docstring).

mod common;

use std::path::Path;

use common::Project;

fn copy_fixture(name: &str) -> Project {
    let project = Project::new();
    let source = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/manifests")
        .join(name);
    copy_dir(&source, project.path());
    project
}

fn copy_dir(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// `check` and `fix --unsafe-fixes --diff` of one fixture, as one text.
fn report(name: &str) -> String {
    let project = copy_fixture(name);
    let check = project.run(&["check", "--output-format", "concise", "."]);
    assert_eq!(check.code, 1, "{}", check.stderr);
    let diff = project.run(&["fix", "--unsafe-fixes", "--diff", "."]);
    assert_eq!(diff.code, 1, "{}", diff.stderr);
    format!(
        "$ redis-unify check --output-format concise .\n{}\n$ redis-unify fix --unsafe-fixes --diff .\n{}{}",
        check.stdout, diff.stdout, diff.stderr
    )
}

macro_rules! manifest_snapshot {
    ($test:ident) => {
        #[test]
        fn $test() {
            insta::assert_snapshot!(stringify!($test), report(stringify!($test)));
        }
    };
}

manifest_snapshot!(requirements);
manifest_snapshot!(pyproject);
manifest_snapshot!(setup_cfg);
manifest_snapshot!(setup_py);
manifest_snapshot!(pipfile);

#[test]
fn fixes_are_written_through_the_journal_and_roll_back() {
    let project = copy_fixture("pyproject");
    let before = std::fs::read(project.path().join("pyproject.toml")).unwrap();
    let fixed = project.run(&["fix", "--unsafe-fixes", "--output-format", "concise", "."]);
    assert_eq!(fixed.code, 0, "{}{}", fixed.stdout, fixed.stderr);
    let after = std::fs::read_to_string(project.path().join("pyproject.toml")).unwrap();
    assert!(after.contains("'redis[hiredis]>=5.0.1 ; python_version < \"3.11\"',  # archived"));
    assert!(after.contains("# An extra *named* aioredis is not a requirement on it."));
    // RU301's fix requires what RU300's does: the requirements agree.
    assert!(after.contains("legacy = [\"redis>=5.0.1\"]"), "{after}");
    // The result is still TOML, and nothing remains.
    after
        .parse::<toml_edit::DocumentMut>()
        .unwrap_or_else(|e| panic!("the fixed file is not TOML: {e}\n{after}"));
    let check = project.run(&["check", "--output-format", "concise", "."]);
    assert_eq!(check.findings(), Vec::<String>::new(), "{}", check.stdout);
    let rollback = project.run(&["rollback"]);
    assert_eq!(rollback.code, 0, "{}", rollback.stderr);
    assert_eq!(
        std::fs::read(project.path().join("pyproject.toml")).unwrap(),
        before
    );
}

#[test]
fn traps_are_not_requirements() {
    let project = Project::new();
    project.write(
        "setup.cfg",
        "[options.extras_require]\naioredis = redis>=5.0.1\n\n[mypy-aioredis]\nignore_missing_imports = True\n",
    );
    project.write(
        "requirements.txt",
        "# aioredis==2.0.1 was here\nredis>=5.0.1\n",
    );
    project.write(
        "pyproject.toml",
        "[project]\nname = \"x\"\n[project.optional-dependencies]\naioredis = [\"redis>=5.0.1\"]\n[tool.poetry.extras]\naioredis = [\"aioredis\"]\n",
    );
    let check = project.run(&["check", "--output-format", "concise", "."]);
    assert_eq!(check.code, 0, "{}", check.stdout);
}

#[test]
fn noqa_in_a_manifest() {
    let project = Project::new();
    project.write(
        "requirements.txt",
        "aioredis==2.0.1  # noqa: RU300\nredis==4.3.4  # noqa\n",
    );
    let check = project.run(&["check", "--output-format", "concise", "."]);
    assert_eq!(check.code, 0, "{}", check.stdout);
}

#[test]
fn manifests_named_explicitly_or_staged_are_checked() {
    let project = Project::new();
    project.git(&["init", "-q"]);
    project.write("requirements-dev.txt", "aioredis\n");
    let explicit = project.run(&[
        "check",
        "--output-format",
        "concise",
        "requirements-dev.txt",
    ]);
    assert_eq!(explicit.findings(), ["requirements-dev.txt:1:1: RU300"]);
    project.git(&["add", "requirements-dev.txt"]);
    let staged = project.run(&["check", "--output-format", "concise"]);
    assert_eq!(staged.findings(), ["requirements-dev.txt:1:1: RU300"]);
}

#[test]
fn the_manifests_redis_version_is_the_default_target() {
    // RU201 (no socket_timeout) depends on the redis-py release: 8.0 has a default.
    let code = "import redis.asyncio\n\nclient = redis.asyncio.Redis(host=\"cache\")\n";
    let project = Project::new();
    project.write("app.py", code);
    project.write("requirements.txt", "redis>=8.0.0\n");
    let run = project.run(&[
        "check",
        "--output-format",
        "concise",
        "--select",
        "RU201",
        ".",
    ]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    project.write("requirements.txt", "redis>=7.4,<9\n");
    let run = project.run(&[
        "check",
        "--output-format",
        "concise",
        "--select",
        "RU201",
        ".",
    ]);
    assert_eq!(run.findings(), ["app.py:3:10: RU201"]);
    // The configuration wins over the manifests.
    project.write("redis-unify.toml", "target-redis-version = \"8.0\"\n");
    let run = project.run(&[
        "check",
        "--output-format",
        "concise",
        "--select",
        "RU201",
        ".",
    ]);
    assert_eq!(run.code, 0, "{}", run.stdout);
}
