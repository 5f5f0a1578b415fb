//! Text helpers the manifest readers share: ranges, string literal contents,
//! and what to delete to remove a line or a list element.

use std::ops::Range;

use ruff_text_size::{TextRange, TextSize};

pub fn range(start: usize, end: usize) -> TextRange {
    TextRange::new(offset(start), offset(end))
}

pub fn offset(at: usize) -> TextSize {
    TextSize::try_from(at).unwrap_or(TextSize::new(u32::MAX))
}

pub fn to_range(span: Range<usize>) -> TextRange {
    range(span.start, span.end)
}

/// Where the content of a string literal (`"x"`, `'x'`, `"""x"""`, `r"x"`)
/// is within `raw`, when it is exactly `decoded` (no escapes to undo).
pub fn literal_content(raw: &str, decoded: &str) -> Option<Range<usize>> {
    let prefix = raw.bytes().take_while(u8::is_ascii_alphabetic).count();
    let rest = &raw[prefix..];
    let quote = ["\"\"\"", "'''", "\"", "'"]
        .into_iter()
        .find(|q| rest.starts_with(q) && rest.len() >= 2 * q.len() && rest.ends_with(q))?;
    let content = prefix + quote.len()..raw.len() - quote.len();
    (raw[content.clone()] == *decoded).then_some(content)
}

/// The start of the line holding `at`.
pub fn line_start(text: &str, at: usize) -> usize {
    text[..at].rfind('\n').map_or(0, |i| i + 1)
}

/// The end of the line holding `at`, after its line break.
pub fn line_end_inclusive(text: &str, at: usize) -> usize {
    text[at..].find('\n').map_or(text.len(), |i| at + i + 1)
}

/// What to delete to remove the item `start..end` that should be alone on its
/// line(s): the whole lines, with a trailing `,` and comment. `None` when other
/// text shares the lines.
pub fn whole_lines(text: &str, start: usize, end: usize) -> Option<TextRange> {
    let first = line_start(text, start);
    if !text[first..start].trim().is_empty() {
        return None;
    }
    let after = rest_of_line_is_trivia(text, end)?;
    Some(range(first, after))
}

/// After `end`: spaces, an optional `,`, spaces, an optional `#` comment, then
/// the line break. Returns the offset after the line break.
fn rest_of_line_is_trivia(text: &str, end: usize) -> Option<usize> {
    let line_end = line_end_inclusive(text, end);
    let rest = text[end..line_end].trim_end_matches(['\n', '\r']);
    let rest = rest.trim_start();
    let rest = rest.strip_prefix(',').unwrap_or(rest).trim_start();
    (rest.is_empty() || rest.starts_with('#')).then_some(line_end)
}

/// What to delete to remove one element `start..end` of a bracketed list (a
/// TOML array or a Python list): its whole line when it is alone on it,
/// otherwise the element with the comma after it (or before it, when last).
pub fn list_element(text: &str, start: usize, end: usize) -> TextRange {
    if let Some(lines) = whole_lines(text, start, end) {
        return lines;
    }
    let after = &text[end..];
    let spaces = after.len() - after.trim_start_matches([' ', '\t']).len();
    if after[spaces..].starts_with(',') {
        let rest = &after[spaces + 1..];
        let trailing = rest.len() - rest.trim_start_matches([' ', '\t']).len();
        return range(start, end + spaces + 1 + trailing);
    }
    let before = &text[..start];
    let trimmed = before.trim_end();
    if trimmed.ends_with(',') {
        return range(trimmed.len() - 1, end);
    }
    range(start, end)
}

/// `value` as a TOML basic string.
pub fn toml_string(value: &str) -> String {
    toml_edit::Value::from(value).to_string().trim().to_string()
}

/// `value` as a Python string literal in `quote`s.
pub fn python_string(value: &str, quote: char) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push(quote);
    for c in value.chars() {
        if c == '\\' || c == quote {
            out.push('\\');
        }
        out.push(c);
    }
    out.push(quote);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literal_contents() {
        assert_eq!(literal_content("\"abc\"", "abc"), Some(1..4));
        assert_eq!(literal_content("'''abc'''", "abc"), Some(3..6));
        assert_eq!(literal_content("r'abc'", "abc"), Some(2..5));
        assert_eq!(literal_content("\"a\\\"c\"", "a\"c"), None);
    }

    #[test]
    fn list_elements() {
        let text = "[\n    \"a\",  # one\n    \"b\",\n]\n";
        let a = text.find("\"a\"").unwrap();
        let removed = list_element(text, a, a + 3);
        assert_eq!(&text[removed], "    \"a\",  # one\n");
        let inline = "[\"a\", \"b\"]";
        let a = inline.find("\"a\"").unwrap();
        assert_eq!(&inline[list_element(inline, a, a + 3)], "\"a\", ");
        let b = inline.find("\"b\"").unwrap();
        assert_eq!(&inline[list_element(inline, b, b + 3)], ", \"b\"");
    }

    #[test]
    fn encodings() {
        assert_eq!(
            toml_string("redis; python_version < \"3.11\""),
            "'redis; python_version < \"3.11\"'"
        );
        assert_eq!(python_string("a'b", '\''), "'a\\'b'");
    }
}
