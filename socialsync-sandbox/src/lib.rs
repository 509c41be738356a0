//! # socialsync-sandbox
//!
//! A local look-alike of the Instagram, TikTok and YouTube APIs: one axum
//! server on a loopback port that answers the platforms' real paths with
//! bodies shaped exactly like the recorded fixtures, so the real adapters
//! run end to end with no internet.
//!
//! A guided tour:
//!
//! 1. Build a [`Sandbox`] with [`Sandbox::builder`]: a seed (ids and tokens
//!    are deterministic for it), a [`Clock`] (give it the same
//!    `ManualClock` as the engine and metrics, token expiry and quotas all
//!    follow it), [`RateLimits`] and [`TokenLifetimes`].
//! 2. Put state in: [`Sandbox::add_account`] with an [`AccountSpec`],
//!    [`Sandbox::add_post`] with a [`PostSpec`] whose metrics follow
//!    [`Curve`]s of the post's age — growing, flat, going down, hidden.
//! 3. Hand out credentials: [`Sandbox::issue_tokens`] (as if the creator
//!    had just connected) or [`Sandbox::authorization_code`] for a client
//!    that runs the OAuth code exchange itself.
//! 4. [`Sandbox::start`] serves it; point each adapter's base URL at the
//!    [`RunningSandbox`]'s URLs.
//! 5. Drive it while it runs: revoke tokens, remove scopes, delete posts,
//!    deprecate metrics, inject [`Fault`]s — from Rust or through the admin
//!    HTTP API under `/sandbox/` ([`admin`]) — and read the per-endpoint
//!    request counters ([`Sandbox::request_count`]).
//!    [`Sandbox::tiktok_authorization_removed`] revokes a TikTok account and
//!    hands back the signed `authorization.removed` webhook TikTok would send.
//! 6. Turn hostile mode on for chosen accounts ([`hostile`]): NUL text, bad
//!    and overflowing counters, huge `Retry-After`s, usage-header regain
//!    times and `expires_in`s, future publish times, endless listings,
//!    half-broken tokens, posts made private then public — each a
//!    [`Hostile`] value of its own ([`Sandbox::add_hostile`]), or all at once
//!    ([`Sandbox::add_all_hostile`]), listed by [`Sandbox::hostile_accounts`]
//!    and turned off by [`Sandbox::clear_hostile`]; the same through the
//!    admin API under `/sandbox/hostile/`. The other accounts are served
//!    exactly as without it.
//!
//! With [`SandboxBuilder::app_credentials`] the token endpoints also check
//! the client id and secret.
//!
//! ## What is served
//!
//! | platform | paths (relative to [`RunningSandbox::base_url`]) |
//! |---|---|
//! | Instagram (graph host, any `vNN.N` version) | `GET /{v}/me`, `GET /{v}/me/media` (also `/{v}/{ig-user-id}/media`), `GET /{v}/{media-id}`, `GET /{v}/{media-id}/insights`, `POST /{v}/?batch=[…]` (Graph batch, ≤ 50), `GET /access_token`, `GET /refresh_access_token` |
//! | Instagram (OAuth host) | `POST /oauth/access_token`; Facebook Login: `GET|POST /{v}/oauth/access_token` (code, `fb_exchange_token`) |
//! | TikTok | `POST /v2/oauth/token/`, `GET /v2/user/info/`, `POST /v2/video/list/`, `POST /v2/video/query/` |
//! | YouTube | `GET /youtube/v3/channels`, `GET /youtube/v3/playlistItems`, `GET /youtube/v3/videos`, `GET /youtube/v3/videos:batchGetStats` |
//! | Google OAuth | `POST /token`, `POST /revoke` |
//!
//! Behaviour modelled on the platforms (see the `platforms` research notes
//! the fixtures come from): Meta's token errors are HTTP 400 code 190 with
//! the revocation's subcode; TikTok's missing scope is 401
//! `scope_not_authorized`; TikTok refresh tokens rotate (the presented one
//! dies) and keep the authorization's 180-day end; Google's refresh answer
//! has no `refresh_token`; Instagram refuses to refresh a token younger than
//! 24 hours; TikTok `video/query` (≤ 20 ids) and YouTube `videos.list`
//! (≤ 50 ids) silently leave out deleted, private or foreign ids;
//! Instagram's `/media` omits `like_count` when likes are hidden while the
//! node read keeps it; YouTube counters are JSON strings and
//! `likeCount`/`commentCount` disappear when hidden or off; insights answer
//! an empty `data` while not yet available and refuse deprecated metrics
//! (one bad metric fails the whole call); TikTok allows
//! [`RateLimits::tiktok_requests_per_minute`] per endpoint, YouTube
//! [`RateLimits::youtube_daily_units`] per Pacific day (every request costs
//! a unit), Instagram a per-account Business Use Case budget with
//! `X-Business-Use-Case-Usage` on every answer.
//!
//! ## Hostile mode
//!
//! A hostile account gets, in its platform's real body shape, the values
//! careful clients must survive (see [`hostile`] for the table): for
//! example after `add_hostile(&ana, Hostile::BadCounters { posts:
//! PostPick::OneIn(2), metric: Some(Metric::Likes), value:
//! Some(BadNumber::Fractional) })` every other TikTok video of Ana's
//! carries `"like_count":12.5` while the rest of each reading, and every
//! other account, is served clean ([`Sandbox::spoiled_counters`] names the
//! spoiled ones). Post values follow the post's owner; refusals, endless
//! pages, half-broken reads and token lifetimes follow the token presented.
//! A hostile account's requests count against the app-wide budgets like
//! anyone's; its huge-delay refusals spend none.
//!
//! Counters: [`Sandbox::request_count`] (every request, whatever the
//! answer), [`Sandbox::status_count`] and [`Sandbox::rate_limited_count`]
//! (how often the sandbox had to refuse with a rate-limit or quota error —
//! a well-paced client keeps it at 0).
//!
//! ## Modelled where the platforms' documents are silent
//!
//! The fixtures fix every body shape; a few answers have no recorded
//! example and are modelled: refreshing an Instagram token younger than
//! 24 hours answers code 100 (a bad request, not a dead token); an
//! Instagram cursor whose item was deleted answers code 100; Meta
//! throttling is HTTP 403 for code 4 and 400 for the others; TikTok OAuth
//! errors are HTTP 400; TikTok `max_count` above 20 is `invalid_params`;
//! a TikTok refresh keeps the authorization's refresh-token end (as the
//! fixture's `refresh_expires_in` suggests); YouTube `videos:batchGetStats`
//! takes at most 50 ids. TikTok's `video/list` cursor is the last video's
//! publish time in milliseconds (`create_time × 1000` for whole-second
//! times) and the next page starts strictly before it; a page ends short
//! rather than split videos of one instant across pages (a page that is a
//! single instant holds all of its videos), so no video is ever skipped.
//!
//! ```
//! use std::sync::Arc;
//! use socialsync_core::clock::ManualClock;
//! use socialsync_sandbox::{AccountSpec, Curve, Endpoint, Metric, PostSpec, Sandbox};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # tokio::runtime::Builder::new_current_thread().enable_all().build()?.block_on(async {
//! let clock = Arc::new(ManualClock::at("2026-11-01T00:00:00Z".parse()?));
//! let sandbox = Sandbox::builder().seed(7).clock(clock.clone()).build();
//! let ana = sandbox.add_account(AccountSpec::tiktok("ana.creates", "Ana Creates"))?;
//! let video = sandbox.add_post(
//!     &ana,
//!     PostSpec::new("2026-10-31T12:00:00Z".parse()?)
//!         .with_description("day 3 #BrandX #café #東京")
//!         .with_metric(Metric::Views, Curve::linear(100, 40)),
//! )?;
//! let grant = sandbox.issue_tokens(&ana)?;
//! let running = sandbox.start().await?;
//!
//! let answer: serde_json::Value = reqwest::Client::new()
//!     .post(format!("{}/v2/video/query/?fields=id,view_count", running.base_url()))
//!     .bearer_auth(&grant.access_token)
//!     .json(&serde_json::json!({ "filters": { "video_ids": [video.id] } }))
//!     .send()
//!     .await?
//!     .json()
//!     .await?;
//! assert_eq!(answer["data"]["videos"][0]["view_count"], 100 + 40 * 12);
//!
//! clock.advance(chrono::TimeDelta::hours(1));
//! assert_eq!(sandbox.metric_value(&video, Metric::Views)?, 100 + 40 * 13);
//! assert_eq!(sandbox.request_count(Endpoint::TikTokVideoQuery), 1);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! # })
//! # }
//! ```

pub mod admin;
mod endpoint;
mod error;
mod faults;
mod generate;
pub mod hostile;
mod http;
mod instagram;
mod limits;
mod model;
mod rng;
mod running;
mod sandbox;
pub mod scopes;
mod server;
mod state;
mod tiktok;
mod tokens;
mod webhook;
mod youtube;

pub use endpoint::{Endpoint, UnknownEndpoint};
pub use error::SandboxError;
pub use faults::{Fault, FaultKind};
pub use hostile::{
    BadNumber, EndlessCursor, FutureTime, Hostile, HostileKind, HugeLifetime, PostPick,
    PrivatePost, SpoiledCounter,
};
pub use limits::RateLimits;
pub use model::{
    AccountRef, AccountSpec, Curve, MediaType, Metric, PostRef, PostSpec, ProductType, Visibility,
};
pub use running::RunningSandbox;
pub use sandbox::{Sandbox, SandboxBuilder};
pub use tokens::{AppCredentials, RevokeReason, TokenGrant, TokenLifetimes};
pub use webhook::SignedWebhook;

use socialsync_core::clock::Clock;
use state::State;
use std::sync::{Arc, Mutex, MutexGuard};

/// The Graph API version the sandbox's links use (any `vNN.N` is served).
pub const GRAPH_VERSION: &str = "v25.0";

/// The TikTok client key used when none was configured.
pub const DEFAULT_TIKTOK_CLIENT_KEY: &str = "sandboxclientkey";
/// The TikTok client secret webhooks are signed with when none was configured.
pub const DEFAULT_TIKTOK_CLIENT_SECRET: &str = "sandboxclientsecret";

/// State and clock shared by the Rust handle and the server.
#[derive(Debug)]
pub(crate) struct Shared {
    state: Mutex<State>,
    pub(crate) clock: Arc<dyn Clock>,
}

impl Shared {
    pub(crate) fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}
