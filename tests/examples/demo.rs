//! The demo behind `cargo xtask demo`: a local Lambda endpoint (moto), then lamina invoking a
//! function on it in each invocation mode, a signature check, and a typed error.
//!
//! Run it with `cargo xtask demo`, which builds and runs this example.

use lamina::config::Credentials;
use lamina::error::SdkError;
use lamina::operation::get_function::GetFunctionError;
use lamina::operation::invoke::InvokeError;
use lamina::types::{FunctionCode, InvocationType, Runtime};
use lamina::{Client, Config};
use lamina_e2e::moto::{self, Moto, MotoProcess, REGION};

fn main() -> std::process::ExitCode {
    match demo() {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("demo: {message}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn demo() -> Result<(), String> {
    let workspace = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let venv = workspace.join("target").join("moto-venv");
    println!(
        "installing {} into target/moto-venv (once)",
        moto::MOTO_REQUIREMENT
    );
    let process = MotoProcess::start(&moto::install(&venv)?)?;

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the async runtime: {e}"))?;
    runtime.block_on(run(Moto::new(process.endpoint())))
}

async fn run(moto: Moto) -> Result<(), String> {
    println!("\n== a local Lambda endpoint (moto) at {}", moto.endpoint());
    let role = moto.create_role("lamina-demo-role").await?;
    let client = client_for(&moto, Moto::test_credentials());
    let created = client
        .create_function()
        .function_name("lamina-demo")
        .runtime(Runtime::Python312)
        .role(role)
        .handler("index.handler")
        .code(
            FunctionCode::builder()
                .zip_file(&b"PK\x05\x06demo"[..])
                .build(),
        )
        .send()
        .await
        .map_err(|e| format!("CreateFunction failed: {e}"))?;
    println!(
        "created {} ({})",
        created.function_arn().unwrap_or("?"),
        created.state().map(|s| s.as_str()).unwrap_or("no state")
    );
    let listed = client
        .list_functions()
        .send()
        .await
        .map_err(|e| format!("ListFunctions failed: {e}"))?;
    let names: Vec<&str> = listed
        .functions()
        .unwrap_or_default()
        .iter()
        .filter_map(|f| f.function_name())
        .collect();
    println!("functions: {names:?}");
    for mode in ["RequestResponse", "Event", "DryRun"] {
        let output = client
            .invoke()
            .function_name("lamina-demo")
            .invocation_type(InvocationType::from(mode))
            .payload(r#"{"hello": "lamina"}"#)
            .send()
            .await
            .map_err(|e| format!("{mode} invoke failed: {e}"))?;
        let payload = output
            .payload()
            .map(|p| String::from_utf8_lossy(p).into_owned());
        println!(
            "\n== Invoke, {mode}\nstatus {} | payload {} | request id {}",
            output.status_code(),
            payload.as_deref().unwrap_or("(none)"),
            output.response_metadata().request_id().unwrap_or("-"),
        );
    }

    println!("\n== a modelled error, matched in one `match`");
    match client
        .get_function()
        .function_name("no-such-function")
        .send()
        .await
    {
        Err(SdkError::Service(GetFunctionError::ResourceNotFoundException(e))) => println!(
            "ResourceNotFoundException: fault {}, HTTP {}\n  {e}",
            e.fault(),
            e.response_metadata().http_status(),
        ),
        other => return Err(format!("expected ResourceNotFoundException, got {other:?}")),
    }

    println!("\n== signature checks on: a known key, then a wrong secret");
    let key = moto.enable_auth().await?;
    let signed = client_for(
        &moto,
        Credentials::new(&key.id, &key.secret, None, None, "demo"),
    );
    let output = signed
        .invoke()
        .function_name("lamina-demo")
        .payload("{}")
        .send()
        .await
        .map_err(|e| format!("a correctly signed invoke failed: {e}"))?;
    println!("correctly signed: status {}", output.status_code());

    let wrong = client_for(
        &moto,
        Credentials::new(&key.id, "wrong-secret", None, None, "demo"),
    );
    match wrong.invoke().function_name("lamina-demo").send().await {
        Ok(_) => return Err("moto accepted a wrong signature".into()),
        Err(SdkError::Service(error)) => {
            let kind = match &error {
                InvokeError::Unhandled(_) => "not modelled for Invoke",
                _ => "modelled",
            };
            println!(
                "typed error ({kind}): code {:?}, fault {}, HTTP {}\n  {error}",
                error.code(),
                error.fault(),
                error.response_metadata().http_status(),
            );
        }
        Err(other) => return Err(format!("expected a service error, got: {other}")),
    }

    println!("\n== bad input is refused before anything is sent");
    match client
        .invoke()
        .function_name("lamina-demo")
        .qualifier("not a version!")
        .send()
        .await
    {
        Err(SdkError::Construction(e)) => println!("{e}"),
        other => return Err(format!("expected a construction error, got {other:?}")),
    }
    Ok(())
}

fn client_for(moto: &Moto, credentials: Credentials) -> Client {
    let config = Config::builder()
        .region(REGION)
        .endpoint_url(moto.endpoint())
        .credentials(credentials)
        .build();
    Client::from_conf(config)
}
