//! YouTube: Data API v3 with Google OAuth.
//!
//! - listing: the uploads playlist from `channels.list(mine)` (remembered
//!   per account), `playlistItems.list` paging by `nextPageToken`; the
//!   publish time is `contentDetails.videoPublishedAt`, and a video that is
//!   not public yet has none (not monitored yet); keyword tags come from
//!   `videos.list(snippet)` for scopes that opt in;
//! - metrics: `videos.list?part=statistics` with up to 50 ids; counters
//!   are JSON strings; hidden likes or comments are absent; ids absent from
//!   the answer are reported missing;
//! - public metrics (with an API key, [`YouTubeBuilder::with_api_key`]):
//!   `videos:batchGetStats?part=statistics`, 50 ids of any channels a call,
//!   sent with the app's key (`X-Goog-Api-Key`, never in the URL) and paid
//!   from its own daily bucket (10 000 calls by default); private,
//!   unlisted and deleted videos are left out and read with the creator's
//!   token;
//! - tokens: Google usually returns no new refresh token: the stored one
//!   is kept;
//! - quota: every call costs units of the project's daily quota (reset at
//!   midnight Pacific time), taken from the shared budget before calling.

pub(crate) mod classify;
mod connect;
pub(crate) mod model;
pub(crate) mod quota;

pub use classify::classify;
pub use connect::YOUTUBE_SCOPES;
pub use model::{
    ChannelInfo, UploadsPage, parse_batch_get_stats, parse_channels, parse_playlist_items,
    parse_time, parse_videos_statistics,
};
pub use quota::next_quota_reset;

use crate::common::{BuildError, Common, base_url, common_builder_methods, endpoint_url};
use crate::http::{BudgetSpec, Dialect, Http, Window};
use async_trait::async_trait;
use secrecy::ExposeSecret;
use socialsync_core::credentials::Credentials;
use socialsync_core::domain::DisconnectReason;
use socialsync_core::ids::{PlatformAccountId, PlatformPostId};
use socialsync_core::metrics::{Metric, MetricSet};
use socialsync_core::platform::Platform;
use socialsync_core::platform::{
    AccountInfo, AccountRef, Capabilities, MetricsBatch, MetricsRequest, PageCursor, PlatformError,
    PlatformErrorKind, PlatformPost, PostPage, RefreshModel, SocialPlatform,
};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// The most ids `videos.list` takes.
pub const MAX_VIDEO_IDS: usize = 50;
/// The most items a `playlistItems.list` page holds.
pub const MAX_PAGE_SIZE: usize = 50;
/// The default daily project quota, in units.
pub const DEFAULT_DAILY_QUOTA: u64 = 10_000;
/// The default daily bucket of `videos:batchGetStats`, in calls.
pub const DEFAULT_BATCH_STATS_QUOTA: u64 = 10_000;

static DIALECT: Dialect = Dialect {
    platform: Platform::YouTube,
    check: classify::check,
    throttle_until: classify::throttle_until,
};

/// Builds a [`YouTube`].
///
/// Endpoints: by default Google's own hosts.
/// [`with_base_url`](YouTubeBuilder::with_base_url) serves every endpoint
/// from one origin, laid out as Google lays them out;
/// [`with_token_url`](YouTubeBuilder::with_token_url) and
/// [`with_authorize_url`](YouTubeBuilder::with_authorize_url) override the
/// two that live on other hosts in production.
#[derive(Debug, Clone)]
pub struct YouTubeBuilder {
    common: Common,
    base_url: Option<String>,
    token_url: Option<String>,
    authorize_url: Option<String>,
    page_size: usize,
    daily_quota: u64,
    keyword_tags: bool,
    api_key: Option<secrecy::SecretString>,
    batch_stats_quota: u64,
}

impl Default for YouTubeBuilder {
    fn default() -> Self {
        YouTubeBuilder {
            common: Common::default(),
            base_url: None,
            token_url: None,
            authorize_url: None,
            page_size: MAX_PAGE_SIZE,
            daily_quota: DEFAULT_DAILY_QUOTA,
            keyword_tags: true,
            api_key: None,
            batch_stats_quota: DEFAULT_BATCH_STATS_QUOTA,
        }
    }
}

impl YouTubeBuilder {
    common_builder_methods!();

    /// One origin serving every endpoint, laid out as Google lays them out
    /// (a proxy, the sandbox, a test server): the Data API under
    /// `{url}/youtube/v3/`, the token endpoint `{url}/token` and the
    /// consent page `{url}/o/oauth2/v2/auth`. Default: the Data API at
    /// `https://www.googleapis.com`, tokens at `https://oauth2.googleapis.com`,
    /// consent at `https://accounts.google.com`.
    #[must_use]
    pub fn with_base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// The token endpoint (code exchange and refresh), overriding the one
    /// the base URL gives (default `https://oauth2.googleapis.com/token`).
    #[must_use]
    pub fn with_token_url(mut self, url: impl Into<String>) -> Self {
        self.token_url = Some(url.into());
        self
    }

    /// The consent page, overriding the one the base URL gives (default
    /// `https://accounts.google.com/o/oauth2/v2/auth`).
    #[must_use]
    pub fn with_authorize_url(mut self, url: impl Into<String>) -> Self {
        self.authorize_url = Some(url.into());
        self
    }

    /// Items per uploads page (1–50, default 50).
    #[must_use]
    pub fn with_page_size(mut self, n: usize) -> Self {
        self.page_size = n;
        self
    }

    /// The project's daily quota in units (default 10 000), shared by every
    /// worker through the budget.
    #[must_use]
    pub fn with_daily_quota(mut self, units: u64) -> Self {
        self.daily_quota = units;
        self
    }

    /// The app's API key (a Google Cloud key of the same project): public
    /// videos of any channels are then read 50 a call with it
    /// ([`SocialPlatform::fetch_public_metrics`]), from the separate daily
    /// bucket of `videos:batchGetStats`, instead of one call per channel
    /// from the project quota. Without one, every read uses the creator's
    /// token.
    #[must_use]
    pub fn with_api_key(mut self, key: impl Into<String>) -> Self {
        self.api_key = Some(secrecy::SecretString::from(key.into()));
        self
    }

    /// The daily bucket of `videos:batchGetStats` in calls (default
    /// 10 000), shared by every worker through the budget.
    #[must_use]
    pub fn with_batch_stats_quota(mut self, calls: u64) -> Self {
        self.batch_stats_quota = calls;
        self
    }

    /// Whether listing reads each page's keyword tags and privacy with one
    /// `videos.list(snippet,status)` call (default yes).
    #[must_use]
    pub fn with_keyword_tags(mut self, yes: bool) -> Self {
        self.keyword_tags = yes;
        self
    }

    /// Builds the adapter.
    pub fn build(self) -> Result<YouTube, BuildError> {
        if self.page_size == 0 || self.page_size > MAX_PAGE_SIZE {
            return Err(BuildError::InvalidSetting {
                name: "page_size",
                reason: format!("{} is not within 1..={MAX_PAGE_SIZE}", self.page_size),
            });
        }
        if self.daily_quota == 0 {
            return Err(BuildError::InvalidSetting {
                name: "daily_quota",
                reason: "must be positive".into(),
            });
        }
        if self
            .api_key
            .as_ref()
            .is_some_and(|k| k.expose_secret().trim().is_empty())
        {
            return Err(BuildError::InvalidSetting {
                name: "api_key",
                reason: "is empty".into(),
            });
        }
        let app = self.common.app()?;
        let base = self
            .base_url
            .as_deref()
            .map(|u| base_url("base", u))
            .transpose()?;
        let host = |default: &str| base.clone().unwrap_or_else(|| default.to_owned());
        let api_base = format!("{}/youtube/v3", host("https://www.googleapis.com"));
        let token_url = match &self.token_url {
            Some(u) => endpoint_url("token", u)?,
            None => format!("{}/token", host("https://oauth2.googleapis.com")),
        };
        let authorize_url = match &self.authorize_url {
            Some(u) => endpoint_url("authorize", u)?,
            None => format!("{}/o/oauth2/v2/auth", host("https://accounts.google.com")),
        };
        Ok(YouTube {
            inner: Arc::new(Inner {
                http: self.common.build_http(&DIALECT)?,
                app,
                api_base,
                token_url,
                authorize_url,
                page_size: self.page_size,
                daily_quota: self.daily_quota,
                keyword_tags: self.keyword_tags,
                api_key: self.api_key,
                batch_stats_quota: self.batch_stats_quota,
                uploads: Mutex::new(HashMap::new()),
            }),
        })
    }
}

/// The YouTube adapter. Cheap to clone.
#[derive(Debug, Clone)]
pub struct YouTube {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    http: Http,
    app: crate::AppCredentials,
    api_base: String,
    token_url: String,
    authorize_url: String,
    page_size: usize,
    daily_quota: u64,
    keyword_tags: bool,
    api_key: Option<secrecy::SecretString>,
    batch_stats_quota: u64,
    /// Uploads playlist per channel.
    uploads: Mutex<HashMap<String, String>>,
}

impl YouTube {
    /// A builder with the production endpoints.
    pub fn builder() -> YouTubeBuilder {
        YouTubeBuilder::default()
    }

    fn err(&self, endpoint: &'static str, kind: PlatformErrorKind) -> PlatformError {
        self.inner.http.error(endpoint, kind)
    }

    /// A Data API GET, paid from the project quota first.
    async fn get(
        &self,
        endpoint: &'static str,
        credentials: &Credentials,
        path: &str,
        query: &[(&str, &str)],
    ) -> Result<Vec<u8>, PlatformError> {
        let budget = BudgetSpec {
            key: "youtube:quota".into(),
            window: Window::PacificDay,
            limit: self.inner.daily_quota,
            cost: 1,
        };
        let url = format!("{}/{}", self.inner.api_base, path);
        let token = credentials.access_token();
        let build = |c: &reqwest::Client| c.get(&url).query(query).bearer_auth(token);
        Ok(self
            .inner
            .http
            .send(endpoint, Some(&budget), None, &build)
            .await?
            .body)
    }

    /// The caller's channel (snippet and uploads playlist).
    async fn channel(&self, credentials: &Credentials) -> Result<ChannelInfo, PlatformError> {
        let body = self
            .get(
                "channels.list",
                credentials,
                "channels",
                &[
                    ("part", "snippet,contentDetails,statistics"),
                    ("mine", "true"),
                ],
            )
            .await?;
        let channel = parse_channels(&body)?.ok_or_else(|| {
            self.err("channels.list", PlatformErrorKind::NotFound)
                .with_detail("the Google account has no YouTube channel")
        })?;
        if let Some(u) = &channel.uploads {
            self.inner
                .uploads
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .insert(channel.id.clone(), u.clone());
        }
        Ok(channel)
    }

    async fn uploads_playlist(&self, account: AccountRef<'_>) -> Result<String, PlatformError> {
        let cached = self
            .inner
            .uploads
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(account.account_id.as_str())
            .cloned();
        if let Some(p) = cached {
            return Ok(p);
        }
        let body = self
            .get(
                "channels.list",
                account.credentials,
                "channels",
                &[("part", "contentDetails"), ("mine", "true")],
            )
            .await?;
        let channel = parse_channels(&body)?.ok_or_else(|| {
            self.err("channels.list", PlatformErrorKind::NotFound)
                .with_detail("the Google account has no YouTube channel")
        })?;
        let uploads = channel.uploads.ok_or_else(|| {
            self.err("channels.list", PlatformErrorKind::InvalidResponse)
                .with_detail("the channel names no uploads playlist")
        })?;
        self.inner
            .uploads
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(account.account_id.as_str().to_owned(), uploads.clone());
        Ok(uploads)
    }

    pub(crate) fn credentials_from(
        &self,
        t: model::TokenReply,
        previous: Option<&Credentials>,
    ) -> Credentials {
        model::credentials(t, previous, self.inner.http.now())
    }

    pub(crate) async fn token_call(
        &self,
        form: &[(&str, &str)],
    ) -> Result<model::TokenReply, PlatformError> {
        const EP: &str = "oauth.token";
        let url = self.inner.token_url.clone();
        let build = |c: &reqwest::Client| c.post(&url).form(form);
        let reply = self.inner.http.send(EP, None, None, &build).await?;
        crate::http::decode(Platform::YouTube, EP, &reply.body)
    }
}

/// A listing cursor: the uploads playlist and Google's page token.
fn cursor_of(playlist: &str, token: &str) -> PageCursor {
    PageCursor(format!("{playlist} {token}"))
}

#[async_trait]
impl SocialPlatform for YouTube {
    fn platform(&self) -> Platform {
        Platform::YouTube
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities {
            max_batch: MAX_VIDEO_IDS,
            page_size: self.inner.page_size,
            metrics: MetricSet::of(&[
                Metric::Views,
                Metric::Likes,
                Metric::Comments,
                Metric::Dislikes,
            ]),
            refresh: RefreshModel::StableRefreshToken,
            public_batch: if self.inner.api_key.is_some() {
                MAX_VIDEO_IDS
            } else {
                0
            },
        }
    }

    async fn list_posts(
        &self,
        account: AccountRef<'_>,
        cursor: Option<PageCursor>,
    ) -> Result<PostPage, PlatformError> {
        let (playlist, token) = match &cursor {
            Some(c) => match c.0.split_once(' ') {
                Some((p, t)) => (p.to_owned(), Some(t.to_owned())),
                None => {
                    return Err(self
                        .err("playlistItems.list", PlatformErrorKind::InvalidResponse)
                        .with_detail("unreadable cursor"));
                }
            },
            None => (self.uploads_playlist(account).await?, None),
        };
        let size = self.inner.page_size.to_string();
        let mut query = vec![
            ("part", "snippet,contentDetails,status"),
            ("playlistId", playlist.as_str()),
            ("maxResults", size.as_str()),
        ];
        if let Some(t) = &token {
            query.push(("pageToken", t.as_str()));
        }
        let body = match self
            .get(
                "playlistItems.list",
                account.credentials,
                "playlistItems",
                &query,
            )
            .await
        {
            Ok(b) => b,
            Err(e) => {
                if e.kind == PlatformErrorKind::NotFound {
                    // The playlist is gone: ask the channel again next time.
                    self.inner
                        .uploads
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .remove(account.account_id.as_str());
                }
                return Err(e);
            }
        };
        let page = parse_playlist_items(&body)?;
        let mut posts = page.posts;
        if self.inner.keyword_tags && !posts.is_empty() {
            let ids: Vec<&str> = posts.iter().map(|p| p.id.as_str()).collect();
            let ids = ids.join(",");
            let body = self
                .get(
                    "videos.list",
                    account.credentials,
                    "videos",
                    &[("part", "snippet,status"), ("id", ids.as_str())],
                )
                .await?;
            let details = model::parse_video_details(&body)?;
            for p in &mut posts {
                if let Some(d) = details.get(p.id.as_str()) {
                    p.keyword_tags = d.tags.clone();
                    if d.private {
                        p.published_at = None;
                    }
                }
            }
        }
        Ok(PostPage {
            posts,
            next: page.next_page_token.map(|t| cursor_of(&playlist, &t)),
        })
    }

    async fn fetch_metrics(
        &self,
        account: AccountRef<'_>,
        posts: &[MetricsRequest],
    ) -> Result<MetricsBatch, PlatformError> {
        let mut batch = MetricsBatch::default();
        for chunk in posts.chunks(MAX_VIDEO_IDS) {
            let ids: Vec<&str> = chunk.iter().map(|r| r.id.as_str()).collect();
            let ids = ids.join(",");
            let body = self
                .get(
                    "videos.list",
                    account.credentials,
                    "videos",
                    &[("part", "statistics"), ("id", ids.as_str())],
                )
                .await?;
            let part = parse_videos_statistics(&body, chunk)?;
            batch.readings.extend(part.readings);
            batch.missing.extend(part.missing);
        }
        Ok(batch)
    }

    async fn fetch_public_metrics(
        &self,
        posts: &[MetricsRequest],
    ) -> Result<MetricsBatch, PlatformError> {
        const EP: &str = "videos.batchGetStats";
        let Some(key) = &self.inner.api_key else {
            return Ok(MetricsBatch {
                missing: posts.iter().map(|p| p.id.clone()).collect(),
                ..MetricsBatch::default()
            });
        };
        let budget = BudgetSpec {
            key: "youtube:batch-stats".into(),
            window: Window::PacificDay,
            limit: self.inner.batch_stats_quota,
            cost: 1,
        };
        let url = format!("{}/videos:batchGetStats", self.inner.api_base);
        let mut batch = MetricsBatch::default();
        for chunk in posts.chunks(MAX_VIDEO_IDS) {
            let ids: Vec<&str> = chunk.iter().map(|r| r.id.as_str()).collect();
            let ids = ids.join(",");
            let query = [("part", "statistics"), ("id", ids.as_str())];
            let build = |c: &reqwest::Client| {
                c.get(&url)
                    .query(&query)
                    .header("X-Goog-Api-Key", key.expose_secret())
            };
            let body = self
                .inner
                .http
                .send(EP, Some(&budget), None, &build)
                .await?
                .body;
            let part = parse_batch_get_stats(&body, chunk)?;
            batch.readings.extend(part.readings);
            batch.missing.extend(part.missing);
            batch.failed.extend(part.failed);
        }
        Ok(batch)
    }

    async fn get_post(
        &self,
        account: AccountRef<'_>,
        id: &PlatformPostId,
    ) -> Result<Option<PlatformPost>, PlatformError> {
        let body = self
            .get(
                "videos.list",
                account.credentials,
                "videos",
                &[("part", "snippet,status"), ("id", id.as_str())],
            )
            .await?;
        Ok(model::parse_video_details(&body)?
            .remove(id.as_str())
            .map(|d| d.post))
    }

    async fn get_account(&self, account: AccountRef<'_>) -> Result<AccountInfo, PlatformError> {
        let c = self.channel(account.credentials).await?;
        Ok(AccountInfo {
            handle: c.title.unwrap_or_else(|| c.id.clone()),
            post_count: c.video_count,
            id: PlatformAccountId::from(c.id),
        })
    }

    async fn refresh_credentials(
        &self,
        account: AccountRef<'_>,
    ) -> Result<Credentials, PlatformError> {
        let current = account.credentials;
        let Some(refresh) = current.refresh_token() else {
            return Err(self
                .err(
                    "oauth.token",
                    PlatformErrorKind::TokenInvalid(DisconnectReason::RefreshRejected),
                )
                .with_detail("no refresh token"));
        };
        let secret = self.inner.app.client_secret.expose_secret();
        let form = [
            ("client_id", self.inner.app.client_id.as_str()),
            ("client_secret", secret),
            ("refresh_token", refresh),
            ("grant_type", "refresh_token"),
        ];
        let t = self.token_call(&form).await?;
        Ok(self.credentials_from(t, Some(current)))
    }
}
