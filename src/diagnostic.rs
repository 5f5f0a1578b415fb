//! What a rule reports: a diagnostic, and the fix it proposes.
//!
//! The model is ruff's: a fix is a list of byte-range edits with an
//! applicability. Safe fixes keep the meaning of the code; unsafe ones are right
//! in most code but may change behaviour (applied only with `--unsafe-fixes`).
//! Applying them is `crate::fix`'s job.

use ruff_text_size::{TextRange, TextSize};
use serde::Serialize;

use crate::rules::Rule;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub rule: Rule,
    /// Byte range in the file's text.
    pub range: TextRange,
    pub message: String,
    /// What to do about it, shown under the snippet when there is no fix.
    pub help: Option<String>,
    pub fix: Option<Fix>,
    /// Places in other files (or this one) that explain the finding: where a
    /// client comes from, which module uses a name a fix would change.
    pub related: Vec<Related>,
}

/// A location a diagnostic points to besides its own: a file (as shown, relative
/// to the current folder), a 1-based line and column range, and what is there.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Related {
    /// As reports show it (relative to the current folder).
    pub path: String,
    /// Relative to the project root, `/`-separated (SARIF's `uri`).
    pub relative: String,
    /// Absolute (JSON's `filename`, as ruff's).
    pub abs_path: String,
    pub line: u32,
    pub column: u32,
    pub end_line: u32,
    pub end_column: u32,
    pub message: String,
}

impl Diagnostic {
    pub fn new(rule: Rule, range: TextRange, message: impl Into<String>) -> Self {
        Self {
            rule,
            range,
            message: message.into(),
            help: None,
            fix: None,
            related: Vec::new(),
        }
    }

    pub fn with_related(mut self, related: Related) -> Self {
        if !self.related.contains(&related) {
            self.related.push(related);
        }
        self
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn with_fix(mut self, fix: Fix) -> Self {
        self.fix = Some(fix);
        self
    }
}

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
    /// Why a rewrite that could be applied is only shown (all or nothing).
    pub held: Option<Hold>,
}

/// Why an aioredis 1.x rewrite is held (shown, not applied): applied alone it
/// would leave code that runs on neither library.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hold {
    /// Some 1.x use of the module itself needs a hand change first.
    ThisModule,
    /// A module that shares 1.x objects with this one needs one first.
    SharedModule,
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
            held: None,
        }
    }

    /// The full range the edits span.
    pub fn range(&self) -> Option<TextRange> {
        let first = self.edits.first()?;
        let last = self.edits.iter().map(|e| e.range.end()).max()?;
        Some(TextRange::new(first.range.start(), last))
    }
}
