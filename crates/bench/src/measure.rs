//! One measurement in this process: a scenario run by one client, reported as JSON on
//! standard output.

use std::sync::Arc;
use std::time::Instant;

use bytes::Bytes;
use cpu_time::ProcessTime;
use serde_json::json;

use crate::clients::Bench;

/// Scenarios: how many calls, how many in flight, and how big the payload is.
fn scenario(name: &str) -> Result<(usize, usize, usize), String> {
    match name {
        "seq" => Ok((4000, 1, 1024)),
        "seq-short" => Ok((400, 1, 1024)),
        "c64" => Ok((12800, 64, 1024)),
        "big" => Ok((40, 1, 6 * 1024 * 1024)),
        other => Err(format!(
            "unknown scenario `{other}`: use seq, seq-short, c64 or big"
        )),
    }
}

/// How many calls warm a client up before a scenario of `calls` is measured.
fn warm_up(calls: usize) -> usize {
    (calls / 10).max(4)
}

/// How many calls one run of `scenario` makes, its warm-up included.
pub(crate) fn calls_made(scenario_name: &str) -> Result<usize, String> {
    let (calls, _, _) = scenario(scenario_name)?;
    Ok(calls + warm_up(calls))
}

/// Runs `scenario` with `client` against `url` and prints CPU per call, calls per second and
/// peak memory.
pub(crate) fn run(client: &str, scenario_name: &str, url: &str) -> Result<(), String> {
    let (calls, in_flight, size) = scenario(scenario_name)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;

    runtime.block_on(async {
        let bench = Arc::new(Bench::new(client, url).await?);
        let payload = Bytes::from(payload(size));
        let warm_up = warm_up(calls);
        calls_in_flight(&bench, &payload, warm_up, in_flight).await?;

        let (cpu, wall) = (ProcessTime::now(), Instant::now());
        calls_in_flight(&bench, &payload, calls, in_flight).await?;
        let (cpu, wall) = (cpu.elapsed(), wall.elapsed());

        let report = json!({
            "cpu_us_per_call": cpu.as_secs_f64() * 1e6 / calls as f64,
            "calls_per_sec": calls as f64 / wall.as_secs_f64(),
            "peak_rss_kib": peak_rss_kib(),
        });
        println!("{report}");
        Ok(())
    })
}

/// Makes one call from a fresh process and exits: the driver times the whole process.
pub(crate) fn cold(client: &str, url: &str) -> Result<(), String> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    runtime.block_on(async {
        let bench = Bench::new(client, url).await?;
        bench.invoke(&Bytes::from_static(b"{}")).await.map(|_| ())
    })
}

async fn calls_in_flight(
    bench: &Arc<Bench>,
    payload: &Bytes,
    calls: usize,
    in_flight: usize,
) -> Result<(), String> {
    let tasks: Vec<_> = (0..in_flight)
        .map(|worker| {
            let (bench, payload) = (bench.clone(), payload.clone());
            let share = calls / in_flight + usize::from(worker < calls % in_flight);
            tokio::spawn(async move {
                for _ in 0..share {
                    bench.invoke(&payload).await?;
                }
                Ok::<(), String>(())
            })
        })
        .collect();
    for task in tasks {
        task.await.map_err(|e| e.to_string())??;
    }
    Ok(())
}

/// A JSON payload of `size` bytes.
fn payload(size: usize) -> Vec<u8> {
    let filler = "x".repeat(size.saturating_sub(8));
    format!("{{\"d\":\"{filler}\"}}").into_bytes()
}

/// The process's peak resident memory, from `/proc/self/status`.
fn peak_rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}
