//! [`SocialPlatform`]: what the engine asks of a platform, and the shared
//! error vocabulary adapters translate into.

use crate::clock::Timestamp;
use crate::credentials::Credentials;
use crate::domain::{DisconnectReason, MediaKind};
use crate::ids::{PlatformAccountId, PlatformPostId};
use crate::metrics::{Metric, MetricSet, Metrics};
use crate::platform::Platform;
use async_trait::async_trait;
use std::fmt::Debug;
use std::sync::Arc;

/// How a platform's credentials are refreshed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefreshModel {
    /// No refresh token: the access token refreshes itself, only once it is
    /// `min_age` old and before it expires (Instagram).
    SelfRefreshing {
        /// The youngest token that may be refreshed.
        min_age: chrono::TimeDelta,
    },
    /// A refresh token that is replaced at every refresh (TikTok).
    RotatingRefreshToken,
    /// A refresh token that stays (Google: the reply usually has none).
    StableRefreshToken,
}

/// What a platform can do, asked at run time.
#[derive(Debug, Clone)]
pub struct Capabilities {
    /// The most post ids one `fetch_metrics` call takes.
    pub max_batch: usize,
    /// Posts per listing page.
    pub page_size: usize,
    /// The metrics it can report, whatever the media kind.
    pub metrics: MetricSet,
    /// How credentials are refreshed.
    pub refresh: RefreshModel,
}

/// The account a connection reads.
#[derive(Debug, Clone, Copy)]
pub struct AccountRef<'a> {
    /// The platform account id.
    pub account_id: &'a PlatformAccountId,
    /// The credentials to call with.
    pub credentials: &'a Credentials,
}

/// A post as a platform lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlatformPost {
    /// Its platform id.
    pub id: PlatformPostId,
    /// When it became public; `None` when it is not public yet (not monitored yet).
    pub published_at: Option<Timestamp>,
    /// Media kind.
    pub kind: MediaKind,
    /// Title (TikTok, YouTube).
    pub title: Option<String>,
    /// Caption or description.
    pub text: String,
    /// YouTube keyword tags.
    pub keyword_tags: Vec<String>,
    /// A permanent link.
    pub permalink: Option<String>,
}

/// An opaque page cursor (never persisted).
#[derive(Clone, PartialEq, Eq)]
pub struct PageCursor(pub String);

impl Debug for PageCursor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Cursors may embed request state; keep them out of logs.
        f.write_str("PageCursor(..)")
    }
}

/// One page of a listing, newest first.
#[derive(Debug, Clone)]
pub struct PostPage {
    /// The posts, newest first.
    pub posts: Vec<PlatformPost>,
    /// The next page's cursor; `None` at the end.
    pub next: Option<PageCursor>,
}

/// One post's reading from a batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostReading {
    /// The post.
    pub id: PlatformPostId,
    /// The values (absent where not given).
    pub metrics: Metrics,
    /// Metrics the platform refused for this post's kind (absent from now on).
    pub unsupported: MetricSet,
    /// Permissions missing for some metrics (the connection is degraded).
    pub missing_permissions: Vec<String>,
    /// What the platform sent that could not be read: an invalid value of
    /// one metric (negative, fractional, not a number, beyond 2^53), or an
    /// error about this post alone. Those metrics are absent from
    /// `metrics`; the rest of the reading lands, and the engine counts the
    /// problems on the connection's health.
    pub problems: Vec<ReadingProblem>,
}

impl PostReading {
    /// A reading of `id` with these values, nothing refused or missing.
    pub fn new(id: PlatformPostId, metrics: Metrics) -> PostReading {
        PostReading {
            id,
            metrics,
            unsupported: MetricSet::EMPTY,
            missing_permissions: Vec::new(),
            problems: Vec::new(),
        }
    }
}

/// Part of a post's reading that could not be taken (ARCHITECTURE.md §4:
/// one bad value is that metric's, one post's error is that post's).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadingProblem {
    /// The metric whose value was invalid; `None` when the problem is the
    /// whole post's (an error the platform gave about it alone).
    pub metric: Option<Metric>,
    /// What was wrong, for the connection's health (never a secret).
    pub reason: String,
}

impl ReadingProblem {
    /// An invalid value of `metric`.
    pub fn invalid(metric: Metric, reason: impl Into<String>) -> ReadingProblem {
        ReadingProblem {
            metric: Some(metric),
            reason: reason.into(),
        }
    }

    /// An error about the whole post.
    pub fn post(reason: impl Into<String>) -> ReadingProblem {
        ReadingProblem {
            metric: None,
            reason: reason.into(),
        }
    }
}

impl std::fmt::Display for ReadingProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.metric {
            Some(m) => write!(f, "{}: {}", m.name(), self.reason),
            None => f.write_str(&self.reason),
        }
    }
}

/// The answer to a batch read.
#[derive(Debug, Clone, Default)]
pub struct MetricsBatch {
    /// Readings of the posts the platform returned.
    pub readings: Vec<PostReading>,
    /// Ids asked for and not in the answer (deleted, private, or a suspect token).
    pub missing: Vec<PlatformPostId>,
    /// Ids whose own read failed for now (a per-post call that timed out or
    /// answered garbage): those posts alone are retried later; every other
    /// post of the call lands.
    pub failed: Vec<(PlatformPostId, PlatformError)>,
}

/// The account a token belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountInfo {
    /// The platform account id.
    pub id: PlatformAccountId,
    /// Handle or title.
    pub handle: String,
    /// How many posts the account has, as the platform counts them
    /// (Instagram `media_count`, TikTok `video_count`, YouTube
    /// `videoCount`); `None` when the platform gave none or an invalid one.
    /// The deletion guard allows deleting posts only as far as it falls.
    pub post_count: Option<u64>,
}

/// A media-kind-aware request for metrics: the ids and their kinds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetricsRequest {
    /// Post id.
    pub id: PlatformPostId,
    /// Its media kind (the metric set depends on it).
    pub kind: MediaKind,
}

/// A platform, as the engine uses it. One value serves every connection of
/// that platform; the connection's credentials come with each call.
#[async_trait]
pub trait SocialPlatform: Debug + Send + Sync + 'static {
    /// Which platform this is.
    fn platform(&self) -> Platform;
    /// Its limits and abilities.
    fn capabilities(&self) -> Capabilities;
    /// One page of the account's posts, newest first.
    async fn list_posts(
        &self,
        account: AccountRef<'_>,
        cursor: Option<PageCursor>,
    ) -> Result<PostPage, PlatformError>;
    /// Metrics of up to `capabilities().max_batch` posts.
    async fn fetch_metrics(
        &self,
        account: AccountRef<'_>,
        posts: &[MetricsRequest],
    ) -> Result<MetricsBatch, PlatformError>;
    /// One post; `Ok(None)` when the platform says it does not exist.
    async fn get_post(
        &self,
        account: AccountRef<'_>,
        id: &PlatformPostId,
    ) -> Result<Option<PlatformPost>, PlatformError>;
    /// The account itself (a control read: is the token healthy?).
    async fn get_account(&self, account: AccountRef<'_>) -> Result<AccountInfo, PlatformError>;
    /// New credentials. For a rotating refresh token the old one is dead once
    /// this returns.
    async fn refresh_credentials(
        &self,
        account: AccountRef<'_>,
    ) -> Result<Credentials, PlatformError>;
}

#[async_trait]
impl<P: SocialPlatform + ?Sized> SocialPlatform for Arc<P> {
    fn platform(&self) -> Platform {
        (**self).platform()
    }
    fn capabilities(&self) -> Capabilities {
        (**self).capabilities()
    }
    async fn list_posts(
        &self,
        account: AccountRef<'_>,
        cursor: Option<PageCursor>,
    ) -> Result<PostPage, PlatformError> {
        (**self).list_posts(account, cursor).await
    }
    async fn fetch_metrics(
        &self,
        account: AccountRef<'_>,
        posts: &[MetricsRequest],
    ) -> Result<MetricsBatch, PlatformError> {
        (**self).fetch_metrics(account, posts).await
    }
    async fn get_post(
        &self,
        account: AccountRef<'_>,
        id: &PlatformPostId,
    ) -> Result<Option<PlatformPost>, PlatformError> {
        (**self).get_post(account, id).await
    }
    async fn get_account(&self, account: AccountRef<'_>) -> Result<AccountInfo, PlatformError> {
        (**self).get_account(account).await
    }
    async fn refresh_credentials(
        &self,
        account: AccountRef<'_>,
    ) -> Result<Credentials, PlatformError> {
        (**self).refresh_credentials(account).await
    }
}

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
