//! `redis-unify hook install/uninstall`, exercised through real `git commit`s.

use std::os::unix::fs::PermissionsExt;
use std::process::Command;

use crate::common::{Repo, Run, isolate};

const MARKER: &str = "# redis-unify: managed hook";

fn commit(repo: &Repo, args: &[&str]) -> Run {
    let mut command = Command::new("git");
    isolate(&mut command)
        .args(["commit", "-q", "-m", "test"])
        .args(args)
        .current_dir(repo.path());
    Run::from(command.output().unwrap())
}

fn base() -> Repo {
    let repo = Repo::new();
    repo.write("app.py", "import os\n");
    repo.commit_all("base");
    repo
}

fn is_executable(path: &std::path::Path) -> bool {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o111 == 0o111
}

#[test]
fn the_installed_hook_stops_commits_that_add_aioredis() {
    let repo = base();
    let run = repo.run(&["hook", "install"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        run.stdout,
        "installed the redis-unify pre-commit hook (check) in .git/hooks/pre-commit\n"
    );
    let hook = repo.path().join(".git/hooks/pre-commit");
    assert!(is_executable(&hook));
    assert!(std::fs::read_to_string(&hook).unwrap().contains(MARKER));

    // A staged aioredis import stops the commit, with the finding shown.
    repo.write("app.py", "import os\nimport aioredis\n");
    repo.git(&["add", "app.py"]);
    // (git sends a hook's standard output to its standard error.)
    let blocked = commit(&repo, &[]);
    assert_ne!(blocked.code, 0);
    assert!(blocked.stderr.contains("RU100"), "{}", blocked.stderr);
    assert!(blocked.stderr.contains("app.py:2:1"), "{}", blocked.stderr);

    // The staged content is what counts: fixing only the work tree is not enough…
    repo.write("app.py", "import os\nimport redis.asyncio as aioredis\n");
    assert_ne!(commit(&repo, &[]).code, 0);
    // …and once the fix is staged the commit goes through.
    repo.git(&["add", "app.py"]);
    let clean = commit(&repo, &[]);
    assert_eq!(clean.code, 0, "{}{}", clean.stdout, clean.stderr);

    // An unstaged aioredis import does not stop a commit of other changes.
    repo.write("app.py", "import aioredis\n");
    repo.write("other.py", "x = 1\n");
    repo.git(&["add", "other.py"]);
    assert_eq!(commit(&repo, &[]).code, 0);
    assert_eq!(
        std::fs::read_to_string(repo.path().join("app.py")).unwrap(),
        "import aioredis\n",
        "the work tree is never touched"
    );

    // `git commit -a` and `git commit PATH` stage into another index file
    // (GIT_INDEX_FILE) before the hook runs: the hook sees it.
    assert_ne!(commit(&repo, &["-a"]).code, 0);
    assert_ne!(commit(&repo, &["app.py"]).code, 0);
    assert_eq!(repo.git(&["status", "--porcelain"]), " M app.py\n");
}

#[test]
fn core_hooks_path_is_honoured() {
    let repo = base();
    repo.git(&["config", "core.hooksPath", ".githooks"]);
    let run = repo.run_in(".", &["hook", "install"], &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.ends_with("in .githooks/pre-commit\n"),
        "{}",
        run.stdout
    );
    assert!(is_executable(&repo.path().join(".githooks/pre-commit")));
    assert!(!repo.path().join(".git/hooks/pre-commit").exists());
    repo.write("bad.py", "from aioredis import Redis\n");
    repo.git(&["add", "bad.py"]);
    assert_ne!(
        commit(&repo, &[]).code,
        0,
        "git runs the hook from core.hooksPath"
    );
    // From a subfolder the same hooks folder is found.
    std::fs::create_dir_all(repo.path().join("pkg")).unwrap();
    let run = repo.run_in("pkg", &["hook", "uninstall"], &[]);
    assert_eq!(
        run.stdout,
        "removed the redis-unify pre-commit hook from ../.githooks/pre-commit\n"
    );
}

#[test]
fn a_foreign_hook_is_kept_unless_forced() {
    let repo = base();
    let hook = repo.path().join(".git/hooks/pre-commit");
    let theirs = "#!/bin/sh\necho their hook\n";
    std::fs::write(&hook, theirs).unwrap();

    let refused = repo.run(&["hook", "install"]);
    assert_eq!(refused.code, 2);
    assert!(
        refused.stderr.contains("was not written by redis-unify"),
        "{}",
        refused.stderr
    );
    assert!(
        refused
            .stderr
            .contains("`redis-unify hook install --force`")
    );
    assert_eq!(std::fs::read_to_string(&hook).unwrap(), theirs);
    // The command it names keeps the options given (--fix).
    let refused = repo.run(&["hook", "install", "--fix"]);
    assert_eq!(refused.code, 2);
    assert!(
        refused
            .stderr
            .contains("`redis-unify hook install --fix --force`"),
        "{}",
        refused.stderr
    );

    let refused = repo.run(&["hook", "uninstall"]);
    assert_eq!(refused.code, 2);
    assert_eq!(std::fs::read_to_string(&hook).unwrap(), theirs);

    let forced = repo.run(&["hook", "install", "--force"]);
    assert_eq!(forced.code, 0, "{}", forced.stderr);
    assert!(forced.stdout.contains("the previous hook is kept as"));
    assert_eq!(
        std::fs::read_to_string(repo.path().join(".git/hooks/pre-commit.bak")).unwrap(),
        theirs
    );
    assert!(std::fs::read_to_string(&hook).unwrap().contains(MARKER));
    assert!(is_executable(&hook));
    // Uninstalling puts their hook back.
    let removed = repo.run(&["hook", "uninstall"]);
    assert_eq!(removed.code, 0, "{}", removed.stderr);
    assert!(
        removed
            .stdout
            .contains("restored the hook it had replaced (from pre-commit.bak)"),
        "{}",
        removed.stdout
    );
    assert_eq!(std::fs::read_to_string(&hook).unwrap(), theirs);
    assert!(!repo.path().join(".git/hooks/pre-commit.bak").exists());
}

#[test]
fn reinstall_updates_and_uninstall_removes_only_ours() {
    let repo = base();
    assert_eq!(repo.run(&["hook", "install"]).code, 0);
    let again = repo.run(&["hook", "install"]);
    assert_eq!(again.code, 0);
    assert!(
        again
            .stdout
            .starts_with("updated the redis-unify pre-commit hook")
    );
    let removed = repo.run(&["hook", "uninstall"]);
    assert_eq!(removed.code, 0);
    assert!(!repo.path().join(".git/hooks/pre-commit").exists());
    let nothing = repo.run(&["hook", "uninstall"]);
    assert_eq!(nothing.code, 0);
    assert!(nothing.stdout.starts_with("no pre-commit hook in"));
    let leftovers: Vec<_> = std::fs::read_dir(repo.path().join(".git/hooks"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("redis-unify") || n.ends_with(".tmp"))
        .collect();
    assert!(
        leftovers.is_empty(),
        "no temporary files left: {leftovers:?}"
    );
}

#[test]
fn a_symlinked_hook_is_not_ours() {
    let repo = base();
    let shared = repo.path().join("shared-hook.sh");
    std::fs::write(&shared, format!("#!/bin/sh\n{MARKER}\n")).unwrap();
    let hook = repo.path().join(".git/hooks/pre-commit");
    std::os::unix::fs::symlink(&shared, &hook).unwrap();
    assert_eq!(repo.run(&["hook", "uninstall"]).code, 2);
    assert_eq!(repo.run(&["hook", "install", "--force"]).code, 0);
    assert!(
        !std::fs::symlink_metadata(&hook)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(
        std::fs::read_to_string(&shared).unwrap(),
        format!("#!/bin/sh\n{MARKER}\n"),
        "the link's target is not written through"
    );
}

#[test]
fn linked_work_trees_share_the_hooks_of_the_main_repository() {
    let repo = base();
    let linked = tempfile::tempdir().unwrap();
    let linked_path = linked.path().join("wt");
    repo.git(&[
        "worktree",
        "add",
        "-q",
        "-b",
        "side",
        linked_path.to_str().unwrap(),
    ]);
    let run = Run::from(
        isolate(&mut Command::new(crate::common::BIN))
            .args(["hook", "install"])
            .current_dir(&linked_path)
            .output()
            .unwrap(),
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(repo.path().join(".git/hooks/pre-commit").is_file());
}

#[test]
fn the_fix_hook_fixes_the_work_tree_and_stops_the_commit() {
    let repo = base();
    let run = repo.run(&["hook", "install", "--fix"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let text = std::fs::read_to_string(repo.path().join(".git/hooks/pre-commit")).unwrap();
    assert!(
        text.ends_with("exec \"$redis_unify\" check --fix --exit-non-zero-on-fix\n"),
        "{text}"
    );

    // The hook fixes the work tree, but the index still holds `import aioredis`:
    // the commit must stop, or it would record the unfixed code.
    repo.write("app.py", "import os\nimport aioredis\n");
    repo.git(&["add", "app.py"]);
    let head = repo.git(&["rev-parse", "HEAD"]);
    let blocked = commit(&repo, &[]);
    assert_ne!(blocked.code, 0, "{}{}", blocked.stdout, blocked.stderr);
    assert!(
        blocked
            .stderr
            .contains("fixed 1 file; review and `git add` it, then commit again"),
        "{}",
        blocked.stderr
    );
    assert_eq!(
        repo.git(&["rev-parse", "HEAD"]),
        head,
        "nothing was committed"
    );
    assert_eq!(
        std::fs::read_to_string(repo.path().join("app.py")).unwrap(),
        "import os\nimport redis.asyncio as aioredis\n",
        "the work tree holds the fix"
    );
    assert_eq!(
        repo.git(&["show", ":app.py"]),
        "import os\nimport aioredis\n",
        "the index is never touched"
    );

    // As the message says: `git add`, commit again; now it goes through.
    repo.git(&["add", "app.py"]);
    let clean = commit(&repo, &[]);
    assert_eq!(clean.code, 0, "{}{}", clean.stdout, clean.stderr);
    assert_eq!(
        repo.git(&["show", "HEAD:app.py"]),
        "import os\nimport redis.asyncio as aioredis\n"
    );
}
