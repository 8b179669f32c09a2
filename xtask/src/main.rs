//! `cargo xtask`: the project's tasks.
//!
//! - `codegen [--check]`: regenerate the client from `model/`, or check it is fresh;
//! - `test`: run every test of the workspace with a local Lambda endpoint (moto);
//! - `demo`: start a local endpoint and invoke a function through lamina;
//! - `bench`: lamina against aws-sdk-lambda and a plain reqwest floor, side by side;
//! - `fuzz [TARGET] [SECONDS]`: the cargo-fuzz targets of `fuzz/`, for a fixed time each.

mod bench;
mod codegen;
mod fuzz;
mod tasks;

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("codegen") => codegen::run(&args[1..]),
        Some("test") => tasks::test(&args[1..]),
        Some("demo") => tasks::demo(&args[1..]),
        Some("bench") => bench::bench(&args[1..]),
        Some("fuzz") => fuzz::fuzz(&args[1..]),
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("xtask: {message}");
            ExitCode::FAILURE
        }
    }
}

const USAGE: &str = "usage: cargo xtask <task>

tasks:
  codegen [--check]   regenerate crates/lamina/src/generated from model/ (--check: fail if stale)
  test [ARGS...]      install and start moto on loopback, run all tests, stop it
  demo                start a local endpoint and invoke a function through lamina
  bench [--quick] [--build] [--micro]
                      lamina against aws-sdk-lambda and an unsigned reqwest floor, side by side
  fuzz [TARGET] [SECONDS]
                      run the fuzz targets of fuzz/ (all, or TARGET) for SECONDS each (60)";
