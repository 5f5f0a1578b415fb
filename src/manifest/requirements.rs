//! pip requirements files: one requirement per logical line (a `\` at the end
//! of a line continues it), `#` comments at the start of a line or after
//! whitespace, `-r FILE` / `-c FILE` includes, other options skipped, and
//! per-requirement options (`--hash=…`) cut off before PEP 508 parsing.

use super::text::{line_end_inclusive, range};
use super::{Dependency, Include, Manifest, Site, parse_pep508};

/// One logical line: its text (continuations joined) and where each piece of
/// it is in the file.
struct LogicalLine {
    text: String,
    /// (offset in `text`, offset in the file) where each physical piece starts.
    pieces: Vec<(usize, usize)>,
    /// The whole logical line in the file, with its line break.
    span: (usize, usize),
}

impl LogicalLine {
    /// The file offset of `text[at]`, when `text[from..to]` lies in one piece.
    fn file_range(&self, from: usize, to: usize) -> Option<(usize, usize)> {
        let piece = self
            .pieces
            .iter()
            .rev()
            .find(|(logical, _)| *logical <= from)?;
        let next = self
            .pieces
            .iter()
            .find(|(logical, _)| *logical > from)
            .map_or(usize::MAX, |(logical, _)| *logical);
        (to <= next).then(|| (piece.1 + from - piece.0, piece.1 + to - piece.0))
    }
}

fn logical_lines(text: &str) -> Vec<LogicalLine> {
    let mut lines = Vec::new();
    let mut at = 0;
    let mut current: Option<LogicalLine> = None;
    while at < text.len() {
        let end = line_end_inclusive(text, at);
        let physical = text[at..end].trim_end_matches(['\n', '\r']);
        let line = current.get_or_insert_with(|| LogicalLine {
            text: String::new(),
            pieces: Vec::new(),
            span: (at, end),
        });
        line.pieces.push((line.text.len(), at));
        line.span.1 = end;
        // A comment ends the line: a `\` inside it does not continue it.
        let code = strip_comment(physical);
        if let Some(continued) = code.strip_suffix('\\') {
            line.text.push_str(continued);
        } else {
            line.text.push_str(code);
            lines.extend(current.take());
        }
        at = end;
    }
    lines.extend(current);
    lines
}

/// The line without its comment: `#` at the start or after whitespace.
fn strip_comment(line: &str) -> &str {
    let bytes = line.as_bytes();
    for (i, b) in bytes.iter().enumerate() {
        if *b == b'#' && (i == 0 || bytes[i - 1].is_ascii_whitespace()) {
            return line[..i].trim_end();
        }
    }
    line.trim_end()
}

pub fn parse(text: &str) -> Manifest {
    let mut manifest = Manifest::default();
    for line in logical_lines(text) {
        let content = line.text.trim_start();
        let indent = line.text.len() - content.len();
        if content.is_empty() {
            continue;
        }
        if let Some(option) = content.strip_prefix('-') {
            if let Some(path) = include_path(option) {
                let (start, end) = line
                    .file_range(indent, line.text.trim_end().len())
                    .unwrap_or((line.span.0, line.span.1));
                manifest.includes.push(Include {
                    path: path.to_string(),
                    range: range(start, end),
                });
            }
            continue; // -e, -i, --index-url, …: not a requirement on a package name
        }
        // Per-requirement options (`--hash=…`, `--config-settings …`) follow the requirement.
        let requirement = match content.find(" --").or_else(|| content.find("\t--")) {
            Some(cut) => content[..cut].trim_end(),
            None => content.trim_end(),
        };
        let Some(parsed) = parse_pep508(requirement) else {
            continue; // a path, a URL without a name: nothing the rules judge
        };
        let head_end = indent + super::head_len(requirement);
        let end = indent + requirement.len();
        let head = line
            .file_range(indent, head_end)
            .map(|(start, end)| range(start, end));
        let shown = line
            .file_range(indent, end)
            .or_else(|| line.file_range(indent, head_end))
            .unwrap_or(line.span);
        manifest.dependencies.push(Dependency {
            name: parsed.name,
            extras: parsed.extras,
            admitted: parsed.admitted,
            specifier: parsed.specifier,
            marker: parsed.marker,
            range: range(shown.0, shown.1),
            site: Site::Pep508 {
                head,
                literal: None,
                removal: Some(range(line.span.0, line.span.1)),
            },
            group: String::new(),
        });
    }
    manifest
}

/// The file of `-r FILE`, `-rFILE`, `--requirement FILE`, `--requirement=FILE`
/// (and the same for `-c` / `--constraint`).
fn include_path(option: &str) -> Option<&str> {
    let rest = option
        .strip_prefix("-requirement")
        .or_else(|| option.strip_prefix("-constraint"))
        .or_else(|| option.strip_prefix('r'))
        .or_else(|| option.strip_prefix('c'))?;
    let path = rest.trim_start_matches('=').trim();
    (!path.is_empty()).then_some(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_comments_and_continuations() {
        let text = "# aioredis is archived\naioredis[hiredis]==2.0.1  # pinned\nredis \\\n  >=4.2 ; python_version < '3.11'\n-r base.txt\n--requirement=dev.txt\n-e ./local\nhttps://example.com/x.whl\n";
        let manifest = parse(text);
        let names: Vec<&str> = manifest
            .dependencies
            .iter()
            .map(|d| d.name.as_ref())
            .collect();
        assert_eq!(names, ["aioredis", "redis"]);
        let aioredis = &manifest.dependencies[0];
        assert_eq!(&text[aioredis.range], "aioredis[hiredis]==2.0.1");
        let Site::Pep508 { head, .. } = &aioredis.site else {
            panic!()
        };
        assert_eq!(&text[head.unwrap()], "aioredis[hiredis]==2.0.1");
        let redis = &manifest.dependencies[1];
        assert_eq!(redis.specifier, ">=4.2");
        let Site::Pep508 { head, removal, .. } = &redis.site else {
            panic!()
        };
        assert_eq!(*head, None, "the head spans a continuation");
        assert_eq!(
            &text[removal.unwrap()],
            "redis \\\n  >=4.2 ; python_version < '3.11'\n"
        );
        let includes: Vec<&str> = manifest.includes.iter().map(|i| i.path.as_str()).collect();
        assert_eq!(includes, ["base.txt", "dev.txt"]);
    }

    #[test]
    fn hashes_are_cut_off() {
        let manifest = parse("redis==4.3.4 --hash=sha256:abc \\\n    --hash=sha256:def\n");
        assert_eq!(manifest.dependencies[0].specifier, "==4.3.4");
    }
}
