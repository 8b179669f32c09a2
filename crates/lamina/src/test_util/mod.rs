//! Testing code that calls Lambda, without Lambda: a replay connector and an in-process fake
//! endpoint. Enabled by the `test-util` feature, which is off by default.
//!
//! - [`FakeLambda`] is a real HTTP server on `127.0.0.1` whose functions are Rust closures.
//!   It answers Invoke as Lambda does on the wire (synchronous, `Event` and `DryRun` calls,
//!   function errors, log tails, throttles, unknown functions, payload limits), so the code
//!   under test runs through the whole client: signing, retries, error parsing.
//! - [`ReplayClient`] is an [`HttpConnector`](crate::config::HttpConnector) that answers with
//!   recorded responses, in order, and then checks that the requests sent were the ones
//!   recorded.
//!
//! Neither needs any network beyond loopback.
//!
//! # Example: unit-testing code that invokes a function
//!
//! The code under test takes a [`Client`](crate::Client); the test hands it one pointed at
//! the fake, then checks both the result and what the function was sent.
//!
//! ```
//! use lamina::test_util::{FakeLambda, FunctionFailure, Invocation};
//! use serde::{Deserialize, Serialize};
//!
//! #[derive(Serialize, Deserialize)]
//! struct Order { id: u32, items: u32 }
//!
//! #[derive(Serialize, Deserialize)]
//! struct Quote { total_cents: u64 }
//!
//! /// The code under test: prices an order with the `pricing` function, free above 10 items.
//! async fn price(client: &lamina::Client, order: &Order) -> Result<u64, lamina::InvokeJsonError> {
//!     if order.items > 10 {
//!         return Ok(0);
//!     }
//!     let quote: Quote = client.invoke_json("pricing", order).await?;
//!     Ok(quote.total_cents)
//! }
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! let fake = FakeLambda::builder()
//!     .function("pricing", |event: Invocation| async move {
//!         let order: Order = event.json()?;
//!         event.context().log(&format!("pricing order {}", order.id));
//!         if order.items == 0 {
//!             return Err(FunctionFailure::new("EmptyOrder", "an order needs items"));
//!         }
//!         Ok(serde_json::json!({ "total_cents": order.items * 250 }))
//!     })
//!     .start()
//!     .await
//!     .expect("the fake listens on loopback");
//! let client = fake.client();
//!
//! assert_eq!(price(&client, &Order { id: 1, items: 4 }).await.unwrap(), 1000);
//! assert_eq!(price(&client, &Order { id: 2, items: 11 }).await.unwrap(), 0);
//! match price(&client, &Order { id: 3, items: 0 }).await {
//!     Err(lamina::InvokeJsonError::Function(e)) => {
//!         assert_eq!(e.error_type.as_deref(), Some("EmptyOrder"))
//!     }
//!     other => panic!("expected a function error, got {other:?}"),
//! }
//!
//! // The free order never reached the function; the other two did.
//! let sent: Vec<Order> = fake
//!     .invocations()
//!     .iter()
//!     .map(|call| serde_json::from_slice(&call.payload).unwrap())
//!     .collect();
//! assert_eq!(sent.iter().map(|o| o.id).collect::<Vec<_>>(), [1, 3]);
//! # }
//! ```

mod compare;
mod fake;
mod replay;

pub use fake::{
    FakeLambda, FakeLambdaBuilder, FunctionFailure, IntoPayload, Invocation, InvocationContext,
    RecordedInvocation, StartError,
};
pub use replay::{ReplayClient, ReplayEvent, ReplayMismatch, IGNORED_HEADERS};
