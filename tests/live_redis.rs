//! Proof on a live Redis: real packages that used aioredis (the dev corpus,
//! downloaded, never committed) are migrated with the real `redis-unify fix`
//! binary, then run by Python against a throwaway `redis-server` with redis-py
//! alone — happy path, the unmigrated "before", and a fault (the server shuts
//! down mid-run) that must reach the package's own error handling.
//!
//! Needs `redis-server` on PATH and a Python with `tests/live/requirements.txt`
//! (`scripts/live-redis-setup.sh` makes both; `.ci/run` calls it). Without them
//! the tests print why and pass, unless `REDIS_UNIFY_REQUIRE_LIVE` is set.
//! Every server listens on 127.0.0.1 only, on a free port, without
//! persistence, and is killed when its test ends (pass or panic); every child
//! process has a deadline.

mod common;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::thread::sleep;
use std::time::{Duration, Instant};

use tempfile::TempDir;

const BIN: &str = env!("CARGO_BIN_EXE_redis-unify");
/// The longest any scenario may take; each wait inside has its own, shorter timeout.
const SCENARIO_DEADLINE: Duration = Duration::from_secs(120);

// ------------------------------------------------------------------ setup

struct Live {
    redis_server: PathBuf,
    /// Python with redis-py and the scenarios' dependencies, never aioredis.
    python: PathBuf,
    /// Python with aioredis 2.0.1 alone, for the "before" (optional).
    aioredis_python: Option<PathBuf>,
    corpus: PathBuf,
}

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn env_or_default(variable: &str, default: PathBuf) -> PathBuf {
    std::env::var_os(variable)
        .map(PathBuf::from)
        .unwrap_or(default)
}

fn python_can(python: &Path, code: &str) -> bool {
    Command::new(python)
        .args(["-c", code])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success())
}

fn on_path(program: &str) -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|dir| dir.join(program))
        .find(|path| path.is_file())
}

/// What the live tests need, or `None` (after saying why) to skip.
fn live() -> Option<Live> {
    let missing = |why: String| -> Option<Live> {
        assert!(
            std::env::var_os("REDIS_UNIFY_REQUIRE_LIVE").is_none(),
            "REDIS_UNIFY_REQUIRE_LIVE is set but {why}"
        );
        eprintln!("skipped: {why} (run scripts/live-redis-setup.sh)");
        None
    };
    let redis_server = match std::env::var_os("REDIS_UNIFY_REDIS_SERVER") {
        Some(path) => PathBuf::from(path),
        None => match on_path("redis-server") {
            Some(path) => path,
            None => return missing("no redis-server on PATH".into()),
        },
    };
    let python = env_or_default(
        "REDIS_UNIFY_LIVE_PYTHON",
        root().join("target/live-venv/bin/python"),
    );
    if !python_can(&python, "import redis.asyncio, fastapi, httpx") {
        return missing(format!(
            "{} cannot import redis.asyncio, fastapi and httpx",
            python.display()
        ));
    }
    assert!(
        !python_can(&python, "import aioredis"),
        "{} has aioredis installed: the migrated code must run without it",
        python.display()
    );
    let aioredis_python = Some(env_or_default(
        "REDIS_UNIFY_AIOREDIS_PYTHON",
        root().join("target/aioredis-2.0.1-venv/bin/python"),
    ))
    .filter(|python| python.is_file());
    // Fetched once per test binary: the tests run in parallel threads.
    static CORPUS: OnceLock<Option<PathBuf>> = OnceLock::new();
    let Some(corpus) = CORPUS.get_or_init(common::dev_corpus).clone() else {
        return missing("the dev corpus script (../shared) is not there".into());
    };
    Some(Live {
        redis_server,
        python,
        aioredis_python,
        corpus,
    })
}

// ------------------------------------------------------------------ the server

/// A throwaway `redis-server` on 127.0.0.1, killed when dropped.
struct Server {
    child: Child,
    port: u16,
    _dir: TempDir,
}

impl Server {
    fn start(program: &Path) -> Server {
        let (child, port, dir) = spawn_until_ping("redis-server", |port, dir| {
            let mut command = Command::new(program);
            command
                .args(["--port", &port.to_string()])
                .args(["--bind", "127.0.0.1", "--protected-mode", "yes"])
                .args(["--save", "", "--appendonly", "no", "--daemonize", "no"])
                .arg("--dir")
                .arg(dir);
            command
        });
        Server {
            child,
            port,
            _dir: dir,
        }
    }

    fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/0", self.port)
    }

    /// Whether the server still answers (the fault scenarios shut it down).
    fn answers(&self) -> bool {
        ping(self.port)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn ping(port: u16) -> bool {
    let Ok(mut stream) =
        TcpStream::connect_timeout(&([127, 0, 0, 1], port).into(), Duration::from_millis(500))
    else {
        return false;
    };
    stream
        .set_read_timeout(Some(Duration::from_millis(500)))
        .unwrap();
    let mut reply = [0u8; 7];
    stream.write_all(b"PING\r\n").is_ok()
        && stream.read_exact(&mut reply).is_ok()
        && &reply == b"+PONG\r\n"
}

// ------------------------------------------------------------------ running things

struct Outcome {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

impl Outcome {
    fn success(&self) -> bool {
        self.code == Some(0)
    }

    fn show(&self) -> String {
        format!(
            "exit {:?}\n--- stdout\n{}\n--- stderr\n{}",
            self.code, self.stdout, self.stderr
        )
    }

    /// The last line of the traceback: `TypeError: …`.
    fn error_line(&self) -> &str {
        self.stderr.trim_end().lines().last().unwrap_or("")
    }
}

/// Runs `command` to completion, killing it at `deadline`; output goes
/// through files so a chatty child never blocks on a full pipe.
fn run_bounded(mut command: Command, deadline: Duration) -> Outcome {
    let logs = tempfile::tempdir().unwrap();
    let (out_path, err_path) = (logs.path().join("out"), logs.path().join("err"));
    let mut child = command
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&out_path).unwrap())
        .stderr(std::fs::File::create(&err_path).unwrap())
        .spawn()
        .unwrap();
    let end = Instant::now() + deadline;
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break Some(status);
        }
        if Instant::now() > end {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        sleep(Duration::from_millis(20));
    };
    let read = |path: &Path| String::from_utf8_lossy(&std::fs::read(path).unwrap()).into_owned();
    let mut outcome = Outcome {
        code: status.and_then(|s| s.code()),
        stdout: read(&out_path),
        stderr: read(&err_path),
    };
    if status.is_none() {
        outcome
            .stderr
            .push_str(&format!("\n[killed after {deadline:?}]"));
    }
    outcome
}

/// A copy of one corpus package in a temporary project folder.
struct Package {
    project: TempDir,
    name: &'static str,
}

impl Package {
    fn copy(from: &Path, name: &'static str) -> Package {
        let project = tempfile::tempdir().unwrap();
        copy_tree(from, &project.path().join(name));
        Package { project, name }
    }

    fn dir(&self) -> PathBuf {
        self.project.path().join(self.name)
    }

    fn read(&self, relative: &str) -> String {
        std::fs::read_to_string(self.dir().join(relative)).unwrap()
    }

    /// `redis-unify ARGS` in the project folder.
    fn redis_unify(&self, args: &[&str]) -> Outcome {
        let mut command = Command::new(BIN);
        command
            .args(args)
            .current_dir(self.project.path())
            .env("NO_COLOR", "1")
            .env_remove("PRE_COMMIT")
            .env_remove("REDIS_UNIFY_OUTPUT_FORMAT");
        run_bounded(command, Duration::from_secs(60))
    }

    /// `redis-unify fix [--unsafe-fixes] <package>`; returns its output.
    fn migrate(&self, unsafe_fixes: bool) -> Outcome {
        let mut args = vec!["fix"];
        if unsafe_fixes {
            args.push("--unsafe-fixes");
        }
        args.push(self.name);
        let outcome = self.redis_unify(&args);
        assert!(
            matches!(outcome.code, Some(0 | 1)),
            "redis-unify fix failed: {}",
            outcome.show()
        );
        assert!(!outcome.stderr.contains("error:"), "{}", outcome.show());
        outcome
    }

    /// `tests/live/<script> <mode>` with this package importable.
    fn scenario(&self, python: &Path, script: &str, mode: &str, url: &str) -> Outcome {
        let mut command = Command::new(python);
        command
            .arg(root().join("tests/live").join(script))
            .arg(mode)
            .current_dir(self.project.path())
            .env("PYTHONPATH", self.dir())
            .env("REDIS_URL", url)
            .env("PYTHONDONTWRITEBYTECODE", "1")
            .env("PYTHONUNBUFFERED", "1")
            .env_remove("PYTHONHOME");
        run_bounded(command, SCENARIO_DEADLINE)
    }
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// The lines a unified diff adds and removes (`+…`/`-…`, headers left out).
fn changed_lines(before: &str, after: &str) -> Vec<String> {
    similar::TextDiff::from_lines(before, after)
        .iter_all_changes()
        .filter(|change| change.tag() != similar::ChangeTag::Equal)
        .map(|change| format!("{}{}", change.tag(), change.value().trim_end()))
        .collect()
}

fn assert_lines(outcome: &Outcome, expected: &[&str]) {
    for line in expected {
        assert!(
            outcome.stdout.lines().any(|l| l == *line),
            "missing `{line}` in:\n{}",
            outcome.show()
        );
    }
}

/// The unmigrated package, run by Python 3.11+: without aioredis the import
/// fails; with aioredis 2.0.1 installed it fails too, inside aioredis.
/// Runs `script` in `mode` against a fresh server: it must succeed and print
/// `expected` in order. After "run" the server still answers; after "fault"
/// the scenario has shut it down.
fn passes_scenario(live: &Live, package: &Package, script: &str, mode: &str, expected: &[&str]) {
    let server = Server::start(&live.redis_server);
    let run = package.scenario(&live.python, script, mode, &server.url());
    assert!(run.success(), "{}", run.show());
    assert_lines(&run, expected);
    if mode == "fault" {
        assert!(!server.answers(), "the scenario did not stop the server");
    } else {
        assert!(server.answers());
    }
}

fn assert_before_fails(live: &Live, package: &Package, script: &str) {
    let without = package.scenario(&live.python, script, "run", "redis://127.0.0.1:1/0");
    assert!(!without.success(), "{}", without.show());
    assert_eq!(
        without.error_line(),
        "ModuleNotFoundError: No module named 'aioredis'",
        "{}",
        without.show()
    );
    eprintln!("before, without aioredis: {}", without.error_line());
    match &live.aioredis_python {
        Some(python) => {
            let with = package.scenario(python, script, "run", "redis://127.0.0.1:1/0");
            assert!(!with.success(), "{}", with.show());
            assert_eq!(
                with.error_line(),
                "TypeError: duplicate base class TimeoutError",
                "{}",
                with.show()
            );
            assert!(
                with.stderr.contains("aioredis/exceptions.py"),
                "{}",
                with.show()
            );
            eprintln!("before, with aioredis 2.0.1: {}", with.error_line());
        }
        None => {
            assert!(
                std::env::var_os("REDIS_UNIFY_REQUIRE_LIVE").is_none(),
                "REDIS_UNIFY_REQUIRE_LIVE is set but there is no aioredis 2.0.1 venv"
            );
            eprintln!("not shown: the failure with aioredis 2.0.1 installed (no venv for it)");
        }
    }
}

/// Every file of `package` that differs from the corpus copy, with its changed lines.
fn changes(live: &Live, package: &Package) -> Vec<(String, Vec<String>)> {
    let mut files = Vec::new();
    collect_files(&package.dir(), &package.dir(), &mut files);
    files.sort();
    files
        .into_iter()
        .filter_map(|relative| {
            let before = std::fs::read_to_string(live.corpus_package(package).join(&relative))
                .unwrap_or_default();
            let after = package.read(&relative);
            (before != after).then(|| (relative, changed_lines(&before, &after)))
        })
        .collect()
}

fn collect_files(base: &Path, dir: &Path, into: &mut Vec<String>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            collect_files(base, &path, into);
        } else {
            let relative = path.strip_prefix(base).unwrap();
            into.push(relative.to_string_lossy().replace('\\', "/"));
        }
    }
}

impl Live {
    fn corpus_package(&self, package: &Package) -> PathBuf {
        self.corpus.join(package.name)
    }

    fn package(&self, name: &'static str) -> Package {
        let from = self.corpus.join(name);
        assert!(from.is_dir(), "{} is not in the dev corpus", name);
        Package::copy(&from, name)
    }
}

// ------------------------------------------------------------------ saq 0.1.0

const SAQ: &str = "saq-0.1.0";

/// saq 0.1.0 after safe fixes: exactly the import swap in saq/queue.py.
fn migrated_saq(live: &Live) -> Package {
    let saq = live.package(SAQ);
    assert_before_fails(live, &saq, "saq_scenario.py");
    let fix = saq.migrate(false);
    assert!(fix.stderr.contains("Fixed 1 file"), "{}", fix.show());
    assert_eq!(
        changes(live, &saq),
        vec![(
            "saq/queue.py".to_string(),
            vec![
                "-import aioredis".to_string(),
                "+import redis.asyncio as aioredis".to_string()
            ]
        )]
    );
    saq
}

#[test]
fn saq_after_safe_fixes_processes_a_job_on_live_redis() {
    let Some(live) = live() else { return };
    let saq = migrated_saq(&live);
    passes_scenario(
        &live,
        &saq,
        "saq_scenario.py",
        "run",
        &[
            "client: redis.asyncio.client.Redis",
            "ok: job processed, result 5",
            "ok: job.refresh read the stored result",
            "ok: failing job stored as FAILED with its traceback",
            "ok: queue.info and queue.stats (pipeline) work",
            "ok: no AttributeError/NameError logged",
            "ok: scenario finished",
        ],
    );
}

#[test]
fn saq_after_safe_fixes_handles_the_server_going_away() {
    let Some(live) = live() else { return };
    let saq = migrated_saq(&live);
    passes_scenario(
        &live,
        &saq,
        "saq_scenario.py",
        "fault",
        &[
            "ok: job processed, result 5",
            "ok: server shut down mid-run",
            "ok: the worker's except clause caught redis.exceptions.ConnectionError",
            "ok: enqueue raised redis.exceptions.ConnectionError: ConnectionError",
            "ok: no AttributeError/NameError logged",
            "ok: scenario finished",
        ],
    );
}

// ------------------------------------------------------------------ fastapi-limiter 0.1.4

const FASTAPI_LIMITER: &str = "fastapi-limiter-0.1.4";
const SWAP: [&str; 2] = ["-import aioredis", "+import redis.asyncio as aioredis"];
const POETRY_DEPENDENCY_FIX: [&str; 2] = ["-aioredis = \"*\"", "+redis = \">=5.0.1\""];
const EVALSHA_FIX: [&str; 4] = [
    "-        pexpire = await redis.evalsha(",
    "-            FastAPILimiter.lua_sha, keys=[key], args=[self.times, self.milliseconds]",
    "-        )",
    "+        pexpire = await redis.evalsha(FastAPILimiter.lua_sha, 1, key, self.times, self.milliseconds)",
];

fn owned(lines: &[&str]) -> Vec<String> {
    lines.iter().map(|line| line.to_string()).collect()
}

/// fastapi-limiter 0.1.4 is aioredis 1.x code below the import: its limiter
/// calls `evalsha(sha, keys=[...], args=[...])`. Safe fixes swap the import
/// and leave that call to RU105, which `check` reports; on a live server the
/// route then fails with exactly the TypeError RU105 describes.
#[test]
fn fastapi_limiter_after_safe_fixes_fails_where_check_says() {
    let Some(live) = live() else { return };
    let limiter = live.package(FASTAPI_LIMITER);
    assert_before_fails(&live, &limiter, "fastapi_limiter_scenario.py");
    limiter.migrate(false);
    assert_eq!(
        changes(&live, &limiter),
        vec![("fastapi_limiter/__init__.py".to_string(), owned(&SWAP))]
    );
    let check = limiter.redis_unify(&["check", "--output-format", "concise", FASTAPI_LIMITER]);
    assert_eq!(check.code, Some(1), "{}", check.show());
    assert!(
        check
            .stdout
            .starts_with("fastapi-limiter-0.1.4/fastapi_limiter/depends.py:42:25: RU105 "),
        "{}",
        check.show()
    );
    let server = Server::start(&live.redis_server);
    let run = limiter.scenario(
        &live.python,
        "fastapi_limiter_scenario.py",
        "run",
        &server.url(),
    );
    assert!(!run.success(), "{}", run.show());
    assert_eq!(
        run.error_line(),
        "TypeError: ScriptCommands.evalsha() got an unexpected keyword argument 'keys'",
        "{}",
        run.show()
    );
    eprintln!("safe fixes only: {}", run.error_line());
}

/// With `--unsafe-fixes`: the import swap and RU105's rewrite of the call.
fn fastapi_limiter_with_unsafe_fixes(live: &Live) -> Package {
    let limiter = live.package(FASTAPI_LIMITER);
    assert_before_fails(live, &limiter, "fastapi_limiter_scenario.py");
    let fix = limiter.migrate(true);
    assert!(fix.stderr.contains("Fixed 3 files"), "{}", fix.show());
    assert_eq!(
        changes(live, &limiter),
        vec![
            ("fastapi_limiter/__init__.py".to_string(), owned(&SWAP)),
            (
                "fastapi_limiter/depends.py".to_string(),
                owned(&EVALSHA_FIX)
            ),
            // RU300: the manifest's `aioredis = "*"` becomes redis-py.
            ("pyproject.toml".to_string(), owned(&POETRY_DEPENDENCY_FIX)),
        ]
    );
    limiter
}

#[test]
fn fastapi_limiter_after_unsafe_fixes_rate_limits_on_live_redis() {
    let Some(live) = live() else { return };
    let limiter = fastapi_limiter_with_unsafe_fixes(&live);
    passes_scenario(
        &live,
        &limiter,
        "fastapi_limiter_scenario.py",
        "run",
        &[
            "client: redis.asyncio.client",
            "ok: 3 requests allowed",
            "ok: request 4 got 429 with a Retry-After header",
            "ok: scenario finished",
        ],
    );
}

#[test]
fn fastapi_limiter_after_unsafe_fixes_handles_the_server_going_away() {
    let Some(live) = live() else { return };
    let limiter = fastapi_limiter_with_unsafe_fixes(&live);
    passes_scenario(
        &live,
        &limiter,
        "fastapi_limiter_scenario.py",
        "fault",
        &[
            "ok: request 4 got 429 with a Retry-After header",
            "ok: server shut down mid-run",
            "after shutdown: 503 {\"error\":\"redis: ConnectionError\"}",
            "ok: the app's handler caught redis.exceptions.ConnectionError",
            "ok: scenario finished",
        ],
    );
}

// ------------------------------------------------------------------ the harness catches a naive swap

/// Our own small aioredis 2.x module (tests/live/session_cache) whose except
/// clauses name `aioredis.exceptions.*`: the naive `import redis.asyncio as
/// aioredis` swap passes the happy path and breaks only when Redis fails —
/// the fault scenario must catch that, and pass on redis-unify's fix.
#[test]
fn fault_scenario_catches_a_naive_import_swap() {
    let Some(live) = live() else { return };
    let source = root().join("tests/live/session_cache");
    let original = std::fs::read_to_string(source.join("session_cache.py")).unwrap();

    let naive = Package::copy(&source, "session_cache");
    let swapped = original.replacen(
        "\nimport aioredis\n",
        "\nimport redis.asyncio as aioredis\n",
        1,
    );
    assert_ne!(swapped, original);
    std::fs::write(naive.dir().join("session_cache.py"), swapped).unwrap();
    let server = Server::start(&live.redis_server);
    let run = naive.scenario(
        &live.python,
        "session_cache_scenario.py",
        "fault",
        &server.url(),
    );
    assert!(
        !run.success(),
        "the naive swap went unnoticed:\n{}",
        run.show()
    );
    assert_lines(
        &run,
        &[
            "ok: session saved and loaded",
            "ok: server shut down mid-run",
        ],
    );
    assert_eq!(
        run.error_line(),
        "AttributeError: module 'redis.asyncio' has no attribute 'exceptions'",
        "{}",
        run.show()
    );
    assert!(
        run.stderr
            .contains("except (aioredis.exceptions.ConnectionError")
    );
    eprintln!("naive swap, Redis down: {}", run.error_line());

    let fixed = Package::copy(&source, "session_cache");
    let fix = fixed.migrate(false);
    assert!(fix.stderr.contains("Fixed 1 file"), "{}", fix.show());
    assert_eq!(
        changed_lines(&original, &fixed.read("session_cache.py")),
        [
            "-import aioredis",
            "+import redis.asyncio as aioredis",
            "-        except (aioredis.exceptions.ConnectionError, aioredis.exceptions.TimeoutError) as error:",
            "+        except (aioredis.ConnectionError, aioredis.TimeoutError) as error:",
            "-        except aioredis.exceptions.RedisError as error:",
            "+        except aioredis.RedisError as error:",
        ]
    );
    let server = Server::start(&live.redis_server);
    let run = fixed.scenario(
        &live.python,
        "session_cache_scenario.py",
        "fault",
        &server.url(),
    );
    assert!(run.success(), "{}", run.show());
    assert_lines(
        &run,
        &[
            "ok: session saved and loaded",
            "ok: server shut down mid-run",
            "ok: load while Redis is down: the store's except clause returned None",
            "ok: save while Redis is down: the store's except clause returned False",
            "ok: scenario finished",
        ],
    );
}

// ------------------------------------------------------------------ aioredis 1.3.1's examples

const EXAMPLES: &str = "aioredis_examples";

/// tests/live/aioredis_examples: aioredis 1.3.1's own examples/ as 1.x code,
/// migrated by `fix --unsafe-fixes` alone: every 1.x use is rewritten, so the
/// import swap follows in the same run, and no RU1xx finding is left.
fn migrated_examples(live: &Live) -> Package {
    let source = root().join("tests/live").join(EXAMPLES);
    let examples = Package::copy(&source, EXAMPLES);
    assert_before_fails(live, &examples, "aioredis_examples_scenario.py");
    let fix = examples.migrate(true);
    assert!(fix.stderr.contains("Fixed 1 file"), "{}", fix.show());
    let after = examples.read("examples_1x.py");
    let changed = changed_lines(
        &std::fs::read_to_string(source.join("examples_1x.py")).unwrap(),
        &after,
    );
    for line in [
        "+import json",
        "+import redis.asyncio as aioredis",
        "+from redis.exceptions import ResponseError as ReplyError",
        "+    redis = await aioredis.from_url(address, single_connection_client=True)",
        "+    await redis.aclose()",
        "+    await redis.mset({'key:1': 'value1', 'key:2': 'value2'})",
        "+    async for key in redis.scan_iter(match='key:*'):",
        "+    await redis.hset('hash', mapping={\"key1\": 'value1', \"key2\": 'value2', \"key3\": 123})",
        "+    tr = redis.pipeline(transaction=True)",
        "+    redis = await aioredis.from_url(address, max_connections=10)",
        "+    async with redis.client() as conn:    # low-level redis connection",
        "+        await conn.execute_command('set', 'my-key', 'value')",
        "+    await redis.set('session', 'a', ex=100)",
        "+    first = await redis.set('lock', 'me', nx=True)",
        "+    await redis.set('forever', 'x')",
        "+    await redis.zadd('board', {'one': 1, 'two': 2})",
        "+    receivers = await redis.publish('news', json.dumps({'a': 1}))",
    ] {
        assert!(
            changed.iter().any(|changed| changed == line),
            "missing `{line}` in:\n{}",
            changed.join("\n")
        );
    }
    assert!(!after.contains("wait_closed"), "{after}");
    let check = examples.redis_unify(&["check", "--select", "RU1", EXAMPLES]);
    assert_eq!(check.code, Some(0), "{}", check.show());
    examples
}

#[test]
fn aioredis_examples_after_unsafe_fixes_run_on_live_redis() {
    let Some(live) = live() else { return };
    let examples = migrated_examples(&live);
    passes_scenario(
        &live,
        &examples,
        "aioredis_examples_scenario.py",
        "run",
        &[
            "client module: redis.asyncio",
            "ok: commands.py main: set/get on a single-connection client",
            "ok: commands.py redis_pool",
            "ok: scan.py: mset pairs, scan loop",
            "ok: iscan -> scan_iter",
            "ok: 02_decoding.py: hmset_dict -> hset(mapping=), decoded",
            "ok: 03_multiexec.py: multi_exec -> pipeline(transaction=True)",
            "ok: pool.py: with await -> async with client()",
            "ok: set(expire=, exist=), expire=0, zadd pairs, publish_json",
            "ok: except ReplyError caught redis-py's ResponseError",
            "ok: scenario finished",
        ],
    );
}

#[test]
fn aioredis_examples_after_unsafe_fixes_handle_the_server_going_away() {
    let Some(live) = live() else { return };
    let examples = migrated_examples(&live);
    passes_scenario(
        &live,
        &examples,
        "aioredis_examples_scenario.py",
        "fault",
        &[
            "ok: server shut down",
            "caught redis.exceptions.ConnectionError",
            "ok: the example's except clause caught redis.exceptions.ConnectionError",
            "ok: scenario finished",
        ],
    );
}

// ------------------------------------------------------------------ the aioredis 1.x packages

/// aiotasks 1.0.0, python-socketio 4.6.1 and aiohttp-cache 2.2.0 build their
/// clients with aioredis 1.x factories: safe fixes must leave every file as
/// it is, and `check` must say why the import swap alone is not safe. (What
/// `--unsafe-fixes` does is below.)
const HIDDEN_UNSAFE_FIX: &str = "can be enabled with the `--unsafe-fixes` option";

#[test]
fn aioredis_1x_packages_are_left_unchanged_by_safe_fixes() {
    let Some(corpus) = common::dev_corpus() else {
        assert!(std::env::var_os("REDIS_UNIFY_REQUIRE_LIVE").is_none());
        eprintln!("skipped: no dev corpus (../shared is not there)");
        return;
    };
    let cases: [(&'static str, &str); 3] = [
        (
            "aiotasks-1.0.0",
            "aiotasks-1.0.0/aiotasks/tasks/redis.py:6:1: RU100 Import of the archived `aioredis` \
             (fails on Python 3.11+): use `import redis.asyncio as aioredis`; the swap alone is not \
             safe: `aioredis.create_redis` is aioredis 1.x API (line 59), `aioredis.create_redis` \
             is aioredis 1.x API (line 64), `aioredis.create_redis` is aioredis 1.x API (line 121) \
             and 1 more",
        ),
        (
            "python-socketio-4.6.1",
            "python-socketio-4.6.1/socketio/asyncio_redis_manager.py:6:5: RU100 Import of the \
             archived `aioredis` (fails on Python 3.11+): use `import redis.asyncio as aioredis`; \
             the swap alone is not safe: `aioredis.create_redis` is aioredis 1.x API (line 71), \
             `aioredis.create_redis` is aioredis 1.x API (line 93)",
        ),
        (
            "aiohttp-cache-2.2.0",
            "aiohttp-cache-2.2.0/aiohttp_cache/backends.py:10:1: RU100 Import of the archived \
             `aioredis` (fails on Python 3.11+): use `import redis.asyncio as aioredis`; the swap \
             alone is not safe: `aioredis.create_pool` is aioredis 1.x API (line 130)",
        ),
    ];
    for (name, why) in cases {
        let package = Package::copy(&corpus.join(name), name);
        let fix = package.migrate(false);
        assert!(
            // aiohttp-cache's rewrites are unsafe fixes; the other two's are
            // display-only (their pub/sub needs a hand change first).
            name != "aiohttp-cache-2.2.0" || fix.stdout.contains(HIDDEN_UNSAFE_FIX),
            "{name}: {}",
            fix.show()
        );
        let mut files = Vec::new();
        collect_files(&package.dir(), &package.dir(), &mut files);
        for relative in files {
            let before = std::fs::read(corpus.join(name).join(&relative)).unwrap();
            let after = std::fs::read(package.dir().join(&relative)).unwrap();
            assert!(
                before == after,
                "{name}/{relative} was changed by safe fixes"
            );
        }
        let check = package.redis_unify(&[
            "check",
            "--select",
            "RU100",
            "--output-format",
            "concise",
            name,
        ]);
        assert_eq!(check.code, Some(1), "{}", check.show());
        assert_eq!(check.stdout.lines().next(), Some(why), "{}", check.show());
    }
}

/// The findings of `check --select RU1 --output-format json` in `package` that
/// `fix --unsafe-fixes` cannot apply, as `path:row:col CODE applicability`.
fn findings_left(package: &Package) -> Vec<String> {
    let check = package.redis_unify(&[
        "check",
        "--select",
        "RU1",
        "--output-format",
        "json",
        package.name,
    ]);
    let findings: serde_json::Value = serde_json::from_str(&check.stdout).unwrap_or_else(|_| {
        panic!("{}", check.show());
    });
    let mut left = Vec::new();
    for finding in findings.as_array().unwrap() {
        let applicability = finding["fix"]["applicability"].as_str().unwrap_or("no fix");
        if applicability == "unsafe" || applicability == "safe" {
            continue;
        }
        let filename = finding["filename"].as_str().unwrap();
        let relative = filename
            .split(&format!("{}/", package.name))
            .nth(1)
            .unwrap_or(filename);
        left.push(format!(
            "{relative}:{}:{} {} {applicability}",
            finding["location"]["row"],
            finding["location"]["column"],
            finding["code"].as_str().unwrap()
        ));
    }
    left
}

/// aiotasks 1.0.0 and python-socketio 4.6.1 receive with aioredis 1.x pub/sub
/// (`psubscribe`/`subscribe` on the client, `Channel.get()`), which no rewrite
/// can carry. `fix --unsafe-fixes` therefore changes none of their Python files:
/// the 1.x rewrites of the module (factories, close/wait_closed) and its import
/// swap are shown, not applied, until those lines are changed by hand; `check`
/// names exactly those lines, aiotasks' `channel.wait_message()` and
/// `channel.get()` among them (the `Channel` its base class in bases.py passes
/// back through the methods the subclass overrides).
#[test]
fn aioredis_1x_pubsub_packages_keep_exactly_their_hand_changes() {
    let Some(corpus) = common::dev_corpus() else {
        assert!(std::env::var_os("REDIS_UNIFY_REQUIRE_LIVE").is_none());
        eprintln!("skipped: no dev corpus (../shared is not there)");
        return;
    };
    let cases: [(&'static str, &[&str]); 2] = [
        (
            "aiotasks-1.0.0",
            &[
                "aiotasks/tasks/redis.py:6:1 RU100 display-only",
                "aiotasks/tasks/redis.py:59:68 RU101 display-only",
                "aiotasks/tasks/redis.py:64:68 RU101 display-only",
                "aiotasks/tasks/redis.py:82:42 RU101 no fix",
                // The `Channel` the base class (bases.py) passes back through the
                // methods this subclass overrides (member flows).
                "aiotasks/tasks/redis.py:86:30 RU101 no fix",
                "aiotasks/tasks/redis.py:89:30 RU101 no fix",
                "aiotasks/tasks/redis.py:92:9 RU103 display-only",
                "aiotasks/tasks/redis.py:93:9 RU103 display-only",
                "aiotasks/tasks/redis.py:96:70 RU101 display-only",
                "aiotasks/tasks/redis.py:97:70 RU101 display-only",
                "aiotasks/tasks/redis.py:121:67 RU101 display-only",
                "aiotasks/tasks/redis.py:126:65 RU101 display-only",
                "aiotasks/tasks/redis.py:135:9 RU103 display-only",
                "aiotasks/tasks/redis.py:136:9 RU103 display-only",
                "aiotasks/tasks/redis.py:142:69 RU101 display-only",
                "aiotasks/tasks/redis.py:143:67 RU101 display-only",
            ],
        ),
        (
            "python-socketio-4.6.1",
            &[
                "socketio/asyncio_redis_manager.py:6:5 RU100 display-only",
                "socketio/asyncio_redis_manager.py:71:38 RU101 display-only",
                "socketio/asyncio_redis_manager.py:93:38 RU101 display-only",
                "socketio/asyncio_redis_manager.py:97:43 RU101 no fix",
                "socketio/asyncio_redis_manager.py:98:38 RU101 no fix",
            ],
        ),
    ];
    for (name, expected) in cases {
        let package = Package::copy(&corpus.join(name), name);
        package.migrate(true);
        let mut files = Vec::new();
        collect_files(&package.dir(), &package.dir(), &mut files);
        for relative in files.iter().filter(|file| file.ends_with(".py")) {
            let before = std::fs::read(corpus.join(name).join(relative)).unwrap();
            let after = std::fs::read(package.dir().join(relative)).unwrap();
            assert!(before == after, "{name}/{relative} was changed");
        }
        assert_eq!(findings_left(&package), owned(expected), "{name}");
    }
}

const AIOHTTP_CACHE: &str = "aiohttp-cache-2.2.0";

/// aiohttp-cache 2.2.0 uses its 1.x `create_pool` pool only as `async with
/// pool.get() as redis:` and sends raw commands with `redis.execute(...)`: every
/// 1.x use has a rewrite, so `fix --unsafe-fixes` migrates it with no hand edit.
fn aiohttp_cache_with_unsafe_fixes(live: &Live) -> Option<Package> {
    if !python_can(&live.python, "import aiohttp") {
        assert!(
            std::env::var_os("REDIS_UNIFY_REQUIRE_LIVE").is_none(),
            "REDIS_UNIFY_REQUIRE_LIVE is set but {} cannot import aiohttp",
            live.python.display()
        );
        eprintln!(
            "skipped: {} cannot import aiohttp (run scripts/live-redis-setup.sh)",
            live.python.display()
        );
        return None;
    }
    let cache = live.package(AIOHTTP_CACHE);
    // Unmigrated (the aioredis 2.0.1 venv has no aiohttp: only the failure without aioredis).
    let before = cache.scenario(
        &live.python,
        "legacy_1x/aiohttp_cache_scenario.py",
        "run",
        "redis://127.0.0.1:1/0",
    );
    assert_eq!(
        before.error_line(),
        "ModuleNotFoundError: No module named 'aioredis'",
        "{}",
        before.show()
    );
    cache.migrate(true);
    let changed = changes(live, &cache);
    assert_eq!(
        changed
            .iter()
            .map(|(file, _)| file.as_str())
            .collect::<Vec<_>>(),
        ["aiohttp_cache/backends.py"]
    );
    let lines = &changed[0].1;
    for line in [
        "-import aioredis",
        "+import redis.asyncio as aioredis",
        "+            aioredis.Redis(host=config.host, port=config.port, db=config.db, password=config.password)",
        "+        async with self._redis_pool.client() as redis:",
        "+            redis_value = await redis.execute_command(\"GET\", self.key_prefix + key)",
        "+                    await redis.execute_command(\"DEL\", *keys)",
    ] {
        assert!(
            lines.iter().any(|l| l == line),
            "missing `{line}` in {lines:#?}"
        );
    }
    assert!(
        findings_left(&cache).is_empty(),
        "{:?}",
        findings_left(&cache)
    );
    Some(cache)
}

#[test]
fn aiohttp_cache_after_unsafe_fixes_serves_a_cached_response_from_live_redis() {
    let Some(live) = live() else { return };
    let Some(cache) = aiohttp_cache_with_unsafe_fixes(&live) else {
        return;
    };
    passes_scenario(
        &live,
        &cache,
        "legacy_1x/aiohttp_cache_scenario.py",
        "run",
        &[
            "client: redis.asyncio.client",
            "ok: the second request was served from Redis",
            "ok: set/get/has/delete/clear",
            "ok: scenario finished",
        ],
    );
}

#[test]
fn aiohttp_cache_after_unsafe_fixes_handles_the_server_going_away() {
    let Some(live) = live() else { return };
    let Some(cache) = aiohttp_cache_with_unsafe_fixes(&live) else {
        return;
    };
    passes_scenario(
        &live,
        &cache,
        "legacy_1x/aiohttp_cache_scenario.py",
        "fault",
        &[
            "ok: server shut down",
            "ok: a cache read raised redis.exceptions.ConnectionError",
            "ok: scenario finished",
        ],
    );
}

// ------------------------------------------------------------------ sentinel

/// A throwaway Redis Sentinel (`redis-server <conf> --sentinel`) on 127.0.0.1
/// monitoring `mymaster` at `master`'s port, killed when dropped.
struct Sentinel {
    child: Child,
    port: u16,
    _dir: TempDir,
}

impl Sentinel {
    fn start(program: &Path, master: &Server) -> Sentinel {
        let (child, port, dir) = spawn_until_ping("redis-server --sentinel", |port, dir| {
            // Sentinel rewrites its configuration file: it lives in the temporary folder.
            let config = dir.join("sentinel.conf");
            std::fs::write(
                &config,
                format!(
                    "port {port}\nbind 127.0.0.1\ndir {}\n\
                     sentinel monitor mymaster 127.0.0.1 {} 1\n\
                     sentinel down-after-milliseconds mymaster 60000\n",
                    dir.display(),
                    master.port
                ),
            )
            .unwrap();
            let mut command = Command::new(program);
            command.arg(&config).arg("--sentinel");
            command
        });
        Sentinel {
            child,
            port,
            _dir: dir,
        }
    }
}

/// Starts the server `command` builds for a free port and a fresh folder, and
/// waits until it answers PING (10 s each); a server that exits (its port taken
/// meanwhile) is retried on another port, five times in all.
fn spawn_until_ping(
    what: &str,
    mut command: impl FnMut(u16, &Path) -> Command,
) -> (Child, u16, TempDir) {
    let mut last_error = String::new();
    for _ in 0..5 {
        let port = free_port();
        let dir = tempfile::tempdir().unwrap();
        let mut child = command(port, dir.path())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {what}: {e}"));
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if ping(port) {
                return (child, port, dir);
            }
            if let Ok(Some(status)) = child.try_wait() {
                let mut stderr = String::new();
                child
                    .stderr
                    .take()
                    .unwrap()
                    .read_to_string(&mut stderr)
                    .ok();
                last_error = format!("{what} exited ({status}): {stderr}");
                break; // the port was taken meanwhile: try another
            }
            sleep(Duration::from_millis(20));
        }
        let _ = child.kill();
        let _ = child.wait();
        if last_error.is_empty() {
            last_error = format!("{what} did not answer PING within 10s");
        }
    }
    panic!("{last_error}");
}

impl Drop for Sentinel {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

const SENTINEL_1X: &str = "sentinel_1x";

/// aioredis 1.x code behind a sentinel (`create_sentinel`, `master_for`, the client's
/// `set(expire=)`, `get(encoding=)`, `close()`/`wait_closed()`), migrated with
/// `fix --unsafe-fixes`, runs with redis-py alone against a live master and sentinel.
#[test]
fn sentinel_after_unsafe_fixes_runs_on_live_redis() {
    let Some(live) = live() else { return };
    let source = root().join("tests/live").join(SENTINEL_1X);
    let package = Package::copy(&source, SENTINEL_1X);
    assert_before_fails(&live, &package, "sentinel_scenario.py");
    let fix = package.migrate(true);
    assert!(fix.stderr.contains("Fixed 1 file"), "{}", fix.show());
    let after = package.read("sentinel_1x.py");
    let changed = changed_lines(
        &std::fs::read_to_string(source.join("sentinel_1x.py")).unwrap(),
        &after,
    );
    for line in [
        "+import redis.asyncio as aioredis",
        "+    sentinel = aioredis.Sentinel([(\"127.0.0.1\", SENTINEL_PORT)], encoding=\"utf-8\", \
         decode_responses=True, sentinel_kwargs={\"socket_timeout\": 2})",
        "+    ok = await master.set(\"sentinel:key\", \"value\", ex=60)",
        "+    value = await master.get(\"sentinel:key\")",
        "+    await master.aclose()",
    ] {
        assert!(
            changed.iter().any(|changed| changed == line),
            "missing `{line}` in:\n{}",
            changed.join("\n")
        );
    }
    let check = package.redis_unify(&["check", "--select", "RU1", SENTINEL_1X]);
    assert_eq!(check.code, Some(0), "{}", check.show());

    let master = Server::start(&live.redis_server);
    let sentinel = Sentinel::start(&live.redis_server, &master);
    let mut command = Command::new(&live.python);
    command
        .arg(root().join("tests/live/sentinel_scenario.py"))
        .arg("run")
        .current_dir(package.project.path())
        .env("PYTHONPATH", package.dir())
        .env("SENTINEL_PORT", sentinel.port.to_string())
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .env("PYTHONUNBUFFERED", "1")
        .env_remove("PYTHONHOME");
    let run = run_bounded(command, SCENARIO_DEADLINE);
    assert!(run.success(), "{}", run.show());
    assert_lines(
        &run,
        &[
            "client module: redis.asyncio",
            "ok: create_sentinel -> Sentinel, master_for, set(expire=), decoded get",
            "ok: scenario finished",
        ],
    );
    assert!(master.answers());
}

/// Every `[reply_shapes]` entry of rules/aioredis-api.toml says what redis.asyncio
/// returns; tests/live/reply_shapes.py checks each against a live server with a
/// default client (and the `[printed_forms]`' redis-py reprs).
#[test]
fn reply_shapes_hold_for_redis_py_on_live_redis() {
    let Some(live) = live() else { return };
    let server = Server::start(&live.redis_server);
    let other = Server::start(&live.redis_server);
    let mut command = Command::new(&live.python);
    command
        .arg(root().join("tests/live/reply_shapes.py"))
        .arg(server.port.to_string())
        .arg(other.port.to_string())
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .env("PYTHONUNBUFFERED", "1")
        .env_remove("PYTHONHOME");
    let run = run_bounded(command, SCENARIO_DEADLINE);
    assert!(run.success(), "{}", run.show());
    let api: toml::Value =
        toml::from_str(&std::fs::read_to_string(root().join("rules/aioredis-api.toml")).unwrap())
            .unwrap();
    let commands = api["reply_shapes"].as_table().unwrap();
    assert!(commands.len() >= 20);
    for command in commands.keys().map(String::as_str).chain(["repr"]) {
        assert!(
            run.stdout
                .lines()
                .any(|line| line == format!("ok: {command}")),
            "{command} is not checked live:\n{}",
            run.show()
        );
    }
}
