//! `cargo xtask test` and `cargo xtask demo`: work that needs a local Lambda endpoint.
//!
//! xtask depends on neither the generated client nor the CLI, so that it still builds, and
//! can regenerate them, when generated code does not compile.

use std::process::Command;

use lamina_e2e::moto::{self, MotoProcess};

use crate::codegen::workspace_root;

/// Installs moto into `target/moto-venv` when needed, starts it on a free loopback port, runs
/// `cargo test --workspace` with lamina's `test-util` feature (and `args` passed on), and
/// stops it.
pub(crate) fn test(args: &[String]) -> Result<(), String> {
    let moto = start_moto()?;
    println!("moto is listening on {}", moto.0.endpoint());

    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let status = Command::new(cargo)
        .current_dir(workspace_root())
        .args(["test", "--workspace", "--features", "lamina/test-util"])
        .args(args)
        .env(moto::ENDPOINT_VAR, moto.0.endpoint())
        .env(moto::SERVER_VAR, &moto.1)
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .status()
        .map_err(|e| format!("cannot run cargo test: {e}"))?;

    drop(moto);
    if status.success() {
        Ok(())
    } else {
        Err(format!("tests failed ({status})"))
    }
}

/// Runs the demo (`tests/examples/demo.rs`), which starts its own moto.
pub(crate) fn demo(args: &[String]) -> Result<(), String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let status = Command::new(cargo)
        .current_dir(workspace_root())
        .args([
            "run",
            "--quiet",
            "-p",
            "lamina-e2e",
            "--example",
            "demo",
            "--",
        ])
        .args(args)
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .status()
        .map_err(|e| format!("cannot run the demo: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("the demo failed ({status})"))
    }
}

/// A running moto and the path of its `moto_server` program.
pub(crate) fn start_moto() -> Result<(MotoProcess, std::path::PathBuf), String> {
    let venv = workspace_root().join("target").join("moto-venv");
    println!(
        "installing {} into {} (once)",
        moto::MOTO_REQUIREMENT,
        venv.display()
    );
    let server = moto::install(&venv)?;
    let process = MotoProcess::start(&server)?;
    Ok((process, server))
}
