//! The plan as Markdown: a summary, phase 0 (the dependency manifests), then
//! one table per phase with the counts, the fan-in and the reasons, and the
//! command that fixes the phase.

use std::io::{self, Write};

use super::Plan;
use super::policy::{HIGH_FAN_IN, PHASE_NAMES};

const PHASE_TITLES: [&str; 4] = ["low risk", "mechanical", "manual", "critical"];

const PHASE_POLICIES: [&str; 4] = [
    "Every finding has a safe fix (imports of aioredis 2.x names, annotation-only uses), or the file is a test file whose findings are all fixable.",
    "Every finding is fixable, some only with unsafe fixes: review the diff before committing.",
    "Some findings need a hand change (aioredis 1.x API, pub/sub `Channel`, `multi_exec`, …), in modules few others import.",
    "Some findings need a hand change, in central modules: imported by many others, or with a cache, session, lock, queue or pub/sub role. Migrate them last, with the most care.",
];

pub fn write(out: &mut dyn Write, plan: &Plan) -> io::Result<()> {
    writeln!(out, "# Migration plan: aioredis → redis.asyncio")?;
    writeln!(out)?;
    let count = |phase: u8| plan.files.iter().filter(|f| f.phase == phase).count();
    writeln!(
        out,
        "{} Python {} read; {} {} aioredis: {}.",
        plan.python_files,
        if plan.python_files == 1 {
            "file"
        } else {
            "files"
        },
        plan.files.len(),
        if plan.files.len() == 1 { "uses" } else { "use" },
        (1..=4)
            .map(|p| format!("phase {p}: {}", count(p)))
            .collect::<Vec<_>>()
            .join(", ")
    )?;
    writeln!(
        out,
        "Dependency manifests: {} {} (phase 0).",
        plan.dependencies.len(),
        if plan.dependencies.len() == 1 {
            "finding"
        } else {
            "findings"
        }
    )?;
    writeln!(out)?;
    writeln!(
        out,
        "Save the phases in the configuration with `redis-unify plan --write`; `redis-unify fix --phase N` then fixes one phase at a time. Run the tests after each phase.\n\nColumns: the migration findings (RU0xx, RU1xx) with a safe fix, with only an unsafe fix, and with none (manual) decide the phase; `safety` counts the client-safety findings (RU2xx), which need fixing with or without the migration; `fan-in` is how many other project modules import the file (central from {HIGH_FAN_IN} on)."
    )?;
    writeln!(out)?;

    writeln!(out, "## Phase 0: dependencies")?;
    writeln!(out)?;
    if plan.dependencies.is_empty() {
        writeln!(out, "No findings in the dependency manifests.")?;
    } else {
        writeln!(out, "| manifest | line | rule | fix | finding |")?;
        writeln!(out, "|---|--:|---|---|---|")?;
        for finding in &plan.dependencies {
            writeln!(
                out,
                "| `{}` | {} | {} | {} | {} |",
                finding.path,
                finding.line,
                finding.code,
                finding.fix,
                cell(&finding.message)
            )?;
        }
        let mut manifests: Vec<&str> = plan.dependencies.iter().map(|d| d.path.as_str()).collect();
        manifests.dedup();
        writeln!(out)?;
        writeln!(
            out,
            "Change the dependencies together with phase 1 (the code needs `redis>=5.0.1` installed); the fixable ones with:"
        )?;
        writeln!(out)?;
        writeln!(out, "```sh")?;
        writeln!(
            out,
            "redis-unify fix --unsafe-fixes {}",
            manifests.join(" ")
        )?;
        writeln!(out, "```")?;
    }

    for phase in 1..=4u8 {
        let files: Vec<_> = plan.files.iter().filter(|f| f.phase == phase).collect();
        let index = usize::from(phase - 1);
        writeln!(out)?;
        writeln!(
            out,
            "## Phase {phase}: {} ({}) — {} {}",
            PHASE_TITLES[index],
            PHASE_NAMES[index],
            files.len(),
            if files.len() == 1 { "file" } else { "files" }
        )?;
        writeln!(out)?;
        writeln!(out, "{}", PHASE_POLICIES[index])?;
        writeln!(out)?;
        if files.is_empty() {
            writeln!(out, "No files.")?;
            continue;
        }
        writeln!(
            out,
            "| file | safe | unsafe | manual | safety | fan-in | reasons |"
        )?;
        writeln!(out, "|---|--:|--:|--:|--:|--:|---|")?;
        for file in &files {
            writeln!(
                out,
                "| `{}`{} | {} | {} | {} | {} | {} | {} |",
                file.path,
                if file.test_file { " (test)" } else { "" },
                file.findings.safe,
                file.findings.r#unsafe,
                file.findings.manual,
                file.safety_findings,
                file.fan_in,
                cell(&file.reasons.join("; "))
            )?;
        }
        writeln!(out)?;
        let unsafe_fixes = files.iter().any(|f| f.findings.r#unsafe > 0);
        writeln!(out, "```sh")?;
        writeln!(
            out,
            "redis-unify fix --phase {phase}{} --verify \"<your test command>\"",
            if unsafe_fixes { " --unsafe-fixes" } else { "" }
        )?;
        writeln!(out, "```")?;
        if phase >= 3 {
            writeln!(out)?;
            writeln!(
                out,
                "The fix applies what can be fixed; `redis-unify check FILE` shows each remaining finding with what to write instead."
            )?;
        }
    }
    Ok(())
}

/// Text for a table cell: `|` escaped, on one line.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}
