//! Every command redis-unify prints works as printed: the `fix --phase N`
//! commands of the README, `--help` and `plan`, the footer's hints, and the
//! messages for runs that check nothing. Real git repositories, the real binary.

mod common;

use common::{Project, run_sh, sh_commands, shell_words};

const SAFE: &str =
    "import aioredis\n\nclient = aioredis.from_url(\"redis://localhost\", socket_timeout=5)\n";
const SAFE_FIXED: &str = "import redis.asyncio as aioredis\n\nclient = aioredis.from_url(\"redis://localhost\", socket_timeout=5)\n";

const PHASES: &str = "[tool.redis-unify]\n\n[[tool.redis-unify.phases]]\nname = \"low-risk\"\npaths = [\"app/a.py\"]\n\n[[tool.redis-unify.phases]]\nname = \"critical\"\npaths = [\"app/b.py\"]\n";

fn read(project: &Project, path: &str) -> String {
    std::fs::read_to_string(project.path().join(path)).unwrap()
}

#[test]
fn fix_phase_without_paths_fixes_the_phase_files_not_the_staged_ones() {
    let project = Project::repo(&[
        ("pyproject.toml", PHASES),
        ("app/a.py", SAFE),
        ("app/b.py", SAFE),
    ]);
    // Nothing is staged: the README's form still fixes phase 1's files.
    let run = project.run(&["fix", "--phase", "1", "--verify", "touch verified"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert_eq!(read(&project, "app/a.py"), SAFE_FIXED);
    assert_eq!(read(&project, "app/b.py"), SAFE, "phase 2's file is left");
    assert!(
        project.path().join("verified").is_file(),
        "the verify command ran: {}",
        run.stderr
    );
    assert!(!run.stdout.contains("All checks passed!"), "{}", run.stdout);
    assert!(
        run.stdout.contains("Found 1 error (1 fixed, 0 remaining)."),
        "{}",
        run.stdout
    );

    // By name, from a subfolder, with a file staged elsewhere: the phase's files.
    project.write("app/c.py", SAFE);
    project.git(&["add", "app/c.py"]);
    let run = project.run_in(
        "app",
        &["fix", "--phase", "critical", "--verify", "true"],
        &[],
    );
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert_eq!(read(&project, "app/b.py"), SAFE_FIXED);
    assert_eq!(read(&project, "app/c.py"), SAFE, "staged, but in no phase");
    // The commit command it prints works where it was printed (a subfolder).
    let (_, commit) = run
        .stderr
        .split_once("then commit: ")
        .unwrap_or_else(|| panic!("{}", run.stderr));
    let commit = commit.lines().next().unwrap();
    assert_eq!(commit, "git add b.py && git commit");
    let status = std::process::Command::new("sh")
        .args(["-c", &format!("{commit} -qm phase-2")])
        .current_dir(project.path().join("app"))
        .env("GIT_AUTHOR_NAME", "Test")
        .env("GIT_AUTHOR_EMAIL", "test@example.com")
        .env("GIT_COMMITTER_NAME", "Test")
        .env("GIT_COMMITTER_EMAIL", "test@example.com")
        .status()
        .unwrap();
    assert!(status.success());
    assert_eq!(project.git(&["show", "HEAD:app/b.py"]), SAFE_FIXED);

    // The last phase, `rest`, holds the Python files no phase names…
    project.write("requirements.txt", "aioredis==2.0.1\n");
    let run = project.run(&["fix", "--phase", "rest"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert_eq!(read(&project, "app/c.py"), SAFE_FIXED);
    // …and the manifests are phase 0, in the statistics too.
    assert_eq!(read(&project, "requirements.txt"), "aioredis==2.0.1\n");
    let run = project.run(&["check", "--statistics", "."]);
    assert!(
        run.stdout
            .contains("phase 0 (dependencies): 1 file, 1 finding"),
        "{}",
        run.stdout
    );
}

#[test]
fn fix_phase_0_is_the_dependency_manifests() {
    let project = Project::repo(&[("requirements.txt", "aioredis==2.0.1\n"), ("app.py", SAFE)]);
    // No phases configured: phase 0 (the manifests) still exists, as `plan` prints it.
    let plan = project.run(&["plan"]);
    assert_eq!(plan.code, 0, "{}", plan.stderr);
    assert!(
        plan.stdout
            .contains("redis-unify fix --phase 0 --unsafe-fixes"),
        "{}",
        plan.stdout
    );
    let run = project.run(&["fix", "--phase", "0", "--unsafe-fixes"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert_eq!(read(&project, "requirements.txt"), "redis>=5.0.1\n");
    assert_eq!(
        read(&project, "app.py"),
        SAFE,
        "phase 0 is only the manifests"
    );
    let run = project.run(&["fix", "--phase", "dependencies", "--verify", "touch ran"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr
            .contains("Nothing was fixed, so `touch ran` was not run."),
        "{}",
        run.stderr
    );
    assert!(!project.path().join("ran").exists());
    // Only the manifests' findings: app.py's RU100 is not phase 0's.
    assert!(!run.stdout.contains("RU100"), "{}", run.stdout);
}

#[test]
fn fix_phase_without_configured_phases_says_to_write_them() {
    let project = Project::repo(&[("app.py", SAFE)]);
    let run = project.run(&["fix", "--phase", "1"]);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr.contains("`redis-unify plan --write`"),
        "{}",
        run.stderr
    );
    assert_eq!(read(&project, "app.py"), SAFE);
    // The command it names works, and then so does the one it refused.
    assert_eq!(project.run(&["plan", "--write"]).code, 0);
    let run = project.run(&["fix", "--phase", "1"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert_eq!(read(&project, "app.py"), SAFE_FIXED);
}

#[test]
fn nothing_checked_is_not_all_checks_passed() {
    let project = Project::repo(&[("app.py", SAFE)]);
    // Nothing staged.
    let run = project.run(&["check"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        run.stdout,
        "No files to check: no Python file or dependency manifest is staged (run `redis-unify check .` for the whole project).\n"
    );
    // The command it names checks the project.
    let run = project.run(&["check", "."]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(run.stdout.contains("RU100"), "{}", run.stdout);
    let run = project.run(&["fix"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.starts_with("No files to fix: "),
        "{}",
        run.stdout
    );
    // An empty folder.
    std::fs::create_dir(project.path().join("empty")).unwrap();
    let run = project.run(&["check", "empty"]);
    assert_eq!(run.code, 0);
    assert_eq!(
        run.stdout,
        "No files to check: no Python file or dependency manifest found in empty.\n"
    );
    // Machine formats stay what they were (an empty JSON array).
    let run = project.run(&["check", "empty", "--output-format", "json"]);
    assert_eq!((run.code, run.stdout.trim()), (0, "[]"));
    // Files that were read and are clean still pass.
    project.write("clean.py", "x = 1\n");
    let run = project.run(&["check", "clean.py"]);
    assert_eq!(run.stdout, "All checks passed!\n");
}

#[test]
fn the_footer_hints_work_as_printed() {
    let project = Project::repo(&[("app.py", SAFE), ("requirements.txt", "aioredis==2.0.1\n")]);
    let run = project.run(&["check", "."]);
    assert_eq!(run.code, 1);
    let footer = "[*] 1 fixable with the `--fix` option (1 hidden fix can be enabled with the `--unsafe-fixes` option).\n";
    assert!(run.stdout.ends_with(footer), "{}", run.stdout);
    // `--unsafe-fixes` on check is accepted, as in ruff: it shows the unsafe fixes.
    let run = project.run(&["check", ".", "--unsafe-fixes"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stdout
            .ends_with("[*] 2 fixable with the `--fix` option.\n"),
        "{}",
        run.stdout
    );
    // The options as printed, on the same command.
    let run = project.run(&["check", ".", "--fix"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(read(&project, "app.py"), SAFE_FIXED);
    assert!(
        run.stdout.ends_with(
            "No fixes available (1 hidden fix can be enabled with the `--unsafe-fixes` option).\n"
        ),
        "{}",
        run.stdout
    );
    let run = project.run(&["check", ".", "--fix", "--unsafe-fixes"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert_eq!(read(&project, "requirements.txt"), "redis>=5.0.1\n");
}

#[test]
fn a_fix_run_says_why_a_fixable_finding_was_not_fixed() {
    let project = Project::repo(&[("app.py", "x = 1\n")]);
    // Partially staged: the staged content is fixed only over the same work tree.
    project.write("app.py", SAFE);
    project.git(&["add", "app.py"]);
    project.write("app.py", &format!("{SAFE}y = 2\n"));
    let run = project.run(&["fix"]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains(
            "[*] 1 fixable finding was not fixed, because 1 file was skipped:\n  app.py: its work-tree content differs from what is staged"
        ),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains("fixable with"), "{}", run.stdout);
}

#[test]
fn plan_commands_run_as_printed() {
    let project = Project::repo(&[
        ("requirements.txt", "aioredis==2.0.1\nredis==4.3.4\n"),
        ("app/__init__.py", ""),
        ("app/a.py", SAFE),
        (
            "app/b.py",
            "import aioredis\n\nasync def main():\n    r = await aioredis.create_redis_pool(\"redis://x\")\n",
        ),
    ]);
    // `--verify-imports` imports the fixed modules: an interpreter with redis-py.
    let Some(venv) = redis_venv() else {
        return;
    };
    let venv = venv.to_string_lossy().into_owned();
    let plan = project.run(&["plan"]);
    assert_eq!(plan.code, 0, "{}", plan.stderr);
    let commands: Vec<String> = sh_commands(&plan.stdout)
        .into_iter()
        .map(|c| {
            c.strip_prefix("redis-unify ")
                .map(str::to_string)
                .unwrap_or(c)
        })
        .collect();
    assert!(commands.len() >= 3, "{commands:?}\n{}", plan.stdout);
    for command in &commands {
        if command.starts_with("git ") {
            run_sh(&project, command);
            continue;
        }
        let words: Vec<String> = shell_words(command)
            .into_iter()
            .map(|w| {
                if w.starts_with('<') {
                    "true".to_string()
                } else {
                    w
                }
            })
            .collect();
        let args: Vec<&str> = words.iter().map(String::as_str).collect();
        let run = project.run_in(".", &args, &[("VIRTUAL_ENV", venv.as_str())]);
        assert!(
            run.code == 0 || run.code == 1,
            "`redis-unify {command}` failed ({}): {}{}",
            run.code,
            run.stdout,
            run.stderr
        );
        assert!(
            !run.stdout.contains("No files to"),
            "`redis-unify {command}` did nothing: {}",
            run.stdout
        );
    }
    assert_eq!(read(&project, "app/a.py"), SAFE_FIXED);
    assert_eq!(read(&project, "requirements.txt"), "redis>=5.0.1\n");
}

#[test]
fn ru103_follows_the_target_redis_version() {
    let code = "import redis.asyncio as redis\n\nclient = redis.from_url(\"redis://x\", socket_timeout=5)\n\nasync def shutdown():\n    await client.close()\n";
    // redis 4.3.4 has no aclose(): `await client.close()` is the way there.
    let project = Project::repo(&[
        (
            "pyproject.toml",
            "[tool.redis-unify]\ntarget-redis-version = \"4.3\"\n",
        ),
        ("requirements.txt", "redis==4.3.4\n"),
        ("app.py", code),
    ]);
    let run = project.run(&["check", "--output-format", "concise", "app.py"]);
    assert!(!run.stdout.contains("aclose"), "{}", run.stdout);
    assert!(!run.stdout.contains("RU103"), "{}", run.stdout);
    // The 1.x shutdown is still broken there, and told to use close().
    project.write(
        "legacy.py",
        "import aioredis\n\nasync def main():\n    r = await aioredis.create_redis_pool(\"redis://x\")\n    r.close()\n    await r.wait_closed()\n",
    );
    let run = project.run(&["check", "--output-format", "concise", "legacy.py"]);
    assert!(
        run.stdout.contains("with `await r.close()`"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("replace `close()` and `await wait_closed()` with `await client.close()`"),
        "RU101 follows the target too: {}",
        run.stdout
    );
    assert!(!run.stdout.contains(".aclose()`"), "{}", run.stdout);
    // The plan says the configured target disagrees with what phase 0 installs.
    let plan = project.run(&["plan"]);
    assert!(
        plan.stdout
            .contains("`target-redis-version` is 4.3.0, but phase 0's fixes require redis>=5.0.1"),
        "{}",
        plan.stdout
    );
    // From 5.0.1 on, aclose().
    project.write(
        "pyproject.toml",
        "[tool.redis-unify]\ntarget-redis-version = \"5.0.1\"\n",
    );
    let run = project.run(&["check", "--output-format", "concise", "app.py"]);
    assert!(
        run.stdout.contains("await client.aclose()"),
        "{}",
        run.stdout
    );
}

/// The virtual environment of an interpreter with redis-py (see
/// [`common::redis_python`]).
fn redis_venv() -> Option<std::path::PathBuf> {
    let python = std::path::PathBuf::from(common::redis_python()?);
    Some(python.parent()?.parent()?.to_path_buf())
}
