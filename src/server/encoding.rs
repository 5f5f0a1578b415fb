//! Positions: byte offsets in the text ↔ LSP line/character in the
//! negotiated position encoding (UTF-8 when the client offers it, else the
//! protocol's default, UTF-16; UTF-32 when that is all the client offers).

use lsp_types::{Position, PositionEncodingKind, Range};
use ruff_source_file::LineIndex;
use ruff_text_size::{TextRange, TextSize};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PositionEncoding {
    Utf8,
    Utf16,
    Utf32,
}

impl PositionEncoding {
    /// The encoding to use among those the client offers (in its order of
    /// preference, UTF-8 first when offered at all: it needs no conversion).
    pub fn negotiate(offered: Option<&[PositionEncodingKind]>) -> Self {
        let offered = offered.unwrap_or_default();
        if offered.contains(&PositionEncodingKind::UTF8) {
            PositionEncoding::Utf8
        } else if offered.contains(&PositionEncodingKind::UTF16) || offered.is_empty() {
            PositionEncoding::Utf16
        } else if offered.contains(&PositionEncodingKind::UTF32) {
            PositionEncoding::Utf32
        } else {
            PositionEncoding::Utf16
        }
    }

    pub fn kind(self) -> PositionEncodingKind {
        match self {
            PositionEncoding::Utf8 => PositionEncodingKind::UTF8,
            PositionEncoding::Utf16 => PositionEncodingKind::UTF16,
            PositionEncoding::Utf32 => PositionEncodingKind::UTF32,
        }
    }

    /// How many code units `text` is.
    fn units(self, text: &str) -> usize {
        match self {
            PositionEncoding::Utf8 => text.len(),
            PositionEncoding::Utf16 => text.encode_utf16().count(),
            PositionEncoding::Utf32 => text.chars().count(),
        }
    }
}

/// A text with its line starts, for converting positions.
pub struct TextLines<'a> {
    text: &'a str,
    index: LineIndex,
}

impl<'a> TextLines<'a> {
    pub fn new(text: &'a str) -> Self {
        TextLines {
            text,
            index: LineIndex::from_source_text(text),
        }
    }

    pub fn position(&self, offset: TextSize, encoding: PositionEncoding) -> Position {
        let offset = offset.min(self.text.text_len());
        let line = self.index.line_index(offset).to_zero_indexed();
        let start = self.index.line_starts()[line].to_usize();
        let mut end = offset.to_usize();
        while !self.text.is_char_boundary(end) {
            end -= 1;
        }
        Position::new(
            u32::try_from(line).unwrap_or(u32::MAX),
            u32::try_from(encoding.units(&self.text[start..end])).unwrap_or(u32::MAX),
        )
    }

    pub fn range(&self, range: TextRange, encoding: PositionEncoding) -> Range {
        Range::new(
            self.position(range.start(), encoding),
            self.position(range.end(), encoding),
        )
    }

    /// The byte offset of a position. A line past the end is the end of the
    /// text; a character past the end of its line is the end of the line (as
    /// the protocol says); a position inside a character is its start.
    pub fn offset(&self, position: Position, encoding: PositionEncoding) -> TextSize {
        let starts = self.index.line_starts();
        let line = position.line as usize;
        let Some(start) = starts.get(line) else {
            return self.text.text_len();
        };
        let start = start.to_usize();
        let next = starts
            .get(line + 1)
            .map_or(self.text.len(), |s| s.to_usize());
        let content = self.text[start..next].trim_end_matches(['\n', '\r']);
        let wanted = position.character as usize;
        let mut units = 0;
        for (at, c) in content.char_indices() {
            if units >= wanted {
                return TextSize::try_from(start + at).unwrap_or_default();
            }
            units += match encoding {
                PositionEncoding::Utf8 => c.len_utf8(),
                PositionEncoding::Utf16 => c.len_utf16(),
                PositionEncoding::Utf32 => 1,
            };
            if units > wanted {
                return TextSize::try_from(start + at).unwrap_or_default();
            }
        }
        TextSize::try_from(start + content.len()).unwrap_or_default()
    }

    pub fn text_range(&self, range: Range, encoding: PositionEncoding) -> TextRange {
        let start = self.offset(range.start, encoding);
        let end = self.offset(range.end, encoding).max(start);
        TextRange::new(start, end)
    }
}

trait TextLen {
    fn text_len(&self) -> TextSize;
}

impl TextLen for str {
    fn text_len(&self) -> TextSize {
        TextSize::try_from(self.len()).unwrap_or(TextSize::new(u32::MAX))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_in_each_encoding() {
        // `é` is 2 UTF-8 bytes and 1 UTF-16 unit; `𝄞` is 4 bytes, 2 UTF-16 units, 1 char.
        let text = "x = 1\r\ns = \"é𝄞\"; import aioredis\n";
        let lines = TextLines::new(text);
        let offset = TextSize::try_from(text.find("import").unwrap()).unwrap();
        let at = |encoding| lines.position(offset, encoding);
        assert_eq!(at(PositionEncoding::Utf8), Position::new(1, 14));
        assert_eq!(at(PositionEncoding::Utf16), Position::new(1, 11));
        assert_eq!(at(PositionEncoding::Utf32), Position::new(1, 10));
        for encoding in [
            PositionEncoding::Utf8,
            PositionEncoding::Utf16,
            PositionEncoding::Utf32,
        ] {
            assert_eq!(lines.offset(at(encoding), encoding), offset);
        }
        // Past the end of a line, past the last line, inside a character.
        assert_eq!(
            lines.offset(Position::new(0, 99), PositionEncoding::Utf16),
            TextSize::new(5)
        );
        assert_eq!(
            lines.offset(Position::new(9, 0), PositionEncoding::Utf16),
            TextSize::try_from(text.len()).unwrap()
        );
        let inside = lines.offset(Position::new(1, 6), PositionEncoding::Utf8);
        assert_eq!(inside, TextSize::try_from(text.find('é').unwrap()).unwrap());
    }

    #[test]
    fn negotiation_prefers_utf8_and_defaults_to_utf16() {
        let offer = |kinds: &[PositionEncodingKind]| PositionEncoding::negotiate(Some(kinds));
        assert_eq!(
            offer(&[PositionEncodingKind::UTF16, PositionEncodingKind::UTF8]),
            PositionEncoding::Utf8
        );
        assert_eq!(
            offer(&[PositionEncodingKind::UTF16]),
            PositionEncoding::Utf16
        );
        assert_eq!(
            offer(&[PositionEncodingKind::UTF32]),
            PositionEncoding::Utf32
        );
        assert_eq!(PositionEncoding::negotiate(None), PositionEncoding::Utf16);
    }
}
