//! Timeouts and retry settings, shared by every adapter's builder.

use std::time::Duration;

/// How failed calls are retried within one adapter call.
#[derive(Debug, Clone)]
pub struct RetrySettings {
    /// Retries after the first try (transient errors, short rate limits).
    pub max_retries: u32,
    /// The first backoff; doubled at every retry.
    pub initial_backoff: Duration,
    /// The longest backoff.
    pub max_backoff: Duration,
    /// The longest `Retry-After` waited for in place; a longer one is
    /// returned as a rate limit with its instant.
    pub max_retry_wait: Duration,
}

impl Default for RetrySettings {
    fn default() -> Self {
        RetrySettings {
            max_retries: 2,
            initial_backoff: Duration::from_millis(250),
            max_backoff: Duration::from_secs(5),
            max_retry_wait: Duration::from_secs(10),
        }
    }
}

impl RetrySettings {
    /// No retry at all.
    pub fn none() -> RetrySettings {
        RetrySettings {
            max_retries: 0,
            ..RetrySettings::default()
        }
    }

    /// The backoff before retry number `attempt + 1`.
    pub(crate) fn backoff(&self, attempt: u32) -> Duration {
        let factor = 2u32.saturating_pow(attempt.min(16));
        self.initial_backoff
            .saturating_mul(factor)
            .min(self.max_backoff)
    }
}

/// Timeouts, limits and retries of an adapter's HTTP calls.
#[derive(Debug, Clone)]
pub struct HttpSettings {
    /// A whole request, response body included.
    pub timeout: Duration,
    /// Establishing a connection (only for the client the adapter builds).
    pub connect_timeout: Duration,
    /// The largest response body accepted.
    pub max_body_bytes: usize,
    /// Retries.
    pub retry: RetrySettings,
}

impl Default for HttpSettings {
    fn default() -> Self {
        HttpSettings {
            timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            max_body_bytes: 8 * 1024 * 1024,
            retry: RetrySettings::default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_cap() {
        let r = RetrySettings::default();
        assert_eq!(r.backoff(0), Duration::from_millis(250));
        assert_eq!(r.backoff(1), Duration::from_millis(500));
        assert_eq!(r.backoff(10), Duration::from_secs(5));
    }
}
