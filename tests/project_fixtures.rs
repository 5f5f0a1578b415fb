//! Multi-file fixtures (issue 14's project index): each folder under
//! tests/fixtures/project is a project, checked by the real binary in a real git
//! repository. Each file states its expected findings in `# error: RUxxx`
//! comments (as tests/fixtures/check); the messages and the related locations
//! are snapshotted. The same findings come out of paths mode and (for the files
//! that import from the others) a check of that file alone. Staged mode (the
//! pre-commit hot path) builds no index: it reports what each module alone
//! shows, the findings of `check --stdin-filename` file by file, a subset of
//! paths mode's.

mod common;

use std::collections::BTreeSet;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use common::{Project, Run};

const SELECT: &str = "RU001,RU100,RU101,RU102,RU103,RU104,RU105";

/// The case's files: (relative path, text), sorted.
fn case_files(case: &str) -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/project")
        .join(case);
    let mut files = Vec::new();
    let mut stack = vec![root.clone()];
    while let Some(folder) = stack.pop() {
        for entry in std::fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let relative = path
                    .strip_prefix(&root)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/");
                files.push((relative, std::fs::read_to_string(&path).unwrap()));
            }
        }
    }
    files.sort();
    files
}

/// The case's files, and a git repository holding them in its first commit.
fn case_repo(case: &str) -> (Vec<(String, String)>, Project) {
    let files = case_files(case);
    let borrowed: Vec<(&str, &str)> = files
        .iter()
        .map(|(p, t)| (p.as_str(), t.as_str()))
        .collect();
    let project = Project::repo(&borrowed);
    (files, project)
}

/// (file, line, code) the comments promise.
fn expected(files: &[(String, String)]) -> BTreeSet<(String, u64, String)> {
    let mut found = BTreeSet::new();
    for (path, text) in files {
        for (index, line) in text.lines().enumerate() {
            let Some(position) = line.find("# error: ") else {
                continue;
            };
            for word in line[position + "# error: ".len()..].split_whitespace() {
                if !word.starts_with("RU") {
                    break;
                }
                found.insert((path.clone(), index as u64 + 1, word.to_string()));
            }
        }
    }
    found
}

/// (file, line, code) of a JSON report, and the rendered messages with notes.
fn findings(project: &Project, stdout: &str) -> (BTreeSet<(String, u64, String)>, Vec<String>) {
    let diagnostics: serde_json::Value = serde_json::from_str(stdout).unwrap();
    let root = project.path().canonicalize().unwrap();
    let relative = |filename: &str| {
        let path = Path::new(filename);
        path.strip_prefix(&root)
            .unwrap_or(path)
            .to_string_lossy()
            .replace('\\', "/")
    };
    let mut found = BTreeSet::new();
    let mut rendered = Vec::new();
    for d in diagnostics.as_array().unwrap() {
        let file = relative(d["filename"].as_str().unwrap());
        let row = d["location"]["row"].as_u64().unwrap();
        let code = d["code"].as_str().unwrap().to_string();
        rendered.push(format!(
            "{file}:{row}:{}: {code} {}",
            d["location"]["column"],
            d["message"].as_str().unwrap()
        ));
        if let Some(fix) = d["fix"].as_object() {
            rendered.push(format!(
                "  fix ({}): {}",
                fix["applicability"].as_str().unwrap(),
                fix["message"].as_str().unwrap()
            ));
        }
        for related in d["related"].as_array().into_iter().flatten() {
            rendered.push(format!(
                "  related: {}:{}:{}: {}",
                relative(related["filename"].as_str().unwrap()),
                related["location"]["row"],
                related["location"]["column"],
                related["message"].as_str().unwrap()
            ));
        }
        found.insert((file, row, code));
    }

    (found, rendered)
}

/// `check --stdin-filename PATH` of `text`: the module alone, with no index.
fn check_stdin(project: &Project, path: &str, text: &str) -> Run {
    let mut child = Command::new(env!("CARGO_BIN_EXE_redis-unify"))
        .args([
            "check",
            "--select",
            SELECT,
            "--output-format",
            "json",
            "--stdin-filename",
            path,
        ])
        .current_dir(project.path())
        .env("NO_COLOR", "1")
        .env_remove("REDIS_UNIFY_OUTPUT_FORMAT")
        .env_remove("PRE_COMMIT")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let input = text.as_bytes().to_vec();
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&input);
    });
    let output = child.wait_with_output().unwrap();
    writer.join().unwrap();
    Run::from(output)
}

fn check_case(case: &str) {
    let (files, project) = case_repo(case);
    let run = project.run(&["check", "--select", SELECT, "--output-format", "json", "."]);
    assert!(run.code <= 1, "{}", run.stderr);
    let (found, rendered) = findings(&project, &run.stdout);
    assert_eq!(
        found,
        expected(&files),
        "findings of {case}:\n{}",
        rendered.join("\n")
    );
    insta::assert_snapshot!(case, rendered.join("\n"));

    // Each file alone (its imports are read from the work tree).
    for (path, _) in &files {
        let run = project.run(&["check", "--select", SELECT, "--output-format", "json", path]);
        let (alone, _) = findings(&project, &run.stdout);
        let wanted: BTreeSet<_> = found
            .iter()
            .filter(|(p, _, _)| p == path)
            .cloned()
            .collect();
        // A module alone cannot see the modules that import it: only its own
        // import fix's safety (a message) may differ, never which lines are reported.
        assert_eq!(alone, wanted, "{case}: {path} checked alone");
    }

    // Staged mode: every file staged in a fresh repository.
    let staged = Project::new();
    staged.git(&["init", "-q"]);
    for (path, text) in &files {
        staged.write(path, text);
    }
    staged.git(&["add", "-A"]);
    let run = staged.run_staged(&["check", "--select", SELECT, "--output-format", "json"]);
    assert!(run.code <= 1, "{}", run.stderr);
    let (in_staged, _) = findings(&staged, &run.stdout);
    // Staged mode has no index: each module as `--stdin-filename` sees it alone.
    let mut alone = BTreeSet::new();
    for (path, text) in &files {
        let run = check_stdin(&staged, path, text);
        assert!(run.code <= 1, "{}", run.stderr);
        alone.extend(findings(&staged, &run.stdout).0);
    }
    assert_eq!(in_staged, alone, "{case}: staged mode");
    assert!(in_staged.is_subset(&found), "{case}: staged mode");
}

#[test]
fn reexported_aioredis_breaks_in_the_importer() {
    check_case("reexport_breaks");
}

#[test]
fn reexported_aioredis_names_that_keep() {
    check_case("reexport_keeps");
}

#[test]
fn imported_factory() {
    check_case("imported_factory");
}

/// The negative twin: no importer keeps a hand change, nothing is held.
#[test]
fn imported_factory_rewritable() {
    check_case("imported_factory_rewritable");
}

/// All or nothing across modules (issue 15): `fix --unsafe-fixes` leaves the
/// factory module and its other importer as they are while one importer of its
/// 1.x client keeps a hand change (`get(key, encoding=...)`): rewritten alone,
/// the factory would hand a redis.asyncio client to 1.x calls. Without the hand
/// change (the twin), one run rewrites the three modules.
#[test]
fn fix_holds_a_factory_whose_importer_is_held() {
    for (case, rewritten) in [
        ("imported_factory", false),
        ("imported_factory_rewritable", true),
    ] {
        let (files, project) = case_repo(case);
        let run = project.run(&["fix", "--unsafe-fixes", "--select", SELECT, "."]);
        assert!(run.code <= 1, "{}\n{}", run.stdout, run.stderr);
        let read = |path: &str| std::fs::read_to_string(project.path().join(path)).unwrap();
        let connections = read("app/connections.py");
        let views = read("app/views.py");
        if rewritten {
            assert!(
                connections.contains("import redis.asyncio as aioredis"),
                "{connections}"
            );
            assert!(connections.contains("aioredis.from_url("), "{connections}");
            assert!(views.contains("ex=10"), "{views}");
            assert!(read("app/through_package.py").contains(".client() as conn"));
        } else {
            for (path, text) in &files {
                if path != "app/through_package.py" {
                    assert_eq!(&read(path), text, "{path} was rewritten:\n{}", run.stdout);
                }
            }
        }
    }
}

/// `multi_exec()` whose queued results are used as futures (futures.py): a
/// display-only fix with the shape to write, and the module held; its negative
/// twin (statements.py): the unsafe `pipeline(transaction=True)` rewrite.
#[test]
fn multi_exec_futures() {
    check_case("multi_exec_futures");
}

#[test]
fn module_level_pool() {
    check_case("module_pool");
}

#[test]
fn base_class_and_client_subclass_of_another_module() {
    check_case("classes");
}

/// A factory whose 1.x client comes from a 1.x idiom (`with await pool`) in
/// a module that names no 1.x constructor: its importer, which does not spell
/// `aioredis`, is found through the factory's name.
#[test]
fn factory_of_a_1x_idiom() {
    check_case("idiom_factory");
}

/// Its twin: the same idiom in a module whose aioredis use is not 1.x.
#[test]
fn factory_of_the_idiom_outside_a_1x_module_stays_silent() {
    check_case("idiom_factory_not_1x");
}

#[test]
fn lookalikes_from_other_modules_stay_silent() {
    check_case("lookalikes");
}

/// A module imported whole: the modules that import it are summarized again
/// (when its summary changes) only if they can reach what it gives, as an
/// attribute; its findings stand either way.
#[test]
fn modules_imported_whole_reach_what_they_give_as_attributes() {
    check_case("reexport_whole");
}

/// The safety hole: `fix` must not swap `app/db.py`'s import while
/// `app/views.py` reads `aioredis.exceptions` through it; it does swap it when
/// every use in every module keeps working.
#[test]
fn import_fix_is_judged_against_every_importer() {
    for (case, swapped) in [
        ("reexport_breaks", false),
        ("reexport_keeps", true),
        // Through a module imported whole (`app.db.aioredis.exceptions`).
        ("reexport_whole", false),
    ] {
        let (_, project) = case_repo(case);
        let run = project.run(&["fix", "--select", "RU100", "."]);
        assert!(run.code <= 1, "{}", run.stderr);
        let db = std::fs::read_to_string(project.path().join("app/db.py")).unwrap();
        assert_eq!(
            db.starts_with("import redis.asyncio as aioredis"),
            swapped,
            "{case}: {db}\n{}",
            run.stdout
        );
    }
}

/// The related location reaches every output: the full text, JSON and SARIF.
#[test]
fn related_locations_in_every_format() {
    let (_, project) = case_repo("reexport_breaks");
    let full = project.run(&["check", "--select", "RU100,RU104", "."]);
    assert!(
        full.stdout
            .contains("note: app/db.py:1:8: `aioredis` is bound to `aioredis` here"),
        "{}",
        full.stdout
    );
    assert!(
        full.stdout.contains(
            "note: app/views.py:7:12: `aioredis` is imported from this module and used here"
        ),
        "{}",
        full.stdout
    );
    let sarif = project.run(&[
        "check",
        "--select",
        "RU100,RU104",
        "--output-format",
        "sarif",
        ".",
    ]);
    let value: serde_json::Value = serde_json::from_str(&sarif.stdout).unwrap();
    let results = value["runs"][0]["results"].as_array().unwrap();
    let related: Vec<String> = results
        .iter()
        .flat_map(|r| r["relatedLocations"].as_array().into_iter().flatten())
        .map(|l| {
            format!(
                "{}:{}",
                l["physicalLocation"]["artifactLocation"]["uri"]
                    .as_str()
                    .unwrap(),
                l["physicalLocation"]["region"]["startLine"]
            )
        })
        .collect();
    assert_eq!(related, ["app/views.py:7", "app/views.py:9", "app/db.py:1"]);
}

/// `plan` lists the cross-module sites in the importing file's reasons: the
/// file with no aioredis import of its own is planned for its fixes and hand changes.
#[test]
fn plan_counts_cross_module_sites() {
    let (_, project) = case_repo("imported_factory");
    let run = project.run(&["plan"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let row = run
        .stdout
        .lines()
        .find(|line| line.starts_with("| `app/views.py` |"))
        .unwrap_or_else(|| panic!("{}", run.stdout));
    // Its sites on the imported 1.x client have rewrites (issue 15), held while
    // `through_package.py`, which shares the factory's client, needs a hand change.
    assert!(
        row.contains("| `app/views.py` | 0 | 0 | 5 | 0 |")
            && row.contains("RU101 aioredis-legacy-api ×4, RU103 deprecated-close"),
        "{row}"
    );
    // `get(encoding=...)` has no rewrite: the module's 1.x uses wait for a hand change.
    let row = run
        .stdout
        .lines()
        .find(|line| line.starts_with("| `app/through_package.py` |"))
        .unwrap_or_else(|| panic!("{}", run.stdout));
    assert!(
        row.contains("| `app/through_package.py` | 0 | 0 | 2 |")
            && row.contains("RU101 aioredis-legacy-api ×2"),
        "{row}"
    );
}

/// `check --add-noqa` lints with the project index (it runs through `fix`'s
/// path): the findings on a 1.x client imported from another module get their
/// comment, and `check .` is clean afterwards.
#[test]
fn add_noqa_covers_cross_module_findings() {
    let (_, project) = case_repo("imported_factory");
    let run = project.run(&["check", "--select", SELECT, "--add-noqa", "."]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let views = std::fs::read_to_string(project.path().join("app/views.py")).unwrap();
    let line = views
        .lines()
        .find(|line| line.contains("redis.set(\"k\", \"v\", expire=10)"))
        .unwrap();
    assert!(line.contains("# noqa: RU101"), "{views}");
    let after = project.run(&["check", "--select", SELECT, "."]);
    assert_eq!(after.code, 0, "{}", after.stdout);
}

#[test]
fn imports_resolve_from_the_importers_source_root() {
    // services/worker/app/worker.py imports `app.queue`: the one beside it, not
    // the top-level app/queue.py, also when the file is checked alone.
    check_case("nested_source_root");
}

/// A 1.x sentinel made in one module (`create_sentinel`) and closed in another
/// (`sentinel.close()`, which no rewrite carries): RU103 there, with a display-only fix.
#[test]
fn sentinel_closed_in_another_module() {
    check_case("sentinel_closed");
}

/// The negative twin: the importer uses the sentinel through `master_for` only.
#[test]
fn sentinel_rewritable_across_modules() {
    check_case("sentinel_rewritable");
}

/// All or nothing across modules: the `create_sentinel` → `Sentinel` rewrite waits
/// while a module that shares the sentinel closes it with 1.x's `close()`
/// (redis-py's `Sentinel` has none); without that line, one run rewrites both.
#[test]
fn fix_holds_a_sentinel_closed_in_another_module() {
    for (case, rewritten) in [("sentinel_closed", false), ("sentinel_rewritable", true)] {
        let (files, project) = case_repo(case);
        let run = project.run(&["fix", "--unsafe-fixes", "--select", SELECT, "."]);
        assert!(run.code <= 1, "{}\n{}", run.stdout, run.stderr);
        let sentinels = std::fs::read_to_string(project.path().join("app/sentinels.py")).unwrap();
        if rewritten {
            assert!(
                sentinels.contains("return aioredis.Sentinel([(\"localhost\", 26379)])"),
                "{sentinels}"
            );
            assert!(
                sentinels.contains("import redis.asyncio as aioredis"),
                "{sentinels}"
            );
        } else {
            assert_eq!(
                sentinels,
                files
                    .iter()
                    .find(|(p, _)| p == "app/sentinels.py")
                    .unwrap()
                    .1,
                "{}",
                run.stdout
            );
        }
    }
}

/// A module whose own aioredis use says nothing about the version (only `from
/// aioredis import Redis`) is 1.x code when another module of the project uses
/// 1.x-only API; a module whose own use is 2.x (`from_url`, `exceptions`) stays 2.x.
#[test]
fn silent_module_in_a_1x_project() {
    check_case("silent_module_1x_project");
}

/// The twin: requirements pinning aioredis 2.x keep the silent module 2.x code.
#[test]
fn silent_module_in_a_project_requiring_aioredis_2() {
    check_case("silent_module_2x_manifest");
}

/// The manifests alone: `aioredis~=1.3` makes a silent module 1.x code.
#[test]
fn silent_module_in_a_project_requiring_aioredis_1() {
    check_case("silent_module_1x_manifest");
}

/// The twin across environments: a silent module in a package folder with
/// manifests of its own is not made 1.x by a 1.x module of another package.
#[test]
fn silent_module_in_another_environment() {
    check_case("silent_module_other_environment");
}

/// Project modules bound whole: `import app.db` (`app.db.pool`,
/// `app.db.create_pool()`), `import app.db as db`, `from app import db`, and
/// class bases written `db.Base` / `db.QueueRedis`.
#[test]
fn modules_imported_whole() {
    check_case("module_imports");
}

/// The negative twin: the same dotted names on a module whose objects are
/// redis-py's, on an unrelated module of the project, and on a module that is
/// not in the project (`vendor` has no `__init__.py`: a folder of scripts).
#[test]
fn modules_imported_whole_lookalikes() {
    check_case("module_imports_lookalikes");
}

/// Member flows: what a base class's methods pass between `self`'s members
/// runs again in a subclass with its overrides (methods dispatch on it): the
/// `Channel` a subclass's `register_topics()` returns reaches its own
/// `wait_for_message(channel)` through the base's `listen()` (a base of
/// another module, by `*` or by name, and of the same module); what the
/// base's `connect()` stores from `self.open()` is the subclass's client.
#[test]
fn member_flows_through_overridden_methods() {
    check_case("member_flows");
}

/// The negative twin: the subclass's override returns a redis-py `PubSub`;
/// a class whose base passes nothing (`Unrelated`) gets nothing, though its
/// own `register_topics` returns a 1.x `Channel`.
#[test]
fn member_flows_lookalikes() {
    check_case("member_flows_lookalikes");
}

/// pytest fixtures: a test's parameter named like a fixture (of the module,
/// or of a `conftest.py` in its folder or above) holds what the fixture
/// returns or yields; a fixture returning a function it defines
/// (`create_pool`) makes the parameter a factory; fixtures take fixtures.
#[test]
fn pytest_fixtures() {
    check_case("pytest_fixtures");
}

/// The negative twin: a fixture yielding a redis-py client, a parameter of a
/// function that is no test, a function that is no fixture, a test method of
/// a class pytest does not collect, and a test module outside the conftest's
/// folder.
#[test]
fn pytest_fixtures_lookalikes() {
    check_case("pytest_fixtures_lookalikes");
}

/// The negative twin of `pytest_fixtures` for `fix`: every 1.x use of the
/// conftest.py's fixture and of its test has a rewrite.
#[test]
fn pytest_fixtures_rewritable() {
    check_case("pytest_fixtures_rewritable");
}

/// All or nothing across a conftest.py and its tests: while a test that takes
/// the fixture keeps a hand change (`get(key, encoding=...)`), `fix
/// --unsafe-fixes` rewrites neither the fixture nor the other tests; without
/// it (the twin), one run rewrites both.
#[test]
fn fix_holds_a_fixture_whose_test_is_held() {
    for (case, rewritten) in [
        ("pytest_fixtures", false),
        ("pytest_fixtures_rewritable", true),
    ] {
        let (files, project) = case_repo(case);
        let run = project.run(&["fix", "--unsafe-fixes", "--select", SELECT, "."]);
        assert!(run.code <= 1, "{}\n{}", run.stdout, run.stderr);
        let read = |path: &str| std::fs::read_to_string(project.path().join(path)).unwrap();
        let conftest = read("tests/conftest.py");
        if rewritten {
            assert!(conftest.contains("aioredis.from_url("), "{conftest}");
            assert!(read("tests/test_views.py").contains("ex=10"));
        } else {
            // tests/test_local.py has a fixture of its own, shares nothing with
            // the held conftest.py, and is rewritten on its own.
            let local = read("tests/test_local.py");
            assert!(local.contains("execute_command("), "{local}");
            for (path, text) in files.iter().filter(|(p, _)| p != "tests/test_local.py") {
                assert_eq!(&read(path), text, "{path} was rewritten:\n{}", run.stdout);
            }
        }
    }
}
