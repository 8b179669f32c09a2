//! What a generated client holds: its configuration and its service's identity.

use std::sync::Arc;

use tracing::Instrument;

use crate::config::Config;
use crate::endpoint::rules::{RuleError, RuleSet};
use crate::error::{
    ConstructionFailure, DispatchFailure, DispatchKind, ErasedServiceError, Failure, SdkError,
};
use crate::middleware::{Context, Stack, StackError};
use crate::service::ServiceInfo;

/// The shared state behind a generated client; cloning a client clones an `Arc` of it.
#[derive(Debug)]
pub struct Handle {
    config: Config,
    service: &'static ServiceInfo,
    rules: Option<Result<RuleSet, RuleError>>,
}

impl Handle {
    /// A handle for calling `service` with `config`; the service's endpoint rules are parsed
    /// here, once for every call.
    pub fn new(config: Config, service: &'static ServiceInfo) -> Arc<Self> {
        let rules = service.endpoint_rules.map(RuleSet::parse);
        Arc::new(Self {
            config,
            service,
            rules,
        })
    }

    /// The service's endpoint rules, if it has them (or why they could not be read).
    pub fn endpoint_rules(&self) -> Option<Result<&RuleSet, &RuleError>> {
        self.rules.as_ref().map(Result::as_ref)
    }

    /// The client's configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The service the client calls.
    pub fn service(&self) -> &'static ServiceInfo {
        self.service
    }
}

/// A change to a stack: adding, placing or removing middleware.
pub type StackEdit = Arc<dyn Fn(&mut Stack) -> Result<(), StackError> + Send + Sync>;

/// Applies the client's edits, then the call's, to an operation's default stack.
pub fn customize(mut stack: Stack, handle: &Handle, call: &[StackEdit]) -> Result<Stack, Failure> {
    for edit in handle.config().stack_edits().iter().chain(call) {
        edit(&mut stack).map_err(|e| {
            SdkError::Construction(ConstructionFailure::other(
                "the middleware stack could not be customized",
                Some(e.into()),
            ))
        })?;
    }
    Ok(stack)
}

/// Runs one call: `input` through `stack`, returning the typed output.
///
/// Generated operations call this and then give the service error its type back.
pub async fn run<I, O>(
    handle: Arc<Handle>,
    stack: &Stack,
    operation: &'static str,
    input: I,
) -> Result<O, SdkError<ErasedServiceError>>
where
    I: std::any::Any + Send + Sync,
    O: std::any::Any,
{
    let span = tracing::debug_span!("operation", service = handle.service().sdk_id, operation);

    let operation_timeout = handle.config().timeouts().operation();
    let mut ctx = Context::new(handle, operation, input);
    let call = stack.run(&mut ctx).instrument(span);
    let result = match operation_timeout {
        None => call.await,
        Some(limit) => tokio::time::timeout(limit, call).await.unwrap_or_else(|_| {
            let target = format!("the {operation} call");
            let failure = DispatchFailure::new(DispatchKind::Timeout, target, None);
            Err(SdkError::Dispatch(
                failure.with_timeout("operation timeout", limit),
            ))
        }),
    };
    tracing::debug!(
        operation,
        attempts = ctx.attempts(),
        ok = result.is_ok(),
        "call finished"
    );
    match result {
        Err(SdkError::Dispatch(e)) => {
            let e = e.with_attempts(ctx.attempts());
            return Err(SdkError::Dispatch(e.with_retry_delay(ctx.retry_delay())));
        }
        other => other?,
    }

    ctx.take_output::<O>().ok_or_else(|| {
        SdkError::Construction(ConstructionFailure::other(
            format!("the {operation} stack produced no output: is its deserializer missing?"),
            None,
        ))
    })
}

/// A fresh idempotency token, for members the model marks `idempotencyToken` that the caller
/// left empty.
pub fn idempotency_token() -> String {
    uuid::Uuid::new_v4().to_string()
}
