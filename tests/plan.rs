//! `redis-unify plan` on a fixture project (`tests/fixtures/plan/`: a
//! src-layout package with files for every phase, a test file, and a
//! pyproject.toml with a comment-laden `[tool.redis-unify]`), and `plan
//! --write` then `fix --phase 1` end to end, on the fixture and on a copy of the
//! real code that `fetch-dev-corpus.sh` downloads.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use common::Project;

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

fn fixture() -> Project {
    let project = Project::new();
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/plan"),
        project.path(),
    );
    project
}

/// Phase of each file, from `plan --output-format json`.
fn phases(project: &Project) -> BTreeMap<String, u64> {
    let run = project.run(&["plan", "--output-format", "json", "."]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let plan: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    plan["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_string(),
                f["phase"].as_u64().unwrap(),
            )
        })
        .collect()
}

/// The files `check` reports migration findings (RU0xx, RU1xx) in.
fn files_with_migration_findings(project: &Project, root: &str) -> Vec<String> {
    let run = project.run_in(
        root,
        &[
            "check",
            "--select",
            "RU0,RU1",
            "--output-format",
            "concise",
            ".",
        ],
        &[],
    );
    let mut files: Vec<String> = run
        .findings()
        .iter()
        .map(|f| f.split(':').next().unwrap().to_string())
        .collect();
    files.dedup();
    files
}

#[test]
fn markdown_plan() {
    let project = fixture();
    let run = project.run(&["plan", "."]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    insta::assert_snapshot!(run.stdout);
}

#[test]
fn json_plan() {
    let project = fixture();
    let run = project.run(&["plan", "--output-format", "json", "."]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    insta::assert_snapshot!(run.stdout);
}

#[test]
fn without_paths_the_tracked_files_are_planned() {
    let project = fixture();
    project.git(&["init", "-q"]);
    project.git(&["add", "src", "pyproject.toml"]);
    project.write("scratch.py", "import aioredis\n");
    let run = project.run(&["plan", "--output-format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let plan: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let paths: Vec<&str> = plan["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert!(paths.contains(&"src/shop/clients.py"), "{paths:?}");
    assert!(!paths.contains(&"scratch.py"), "untracked: {paths:?}");
    assert!(
        !paths.contains(&"tests/test_pool.py"),
        "not added: {paths:?}"
    );
    let outside = Project::new();
    let run = outside.run(&["plan"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("inside a git repository"),
        "{}",
        run.stderr
    );
}

#[test]
fn write_then_fix_phase_1() {
    let project = fixture();
    let planned = phases(&project);
    let run = project.run(&["plan", "--write", "."]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let config = std::fs::read_to_string(project.path().join("pyproject.toml")).unwrap();
    insta::assert_snapshot!("write_then_fix_phase_1_pyproject", config);

    let fixed = project.run(&["fix", "--phase", "1", "."]);
    assert!(fixed.stderr.contains("Fixed 3 files"), "{}", fixed.stderr);
    let remaining = files_with_migration_findings(&project, ".");
    assert!(!remaining.is_empty());
    for file in &remaining {
        assert!(
            planned.get(file).is_some_and(|p| *p >= 2),
            "{file} is in phase 1: {remaining:?}"
        );
    }
    // The phase-1 files have no migration finding left; the client-safety
    // finding of clients.py (RU201) is still reported, as the plan said.
    let check = project.run(&["check", "--output-format", "concise", "src/shop/clients.py"]);
    assert_eq!(check.findings(), ["src/shop/clients.py:7:10: RU201"]);
}

#[test]
fn dev_corpus_plan_write_and_fix_phase_1() {
    let Some(corpus) = common::dev_corpus() else {
        eprintln!(
            "skipped: ../shared/corpus/fetch-dev-corpus.sh not found (set REDIS_UNIFY_SHARED)"
        );
        return;
    };
    let project = Project::new();
    copy_dir(&corpus, &project.path().join("corpus"));
    let run = project.run_in("corpus", &["plan", "--output-format", "json", "."], &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let plan: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let planned: BTreeMap<String, u64> = plan["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_string(),
                f["phase"].as_u64().unwrap(),
            )
        })
        .collect();
    // Only aioredis 2.x names: phase 1. 1.x API that needs hand changes: phase 3 or 4.
    assert_eq!(
        planned["fastapi-limiter-0.1.4/fastapi_limiter/__init__.py"],
        1
    );
    assert_eq!(planned["saq-0.1.0/saq/queue.py"], 1);
    assert_eq!(planned["aiotasks-1.0.0/aiotasks/tasks/redis.py"], 3);
    assert_eq!(
        planned["python-socketio-4.6.1/socketio/asyncio_redis_manager.py"],
        3
    );
    // Every 1.x use of aiohttp-cache has a rewrite (unsafe fixes): mechanical.
    assert_eq!(planned["aiohttp-cache-2.2.0/aiohttp_cache/backends.py"], 2);
    let dependencies: Vec<String> = plan["dependencies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            format!(
                "{}:{}",
                d["path"].as_str().unwrap(),
                d["code"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        dependencies,
        [
            "aiotasks-1.0.0/requirements-dev.txt:RU301",
            "aiotasks-1.0.0/requirements.txt:RU300",
            "fastapi-limiter-0.1.4/pyproject.toml:RU300",
            "saq-0.1.0/setup.py:RU300",
            "saq-0.1.0/setup.py:RU300",
        ]
    );

    let run = project.run_in("corpus", &["plan", "--write", "."], &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(project.path().join("corpus/redis-unify.toml").is_file());
    // As the plan prints it: phase 1 holds a test file whose 1.x fixes are unsafe
    // (aioredis 1.3.1's task_cancellation_test.py: `conn.execute` on a fixture's connection).
    let fixed = project.run_in(
        "corpus",
        &["fix", "--phase", "1", "--unsafe-fixes", "."],
        &[],
    );
    assert!(fixed.stderr.contains("Fixed "), "{}", fixed.stderr);
    let remaining = files_with_migration_findings(&project, "corpus");
    assert!(!remaining.is_empty());
    for file in &remaining {
        assert!(
            planned.get(file).is_some_and(|p| *p >= 2),
            "{file} (phase {:?}) still has migration findings",
            planned.get(file)
        );
    }
    let phase_2_and_up = planned.values().filter(|p| **p >= 2).count();
    assert_eq!(remaining.len(), phase_2_and_up);
}

#[test]
fn plan_write_keeps_hand_edited_phases_unless_forced() {
    let project = fixture();
    assert_eq!(project.run(&["plan", "--write", "."]).code, 0);
    let written = std::fs::read_to_string(project.path().join("pyproject.toml")).unwrap();
    // Now the plan says its phases are saved, and no longer asks to save them.
    let plan = project.run(&["plan", "."]);
    assert!(
        plan.stdout
            .contains("The phases below are saved in `pyproject.toml`"),
        "{}",
        plan.stdout
    );
    assert!(!plan.stdout.contains("redis-unify plan --write\n"));
    // Writing the same plan again changes nothing (and keeps any comment).
    let commented = written.replace(
        "name = \"low-risk\"",
        "# the quick wins, done first\nname = \"low-risk\"",
    );
    std::fs::write(project.path().join("pyproject.toml"), &commented).unwrap();
    let run = project.run(&["plan", "--write", "."]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("already this plan's"), "{}", run.stderr);
    assert_eq!(
        std::fs::read_to_string(project.path().join("pyproject.toml")).unwrap(),
        commented
    );

    // A renamed phase and a path added by hand are kept: the write is refused.
    let edited = commented
        .replace("name = \"low-risk\"", "name = \"quick-wins\"")
        .replace(
            "name = \"critical\"\npaths = [",
            "name = \"critical\"\npaths = [\n    \"src/shop/extra/**\",  # ours",
        );
    std::fs::write(project.path().join("pyproject.toml"), &edited).unwrap();
    let run = project.run(&["plan", "--write", "."]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("phase 1 is named `quick-wins`, the plan names it `low-risk`"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("lists `src/shop/extra/**`"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("run `redis-unify plan . --write --force`"),
        "{}",
        run.stderr
    );
    assert!(
        run.stdout.contains("# Migration plan"),
        "the plan is still printed"
    );
    assert_eq!(
        std::fs::read_to_string(project.path().join("pyproject.toml")).unwrap(),
        edited,
        "the hand edits are kept"
    );
    // The command it names replaces them.
    let run = project.run(&["plan", ".", "--write", "--force"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let replaced = std::fs::read_to_string(project.path().join("pyproject.toml")).unwrap();
    assert!(!replaced.contains("quick-wins"), "{replaced}");
    assert!(replaced.contains("name = \"low-risk\""), "{replaced}");
}

#[test]
fn a_module_others_import_comes_no_later_than_they_do() {
    let project = Project::repo(&[
        ("app/__init__.py", ""),
        // Safe swap, but a hand change (RU103): phase 3 on its own.
        (
            "app/core.py",
            "import aioredis\n\nclient = aioredis.from_url(\"redis://x\", socket_timeout=5)\n\nasync def close():\n    await client.close()\n",
        ),
        // Phase 1, and it imports core at import time.
        (
            "app/views.py",
            "from aioredis import Redis\n\nfrom app import core, legacy\n\ndef get() -> Redis:\n    return core.client\n",
        ),
        // 1.x API: its swap is an unsafe fix, so phase 1 (safe fixes) cannot take it.
        (
            "app/legacy.py",
            "import aioredis\n\nasync def main():\n    return await aioredis.create_redis_pool(\"redis://x\")\n",
        ),
        (
            "tests/test_views.py",
            "from app import legacy, views\n\ndef test_get():\n    assert views.get() is not None\n",
        ),
    ]);
    let run = project.run(&["plan", "--output-format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let plan: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let file = |path: &str| {
        plan["files"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["path"] == path)
            .unwrap_or_else(|| panic!("{path} not planned: {}", run.stdout))
            .clone()
    };
    assert_eq!(file("app/views.py")["phase"], 1);
    let core = file("app/core.py");
    assert_eq!(core["phase"], 1, "{core}");
    let reason = core["reasons"][0].as_str().unwrap();
    assert!(
        reason.starts_with("in phase 1, not 3: `app/views.py` imports it")
            && reason.contains("`redis-unify check app/core.py`"),
        "{reason}"
    );
    assert_eq!(
        file("app/legacy.py")["phase"],
        2,
        "not pulled below the phase of its (unsafe) swap"
    );
    // What phase 1's verify covers: views and the test import legacy, which
    // still imports aioredis until phase 2.
    let after_1 = &plan["verify"][0];
    assert_eq!(after_1["phase"], 1);
    let blocked: Vec<(&str, &str)> = after_1["still_importing_aioredis"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| (b["path"].as_str().unwrap(), b["through"].as_str().unwrap()))
        .collect();
    assert_eq!(
        blocked,
        [
            ("app/legacy.py", "app/legacy.py"),
            ("app/views.py", "app/legacy.py"),
            ("tests/test_views.py", "app/legacy.py")
        ]
    );
    assert_eq!(after_1["still_importing_aioredis"][0]["until_phase"], 2);
    // After phase 2 (its unsafe fix swaps the import) nothing blocks.
    assert_eq!(
        plan["verify"][1]["still_importing_aioredis"],
        serde_json::json!([])
    );
}

#[test]
fn plan_write_of_a_folder_writes_into_that_project_never_the_one_around_it() {
    // A monorepo-ish parent with a pyproject.toml of its own, and a project below.
    let parent = common::Project::new();
    let outer = "[project]\nname = \"mono\"\n";
    parent.write("pyproject.toml", outer);
    parent.write(
        "svc/pyproject.toml",
        "[project]\nname = \"svc\"\ndependencies = [\"redis>=5.0.1\"]\n",
    );
    parent.write(
        "svc/app.py",
        "import aioredis\n\nclient = aioredis.from_url(\"redis://x\", socket_timeout=5)\n",
    );
    let run = parent.run(&["plan", "--write", "svc"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert_eq!(
        std::fs::read_to_string(parent.path().join("pyproject.toml")).unwrap(),
        outer,
        "the pyproject.toml around the project is not touched"
    );
    assert!(!parent.path().join("redis-unify.toml").exists());
    let written = std::fs::read_to_string(parent.path().join("svc/pyproject.toml")).unwrap();
    assert!(written.contains("[[tool.redis-unify.phases]]"), "{written}");
    assert!(written.contains("\"app.py\""), "{written}");
    assert!(
        run.stdout
            .contains("Run the commands of this plan in the project's folder: `cd svc`."),
        "{}",
        run.stdout
    );
}

#[test]
fn plan_write_keeps_a_symlinked_configuration_and_refuses_a_hard_link() {
    let project = Project::new();
    project.write(
        "app.py",
        "import aioredis\n\nclient = aioredis.from_url(\"redis://x\", socket_timeout=5)\n",
    );
    project.write("config/pyproject.toml", "[project]\nname = \"x\"\n");
    std::os::unix::fs::symlink(
        "config/pyproject.toml",
        project.path().join("pyproject.toml"),
    )
    .unwrap();
    let run = project.run(&["plan", "--write", "."]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        std::fs::symlink_metadata(project.path().join("pyproject.toml"))
            .unwrap()
            .file_type()
            .is_symlink(),
        "still a symlink"
    );
    let real = std::fs::read_to_string(project.path().join("config/pyproject.toml")).unwrap();
    assert!(real.contains("[[tool.redis-unify.phases]]"), "{real}");

    let project = Project::new();
    project.write(
        "app.py",
        "import aioredis\n\nclient = aioredis.from_url(\"redis://x\", socket_timeout=5)\n",
    );
    let text = "[project]\nname = \"x\"\n";
    project.write("pyproject.toml", text);
    let elsewhere = tempfile::tempdir().unwrap();
    std::fs::hard_link(
        project.path().join("pyproject.toml"),
        elsewhere.path().join("pyproject.toml"),
    )
    .unwrap();
    let run = project.run(&["plan", "--write", "."]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("hard links"), "{}", run.stderr);
    assert_eq!(
        std::fs::read_to_string(elsewhere.path().join("pyproject.toml")).unwrap(),
        text
    );
}
