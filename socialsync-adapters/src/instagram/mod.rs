//! Instagram: the Instagram API with Instagram Login (graph.instagram.com),
//! or the Facebook-Login flavour (graph.facebook.com) by configuration.
//!
//! - listing: `/me/media` with cursor paging; cursors live only for one
//!   listing (never persisted) and are rebuilt against the configured base
//!   URL — `paging.next` (it carries the token) is never followed or logged;
//! - metrics: one insights call per media, the metric set chosen by media
//!   product type; no deprecated metric is ever asked; a metric Meta
//!   rejects is dropped (and remembered for that kind) while the others land;
//!   a story's "not enough viewers" leaves its metrics absent; without the
//!   insights permission the node's counters are read and the connection is
//!   reported degraded;
//! - tokens: no refresh token; the 60-day token refreshes itself once it is
//!   24 hours old and before it expires;
//! - pacing: `X-Business-Use-Case-Usage` / `X-App-Usage` pause the account
//!   (or the app) before Meta throttles it; throttling errors pause it too.

pub(crate) mod classify;
mod connect;
mod insights;
mod metric_sets;
pub(crate) mod model;
mod usage;

pub use classify::classify;
pub use connect::{FACEBOOK_LOGIN_SCOPES, INSTAGRAM_LOGIN_SCOPES};
pub use metric_sets::{DEPRECATED_METRICS, insights_metrics};
pub use model::{parse_insights, parse_media_page, parse_timestamp};
pub use usage::{Usage, UsagePolicy, read_usage};

use crate::common::{BuildError, Common, base_url, common_builder_methods, endpoint_url};
use crate::http::{Dialect, Http};
use async_trait::async_trait;
use chrono::TimeDelta;
use reqwest::header::HeaderMap;
use socialsync_core::clock::Timestamp;
use socialsync_core::credentials::Credentials;
use socialsync_core::domain::{DisconnectReason, MediaKind};
use socialsync_core::ids::{PlatformAccountId, PlatformPostId};
use socialsync_core::metrics::{Metric, MetricSet};
use socialsync_core::platform::Platform;
use socialsync_core::platform::{
    AccountInfo, AccountRef, Capabilities, LimitReach, MetricsBatch, MetricsRequest, PageCursor,
    PlatformError, PlatformErrorKind, PlatformPost, PostPage, RefreshModel, SocialPlatform,
};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use usage::Pacer;

/// Which login the app uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Flavor {
    /// Instagram API with Instagram Login: graph.instagram.com, `/me`,
    /// self-refreshing 60-day tokens.
    #[default]
    InstagramLogin,
    /// Instagram API with Facebook Login: graph.facebook.com, the IG user
    /// id in paths, long-lived tokens that cannot be refreshed server-side.
    FacebookLogin,
}

/// How long an account pauses after a throttling error without a regain time.
const DEFAULT_THROTTLE_WAIT: std::time::Duration = std::time::Duration::from_secs(15 * 60);

static DIALECT: Dialect = Dialect {
    platform: Platform::Instagram,
    check: classify::check,
    throttle_until,
};

fn throttle_until(e: &PlatformError, headers: &HeaderMap, now: Timestamp) -> Option<Timestamp> {
    let reach = match e.kind {
        PlatformErrorKind::RateLimited { reach, .. } => reach,
        _ => LimitReach::Account,
    };
    let wait = read_usage(headers)
        .regain_minutes
        .map(usage::minutes)
        .unwrap_or(DEFAULT_THROTTLE_WAIT);
    Some(reach.after(now, wait))
}

/// The Graph API version every call names.
const GRAPH_VERSION: &str = "v25.0";

/// Builds an [`Instagram`].
///
/// Endpoints: by default the platform's own hosts for the chosen
/// [`Flavor`]. [`with_base_url`](InstagramBuilder::with_base_url) serves
/// every endpoint from one origin, laid out as Meta lays them out;
/// [`with_token_url`](InstagramBuilder::with_token_url) and
/// [`with_authorize_url`](InstagramBuilder::with_authorize_url) override
/// the two that live on another host in production.
#[derive(Debug, Clone)]
pub struct InstagramBuilder {
    common: Common,
    flavor: Flavor,
    base_url: Option<String>,
    token_url: Option<String>,
    authorize_url: Option<String>,
    page_size: usize,
    max_batch: usize,
    concurrency: usize,
    usage: UsagePolicy,
}

impl Default for InstagramBuilder {
    fn default() -> Self {
        InstagramBuilder {
            common: Common::default(),
            flavor: Flavor::InstagramLogin,
            base_url: None,
            token_url: None,
            authorize_url: None,
            page_size: 25,
            max_batch: 10,
            concurrency: 4,
            usage: UsagePolicy::default(),
        }
    }
}

/// Where each Instagram endpoint lives, resolved at build time.
struct Endpoints {
    /// The versioned Graph base: `/me`, `/me/media`, insights, batches.
    graph_base: String,
    /// The base of `/access_token` and `/refresh_access_token` (Instagram
    /// Login) or of `/oauth/access_token` (Facebook Login).
    token_base: String,
    /// The consent page.
    authorize_url: String,
    /// The code exchange.
    code_url: String,
}

impl InstagramBuilder {
    common_builder_methods!();

    /// The login flavour (default Instagram Login). It chooses the default
    /// hosts (graph.facebook.com and www.facebook.com for Facebook Login)
    /// and, under [`with_base_url`](InstagramBuilder::with_base_url), the
    /// flavour's paths; the order of the calls does not matter.
    #[must_use]
    pub fn with_flavor(mut self, flavor: Flavor) -> Self {
        self.flavor = flavor;
        self
    }

    /// One origin serving every endpoint, laid out as Meta lays them out
    /// (a proxy, the sandbox, a test server). Instagram Login:
    /// `{url}/v25.0/...` (Graph), `{url}/access_token` and
    /// `{url}/refresh_access_token`, `{url}/oauth/access_token` (code
    /// exchange), `{url}/oauth/authorize` (consent). Facebook Login:
    /// `{url}/v25.0/...`, `{url}/v25.0/oauth/access_token`,
    /// `{url}/v25.0/dialog/oauth`. Default: the platform's hosts
    /// (graph.instagram.com and api.instagram.com, or graph.facebook.com and
    /// www.facebook.com).
    #[must_use]
    pub fn with_base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// The code exchange, overriding the one the base URL gives (default
    /// `https://api.instagram.com/oauth/access_token`; Facebook Login
    /// `https://graph.facebook.com/v25.0/oauth/access_token`).
    #[must_use]
    pub fn with_token_url(mut self, url: impl Into<String>) -> Self {
        self.token_url = Some(url.into());
        self
    }

    /// The consent page, overriding the one the base URL gives (default
    /// `https://api.instagram.com/oauth/authorize`; Facebook Login
    /// `https://www.facebook.com/v25.0/dialog/oauth`).
    #[must_use]
    pub fn with_authorize_url(mut self, url: impl Into<String>) -> Self {
        self.authorize_url = Some(url.into());
        self
    }

    /// Every endpoint, from the flavour, the base URL and the overrides.
    fn endpoints(&self) -> Result<Endpoints, BuildError> {
        let v = GRAPH_VERSION;
        let base = self
            .base_url
            .as_deref()
            .map(|u| base_url("base", u))
            .transpose()?;
        let host = |default: &str| base.clone().unwrap_or_else(|| default.to_owned());
        let mut endpoints = match self.flavor {
            Flavor::InstagramLogin => {
                let graph = host("https://graph.instagram.com");
                let oauth = host("https://api.instagram.com");
                Endpoints {
                    graph_base: format!("{graph}/{v}"),
                    token_base: graph,
                    authorize_url: format!("{oauth}/oauth/authorize"),
                    code_url: format!("{oauth}/oauth/access_token"),
                }
            }
            Flavor::FacebookLogin => {
                let graph = format!("{}/{v}", host("https://graph.facebook.com"));
                let www = host("https://www.facebook.com");
                Endpoints {
                    token_base: graph.clone(),
                    authorize_url: format!("{www}/{v}/dialog/oauth"),
                    code_url: format!("{graph}/oauth/access_token"),
                    graph_base: graph,
                }
            }
        };
        if let Some(u) = &self.token_url {
            endpoints.code_url = endpoint_url("token", u)?;
        }
        if let Some(u) = &self.authorize_url {
            endpoints.authorize_url = endpoint_url("authorize", u)?;
        }
        Ok(endpoints)
    }

    /// Posts asked per listing page (1–100, default 25).
    #[must_use]
    pub fn with_page_size(mut self, n: usize) -> Self {
        self.page_size = n;
        self
    }

    /// Posts per `fetch_metrics` call (one insights request each; default 10).
    #[must_use]
    pub fn with_max_batch(mut self, n: usize) -> Self {
        self.max_batch = n;
        self
    }

    /// Insights requests in flight at once per batch (default 4).
    #[must_use]
    pub fn with_concurrency(mut self, n: usize) -> Self {
        self.concurrency = n;
        self
    }

    /// When usage headers pause a connection.
    #[must_use]
    pub fn with_usage_policy(mut self, usage: UsagePolicy) -> Self {
        self.usage = usage;
        self
    }

    /// Builds the adapter.
    pub fn build(self) -> Result<Instagram, BuildError> {
        let range = |name: &'static str, v: usize, max: usize| {
            if v == 0 || v > max {
                Err(BuildError::InvalidSetting {
                    name,
                    reason: format!("{v} is not within 1..={max}"),
                })
            } else {
                Ok(())
            }
        };
        range("page_size", self.page_size, 100)?;
        range("max_batch", self.max_batch, 50)?;
        range("concurrency", self.concurrency, 16)?;
        if self.usage.slow_down_at == 0 || self.usage.pause <= TimeDelta::zero() {
            return Err(BuildError::InvalidSetting {
                name: "usage_policy",
                reason: "threshold and pause must be positive".into(),
            });
        }
        let app = self.common.app()?;
        let endpoints = self.endpoints()?;
        Ok(Instagram {
            inner: Arc::new(Inner {
                http: self.common.build_http(&DIALECT)?,
                app,
                flavor: self.flavor,
                graph_base: endpoints.graph_base,
                token_base: endpoints.token_base,
                authorize_url: endpoints.authorize_url,
                code_url: endpoints.code_url,
                page_size: self.page_size,
                max_batch: self.max_batch,
                concurrency: self.concurrency,
                usage: self.usage,
                pacer: Pacer::default(),
                rejected: Mutex::new(HashMap::new()),
            }),
        })
    }
}

/// The Instagram adapter. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Instagram {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    http: Http,
    app: crate::AppCredentials,
    flavor: Flavor,
    graph_base: String,
    token_base: String,
    authorize_url: String,
    code_url: String,
    page_size: usize,
    max_batch: usize,
    concurrency: usize,
    usage: UsagePolicy,
    pacer: Pacer,
    /// Insights metrics Meta rejected, per media kind: never asked again.
    rejected: Mutex<HashMap<MediaKind, Vec<String>>>,
}

impl Instagram {
    /// A builder with the production endpoints.
    pub fn builder() -> InstagramBuilder {
        InstagramBuilder::default()
    }

    fn err(&self, endpoint: &'static str, kind: PlatformErrorKind) -> PlatformError {
        self.inner.http.error(endpoint, kind)
    }

    /// The path segment naming the account.
    fn user_path(&self, account: &PlatformAccountId) -> String {
        match self.inner.flavor {
            Flavor::InstagramLogin => "me".into(),
            Flavor::FacebookLogin => account.as_str().to_owned(),
        }
    }

    /// A Graph GET for `account`, paced by the usage headers.
    async fn graph_get(
        &self,
        endpoint: &'static str,
        account: AccountRef<'_>,
        path: &str,
        query: &[(&str, &str)],
    ) -> Result<Vec<u8>, PlatformError> {
        let inner = &self.inner;
        let key = account.account_id.as_str();
        let now = inner.http.now();
        if let Some((until, app_wide)) = inner.pacer.paused(key, now) {
            return Err(self
                .err(
                    endpoint,
                    PlatformErrorKind::RateLimited {
                        until: Some(until),
                        reach: if app_wide {
                            LimitReach::Platform
                        } else {
                            LimitReach::Account
                        },
                    },
                )
                .with_detail("paused by usage headers"));
        }
        let url = format!("{}/{}", inner.graph_base, path);
        let token = account.credentials.access_token();
        let build = |c: &reqwest::Client| c.get(&url).query(query).bearer_auth(token);
        let observe = |h: &HeaderMap| {
            inner
                .pacer
                .observe(inner.usage, key, read_usage(h), inner.http.now())
        };
        match inner
            .http
            .send(endpoint, None, Some(&observe), &build)
            .await
        {
            Ok(r) => Ok(r.body),
            Err(e) => {
                if let PlatformErrorKind::RateLimited {
                    until: Some(until),
                    reach,
                } = e.kind
                {
                    let until = reach.bound(inner.http.now(), Some(until));
                    inner.pacer.throttled(key, until, reach.is_platform_wide());
                }
                Err(e)
            }
        }
    }

    /// The account a token belongs to.
    pub(crate) async fn identity(
        &self,
        account_hint: Option<&PlatformAccountId>,
        credentials: &Credentials,
    ) -> Result<AccountInfo, PlatformError> {
        let placeholder = PlatformAccountId::from("me");
        let account_id = account_hint.unwrap_or(&placeholder);
        let account = AccountRef {
            account_id,
            credentials,
        };
        let (path, fields) = match self.inner.flavor {
            Flavor::InstagramLogin => ("me".to_owned(), "user_id,username,media_count"),
            Flavor::FacebookLogin => (account_id.as_str().to_owned(), "id,username,media_count"),
        };
        let body = self
            .graph_get("user", account, &path, &[("fields", fields)])
            .await?;
        model::parse_account(&body)
    }

    /// Credentials from a token answer, issued now.
    fn credentials_from(&self, reply: model::TokenReply, scopes: Vec<String>) -> Credentials {
        model::credentials(reply, scopes, self.inner.http.now())
    }
}

#[async_trait]
impl SocialPlatform for Instagram {
    fn platform(&self) -> Platform {
        Platform::Instagram
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities {
            max_batch: self.inner.max_batch,
            page_size: self.inner.page_size,
            metrics: MetricSet::of(&[
                Metric::Views,
                Metric::Reach,
                Metric::Likes,
                Metric::Comments,
                Metric::Shares,
                Metric::Saves,
                Metric::TotalInteractions,
                Metric::Follows,
                Metric::ProfileVisits,
                Metric::Replies,
                Metric::AvgWatchTimeMs,
                Metric::WatchTimeMs,
            ]),
            refresh: RefreshModel::SelfRefreshing {
                min_age: TimeDelta::hours(24),
            },
            public_batch: 0,
        }
    }

    async fn list_posts(
        &self,
        account: AccountRef<'_>,
        cursor: Option<PageCursor>,
    ) -> Result<PostPage, PlatformError> {
        let path = format!("{}/media", self.user_path(account.account_id));
        let limit = self.inner.page_size.to_string();
        let mut query = vec![("fields", model::MEDIA_FIELDS), ("limit", limit.as_str())];
        if let Some(c) = &cursor {
            query.push(("after", c.0.as_str()));
        }
        let body = self.graph_get("media.list", account, &path, &query).await?;
        parse_media_page(&body)
    }

    async fn fetch_metrics(
        &self,
        account: AccountRef<'_>,
        posts: &[MetricsRequest],
    ) -> Result<MetricsBatch, PlatformError> {
        let mut answers = Vec::with_capacity(posts.len());
        for chunk in posts.chunks(self.inner.concurrency) {
            let mut calls = Vec::with_capacity(chunk.len());
            for req in chunk {
                calls.push(self.read_one(account, req));
            }
            answers.extend(futures::future::join_all(calls).await);
        }
        let mut batch = MetricsBatch::default();
        for (req, answer) in posts.iter().zip(answers) {
            match answer {
                Ok(Some(r)) => batch.readings.push(r),
                Ok(None) => batch.missing.push(req.id.clone()),
                // One media's call failing for now is that media's alone.
                Err(e)
                    if matches!(
                        e.kind,
                        PlatformErrorKind::Unavailable | PlatformErrorKind::InvalidResponse
                    ) =>
                {
                    batch.failed.push((req.id.clone(), e))
                }
                // A dead token or a limit is the connection's.
                Err(e) => return Err(e),
            }
        }
        if batch.readings.is_empty() && batch.missing.is_empty() {
            // Every call failed: the platform's trouble, not the posts'.
            if let Some((_, e)) = batch.failed.pop() {
                return Err(e);
            }
        }
        Ok(batch)
    }

    async fn get_post(
        &self,
        account: AccountRef<'_>,
        id: &PlatformPostId,
    ) -> Result<Option<PlatformPost>, PlatformError> {
        match self
            .graph_get(
                "media.node",
                account,
                id.as_str(),
                &[("fields", model::MEDIA_FIELDS)],
            )
            .await
        {
            Ok(body) => Ok(Some(model::to_post(model::parse_media(
                &body,
                "media.node",
            )?))),
            Err(e) if e.kind == PlatformErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }

    async fn get_account(&self, account: AccountRef<'_>) -> Result<AccountInfo, PlatformError> {
        self.identity(Some(account.account_id), account.credentials)
            .await
    }

    async fn refresh_credentials(
        &self,
        account: AccountRef<'_>,
    ) -> Result<Credentials, PlatformError> {
        const EP: &str = "token.refresh";
        let now = self.inner.http.now();
        let current = account.credentials;
        if self.inner.flavor == Flavor::FacebookLogin {
            return Err(self
                .err(EP, PlatformErrorKind::Unavailable)
                .with_detail("Facebook-Login tokens cannot be refreshed server-side"));
        }
        if current.expires_at.is_some_and(|e| e <= now) {
            // An expired Instagram token can never be refreshed.
            return Err(self
                .err(
                    EP,
                    PlatformErrorKind::TokenInvalid(DisconnectReason::TokenExpired),
                )
                .with_detail("the long-lived token expired; the creator must log in again"));
        }
        if let Some(issued) = current.issued_at {
            let ready = issued + TimeDelta::hours(24);
            if now < ready {
                return Err(self
                    .err(
                        EP,
                        PlatformErrorKind::RateLimited {
                            until: Some(ready),
                            reach: LimitReach::Account,
                        },
                    )
                    .with_detail("a token younger than 24 hours cannot be refreshed"));
            }
        }
        let url = format!("{}/refresh_access_token", self.inner.token_base);
        let token = current.access_token();
        let build = |c: &reqwest::Client| {
            c.get(&url)
                .query(&[("grant_type", "ig_refresh_token"), ("access_token", token)])
        };
        let reply = self.inner.http.send(EP, None, None, &build).await?;
        let reply: model::TokenReply = crate::http::decode(Platform::Instagram, EP, &reply.body)?;
        Ok(self.credentials_from(reply, current.granted_scopes.clone()))
    }
}
