//! The driver: starts the server, runs every measurement in a fresh process with the clients
//! alternating round by round, and reports medians and ratios.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Instant;

use serde_json::{json, Value};

pub(crate) const CLIENTS: [&str; 4] = ["lamina", "sdk", "floor", "signed-floor"];
const SCENARIOS: [&str; 3] = ["seq", "c64", "big"];

/// How many fresh processes time the cold start, per client and round.
const COLD_RUNS: usize = 10;

/// The rows of the report: label, scenario, metric, unit divisor, and whether lower is better.
const ROWS: [(&str, &str, &str, f64); 7] = [
    (
        "client CPU per invoke, sequential, 1 KiB (us)",
        "seq",
        "cpu_us_per_call",
        1.0,
    ),
    (
        "invokes per second, 64 in flight",
        "c64",
        "calls_per_sec",
        1.0,
    ),
    (
        "client CPU per invoke, 64 in flight (us)",
        "c64",
        "cpu_us_per_call",
        1.0,
    ),
    (
        "client CPU per invoke, 6 MiB payload (ms)",
        "big",
        "cpu_us_per_call",
        1000.0,
    ),
    (
        "peak RSS, 6 MiB payload (MiB)",
        "big",
        "peak_rss_kib",
        1024.0,
    ),
    (
        "peak RSS, sequential 1 KiB (MiB)",
        "seq",
        "peak_rss_kib",
        1024.0,
    ),
    (
        "process start to first response (ms)",
        "cold",
        "wall_ms",
        1.0,
    ),
];

/// Runs the comparison and prints the table; `--rounds N`, `--quick` (one round) and
/// `--out FILE` (where the JSON goes) adjust it.
pub(crate) fn drive(options: &[&str]) -> Result<(), String> {
    let mut rounds = 5;
    let mut out = PathBuf::from("bench-results.json");
    let mut options = options.iter();
    while let Some(option) = options.next() {
        match *option {
            "--quick" => rounds = 1,
            "--rounds" => {
                let value = options.next().ok_or("--rounds needs a number")?;
                rounds = value
                    .parse()
                    .map_err(|_| format!("--rounds {value}: not a number"))?;
            }
            "--out" => out = PathBuf::from(options.next().ok_or("--out needs a file")?),
            other => return Err(format!("unknown option {other}")),
        }
    }

    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let (server, url) = start_server(&exe)?;
    let _server = KillOnDrop(server);
    let mut samples: BTreeMap<(String, String, String), Vec<f64>> = BTreeMap::new();

    for round in 0..rounds {
        eprintln!("round {} of {rounds}", round + 1);
        let order: Vec<&str> = (0..CLIENTS.len())
            .map(|i| CLIENTS[(i + round) % CLIENTS.len()])
            .collect();
        for scenario in SCENARIOS {
            for client in &order {
                let report = measure(&exe, client, scenario, &url)?;
                for (metric, value) in report.as_object().into_iter().flatten() {
                    let key = (client.to_string(), scenario.to_owned(), metric.clone());
                    samples
                        .entry(key)
                        .or_default()
                        .push(value.as_f64().unwrap_or(0.0));
                }
            }
        }
        for client in &order {
            for _ in 0..COLD_RUNS {
                let key = (client.to_string(), "cold".to_owned(), "wall_ms".to_owned());
                samples
                    .entry(key)
                    .or_default()
                    .push(cold_start(&exe, client, &url)?);
            }
        }
    }

    let medians: BTreeMap<_, _> = samples
        .iter()
        .map(|(k, v)| (k.clone(), median(v)))
        .collect();
    let report = table(&medians);
    println!("{report}");
    let json = json_report(&medians, rounds);
    std::fs::write(
        &out,
        serde_json::to_string_pretty(&json).unwrap_or_default(),
    )
    .map_err(|e| format!("cannot write {}: {e}", out.display()))?;
    println!("written to {}", out.display());
    Ok(())
}

pub(crate) struct KillOnDrop(pub(crate) Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub(crate) fn start_server(exe: &PathBuf) -> Result<(Child, String), String> {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map_err(|e| e.to_string())?
        .port();
    let mut child = Command::new(exe)
        .args(["serve", &port.to_string()])
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start the server: {e}"))?;
    let stdout = child.stdout.take().ok_or("the server has no stdout")?;
    let mut line = String::new();
    BufReader::new(stdout)
        .read_line(&mut line)
        .map_err(|e| e.to_string())?;
    if line.trim() != "listening" {
        let _ = child.kill();
        return Err("the server did not start".into());
    }
    Ok((child, format!("http://127.0.0.1:{port}")))
}

fn measure(exe: &PathBuf, client: &str, scenario: &str, url: &str) -> Result<Value, String> {
    let output = Command::new(exe)
        .args(["run", client, scenario, url])
        .output()
        .map_err(|e| e.to_string())?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        return Err(format!("{client} {scenario} failed: {stderr}"));
    }
    serde_json::from_slice(&output.stdout).map_err(|e| format!("{client} {scenario}: {e}"))
}

fn cold_start(exe: &PathBuf, client: &str, url: &str) -> Result<f64, String> {
    let start = Instant::now();
    let status = Command::new(exe)
        .args(["cold", client, url])
        .status()
        .map_err(|e| e.to_string())?;
    let elapsed = start.elapsed().as_secs_f64() * 1000.0;
    status
        .success()
        .then_some(elapsed)
        .ok_or_else(|| format!("the cold start of {client} failed"))
}

fn median(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    sorted.get(sorted.len() / 2).copied().unwrap_or(f64::NAN)
}

type Medians = BTreeMap<(String, String, String), f64>;

fn value(medians: &Medians, client: &str, scenario: &str, metric: &str) -> f64 {
    let key = (client.to_owned(), scenario.to_owned(), metric.to_owned());
    medians.get(&key).copied().unwrap_or(f64::NAN)
}

fn table(medians: &Medians) -> String {
    let mut out = format!(
        "{:<48} {:>8} {:>8} {:>8} {:>8} {:>8} {:>8} {:>8}\n",
        "median", "lamina", "sdk", "floor", "signed", "/floor", "/signed", "/sdk"
    );
    for (label, scenario, metric, divisor) in ROWS {
        let [lamina, sdk, floor, signed] =
            CLIENTS.map(|c| value(medians, c, scenario, metric) / divisor);
        out.push_str(&format!(
            "{label:<48} {lamina:>8.1} {sdk:>8.1} {floor:>8.1} {signed:>8.1} {:>7.2}x {:>7.2}x \
             {:>7.2}x\n",
            lamina / floor,
            lamina / signed,
            lamina / sdk
        ));
    }
    out.push_str("(signed: the floor signed with aws-sigv4 on every call; ratios are lamina's)\n");
    out
}

fn json_report(medians: &Medians, rounds: usize) -> Value {
    let rows: Vec<Value> = ROWS
        .iter()
        .map(|(label, scenario, metric, divisor)| {
            let [lamina, sdk, floor, signed] =
                CLIENTS.map(|c| value(medians, c, scenario, metric) / divisor);
            json!({
                "metric": label, "lamina": lamina, "aws_sdk_lambda": sdk, "floor": floor,
                "signed_floor": signed, "lamina_over_floor": lamina / floor,
                "lamina_over_signed_floor": lamina / signed, "lamina_over_sdk": lamina / sdk,
            })
        })
        .collect();
    json!({
        "rounds": rounds,
        "cpus": std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0),
        "results": rows,
    })
}
