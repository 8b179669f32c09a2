//! The fake's HTTP/1.1 server: hyper on a loopback listener, one task per connection.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::task::JoinSet;

use super::wire::{self, Body};
use super::Shared;

/// The most request body the server reads; anything longer is answered as too large
/// without being read to the end.
const MAX_BODY: usize = 2 * crate::extensions::SYNC_PAYLOAD_LIMIT;

/// How long to pause after a failed `accept` (such as running out of file descriptors)
/// before trying again, so that a lasting failure does not spin.
const ACCEPT_PAUSE: Duration = Duration::from_millis(20);

/// Accepts connections on `listener` until the task is aborted; aborting it also ends
/// every connection it serves.
pub(super) async fn serve(listener: TcpListener, shared: Arc<Shared>) {
    let mut connections = JoinSet::new();

    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    let shared = Arc::clone(&shared);
                    connections.spawn(serve_connection(TokioIo::new(stream), shared));
                }
                Err(e) => {
                    tracing::warn!(error = %e, "the fake Lambda could not accept a connection");
                    tokio::time::sleep(ACCEPT_PAUSE).await;
                }
            },
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
}

async fn serve_connection(io: TokioIo<tokio::net::TcpStream>, shared: Arc<Shared>) {
    let service = service_fn(move |request: hyper::Request<Incoming>| {
        let shared = Arc::clone(&shared);
        async move {
            let (head, body) = request.into_parts();
            let body = match Limited::new(body, MAX_BODY).collect().await {
                Ok(collected) => Body::Complete(collected.to_bytes()),
                Err(e) if e.is::<http_body_util::LengthLimitError>() => Body::TooLarge,
                Err(e) => Body::Broken(e.to_string()),
            };
            let response = wire::answer(&shared, head, body).await;
            Ok::<_, Infallible>(response.map(Full::<Bytes>::new))
        }
    });

    let served = hyper::server::conn::http1::Builder::new()
        .serve_connection(io, service)
        .await;
    if let Err(e) = served {
        tracing::debug!(error = %e, "a connection to the fake Lambda ended with an error");
    }
}
