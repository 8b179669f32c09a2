//! Where the runtime gets the time from, so that tests can fix it.

use std::fmt;
use std::sync::Arc;
use std::time::SystemTime;

/// A source of the current time, used to sign requests.
///
/// # Example
/// ```
/// use std::time::{Duration, SystemTime, UNIX_EPOCH};
/// use lamina_runtime::time::TimeSource;
///
/// #[derive(Debug)]
/// struct Fixed;
/// impl TimeSource for Fixed {
///     fn now(&self) -> SystemTime {
///         UNIX_EPOCH + Duration::from_secs(1_700_000_000)
///     }
/// }
/// assert!(Fixed.now() > UNIX_EPOCH);
/// ```
pub trait TimeSource: fmt::Debug + Send + Sync + 'static {
    /// The current time.
    fn now(&self) -> SystemTime;
}

/// The system clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl TimeSource for SystemClock {
    fn now(&self) -> SystemTime {
        SystemTime::now()
    }
}

/// A time source shared by a client and its calls.
pub type SharedTimeSource = Arc<dyn TimeSource>;
