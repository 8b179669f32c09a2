//! SigV4's canonical request: the method, path, query, headers and payload hash of a request,
//! each written in the one form that the client and AWS both derive from it.

use std::borrow::Cow;
use std::ops::Range;

use crate::error::ConstructionFailure;
use crate::middleware::Request;

/// A request's canonical text, and where its `SignedHeaders` list sits inside it.
pub(super) struct Canonical {
    pub(super) text: String,
    signed_headers: Range<usize>,
}

impl Canonical {
    /// The names of the signed headers, sorted and joined with `;`.
    pub(super) fn signed_headers(&self) -> &str {
        &self.text[self.signed_headers.clone()]
    }
}

impl Canonical {
    /// The text's buffer, to be used again.
    pub(super) fn into_buffer(self) -> String {
        self.text
    }
}

/// The canonical request of `request` once `added` (name, value) headers are set on it,
/// leaving the names in `unsigned` out of the signature, written into `buffer` (cleared
/// first).
///
/// A header in `added` replaces the request's own headers of that name, as it will when it is
/// set. `payload_hash` is the hex SHA-256 of the body.
pub(super) fn canonical_request(
    request: &Request,
    added: &[(&str, &str)],
    unsigned: &[&str],
    payload_hash: &str,
    buffer: String,
) -> Result<Canonical, ConstructionFailure> {
    let headers = signed_headers(request, added, unsigned)?;
    let path = normalized_path(request.uri().path());
    let mut text = buffer;
    text.clear();
    text.reserve(256 + path.len() * 2 + headers.len() * 48);

    text.push_str(request.method().as_str());
    text.push('\n');
    encode_into(&mut text, &path, true);
    text.push('\n');
    write_query(&mut text, request.uri().query().unwrap_or_default());
    text.push('\n');

    for (i, header) in headers.iter().enumerate() {
        let (name, value) = (header.name, header.value);
        let continues = i > 0 && headers[i - 1].name == name;
        if continues {
            text.push(',');
        } else {
            if i > 0 {
                text.push('\n');
            }
            text.push_str(name);
            text.push(':');
        }
        if header.sent_as_is {
            text.push_str(value);
        } else {
            push_trimmed(&mut text, value);
        }
    }
    text.push_str("\n\n");

    let start = text.len();
    for (i, header) in headers.iter().enumerate() {
        let name = header.name;
        if i > 0 && headers[i - 1].name == name {
            continue;
        }
        if i > 0 {
            text.push(';');
        }
        text.push_str(name);
    }
    let signed_headers = start..text.len();
    text.push('\n');
    text.push_str(payload_hash);

    Ok(Canonical {
        text,
        signed_headers,
    })
}

/// A header as it is signed.
struct Signed<'a> {
    name: &'a str,
    value: &'a str,
    /// The signer's own values (date, hash, token) and the derived host are signed as they
    /// are; the request's headers have their spaces trimmed first.
    sent_as_is: bool,
}

/// The headers that are signed, sorted by name; the values of one name keep the order they
/// are sent in.
fn signed_headers<'a>(
    request: &'a Request,
    added: &[(&'a str, &'a str)],
    unsigned: &[&str],
) -> Result<Vec<Signed<'a>>, ConstructionFailure> {
    let mut headers = Vec::with_capacity(request.headers().len() + added.len() + 1);
    for (name, value) in request.headers() {
        let name = name.as_str();
        if unsigned.contains(&name) || added.iter().any(|(a, _)| *a == name) {
            continue;
        }
        let value = value.to_str().map_err(|_| {
            ConstructionFailure::invalid_field(
                format!("header {name}"),
                "holds bytes that are not visible ASCII, so it cannot be signed",
            )
        })?;
        headers.push(Signed {
            name,
            value,
            sent_as_is: false,
        });
    }

    if !request.headers().contains_key(http::header::HOST) {
        headers.push(Signed {
            name: "host",
            value: host_of(request.uri())?,
            sent_as_is: true,
        });
    }
    for &(name, value) in added {
        if !unsigned.contains(&name) {
            headers.push(Signed {
                name,
                value,
                sent_as_is: true,
            });
        }
    }
    headers.sort_by(|a, b| a.name.cmp(b.name));
    Ok(headers)
}

/// The `Host` a request to `uri` carries: its authority, without the port when that is the
/// scheme's default.
fn host_of(uri: &http::Uri) -> Result<&str, ConstructionFailure> {
    let authority = uri.authority().ok_or_else(|| {
        ConstructionFailure::other(
            format!("the request to `{uri}` has no host, so it cannot be signed"),
            None,
        )
    })?;
    let default_port = matches!(
        (
            uri.scheme_str(),
            authority.port().as_ref().map(|p| p.as_str())
        ),
        (Some("http"), Some("80")) | (Some("https"), Some("443"))
    );
    Ok(if default_port {
        authority.host()
    } else {
        authority.as_str()
    })
}

/// The path with `.` and `..` segments resolved and empty segments dropped, as SigV4
/// normalizes paths for every service but S3.
fn normalized_path(path: &str) -> Cow<'_, str> {
    if path.is_empty() {
        return Cow::Borrowed("/");
    }
    let rooted = if path.starts_with('/') {
        Cow::Borrowed(path)
    } else {
        Cow::Owned(format!("/{path}"))
    };
    if !rooted.contains('.') && !rooted.contains("//") {
        return rooted;
    }

    let mut kept: Vec<&str> = Vec::new();
    for segment in rooted.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                kept.pop();
            }
            segment => kept.push(segment),
        }
    }

    let mut out = String::with_capacity(rooted.len());
    for segment in &kept {
        out.push('/');
        out.push_str(segment);
    }
    let names_a_directory = ["/", "/.", "/./", "/..", "/../"]
        .iter()
        .any(|end| rooted.ends_with(end));
    if out.is_empty() || (names_a_directory && !out.ends_with('/')) {
        out.push('/');
    }
    Cow::Owned(out)
}

/// Writes the query's parameters decoded, re-encoded the one SigV4 way, and sorted.
fn write_query(out: &mut String, query: &str) {
    if query.is_empty() {
        return;
    }
    let mut pairs: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes())
        .map(|(name, value)| (encoded(&name), encoded(&value)))
        .collect();
    pairs.sort();

    for (i, (name, value)) in pairs.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        out.push_str(name);
        out.push('=');
        out.push_str(value);
    }
}

fn encoded(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    encode_into(&mut out, text, false);
    out
}

/// Writes `text` with every byte but SigV4's unreserved characters (and `/` when
/// `keep_slash`) percent-encoded in upper-case hex.
fn encode_into(out: &mut String, text: &str, keep_slash: bool) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let kept = |byte: u8| {
        byte.is_ascii_alphanumeric()
            || matches!(byte, b'-' | b'.' | b'_' | b'~')
            || (keep_slash && byte == b'/')
    };

    let mut rest = text.as_bytes();
    while !rest.is_empty() {
        let run = rest.iter().position(|&b| !kept(b)).unwrap_or(rest.len());
        let (ascii, after) = rest.split_at(run);
        out.push_str(std::str::from_utf8(ascii).unwrap_or_default());
        let Some((&byte, after)) = after.split_first() else {
            break;
        };
        out.push('%');
        out.push(char::from(HEX[usize::from(byte >> 4)]));
        out.push(char::from(HEX[usize::from(byte & 0xf)]));
        rest = after;
    }
}

/// Writes a header value without its leading and trailing spaces, and with each run of
/// spaces inside it as one.
fn push_trimmed(out: &mut String, value: &str) {
    let value = value.trim_matches(' ');
    if !value.contains("  ") {
        out.push_str(value);
        return;
    }
    let mut after_space = false;
    for c in value.chars() {
        if c == ' ' && after_space {
            continue;
        }
        after_space = c == ' ';
        out.push(c);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_normalized_as_sigv4_says() {
        let cases = [
            ("", "/"),
            ("/", "/"),
            ("a", "/a"),
            ("/a/./b/../c", "/a/c"),
            ("/a//b/", "/a/b/"),
            ("/a/b/..", "/a/"),
            ("/..", "/"),
            ("/fn.name/x", "/fn.name/x"),
        ];
        for (path, normalized) in cases {
            assert_eq!(normalized_path(path), normalized, "{path}");
        }
    }

    #[test]
    fn values_are_trimmed_and_their_space_runs_collapsed() {
        let mut out = String::new();
        push_trimmed(&mut out, "  a   b c  ");
        assert_eq!(out, "a b c");
    }

    #[test]
    fn the_query_is_decoded_reencoded_and_sorted() {
        let mut out = String::new();
        write_query(&mut out, "b=2&a=x%3Ay&a=%20+&c");
        assert_eq!(out, "a=%20%20&a=x%3Ay&b=2&c=");
    }
}
