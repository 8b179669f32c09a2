//! `lamina invoke`: one flag per Invoke input member, plus where to send the call.

use std::io::IsTerminal;

use base64::Engine as _;
use clap::builder::PossibleValuesParser;
use clap::{Args, ValueEnum};
use lamina::error::SdkError;
use lamina::primitives::Bytes;
use lamina::types::{InvocationType, LogType};
use lamina::Client;

use crate::output::{self, Format};
use crate::Exit;

pub(crate) const EXAMPLES: &str = "Examples:
  lamina invoke --function-name my-function --payload '{\"name\": \"Ada\"}'
  lamina invoke --function-name my-function --payload @event.json --log-type Tail --output text
  echo '{}' | lamina invoke --function-name my-function --payload - --invocation-type Event
  lamina invoke --function-name my-function --payload @image.png --outfile result.bin
  lamina invoke --function-name f --endpoint-url http://127.0.0.1:5000 --region us-east-1";

/// The flags of every invocation command, whatever its answer looks like.
#[derive(Debug, Args)]
pub(crate) struct InvocationFlags {
    /// The function's name, ARN or partial ARN, optionally with `:version` or `:alias`.
    #[arg(long)]
    pub(crate) function_name: String,

    /// The event: JSON text, `@path` to send a file's bytes as they are, or `-` to send
    /// standard input.
    #[arg(long)]
    payload: Option<String>,

    /// Tail to get the end of the execution log back.
    #[arg(long, value_parser = PossibleValuesParser::new(LogType::values()))]
    pub(crate) log_type: Option<String>,

    /// A version or alias to invoke.
    #[arg(long)]
    pub(crate) qualifier: Option<String>,

    /// JSON about the caller for the function's context; sent base64-encoded.
    #[arg(long)]
    client_context: Option<String>,

    /// The tenant to run the function for.
    #[arg(long)]
    pub(crate) tenant_id: Option<String>,
}

impl InvocationFlags {
    /// The payload and the client context as they are sent, or the flag that is wrong
    /// (nothing is sent then).
    pub(crate) fn encoded(&self) -> Result<(Option<Bytes>, Option<String>), Exit> {
        let payload = self.payload.as_deref().map(read_payload).transpose()?;
        let client_context = self
            .client_context
            .as_deref()
            .map(encode_client_context)
            .transpose()?;
        Ok((payload, client_context))
    }
}

/// The flags of `lamina invoke`.
#[derive(Debug, Args)]
pub(crate) struct InvokeArgs {
    #[command(flatten)]
    common: InvocationFlags,

    /// RequestResponse (wait for the result), Event (queue it) or DryRun (check access).
    #[arg(long, value_parser = PossibleValuesParser::new(InvocationType::values()))]
    invocation_type: Option<String>,

    /// A name for the durable execution the call starts.
    #[arg(long)]
    durable_execution_name: Option<String>,

    /// Write the payload, byte for byte, to this file instead of printing it.
    #[arg(long, value_name = "PATH")]
    outfile: Option<std::path::PathBuf>,

    /// How to print the result.
    #[arg(long, value_enum, default_value_t = OutputArg::Json)]
    output: OutputArg,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum OutputArg {
    /// One JSON object on standard output.
    Json,
    /// Readable text: status, version, the decoded log and the payload pretty-printed.
    Text,
}

pub(crate) async fn run(client: &Client, args: InvokeArgs) -> Result<(), Exit> {
    let format = match args.output {
        OutputArg::Json => Format::Json,
        OutputArg::Text => Format::Text,
    };
    let (payload, client_context) = args.common.encoded()?;

    let synchronous = matches!(
        args.invocation_type.as_deref(),
        None | Some("RequestResponse")
    );
    let spinner = synchronous && std::io::stderr().is_terminal();
    let common = args.common;
    let label = common.function_name.clone();
    let call = client
        .invoke()
        .function_name(common.function_name)
        .set_payload(payload)
        .set_invocation_type(args.invocation_type.as_deref().map(Into::into))
        .set_log_type(common.log_type.as_deref().map(Into::into))
        .set_qualifier(common.qualifier)
        .set_client_context(client_context)
        .set_tenant_id(common.tenant_id)
        .set_durable_execution_name(args.durable_execution_name)
        .send();
    let result = if spinner {
        crate::spinner::while_waiting(&label, call).await
    } else {
        call.await
    };

    match result {
        Ok(out) => {
            let written = match (&args.outfile, out.payload()) {
                (Some(path), payload) => {
                    let bytes = payload.map_or(&[][..], |p| &p[..]);
                    std::fs::write(path, bytes).map_err(|e| {
                        Exit::Failed(format!(
                            "the call succeeded, but the payload could not be written to {}: {e}",
                            path.display()
                        ))
                    })?;
                    Some((path.as_path(), bytes.len()))
                }
                (None, _) => None,
            };
            output::success(&out, format, written);
            if out.function_error().is_some() {
                return Err(Exit::FunctionError);
            }
            Ok(())
        }
        Err(err @ SdkError::Construction(_)) => {
            if format == Format::Json {
                output::failure(&err, format);
            }
            Err(Exit::BadInput(err.to_string()))
        }
        Err(err) => {
            output::failure(&err, format);
            Err(Exit::CallFailed)
        }
    }
}

/// The payload from text (which must be JSON), `@path` or `-` (standard input), the last two
/// byte for byte.
fn read_payload(arg: &str) -> Result<Bytes, Exit> {
    if arg == "-" || arg.starts_with('@') {
        return crate::parse::blob("--payload", arg);
    }
    serde_json::from_str::<serde_json::Value>(arg).map_err(|e| {
        Exit::BadInput(format!(
            "--payload is not JSON ({e}); use @path or - to send other bytes as they are"
        ))
    })?;
    Ok(Bytes::copy_from_slice(arg.as_bytes()))
}

/// The client context as Lambda wants it: the JSON text, base64-encoded.
fn encode_client_context(json: &str) -> Result<String, Exit> {
    serde_json::from_str::<serde_json::Value>(json).map_err(|e| {
        Exit::BadInput(format!(
            "--client-context must be JSON (it is sent base64-encoded): {e}"
        ))
    })?;
    Ok(base64::engine::general_purpose::STANDARD.encode(json))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_context_must_be_json_and_is_base64_encoded() {
        assert_eq!(encode_client_context("{}").unwrap(), "e30=");
        let err = encode_client_context("{not json").unwrap_err();
        assert!(matches!(err, Exit::BadInput(m) if m.contains("--client-context")));
    }

    #[test]
    fn payload_text_must_be_json() {
        assert_eq!(&read_payload(r#"{"a": 1}"#).unwrap()[..], br#"{"a": 1}"#);
        let err = read_payload("{a: 1}").unwrap_err();
        assert!(matches!(err, Exit::BadInput(m) if m.contains("--payload is not JSON")));
    }

    #[test]
    fn payload_files_are_read_byte_for_byte() {
        let dir = std::env::temp_dir().join(format!("lamina-cli-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("event.bin");
        std::fs::write(&path, [0u8, 159, 146, 150]).unwrap();

        let read = read_payload(&format!("@{}", path.display())).unwrap();
        assert_eq!(&read[..], &[0u8, 159, 146, 150]);

        let missing = read_payload("@/definitely/not/here").unwrap_err();
        assert!(matches!(missing, Exit::BadInput(m) if m.contains("cannot read the file")));
    }
}
