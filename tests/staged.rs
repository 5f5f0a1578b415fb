//! Staged mode against real git repositories: what is checked is what will be
//! committed (the index), not the work tree.

mod common;

use common::Project;

const CLEAN: &str = "import redis.asyncio as aioredis\n";
const DIRTY: &str = "import aioredis\n";

fn repo_with_commit(files: &[(&str, &str)]) -> Project {
    let project = Project::new();
    project.git(&["init", "-q"]);
    for (path, text) in files {
        project.write(path, text);
    }
    project.git(&["add", "-A"]);
    project.git(&["commit", "-qm", "initial"]);
    project
}

#[test]
fn unstaged_aioredis_is_not_committed_so_staged_check_passes() {
    let project = repo_with_commit(&[("app.py", "x = 1\n")]);
    project.write("app.py", CLEAN);
    project.git(&["add", "app.py"]);
    // The work tree gains an aioredis import that is not staged.
    project.write("app.py", DIRTY);

    let staged = project.run_staged(&["check", "--output-format", "concise"]);
    assert_eq!(staged.code, 0, "{}{}", staged.stdout, staged.stderr);
    assert!(staged.stdout.contains("All checks passed!"));

    let work_tree = project.run(&["check", "--output-format", "concise", "app.py"]);
    assert_eq!(work_tree.code, 1);
    assert_eq!(work_tree.findings(), vec!["app.py:1:1: RU100"]);
}

#[test]
fn staged_aioredis_fails_even_when_the_work_tree_is_clean() {
    let project = repo_with_commit(&[("app.py", "x = 1\n")]);
    project.write("app.py", DIRTY);
    project.git(&["add", "app.py"]);
    project.write("app.py", CLEAN);

    let staged = project.run_staged(&["check", "--output-format", "concise"]);
    assert_eq!(staged.code, 1);
    assert_eq!(staged.findings(), vec!["app.py:1:1: RU100"]);

    let work_tree = project.run(&["check", "app.py"]);
    assert_eq!(work_tree.code, 0);
}

#[test]
fn partially_staged_hunks_are_judged_as_staged() {
    let original =
        "import os\n\n\ndef a():\n    return os.sep\n\n\n\n\n\n\ndef b():\n    return 2\n";
    let project = repo_with_commit(&[("svc.py", original)]);
    // Two hunks: a clean one at the top (staged) and an aioredis one at the bottom (not staged).
    let both = original.replace("import os\n", "import os\nimport redis\n") + "\nimport aioredis\n";
    project.write("svc.py", &both);
    let patch = project.git(&["diff", "-U0", "svc.py"]);
    let first_hunk: String = {
        let mut lines = Vec::new();
        let mut hunks = 0;
        for line in patch.lines() {
            if line.starts_with("@@") {
                hunks += 1;
            }
            if hunks <= 1 {
                lines.push(line);
            }
        }
        lines.join("\n") + "\n"
    };
    let patch_path = project.write("first.patch", &first_hunk);
    project.git(&[
        "apply",
        "--cached",
        "--unidiff-zero",
        patch_path.to_str().unwrap(),
    ]);
    std::fs::remove_file(patch_path).unwrap();
    let staged_blob = project.git(&["show", ":svc.py"]);
    assert!(staged_blob.contains("import redis\n") && !staged_blob.contains("aioredis"));

    let staged = project.run_staged(&["check", "--output-format", "concise"]);
    assert_eq!(staged.code, 0, "{}", staged.stdout);
    let work_tree = project.run(&["check", "--output-format", "concise", "svc.py"]);
    assert_eq!(work_tree.findings(), vec!["svc.py:16:1: RU100"]);
}

#[test]
fn repository_without_commits_checks_every_index_entry() {
    let project = Project::new();
    project.git(&["init", "-q"]);
    project.write("a.py", DIRTY);
    project.write("pkg/b.py", "from aioredis import Redis\n");
    project.write("untracked.py", DIRTY);
    project.git(&["add", "a.py", "pkg/b.py"]);

    let run = project.run_staged(&["check", "--output-format", "concise"]);
    assert_eq!(run.code, 1);
    assert_eq!(
        run.findings(),
        vec!["a.py:1:1: RU100", "pkg/b.py:1:1: RU100"]
    );
}

#[test]
fn staged_deletion_is_skipped() {
    let project = repo_with_commit(&[("old.py", DIRTY), ("keep.py", "x = 1\n")]);
    project.git(&["rm", "-q", "old.py"]);
    let run = project.run_staged(&["check"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
}

#[test]
fn staged_rename_is_checked_under_its_new_name() {
    let project = repo_with_commit(&[("old_name.py", DIRTY)]);
    project.git(&["mv", "old_name.py", "new_name.py"]);
    let run = project.run_staged(&["check", "--output-format", "concise"]);
    assert_eq!(run.code, 1);
    assert_eq!(run.findings(), vec!["new_name.py:1:1: RU100"]);
}

#[test]
fn unchanged_committed_files_are_not_checked() {
    let project = repo_with_commit(&[("legacy.py", DIRTY)]);
    project.write("new.py", CLEAN);
    project.git(&["add", "new.py"]);
    let run = project.run_staged(&["check"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
}

#[test]
fn paths_are_shown_relative_to_the_current_folder() {
    let project = Project::new();
    project.git(&["init", "-q"]);
    project.write("pkg/sub/mod.py", DIRTY);
    project.write("other/x.py", DIRTY);
    project.git(&["add", "-A"]);
    let run = project.run_staged_in("pkg", &["check", "--output-format", "concise"], &[]);
    assert_eq!(
        run.findings(),
        vec!["../other/x.py:1:1: RU100", "sub/mod.py:1:1: RU100"]
    );
}

#[test]
fn under_pre_commit_the_staged_files_are_read_from_the_work_tree() {
    let project = repo_with_commit(&[("app.py", "x = 1\n")]);
    project.write("app.py", CLEAN);
    project.git(&["add", "app.py"]);
    project.write("app.py", DIRTY);
    let run = project.run_in(
        ".",
        &["check", "--output-format", "concise"],
        &[("PRE_COMMIT", "1")],
    );
    assert_eq!(run.findings(), vec!["app.py:1:1: RU100"]);
}

#[test]
fn non_python_and_symlinked_entries_are_ignored() {
    let project = Project::new();
    project.git(&["init", "-q"]);
    project.write("notes.txt", DIRTY);
    project.write("real.py", CLEAN);
    std::os::unix::fs::symlink("notes.txt", project.path().join("link.py")).unwrap();
    project.git(&["add", "-A"]);
    let run = project.run_staged(&["check"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
}

#[test]
fn outside_a_repository_without_paths_is_a_usage_error() {
    let project = Project::new();
    project.write("a.py", DIRTY);
    let run = project.run_in(
        ".",
        &["check"],
        &[(
            "GIT_CEILING_DIRECTORIES",
            project.path().parent().unwrap().to_str().unwrap(),
        )],
    );
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("not inside a git repository"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("redis-unify check ."), "{}", run.stderr);
}

#[test]
fn the_git_command_line_lists_the_staged_entries() {
    use redis_unify::source::diff_index::{StagedChange, staged_changes};
    let project = repo_with_commit(&[
        ("a.py", "x = 1\n"),
        ("gone.py", "y = 1\n"),
        ("link.py", "z = 1\n"),
    ]);
    project.write("a.py", DIRTY);
    project.write("new dir/é b.py", DIRTY);
    project.git(&["rm", "-q", "gone.py"]);
    std::fs::remove_file(project.path().join("link.py")).unwrap();
    std::os::unix::fs::symlink("a.py", project.path().join("link.py")).unwrap();
    project.git(&["add", "-A"]);

    let repo = git2::Repository::open(project.path()).unwrap();
    let head = repo.head().unwrap().peel_to_tree().unwrap().id();
    // `None` would mean the fallback to libgit2: the fast path must work here.
    let entries = staged_changes(project.path(), head).expect("git diff-index runs");
    let blob = |path: &str| {
        StagedChange::Blob(repo.index().unwrap().get_path(path.as_ref(), 0).unwrap().id)
    };
    let listed: Vec<(String, StagedChange)> = entries
        .into_iter()
        .map(|e| (e.path.to_str().unwrap().to_string(), e.change))
        .collect();
    assert_eq!(
        listed,
        vec![
            ("a.py".to_string(), blob("a.py")),
            ("gone.py".to_string(), StagedChange::Deleted),
            ("link.py".to_string(), StagedChange::NotAFile),
            ("new dir/é b.py".to_string(), blob("new dir/é b.py")),
        ]
    );
}

#[test]
fn odd_entries_are_listed_alike_by_git_and_libgit2() {
    let project = repo_with_commit(&[("a.py", "x = 1\n"), ("tool.py", "x = 1\n")]);
    // Executable bit, a path with spaces and non-ASCII letters, an entry only
    // intended to be added (`git add -N`), a file replaced by a symlink.
    project.write("tool.py", DIRTY);
    let tool = project.path().join("tool.py");
    let mut permissions = std::fs::metadata(&tool).unwrap().permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut permissions, 0o755);
    std::fs::set_permissions(&tool, permissions).unwrap();
    project.write("dir with space/ünïcode.py", DIRTY);
    project.write("later.py", DIRTY);
    std::fs::remove_file(project.path().join("a.py")).unwrap();
    std::os::unix::fs::symlink("tool.py", project.path().join("a.py")).unwrap();
    project.git(&["add", "tool.py", "dir with space", "a.py"]);
    project.git(&["add", "-N", "later.py"]);

    let run = project.run_staged(&["check", "--output-format", "concise"]);
    assert_eq!(
        run.findings(),
        vec!["dir with space/ünïcode.py:1:1: RU100", "tool.py:1:1: RU100"],
        "{}",
        run.stderr
    );
}

#[test]
fn a_temporary_index_named_by_git_index_file_is_read() {
    // `git commit PATH` runs the hook with such an index; .git/index differs.
    let project = repo_with_commit(&[("a.py", "x = 1\n")]);
    project.write("a.py", DIRTY);
    let index = project.path().join(".git/hook-index");
    std::fs::copy(project.path().join(".git/index"), &index).unwrap();
    let add = std::process::Command::new("git")
        .args(["add", "a.py"])
        .env("GIT_INDEX_FILE", &index)
        .current_dir(project.path())
        .status()
        .unwrap();
    assert!(add.success());
    assert_eq!(
        project.run_staged(&["check"]).code,
        0,
        ".git/index is clean"
    );
    let run = project.run_staged_in(
        ".",
        &["check", "--output-format", "concise"],
        &[("GIT_INDEX_FILE", ".git/hook-index")],
    );
    assert_eq!(run.findings(), vec!["a.py:1:1: RU100"], "{}", run.stderr);
}

/// A module-level aioredis 1.x pool in `a.py`, used in `b.py` with a call only
/// the 1.x pool has.
const POOL_1X: &str = "import asyncio\n\nimport aioredis\n\nloop = asyncio.get_event_loop()\npool = loop.run_until_complete(aioredis.create_pool(\"redis://localhost\"))\n";
const USES_POOL: &str =
    "from a import pool\n\n\nasync def get(key):\n    return await pool.execute(\"GET\", key)\n";

/// Staged mode (the pre-commit hot path) builds no project index: `b.py` is
/// judged alone and its use of `a.py`'s 1.x pool is not reported there; a
/// check of the project (`check .`) reports it. (docs/architecture.md, *The
/// project index*.)
#[test]
fn staged_check_judges_each_module_alone_and_check_path_reads_the_project() {
    let project = Project::repo(&[]);
    project.write("a.py", POOL_1X);
    project.write("b.py", USES_POOL);
    project.git(&["add", "a.py", "b.py"]);
    let staged = project.run_staged(&["check", "--select", "RU101", "--output-format", "concise"]);
    assert!(
        !staged.stdout.contains("b.py:5:"),
        "staged mode has no index: {}",
        staged.stdout
    );
    let whole = project.run(&[
        "check",
        "--select",
        "RU101",
        "--output-format",
        "concise",
        ".",
    ]);
    assert!(
        whole.stdout.contains("b.py:5:23: RU101"),
        "{}",
        whole.stdout
    );
}
