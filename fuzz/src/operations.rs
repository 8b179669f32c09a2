//! Every operation's response reader, and what a user may rely on whatever it is given: a 2xx
//! response is the output or a failure that says what was wrong; any other is the operation's
//! typed error, modelled when its code is one the operation lists, and carrying the status.

use lamina::logs::LogTail;
use lamina::operation::invoke::InvokeOutput;
use lamina::FunctionError;
use lamina_runtime::middleware::{read_response, Response};
use lamina_runtime::protocol::rest_json::response_metadata;

use crate::model::model;

pub use crate::read::{operations as all, Operation, Read, ServiceRead};

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
            Read::Service(ServiceRead {
                code,
                message,
                unhandled,
                status: seen,
                ..
            }) => {
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
