//! `redis-unify fix`, `rollback` and `history` as a user runs them, in real
//! git repositories and plain folders: nothing is ever lost.

mod common;

use std::os::unix::fs::PermissionsExt;

use common::Project;

const SAFE: &str =
    "import aioredis\n\nclient = aioredis.from_url(\"redis://localhost\", socket_timeout=5)\n";
const SAFE_FIXED: &str = "import redis.asyncio as aioredis\n\nclient = aioredis.from_url(\"redis://localhost\", socket_timeout=5)\n";

fn read(project: &Project, path: &str) -> Vec<u8> {
    std::fs::read(project.path().join(path)).unwrap()
}

#[test]
fn fix_writes_safe_fixes_and_rollback_restores_every_byte() {
    let project = Project::repo(&[("app.py", SAFE), ("other.py", "x = 1\n")]);
    let run = project.run(&["fix", "."]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert_eq!(read(&project, "app.py"), SAFE_FIXED.as_bytes());
    assert!(
        run.stdout.contains("Found 1 error (1 fixed, 0 remaining)."),
        "{}",
        run.stdout
    );
    assert!(run.stderr.contains("Fixed 1 file"), "{}", run.stderr);

    // Idempotent: nothing left to fix.
    let again = project.run(&["fix", "."]);
    assert_eq!(again.code, 0);
    assert!(
        again.stdout.contains("All checks passed!"),
        "{}",
        again.stdout
    );

    let history = project.run(&["history"]);
    assert!(
        history.stdout.contains("1 file") && history.stdout.contains("applied"),
        "{}",
        history.stdout
    );

    let rollback = project.run(&["rollback"]);
    assert_eq!(rollback.code, 0, "{}", rollback.stderr);
    assert_eq!(read(&project, "app.py"), SAFE.as_bytes());
    let history = project.run(&["history"]);
    assert!(history.stdout.contains("rolled back"), "{}", history.stdout);
    // Nothing left to roll back.
    assert_eq!(project.run(&["rollback"]).code, 2);
}

#[test]
fn check_fix_is_the_same_as_fix() {
    let project = Project::repo(&[("app.py", SAFE)]);
    let run = project.run(&["check", "--fix", "--show-fixes", "app.py"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert_eq!(read(&project, "app.py"), SAFE_FIXED.as_bytes());
    assert!(
        run.stdout.contains("1 × RU100 (aioredis-import)"),
        "{}",
        run.stdout
    );
}

#[test]
fn rollback_does_not_overwrite_a_file_edited_after_the_fix() {
    let project = Project::repo(&[("app.py", SAFE)]);
    assert_eq!(project.run(&["fix", "."]).code, 0);
    let edited = format!("{SAFE_FIXED}# my later edit\n");
    project.write("app.py", &edited);
    let rollback = project.run(&["rollback"]);
    assert_eq!(rollback.code, 1);
    assert!(
        rollback.stderr.contains("changed since the fix run"),
        "{}",
        rollback.stderr
    );
    assert_eq!(read(&project, "app.py"), edited.as_bytes());
    let history = project.run(&["history"]);
    assert!(
        history
            .stdout
            .contains("applied; a rollback left 1 file (app.py)"),
        "{}",
        history.stdout
    );
    let forced = project.run(&["rollback", "--force"]);
    assert_eq!(forced.code, 0, "{}", forced.stderr);
    assert_eq!(read(&project, "app.py"), SAFE.as_bytes());
}

#[test]
fn verify_false_rolls_back_and_verify_true_keeps() {
    let project = Project::repo(&[("app.py", SAFE)]);
    let failed = project.run(&["fix", "--verify", "echo checking; false", "."]);
    assert_eq!(failed.code, 1);
    assert!(failed.stderr.contains("Verify failed"), "{}", failed.stderr);
    assert!(
        failed.stderr.contains("checking"),
        "the command's output is shown: {}",
        failed.stderr
    );
    assert_eq!(read(&project, "app.py"), SAFE.as_bytes());
    let history = project.run(&["history"]);
    assert!(
        history.stdout.contains("verify failed"),
        "{}",
        history.stdout
    );

    let passed = project.run(&["fix", "--verify", "test -f app.py", "."]);
    assert_eq!(passed.code, 0, "{}", passed.stderr);
    assert!(passed.stderr.contains("Verified"), "{}", passed.stderr);
    assert_eq!(read(&project, "app.py"), SAFE_FIXED.as_bytes());
}

#[test]
fn diff_writes_nothing() {
    let project = Project::repo(&[("app.py", SAFE)]);
    let run = project.run(&["fix", "--diff", "."]);
    assert_eq!(run.code, 1);
    assert!(
        run.stdout
            .contains("-import aioredis\n+import redis.asyncio as aioredis"),
        "{}",
        run.stdout
    );
    assert_eq!(read(&project, "app.py"), SAFE.as_bytes());
    let clean = Project::repo(&[("app.py", "x = 1\n")]);
    assert_eq!(clean.run(&["fix", "--diff", "."]).code, 0);
}

#[test]
fn unsafe_fixes_need_the_flag() {
    let text = "import aioredis\n\n\nasync def go(url):\n    return await aioredis.create_redis_pool(url, maxsize=5)\n";
    let project = Project::repo(&[("legacy.py", text)]);
    let safe = project.run(&["fix", "--select", "RU1", "--output-format", "concise", "."]);
    assert_eq!(safe.code, 1);
    assert_eq!(read(&project, "legacy.py"), text.as_bytes());
    assert!(
        safe.stdout
            .contains("hidden fixes can be enabled with the `--unsafe-fixes` option"),
        "{}",
        safe.stdout
    );
    let run = project.run(&["fix", "--select", "RU1", "--unsafe-fixes", "."]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let fixed = String::from_utf8(read(&project, "legacy.py")).unwrap();
    assert!(fixed.contains("import redis.asyncio as aioredis"));
    assert!(
        fixed.contains("await aioredis.from_url(url, max_connections=5)"),
        "{fixed}"
    );
}

#[test]
fn bom_crlf_mode_and_encoding_are_kept() {
    let project = Project::repo(&[]);
    let text = "\u{feff}import aioredis\r\n\r\nclient = aioredis.Redis(socket_timeout=5)\r\n";
    let path = project.write("bom.py", text);
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o750)).unwrap();
    let run = project.run(&["fix", "bom.py"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert_eq!(
        read(&project, "bom.py"),
        "\u{feff}import redis.asyncio as aioredis\r\n\r\nclient = aioredis.Redis(socket_timeout=5)\r\n".as_bytes()
    );
    assert_eq!(
        std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
        0o750
    );
    assert_eq!(project.run(&["rollback"]).code, 0);
    assert_eq!(read(&project, "bom.py"), text.as_bytes());
}

#[test]
fn staged_mode_fixes_only_files_whose_work_tree_equals_the_index() {
    let project = Project::repo(&[("a.py", "x = 1\n"), ("b.py", "y = 2\n")]);
    project.write("a.py", SAFE);
    project.write("b.py", SAFE);
    project.git(&["add", "a.py", "b.py"]);
    // b.py gets an unstaged edit on top of what is staged.
    let b_work_tree = format!("{SAFE}# unstaged\n");
    project.write("b.py", &b_work_tree);

    let run = project.run(&["fix"]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert_eq!(read(&project, "a.py"), SAFE_FIXED.as_bytes());
    assert_eq!(read(&project, "b.py"), b_work_tree.as_bytes());
    assert!(run.stderr.contains("b.py: not fixed"), "{}", run.stderr);
    // The index is never touched.
    assert_eq!(project.git(&["show", ":a.py"]), SAFE);
}

#[test]
fn symlinks_out_of_the_tree_are_not_written_through() {
    let project = Project::repo(&[]);
    let outside = tempfile::tempdir().unwrap();
    let target = outside.path().join("shared.py");
    std::fs::write(&target, SAFE).unwrap();
    std::os::unix::fs::symlink(&target, project.path().join("link.py")).unwrap();
    let run = project.run(&["fix", "link.py"]);
    assert!(
        run.stderr
            .contains("link.py: symlink to outside the project"),
        "{}",
        run.stderr
    );
    assert_eq!(std::fs::read_to_string(&target).unwrap(), SAFE);
    assert!(
        std::fs::symlink_metadata(project.path().join("link.py"))
            .unwrap()
            .file_type()
            .is_symlink()
    );

    // A symlink inside the project is written through to its target and stays a symlink.
    project.write("real.py", SAFE);
    std::os::unix::fs::symlink("real.py", project.path().join("inside.py")).unwrap();
    let run = project.run(&["fix", "inside.py"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(read(&project, "real.py"), SAFE_FIXED.as_bytes());
    assert!(
        std::fs::symlink_metadata(project.path().join("inside.py"))
            .unwrap()
            .file_type()
            .is_symlink()
    );
}

#[test]
fn read_only_files_are_reported_and_left_alone() {
    let project = Project::repo(&[]);
    let path = project.write("ro.py", SAFE);
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o444)).unwrap();
    let run = project.run(&["fix", "ro.py"]);
    // Checked before anything is written: reported, the finding remains (exit 1).
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(run.stderr.contains("read-only"), "{}", run.stderr);
    assert!(run.stdout.contains("ro.py"), "{}", run.stdout);
    assert_eq!(read(&project, "ro.py"), SAFE.as_bytes());
    // Nothing was written, so no run was recorded.
    assert_eq!(project.run(&["rollback"]).code, 2);
}

#[test]
fn a_second_run_refuses_while_the_journal_is_locked() {
    let project = Project::repo(&[("app.py", SAFE)]);
    let lock = project.path().join(".git/redis-unify/runs/lock");
    std::fs::create_dir_all(lock.parent().unwrap()).unwrap();
    // Held by a live process (this test, with flock(2) as a run holds it): never taken over.
    std::fs::write(&lock, format!("{}\n", std::process::id())).unwrap();
    let held = std::fs::File::open(&lock).unwrap();
    held.lock().unwrap();
    let run = project.run(&["fix", "."]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains(&format!("another fix run (process {})", std::process::id())),
        "{}",
        run.stderr
    );
    assert_eq!(read(&project, "app.py"), SAFE.as_bytes());
    // Released (as when the holder dies): the next run goes ahead.
    drop(held);
    assert_eq!(project.run(&["fix", "."]).code, 0);
    assert_eq!(read(&project, "app.py"), SAFE_FIXED.as_bytes());
}

#[test]
fn phases_select_the_files_to_fix() {
    let project = Project::repo(&[
        ("tests/test_a.py", SAFE),
        ("app/core.py", SAFE),
        (
            "pyproject.toml",
            "[project]\nname = \"x\"\n\n[[tool.redis-unify.phases]]\nname = \"low-risk\"\npaths = [\"tests/**\"]\n",
        ),
    ]);
    let stats = project.run(&["check", "--statistics", "."]);
    assert!(
        stats.stdout.contains("phase 1 (low-risk): 1 file"),
        "{}",
        stats.stdout
    );
    assert!(
        stats.stdout.contains("phase 2 (rest): 1 file"),
        "{}",
        stats.stdout
    );

    let run = project.run(&["fix", "--phase", "low-risk", "."]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert_eq!(read(&project, "tests/test_a.py"), SAFE_FIXED.as_bytes());
    assert_eq!(read(&project, "app/core.py"), SAFE.as_bytes());
    let history = project.run(&["history"]);
    assert!(
        history.stdout.contains("phase 1 (low-risk)"),
        "{}",
        history.stdout
    );

    let bad = project.run(&["fix", "--phase", "9", "."]);
    assert_eq!(bad.code, 2);
    assert!(
        bad.stderr.contains("1 (low-risk), 2 (rest)"),
        "{}",
        bad.stderr
    );
}

#[test]
fn outside_git_the_journal_lives_beside_the_tree() {
    let project = Project::new();
    project.write("app.py", SAFE);
    let run = project.run_in(
        ".",
        &["fix", "."],
        &[(
            "GIT_CEILING_DIRECTORIES",
            project.path().parent().unwrap().to_str().unwrap(),
        )],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("add `.redis-unify/` to your .gitignore"),
        "{}",
        run.stderr
    );
    assert!(project.path().join(".redis-unify/runs").is_dir());
    let rollback = project.run_in(
        ".",
        &["rollback"],
        &[(
            "GIT_CEILING_DIRECTORIES",
            project.path().parent().unwrap().to_str().unwrap(),
        )],
    );
    assert_eq!(rollback.code, 0, "{}", rollback.stderr);
    assert_eq!(read(&project, "app.py"), SAFE.as_bytes());
}
