//! Where hostile values meet requests: whose token a request presents, the
//! huge-delay refusals answered in place of a data read, and the values
//! written over a clean answer.

use super::{BadNumber, Published, Spoils, with_nuls};
use crate::endpoint::Endpoint;
use crate::http::{Incoming, Reply, ReplyBody, field, raw_number};
use crate::model::{AccountRef, Metric};
use crate::state::State;
use crate::{instagram, tiktok, youtube};
use serde_json::{Value, json};
use socialsync_core::clock::Timestamp;
use socialsync_core::platform::Platform;

/// The `Retry-After` of a huge-delay refusal, seconds.
pub(crate) const HUGE_RETRY_AFTER: &str = "999999999";
/// The `estimated_time_to_regain_access` of a huge-delay refusal: 2^40 minutes.
pub(crate) const HUGE_REGAIN_MINUTES: u64 = 1 << 40;

/// Whether the endpoint reads an account's or its posts' data (not a token).
fn is_data_read(endpoint: Endpoint) -> bool {
    matches!(
        endpoint,
        Endpoint::InstagramUser
            | Endpoint::InstagramMediaList
            | Endpoint::InstagramMedia
            | Endpoint::InstagramInsights
            | Endpoint::TikTokUserInfo
            | Endpoint::TikTokVideoList
            | Endpoint::TikTokVideoQuery
            | Endpoint::YouTubeChannels
            | Endpoint::YouTubePlaylistItems
            | Endpoint::YouTubeVideos
            | Endpoint::YouTubeBatchGetStats
    )
}

/// The token, code or refresh token the request presents.
fn presented(endpoint: Endpoint, req: &Incoming) -> Option<String> {
    let form = req.form();
    let from_form = |name: &str| field(&form, name).map(str::to_owned);
    match endpoint {
        Endpoint::InstagramUser
        | Endpoint::InstagramMediaList
        | Endpoint::InstagramMedia
        | Endpoint::InstagramInsights => instagram::access_token(req).map(str::to_owned),
        Endpoint::InstagramTokenExchange | Endpoint::InstagramTokenRefresh => {
            req.query("access_token").map(str::to_owned)
        }
        Endpoint::InstagramCodeExchange => from_form("code")
            .map(|c| c.trim_end_matches("#_").to_owned())
            .or_else(|| req.query("code").map(str::to_owned))
            .or_else(|| req.query("fb_exchange_token").map(str::to_owned))
            .or_else(|| from_form("fb_exchange_token")),
        Endpoint::TikTokToken | Endpoint::GoogleToken => {
            from_form("code").or_else(|| from_form("refresh_token"))
        }
        Endpoint::TikTokUserInfo | Endpoint::TikTokVideoList | Endpoint::TikTokVideoQuery => {
            req.bearer().map(str::to_owned)
        }
        Endpoint::YouTubeChannels
        | Endpoint::YouTubePlaylistItems
        | Endpoint::YouTubeVideos
        | Endpoint::YouTubeBatchGetStats => req
            .bearer()
            .or_else(|| req.query("access_token"))
            .map(str::to_owned),
        _ => None,
    }
}

/// The hostile account whose live token (or code) the request presents;
/// `None` for clean accounts, unknown or dead tokens, and while no account
/// is hostile.
pub(crate) fn requester(
    st: &State,
    now: Timestamp,
    endpoint: Endpoint,
    req: &Incoming,
) -> Option<AccountRef> {
    if st.hostile.is_empty() {
        return None;
    }
    let platform = endpoint.platform()?;
    let token = presented(endpoint, req)?;
    let record = st
        .tokens
        .get(&token)
        .filter(|r| r.platform == platform && r.check(now).is_ok())?;
    let account = AccountRef {
        platform,
        id: record.account_id.clone(),
    };
    st.hostile.contains_key(&account).then_some(account)
}

/// The huge-delay refusal answered instead of this data read, if its turn
/// has come. It is answered before the platform's own accounting, like an
/// injected fault: it uses no rate budget of the app or the account.
pub(crate) fn refusal(
    st: &mut State,
    now: Timestamp,
    endpoint: Endpoint,
    account: &AccountRef,
) -> Option<Reply> {
    if !is_data_read(endpoint) {
        return None;
    }
    let entry = st
        .hostile
        .get_mut(account)?
        .iter_mut()
        .find(|e| matches!(e.value, super::Hostile::HugeRetryAfter { .. }))?;
    let every = match entry.value {
        super::Hostile::HugeRetryAfter { every } => u64::from(every.max(1)),
        _ => 1,
    };
    let turn = entry.seen % every == 0;
    entry.seen = entry.seen.saturating_add(1);
    if !turn {
        return None;
    }
    Some(match account.platform {
        Platform::Instagram => {
            let code = st.limits.instagram_user_throttle_code;
            let buc = json!({
                account.id.clone(): [{
                    "type": "instagram",
                    "call_count": 100,
                    "total_cputime": 100,
                    "total_time": 100,
                    "estimated_time_to_regain_access": HUGE_REGAIN_MINUTES,
                }]
            });
            let app = json!({
                "call_count": 100,
                "total_time": 100,
                "total_cputime": 100,
                "estimated_time_to_regain_access": HUGE_REGAIN_MINUTES,
            });
            instagram::throttled(st, code)
                .with_header("x-business-use-case-usage", buc.to_string())
                .with_header("x-app-usage", app.to_string())
        }
        Platform::TikTok => {
            tiktok::rate_limited(st, now).with_header("retry-after", HUGE_RETRY_AFTER.to_owned())
        }
        Platform::YouTube => {
            youtube::rate_limit_exceeded().with_header("retry-after", HUGE_RETRY_AFTER.to_owned())
        }
        // A platform the sandbox does not simulate yet has no throttle answer.
        _ => return None,
    })
}

/// Writes the hostile values over a clean answer: post values of the
/// posts' owners, account values of the account read, token lifetimes and
/// usage headers of the requester.
pub(crate) fn dress(
    st: &State,
    endpoint: Endpoint,
    requester: Option<&AccountRef>,
    reply: &mut Reply,
) {
    if st.hostile.is_empty() {
        return;
    }
    let Some(platform) = endpoint.platform() else {
        return;
    };
    let mine = requester.map(|a| st.spoils(platform, &a.id));
    if platform == Platform::Instagram && mine.is_some_and(|s| s.overflows()) {
        overflow_usage_header(reply);
    }
    if reply.status.as_u16() != 200 {
        return;
    }
    let ReplyBody::Json(body) = &mut reply.body else {
        return;
    };
    if endpoint.is_oauth()
        || matches!(
            endpoint,
            Endpoint::InstagramTokenExchange | Endpoint::InstagramTokenRefresh
        )
    {
        if let Some(lifetime) = mine.and_then(|s| s.expires_in()) {
            for key in ["expires_in", "refresh_expires_in"] {
                replace(body, key, raw_number(lifetime.text()));
            }
        }
        return;
    }
    match endpoint {
        Endpoint::InstagramUser => {
            if let Some(s) = mine {
                account_fields(body, s, &["username", "name"], "media_count", false);
            }
        }
        Endpoint::InstagramMediaList => {
            for item in items(body.get_mut("data")) {
                instagram_media(st, item);
            }
        }
        Endpoint::InstagramMedia => instagram_media(st, body),
        Endpoint::InstagramInsights => {
            for item in items(body.get_mut("data")) {
                instagram_insight(st, item);
            }
        }
        Endpoint::TikTokUserInfo => {
            if let (Some(s), Some(user)) = (mine, body.pointer_mut("/data/user")) {
                account_fields(user, s, &["display_name", "username"], "video_count", false);
            }
        }
        Endpoint::TikTokVideoList | Endpoint::TikTokVideoQuery => {
            for item in items(body.pointer_mut("/data/videos")) {
                tiktok_video(st, item);
            }
        }
        Endpoint::YouTubeChannels => {
            for item in items(body.get_mut("items")) {
                youtube_channel(st, item);
            }
        }
        Endpoint::YouTubePlaylistItems => {
            for item in items(body.get_mut("items")) {
                youtube_playlist_item(st, item);
            }
        }
        Endpoint::YouTubeVideos | Endpoint::YouTubeBatchGetStats => {
            for item in items(body.get_mut("items")) {
                youtube_video(st, item);
            }
        }
        _ => {}
    }
}

fn items(v: Option<&mut Value>) -> impl Iterator<Item = &mut Value> {
    v.and_then(Value::as_array_mut).into_iter().flatten()
}

fn replace(obj: &mut Value, key: &str, value: Value) {
    if let Some(slot) = obj.get_mut(key) {
        *slot = value;
    }
}

fn nul(obj: &mut Value, key: &str) {
    if let Some(Value::String(s)) = obj.get_mut(key) {
        *s = with_nuls(s);
    }
}

/// A bad number as a number-typed counter (a string for "not a number").
fn number(b: BadNumber) -> Value {
    match b {
        BadNumber::NotANumber => json!(b.text()),
        _ => raw_number(b.text()),
    }
}

/// A bad number as a YouTube counter: always a string.
fn string(b: BadNumber) -> Value {
    json!(b.text())
}

fn account_fields(obj: &mut Value, s: Spoils<'_>, names: &[&str], count: &str, as_string: bool) {
    if s.nul_text() {
        for n in names {
            nul(obj, n);
        }
    }
    if let Some(b) = s.post_count() {
        replace(obj, count, if as_string { string(b) } else { number(b) });
    }
}

/// The owner's hostile values and the post's place, for a post id.
fn post_spoils<'a>(
    st: &'a State,
    platform: Platform,
    id: &str,
) -> Option<(&'a crate::state::Post, Spoils<'a>, usize)> {
    let post = st.post(platform, id)?;
    let spoils = st.spoils(platform, &post.account_id);
    if spoils.is_empty() {
        return None;
    }
    Some((post, spoils, st.post_ordinal(platform, post)))
}

fn id_of(item: &Value, pointer: &str) -> Option<String> {
    item.pointer(pointer)?.as_str().map(str::to_owned)
}

fn instagram_time(p: Published) -> Value {
    match p {
        Published::At(t) => json!(instagram::timestamp(t)),
        Published::Latest => json!("9999-12-31T23:59:59+0000"),
        Published::Overflow => json!("999999999-12-31T23:59:59+0000"),
    }
}

fn tiktok_time(p: Published) -> Value {
    match p {
        Published::At(t) => json!(t.timestamp()),
        Published::Latest => json!(253_402_300_799_i64),
        Published::Overflow => json!(i64::MAX),
    }
}

fn youtube_time(p: Published) -> Value {
    match p {
        Published::At(t) => json!(youtube::rfc3339(t)),
        Published::Latest => json!("9999-12-31T23:59:59Z"),
        Published::Overflow => json!("999999999-12-31T23:59:59Z"),
    }
}

fn instagram_media(st: &State, item: &mut Value) {
    let Some(id) = id_of(item, "/id") else {
        return;
    };
    let Some((post, s, ordinal)) = post_spoils(st, Platform::Instagram, &id) else {
        return;
    };
    if s.nul_text() {
        nul(item, "caption");
        nul(item, "username");
    }
    for (key, metric) in [
        ("like_count", Metric::Likes),
        ("comments_count", Metric::Comments),
    ] {
        if let Some(b) = s.counter(ordinal, &id, metric) {
            replace(item, key, number(b));
        }
    }
    if let Some(p) = s.published(post, ordinal) {
        replace(item, "timestamp", instagram_time(p));
    }
}

fn instagram_insight(st: &State, item: &mut Value) {
    let Some(insight_id) = id_of(item, "/id") else {
        return;
    };
    let Some(post_id) = insight_id.split('/').next() else {
        return;
    };
    let Some(name) = id_of(item, "/name") else {
        return;
    };
    let Some((_, s, ordinal)) = post_spoils(st, Platform::Instagram, post_id) else {
        return;
    };
    let Some(b) = s.counter(ordinal, post_id, instagram::insight_source(&name)) else {
        return;
    };
    for v in items(item.get_mut("values")) {
        replace(v, "value", number(b));
    }
}

fn tiktok_video(st: &State, item: &mut Value) {
    let Some(id) = id_of(item, "/id") else {
        return;
    };
    let Some((post, s, ordinal)) = post_spoils(st, Platform::TikTok, &id) else {
        return;
    };
    if s.nul_text() {
        nul(item, "title");
        nul(item, "video_description");
    }
    for (key, metric) in [
        ("view_count", Metric::Views),
        ("like_count", Metric::Likes),
        ("comment_count", Metric::Comments),
        ("share_count", Metric::Shares),
    ] {
        if let Some(b) = s.counter(ordinal, &id, metric) {
            replace(item, key, number(b));
        }
    }
    if let Some(p) = s.published(post, ordinal) {
        replace(item, "create_time", tiktok_time(p));
    }
}

fn youtube_channel(st: &State, item: &mut Value) {
    let Some(id) = id_of(item, "/id") else {
        return;
    };
    let s = st.spoils(Platform::YouTube, &id);
    if s.is_empty() {
        return;
    }
    if s.nul_text() {
        if let Some(snippet) = item.get_mut("snippet") {
            nul(snippet, "title");
            if let Some(localized) = snippet.get_mut("localized") {
                nul(localized, "title");
            }
        }
    }
    if let Some(stats) = item.get_mut("statistics") {
        account_fields(stats, s, &[], "videoCount", true);
    }
}

fn youtube_playlist_item(st: &State, item: &mut Value) {
    let Some(id) = id_of(item, "/contentDetails/videoId")
        .or_else(|| id_of(item, "/snippet/resourceId/videoId"))
    else {
        return;
    };
    let Some((post, s, ordinal)) = post_spoils(st, Platform::YouTube, &id) else {
        return;
    };
    // The item's `snippet.publishedAt` is when it was added to the
    // playlist, not a publish time: it stays.
    if let (true, Some(snippet)) = (s.nul_text(), item.get_mut("snippet")) {
        for key in [
            "title",
            "description",
            "channelTitle",
            "videoOwnerChannelTitle",
        ] {
            nul(snippet, key);
        }
    }
    if let (Some(p), Some(details)) = (s.published(post, ordinal), item.get_mut("contentDetails")) {
        replace(details, "videoPublishedAt", youtube_time(p));
    }
}

fn youtube_video(st: &State, item: &mut Value) {
    let Some(id) = id_of(item, "/id") else {
        return;
    };
    let Some((post, s, ordinal)) = post_spoils(st, Platform::YouTube, &id) else {
        return;
    };
    let published = s.published(post, ordinal);
    if let Some(snippet) = item.get_mut("snippet") {
        if s.nul_text() {
            for key in ["title", "description", "channelTitle"] {
                nul(snippet, key);
            }
            if let Some(Value::Array(tags)) = snippet.get_mut("tags") {
                for tag in tags {
                    if let Value::String(t) = tag {
                        *t = with_nuls(t);
                    }
                }
            }
            if let Some(localized) = snippet.get_mut("localized") {
                nul(localized, "title");
                nul(localized, "description");
            }
        }
        if let Some(p) = published {
            replace(snippet, "publishedAt", youtube_time(p));
            replace(snippet, "publishTime", youtube_time(p));
        }
    }
    if let Some(stats) = item.get_mut("statistics") {
        for (key, metric) in [
            ("viewCount", Metric::Views),
            ("likeCount", Metric::Likes),
            ("commentCount", Metric::Comments),
            ("dislikeCount", Metric::Dislikes),
        ] {
            if let Some(b) = s.counter(ordinal, &id, metric) {
                replace(stats, key, string(b));
            }
        }
    }
}

/// Overflows: every `estimated_time_to_regain_access` of the usage header
/// becomes 2^64 − 1 minutes.
fn overflow_usage_header(reply: &mut Reply) {
    for (name, value) in &mut reply.headers {
        if *name != "x-business-use-case-usage" {
            continue;
        }
        let Ok(mut usage) = serde_json::from_str::<Value>(value) else {
            continue;
        };
        if let Some(accounts) = usage.as_object_mut() {
            for entry in accounts.values_mut().flat_map(|v| items(Some(v))) {
                replace(entry, "estimated_time_to_regain_access", json!(u64::MAX));
            }
        }
        *value = usage.to_string();
    }
}
