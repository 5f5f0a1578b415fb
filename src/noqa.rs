//! Suppression comments, compatible with ruff: `# noqa`, `# noqa: RU100, RU101`
//! on the line where a finding starts, and `# redis-unify: noqa` (optionally
//! with codes) on a line of its own for the whole file.

use ruff_python_ast::token::{TokenKind, Tokens};
use ruff_source_file::LineIndex;
use ruff_text_size::Ranged;

use crate::diagnostic::Diagnostic;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Directive {
    /// `# noqa`: everything.
    All,
    /// `# noqa: A, B`: these codes.
    Codes(Vec<String>),
}

impl Directive {
    fn suppresses(&self, code: &str) -> bool {
        match self {
            Directive::All => true,
            Directive::Codes(codes) => codes.iter().any(|c| c == code),
        }
    }
}

/// Removes the suppressed diagnostics. `line_index` and `tokens` belong to `source`.
pub fn filter(
    diagnostics: &mut Vec<Diagnostic>,
    source: &str,
    tokens: &Tokens,
    line_index: &LineIndex,
) {
    if diagnostics.is_empty() {
        return;
    }
    // One entry per line that has a directive: (zero-based line, directive).
    let mut line_directives: Vec<(usize, Directive)> = Vec::new();
    let mut file_directives: Vec<Directive> = Vec::new();
    for token in tokens.iter().filter(|t| t.kind() == TokenKind::Comment) {
        let comment = &source[token.range()];
        let line = line_index.line_index(token.start()).to_zero_indexed();
        let line_start = line_index.line_starts()[line];
        let own_line = source[line_start.to_usize()..token.start().to_usize()]
            .trim()
            .is_empty();
        if own_line && let Some(directive) = parse_file_directive(comment) {
            file_directives.push(directive);
            continue;
        }
        if let Some(directive) = parse_noqa(comment) {
            line_directives.push((line, directive));
        }
    }
    if line_directives.is_empty() && file_directives.is_empty() {
        return;
    }
    diagnostics.retain(|diagnostic| {
        let code = diagnostic.rule.code();
        if file_directives.iter().any(|d| d.suppresses(code)) {
            return false;
        }
        let line = line_index
            .line_index(diagnostic.range.start())
            .to_zero_indexed();
        !line_directives
            .iter()
            .any(|(l, d)| *l == line && d.suppresses(code))
    });
}

/// The same suppression for dependency manifests, whose comments start with
/// `#` too (requirements files, TOML, `setup.cfg`): `# noqa` on the line where
/// a finding starts, `# redis-unify: noqa` on a line of its own for the file.
pub fn filter_text_lines(diagnostics: &mut Vec<Diagnostic>, source: &str) {
    if diagnostics.is_empty() || !source.contains("noqa") {
        return;
    }
    let file_directives: Vec<Directive> = source
        .lines()
        .filter_map(|line| parse_file_directive(line.trim()))
        .collect();
    diagnostics.retain(|diagnostic| {
        let code = diagnostic.rule.code();
        if file_directives.iter().any(|d| d.suppresses(code)) {
            return false;
        }
        let start = diagnostic.range.start().to_usize();
        let line_start = source[..start].rfind('\n').map_or(0, |i| i + 1);
        let line_end = source[start..]
            .find('\n')
            .map_or(source.len(), |i| start + i);
        let line = &source[line_start..line_end];
        !line
            .find('#')
            .and_then(|hash| parse_noqa(&line[hash..]))
            .is_some_and(|d| d.suppresses(code))
    });
}

/// `# noqa`, `# noqa: RU100,RU101`, also after other text (`# type: ignore # noqa`).
pub fn parse_noqa(comment: &str) -> Option<Directive> {
    let lower = comment.to_ascii_lowercase();
    let mut search = 0;
    while let Some(found) = lower[search..].find('#') {
        let hash = search + found;
        let after = lower[hash + 1..].trim_start();
        if after.starts_with("noqa") {
            let offset = comment.len() - after.len() + "noqa".len();
            return Some(parse_codes(&comment[offset..]));
        }
        search = hash + 1;
    }
    None
}

/// `# redis-unify: noqa` or `# redis-unify: noqa: RU100`.
pub fn parse_file_directive(comment: &str) -> Option<Directive> {
    let rest = comment.strip_prefix('#')?.trim_start();
    let rest = rest.strip_prefix("redis-unify:")?.trim_start();
    if rest.len() < 4 || !rest[..4].eq_ignore_ascii_case("noqa") {
        return None;
    }
    Some(parse_codes(&rest[4..]))
}

/// What follows `noqa`: nothing (all codes) or `: CODE[, CODE…]`.
fn parse_codes(rest: &str) -> Directive {
    let Some(list) = rest.trim_start().strip_prefix(':') else {
        return Directive::All;
    };
    let codes: Vec<String> = list
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|part| !part.is_empty())
        .take_while(|part| is_code(part))
        .map(str::to_string)
        .collect();
    if codes.is_empty() {
        Directive::All
    } else {
        Directive::Codes(codes)
    }
}

/// Uppercase ASCII letters followed by ASCII digits, as ruff's codes.
fn is_code(word: &str) -> bool {
    let letters = word.bytes().take_while(u8::is_ascii_uppercase).count();
    letters > 0 && letters < word.len() && word.bytes().skip(letters).all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_noqa_forms() {
        assert_eq!(parse_noqa("# noqa"), Some(Directive::All));
        assert_eq!(parse_noqa("#NOQA"), Some(Directive::All));
        assert_eq!(
            parse_noqa("# noqa: RU100, RU101"),
            Some(Directive::Codes(vec!["RU100".into(), "RU101".into()]))
        );
        assert_eq!(
            parse_noqa("# noqa:RU100 RU102 because legacy"),
            Some(Directive::Codes(vec!["RU100".into(), "RU102".into()]))
        );
        assert_eq!(
            parse_noqa("# type: ignore  # noqa: RU100"),
            Some(Directive::Codes(vec!["RU100".into()]))
        );
        assert_eq!(parse_noqa("# nothing here"), None);
        assert_eq!(parse_noqa("# see noqa docs"), None);
    }

    #[test]
    fn parses_file_directive() {
        assert_eq!(
            parse_file_directive("# redis-unify: noqa"),
            Some(Directive::All)
        );
        assert_eq!(
            parse_file_directive("# redis-unify: noqa: RU101"),
            Some(Directive::Codes(vec!["RU101".into()]))
        );
        assert_eq!(parse_file_directive("# ruff: noqa"), None);
        assert_eq!(parse_file_directive("# noqa"), None);
    }
}
