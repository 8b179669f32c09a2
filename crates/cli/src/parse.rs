//! Turning flag text into member values, with errors that name the flag.

use std::io::Read;
use std::time::Duration;

use lamina::json::{FromJson, Value};
use lamina::primitives::{Bytes, DateTime};

use crate::Exit;

/// A number or boolean.
pub(crate) fn value<T: std::str::FromStr>(flag: &str, text: &str) -> Result<T, Exit>
where
    T::Err: std::fmt::Display,
{
    text.trim()
        .parse()
        .map_err(|e| Exit::BadInput(format!("{flag} {text:?}: {e}")))
}

/// A structure, union, list, map or document, written as JSON with the API's member names.
pub(crate) fn json<T: FromJson>(flag: &str, text: &str) -> Result<T, Exit> {
    let value: Value = serde_json::from_str(text)
        .map_err(|e| Exit::BadInput(format!("{flag} must be JSON: {e}")))?;
    T::from_json(&value).map_err(|e| Exit::BadInput(format!("{flag}: {e}")))
}

/// Bytes: the text itself, `@path` for a file's bytes, or `-` for standard input.
pub(crate) fn blob(flag: &str, text: &str) -> Result<Bytes, Exit> {
    if text == "-" {
        let mut buffer = Vec::new();
        std::io::stdin()
            .read_to_end(&mut buffer)
            .map_err(|e| Exit::BadInput(format!("{flag} -: cannot read standard input: {e}")))?;
        return Ok(buffer.into());
    }
    if let Some(path) = text.strip_prefix('@') {
        return std::fs::read(path)
            .map(Bytes::from)
            .map_err(|e| Exit::BadInput(format!("{flag} @{path}: cannot read the file: {e}")));
    }
    Ok(Bytes::copy_from_slice(text.as_bytes()))
}

/// A point in time: RFC 3339 (`2024-05-01T12:00:00Z`) or seconds since the epoch.
#[allow(
    dead_code,
    reason = "generated commands use it for models with timestamp inputs"
)]
pub(crate) fn timestamp(flag: &str, text: &str) -> Result<DateTime, Exit> {
    DateTime::parse_date_time(text)
        .or_else(|| text.parse::<f64>().ok().and_then(DateTime::from_secs_f64))
        .ok_or_else(|| {
            Exit::BadInput(format!(
                "{flag} {text:?} is not an RFC 3339 time or epoch seconds"
            ))
        })
}

/// A duration in whole seconds, 300 when the flag is absent.
pub(crate) fn seconds(flag: &str, text: Option<&String>) -> Result<Duration, Exit> {
    match text {
        None => Ok(Duration::from_secs(300)),
        Some(text) => value::<u64>(flag, text).map(Duration::from_secs),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_values_name_the_flag() {
        let err = value::<i32>("--memory-size", "lots").unwrap_err();
        assert!(matches!(err, Exit::BadInput(m) if m.starts_with("--memory-size")));
        let err = json::<Vec<String>>("--layers", r#"{"a": 1}"#).unwrap_err();
        assert!(matches!(err, Exit::BadInput(m) if m.contains("--layers") && m.contains("list")));
        assert_eq!(timestamp("--since", "10").unwrap(), DateTime::from_secs(10));
        assert!(timestamp("--since", "yesterday").is_err());
    }
}
