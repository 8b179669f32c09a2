//! An in-process Lambda endpoint whose functions are Rust closures.

mod function;
mod server;
mod wire;

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use bytes::Bytes;
use tokio::sync::watch;

pub use function::{FunctionFailure, IntoPayload, Invocation, InvocationContext};

use crate::config::Credentials;
use crate::types::{InvocationType, LogType};
use crate::{Client, Config, ConfigBuilder};
use function::Handler;

/// A Lambda endpoint on `127.0.0.1` whose functions are closures registered by name.
///
/// It is a real HTTP server, so calls go through the whole client: signing, retries, error
/// parsing. It answers `POST /2015-03-31/functions/{name}/invocations` as Lambda does:
///
/// - `RequestResponse` (the default): 200 with the closure's payload and
///   `X-Amz-Executed-Version: $LATEST`;
/// - `Event`: 202 and no body, while the closure runs in the background
///   ([`wait_for_events`](Self::wait_for_events) waits for it);
/// - `DryRun`: 204, and the closure does not run;
/// - a closure returning a [`FunctionFailure`] (or panicking): 200 with
///   `X-Amz-Function-Error: Unhandled` and `{"errorMessage", "errorType", "stackTrace"}`;
/// - `LogType::Tail`: `X-Amz-Log-Result`, the base64 of the last 4 KB of the log: `START`,
///   the lines the closure logged, `END` and `REPORT`;
/// - an unregistered function: 404 `ResourceNotFoundException`;
/// - a function told to [`throttle`](Self::throttle): 429 `TooManyRequestsException` with
///   `Retry-After` and `Reason`;
/// - a payload over 6 MB (1 MB for `Event`): 413 `RequestTooLargeException`;
/// - a payload that is not JSON: 400 `InvalidRequestContentException`.
///
/// Names may be given as a name, `name:qualifier`, a partial ARN or an ARN, and the
/// qualifier as `?Qualifier=`; every qualifier runs the same closure. Every Invoke request is
/// recorded for [`invocations`](Self::invocations). Dropping the fake stops its server.
///
/// # Example
/// ```
/// use lamina::test_util::{FakeLambda, Invocation};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let fake = FakeLambda::builder()
///     .function("greet", |event: Invocation| async move {
///         let name: String = event.json()?;
///         Ok(serde_json::json!({ "greeting": format!("Hello, {name}!") }))
///     })
///     .start()
///     .await
///     .unwrap();
///
/// let output = fake
///     .client()
///     .invoke()
///     .function_name("greet")
///     .payload(r#""Ada""#)
///     .send()
///     .await
///     .unwrap();
///
/// assert_eq!(output.payload().unwrap().as_ref(), br#"{"greeting":"Hello, Ada!"}"#);
/// assert_eq!(output.executed_version(), Some("$LATEST"));
/// assert_eq!(fake.invocations()[0].function_name, "greet");
/// # }
/// ```
pub struct FakeLambda {
    addr: SocketAddr,
    shared: Arc<Shared>,
    server: tokio::task::JoinHandle<()>,
}

impl FakeLambda {
    /// A builder with no functions registered.
    pub fn builder() -> FakeLambdaBuilder {
        FakeLambdaBuilder::default()
    }

    /// The address the fake listens on: `127.0.0.1` and a port the system chose.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The URL to use as a client's endpoint, such as `http://127.0.0.1:40001`.
    pub fn endpoint_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// A configuration builder pointed at the fake, with its region and dummy credentials,
    /// for tests that also change retries, timeouts or middleware.
    ///
    /// # Example
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let fake = lamina::test_util::FakeLambda::builder().start().await.unwrap();
    ///
    /// let config = fake.config_builder().max_attempts(1).build();
    /// let client = lamina::Client::from_conf(config);
    /// # let _ = client;
    /// # }
    /// ```
    pub fn config_builder(&self) -> ConfigBuilder {
        let credentials = Credentials::new(
            "AKIDFAKELAMBDA",
            "fake-lambda-secret",
            None,
            None,
            "lamina-test-util",
        );
        Config::builder()
            .region(self.shared.settings.region.clone())
            .endpoint_url(self.endpoint_url())
            .credentials(credentials)
    }

    /// A client pointed at the fake, with dummy credentials and the fake's region.
    pub fn client(&self) -> Client {
        Client::from_conf(self.config_builder().build())
    }

    /// Every Invoke request the fake received, in order of arrival, whatever it answered.
    pub fn invocations(&self) -> Vec<RecordedInvocation> {
        self.shared.records().clone()
    }

    /// The Invoke requests for the function named `name` (without ARN or qualifier).
    pub fn invocations_of(&self, name: &str) -> Vec<RecordedInvocation> {
        let records = self.shared.records();
        records
            .iter()
            .filter(|r| r.function_name == name)
            .cloned()
            .collect()
    }

    /// Makes the next `calls` runs of the function `name` answer 429
    /// `TooManyRequestsException` instead of running it; `DryRun` calls are not counted.
    pub fn throttle(&self, name: &str, calls: u32) {
        self.shared.add_throttle(name, calls);
    }

    /// Waits until every `Event` invocation received so far has finished running.
    pub async fn wait_for_events(&self) {
        let mut running = self.shared.events.subscribe();
        // The sender lives in `shared`, which `self` holds, so the channel cannot close.
        let _ = running.wait_for(|count| *count == 0).await;
    }
}

impl Drop for FakeLambda {
    fn drop(&mut self) {
        self.server.abort();
    }
}

impl fmt::Debug for FakeLambda {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FakeLambda")
            .field("addr", &self.addr)
            .field("functions", &self.shared.function_list())
            .finish_non_exhaustive()
    }
}

/// Registers a [`FakeLambda`]'s functions and settings, then starts it.
#[derive(Default)]
pub struct FakeLambdaBuilder {
    functions: HashMap<String, Handler>,
    throttles: HashMap<String, u32>,
    settings: Settings,
}

/// How the fake describes itself and its functions.
#[derive(Debug, Clone)]
struct Settings {
    region: String,
    retry_after: Duration,
    memory_size_mb: u32,
    init_duration: Option<Duration>,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            region: "us-east-1".to_owned(),
            retry_after: Duration::from_secs(1),
            memory_size_mb: 128,
            init_duration: None,
        }
    }
}

impl FakeLambdaBuilder {
    /// Registers the function `name`, run by `f` for each invocation.
    ///
    /// The closure gets the [`Invocation`] and returns a payload ([`IntoPayload`]: a
    /// `serde_json::Value`, text or bytes) or a [`FunctionFailure`]. Registering a name
    /// again replaces its closure.
    pub fn function<F, Fut, P>(mut self, name: impl Into<String>, f: F) -> Self
    where
        F: Fn(Invocation) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<P, FunctionFailure>> + Send + 'static,
        P: IntoPayload,
    {
        self.functions.insert(name.into(), function::handler(f));
        self
    }

    /// Makes the first `calls` runs of the function `name` answer 429
    /// `TooManyRequestsException`, as [`FakeLambda::throttle`] does once started.
    pub fn throttle(mut self, name: impl Into<String>, calls: u32) -> Self {
        *self.throttles.entry(name.into()).or_default() += calls;
        self
    }

    /// How long a throttled answer asks the caller to wait (`Retry-After`, in whole seconds
    /// rounded up); 1 s by default.
    pub fn retry_after(mut self, wait: Duration) -> Self {
        self.settings.retry_after = wait;
        self
    }

    /// The region of the fake's ARNs and of [`FakeLambda::client`]; `us-east-1` by default.
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.settings.region = region.into();
        self
    }

    /// The memory size the `REPORT` line states, in MB; 128 by default. The memory used is
    /// reported as 32 MB (or the memory size, when smaller): the fake cannot measure it.
    pub fn memory_size(mut self, megabytes: u32) -> Self {
        self.settings.memory_size_mb = megabytes;
        self
    }

    /// Makes the first run of each function a cold start, whose `REPORT` line states this
    /// `Init Duration`. Without it no run reports one.
    pub fn init_duration(mut self, duration: Duration) -> Self {
        self.settings.init_duration = Some(duration);
        self
    }

    /// Starts the server on `127.0.0.1`, on a port the system chooses. It runs on the
    /// current Tokio runtime until the [`FakeLambda`] is dropped.
    pub async fn start(self) -> Result<FakeLambda, StartError> {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
            .await
            .map_err(|source| StartError { source })?;
        let addr = listener
            .local_addr()
            .map_err(|source| StartError { source })?;

        let shared = Arc::new(Shared {
            functions: self.functions,
            throttles: Mutex::new(self.throttles),
            settings: self.settings,
            started: Mutex::new(HashSet::new()),
            records: Mutex::new(Vec::new()),
            events: watch::Sender::new(0),
        });
        let server = tokio::spawn(server::serve(listener, Arc::clone(&shared)));

        tracing::debug!(%addr, "the fake Lambda is listening");
        Ok(FakeLambda {
            addr,
            shared,
            server,
        })
    }
}

impl fmt::Debug for FakeLambdaBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut names: Vec<&String> = self.functions.keys().collect();
        names.sort();
        f.debug_struct("FakeLambdaBuilder")
            .field("functions", &names)
            .field("throttles", &self.throttles)
            .field("settings", &self.settings)
            .finish()
    }
}

/// The fake could not start listening on `127.0.0.1`.
#[derive(Debug)]
pub struct StartError {
    source: std::io::Error,
}

impl fmt::Display for StartError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the fake Lambda could not listen on 127.0.0.1")
    }
}

impl std::error::Error for StartError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.source)
    }
}

/// One Invoke request as the fake received it, and the status it answered with.
///
/// Its `Debug` shows the payload's length and the headers' names only: payloads may be
/// sensitive, and headers carry signatures and session tokens.
#[derive(Clone)]
#[non_exhaustive]
pub struct RecordedInvocation {
    /// The function's name, without ARN or qualifier (as sent, when it could not be read).
    pub function_name: String,
    /// The qualifier, from the name or `?Qualifier=`.
    pub qualifier: Option<String>,
    /// `X-Amz-Invocation-Type`, `RequestResponse` when absent.
    pub invocation_type: InvocationType,
    /// `X-Amz-Log-Type`, when sent.
    pub log_type: Option<LogType>,
    /// The payload as sent (empty when it was longer than the fake reads, twice the 6 MB
    /// limit).
    pub payload: Bytes,
    /// Every header of the request.
    pub headers: http::HeaderMap,
    /// The HTTP status the fake answered with.
    pub status: u16,
    /// The request id the fake answered with (`x-amzn-RequestId`).
    pub request_id: String,
}

impl fmt::Debug for RecordedInvocation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let headers: Vec<&str> = self.headers.keys().map(|k| k.as_str()).collect();
        f.debug_struct("RecordedInvocation")
            .field("function_name", &self.function_name)
            .field("qualifier", &self.qualifier)
            .field("invocation_type", &self.invocation_type)
            .field("log_type", &self.log_type)
            .field("payload", &format_args!("{} bytes", self.payload.len()))
            .field("headers", &headers)
            .field("status", &self.status)
            .field("request_id", &self.request_id)
            .finish()
    }
}

/// What the server's tasks and the [`FakeLambda`] handle share.
struct Shared {
    functions: HashMap<String, Handler>,
    throttles: Mutex<HashMap<String, u32>>,
    settings: Settings,
    started: Mutex<HashSet<String>>,
    records: Mutex<Vec<RecordedInvocation>>,
    /// How many `Event` invocations are still running.
    events: watch::Sender<usize>,
}

impl Shared {
    fn records(&self) -> MutexGuard<'_, Vec<RecordedInvocation>> {
        lock(&self.records)
    }

    fn record(&self, record: RecordedInvocation) {
        self.records().push(record);
    }

    fn add_throttle(&self, name: &str, calls: u32) {
        *lock(&self.throttles).entry(name.to_owned()).or_default() += calls;
    }

    /// Counts one throttled call of `name` when it has any left, returning how many remain.
    fn take_throttle(&self, name: &str) -> Option<u32> {
        let mut throttles = lock(&self.throttles);
        let left = throttles.get_mut(name).filter(|n| **n > 0)?;
        *left -= 1;
        Some(*left)
    }

    /// True the first time `name` runs.
    fn first_run(&self, name: &str) -> bool {
        lock(&self.started).insert(name.to_owned())
    }

    /// The registered names, sorted, for messages.
    fn function_list(&self) -> String {
        let mut names: Vec<&str> = self.functions.keys().map(String::as_str).collect();
        names.sort_unstable();
        match names.as_slice() {
            [] => "no functions registered".to_owned(),
            names => format!("only: {}", names.join(", ")),
        }
    }

    /// Counts an `Event` invocation as running until the returned guard is dropped.
    fn event_started(self: &Arc<Self>) -> EventGuard {
        self.events.send_modify(|n| *n += 1);
        EventGuard(Arc::clone(self))
    }
}

/// Marks an `Event` invocation finished when dropped, even if its task panicked.
struct EventGuard(Arc<Shared>);

impl Drop for EventGuard {
    fn drop(&mut self) {
        self.0.events.send_modify(|n| *n = n.saturating_sub(1));
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}
