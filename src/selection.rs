//! Rule selectors (`ALL`, `RU1`, `RU100`) and how `select`, `extend-select` and
//! `ignore` combine: as in ruff, the more specific selector wins, so
//! `--ignore RU1 --select RU100` keeps RU100 while dropping the rest of RU1xx.

use crate::rules::{Rule, RuleSet};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RuleSelector {
    All,
    /// A full code or a prefix of codes.
    Prefix(String),
}

impl RuleSelector {
    pub fn parse(value: &str) -> Result<RuleSelector, String> {
        let value = value.trim();
        if value == "ALL" {
            return Ok(RuleSelector::All);
        }
        if !value.is_empty() && Rule::ALL.iter().any(|rule| rule.code().starts_with(value)) {
            return Ok(RuleSelector::Prefix(value.to_string()));
        }
        Err(format!(
            "unknown rule selector `{value}`; use a code such as `RU100`, a prefix such as `RU1`, or `ALL` (see `redis-unify rule --all`)"
        ))
    }

    pub fn matches(&self, rule: Rule) -> bool {
        match self {
            RuleSelector::All => true,
            RuleSelector::Prefix(prefix) => rule.code().starts_with(prefix.as_str()),
        }
    }

    /// Longer prefixes are more specific; `ALL` is the least specific selector,
    /// but still more specific than "it was already on".
    fn specificity(&self) -> usize {
        match self {
            RuleSelector::All => 1,
            RuleSelector::Prefix(prefix) => 1 + prefix.len(),
        }
    }
}

/// Applies one layer of selection (the configuration file, or the command line)
/// on top of `base`. `select` replaces the base when given.
pub fn resolve_layer(
    base: RuleSet,
    select: Option<&[RuleSelector]>,
    extend_select: &[RuleSelector],
    ignore: &[RuleSelector],
) -> RuleSet {
    let strongest = |selectors: &[RuleSelector], rule: Rule| {
        selectors
            .iter()
            .filter(|s| s.matches(rule))
            .map(RuleSelector::specificity)
            .max()
    };
    Rule::ALL
        .iter()
        .copied()
        .filter(|rule| {
            let from_base = match select {
                Some(selectors) => strongest(selectors, *rule),
                None => base.contains(*rule).then_some(0),
            };
            let selected = from_base.max(strongest(extend_select, *rule));
            let ignored = strongest(ignore, *rule);
            selected.is_some() && selected > ignored
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sel(values: &[&str]) -> Vec<RuleSelector> {
        values
            .iter()
            .map(|v| RuleSelector::parse(v).unwrap())
            .collect()
    }

    fn codes(set: RuleSet) -> Vec<&'static str> {
        set.iter().map(Rule::code).collect()
    }

    #[test]
    fn more_specific_selector_wins() {
        let all = RuleSet::all();
        let set = resolve_layer(all, Some(&sel(&["RU100"])), &[], &sel(&["RU1"]));
        assert_eq!(codes(set), vec!["RU100"]);
        let set = resolve_layer(all, None, &[], &sel(&["RU1", "RU2", "RU3"]));
        assert_eq!(codes(set), vec!["RU001", "RU002"]);
        let set = resolve_layer(
            all,
            Some(&sel(&["ALL"])),
            &[],
            &sel(&["RU001", "RU2", "RU3"]),
        );
        assert_eq!(
            codes(set),
            vec![
                "RU002", "RU100", "RU101", "RU102", "RU103", "RU104", "RU105"
            ]
        );
        let set = resolve_layer(all, Some(&sel(&["RU2"])), &[], &sel(&["RU20"]));
        assert!(codes(set).is_empty());
    }

    #[test]
    fn extend_select_adds_to_the_base() {
        let base: RuleSet = [Rule::AioredisImport].into_iter().collect();
        let set = resolve_layer(base, None, &sel(&["RU102"]), &[]);
        assert_eq!(codes(set), vec!["RU100", "RU102"]);
    }

    #[test]
    fn unknown_selectors_are_refused() {
        assert!(RuleSelector::parse("RU999").is_err());
        assert!(RuleSelector::parse("E501").is_err());
        assert!(RuleSelector::parse("").is_err());
    }
}
