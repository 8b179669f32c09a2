//! Invoking a function: the payload in, the status, version, log tail and payload out.
//!
//! It calls real AWS with the configuration the AWS CLI would use (environment variables,
//! then `~/.aws/config` and `~/.aws/credentials`):
//!
//! ```text
//! cargo run -p lamina --example invoke -- my-function '{"name": "Ada"}'
//! ```
//!
//! Set `AWS_ENDPOINT_URL` to send it to a local endpoint instead.

use lamina::types::LogType;
use lamina::{Client, Config};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let function = args.next().ok_or("usage: invoke FUNCTION [PAYLOAD]")?;
    let payload = args.next().unwrap_or_else(|| "{}".to_owned());

    let client = Client::from_conf(Config::from_env());
    let output = client
        .invoke()
        .function_name(&function)
        .payload(payload)
        .log_type(LogType::Tail)
        .send()
        .await?;

    println!("status:  {}", output.status_code());
    if let Some(version) = output.executed_version() {
        println!("version: {version}");
    }
    if let Some(kind) = output.function_error() {
        println!("the function reported an error ({kind})");
    }
    if let Some(tail) = output.log_tail().transpose()? {
        println!("log tail:\n{tail}");
        if let Some(report) = tail.report() {
            println!(
                "billed {} ms, {} of {} MB used",
                report.billed_duration.as_millis(),
                report.max_memory_used_mb,
                report.memory_size_mb
            );
        }
    }
    let payload = output.payload().map(|p| p.as_ref()).unwrap_or_default();
    println!("payload: {}", String::from_utf8_lossy(payload));
    Ok(())
}
