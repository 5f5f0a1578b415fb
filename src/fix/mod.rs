//! Fixes: what a diagnostic proposes to change, and applying it.
//!
//! The fix a diagnostic carries (`Fix`, `Edit`, `Applicability`) lives beside
//! `Diagnostic` in `crate::diagnostic`, as ruff keeps them apart from applying
//! them; this module applies, journals, writes and verifies.

pub mod add_noqa;
pub mod apply;
pub mod commit;
pub mod diff;
pub mod import_check;
pub mod journal;
pub mod verify;
pub mod worktree;
pub mod write;

use crate::diagnostic::Applicability;

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
