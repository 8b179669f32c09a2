//! JSON documents as restJson1 writes them: how member values become JSON and back.
//!
//! Generated code implements [`ToJson`] and [`FromJson`] for structures and unions; this
//! module implements them for every value the model's simple shapes map to.

use std::collections::HashMap;
use std::fmt;

use base64::Engine as _;
use bytes::Bytes;

use crate::datetime::DateTime;

pub use serde_json::{Map, Value};

/// Untyped JSON data, as the model's `document` shapes hold.
pub type Document = Value;

/// A JSON value that is not what the model says it should be.
///
/// # Example
/// ```
/// use lamina_runtime::json::{field, FromJson, Value};
/// let object = serde_json::json!({"Size": "big"});
/// let err = field::<i64>(object.as_object().unwrap(), "Size").unwrap_err();
/// assert_eq!(err.to_string(), "`Size` should be an integer");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonError {
    path: Vec<String>,
    expected: &'static str,
}

impl JsonError {
    /// A value that should have been `expected` (such as "a string").
    pub fn expected(expected: &'static str) -> Self {
        Self {
            path: Vec::new(),
            expected,
        }
    }

    /// The same error, one level further out: inside member or key `name`.
    pub fn within(mut self, name: impl Into<String>) -> Self {
        self.path.push(name.into());
        self
    }

    /// Where the value was, as `A.B[2].C`.
    pub fn path(&self) -> String {
        let mut out = String::new();
        for part in self.path.iter().rev() {
            if !part.starts_with('[') && !out.is_empty() {
                out.push('.');
            }
            out.push_str(part);
        }
        out
    }
}

impl fmt::Display for JsonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            write!(f, "the body should be {}", self.expected)
        } else {
            write!(f, "`{}` should be {}", self.path(), self.expected)
        }
    }
}

impl std::error::Error for JsonError {}

/// A value that can be written as JSON.
pub trait ToJson {
    /// The value as JSON.
    fn to_json(&self) -> Value;
}

/// A value that can be read from JSON.
pub trait FromJson: Sized {
    /// Reads the value, or says where and what was wrong.
    fn from_json(value: &Value) -> Result<Self, JsonError>;
}

/// Member `name` of `object`: absent and `null` are `None`; a value of the wrong kind is an
/// error naming the member. Unknown members are never looked at.
pub fn field<T: FromJson>(object: &Map<String, Value>, name: &str) -> Result<Option<T>, JsonError> {
    match object.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(value) => T::from_json(value).map(Some).map_err(|e| e.within(name)),
    }
}

/// The value as an object, or an error.
pub fn object(value: &Value) -> Result<&Map<String, Value>, JsonError> {
    value.as_object().ok_or(JsonError::expected("an object"))
}

/// Parses a response body; an empty body is an empty object.
pub fn parse(body: &[u8]) -> Result<Value, JsonError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Value::Object(Map::new()));
    }
    serde_json::from_slice(body).map_err(|_| JsonError::expected("JSON"))
}

/// A timestamp in the form a `timestampFormat` trait asks for: `date-time` and `http-date`
/// are strings, anything else epoch seconds.
pub fn timestamp(value: &DateTime, format: &str) -> Value {
    match format {
        "date-time" => Value::String(value.to_date_time()),
        "http-date" => Value::String(value.to_http_date()),
        _ => value.to_json(),
    }
}

/// Writes `value` as the bytes of a request body.
pub fn to_body(value: &Value) -> Bytes {
    Bytes::from(value.to_string())
}

impl ToJson for String {
    fn to_json(&self) -> Value {
        Value::String(self.clone())
    }
}

impl FromJson for String {
    fn from_json(value: &Value) -> Result<Self, JsonError> {
        value
            .as_str()
            .map(str::to_owned)
            .ok_or(JsonError::expected("a string"))
    }
}

impl ToJson for bool {
    fn to_json(&self) -> Value {
        Value::Bool(*self)
    }
}

impl FromJson for bool {
    fn from_json(value: &Value) -> Result<Self, JsonError> {
        value.as_bool().ok_or(JsonError::expected("a boolean"))
    }
}

macro_rules! integers {
    ($($ty:ty),*) => {$(
        impl ToJson for $ty {
            fn to_json(&self) -> Value {
                Value::from(*self)
            }
        }

        impl FromJson for $ty {
            fn from_json(value: &Value) -> Result<Self, JsonError> {
                value
                    .as_i64()
                    .and_then(|n| <$ty>::try_from(n).ok())
                    .ok_or(JsonError::expected("an integer"))
            }
        }
    )*};
}

integers!(i8, i16, i32, i64);

impl ToJson for f64 {
    fn to_json(&self) -> Value {
        match serde_json::Number::from_f64(*self) {
            Some(n) => Value::Number(n),
            None if self.is_nan() => Value::String("NaN".into()),
            None if *self > 0.0 => Value::String("Infinity".into()),
            None => Value::String("-Infinity".into()),
        }
    }
}

impl FromJson for f64 {
    fn from_json(value: &Value) -> Result<Self, JsonError> {
        match value {
            Value::Number(n) => n.as_f64().ok_or(JsonError::expected("a number")),
            Value::String(s) if s == "NaN" => Ok(f64::NAN),
            Value::String(s) if s == "Infinity" => Ok(f64::INFINITY),
            Value::String(s) if s == "-Infinity" => Ok(f64::NEG_INFINITY),
            _ => Err(JsonError::expected("a number")),
        }
    }
}

impl ToJson for f32 {
    fn to_json(&self) -> Value {
        f64::from(*self).to_json()
    }
}

impl FromJson for f32 {
    fn from_json(value: &Value) -> Result<Self, JsonError> {
        f64::from_json(value).map(|n| n as f32)
    }
}

impl ToJson for Bytes {
    fn to_json(&self) -> Value {
        Value::String(base64::engine::general_purpose::STANDARD.encode(self))
    }
}

impl FromJson for Bytes {
    fn from_json(value: &Value) -> Result<Self, JsonError> {
        let text = value.as_str().ok_or(JsonError::expected("base64 text"))?;
        base64::engine::general_purpose::STANDARD
            .decode(text)
            .map(Bytes::from)
            .map_err(|_| JsonError::expected("base64 text"))
    }
}

impl ToJson for DateTime {
    fn to_json(&self) -> Value {
        let seconds = self.as_secs_f64();
        if seconds.fract() == 0.0 {
            Value::from(self.secs())
        } else {
            seconds.to_json()
        }
    }
}

impl FromJson for DateTime {
    fn from_json(value: &Value) -> Result<Self, JsonError> {
        match value {
            Value::Number(n) => n
                .as_f64()
                .and_then(DateTime::from_secs_f64)
                .ok_or(JsonError::expected("a timestamp")),
            Value::String(text) => DateTime::parse_date_time(text)
                .or_else(|| DateTime::parse_http_date(text))
                .ok_or(JsonError::expected("a timestamp")),
            _ => Err(JsonError::expected("a timestamp")),
        }
    }
}

impl ToJson for Value {
    fn to_json(&self) -> Value {
        self.clone()
    }
}

impl FromJson for Value {
    fn from_json(value: &Value) -> Result<Self, JsonError> {
        Ok(value.clone())
    }
}

impl<T: ToJson> ToJson for Vec<T> {
    fn to_json(&self) -> Value {
        Value::Array(self.iter().map(ToJson::to_json).collect())
    }
}

impl<T: FromJson> FromJson for Vec<T> {
    fn from_json(value: &Value) -> Result<Self, JsonError> {
        let items = value.as_array().ok_or(JsonError::expected("a list"))?;
        items
            .iter()
            .enumerate()
            .map(|(i, item)| T::from_json(item).map_err(|e| e.within(format!("[{i}]"))))
            .collect()
    }
}

impl<T: ToJson> ToJson for HashMap<String, T> {
    fn to_json(&self) -> Value {
        let mut entries: Vec<(&String, &T)> = self.iter().collect();
        entries.sort_by(|a, b| a.0.cmp(b.0));
        Value::Object(
            entries
                .into_iter()
                .map(|(k, v)| (k.clone(), v.to_json()))
                .collect(),
        )
    }
}

impl<T: FromJson> FromJson for HashMap<String, T> {
    fn from_json(value: &Value) -> Result<Self, JsonError> {
        let entries = value.as_object().ok_or(JsonError::expected("a map"))?;
        entries
            .iter()
            .filter(|(_, v)| !v.is_null())
            .map(|(k, v)| Ok((k.clone(), T::from_json(v).map_err(|e| e.within(k.clone()))?)))
            .collect()
    }
}

impl<T: ToJson> ToJson for Box<T> {
    fn to_json(&self) -> Value {
        (**self).to_json()
    }
}

impl<T: FromJson> FromJson for Box<T> {
    fn from_json(value: &Value) -> Result<Self, JsonError> {
        T::from_json(value).map(Box::new)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn nested_errors_name_the_whole_path() {
        let value = json!({"Layers": [{"Arn": "a"}, {"Arn": 7}]});
        let layers = value["Layers"].as_array().unwrap();
        let err = layers[1]
            .as_object()
            .map(|o| field::<String>(o, "Arn"))
            .unwrap()
            .map_err(|e| e.within("[1]").within("Layers"))
            .unwrap_err();
        assert_eq!(err.to_string(), "`Layers[1].Arn` should be a string");
    }

    #[test]
    fn scalars_round_trip() {
        let bytes = Bytes::from_static(b"\x00\xffhi");
        assert_eq!(Bytes::from_json(&bytes.to_json()).unwrap(), bytes);
        assert_eq!(i32::from_json(&json!(7)).unwrap(), 7);
        assert!(i8::from_json(&json!(300)).is_err());
        assert!(f64::from_json(&json!("NaN")).unwrap().is_nan());
        let map: HashMap<String, Vec<i64>> = FromJson::from_json(&json!({"a": [1, 2]})).unwrap();
        assert_eq!(map["a"], [1, 2]);
        assert_eq!(map.to_json(), json!({"a": [1, 2]}));
    }

    #[test]
    fn absent_and_null_members_are_none_and_bodies_may_be_empty() {
        let object = json!({"A": null});
        let object = object.as_object().unwrap();
        assert_eq!(field::<String>(object, "A").unwrap(), None);
        assert_eq!(field::<String>(object, "B").unwrap(), None);
        assert_eq!(parse(b"  ").unwrap(), json!({}));
        assert!(parse(b"<html>").is_err());
    }
}
