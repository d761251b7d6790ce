//! Retry policy: modes, the retryable-error classifier, backoff and the retry quota.

use std::str::FromStr;

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
// SCRATCH STUB
pub enum Outcome<'a> {
    ConnectError,
    Timeout,
    ConnectionClosed,
    Tls,
    Response {
        status: u16,
        code: Option<&'a str>,
        message: Option<&'a str>,
    },
}
pub fn is_retryable(_m: RetryMode, o: &Outcome) -> bool {
    !matches!(o, Outcome::Response{status, ..} if *status < 500)
}
pub fn is_throttling(_o: &Outcome) -> bool {
    false
}
pub fn backoff(_m: RetryMode, a: u32, r: f64) -> std::time::Duration {
    std::time::Duration::from_secs_f64(r * 2f64.powi(a as i32 - 1))
}
pub struct RetryQuota;
impl RetryQuota {
    pub fn new() -> Self {
        RetryQuota
    }
    pub fn acquire(&mut self, _o: &Outcome) -> bool {
        true
    }
    pub fn release_on_success(&mut self) {}
}
pub struct ClientRateLimiter;
impl ClientRateLimiter {
    pub fn new() -> Self {
        ClientRateLimiter
    }
    pub fn delay_before_send(&mut self, _n: f64) -> std::time::Duration {
        std::time::Duration::ZERO
    }
    pub fn on_response(&mut self, _n: f64, _t: bool) {}
}
