//! Writing to a closed pipe (`redis-unify check . | head -n 1`): the real
//! binary, its standard output (and standard error) a pipe whose reader was
//! closed before it started, so every write fails with EPIPE — the same as
//! `head` exiting early, without depending on when it does. Each command ends
//! quietly (no message, no panic) with the exit code the run would have had.

mod common;

use std::process::{Command, Stdio};

use common::Project;

struct Ended {
    code: i32,
    stderr: String,
}

/// Runs the binary with standard output a closed pipe (standard error too
/// when `both`), standard input `stdin`.
fn run_closed(project: &Project, args: &[&str], both: bool, stdin: &str) -> Ended {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let mut command = Command::new(env!("CARGO_BIN_EXE_redis-unify"));
    command
        .args(args)
        .current_dir(project.path())
        .env_remove("PRE_COMMIT")
        .env_remove("REDIS_UNIFY_OUTPUT_FORMAT")
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(writer.try_clone().unwrap());
    if both {
        command.stderr(writer);
    } else {
        command.stderr(Stdio::piped());
    }
    let mut child = command.spawn().unwrap();
    {
        use std::io::Write;
        let mut input = child.stdin.take().unwrap();
        let _ = input.write_all(stdin.as_bytes());
    }
    let output = child.wait_with_output().unwrap();
    Ended {
        code: output.status.code().unwrap_or(-1),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

fn project() -> Project {
    let project = Project::repo(&[
        (
            "app/cache.py",
            "import aioredis\n\nclient = aioredis.from_url('redis://localhost')\n\n\nasync def close():\n    await client.close()\n",
        ),
        ("requirements.txt", "aioredis==2.0.1\n"),
    ]);
    // One fix run, so that `history` has something to list.
    let fixed = project.run(&["fix", "--select", "RU100", "."]);
    assert_eq!(fixed.code, 0, "{}", fixed.stderr);
    project
}

#[test]
fn every_command_ends_quietly_with_its_own_exit_code() {
    let project = project();
    let cases: &[(&[&str], i32)] = &[
        (&["check", "."], 1),
        (&["check", "--output-format", "concise", "."], 1),
        (&["check", "--output-format", "json", "."], 1),
        (&["check", "--output-format", "github", "."], 1),
        (&["check", "--output-format", "sarif", "."], 1),
        (&["check", "--output-format", "gitlab", "."], 1),
        (&["check", "--output-format", "junit", "."], 1),
        (&["check", "--statistics", "."], 1),
        (&["check", "--exit-zero", "."], 0),
        (&["rule", "--all"], 0),
        (&["rule", "--all", "--output-format", "json"], 0),
        (&["rule", "RU204"], 0),
        (&["plan", "."], 0),
        (&["plan", "--output-format", "json", "."], 0),
        (&["history"], 0),
        (&["history", "--json"], 0),
        (
            &["fix", "--diff", "--select", "RU300", "--unsafe-fixes", "."],
            1,
        ),
        (&["--help"], 0),
        (&["check", "--stdin-filename", "app/x.py"], 1),
        (&["fix", "--stdin-filename", "app/x.py"], 0),
    ];
    for (args, code) in cases {
        let ended = run_closed(&project, args, false, "import aioredis\n");
        assert_eq!(
            (
                ended.code,
                ended.stderr.contains("Broken pipe") || ended.stderr.contains("panick")
            ),
            (*code, false),
            "redis-unify {args:?}: {}",
            ended.stderr
        );
        assert!(
            !ended.stderr.contains("error:"),
            "redis-unify {args:?}: {}",
            ended.stderr
        );
        // Standard error closed as well (`2>&1 | head`): the same exit code.
        let both = run_closed(&project, args, true, "import aioredis\n");
        assert_eq!(both.code, *code, "redis-unify {args:?} 2>&1");
    }
}

#[test]
fn a_fix_run_whose_reader_went_away_still_completes_and_can_be_rolled_back() {
    let project = Project::repo(&[("app/a.py", "import aioredis\n")]);
    let ended = run_closed(&project, &["fix", "--show-fixes", "."], true, "");
    assert_eq!(ended.code, 0);
    assert_eq!(
        std::fs::read_to_string(project.path().join("app/a.py")).unwrap(),
        "import redis.asyncio as aioredis\n"
    );
    let rolled_back = run_closed(&project, &["rollback"], false, "");
    assert_eq!((rolled_back.code, rolled_back.stderr.as_str()), (0, ""));
    assert_eq!(
        std::fs::read_to_string(project.path().join("app/a.py")).unwrap(),
        "import aioredis\n"
    );
    let hook = run_closed(&project, &["hook", "install"], false, "");
    assert_eq!((hook.code, hook.stderr.as_str()), (0, ""));
}
