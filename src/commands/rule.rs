//! `redis-unify rule CODE` and `redis-unify rule --all`.

use std::io::Write;

use serde::Serialize;

use super::ExitStatus;
use crate::catalog::FixAvailability;
use crate::cli::{RuleArgs, RuleFormat};
use crate::error::Error;
use crate::rules::Rule;

#[derive(Serialize)]
struct RuleJson {
    code: &'static str,
    name: &'static str,
    summary: &'static str,
    default: bool,
    fix: FixAvailability,
    explanation: &'static str,
    url: String,
}

fn to_json(rule: Rule) -> RuleJson {
    let info = rule.info();
    RuleJson {
        code: rule.code(),
        name: &info.name,
        summary: &info.summary,
        default: info.default,
        fix: info.fix,
        explanation: rule.doc(),
        url: rule.url(),
    }
}

pub fn run(args: &RuleArgs, out: &mut dyn Write) -> Result<ExitStatus, Error> {
    let io_error = |e: std::io::Error| Error::Usage(format!("cannot write the output: {e}"));
    if args.all {
        match args.output_format {
            RuleFormat::Json => {
                let all: Vec<RuleJson> = Rule::ALL.iter().map(|r| to_json(*r)).collect();
                serde_json::to_writer_pretty(&mut *out, &all).map_err(|e| io_error(e.into()))?;
                writeln!(out).map_err(io_error)?;
            }
            RuleFormat::Text => {
                let width = Rule::ALL
                    .iter()
                    .map(|r| r.info().name.len())
                    .max()
                    .unwrap_or(0);
                for rule in Rule::ALL {
                    let info = rule.info();
                    let default = if info.default { "on " } else { "off" };
                    writeln!(
                        out,
                        "{}  {default}  {:<width$}  {}",
                        rule.code(),
                        info.name,
                        info.summary
                    )
                    .map_err(io_error)?;
                }
                writeln!(
                    out,
                    "\n`on`: enabled by default; the others need --select ALL or their code."
                )
                .map_err(io_error)?;
            }
        }
        return Ok(ExitStatus::Success);
    }
    let code = args.code.as_deref().unwrap_or_default();
    let rule = Rule::from_code(code.trim()).ok_or_else(|| {
        Error::Usage(format!(
            "unknown rule `{code}`; `redis-unify rule --all` lists the rules"
        ))
    })?;
    match args.output_format {
        RuleFormat::Json => {
            serde_json::to_writer_pretty(&mut *out, &to_json(rule))
                .map_err(|e| io_error(e.into()))?;
            writeln!(out).map_err(io_error)?;
        }
        RuleFormat::Text => {
            let info = rule.info();
            let fix = match info.fix {
                FixAvailability::None => "No fix is available.",
                FixAvailability::Sometimes => "A fix is sometimes available.",
                FixAvailability::Always => "A fix is always available.",
            };
            let default = if info.default {
                "Enabled by default."
            } else {
                "Not enabled by default: select it with `--select ALL` or its code."
            };
            writeln!(
                out,
                "# {} ({})\n\n{}\n\n{default} {fix}\n\n{}",
                info.name,
                rule.code(),
                info.summary,
                rule.doc()
            )
            .map_err(io_error)?;
        }
    }
    Ok(ExitStatus::Success)
}
