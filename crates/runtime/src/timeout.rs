//! How long each stage of a call may take.

use std::time::Duration;

/// The longest a synchronous invocation runs: Lambda's 15-minute function timeout.
const LONGEST_INVOCATION: Duration = Duration::from_secs(900);

/// Timeouts for opening a connection, waiting for response bytes, one attempt and the whole
/// call.
///
/// The defaults never cut a synchronous invocation that runs for the full 15 minutes (the
/// response's first byte comes when the function returns) and still notice a dead peer: TCP
/// keepalive probes a silent connection after 30 s and drops it within a minute.
///
/// # Example
/// ```
/// use std::time::Duration;
/// use lamina_runtime::timeout::TimeoutConfig;
///
/// let timeouts = TimeoutConfig::default()
///     .with_connect(Duration::from_secs(1))
///     .with_operation(Some(Duration::from_secs(30)));
/// assert_eq!(timeouts.connect(), Duration::from_secs(1));
/// assert_eq!(timeouts.read(), Some(Duration::from_secs(960)));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeoutConfig {
    connect: Duration,
    read: Option<Duration>,
    attempt: Option<Duration>,
    operation: Option<Duration>,
}

impl Default for TimeoutConfig {
    fn default() -> Self {
        Self {
            connect: Duration::from_millis(3100),
            read: Some(LONGEST_INVOCATION + Duration::from_secs(60)),
            attempt: None,
            operation: None,
        }
    }
}

impl TimeoutConfig {
    /// How long opening a connection may take (3.1 s by default, as the AWS SDKs').
    pub fn connect(&self) -> Duration {
        self.connect
    }

    /// Sets how long opening a connection may take.
    pub fn with_connect(mut self, limit: Duration) -> Self {
        self.connect = limit;
        self
    }

    /// How long the client waits for the next bytes of a response (16 minutes by default,
    /// a minute more than the longest invocation).
    pub fn read(&self) -> Option<Duration> {
        self.read
    }

    /// Sets how long the client waits for the next bytes of a response; `None` waits for
    /// ever.
    pub fn with_read(mut self, limit: Option<Duration>) -> Self {
        self.read = limit;
        self
    }

    /// How long one attempt may take from sending to the end of the response (no limit by
    /// default).
    pub fn attempt(&self) -> Option<Duration> {
        self.attempt
    }

    /// Sets how long one attempt may take.
    pub fn with_attempt(mut self, limit: Option<Duration>) -> Self {
        self.attempt = limit;
        self
    }

    /// How long a whole call may take, retries and their delays included (no limit by
    /// default).
    pub fn operation(&self) -> Option<Duration> {
        self.operation
    }

    /// Sets how long a whole call may take.
    pub fn with_operation(mut self, limit: Option<Duration>) -> Self {
        self.operation = limit;
        self
    }
}
