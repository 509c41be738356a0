//! TikTok (Login Kit + Display API v2): OAuth tokens with refresh rotation,
//! user info, `video/list` cursor paging, `video/query` batches of 20, the
//! `error` envelope and the per-endpoint rate limit.

use crate::endpoint::Endpoint;
use crate::http::{Incoming, Reply, field};
use crate::model::{Metric, Visibility};
use crate::scopes;
use crate::state::{Account, Post, State};
use crate::tokens::{TokenKind, TokenRecord, seconds_until};
use chrono::TimeDelta;
use serde_json::{Map, Value, json};
use socialsync_core::clock::Timestamp;
use socialsync_core::platform::Platform;

const P: Platform = Platform::TikTok;

/// The largest `max_count` and the most `video_ids` per request.
pub(crate) const MAX_BATCH: usize = 20;

const VIDEO_FIELDS: [&str; 16] = [
    "id",
    "create_time",
    "title",
    "video_description",
    "share_url",
    "duration",
    "cover_image_url",
    "like_count",
    "comment_count",
    "share_count",
    "view_count",
    "embed_link",
    "embed_html",
    "height",
    "width",
    "is_aigc",
];

/// A Display API answer: `data` next to the `error` object.
fn envelope(
    st: &mut State,
    now: Timestamp,
    status: u16,
    data: Value,
    code: &str,
    message: &str,
) -> Reply {
    let log_id = st.log_id(now);
    Reply::json(
        status,
        json!({
            "data": data,
            "error": { "code": code, "message": message, "log_id": log_id },
        }),
    )
}

/// A Display API error (empty `data`).
pub(crate) fn error(
    st: &mut State,
    now: Timestamp,
    status: u16,
    code: &str,
    message: &str,
) -> Reply {
    envelope(st, now, status, json!({}), code, message)
}

fn ok(st: &mut State, now: Timestamp, data: Value) -> Reply {
    envelope(st, now, 200, data, "ok", "")
}

fn invalid_params(st: &mut State, now: Timestamp, message: &str) -> Reply {
    error(st, now, 400, "invalid_params", message)
}

/// TikTok's own failure.
pub(crate) fn internal_error(st: &mut State, now: Timestamp, status: u16) -> Reply {
    error(
        st,
        now,
        status,
        "internal_error",
        "Something went wrong. Please try again later.",
    )
}

/// Over the per-endpoint limit.
pub(crate) fn rate_limited(st: &mut State, now: Timestamp) -> Reply {
    error(
        st,
        now,
        429,
        "rate_limit_exceeded",
        "The API rate limit was exceeded. Please try again later.",
    )
    .limiting()
}

/// Counts the request in the endpoint's sliding minute.
fn rate_limit(st: &mut State, now: Timestamp, endpoint: Endpoint) -> Result<(), Reply> {
    let limit = st.limits.tiktok_requests_per_minute as usize;
    let window = st.tiktok_windows.entry(endpoint).or_default();
    if window.count(now, TimeDelta::minutes(1)) >= limit {
        return Err(rate_limited(st, now));
    }
    window.record(now);
    Ok(())
}

fn authenticate(
    st: &mut State,
    now: Timestamp,
    req: &Incoming,
    scope: &str,
) -> Result<TokenRecord, Reply> {
    let record = req
        .bearer()
        .and_then(|t| st.tokens.get(t))
        .filter(|r| r.platform == P && r.kind == TokenKind::Access)
        .cloned();
    match record {
        Some(r) if r.check(now).is_ok() => {
            if r.has_scope(&[scope]) {
                Ok(r)
            } else {
                Err(error(
                    st,
                    now,
                    401,
                    "scope_not_authorized",
                    "The user did not authorize the scope required for completing this request. Please ask the user to authorize and then retry.",
                ))
            }
        }
        _ => Err(error(
            st,
            now,
            401,
            "access_token_invalid",
            "Access token is invalid, please refresh token and retry",
        )),
    }
}

fn fields<'a>(
    st: &mut State,
    now: Timestamp,
    req: &'a Incoming,
    allowed: &[&str],
) -> Result<Vec<&'a str>, Reply> {
    let list: Vec<&str> = req
        .query("fields")
        .unwrap_or("")
        .split(',')
        .map(str::trim)
        .filter(|f| !f.is_empty())
        .collect();
    if list.is_empty() {
        return Err(invalid_params(
            st,
            now,
            "Invalid parameters: fields is required",
        ));
    }
    if let Some(bad) = list.iter().find(|f| !allowed.contains(f)) {
        let message = format!("Invalid parameters: unknown field {bad}");
        return Err(invalid_params(st, now, &message));
    }
    Ok(list)
}

fn body_json(req: &Incoming) -> Option<Value> {
    if req.body.iter().all(u8::is_ascii_whitespace) {
        return Some(json!({}));
    }
    serde_json::from_slice(&req.body).ok()
}

fn video_json(
    post: &Post,
    account: &Account,
    now: Timestamp,
    fields: &[&str],
    client_key: &str,
) -> Value {
    let mut m = Map::new();
    for f in fields {
        let v = match *f {
            "id" => json!(post.id),
            "create_time" => json!(post.spec.published_at.timestamp()),
            "title" => json!(post.spec.title),
            "video_description" => json!(post.spec.description),
            "share_url" => json!(format!(
                "https://www.tiktok.com/@{}/video/{}?utm_campaign=tt4d_open_api&utm_source={client_key}",
                account.spec.username, post.id
            )),
            "duration" => json!(post.spec.duration_secs),
            "cover_image_url" => json!(format!(
                "https://p16-sign.tiktokcdn-us.com/tos-useast5-p-0068-tx/{}~tplv-noop.image?x-expires={}&x-signature=SaNdBoXsIgNaTuRe%3D",
                post.id,
                (now + TimeDelta::hours(6)).timestamp()
            )),
            "like_count" => json!(post.metric(Metric::Likes, now)),
            "comment_count" => json!(post.metric(Metric::Comments, now)),
            "share_count" => json!(post.metric(Metric::Shares, now)),
            "view_count" => json!(post.metric(Metric::Views, now)),
            "embed_link" => json!(format!("https://www.tiktok.com/player/v1/{}", post.id)),
            "embed_html" => json!(format!(
                "<blockquote class=\"tiktok-embed\" data-video-id=\"{}\"></blockquote>",
                post.id
            )),
            "height" => json!(1920),
            "width" => json!(1080),
            "is_aigc" => json!(false),
            _ => continue,
        };
        m.insert((*f).to_owned(), v);
    }
    Value::Object(m)
}

fn visible(post: &Post, now: Timestamp) -> bool {
    post.is_out(now) && post.visibility(now) == Visibility::Public
}

/// `GET /v2/user/info/?fields=…`.
pub(crate) fn user_info(st: &mut State, now: Timestamp, req: &Incoming) -> Reply {
    if let Err(r) = rate_limit(st, now, Endpoint::TikTokUserInfo) {
        return r;
    }
    let record = match authenticate(st, now, req, scopes::TIKTOK_USER_INFO) {
        Ok(r) => r,
        Err(r) => return r,
    };
    const BASIC: [&str; 6] = [
        "open_id",
        "union_id",
        "avatar_url",
        "avatar_url_100",
        "avatar_large_url",
        "display_name",
    ];
    const PROFILE: [&str; 4] = [
        "username",
        "bio_description",
        "profile_deep_link",
        "is_verified",
    ];
    const STATS: [&str; 4] = [
        "follower_count",
        "following_count",
        "likes_count",
        "video_count",
    ];
    let all: Vec<&str> = BASIC
        .iter()
        .chain(&PROFILE)
        .chain(&STATS)
        .copied()
        .collect();
    let list = match fields(st, now, req, &all) {
        Ok(f) => f,
        Err(r) => return r,
    };
    let needs = |set: &[&str], scope: &str| {
        list.iter().any(|f| set.contains(f)) && !record.has_scope(&[scope])
    };
    if needs(&PROFILE, scopes::TIKTOK_USER_PROFILE) || needs(&STATS, scopes::TIKTOK_USER_STATS) {
        return error(
            st,
            now,
            400,
            "scope_permission_missed",
            "Some of the requested fields need scopes the user did not grant.",
        );
    }
    let Some(account) = st.account(P, &record.account_id).cloned() else {
        return internal_error(st, now, 500);
    };
    let videos = st
        .posts_of(P, &account.id)
        .into_iter()
        .filter(|p| visible(p, now))
        .count();
    let avatar = format!(
        "https://p16-sign.tiktokcdn-us.com/tos-useast5-avt-0068-tx/{}~c5_168x168.jpeg",
        account.union_id
    );
    let mut user = Map::new();
    for f in list {
        let v = match f {
            "open_id" => json!(account.id),
            "union_id" => json!(account.union_id),
            "avatar_url" | "avatar_url_100" | "avatar_large_url" => json!(avatar),
            "display_name" => json!(account.spec.display_name),
            "username" => json!(account.spec.username),
            "bio_description" => json!(""),
            "profile_deep_link" => {
                json!(format!("https://vm.tiktok.com/@{}", account.spec.username))
            }
            "is_verified" => json!(false),
            "follower_count" => json!(1000),
            "following_count" => json!(100),
            "likes_count" => json!(5000),
            "video_count" => json!(videos),
            _ => continue,
        };
        user.insert(f.to_owned(), v);
    }
    ok(st, now, json!({ "user": user }))
}

/// `POST /v2/video/list/?fields=…` body `{"max_count", "cursor"}`.
pub(crate) fn video_list(st: &mut State, now: Timestamp, req: &Incoming) -> Reply {
    if let Err(r) = rate_limit(st, now, Endpoint::TikTokVideoList) {
        return r;
    }
    let record = match authenticate(st, now, req, scopes::TIKTOK_VIDEO_LIST) {
        Ok(r) => r,
        Err(r) => return r,
    };
    let list = match fields(st, now, req, &VIDEO_FIELDS) {
        Ok(f) => f,
        Err(r) => return r,
    };
    let Some(body) = body_json(req) else {
        return invalid_params(
            st,
            now,
            "Invalid parameters: the request body is not valid JSON",
        );
    };
    let max_count = match body.get("max_count") {
        None | Some(Value::Null) => 10,
        Some(v) => match v.as_u64() {
            Some(n) if (1..=MAX_BATCH as u64).contains(&n) => n as usize,
            _ => {
                return invalid_params(
                    st,
                    now,
                    "Invalid parameters: max_count must be between 1 and 20",
                );
            }
        },
    };
    let cursor = match body.get("cursor") {
        None | Some(Value::Null) => None,
        Some(v) => match v.as_i64() {
            Some(c) => Some(c),
            None => {
                return invalid_params(st, now, "Invalid parameters: cursor must be an integer");
            }
        },
    };
    let Some(account) = st.account(P, &record.account_id).cloned() else {
        return internal_error(st, now, 500);
    };
    // A half-broken token lists nothing; an endless listing goes on with
    // empty pages where it would end.
    let blind = st.half_broken(P, &account.id);
    let endless = st.spoils(P, &account.id).endless();
    let candidates: Vec<Post> = st
        .posts_of(P, &account.id)
        .into_iter()
        .filter(|p| !blind && visible(p, now))
        .filter(|p| cursor.is_none_or(|c| p.spec.published_at.timestamp_millis() < c))
        .cloned()
        .collect();
    let mut page: Vec<&Post> = candidates.iter().take(max_count).collect();
    // The cursor is the last video's time in milliseconds and the next page
    // starts strictly before it: a page must not end inside an instant
    // whose other videos come next, or they would fall behind the cursor.
    // End the page before that instant instead (a short page with
    // `has_more`, as TikTok sends); when the whole page is one instant,
    // take all of that instant's videos.
    let instant = |p: &Post| p.spec.published_at.timestamp_millis();
    if let (Some(last), Some(next)) = (page.last(), candidates.get(page.len())) {
        let split = instant(last);
        if instant(next) == split {
            let kept = page.iter().take_while(|p| instant(p) != split).count();
            if kept > 0 {
                page.truncate(kept);
            } else {
                page = candidates
                    .iter()
                    .take_while(|p| instant(p) == split)
                    .collect();
            }
        }
    }
    let mut has_more = candidates.len() > page.len();
    let mut next_cursor = page.last().map(|p| instant(p)).unwrap_or(0);
    if let Some(mode) = endless {
        if !has_more {
            has_more = true;
            if page.is_empty() {
                next_cursor =
                    crate::hostile::tiktok_endless_cursor(mode, cursor, now.timestamp_millis());
            }
        }
    }
    let key = st.tiktok_client_key();
    let videos: Vec<Value> = page
        .iter()
        .map(|p| video_json(p, &account, now, &list, &key))
        .collect();
    ok(
        st,
        now,
        json!({ "videos": videos, "cursor": next_cursor, "has_more": has_more }),
    )
}

/// `POST /v2/video/query/?fields=…` body `{"filters":{"video_ids":[…]}}`:
/// ids deleted, private or not the user's are silently left out.
pub(crate) fn video_query(st: &mut State, now: Timestamp, req: &Incoming) -> Reply {
    if let Err(r) = rate_limit(st, now, Endpoint::TikTokVideoQuery) {
        return r;
    }
    let record = match authenticate(st, now, req, scopes::TIKTOK_VIDEO_LIST) {
        Ok(r) => r,
        Err(r) => return r,
    };
    let list = match fields(st, now, req, &VIDEO_FIELDS) {
        Ok(f) => f,
        Err(r) => return r,
    };
    let ids: Option<Vec<String>> = body_json(req).and_then(|b| {
        b.get("filters")?
            .get("video_ids")?
            .as_array()?
            .iter()
            .map(|v| v.as_str().map(str::to_owned))
            .collect()
    });
    let Some(ids) = ids else {
        return invalid_params(st, now, "Invalid parameters: filters.video_ids is required");
    };
    if ids.is_empty() {
        return invalid_params(st, now, "Invalid parameters: filters.video_ids is empty");
    }
    if ids.len() > MAX_BATCH {
        return invalid_params(
            st,
            now,
            "Invalid parameters: the number of video_ids exceeds the limit of 20",
        );
    }
    let Some(account) = st.account(P, &record.account_id).cloned() else {
        return internal_error(st, now, 500);
    };
    let key = st.tiktok_client_key();
    let blind = st.half_broken(P, &account.id);
    let videos: Vec<Value> = ids
        .iter()
        .filter_map(|id| st.post(P, id))
        .filter(|p| !blind && !p.deleted && p.account_id == account.id && visible(p, now))
        .map(|p| video_json(p, &account, now, &list, &key))
        .collect();
    ok(st, now, json!({ "videos": videos }))
}

fn oauth_error(st: &mut State, now: Timestamp, code: &str, description: &str) -> Reply {
    let log_id = st.log_id(now);
    Reply::json(
        400,
        json!({ "error": code, "error_description": description, "log_id": log_id }),
    )
}

/// `POST /v2/oauth/token/`: `authorization_code` and `refresh_token`
/// grants. A refresh rotates the refresh token: the one presented dies.
pub(crate) fn token(st: &mut State, now: Timestamp, req: &Incoming) -> Reply {
    let form = req.form();
    let grant_type = field(&form, "grant_type").unwrap_or_default();
    let (presented, expected_kind) = match grant_type {
        "authorization_code" => (field(&form, "code"), TokenKind::AuthCode),
        "refresh_token" => (field(&form, "refresh_token"), TokenKind::Refresh),
        _ => {
            return oauth_error(
                st,
                now,
                "unsupported_grant_type",
                "The grant type is not supported.",
            );
        }
    };
    let key = field(&form, "client_key");
    if key.is_none_or(str::is_empty) || !st.client_ok(P, key, field(&form, "client_secret")) {
        return oauth_error(
            st,
            now,
            "invalid_client",
            "Client key or secret is invalid.",
        );
    }
    let presented = presented.unwrap_or_default().to_owned();
    let record = st
        .tokens
        .get(&presented)
        .filter(|r| r.platform == P && r.kind == expected_kind)
        .cloned();
    let Some(record) = record.filter(|r| r.check(now).is_ok()) else {
        let description = if expected_kind == TokenKind::AuthCode {
            "Authorization code is expired or invalid."
        } else {
            "Refresh token is invalid or expired."
        };
        return oauth_error(st, now, "invalid_grant", description);
    };
    if let Some(r) = st.tokens.get_mut(&presented) {
        r.spent = true;
    }
    // A code starts the refresh token's life; a refresh keeps its end.
    let refresh_expires = match expected_kind {
        TokenKind::AuthCode => now + st.lifetimes.tiktok_refresh,
        _ => record
            .expires_at
            .unwrap_or(now + st.lifetimes.tiktok_refresh),
    };
    let access_expires = now + st.lifetimes.tiktok_access;
    let access = st.new_token(
        P,
        &record.account_id,
        TokenKind::Access,
        record.grant,
        now,
        Some(access_expires),
        record.scopes.clone(),
    );
    let refresh = st.new_token(
        P,
        &record.account_id,
        TokenKind::Refresh,
        record.grant,
        now,
        Some(refresh_expires),
        record.scopes.clone(),
    );
    Reply::ok(json!({
        "access_token": access,
        "expires_in": seconds_until(now, access_expires),
        "open_id": record.account_id,
        "refresh_expires_in": seconds_until(now, refresh_expires),
        "refresh_token": refresh,
        "scope": record.scopes.join(","),
        "token_type": "Bearer",
    }))
}
