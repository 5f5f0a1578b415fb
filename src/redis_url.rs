//! Reading a redis URL written in the source, as redis-py's `parse_url` reads it:
//! `redis://[[user]:password@]host[:port][/db][?option=value&...]`, `rediss://`
//! for TLS and `unix://[[user]:password@]/path?db=...`. Query options become
//! constructor keywords (`?socket_timeout=5`, `?ssl_cert_reqs=none`, even
//! `?password=...`), so the rules read them like keyword arguments.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    Redis,
    Rediss,
    Unix,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RedisUrl<'a> {
    text: &'a str,
    pub scheme: Scheme,
    /// Byte range of the password in `text`, from the user-info.
    password: Option<(usize, usize)>,
    /// `(name, value, value range)` of each non-empty query option, in order.
    query: Vec<(&'a str, &'a str, (usize, usize))>,
}

impl<'a> RedisUrl<'a> {
    /// `None` for text that is not a `redis://`, `rediss://` or `unix://` URL.
    pub fn parse(text: &'a str) -> Option<Self> {
        let (scheme_text, rest) = text.split_once("://")?;
        let scheme = match scheme_text.to_ascii_lowercase().as_str() {
            "redis" => Scheme::Redis,
            "rediss" => Scheme::Rediss,
            "unix" => Scheme::Unix,
            _ => return None,
        };
        let rest_start = scheme_text.len() + 3;
        let rest = rest.split('#').next().unwrap_or(rest);
        let netloc_len = rest.find(['/', '?']).unwrap_or(rest.len());
        let netloc = &rest[..netloc_len];
        // As urllib: the user-info ends at the last `@`; the password follows its first `:`.
        let password = netloc.rfind('@').and_then(|at| {
            let userinfo = &netloc[..at];
            let colon = userinfo.find(':')?;
            let start = rest_start + colon + 1;
            let end = rest_start + at;
            (end > start).then_some((start, end))
        });
        let mut query = Vec::new();
        if let Some(question) = rest.find('?') {
            let mut offset = rest_start + question + 1;
            for pair in rest[question + 1..].split('&') {
                let pair_start = offset;
                offset += pair.len() + 1;
                let Some((name, value)) = pair.split_once('=') else {
                    continue;
                };
                // parse_qs drops options with an empty value.
                if name.is_empty() || value.is_empty() {
                    continue;
                }
                let value_start = pair_start + name.len() + 1;
                query.push((name, value, (value_start, value_start + value.len())));
            }
        }
        Some(RedisUrl {
            text,
            scheme,
            password,
            query,
        })
    }

    /// The password in the user-info, or else in a `?password=` option.
    pub fn password(&self) -> Option<&'a str> {
        match self.password {
            Some((start, end)) => Some(&self.text[start..end]),
            None => self.option("password"),
        }
    }

    pub fn has_password(&self) -> bool {
        self.password().is_some()
    }

    /// The value of a query option (the first, as redis-py takes it).
    pub fn option(&self, name: &str) -> Option<&'a str> {
        self.query
            .iter()
            .find(|(option, _, _)| *option == name)
            .map(|(_, value, _)| *value)
    }

    /// The URL with every password replaced by `***`: safe to print.
    pub fn masked(&self) -> String {
        let mut secrets: Vec<(usize, usize)> = self.password.into_iter().collect();
        secrets.extend(
            self.query
                .iter()
                .filter(|(name, _, _)| *name == "password")
                .map(|(_, _, range)| *range),
        );
        secrets.sort_unstable();
        let mut masked = String::with_capacity(self.text.len());
        let mut copied = 0;
        for (start, end) in secrets {
            masked.push_str(&self.text[copied..start]);
            masked.push_str("***");
            copied = end;
        }
        masked.push_str(&self.text[copied..]);
        masked
    }
}

/// What redis-py's `to_bool` reads as false in a URL option.
pub fn is_false_option(value: &str) -> bool {
    matches!(
        value.to_ascii_uppercase().as_str(),
        "0" | "F" | "FALSE" | "N" | "NO"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_password_and_options() {
        let url =
            RedisUrl::parse("rediss://:s3cret@cache.internal:6380/0?ssl_cert_reqs=none").unwrap();
        assert_eq!(url.scheme, Scheme::Rediss);
        assert!(url.has_password());
        assert_eq!(url.option("ssl_cert_reqs"), Some("none"));
        assert_eq!(
            url.masked(),
            "rediss://:***@cache.internal:6380/0?ssl_cert_reqs=none"
        );
    }

    #[test]
    fn user_without_password_is_no_secret() {
        let url = RedisUrl::parse("redis://default@localhost:6379").unwrap();
        assert!(!url.has_password());
        let url = RedisUrl::parse("redis://:@localhost").unwrap();
        assert!(!url.has_password());
        let url = RedisUrl::parse("redis://localhost/0?socket_timeout=").unwrap();
        assert_eq!(url.option("socket_timeout"), None);
    }

    #[test]
    fn masks_user_info_and_query_passwords() {
        let url = RedisUrl::parse("unix://app:p%40ss@/run/redis.sock?db=0&password=other").unwrap();
        assert_eq!(
            url.masked(),
            "unix://app:***@/run/redis.sock?db=0&password=***"
        );
        let url = RedisUrl::parse("redis://u:p@w@host/0").unwrap();
        assert_eq!(url.masked(), "redis://u:***@host/0");
    }

    #[test]
    fn other_schemes_are_not_redis_urls() {
        assert!(RedisUrl::parse("http://user:pw@host").is_none());
        assert!(RedisUrl::parse("localhost:6379").is_none());
        assert!(RedisUrl::parse("REDIS://h").is_some());
    }

    #[test]
    fn false_options_follow_to_bool() {
        for value in ["0", "f", "False", "no", "N"] {
            assert!(is_false_option(value), "{value}");
        }
        for value in ["1", "true", "yes", "off"] {
            assert!(!is_false_option(value), "{value}");
        }
    }
}
