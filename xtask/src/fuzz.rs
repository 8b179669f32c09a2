//! `cargo xtask fuzz`: runs the cargo-fuzz targets of `fuzz/` (outside the workspace) for a
//! fixed time each, and says how many inputs each one ran.
//!
//! cargo-fuzz needs nightly compiler flags; the machine has a stable toolchain, so the runs
//! set `RUSTC_BOOTSTRAP=1`. cargo-fuzz itself is installed from crates.io when missing.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use crate::codegen::workspace_root;

const USAGE: &str = "usage: cargo xtask fuzz [TARGET] [SECONDS]

  TARGET    a target of fuzz/ (`cargo fuzz list` there), such as responses, error_parser,
            log_tail or pattern; all of them when left out
  SECONDS   how long each target runs (60 by default)

Inputs that crash are kept in fuzz/artifacts/TARGET/, the corpus in fuzz/corpus/TARGET/.";

/// Runs the targets `args` names, each for the seconds it gives.
pub(crate) fn fuzz(args: &[String]) -> Result<(), String> {
    ensure_cargo_fuzz()?;
    let (targets, seconds) = parse(args, &list_targets()?)?;

    let mut ran = Vec::new();
    for target in targets {
        let executions = run(&target, seconds)?;
        ran.push(format!("{target}: {executions} executions in {seconds} s"));
    }

    println!("fuzzing done, no crash:");
    for line in ran {
        println!("  {line}");
    }
    Ok(())
}

/// The targets to run and the seconds for each, from the arguments and the known targets.
fn parse(args: &[String], known: &[String]) -> Result<(Vec<String>, u64), String> {
    let mut targets = known.to_vec();
    let mut seconds = 60;
    for arg in args {
        if known.contains(arg) {
            targets = vec![arg.clone()];
        } else if let Ok(n) = arg.parse::<u64>() {
            seconds = n.max(1);
        } else {
            let known = known.join(", ");
            return Err(format!(
                "`{arg}` is neither a fuzz target ({known}) nor seconds\n{USAGE}"
            ));
        }
    }
    Ok((targets, seconds))
}

/// The targets fuzz/Cargo.toml declares, as `cargo fuzz list` prints them.
fn list_targets() -> Result<Vec<String>, String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let output = Command::new(cargo)
        .current_dir(workspace_root().join("fuzz"))
        .args(["fuzz", "list"])
        .output()
        .map_err(|e| format!("cannot run cargo fuzz list: {e}"))?;
    if !output.status.success() {
        let why = String::from_utf8_lossy(&output.stderr);
        return Err(format!("cargo fuzz list failed: {}", why.trim()));
    }

    let targets: Vec<String> = String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .map(str::to_owned)
        .collect();
    if targets.is_empty() {
        return Err("fuzz/Cargo.toml declares no fuzz target".into());
    }
    Ok(targets)
}

/// Installs cargo-fuzz with `cargo install --locked` unless `cargo fuzz` already runs.
fn ensure_cargo_fuzz() -> Result<(), String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let present = Command::new(&cargo)
        .args(["fuzz", "--version"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if present {
        return Ok(());
    }

    println!("installing cargo-fuzz (once)");
    let status = Command::new(&cargo)
        .args(["install", "cargo-fuzz", "--locked"])
        .status()
        .map_err(|e| format!("cannot run cargo install: {e}"))?;
    status
        .success()
        .then_some(())
        .ok_or_else(|| format!("cargo install cargo-fuzz failed ({status})"))
}

/// Runs `target` for `seconds` and gives the number of inputs libFuzzer executed.
fn run(target: &str, seconds: u64) -> Result<u64, String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    println!("== fuzzing {target} for {seconds} s");
    let mut child = Command::new(cargo)
        .current_dir(workspace_root().join("fuzz"))
        .args(["fuzz", "run", target, "--"])
        .arg(format!("-max_total_time={seconds}"))
        .arg("-print_final_stats=1")
        .env("RUSTC_BOOTSTRAP", "1")
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run cargo fuzz: {e}"))?;

    let (mut executions, mut crash) = (None, None);
    let stderr = child.stderr.take().expect("stderr is piped");
    for line in BufReader::new(stderr).lines().map_while(Result::ok) {
        eprintln!("{line}");
        if let Some(n) = line.strip_prefix("stat::number_of_executed_units:") {
            executions = n.trim().parse().ok();
        }
        if let Some((_, path)) = line.split_once("Test unit written to ") {
            crash = Some(path.trim().to_owned());
        }
    }

    let status = child
        .wait()
        .map_err(|e| format!("cargo fuzz did not finish: {e}"))?;
    if let Some(path) = crash {
        return Err(format!(
            "{target} crashed; the input is kept at {path}; replay it with \
             `RUSTC_BOOTSTRAP=1 cargo fuzz run {target} {path}` in fuzz/"
        ));
    }
    if !status.success() {
        return Err(format!(
            "cargo fuzz run {target} failed ({status}); its output above says why"
        ));
    }
    executions.ok_or_else(|| format!("libFuzzer did not say how many inputs {target} ran"))
}
