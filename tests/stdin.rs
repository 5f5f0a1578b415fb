//! `check --stdin-filename PATH` and `fix --stdin-filename PATH`: the source
//! from standard input, checked and fixed as PATH with PATH's settings.

mod common;

use std::io::Write;
use std::process::{Command, Stdio};

use common::{Project, Run};

fn run(project: &Project, folder: &str, args: &[&str], input: &[u8]) -> Run {
    let mut child = Command::new(env!("CARGO_BIN_EXE_redis-unify"))
        .args(args)
        .current_dir(project.path().join(folder))
        .env("NO_COLOR", "1")
        .env_remove("REDIS_UNIFY_OUTPUT_FORMAT")
        .env_remove("PRE_COMMIT")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let input = input.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&input);
    });
    let output = child.wait_with_output().unwrap();
    writer.join().unwrap();
    Run::from(output)
}

const LEGACY: &str = "import aioredis\n\nr = aioredis.from_url(\"redis://localhost\")\n";

#[test]
fn check_reports_stdin_as_the_path_given() {
    // The file on disk is clean: what is checked is standard input.
    let project = Project::repo(&[("app/m.py", "x = 1\n")]);
    let checked = run(
        &project,
        ".",
        &["check", "--stdin-filename", "app/m.py"],
        LEGACY.as_bytes(),
    );
    assert_eq!(checked.code, 1, "{}", checked.stderr);
    insta::assert_snapshot!(checked.stdout);
    // The path need not exist; run from a sub-folder, it is relative to it.
    let concise = run(
        &project,
        "app",
        &[
            "check",
            "--output-format",
            "concise",
            "--stdin-filename",
            "new/x.py",
        ],
        LEGACY.as_bytes(),
    );
    assert_eq!(
        concise.findings(),
        ["new/x.py:1:1: RU100", "new/x.py:3:5: RU201"]
    );
    // Nothing found: exit 0; --exit-zero.
    let clean = run(
        &project,
        ".",
        &["check", "--stdin-filename", "app/m.py"],
        b"x = 1\n",
    );
    assert_eq!((clean.code, clean.stdout.trim()), (0, "All checks passed!"));
    let zero = run(
        &project,
        ".",
        &["check", "--exit-zero", "--stdin-filename", "a.py"],
        LEGACY.as_bytes(),
    );
    assert_eq!(zero.code, 0);
    // Not a Python file or manifest: nothing to check.
    let other = run(
        &project,
        ".",
        &["check", "--stdin-filename", "notes.md"],
        LEGACY.as_bytes(),
    );
    assert_eq!(other.code, 0, "{}", other.stdout);
}

#[test]
fn the_configuration_closest_to_the_path_applies() {
    let project = Project::repo(&[
        (
            "pyproject.toml",
            "[tool.redis-unify]\nextend-exclude = [\"generated\"]\n\n[tool.redis-unify.per-file-ignores]\n\"tests/*\" = [\"RU201\"]\n",
        ),
        ("sub/redis-unify.toml", "ignore = [\"RU100\"]\n"),
    ]);
    let concise = |path: &str| {
        run(
            &project,
            ".",
            &[
                "check",
                "--output-format",
                "concise",
                "--stdin-filename",
                path,
            ],
            LEGACY.as_bytes(),
        )
    };
    assert_eq!(
        concise("app.py").findings(),
        ["app.py:1:1: RU100", "app.py:3:5: RU201"]
    );
    // per-file-ignores by PATH.
    assert_eq!(concise("tests/t.py").findings(), ["tests/t.py:1:1: RU100"]);
    // sub/ has its own configuration, found from PATH's folder (not the current one).
    assert_eq!(concise("sub/x.py").findings(), ["sub/x.py:3:5: RU201"]);
    // An excluded PATH has no findings (checked or fixed: the input comes back unchanged).
    let excluded = concise("generated/x.py");
    assert_eq!(
        (excluded.code, excluded.findings().len()),
        (0, 0),
        "{}",
        excluded.stdout
    );
    assert!(
        excluded
            .stdout
            .contains("No files to check: generated/x.py is excluded by the configuration"),
        "nothing was checked, and it says so: {}",
        excluded.stdout
    );
    let fixed = run(
        &project,
        ".",
        &["fix", "--stdin-filename", "generated/x.py"],
        LEGACY.as_bytes(),
    );
    assert_eq!((fixed.code, fixed.stdout.as_str()), (0, LEGACY));
    // Flags still apply on top, and --config replaces the search.
    let selected = run(
        &project,
        ".",
        &[
            "check",
            "--output-format",
            "concise",
            "--select",
            "RU201",
            "--stdin-filename",
            "app.py",
        ],
        LEGACY.as_bytes(),
    );
    assert_eq!(selected.findings(), ["app.py:3:5: RU201"]);
    let configured = run(
        &project,
        ".",
        &[
            "check",
            "--output-format",
            "concise",
            "--config",
            "sub/redis-unify.toml",
            "--stdin-filename",
            "app.py",
        ],
        LEGACY.as_bytes(),
    );
    assert_eq!(configured.findings(), ["app.py:3:5: RU201"]);
}

#[test]
fn fix_prints_the_fixed_source_and_reports_what_remains_on_stderr() {
    let project = Project::repo(&[]);
    let fixed = run(
        &project,
        ".",
        &["fix", "--stdin-filename", "m.py"],
        LEGACY.as_bytes(),
    );
    assert_eq!(fixed.code, 1, "{}", fixed.stderr);
    assert_eq!(
        fixed.stdout,
        "import redis.asyncio as aioredis\n\nr = aioredis.from_url(\"redis://localhost\")\n"
    );
    assert!(fixed.stderr.contains("RU201"), "{}", fixed.stderr);
    assert!(
        fixed.stderr.contains("1 fixed, 1 remaining"),
        "{}",
        fixed.stderr
    );
    // `check --fix` is the same; everything fixed: exit 0.
    let all = run(
        &project,
        ".",
        &["check", "--fix", "--stdin-filename", "m.py"],
        b"import aioredis\n",
    );
    assert_eq!(
        (all.code, all.stdout.as_str()),
        (0, "import redis.asyncio as aioredis\n")
    );
    // Nothing to fix: the input comes back byte for byte (CRLF, BOM, no final newline).
    let untouched = "\u{feff}x = 1\r\ny = 2";
    let same = run(
        &project,
        ".",
        &["fix", "--stdin-filename", "m.py"],
        untouched.as_bytes(),
    );
    assert_eq!((same.code, same.stdout.as_str()), (0, untouched));
    // Line endings are kept by the fix.
    let crlf = run(
        &project,
        ".",
        &["fix", "--stdin-filename", "m.py"],
        b"import aioredis\r\nx = 1\r\n",
    );
    assert_eq!(crlf.stdout, "import redis.asyncio as aioredis\r\nx = 1\r\n");
    // --diff prints a diff instead (exit 1 when there are fixes).
    let diff = run(
        &project,
        ".",
        &["fix", "--diff", "--stdin-filename", "m.py"],
        b"import aioredis\n",
    );
    assert_eq!(diff.code, 1);
    insta::assert_snapshot!(diff.stdout);
    // Options that only make sense for files on disk are refused.
    let refused = run(
        &project,
        ".",
        &["fix", "--verify", "true", "--stdin-filename", "m.py"],
        b"",
    );
    assert_eq!(refused.code, 2, "{}", refused.stderr);
    let refused = run(
        &project,
        ".",
        &["check", "--stdin-filename", "m.py", "other.py"],
        b"",
    );
    assert_eq!(refused.code, 2, "{}", refused.stderr);
    for args in [
        &["fix", "--phase", "1", "--stdin-filename", "m.py"][..],
        &["fix", "--show-fixes", "--stdin-filename", "m.py"][..],
        &[
            "check",
            "--changed-since",
            "HEAD",
            "--stdin-filename",
            "m.py",
        ][..],
    ] {
        assert_eq!(run(&project, ".", args, b"").code, 2, "{args:?}");
    }
    // Nothing was written: no journal, no file.
    assert!(!project.path().join("m.py").exists());
    assert!(!project.path().join(".git/redis-unify").exists());
}

#[test]
fn declared_encodings_and_manifests_from_stdin() {
    let project = Project::repo(&[]);
    // latin-1 in, latin-1 out.
    let mut latin1 = b"# -*- coding: latin-1 -*-\nimport aioredis\ns = '".to_vec();
    latin1.push(0xe9);
    latin1.extend_from_slice(b"'\n");
    let fixed = run(&project, ".", &["fix", "--stdin-filename", "m.py"], &latin1);
    let mut expected =
        b"# -*- coding: latin-1 -*-\nimport redis.asyncio as aioredis\ns = '".to_vec();
    expected.push(0xe9);
    expected.extend_from_slice(b"'\n");
    assert_eq!(fixed.code, 0, "{}", fixed.stderr);
    // (Run decodes stdout lossily: compare through the same lens.)
    assert_eq!(fixed.stdout, String::from_utf8_lossy(&expected));
    // Undecodable input is told and left alone.
    let broken = run(
        &project,
        ".",
        &["check", "--stdin-filename", "m.py"],
        b"import aioredis\nx = '\xff'\n",
    );
    assert_eq!(broken.code, 0);
    assert!(broken.stderr.contains("warning: m.py"), "{}", broken.stderr);
    // A dependency manifest, by its name.
    let requirements = b"aioredis==2.0.1\nhttpx\n";
    let checked = run(
        &project,
        ".",
        &[
            "check",
            "--output-format",
            "concise",
            "--stdin-filename",
            "requirements.txt",
        ],
        requirements,
    );
    assert_eq!(checked.findings(), ["requirements.txt:1:1: RU300"]);
    let fixed = run(
        &project,
        ".",
        &[
            "fix",
            "--unsafe-fixes",
            "--stdin-filename",
            "requirements.txt",
        ],
        requirements,
    );
    assert_eq!(
        (fixed.code, fixed.stdout.as_str()),
        (0, "redis>=5.0.1\nhttpx\n")
    );
}
