//! The admin HTTP API under `/sandbox/`: the same controls as the Rust API
//! ([`crate::Sandbox`]) for tools outside the test process.
//!
//! | method and path | body | does |
//! |---|---|---|
//! | `GET /sandbox/counters` | — | `{"<endpoint>": n, …}` requests per endpoint |
//! | `GET /sandbox/counters/statuses` | — | `{"<endpoint>": {"<status>": n}}` answers per endpoint and status |
//! | `GET /sandbox/counters/rate_limited` | — | `{"<endpoint>": n}` rate-limit and quota refusals |
//! | `POST /sandbox/counters/reset` | — | zeroes the counters |
//! | `GET /sandbox/faults` | — | the pending faults |
//! | `POST /sandbox/faults` | a [`crate::Fault`] | adds a fault |
//! | `DELETE /sandbox/faults` | — | clears every fault |
//! | `POST /sandbox/accounts` | [`AccountRequest`] | creates an account → [`crate::AccountRef`] |
//! | `POST /sandbox/accounts/{platform}/{id}/tokens` | — | issues a grant → [`crate::TokenGrant`] |
//! | `POST /sandbox/accounts/{platform}/{id}/code` | — | `{"code": "…"}` a one-use authorization code |
//! | `POST /sandbox/accounts/{platform}/{id}/revoke` | `{"reason": "password_changed"}` (optional) | revokes every token of the account |
//! | `POST /sandbox/accounts/{platform}/{id}/scopes/remove` | `{"scope": "…"}` | withdraws a scope from the account and its live tokens |
//! | `POST /sandbox/accounts/{platform}/{id}/posts` | a [`crate::PostSpec`] | creates a post → [`crate::PostRef`] |
//! | `GET /sandbox/accounts/{platform}/{id}/posts` | — | the account's posts, newest first → [`crate::PostRef`]s |
//! | `POST /sandbox/posts/{platform}/{id}/delete` | — | deletes the post |
//! | `POST /sandbox/posts/{platform}/{id}/metrics` | `{"metric": "likes", "curve": {"linear": {"start": 0, "per_hour": 5}}}` | gives a metric a new [`crate::Curve`] |
//! | `POST /sandbox/posts/{platform}/{id}/update` | [`PostUpdate`] | changes visibility, hidden likes, comments, texts |
//! | `POST /sandbox/metrics/deprecate` | `{"metric": "views", "product_type": "FEED"}` (`product_type` optional) | Instagram insights refuse the metric |
//! | `POST /sandbox/metrics/restore` | the same | accepts it again |
//! | `POST /sandbox/posts/{platform}/{id}/private` | `{"until": "2026-12-01T00:00:00Z"}` (optional) | makes the post private until then (or until made public) |
//! | `POST /sandbox/posts/{platform}/{id}/public` | — | ends the post's private spell |
//!
//! ## Hostile mode
//!
//! Values a careless client chokes on, for chosen accounts only (see
//! [`crate::hostile`] for what each one serves on each platform):
//!
//! | method and path | body | does |
//! |---|---|---|
//! | `GET /sandbox/hostile` | — | `[{"account": AccountRef, "values": [Hostile…]}]` every hostile account |
//! | `GET /sandbox/hostile/{platform}/{id}` | — | `{"values": [Hostile…], "spoiled_counters": [SpoiledCounter…], "private_posts": [PrivatePost…]}` |
//! | `POST /sandbox/hostile/{platform}/{id}` | a [`crate::Hostile`], e.g. `{"type": "nul_text"}` | turns the value on for the account |
//! | `POST /sandbox/hostile/{platform}/{id}/all` | — | turns every value on ([`crate::Hostile::everything`]) |
//! | `DELETE /sandbox/hostile/{platform}/{id}/{kind}` | — | turns the values of one [`crate::HostileKind`] off (`bad_counters`, …) |
//! | `DELETE /sandbox/hostile/{platform}/{id}` | — | turns hostile mode off for the account: every value and its posts' private spells |
//!
//! A hostile account's requests count against the app-wide budgets
//! (TikTok's per-endpoint minute, YouTube's daily units and queries per
//! minute, Instagram's app hour) exactly as a clean account's do, endless
//! pages included; its huge-delay refusals are answered in place of the
//! platform's accounting, like injected faults, and count against nothing.
//! Per-account budgets (Instagram's Business Use Case) are the account's
//! own.
//!
//! Errors answer 404 (unknown account or post) or 400 with `{"error": "…"}`.

use crate::endpoint::Endpoint;
use crate::error::SandboxError;
use crate::faults::Fault;
use crate::hostile::{Hostile, HostileKind, PrivatePost, SpoiledCounter};
use crate::model::{
    AccountRef, AccountSpec, Curve, Metric, PostRef, PostSpec, ProductType, Visibility,
};
use crate::server::AppState;
use crate::tokens::RevokeReason;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use socialsync_core::clock::Timestamp;
use socialsync_core::platform::Platform;
use std::collections::BTreeMap;

/// The body of `POST /sandbox/accounts`.
#[derive(Debug, Clone, Deserialize)]
pub struct AccountRequest {
    /// `instagram`, `tiktok` or `youtube`.
    pub platform: Platform,
    /// The username / handle.
    pub username: String,
    /// The display name or channel title (defaults to the username).
    #[serde(default)]
    pub display_name: Option<String>,
    /// The account id (generated when absent).
    #[serde(default)]
    pub id: Option<String>,
    /// The granted scopes (the platform's read scopes when absent).
    #[serde(default)]
    pub scopes: Option<Vec<String>>,
    /// YouTube: whether the Google account has a channel (default true).
    #[serde(default)]
    pub has_channel: Option<bool>,
    /// Instagram: Business Use Case calls per 24 h.
    #[serde(default)]
    pub instagram_calls_per_day: Option<u32>,
    /// Instagram: read through the Facebook-Login flavour.
    #[serde(default)]
    pub facebook_login: bool,
}

impl AccountRequest {
    /// The account spec it describes.
    pub fn into_spec(self) -> AccountSpec {
        let display = self.display_name.unwrap_or_else(|| self.username.clone());
        let mut spec = match self.platform {
            Platform::Instagram => AccountSpec::instagram(&self.username),
            Platform::TikTok => AccountSpec::tiktok(&self.username, &display),
            Platform::YouTube => AccountSpec::youtube(&self.username, &display),
            // A platform the sandbox does not simulate yet: YouTube's shape.
            _ => AccountSpec::youtube(&self.username, &display),
        };
        spec.display_name = display;
        spec.id = self.id;
        if let Some(scopes) = self.scopes {
            spec.scopes = scopes;
        }
        if let Some(c) = self.has_channel {
            spec.has_channel = c;
        }
        if let Some(c) = self.instagram_calls_per_day {
            spec.instagram_calls_per_day = c;
        }
        spec.facebook_login = self.facebook_login;
        spec
    }
}

/// The body of `POST /sandbox/posts/{platform}/{id}/update`: every field
/// is optional and only the given ones change.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct PostUpdate {
    /// New visibility.
    #[serde(default)]
    pub visibility: Option<Visibility>,
    /// Hide or show the like count.
    #[serde(default)]
    pub likes_hidden: Option<bool>,
    /// Turn comments off or on.
    #[serde(default)]
    pub comments_disabled: Option<bool>,
    /// New Instagram caption.
    #[serde(default)]
    pub caption: Option<String>,
    /// New title.
    #[serde(default)]
    pub title: Option<String>,
    /// New description.
    #[serde(default)]
    pub description: Option<String>,
}

#[derive(Debug, Deserialize)]
struct MetricBody {
    metric: Metric,
    curve: Curve,
}

#[derive(Debug, Deserialize)]
struct RevokeBody {
    #[serde(default)]
    reason: RevokeReason,
}

#[derive(Debug, Deserialize)]
struct ScopeBody {
    scope: String,
}

#[derive(Debug, Deserialize)]
struct DeprecateBody {
    metric: String,
    #[serde(default)]
    product_type: Option<ProductType>,
}

fn fail(e: SandboxError) -> Response {
    let status = match e {
        SandboxError::UnknownAccount(_) | SandboxError::UnknownPost(_) => StatusCode::NOT_FOUND,
        _ => StatusCode::BAD_REQUEST,
    };
    (status, Json(json!({ "error": e.to_string() }))).into_response()
}

fn answer<T: serde::Serialize>(r: Result<T, SandboxError>) -> Response {
    match r {
        Ok(v) => Json(v).into_response(),
        Err(e) => fail(e),
    }
}

fn account(platform: Platform, id: String) -> AccountRef {
    AccountRef { platform, id }
}

async fn counters(State(app): State<AppState>) -> Json<BTreeMap<Endpoint, u64>> {
    Json(app.shared.lock().counters.clone())
}

async fn statuses(State(app): State<AppState>) -> Json<BTreeMap<Endpoint, BTreeMap<String, u64>>> {
    let mut out: BTreeMap<Endpoint, BTreeMap<String, u64>> = BTreeMap::new();
    for ((endpoint, status), n) in &app.shared.lock().statuses {
        out.entry(*endpoint)
            .or_default()
            .insert(status.to_string(), *n);
    }
    Json(out)
}

async fn rate_limited(State(app): State<AppState>) -> Json<BTreeMap<Endpoint, u64>> {
    Json(app.shared.lock().rate_limited.clone())
}

async fn reset_counters(State(app): State<AppState>) -> Json<Value> {
    app.shared.lock().reset_counters();
    Json(json!({}))
}

async fn list_faults(State(app): State<AppState>) -> Json<Vec<Fault>> {
    Json(app.shared.lock().faults.list())
}

async fn add_fault(State(app): State<AppState>, Json(fault): Json<Fault>) -> Json<Value> {
    app.shared.lock().faults.add(fault);
    Json(json!({}))
}

async fn clear_faults(State(app): State<AppState>) -> Json<Value> {
    app.shared.lock().faults.clear();
    Json(json!({}))
}

async fn create_account(State(app): State<AppState>, Json(body): Json<AccountRequest>) -> Response {
    let now = app.shared.clock.now();
    answer(app.shared.lock().add_account(body.into_spec(), now))
}

async fn issue_tokens(
    State(app): State<AppState>,
    Path((platform, id)): Path<(Platform, String)>,
) -> Response {
    let now = app.shared.clock.now();
    answer(app.shared.lock().issue_grant(&account(platform, id), now))
}

async fn issue_code(
    State(app): State<AppState>,
    Path((platform, id)): Path<(Platform, String)>,
) -> Response {
    let now = app.shared.clock.now();
    answer(
        app.shared
            .lock()
            .issue_code(&account(platform, id), now)
            .map(|code| json!({ "code": code })),
    )
}

async fn revoke(
    State(app): State<AppState>,
    Path((platform, id)): Path<(Platform, String)>,
    body: Option<Json<RevokeBody>>,
) -> Response {
    let reason = body.map(|b| b.0.reason).unwrap_or_default();
    answer(
        app.shared
            .lock()
            .revoke(&account(platform, id), reason)
            .map(|()| json!({})),
    )
}

async fn remove_scope(
    State(app): State<AppState>,
    Path((platform, id)): Path<(Platform, String)>,
    Json(body): Json<ScopeBody>,
) -> Response {
    answer(
        app.shared
            .lock()
            .remove_scope(&account(platform, id), &body.scope)
            .map(|()| json!({})),
    )
}

async fn create_post(
    State(app): State<AppState>,
    Path((platform, id)): Path<(Platform, String)>,
    Json(spec): Json<PostSpec>,
) -> Response {
    answer(app.shared.lock().add_post(&account(platform, id), spec))
}

async fn delete_post(
    State(app): State<AppState>,
    Path((platform, id)): Path<(Platform, String)>,
) -> Response {
    answer(
        app.shared
            .lock()
            .delete_post(&PostRef { platform, id })
            .map(|()| json!({})),
    )
}

async fn list_posts(
    State(app): State<AppState>,
    Path((platform, id)): Path<(Platform, String)>,
) -> Response {
    let account = account(platform, id);
    let st = app.shared.lock();
    if !st.accounts.contains_key(&account) {
        return fail(SandboxError::UnknownAccount(account));
    }
    let posts: Vec<PostRef> = st
        .posts_of(platform, &account.id)
        .into_iter()
        .map(|p| PostRef {
            platform,
            id: p.id.clone(),
        })
        .collect();
    Json(posts).into_response()
}

async fn set_metric(
    State(app): State<AppState>,
    Path((platform, id)): Path<(Platform, String)>,
    Json(body): Json<MetricBody>,
) -> Response {
    answer(
        app.shared
            .lock()
            .set_curve(&PostRef { platform, id }, body.metric, body.curve)
            .map(|()| json!({})),
    )
}

async fn update_post(
    State(app): State<AppState>,
    Path((platform, id)): Path<(Platform, String)>,
    Json(body): Json<PostUpdate>,
) -> Response {
    let mut st = app.shared.lock();
    let post = match st.post_mut(&PostRef { platform, id }) {
        Ok(p) => p,
        Err(e) => return fail(e),
    };
    let spec = &mut post.spec;
    if let Some(v) = body.visibility {
        spec.visibility = v;
    }
    if let Some(h) = body.likes_hidden {
        spec.likes_hidden = h;
    }
    if let Some(c) = body.comments_disabled {
        spec.comments_disabled = c;
    }
    if let Some(c) = body.caption {
        spec.caption = Some(c);
    }
    if let Some(t) = body.title {
        spec.title = t;
    }
    if let Some(d) = body.description {
        spec.description = d;
    }
    Json(json!({})).into_response()
}

async fn restore(State(app): State<AppState>, Json(body): Json<DeprecateBody>) -> Json<Value> {
    app.shared
        .lock()
        .deprecated
        .remove(&(body.metric, body.product_type));
    Json(json!({}))
}

async fn deprecate(State(app): State<AppState>, Json(body): Json<DeprecateBody>) -> Json<Value> {
    app.shared
        .lock()
        .deprecated
        .insert((body.metric, body.product_type));
    Json(json!({}))
}

#[derive(Debug, Default, Deserialize)]
struct PrivateBody {
    #[serde(default)]
    until: Option<Timestamp>,
}

/// One account of `GET /sandbox/hostile`.
#[derive(Debug, Clone, Serialize)]
pub struct HostileAccount {
    /// The account.
    pub account: AccountRef,
    /// Its hostile values, in the order turned on.
    pub values: Vec<Hostile>,
}

/// The answer of `GET /sandbox/hostile/{platform}/{id}`.
#[derive(Debug, Clone, Serialize)]
pub struct HostileReport {
    /// The hostile values, in the order turned on.
    pub values: Vec<Hostile>,
    /// The per-post counters spoiled now.
    pub spoiled_counters: Vec<SpoiledCounter>,
    /// The posts under a private spell now.
    pub private_posts: Vec<PrivatePost>,
}

async fn list_hostile(State(app): State<AppState>) -> Json<Vec<HostileAccount>> {
    let st = app.shared.lock();
    Json(
        st.hostile
            .iter()
            .map(|(account, entries)| HostileAccount {
                account: account.clone(),
                values: entries.iter().map(|e| e.value.clone()).collect(),
            })
            .collect(),
    )
}

async fn hostile_report(
    State(app): State<AppState>,
    Path((platform, id)): Path<(Platform, String)>,
) -> Response {
    let now = app.shared.clock.now();
    let account = account(platform, id);
    let st = app.shared.lock();
    if !st.accounts.contains_key(&account) {
        return fail(SandboxError::UnknownAccount(account));
    }
    Json(HostileReport {
        values: st.hostile_values(&account),
        spoiled_counters: st.spoiled_counters(&account),
        private_posts: st.private_posts(&account, now),
    })
    .into_response()
}

async fn add_hostile(
    State(app): State<AppState>,
    Path((platform, id)): Path<(Platform, String)>,
    Json(value): Json<Hostile>,
) -> Response {
    let now = app.shared.clock.now();
    answer(
        app.shared
            .lock()
            .add_hostile(&account(platform, id), value, now)
            .map(|()| json!({})),
    )
}

async fn add_all_hostile(
    State(app): State<AppState>,
    Path((platform, id)): Path<(Platform, String)>,
) -> Response {
    let now = app.shared.clock.now();
    let account = account(platform, id);
    let mut st = app.shared.lock();
    let added: Result<(), SandboxError> = Hostile::everything()
        .into_iter()
        .try_for_each(|value| st.add_hostile(&account, value, now));
    answer(added.map(|()| json!({})))
}

async fn remove_hostile(
    State(app): State<AppState>,
    Path((platform, id, kind)): Path<(Platform, String, HostileKind)>,
) -> Response {
    answer(
        app.shared
            .lock()
            .remove_hostile(&account(platform, id), kind)
            .map(|()| json!({})),
    )
}

async fn clear_hostile(
    State(app): State<AppState>,
    Path((platform, id)): Path<(Platform, String)>,
) -> Response {
    answer(
        app.shared
            .lock()
            .clear_hostile(&account(platform, id))
            .map(|()| json!({})),
    )
}

async fn make_private(
    State(app): State<AppState>,
    Path((platform, id)): Path<(Platform, String)>,
    body: Option<Json<PrivateBody>>,
) -> Response {
    let until = body.and_then(|b| b.0.until);
    answer(
        app.shared
            .lock()
            .make_private(&PostRef { platform, id }, until)
            .map(|()| json!({})),
    )
}

async fn make_public(
    State(app): State<AppState>,
    Path((platform, id)): Path<(Platform, String)>,
) -> Response {
    answer(
        app.shared
            .lock()
            .make_public(&PostRef { platform, id })
            .map(|()| json!({})),
    )
}

/// The admin routes.
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/sandbox/counters", get(counters))
        .route("/sandbox/counters/statuses", get(statuses))
        .route("/sandbox/counters/rate_limited", get(rate_limited))
        .route("/sandbox/counters/reset", post(reset_counters))
        .route(
            "/sandbox/faults",
            get(list_faults).post(add_fault).delete(clear_faults),
        )
        .route("/sandbox/accounts", post(create_account))
        .route(
            "/sandbox/accounts/{platform}/{id}/tokens",
            post(issue_tokens),
        )
        .route("/sandbox/accounts/{platform}/{id}/code", post(issue_code))
        .route("/sandbox/accounts/{platform}/{id}/revoke", post(revoke))
        .route(
            "/sandbox/accounts/{platform}/{id}/scopes/remove",
            post(remove_scope),
        )
        .route(
            "/sandbox/accounts/{platform}/{id}/posts",
            post(create_post).get(list_posts),
        )
        .route("/sandbox/posts/{platform}/{id}/delete", post(delete_post))
        .route("/sandbox/posts/{platform}/{id}/metrics", post(set_metric))
        .route("/sandbox/posts/{platform}/{id}/update", post(update_post))
        .route("/sandbox/metrics/deprecate", post(deprecate))
        .route("/sandbox/metrics/restore", post(restore))
        .route("/sandbox/posts/{platform}/{id}/private", post(make_private))
        .route("/sandbox/posts/{platform}/{id}/public", post(make_public))
        .route("/sandbox/hostile", get(list_hostile))
        .route(
            "/sandbox/hostile/{platform}/{id}",
            get(hostile_report).post(add_hostile).delete(clear_hostile),
        )
        .route(
            "/sandbox/hostile/{platform}/{id}/all",
            post(add_all_hostile),
        )
        .route(
            "/sandbox/hostile/{platform}/{id}/{kind}",
            delete(remove_hostile),
        )
}
