//! Python source encodings (PEP 263): a `# -*- coding: NAME -*-` comment on the
//! first or second line says how the file's bytes are decoded. Such files are
//! decoded by their declaration (with `encoding_rs`), linted on the decoded
//! text, and written back in the same encoding; a fixed text that the encoding
//! cannot represent is refused, never re-encoded silently.
//!
//! Files without a declaration (or with a UTF-8 BOM) are UTF-8, as in Python 3.

use std::borrow::Cow;

/// How a file's bytes become text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceEncoding {
    /// UTF-8 (the default, or declared): the text is the bytes.
    Utf8,
    /// Python's `latin-1` / `iso-8859-1`: each byte is the code point of the
    /// same value. (`encoding_rs` follows the WHATWG standard, which maps the
    /// label `latin1` to windows-1252; Python does not.)
    Latin1,
    /// Python's `ascii`: bytes 0–127 only.
    Ascii,
    /// Any other ASCII-compatible encoding `encoding_rs` knows (cp1252,
    /// iso-8859-15, shift_jis, euc-jp, gbk, koi8-r, …).
    Other(&'static encoding_rs::Encoding),
}

/// A file's text and how it was decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    pub text: String,
    pub encoding: SourceEncoding,
    /// Encoding `text` again gives the file's bytes back exactly (false for
    /// the rare byte sequences some legacy encodings decode ambiguously): a
    /// fix is written only when this holds.
    pub round_trips: bool,
}

impl SourceEncoding {
    /// The name shown to the user.
    pub fn name(self) -> &'static str {
        match self {
            SourceEncoding::Utf8 => "utf-8",
            SourceEncoding::Latin1 => "latin-1",
            SourceEncoding::Ascii => "ascii",
            SourceEncoding::Other(encoding) => encoding.name(),
        }
    }

    /// The bytes of `text` in this encoding; `Err` (with the first character
    /// that cannot be represented) instead of any replacement.
    pub fn encode<'a>(self, text: &'a str) -> Result<Cow<'a, [u8]>, String> {
        let unrepresentable = |c: char| {
            format!(
                "the fixed text contains {c:?} (U+{:04X}), which {} cannot represent",
                c as u32,
                self.name()
            )
        };
        match self {
            SourceEncoding::Utf8 => Ok(Cow::Borrowed(text.as_bytes())),
            SourceEncoding::Latin1 | SourceEncoding::Ascii => {
                let limit = if self == SourceEncoding::Latin1 {
                    0xFF
                } else {
                    0x7F
                };
                if text.is_ascii() {
                    return Ok(Cow::Borrowed(text.as_bytes()));
                }
                text.chars()
                    .map(|c| {
                        u8::try_from(c as u32)
                            .ok()
                            .filter(|b| u32::from(*b) <= limit)
                            .ok_or_else(|| unrepresentable(c))
                    })
                    .collect::<Result<Vec<u8>, String>>()
                    .map(Cow::Owned)
            }
            SourceEncoding::Other(encoding) => {
                // `encode` would write unmappable characters as `&#NNNN;`: find
                // them first and refuse instead.
                let mut encoder = encoding.new_encoder();
                let mut output = Vec::with_capacity(text.len());
                let mut rest = text;
                loop {
                    let needed = encoder
                        .max_buffer_length_from_utf8_without_replacement(rest.len())
                        .unwrap_or(rest.len() * 4 + 16);
                    output.reserve(needed);
                    let (result, read) = encoder.encode_from_utf8_to_vec_without_replacement(
                        rest,
                        &mut output,
                        true,
                    );
                    rest = &rest[read..];
                    match result {
                        encoding_rs::EncoderResult::InputEmpty => return Ok(Cow::Owned(output)),
                        encoding_rs::EncoderResult::OutputFull => continue,
                        encoding_rs::EncoderResult::Unmappable(c) => {
                            return Err(unrepresentable(c));
                        }
                    }
                }
            }
        }
    }
}

/// Decodes a Python file's bytes by its PEP 263 declaration (UTF-8 without
/// one). `Err` says why the file cannot be read as text.
pub fn decode_python(bytes: Vec<u8>) -> Result<Decoded, String> {
    let has_bom = bytes.starts_with(b"\xEF\xBB\xBF");
    let encoding = match declared(&bytes) {
        None => SourceEncoding::Utf8,
        Some(_) if has_bom => SourceEncoding::Utf8, // the BOM wins (Python insists they agree)
        Some(name) => encoding_for(&name).ok_or_else(|| {
            format!(
                "its coding declaration names `{name}`, an encoding redis-unify cannot read; skipped \
                 (save it as UTF-8 and drop the declaration to have it checked)"
            )
        })?,
    };
    decode_as(bytes, encoding)
}

/// Decodes `bytes` as `encoding`; `Err` at the first byte that is not valid in it.
pub fn decode_as(bytes: Vec<u8>, encoding: SourceEncoding) -> Result<Decoded, String> {
    let mut round_trips = true;
    let text = match encoding {
        SourceEncoding::Utf8 => String::from_utf8(bytes).map_err(|error| {
            format!(
                "not valid UTF-8 at byte {}",
                error.utf8_error().valid_up_to()
            )
        })?,
        SourceEncoding::Latin1 => bytes.iter().map(|&b| char::from(b)).collect(),
        SourceEncoding::Ascii => {
            if let Some(at) = bytes.iter().position(|b| !b.is_ascii()) {
                return Err(format!("not valid ascii (as declared) at byte {at}"));
            }
            String::from_utf8(bytes).map_err(|e| e.to_string())?
        }
        SourceEncoding::Other(encoding) => {
            let text = encoding
                .decode_without_bom_handling_and_without_replacement(&bytes)
                .ok_or_else(|| {
                    format!(
                        "not valid {} (as declared); undecodable bytes",
                        encoding.name()
                    )
                })?
                .into_owned();
            round_trips = SourceEncoding::Other(encoding)
                .encode(&text)
                .is_ok_and(|again| again.as_ref() == bytes.as_slice());
            text
        }
    };
    Ok(Decoded {
        text,
        encoding,
        round_trips,
    })
}

/// The encoding named in a PEP 263 declaration, if any: line 1, or line 2 when
/// line 1 is blank or only a comment (as CPython's tokenizer reads it).
pub fn declared(bytes: &[u8]) -> Option<String> {
    let mut lines = bytes.split(|&b| b == b'\n').take(2);
    let first = lines.next()?;
    let first = first.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(first);
    if let Some(name) = coding_in(first) {
        return Some(name);
    }
    let trimmed = trim_start(first);
    if !(trimmed.is_empty() || trimmed == b"\r" || trimmed.starts_with(b"#")) {
        return None;
    }
    coding_in(lines.next()?)
}

fn trim_start(line: &[u8]) -> &[u8] {
    let start = line
        .iter()
        .position(|b| !matches!(b, b' ' | b'\t' | b'\x0c'))
        .unwrap_or(line.len());
    &line[start..]
}

/// `^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)` on one line.
fn coding_in(line: &[u8]) -> Option<String> {
    let comment = trim_start(line).strip_prefix(b"#")?;
    let mut from = 0;
    while let Some(at) = memchr::memmem::find(&comment[from..], b"coding") {
        let after = &comment[from + at + b"coding".len()..];
        if let Some(rest) = after
            .strip_prefix(b":")
            .or_else(|| after.strip_prefix(b"="))
        {
            let rest = &rest[rest
                .iter()
                .position(|b| !matches!(b, b' ' | b'\t'))
                .unwrap_or(rest.len())..];
            let end = rest
                .iter()
                .position(|b| !(b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.')))
                .unwrap_or(rest.len());
            if end > 0 {
                return Some(String::from_utf8_lossy(&rest[..end]).into_owned());
            }
        }
        from += at + 1;
    }
    None
}

/// The encoding a declared name means, as Python would read it; `None` for
/// names it does not know or encodings a declaration cannot use (those that
/// are not ASCII-compatible, such as UTF-16).
pub fn encoding_for(name: &str) -> Option<SourceEncoding> {
    let lower = name.to_ascii_lowercase().replace('_', "-");
    // CPython's tokenizer normalizes these before asking the codec registry.
    let is = |base: &str| lower == base || lower.starts_with(&format!("{base}-"));
    if is("utf-8") || lower == "utf8" {
        return Some(SourceEncoding::Utf8);
    }
    if is("latin-1") || is("iso-8859-1") || is("iso-latin-1") {
        return Some(SourceEncoding::Latin1);
    }
    if matches!(
        lower.as_str(),
        "latin1" | "l1" | "iso8859-1" | "8859" | "cp819" | "latin"
    ) {
        return Some(SourceEncoding::Latin1);
    }
    if matches!(
        lower.as_str(),
        "ascii" | "us-ascii" | "646" | "ansi-x3.4-1968"
    ) {
        return Some(SourceEncoding::Ascii);
    }
    let candidates = [lower.clone(), lower.replace('-', "")];
    let encoding = candidates
        .iter()
        .find_map(|label| encoding_rs::Encoding::for_label(label.as_bytes()))?;
    if encoding == encoding_rs::UTF_8 {
        return Some(SourceEncoding::Utf8);
    }
    // UTF-16 and ISO-2022-JP cannot carry an ASCII declaration; `replacement`
    // stands for encodings the standard refuses to decode.
    if !encoding.is_ascii_compatible() || encoding == encoding_rs::REPLACEMENT {
        return None;
    }
    Some(SourceEncoding::Other(encoding))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn declarations_on_line_one_or_two() {
        assert_eq!(
            declared(b"# -*- coding: latin-1 -*-\n").as_deref(),
            Some("latin-1")
        );
        assert_eq!(
            declared(b"#!/usr/bin/env python\n# vim: set fileencoding=cp1252 :\n").as_deref(),
            Some("cp1252")
        );
        assert_eq!(declared(b"import x\n# coding: latin-1\n"), None);
        assert_eq!(declared(b"\n\n# coding: latin-1\n"), None);
        assert_eq!(declared(b"x = 'coding: latin-1'\n"), None);
        assert_eq!(declared(b"# no declaration\n"), None);
        assert_eq!(
            declared(b"\xEF\xBB\xBF# coding=utf-8\n").as_deref(),
            Some("utf-8")
        );
    }

    #[test]
    fn names_as_python_reads_them() {
        assert_eq!(encoding_for("latin-1"), Some(SourceEncoding::Latin1));
        assert_eq!(encoding_for("ISO_8859_1"), Some(SourceEncoding::Latin1));
        assert_eq!(encoding_for("utf-8-unix"), Some(SourceEncoding::Utf8));
        assert_eq!(encoding_for("utf8"), Some(SourceEncoding::Utf8));
        assert_eq!(encoding_for("ascii"), Some(SourceEncoding::Ascii));
        assert_eq!(
            encoding_for("cp1252"),
            Some(SourceEncoding::Other(encoding_rs::WINDOWS_1252))
        );
        assert_eq!(
            encoding_for("iso_8859_15"),
            Some(SourceEncoding::Other(encoding_rs::ISO_8859_15))
        );
        assert_eq!(
            encoding_for("euc_jp"),
            Some(SourceEncoding::Other(encoding_rs::EUC_JP))
        );
        assert_eq!(encoding_for("utf-16"), None);
        assert_eq!(encoding_for("no-such-codec"), None);
    }

    #[test]
    fn latin1_round_trips_every_byte() {
        let bytes: Vec<u8> = (0..=255).collect();
        let decoded = decode_as(bytes.clone(), SourceEncoding::Latin1).unwrap();
        assert_eq!(decoded.text.chars().count(), 256);
        assert_eq!(
            SourceEncoding::Latin1.encode(&decoded.text).unwrap(),
            bytes.as_slice()
        );
    }

    #[test]
    fn unrepresentable_text_is_refused() {
        let error = SourceEncoding::Latin1.encode("x = '€'").unwrap_err();
        assert!(error.contains("U+20AC"), "{error}");
        let error = SourceEncoding::Other(encoding_rs::SHIFT_JIS)
            .encode("x = 'é'")
            .unwrap_err();
        assert!(error.contains("Shift_JIS"), "{error}");
        assert_eq!(
            SourceEncoding::Other(encoding_rs::SHIFT_JIS)
                .encode("x = '日本'")
                .unwrap()
                .as_ref(),
            b"x = '\x93\xfa\x96\x7b'"
        );
        assert!(SourceEncoding::Ascii.encode("é").is_err());
    }

    #[test]
    fn decoding_by_declaration() {
        let decoded = decode_python(b"# coding: latin-1\ns = '\xe9'\n".to_vec()).unwrap();
        assert_eq!(decoded.encoding, SourceEncoding::Latin1);
        assert!(decoded.text.ends_with("s = '\u{e9}'\n"));
        assert!(decode_python(b"s = '\xe9'\n".to_vec()).is_err());
        assert!(decode_python(b"# coding: klingon\n".to_vec()).is_err());
        assert!(decode_python(b"# coding: ascii\ns = '\xe9'\n".to_vec()).is_err());
        let decoded = decode_python(b"# coding: shift_jis\ns = '\x93\xfa'\n".to_vec()).unwrap();
        assert!(decoded.text.ends_with("s = '\u{65e5}'\n"));
    }
}
