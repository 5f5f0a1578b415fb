//! The binary as a user runs it: exit codes, output formats, configuration,
//! selection, walking folders, and `redis-unify rule`.

mod common;

use common::Project;

const SERVICE: &str = r#"import aioredis
from aioredis import create_redis_pool


async def connect(url):
    return await create_redis_pool(url)
"#;

fn service_project() -> Project {
    let project = Project::new();
    project.write("app/service.py", SERVICE);
    project.write("app/clean.py", "import redis.asyncio as aioredis\n");
    project.write("app/plain.py", "print('nothing to see')\n");
    project
}

#[test]
fn exit_codes_follow_ruff() {
    let project = service_project();
    assert_eq!(project.run(&["check", "app/clean.py"]).code, 0);
    assert_eq!(project.run(&["check", "app"]).code, 1);
    assert_eq!(project.run(&["check", "--exit-zero", "app"]).code, 0);
    assert_eq!(project.run(&["check", "missing.py"]).code, 2);
    assert_eq!(project.run(&["check", "--select", "XX1", "app"]).code, 2);
    assert_eq!(
        project
            .run(&["check", "--output-format", "nope", "app"])
            .code,
        2
    );
    assert_eq!(project.run(&["--help"]).code, 0);
}

#[test]
fn full_output() {
    let project = service_project();
    let run = project.run(&["check", "."]);
    insta::assert_snapshot!(run.stdout);
}

#[test]
fn concise_output() {
    let project = service_project();
    let run = project.run(&["check", "--output-format", "concise", "."]);
    insta::assert_snapshot!(run.stdout);
}

#[test]
fn json_output_is_ruff_shaped() {
    let project = service_project();
    let run = project.run(&["check", "--output-format", "json", "."]);
    assert_eq!(run.code, 1);
    let value: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let first = &value[0];
    for key in [
        "cell",
        "code",
        "end_location",
        "filename",
        "fix",
        "location",
        "message",
        "noqa_row",
        "url",
    ] {
        assert!(first.get(key).is_some(), "missing {key}");
    }
    insta::assert_snapshot!(project.redact(&run.stdout));
}

#[test]
fn json_output_with_no_findings_is_an_empty_array() {
    let project = service_project();
    let run = project.run(&["check", "--output-format", "json", "app/clean.py"]);
    assert_eq!(run.stdout.trim(), "[]");
}

#[test]
fn statistics() {
    let project = service_project();
    let run = project.run(&["check", "--statistics", "."]);
    assert_eq!(run.code, 1);
    insta::assert_snapshot!(run.stdout);
}

#[test]
fn output_file_and_color() {
    let project = service_project();
    let run = project.run(&[
        "check",
        "-o",
        "report.txt",
        "--output-format",
        "concise",
        ".",
    ]);
    assert_eq!(run.code, 1);
    assert!(run.stdout.is_empty());
    let written = std::fs::read_to_string(project.path().join("report.txt")).unwrap();
    assert!(written.contains("app/service.py:1:1: RU100"));

    let colored = project.run(&[
        "check",
        "--color",
        "always",
        "--output-format",
        "concise",
        ".",
    ]);
    assert!(colored.stdout.contains("\x1b["));
    let plain = project.run(&["check", "--output-format", "concise", "."]);
    assert!(!plain.stdout.contains("\x1b["));
}

#[test]
fn select_ignore_and_prefixes() {
    let project = service_project();
    let only_legacy = project.run(&[
        "check",
        "--select",
        "RU101",
        "--output-format",
        "concise",
        ".",
    ]);
    assert_eq!(only_legacy.findings(), vec!["app/service.py:6:18: RU101"]);
    let no_ru1 = project.run(&["check", "--ignore", "RU1", "."]);
    assert_eq!(no_ru1.code, 0);
    let specific_wins = project.run(&[
        "check",
        "--ignore",
        "RU1",
        "--extend-select",
        "RU100",
        "--output-format",
        "concise",
        ".",
    ]);
    assert_eq!(
        specific_wins.findings(),
        vec!["app/service.py:1:1: RU100", "app/service.py:2:1: RU100"]
    );
}

#[test]
fn configuration_in_pyproject() {
    let project = service_project();
    project.write(
        "pyproject.toml",
        "[project]\nname = \"svc\"\n\n[tool.redis-unify]\nselect = [\"RU101\"]\n",
    );
    let run = project.run(&["check", "--output-format", "concise", "."]);
    assert_eq!(run.findings(), vec!["app/service.py:6:18: RU101"]);
    // Flags override the file.
    let run = project.run(&[
        "check",
        "--select",
        "RU100",
        "--output-format",
        "concise",
        ".",
    ]);
    assert_eq!(run.findings().len(), 2);
    // Found from a subfolder too.
    let run = project.run_in("app", &["check", "--output-format", "concise", "."], &[]);
    assert_eq!(run.findings(), vec!["service.py:6:18: RU101"]);
}

#[test]
fn configuration_in_redis_unify_toml_with_per_file_ignores() {
    let project = service_project();
    project.write("tests/test_x.py", "import aioredis\n");
    project.write(
        "redis-unify.toml",
        "[per-file-ignores]\n\"tests/**\" = [\"RU100\"]\n\"service.py\" = [\"RU101\"]\n",
    );
    let run = project.run(&["check", "--output-format", "concise", "."]);
    assert_eq!(
        run.findings(),
        vec!["app/service.py:1:1: RU100", "app/service.py:2:1: RU100"]
    );
}

#[test]
fn bad_configuration_exits_2_naming_the_key_and_file() {
    let project = service_project();
    project.write("redis-unify.toml", "selct = [\"RU100\"]\n");
    let run = project.run(&["check", "."]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("redis-unify.toml"), "{}", run.stderr);
    assert!(run.stderr.contains("selct"), "{}", run.stderr);
    assert_eq!(run.stderr.trim().lines().count(), 1, "{}", run.stderr);

    project.write("redis-unify.toml", "select = [\"RU999\"]\n");
    let run = project.run(&["check", "."]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("RU999") && run.stderr.contains("redis-unify.toml"),
        "{}",
        run.stderr
    );

    project.write("redis-unify.toml", "select = \"RU100\n");
    let run = project.run(&["check", "."]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("redis-unify.toml"), "{}", run.stderr);

    std::fs::remove_file(project.path().join("redis-unify.toml")).unwrap();
    project.write("pyproject.toml", "[tool.redis-unify]\nextend-exclude = 3\n");
    let run = project.run(&["check", "."]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("pyproject.toml") && run.stderr.contains("extend-exclude"),
        "{}",
        run.stderr
    );
}

#[test]
fn walking_honours_gitignore_hidden_files_and_excludes() {
    let project = Project::new();
    project.write(".gitignore", "generated/\n");
    project.write("generated/out.py", "import aioredis\n");
    project.write(".hidden/x.py", "import aioredis\n");
    project.write(".venv/lib/site.py", "import aioredis\n");
    project.write("vendor/third.py", "import aioredis\n");
    project.write("src/app.py", "import aioredis\n");
    project.write("src/app.pyi", "import aioredis\n");
    project.write("src/readme.txt", "import aioredis\n");

    let run = project.run(&["check", "--output-format", "concise", "."]);
    assert_eq!(
        run.findings(),
        vec![
            "src/app.py:1:1: RU100",
            "src/app.pyi:1:1: RU100",
            "vendor/third.py:1:1: RU100"
        ]
    );
    let run = project.run(&[
        "check",
        "--extend-exclude",
        "vendor",
        "--output-format",
        "concise",
        ".",
    ]);
    assert_eq!(run.findings().len(), 2);

    // A file named explicitly is checked even when ignored, unless --force-exclude.
    let run = project.run(&[
        "check",
        "--output-format",
        "concise",
        "generated/out.py",
        ".venv/lib/site.py",
    ]);
    assert_eq!(run.findings().len(), 2);
    let run = project.run(&["check", "--force-exclude", ".venv/lib/site.py"]);
    assert_eq!(run.code, 0);
}

#[test]
fn fifos_and_outside_symlinks_are_never_read() {
    let project = Project::new();
    project.write("ok.py", "import aioredis\n");
    let fifo = project.path().join("pipe.py");
    let status = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(status.success());
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("secret.py"), "import aioredis\n").unwrap();
    std::os::unix::fs::symlink(
        outside.path().join("secret.py"),
        project.path().join("link.py"),
    )
    .unwrap();
    std::os::unix::fs::symlink("ok.py", project.path().join("inside_link.py")).unwrap();

    let run = project.run(&["check", "--output-format", "concise", "."]);
    assert_eq!(run.code, 1);
    assert_eq!(
        run.findings(),
        vec!["inside_link.py:1:1: RU100", "ok.py:1:1: RU100"]
    );
    assert!(
        run.stderr
            .contains("link.py: symlink to outside the project"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("pipe.py: not a regular file"),
        "{}",
        run.stderr
    );
}

#[test]
fn invalid_utf8_is_skipped_with_a_warning() {
    let project = Project::new();
    std::fs::write(
        project.path().join("latin.py"),
        b"# caf\xe9\nimport aioredis\n",
    )
    .unwrap();
    let run = project.run(&["check", "."]);
    assert_eq!(run.code, 0);
    assert!(
        run.stderr.contains("latin.py: not valid UTF-8"),
        "{}",
        run.stderr
    );
}

#[test]
fn bom_and_crlf_files_are_checked() {
    let project = Project::new();
    project.write(
        "bom.py",
        "\u{feff}import aioredis\r\nx = aioredis.create_pool\r\n",
    );
    let run = project.run(&["check", "--output-format", "concise", "."]);
    assert_eq!(
        run.findings(),
        vec!["bom.py:1:1: RU100", "bom.py:2:5: RU101"]
    );
    let full = project.run(&["check", "."]);
    insta::assert_snapshot!(full.stdout);
}

#[test]
fn rule_command() {
    let project = Project::new();
    let run = project.run(&["rule", "RU100"]);
    assert_eq!(run.code, 0);
    assert!(run.stdout.starts_with("# aioredis-import (RU100)"));
    for section in [
        "## What it does",
        "## Why is this bad?",
        "## Example",
        "## Fix safety",
    ] {
        assert!(run.stdout.contains(section));
    }
    let all = project.run(&["rule", "--all"]);
    insta::assert_snapshot!(all.stdout);
    let json = project.run(&["rule", "--all", "--output-format", "json"]);
    let value: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(value[2]["code"], "RU100");
    let unknown = project.run(&["rule", "RU999"]);
    assert_eq!(unknown.code, 2);
    assert!(unknown.stderr.contains("redis-unify rule --all"));
}
