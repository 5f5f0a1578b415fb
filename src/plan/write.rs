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

/// `text` (the configuration file, possibly empty) with the plan's phases,
/// replacing any phases it had. `paths` are relative to the file's folder.
pub fn with_phases(text: &str, is_pyproject: bool, plan: &Plan) -> Result<String, String> {
    let mut document: DocumentMut = text
        .parse()
        .map_err(|e: toml_edit::TomlError| e.to_string())?;
    let mut phases = ArrayOfTables::new();
    for (index, name) in PHASE_NAMES.iter().enumerate() {
        let number = index as u8 + 1;
        let mut paths = Array::new();
        for file in plan.files.iter().filter(|f| f.phase == number) {
            let mut value = Value::from(globset::escape(&file.path));
            value.decor_mut().set_prefix("\n    ");
            paths.push_formatted(value);
        }
        if !paths.is_empty() {
            paths.set_trailing("\n");
            paths.set_trailing_comma(true);
        }
        let mut table = Table::new();
        table.insert("name", Item::Value(Value::from(*name)));
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
