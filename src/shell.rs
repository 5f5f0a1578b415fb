//! Words of the commands redis-unify prints for the user to run.

/// A word as sh reads it: as is when made of plain characters, else in single
/// quotes (a quote inside closed, escaped and reopened).
pub fn shell_word(word: &str) -> String {
    if !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=:@%+,".contains(c))
    {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::shell_word;

    #[test]
    fn words_are_quoted_only_when_needed() {
        assert_eq!(shell_word("app/cache.py"), "app/cache.py");
        assert_eq!(shell_word("my app.py"), "'my app.py'");
        assert_eq!(shell_word("it's.py"), r"'it'\''s.py'");
        assert_eq!(shell_word(""), "''");
    }
}
