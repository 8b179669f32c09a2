//! HTTP responses made from fuzzer bytes: any status, headers `http` accepts (the ones lamina
//! reads more often than others), and bodies that are raw bytes, JSON of any shape, or JSON
//! shaped like an operation's output with hostile contents.

use arbitrary::{Result, Unstructured};
use base64::Engine as _;
use bytes::Bytes;
use http::{HeaderName, HeaderValue};
use lamina_runtime::middleware::Response;
use serde_json::{Map, Value};

use crate::model::model;
use crate::wire::ERROR_MEMBERS;
pub use crate::wire::{header_value_of, READ_HEADERS};

const MONTHS: &[&str] = &[
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// A response whose body may be shaped like the model's shape `output`.
pub fn response(u: &mut Unstructured, output: &str) -> Result<Response> {
    let status = u.int_in_range(100..=599u16)?;
    let mut response = http::Response::new(Bytes::new());
    *response.status_mut() = http::StatusCode::from_u16(status).expect("100..=599 is a status");

    for _ in 0..u.int_in_range(0..=8u8)? {
        let name = header_name(u)?;
        let value = header_value(u)?;
        response.headers_mut().append(name, value);
    }

    *response.body_mut() = match u.int_in_range(0..=3u8)? {
        0 => Bytes::copy_from_slice(u.bytes(u.len())?),
        1 => Bytes::from(Value::Object(object(u, 4)?).to_string()),
        2 => Bytes::from(shaped(u, output, 6)?.to_string()),
        _ => {
            let code = text(u)?;
            let message = text(u)?;
            let xml = format!("<Error><Code>{code}</Code><Message>{message}</Message></Error>");
            Bytes::from(xml)
        }
    };
    Ok(response)
}

/// A header name: one lamina reads, or any token `http` accepts.
pub fn header_name(u: &mut Unstructured) -> Result<HeaderName> {
    if u.ratio(3, 4)? {
        return Ok(HeaderName::from_static(u.choose(READ_HEADERS)?));
    }
    let raw: &[u8] = u.arbitrary()?;
    Ok(HeaderName::from_bytes(raw).unwrap_or(HeaderName::from_static("x-fuzz")))
}

/// A header value: raw bytes, text, or base64 (as log tails travel).
pub fn header_value(u: &mut Unstructured) -> Result<HeaderValue> {
    let bytes: Vec<u8> = match u.int_in_range(0..=2u8)? {
        0 => u.arbitrary()?,
        1 => text(u)?.into_bytes(),
        _ => base64(u.arbitrary::<&[u8]>()?).into_bytes(),
    };
    Ok(header_value_of(&bytes))
}

/// Text of every kind a member may hold: anything, model values, timestamps, numbers.
pub fn text(u: &mut Unstructured) -> Result<String> {
    let model = model();
    Ok(match u.int_in_range(0..=5u8)? {
        0 => u.arbitrary()?,
        1 => u.choose(&model.enum_values)?.clone(),
        2 => {
            let prefix = u.choose(&["", "aws.lambda#", "#", " "])?;
            let suffix = u.choose(&["", ":http://internal.amazon.com/coral/", ":", " "])?;
            format!("{prefix}{}{suffix}", u.choose(&model.codes)?)
        }
        3 => {
            let (year, month, day): (u16, u8, u8) = u.arbitrary()?;
            let (h, m, s): (u8, u8, u8) = u.arbitrary()?;
            let zone = u.choose(&["Z", "+01:00", "-23:59", "+99:99", ""])?;
            format!("{year:04}-{month:02}-{day:02}T{h:02}:{m:02}:{s:02}{zone}")
        }
        4 => {
            let (day, year, clock): (i64, i64, (i64, i64, i64)) = u.arbitrary()?;
            let month = u.choose(MONTHS)?;
            let (h, m, s) = clock;
            format!("Thu, {day:02} {month} {year} {h:02}:{m:02}:{s:02} GMT")
        }
        _ => u.arbitrary::<i64>()?.to_string(),
    })
}

/// A JSON object keyed mostly by the model's member names.
pub fn object(u: &mut Unstructured, depth: u32) -> Result<Map<String, Value>> {
    let mut object = Map::new();
    for _ in 0..u.int_in_range(0..=8u8)? {
        let name = if u.ratio(3, 4)? {
            u.choose(&model().members)?.clone()
        } else if u.arbitrary()? {
            (*u.choose(ERROR_MEMBERS)?).to_owned()
        } else {
            u.arbitrary()?
        };
        object.insert(name, json(u, depth)?);
    }
    Ok(object)
}

/// A JSON value of any kind.
pub fn json(u: &mut Unstructured, depth: u32) -> Result<Value> {
    let kinds = if depth == 0 { 5 } else { 7 };
    Ok(match u.int_in_range(0..=kinds)? {
        0 => Value::Null,
        1 => Value::Bool(u.arbitrary()?),
        2 => Value::from(u.arbitrary::<i64>()?),
        3 => Value::from(u.arbitrary::<u64>()?),
        4 => Value::from(u.arbitrary::<f64>()?),
        5 => Value::String(text(u)?),
        6 => {
            let count = u.int_in_range(0..=6u8)?;
            Value::Array(
                (0..count)
                    .map(|_| json(u, depth - 1))
                    .collect::<Result<_>>()?,
            )
        }
        _ => Value::Object(object(u, depth - 1)?),
    })
}

/// JSON shaped as the model's shape `target` says, mostly with the right kinds.
pub fn shaped(u: &mut Unstructured, target: &str, depth: u32) -> Result<Value> {
    let shape = model().shapes.get(target);
    let kind = shape.and_then(|s| s["type"].as_str()).unwrap_or("document");
    if depth == 0 || u.ratio(1, 10)? {
        return json(u, depth.min(2));
    }

    let target_of = |member: &str| {
        shape
            .and_then(|s| s[member]["target"].as_str())
            .unwrap_or("")
    };
    Ok(match kind {
        "structure" | "union" => {
            let mut object = Map::new();
            let members = shape.and_then(|s| s["members"].as_object());
            for (name, member) in members.into_iter().flatten() {
                if u.arbitrary()? {
                    let json_name = member["traits"]["smithy.api#jsonName"].as_str();
                    let target = member["target"].as_str().unwrap_or("");
                    let value = shaped(u, target, depth - 1)?;
                    object.insert(json_name.unwrap_or(name).to_owned(), value);
                }
            }
            Value::Object(object)
        }
        "list" => {
            let count = u.int_in_range(0..=4u8)?;
            let item = target_of("member");
            let items = (0..count).map(|_| shaped(u, item, depth - 1));
            Value::Array(items.collect::<Result<_>>()?)
        }
        "map" => {
            let mut object = Map::new();
            for _ in 0..u.int_in_range(0..=4u8)? {
                let key = text(u)?;
                object.insert(key, shaped(u, target_of("value"), depth - 1)?);
            }
            Value::Object(object)
        }
        "string" | "enum" | "blob" => Value::String(text(u)?),
        "boolean" => Value::Bool(u.arbitrary()?),
        "integer" | "long" | "short" | "byte" | "double" | "float" | "timestamp" => {
            match u.int_in_range(0..=3u8)? {
                0 => Value::from(u.arbitrary::<i64>()?),
                1 => Value::from(u.arbitrary::<u64>()?),
                2 => Value::from(u.arbitrary::<f64>()?),
                _ => Value::String(text(u)?),
            }
        }
        _ => json(u, depth.min(3))?,
    })
}

/// The base64 text of `bytes`.
pub fn base64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}
