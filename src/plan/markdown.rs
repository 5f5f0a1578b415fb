//! The plan as Markdown: a summary, phase 0 (the dependency manifests), then
//! one table per phase with the counts, the fan-in and the reasons, and the
//! command that fixes the phase.

use std::io::{self, Write};

use super::policy::{HIGH_FAN_IN, PHASE_NAMES};
use super::{Plan, Saved};
use crate::shell::shell_word;

const PHASE_TITLES: [&str; 4] = ["low risk", "mechanical", "manual", "critical"];

const PHASE_POLICIES: [&str; 4] = [
    "Every finding has a safe fix (imports of aioredis 2.x names, annotation-only uses), or the file is a test file whose findings are all fixable; and the modules these files import, as far as a safe fix makes them importable.",
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
    if let Some(folder) = &plan.run_from {
        writeln!(
            out,
            "Run the commands of this plan in the project's folder: `cd {}`.",
            shell_word(folder)
        )?;
        writeln!(out)?;
    }
    for note in &plan.notes {
        writeln!(out, "{note}")?;
        writeln!(out)?;
    }
    match &plan.saved {
        Saved::Nothing => {
            writeln!(
                out,
                "Run the commands below in order. First save the phases in the configuration (`fix --phase N` fixes the files a saved phase lists, staged or not):"
            )?;
            writeln!(out)?;
            writeln!(out, "```sh")?;
            writeln!(out, "redis-unify plan --write")?;
            writeln!(out, "{}", commit_plan_command(&plan.config_target))?;
            writeln!(out, "```")?;
            writeln!(out)?;
            writeln!(
                out,
                "(`--commit` below commits each phase's files whole: the saved plan is committed first so that no phase's commit carries it.)"
            )?;
        }
        Saved::Same(path) => writeln!(
            out,
            "The phases below are saved in `{path}`: run the commands below in order (`fix --phase N` fixes the files a saved phase lists, staged or not)."
        )?,
        Saved::Different(path) => writeln!(
            out,
            "`{path}` holds phases that differ from this plan (edited by hand, or saved before part of the migration was done): `fix --phase N` fixes the files of the saved phase N, not of the table below. `redis-unify plan --write --force` replaces them with this plan."
        )?,
    }
    writeln!(out)?;
    writeln!(
        out,
        "Each phase's command fixes the phase, imports every module it changed in a fresh interpreter (`--verify-imports`, printed where no file the phase changes still imports aioredis after it), runs your tests (`--verify`), rolls the phase back when either fails, and commits the phase's files as one commit when both pass (`--commit`; it refuses when other changes are staged). On Python 3.11 a module that runs `import aioredis` cannot be imported, so a module that others import comes no later than they do, and each phase says which files its tests still cannot import.\n\nColumns: the migration findings (RU0xx, RU1xx) with a safe fix, with only an unsafe fix, and with none (manual) decide the phase; `safety` counts the client-safety findings (RU2xx), which need fixing with or without the migration; `fan-in` is how many other project modules import the file (central from {HIGH_FAN_IN} on)."
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
        writeln!(out)?;
        let fixable = plan.dependencies.iter().any(|d| d.fix != "none");
        if fixable {
            writeln!(
                out,
                "The fixes require `redis>=5.0.1` (with `aclose()`, and past both CVE windows) and remove aioredis; each is unsafe (a new major version of a dependency), so review the diff. Phase 0 changes only the manifests: verify it with the command that installs them (`pip install -r requirements.txt`, `poetry lock`, …). Your tests can run from phase 1 on, once the modules they import no longer import aioredis."
            )?;
            writeln!(out)?;
            writeln!(out, "```sh")?;
            writeln!(out, "{}", super::DEPENDENCIES_COMMAND)?;
            writeln!(out, "```")?;
        } else {
            writeln!(
                out,
                "None of these has a fix: change the requirements by hand (`redis>=5.0.1`)."
            )?;
        }
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
        if !super::phase_has_fixes(&plan.files, phase) {
            writeln!(
                out,
                "No fix applies to this phase's files before their hand changes: `redis-unify check FILE` shows each finding with what to write instead. Make them, then run `redis-unify plan` again: the aioredis 1.x rewrites of a file (unsafe fixes) apply once every 1.x use in it has one."
            )?;
            writeln!(out)?;
            write_verify(out, plan, phase)?;
            continue;
        }
        writeln!(out, "```sh")?;
        writeln!(out, "{}", super::phase_command(plan, phase))?;
        writeln!(out, "```")?;
        if phase >= 3 || files.iter().any(|f| f.findings.manual > 0) {
            writeln!(out)?;
            writeln!(
                out,
                "The fix applies what can be fixed; `redis-unify check FILE` shows each remaining finding with what to write instead."
            )?;
        }
        writeln!(out)?;
        write_verify(out, plan, phase)?;
    }
    write_checklist(out, plan)
}

/// A Markdown task list of the steps, to paste into a tracking issue or pull request.
fn write_checklist(out: &mut dyn Write, plan: &Plan) -> io::Result<()> {
    writeln!(out)?;
    writeln!(out, "## Checklist")?;
    writeln!(out)?;
    if matches!(plan.saved, Saved::Nothing) {
        writeln!(
            out,
            "- [ ] Save the phases: `redis-unify plan --write`, then `{}`",
            commit_plan_command(&plan.config_target)
        )?;
    }
    if plan.dependencies.iter().any(|d| d.fix != "none") {
        writeln!(
            out,
            "- [ ] Phase 0 (dependencies): `{}`",
            super::DEPENDENCIES_COMMAND
        )?;
    } else if !plan.dependencies.is_empty() {
        writeln!(
            out,
            "- [ ] Phase 0 (dependencies): change the requirements by hand (`redis>=5.0.1`)"
        )?;
    }
    for phase in 1..=4u8 {
        let files = plan.files.iter().filter(|f| f.phase == phase).count();
        if files == 0 {
            continue;
        }
        let index = usize::from(phase - 1);
        if super::phase_has_fixes(&plan.files, phase) {
            writeln!(
                out,
                "- [ ] Phase {phase} ({}, {files} {}): `{}`",
                PHASE_NAMES[index],
                if files == 1 { "file" } else { "files" },
                super::phase_command(plan, phase)
            )?;
        }
        let by_hand: Vec<&super::PlannedFile> = plan
            .files
            .iter()
            .filter(|f| f.phase == phase && f.findings.manual > 0)
            .collect();
        let manual: usize = by_hand.iter().map(|f| f.findings.manual).sum();
        if manual > 0 {
            let paths: Vec<String> = by_hand.iter().map(|f| shell_word(&f.path)).collect();
            writeln!(
                out,
                "- [ ] Phase {phase}: {} (`redis-unify check {}` lists {})",
                if manual == 1 {
                    "the 1 finding that needs a hand change".to_string()
                } else {
                    format!("the {manual} findings that need a hand change")
                },
                paths.join(" "),
                if manual == 1 { "it" } else { "them" }
            )?;
        }
    }
    Ok(())
}

/// What the phase's `--verify` can be expected to cover.
fn write_verify(out: &mut dyn Write, plan: &Plan, phase: u8) -> io::Result<()> {
    let Some(verify) = plan.verify.iter().find(|v| v.phase == phase) else {
        return Ok(());
    };
    let blocked = &verify.still_importing_aioredis;
    if blocked.is_empty() {
        return writeln!(
            out,
            "What `--verify` covers: after this phase no Python file runs an aioredis import when it is imported; the whole test suite can run."
        );
    }
    let shown: Vec<String> = blocked
        .iter()
        .take(8)
        .map(|b| {
            let until = match b.until_phase {
                Some(until) => format!("until phase {until}"),
                None => "until a hand change".to_string(),
            };
            if b.through == b.path {
                format!("`{}` ({until})", b.path)
            } else {
                format!("`{}` (through `{}`, {until})", b.path, b.through)
            }
        })
        .collect();
    let more = blocked.len().saturating_sub(8);
    writeln!(
        out,
        "What `--verify` covers: after this phase {} Python {} still {} an aioredis import when imported (on Python 3.11 it fails), so tests that import {} fail whatever this phase does: {}{}. Point `--verify` at the tests that do not (for example with pytest's `--ignore`/`-k`).",
        blocked.len(),
        if blocked.len() == 1 { "file" } else { "files" },
        if blocked.len() == 1 { "runs" } else { "run" },
        if blocked.len() == 1 { "it" } else { "them" },
        shown.join(", "),
        if more > 0 {
            format!(" and {more} more")
        } else {
            String::new()
        }
    )
}

/// Text for a table cell: `|` escaped, on one line.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

/// The git command that commits the saved plan (and nothing else).
fn commit_plan_command(config: &str) -> String {
    let config = shell_word(config);
    format!("git add {config} && git commit -m \"redis-unify: the migration plan\" -- {config}")
}
