//! Instructions per invoke, counted by callgrind: a figure that does not move with the load of
//! a shared machine, unlike CPU time.
//!
//! Each client runs the sequential scenario twice under callgrind, with 4,400 and with 440
//! calls; the difference, divided by the difference in calls, is what one invoke costs without
//! the process's setup. Valgrind hides the CPU's SHA extensions, so SHA-256 runs in software
//! there and is counted apart from the rest.

use std::path::Path;
use std::process::Command;

use serde_json::{json, Value};

use crate::drive::{start_server, KillOnDrop, CLIENTS};
use crate::measure::calls_made;

/// The two runs: a long and a short sequential scenario.
const RUNS: [&str; 2] = ["seq", "seq-short"];

/// The entry point of sha2's block function, which every SHA-256 of a client goes through.
const SHA256_BLOCKS: &str = "sha2::sha256::compress256";

/// The clients that hash, whose report must show SHA-256.
const SIGNING: [&str; 3] = ["lamina", "sdk", "signed-floor"];

/// Counts each client's instructions per invoke and prints them; `--out FILE` writes them as
/// JSON too.
pub(crate) fn instructions(options: &[&str]) -> Result<(), String> {
    let out = match options {
        ["--out", file] => file.to_string(),
        [] => "bench-instructions.json".to_owned(),
        _ => return Err("usage: instructions [--out FILE]".into()),
    };
    if Command::new("valgrind").arg("--version").output().is_err() {
        let _ = std::fs::remove_file(&out);
        return Err("cannot count instructions: valgrind is not installed \
                    (apt-get install valgrind)"
            .into());
    }

    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let (server, url) = start_server(&exe)?;
    let _server = KillOnDrop(server);
    let dir = std::env::temp_dir().join("lamina-bench-callgrind");
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;

    let mut results = Vec::new();
    for client in CLIENTS {
        eprintln!("counting the instructions of {client}");
        let [long, short] = RUNS;
        let (long_total, long_sha) = count(&exe, &dir, client, long, &url)?;
        let (short_total, short_sha) = count(&exe, &dir, client, short, &url)?;
        if SIGNING.contains(&client) && (long_sha == 0.0 || short_sha == 0.0) {
            return Err(format!(
                "callgrind's report of {client} shows no {SHA256_BLOCKS}, so its SHA-256 \
                 cannot be counted apart"
            ));
        }

        let calls = (calls_made(long)? - calls_made(short)?) as f64;
        let total = (long_total - short_total) / calls;
        let sha = (long_sha - short_sha) / calls;
        results.push(json!({
            "client": client,
            "instructions_per_invoke": total,
            "software_sha256_per_invoke": sha,
            "without_sha256_per_invoke": total - sha,
        }));
    }

    print_table(&results);
    let text = serde_json::to_string_pretty(&Value::Array(results)).unwrap_or_default();
    std::fs::write(&out, text).map_err(|e| format!("cannot write {out}: {e}"))
}

/// The instructions of one run of `scenario` by `client`, in all and in software SHA-256.
fn count(
    exe: &Path,
    dir: &Path,
    client: &str,
    scenario: &str,
    url: &str,
) -> Result<(f64, f64), String> {
    let file = dir.join(format!("{client}-{scenario}.out"));
    let status = Command::new("valgrind")
        .args(["--tool=callgrind", "--quiet"])
        .arg(format!("--callgrind-out-file={}", file.display()))
        .arg(exe)
        .args(["run", client, scenario, url])
        .stdout(std::process::Stdio::null())
        .status()
        .map_err(|e| format!("cannot run valgrind: {e}"))?;
    if !status.success() {
        return Err(format!("{client} {scenario} failed under callgrind"));
    }

    let annotated = Command::new("callgrind_annotate")
        .args(["--inclusive=yes", "--threshold=100"])
        .arg(&file)
        .output()
        .map_err(|e| format!("cannot run callgrind_annotate: {e}"))?;
    if !annotated.status.success() {
        let stderr = String::from_utf8_lossy(&annotated.stderr);
        return Err(format!(
            "callgrind_annotate failed on {}: {stderr}",
            file.display()
        ));
    }
    let text = String::from_utf8_lossy(&annotated.stdout);
    let figure = |line: &str| {
        let digits: String = line.split_whitespace().next()?.replace(',', "");
        digits.parse::<f64>().ok()
    };
    let total = text
        .lines()
        .find(|line| line.contains("PROGRAM TOTALS"))
        .and_then(figure)
        .ok_or_else(|| format!("no total in callgrind's report of {client} {scenario}"))?;
    let sha = text
        .lines()
        .find(|line| line.contains(&format!("{SHA256_BLOCKS} [")))
        .and_then(figure)
        .unwrap_or(0.0);
    Ok((total, sha))
}

fn print_table(results: &[Value]) {
    let figure = |client: &str, key: &str| {
        let row = results.iter().find(|r| r["client"] == client);
        row.and_then(|r| r[key].as_f64()).unwrap_or(f64::NAN)
    };

    println!(
        "{:<13} {:>22} {:>22} {:>18} {:>8} {:>8} {:>8}",
        "instructions",
        "per invoke",
        "of which SHA-256",
        "without SHA",
        "/floor",
        "/signed",
        "/sdk"
    );
    for client in CLIENTS {
        let without = figure(client, "without_sha256_per_invoke");
        println!(
            "{client:<13} {:>22.0} {:>22.0} {without:>18.0} {:>7.2}x {:>7.2}x {:>7.2}x",
            figure(client, "instructions_per_invoke"),
            figure(client, "software_sha256_per_invoke"),
            without / figure("floor", "without_sha256_per_invoke"),
            without / figure("signed-floor", "without_sha256_per_invoke"),
            without / figure("sdk", "without_sha256_per_invoke"),
        );
    }
    println!("(SHA-256 in software under valgrind; ratios compare the instructions without it)");
}
