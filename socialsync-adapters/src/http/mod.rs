//! The HTTP layer the platforms share: budgets taken before each call,
//! timeouts, bounded bodies, retries with backoff that honour `Retry-After`,
//! and errors that never carry a URL (URLs may hold tokens).

mod settings;

pub use settings::{HttpSettings, RetrySettings};

use chrono::TimeDelta;
use reqwest::header::HeaderMap;
use serde::de::DeserializeOwned;
use socialsync_core::clock::{Clock, Timestamp};
use socialsync_core::platform::Platform;
use socialsync_core::social_platform::{PlatformError, PlatformErrorKind};
use socialsync_core::store::{BudgetDecision, BudgetRequest, SharedBudget};
use std::sync::Arc;
use std::time::Duration;

/// How a platform tells errors from successes.
pub(crate) struct Dialect {
    /// The platform.
    pub(crate) platform: Platform,
    /// `None` for a success, else the classified error (endpoint unset).
    pub(crate) check: fn(u16, &HeaderMap, &[u8]) -> Option<PlatformError>,
    /// When a rate limit without `Retry-After` ends, if the platform says.
    pub(crate) throttle_until: fn(&PlatformError, &HeaderMap, Timestamp) -> Option<Timestamp>,
}

/// The window a budget is counted in.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Window {
    /// Fixed windows of this length, aligned on the epoch.
    Fixed(TimeDelta),
    /// The calendar day in America/Los_Angeles (YouTube's quota day).
    #[cfg(feature = "youtube")]
    PacificDay,
}

impl Window {
    pub(crate) fn at(self, now: Timestamp) -> (Timestamp, Timestamp) {
        match self {
            Window::Fixed(len) => crate::budget::aligned_window(now, len),
            #[cfg(feature = "youtube")]
            Window::PacificDay => crate::youtube::quota::pacific_day(now),
        }
    }
}

/// A budget one call draws from.
#[derive(Debug, Clone)]
pub(crate) struct BudgetSpec {
    pub(crate) key: String,
    pub(crate) window: Window,
    pub(crate) limit: u64,
    pub(crate) cost: u64,
}

/// A response that passed the platform's check.
#[derive(Debug)]
pub(crate) struct Reply {
    pub(crate) body: Vec<u8>,
}

/// The shared client.
#[derive(Clone)]
pub(crate) struct Http {
    client: reqwest::Client,
    settings: HttpSettings,
    clock: Arc<dyn Clock>,
    budget: Arc<dyn SharedBudget>,
    dialect: &'static Dialect,
}

impl std::fmt::Debug for Http {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Http")
            .field("platform", &self.dialect.platform)
            .field("settings", &self.settings)
            .field("budget", &self.budget)
            .finish_non_exhaustive()
    }
}

/// A hook that sees every response's headers (usage headers).
pub(crate) type Observer<'a> = &'a (dyn Fn(&HeaderMap) + Send + Sync);

impl Http {
    pub(crate) fn new(
        client: Option<reqwest::Client>,
        settings: HttpSettings,
        clock: Arc<dyn Clock>,
        budget: Arc<dyn SharedBudget>,
        dialect: &'static Dialect,
    ) -> Result<Http, reqwest::Error> {
        let client = match client {
            Some(c) => c,
            None => reqwest::Client::builder()
                .connect_timeout(settings.connect_timeout)
                .timeout(settings.timeout)
                .user_agent(concat!("socialsync/", env!("CARGO_PKG_VERSION")))
                .build()?,
        };
        Ok(Http {
            client,
            settings,
            clock,
            budget,
            dialect,
        })
    }

    pub(crate) fn now(&self) -> Timestamp {
        self.clock.now()
    }

    pub(crate) fn error(&self, endpoint: &'static str, kind: PlatformErrorKind) -> PlatformError {
        PlatformError::new(self.dialect.platform, endpoint, kind)
    }

    /// Sends the request `build` makes, retrying transient failures.
    pub(crate) async fn send(
        &self,
        endpoint: &'static str,
        budget: Option<&BudgetSpec>,
        observe: Option<Observer<'_>>,
        build: &(dyn Fn(&reqwest::Client) -> reqwest::RequestBuilder + Send + Sync),
    ) -> Result<Reply, PlatformError> {
        let retry = &self.settings.retry;
        let mut attempt: u32 = 0;
        loop {
            if let Some(b) = budget {
                self.take_budget(endpoint, b).await?;
            }
            let outcome = self.attempt(endpoint, observe, build).await;
            let (err, retry_after) = match outcome {
                Ok(reply) => return Ok(reply),
                Err(e) => e,
            };
            let can_retry = attempt < retry.max_retries;
            let wait = match &err.kind {
                PlatformErrorKind::Unavailable if can_retry => Some(
                    retry_after
                        .filter(|d| *d <= retry.max_retry_wait)
                        .unwrap_or_else(|| retry.backoff(attempt)),
                ),
                PlatformErrorKind::RateLimited { .. } if can_retry => {
                    retry_after.filter(|d| *d <= retry.max_retry_wait)
                }
                _ => None,
            };
            match wait {
                Some(d) => {
                    tracing::debug!(
                        platform = %self.dialect.platform,
                        endpoint,
                        attempt,
                        wait_ms = d.as_millis() as u64,
                        kind = %err.kind,
                        "retrying"
                    );
                    tokio::time::sleep(d).await;
                    attempt += 1;
                }
                None => return Err(err),
            }
        }
    }

    async fn take_budget(
        &self,
        endpoint: &'static str,
        b: &BudgetSpec,
    ) -> Result<(), PlatformError> {
        let now = self.clock.now();
        let (window_start, window_end) = b.window.at(now);
        let decision = self
            .budget
            .acquire(BudgetRequest {
                key: b.key.clone(),
                window_start,
                window_end,
                limit: b.limit,
                cost: b.cost,
            })
            .await;
        match decision {
            Ok(BudgetDecision::Granted { .. }) => Ok(()),
            Ok(BudgetDecision::Exhausted { retry_at }) => {
                tracing::debug!(platform = %self.dialect.platform, endpoint, budget = %b.key, %retry_at, "budget spent; not calling");
                Err(self
                    .error(
                        endpoint,
                        PlatformErrorKind::RateLimited {
                            until: Some(retry_at),
                            platform_wide: true,
                        },
                    )
                    .with_detail(format!("shared budget {} spent", b.key)))
            }
            Err(e) => Err(self
                .error(endpoint, PlatformErrorKind::Unavailable)
                .with_detail(format!("budget store: {e}"))),
        }
    }

    /// One try: the error with the `Retry-After` delay, if any.
    async fn attempt(
        &self,
        endpoint: &'static str,
        observe: Option<Observer<'_>>,
        build: &(dyn Fn(&reqwest::Client) -> reqwest::RequestBuilder + Send + Sync),
    ) -> Result<Reply, (PlatformError, Option<Duration>)> {
        let request = build(&self.client).timeout(self.settings.timeout);
        let response = match request.send().await {
            Ok(r) => r,
            Err(e) => return Err((self.transport_error(endpoint, &e), None)),
        };
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        if let Some(o) = observe {
            o(&headers);
        }
        let retry_after = retry_after(&headers, self.clock.now());
        let body = match self.read_body(endpoint, response).await {
            Ok(b) => b,
            Err(e) => return Err((e, retry_after)),
        };
        tracing::debug!(platform = %self.dialect.platform, endpoint, status, bytes = body.len(), "response");
        match (self.dialect.check)(status, &headers, &body) {
            None => Ok(Reply { body }),
            Some(mut err) => {
                err.endpoint = endpoint;
                let now = self.clock.now();
                let hint = (self.dialect.throttle_until)(&err, &headers, now);
                if let PlatformErrorKind::RateLimited { until, .. } = &mut err.kind {
                    if until.is_none() {
                        *until = retry_after
                            .and_then(|d| TimeDelta::from_std(d).ok())
                            .map(|d| now + d)
                            .or(hint);
                    }
                }
                tracing::debug!(platform = %self.dialect.platform, endpoint, status, kind = %err.kind, "platform error");
                Err((err, retry_after))
            }
        }
    }

    async fn read_body(
        &self,
        endpoint: &'static str,
        mut response: reqwest::Response,
    ) -> Result<Vec<u8>, PlatformError> {
        let mut body = Vec::new();
        loop {
            match response.chunk().await {
                Ok(Some(chunk)) => {
                    if body.len() + chunk.len() > self.settings.max_body_bytes {
                        return Err(self
                            .error(endpoint, PlatformErrorKind::InvalidResponse)
                            .with_detail(format!(
                                "body larger than {} bytes",
                                self.settings.max_body_bytes
                            )));
                    }
                    body.extend_from_slice(&chunk);
                }
                Ok(None) => return Ok(body),
                Err(e) => return Err(self.transport_error(endpoint, &e)),
            }
        }
    }

    /// A transport failure, described without its URL.
    fn transport_error(&self, endpoint: &'static str, e: &reqwest::Error) -> PlatformError {
        let what = if e.is_timeout() {
            "timed out"
        } else if e.is_connect() {
            "could not connect"
        } else if e.is_body() || e.is_decode() {
            "body interrupted"
        } else if e.is_builder() {
            "request could not be built"
        } else {
            "request failed"
        };
        self.error(endpoint, PlatformErrorKind::Unavailable)
            .with_detail(what)
    }
}

/// `Retry-After` as a delay from `now` (seconds or an HTTP date).
pub(crate) fn retry_after(headers: &HeaderMap, now: Timestamp) -> Option<Duration> {
    let v = headers
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = chrono::DateTime::parse_from_rfc2822(v).ok()?;
    (Timestamp::from(at.with_timezone(&chrono::Utc)) - now)
        .to_std()
        .ok()
        .or(Some(Duration::ZERO))
}

/// The largest count taken from a platform: 2^53 (beyond, a JSON number
/// is not exact in most clients; a platform that sends more is wrong).
pub(crate) const MAX_COUNT: u64 = 1 << 53;

/// An account-level count (posts, followers) as a platform sends it: a
/// JSON number or a string of digits (YouTube). Negative, fractional,
/// non-numeric or larger than [`MAX_COUNT`] is no count at all.
pub(crate) fn account_count(v: Option<&serde_json::Value>) -> Option<u64> {
    let n = match v? {
        serde_json::Value::Number(n) => n.as_u64()?,
        serde_json::Value::String(s) => {
            let s = s.trim();
            if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            s.parse().ok()?
        }
        _ => return None,
    };
    (n <= MAX_COUNT).then_some(n)
}

/// Decodes a JSON body; the error names the failure's place, never the
/// content (a token answer must not leak into an error).
pub(crate) fn decode<T: DeserializeOwned>(
    platform: Platform,
    endpoint: &'static str,
    body: &[u8],
) -> Result<T, PlatformError> {
    serde_json::from_slice(body).map_err(|e| {
        PlatformError::new(platform, endpoint, PlatformErrorKind::InvalidResponse).with_detail(
            format!(
                "undecodable JSON ({:?} at line {} column {})",
                e.classify(),
                e.line(),
                e.column()
            ),
        )
    })
}

/// Trims a platform's message for an error detail.
pub(crate) fn detail(message: &str) -> String {
    let m = message.trim();
    let mut cut = m.len().min(200);
    while !m.is_char_boundary(cut) {
        cut -= 1;
    }
    m[..cut].to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_reads_seconds_and_dates() {
        let now: Timestamp = "2026-11-28T10:00:00Z".parse().unwrap();
        let mut h = HeaderMap::new();
        h.insert(reqwest::header::RETRY_AFTER, "7".parse().unwrap());
        assert_eq!(retry_after(&h, now), Some(Duration::from_secs(7)));
        h.insert(
            reqwest::header::RETRY_AFTER,
            "Sat, 28 Nov 2026 10:00:30 GMT".parse().unwrap(),
        );
        assert_eq!(retry_after(&h, now), Some(Duration::from_secs(30)));
        h.insert(reqwest::header::RETRY_AFTER, "soon".parse().unwrap());
        assert_eq!(retry_after(&h, now), None);
    }

    #[test]
    fn decode_errors_never_quote_the_body() {
        let body = br#"{"access_token": 12, "secret": "tok-SECRET"}"#;
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)]
        struct T {
            access_token: String,
        }
        let e = decode::<T>(Platform::TikTok, "oauth.token", body).unwrap_err();
        assert_eq!(e.kind, PlatformErrorKind::InvalidResponse);
        assert!(!e.to_string().contains("tok-SECRET"));
        assert!(!e.to_string().contains("12"), "{e}");
    }
}

#[cfg(test)]
mod count_tests {
    use super::account_count;
    use serde_json::json;

    #[test]
    fn account_counts_are_whole_numbers_within_two_to_the_53() {
        let c = |v: serde_json::Value| account_count(Some(&v));
        assert_eq!(c(json!(12)), Some(12));
        assert_eq!(c(json!("12")), Some(12));
        assert_eq!(c(json!(0)), Some(0));
        assert_eq!(c(json!(9_007_199_254_740_992_u64)), Some(1 << 53));
        assert_eq!(c(json!(9_007_199_254_740_993_u64)), None);
        assert_eq!(c(json!(-1)), None);
        assert_eq!(c(json!(1.5)), None);
        assert_eq!(c(json!("-3")), None);
        assert_eq!(c(json!("1e3")), None);
        assert_eq!(c(json!("")), None);
        assert_eq!(c(json!(null)), None);
        assert_eq!(c(json!([1])), None);
        assert_eq!(account_count(None), None);
    }
}
