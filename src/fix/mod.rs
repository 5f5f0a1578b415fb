//! Fixes: what a diagnostic proposes to change, and applying it.
//!
//! The model is ruff's: a fix is a list of byte-range edits with an
//! applicability. Safe fixes keep the meaning of the code; unsafe ones are right
//! in most code but may change behaviour (applied only with `--unsafe-fixes`).

pub mod apply;
pub mod commit;
pub mod diff;
pub mod import_check;
pub mod journal;
pub mod verify;
pub mod worktree;
pub mod write;

use ruff_text_size::{TextRange, TextSize};
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Applicability {
    /// Shown, never applied.
    DisplayOnly,
    /// Applied with `--unsafe-fixes`.
    Unsafe,
    /// Applied with `--fix`.
    Safe,
}

/// Replace the text of `range` with `content`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    pub range: TextRange,
    pub content: String,
}

impl Edit {
    pub fn replacement(range: TextRange, content: impl Into<String>) -> Self {
        Self {
            range,
            content: content.into(),
        }
    }

    pub fn start(&self) -> TextSize {
        self.range.start()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fix {
    /// Sorted by start, not overlapping.
    pub edits: Vec<Edit>,
    pub applicability: Applicability,
    /// What the fix does, shown as the diagnostic's help line.
    pub title: String,
}

impl Fix {
    pub fn new(
        mut edits: Vec<Edit>,
        applicability: Applicability,
        title: impl Into<String>,
    ) -> Self {
        edits.sort_by_key(|edit| (edit.range.start(), edit.range.end()));
        Self {
            edits,
            applicability,
            title: title.into(),
        }
    }

    /// The full range the edits span.
    pub fn range(&self) -> Option<TextRange> {
        let first = self.edits.first()?;
        let last = self.edits.iter().map(|e| e.range.end()).max()?;
        Some(TextRange::new(first.range.start(), last))
    }
}

/// Which fixes a run applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FixMode {
    Safe,
    SafeAndUnsafe,
}

impl FixMode {
    pub fn allows(self, applicability: Applicability) -> bool {
        match self {
            FixMode::Safe => applicability == Applicability::Safe,
            FixMode::SafeAndUnsafe => applicability >= Applicability::Unsafe,
        }
    }
}
