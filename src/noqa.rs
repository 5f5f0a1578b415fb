//! Suppression comments, compatible with ruff: `# noqa`, `# noqa: RU100, RU101`
//! on the line where a finding starts, and `# redis-unify: noqa` (optionally
//! with codes) on a line of its own for the whole file.

use ruff_python_ast::token::{TokenKind, Tokens};
use ruff_source_file::LineIndex;
use ruff_text_size::{Ranged, TextRange, TextSize};

use crate::diagnostic::Diagnostic;
use crate::rules::RuleSet;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Directive {
    /// `# noqa`: everything.
    All,
    /// `# noqa: A, B`: these codes.
    Codes(Vec<String>),
}

impl Directive {
    pub fn suppresses(&self, code: &str) -> bool {
        match self {
            Directive::All => true,
            Directive::Codes(codes) => codes.iter().any(|c| c == code),
        }
    }
}

/// How to judge the `# noqa` comments that suppress nothing (RU002), when
/// that rule is selected for the file.
#[derive(Debug, Clone, Copy)]
pub struct Unused {
    /// The rules selected for the file: a listed code outside them is "non-enabled".
    pub rules: RuleSet,
    /// The file is a dependency manifest too (`setup.py`): the manifest rules
    /// (RU3xx) are judged on it elsewhere, so their codes are not judged here.
    pub keep_manifest_codes: bool,
}

/// A `# noqa` comment on a line of Python code.
struct LineDirective {
    /// Zero-based line.
    line: usize,
    located: Located,
    /// For each listed code, whether it suppressed a finding.
    used: Vec<bool>,
}

/// Removes the suppressed diagnostics, and with `unused` adds an RU002
/// finding for each `# noqa: …` listing a code of ours that suppressed
/// nothing. `line_index` and `tokens` belong to `source`.
pub fn filter(
    diagnostics: &mut Vec<Diagnostic>,
    source: &str,
    tokens: &Tokens,
    line_index: &LineIndex,
    unused: Option<Unused>,
) {
    if diagnostics.is_empty() && unused.is_none() {
        return;
    }
    let mut line_directives: Vec<LineDirective> = Vec::new();
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
        if let Some(located) = locate_noqa(comment, token.start()) {
            let used = vec![false; located.codes.len()];
            line_directives.push(LineDirective {
                line,
                located,
                used,
            });
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
        let mut suppressed = false;
        for directive in line_directives.iter_mut().filter(|d| d.line == line) {
            match &directive.located.directive {
                Directive::All => suppressed = true,
                Directive::Codes(_) => {
                    for (at, (listed, _)) in directive.located.codes.iter().enumerate() {
                        if listed == code {
                            directive.used[at] = true;
                            suppressed = true;
                        }
                    }
                }
            }
        }
        !suppressed
    });
    let Some(unused) = unused else {
        return;
    };
    for directive in &line_directives {
        if let Some(finding) =
            crate::rules::unused_noqa::check(source, &directive.located, &directive.used, unused)
            && !file_directives
                .iter()
                .any(|d| d.suppresses(finding.rule.code()))
        {
            diagnostics.push(finding);
        }
    }
}

/// A `# noqa` directive inside a comment, with its place in the source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located {
    pub directive: Directive,
    /// From the `#` that starts `noqa` to the end of its last code (of `noqa`
    /// itself when it lists none).
    pub range: TextRange,
    /// The listed codes, each with its range.
    pub codes: Vec<(String, TextRange)>,
}

/// The `# noqa` directive of a comment that starts at `start` in the source.
pub fn locate_noqa(comment: &str, start: TextSize) -> Option<Located> {
    let lower = comment.to_ascii_lowercase();
    let mut search = 0;
    while let Some(found) = lower[search..].find('#') {
        let hash = search + found;
        let after = lower[hash + 1..].trim_start();
        if after.starts_with("noqa") {
            let noqa_end = comment.len() - after.len() + "noqa".len();
            let at = |offset: usize| start + TextSize::try_from(offset).unwrap_or_default();
            let mut codes = Vec::new();
            let rest = &comment[noqa_end..];
            let trimmed = rest.trim_start();
            if let Some(list) = trimmed.strip_prefix(':') {
                let mut offset = comment.len() - list.len();
                for part in list.split_inclusive(|c: char| c == ',' || c.is_whitespace()) {
                    let word = part.trim_end_matches(|c: char| c == ',' || c.is_whitespace());
                    if !word.is_empty() {
                        if !is_code(word) {
                            break;
                        }
                        codes.push((
                            word.to_string(),
                            TextRange::new(at(offset), at(offset + word.len())),
                        ));
                    }
                    offset += part.len();
                }
            }
            let end = codes.last().map_or(at(noqa_end), |(_, range)| range.end());
            let directive = if codes.is_empty() {
                Directive::All
            } else {
                Directive::Codes(codes.iter().map(|(code, _)| code.clone()).collect())
            };
            return Some(Located {
                directive,
                range: TextRange::new(at(hash), end),
                codes,
            });
        }
        search = hash + 1;
    }
    None
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
    locate_noqa(comment, TextSize::default()).map(|located| located.directive)
}

/// `# redis-unify: noqa` or `# redis-unify: noqa: RU100`.
pub fn parse_file_directive(comment: &str) -> Option<Directive> {
    let rest = comment.strip_prefix('#')?.trim_start();
    let rest = rest.strip_prefix("redis-unify:")?.trim_start();
    // `get`: the four bytes may end inside a character (`noq😀a`).
    if !rest
        .get(..4)
        .is_some_and(|word| word.eq_ignore_ascii_case("noqa"))
    {
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
pub fn is_code(word: &str) -> bool {
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
        assert_eq!(parse_file_directive("# redis-unify: noq😀a: RU100"), None);
    }
}
