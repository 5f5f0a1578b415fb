#![doc = include_str!("../../rules/docs/RU002.md")]

use ruff_text_size::{TextRange, TextSize};

use super::Rule;
use crate::diagnostic::{Applicability, Diagnostic, Edit, Fix};
use crate::noqa::{Directive, Located, Unused};

pub const DOC: &str = include_str!("../../rules/docs/RU002.md");

/// The letters of our codes: only `RU` + digits are judged (`RUF100` is ruff's).
const PREFIX: &str = "RU";

/// Whether `code` is one of ours by its form (a known rule or not).
pub fn is_ours(code: &str) -> bool {
    code.strip_prefix(PREFIX)
        .is_some_and(|digits| !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()))
}

/// The RU002 finding of one `# noqa: …` directive, if it lists a code of ours
/// that suppressed nothing. `used[i]` says whether the i-th listed code
/// suppressed a finding on its line. A bare `# noqa` is never judged (it
/// speaks for every tool that reads `# noqa`), nor are other tools' codes,
/// nor a directive that lists RU002 itself.
pub fn check(source: &str, located: &Located, used: &[bool], unused: Unused) -> Option<Diagnostic> {
    let Directive::Codes(_) = &located.directive else {
        return None;
    };
    if located
        .codes
        .iter()
        .any(|(code, _)| code == Rule::UnusedNoqa.code())
    {
        return None;
    }
    let mut kept: Vec<&str> = Vec::new();
    let mut unmatched = Vec::new();
    let mut disabled = Vec::new();
    let mut duplicated = Vec::new();
    let mut unknown = Vec::new();
    for ((code, _), used) in located.codes.iter().zip(used) {
        let code = code.as_str();
        if kept.contains(&code) || unmatched.contains(&code) || disabled.contains(&code) {
            duplicated.push(code);
            continue;
        }
        if !is_ours(code) || *used {
            kept.push(code);
            continue;
        }
        match Rule::from_code(code) {
            None => unknown.push(code),
            Some(rule) if unused.keep_manifest_codes && Rule::MANIFEST_RULES.contains(&rule) => {
                kept.push(code);
            }
            Some(rule) if !unused.rules.contains(rule) => disabled.push(code),
            Some(_) => unmatched.push(code),
        }
    }
    if unmatched.is_empty() && disabled.is_empty() && duplicated.is_empty() && unknown.is_empty() {
        return None;
    }
    let mut reasons = Vec::new();
    for (what, codes) in [
        ("unused", &unmatched),
        ("non-enabled", &disabled),
        ("duplicated", &duplicated),
        ("unknown", &unknown),
    ] {
        if !codes.is_empty() {
            let listed: Vec<String> = codes.iter().map(|c| format!("`{c}`")).collect();
            reasons.push(format!("{what}: {}", listed.join(", ")));
        }
    }
    let message = format!("Unused `noqa` directive ({})", reasons.join("; "));
    let fix = if kept.is_empty() {
        Fix::new(
            vec![delete_directive(source, located.range)],
            Applicability::Safe,
            "Remove the unused `noqa` directive",
        )
    } else {
        Fix::new(
            vec![Edit::replacement(
                located.range,
                format!("# noqa: {}", kept.join(", ")),
            )],
            Applicability::Safe,
            "Remove the unused codes from the `noqa` directive",
        )
    };
    Some(Diagnostic::new(Rule::UnusedNoqa, located.range, message).with_fix(fix))
}

/// The edit that removes a whole `# noqa: …` directive, as ruff does: with
/// the line when the directive is all there is on it, with the blanks before
/// it when it ends the line, and keeping a comment that follows it.
fn delete_directive(source: &str, range: TextRange) -> Edit {
    let start = range.start().to_usize();
    let end = range.end().to_usize();
    let line_start = source[..start].rfind(['\n', '\r']).map_or(0, |i| i + 1);
    let line_end = source[end..]
        .find(['\n', '\r'])
        .map_or(source.len(), |i| end + i);
    let before = &source[line_start..start];
    let leading = before.len() - before.trim_end().len();
    let after = &source[end..line_end];
    let trailing = after.len() - after.trim_start().len();
    let size = |offset: usize| TextSize::try_from(offset).unwrap_or_default();
    let (from, to, content) = if start - leading == line_start && end + trailing == line_end {
        // `# noqa: RU100` on a line of its own: the line goes, with its break.
        let full_end = match &source.as_bytes()[line_end..] {
            [b'\r', b'\n', ..] => line_end + 2,
            [b'\n' | b'\r', ..] => line_end + 1,
            _ => line_end,
        };
        (line_start, full_end, "")
    } else if end + trailing == line_end {
        // `x = 1  # noqa: RU100`
        (start - leading, line_end, "")
    } else if source[end + trailing..line_end].starts_with('#') {
        // `x = 1  # noqa: RU100  # type: ignore`
        (start, end + trailing, "")
    } else {
        // `x = 1  # noqa: RU100 legacy code`: the explanation stays a comment.
        (start, end + trailing, "# ")
    };
    Edit::replacement(TextRange::new(size(from), size(to)), content)
}
