//! The redis-py release a project targets, as far as the rules care.

use std::fmt;
use std::str::FromStr;

/// A redis-py release number: `major.minor` or `major.minor.patch`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct RedisVersion {
    pub major: u32,
    pub minor: u32,
    pub patch: u32,
}

impl RedisVersion {
    pub const fn new(major: u32, minor: u32, patch: u32) -> Self {
        Self {
            major,
            minor,
            patch,
        }
    }

    /// redis-py 8.0.0 gave `socket_timeout` and `socket_connect_timeout` a 5 s
    /// default (reference §5.3); before, both waited forever.
    pub const SOCKET_TIMEOUT_DEFAULT: RedisVersion = RedisVersion::new(8, 0, 0);

    /// redis-py 5.0.1 added `aclose()` to the async clients and deprecated
    /// `close()` (PR #2898); before, `await client.close()` is the way.
    pub const ACLOSE: RedisVersion = RedisVersion::new(5, 0, 1);
}

impl FromStr for RedisVersion {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let invalid =
            || format!("`{text}` is not a redis-py version; write it as \"7.4\" or \"8.0.0\"");
        let parts: Vec<&str> = text.trim().split('.').collect();
        if !(2..=3).contains(&parts.len()) {
            return Err(invalid());
        }
        let mut numbers = [0u32; 3];
        for (slot, part) in numbers.iter_mut().zip(&parts) {
            if part.is_empty() || !part.bytes().all(|b| b.is_ascii_digit()) {
                return Err(invalid());
            }
            *slot = part.parse().map_err(|_| invalid())?;
        }
        Ok(RedisVersion::new(numbers[0], numbers[1], numbers[2]))
    }
}

impl fmt::Display for RedisVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_two_or_three_parts() {
        assert_eq!("7.4".parse(), Ok(RedisVersion::new(7, 4, 0)));
        assert_eq!("8.0.0".parse(), Ok(RedisVersion::new(8, 0, 0)));
        assert!("8".parse::<RedisVersion>().is_err());
        assert!("8.0.0.1".parse::<RedisVersion>().is_err());
        assert!("8.x".parse::<RedisVersion>().is_err());
        assert!(">=8.0".parse::<RedisVersion>().is_err());
        assert!("8.-1".parse::<RedisVersion>().is_err());
    }

    #[test]
    fn orders_by_number() {
        let v = |s: &str| s.parse::<RedisVersion>().unwrap();
        assert!(v("7.4.1") < RedisVersion::SOCKET_TIMEOUT_DEFAULT);
        assert!(v("8.0") >= RedisVersion::SOCKET_TIMEOUT_DEFAULT);
        assert!(v("10.0") > v("9.12"));
    }
}
