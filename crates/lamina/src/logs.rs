//! The log tail Lambda returns with `LogType::Tail`: the last 4 KB of the invocation's logs,
//! base64-encoded, whose `REPORT` line says what the invocation cost.

use std::fmt;
use std::time::Duration;

use base64::Engine as _;

/// The decoded log tail of one invocation.
///
/// # Example
/// ```
/// use lamina::logs::LogTail;
///
/// let text = "START RequestId: 1\nREPORT RequestId: 1\tDuration: 12.50 ms\t\
///             Billed Duration: 13 ms\tMemory Size: 128 MB\tMax Memory Used: 40 MB\t\n";
/// let encoded = base64_of(text);
/// let tail = LogTail::decode(&encoded).unwrap();
///
/// let report = tail.report().unwrap();
/// assert_eq!(report.billed_duration.as_millis(), 13);
/// assert_eq!(report.max_memory_used_mb, 40);
/// # fn base64_of(text: &str) -> String {
/// #     use base64::Engine as _;
/// #     base64::engine::general_purpose::STANDARD.encode(text)
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogTail {
    text: String,
}

/// The `REPORT` line of an invocation's logs.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    /// The request id of the invocation.
    pub request_id: String,
    /// How long the handler ran.
    pub duration: Duration,
    /// The duration Lambda billed.
    pub billed_duration: Duration,
    /// The memory configured for the function, in MB.
    pub memory_size_mb: u32,
    /// The most memory the invocation used, in MB.
    pub max_memory_used_mb: u32,
    /// How long the execution environment took to start, on a cold start.
    pub init_duration: Option<Duration>,
}

/// The log tail was not base64.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogTailError {
    reason: String,
}

impl fmt::Display for LogTailError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the log tail (LogResult) is not base64: {}", self.reason)
    }
}

impl std::error::Error for LogTailError {}

impl LogTail {
    /// Decodes the `LogResult` of an Invoke output. Bytes that are not UTF-8 are replaced.
    pub fn decode(encoded: &str) -> Result<Self, LogTailError> {
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(encoded.trim())
            .map_err(|e| LogTailError {
                reason: e.to_string(),
            })?;
        Ok(Self {
            text: String::from_utf8_lossy(&bytes).into_owned(),
        })
    }

    /// The log lines as text.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The last `REPORT` line, parsed, when the tail holds one.
    pub fn report(&self) -> Option<Report> {
        let line = self.text.lines().rev().find(|l| l.starts_with("REPORT "))?;
        let field = |name: &str| {
            line.split('\t')
                .filter_map(|part| part.trim().split_once(": "))
                .find(|(key, _)| key.trim_start_matches("REPORT ") == name)
                .map(|(_, value)| value.trim())
        };
        let millis = |name: &str| {
            let value = field(name)?
                .strip_suffix(" ms")?
                .trim()
                .parse::<f64>()
                .ok()?;
            if !value.is_finite() || value < 0.0 {
                return None;
            }

            Duration::try_from_secs_f64(value / 1e3).ok()
        };
        let megabytes = |name: &str| field(name)?.strip_suffix(" MB")?.trim().parse().ok();

        Some(Report {
            request_id: field("RequestId")?.to_owned(),
            duration: millis("Duration")?,
            billed_duration: millis("Billed Duration")?,
            memory_size_mb: megabytes("Memory Size")?,
            max_memory_used_mb: megabytes("Max Memory Used")?,
            init_duration: millis("Init Duration"),
        })
    }
}

#[cfg(feature = "invoke")]
impl crate::operation::invoke::InvokeOutput {
    /// The decoded log tail, when the call asked for one with `LogType::Tail`.
    ///
    /// # Example
    /// ```no_run
    /// # async fn run(client: lamina::Client) -> Result<(), Box<dyn std::error::Error>> {
    /// use lamina::types::LogType;
    ///
    /// let output = client.invoke().function_name("f").log_type(LogType::Tail).send().await?;
    /// if let Some(report) = output.log_tail().transpose()?.and_then(|t| t.report()) {
    ///     println!("billed {:?}, {} MB used", report.billed_duration, report.max_memory_used_mb);
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub fn log_tail(&self) -> Option<Result<LogTail, LogTailError>> {
        self.log_result().map(LogTail::decode)
    }
}

impl fmt::Display for LogTail {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tail(text: &str) -> LogTail {
        LogTail::decode(&base64::engine::general_purpose::STANDARD.encode(text)).unwrap()
    }

    #[test]
    fn a_cold_start_report_has_its_init_duration() {
        let text = "START RequestId: abc Version: $LATEST\nhello\nEND RequestId: abc\n\
                    REPORT RequestId: abc\tDuration: 1.96 ms\tBilled Duration: 2 ms\t\
                    Memory Size: 128 MB\tMax Memory Used: 57 MB\tInit Duration: 139.48 ms\t\n";

        let report = tail(text).report().unwrap();

        assert_eq!(report.request_id, "abc");
        assert_eq!(report.duration, Duration::from_micros(1960));
        assert_eq!(report.billed_duration, Duration::from_millis(2));
        assert_eq!(report.memory_size_mb, 128);
        assert_eq!(report.max_memory_used_mb, 57);
        assert_eq!(report.init_duration, Some(Duration::from_micros(139_480)));
    }

    #[test]
    fn a_warm_report_has_no_init_duration_and_odd_tails_have_no_report() {
        let warm = "REPORT RequestId: x\tDuration: 3 ms\tBilled Duration: 3 ms\t\
                    Memory Size: 256 MB\tMax Memory Used: 60 MB\t";
        assert_eq!(tail(warm).report().unwrap().init_duration, None);

        assert_eq!(tail("just a log line\n").report(), None);
        assert_eq!(tail("REPORT RequestId: x\tDuration: soon").report(), None);
        let too_long = "REPORT RequestId: x\tDuration: 1e300 ms\tBilled Duration: 1 ms\t\
                        Memory Size: 128 MB\tMax Memory Used: 60 MB\t";
        assert_eq!(tail(too_long).report(), None);
        assert!(LogTail::decode("%%%")
            .unwrap_err()
            .to_string()
            .contains("not base64"));
    }
}
