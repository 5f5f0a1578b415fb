//! Hostile input (issue 8): encodings, odd bytes, huge and deeply nested files,
//! odd file names, git states. Each test runs the real binary and checks that
//! it never crashes, exits 0/1/2, and never loses a byte.

mod common;

use common::Project;

const SAFE: &str =
    "import aioredis\n\nclient = aioredis.from_url(\"redis://localhost\", socket_timeout=5)\n";
const SAFE_FIXED: &str = "import redis.asyncio as aioredis\n\nclient = aioredis.from_url(\"redis://localhost\", socket_timeout=5)\n";

fn write_bytes(project: &Project, relative: &str, bytes: &[u8]) -> std::path::PathBuf {
    let path = project.path().join(relative);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, bytes).unwrap();
    path
}

fn read(project: &Project, relative: &str) -> Vec<u8> {
    std::fs::read(project.path().join(relative)).unwrap()
}

/// Exit codes stay 0/1/2 and no panic message reaches the user.
fn assert_calm(run: &common::Run) {
    assert!(
        matches!(run.code, 0..=2),
        "exit {}: {}",
        run.code,
        run.stderr
    );
    assert!(
        !run.stderr.contains("panicked") && !run.stderr.contains("internal error"),
        "{}",
        run.stderr
    );
}

// ---- encodings ----

const LATIN1: &[u8] = b"# -*- coding: latin-1 -*-\n# caf\xe9\nimport aioredis\n\nclient = aioredis.from_url(\"redis://h\xf4te\", socket_timeout=5)\n";
const LATIN1_FIXED: &[u8] = b"# -*- coding: latin-1 -*-\n# caf\xe9\nimport redis.asyncio as aioredis\n\nclient = aioredis.from_url(\"redis://h\xf4te\", socket_timeout=5)\n";

#[test]
fn latin1_declared_files_are_linted_on_decoded_text() {
    let project = Project::new();
    write_bytes(&project, "latin.py", LATIN1);
    let run = project.run(&["check", "--output-format", "concise", "."]);
    assert_calm(&run);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(run.findings(), vec!["latin.py:3:1: RU100"]);
    // Full output: the snippet shows the decoded characters.
    let full = project.run(&["check", "--select", "RU100,RU200", "."]);
    assert!(full.stdout.contains("import aioredis"), "{}", full.stdout);
    let second_line = project.run(&["check", "--output-format", "json", "."]);
    assert!(
        second_line.stdout.contains("\"row\": 3"),
        "{}",
        second_line.stdout
    );
}

#[test]
fn latin1_declared_files_are_fixed_in_latin1_and_rolled_back() {
    let project = Project::new();
    write_bytes(&project, "latin.py", LATIN1);
    let run = project.run(&["fix", "."]);
    assert_calm(&run);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert_eq!(read(&project, "latin.py"), LATIN1_FIXED);
    let rollback = project.run(&["rollback"]);
    assert_eq!(rollback.code, 0, "{}", rollback.stderr);
    assert_eq!(read(&project, "latin.py"), LATIN1);
}

#[test]
fn other_declared_encodings_round_trip() {
    let project = Project::new();
    // Shift_JIS: 日本 in a comment and a string; cp1252: € (0x80).
    let sjis: &[u8] = b"#!/usr/bin/env python\n# vim: set fileencoding=shift_jis :\n# \x93\xfa\x96{\nimport aioredis\nx = '\x93\xfa'\n";
    let cp1252: &[u8] = b"# coding=cp1252\nimport aioredis  # \x80\n";
    write_bytes(&project, "sjis.py", sjis);
    write_bytes(&project, "cp.py", cp1252);
    let run = project.run(&["fix", "."]);
    assert_calm(&run);
    assert_eq!(
        read(&project, "sjis.py"),
        b"#!/usr/bin/env python\n# vim: set fileencoding=shift_jis :\n# \x93\xfa\x96{\nimport redis.asyncio as aioredis\nx = '\x93\xfa'\n"
    );
    assert_eq!(
        read(&project, "cp.py"),
        b"# coding=cp1252\nimport redis.asyncio as aioredis  # \x80\n"
    );
}

#[test]
fn undecodable_and_unknown_encodings_are_skipped_with_a_warning() {
    let project = Project::new();
    write_bytes(&project, "bad_utf8.py", b"# caf\xe9\nimport aioredis\n");
    write_bytes(
        &project,
        "bad_ascii.py",
        b"# coding: ascii\n# caf\xe9\nimport aioredis\n",
    );
    write_bytes(
        &project,
        "klingon.py",
        b"# coding: klingon\nimport aioredis\n",
    );
    write_bytes(&project, "utf16.py", b"# coding: utf-16\nimport aioredis\n");
    let run = project.run(&["check", "."]);
    assert_calm(&run);
    assert_eq!(run.code, 0, "{}", run.stderr);
    for (file, why) in [
        ("bad_utf8.py", "not valid UTF-8 at byte 5"),
        ("bad_ascii.py", "not valid ascii (as declared)"),
        ("klingon.py", "names `klingon`"),
        ("utf16.py", "names `utf-16`"),
    ] {
        assert!(
            run.stderr
                .lines()
                .any(|line| line.starts_with(&format!("warning: {file}: ")) && line.contains(why)),
            "{file}: {}",
            run.stderr
        );
    }
    assert!(run.stderr.contains("coding"), "{}", run.stderr);
    let fix = project.run(&["fix", "."]);
    assert_calm(&fix);
    assert_eq!(
        read(&project, "bad_utf8.py"),
        b"# caf\xe9\nimport aioredis\n"
    );
}

#[test]
fn nul_bytes_bom_crlf_mixed_endings_and_tabs() {
    let project = Project::new();
    // (file, bytes, bytes after `fix` when it changes them)
    type Case<'a> = (&'a str, &'a [u8], Option<&'a [u8]>);
    let cases: &[Case] = &[
        // NUL: a syntax error (RU001), never fixed, never crashes.
        ("nul.py", b"import aioredis\nx = 1\x00\n", None),
        (
            "bom.py",
            b"\xEF\xBB\xBFimport aioredis\nc = aioredis.from_url('redis://x', socket_timeout=5)\n",
            Some(b"\xEF\xBB\xBFimport redis.asyncio as aioredis\nc = aioredis.from_url('redis://x', socket_timeout=5)\n"),
        ),
        (
            "crlf.py",
            b"import aioredis\r\n\r\nc = aioredis.from_url('redis://x', socket_timeout=5)\r\n",
            Some(b"import redis.asyncio as aioredis\r\n\r\nc = aioredis.from_url('redis://x', socket_timeout=5)\r\n"),
        ),
        (
            "mixed.py",
            b"import os\r\nimport aioredis\n\rc = 1\r\n",
            Some(b"import os\r\nimport redis.asyncio as aioredis\n\rc = 1\r\n"),
        ),
        (
            "tabs.py",
            b"if True:\n\timport aioredis\n\tc = aioredis.from_url('redis://x',\tsocket_timeout=5)\n",
            Some(b"if True:\n\timport redis.asyncio as aioredis\n\tc = aioredis.from_url('redis://x',\tsocket_timeout=5)\n"),
        ),
    ];
    for (name, bytes, _) in cases {
        write_bytes(&project, name, bytes);
    }
    let check = project.run(&["check", "--output-format", "concise", "."]);
    assert_calm(&check);
    let findings = check.findings();
    for (name, _, _) in cases {
        assert!(
            findings.iter().any(|f| f.starts_with(name)),
            "{name} not linted: {findings:?}"
        );
    }
    assert!(
        findings
            .iter()
            .any(|f| f.starts_with("nul.py") && f.ends_with("RU001")),
        "{findings:?}"
    );
    assert!(
        findings.contains(&"tabs.py:2:2: RU100".to_string()),
        "{findings:?}"
    );
    let fix = project.run(&["fix", "."]);
    assert_calm(&fix);
    for (name, bytes, fixed) in cases {
        assert_eq!(
            read(&project, name),
            fixed.unwrap_or(bytes),
            "{name}: {}",
            fix.stderr
        );
    }
    assert_eq!(project.run(&["rollback"]).code, 0);
    for (name, bytes, _) in cases {
        assert_eq!(read(&project, name), *bytes, "{name} after rollback");
    }
}

// ---- size and shape ----

#[test]
fn an_empty_file_and_a_file_of_only_a_declaration() {
    let project = Project::new();
    write_bytes(&project, "empty.py", b"");
    write_bytes(&project, "decl.py", b"# coding: latin-1\n");
    let run = project.run(&["check", "."]);
    assert_calm(&run);
    assert_eq!(run.code, 0);
    let fix = project.run(&["fix", "."]);
    assert_eq!(fix.code, 0);
    assert_eq!(read(&project, "empty.py"), b"");
}

#[test]
fn a_single_one_megabyte_line() {
    let project = Project::new();
    let mut text = String::from("import aioredis\nx = [");
    while text.len() < 1 << 20 {
        text.push_str("aioredis.Redis, ");
    }
    text.push_str("]\n");
    project.write("long.py", &text);
    let run = project.run(&["check", "--output-format", "concise", "."]);
    assert_calm(&run);
    assert_eq!(run.code, 1);
    assert!(run.findings().contains(&"long.py:1:1: RU100".to_string()));
}

#[test]
fn a_25_megabyte_generated_file() {
    let project = Project::new();
    let mut text = String::from("import aioredis\n");
    let mut n = 0;
    while text.len() < 25 << 20 {
        text.push_str(&format!(
            "def f{n}(a, b=2):\n    return aioredis.Redis(host='h{n}', socket_timeout=a + b)\n"
        ));
        n += 1;
    }
    project.write("big.py", &text);
    let started = std::time::Instant::now();
    let run = project.run(&["check", "--statistics", "."]);
    assert_calm(&run);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stdout.contains("RU100"), "{}", run.stdout);
    assert!(
        started.elapsed() < std::time::Duration::from_secs(120),
        "took {:?}",
        started.elapsed()
    );
}

fn nested(depth: usize) -> String {
    format!(
        "import aioredis\nx = {}1{}\n",
        "(".repeat(depth),
        ")".repeat(depth)
    )
}

#[test]
fn twenty_thousand_nested_parentheses_do_not_overflow_the_stack() {
    let project = Project::new();
    project.git(&["init", "-q"]);
    project.write("deep.py", &nested(20_000));
    project.write(
        "deep_broken.py",
        &format!("import aioredis\nx = {}\n", "(".repeat(20_000)),
    );
    project.write(
        "deep_list.py",
        &format!(
            "import aioredis\nx = {}{}\n",
            "[".repeat(20_000),
            "]".repeat(20_000)
        ),
    );
    // Deep trees without brackets: operator, unary and attribute chains.
    project.write(
        "deep_sum.py",
        &format!("import aioredis\nx = {}1\n", "1 + ".repeat(100_000)),
    );
    project.write(
        "deep_neg.py",
        &format!("import aioredis\nx = {}1\n", "-".repeat(100_000)),
    );
    project.write(
        "deep_attr.py",
        &format!("import aioredis\nx = aioredis{}\n", ".a".repeat(100_000)),
    );
    let run = project.run(&["check", "--output-format", "concise", "."]);
    assert_calm(&run);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let findings = run.findings();
    for file in [
        "deep.py",
        "deep_broken.py",
        "deep_list.py",
        "deep_sum.py",
        "deep_neg.py",
        "deep_attr.py",
    ] {
        assert!(
            findings
                .iter()
                .any(|f| f.starts_with(file) && f.ends_with("RU001")),
            "{file}: {findings:?}"
        );
    }
    // One file alone: rayon would run it on the calling (main) thread.
    for file in ["deep.py", "deep_sum.py", "deep_attr.py"] {
        let alone = project.run(&["check", file]);
        assert_calm(&alone);
        assert_eq!(alone.code, 1, "{file}: {}", alone.stderr);
    }
    let fix = project.run(&["fix", "--diff", "."]);
    assert_calm(&fix);
    // Staged mode, and staged mode under pre-commit (work tree reads).
    project.git(&["add", "-A"]);
    let staged = project.run(&["check", "--output-format", "concise"]);
    assert_calm(&staged);
    assert_eq!(staged.code, 1, "{}", staged.stderr);
    let hook = project.run_in(
        ".",
        &["check", "--output-format", "concise"],
        &[("PRE_COMMIT", "1")],
    );
    assert_calm(&hook);
    let plan = project.run(&["plan"]);
    assert_calm(&plan);
}

// ---- file system ----

#[test]
fn long_and_non_utf8_file_names() {
    use std::os::unix::ffi::OsStrExt;
    let project = Project::new();
    let long = format!("{}.py", "a".repeat(250));
    project.write(&long, SAFE);
    let raw = std::ffi::OsStr::from_bytes(b"caf\xe9_\xff.py");
    std::fs::write(project.path().join(raw), SAFE).unwrap();
    let deep: String = (0..40).map(|i| format!("d{i:02}/")).collect();
    project.write(&format!("{deep}x.py"), SAFE);
    let run = project.run(&["check", "--output-format", "concise", "."]);
    assert_calm(&run);
    assert_eq!(run.code, 1);
    assert_eq!(run.findings().len(), 3, "{}", run.stdout);
    assert!(
        run.stdout.contains("caf\u{fffd}_\u{fffd}.py"),
        "{}",
        run.stdout
    );
    let json = project.run(&["check", "--output-format", "json", "."]);
    assert_calm(&json);
    let fix = project.run(&["fix", "."]);
    assert_calm(&fix);
    assert_eq!(fix.code, 0, "{}", fix.stderr);
    // Written by the real (non-UTF-8) path, not by the lossy name shown.
    assert_eq!(
        std::fs::read(project.path().join(raw)).unwrap(),
        SAFE_FIXED.as_bytes()
    );
    assert_eq!(read(&project, &long), SAFE_FIXED.as_bytes());
    assert_eq!(
        read(&project, &format!("{deep}x.py")),
        SAFE_FIXED.as_bytes()
    );
    let entries = std::fs::read_dir(project.path()).unwrap().count();
    assert_eq!(entries, 4, "no stray file with the lossy name");
    assert_eq!(project.run(&["rollback"]).code, 0);
    assert_eq!(
        std::fs::read(project.path().join(raw)).unwrap(),
        SAFE.as_bytes()
    );
}

#[test]
fn symlink_loops_and_paths_removed_before_reading() {
    let project = Project::new();
    project.write("ok.py", SAFE);
    std::os::unix::fs::symlink("loop_b.py", project.path().join("loop_a.py")).unwrap();
    std::os::unix::fs::symlink("loop_a.py", project.path().join("loop_b.py")).unwrap();
    std::os::unix::fs::symlink(".", project.path().join("self")).unwrap();
    let run = project.run(&["check", "--output-format", "concise", "."]);
    assert_calm(&run);
    assert_eq!(run.findings(), vec!["ok.py:1:1: RU100"]);
    let fix = project.run(&["fix", "."]);
    assert_calm(&fix);
    // Named explicitly: a loop and a path that does not exist.
    let named = project.run(&["check", "loop_a.py", "gone.py", "ok.py"]);
    assert_calm(&named);
    assert!(
        named.stderr.contains("loop_a.py") || named.stderr.contains("gone.py"),
        "{}",
        named.stderr
    );
}

// ---- crash safety ----

fn many_files(project: &Project, count: usize) -> Vec<String> {
    (0..count)
        .map(|i| {
            let name = format!("pkg{}/m{i:03}.py", i % 7);
            project.write(&name, &format!("{SAFE}# file {i}\n"));
            name
        })
        .collect()
}

fn assert_each_original_or_fixed(project: &Project, names: &[String]) -> (usize, usize) {
    let (mut original, mut fixed) = (0, 0);
    for (i, name) in names.iter().enumerate() {
        let bytes = read(project, name);
        if bytes == format!("{SAFE}# file {i}\n").as_bytes() {
            original += 1;
        } else if bytes == format!("{SAFE_FIXED}# file {i}\n").as_bytes() {
            fixed += 1;
        } else {
            panic!("{name} is neither the original nor the fixed version: {bytes:?}");
        }
    }
    (original, fixed)
}

#[test]
fn sigkill_during_fix_leaves_whole_files_and_rollback_restores_them() {
    let binary = env!("CARGO_BIN_EXE_redis-unify");
    // How long a whole run takes here, to kill the next ones at fractions of it.
    let timing = Project::new();
    timing.git(&["init", "-q"]);
    many_files(&timing, 300);
    let started = std::time::Instant::now();
    assert_eq!(timing.run(&["fix", "."]).code, 0);
    let full = started.elapsed().as_millis() as u64;
    let mut interrupted = 0;
    let delays = [40u64, 55, 70, 80, 90, 97].map(|percent| full * percent / 100);
    for (round, delay_ms) in delays.into_iter().enumerate() {
        let project = Project::new();
        project.git(&["init", "-q"]);
        let names = many_files(&project, 300);
        let mut child = std::process::Command::new(binary)
            .args(["fix", "."])
            .current_dir(project.path())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(delay_ms));
        let _ = child.kill(); // SIGKILL
        let status = child.wait().unwrap();
        let (original, fixed) = assert_each_original_or_fixed(&project, &names);
        if status.code().is_none() && original > 0 && fixed > 0 {
            interrupted += 1;
        }
        eprintln!(
            "round {round}: delay {delay_ms} ms, {status}, {fixed} fixed, {original} original"
        );
        // The stale lock never blocks: rollback takes it over and restores.
        let rollback = project.run(&["rollback"]);
        assert_calm(&rollback);
        if fixed > 0 {
            assert_eq!(rollback.code, 0, "{}", rollback.stderr);
        }
        let (original, _) = assert_each_original_or_fixed(&project, &names);
        assert_eq!(original, names.len(), "round {round}: {}", rollback.stderr);
        // And a new fix run works after the kill.
        let again = project.run(&["fix", "."]);
        assert_calm(&again);
        assert_eq!(again.code, 0, "{}", again.stderr);
        assert_eq!(
            assert_each_original_or_fixed(&project, &names).1,
            names.len()
        );
    }
    eprintln!(
        "a full run took {full} ms; {interrupted} of 6 runs were killed in the middle of writing"
    );
}

#[test]
fn two_fix_runs_at_once_never_interleave() {
    let binary = env!("CARGO_BIN_EXE_redis-unify");
    let project = Project::new();
    project.git(&["init", "-q"]);
    let names = many_files(&project, 200);
    let spawn = || {
        std::process::Command::new(binary)
            .args(["fix", "."])
            .current_dir(project.path())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap()
    };
    let (first, second) = (spawn(), spawn());
    let outputs = [
        first.wait_with_output().unwrap(),
        second.wait_with_output().unwrap(),
    ];
    let mut succeeded = 0;
    for output in &outputs {
        let stderr = String::from_utf8_lossy(&output.stderr);
        match output.status.code() {
            Some(0) => succeeded += 1,
            // The loser saw the lock (or, when it started after the winner
            // finished, found nothing left to fix).
            Some(2) => assert!(stderr.contains("another fix run"), "{stderr}"),
            other => panic!("exit {other:?}: {stderr}"),
        }
    }
    assert!(succeeded >= 1);
    assert_eq!(
        assert_each_original_or_fixed(&project, &names).1,
        names.len()
    );
    let history = project.run(&["history"]);
    assert_calm(&history);
}
