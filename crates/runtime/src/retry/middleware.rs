//! The middleware that runs a call's attempts.

use std::time::{Duration, SystemTime};

use http::HeaderName;

use super::{classify, retry_after, RetryKind, RetryMode};
use crate::error::{Failure, SdkError};
use crate::middleware::{BoxFuture, Context, Middleware, Next};
use crate::transport::copy_request;

/// Finalize-step middleware that runs the rest of the chain again while a failure is
/// retryable, attempts remain and the retry quota allows, and sends
/// `amz-sdk-request: attempt=N; max=M` with each attempt.
///
/// Between attempts it waits the jittered backoff, or longer when the server asked for it
/// with `Retry-After`. In adaptive mode it also waits for the client's allowed sending rate.
#[derive(Debug, Default, Clone, Copy)]
pub struct Retry;

impl Middleware for Retry {
    fn handle<'a>(
        &'a self,
        ctx: &'a mut Context,
        next: Next<'a>,
    ) -> BoxFuture<'a, Result<(), Failure>> {
        Box::pin(async move {
            let config = ctx.config().retry().clone();
            let state = ctx.config().retry_state().clone();
            let adaptive = config.mode() == RetryMode::Adaptive;
            crate::middleware::request_of(ctx)?;
            let original = ctx.take_request().unwrap_or_default();
            let mut attempt = 0;
            let mut last_cost = None;

            loop {
                attempt += 1;
                if adaptive {
                    let wait = state.with_limiter(|limiter, now| limiter.acquire(now));
                    wait_before_attempt(ctx, Duration::from_secs_f64(wait)).await;
                }
                let mut request = copy_request(&original);
                if let Some(value) = state.attempt_header(attempt, config.max_attempts()) {
                    request
                        .headers_mut()
                        .insert(const { HeaderName::from_static("amz-sdk-request") }, value);
                }
                ctx.take_response();
                ctx.set_request(request);

                let result = next.run(ctx).await;
                let kind = result
                    .as_ref()
                    .err()
                    .and_then(|f| classify(f, config.policy()));
                if adaptive {
                    let throttled = kind == Some(RetryKind::Throttling);
                    state.with_limiter(|limiter, now| limiter.record(now, throttled));
                }
                let failure = match result {
                    Ok(()) => {
                        state.quota().succeeded(last_cost);
                        return Ok(());
                    }
                    Err(failure) => failure,
                };
                let kind = match kind {
                    Some(kind) if attempt < config.max_attempts() => kind,
                    _ => return Err(failure),
                };
                let Some(cost) = state.quota().acquire(kind) else {
                    tracing::warn!(
                        attempt,
                        error = %failure,
                        "not retrying: the client's retry quota is spent until calls succeed"
                    );
                    return Err(failure);
                };
                last_cost = Some(cost);

                let mut delay = config.backoff(kind, attempt);
                if let (SdkError::Service(_), Some(response)) = (&failure, ctx.response()) {
                    if let Some(asked) = retry_after(response, SystemTime::now()) {
                        delay = delay.max(asked.min(config.max_retry_after()));
                    }
                }
                tracing::debug!(attempt, ?kind, ?delay, error = %failure, "retrying");
                wait_before_attempt(ctx, delay).await;
            }
        })
    }
}

/// Sleeps for `delay`, counting it in the call's total retry delay.
async fn wait_before_attempt(ctx: &mut Context, delay: Duration) {
    if delay.is_zero() {
        return;
    }
    ctx.add_retry_delay(delay);
    tokio::time::sleep(delay).await;
}
