//! Comparing a sent request with a recorded one, part by part, in words a test failure can
//! show: method, path, query, body (as JSON when both sides are JSON) and headers.

use std::borrow::Cow;

use http::HeaderName;
use percent_encoding::percent_decode_str;
use serde_json::Value;

use crate::middleware::Request;

/// How many differences inside one JSON body are listed before the rest are counted.
const MAX_JSON_DIFFERENCES: usize = 8;

/// How many bytes around the first difference of two non-JSON bodies are shown.
const BYTES_SHOWN: usize = 32;

/// Which headers of a request are compared.
#[derive(Debug, Clone)]
pub(super) enum HeaderSelection {
    /// Every header the recorded request has, except the ignored ones.
    Recorded,
    /// Only these, which must be present on both sides or absent on both.
    Only(Vec<HeaderName>),
}

/// The differences between `expected` (recorded) and `actual` (sent), one sentence each;
/// empty when they match.
pub(super) fn differences(
    expected: &Request,
    actual: &Request,
    headers: &HeaderSelection,
    ignored: &[HeaderName],
) -> Vec<String> {
    let mut found = Vec::new();

    if expected.method() != actual.method() {
        found.push(format!(
            "method: expected {}, sent {}",
            expected.method(),
            actual.method()
        ));
    }

    let (want, got) = (expected.uri().path(), actual.uri().path());
    if decode(want) != decode(got) {
        found.push(format!("path: expected `{want}`, sent `{got}`"));
    }

    let (want, got) = (query(expected), query(actual));
    if want != got {
        found.push(format!(
            "query: expected {}, sent {}",
            show_query(&want),
            show_query(&got)
        ));
    }

    found.extend(body_difference(expected.body(), actual.body()));

    let names: Vec<HeaderName> = match headers {
        HeaderSelection::Recorded => expected.headers().keys().cloned().collect(),
        HeaderSelection::Only(names) => names.clone(),
    };
    for name in names.iter().filter(|n| !ignored.contains(n)) {
        let want = header_values(expected, name);
        let got = header_values(actual, name);
        if want != got {
            found.push(format!(
                "header `{name}`: expected {}, sent {}",
                show_values(&want),
                show_values(&got)
            ));
        }
    }
    found
}

/// The path with its percent-escapes decoded, so that `arn%3Aaws` and `arn:aws` agree.
fn decode(path: &str) -> Cow<'_, str> {
    percent_decode_str(path).decode_utf8_lossy()
}

/// The query's parameters, decoded and sorted, so that their order does not matter.
fn query(request: &Request) -> Vec<(String, String)> {
    let mut pairs: Vec<(String, String)> = request
        .uri()
        .query()
        .unwrap_or("")
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            (decode(key).into_owned(), decode(value).into_owned())
        })
        .collect();
    pairs.sort();
    pairs
}

fn show_query(pairs: &[(String, String)]) -> String {
    if pairs.is_empty() {
        return "no query".to_owned();
    }
    let joined: Vec<String> = pairs.iter().map(|(k, v)| format!("{k}={v}")).collect();
    format!("`{}`", joined.join("&"))
}

fn header_values(request: &Request, name: &HeaderName) -> Vec<String> {
    request
        .headers()
        .get_all(name)
        .iter()
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
        .collect()
}

fn show_values(values: &[String]) -> String {
    match values {
        [] => "no such header".to_owned(),
        [one] => format!("`{one}`"),
        many => format!("`{}`", many.join("`, `")),
    }
}

/// How the bodies differ: as JSON values when both parse as JSON, else byte for byte.
fn body_difference(expected: &[u8], actual: &[u8]) -> Option<String> {
    if expected == actual {
        return None;
    }

    let as_json = |bytes: &[u8]| {
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return None;
        }
        serde_json::from_slice::<Value>(bytes).ok()
    };
    if let (Some(want), Some(got)) = (as_json(expected), as_json(actual)) {
        let mut found = Vec::new();
        json_differences("", &want, &got, &mut found);
        if found.is_empty() {
            return None;
        }
        let more = found.len().saturating_sub(MAX_JSON_DIFFERENCES);
        found.truncate(MAX_JSON_DIFFERENCES);
        let mut text = format!("body (compared as JSON): {}", found.join("; "));
        if more > 0 {
            text.push_str(&format!("; and {more} more"));
        }
        return Some(text);
    }

    Some(bytes_difference(expected, actual))
}

/// Collects the differences between two JSON values, each at its JSON pointer.
fn json_differences(at: &str, want: &Value, got: &Value, found: &mut Vec<String>) {
    let place = if at.is_empty() { "the top" } else { at };
    match (want, got) {
        (Value::Object(w), Value::Object(g)) => {
            for (key, value) in w {
                let here = format!("{at}/{}", pointer_token(key));
                match g.get(key) {
                    Some(other) => json_differences(&here, value, other, found),
                    None => found.push(format!("`{here}` is missing (expected {value})")),
                }
            }
            for (key, value) in g.iter().filter(|(k, _)| !w.contains_key(*k)) {
                let here = format!("{at}/{}", pointer_token(key));
                found.push(format!("`{here}` was not expected (sent {value})"));
            }
        }
        (Value::Array(w), Value::Array(g)) if w.len() == g.len() => {
            for (i, (value, other)) in w.iter().zip(g).enumerate() {
                json_differences(&format!("{at}/{i}"), value, other, found);
            }
        }
        (Value::Array(w), Value::Array(g)) => found.push(format!(
            "at `{place}`: expected an array of {} items, sent {} items",
            w.len(),
            g.len()
        )),
        _ if want == got => {}
        _ => found.push(format!("at `{place}`: expected {want}, sent {got}")),
    }
}

/// A key escaped as a JSON pointer token (RFC 6901).
fn pointer_token(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

/// Where two byte strings first differ, with a little of each side from there.
fn bytes_difference(expected: &[u8], actual: &[u8]) -> String {
    let at = expected
        .iter()
        .zip(actual)
        .position(|(a, b)| a != b)
        .unwrap_or_else(|| expected.len().min(actual.len()));
    let snippet = |bytes: &[u8]| {
        let end = bytes.len().min(at + BYTES_SHOWN);
        let shown = bytes[at..end].escape_ascii().to_string();
        if end < bytes.len() {
            format!("`{shown}`...")
        } else {
            format!("`{shown}`")
        }
    };

    format!(
        "body: expected {} bytes, sent {}; they first differ at byte {at} (expected {}, \
         sent {})",
        expected.len(),
        actual.len(),
        snippet(expected),
        snippet(actual)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(method: &str, uri: &str, body: &str) -> Request {
        let mut request = http::Request::new(bytes::Bytes::copy_from_slice(body.as_bytes()));
        *request.method_mut() = method.parse().unwrap();
        *request.uri_mut() = uri.parse().unwrap();
        request
    }

    fn diff(expected: &Request, actual: &Request) -> Vec<String> {
        differences(expected, actual, &HeaderSelection::Recorded, &[])
    }

    #[test]
    fn json_bodies_compare_as_values_and_name_the_differing_member() {
        let recorded = request("POST", "/f", r#"{"a": 1, "b": [1, 2], "c": "x"}"#);
        let reordered = request("POST", "/f", r#"{"c":"x","b":[1,2],"a":1}"#);
        assert!(diff(&recorded, &reordered).is_empty());

        let changed = request("POST", "/f", r#"{"a": 2, "b": [1], "d": null}"#);
        let found = diff(&recorded, &changed);

        assert_eq!(found.len(), 1, "{found:?}");
        let text = &found[0];
        assert!(text.contains("at `/a`: expected 1, sent 2"), "{text}");
        assert!(
            text.contains("`/b`: expected an array of 2 items"),
            "{text}"
        );
        assert!(text.contains("`/c` is missing"), "{text}");
        assert!(text.contains("`/d` was not expected"), "{text}");
    }

    #[test]
    fn other_bodies_compare_byte_for_byte() {
        let found = diff(
            &request("POST", "/f", "hello world"),
            &request("POST", "/f", "hello there"),
        );

        assert_eq!(
            found,
            [
                "body: expected 11 bytes, sent 11; they first differ at byte 6 (expected \
              `world`, sent `there`)"
            ]
        );
    }

    #[test]
    fn paths_compare_decoded_and_queries_in_any_order() {
        let recorded = request("POST", "/functions/arn%3Aaws%3Af?b=2&a=1", "");
        let same = request("POST", "/functions/arn:aws:f?a=1&b=2", "");
        assert!(diff(&recorded, &same).is_empty());

        let other = request("GET", "/functions/g?a=1", "");
        let found = diff(&recorded, &other);

        assert_eq!(
            found,
            [
                "method: expected POST, sent GET",
                "path: expected `/functions/arn%3Aaws%3Af`, sent `/functions/g`",
                "query: expected `a=1&b=2`, sent `a=1`",
            ]
        );
    }

    #[test]
    fn chosen_headers_must_agree_and_ignored_ones_never_count() {
        let mut recorded = request("POST", "/f", "");
        recorded
            .headers_mut()
            .insert("x-amz-invocation-type", "Event".parse().unwrap());
        recorded
            .headers_mut()
            .insert("x-amz-date", "20240101T000000Z".parse().unwrap());
        let mut sent = request("POST", "/f", "");
        sent.headers_mut()
            .insert("x-amz-date", "20250101T000000Z".parse().unwrap());
        let ignored = [HeaderName::from_static("x-amz-date")];

        let found = differences(&recorded, &sent, &HeaderSelection::Recorded, &ignored);
        assert_eq!(
            found,
            ["header `x-amz-invocation-type`: expected `Event`, sent no such header"]
        );

        let only = HeaderSelection::Only(vec![HeaderName::from_static("x-amz-log-type")]);
        assert!(differences(&recorded, &sent, &only, &ignored).is_empty());
    }
}
