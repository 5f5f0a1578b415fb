//! What a version specifier admits, with PEP 440's semantics: pep440_rs parses
//! the specifiers and turns them into version ranges (`version-ranges`, the
//! range type of pubgrub and uv); nothing here parses a version by hand.

use std::ops::Bound;

use pep440_rs::{Version, VersionSpecifiers};
use version_ranges::Ranges;

use crate::version::RedisVersion;

/// The versions one requirement admits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Admitted {
    ranges: Ranges<Version>,
    /// A clause names a pre-release (`>=4.2.0rc1`): then pre-releases count,
    /// as PEP 440 has installers take them only in that case.
    prereleases: bool,
}

impl Admitted {
    /// No specifier at all: every version.
    pub fn any() -> Self {
        Admitted {
            ranges: Ranges::full(),
            prereleases: false,
        }
    }

    pub fn of(specifiers: &VersionSpecifiers) -> Self {
        Admitted {
            ranges: Ranges::from(specifiers.clone()),
            prereleases: specifiers.iter().any(|s| s.any_prerelease()),
        }
    }

    /// What either admits (Poetry's `a || b`).
    pub fn union(&self, other: &Admitted) -> Admitted {
        Admitted {
            ranges: self.ranges.union(&other.ranges),
            prereleases: self.prereleases || other.prereleases,
        }
    }

    /// Whether some version it admits is in `[low, high)` (`[low, ∞)` without `high`).
    pub fn admits_any_in(&self, low: &Version, high: Option<&Version>) -> bool {
        let window = match high {
            Some(high) => Ranges::from_range_bounds(low.clone()..high.clone()),
            None => Ranges::higher_than(low.clone()),
        };
        self.counts_a_version_of(&self.ranges.intersection(&window))
    }

    /// Whether it admits anything at all (`>=5,<4` admits nothing).
    pub fn admits_anything(&self) -> bool {
        self.counts_a_version_of(&self.ranges)
    }

    /// Whether `ranges` holds a version that counts: any version when the
    /// specifier names a pre-release, otherwise a final (or post) release.
    fn counts_a_version_of(&self, ranges: &Ranges<Version>) -> bool {
        if self.prereleases {
            return !ranges.is_empty();
        }
        // The versions in a range segment start at its lower bound; the first
        // release above a bound `v` is `v`'s own release (when `v` is a
        // pre-release of it) or `v`'s release with one more segment (`4.4.3`
        // → `4.4.3.1`, above every `4.4.3.postN`).
        ranges.iter().any(|(lower, _)| {
            release_candidates(lower)
                .iter()
                .any(|candidate| ranges.contains(candidate))
        })
    }

    /// The lowest version it admits, when it has a lower bound: what
    /// `redis>=4.2.0`, `redis==4.3.4`, `redis~=5.0` or `redis>4.1` tell about the
    /// redis-py release a project runs on (`>4.1` gives 4.1: the bound itself).
    pub fn lowest(&self) -> Option<Version> {
        let (lower, _) = self.ranges.iter().next()?;
        match lower {
            Bound::Included(version) | Bound::Excluded(version) => Some(version.clone()),
            Bound::Unbounded => None,
        }
    }

    /// Whether every version it admits is below `limit` (and it admits some).
    pub fn capped_below(&self, limit: &Version) -> bool {
        self.admits_anything() && !self.admits_any_in(limit, None)
    }

    /// Whether every version it admits is at or above `floor` (and it admits some).
    pub fn at_least(&self, floor: &Version) -> bool {
        self.admits_anything()
            && !self.admits_any_in(&Version::new([0u64]).with_dev(Some(0)), Some(floor))
    }
}

fn release_candidates(lower: &Bound<Version>) -> Vec<Version> {
    match lower {
        Bound::Unbounded => vec![Version::new([0u64])],
        Bound::Included(version) | Bound::Excluded(version) => {
            let release = version.release().to_vec();
            let mut longer = release.clone();
            longer.push(1);
            vec![
                Version::new(release).with_epoch(version.epoch()),
                Version::new(longer).with_epoch(version.epoch()),
            ]
        }
    }
}

/// `4.3.4` as the redis-py release the rules reason about (missing parts are 0).
pub fn redis_version(version: &Version) -> RedisVersion {
    let part = |index: usize| {
        version
            .release()
            .get(index)
            .map_or(0, |n| u32::try_from(*n).unwrap_or(u32::MAX))
    };
    RedisVersion::new(part(0), part(1), part(2))
}

/// A version written in this program (a constant such as `4.4.4`).
pub fn version(text: &str) -> Version {
    text.parse()
        .unwrap_or_else(|e| panic!("`{text}` is a valid version: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn admitted(text: &str) -> Admitted {
        Admitted::of(&text.parse().unwrap())
    }

    fn vulnerable(text: &str) -> bool {
        let a = admitted(text);
        a.admits_any_in(&version("4.2.0"), Some(&version("4.4.4")))
            || a.admits_any_in(&version("4.5.0"), Some(&version("4.5.4")))
    }

    #[test]
    fn cve_windows() {
        assert!(vulnerable("==4.3.4"));
        assert!(vulnerable(">=4.2.0"));
        assert!(vulnerable(">=4.0,<5"));
        assert!(vulnerable("~=4.5.0"));
        assert!(vulnerable("==4.3.*"));
        assert!(vulnerable(">4.4.3,<4.5.3"));
        assert!(!vulnerable(">=4.5.4"));
        assert!(!vulnerable(">=4.4.4,<4.5"));
        assert!(!vulnerable("==4.4.4"));
        assert!(!vulnerable("<4.2"));
        assert!(!vulnerable(">=5.0.1"));
        assert!(!vulnerable("==3.5.3"));
        // `<4.2.0` does not admit 4.2.0rc1, and 4.4.4rc1 is not admitted by `>=4.4.4`.
        assert!(!vulnerable("<4.2.0"));
        // Pre-releases count only when the specifier names one.
        let only_prereleases =
            |spec: &str| admitted(spec).admits_any_in(&version("4.4.4a1"), Some(&version("4.4.4")));
        assert!(!only_prereleases(">4.4.3"));
        assert!(only_prereleases(">=4.4.4rc1"));
        // 4.4.3.1 is a release in the window.
        assert!(vulnerable(">4.4.3,<4.4.4"));
        assert!(vulnerable(">=4.4.4rc1"));
        assert!(vulnerable(">=4.2.0rc1,<4.2.1"));
    }

    #[test]
    fn caps_and_floors() {
        assert!(admitted("<4.2").capped_below(&version("4.2.0")));
        assert!(admitted("==3.5.3").capped_below(&version("4.2.0")));
        assert!(admitted("~=4.1.0").capped_below(&version("4.2.0")));
        assert!(!admitted("<=4.2").capped_below(&version("4.2.0")));
        assert!(!admitted(">=3").capped_below(&version("4.2.0")));
        assert!(!Admitted::any().capped_below(&version("4.2.0")));
        assert!(admitted(">=5").at_least(&version("5.0.0")));
        assert!(admitted("==5.0.1").at_least(&version("5.0.0")));
        assert!(admitted("~=5.2").at_least(&version("5.0.0")));
        assert!(!admitted(">=4.6").at_least(&version("5.0.0")));
        assert!(!Admitted::any().at_least(&version("5.0.0")));
        assert!(!admitted(">=5,<4").at_least(&version("5.0.0")));
    }

    #[test]
    fn lowest_admitted() {
        let lowest = |text: &str| admitted(text).lowest().map(|v| redis_version(&v));
        assert_eq!(lowest(">=4.2.0"), Some(RedisVersion::new(4, 2, 0)));
        assert_eq!(lowest("==4.3.4"), Some(RedisVersion::new(4, 3, 4)));
        assert_eq!(lowest("~=8.0"), Some(RedisVersion::new(8, 0, 0)));
        assert_eq!(lowest(">4.1,<5"), Some(RedisVersion::new(4, 1, 0)));
        assert_eq!(lowest("<5"), None);
        assert_eq!(Admitted::any().lowest(), None);
    }
}
