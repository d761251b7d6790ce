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
