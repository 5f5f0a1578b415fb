//! `--changed-since REF` (the pull-request view) and `--new-only` (only
//! findings on added lines), in real repositories with branches.

use crate::common::{BIN, Repo, isolate};

fn concise(repo: &Repo, args: &[&str]) -> (i32, Vec<String>) {
    let mut all = vec!["check", "--output-format", "concise"];
    all.extend_from_slice(args);
    let run = repo.run(&all);
    assert!(run.code == 0 || run.code == 1, "{}", run.stderr);
    // `path:row:col: RU100 message` becomes `path:row:col RU100`.
    let findings = run
        .stdout
        .lines()
        .filter_map(|line| line.split_once(": RU"))
        .map(|(place, rest)| format!("{place} RU{}", &rest[..3]))
        .collect();
    (run.code, findings)
}

/// main: `old.py` (aioredis), `mod.py` (clean), `gone.py` (aioredis), `multi.py`
/// (a multi-line aioredis import), then a
/// `feature` branch; main moves on afterwards with `main_only.py`.
fn branched() -> Repo {
    let repo = Repo::new();
    repo.write("old.py", "import aioredis\n");
    repo.write("mod.py", "import os\n\n\ndef f():\n    return os.sep\n");
    repo.write("gone.py", "import aioredis\n");
    repo.write("multi.py", "from aioredis import (\n    Redis,\n)\n");
    repo.write(".gitignore", "ignored/\n");
    repo.commit_all("base");
    repo.git(&["checkout", "-q", "-b", "feature"]);
    repo.git(&["checkout", "-q", "main"]);
    repo.write("main_only.py", "import aioredis\n");
    repo.commit_all("main moves on");
    repo.git(&["checkout", "-q", "feature"]);
    repo
}

#[test]
fn changed_since_checks_the_files_of_the_pull_request() {
    let repo = branched();
    // Committed on the branch.
    repo.write(
        "mod.py",
        "import os\nimport aioredis\n\n\ndef f():\n    return os.sep\n",
    );
    repo.commit_all("use aioredis");
    // Staged, unstaged, untracked, ignored, deleted.
    repo.write("staged.py", "from aioredis import Redis\n");
    repo.git(&["add", "staged.py"]);
    repo.write("untracked/new.py", "import aioredis.client\n");
    repo.write("ignored/skip.py", "import aioredis\n");
    repo.git(&["rm", "-q", "gone.py"]);

    let (code, findings) = concise(&repo, &["--changed-since", "main"]);
    assert_eq!(code, 1);
    assert_eq!(
        findings,
        [
            "mod.py:2:1 RU100",
            "staged.py:1:1 RU100",
            "untracked/new.py:1:1 RU100"
        ],
        "old.py is unchanged, main_only.py is past the merge base, gone.py is deleted, ignored/ is ignored"
    );

    // With paths: only the changed files under them.
    let (_, findings) = concise(&repo, &["--changed-since", "main", "untracked"]);
    assert_eq!(findings, ["untracked/new.py:1:1 RU100"]);
}

#[test]
fn changed_since_without_changes_passes() {
    let repo = branched();
    let run = repo.run(&["check", "--changed-since", "main"]);
    // Nothing was checked, and it says so (not "All checks passed!").
    assert_eq!(
        (run.code, run.stdout.as_str()),
        (
            0,
            "No files to check: no Python file or dependency manifest changed since `main`.\n"
        )
    );
}

#[test]
fn new_only_reports_added_lines_only() {
    let repo = branched();
    // old.py keeps its old import (not new) and gets a new one further down.
    repo.write(
        "old.py",
        "import aioredis\n\n\ndef later():\n    import aioredis.client\n    return aioredis\n",
    );
    // A multi-line import that gains a line: the finding spans a new line.
    repo.write(
        "multi.py",
        "from aioredis import (\n    Redis,\n    from_url,\n)\n",
    );
    repo.write("brand_new.py", "x = 1\nimport aioredis\n");

    let (_, all) = concise(&repo, &["--changed-since", "main"]);
    assert_eq!(
        all,
        [
            "brand_new.py:2:1 RU100",
            "multi.py:1:1 RU100",
            "old.py:1:1 RU100",
            "old.py:5:5 RU100"
        ]
    );
    let (code, new) = concise(&repo, &["--changed-since", "main", "--new-only"]);
    assert_eq!(code, 1);
    assert_eq!(
        new,
        [
            "brand_new.py:2:1 RU100",
            "multi.py:1:1 RU100",
            "old.py:5:5 RU100"
        ]
    );
}

#[test]
fn new_only_ignores_renamed_files_but_not_copies_into_untracked_files() {
    let repo = branched();
    repo.git(&["mv", "old.py", "renamed.py"]);
    let (code, new) = concise(&repo, &["--changed-since", "main", "--new-only"]);
    assert_eq!(
        (code, new),
        (0, Vec::<String>::new()),
        "a move adds no code"
    );
    std::fs::copy(repo.path().join("renamed.py"), repo.path().join("copy.py")).unwrap();
    let (_, new) = concise(&repo, &["--changed-since", "main", "--new-only"]);
    assert_eq!(new, ["copy.py:1:1 RU100"], "untracked files are wholly new");
}

#[test]
fn new_only_in_the_staged_mode_compares_the_index_with_head() {
    let repo = branched();
    repo.write("old.py", "import aioredis\nimport aioredis.client\n");
    repo.git(&["add", "old.py"]);
    // An unstaged addition is not what will be committed.
    repo.write(
        "old.py",
        "import aioredis\nimport aioredis.client\nfrom aioredis import Redis\n",
    );
    let (code, new) = concise(&repo, &["--new-only"]);
    assert_eq!((code, new), (1, vec!["old.py:2:1 RU100".to_string()]));
    let (_, all) = concise(&repo, &[]);
    assert_eq!(all, ["old.py:1:1 RU100", "old.py:2:1 RU100"]);
}

#[test]
fn new_only_on_named_paths_compares_the_work_tree_with_head() {
    let repo = branched();
    repo.write("old.py", "import aioredis\nimport aioredis.client\n");
    let (_, new) = concise(&repo, &[".", "--new-only"]);
    assert_eq!(new, ["old.py:2:1 RU100"]);
}

#[test]
fn new_only_in_a_repository_without_commits_counts_everything_as_new() {
    let repo = Repo::new();
    repo.write("a.py", "import aioredis\n");
    repo.git(&["add", "a.py"]);
    let (_, new) = concise(&repo, &["--new-only"]);
    assert_eq!(new, ["a.py:1:1 RU100"]);
}

#[test]
fn bad_references_and_no_repository_are_usage_errors() {
    let repo = branched();
    let run = repo.run(&["check", "--changed-since", "no-such-branch"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("--changed-since no-such-branch: not a commit here"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("fetch-depth: 0"), "{}", run.stderr);

    let tree = repo.git(&["write-tree"]);
    let unrelated = repo.git(&["commit-tree", "-m", "orphan", tree.trim()]);
    repo.git(&["branch", "orphan", unrelated.trim()]);
    let run = repo.run(&["check", "--changed-since", "orphan"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("no common ancestor"), "{}", run.stderr);

    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("a.py"), "import aioredis\n").unwrap();
    let output = isolate(std::process::Command::new(BIN).args(["check", ".", "--new-only"]))
        .env("GIT_CEILING_DIRECTORIES", outside.path().parent().unwrap())
        .current_dir(outside.path())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("inside a git repository"));
}
