//! `setup.cfg` (INI, as setuptools reads it): `install_requires` in
//! `[options]` and every key of `[options.extras_require]`, one requirement per
//! line (a value continues on indented lines); `#` and `;` start comment lines.
//! Other sections (`[mypy-aioredis]`, `[flake8]`) are not looked at.

use super::text::{line_end_inclusive, range};
use super::{Dependency, Manifest, Site, parse_pep508};

pub fn parse(text: &str) -> Manifest {
    let mut manifest = Manifest::default();
    let mut section = String::new();
    // The key whose value the current line continues, when it is one we read.
    let mut group: Option<String> = None;
    let mut at = 0;
    while at < text.len() {
        let end = line_end_inclusive(text, at);
        let line = text[at..end].trim_end_matches(['\n', '\r']);
        let line_at = at;
        at = end;
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') || trimmed.starts_with(';') {
            continue;
        }
        let indented = line.starts_with([' ', '\t']);
        let mut value: Option<(usize, &str)> = None;
        if !indented {
            if let Some(name) = trimmed.strip_prefix('[').and_then(|s| s.strip_suffix(']')) {
                section = name.trim().to_string();
                group = None;
                continue;
            }
            let Some(separator) = line.find(['=', ':']) else {
                group = None;
                continue;
            };
            let key = line[..separator].trim();
            group = match section.as_str() {
                "options" if key == "install_requires" => Some("install_requires".to_string()),
                "options.extras_require" => Some(format!("extras_require.{key}")),
                _ => None,
            };
            let rest = &line[separator + 1..];
            value = Some((line_at + separator + 1, rest));
        } else if group.is_some() {
            value = Some((line_at, line));
        }
        let (Some(group), Some((value_at, value))) = (&group, value) else {
            continue;
        };
        let code = strip_comment(value);
        let requirement = code.trim();
        if requirement.is_empty() {
            continue;
        }
        let Some(parsed) = parse_pep508(requirement) else {
            continue;
        };
        let start = value_at + (code.len() - code.trim_start().len());
        let head_end = start + super::head_len(requirement);
        let whole_line =
            !line[..start - line_at].contains('=') && !line[..start - line_at].contains(':');
        manifest.dependencies.push(Dependency {
            name: parsed.name,
            extras: parsed.extras,
            admitted: parsed.admitted,
            specifier: parsed.specifier,
            marker: parsed.marker,
            range: range(start, start + requirement.len()),
            site: Site::Pep508 {
                head: Some(range(start, head_end)),
                literal: None,
                removal: whole_line.then(|| range(line_at, end)),
            },
            group: group.clone(),
        });
    }
    manifest
}

/// A value without a trailing ` # comment`.
fn strip_comment(value: &str) -> &str {
    let bytes = value.as_bytes();
    for (i, b) in bytes.iter().enumerate() {
        if *b == b'#' && (i == 0 || bytes[i - 1].is_ascii_whitespace()) {
            return &value[..i];
        }
    }
    value
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_and_extras_only() {
        let text = "[metadata]\nname = svc\n\n[options]\npackages = find:\ninstall_requires =\n    aioredis>=1.3  # archived\n    redis ; python_version >= \"3.11\"\n\n[options.extras_require]\naioredis = redis>=5\nfast =\n    hiredis\n\n[mypy-aioredis]\nignore_missing_imports = True\n";
        let manifest = parse(text);
        let found: Vec<(&str, &str, &str)> = manifest
            .dependencies
            .iter()
            .map(|d| (d.group.as_str(), d.name.as_ref(), &text[d.range]))
            .collect();
        assert_eq!(
            found,
            [
                ("install_requires", "aioredis", "aioredis>=1.3"),
                (
                    "install_requires",
                    "redis",
                    "redis ; python_version >= \"3.11\""
                ),
                ("extras_require.aioredis", "redis", "redis>=5"),
                ("extras_require.fast", "hiredis", "hiredis"),
            ]
        );
        let Site::Pep508 { removal, .. } = &manifest.dependencies[0].site else {
            panic!()
        };
        assert_eq!(&text[removal.unwrap()], "    aioredis>=1.3  # archived\n");
    }
}
