//! Hostile responses made from fuzzer bytes, and the checks lamina's readers must pass on them.
//!
//! The targets in `fuzz_targets/` turn libFuzzer's input into an HTTP response ([`response`])
//! and hand it to lamina's readers ([`operations`]); a panic, or a check here that fails, is a
//! crash that libFuzzer keeps in `fuzz/artifacts/`.

#[path = "../../tests/tests/hostile/model.rs"]
pub mod model;
pub mod operations;
#[path = "../../tests/tests/hostile/read.rs"]
pub mod read;
pub mod response;
#[path = "../../tests/tests/hostile/wire.rs"]
pub mod wire;
