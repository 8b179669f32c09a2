//! Every operation's response reader, and what a user may rely on whatever it is given: a 2xx
//! response is the output or a failure that says what was wrong; any other is the operation's
//! typed error, modelled when its code is one the operation lists, and carrying the status.

use std::any::Any;
use std::fmt::{Debug, Display};

use lamina::error::{ProvideErrorMetadata, SdkError};
use lamina::logs::LogTail;
use lamina::operation::invoke::InvokeOutput;
use lamina::FunctionError;
use lamina_runtime::middleware::{read_response, DeserializeResponse, Response};
use lamina_runtime::protocol::rest_json::response_metadata;

use crate::model::model;

/// One operation: its model name and how to read a response as its output.
pub struct Operation {
    /// The operation's name in the model.
    pub name: &'static str,
    read: fn(&Response) -> Read,
}

/// What reading one response as one operation's output gave.
#[derive(Debug)]
pub enum Read {
    /// The output, and the status its metadata carries.
    Output { status: u16 },
    /// A 2xx response that could not be read: the failure's status and text.
    Unreadable { status: u16, text: String },
    /// The operation's typed service error: its code, whether it is `Unhandled`, its status.
    Service {
        code: Option<String>,
        message: Option<String>,
        unhandled: bool,
        status: u16,
    },
    /// Anything else, which reading a response should never give.
    Other(String),
}

fn read_as<O, E>(response: &Response, status_of: fn(&O) -> u16, unhandled: fn(&E) -> bool) -> Read
where
    O: DeserializeResponse<Error = E> + Debug,
    E: ProvideErrorMetadata + Display + Any,
{
    match read_response::<O>(response, response_metadata(response, 1)) {
        Ok(output) => {
            let _ = format!("{output:?}");
            Read::Output {
                status: status_of(&output),
            }
        }
        Err(SdkError::Response(failure)) => Read::Unreadable {
            status: failure.response_metadata().http_status(),
            text: failure.to_string(),
        },
        Err(SdkError::Service(erased)) => match erased.downcast::<E>() {
            Ok(typed) => {
                let _ = (typed.to_string(), typed.members());
                Read::Service {
                    code: typed.code().map(str::to_owned),
                    message: typed.message().map(str::to_owned),
                    unhandled: unhandled(&typed),
                    status: typed.response_metadata().http_status(),
                }
            }
            Err(other) => Read::Other(format!("a service error of another type: {other}")),
        },
        Err(other) => Read::Other(other.to_string()),
    }
}

macro_rules! operations {
    ($($name:ident => $module:ident :: { $output:ident, $error:ident };)*) => {
        /// Every operation the client exposes.
        pub fn all() -> Vec<Operation> {
            vec![$(Operation {
                name: stringify!($name),
                read: |response: &Response| {
                    use lamina::operation::$module::{$error, $output};
                    read_as::<$output, $error>(
                        response,
                        |output: &$output| output.response_metadata().http_status(),
                        |error: &$error| matches!(error, $error::Unhandled(_)),
                    )
                },
            }),*]
        }
    };
}

include!("../../tests/tests/hostile/operations.rs");

impl Operation {
    /// The id of the operation's output shape in the model.
    pub fn output_shape(&self) -> &'static str {
        &model().outputs[self.name]
    }

    /// Reads `response` as this operation's output and panics if a user could not rely on
    /// what it gives.
    pub fn check(&self, response: &Response) {
        let (name, status) = (self.name, response.status().as_u16());
        let success = response.status().is_success();

        match (self.read)(response) {
            Read::Output { status: seen } => {
                assert!(success, "{name}: HTTP {status} read as an output");
                assert_eq!(seen, status, "{name}: the output's status");
            }
            Read::Unreadable { status: seen, text } => {
                assert!(success, "{name}: HTTP {status} unreadable: {text}");
                assert_eq!(seen, status, "{name}: the failure's status");
                assert!(text.contains("should be"), "{name}: {text}");
            }
            Read::Service {
                code,
                message,
                unhandled,
                status: seen,
            } => {
                assert!(!success, "{name}: HTTP {status} read as an error");
                assert_eq!(seen, status, "{name}: the error's status");
                let known = code
                    .as_ref()
                    .is_some_and(|c| model().errors[name].contains(c));
                assert_eq!(known, !unhandled, "{name}: {code:?} unhandled: {unhandled}");
                assert!(
                    code.is_some() || message.is_some(),
                    "{name}: no code nor message"
                );
            }
            Read::Other(text) => panic!("{name}: {text}"),
        }
    }
}

/// Reads `response` as Invoke's output and checks what Invoke promises on top: the payload is
/// the body byte for byte, and a function error and log tail read without a panic.
pub fn check_invoke(response: &Response) {
    if !response.status().is_success() {
        return;
    }
    let Ok(output) = read_response::<InvokeOutput>(response, response_metadata(response, 1)) else {
        return;
    };

    let body = response.body();
    assert_eq!(output.payload(), (!body.is_empty()).then_some(body));
    if let Some(log) = output.log_result() {
        if let Ok(tail) = LogTail::decode(log) {
            let _ = tail.report();
        }
    }
    if let Some(error) = FunctionError::from_output(&output) {
        assert_eq!(Some(error.kind.as_str()), output.function_error());
        assert_eq!(&error.payload, body);
        let _ = error.to_string();
    }
}
