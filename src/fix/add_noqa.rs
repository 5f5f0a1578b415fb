//! `check --add-noqa`: a `# noqa: CODE` on each line where a finding starts,
//! merged into a `# noqa: …` list already there, to adopt redis-unify on a
//! large code base and fix the findings later (as ruff's `--add-noqa`). The
//! new text goes through the fix engine's journal and atomic writes, so
//! `rollback` restores it.
//!
//! A comment is only added where the language allows one for the finding's
//! start line; otherwise the finding is skipped and reported: a line that
//! ends inside a multi-line string or with a backslash continuation, a
//! `setup.cfg` (setuptools reads `#` after a value as part of it). The
//! result is linted again: each finding it was meant to suppress must be
//! gone, and nothing new may appear, or the file is left as it was.

use std::collections::BTreeMap;

use ruff_python_ast::token::{TokenKind, Tokens};
use ruff_text_size::{Ranged, TextSize};

use crate::diagnostic::Diagnostic;
use crate::manifest::ManifestKind;
use crate::noqa::{Directive, locate_noqa};
use crate::rules::Rule;

/// Where a file's comments can go, by its kind.
pub enum Comments<'a> {
    /// Python: its tokens tell comments and strings apart.
    Python(&'a Tokens),
    /// A requirements file: `#` after whitespace starts a comment (pip).
    Requirements,
    /// TOML (`pyproject.toml`, `Pipfile`): the result is checked to hold the
    /// same values.
    Toml,
    /// No comment may be added (`setup.cfg`), and why.
    Never(&'static str),
}

impl Comments<'_> {
    pub fn for_manifest(kind: ManifestKind) -> Comments<'static> {
        match kind {
            ManifestKind::Requirements => Comments::Requirements,
            ManifestKind::Pyproject | ManifestKind::Pipfile => Comments::Toml,
            ManifestKind::SetupCfg => Comments::Never(
                "setuptools does not read `#` after a value in setup.cfg as a comment, so no \
                 `# noqa` can go on its line; suppress it with `# redis-unify: noqa: CODE` on a \
                 line of its own, or fix it",
            ),
            // setup.py is Python: linted with its tokens.
            ManifestKind::SetupPy => Comments::Never("setup.py is linted as Python"),
        }
    }
}

/// Whether `at` lies inside an f-string, in a replacement field that runs over
/// lines (`f"""{x\n}"""`): no token spans it, but before Python 3.12 a `#`
/// there is a syntax error, not a comment.
fn inside_f_string(tokens: &Tokens, at: TextSize) -> bool {
    let mut open = Vec::new();
    for token in tokens.iter() {
        match token.kind() {
            TokenKind::FStringStart => open.push(token.start()),
            TokenKind::FStringEnd => {
                if let Some(start) = open.pop()
                    && start < at
                    && token.end() > at
                {
                    return true;
                }
            }
            _ => {}
        }
    }
    false
}

/// What to insert where so that the line holding `at` carries `# noqa` for
/// `codes`: after the last code of a `# noqa: …` list already on the line
/// (only the codes it lacks), else `  # noqa: A, B` after the line's content.
/// `None` insert text when the list already names every code.
pub fn insertion(
    text: &str,
    at: usize,
    codes: &[&str],
    comments: &Comments,
) -> Result<Option<(usize, String)>, String> {
    let line_start = text[..at].rfind(['\n', '\r']).map_or(0, |i| i + 1);
    let line_end = text[at..].find(['\n', '\r']).map_or(text.len(), |i| at + i);
    let line = &text[line_start..line_end];
    let content_end = line_start + line.trim_end().len();
    // pip joins a line ending with a backslash to the next before it strips
    // comments; TOML has no continuation (its strings are checked by value).
    let mut continues = line.trim_end().ends_with('\\') && !matches!(comments, Comments::Toml);
    let existing = match comments {
        Comments::Never(why) => return Err((*why).to_string()),
        Comments::Python(tokens) => {
            let end = TextSize::try_from(line_end).map_err(|e| e.to_string())?;
            // A string (or f-string part) running past the end of the line.
            if tokens
                .iter()
                .any(|t| t.kind() != TokenKind::Comment && t.start() < end && t.end() > end)
                || inside_f_string(tokens, end)
            {
                return Err(
                    "its line ends inside a multi-line string, where `#` is text, not a comment"
                        .to_string(),
                );
            }
            let comment = tokens.iter().find(|t| {
                t.kind() == TokenKind::Comment
                    && t.start().to_usize() >= line_start
                    && t.start().to_usize() < line_end
            });
            // A backslash that ends a comment continues nothing.
            continues = comment.is_none() && continues;
            comment.and_then(|t| locate_noqa(&text[t.range()], t.start()))
        }
        Comments::Requirements | Comments::Toml => {
            let hash = if matches!(comments, Comments::Requirements) {
                // pip: `#` at the start of a line or after whitespace.
                line.char_indices()
                    .find(|(i, c)| {
                        *c == '#' && (*i == 0 || line[..*i].ends_with(char::is_whitespace))
                    })
                    .map(|(i, _)| i)
            } else {
                line.find('#')
            };
            hash.and_then(|hash| {
                locate_noqa(
                    &line[hash..],
                    TextSize::try_from(line_start + hash).unwrap_or_default(),
                )
            })
        }
    };
    if continues {
        return Err(
            "its line ends with a backslash continuation, where a comment cannot go".to_string(),
        );
    }
    match existing {
        Some(located) => match located.directive {
            Directive::All => Ok(None),
            Directive::Codes(listed) => {
                let missing: Vec<&str> = codes
                    .iter()
                    .copied()
                    .filter(|code| !listed.iter().any(|l| l == code))
                    .collect();
                if missing.is_empty() {
                    return Ok(None);
                }
                Ok(Some((
                    located.range.end().to_usize(),
                    format!(", {}", missing.join(", ")),
                )))
            }
        },
        None => Ok(Some((
            content_end,
            format!("  # noqa: {}", codes.join(", ")),
        ))),
    }
}

/// The text with `# noqa` added for `findings`, and what it did.
pub struct Added {
    pub text: String,
    /// How many findings of each rule the new comments suppress.
    pub rules: BTreeMap<Rule, usize>,
    /// Comments added or extended.
    pub directives: usize,
    /// The findings that could not be suppressed, and why.
    pub skipped: Vec<(Diagnostic, String)>,
}

/// Adds `# noqa` for every finding (RU002's aside: a stale `# noqa` is
/// removed by its fix, not suppressed).
pub fn add(text: &str, findings: &[Diagnostic], comments: &Comments) -> Added {
    // Findings by the line they start on.
    let mut lines: BTreeMap<usize, Vec<&Diagnostic>> = BTreeMap::new();
    for finding in findings.iter().filter(|f| f.rule != Rule::UnusedNoqa) {
        let start = finding.range.start().to_usize().min(text.len());
        let line_start = text[..start].rfind(['\n', '\r']).map_or(0, |i| i + 1);
        lines.entry(line_start).or_default().push(finding);
    }
    let mut inserts: Vec<(usize, String)> = Vec::new();
    let mut rules: BTreeMap<Rule, usize> = BTreeMap::new();
    let mut skipped = Vec::new();
    for (line_start, on_line) in lines {
        let mut codes: Vec<&str> = on_line.iter().map(|f| f.rule.code()).collect();
        codes.sort_unstable();
        codes.dedup();
        match insertion(text, line_start, &codes, comments) {
            Ok(insert) => {
                for finding in &on_line {
                    *rules.entry(finding.rule).or_default() += 1;
                }
                inserts.extend(insert);
            }
            Err(why) => {
                skipped.extend(on_line.into_iter().map(|f| (f.clone(), why.clone())));
            }
        }
    }
    let directives = inserts.len();
    let mut result = text.to_string();
    for (at, insert) in inserts.into_iter().rev() {
        result.insert_str(at, &insert);
    }
    Added {
        text: result,
        rules,
        directives,
        skipped,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ruff_text_size::TextRange;

    fn finding(rule: Rule, text: &str, needle: &str) -> Diagnostic {
        let at = TextSize::try_from(text.find(needle).unwrap()).unwrap();
        Diagnostic::new(rule, TextRange::new(at, at), "m")
    }

    fn python(text: &str, found: &[(Rule, &str)]) -> Added {
        let parsed =
            ruff_python_parser::parse_unchecked_source(text, ruff_python_ast::PySourceType::Python);
        let findings: Vec<Diagnostic> = found.iter().map(|(r, n)| finding(*r, text, n)).collect();
        add(text, &findings, &Comments::Python(parsed.tokens()))
    }

    #[test]
    fn never_inside_a_multi_line_f_string_replacement_field() {
        let text =
            "import aioredis  # noqa: RU100\ns = f\"\"\"{aioredis.create_redis_pool\n}\"\"\"\n";
        let added = python(
            text,
            &[(Rule::AioredisLegacyApi, "aioredis.create_redis_pool")],
        );
        assert_eq!(added.text, text, "nothing added");
        assert_eq!(added.skipped.len(), 1);
    }

    #[test]
    fn comments_are_added_merged_or_refused() {
        let added = python(
            "import aioredis\nimport aioredis.client  # noqa: F401 why\nx = 1  # keep\n",
            &[
                (Rule::AioredisImport, "import aioredis\n"),
                (Rule::AioredisLegacyApi, "import aioredis\n"),
                (Rule::AioredisImport, "import aioredis.client"),
                (Rule::AioredisImport, "x = 1"),
            ],
        );
        assert_eq!(
            added.text,
            "import aioredis  # noqa: RU100, RU101\nimport aioredis.client  # noqa: F401, RU100 why\nx = 1  # keep  # noqa: RU100\n"
        );
        assert_eq!(added.directives, 3);
        assert!(added.skipped.is_empty());

        let text = "x = f('''a\nb''')\ny = 1 + \\\n  2\n";
        let added = python(
            text,
            &[(Rule::AioredisImport, "x ="), (Rule::AioredisImport, "y =")],
        );
        assert_eq!(added.text, text);
        assert_eq!(added.skipped.len(), 2);
        assert!(added.skipped[0].1.contains("multi-line string"));
        assert!(added.skipped[1].1.contains("backslash"));
    }

    #[test]
    fn requirements_comments_need_whitespace_before_the_hash() {
        let text = "aioredis==2.0.1 # pinned\nredis==4.3.4\n";
        let findings = vec![
            finding(Rule::AioredisDependency, text, "aioredis"),
            finding(Rule::VulnerableRedisVersion, text, "redis==4"),
        ];
        let added = add(text, &findings, &Comments::Requirements);
        assert_eq!(
            added.text,
            "aioredis==2.0.1 # pinned  # noqa: RU300\nredis==4.3.4  # noqa: RU301\n"
        );
    }
}
