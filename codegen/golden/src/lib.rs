//! The generator's output for `codegen/tests/models/bindings.json`, checked in as a golden
//! file: `cargo xtask codegen --check` fails when it drifts, and this crate's tests use it.

#![warn(missing_docs)]

#[rustfmt::skip]
mod generated;

pub use generated::client::Client;
pub use generated::{error, operation, types};
