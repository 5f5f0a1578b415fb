//! The phase policy: which phase a file using aioredis belongs to, and why.
//!
//! 1. **low risk** — every finding has a safe fix (imports of aioredis 2.x
//!    names, annotation-only uses), or the file is a test file whose findings
//!    are all fixable (safe or unsafe): a broken test shows at once.
//! 2. **mechanical** — every finding is fixable, some only with unsafe fixes.
//! 3. **manual** — some finding has no fix (1.x API, pub/sub `Channel`,
//!    `multi_exec`, a deprecated `close()`, …) in a module few others import.
//! 4. **critical** — some finding has no fix, and the module is central: at
//!    least [`HIGH_FAN_IN`] other project modules import it, or its path or
//!    the names it defines say it is a cache, session, lock, queue or pub/sub
//!    module (not for test files). Critical files come last.
//!
//! A finding counts as safe when its fix is safe, unsafe when its fix is
//! unsafe, and manual when it has none. Only the migration findings count
//! (RU0xx, RU1xx: the rules about aioredis): the client-safety findings
//! (RU2xx, such as a missing `socket_timeout`) are shown next to them, but a
//! file that only imports aioredis 2.x names is as easy to migrate with them
//! as without.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::rules::Rule;

/// From this many importing project modules on, a module is central.
pub const HIGH_FAN_IN: usize = 3;

/// Words that give a module a critical role when its path or the names it
/// defines hold one (as a word: `session_store`, `RedisCache`, `locks/`).
pub const CRITICAL_ROLES: &[(&str, &str)] = &[
    ("cache", "cache"),
    ("caching", "cache"),
    ("session", "session"),
    ("lock", "lock"),
    ("queue", "queue"),
    ("pubsub", "pub/sub"),
];

pub const PHASE_NAMES: [&str; 4] = ["low-risk", "mechanical", "manual", "critical"];

/// How many findings of each kind a file has.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub safe: usize,
    pub r#unsafe: usize,
    pub manual: usize,
}

impl Counts {
    pub fn total(&self) -> usize {
        self.safe + self.r#unsafe + self.manual
    }
}

/// What the policy looks at.
pub struct Facts<'a> {
    pub counts: &'a Counts,
    /// Rules of the findings without a fix, with how many.
    pub manual_rules: &'a BTreeMap<Rule, usize>,
    /// Rules of the findings with only an unsafe fix.
    pub unsafe_rules: &'a BTreeMap<Rule, usize>,
    pub test_file: bool,
    pub fan_in: usize,
    /// The critical role words found in the path or names, with where.
    pub roles: &'a [String],
}

/// The phase (1–4) and the reasons for it, most important first.
pub fn phase(facts: &Facts) -> (u8, Vec<String>) {
    let counts = facts.counts;
    let mut reasons = Vec::new();
    if counts.manual > 0 {
        reasons.push(format!(
            "{} {} a hand change ({})",
            counts.manual,
            if counts.manual == 1 {
                "finding needs"
            } else {
                "findings need"
            },
            rule_list(facts.manual_rules)
        ));
        let mut central = Vec::new();
        if facts.fan_in >= HIGH_FAN_IN {
            central.push(format!(
                "imported by {} other project modules (central from {HIGH_FAN_IN} on)",
                facts.fan_in
            ));
        }
        if !facts.test_file {
            central.extend(facts.roles.iter().cloned());
        }
        if central.is_empty() {
            reasons.push(match facts.fan_in {
                0 => "no other project module imports it".to_string(),
                1 => "only 1 other project module imports it".to_string(),
                n => format!("only {n} other project modules import it"),
            });
            return (3, reasons);
        }
        reasons.extend(central);
        return (4, reasons);
    }
    if counts.r#unsafe > 0 {
        if facts.test_file {
            reasons.push(format!(
                "a test file whose findings are all fixable ({} with unsafe fixes: {})",
                counts.r#unsafe,
                rule_list(facts.unsafe_rules)
            ));
            return (1, reasons);
        }
        reasons.push(format!(
            "every finding is fixable, {} only with unsafe fixes ({}): review the diff",
            counts.r#unsafe,
            rule_list(facts.unsafe_rules)
        ));
        return (2, reasons);
    }
    if counts.safe > 0 {
        reasons.push(format!(
            "every finding has a safe fix ({})",
            plural(counts.safe, "finding")
        ));
    } else {
        reasons.push("no findings (suppressed with noqa, or not selected)".to_string());
    }
    (1, reasons)
}

/// Whether a path is a test file: under `tests/` (or `test/`), or named
/// `test_*.py`, `*_test.py`, `conftest.py`.
pub fn is_test_file(relative: &str) -> bool {
    let mut parts: Vec<&str> = relative.split('/').collect();
    let name = parts.pop().unwrap_or("");
    let stem = name
        .strip_suffix(".py")
        .or_else(|| name.strip_suffix(".pyi"))
        .unwrap_or(name);
    parts.iter().any(|p| *p == "tests" || *p == "test")
        || stem.starts_with("test_")
        || stem.ends_with("_test")
        || stem == "conftest"
}

/// The critical roles found in `relative` and the defined `names`, each as a
/// reason (`its path says cache (app/cache.py)`).
pub fn critical_roles(relative: &str, names: &[String]) -> Vec<String> {
    let mut reasons = Vec::new();
    let path = relative
        .strip_suffix(".py")
        .or_else(|| relative.strip_suffix(".pyi"))
        .unwrap_or(relative);
    let path_roles = roles_in(path);
    if !path_roles.is_empty() {
        reasons.push(format!(
            "its path says {} (`{relative}`)",
            path_roles.join(", ")
        ));
    }
    let mut name_roles: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for name in names {
        for role in roles_in(name) {
            if !path_roles.contains(&role) {
                name_roles.entry(role).or_default().push(name);
            }
        }
    }
    for (role, names) in name_roles {
        let shown: Vec<String> = names.iter().take(3).map(|n| format!("`{n}`")).collect();
        reasons.push(format!("it defines {} ({role})", shown.join(", ")));
    }
    reasons
}

/// The roles whose word starts one of the words of `text` (split at
/// non-letters and camelCase humps).
fn roles_in(text: &str) -> Vec<&'static str> {
    let mut roles = Vec::new();
    for word in words(text) {
        for (prefix, role) in CRITICAL_ROLES {
            if word.starts_with(prefix) && !roles.contains(role) {
                roles.push(*role);
            }
        }
    }
    roles
}

fn words(text: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    let mut previous_lower = false;
    for c in text.chars() {
        if !c.is_alphanumeric() {
            if !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
            previous_lower = false;
            continue;
        }
        if c.is_uppercase() && previous_lower && !current.is_empty() {
            words.push(std::mem::take(&mut current));
        }
        previous_lower = c.is_lowercase() || c.is_ascii_digit();
        current.extend(c.to_lowercase());
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

fn rule_list(rules: &BTreeMap<Rule, usize>) -> String {
    rules
        .iter()
        .map(|(rule, count)| {
            if *count == 1 {
                format!("{} {}", rule.code(), rule.info().name)
            } else {
                format!("{} {} ×{count}", rule.code(), rule.info().name)
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn plural(count: usize, what: &str) -> String {
    if count == 1 {
        format!("1 {what}")
    } else {
        format!("{count} {what}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_files() {
        assert!(is_test_file("tests/unit/helpers.py"));
        assert!(is_test_file("app/test_cache.py"));
        assert!(is_test_file("app/cache_test.py"));
        assert!(is_test_file("conftest.py"));
        assert!(!is_test_file("app/testing.py"));
        assert!(!is_test_file("app/contest.py"));
    }

    #[test]
    fn roles_are_words() {
        assert_eq!(roles_in("app/session_store"), ["session"]);
        assert_eq!(roles_in("RedisCache"), ["cache"]);
        assert_eq!(roles_in("aioredis/locks"), ["lock"]);
        assert!(roles_in("app/blocking_clock").is_empty());
        assert_eq!(roles_in("pubsub"), ["pub/sub"]);
        assert_eq!(
            critical_roles("app/worker.py", &["TaskQueue".to_string()]),
            ["it defines `TaskQueue` (queue)"]
        );
    }

    fn decide(
        safe: usize,
        unsafe_: usize,
        manual: usize,
        test: bool,
        fan_in: usize,
        roles: &[String],
    ) -> u8 {
        let counts = Counts {
            safe,
            r#unsafe: unsafe_,
            manual,
        };
        let rules = BTreeMap::from([(Rule::AioredisLegacyApi, manual)]);
        phase(&Facts {
            counts: &counts,
            manual_rules: &rules,
            unsafe_rules: &BTreeMap::new(),
            test_file: test,
            fan_in,
            roles,
        })
        .0
    }

    #[test]
    fn phases() {
        assert_eq!(decide(2, 0, 0, false, 9, &[]), 1);
        assert_eq!(decide(1, 1, 0, false, 0, &[]), 2);
        assert_eq!(decide(1, 1, 0, true, 0, &[]), 1);
        assert_eq!(decide(0, 0, 1, false, 2, &[]), 3);
        assert_eq!(decide(0, 0, 1, false, 3, &[]), 4);
        let roles = vec!["its path says cache".to_string()];
        assert_eq!(decide(0, 0, 1, false, 0, &roles), 4);
        assert_eq!(decide(0, 0, 1, true, 0, &roles), 3);
    }
}
