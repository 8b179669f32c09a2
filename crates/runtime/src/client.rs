//! What a generated client holds: its configuration and its service's identity.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock, RwLock};

use http::header::HeaderValue;

use tracing::Instrument;

use crate::config::Config;
use crate::endpoint::rules::{RuleError, RuleSet};
use crate::error::{
    ConstructionFailure, DispatchFailure, DispatchKind, ErasedServiceError, Failure, SdkError,
};
use crate::middleware::{Context, Stack, StackError};
use crate::service::ServiceInfo;

/// The shared state behind a generated client; cloning a client clones an `Arc` of it.
pub struct Handle {
    config: Config,
    service: &'static ServiceInfo,
    rules: Option<Result<RuleSet, RuleError>>,
    endpoint: OnceLock<http::Uri>,
    user_agent: OnceLock<Option<(HeaderValue, HeaderValue)>>,
    stacks: RwLock<HashMap<&'static str, Arc<Stack>>>,
    service_edits: Vec<OperationEdit>,
}

impl Handle {
    /// A handle for calling `service` with `config`; the service's endpoint rules are parsed
    /// here, once for every call.
    pub fn new(config: Config, service: &'static ServiceInfo) -> Arc<Self> {
        Self::with_stack_edits(config, service, Vec::new())
    }

    /// A handle whose operations' stacks get `service_edits` first: the hand-written
    /// additions of a generated client (such as checks the model cannot state), before the
    /// user's edits.
    pub fn with_stack_edits(
        config: Config,
        service: &'static ServiceInfo,
        service_edits: Vec<OperationEdit>,
    ) -> Arc<Self> {
        let rules = service.endpoint_rules.map(RuleSet::parse);
        Arc::new(Self {
            config,
            service,
            rules,
            endpoint: OnceLock::new(),
            user_agent: OnceLock::new(),
            stacks: RwLock::default(),
            service_edits,
        })
    }

    /// The service's endpoint rules, if it has them (or why they could not be read).
    pub fn endpoint_rules(&self) -> Option<Result<&RuleSet, &RuleError>> {
        self.rules.as_ref().map(Result::as_ref)
    }

    /// The `User-Agent` and `X-Amz-User-Agent` values of every call: lamina's version, the
    /// service and API version, and the operating system (`None` if the service's names
    /// cannot be sent in a header).
    pub fn user_agent(&self) -> Option<(HeaderValue, HeaderValue)> {
        self.user_agent
            .get_or_init(|| {
                let short = format!("lamina/{}", env!("CARGO_PKG_VERSION"));
                let long = format!(
                    "{short} api/{}#{} os/{} lang/rust",
                    self.service.sdk_id.to_ascii_lowercase(),
                    self.service.api_version,
                    std::env::consts::OS,
                );
                let short = HeaderValue::try_from(short).ok()?;
                Some((short, HeaderValue::try_from(long).ok()?))
            })
            .clone()
    }

    /// The endpoint calls go to, from the configuration and the service's rules: resolved
    /// on the first call and kept, as neither can change for a handle.
    pub fn endpoint(&self) -> Result<http::Uri, ConstructionFailure> {
        if let Some(uri) = self.endpoint.get() {
            return Ok(uri.clone());
        }
        let rules = match self.endpoint_rules() {
            Some(Err(e)) => {
                return Err(ConstructionFailure::other(
                    "the service's endpoint rules cannot be used",
                    Some(Box::new(e.clone())),
                ))
            }
            Some(Ok(rules)) => Some(rules),
            None => None,
        };

        let uri = crate::endpoint::resolve(&self.config, self.service, rules)?;
        Ok(self.endpoint.get_or_init(|| uri).clone())
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

/// A change a generated client makes to the stack of one of its operations.
#[derive(Clone)]
pub struct OperationEdit {
    /// The operation's name in the model, such as `Invoke`.
    pub operation: &'static str,
    /// The change to its stack.
    pub edit: StackEdit,
}

impl std::fmt::Debug for Handle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Handle")
            .field("service", &self.service.sdk_id)
            .field("config", &self.config)
            .field("service_edits", &self.service_edits.len())
            .finish_non_exhaustive()
    }
}

/// Applies the generated client's own edits for `operation`, the configuration's, then the
/// call's, to the operation's default stack.
pub fn customize(
    operation: &str,
    mut stack: Stack,
    handle: &Handle,
    call: &[StackEdit],
) -> Result<Stack, Failure> {
    let own = handle
        .service_edits
        .iter()
        .filter(|e| e.operation == operation)
        .map(|e| &e.edit);
    let config = handle.config().stack_edits();
    for edit in own.chain(config).chain(call) {
        edit(&mut stack).map_err(|e| {
            SdkError::Construction(ConstructionFailure::other(
                "the middleware stack could not be customized",
                Some(e.into()),
            ))
        })?;
    }
    Ok(stack)
}

/// The stack a call of `operation` runs through: with no edits of its own, the one built
/// for the operation's first call (the client's edits cannot change), else a fresh one.
pub fn call_stack(
    operation: &'static str,
    default_stack: fn() -> Stack,
    handle: &Handle,
    call: &[StackEdit],
) -> Result<Arc<Stack>, Failure> {
    if !call.is_empty() {
        return customize(operation, default_stack(), handle, call).map(Arc::new);
    }
    let cached = handle
        .stacks
        .read()
        .ok()
        .and_then(|s| s.get(operation).cloned());
    if let Some(stack) = cached {
        return Ok(stack);
    }

    let stack = Arc::new(customize(operation, default_stack(), handle, call)?);
    if let Ok(mut stacks) = handle.stacks.write() {
        stacks.entry(operation).or_insert_with(|| stack.clone());
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
    let ctx = Context::new(handle, operation, input);
    run_in(ctx, stack).await
}

/// Runs one call like [`run`], for an operation whose output streams: a successful
/// response's body is not read here but handed to the output's event receiver.
pub async fn run_streaming<I, O>(
    handle: Arc<Handle>,
    stack: &Stack,
    operation: &'static str,
    input: I,
) -> Result<O, SdkError<ErasedServiceError>>
where
    I: std::any::Any + Send + Sync,
    O: std::any::Any,
{
    let mut ctx = Context::new(handle, operation, input);
    ctx.properties_mut()
        .insert(crate::transport::StreamResponses);
    run_in(ctx, stack).await
}

async fn run_in<O: std::any::Any>(
    mut ctx: Context,
    stack: &Stack,
) -> Result<O, SdkError<ErasedServiceError>> {
    let operation = ctx.operation();
    let span = tracing::debug_span!(
        "operation",
        service = ctx.service().sdk_id,
        operation,
        attempts = tracing::field::Empty,
        status = tracing::field::Empty,
        request_id = tracing::field::Empty,
    );

    let operation_timeout = ctx.config().timeouts().operation();
    let call = stack.run(&mut ctx).instrument(span.clone());
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
    span.record("attempts", ctx.attempts());
    if let Some(response) = ctx.response() {
        span.record("status", response.status().as_u16());
        if let Some(id) = crate::protocol::rest_json::request_id(response.headers()) {
            span.record("request_id", id);
        }
    }
    span.in_scope(|| {
        tracing::debug!(
            operation,
            attempts = ctx.attempts(),
            ok = result.is_ok(),
            "call finished"
        )
    });
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
/// left empty: a version 4 UUID from the operating system's randomness, so that no two
/// processes (forked ones included) repeat one.
pub fn idempotency_token() -> String {
    uuid::Uuid::new_v4().to_string()
}
