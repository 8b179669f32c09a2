//! AWS Signature Version 4, through the `aws-sigv4` crate.

use std::borrow::Cow;
use std::time::SystemTime;

use aws_credential_types::provider::ProvideCredentials;
use aws_credential_types::Credentials;
use aws_sigv4::http_request::{
    sign, PayloadChecksumKind, SignableBody, SignableRequest, SigningSettings,
};
use aws_sigv4::sign::v4;
use aws_smithy_runtime_api::client::identity::Identity;

use crate::endpoint::check_region;
use crate::error::{ConstructionFailure, DispatchFailure, DispatchKind, Failure, SdkError};
use crate::middleware::{BoxFuture, Context, Middleware, Next, Request};

/// Headers left out of the signature: those proxies may change (as aws-sigv4 leaves out),
/// and the SDK's own bookkeeping, which differs per attempt and which aws-sdk-lambda does not
/// sign either.
const UNSIGNED_HEADERS: &[&str] = &[
    "authorization",
    "user-agent",
    "x-amzn-trace-id",
    "transfer-encoding",
    "amz-sdk-invocation-id",
    "amz-sdk-request",
];

/// Signs `request` in place for `service` in `region` at `time`.
///
/// The body is hashed and the hash is sent as `x-amz-content-sha256` too, and a session token
/// is signed when the credentials carry one.
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
    let failed = |e: Box<dyn std::error::Error + Send + Sync>| {
        ConstructionFailure::other("the request could not be signed", Some(e))
    };

    let identity: Identity = credentials.clone().into();
    let mut settings = SigningSettings::default();
    settings.payload_checksum_kind = PayloadChecksumKind::XAmzSha256;
    settings.excluded_headers = Some(UNSIGNED_HEADERS.iter().map(|h| Cow::Borrowed(*h)).collect());
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(region)
        .name(service)
        .time(time)
        .settings(settings)
        .build()
        .map_err(|e| failed(e.into()))?
        .into();

    let mut headers = Vec::with_capacity(request.headers().len());
    for (name, value) in request.headers() {
        let value = value.to_str().map_err(|_| {
            ConstructionFailure::invalid_field(
                format!("header {name}"),
                "holds bytes that are not visible ASCII, so it cannot be signed",
            )
        })?;
        headers.push((name.as_str(), value));
    }
    let uri = request.uri().to_string();
    let signable = SignableRequest::new(
        request.method().as_str(),
        &uri,
        headers.into_iter(),
        SignableBody::Bytes(request.body()),
    )
    .map_err(|e| failed(e.into()))?;

    let signed = quietly(|| sign(signable, &params)).map_err(|e| failed(e.into()))?;
    let (instructions, _signature) = signed.into_parts();
    instructions.apply_to_request_http1x(request);

    if let Some(value) = request.headers_mut().get_mut(http::header::AUTHORIZATION) {
        value.set_sensitive(true);
        tracing::trace!(
            region,
            service,
            signed_headers = signed_header_names(value.to_str().unwrap_or_default()),
            "signed the request"
        );
    }
    Ok(())
}

/// Runs `f` with tracing turned off on this thread.
///
/// The signer's own trace events print every header value it signs, and the body too when
/// `LOG_SIGNABLE_BODY` is set: a header bound to a sensitive member would reach a user's
/// subscriber. [`sign_request`] logs what it signed itself instead, without values.
fn quietly<T>(f: impl FnOnce() -> T) -> T {
    tracing::dispatcher::with_default(&tracing::Dispatch::none(), f)
}

/// The `SignedHeaders=` list of an `Authorization` header: names only, no values.
fn signed_header_names(authorization: &str) -> &str {
    authorization
        .split_once("SignedHeaders=")
        .and_then(|(_, rest)| rest.split(',').next())
        .unwrap_or_default()
}

/// Finalize-step middleware that signs each attempt with the client's credentials.
#[derive(Debug, Default, Clone, Copy)]
pub struct Sign;

impl Middleware for Sign {
    fn handle<'a>(
        &'a self,
        ctx: &'a mut Context,
        next: Next<'a>,
    ) -> BoxFuture<'a, Result<(), Failure>> {
        Box::pin(async move {
            let provider = ctx
                .config()
                .credentials_provider()
                .cloned()
                .ok_or_else(|| {
                    SdkError::Construction(ConstructionFailure::invalid_field(
                        "credentials",
                        "are not set: pass them in the configuration or set AWS_ACCESS_KEY_ID \
                     and AWS_SECRET_ACCESS_KEY",
                    ))
                })?;
            let credentials = provider.provide_credentials().await.map_err(|e| {
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
            sign_request(request, &credentials, &region, service, time)
                .map_err(SdkError::Construction)?;

            next.run(ctx).await
        })
    }
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
        assert_eq!(
            signed_header_names(authorization),
            "host;x-amz-client-context;x-amz-content-sha256;x-amz-date;x-amz-security-token"
        );
    }
}
