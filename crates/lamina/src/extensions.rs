//! What lamina adds to the generated stacks: Lambda's rules that its model cannot state.
//!
//! An operation's stack gets its edits first (see `Handle::with_stack_edits`); a user can
//! remove one by name with `customize_stack`.

use lamina_runtime::client::OperationEdit;

/// The name of the payload-size check in every stack.
pub const PAYLOAD_LIMIT: &str = "invokePayloadLimit";

/// The largest payload of a synchronous invocation (`RequestResponse`, `DryRun`): 6 MB.
pub const SYNC_PAYLOAD_LIMIT: usize = 6 * 1024 * 1024;

/// The largest payload of an asynchronous invocation (`Event`): 1 MB.
pub const ASYNC_PAYLOAD_LIMIT: usize = 1024 * 1024;

/// The edits of each operation's stack.
pub(crate) fn stack_edits() -> Vec<OperationEdit> {
    #[cfg(feature = "invoke")]
    let edits = vec![OperationEdit {
        operation: "Invoke",
        edit: std::sync::Arc::new(|stack| {
            use lamina_runtime::middleware::Step;
            stack.add(Step::Initialize, PAYLOAD_LIMIT, payload_limit::PayloadLimit)
        }),
    }];
    #[cfg(not(feature = "invoke"))]
    let edits = Vec::new();
    edits
}

#[cfg(feature = "invoke")]
mod payload_limit {
    use lamina_runtime::error::{ConstructionFailure, Failure, SdkError};
    use lamina_runtime::middleware::{BoxFuture, Context, Middleware, Next};

    use super::{ASYNC_PAYLOAD_LIMIT, PAYLOAD_LIMIT, SYNC_PAYLOAD_LIMIT};
    use crate::operation::invoke::InvokeInput;
    use crate::types::InvocationType;

    /// Refuses an Invoke payload over Lambda's limit before anything is sent, instead of
    /// uploading megabytes for a `RequestTooLargeException`.
    #[derive(Debug)]
    pub(super) struct PayloadLimit;

    impl Middleware for PayloadLimit {
        fn handle<'a>(
            &'a self,
            ctx: &'a mut Context,
            next: Next<'a>,
        ) -> BoxFuture<'a, Result<(), Failure>> {
            Box::pin(async move {
                if let Some(input) = ctx.input::<InvokeInput>() {
                    check(input).map_err(SdkError::Construction)?;
                }
                next.run(ctx).await
            })
        }
    }

    fn check(input: &InvokeInput) -> Result<(), ConstructionFailure> {
        let size = input.payload().map_or(0, |p| p.len());
        let (limit, kind) = match input.invocation_type() {
            Some(InvocationType::Event) => (ASYNC_PAYLOAD_LIMIT, "an asynchronous (Event)"),
            _ => (SYNC_PAYLOAD_LIMIT, "a synchronous"),
        };
        if size <= limit {
            return Ok(());
        }
        Err(ConstructionFailure::invalid_field(
            "Payload",
            format!(
                "is {size} bytes, over Lambda's limit of {limit} bytes for {kind} invocation \
                 (remove the `{PAYLOAD_LIMIT}` middleware to send it anyway)"
            ),
        ))
    }
}
