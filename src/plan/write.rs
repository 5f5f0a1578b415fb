//! `plan --write`: the phases into the configuration, as
//! `[[tool.redis-unify.phases]]` (or `[[phases]]` in `redis-unify.toml`), with
//! `toml_edit` so that the rest of the file keeps its formatting and comments.

use std::path::{Path, PathBuf};

use toml_edit::{Array, ArrayOfTables, DocumentMut, Item, Table, Value};

use super::Plan;
use super::policy::PHASE_NAMES;

/// Where the phases go: the configuration in use; else the project root's
/// `pyproject.toml` (a `[tool.redis-unify]` section is added); else a new
/// `redis-unify.toml` there.
pub fn target(config_path: Option<&Path>, project_root: &Path) -> PathBuf {
    if let Some(path) = config_path {
        return path.to_path_buf();
    }
    let pyproject = project_root.join("pyproject.toml");
    if pyproject.is_file() {
        pyproject
    } else {
        project_root.join("redis-unify.toml")
    }
}

/// Phases as saved: each one's name and path globs, in order.
pub type SavedPhases = Vec<(String, Vec<String>)>;

/// The phases `plan --write` writes for `plan`: name and escaped path globs.
pub fn planned_phases(plan: &Plan) -> SavedPhases {
    PHASE_NAMES
        .iter()
        .enumerate()
        .map(|(index, name)| {
            let number = index as u8 + 1;
            let paths = plan
                .files
                .iter()
                .filter(|f| f.phase == number)
                .map(|f| globset::escape(&f.path))
                .collect();
            (name.to_string(), paths)
        })
        .collect()
}

/// The phases the configuration text holds (`None`: it has none).
pub fn existing_phases(text: &str, is_pyproject: bool) -> Result<Option<SavedPhases>, String> {
    let document: DocumentMut = text
        .parse()
        .map_err(|e: toml_edit::TomlError| e.to_string())?;
    let section = if is_pyproject {
        document
            .get("tool")
            .and_then(|tool| tool.get("redis-unify"))
    } else {
        Some(document.as_item())
    };
    let Some(phases) = section.and_then(|s| s.get("phases")) else {
        return Ok(None);
    };
    let Some(phases) = phases.as_array_of_tables() else {
        return Err("`phases` is not an array of tables ([[phases]])".to_string());
    };
    Ok(Some(
        phases
            .iter()
            .map(|table| {
                let name = table
                    .get("name")
                    .and_then(|n| n.as_str())
                    .unwrap_or_default()
                    .to_string();
                let paths = table
                    .get("paths")
                    .and_then(|p| p.as_array())
                    .map(|paths| {
                        paths
                            .iter()
                            .filter_map(|p| p.as_str().map(str::to_string))
                            .collect()
                    })
                    .unwrap_or_default();
                (name, paths)
            })
            .collect(),
    ))
}

/// How the saved phases differ from the planned ones, one line each.
pub fn differences(
    existing: &[(String, Vec<String>)],
    planned: &[(String, Vec<String>)],
) -> Vec<String> {
    let mut lines = Vec::new();
    if existing.len() != planned.len() {
        lines.push(format!(
            "{} phases saved, {} planned",
            existing.len(),
            planned.len()
        ));
    }
    for (index, (name, paths)) in existing.iter().enumerate() {
        let Some((planned_name, planned_paths)) = planned.get(index) else {
            lines.push(format!("phase {} `{name}` is not in the plan", index + 1));
            continue;
        };
        if name != planned_name {
            lines.push(format!(
                "phase {} is named `{name}`, the plan names it `{planned_name}`",
                index + 1
            ));
        }
        for path in paths.iter().filter(|p| !planned_paths.contains(p)) {
            lines.push(format!(
                "phase {} `{name}` lists `{path}`, which the plan does not put there",
                index + 1
            ));
        }
        for path in planned_paths.iter().filter(|p| !paths.contains(p)) {
            lines.push(format!(
                "the plan puts `{path}` in phase {}, which does not list it",
                index + 1
            ));
        }
    }
    lines
}

/// `text` (the configuration file, possibly empty) with the plan's phases,
/// replacing any phases it had. `paths` are relative to the file's folder.
pub fn with_phases(text: &str, is_pyproject: bool, plan: &Plan) -> Result<String, String> {
    let mut document: DocumentMut = text
        .parse()
        .map_err(|e: toml_edit::TomlError| e.to_string())?;
    let mut phases = ArrayOfTables::new();
    for (name, planned_paths) in planned_phases(plan) {
        let mut paths = Array::new();
        for path in planned_paths {
            let mut value = Value::from(path);
            value.decor_mut().set_prefix("\n    ");
            paths.push_formatted(value);
        }
        if !paths.is_empty() {
            paths.set_trailing("\n");
            paths.set_trailing_comma(true);
        }
        let mut table = Table::new();
        table.insert("name", Item::Value(Value::from(name)));
        table.insert("paths", Item::Value(Value::Array(paths)));
        phases.push(table);
    }
    let section: &mut Table = if is_pyproject {
        let tool = document
            .entry("tool")
            .or_insert_with(|| {
                let mut table = Table::new();
                table.set_implicit(true);
                Item::Table(table)
            })
            .as_table_mut()
            .ok_or("`tool` is not a table")?;
        tool.entry("redis-unify")
            .or_insert_with(|| Item::Table(Table::new()))
            .as_table_mut()
            .ok_or("`tool.redis-unify` is not a table")?
    } else {
        document.as_table_mut()
    };
    section.insert("phases", Item::ArrayOfTables(phases));
    Ok(document.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::policy::Counts;
    use crate::plan::{PlannedFile, Uses};

    fn plan() -> Plan {
        let file = |path: &str, phase: u8| PlannedFile {
            path: path.to_string(),
            phase,
            reasons: Vec::new(),
            findings: Counts::default(),
            safety_findings: 0,
            fan_in: 0,
            test_file: false,
            uses: Uses::default(),
        };
        Plan {
            files: vec![
                file("app/a.py", 1),
                file("app/[x].py", 1),
                file("app/cache.py", 4),
            ],
            dependencies: Vec::new(),
            python_files: 3,
            target_redis_version: None,
            notes: Vec::new(),
            verify: Vec::new(),
            saved: Default::default(),
            config_target: String::new(),
            run_from: None,
        }
    }

    #[test]
    fn keeps_the_rest_of_pyproject() {
        let text = "# the project\n[project]\nname = \"x\"  # keep me\n\n[tool.redis-unify]\nignore = [\"RU207\"]  # why\n\n[tool.other]\na = 1\n";
        let written = with_phases(text, true, &plan()).unwrap();
        assert!(written.starts_with("# the project\n[project]\nname = \"x\"  # keep me\n"));
        assert!(written.contains("ignore = [\"RU207\"]  # why\n"));
        assert!(written.contains("[tool.other]\na = 1\n"));
        assert!(written.contains(
            "[[tool.redis-unify.phases]]\nname = \"low-risk\"\npaths = [\n    \"app/a.py\",\n    \"app/[[]x[]].py\",\n]\n"
        ), "{written}");
        assert!(written.contains("name = \"mechanical\"\npaths = []\n"));
        // Writing again replaces the phases.
        let again = with_phases(&written, true, &plan()).unwrap();
        assert_eq!(again, written);
        let parsed: toml::Table = toml::from_str(&written).unwrap();
        assert_eq!(
            parsed["tool"]["redis-unify"]["phases"]
                .as_array()
                .unwrap()
                .len(),
            4
        );
    }

    #[test]
    fn top_level_in_redis_unify_toml() {
        let written = with_phases("select = [\"RU1\"]\n", false, &plan()).unwrap();
        assert!(written.starts_with("select = [\"RU1\"]\n"));
        assert!(
            written
                .contains("[[phases]]\nname = \"critical\"\npaths = [\n    \"app/cache.py\",\n]\n")
        );
    }
}
