//! The ordered list of named middleware an operation runs through.

use std::fmt;
use std::sync::Arc;

use super::{Context, Middleware, Next};
use crate::error::Failure;

/// The phases of a call, in the order they run.
///
/// Within a phase, middleware run in the order they were placed; a middleware can also be
/// placed right before or after another one by name, whatever its phase.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Step {
    /// Runs first, with the typed input only: checks and defaults. No request exists yet.
    Initialize,
    /// Turns the input into an HTTP request and points it at the endpoint.
    Serialize,
    /// Adds headers that do not change between attempts (user agent, invocation id).
    Build,
    /// Runs once per attempt: retries, then signing. The request is final after this step.
    Finalize,
    /// Runs around the transport: after the response arrives, turns it into an output or error.
    Deserialize,
}

impl Step {
    /// The step's lower-case name, as [`Stack::identify`] prints it.
    pub fn as_str(self) -> &'static str {
        match self {
            Step::Initialize => "initialize",
            Step::Serialize => "serialize",
            Step::Build => "build",
            Step::Finalize => "finalize",
            Step::Deserialize => "deserialize",
        }
    }
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a change to a stack was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum StackError {
    /// A middleware with this name is already in the stack.
    Duplicate {
        /// The name that was added twice.
        name: String,
    },
    /// The middleware named as the anchor of a relative placement is not in the stack.
    MissingAnchor {
        /// The middleware being placed.
        name: String,
        /// The name it was to be placed next to.
        anchor: String,
        /// The names the stack does hold, in order.
        present: Vec<String>,
    },
    /// No middleware with this name is in the stack.
    NotFound {
        /// The name that was asked for.
        name: String,
        /// The names the stack does hold, in order.
        present: Vec<String>,
    },
}

impl fmt::Display for StackError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StackError::Duplicate { name } => write!(
                f,
                "a middleware named `{name}` is already in the stack; remove it first or pick \
                 another name"
            ),
            StackError::MissingAnchor {
                name,
                anchor,
                present,
            } => write!(
                f,
                "cannot place `{name}` next to `{anchor}`: no middleware of that name in the \
                 stack (it holds: {})",
                present.join(", ")
            ),
            StackError::NotFound { name, present } => write!(
                f,
                "no middleware named `{name}` in the stack (it holds: {})",
                present.join(", ")
            ),
        }
    }
}

impl std::error::Error for StackError {}

#[derive(Clone)]
pub(crate) struct Entry {
    name: String,
    step: Step,
    pub(crate) middleware: Arc<dyn Middleware>,
}

/// An ordered set of uniquely named middleware, grouped into [`Step`]s.
///
/// Every operation builds its default stack, then applies the client's and the call's edits.
///
/// # Example
/// ```
/// use lamina_runtime::middleware::{map_request, Stack, Step};
///
/// let mut stack = Stack::new();
/// stack.add(Step::Build, "first", map_request(|_req| Ok(()))).unwrap();
/// stack.add_after("first", "second", map_request(|_req| Ok(()))).unwrap();
/// stack.add(Step::Initialize, "zeroth", map_request(|_req| Ok(()))).unwrap();
/// assert_eq!(
///     stack.identify(),
///     ["zeroth - initialize", "first - build", "second - build"]
/// );
/// ```
#[derive(Clone, Default)]
pub struct Stack {
    entries: Vec<Entry>,
}

impl Stack {
    /// An empty stack.
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends `middleware` at the end of `step`.
    pub fn add(
        &mut self,
        step: Step,
        name: impl Into<String>,
        middleware: impl Middleware,
    ) -> Result<(), StackError> {
        let name = self.fresh_name(name.into())?;
        let at = self
            .entries
            .iter()
            .position(|e| e.step > step)
            .unwrap_or(self.entries.len());

        self.entries.insert(at, entry(name, step, middleware));
        Ok(())
    }

    /// Appends an already shared middleware at the end of `step`; names must be unique.
    pub(crate) fn push(&mut self, step: Step, name: &str, middleware: Arc<dyn Middleware>) {
        debug_assert!(!self.contains(name), "duplicate standard middleware {name}");
        let at = self
            .entries
            .iter()
            .position(|e| e.step > step)
            .unwrap_or(self.entries.len());
        self.entries.insert(
            at,
            Entry {
                name: name.to_owned(),
                step,
                middleware,
            },
        );
    }

    /// Places `middleware` right before the one named `anchor`, in the anchor's step.
    pub fn add_before(
        &mut self,
        anchor: &str,
        name: impl Into<String>,
        middleware: impl Middleware,
    ) -> Result<(), StackError> {
        self.add_relative(anchor, name.into(), middleware, 0)
    }

    /// Places `middleware` right after the one named `anchor`, in the anchor's step.
    pub fn add_after(
        &mut self,
        anchor: &str,
        name: impl Into<String>,
        middleware: impl Middleware,
    ) -> Result<(), StackError> {
        self.add_relative(anchor, name.into(), middleware, 1)
    }

    /// Takes the middleware named `name` out of the stack.
    pub fn remove(&mut self, name: &str) -> Result<(), StackError> {
        let at = self.position(name).ok_or_else(|| StackError::NotFound {
            name: name.to_owned(),
            present: self.names(),
        })?;

        self.entries.remove(at);
        Ok(())
    }

    /// Whether a middleware named `name` is in the stack.
    pub fn contains(&self, name: &str) -> bool {
        self.position(name).is_some()
    }

    /// The middleware in the order they run, each as `name - step`.
    pub fn identify(&self) -> Vec<String> {
        self.entries
            .iter()
            .map(|e| format!("{} - {}", e.name, e.step))
            .collect()
    }

    /// Runs the whole stack, then the transport, on `ctx`.
    pub async fn run(&self, ctx: &mut Context) -> Result<(), Failure> {
        Next::new(&self.entries).run(ctx).await
    }

    fn add_relative(
        &mut self,
        anchor: &str,
        name: String,
        middleware: impl Middleware,
        offset: usize,
    ) -> Result<(), StackError> {
        let name = self.fresh_name(name)?;
        let at = self
            .position(anchor)
            .ok_or_else(|| StackError::MissingAnchor {
                name: name.clone(),
                anchor: anchor.to_owned(),
                present: self.names(),
            })?;
        let step = self.entries[at].step;

        self.entries
            .insert(at + offset, entry(name, step, middleware));
        Ok(())
    }

    fn fresh_name(&self, name: String) -> Result<String, StackError> {
        if self.contains(&name) {
            return Err(StackError::Duplicate { name });
        }
        Ok(name)
    }

    fn position(&self, name: &str) -> Option<usize> {
        self.entries.iter().position(|e| e.name == name)
    }

    fn names(&self) -> Vec<String> {
        self.entries.iter().map(|e| e.name.clone()).collect()
    }
}

impl fmt::Debug for Stack {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.identify()).finish()
    }
}

fn entry(name: String, step: Step, middleware: impl Middleware) -> Entry {
    Entry {
        name,
        step,
        middleware: Arc::new(middleware),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::middleware::map_request;

    fn noop() -> impl Middleware {
        map_request(|_| Ok(()))
    }

    #[test]
    fn steps_order_entries_whatever_the_order_of_adding() {
        let mut stack = Stack::new();
        stack.add(Step::Deserialize, "d", noop()).unwrap();
        stack.add(Step::Build, "b", noop()).unwrap();
        stack.add(Step::Initialize, "i", noop()).unwrap();
        stack.add(Step::Build, "b2", noop()).unwrap();

        assert_eq!(
            stack.identify(),
            [
                "i - initialize",
                "b - build",
                "b2 - build",
                "d - deserialize"
            ]
        );
    }

    #[test]
    fn relative_placement_takes_the_anchor_step() {
        let mut stack = Stack::new();
        stack.add(Step::Build, "b", noop()).unwrap();
        stack.add(Step::Finalize, "f", noop()).unwrap();
        stack.add_before("f", "before-f", noop()).unwrap();
        stack.add_after("b", "after-b", noop()).unwrap();

        assert_eq!(
            stack.identify(),
            [
                "b - build",
                "after-b - build",
                "before-f - finalize",
                "f - finalize"
            ]
        );
    }

    #[test]
    fn duplicates_and_missing_names_are_refused_with_the_names_present() {
        let mut stack = Stack::new();
        stack.add(Step::Build, "b", noop()).unwrap();

        let dup = stack.add(Step::Serialize, "b", noop()).unwrap_err();
        assert_eq!(dup, StackError::Duplicate { name: "b".into() });

        let missing = stack.add_after("nope", "x", noop()).unwrap_err();
        assert!(missing.to_string().contains("next to `nope`"), "{missing}");
        assert!(missing.to_string().contains("holds: b"), "{missing}");

        let gone = stack.remove("nope").unwrap_err();
        assert!(matches!(gone, StackError::NotFound { .. }));

        stack.remove("b").unwrap();
        assert!(stack.identify().is_empty());
    }
}
