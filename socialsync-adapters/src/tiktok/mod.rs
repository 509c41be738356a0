//! TikTok: Login Kit (OAuth v2) and Display API v2.
//!
//! - listing: `POST /v2/video/list/` paging by `cursor` (Unix
//!   **milliseconds**) while `has_more` (short pages happen; `create_time`
//!   is in **seconds**);
//! - metrics: `POST /v2/video/query/` with up to 20 ids; ids absent from the
//!   answer (deleted, private, not owned) are reported missing;
//! - tokens: every refresh rotates the refresh token (the old one dies);
//!   lifetimes come from `expires_in` / `refresh_expires_in`;
//! - rate: 600 requests per minute per endpoint for the whole app, taken
//!   from the shared budget before calling;
//! - the `authorization.removed` webhook ([`webhook`]).

pub(crate) mod classify;
mod connect;
pub(crate) mod model;
pub mod webhook;

pub use classify::classify;
pub use connect::TIKTOK_SCOPES;
pub use model::{parse_video_list, parse_video_query};

use crate::common::{BuildError, Common, base_url, common_builder_methods, endpoint_url};
use crate::http::{BudgetSpec, Dialect, Http, Window};
use async_trait::async_trait;
use chrono::TimeDelta;
use reqwest::header::HeaderMap;
use secrecy::ExposeSecret;
use socialsync_core::clock::Timestamp;
use socialsync_core::credentials::Credentials;
use socialsync_core::domain::DisconnectReason;
use socialsync_core::ids::PlatformPostId;
use socialsync_core::metrics::{Metric, MetricSet};
use socialsync_core::platform::Platform;
use socialsync_core::platform::{
    AccountInfo, AccountRef, Capabilities, MetricsBatch, MetricsRequest, PageCursor, PlatformError,
    PlatformErrorKind, PlatformPost, PostPage, RefreshModel, SocialPlatform,
};
use std::sync::Arc;

/// The most ids `video/query` takes.
pub const MAX_QUERY_IDS: usize = 20;
/// The most videos one `video/list` page holds.
pub const MAX_PAGE_SIZE: usize = 20;
/// TikTok's documented limit: requests per minute per endpoint.
pub const REQUESTS_PER_MINUTE: u64 = 600;

static DIALECT: Dialect = Dialect {
    platform: Platform::TikTok,
    check: classify::check,
    throttle_until,
};

/// The longest access-token life TikTok documents (24 hours; 2 hours today).
const MAX_ACCESS_LIFETIME: TimeDelta = TimeDelta::hours(24);
/// The longest refresh-token life TikTok documents (365 days; 180 today).
const MAX_REFRESH_LIFETIME: TimeDelta = TimeDelta::days(365);

/// TikTok sends no `Retry-After`: wait out the sliding minute.
fn throttle_until(_e: &PlatformError, _h: &HeaderMap, now: Timestamp) -> Option<Timestamp> {
    Some(now + TimeDelta::seconds(60))
}

/// TikTok's API host.
const DEFAULT_BASE_URL: &str = "https://open.tiktokapis.com";
/// TikTok's consent page.
const DEFAULT_AUTHORIZE_URL: &str = "https://www.tiktok.com/v2/auth/authorize/";

/// Builds a [`TikTok`].
///
/// Endpoints: by default TikTok's own hosts.
/// [`with_base_url`](TikTokBuilder::with_base_url) serves every endpoint
/// from one origin, laid out as TikTok lays them out;
/// [`with_authorize_url`](TikTokBuilder::with_authorize_url) overrides the
/// consent page, which lives on another host in production.
#[derive(Debug, Clone)]
pub struct TikTokBuilder {
    common: Common,
    base_url: Option<String>,
    authorize_url: Option<String>,
    page_size: usize,
    per_window: u64,
    window: TimeDelta,
    pkce: bool,
}

impl Default for TikTokBuilder {
    fn default() -> Self {
        TikTokBuilder {
            common: Common::default(),
            base_url: None,
            authorize_url: None,
            page_size: MAX_PAGE_SIZE,
            per_window: REQUESTS_PER_MINUTE / 2,
            window: TimeDelta::minutes(1),
            pkce: false,
        }
    }
}

impl TikTokBuilder {
    common_builder_methods!();

    /// One origin serving every endpoint, laid out as TikTok lays them out
    /// (a proxy, the sandbox, a test server): `{url}/v2/oauth/token/`,
    /// `{url}/v2/user/info/`, `{url}/v2/video/list/`,
    /// `{url}/v2/video/query/` and the consent page `{url}/v2/auth/authorize/`.
    /// Default: `https://open.tiktokapis.com`, with the consent page at
    /// `https://www.tiktok.com/v2/auth/authorize/`.
    #[must_use]
    pub fn with_base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// The consent page, overriding the one the base URL gives (default
    /// `https://www.tiktok.com/v2/auth/authorize/`).
    #[must_use]
    pub fn with_authorize_url(mut self, url: impl Into<String>) -> Self {
        self.authorize_url = Some(url.into());
        self
    }

    /// Videos per listing page (1–20, default 20).
    #[must_use]
    pub fn with_page_size(mut self, n: usize) -> Self {
        self.page_size = n;
        self
    }

    /// Requests per endpoint granted in each fixed window, app-wide
    /// (default 300 per minute: fixed windows of half the limit keep every
    /// sliding minute within TikTok's 600).
    #[must_use]
    pub fn with_rate_limit(mut self, requests: u64, window: TimeDelta) -> Self {
        self.per_window = requests;
        self.window = window;
        self
    }

    /// Sends a PKCE challenge with the consent request (TikTok asks it of
    /// desktop and mobile apps).
    #[must_use]
    pub fn with_pkce(mut self, yes: bool) -> Self {
        self.pkce = yes;
        self
    }

    /// Builds the adapter.
    pub fn build(self) -> Result<TikTok, BuildError> {
        if self.page_size == 0 || self.page_size > MAX_PAGE_SIZE {
            return Err(BuildError::InvalidSetting {
                name: "page_size",
                reason: format!("{} is not within 1..={MAX_PAGE_SIZE}", self.page_size),
            });
        }
        if self.per_window == 0 || self.window <= TimeDelta::zero() {
            return Err(BuildError::InvalidSetting {
                name: "rate_limit",
                reason: "requests and window must be positive".into(),
            });
        }
        let app = self.common.app()?;
        let base = base_url("base", self.base_url.as_deref().unwrap_or(DEFAULT_BASE_URL))?;
        let authorize_url = match (&self.authorize_url, &self.base_url) {
            (Some(u), _) => u.clone(),
            (None, Some(_)) => format!("{base}/v2/auth/authorize/"),
            (None, None) => DEFAULT_AUTHORIZE_URL.to_owned(),
        };
        Ok(TikTok {
            inner: Arc::new(Inner {
                http: self.common.build_http(&DIALECT)?,
                app,
                base_url: base,
                authorize_url: endpoint_url("authorize", &authorize_url)?,
                page_size: self.page_size,
                per_window: self.per_window,
                window: self.window,
                pkce: self.pkce,
            }),
        })
    }
}

/// The TikTok adapter. Cheap to clone.
#[derive(Debug, Clone)]
pub struct TikTok {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    http: Http,
    app: crate::AppCredentials,
    base_url: String,
    authorize_url: String,
    page_size: usize,
    per_window: u64,
    window: TimeDelta,
    pkce: bool,
}

impl TikTok {
    /// A builder with the production endpoints.
    pub fn builder() -> TikTokBuilder {
        TikTokBuilder::default()
    }

    fn err(&self, endpoint: &'static str, kind: PlatformErrorKind) -> PlatformError {
        self.inner.http.error(endpoint, kind)
    }

    fn budget(&self, endpoint: &'static str) -> BudgetSpec {
        BudgetSpec {
            key: format!("tiktok:{endpoint}"),
            window: Window::Fixed(self.inner.window),
            limit: self.inner.per_window,
            cost: 1,
        }
    }

    /// A data call; the permission a scope error names follows the endpoint.
    async fn call(
        &self,
        endpoint: &'static str,
        build: &(dyn Fn(&reqwest::Client) -> reqwest::RequestBuilder + Send + Sync),
    ) -> Result<Vec<u8>, PlatformError> {
        let budget = self.budget(endpoint);
        match self
            .inner
            .http
            .send(endpoint, Some(&budget), None, build)
            .await
        {
            Ok(r) => Ok(r.body),
            Err(mut e) => {
                if let PlatformErrorKind::PermissionMissing(p) = &mut e.kind {
                    *p = if endpoint == "user.info" {
                        "user.info.basic".into()
                    } else {
                        "video.list".into()
                    };
                }
                Err(e)
            }
        }
    }

    async fn query(
        &self,
        account: AccountRef<'_>,
        ids: &[&str],
        fields: &str,
    ) -> Result<Vec<u8>, PlatformError> {
        let url = format!("{}/v2/video/query/", self.inner.base_url);
        let body = serde_json::json!({ "filters": { "video_ids": ids } });
        let token = account.credentials.access_token();
        let build = |c: &reqwest::Client| {
            c.post(&url)
                .query(&[("fields", fields)])
                .bearer_auth(token)
                .json(&body)
        };
        self.call("video.query", &build).await
    }

    /// The account of a token (open_id and display name).
    pub(crate) async fn user(
        &self,
        credentials: &Credentials,
    ) -> Result<AccountInfo, PlatformError> {
        let url = format!("{}/v2/user/info/", self.inner.base_url);
        let token = credentials.access_token();
        // `video_count` needs `user.info.stats`; asking for it without the
        // scope fails the whole call (`scope_permission_missed`).
        let stats = credentials
            .granted_scopes
            .iter()
            .any(|s| s == connect::USER_STATS_SCOPE);
        let fields = if stats {
            "open_id,union_id,avatar_url,display_name,video_count"
        } else {
            "open_id,union_id,avatar_url,display_name"
        };
        let build =
            |c: &reqwest::Client| c.get(&url).query(&[("fields", fields)]).bearer_auth(token);
        let body = self.call("user.info", &build).await?;
        Ok(model::account(model::parse_user(&body)?))
    }

    /// Posts a form to the token endpoint and reads the (flat) answer.
    pub(crate) async fn token_call(
        &self,
        form: &[(&str, &str)],
        previous: Option<&Credentials>,
    ) -> Result<(Credentials, Option<String>), PlatformError> {
        const EP: &str = "oauth.token";
        let url = format!("{}/v2/oauth/token/", self.inner.base_url);
        let build = |c: &reqwest::Client| c.post(&url).form(form);
        let reply = self.inner.http.send(EP, None, None, &build).await?;
        let t: model::TokenReply = crate::http::decode(Platform::TikTok, EP, &reply.body)?;
        Ok(model::credentials(t, previous, self.inner.http.now()))
    }
}

#[async_trait]
impl SocialPlatform for TikTok {
    fn platform(&self) -> Platform {
        Platform::TikTok
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities {
            max_batch: MAX_QUERY_IDS,
            page_size: self.inner.page_size,
            metrics: MetricSet::of(&[
                Metric::Views,
                Metric::Likes,
                Metric::Comments,
                Metric::Shares,
            ]),
            refresh: RefreshModel::RotatingRefreshToken,
            public_batch: 0,
        }
    }

    async fn list_posts(
        &self,
        account: AccountRef<'_>,
        cursor: Option<PageCursor>,
    ) -> Result<PostPage, PlatformError> {
        let url = format!("{}/v2/video/list/", self.inner.base_url);
        let mut body = serde_json::json!({ "max_count": self.inner.page_size });
        if let Some(c) = cursor {
            let ms: i64 = c.0.parse().map_err(|_| {
                self.err("video.list", PlatformErrorKind::InvalidResponse)
                    .with_detail("cursor is not a millisecond timestamp")
            })?;
            body["cursor"] = ms.into();
        }
        let token = account.credentials.access_token();
        let build = |c: &reqwest::Client| {
            c.post(&url)
                .query(&[("fields", model::LIST_FIELDS)])
                .bearer_auth(token)
                .json(&body)
        };
        let body = self.call("video.list", &build).await?;
        parse_video_list(&body)
    }

    async fn fetch_metrics(
        &self,
        account: AccountRef<'_>,
        posts: &[MetricsRequest],
    ) -> Result<MetricsBatch, PlatformError> {
        let mut batch = MetricsBatch::default();
        for chunk in posts.chunks(MAX_QUERY_IDS) {
            let ids: Vec<&str> = chunk.iter().map(|r| r.id.as_str()).collect();
            let body = self.query(account, &ids, model::METRIC_FIELDS).await?;
            let part = parse_video_query(&body, chunk)?;
            batch.readings.extend(part.readings);
            batch.missing.extend(part.missing);
        }
        Ok(batch)
    }

    async fn get_post(
        &self,
        account: AccountRef<'_>,
        id: &PlatformPostId,
    ) -> Result<Option<PlatformPost>, PlatformError> {
        let body = self
            .query(account, &[id.as_str()], model::LIST_FIELDS)
            .await?;
        let (posts, unreadable) = model::parse_video_query_posts(&body)?;
        if let Some(p) = posts.into_iter().find(|p| p.id == *id) {
            return Ok(Some(p));
        }
        if unreadable.iter().any(|u| u == id.as_str()) {
            // There, but unreadable: not "gone".
            return Err(self
                .err("video.query", PlatformErrorKind::InvalidResponse)
                .with_detail("the video's item could not be decoded"));
        }
        Ok(None)
    }

    async fn get_account(&self, account: AccountRef<'_>) -> Result<AccountInfo, PlatformError> {
        self.user(account.credentials).await
    }

    async fn refresh_credentials(
        &self,
        account: AccountRef<'_>,
    ) -> Result<Credentials, PlatformError> {
        const EP: &str = "oauth.token";
        let current = account.credentials;
        let now = self.inner.http.now();
        let Some(refresh) = current.refresh_token() else {
            return Err(self
                .err(
                    EP,
                    PlatformErrorKind::TokenInvalid(DisconnectReason::RefreshRejected),
                )
                .with_detail("no refresh token"));
        };
        if current.refresh_expires_at.is_some_and(|e| e <= now) {
            return Err(self
                .err(
                    EP,
                    PlatformErrorKind::TokenInvalid(DisconnectReason::RefreshRejected),
                )
                .with_detail("the refresh token expired"));
        }
        let secret = self.inner.app.client_secret.expose_secret();
        let form = [
            ("client_key", self.inner.app.client_id.as_str()),
            ("client_secret", secret),
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh),
        ];
        let (fresh, _) = self.token_call(&form, Some(current)).await?;
        Ok(fresh)
    }
}
