//! Every operation's response reader, as a user sees what it gives. Shared by the
//! hostile_responses test and the fuzz targets (`fuzz/src/lib.rs` takes it in with `#[path]`).

use std::any::Any;
use std::fmt::{Debug, Display};

use lamina::error::{ProvideErrorMetadata, SdkError};
use lamina_runtime::middleware::{read_response, DeserializeResponse, Response};
use lamina_runtime::protocol::rest_json::response_metadata;

/// What reading one response as one operation's output gave.
#[derive(Debug)]
pub enum Read {
    /// The output, and the status its metadata carries.
    Output { status: u16 },
    /// A 2xx response that could not be read: the failure's status and text.
    Unreadable { status: u16, text: String },
    /// The operation's typed service error.
    Service(ServiceRead),
    /// Anything else, which reading a response should never give.
    Other(String),
}

/// What a user can see of a typed service error.
#[derive(Debug)]
pub struct ServiceRead {
    /// Its code.
    pub code: Option<String>,
    /// Its message.
    pub message: Option<String>,
    /// Whether it is the `Unhandled` variant (a code the operation does not list).
    pub unhandled: bool,
    /// The HTTP status its metadata carries.
    pub status: u16,
    /// The request id its metadata carries.
    pub request_id: Option<String>,
    /// Its `Display`.
    pub text: String,
}

/// One operation: its model name and how to read a response as its output.
pub struct Operation {
    /// The operation's name in the model.
    pub name: &'static str,
    /// Reads a response as the operation's output.
    pub read: fn(&Response) -> Read,
}

/// Reads `response` as `O` the way a call does, and says what a user would see.
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
                let _ = typed.members();
                Read::Service(ServiceRead {
                    code: typed.code().map(str::to_owned),
                    message: typed.message().map(str::to_owned),
                    unhandled: unhandled(&typed),
                    status: typed.response_metadata().http_status(),
                    request_id: typed.request_id().map(str::to_owned),
                    text: typed.to_string(),
                })
            }
            Err(other) => Read::Other(format!("a service error of another type: {other}")),
        },
        Err(other) => Read::Other(other.to_string()),
    }
}

macro_rules! operations {
    ($($name:ident => $module:ident :: { $output:ident, $error:ident };)*) => {
        /// Every operation the client exposes, as the list that the model is checked against.
        pub fn operations() -> Vec<Operation> {
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

include!("operations.rs");
