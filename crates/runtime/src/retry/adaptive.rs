//! The adaptive retry mode's client-side rate limiter.
//!
//! It stays off until the service first throttles the client. From then on every attempt
//! takes a token from a bucket that fills at the client's allowed sending rate. A throttle
//! cuts that rate to 70% of what the client was measured sending; each success lets it grow
//! back along a cubic curve that approaches the rate of the last throttle slowly, then probes
//! above it. Times are seconds on a monotonic clock, passed in, so the arithmetic is testable.

/// The lowest rate the bucket fills at, in requests per second.
const MIN_FILL_RATE: f64 = 0.5;

/// The smallest bucket.
const MIN_CAPACITY: f64 = 1.0;

/// Weight of the newest sample in the measured sending rate.
const SMOOTHING: f64 = 0.8;

/// How much of the sending rate a throttle leaves.
const BETA: f64 = 0.7;

/// How fast the rate grows back after a throttle.
const SCALE: f64 = 0.4;

/// The client's allowed sending rate, as the AWS SDKs' adaptive mode computes it.
///
/// # Example
/// ```
/// use lamina_runtime::retry::RateLimiter;
///
/// let mut limiter = RateLimiter::default();
/// assert_eq!(limiter.acquire(0.0), 0.0, "no limit before the first throttle");
///
/// for tick in 0..20 {
///     limiter.record(f64::from(tick) * 0.05, false);
/// }
/// limiter.record(1.0, true);
/// assert!(limiter.is_limiting());
/// ```
#[derive(Debug, Clone, Default)]
pub struct RateLimiter {
    enabled: bool,
    fill_rate: f64,
    capacity: f64,
    tokens: f64,
    last_refill: f64,
    measured_rate: f64,
    rate_bucket: f64,
    bucket_requests: f64,
    last_max_rate: f64,
    last_throttle: f64,
    time_window: f64,
}

impl RateLimiter {
    /// Whether the limiter has been turned on by a throttle.
    pub fn is_limiting(&self) -> bool {
        self.enabled
    }

    /// The rate the client may send at, in requests per second, once limiting.
    pub fn allowed_rate(&self) -> f64 {
        self.fill_rate
    }

    /// Takes a token for an attempt at time `now`, returning how many seconds the caller
    /// must wait before sending (0 when a token was ready, or when not limiting).
    ///
    /// A caller that must wait has its token reserved already, so callers queue in order.
    pub fn acquire(&mut self, now: f64) -> f64 {
        if !self.enabled {
            return 0.0;
        }

        self.refill(now);
        self.tokens -= 1.0;

        if self.tokens >= 0.0 {
            0.0
        } else {
            -self.tokens / self.fill_rate
        }
    }

    /// Records the outcome of an attempt at time `now`: throttled or not.
    pub fn record(&mut self, now: f64, throttled: bool) {
        self.measure(now);

        let rate = if throttled {
            let sending = if self.enabled {
                self.measured_rate.min(self.fill_rate)
            } else {
                self.measured_rate
            };
            self.last_max_rate = sending;
            self.update_window();
            self.last_throttle = now;
            self.enabled = true;
            sending * BETA
        } else {
            self.update_window();
            let since = now - self.last_throttle;
            SCALE * (since - self.time_window).powi(3) + self.last_max_rate
        };

        self.set_rate(now, rate.min(2.0 * self.measured_rate));
    }

    fn refill(&mut self, now: f64) {
        let elapsed = (now - self.last_refill).max(0.0);
        self.tokens = (self.tokens + elapsed * self.fill_rate).min(self.capacity);
        self.last_refill = now;
    }

    fn set_rate(&mut self, now: f64, rate: f64) {
        self.refill(now);
        self.fill_rate = rate.max(MIN_FILL_RATE);
        self.capacity = rate.max(MIN_CAPACITY);
        self.tokens = self.tokens.min(self.capacity);
    }

    /// Updates the smoothed sending rate, counted in half-second buckets.
    fn measure(&mut self, now: f64) {
        let bucket = (now * 2.0).floor() / 2.0;
        self.bucket_requests += 1.0;

        if bucket > self.rate_bucket {
            let current = self.bucket_requests / (bucket - self.rate_bucket);
            self.measured_rate = current * SMOOTHING + self.measured_rate * (1.0 - SMOOTHING);
            self.bucket_requests = 0.0;
            self.rate_bucket = bucket;
        }
    }

    fn update_window(&mut self) {
        self.time_window = (self.last_max_rate * (1.0 - BETA) / SCALE).cbrt();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A limiter that saw `rate` requests a second for two seconds, then a throttle.
    fn throttled_at(rate: u32) -> RateLimiter {
        let mut limiter = RateLimiter::default();
        for i in 0..2 * rate {
            limiter.record(f64::from(i) / f64::from(rate), false);
        }
        limiter.record(2.0, true);
        limiter
    }

    #[test]
    fn a_throttle_cuts_the_rate_below_what_was_sent() {
        let limiter = throttled_at(20);
        assert!(limiter.is_limiting());
        let rate = limiter.allowed_rate();
        assert!(rate > 5.0 && rate < 20.0, "{rate}");
    }

    #[test]
    fn successes_let_the_rate_grow_back() {
        let mut limiter = throttled_at(20);
        let after_throttle = limiter.allowed_rate();

        let mut now = 2.0;
        for _ in 0..100 {
            now += 1.0 / after_throttle;
            limiter.record(now, false);
        }

        assert!(limiter.allowed_rate() > after_throttle, "{limiter:?}");
    }

    #[test]
    fn waiting_callers_queue_at_the_allowed_rate() {
        let mut limiter = throttled_at(4);
        let rate = limiter.allowed_rate();

        let waits: Vec<f64> = (0..6).map(|_| limiter.acquire(2.0)).collect();

        assert!(waits.windows(2).all(|w| w[1] >= w[0]), "{waits:?}");
        let spacing = waits[5] - waits[4];
        assert!((spacing - 1.0 / rate).abs() < 1e-9, "{waits:?} at {rate}/s");
    }

    #[test]
    fn the_rate_never_falls_below_the_floor() {
        let mut limiter = RateLimiter::default();
        for i in 0..50 {
            limiter.record(f64::from(i), true);
        }
        assert!(limiter.allowed_rate() >= MIN_FILL_RATE);
    }
}
