//! What a rule reports.

use ruff_text_size::TextRange;

use crate::fix::Fix;
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
}

impl Diagnostic {
    pub fn new(rule: Rule, range: TextRange, message: impl Into<String>) -> Self {
        Self {
            rule,
            range,
            message: message.into(),
            help: None,
            fix: None,
        }
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
