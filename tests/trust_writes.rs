//! The fix engine's write path, as a user runs it (real git repositories, the
//! real binary): an edit saved while `fix` runs is never lost, nothing is
//! written outside the project, a file keeps its owner, mode, extended
//! attributes and links (or is not written, with the reason), git's view of a
//! file is respected, one file that cannot be written never stops the run, and
//! the report after a failed verify is the restored files' (issue 13, items
//! 1, 3, 5, 6, 7, 8, 13).

mod common;

use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::Path;

use common::{Project, Run};

const SAFE: &str =
    "import aioredis\n\nclient = aioredis.from_url(\"redis://localhost\", socket_timeout=5)\n";
const SAFE_FIXED: &str = "import redis.asyncio as aioredis\n\nclient = aioredis.from_url(\"redis://localhost\", socket_timeout=5)\n";

fn read(project: &Project, path: &str) -> String {
    String::from_utf8(std::fs::read(project.path().join(path)).unwrap()).unwrap()
}

fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions.
    unsafe { libc::geteuid() == 0 }
}

/// The manifests of the project's fix runs, oldest first.
fn manifests(project: &Project) -> Vec<serde_json::Value> {
    let runs = project.path().join(".git/redis-unify/runs");
    let mut ids: Vec<_> = std::fs::read_dir(&runs)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    ids.sort();
    ids.iter()
        .map(|dir| {
            serde_json::from_slice(&std::fs::read(dir.join("manifest.json")).unwrap()).unwrap()
        })
        .collect()
}

/// `path` → `write` of each file of a manifest.
fn file_states(manifest: &serde_json::Value) -> Vec<(String, String)> {
    manifest["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_string(),
                f["write"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn before_write(project: &Project, args: &[&str], command: &str) -> Run {
    project.run_in(".", args, &[("REDIS_UNIFY_TEST_BEFORE_WRITE", command)])
}

// ---- item 1: an edit saved while fix runs ----

#[test]
fn an_edit_saved_while_fix_runs_is_kept_and_reported() {
    let project = Project::repo(&[("a.py", SAFE), ("b.py", SAFE), ("c.py", SAFE)]);
    std::fs::set_permissions(
        project.path().join("c.py"),
        std::fs::Permissions::from_mode(0o644),
    )
    .unwrap();
    // After every file was read, checked and journaled, before the writes: a
    // line appended to b.py, and c.py's mode changed (same bytes).
    let run = before_write(
        &project,
        &["fix", "--output-format", "concise", "."],
        "printf '# my edit\\n' >> b.py && chmod 600 c.py",
    );
    let edited = format!("{SAFE}# my edit\n");
    assert_eq!(read(&project, "a.py"), SAFE_FIXED);
    assert_eq!(read(&project, "b.py"), edited, "the edit survives");
    assert_eq!(read(&project, "c.py"), SAFE);
    let c_mode = std::fs::metadata(project.path().join("c.py"))
        .unwrap()
        .mode();
    assert_eq!(c_mode & 0o777, 0o600, "the new mode survives");
    for name in ["b.py", "c.py"] {
        assert!(
            run.stderr.contains(&format!(
                "warning: {name}: not fixed: it changed while fix ran"
            )),
            "{}",
            run.stderr
        );
    }
    assert!(
        run.stderr.contains("Fixed 1 file") && run.stderr.contains("2 files not written"),
        "{}",
        run.stderr
    );
    // The report is printed, with what remains; findings remain: exit 1.
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert_eq!(
        run.findings(),
        ["b.py:1:1: RU100", "c.py:1:1: RU100"],
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("Found 3 errors (1 fixed, 2 remaining)."),
        "{}",
        run.stdout
    );

    // The run's record says what was written.
    let runs = manifests(&project);
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0]["status"], "complete");
    assert_eq!(
        file_states(&runs[0]),
        [
            ("a.py".to_string(), "written".to_string()),
            ("b.py".to_string(), "not-written".to_string()),
            ("c.py".to_string(), "not-written".to_string()),
        ]
    );
    let history = project.run(&["history"]);
    assert!(
        history.stdout.contains("1 file (2 not written)") && history.stdout.contains("applied"),
        "{}",
        history.stdout
    );

    // Rollback restores what the run wrote, never the pre-edit text over the edit.
    let rollback = project.run(&["rollback"]);
    assert_eq!(rollback.code, 0, "{}", rollback.stderr);
    assert!(
        rollback.stdout.contains("Restored 1 file"),
        "{}",
        rollback.stdout
    );
    assert_eq!(read(&project, "a.py"), SAFE);
    assert_eq!(read(&project, "b.py"), edited);

    // A rerun fixes the edited file, edit included.
    let rerun = project.run(&["fix", "b.py"]);
    assert_eq!(rerun.code, 0, "{}{}", rerun.stdout, rerun.stderr);
    assert_eq!(read(&project, "b.py"), format!("{SAFE_FIXED}# my edit\n"));
}

#[test]
fn a_file_removed_while_fix_runs_is_recorded_as_not_written() {
    let project = Project::repo(&[("a.py", SAFE), ("d.py", SAFE)]);
    let run = before_write(&project, &["fix", "."], "rm d.py");
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr
            .contains("d.py: not fixed: it changed while fix ran"),
        "{}",
        run.stderr
    );
    assert!(!project.path().join("d.py").exists(), "never recreated");
    assert_eq!(read(&project, "a.py"), SAFE_FIXED);
    let runs = manifests(&project);
    assert_eq!(
        file_states(&runs[0]),
        [
            ("a.py".to_string(), "written".to_string()),
            ("d.py".to_string(), "not-written".to_string()),
        ]
    );
    // Only what the run wrote is restored; d.py is not the run's to bring back.
    let rollback = project.run(&["rollback"]);
    assert_eq!(rollback.code, 0, "{}", rollback.stderr);
    assert_eq!(read(&project, "a.py"), SAFE);
    assert!(!project.path().join("d.py").exists());
}

// ---- item 3: symlinks out of the project ----

#[test]
fn folder_and_file_symlinks_out_of_the_project_are_not_written_through() {
    let project = Project::repo(&[("pkg/inside.py", SAFE)]);
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("x.py"), SAFE).unwrap();
    std::os::unix::fs::symlink(outside.path(), project.path().join("vendored")).unwrap();
    std::os::unix::fs::symlink(
        outside.path().join("x.py"),
        project.path().join("pkg/link.py"),
    )
    .unwrap();

    // Explicit path through a symlinked folder, and the symlinked folder walked.
    for args in [["fix", "vendored/x.py"], ["fix", "vendored"]] {
        let run = project.run(&args);
        assert!(
            run.stderr
                .contains("vendored/x.py: not fixed: its real path is")
                && run.stderr.contains("outside the project"),
            "{args:?}: {}",
            run.stderr
        );
        assert_eq!(run.code, 1, "{args:?}: {}{}", run.stdout, run.stderr);
        assert_eq!(
            std::fs::read_to_string(outside.path().join("x.py")).unwrap(),
            SAFE
        );
    }
    // A walk of the project: the folder symlink is not followed, the file
    // symlink is skipped, the real file inside is fixed.
    let run = project.run(&["fix", "."]);
    assert!(
        run.stderr
            .contains("pkg/link.py: symlink to outside the project"),
        "{}",
        run.stderr
    );
    assert_eq!(read(&project, "pkg/inside.py"), SAFE_FIXED);
    assert_eq!(
        std::fs::read_to_string(outside.path().join("x.py")).unwrap(),
        SAFE
    );

    // A folder symlink that stays inside the project is written through.
    project.write("real/y.py", SAFE);
    std::os::unix::fs::symlink("real", project.path().join("alias")).unwrap();
    let run = project.run(&["fix", "alias/y.py"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert_eq!(read(&project, "real/y.py"), SAFE_FIXED);
    assert!(
        std::fs::symlink_metadata(project.path().join("alias"))
            .unwrap()
            .file_type()
            .is_symlink()
    );
}

#[test]
fn rollback_never_writes_through_a_symlink_out_of_the_project() {
    let project = Project::repo(&[("lib/m.py", SAFE)]);
    assert_eq!(project.run(&["fix", "lib/m.py"]).code, 0);
    // The fixed folder is replaced by a symlink to a folder outside holding
    // the same fixed text: rollback must not restore through it.
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("m.py"), SAFE_FIXED).unwrap();
    std::fs::remove_dir_all(project.path().join("lib")).unwrap();
    std::os::unix::fs::symlink(outside.path(), project.path().join("lib")).unwrap();
    let rollback = project.run(&["rollback"]);
    assert_eq!(rollback.code, 1, "{}", rollback.stderr);
    assert!(
        rollback.stderr.contains("outside the project"),
        "{}",
        rollback.stderr
    );
    assert_eq!(
        std::fs::read_to_string(outside.path().join("m.py")).unwrap(),
        SAFE_FIXED
    );
}

// ---- item 5: owner, mode, extended attributes, hard links ----

#[test]
fn owner_mode_and_extended_attributes_are_kept() {
    let project = Project::repo(&[("app.py", SAFE)]);
    let path = project.path().join("app.py");
    let owned = is_root();
    if owned {
        std::os::unix::fs::chown(&path, Some(1234), Some(1234)).unwrap();
    } else {
        eprintln!("skipped: the owner part (not root, cannot chown)");
    }
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o6751)).unwrap();
    let xattrs = match xattr::set(&path, "user.origin", b"vendor 1.2") {
        Ok(()) => true,
        Err(e) => {
            eprintln!("skipped: extended attributes (not supported here: {e})");
            false
        }
    };
    let check = |stage: &str| {
        let metadata = std::fs::metadata(&path).unwrap();
        if owned {
            assert_eq!((metadata.uid(), metadata.gid()), (1234, 1234), "{stage}");
        }
        assert_eq!(metadata.mode() & 0o7777, 0o6751, "{stage}");
        if xattrs {
            assert_eq!(
                xattr::get(&path, "user.origin").unwrap().as_deref(),
                Some(&b"vendor 1.2"[..]),
                "{stage}"
            );
        }
    };
    let run = project.run(&["fix", "app.py"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert_eq!(read(&project, "app.py"), SAFE_FIXED);
    check("after fix");
    let rollback = project.run(&["rollback"]);
    assert_eq!(rollback.code, 0, "{}", rollback.stderr);
    assert_eq!(read(&project, "app.py"), SAFE);
    check("after rollback");
}

#[test]
fn hard_links_are_refused_with_the_way_out() {
    let project = Project::repo(&[("a.py", SAFE), ("b.py", SAFE)]);
    let elsewhere = tempfile::tempdir_in(project.path().parent().unwrap()).unwrap();
    let other_name = elsewhere.path().join("same.py");
    std::fs::hard_link(project.path().join("a.py"), &other_name).unwrap();
    let run = project.run(&["fix", "."]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr.contains("a.py: not fixed: it has 2 hard links")
            && run.stderr.contains("cp -p FILE FILE.copy"),
        "{}",
        run.stderr
    );
    assert_eq!(read(&project, "a.py"), SAFE);
    assert_eq!(std::fs::read_to_string(&other_name).unwrap(), SAFE);
    assert_eq!(read(&project, "b.py"), SAFE_FIXED, "the rest is fixed");
}

/// As an unprivileged user: a file owned by root that the user may not write
/// is not replaced (its folder is the user's, so a rename would succeed), and
/// the user's own files are fixed in the same run.
#[test]
fn an_unprivileged_user_never_replaces_a_file_it_may_not_write() {
    if !is_root() {
        eprintln!("skipped: needs root to set up another user's files");
        return;
    }
    let project = Project::repo(&[("mine.py", SAFE), ("theirs.py", SAFE)]);
    let chown = std::process::Command::new("chown")
        .args(["-R", "1234:1234"])
        .arg(project.path())
        .status()
        .unwrap();
    assert!(chown.success());
    let theirs = project.path().join("theirs.py");
    std::os::unix::fs::chown(&theirs, Some(0), Some(0)).unwrap();
    std::fs::set_permissions(&theirs, std::fs::Permissions::from_mode(0o644)).unwrap();
    // Another user's file that the group may write: a rewrite would change its owner.
    let shared = project.write("shared.py", SAFE);
    std::os::unix::fs::chown(&shared, Some(4321), Some(1234)).unwrap();
    std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(0o664)).unwrap();
    let output = std::process::Command::new("setpriv")
        .args([
            "--reuid=1234",
            "--regid=1234",
            "--clear-groups",
            "--reset-env",
        ])
        .arg(env!("CARGO_BIN_EXE_redis-unify"))
        .args(["fix", "."])
        .current_dir(project.path())
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let run = Run::from(output);
    assert!(
        run.stderr
            .contains("theirs.py: not fixed: you may not write it (owner uid 0"),
        "{}",
        run.stderr
    );
    assert_eq!(read(&project, "theirs.py"), SAFE);
    let metadata = std::fs::metadata(&theirs).unwrap();
    assert_eq!((metadata.uid(), metadata.mode() & 0o777), (0, 0o644));
    assert!(
        run.stderr
            .contains("shared.py: not fixed: it belongs to another user (uid 4321)"),
        "{}",
        run.stderr
    );
    assert_eq!(read(&project, "shared.py"), SAFE);
    assert_eq!(std::fs::metadata(&shared).unwrap().uid(), 4321);
    assert_eq!(read(&project, "mine.py"), SAFE_FIXED);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
}

// ---- item 6: git told to look away ----

#[test]
fn files_git_is_told_to_ignore_are_not_fixed() {
    let project = Project::repo(&[("a.py", SAFE), ("b.py", SAFE), ("c.py", SAFE)]);
    project.git(&["update-index", "--assume-unchanged", "a.py"]);
    project.git(&["update-index", "--skip-worktree", "b.py"]);
    let run = project.run(&["fix", "."]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr
            .contains("a.py: not fixed: git is told to assume it unchanged")
            && run
                .stderr
                .contains("git update-index --no-assume-unchanged a.py"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("b.py: not fixed: git is told to skip it")
            && run
                .stderr
                .contains("git update-index --no-skip-worktree b.py"),
        "{}",
        run.stderr
    );
    assert_eq!(read(&project, "a.py"), SAFE);
    assert_eq!(read(&project, "b.py"), SAFE);
    assert_eq!(read(&project, "c.py"), SAFE_FIXED);

    // Staged mode too.
    project.write("d.py", SAFE);
    project.git(&["add", "d.py"]);
    project.git(&["update-index", "--skip-worktree", "d.py"]);
    let staged = project.run(&["fix"]);
    assert_eq!(staged.code, 1, "{}{}", staged.stdout, staged.stderr);
    assert!(
        staged
            .stderr
            .contains("git update-index --no-skip-worktree d.py"),
        "{}",
        staged.stderr
    );
    assert_eq!(read(&project, "d.py"), SAFE);

    // Once git watches it again, it is fixed.
    project.git(&["update-index", "--no-assume-unchanged", "a.py"]);
    let run = project.run(&["fix", "a.py"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert_eq!(read(&project, "a.py"), SAFE_FIXED);
}

// ---- item 7: staged files that git's filters change ----

#[test]
fn staged_fix_through_git_filters_autocrlf_eol_and_ident() {
    let project = Project::repo(&[(".gitattributes", "eol.py text eol=crlf\nident.py ident\n")]);
    project.git(&["config", "core.autocrlf", "true"]);
    let crlf = |text: &str| text.replace('\n', "\r\n");
    project.write("auto.py", &crlf(SAFE));
    project.write("eol.py", &crlf(SAFE));
    let ident = format!("# $Id: 0123456789abcdef $\n{SAFE}");
    project.write("ident.py", &ident);
    // A file that is really partially staged stays refused.
    project.write("partial.py", &crlf(SAFE));
    project.git(&["add", "auto.py", "eol.py", "ident.py", "partial.py"]);
    project.write("partial.py", &crlf(&format!("{SAFE}x = 1\n")));
    // git sees every file but partial.py fully staged.
    let status = project.git(&["status", "--porcelain"]);
    assert_eq!(
        status.lines().filter(|l| l.starts_with("AM")).count(),
        1,
        "{status}"
    );
    assert_eq!(
        project.git(&["show", ":ident.py"]),
        format!("# $Id$\n{SAFE}")
    );

    let run = project.run(&["fix"]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert_eq!(read(&project, "auto.py"), crlf(SAFE_FIXED));
    assert_eq!(read(&project, "eol.py"), crlf(SAFE_FIXED));
    assert_eq!(
        read(&project, "ident.py"),
        format!("# $Id: 0123456789abcdef $\n{SAFE_FIXED}")
    );
    assert!(
        run.stderr
            .contains("partial.py: not fixed: its work-tree content differs from what is staged"),
        "{}",
        run.stderr
    );
    assert_eq!(
        read(&project, "partial.py"),
        crlf(&format!("{SAFE}x = 1\n"))
    );
    for name in ["auto.py", "eol.py", "ident.py"] {
        assert!(
            !run.stderr.contains(&format!("{name}: not fixed")),
            "{}",
            run.stderr
        );
    }
    // Staged again, they are exactly the fix of the staged text.
    project.git(&["add", "auto.py", "eol.py", "ident.py"]);
    assert_eq!(project.git(&["show", ":auto.py"]), SAFE_FIXED);
    assert_eq!(project.git(&["show", ":eol.py"]), SAFE_FIXED);
    assert_eq!(
        project.git(&["show", ":ident.py"]),
        format!("# $Id$\n{SAFE_FIXED}")
    );
    // And rollback gives back the work-tree bytes that were there.
    assert_eq!(project.run(&["rollback"]).code, 0);
    assert_eq!(read(&project, "auto.py"), crlf(SAFE));
    assert_eq!(read(&project, "ident.py"), ident);
}

// ---- item 8: one unwritable file ----

#[test]
fn one_unwritable_file_does_not_stop_the_run() {
    let project = Project::repo(&[("a.py", SAFE), ("b.py", SAFE), ("c.py", SAFE)]);
    let b = project.path().join("b.py");
    std::fs::set_permissions(&b, std::fs::Permissions::from_mode(0o444)).unwrap();
    let run = project.run(&["fix", "--output-format", "concise", "."]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr
            .contains("b.py: not fixed: the file is read-only"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("Fixed 2 files"), "{}", run.stderr);
    assert_eq!(read(&project, "a.py"), SAFE_FIXED);
    assert_eq!(read(&project, "b.py"), SAFE);
    assert_eq!(read(&project, "c.py"), SAFE_FIXED);
    assert_eq!(run.findings(), ["b.py:1:1: RU100"], "{}", run.stdout);
    let runs = manifests(&project);
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0]["status"], "complete");
    // A rerun is not stopped either, and adds no interrupted run.
    let again = project.run(&["fix", "."]);
    assert_eq!(again.code, 1);
    let history = project.run(&["history"]);
    assert!(
        !history.stdout.contains("interrupted"),
        "{}",
        history.stdout
    );
    assert_eq!(project.run(&["rollback"]).code, 0);
    assert_eq!(read(&project, "a.py"), SAFE);
    assert_eq!(read(&project, "c.py"), SAFE);
}

// ---- item 13: the report after a failed verify ----

#[test]
fn a_failed_verify_reports_the_restored_files_findings() {
    // A finding after the import on the same line: its column moves with the fix.
    let text = "import aioredis; r = aioredis.Redis()\n";
    let project = Project::repo(&[("a.py", text)]);
    let check = project.run(&["check", "--output-format", "concise", "a.py"]);
    assert_eq!(
        check.findings(),
        ["a.py:1:1: RU100", "a.py:1:22: RU201"],
        "{}",
        check.stdout
    );
    let failed = project.run(&[
        "fix",
        "--verify",
        "false",
        "--output-format",
        "concise",
        "a.py",
    ]);
    assert_eq!(failed.code, 1);
    assert_eq!(read(&project, "a.py"), text);
    assert_eq!(failed.findings(), check.findings(), "{}", failed.stdout);
    assert!(
        failed.stdout.contains("Found 2 errors.") && !failed.stdout.contains("0 fixed"),
        "{}",
        failed.stdout
    );
    assert!(!failed.stderr.contains("Fixed 1 file"), "{}", failed.stderr);
    assert!(
        failed.stderr.contains("Wrote 1 file") && failed.stderr.contains("rolled back"),
        "{}",
        failed.stderr
    );
    // The full format draws the snippet from the restored text.
    let full = project.run(&["fix", "--verify", "false", "a.py"]);
    assert!(
        full.stdout
            .contains("1 | import aioredis; r = aioredis.Redis()"),
        "{}",
        full.stdout
    );
    assert!(Path::new(&project.path().join("a.py")).is_file());
}

#[test]
fn staged_fix_refuses_what_git_filters_make_unfixable_in_the_work_tree() {
    let project = Project::repo(&[(
        ".gitattributes",
        "renamed.py filter=rename\nutf16.py text working-tree-encoding=UTF-16LE\n",
    )]);
    // A clean filter that turns the work tree's name into `aioredis`: the
    // staged text has the finding, the work-tree text does not, so no fix of
    // the work tree gives the fixed staged text.
    project.git(&["config", "filter.rename.clean", "sed s/REDISLIB/aioredis/g"]);
    project.git(&[
        "config",
        "filter.rename.smudge",
        "sed s/aioredis/REDISLIB/g",
    ]);
    let renamed = SAFE.replace("aioredis", "REDISLIB");
    project.write("renamed.py", &renamed);
    // UTF-16 in the work tree, UTF-8 in the index.
    let utf16: Vec<u8> = SAFE.encode_utf16().flat_map(u16::to_le_bytes).collect();
    std::fs::write(project.path().join("utf16.py"), &utf16).unwrap();
    project.git(&["add", "renamed.py", "utf16.py"]);
    assert_eq!(project.git(&["show", ":renamed.py"]), SAFE);
    assert_eq!(project.git(&["show", ":utf16.py"]), SAFE);
    assert_eq!(project.git(&["status", "--porcelain"]).lines().count(), 2);

    let run = project.run(&["fix"]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr.contains("renamed.py: not fixed: git's filters for it")
            && run
                .stderr
                .contains("would not be staged as the fix of the staged text; apply the fix by hand (`redis-unify fix --diff` shows it)"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("utf16.py: not fixed: git's filters for it"),
        "{}",
        run.stderr
    );
    assert_eq!(read(&project, "renamed.py"), renamed);
    assert_eq!(
        std::fs::read(project.path().join("utf16.py")).unwrap(),
        utf16
    );
}
