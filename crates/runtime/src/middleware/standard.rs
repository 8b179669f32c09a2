//! Middleware every AWS call runs, whatever the operation: endpoint, headers.

use http::header::{HeaderName, HeaderValue, CONTENT_LENGTH, USER_AGENT};

use super::{handle_before, BoxFuture, Context, Middleware, Next};
use crate::endpoint;
use crate::error::{ConstructionFailure, Failure, SdkError};

/// Serialize-step middleware that points the request at the configured or default endpoint.
#[derive(Debug, Default, Clone, Copy)]
pub struct ResolveEndpoint;

impl Middleware for ResolveEndpoint {
    fn handle<'a>(
        &'a self,
        ctx: &'a mut Context,
        next: Next<'a>,
    ) -> BoxFuture<'a, Result<(), Failure>> {
        handle_before(self, ctx, next)
    }

    fn before(&self, ctx: &mut Context) -> Option<Result<(), Failure>> {
        Some(point_at_endpoint(ctx))
    }
}

fn point_at_endpoint(ctx: &mut Context) -> Result<(), Failure> {
    let base = ctx.handle().endpoint().map_err(SdkError::Construction)?;
    let request = request_of(ctx)?;
    let path = std::mem::take(request.uri_mut());
    let uri = endpoint::join(&base, path).map_err(SdkError::Construction)?;
    *request.uri_mut() = uri;
    Ok(())
}

/// Build-step middleware that names the client in `User-Agent` and `X-Amz-User-Agent`.
#[derive(Debug, Default, Clone, Copy)]
pub struct UserAgent;

impl Middleware for UserAgent {
    fn handle<'a>(
        &'a self,
        ctx: &'a mut Context,
        next: Next<'a>,
    ) -> BoxFuture<'a, Result<(), Failure>> {
        handle_before(self, ctx, next)
    }

    fn before(&self, ctx: &mut Context) -> Option<Result<(), Failure>> {
        Some(name_the_client(ctx))
    }
}

fn name_the_client(ctx: &mut Context) -> Result<(), Failure> {
    let (short, long) = ctx.handle().user_agent().ok_or_else(|| {
        SdkError::Construction(ConstructionFailure::other(
            "the service's name cannot be sent in the User-Agent header",
            None,
        ))
    })?;
    let headers = request_of(ctx)?.headers_mut();
    headers.insert(USER_AGENT, short);
    headers.insert(const { HeaderName::from_static("x-amz-user-agent") }, long);
    Ok(())
}

/// Build-step middleware that tags every attempt of a call with one `amz-sdk-invocation-id`.
#[derive(Debug, Default, Clone, Copy)]
pub struct InvocationId;

impl Middleware for InvocationId {
    fn handle<'a>(
        &'a self,
        ctx: &'a mut Context,
        next: Next<'a>,
    ) -> BoxFuture<'a, Result<(), Failure>> {
        handle_before(self, ctx, next)
    }

    fn before(&self, ctx: &mut Context) -> Option<Result<(), Failure>> {
        Some(add_invocation_id(ctx))
    }
}

fn add_invocation_id(ctx: &mut Context) -> Result<(), Failure> {
    let id = uuid::Builder::from_random_bytes(fastrand::u128(..).to_le_bytes()).into_uuid();
    let mut text = [0; uuid::fmt::Hyphenated::LENGTH];
    let id = header_value(id.hyphenated().encode_lower(&mut text))?;
    request_of(ctx)?.headers_mut().insert(
        const { HeaderName::from_static("amz-sdk-invocation-id") },
        id,
    );
    Ok(())
}

/// Build-step middleware that states the body's length, so that it is signed.
#[derive(Debug, Default, Clone, Copy)]
pub struct ContentLength;

impl Middleware for ContentLength {
    fn handle<'a>(
        &'a self,
        ctx: &'a mut Context,
        next: Next<'a>,
    ) -> BoxFuture<'a, Result<(), Failure>> {
        handle_before(self, ctx, next)
    }

    fn before(&self, ctx: &mut Context) -> Option<Result<(), Failure>> {
        Some(request_of(ctx).and_then(|request| {
            let length = decimal(request.body().len())?;
            request.headers_mut().insert(CONTENT_LENGTH, length);
            Ok(())
        }))
    }
}

pub(crate) fn request_of(ctx: &mut Context) -> Result<&mut super::Request, Failure> {
    let operation = ctx.operation();
    ctx.request_mut().ok_or_else(|| {
        SdkError::Construction(ConstructionFailure::other(
            format!(
                "no {operation} request to work on: middleware that changes the request must \
                 run after `serializeInput`, in the build step or later"
            ),
            None,
        ))
    })
}

/// `n` in decimal, as a header value made with one allocation.
fn decimal(n: usize) -> Result<HeaderValue, Failure> {
    let mut digits = [0; 20];
    let mut start = digits.len();
    let mut rest = n;
    loop {
        start -= 1;
        digits[start] = b'0' + (rest % 10) as u8;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    header_value(std::str::from_utf8(&digits[start..]).unwrap_or("0"))
}

fn header_value(value: &str) -> Result<HeaderValue, Failure> {
    HeaderValue::from_str(value).map_err(|e| {
        SdkError::Construction(ConstructionFailure::other(
            "a standard header is not a valid header value",
            Some(e.into()),
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_are_written_in_decimal() {
        for n in [0, 7, 10, 1024, 6_291_456, usize::MAX] {
            assert_eq!(decimal(n).unwrap(), n.to_string().as_str());
        }
    }
}
