//! Build cost: a clean release build of the same minimal invoke program with each client,
//! the compile time of the client crate alone (from cargo's timings), and the stripped size
//! of the binary.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use serde_json::{json, Value};

/// Each program: its name, the client crate to time, its dependencies and its `main`. The
/// signed floor's program is built on the crates lamina is built on (reqwest, tokio,
/// aws-sigv4 and serde_json) and nothing else.
const PROGRAMS: [(&str, &str, &str, &str); 4] = [
    (
        "lamina",
        "lamina",
        r#"lamina = { path = "LAMINA", default-features = false, features = ["invoke"] }
tokio = { version = "1", features = ["rt", "macros"] }"#,
        r#"#[tokio::main(flavor = "current_thread")]
async fn main() {
    let config = lamina::Config::from_env();
    let client = lamina::Client::from_conf(config);
    let out = client.invoke().function_name("f").payload("{}").send().await;
    println!("{:?}", out.map(|o| o.status_code()).map_err(|e| e.to_string()));
}"#,
    ),
    (
        "sdk",
        "aws-sdk-lambda",
        r#"aws-config = { version = "1", features = ["behavior-version-latest"] }
aws-sdk-lambda = "1"
tokio = { version = "1", features = ["rt", "macros"] }"#,
        r#"#[tokio::main(flavor = "current_thread")]
async fn main() {
    let config = aws_config::load_from_env().await;
    let client = aws_sdk_lambda::Client::new(&config);
    let payload = aws_sdk_lambda::primitives::Blob::new(b"{}".to_vec());
    let out = client.invoke().function_name("f").payload(payload).send().await;
    println!("{:?}", out.map(|o| o.status_code()).map_err(|e| e.to_string()));
}"#,
    ),
    (
        "floor",
        "reqwest",
        r#"reqwest = { version = "0.12", default-features = false, features = ["rustls-tls"] }
tokio = { version = "1", features = ["rt", "macros"] }"#,
        r#"#[tokio::main(flavor = "current_thread")]
async fn main() {
    let url = "http://127.0.0.1:9/2015-03-31/functions/f/invocations";
    let out = reqwest::Client::new().post(url).body("{}").send().await;
    println!("{:?}", out.map(|r| r.status()).map_err(|e| e.to_string()));
}"#,
    ),
    (
        "signed-floor",
        "aws-sigv4",
        r#"aws-credential-types = "1.2"
aws-sigv4 = { version = "1.3", default-features = false, features = ["sign-http", "http1"] }
aws-smithy-runtime-api = { version = "1", features = ["client"] }
reqwest = { version = "0.12", default-features = false, features = ["rustls-tls"] }
serde_json = "1"
tokio = { version = "1", features = ["rt", "macros"] }"#,
        r#"use aws_sigv4::http_request::{sign, SignableBody, SignableRequest, SigningSettings};
use aws_smithy_runtime_api::client::identity::Identity;

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let url = "http://127.0.0.1:9/2015-03-31/functions/f/invocations";
    let payload = serde_json::to_vec(&serde_json::json!({})).unwrap();
    let client = reqwest::Client::new();
    let mut request = client.post(url).body(payload.clone()).build().unwrap();

    let credentials = aws_credential_types::Credentials::new("AKID", "secret", None, None, "m");
    let identity = Identity::from(credentials);
    let params = aws_sigv4::sign::v4::SigningParams::builder()
        .identity(&identity)
        .region("us-east-1")
        .name("lambda")
        .time(std::time::SystemTime::now())
        .settings(SigningSettings::default())
        .build()
        .unwrap()
        .into();
    let body = SignableBody::Bytes(&payload);
    let signable = SignableRequest::new("POST", url, std::iter::empty(), body).unwrap();
    let (instructions, _) = sign(signable, &params).unwrap().into_parts();
    for header in instructions.into_parts().0 {
        let value = reqwest::header::HeaderValue::from_str(header.value()).unwrap();
        request.headers_mut().insert(header.name(), value);
    }

    let out = client.execute(request).await;
    println!("{:?}", out.map(|r| r.status()).map_err(|e| e.to_string()));
}"#,
    ),
];

/// Builds each program from clean and prints the times and sizes; `--out FILE` writes them
/// as JSON too.
pub(crate) fn build(options: &[&str]) -> Result<(), String> {
    let out = match options {
        ["--out", file] => PathBuf::from(file),
        [] => PathBuf::from("bench-build.json"),
        _ => return Err("usage: build [--out FILE]".into()),
    };
    let lamina = Path::new(env!("CARGO_MANIFEST_DIR")).join("../lamina");
    let lamina = lamina.canonicalize().map_err(|e| e.to_string())?;
    let root = std::env::temp_dir().join("lamina-bench-build");

    let mut results = Vec::new();
    for (name, crate_name, dependencies, main) in PROGRAMS {
        eprintln!("building the {name} program from clean");
        let dir = root.join(name);
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("src")).map_err(|e| e.to_string())?;
        let manifest = format!(
            "[package]\nname = \"min-{name}\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n\
             [dependencies]\n{}\n\n[profile.release]\nstrip = true\n\n[workspace]\n",
            dependencies.replace("LAMINA", &lamina.display().to_string())
        );
        std::fs::write(dir.join("Cargo.toml"), manifest).map_err(|e| e.to_string())?;
        std::fs::write(dir.join("src/main.rs"), main).map_err(|e| e.to_string())?;

        let start = Instant::now();
        let status = Command::new(env!("CARGO"))
            .args(["build", "--release", "--timings", "--quiet"])
            .current_dir(&dir)
            .env("CARGO_TARGET_DIR", dir.join("target"))
            .status()
            .map_err(|e| e.to_string())?;
        let seconds = start.elapsed().as_secs_f64();
        if !status.success() {
            return Err(format!("the {name} program did not build"));
        }

        let binary = dir.join(format!("target/release/min-{name}"));
        let size = std::fs::metadata(&binary).map(|m| m.len()).unwrap_or(0);
        let crate_seconds = crate_time(&dir, crate_name);
        results.push(json!({
            "client": name, "clean_build_s": seconds, "client_crate_s": crate_seconds,
            "stripped_binary_mb": size as f64 / 1e6,
        }));
    }

    print_table(&results);
    let text = serde_json::to_string_pretty(&Value::Array(results)).unwrap_or_default();
    std::fs::write(&out, text).map_err(|e| format!("cannot write {}: {e}", out.display()))
}

/// The compile time of `crate_name` in the timings report cargo wrote under `dir`.
fn crate_time(dir: &Path, crate_name: &str) -> Option<f64> {
    let html = std::fs::read_to_string(dir.join("target/cargo-timings/cargo-timing.html")).ok()?;
    let start = html.find("const UNIT_DATA = ")? + "const UNIT_DATA = ".len();
    let end = start + html[start..].find(";\n")?;
    let units: Value = serde_json::from_str(&html[start..end]).ok()?;
    units
        .as_array()?
        .iter()
        .filter(|u| u["name"] == crate_name && u["target"] != " build script")
        .filter_map(|u| u["duration"].as_f64())
        .reduce(f64::max)
}

fn print_table(results: &[Value]) {
    let figure = |r: &Value, key: &str| r[key].as_f64().unwrap_or(f64::NAN);
    let sdk = results.iter().find(|r| r["client"] == "sdk");
    let of_sdk = |r: &Value, key: &str| figure(r, key) / sdk.map_or(f64::NAN, |s| figure(s, key));

    println!(
        "{:<13} {:>16} {:>8} {:>17} {:>21} {:>8}",
        "program", "clean build (s)", "/sdk", "client crate (s)", "stripped binary (MB)", "/sdk"
    );
    for r in results {
        println!(
            "{:<13} {:>16.1} {:>7.2}x {:>17.1} {:>21.2} {:>7.2}x",
            r["client"].as_str().unwrap_or(""),
            figure(r, "clean_build_s"),
            of_sdk(r, "clean_build_s"),
            figure(r, "client_crate_s"),
            figure(r, "stripped_binary_mb"),
            of_sdk(r, "stripped_binary_mb"),
        );
    }
}
