//! The harness of lamina's end-to-end tests.
//!
//! - [`server`]: an HTTP server inside the test process that answers as a test says, over a
//!   real loopback socket;
//! - [`faulty`]: a server that misbehaves on purpose (resets, stalls, drips, short bodies);
//! - [`moto`]: the moto emulator as a Lambda endpoint, installed and started by the project's
//!   own tooling (`cargo xtask test`, `cargo xtask demo`).
//!
//! Nothing here sends traffic beyond 127.0.0.1.

pub mod capture;
pub mod faulty;
pub mod moto;
pub mod server;
