//! The runtime under lamina's generated AWS clients.
//!
//! Nothing here is specific to one service: generated code supplies the service's identity
//! ([`service::ServiceInfo`]) and implements the traits in [`middleware`] for each operation's
//! input and output. The modules follow a call's path:
//!
//! - [`config`]: region, credentials, endpoint, transport, retry and [`timeout`] settings;
//! - [`middleware`]: the named, ordered steps a call runs through;
//! - [`endpoint`], [`signing`], [`retry`], [`transport`]: the standard middleware's work;
//! - [`protocol`] and [`json`]: the restJson1 wire format, including how errors are read;
//! - [`datetime`]: timestamps in the forms the wire uses;
//! - [`validate`] and [`error`]: what a failed call reports.
//!
//! # Example
//! ```
//! use lamina_runtime::middleware::{map_request, Stack, Step};
//!
//! let mut stack = Stack::new();
//! stack.add(Step::Build, "x-trace", map_request(|_req| Ok(()))).unwrap();
//! assert_eq!(stack.identify(), ["x-trace - build"]);
//! ```

#![warn(missing_docs, unreachable_pub)]

pub mod client;
pub mod config;
pub mod credentials;
pub mod datetime;
pub mod endpoint;
pub mod enums;
pub mod error;
pub mod event_stream;
pub mod json;
pub mod middleware;
pub mod paginator;
pub mod profile;
pub mod protocol;
pub mod retry;
pub mod service;
pub mod signing;
pub mod time;
pub mod timeout;
pub mod transport;
pub mod validate;
pub mod waiter;

pub use bytes::Bytes;
pub use http;
