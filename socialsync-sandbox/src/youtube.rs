//! YouTube (Data API v3) and Google OAuth: channels, the uploads playlist
//! with page tokens, `videos.list` batches of 50 with statistics as JSON
//! strings, `videos:batchGetStats`, the daily unit quota and Google's
//! error envelope.

use crate::endpoint::Endpoint;
use crate::http::{Incoming, Reply, field};
use crate::model::{Metric, Visibility};
use crate::scopes;
use crate::state::{Account, Post, State};
use crate::tokens::{TokenKind, TokenRecord, seconds_until};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use serde_json::{Map, Value, json};
use socialsync_core::clock::Timestamp;
use socialsync_core::platform::Platform;

const P: Platform = Platform::YouTube;

/// The most ids `videos.list` takes, and the largest `maxResults`.
pub(crate) const MAX_BATCH: usize = 50;

/// One entry of Google's `errors` array.
struct ErrorItem<'a> {
    message: &'a str,
    domain: &'a str,
    reason: &'a str,
    location: Option<(&'a str, &'a str)>,
}

fn error(
    status: u16,
    message: &str,
    item: ErrorItem<'_>,
    status_name: Option<&str>,
    detail_reason: Option<&str>,
) -> Reply {
    let mut entry = Map::new();
    entry.insert("message".into(), json!(item.message));
    entry.insert("domain".into(), json!(item.domain));
    entry.insert("reason".into(), json!(item.reason));
    if let Some((location, kind)) = item.location {
        entry.insert("location".into(), json!(location));
        entry.insert("locationType".into(), json!(kind));
    }
    let mut e = Map::new();
    e.insert("code".into(), json!(status));
    e.insert("message".into(), json!(message));
    e.insert("errors".into(), json!([Value::Object(entry)]));
    if let Some(s) = status_name {
        e.insert("status".into(), json!(s));
    }
    if let Some(reason) = detail_reason {
        e.insert(
            "details".into(),
            json!([{
                "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                "reason": reason,
                "domain": "googleapis.com",
                "metadata": { "service": "youtube.googleapis.com" }
            }]),
        );
    }
    Reply::json(status, json!({ "error": Value::Object(e) }))
}

/// Google's backend failure.
pub(crate) fn backend_error(status: u16) -> Reply {
    let message = "The service is currently unavailable.";
    error(
        status,
        message,
        ErrorItem {
            message,
            domain: "global",
            reason: "backendError",
            location: None,
        },
        Some(if status == 503 {
            "UNAVAILABLE"
        } else {
            "INTERNAL"
        }),
        None,
    )
}

/// The daily quota is used up.
pub(crate) fn quota_exceeded() -> Reply {
    let message = "The request cannot be completed because you have exceeded your <a href=\"/youtube/v3/getting-started#quota\">quota</a>.";
    error(
        403,
        message,
        ErrorItem {
            message,
            domain: "youtube.quota",
            reason: "quotaExceeded",
            location: None,
        },
        None,
        None,
    )
    .limiting()
}

fn auth_error() -> Reply {
    error(
        401,
        "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.",
        ErrorItem {
            message: "Invalid Credentials",
            domain: "global",
            reason: "authError",
            location: Some(("Authorization", "header")),
        },
        Some("UNAUTHENTICATED"),
        Some("ACCESS_TOKEN_EXPIRED"),
    )
    .with_header(
        "www-authenticate",
        "Bearer realm=\"https://accounts.google.com/\", error=\"invalid_token\"".into(),
    )
}

fn insufficient_scopes() -> Reply {
    error(
        403,
        "Request had insufficient authentication scopes.",
        ErrorItem {
            message: "Insufficient Permission",
            domain: "global",
            reason: "insufficientPermissions",
            location: None,
        },
        Some("PERMISSION_DENIED"),
        Some("ACCESS_TOKEN_SCOPE_INSUFFICIENT"),
    )
}

fn bad_parameter(reason: &str, message: &str, location: &str) -> Reply {
    error(
        400,
        message,
        ErrorItem {
            message,
            domain: "youtube.parameter",
            reason,
            location: Some((location, "parameter")),
        },
        None,
        None,
    )
}

fn too_many_ids() -> Reply {
    let message = "The request specifies an invalid filter parameter.";
    error(
        400,
        message,
        ErrorItem {
            message,
            domain: "youtube.parameter",
            reason: "invalidFilters",
            location: Some(("parameters.", "other")),
        },
        None,
        None,
    )
}

fn playlist_not_found() -> Reply {
    let message = "The playlist identified with the request's <code>playlistId</code> parameter cannot be found.";
    error(
        404,
        message,
        ErrorItem {
            message,
            domain: "youtube.playlistItem",
            reason: "playlistNotFound",
            location: Some(("playlistId", "parameter")),
        },
        None,
        None,
    )
}

/// Over the project's queries per minute.
pub(crate) fn rate_limit_exceeded() -> Reply {
    let message = "Quota exceeded for quota metric 'Queries' and limit 'Queries per minute' of service 'youtube.googleapis.com' for consumer 'project_number:0'.";
    error(
        429,
        message,
        ErrorItem {
            message,
            domain: "global",
            reason: "rateLimitExceeded",
            location: None,
        },
        Some("RESOURCE_EXHAUSTED"),
        None,
    )
    .limiting()
}

/// Charges one unit of the endpoint's daily bucket, or refuses when it is
/// used up (or, when configured, when the minute's queries are). Every
/// request costs a unit, even one refused later.
fn charge(st: &mut State, now: Timestamp, endpoint: Endpoint) -> Result<(), Reply> {
    if let Some(per_minute) = st.limits.youtube_queries_per_minute {
        let window = &mut st.youtube_minute;
        if window.count(now, chrono::TimeDelta::minutes(1)) >= per_minute as usize {
            return Err(rate_limit_exceeded());
        }
        window.record(now);
    }
    let (quota, limit) = if endpoint == Endpoint::YouTubeBatchGetStats {
        (
            &mut st.youtube_stats_quota,
            st.limits.youtube_batch_get_stats_daily_units,
        )
    } else {
        (&mut st.youtube_quota, st.limits.youtube_daily_units)
    };
    if quota.used(now) >= u64::from(limit) {
        return Err(quota_exceeded());
    }
    quota.charge(now, 1);
    Ok(())
}

fn authenticate(st: &State, now: Timestamp, req: &Incoming) -> Result<TokenRecord, Reply> {
    let record = req
        .bearer()
        .or_else(|| req.query("access_token"))
        .and_then(|t| st.tokens.get(t))
        .filter(|r| r.platform == P && r.kind == TokenKind::Access)
        .filter(|r| r.check(now).is_ok())
        .cloned()
        .ok_or_else(auth_error)?;
    if record.has_scope(&[
        scopes::YOUTUBE_READONLY,
        scopes::YOUTUBE,
        scopes::YOUTUBE_FORCE_SSL,
    ]) {
        Ok(record)
    } else {
        Err(insufficient_scopes())
    }
}

fn start(
    st: &mut State,
    now: Timestamp,
    req: &Incoming,
    endpoint: Endpoint,
) -> Result<(TokenRecord, Vec<String>), Reply> {
    charge(st, now, endpoint)?;
    let record = authenticate(st, now, req)?;
    let parts: Vec<String> = req
        .query("part")
        .unwrap_or("")
        .split(',')
        .map(|p| p.trim().to_owned())
        .filter(|p| !p.is_empty())
        .collect();
    if parts.is_empty() {
        let message = "No filter selected. Expected one of: part";
        return Err(error(
            400,
            message,
            ErrorItem {
                message,
                domain: "global",
                reason: "required",
                location: Some(("part", "parameter")),
            },
            None,
            None,
        ));
    }
    Ok((record, parts))
}

fn rfc3339(t: Timestamp) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

fn uploads_playlist(channel_id: &str) -> String {
    format!("UU{}", channel_id.get(2..).unwrap_or(channel_id))
}

fn thumbnails(id: &str) -> Value {
    json!({
        "default": { "url": format!("https://i.ytimg.com/vi/{id}/default.jpg"), "width": 120, "height": 90 },
        "medium": { "url": format!("https://i.ytimg.com/vi/{id}/mqdefault.jpg"), "width": 320, "height": 180 },
        "high": { "url": format!("https://i.ytimg.com/vi/{id}/hqdefault.jpg"), "width": 480, "height": 360 },
    })
}

fn privacy(post: &Post, now: Timestamp) -> &'static str {
    if !post.is_out(now) {
        return "private";
    }
    match post.spec.visibility {
        Visibility::Public => "public",
        Visibility::Unlisted => "unlisted",
        Visibility::Private => "private",
    }
}

/// Whether the token's account may see the video.
fn can_see(post: &Post, viewer: &str, now: Timestamp) -> bool {
    !post.deleted
        && (post.account_id == viewer
            || (post.is_out(now) && post.spec.visibility != Visibility::Private))
}

/// `GET /youtube/v3/channels?part=…&mine=true` (or `id=…`).
pub(crate) fn channels(st: &mut State, now: Timestamp, req: &Incoming) -> Reply {
    let (record, parts) = match start(st, now, req, Endpoint::YouTubeChannels) {
        Ok(x) => x,
        Err(r) => return r,
    };
    let wanted: Vec<Account> = if req.query("mine") == Some("true") {
        st.account(P, &record.account_id)
            .cloned()
            .into_iter()
            .collect()
    } else if let Some(ids) = req.query("id") {
        ids.split(',')
            .filter_map(|id| st.account(P, id.trim()).cloned())
            .collect()
    } else {
        let message = "No filter selected. Expected one of: mine, id, forHandle, forUsername";
        return error(
            400,
            message,
            ErrorItem {
                message,
                domain: "youtube.parameter",
                reason: "missingRequiredParameter",
                location: Some(("parameters.", "other")),
            },
            None,
            None,
        );
    };
    let wanted: Vec<Account> = wanted.into_iter().filter(|a| a.spec.has_channel).collect();
    let mut items = Vec::new();
    for account in &wanted {
        let mut item = Map::new();
        item.insert("kind".into(), json!("youtube#channel"));
        item.insert("etag".into(), json!(st.etag()));
        item.insert("id".into(), json!(account.id));
        for part in &parts {
            match part.as_str() {
                "contentDetails" => {
                    item.insert(
                        "contentDetails".into(),
                        json!({ "relatedPlaylists": { "likes": "LL", "uploads": uploads_playlist(&account.id) } }),
                    );
                }
                "snippet" => {
                    item.insert(
                        "snippet".into(),
                        json!({
                            "title": account.spec.display_name,
                            "description": "",
                            "customUrl": format!("@{}", account.spec.username),
                            "publishedAt": rfc3339(account.created_at),
                            "thumbnails": thumbnails(&account.id),
                            "localized": { "title": account.spec.display_name, "description": "" },
                        }),
                    );
                }
                "statistics" => {
                    let videos = st.posts_of(P, &account.id).len();
                    item.insert(
                        "statistics".into(),
                        json!({
                            "viewCount": "0",
                            "subscriberCount": "1000",
                            "hiddenSubscriberCount": false,
                            "videoCount": videos.to_string(),
                        }),
                    );
                }
                _ => {}
            }
        }
        items.push(Value::Object(item));
    }
    let mut body = Map::new();
    body.insert("kind".into(), json!("youtube#channelListResponse"));
    body.insert("etag".into(), json!(st.etag()));
    body.insert(
        "pageInfo".into(),
        json!({ "totalResults": items.len(), "resultsPerPage": 5 }),
    );
    if !items.is_empty() {
        body.insert("items".into(), Value::Array(items));
    }
    Reply::ok(Value::Object(body))
}

fn encode_page(offset: usize) -> String {
    URL_SAFE_NO_PAD.encode(format!("PT:{offset}"))
}

fn decode_page(token: &str) -> Option<usize> {
    let bytes = URL_SAFE_NO_PAD.decode(token).ok()?;
    String::from_utf8(bytes)
        .ok()?
        .strip_prefix("PT:")?
        .parse()
        .ok()
}

/// `GET /youtube/v3/playlistItems?part=…&playlistId=…&maxResults=…&pageToken=…`.
pub(crate) fn playlist_items(st: &mut State, now: Timestamp, req: &Incoming) -> Reply {
    let (record, parts) = match start(st, now, req, Endpoint::YouTubePlaylistItems) {
        Ok(x) => x,
        Err(r) => return r,
    };
    let playlist = req.query("playlistId").unwrap_or("").to_owned();
    let owner = st
        .accounts
        .values()
        .find(|a| a.spec.platform == P && a.spec.has_channel && uploads_playlist(&a.id) == playlist)
        .cloned();
    let Some(owner) = owner else {
        return playlist_not_found();
    };
    let max_results = match req.query("maxResults").map(str::parse::<usize>) {
        None => 5,
        Some(Ok(n)) if n <= MAX_BATCH => n,
        Some(_) => {
            return bad_parameter(
                "invalidParameter",
                "Invalid value for maxResults. Values must be within the range: [0, 50]",
                "maxResults",
            );
        }
    };
    let offset = match req.query("pageToken") {
        None => 0,
        Some(t) => match decode_page(t) {
            Some(o) => o,
            None => {
                return bad_parameter(
                    "invalidPageToken",
                    "The request specifies an invalid page token.",
                    "pageToken",
                );
            }
        },
    };
    let mut videos: Vec<Post> = st
        .posts_of(P, &owner.id)
        .into_iter()
        .filter(|p| can_see(p, &record.account_id, now))
        .cloned()
        .collect();
    videos.sort_by(|a, b| {
        let added = |p: &Post| p.spec.uploaded_at.unwrap_or(p.spec.published_at);
        added(b).cmp(&added(a)).then_with(|| b.id.cmp(&a.id))
    });
    let total = videos.len();
    let end = offset.saturating_add(max_results).min(total);
    let page = videos.get(offset.min(total)..end).unwrap_or(&[]);
    let mut items = Vec::new();
    for (i, post) in page.iter().enumerate() {
        let mut item = Map::new();
        item.insert("kind".into(), json!("youtube#playlistItem"));
        item.insert("etag".into(), json!(post.etag));
        item.insert(
            "id".into(),
            json!(STANDARD.encode(format!("{playlist}.{}", post.id))),
        );
        for part in &parts {
            match part.as_str() {
                "snippet" => {
                    let added = post.spec.uploaded_at.unwrap_or(post.spec.published_at);
                    item.insert(
                        "snippet".into(),
                        json!({
                            "publishedAt": rfc3339(added),
                            "channelId": owner.id,
                            "title": post.spec.title,
                            "description": post.spec.description,
                            "thumbnails": thumbnails(&post.id),
                            "channelTitle": owner.spec.display_name,
                            "playlistId": playlist,
                            "position": offset + i,
                            "resourceId": { "kind": "youtube#video", "videoId": post.id },
                            "videoOwnerChannelTitle": owner.spec.display_name,
                            "videoOwnerChannelId": owner.id,
                        }),
                    );
                }
                "contentDetails" => {
                    let mut cd = Map::new();
                    cd.insert("videoId".into(), json!(post.id));
                    if post.is_out(now) && post.spec.visibility != Visibility::Private {
                        cd.insert(
                            "videoPublishedAt".into(),
                            json!(rfc3339(post.spec.published_at)),
                        );
                    }
                    item.insert("contentDetails".into(), Value::Object(cd));
                }
                "status" => {
                    item.insert(
                        "status".into(),
                        json!({ "privacyStatus": privacy(post, now) }),
                    );
                }
                _ => {}
            }
        }
        items.push(Value::Object(item));
    }
    let mut body = Map::new();
    body.insert("kind".into(), json!("youtube#playlistItemListResponse"));
    body.insert("etag".into(), json!(st.etag()));
    if end < total {
        body.insert("nextPageToken".into(), json!(encode_page(end)));
    }
    if offset > 0 {
        body.insert(
            "prevPageToken".into(),
            json!(encode_page(offset.saturating_sub(max_results))),
        );
    }
    body.insert("items".into(), Value::Array(items));
    body.insert(
        "pageInfo".into(),
        json!({ "totalResults": total, "resultsPerPage": max_results }),
    );
    Reply::ok(Value::Object(body))
}

fn ids(req: &Incoming) -> Vec<String> {
    req.query("id")
        .unwrap_or("")
        .split(',')
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .collect()
}

fn iso_duration(secs: u32) -> String {
    let (h, m, s) = (secs / 3600, secs / 60 % 60, secs % 60);
    let mut out = String::from("PT");
    if h > 0 {
        out.push_str(&format!("{h}H"));
    }
    if m > 0 {
        out.push_str(&format!("{m}M"));
    }
    if s > 0 || (h == 0 && m == 0) {
        out.push_str(&format!("{s}S"));
    }
    out
}

fn statistics(post: &Post, now: Timestamp, owner: bool) -> Value {
    let mut s = Map::new();
    s.insert(
        "viewCount".into(),
        json!(post.metric(Metric::Views, now).to_string()),
    );
    if !post.spec.likes_hidden {
        s.insert(
            "likeCount".into(),
            json!(post.metric(Metric::Likes, now).to_string()),
        );
    }
    if owner {
        s.insert(
            "dislikeCount".into(),
            json!(post.metric(Metric::Dislikes, now).to_string()),
        );
    }
    s.insert("favoriteCount".into(), json!("0"));
    if !post.spec.comments_disabled {
        s.insert(
            "commentCount".into(),
            json!(post.metric(Metric::Comments, now).to_string()),
        );
    }
    Value::Object(s)
}

/// `GET /youtube/v3/videos?part=…&id=a,b,c` (at most 50 ids; unknown,
/// deleted or unseen ids are silently left out).
pub(crate) fn videos(st: &mut State, now: Timestamp, req: &Incoming) -> Reply {
    let (record, parts) = match start(st, now, req, Endpoint::YouTubeVideos) {
        Ok(x) => x,
        Err(r) => return r,
    };
    let ids = ids(req);
    if ids.len() > MAX_BATCH {
        return too_many_ids();
    }
    let mut items = Vec::new();
    for id in &ids {
        let Some(post) = st
            .post(P, id)
            .filter(|p| can_see(p, &record.account_id, now))
        else {
            continue;
        };
        let Some(owner) = st.account(P, &post.account_id) else {
            continue;
        };
        let is_owner = owner.id == record.account_id;
        let mut item = Map::new();
        item.insert("kind".into(), json!("youtube#video"));
        item.insert("etag".into(), json!(post.etag));
        item.insert("id".into(), json!(post.id));
        for part in &parts {
            match part.as_str() {
                "snippet" => {
                    let mut sn = Map::new();
                    sn.insert("publishedAt".into(), json!(rfc3339(post.spec.published_at)));
                    sn.insert("channelId".into(), json!(owner.id));
                    sn.insert("title".into(), json!(post.spec.title));
                    sn.insert("description".into(), json!(post.spec.description));
                    sn.insert("thumbnails".into(), thumbnails(&post.id));
                    sn.insert("channelTitle".into(), json!(owner.spec.display_name));
                    if !post.spec.tags.is_empty() {
                        sn.insert("tags".into(), json!(post.spec.tags));
                    }
                    sn.insert("categoryId".into(), json!("22"));
                    sn.insert("liveBroadcastContent".into(), json!("none"));
                    sn.insert(
                        "localized".into(),
                        json!({ "title": post.spec.title, "description": post.spec.description }),
                    );
                    item.insert("snippet".into(), Value::Object(sn));
                }
                "status" => {
                    let mut status = Map::new();
                    status.insert("uploadStatus".into(), json!("processed"));
                    status.insert("privacyStatus".into(), json!(privacy(post, now)));
                    if !post.is_out(now) {
                        status.insert("publishAt".into(), json!(rfc3339(post.spec.published_at)));
                    }
                    status.insert("license".into(), json!("youtube"));
                    status.insert("embeddable".into(), json!(true));
                    status.insert("publicStatsViewable".into(), json!(true));
                    status.insert("madeForKids".into(), json!(false));
                    item.insert("status".into(), Value::Object(status));
                }
                "statistics" => {
                    item.insert("statistics".into(), statistics(post, now, is_owner));
                }
                "contentDetails" => {
                    item.insert(
                        "contentDetails".into(),
                        json!({
                            "duration": iso_duration(post.spec.duration_secs),
                            "dimension": "2d",
                            "definition": "hd",
                            "caption": "false",
                            "licensedContent": false,
                            "contentRating": {},
                            "projection": "rectangular",
                        }),
                    );
                }
                _ => {}
            }
        }
        items.push(Value::Object(item));
    }
    let n = items.len();
    let etag = st.etag();
    Reply::ok(json!({
        "kind": "youtube#videoListResponse",
        "etag": etag,
        "items": items,
        "pageInfo": { "totalResults": n, "resultsPerPage": n },
    }))
}

/// `GET /youtube/v3/videos:batchGetStats?part=…&id=…` (its own daily bucket).
pub(crate) fn batch_get_stats(st: &mut State, now: Timestamp, req: &Incoming) -> Reply {
    let (record, parts) = match start(st, now, req, Endpoint::YouTubeBatchGetStats) {
        Ok(x) => x,
        Err(r) => return r,
    };
    let ids = ids(req);
    if ids.len() > MAX_BATCH {
        return too_many_ids();
    }
    let mut items = Vec::new();
    for id in &ids {
        let Some(post) = st
            .post(P, id)
            .filter(|p| can_see(p, &record.account_id, now))
        else {
            continue;
        };
        let mut item = Map::new();
        item.insert("kind".into(), json!("youtube#videoStats"));
        item.insert("etag".into(), json!(post.etag));
        item.insert("id".into(), json!(post.id));
        for part in &parts {
            match part.as_str() {
                "snippet" => {
                    item.insert(
                        "snippet".into(),
                        json!({ "publishTime": rfc3339(post.spec.published_at) }),
                    );
                }
                "statistics" => {
                    let mut s = Map::new();
                    s.insert(
                        "viewCount".into(),
                        json!(post.metric(Metric::Views, now).to_string()),
                    );
                    if !post.spec.likes_hidden {
                        s.insert(
                            "likeCount".into(),
                            json!(post.metric(Metric::Likes, now).to_string()),
                        );
                    }
                    if !post.spec.comments_disabled {
                        s.insert(
                            "commentCount".into(),
                            json!(post.metric(Metric::Comments, now).to_string()),
                        );
                    }
                    item.insert("statistics".into(), Value::Object(s));
                }
                "contentDetails" => {
                    item.insert(
                        "contentDetails".into(),
                        json!({
                            "duration": iso_duration(post.spec.duration_secs),
                            "durationMillis": (u64::from(post.spec.duration_secs) * 1000).to_string(),
                        }),
                    );
                }
                _ => {}
            }
        }
        items.push(Value::Object(item));
    }
    let etag = st.etag();
    Reply::ok(json!({ "kind": "youtube#batchGetStatsResponse", "etag": etag, "items": items }))
}

fn oauth_error(code: &str, description: &str) -> Reply {
    Reply::json(
        400,
        json!({ "error": code, "error_description": description }),
    )
}

/// `POST /token`: `authorization_code` (returns a refresh token) and
/// `refresh_token` (returns none: the stored one stays valid).
pub(crate) fn token(st: &mut State, now: Timestamp, req: &Incoming) -> Reply {
    let form = req.form();
    let grant_type = field(&form, "grant_type").unwrap_or_default();
    let (presented, kind) = match grant_type {
        "authorization_code" => (field(&form, "code"), TokenKind::AuthCode),
        "refresh_token" => (field(&form, "refresh_token"), TokenKind::Refresh),
        other => {
            return oauth_error(
                "unsupported_grant_type",
                &format!("Invalid grant_type: {other}"),
            );
        }
    };
    let id = field(&form, "client_id");
    if id.is_none_or(str::is_empty) || !st.client_ok(P, id, field(&form, "client_secret")) {
        return Reply::json(
            401,
            json!({ "error": "invalid_client", "error_description": "Unauthorized" }),
        );
    }
    let presented = presented.unwrap_or_default().to_owned();
    let record = st
        .tokens
        .get(&presented)
        .filter(|r| r.platform == P && r.kind == kind)
        .cloned();
    let Some(record) = record.filter(|r| r.check(now).is_ok()) else {
        let description = if kind == TokenKind::AuthCode {
            "Malformed auth code."
        } else {
            "Token has been expired or revoked."
        };
        return oauth_error("invalid_grant", description);
    };
    let access_expires = now + st.lifetimes.google_access;
    let access = st.new_token(
        P,
        &record.account_id,
        TokenKind::Access,
        record.grant,
        now,
        Some(access_expires),
        record.scopes.clone(),
    );
    let mut body = Map::new();
    body.insert("access_token".into(), json!(access));
    body.insert(
        "expires_in".into(),
        json!(seconds_until(now, access_expires)),
    );
    if kind == TokenKind::AuthCode {
        if let Some(r) = st.tokens.get_mut(&presented) {
            r.spent = true;
        }
        let refresh_end = st.lifetimes.google_refresh.map(|d| now + d);
        let refresh = st.new_token(
            P,
            &record.account_id,
            TokenKind::Refresh,
            record.grant,
            now,
            refresh_end,
            record.scopes.clone(),
        );
        body.insert("refresh_token".into(), json!(refresh));
    }
    body.insert("scope".into(), json!(record.scopes.join(" ")));
    body.insert("token_type".into(), json!("Bearer"));
    Reply::ok(Value::Object(body))
}

/// `POST /revoke?token=…`: revokes the token's whole grant.
pub(crate) fn revoke(st: &mut State, req: &Incoming) -> Reply {
    let form = req.form();
    let token = req
        .query("token")
        .map(str::to_owned)
        .or_else(|| field(&form, "token").map(str::to_owned));
    let grant = token
        .and_then(|t| st.tokens.get(&t))
        .filter(|r| r.platform == P)
        .map(|r| r.grant);
    let Some(grant) = grant else {
        return oauth_error("invalid_token", "Token expired or revoked");
    };
    for r in st.tokens.values_mut().filter(|r| r.grant == grant) {
        r.revoked = Some(Default::default());
    }
    Reply::ok(json!({}))
}
