//! AWS Signature Version 4: each request's canonical form is written here, then hashed and
//! signed with the key `aws-sigv4` derives, which is kept for the day it is valid.
//!
//! A property test holds this signer to `aws-sigv4`'s own request signer, header for header.

mod canonical;
mod key;

use std::cell::Cell;
use std::time::SystemTime;

use aws_credential_types::provider::error::CredentialsError;
use aws_credential_types::provider::{ProvideCredentials, SharedCredentialsProvider};
use aws_credential_types::Credentials;
use bytes::{Bytes, BytesMut};
use hmac::{Hmac, Mac};
use http::header::{HeaderName, HeaderValue};
use sha2::{Digest, Sha256};

use crate::datetime::DateTime;
use crate::endpoint::check_region;
use crate::error::{ConstructionFailure, DispatchFailure, DispatchKind, Failure, SdkError};
use crate::middleware::{BoxFuture, Context, Middleware, Next, Request};

/// Headers left out of the signature: those proxies may change (as aws-sigv4 leaves out),
/// and the SDK's own bookkeeping, which differs per attempt and which aws-sdk-lambda does not
/// sign either.
///
/// # Example
/// ```
/// use lamina_runtime::signing::UNSIGNED_HEADERS;
/// assert!(UNSIGNED_HEADERS.contains(&"user-agent"));
/// ```
pub const UNSIGNED_HEADERS: &[&str] = &[
    "authorization",
    "user-agent",
    "x-amzn-trace-id",
    "transfer-encoding",
    "amz-sdk-invocation-id",
    "amz-sdk-request",
];

const ALGORITHM: &str = "AWS4-HMAC-SHA256";

/// The largest canonical-request buffer a thread keeps for its next signature.
const KEPT_BUFFER: usize = 16 * 1024;

thread_local! {
    /// The buffer each thread writes canonical requests into, kept between signatures.
    static CANONICAL_BUFFER: Cell<String> = const { Cell::new(String::new()) };
}

const X_AMZ_DATE: &str = "x-amz-date";
const X_AMZ_CONTENT_SHA256: &str = "x-amz-content-sha256";
const X_AMZ_SECURITY_TOKEN: &str = "x-amz-security-token";

/// Signs `request` in place for `service` in `region` at `time`.
///
/// The body is hashed and the hash is sent as `x-amz-content-sha256` too, and a session token
/// is signed when the credentials carry one. This derives the signing key afresh; a
/// [`Signer`] keeps it between requests.
///
/// # Example
/// ```
/// use std::time::{Duration, UNIX_EPOCH};
/// use lamina_runtime::config::Credentials;
/// use lamina_runtime::signing::sign_request;
///
/// let creds = Credentials::new("AKIDEXAMPLE", "secret", None, None, "example");
/// let mut request = http::Request::post("https://lambda.us-east-1.amazonaws.com/")
///     .body(bytes::Bytes::from_static(b"{}"))
///     .unwrap();
/// let time = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
/// sign_request(&mut request, &creds, "us-east-1", "lambda", time).unwrap();
/// let auth = request.headers()["authorization"].to_str().unwrap();
/// assert!(auth.starts_with("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20231114/us-east-1/lambda/"));
/// ```
pub fn sign_request(
    request: &mut Request,
    credentials: &Credentials,
    region: &str,
    service: &str,
    time: SystemTime,
) -> Result<(), ConstructionFailure> {
    Signer::default().sign(request, credentials, region, service, time)
}

/// Signs requests with SigV4, keeping the derived signing key while the day, region, service
/// and secret stay the same.
///
/// # Example
/// ```
/// use std::time::SystemTime;
/// use lamina_runtime::config::Credentials;
/// use lamina_runtime::signing::Signer;
///
/// let signer = Signer::default();
/// let creds = Credentials::new("AKIDEXAMPLE", "secret", None, None, "example");
/// for _ in 0..2 {
///     let mut request = http::Request::post("https://lambda.eu-west-1.amazonaws.com/")
///         .body(bytes::Bytes::new())
///         .unwrap();
///     signer.sign(&mut request, &creds, "eu-west-1", "lambda", SystemTime::now()).unwrap();
///     assert!(request.headers().contains_key("authorization"));
/// }
/// ```
#[derive(Debug, Default)]
pub struct Signer {
    key: key::KeyCache,
}

impl Signer {
    /// Signs `request` in place, as [`sign_request`] does.
    pub fn sign(
        &self,
        request: &mut Request,
        credentials: &Credentials,
        region: &str,
        service: &str,
        time: SystemTime,
    ) -> Result<(), ConstructionFailure> {
        let stamp = DateTime::from(time).basic_date_time();
        let stamp = std::str::from_utf8(&stamp).unwrap_or_default();
        let date = &stamp[..8];
        let mut payload_hash = [0; 64];
        let payload_hash = hex(&Sha256::digest(request.body()), &mut payload_hash);
        let token = credentials.session_token();

        let added = [
            (X_AMZ_CONTENT_SHA256, payload_hash),
            (X_AMZ_DATE, stamp),
            (X_AMZ_SECURITY_TOKEN, token.unwrap_or_default()),
        ];
        let added = &added[..if token.is_some() { 3 } else { 2 }];
        let buffer = CANONICAL_BUFFER.take();
        let canonical =
            canonical::canonical_request(request, added, UNSIGNED_HEADERS, payload_hash, buffer)?;
        let signed_headers = canonical.signed_headers();

        let scope = [date, "/", region, "/", service, "/aws4_request"];
        let mut canonical_hash = [0; 64];
        let canonical_hash = hex(&Sha256::digest(&canonical.text), &mut canonical_hash);
        let string_to_sign = [ALGORITHM, "\n", stamp, "\n"]
            .into_iter()
            .chain(scope)
            .chain(["\n", canonical_hash]);
        let mac = self.key.mac(credentials, time, date, region, service);
        let mut signature = [0; 64];
        let signature = hmac_hex(mac, string_to_sign, &mut signature);

        let authorization = [ALGORITHM, " Credential=", credentials.access_key_id(), "/"]
            .into_iter()
            .chain(scope)
            .chain([
                ", SignedHeaders=",
                signed_headers,
                ", Signature=",
                signature,
            ]);
        let signed = SignedValues::new(stamp, payload_hash, authorization).set_on(request, token);
        if signed.is_ok() {
            tracing::trace!(region, service, signed_headers, "signed the request");
        }

        let mut buffer = canonical.into_buffer().into_bytes();
        if buffer.capacity() <= KEPT_BUFFER {
            // Zeroed, so that a thread does not keep a session token between signatures.
            buffer.fill(0);
            buffer.clear();
            CANONICAL_BUFFER.set(String::from_utf8(buffer).unwrap_or_default());
        }
        signed
    }
}

/// The hex HMAC-SHA256 of `parts` under the key `mac` was made with, written into `out`.
fn hmac_hex<'a, 'p>(
    mut mac: Hmac<Sha256>,
    parts: impl Iterator<Item = &'p str>,
    out: &'a mut [u8; 64],
) -> &'a str {
    for part in parts {
        mac.update(part.as_bytes());
    }
    hex(&mac.finalize().into_bytes(), out)
}

/// The date, payload hash and authorization headers of a signature, in one shared buffer so
/// that the three values take one allocation.
struct SignedValues {
    buffer: Bytes,
    stamp_len: usize,
    hash_len: usize,
}

impl SignedValues {
    fn new<'p>(
        stamp: &str,
        payload_hash: &str,
        authorization: impl Iterator<Item = &'p str>,
    ) -> Self {
        let mut buffer = BytesMut::with_capacity(stamp.len() + payload_hash.len() + 320);
        buffer.extend_from_slice(stamp.as_bytes());
        buffer.extend_from_slice(payload_hash.as_bytes());
        for part in authorization {
            buffer.extend_from_slice(part.as_bytes());
        }
        Self {
            buffer: buffer.freeze(),
            stamp_len: stamp.len(),
            hash_len: payload_hash.len(),
        }
    }

    /// Sets the three headers, and the session token's when there is one, on `request`.
    fn set_on(self, request: &mut Request, token: Option<&str>) -> Result<(), ConstructionFailure> {
        let unsendable = |what: &str| {
            ConstructionFailure::invalid_field(
                "credentials",
                format!("hold {what} with characters that cannot be sent in a header"),
            )
        };
        let mut stamp = self.buffer;
        let authorization = stamp.split_off(self.stamp_len + self.hash_len);
        let payload_hash = stamp.split_off(self.stamp_len);

        let mut authorization = HeaderValue::from_maybe_shared(authorization)
            .map_err(|_| unsendable("an access key id or region"))?;
        authorization.set_sensitive(true);
        let token = match token {
            None => None,
            Some(token) => {
                let mut value =
                    HeaderValue::from_str(token).map_err(|_| unsendable("a session token"))?;
                value.set_sensitive(true);
                Some(value)
            }
        };

        let headers = request.headers_mut();
        headers.insert(
            const { HeaderName::from_static(X_AMZ_DATE) },
            header_value(stamp),
        );
        let payload_hash = header_value(payload_hash);
        headers.insert(
            const { HeaderName::from_static(X_AMZ_CONTENT_SHA256) },
            payload_hash,
        );
        if let Some(token) = token {
            headers.insert(
                const { HeaderName::from_static(X_AMZ_SECURITY_TOKEN) },
                token,
            );
        }
        headers.insert(http::header::AUTHORIZATION, authorization);
        Ok(())
    }
}

/// A header value of text this module wrote, which is visible ASCII.
fn header_value(text: Bytes) -> HeaderValue {
    HeaderValue::from_maybe_shared(text).unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// `bytes` in lower-case hex, written into `out`, which is twice as long.
fn hex<'a>(bytes: &[u8], out: &'a mut [u8]) -> &'a str {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    for (byte, pair) in bytes.iter().zip(out.chunks_exact_mut(2)) {
        pair[0] = DIGITS[usize::from(byte >> 4)];
        pair[1] = DIGITS[usize::from(byte & 0xf)];
    }
    std::str::from_utf8(out).unwrap_or_default()
}

/// Finalize-step middleware that signs each attempt with the client's credentials.
///
/// # Example
/// ```
/// use lamina_runtime::middleware::{Stack, Step};
/// use lamina_runtime::signing::Sign;
///
/// let mut stack = Stack::new();
/// stack.add(Step::Finalize, "sign", Sign::default()).unwrap();
/// ```
#[derive(Debug, Default)]
pub struct Sign {
    signer: Signer,
}

impl Middleware for Sign {
    fn handle<'a>(
        &'a self,
        ctx: &'a mut Context,
        next: Next<'a>,
    ) -> BoxFuture<'a, Result<(), Failure>> {
        Box::pin(async move {
            let credentials = provider(ctx)?.provide_credentials().await;
            self.sign_with(ctx, credentials)?;

            next.run(ctx).await
        })
    }
}

impl Sign {
    fn sign_with(
        &self,
        ctx: &mut Context,
        credentials: Result<Credentials, CredentialsError>,
    ) -> Result<(), Failure> {
        let credentials = credentials.map_err(|e| {
            SdkError::Dispatch(DispatchFailure::new(
                DispatchKind::Credentials,
                "the configured credentials provider",
                Some(e.into()),
            ))
        })?;
        let region = check_region(ctx.config().region())
            .map_err(SdkError::Construction)?
            .to_owned();
        let service = ctx.service().signing_name;
        let time = ctx.config().time_source().now();

        let request = crate::middleware::request_of(ctx)?;
        self.signer
            .sign(request, &credentials, &region, service, time)
            .map_err(SdkError::Construction)
    }
}

/// The configuration's credentials provider.
fn provider(ctx: &Context) -> Result<SharedCredentialsProvider, Failure> {
    ctx.config().credentials_provider().cloned().ok_or_else(|| {
        SdkError::Construction(ConstructionFailure::invalid_field(
            "credentials",
            "are not set: pass them in the configuration or set AWS_ACCESS_KEY_ID and \
             AWS_SECRET_ACCESS_KEY",
        ))
    })
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, UNIX_EPOCH};

    use super::*;

    #[test]
    fn the_signed_headers_print_no_signature_or_token() {
        let creds = Credentials::new("AKID", "secret", Some("the-token".into()), None, "test");
        let mut request = http::Request::post("https://lambda.us-east-1.amazonaws.com/")
            .header("x-amz-client-context", "e30=")
            .body(bytes::Bytes::from_static(b"{}"))
            .unwrap();
        let time = UNIX_EPOCH + Duration::from_secs(1_700_000_000);

        sign_request(&mut request, &creds, "us-east-1", "lambda", time).unwrap();

        let authorization = request.headers()["authorization"].to_str().unwrap();
        let signature = authorization.split("Signature=").nth(1).unwrap();
        assert_eq!(signature.len(), 64, "{authorization}");
        let shown = format!("{:?}", request.headers());
        assert!(!shown.contains(signature), "{shown}");
        assert!(!shown.contains("the-token"), "{shown}");
        let signed = authorization.split("SignedHeaders=").nth(1).unwrap();
        assert_eq!(
            signed.split(',').next().unwrap(),
            "host;x-amz-client-context;x-amz-content-sha256;x-amz-date;x-amz-security-token"
        );
    }
}
