//! The shared error vocabulary adapters translate each platform's answers
//! into.

use super::Platform;
use crate::clock::Timestamp;
use crate::domain::DisconnectReason;
use crate::metrics::Metric;

/// What went wrong, by meaning.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PlatformErrorKind {
    /// The token is expired, revoked or otherwise gone: refresh once where
    /// the platform allows it, then disconnect. Not retryable.
    #[error("token invalid ({0})")]
    TokenInvalid(DisconnectReason),
    /// The creator did not grant a permission: degrade, do not disconnect.
    #[error("permission missing: {0}")]
    PermissionMissing(String),
    /// Throttled or out of quota until the instant given (when known).
    /// Retryable then; how long is bounded by the limit's reach
    /// ([`PlatformError::backoff_until`]).
    #[error("rate limited")]
    RateLimited {
        /// When calls may resume, as the platform said (untrusted).
        until: Option<Timestamp>,
        /// What the limit stops: one account, or the whole platform.
        reach: LimitReach,
    },
    /// The post does not exist (or cannot be seen): confirm before deleting.
    #[error("not found")]
    NotFound,
    /// A metric the platform no longer supports for this kind of post.
    #[error("metric not supported: {0}")]
    UnsupportedMetric(Metric),
    /// A server error, timeout or network failure. Retryable.
    #[error("platform unavailable")]
    Unavailable,
    /// The answer could not be understood. Retryable later.
    #[error("malformed answer")]
    InvalidResponse,
}

/// A platform call failed. Names the platform and the endpoint; never
/// carries a token or a URL with one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{platform} {endpoint}: {kind}{}", detail.as_deref().map(|d| format!(" — {d}")).unwrap_or_default())]
pub struct PlatformError {
    /// The platform.
    pub platform: Platform,
    /// The endpoint (a name, not a URL).
    pub endpoint: &'static str,
    /// What went wrong.
    pub kind: PlatformErrorKind,
    /// A safe detail (the platform's error message, trimmed).
    pub detail: Option<String>,
}

impl PlatformError {
    /// A new error.
    pub fn new(platform: Platform, endpoint: &'static str, kind: PlatformErrorKind) -> Self {
        PlatformError {
            platform,
            endpoint,
            kind,
            detail: None,
        }
    }

    /// With a detail.
    #[must_use]
    pub fn with_detail(mut self, detail: impl Into<String>) -> Self {
        let mut d: String = detail.into();
        if d.len() > 300 {
            let mut cut = 300;
            while !d.is_char_boundary(cut) {
                cut -= 1;
            }
            d.truncate(cut);
        }
        self.detail = Some(d);
        self
    }

    /// Whether trying again later may succeed.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self.kind,
            PlatformErrorKind::RateLimited { .. }
                | PlatformErrorKind::Unavailable
                | PlatformErrorKind::InvalidResponse
        )
    }

    /// When to try again, if the platform said (untrusted: see
    /// [`PlatformError::backoff_until`]).
    pub fn retry_after(&self) -> Option<Timestamp> {
        match self.kind {
            PlatformErrorKind::RateLimited { until, .. } => until,
            _ => None,
        }
    }

    /// For a rate limit, until when to back off from `now`: the time the
    /// platform named, bounded by the limit's reach ([`LimitReach::bound`]).
    pub fn backoff_until(&self, now: Timestamp) -> Option<Timestamp> {
        match self.kind {
            PlatformErrorKind::RateLimited { until, reach } => Some(reach.bound(now, until)),
            _ => None,
        }
    }
}

/// What a rate limit stops, and so how long it may be honoured
/// (ARCHITECTURE.md §4: a delay a platform names is capped by its reach, so
/// one absurd `Retry-After` never stops a platform for years).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum LimitReach {
    /// One account's budget (Instagram's per-user usage; a token too young
    /// to refresh): honoured up to 24 hours.
    Account,
    /// A per-minute limit of the app (TikTok's requests per minute per
    /// endpoint, YouTube's per-minute rate): the whole platform, up to
    /// 5 minutes.
    Minute,
    /// The app's or the project's whole budget (Instagram's app usage, a
    /// shared budget spent): the whole platform, up to 1 hour, then probed
    /// again.
    Platform,
    /// YouTube's daily project quota: the whole platform until its
    /// documented reset (next midnight Pacific time, at most 25 hours away).
    DailyQuota,
}

impl LimitReach {
    /// How long a delay of this reach is honoured at most.
    pub const fn cap(self) -> chrono::TimeDelta {
        match self {
            LimitReach::Account => chrono::TimeDelta::hours(24),
            LimitReach::Minute => chrono::TimeDelta::minutes(5),
            LimitReach::Platform => chrono::TimeDelta::hours(1),
            LimitReach::DailyQuota => chrono::TimeDelta::hours(25),
        }
    }

    /// How long a limit that named no time is honoured.
    pub const fn default_wait(self) -> chrono::TimeDelta {
        match self {
            LimitReach::Account | LimitReach::Platform => chrono::TimeDelta::minutes(15),
            LimitReach::Minute => chrono::TimeDelta::seconds(60),
            LimitReach::DailyQuota => chrono::TimeDelta::hours(1),
        }
    }

    /// Whether it stops every connection of the platform.
    pub const fn is_platform_wide(self) -> bool {
        !matches!(self, LimitReach::Account)
    }

    /// The instant calls may resume: `until` as named (or
    /// [`LimitReach::default_wait`] when none), at least a second and at
    /// most [`LimitReach::cap`] after `now`. Never overflows.
    pub fn bound(self, now: Timestamp, until: Option<Timestamp>) -> Timestamp {
        let earliest = now
            .checked_add(chrono::TimeDelta::seconds(1))
            .unwrap_or(now);
        let latest = now.checked_add(self.cap()).unwrap_or(Timestamp::MAX);
        let named = until.unwrap_or_else(|| now.checked_add(self.default_wait()).unwrap_or(latest));
        named.clamp(earliest, latest.max(earliest))
    }

    /// `now` plus a delay the platform named (seconds or minutes, any
    /// size), bounded as [`LimitReach::bound`] does. Never overflows.
    pub fn after(self, now: Timestamp, delay: std::time::Duration) -> Timestamp {
        let delay = chrono::TimeDelta::from_std(delay)
            .unwrap_or(chrono::TimeDelta::MAX)
            .min(self.cap());
        self.bound(now, now.checked_add(delay))
    }
}
