//! lamina: an AWS Lambda client for Rust, generated from the Lambda Smithy model.
//!
//! Make a [`Client`] from a [`Config`], start a call with one of its methods, set the input
//! members on the returned builder, and `send` it. Every call returns either the operation's
//! output or an [`SdkError`](error::SdkError) whose service errors are a per-operation enum.
//!
//! # Example
//! ```no_run
//! use lamina::{Client, Config};
//! use lamina::operation::invoke::InvokeError;
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let client = Client::from_conf(Config::from_env());
//! let result = client
//!     .invoke()
//!     .function_name("my-function")
//!     .payload(r#"{"hello": "world"}"#)
//!     .send()
//!     .await;
//!
//! match result {
//!     Ok(output) => println!("{}", String::from_utf8_lossy(output.payload().unwrap())),
//!     Err(err) => match err.as_service_error() {
//!         Some(InvokeError::ResourceNotFoundException(e)) => println!("no such function: {e}"),
//!         Some(other) => println!("{} failed with {:?}", "Invoke", other.code()),
//!         None => return Err(err.into()),
//!     },
//! }
//! # Ok(())
//! # }
//! ```
//!
//! For tests of code that calls Lambda, the `test-util` feature adds the `test_util` module:
//! an in-process fake Lambda whose functions are closures, and a replay connector. The
//! `examples/` folder shows invoking, typed JSON, matching errors, middleware and testing.
//!
//! The code in `generated/` is written by `cargo xtask codegen` from `model/`; the runtime
//! it stands on is the `lamina-runtime` crate.

#![warn(missing_docs)]

#[rustfmt::skip]
mod generated;
pub mod extensions;
#[cfg(feature = "invoke")]
mod invoke_json;
pub mod logs;
#[cfg(feature = "test-util")]
pub mod test_util;

#[cfg(feature = "invoke")]
pub use invoke_json::{FunctionError, InvokeJsonError};

pub use generated::client::Client;
pub use generated::{operation, types};
pub use lamina_runtime::config::{Config, ConfigBuilder};

/// Errors: the service's modelled errors, and what any call can fail with.
pub mod error {
    #[allow(unused_imports)]
    pub use crate::generated::error::*;
    pub use lamina_runtime::error::{
        ConstructionFailure, DispatchFailure, DispatchKind, ErrorMetadata, Fault,
        ProvideErrorMetadata, ResponseFailure, ResponseMetadata, SdkError, Unhandled,
    };
}

/// Configuration: credentials, retries, timeouts and the transport.
pub mod config {
    pub use lamina_runtime::config::{Config, ConfigBuilder, Credentials};
    pub use lamina_runtime::retry::{RetryConfig, RetryMode, RetryPolicy};
    pub use lamina_runtime::time::{SystemClock, TimeSource};
    pub use lamina_runtime::timeout::TimeoutConfig;
    pub use lamina_runtime::transport::{HttpConnector, ReqwestConnector};
}

/// The middleware stack every call runs through, for adding or removing steps.
pub mod middleware {
    pub use lamina_runtime::middleware::{
        map_request, BoxFuture, Context, Middleware, Next, Request, Response, Stack, StackError,
        Step,
    };
}

/// Waiters: calling an operation until a resource reaches a state.
pub mod waiter {
    pub use lamina_runtime::waiter::{
        Delays, SharedWaiterClock, State, SystemWaiterClock, WaiterClock, WaiterError,
    };
}

/// Paginated operations as streams of pages or items.
pub mod pagination {
    pub use lamina_runtime::paginator::{ItemStream, PageStream};
}

/// JSON conversions of inputs, outputs and their members.
pub mod json {
    pub use lamina_runtime::json::{Document, FromJson, JsonError, ToJson, Value};
}

/// Basic types used in inputs and outputs.
pub mod primitives {
    pub use lamina_runtime::datetime::DateTime;
    pub use lamina_runtime::json::Document;
    pub use lamina_runtime::Bytes;
}

/// The runtime under the generated code, for code that `client!` generates.
#[doc(hidden)]
pub use lamina_runtime as runtime;

/// Generates a client at compile time from a Smithy model, for the operations you name.
///
/// It must be invoked at the crate root, where it defines the module `generated`; the model
/// path is relative to the crate's `Cargo.toml`.
#[cfg(feature = "macros")]
pub use lamina_macros::client;

/// The service's identity as the model states it.
pub use generated::SERVICE;

/// The README's examples, compiled as doc tests so that they stay true.
#[doc = include_str!("../../../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
