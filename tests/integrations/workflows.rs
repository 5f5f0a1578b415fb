//! The GitHub Actions files and the pre-commit manifest pass their linters
//! (actionlint, the action/workflow schemas, pre-commit validate-manifest):
//! scripts/lint-workflows.sh, which skips a missing tool with a message, or
//! fails on it when CI=true.

use std::process::Command;

#[test]
fn workflows_action_and_hook_manifest_pass_their_linters() {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/lint-workflows.sh");
    let output = Command::new("bash")
        .arg(script)
        .output()
        .expect("bash runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    eprintln!("{text}");
    assert!(output.status.success(), "lint-workflows.sh failed:\n{text}");
}
