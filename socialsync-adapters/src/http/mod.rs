//! The HTTP layer the platforms share: budgets taken before each call,
//! timeouts, bounded bodies, retries with backoff that honour `Retry-After`,
//! and errors that never carry a URL (URLs may hold tokens).

mod settings;

pub use settings::{HttpSettings, RetrySettings};

use chrono::TimeDelta;
use reqwest::header::HeaderMap;
use serde::de::DeserializeOwned;
use socialsync_core::clock::{Clock, Timestamp};
use socialsync_core::metrics::{Metric, Metrics};
use socialsync_core::platform::Platform;
use socialsync_core::platform::{LimitReach, PlatformError, PlatformErrorKind, ReadingProblem};
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
    /// What spending the budget stops, and so how long it is honoured.
    pub(crate) fn reach(self) -> LimitReach {
        match self {
            Window::Fixed(len) if len <= TimeDelta::minutes(1) => LimitReach::Minute,
            Window::Fixed(_) => LimitReach::Platform,
            #[cfg(feature = "youtube")]
            Window::PacificDay => LimitReach::DailyQuota,
        }
    }

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
        config: Option<crate::common::ClientConfig>,
        settings: HttpSettings,
        clock: Arc<dyn Clock>,
        budget: Arc<dyn SharedBudget>,
        dialect: &'static Dialect,
    ) -> Result<Http, reqwest::Error> {
        let mut builder = reqwest::Client::builder()
            .user_agent(concat!("socialsync/", env!("CARGO_PKG_VERSION")));
        if let Some(config) = config {
            builder = config(builder);
        }
        // Set last, so nothing the host configured overrides them.
        let client = builder
            .redirect(reqwest::redirect::Policy::none())
            .referer(false)
            .connect_timeout(settings.connect_timeout)
            .timeout(settings.timeout)
            .build()?;
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
                            reach: b.window.reach(),
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
        let request = match build(&self.client).timeout(self.settings.timeout).build() {
            Ok(r) => r,
            Err(e) => return Err((self.transport_error(endpoint, &e), None)),
        };
        // What the request carries as credentials is never quoted back in
        // an error, whatever the platform (or a proxy) echoes.
        let secrets = sent_secrets(&request);
        self.exchange(endpoint, observe, request)
            .await
            .map_err(|(e, retry_after)| (without_secrets(e, &secrets), retry_after))
    }

    /// Sends `request` and reads the answer.
    async fn exchange(
        &self,
        endpoint: &'static str,
        observe: Option<Observer<'_>>,
        request: reqwest::Request,
    ) -> Result<Reply, (PlatformError, Option<Duration>)> {
        let response = match self.client.execute(request).await {
            Ok(r) => r,
            Err(e) => return Err((self.transport_error(endpoint, &e), None)),
        };
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        if let Some(o) = observe {
            o(&headers);
        }
        let retry_after = retry_after(&headers, self.clock.now());
        if (300..400).contains(&status) {
            // Followed, it would carry the token or the client secret to
            // wherever `Location` points.
            tracing::debug!(platform = %self.dialect.platform, endpoint, status, "redirect refused");
            return Err((
                self.error(endpoint, PlatformErrorKind::InvalidResponse)
                    .with_detail(format!(
                        "redirected (HTTP {status}); redirects are not followed"
                    )),
                None,
            ));
        }
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
                if let PlatformErrorKind::RateLimited { until, reach } = &mut err.kind {
                    // Whatever the platform named is bounded by the limit's
                    // reach; only YouTube's documented daily reset is
                    // taken as the adapter computes it.
                    let named = match *reach {
                        LimitReach::DailyQuota => until.or(hint),
                        r => until
                            .or_else(|| retry_after.map(|d| r.after(now, d)))
                            .or(hint),
                    };
                    *until = Some(reach.bound(now, named));
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

/// The largest count taken from a platform ([`Metrics::MAX_VALUE`]).
pub(crate) const MAX_COUNT: u64 = Metrics::MAX_VALUE;

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

/// A counter as a platform sent it: any JSON value (or none), judged when
/// read, so one bad value is that metric's, never the whole answer's.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(transparent)]
pub(crate) struct Count(Option<serde_json::Value>);

impl Count {
    /// The value: `Ok(None)` when absent or `null`; an error naming what
    /// was wrong when it is negative, fractional, not a number or beyond
    /// [`MAX_COUNT`]. A JSON number or a string of digits (YouTube) is read;
    /// a whole number written with a fraction (`12.0`) is that number.
    pub(crate) fn read(&self) -> Result<Option<u64>, &'static str> {
        let v = match &self.0 {
            None | Some(serde_json::Value::Null) => return Ok(None),
            Some(v) => v,
        };
        let n = match v {
            serde_json::Value::Number(n) => match (n.as_u64(), n.as_f64()) {
                (Some(u), _) => u,
                (None, _) if n.is_i64() => return Err("negative"),
                (None, Some(f)) if f < 0.0 => return Err("negative"),
                (None, Some(f)) if f.fract() != 0.0 => return Err("fractional"),
                (None, Some(f)) if f <= MAX_COUNT as f64 => f as u64,
                _ => return Err("beyond 2^53"),
            },
            serde_json::Value::String(s) => {
                let s = s.trim();
                if let Some(rest) = s.strip_prefix('-') {
                    // "-0" is 0, as the JSON number -0 is.
                    if !rest.is_empty() && rest.bytes().all(|b| b == b'0') {
                        return Ok(Some(0));
                    }
                    if !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_digit()) {
                        return Err("negative");
                    }
                }
                if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
                    return Err("not a number");
                }
                s.parse::<u64>().map_err(|_| "beyond 2^53")?
            }
            _ => return Err("not a number"),
        };
        if n > MAX_COUNT {
            return Err("beyond 2^53");
        }
        Ok(Some(n))
    }

    /// The value when it is a valid count; `None` when absent or invalid
    /// (for figures that only advise, such as usage percentages).
    pub(crate) fn lenient(&self) -> Option<u64> {
        self.read().ok().flatten()
    }

    /// Sets `metric` in `metrics` from this value, or records why it is
    /// absent in `problems`.
    pub(crate) fn set_into(
        &self,
        metric: Metric,
        metrics: &mut Metrics,
        problems: &mut Vec<ReadingProblem>,
    ) {
        match self.read() {
            Ok(v) => metrics.set(metric, v),
            Err(why) => {
                metrics.set(metric, None);
                problems.push(ReadingProblem::invalid(metric, why));
            }
        }
    }
}

/// A JSON array whose items are decoded one by one: an item that does not
/// decode is left out and counted, never the whole answer's failure.
#[derive(Debug)]
pub(crate) struct Each<T> {
    /// The items that decoded.
    pub(crate) items: Vec<T>,
    /// How many did not.
    pub(crate) undecodable: usize,
    /// The ids of those that did not but named one (`id` as text or a
    /// number): such an item is there, unreadable, never "missing".
    pub(crate) undecodable_ids: Vec<String>,
}

impl<T> Default for Each<T> {
    fn default() -> Self {
        Each {
            items: Vec::new(),
            undecodable: 0,
            undecodable_ids: Vec::new(),
        }
    }
}

impl<'de, T: DeserializeOwned> serde::Deserialize<'de> for Each<T> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = Option::<Vec<serde_json::Value>>::deserialize(d)?.unwrap_or_default();
        let mut out = Each {
            items: Vec::with_capacity(raw.len()),
            ..Each::default()
        };
        for v in raw {
            let id = match v.get("id") {
                Some(serde_json::Value::String(s)) => Some(s.clone()),
                Some(serde_json::Value::Number(n)) => Some(n.to_string()),
                _ => None,
            };
            match serde_json::from_value(v) {
                Ok(t) => out.items.push(t),
                Err(_) => {
                    out.undecodable += 1;
                    out.undecodable_ids.extend(id);
                }
            }
        }
        Ok(out)
    }
}

/// A whole number of seconds or milliseconds as a platform sent it (a JSON
/// integer, or a string of digits); anything else is `None`.
pub(crate) fn whole_number(v: Option<&serde_json::Value>) -> Option<i64> {
    match v? {
        serde_json::Value::Number(n) => n.as_i64(),
        serde_json::Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// A lifetime a platform named in seconds (`expires_in`): a positive JSON
/// number (a fraction rounds down) or a string of digits, clamped to `max`,
/// the platform's documented maximum (a token is then refreshed early,
/// never late). Zero, negative or not a number: `None`.
pub(crate) fn lifetime(v: Option<&serde_json::Value>, max: TimeDelta) -> Option<TimeDelta> {
    let max_secs = u64::try_from(max.num_seconds()).unwrap_or(0);
    let secs = match v? {
        serde_json::Value::Number(n) => match (n.as_u64(), n.as_f64()) {
            (Some(u), _) => u,
            (None, Some(f)) if f.is_finite() && f >= 1.0 => {
                if f >= max_secs as f64 {
                    max_secs
                } else {
                    f as u64
                }
            }
            _ => return None,
        },
        serde_json::Value::String(s) => {
            let s = s.trim();
            if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            s.parse::<u64>().unwrap_or(u64::MAX)
        }
        _ => return None,
    };
    let secs = i64::try_from(secs.min(max_secs)).ok()?;
    (secs > 0).then(|| TimeDelta::seconds(secs))
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

/// The credentials `r` carries: a bearer token, an API key header, and
/// the credential fields of its query or form body.
fn sent_secrets(r: &reqwest::Request) -> Vec<String> {
    const FIELDS: [&str; 8] = [
        "access_token",
        "refresh_token",
        "client_secret",
        "code",
        "code_verifier",
        "key",
        "fb_exchange_token",
        "input_token",
    ];
    let mut out = Vec::new();
    for (name, value) in r.headers() {
        let Ok(v) = value.to_str() else { continue };
        if name == reqwest::header::AUTHORIZATION {
            out.push(v.split_once(' ').map_or(v, |(_, t)| t).trim().to_owned());
        } else if name.as_str() == "x-goog-api-key" {
            out.push(v.to_owned());
        }
    }
    let mut fields = |pairs: url::form_urlencoded::Parse<'_>| {
        for (k, v) in pairs {
            if FIELDS.contains(&k.as_ref()) {
                out.push(v.into_owned());
            }
        }
    };
    fields(r.url().query_pairs());
    if let Some(body) = r.body().and_then(|b| b.as_bytes()) {
        fields(url::form_urlencoded::parse(body));
    }
    out
}

/// `e` without any of `secrets` in its detail, even cut short by the
/// detail's trimming.
pub(crate) fn without_secrets(mut e: PlatformError, secrets: &[String]) -> PlatformError {
    const SHORTEST: usize = 4;
    let Some(d) = &mut e.detail else { return e };
    for secret in secrets.iter().filter(|s| s.len() >= SHORTEST) {
        if d.contains(secret.as_str()) {
            *d = d.replace(secret.as_str(), "<redacted>");
        }
        // A trimmed detail may end inside the secret.
        if let Some(k) = (SHORTEST..secret.len())
            .rev()
            .find(|&k| secret.is_char_boundary(k) && d.ends_with(&secret[..k]))
        {
            d.truncate(d.len() - k);
            d.push_str("<redacted>");
        }
    }
    e
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
    use super::{TimeDelta, account_count, lifetime};

    #[test]
    fn counts_are_whole_numbers_within_two_to_the_53_or_a_reason() {
        let c = |v: serde_json::Value| super::Count(Some(v)).read();
        assert_eq!(c(json!(12)), Ok(Some(12)));
        assert_eq!(c(json!("48211")), Ok(Some(48211)));
        assert_eq!(c(json!(12.0)), Ok(Some(12)));
        assert_eq!(c(json!(null)), Ok(None));
        assert_eq!(super::Count(None).read(), Ok(None));
        assert_eq!(c(json!((1_u64 << 53) - 1)), Ok(Some((1 << 53) - 1)));
        assert_eq!(c(json!(1_u64 << 53)), Ok(Some(1 << 53)));
        assert_eq!(c(json!((1_u64 << 53) + 1)), Err("beyond 2^53"));
        assert_eq!(c(json!(u64::MAX)), Err("beyond 2^53"));
        assert_eq!(c(json!(1e300)), Err("beyond 2^53"));
        assert_eq!(c(json!("18446744073709551621")), Err("beyond 2^53"));
        assert_eq!(c(json!(-1)), Err("negative"));
        assert_eq!(c(json!(-1.5)), Err("negative"));
        assert_eq!(c(json!("-3")), Err("negative"));
        assert_eq!(c(json!(12.5)), Err("fractional"));
        assert_eq!(c(json!("12.5")), Err("not a number"));
        assert_eq!(c(json!("lots")), Err("not a number"));
        assert_eq!(c(json!("")), Err("not a number"));
        assert_eq!(c(json!(true)), Err("not a number"));
        assert_eq!(c(json!([1])), Err("not a number"));
    }

    #[test]
    fn lifetimes_are_clamped_to_the_documented_maximum() {
        let max = TimeDelta::days(60);
        let l = |v: serde_json::Value| lifetime(Some(&v), max);
        assert_eq!(l(json!(3600)), Some(TimeDelta::hours(1)));
        assert_eq!(l(json!("3600")), Some(TimeDelta::hours(1)));
        assert_eq!(l(json!(5183999.9)), Some(TimeDelta::seconds(5_183_999)));
        assert_eq!(l(json!(i64::MAX)), Some(max));
        assert_eq!(l(json!(u64::MAX)), Some(max));
        assert_eq!(l(json!(1e300)), Some(max));
        assert_eq!(l(json!("99999999999999999999999999")), Some(max));
        assert_eq!(l(json!(0)), None);
        assert_eq!(l(json!(-5)), None);
        assert_eq!(l(json!(0.5)), None);
        assert_eq!(l(json!("1e9")), None);
        assert_eq!(l(json!(null)), None);
        assert_eq!(lifetime(None, max), None);
    }
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
