//! [`SocialPlatform`]: what the engine asks of a platform, and what it
//! answers.

use super::{Platform, PlatformError};
use crate::clock::Timestamp;
use crate::credentials::Credentials;
use crate::domain::MediaKind;
use crate::ids::{PlatformAccountId, PlatformPostId};
use crate::metrics::{Metric, MetricSet, Metrics};
use async_trait::async_trait;
use std::fmt::Debug;
use std::sync::Arc;

/// How a platform's credentials are refreshed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
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
    /// The most post ids one
    /// [`fetch_public_metrics`](SocialPlatform::fetch_public_metrics) call
    /// takes, whoever's posts they are; 0 when the platform reads no post
    /// without its creator's token.
    pub public_batch: usize,
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
    /// Metrics of up to `capabilities().public_batch` public posts of any
    /// accounts, read with the app's own key rather than a creator's token
    /// (YouTube: one call for 50 videos of 50 channels). A post the answer
    /// leaves out is reported missing: it may be private, unlisted or gone,
    /// which only its creator's token can tell, so the engine reads it
    /// that way ([`fetch_metrics`](SocialPlatform::fetch_metrics)) and
    /// never judges a post by this answer's silence.
    ///
    /// The default reads nothing publicly: every post is missing.
    async fn fetch_public_metrics(
        &self,
        posts: &[MetricsRequest],
    ) -> Result<MetricsBatch, PlatformError> {
        Ok(MetricsBatch {
            missing: posts.iter().map(|p| p.id.clone()).collect(),
            ..MetricsBatch::default()
        })
    }
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
    async fn fetch_public_metrics(
        &self,
        posts: &[MetricsRequest],
    ) -> Result<MetricsBatch, PlatformError> {
        (**self).fetch_public_metrics(posts).await
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
