//! `lamina invoke-with-response-stream`: the function's answer written to standard output
//! piece by piece as it arrives.

use std::io::Write;

use clap::builder::PossibleValuesParser;
use clap::Args;
use lamina::error::SdkError;
use lamina::logs::LogTail;
use lamina::types::InvokeWithResponseStreamResponseEvent as Event;
use lamina::types::ResponseStreamingInvocationType as StreamingType;
use lamina::Client;

use crate::invoke::InvocationFlags;
use crate::Exit;

pub(crate) const EXAMPLES: &str = "Examples:
  lamina invoke-with-response-stream --function-name my-streamer --payload '{\"n\": 3}'
  lamina invoke-with-response-stream --function-name f --payload @event.json > answer.bin
  lamina invoke-with-response-stream --function-name f --log-type Tail 2> log.txt";

/// The flags of `lamina invoke-with-response-stream`; with `--log-type Tail` the log goes to
/// standard error when the stream ends.
#[derive(Debug, Args)]
pub(crate) struct StreamArgs {
    #[command(flatten)]
    common: InvocationFlags,

    /// RequestResponse (stream the answer) or DryRun (check access only).
    #[arg(long, value_parser = PossibleValuesParser::new(StreamingType::values()))]
    invocation_type: Option<String>,
}

/// Streams the answer to standard output; the end of the stream says whether the function
/// failed (exit code 3) and, with `--log-type Tail`, its log goes to standard error.
pub(crate) async fn run(client: &Client, args: StreamArgs) -> Result<(), Exit> {
    let (payload, client_context) = args.common.encoded()?;
    let common = args.common;

    let result = client
        .invoke_with_response_stream()
        .function_name(common.function_name)
        .set_payload(payload)
        .set_invocation_type(args.invocation_type.as_deref().map(Into::into))
        .set_log_type(common.log_type.as_deref().map(Into::into))
        .set_qualifier(common.qualifier)
        .set_client_context(client_context)
        .set_tenant_id(common.tenant_id)
        .send()
        .await;
    let output = match result {
        Ok(output) => output,
        Err(err @ SdkError::Construction(_)) => return Err(Exit::BadInput(err.to_string())),
        Err(err) => return Err(crate::output::call_failed(err)),
    };
    let events = output.event_stream();

    loop {
        let event = events.recv().await.map_err(|e| {
            let mut text = format!("the stream broke off: {e}");
            for cause in crate::output::causes(&e) {
                text.push_str(&format!(": {cause}"));
            }
            Exit::Failed(text)
        })?;
        match event {
            Some(Event::PayloadChunk(chunk)) => {
                let bytes = chunk.payload().map_or(&[][..], |p| &p[..]);
                let mut stdout = std::io::stdout().lock();
                stdout
                    .write_all(bytes)
                    .and_then(|()| stdout.flush())
                    .map_err(|e| Exit::Failed(format!("cannot write the answer: {e}")))?;
            }
            Some(Event::InvokeComplete(done)) => {
                if let Some(log) = done.log_result() {
                    match LogTail::decode(log) {
                        Ok(tail) => eprint!("{tail}"),
                        Err(e) => eprintln!("lamina: {e}"),
                    }
                }
                if let Some(code) = done.error_code() {
                    let details = done.error_details().unwrap_or("no details");
                    eprintln!("lamina: the function failed with {code}: {details}");
                    return Err(Exit::FunctionError);
                }
            }
            Some(_) => {}
            None => return Ok(()),
        }
    }
}
