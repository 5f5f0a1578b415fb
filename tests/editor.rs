//! A real editor as the client: Neovim, headless, attaches `redis-unify
//! server` to a file of the example service, edits the buffer without
//! saving, and writes down the diagnostics it received. They must be the
//! findings `check --stdin-filename` reports for the same text.
//!
//! Needs `nvim` (Debian's `neovim`, 0.7 or later); without it the test says
//! `skipped`, unless `REDIS_UNIFY_REQUIRE_NEOVIM` is set (as `.ci/run` does).

mod common;

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use common::Project;

/// Runs in Neovim once the file is loaded. Neovim 0.7's API (Debian 12):
/// `vim.lsp.start_client` + `buf_attach_client`.
const SCRIPT: &str = r#"
local bin, root, out, expected = os.getenv("RU_BIN"), os.getenv("RU_ROOT"), os.getenv("RU_OUT"), tonumber(os.getenv("RU_EXPECTED"))
local client = vim.lsp.start_client({ name = "redis-unify", cmd = { bin, "server" }, root_dir = root })
vim.lsp.buf_attach_client(0, client)
-- An unsaved edit: a new first line the file on disk does not have.
vim.api.nvim_buf_set_lines(0, 0, 0, false, { "import aioredis.client  # é" })
local function found()
  local lines = {}
  for _, d in ipairs(vim.diagnostic.get(0)) do
    local code = d.code or (d.user_data and d.user_data.lsp and d.user_data.lsp.code)
    table.insert(lines, string.format("%s %d:%d", code, d.lnum + 1, d.col + 1))
  end
  table.sort(lines)
  return lines
end
-- A failsafe only: the test compares what was received, whatever the time.
vim.wait(120000, function()
  local lines = found()
  for _, line in ipairs(lines) do
    if line:match("^RU100 1:") then return #lines == expected end
  end
  return false
end, 20)
local file = io.open(out, "w")
file:write(table.concat(found(), "\n"))
file:close()
vim.lsp.stop_client(client)
vim.cmd("qa!")
"#;

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap().flatten() {
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

#[test]
fn neovim_receives_the_findings_of_the_unsaved_buffer() {
    let has_nvim = Command::new("nvim")
        .arg("--version")
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !has_nvim {
        assert!(
            std::env::var_os("REDIS_UNIFY_REQUIRE_NEOVIM").is_none(),
            "REDIS_UNIFY_REQUIRE_NEOVIM is set but nvim is missing (apt-get install neovim)"
        );
        eprintln!("skipped: nvim is not installed (Debian: apt-get install neovim)");
        return;
    }
    let project = Project::new();
    let service = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/service");
    copy_tree(&service, project.path());
    let file = "app/legacy/sessions.py";
    let on_disk = std::fs::read_to_string(project.path().join(file)).unwrap();
    let buffer = format!("import aioredis.client  # é\n{on_disk}");

    // What the CLI finds in the buffer's text, as `row:col` (1-based; the
    // file is ASCII but for the new first line's comment, after the finding).
    let mut cli = Command::new(env!("CARGO_BIN_EXE_redis-unify"))
        .args([
            "check",
            "--output-format",
            "concise",
            "--stdin-filename",
            file,
        ])
        .current_dir(project.path())
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    cli.stdin
        .take()
        .unwrap()
        .write_all(buffer.as_bytes())
        .unwrap();
    let output = cli.wait_with_output().unwrap();
    let mut expected: Vec<String> = String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| {
            let (location, rest) = line.split_once(": ")?;
            let code = rest.split(' ').next()?;
            let mut parts = location.rsplitn(3, ':');
            let col = parts.next()?;
            let row = parts.next()?;
            Some(format!("{code} {row}:{col}"))
        })
        .collect();
    expected.sort();
    assert!(
        expected.iter().any(|f| f.starts_with("RU100 1:")),
        "{expected:?}"
    );
    assert!(expected.len() > 5, "{expected:?}");

    let script = project.path().join("attach.lua");
    std::fs::write(&script, SCRIPT).unwrap();
    let out = project.path().join("received.txt");
    let status = Command::new("nvim")
        .args(["--headless", "--clean", "-n", file, "-c"])
        .arg(format!("luafile {}", script.display()))
        .current_dir(project.path())
        .env("RU_BIN", env!("CARGO_BIN_EXE_redis-unify"))
        .env("RU_ROOT", project.path())
        .env("RU_OUT", &out)
        .env("RU_EXPECTED", expected.len().to_string())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
    let received = std::fs::read_to_string(&out).unwrap();
    let received: Vec<&str> = received.lines().collect();
    assert_eq!(received, expected);
    // The file on disk was never written.
    assert_eq!(
        std::fs::read_to_string(project.path().join(file)).unwrap(),
        on_disk
    );
}
