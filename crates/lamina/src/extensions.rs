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
    [
        #[cfg(feature = "invoke")]
        payload_limit::edit::<crate::operation::invoke::InvokeInput>("Invoke"),
        #[cfg(feature = "invoke-with-response-stream")]
        payload_limit::edit::<
            crate::operation::invoke_with_response_stream::InvokeWithResponseStreamInput,
        >("InvokeWithResponseStream"),
    ]
    .into_iter()
    .collect()
}

#[cfg(any(feature = "invoke", feature = "invoke-with-response-stream"))]
mod payload_limit {
    use std::marker::PhantomData;
    use std::sync::Arc;

    use lamina_runtime::client::OperationEdit;
    use lamina_runtime::error::{ConstructionFailure, Failure, SdkError};
    use lamina_runtime::middleware::{handle_before, BoxFuture, Context, Middleware, Next, Step};

    use super::{ASYNC_PAYLOAD_LIMIT, PAYLOAD_LIMIT, SYNC_PAYLOAD_LIMIT};

    /// An invocation's input, as far as its payload limit goes.
    pub(super) trait Invocation: Send + Sync + 'static {
        /// The payload's size in bytes.
        fn payload_len(&self) -> usize;
        /// Whether the invocation is asynchronous (`Event`).
        fn is_event(&self) -> bool;
    }

    #[cfg(feature = "invoke")]
    impl Invocation for crate::operation::invoke::InvokeInput {
        fn payload_len(&self) -> usize {
            self.payload().map_or(0, |p| p.len())
        }

        fn is_event(&self) -> bool {
            matches!(
                self.invocation_type(),
                Some(crate::types::InvocationType::Event)
            )
        }
    }

    #[cfg(feature = "invoke-with-response-stream")]
    use crate::operation::invoke_with_response_stream::InvokeWithResponseStreamInput;

    #[cfg(feature = "invoke-with-response-stream")]
    impl Invocation for InvokeWithResponseStreamInput {
        fn payload_len(&self) -> usize {
            self.payload().map_or(0, |p| p.len())
        }

        fn is_event(&self) -> bool {
            false
        }
    }

    /// The edit adding the check to `operation`'s stack, whose input is `I`.
    pub(super) fn edit<I: Invocation>(operation: &'static str) -> OperationEdit {
        OperationEdit {
            operation,
            edit: Arc::new(|stack| {
                stack.add(
                    Step::Initialize,
                    PAYLOAD_LIMIT,
                    PayloadLimit::<I>(PhantomData),
                )
            }),
        }
    }

    /// Refuses a payload over Lambda's limit before anything is sent, instead of uploading
    /// megabytes for a `RequestTooLargeException`.
    pub(super) struct PayloadLimit<I>(PhantomData<fn() -> I>);

    impl<I> std::fmt::Debug for PayloadLimit<I> {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("PayloadLimit")
        }
    }

    impl<I: Invocation> Middleware for PayloadLimit<I> {
        fn handle<'a>(
            &'a self,
            ctx: &'a mut Context,
            next: Next<'a>,
        ) -> BoxFuture<'a, Result<(), Failure>> {
            handle_before(self, ctx, next)
        }

        fn before(&self, ctx: &mut Context) -> Option<Result<(), Failure>> {
            let input = ctx.input::<I>();
            Some(input.map_or(Ok(()), check).map_err(SdkError::Construction))
        }
    }

    fn check(input: &impl Invocation) -> Result<(), ConstructionFailure> {
        let size = input.payload_len();
        let (limit, kind) = if input.is_event() {
            (ASYNC_PAYLOAD_LIMIT, "an asynchronous (Event)")
        } else {
            (SYNC_PAYLOAD_LIMIT, "a synchronous")
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
