//! `check --add-noqa` and RU002 (unused-noqa) on real git repositories with
//! the real binary: comments added and merged, the lines that cannot take one
//! reported, the run journaled (`history`, `rollback` restore byte for byte),
//! and RU002 removing the suppressions a migration made stale.

mod common;

use common::Project;

const APP: &str = "import aioredis\n\
import aioredis.client  # noqa: F401 legacy\n\
TEXT = \"\"\"\n%s\"\"\" % aioredis.create_redis\n\
x = aioredis.create_redis_pool \\\n  (\"u\")\n";

#[test]
fn comments_are_added_merged_skipped_where_they_cannot_go_and_rolled_back() {
    let project = Project::repo(&[
        ("app/a.py", APP),
        (
            "requirements.txt",
            "aioredis==2.0.1\nredis==4.3.4 \\\n  --hash=sha256:abc\n",
        ),
        ("setup.cfg", "[options]\ninstall_requires =\n    aioredis\n"),
        (
            "pyproject.toml",
            "[project]\nname = \"x\"\ndependencies = [\n  \"aioredis>=2\",\n]\n",
        ),
    ]);
    let run = project.run(&["check", "--add-noqa", "."]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(run.stdout, "");
    assert_eq!(
        std::fs::read_to_string(project.path().join("app/a.py")).unwrap(),
        "import aioredis  # noqa: RU100\n\
import aioredis.client  # noqa: F401, RU100 legacy\n\
TEXT = \"\"\"\n%s\"\"\" % aioredis.create_redis  # noqa: RU101\n\
x = aioredis.create_redis_pool \\\n  (\"u\")\n"
    );
    assert_eq!(
        std::fs::read_to_string(project.path().join("requirements.txt")).unwrap(),
        "aioredis==2.0.1  # noqa: RU300\nredis==4.3.4 \\\n  --hash=sha256:abc\n"
    );
    assert_eq!(
        std::fs::read_to_string(project.path().join("pyproject.toml")).unwrap(),
        "[project]\nname = \"x\"\ndependencies = [\n  \"aioredis>=2\",  # noqa: RU300\n]\n"
    );
    for warning in [
        "warning: app/a.py:5: RU101 not suppressed: its line ends with a backslash continuation",
        "warning: requirements.txt:2: RU301 not suppressed: its line ends with a backslash",
        "warning: setup.cfg:3: RU300 not suppressed: setuptools does not read `#`",
        "Added `# noqa` for 5 findings in 3 files (run ",
        "3 findings not suppressed (see the warnings above)",
    ] {
        assert!(run.stderr.contains(warning), "{warning}\n{}", run.stderr);
    }
    // What is left is what could not be suppressed.
    let left = project.run(&["check", "--output-format", "concise", "."]);
    assert_eq!(
        left.findings(),
        vec![
            "app/a.py:5:5: RU101",
            "requirements.txt:2:1: RU301",
            "setup.cfg:3:5: RU300"
        ]
    );
    // A second run adds nothing.
    let again = project.run(&["check", "--add-noqa", "."]);
    assert_eq!(again.code, 1);
    assert!(!again.stderr.contains("Added"), "{}", again.stderr);
    // Journaled as a fix run: rollback restores every file byte for byte.
    let history = project.run(&["history"]);
    assert!(history.stdout.contains("3 files"), "{}", history.stdout);
    let rollback = project.run(&["rollback"]);
    assert_eq!(rollback.code, 0, "{}", rollback.stderr);
    assert_eq!(project.git(&["status", "--porcelain"]), "");
}

#[test]
fn everything_suppressed_exits_0_and_keeps_crlf_and_the_staged_mode() {
    let project = Project::repo(&[("app/b.py", "import aioredis\r\nx = 1\r\n")]);
    project.write(
        "app/b.py",
        "import aioredis\r\nx = aioredis.from_url('u')\r\n",
    );
    project.git(&["add", "app/b.py"]);
    // No paths: the staged file, written back since the work tree is what is staged.
    let run = project.run(&["check", "--add-noqa"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        std::fs::read_to_string(project.path().join("app/b.py")).unwrap(),
        "import aioredis  # noqa: RU100\r\nx = aioredis.from_url('u')  # noqa: RU201\r\n"
    );
    assert_eq!(project.run(&["check", "app"]).code, 0);
    let nothing = project.run(&["check", "--add-noqa", "app"]);
    assert_eq!(nothing.code, 0);
    assert!(
        nothing.stderr.contains("No findings to suppress"),
        "{}",
        nothing.stderr
    );
    let refused = project.run(&["check", "--add-noqa", "--fix", "app"]);
    assert_eq!(refused.code, 2);
}

#[test]
fn unused_noqa_reports_and_removes_the_suppressions_a_migration_made_stale() {
    let project = Project::repo(&[(
        "app/c.py",
        "import aioredis\nclient = aioredis.from_url('redis://h', socket_timeout=5)\n",
    )]);
    assert_eq!(project.run(&["check", "--add-noqa", "."]).code, 0);
    // Off by default; selected, it finds every suppression used.
    let used = project.run(&["check", "--extend-select", "RU002", "."]);
    assert_eq!(used.code, 0, "{}", used.stdout);
    // The migration: the import swapped by hand, its `# noqa` left behind.
    project.write(
        "app/c.py",
        "import redis.asyncio as aioredis  # noqa: RU100, F401\nclient = aioredis.from_url('redis://h', socket_timeout=5)\n",
    );
    let stale = project.run(&[
        "check",
        "--extend-select",
        "RU002",
        "--output-format",
        "concise",
        ".",
    ]);
    assert_eq!(stale.code, 1);
    assert!(
        stale
            .stdout
            .contains("app/c.py:1:35: RU002 [*] Unused `noqa` directive (unused: `RU100`)"),
        "{}",
        stale.stdout
    );
    let fixed = project.run(&["check", "--fix", "--extend-select", "RU002", "."]);
    assert_eq!(fixed.code, 0, "{}{}", fixed.stdout, fixed.stderr);
    assert_eq!(
        std::fs::read_to_string(project.path().join("app/c.py")).unwrap(),
        "import redis.asyncio as aioredis  # noqa: F401\nclient = aioredis.from_url('redis://h', socket_timeout=5)\n"
    );
    // `rule` documents it.
    let rule = project.run(&["rule", "RU002"]);
    assert!(
        rule.stdout.starts_with("# unused-noqa (RU002)"),
        "{}",
        rule.stdout
    );
}

/// The dev corpus (real packages that use aioredis), copied into a fresh
/// repository: `--add-noqa` suppresses every finding it can, each changed
/// Python file still parses for CPython, `check` then reports only what it
/// said it could not suppress, RU002 finds every added code used, and
/// `rollback` gives back the corpus byte for byte.
#[test]
fn add_noqa_on_the_dev_corpus() {
    let Some(corpus) = common::dev_corpus() else {
        return; // dev_corpus() said why
    };
    let project = Project::new();
    let copied = std::process::Command::new("cp")
        .arg("-rL")
        .arg(corpus.join("."))
        .arg(project.path())
        .status()
        .unwrap();
    assert!(copied.success());
    project.git(&["init", "-q"]);
    project.git(&["add", "-A"]);
    project.git(&["commit", "-qm", "corpus"]);
    let before = project.run(&["check", "--output-format", "concise", "."]);
    assert_eq!(before.code, 1);

    let added = project.run(&["check", "--add-noqa", "."]);
    let skipped = added
        .stderr
        .lines()
        .filter(|l| l.starts_with("warning: ") && l.contains(" not suppressed: "))
        .count();
    assert!(
        added.stderr.contains("Added `# noqa` for "),
        "{}",
        added.stderr
    );
    let after = project.run(&["check", "--output-format", "concise", "."]);
    assert_eq!(
        after.findings().len(),
        skipped,
        "{}\n{}",
        added.stderr,
        after.stdout
    );
    assert!(skipped * 100 < before.findings().len(), "{skipped} skipped");

    let changed = project.git(&["diff", "--name-only"]);
    let python: Vec<&str> = changed.lines().filter(|p| p.ends_with(".py")).collect();
    assert!(!python.is_empty());
    let parses = std::process::Command::new("python3")
        .arg("-c")
        .arg("import ast, sys\nfor p in sys.argv[1:]:\n    ast.parse(open(p, 'rb').read(), p)")
        .args(&python)
        .current_dir(project.path())
        .output()
        .unwrap();
    assert!(
        parses.status.success(),
        "{}",
        String::from_utf8_lossy(&parses.stderr)
    );

    let unused = project.run(&[
        "check",
        "--select",
        "ALL",
        "--output-format",
        "concise",
        ".",
    ]);
    assert!(!unused.stdout.contains(": RU002 "), "{}", unused.stdout);
    assert_eq!(project.run(&["rollback"]).code, 0);
    assert_eq!(project.git(&["status", "--porcelain"]), "");
}

#[test]
fn a_partially_staged_file_is_left_alone_with_advice_that_works() {
    let project = Project::repo(&[("a.py", "x = 1\n")]);
    project.write("a.py", "import aioredis\n");
    project.git(&["add", "a.py"]);
    project.write("a.py", "import aioredis\ny = 2\n");
    let run = project.run(&["check", "--add-noqa"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains(
            "warning: a.py: no `# noqa` added: its work-tree content differs from what is staged"
        ) && run.stderr.contains("`redis-unify check --add-noqa PATH`"),
        "{}",
        run.stderr
    );
    assert_eq!(
        std::fs::read_to_string(project.path().join("a.py")).unwrap(),
        "import aioredis\ny = 2\n"
    );
    // The advice, followed.
    assert_eq!(project.run(&["check", "--add-noqa", "a.py"]).code, 0);
    assert_eq!(
        std::fs::read_to_string(project.path().join("a.py")).unwrap(),
        "import aioredis  # noqa: RU100\ny = 2\n"
    );
}
