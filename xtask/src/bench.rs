//! `cargo xtask bench`: the side-by-side comparison of lamina, aws-sdk-lambda, the unsigned
//! reqwest floor and that floor signed with aws-sigv4 (`crates/bench`, built here in release,
//! outside the workspace), and the criterion micro-benchmarks.

use std::path::Path;
use std::process::Command;

use crate::codegen::workspace_root;

const USAGE: &str = "usage: cargo xtask bench [--quick] [--rounds N] [--build] [--instructions]
                        [--micro]

  (no flag)    CPU per invoke, throughput, 6 MiB payloads, memory and cold start: lamina,
               aws-sdk-lambda, a plain reqwest floor and that floor signed with aws-sigv4
               against one local server, medians of alternating runs; written to
               target/bench/results.json
  --quick      one round instead of five
  --rounds N   N rounds
  --build      also clean release builds of a minimal invoke program with each client: build
               time, client crate compile time, stripped binary size (target/bench/build.json)
  --instructions
               also instructions per invoke of each client, counted by callgrind (needs
               valgrind), which the load of a shared machine does not move
               (target/bench/instructions.json)
  --micro      also the criterion micro-benchmarks of the workspace (cargo bench)";

/// Builds the benchmark in release and runs what `args` asks for.
pub(crate) fn bench(args: &[String]) -> Result<(), String> {
    let mut drive_args = vec!["drive".to_owned()];
    let (mut build, mut instructions, mut micro) = (false, false, false);
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--quick" => drive_args.push(arg.clone()),
            "--rounds" => {
                let n = args.next().ok_or("--rounds needs a number")?;
                drive_args.extend(["--rounds".to_owned(), n.clone()]);
            }
            "--build" => build = true,
            "--instructions" => instructions = true,
            "--micro" => micro = true,
            _ => return Err(USAGE.to_owned()),
        }
    }

    let root = workspace_root();
    let target = root.join("target/bench");
    cargo(
        &root,
        &[
            "build",
            "--release",
            "--manifest-path",
            "crates/bench/Cargo.toml",
        ],
    )
    .env("CARGO_TARGET_DIR", &target)
    .status()
    .map_err(|e| format!("cannot run cargo: {e}"))?
    .success()
    .then_some(())
    .ok_or("the benchmark did not build")?;
    let exe = target.join("release/lamina-bench");

    let results = target.join("results.json").display().to_string();
    drive_args.extend(["--out".to_owned(), results]);
    run(&exe, &drive_args)?;

    if build {
        let out = target.join("build.json").display().to_string();
        run(&exe, &["build".to_owned(), "--out".to_owned(), out])?;
    }
    if instructions {
        let out = target.join("instructions.json").display().to_string();
        run(&exe, &["instructions".to_owned(), "--out".to_owned(), out])?;
    }
    if micro {
        cargo(&root, &["bench", "--workspace"])
            .status()
            .map_err(|e| format!("cannot run cargo bench: {e}"))?
            .success()
            .then_some(())
            .ok_or("the micro-benchmarks failed")?;
    }
    Ok(())
}

fn cargo(root: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    command.current_dir(root).args(args);
    command
}

fn run(exe: &Path, args: &[String]) -> Result<(), String> {
    let status = Command::new(exe)
        .args(args)
        .status()
        .map_err(|e| format!("cannot run {}: {e}", exe.display()))?;
    status
        .success()
        .then_some(())
        .ok_or_else(|| format!("{} {} failed", exe.display(), args.join(" ")))
}
