//! Invoking a function with typed JSON: the request serialized with serde, the response
//! parsed into the caller's type, and a function error turned into a typed error.

use std::fmt;

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::error::SdkError;
use crate::operation::invoke::{InvokeError, InvokeOutput};
use crate::Client;

/// The error a function reported: Lambda answered 200 with `X-Amz-Function-Error`, and the
/// payload in the runtimes' error shape.
///
/// Its `Debug` shows the payload's length, not the payload, which the model marks sensitive.
#[derive(Clone, PartialEq, Eq)]
pub struct FunctionError {
    /// `Unhandled`, or `Handled` for older runtimes' handled errors.
    pub kind: String,
    /// The error's type, such as `ValueError` (`errorType`).
    pub error_type: Option<String>,
    /// The error's message (`errorMessage`).
    pub error_message: Option<String>,
    /// The stack trace, a line per frame (`stackTrace`).
    pub stack_trace: Vec<String>,
    /// The request id of the invocation.
    pub request_id: Option<String>,
    /// The payload as the function returned it.
    pub payload: bytes::Bytes,
}

impl FunctionError {
    /// The function error of `output`, when it reports one.
    pub fn from_output(output: &InvokeOutput) -> Option<Self> {
        let kind = output.function_error()?.to_owned();
        let payload = output.payload().cloned().unwrap_or_default();
        let json: serde_json::Value = serde_json::from_slice(&payload).unwrap_or_default();
        let text = |key: &str| json.get(key).and_then(|v| v.as_str()).map(str::to_owned);
        let stack_trace = match json.get("stackTrace") {
            Some(serde_json::Value::Array(frames)) => frames
                .iter()
                .map(|f| f.as_str().map_or_else(|| f.to_string(), str::to_owned))
                .collect(),
            _ => Vec::new(),
        };

        Some(Self {
            kind,
            error_type: text("errorType"),
            error_message: text("errorMessage"),
            stack_trace,
            request_id: output.response_metadata().request_id().map(str::to_owned),
            payload,
        })
    }
}

impl fmt::Display for FunctionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let error_type = self.error_type.as_deref().unwrap_or("an error");
        write!(f, "the function failed with {error_type}")?;
        if let Some(message) = &self.error_message {
            write!(f, ": {message}")?;
        }
        if let Some(id) = &self.request_id {
            write!(f, " (request id: {id})")?;
        }
        Ok(())
    }
}

impl fmt::Debug for FunctionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FunctionError")
            .field("kind", &self.kind)
            .field("error_type", &self.error_type)
            .field("error_message", &self.error_message)
            .field("stack_trace", &self.stack_trace)
            .field("request_id", &self.request_id)
            .field("payload", &Redacted(self.payload.len()))
            .finish()
    }
}

impl std::error::Error for FunctionError {}

/// Stands for a sensitive payload of this many bytes in `Debug` output.
struct Redacted(usize);

impl fmt::Debug for Redacted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "** redacted ({} bytes) **", self.0)
    }
}

/// Why [`Client::invoke_json`] failed.
///
/// Its `Debug` never shows the function's payload, which the model marks sensitive; for a
/// payload that did not parse it shows where parsing stopped.
#[non_exhaustive]
pub enum InvokeJsonError {
    /// The request could not be serialized; nothing was sent.
    Serialize(serde_json::Error),
    /// The call failed: the request could not be sent, or Lambda answered with an error.
    Call(SdkError<InvokeError>),
    /// The function ran and reported an error.
    Function(FunctionError),
    /// The function answered, but not with JSON of the expected type.
    Deserialize {
        /// Why the payload did not parse.
        source: serde_json::Error,
        /// The payload as the function returned it.
        payload: bytes::Bytes,
    },
}

impl fmt::Debug for InvokeJsonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Serialize(e) => f.debug_tuple("Serialize").field(e).finish(),
            Self::Call(e) => f.debug_tuple("Call").field(e).finish(),
            Self::Function(e) => f.debug_tuple("Function").field(e).finish(),
            Self::Deserialize { source, payload } => f
                .debug_struct("Deserialize")
                .field("category", &source.classify())
                .field("line", &source.line())
                .field("column", &source.column())
                .field("payload", &Redacted(payload.len()))
                .finish_non_exhaustive(),
        }
    }
}

impl fmt::Display for InvokeJsonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Serialize(_) => f.write_str("the request could not be serialized as JSON"),
            Self::Call(e) => write!(f, "the Invoke call failed: {e}"),
            Self::Function(e) => e.fmt(f),
            Self::Deserialize { payload, .. } => write!(
                f,
                "the function's answer ({} bytes) is not JSON of the expected type",
                payload.len()
            ),
        }
    }
}

impl std::error::Error for InvokeJsonError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Serialize(e) | Self::Deserialize { source: e, .. } => Some(e),
            Self::Call(e) => Some(e),
            Self::Function(_) => None,
        }
    }
}

impl Client {
    /// Invokes `function` synchronously with `request` as JSON and parses its answer as
    /// `Resp`; a function error becomes [`InvokeJsonError::Function`].
    ///
    /// # Example
    /// ```no_run
    /// # async fn run(client: lamina::Client) -> Result<(), lamina::InvokeJsonError> {
    /// #[derive(serde::Serialize)]
    /// struct Order { id: u32 }
    /// #[derive(serde::Deserialize)]
    /// struct Receipt { total: f64 }
    ///
    /// let receipt: Receipt = client.invoke_json("checkout", &Order { id: 7 }).await?;
    /// println!("{}", receipt.total);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn invoke_json<Req, Resp>(
        &self,
        function: &str,
        request: &Req,
    ) -> Result<Resp, InvokeJsonError>
    where
        Req: Serialize + ?Sized,
        Resp: DeserializeOwned,
    {
        let payload = serde_json::to_vec(request).map_err(InvokeJsonError::Serialize)?;

        let output = self
            .invoke()
            .function_name(function)
            .payload(payload)
            .send()
            .await
            .map_err(InvokeJsonError::Call)?;

        if let Some(error) = FunctionError::from_output(&output) {
            return Err(InvokeJsonError::Function(error));
        }
        let payload = output.payload().cloned().unwrap_or_default();
        serde_json::from_slice(&payload)
            .map_err(|source| InvokeJsonError::Deserialize { source, payload })
    }
}
