//! The HTTP side: routing a request to its platform handler, counting it,
//! applying faults, and serving it on a loopback listener.

use crate::endpoint::Endpoint;
use crate::faults::FaultKind;
use crate::http::{Incoming, Reply};
use crate::state::State;
use crate::{Shared, admin, hostile, instagram, tiktok, youtube};
use axum::Router;
use axum::extract::Request;
use axum::http::Method;
use axum::response::{IntoResponse, Response};
use socialsync_core::clock::Timestamp;
use socialsync_core::platform::Platform;
use std::sync::Arc;
use std::time::Duration;

/// The largest request body read.
const MAX_BODY: usize = 1 << 20;

/// What the router hands each request.
#[derive(Clone)]
pub(crate) struct AppState {
    pub(crate) shared: Arc<Shared>,
    pub(crate) base_url: Arc<str>,
}

/// Where a path leads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Route {
    InstagramCodeExchange,
    InstagramTokenExchange,
    InstagramTokenRefresh,
    InstagramNode { version: String, id: String },
    InstagramMediaList { version: String, user: String },
    InstagramInsights { version: String, id: String },
    InstagramBatch { version: String },
    FacebookOauth,
    Plain(Endpoint),
}

fn is_graph_version(s: &str) -> bool {
    let Some(rest) = s.strip_prefix('v') else {
        return false;
    };
    let Some((major, minor)) = rest.split_once('.') else {
        return false;
    };
    !major.is_empty()
        && !minor.is_empty()
        && major.bytes().all(|b| b.is_ascii_digit())
        && minor.bytes().all(|b| b.is_ascii_digit())
}

/// Parses a request path.
pub(crate) fn route(method: &Method, path: &str) -> Route {
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let get = *method == Method::GET;
    let post = *method == Method::POST;
    match segments.as_slice() {
        ["oauth", "access_token"] if post => Route::InstagramCodeExchange,
        [v, "oauth", "access_token"] if (get || post) && is_graph_version(v) => {
            Route::FacebookOauth
        }
        ["access_token"] if get => Route::InstagramTokenExchange,
        ["refresh_access_token"] if get => Route::InstagramTokenRefresh,
        [v, "access_token"] if get && is_graph_version(v) => Route::InstagramTokenExchange,
        [v, "refresh_access_token"] if get && is_graph_version(v) => Route::InstagramTokenRefresh,
        [v, id] if get && is_graph_version(v) => Route::InstagramNode {
            version: (*v).to_owned(),
            id: (*id).to_owned(),
        },
        [v, user, "media"] if get && is_graph_version(v) => Route::InstagramMediaList {
            version: (*v).to_owned(),
            user: (*user).to_owned(),
        },
        [v, id, "insights"] if get && is_graph_version(v) => Route::InstagramInsights {
            version: (*v).to_owned(),
            id: (*id).to_owned(),
        },
        [v] if post && is_graph_version(v) => Route::InstagramBatch {
            version: (*v).to_owned(),
        },
        [] if post => Route::InstagramBatch {
            version: crate::GRAPH_VERSION.to_owned(),
        },
        ["v2", "oauth", "token"] if post => Route::Plain(Endpoint::TikTokToken),
        ["v2", "user", "info"] if get => Route::Plain(Endpoint::TikTokUserInfo),
        ["v2", "video", "list"] if post => Route::Plain(Endpoint::TikTokVideoList),
        ["v2", "video", "query"] if post => Route::Plain(Endpoint::TikTokVideoQuery),
        ["token"] if post => Route::Plain(Endpoint::GoogleToken),
        ["revoke"] if post => Route::Plain(Endpoint::GoogleRevoke),
        ["youtube", "v3", "channels"] if get => Route::Plain(Endpoint::YouTubeChannels),
        ["youtube", "v3", "playlistItems"] if get => Route::Plain(Endpoint::YouTubePlaylistItems),
        ["youtube", "v3", "videos"] if get => Route::Plain(Endpoint::YouTubeVideos),
        ["youtube", "v3", "videos:batchGetStats"] if get => {
            Route::Plain(Endpoint::YouTubeBatchGetStats)
        }
        _ => Route::Plain(Endpoint::Unknown),
    }
}

impl Route {
    fn endpoint(&self, st: &State) -> Endpoint {
        match self {
            Route::InstagramCodeExchange => Endpoint::InstagramCodeExchange,
            Route::InstagramTokenExchange => Endpoint::InstagramTokenExchange,
            Route::InstagramTokenRefresh => Endpoint::InstagramTokenRefresh,
            Route::InstagramNode { id, .. } => instagram::node_endpoint(st, id),
            Route::InstagramMediaList { .. } => Endpoint::InstagramMediaList,
            Route::InstagramInsights { .. } => Endpoint::InstagramInsights,
            Route::InstagramBatch { .. } => Endpoint::InstagramBatch,
            Route::FacebookOauth => Endpoint::InstagramCodeExchange,
            Route::Plain(e) => *e,
        }
    }
}

/// Answers one platform request: a hostile account's huge-delay refusal
/// when its turn has come, else the platform's answer with the hostile
/// values written over it.
fn handle(
    st: &mut State,
    now: Timestamp,
    route: &Route,
    endpoint: Endpoint,
    req: &Incoming,
) -> Reply {
    let requester = hostile::requester(st, now, endpoint, req);
    if let Some(account) = &requester {
        if let Some(refusal) = hostile::refusal(st, now, endpoint, account) {
            return refusal;
        }
    }
    let mut reply = answer(st, now, route, endpoint, req);
    hostile::dress(st, endpoint, requester.as_ref(), &mut reply);
    reply
}

/// The platform's own answer.
fn answer(
    st: &mut State,
    now: Timestamp,
    route: &Route,
    endpoint: Endpoint,
    req: &Incoming,
) -> Reply {
    match route {
        Route::InstagramCodeExchange => instagram::code_exchange(st, now, req),
        Route::InstagramTokenExchange => instagram::token_exchange(st, now, req),
        Route::InstagramTokenRefresh => instagram::token_refresh(st, now, req),
        Route::InstagramNode { id, .. } => {
            if endpoint == Endpoint::InstagramUser {
                instagram::user(st, now, req, id)
            } else {
                instagram::media(st, now, req, id)
            }
        }
        Route::InstagramMediaList { version, user } => {
            instagram::media_list(st, now, req, version, user)
        }
        Route::InstagramInsights { id, .. } => instagram::insights(st, now, req, id),
        Route::InstagramBatch { version } => batch(st, now, req, version),
        Route::FacebookOauth => instagram::facebook_oauth(st, now, req),
        Route::Plain(e) => match e {
            Endpoint::TikTokToken => tiktok::token(st, now, req),
            Endpoint::TikTokUserInfo => tiktok::user_info(st, now, req),
            Endpoint::TikTokVideoList => tiktok::video_list(st, now, req),
            Endpoint::TikTokVideoQuery => tiktok::video_query(st, now, req),
            Endpoint::GoogleToken => youtube::token(st, now, req),
            Endpoint::GoogleRevoke => youtube::revoke(st, req),
            Endpoint::YouTubeChannels => youtube::channels(st, now, req),
            Endpoint::YouTubePlaylistItems => youtube::playlist_items(st, now, req),
            Endpoint::YouTubeVideos => youtube::videos(st, now, req),
            Endpoint::YouTubeBatchGetStats => youtube::batch_get_stats(st, now, req),
            _ => Reply::json(
                404,
                serde_json::json!({ "error": { "code": 404, "message": "Not Found" } }),
            ),
        },
    }
}

/// The most sub-requests a Graph batch takes.
const MAX_GRAPH_BATCH: usize = 50;

/// A Graph batch: each `{"method":"GET","relative_url":"…"}` is answered
/// as its own request (and counted as one) and wrapped as
/// `{"code", "headers": [{"name","value"}], "body": "<JSON text>"}`.
fn batch(st: &mut State, now: Timestamp, req: &Incoming, version: &str) -> Reply {
    let form = req.form();
    let from_form = |name: &str| crate::http::field(&form, name).map(str::to_owned);
    let batch_text = req
        .query("batch")
        .map(str::to_owned)
        .or_else(|| from_form("batch"));
    let token = req
        .query("access_token")
        .map(str::to_owned)
        .or_else(|| from_form("access_token"));
    let items: Option<Vec<serde_json::Value>> = batch_text
        .as_deref()
        .and_then(|t| serde_json::from_str::<serde_json::Value>(t).ok())
        .and_then(|v| v.as_array().cloned());
    let Some(items) = items else {
        return instagram::bad_param(st, "(#100) The parameter batch is required".into());
    };
    if items.len() > MAX_GRAPH_BATCH {
        return instagram::bad_param(
            st,
            "(#100) Too many requests in batch message. Maximum batch size is 50".into(),
        );
    }
    let mut answers = Vec::new();
    for item in &items {
        let method = item["method"].as_str().unwrap_or("GET");
        let relative = item["relative_url"].as_str().unwrap_or("");
        let (path, query) = relative.split_once('?').unwrap_or((relative, ""));
        let mut pairs: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes())
            .into_owned()
            .collect();
        if let Some(t) = &token {
            if !pairs.iter().any(|(k, _)| k == "access_token") {
                pairs.push(("access_token".into(), t.clone()));
            }
        }
        let sub = Incoming {
            method: Method::from_bytes(method.as_bytes()).unwrap_or(Method::GET),
            path: format!("/{version}/{}", path.trim_start_matches('/')),
            query: pairs,
            headers: axum::http::HeaderMap::new(),
            body: Vec::new(),
            base_url: req.base_url.clone(),
        };
        let sub_route = route(&sub.method, &sub.path);
        let endpoint = sub_route.endpoint(st);
        *st.counters.entry(endpoint).or_default() += 1;
        let reply = if matches!(sub_route, Route::InstagramBatch { .. })
            || endpoint.platform() != Some(Platform::Instagram)
        {
            instagram::bad_param(
                st,
                format!("(#100) Unsupported batch request: {method} {path}"),
            )
        } else {
            handle(st, now, &sub_route, endpoint, &sub)
        };
        let mut headers = vec![serde_json::json!({
            "name": "Content-Type",
            "value": "text/javascript; charset=UTF-8",
        })];
        for (name, value) in &reply.headers {
            if *name == "www-authenticate" {
                headers.push(serde_json::json!({ "name": "WWW-Authenticate", "value": value }));
            }
        }
        let body = match &reply.body {
            crate::http::ReplyBody::Json(v) => crate::http::render(v),
            crate::http::ReplyBody::Raw(s) => s.clone(),
        };
        answers.push(serde_json::json!({
            "code": reply.status.as_u16(),
            "headers": headers,
            "body": body,
        }));
    }
    Reply::ok(serde_json::Value::Array(answers))
}

/// The platform's answer to an injected server error.
fn server_error(st: &mut State, now: Timestamp, endpoint: Endpoint, status: u16) -> Reply {
    match endpoint.platform() {
        Some(Platform::Instagram) => instagram::transient(st, status),
        Some(Platform::TikTok) => tiktok::internal_error(st, now, status),
        _ => youtube::backend_error(status),
    }
}

/// The platform's answer to an injected throttle.
fn rate_limited(st: &mut State, now: Timestamp, endpoint: Endpoint) -> Reply {
    match endpoint.platform() {
        Some(Platform::Instagram) => instagram::forced_throttle(st),
        Some(Platform::TikTok) => tiktok::rate_limited(st, now),
        _ => youtube::quota_exceeded(),
    }
}

/// A truncated body: valid JSON up to a point, then nothing.
fn malformed(endpoint: Endpoint) -> Reply {
    let text = match endpoint.platform() {
        Some(Platform::Instagram) => r#"{"data":[{"id":"1804"#,
        Some(Platform::TikTok) => r#"{"data":{"videos":[{"id":"7441"#,
        _ => r#"{"kind":"youtube#videoListResponse","items":[{"#,
    };
    Reply::raw(200, text.to_owned())
}

/// Serves every platform request.
async fn serve(
    axum::extract::State(app): axum::extract::State<AppState>,
    req: Request,
) -> Response {
    let (parts, body) = req.into_parts();
    let Ok(body) = axum::body::to_bytes(body, MAX_BODY).await else {
        return Reply::raw(413, "{}".to_owned()).into_response();
    };
    let query: Vec<(String, String)> = parts
        .uri
        .query()
        .map(|q| form_urlencoded::parse(q.as_bytes()).into_owned().collect())
        .unwrap_or_default();
    let incoming = Incoming {
        method: parts.method.clone(),
        path: parts.uri.path().to_owned(),
        query,
        headers: parts.headers,
        body: body.to_vec(),
        base_url: app.base_url.to_string(),
    };
    let route = route(&incoming.method, &incoming.path);
    let (endpoint, fault) = {
        let mut st = app.shared.lock();
        let endpoint = route.endpoint(&st);
        *st.counters.entry(endpoint).or_default() += 1;
        let fault = st.faults.take(endpoint);
        (endpoint, fault)
    };
    if let Some(FaultKind::Delay { millis }) = fault {
        tokio::time::sleep(Duration::from_millis(millis)).await;
    }
    let reply = {
        let mut st = app.shared.lock();
        let now = app.shared.clock.now();
        let reply = match fault {
            Some(FaultKind::ServerError { status }) => server_error(&mut st, now, endpoint, status),
            Some(FaultKind::Malformed) => malformed(endpoint),
            Some(FaultKind::RateLimited) => rate_limited(&mut st, now, endpoint),
            Some(FaultKind::Delay { .. }) | None => {
                handle(&mut st, now, &route, endpoint, &incoming)
            }
        };
        st.record_answer(endpoint, reply.status.as_u16(), reply.rate_limited);
        reply
    };
    tracing::debug!(
        endpoint = endpoint.as_str(),
        status = reply.status.as_u16(),
        "sandbox request"
    );
    reply.into_response()
}

/// The whole router: the admin API under `/sandbox/`, the platforms elsewhere.
pub(crate) fn router(state: AppState) -> Router {
    admin::routes().fallback(serve).with_state(state)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_route_to_their_platform() {
        let g = Method::GET;
        let p = Method::POST;
        assert_eq!(
            route(&g, "/v25.0/me/media"),
            Route::InstagramMediaList {
                version: "v25.0".into(),
                user: "me".into()
            }
        );
        assert_eq!(
            route(&g, "/v25.0/1804/insights"),
            Route::InstagramInsights {
                version: "v25.0".into(),
                id: "1804".into()
            }
        );
        assert_eq!(
            route(&g, "/refresh_access_token"),
            Route::InstagramTokenRefresh
        );
        assert_eq!(
            route(&p, "/v2/video/query/"),
            Route::Plain(Endpoint::TikTokVideoQuery)
        );
        assert_eq!(
            route(&g, "/v2/video/query/"),
            Route::Plain(Endpoint::Unknown)
        );
        assert_eq!(
            route(&g, "/youtube/v3/videos:batchGetStats"),
            Route::Plain(Endpoint::YouTubeBatchGetStats)
        );
        assert_eq!(route(&p, "/token"), Route::Plain(Endpoint::GoogleToken));
        assert_eq!(route(&g, "/v2/media"), Route::Plain(Endpoint::Unknown));
    }
}
