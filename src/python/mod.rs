//! Python-specific analysis on top of ruff's parser.

pub mod clients;
pub mod imports;
pub mod index;
pub mod legacy;
pub mod semantic;
