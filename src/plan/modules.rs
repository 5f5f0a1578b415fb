//! The project's own modules: each Python file's dotted module name(s), from
//! its path, and how many other files import it (its fan-in).
//!
//! A file's name is found three ways, since projects lay out their code
//! differently: up its chain of packages (folders with `__init__.py`: what
//! Python itself resolves, whatever folder holds the top package — plain
//! layout, `src/` layout, several projects side by side), from the project
//! root, and from a `src/` folder (namespace packages without `__init__.py`).

use std::collections::{BTreeMap, BTreeSet, HashSet};

use crate::python::imports::Import;

/// One Python file of the project, for the import graph.
pub struct ModuleFile {
    /// Relative to the project root, `/`-separated.
    pub relative: String,
    pub imports: Vec<Import>,
}

/// Module names by relative path, and fan-in by relative path.
pub struct Graph {
    /// The package-chain name of each file (what its relative imports start from).
    names: BTreeMap<String, String>,
    /// Importers of each file (relative paths).
    importers: BTreeMap<String, BTreeSet<String>>,
    /// The project files each file imports (relative paths).
    imported: BTreeMap<String, BTreeSet<String>>,
}

impl Graph {
    /// `packages`: the folders (relative, `/`-separated, `""` for the root)
    /// that hold an `__init__.py`.
    pub fn build(files: &[ModuleFile], packages: &HashSet<String>) -> Graph {
        let mut by_name: BTreeMap<String, String> = BTreeMap::new();
        let mut names = BTreeMap::new();
        for file in files {
            let candidates = module_names(&file.relative, packages);
            if let Some(first) = candidates.first() {
                names.insert(file.relative.clone(), first.clone());
            }
            for name in candidates {
                by_name.entry(name).or_insert_with(|| file.relative.clone());
            }
        }
        let mut importers: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        let mut forward: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for file in files {
            let own = names.get(&file.relative).cloned().unwrap_or_default();
            let is_package = file.relative.ends_with("/__init__.py")
                || file.relative == "__init__.py"
                || file.relative.ends_with("/__init__.pyi");
            for import in &file.imports {
                for target in absolute_targets(import, &own, is_package) {
                    if let Some(imported) = longest_known(&target, &by_name)
                        && *imported != file.relative
                    {
                        importers
                            .entry(imported.clone())
                            .or_default()
                            .insert(file.relative.clone());
                        forward
                            .entry(file.relative.clone())
                            .or_default()
                            .insert(imported.clone());
                    }
                }
            }
        }
        Graph {
            names,
            importers,
            imported: forward,
        }
    }

    /// The graph of what runs when a module is imported: its imports, and the
    /// `__init__.py` of each package above it (Python runs those first).
    pub fn build_import_time(files: &[ModuleFile], packages: &HashSet<String>) -> Graph {
        let mut graph = Graph::build(files, packages);
        let known: HashSet<&str> = files.iter().map(|f| f.relative.as_str()).collect();
        for file in files {
            let mut folder = file.relative.as_str();
            while let Some((parent, _)) = folder.rsplit_once('/') {
                folder = parent;
                if !packages.contains(parent) {
                    break;
                }
                let init = format!("{parent}/__init__.py");
                if init != file.relative && known.contains(init.as_str()) {
                    graph
                        .imported
                        .entry(file.relative.clone())
                        .or_default()
                        .insert(init.clone());
                    graph
                        .importers
                        .entry(init)
                        .or_default()
                        .insert(file.relative.clone());
                }
            }
        }
        graph
    }

    /// Every project file that imports `relative`, directly or through others.
    pub fn importers_closure(&self, relative: &str) -> BTreeSet<String> {
        let mut seen = BTreeSet::new();
        let mut stack = vec![relative.to_string()];
        while let Some(file) = stack.pop() {
            for next in self.importers.get(&file).into_iter().flatten() {
                if next != relative && seen.insert(next.clone()) {
                    stack.push(next.clone());
                }
            }
        }
        seen
    }

    /// Every project file `relative` imports, directly or through others
    /// (Python runs the whole chain when the file is imported), in path order.
    pub fn imports_closure(&self, relative: &str) -> BTreeSet<String> {
        let mut seen = BTreeSet::new();
        let mut stack = vec![relative.to_string()];
        while let Some(file) = stack.pop() {
            for next in self.imported.get(&file).into_iter().flatten() {
                if next != relative && seen.insert(next.clone()) {
                    stack.push(next.clone());
                }
            }
        }
        seen
    }

    /// How many other project files import this one.
    pub fn fan_in(&self, relative: &str) -> usize {
        self.importers.get(relative).map_or(0, BTreeSet::len)
    }

    /// The dotted module name of a file (its package chain).
    pub fn name(&self, relative: &str) -> Option<&str> {
        self.names.get(relative).map(String::as_str)
    }
}

/// The names a file may be imported by, the package-chain name first.
pub fn module_names(relative: &str, packages: &HashSet<String>) -> Vec<String> {
    let Some(stem) = relative
        .strip_suffix(".py")
        .or_else(|| relative.strip_suffix(".pyi"))
    else {
        return Vec::new();
    };
    let mut parts: Vec<&str> = stem.split('/').collect();
    if parts.last() == Some(&"__init__") {
        parts.pop();
    }
    if parts.is_empty() {
        return Vec::new();
    }
    let mut names = Vec::new();
    // Up the package chain: keep a folder while it holds an `__init__.py`.
    let folders = &parts[..parts.len() - 1];
    let mut top = folders.len();
    while top > 0 && packages.contains(&folders[..top].join("/")) {
        top -= 1;
    }
    let chain = &parts[top..];
    if !chain.is_empty() {
        names.push(chain.join("."));
    }
    names.push(parts.join("."));
    if parts.first() == Some(&"src") && parts.len() > 1 {
        names.push(parts[1..].join("."));
    }
    let mut seen = HashSet::new();
    names.retain(|name| seen.insert(name.clone()));
    names
}

/// The first part of [`module_names`]'s first name (`app` for `app/db/pool.py`
/// in package `app`), without building the names: the project index keeps it
/// for every file of the project.
pub fn module_root<'a>(relative: &'a str, packages: &HashSet<String>) -> Option<&'a str> {
    module_root_from(relative, |folder| package_chain_start(folder, packages))
}

/// [`module_root`], with [`package_chain_start`] of the file's folder (which
/// a caller may keep for the files of one folder).
pub fn module_root_from<'a>(
    relative: &'a str,
    chain_start: impl FnOnce(&'a str) -> usize,
) -> Option<&'a str> {
    let stem = relative
        .strip_suffix(".py")
        .or_else(|| relative.strip_suffix(".pyi"))?;
    if stem == "__init__" {
        return None;
    }
    let stem = stem.strip_suffix("/__init__").unwrap_or(stem);
    // Byte searches: this runs for every file of the project.
    let folder = match stem.bytes().rposition(|byte| byte == b'/') {
        Some(slash) => &stem[..slash],
        None => "",
    };
    let rest = &stem[chain_start(folder).min(stem.len())..];
    let root = match rest.bytes().position(|byte| byte == b'/') {
        Some(slash) => &rest[..slash],
        None => rest,
    };
    (!root.is_empty()).then_some(root)
}

/// Where, in a file's path, the package chain of its folder begins (the
/// outermost folder that, with every folder below it, holds an
/// `__init__.py`); past the folder when it is no package.
pub fn package_chain_start(folder: &str, packages: &HashSet<String>) -> usize {
    if folder.is_empty() {
        return 0;
    }
    // The ends of the folder's prefixes (`a`, `a/b`, `a/b/c`), outermost first.
    let mut ends: Vec<usize> = folder.match_indices('/').map(|(at, _)| at).collect();
    ends.push(folder.len());
    let mut top = ends.len();
    while top > 0 && packages.contains(&folder[..ends[top - 1]]) {
        top -= 1;
    }
    if top == ends.len() {
        folder.len() + 1
    } else if top == 0 {
        0
    } else {
        ends[top - 1] + 1
    }
}

/// The absolute module names an import may load.
fn absolute_targets(import: &Import, own: &str, is_package: bool) -> Vec<String> {
    if import.level == 0 {
        return import.targets().collect();
    }
    let mut base: Vec<&str> = own.split('.').filter(|p| !p.is_empty()).collect();
    if !is_package {
        base.pop(); // a module's package
    }
    for _ in 1..import.level {
        if base.pop().is_none() {
            return Vec::new(); // beyond the top package
        }
    }
    let prefix = base.join(".");
    let join = |name: &str| match (prefix.is_empty(), name.is_empty()) {
        (true, _) => name.to_string(),
        (false, true) => prefix.clone(),
        (false, false) => format!("{prefix}.{name}"),
    };
    let module = join(&import.module);
    let mut targets = vec![module.clone()];
    for name in &import.names {
        targets.push(if module.is_empty() {
            name.clone()
        } else {
            format!("{module}.{name}")
        });
    }
    targets
}

/// The file of the longest prefix of `target` that is a project module.
fn longest_known<'a>(target: &str, by_name: &'a BTreeMap<String, String>) -> Option<&'a String> {
    let mut name = target;
    loop {
        if let Some(file) = by_name.get(name) {
            return Some(file);
        }
        name = &name[..name.rfind('.')?];
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn module_root_is_the_first_part_of_the_first_module_name() {
        let packages: HashSet<String> = ["app", "app/db", "src/lib", "other/pkg"]
            .into_iter()
            .map(String::from)
            .collect();
        for relative in [
            "app/db/pool.py",
            "app/db/__init__.py",
            "app/__init__.py",
            "app.py",
            "__init__.py",
            "x__init__.py",
            "tools/run.py",
            "src/lib/a.py",
            "other/pkg/mod.pyi",
            "deep/other/pkg/mod.py",
            "README.md",
            "a/x__init__.py",
        ] {
            let names = module_names(relative, &packages);
            let expected = names
                .first()
                .map(|name| name.split('.').next().unwrap_or(name));
            assert_eq!(module_root(relative, &packages), expected, "{relative}");
        }
    }

    use super::*;

    fn import(level: u32, module: &str, names: &[&str]) -> Import {
        Import {
            level,
            module: module.to_string(),
            names: names.iter().map(|n| n.to_string()).collect(),
        }
    }

    #[test]
    fn names_from_layouts() {
        let packages: HashSet<String> = ["src/app", "src/app/db", "svc-1.0/svc"]
            .into_iter()
            .map(String::from)
            .collect();
        assert_eq!(
            module_names("src/app/db/cache.py", &packages),
            ["app.db.cache", "src.app.db.cache"]
        );
        assert_eq!(
            module_names("svc-1.0/svc/__init__.py", &packages),
            ["svc", "svc-1.0.svc"]
        );
        assert_eq!(
            module_names("tools/run.py", &packages),
            ["run", "tools.run"]
        );
    }

    #[test]
    fn fan_in_counts_importing_files() {
        let packages: HashSet<String> = ["app"].into_iter().map(String::from).collect();
        let files = vec![
            ModuleFile {
                relative: "app/__init__.py".into(),
                imports: vec![import(1, "cache", &["client"])],
            },
            ModuleFile {
                relative: "app/cache.py".into(),
                imports: vec![import(0, "aioredis", &[])],
            },
            ModuleFile {
                relative: "app/views.py".into(),
                imports: vec![
                    import(0, "app.cache", &["client"]),
                    import(0, "app", &["cache"]),
                ],
            },
            ModuleFile {
                relative: "tests/test_cache.py".into(),
                imports: vec![import(0, "app", &["cache"])],
            },
        ];
        let graph = Graph::build(&files, &packages);
        assert_eq!(graph.fan_in("app/cache.py"), 3);
        assert_eq!(graph.fan_in("app/views.py"), 0);
        assert_eq!(graph.name("app/cache.py"), Some("app.cache"));
    }
}
