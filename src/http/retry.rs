//! Retry policy: modes, the retryable-error classifier, backoff and the retry quota.

use std::str::FromStr;
use std::time::Duration;

/// `retry_mode` / `AWS_RETRY_MODE`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RetryMode {
    Standard,
    Legacy,
    Adaptive,
}

impl RetryMode {
    /// The attempt limit when `max_attempts` is not configured.
    pub fn default_max_attempts(self) -> u32 {
        match self {
            RetryMode::Legacy => 5,
            RetryMode::Standard | RetryMode::Adaptive => 3,
        }
    }
}

impl FromStr for RetryMode {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "standard" => Ok(RetryMode::Standard),
            "legacy" => Ok(RetryMode::Legacy),
            "adaptive" => Ok(RetryMode::Adaptive),
            other => Err(format!(
                "Invalid value '{other}' for retry_mode. Valid values are: legacy, standard, adaptive"
            )),
        }
    }
}

/// What one attempt ended with, as far as retrying is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome<'a> {
    /// Connection refused, DNS failure, proxy failure.
    ConnectError,
    /// Connect or read timeout: costs more retry quota.
    Timeout,
    /// The connection closed before a full response arrived (a reset).
    ConnectionClosed,
    /// The TLS handshake failed: certificate problems do not fix themselves, so never retried.
    Tls,
    /// An HTTP error response with the code and message parsed from it.
    Response {
        status: u16,
        code: Option<&'a str>,
        message: Option<&'a str>,
    },
}

/// Throttling codes of botocore's standard mode (`retries/standard.py`); the legacy list
/// (`_retry.json`) is a subset of it.
const THROTTLING_CODES: &[&str] = &[
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "RequestThrottledException",
    "TooManyRequestsException",
    "ProvisionedThroughputExceededException",
    "TransactionInProgressException",
    "RequestLimitExceeded",
    "BandwidthLimitExceeded",
    "LimitExceededException",
    "RequestThrottled",
    "SlowDown",
    "PriorRequestNotComplete",
    "EC2ThrottledException",
];

const LEGACY_THROTTLING_CODES: &[&str] = &[
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "RequestThrottledException",
    "ProvisionedThroughputExceededException",
];

const TRANSIENT_CODES: &[&str] = &[
    "RequestTimeout",
    "RequestTimeoutException",
    "PriorRequestNotComplete",
];

/// Kinesis Video's throttling error. The KVS SDKs retry it and so does kvs, except when it
/// reports the viewer limit of a channel: that is a capacity limit, and retrying cannot help.
const KVS_THROTTLING_CODE: &str = "ClientLimitExceededException";

fn is_kvs_throttle(code: &str, message: Option<&str>) -> bool {
    code == KVS_THROTTLING_CODE
        && !message.is_some_and(|m| m.to_ascii_lowercase().contains("viewer"))
}

/// Is this a throttling error (for the adaptive rate limiter)?
pub fn is_throttling(outcome: &Outcome) -> bool {
    match *outcome {
        Outcome::Response { code, message, .. } => code
            .is_some_and(|code| THROTTLING_CODES.contains(&code) || is_kvs_throttle(code, message)),
        _ => false,
    }
}

/// Should this outcome be retried (attempts and quota permitting)?
pub fn is_retryable(mode: RetryMode, outcome: &Outcome) -> bool {
    match *outcome {
        Outcome::ConnectError | Outcome::Timeout | Outcome::ConnectionClosed => true,
        Outcome::Tls => false,
        Outcome::Response {
            status,
            code,
            message,
        } => {
            let code = code.unwrap_or("");
            if is_kvs_throttle(code, message) {
                return true;
            }
            match mode {
                RetryMode::Legacy => {
                    matches!(status, 429 | 500 | 502 | 503 | 504 | 509)
                        || LEGACY_THROTTLING_CODES.contains(&code)
                }
                RetryMode::Standard | RetryMode::Adaptive => {
                    matches!(status, 500 | 502 | 503 | 504)
                        || TRANSIENT_CODES.contains(&code)
                        || THROTTLING_CODES.contains(&code)
                }
            }
        }
    }
}

/// The wait before the attempt after `failed_attempt` (1-based), given a uniform random
/// number in [0, 1): full jitter over `2^(n-1)` seconds, capped at 20 s except in legacy mode,
/// which botocore leaves uncapped.
pub fn backoff(mode: RetryMode, failed_attempt: u32, random: f64) -> Duration {
    let exponent = failed_attempt.saturating_sub(1).min(30) as i32;
    let base = 2f64.powi(exponent);
    let ceiling = match mode {
        RetryMode::Legacy => base,
        RetryMode::Standard | RetryMode::Adaptive => base.min(MAX_BACKOFF_SECS),
    };
    Duration::from_secs_f64(random.clamp(0.0, 1.0) * ceiling)
}

const MAX_BACKOFF_SECS: f64 = 20.0;

/// The standard mode's retry quota: a bucket of 500 tokens shared by the calls of one run.
/// A retry costs 5 (10 after a timeout); success gives back what its retry cost, or 1.
#[derive(Debug)]
pub struct RetryQuota {
    available: u32,
    last_cost: Option<u32>,
}

const QUOTA_CAPACITY: u32 = 500;
const RETRY_COST: u32 = 5;
const TIMEOUT_RETRY_COST: u32 = 10;
const NO_RETRY_INCREMENT: u32 = 1;

impl Default for RetryQuota {
    fn default() -> Self {
        Self::new()
    }
}

impl RetryQuota {
    pub fn new() -> Self {
        RetryQuota {
            available: QUOTA_CAPACITY,
            last_cost: None,
        }
    }

    /// Take the cost of retrying after `outcome`; false when the quota is spent.
    pub fn acquire(&mut self, outcome: &Outcome) -> bool {
        let cost = match outcome {
            Outcome::Timeout => TIMEOUT_RETRY_COST,
            _ => RETRY_COST,
        };
        if self.available < cost {
            return false;
        }
        self.available -= cost;
        self.last_cost = Some(cost);
        true
    }

    /// A call succeeded: refund its retry cost, or add a token when it needed none.
    pub fn release_on_success(&mut self) {
        let refund = self.last_cost.take().unwrap_or(NO_RETRY_INCREMENT);
        self.available = (self.available + refund).min(QUOTA_CAPACITY);
    }

    pub fn available(&self) -> u32 {
        self.available
    }
}

/// Adaptive mode's client-side rate limiter, as botocore's `retries/adaptive.py`: a token
/// bucket whose fill rate follows CUBIC, cut by 30% on each throttle and growing back after.
/// Off until the first throttling error. Times are seconds since the run started.
#[derive(Debug)]
pub struct ClientRateLimiter {
    enabled: bool,
    // The token bucket.
    fill_rate: f64,
    max_capacity: f64,
    capacity: f64,
    last_refill: Option<f64>,
    // CUBIC.
    w_max: f64,
    k: f64,
    last_throttle: f64,
    // Measured send rate, smoothed over half-second buckets.
    measured_rate: f64,
    bucket_count: f64,
    last_bucket: f64,
}

const MIN_FILL_RATE: f64 = 0.5;
const CUBIC_SCALE: f64 = 0.4;
const CUBIC_BETA: f64 = 0.7;
const RATE_SMOOTHING: f64 = 0.8;
const RATE_BUCKETS_PER_SEC: f64 = 2.0;
const MAX_RATE_ADJUST_SCALE: f64 = 2.0;

impl Default for ClientRateLimiter {
    fn default() -> Self {
        Self::new()
    }
}

impl ClientRateLimiter {
    pub fn new() -> Self {
        let mut limiter = ClientRateLimiter {
            enabled: false,
            fill_rate: 1.0,
            max_capacity: 1.0,
            capacity: 0.0,
            last_refill: None,
            w_max: 0.5,
            k: 0.0,
            last_throttle: 0.0,
            measured_rate: 0.0,
            bucket_count: 0.0,
            last_bucket: 0.0,
        };
        limiter.k = limiter.zero_point();
        limiter
    }

    /// How long to wait before sending at `now`; the token is taken.
    pub fn delay_before_send(&mut self, now: f64) -> Duration {
        if !self.enabled {
            return Duration::ZERO;
        }
        self.refill(now);
        if self.capacity >= 1.0 {
            self.capacity -= 1.0;
            return Duration::ZERO;
        }
        let wait = (1.0 - self.capacity) / self.fill_rate;
        // The token that accrues during the wait is the one this send uses.
        self.capacity = 0.0;
        self.last_refill = Some(now + wait);
        Duration::from_secs_f64(wait)
    }

    /// Record a response at `now`, throttled or not, and adjust the send rate.
    pub fn on_response(&mut self, now: f64, throttled: bool) {
        let measured = self.record_send(now);
        let new_rate = if throttled {
            let rate = if self.enabled {
                measured.min(self.fill_rate)
            } else {
                measured
            };
            self.enabled = true;
            self.w_max = rate;
            self.k = self.zero_point();
            self.last_throttle = now;
            rate * CUBIC_BETA
        } else {
            CUBIC_SCALE * (now - self.last_throttle - self.k).powi(3) + self.w_max
        };
        self.set_fill_rate(new_rate.min(MAX_RATE_ADJUST_SCALE * measured));
    }

    /// The current sending rate limit, requests per second.
    pub fn fill_rate(&self) -> f64 {
        self.fill_rate
    }

    fn zero_point(&self) -> f64 {
        (self.w_max * (1.0 - CUBIC_BETA) / CUBIC_SCALE).cbrt()
    }

    fn set_fill_rate(&mut self, rate: f64) {
        let rate = rate.max(MIN_FILL_RATE);
        self.max_capacity = rate.max(1.0);
        self.capacity = self.capacity.min(self.max_capacity);
        self.fill_rate = rate;
    }

    fn refill(&mut self, now: f64) {
        if let Some(last) = self.last_refill {
            let filled = (now - last).max(0.0) * self.fill_rate;
            self.capacity = (self.capacity + filled).min(self.max_capacity);
        }
        self.last_refill = Some(now);
    }

    fn record_send(&mut self, now: f64) -> f64 {
        let bucket = (now * RATE_BUCKETS_PER_SEC).floor() / RATE_BUCKETS_PER_SEC;
        self.bucket_count += 1.0;
        if bucket > self.last_bucket {
            let rate = self.bucket_count / (bucket - self.last_bucket);
            self.measured_rate =
                rate * RATE_SMOOTHING + self.measured_rate * (1.0 - RATE_SMOOTHING);
            self.bucket_count = 0.0;
            self.last_bucket = bucket;
        }
        self.measured_rate
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use RetryMode::{Adaptive, Legacy, Standard};

    fn response(status: u16, code: &str) -> Outcome<'_> {
        Outcome::Response {
            status,
            code: Some(code),
            message: Some("m"),
        }
    }

    /// Every status and code class against every mode.
    #[test]
    fn the_classifier_follows_each_mode() {
        let cases: &[(Outcome, bool, bool)] = &[
            // (outcome, legacy retries, standard/adaptive retries)
            (Outcome::ConnectError, true, true),
            (Outcome::Timeout, true, true),
            (Outcome::ConnectionClosed, true, true),
            (Outcome::Tls, false, false),
            (response(500, "InternalFailure"), true, true),
            (response(502, "502"), true, true),
            (response(503, "ServiceUnavailable"), true, true),
            (response(504, "504"), true, true),
            (response(501, "501"), false, false),
            (response(509, "509"), true, false),
            (response(429, "429"), true, false),
            (response(400, "ThrottlingException"), true, true),
            (response(400, "Throttling"), true, true),
            (response(400, "ThrottledException"), true, true),
            (response(400, "RequestThrottledException"), true, true),
            (
                response(400, "ProvisionedThroughputExceededException"),
                true,
                true,
            ),
            (response(400, "TooManyRequestsException"), false, true),
            (response(400, "LimitExceededException"), false, true),
            (response(400, "SlowDown"), false, true),
            (response(400, "RequestTimeout"), false, true),
            (response(408, "RequestTimeoutException"), false, true),
            (response(400, "PriorRequestNotComplete"), false, true),
            (response(400, "ClientLimitExceededException"), true, true),
            (
                Outcome::Response {
                    status: 400,
                    code: Some("ClientLimitExceededException"),
                    message: Some("Exceeded the maximum number of Viewers for the channel"),
                },
                false,
                false,
            ),
            (response(400, "InvalidArgumentException"), false, false),
            (response(403, "InvalidSignatureException"), false, false),
            (response(403, "UnrecognizedClientException"), false, false),
            (response(404, "ResourceNotFoundException"), false, false),
            (response(401, "AccessDeniedException"), false, false),
            (response(301, "301"), false, false),
            (
                Outcome::Response {
                    status: 400,
                    code: None,
                    message: None,
                },
                false,
                false,
            ),
        ];
        for (outcome, legacy, standard) in cases {
            assert_eq!(is_retryable(Legacy, outcome), *legacy, "legacy {outcome:?}");
            assert_eq!(
                is_retryable(Standard, outcome),
                *standard,
                "standard {outcome:?}"
            );
            assert_eq!(
                is_retryable(Adaptive, outcome),
                *standard,
                "adaptive {outcome:?}"
            );
        }
    }

    #[test]
    fn throttling_is_recognised_for_the_rate_limiter() {
        assert!(is_throttling(&response(400, "ThrottlingException")));
        assert!(is_throttling(&response(
            400,
            "ClientLimitExceededException"
        )));
        assert!(!is_throttling(&response(500, "InternalFailure")));
        assert!(!is_throttling(&Outcome::Timeout));
    }

    #[test]
    fn backoff_is_full_jitter_capped_at_twenty_seconds_except_legacy() {
        assert_eq!(backoff(Standard, 1, 1.0), Duration::from_secs(1));
        assert_eq!(backoff(Standard, 2, 1.0), Duration::from_secs(2));
        assert_eq!(backoff(Standard, 3, 0.5), Duration::from_secs(2));
        assert_eq!(backoff(Standard, 6, 1.0), Duration::from_secs(20));
        assert_eq!(backoff(Adaptive, 40, 1.0), Duration::from_secs(20));
        assert_eq!(backoff(Legacy, 6, 1.0), Duration::from_secs(32));
        assert_eq!(backoff(Legacy, 1, 0.0), Duration::ZERO);
    }

    #[test]
    fn the_quota_runs_out_and_refills_on_success() {
        let mut quota = RetryQuota::new();
        let mut retries = 0;
        while quota.acquire(&response(500, "x")) {
            retries += 1;
        }
        assert_eq!(retries, 100);
        quota.release_on_success();
        assert_eq!(quota.available(), 5);
        quota.release_on_success();
        assert_eq!(quota.available(), 6);

        let mut quota = RetryQuota::new();
        assert!(quota.acquire(&Outcome::Timeout));
        assert_eq!(quota.available(), 490);
        quota.release_on_success();
        assert_eq!(quota.available(), 500);
        quota.release_on_success();
        assert_eq!(quota.available(), 500, "capped at capacity");
    }

    #[test]
    fn the_rate_limiter_starts_off_and_slows_down_after_throttling() {
        let mut limiter = ClientRateLimiter::new();
        assert_eq!(limiter.delay_before_send(0.0), Duration::ZERO);
        for i in 0..20 {
            limiter.on_response(i as f64 * 0.1, false);
        }
        assert_eq!(limiter.delay_before_send(2.0), Duration::ZERO, "still off");
        limiter.on_response(2.1, true);
        let throttled_rate = limiter.fill_rate();
        assert!(throttled_rate >= MIN_FILL_RATE);
        // Now enabled: back-to-back sends must wait for tokens.
        let first = limiter.delay_before_send(2.2);
        let second = limiter.delay_before_send(2.2);
        assert!(first + second > Duration::ZERO);
        // Successes let the rate grow back.
        for i in 0..40 {
            limiter.on_response(3.0 + i as f64 * 0.25, false);
        }
        assert!(limiter.fill_rate() >= throttled_rate);
    }
}
