//! Reusing `aws-config`'s credentials chain (SSO, web identity, assume role, ...) with lamina.
//!
//! Any `aws_credential_types::provider::ProvideCredentials` plugs into lamina's
//! configuration; `aws-config` resolves one from the same files and variables the AWS CLI
//! reads. Run it with `cargo run -p lamina --example aws_config_chain -- FUNCTION`.

use lamina::{Client, Config};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let function = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "my-function".into());

    let shared = aws_config::load_from_env().await;
    let credentials = shared
        .credentials_provider()
        .ok_or("aws-config found no credentials provider")?;

    let mut config = Config::builder().credentials(credentials);
    if let Some(region) = shared.region() {
        config = config.region(region.as_ref());
    }
    let client = Client::from_conf(config.build());

    match client
        .invoke()
        .function_name(function)
        .payload("{}")
        .send()
        .await
    {
        Ok(output) => println!("status {}", output.status_code()),
        Err(err) => eprintln!("the call failed: {err}"),
    }
    Ok(())
}
