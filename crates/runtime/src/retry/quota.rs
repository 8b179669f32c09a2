//! The retry quota: a budget of retries shared by a client's calls.

use std::sync::atomic::{AtomicU32, Ordering};

use super::RetryKind;

/// Tokens in a full quota.
const CAPACITY: u32 = 500;

/// What a retry costs.
const RETRY_COST: u32 = 5;

/// What a retry after a timeout costs: timeouts are the most expensive failures to repeat.
const TIMEOUT_COST: u32 = 10;

/// What a call that succeeded at its first attempt gives back.
const SUCCESS_REWARD: u32 = 1;

/// A token bucket that every retry draws from and every success refills.
///
/// When a service is failing for everyone, retries only add load; once the bucket is empty
/// calls fail at their first failure until successes refill it.
///
/// # Example
/// ```
/// use lamina_runtime::retry::{RetryKind, RetryQuota};
///
/// let quota = RetryQuota::default();
/// let cost = quota.acquire(RetryKind::Transient).unwrap();
/// assert_eq!(quota.available(), 495);
/// quota.succeeded(Some(cost));
/// assert_eq!(quota.available(), 500);
/// ```
#[derive(Debug)]
pub struct RetryQuota {
    tokens: AtomicU32,
}

impl Default for RetryQuota {
    fn default() -> Self {
        Self {
            tokens: AtomicU32::new(CAPACITY),
        }
    }
}

impl RetryQuota {
    /// Tokens left.
    pub fn available(&self) -> u32 {
        self.tokens.load(Ordering::Relaxed)
    }

    /// Takes the cost of one retry after a failure of `kind`, returning it, or `None` when
    /// the quota cannot pay for it (and the call must not retry).
    pub fn acquire(&self, kind: RetryKind) -> Option<u32> {
        let cost = match kind {
            RetryKind::Timeout => TIMEOUT_COST,
            RetryKind::Throttling | RetryKind::Transient => RETRY_COST,
        };
        self.tokens
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |t| t.checked_sub(cost))
            .ok()
            .map(|_| cost)
    }

    /// Refills after a call succeeded: the cost of its last retry, or a small reward when
    /// it needed none.
    pub fn succeeded(&self, last_retry_cost: Option<u32>) {
        let refund = last_retry_cost.unwrap_or(SUCCESS_REWARD);
        let _ = self
            .tokens
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |t| {
                Some(t.saturating_add(refund).min(CAPACITY))
            });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_quota_pays_for_a_hundred_retries_and_no_more() {
        let quota = RetryQuota::default();
        let paid = (0..200)
            .filter(|_| quota.acquire(RetryKind::Transient).is_some())
            .count();
        assert_eq!(paid, 100);
        assert_eq!(quota.available(), 0);
    }

    #[test]
    fn timeouts_cost_twice_as_much() {
        let quota = RetryQuota::default();
        assert_eq!(quota.acquire(RetryKind::Timeout), Some(10));
        assert_eq!(quota.acquire(RetryKind::Throttling), Some(5));
        assert_eq!(quota.available(), 485);
    }

    #[test]
    fn successes_refill_up_to_the_capacity() {
        let quota = RetryQuota::default();
        quota.acquire(RetryKind::Timeout);
        quota.succeeded(None);
        assert_eq!(quota.available(), 491);
        quota.succeeded(Some(10));
        quota.succeeded(Some(10));
        assert_eq!(quota.available(), 500);
    }
}
