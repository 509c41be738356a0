//! Instagram (Instagram API with Instagram Login, and the Facebook-Login
//! flavour's `/{ig-user-id}/media` paths): tokens, media list, media nodes,
//! insights, Meta error objects and Business Use Case throttling.

use crate::endpoint::Endpoint;
use crate::http::{Incoming, Reply, field};
use crate::model::{Metric, ProductType, Visibility};
use crate::scopes;
use crate::state::{Account, Post, State};
use crate::tokens::{TokenFailure, TokenKind, TokenRecord, seconds_until};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::TimeDelta;
use chrono_tz::America::Los_Angeles;
use serde_json::{Map, Value, json};
use socialsync_core::clock::Timestamp;
use socialsync_core::platform::Platform;

const P: Platform = Platform::Instagram;

/// Fields a media node has.
const MEDIA_FIELDS: [&str; 14] = [
    "id",
    "caption",
    "media_type",
    "media_product_type",
    "permalink",
    "shortcode",
    "timestamp",
    "like_count",
    "comments_count",
    "username",
    "is_shared_to_feed",
    "media_url",
    "thumbnail_url",
    "is_comment_enabled",
];

/// Fields the user node has.
const USER_FIELDS: [&str; 9] = [
    "id",
    "user_id",
    "username",
    "name",
    "account_type",
    "profile_picture_url",
    "followers_count",
    "follows_count",
    "media_count",
];

/// A Meta error object.
pub(crate) fn error(
    st: &mut State,
    status: u16,
    code: u32,
    subcode: Option<u32>,
    kind: &str,
    message: String,
    is_transient: Option<bool>,
) -> Reply {
    let mut e = Map::new();
    e.insert("message".into(), json!(message));
    e.insert("type".into(), json!(kind));
    e.insert("code".into(), json!(code));
    if let Some(s) = subcode {
        e.insert("error_subcode".into(), json!(s));
    }
    if let Some(t) = is_transient {
        e.insert("is_transient".into(), json!(t));
    }
    e.insert("fbtrace_id".into(), json!(st.fbtrace_id()));
    Reply::json(status, json!({ "error": Value::Object(e) }))
}

pub(crate) fn bad_param(st: &mut State, message: String) -> Reply {
    error(st, 400, 100, None, "OAuthException", message, None)
}

/// Meta's "does not exist, or no permission" (code 100, subcode 33), as
/// graph.instagram.com or, for Facebook-Login accounts, graph.facebook.com
/// words it.
fn not_found(st: &mut State, record: &TokenRecord, id: &str) -> Reply {
    let facebook = st
        .account(P, &record.account_id)
        .is_some_and(|a| a.spec.facebook_login);
    let base = format!(
        "Unsupported get request. Object with ID '{id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation"
    );
    let (kind, message) = if facebook {
        (
            "GraphMethodException",
            format!(
                "{base}. Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api"
            ),
        )
    } else {
        ("IGApiException", base)
    };
    error(st, 400, 100, Some(33), kind, message, None).with_header(
        "www-authenticate",
        "OAuth \"Facebook Platform\" \"invalid_request\" \"Unsupported get request.\"".into(),
    )
}

fn permission_missing(st: &mut State) -> Reply {
    error(
        st,
        400,
        10,
        None,
        "OAuthException",
        "(#10) Application does not have permission for this action".into(),
        None,
    )
}

/// The transient error Meta answers on its own failures.
pub(crate) fn transient(st: &mut State, status: u16) -> Reply {
    error(
        st,
        status,
        2,
        None,
        "OAuthException",
        "An unexpected error has occurred. Please retry your request later.".into(),
        Some(true),
    )
}

fn pacific(t: Timestamp) -> String {
    t.with_timezone(&Los_Angeles)
        .format("%A, %d-%b-%y %H:%M:%S %Z")
        .to_string()
}

fn token_error(st: &mut State, failure: TokenFailure, now: Timestamp) -> Reply {
    let (subcode, message) = match failure {
        TokenFailure::Unknown | TokenFailure::Spent => (
            None,
            "Invalid OAuth access token - Cannot parse access token".to_owned(),
        ),
        TokenFailure::Expired { at } => (
            Some(463),
            format!(
                "Error validating access token: Session has expired on {}. The current time is {}.",
                pacific(at),
                pacific(now)
            ),
        ),
        TokenFailure::Revoked(reason) => {
            let sub = reason.instagram_subcode();
            let text = match sub {
                458 => "The user has not authorized application 1234567890123456.",
                459 => {
                    "You cannot access the app till you log in to www.facebook.com and follow the instructions given."
                }
                460 => {
                    "The session has been invalidated because the user changed their password or Facebook has changed the session for security reasons."
                }
                _ => "The session is invalid because the user logged out.",
            };
            (Some(sub), format!("Error validating access token: {text}"))
        }
    };
    let header = format!("OAuth \"Facebook Platform\" \"invalid_token\" \"{message}\"");
    error(st, 400, 190, subcode, "OAuthException", message, None)
        .with_header("www-authenticate", header)
}

fn access_token(req: &Incoming) -> Option<&str> {
    req.query("access_token").or_else(|| req.bearer())
}

/// The token's record, if usable for data calls.
fn authenticate(st: &mut State, now: Timestamp, req: &Incoming) -> Result<TokenRecord, Reply> {
    let record = access_token(req)
        .and_then(|t| st.tokens.get(t))
        .filter(|r| r.platform == P && matches!(r.kind, TokenKind::Access | TokenKind::ShortLived))
        .cloned();
    let Some(record) = record else {
        return Err(token_error(st, TokenFailure::Unknown, now));
    };
    match record.check(now) {
        Ok(()) => Ok(record),
        Err(f) => Err(token_error(st, f, now)),
    }
}

fn usage_pct(used: usize, budget: u64) -> u64 {
    (used as u64)
        .saturating_mul(100)
        .checked_div(budget)
        .map_or(100, |p| p.min(100))
}

/// Counts the call against the account's Business Use Case budget and the
/// app's hourly budget; returns the usage headers, or the throttling error.
fn throttle(
    st: &mut State,
    now: Timestamp,
    account: &Account,
) -> Result<Vec<(&'static str, String)>, Reply> {
    let day = TimeDelta::hours(24);
    let budget = u64::from(account.spec.instagram_calls_per_day);
    let window = st
        .instagram_user_windows
        .entry(account.id.clone())
        .or_default();
    window.record(now);
    let used = window.count(now, day);
    let user_free_at = window.free_at(day, budget as usize);
    let user_over = used as u64 > budget;
    let regain = if user_over {
        user_free_at
            .map(|t| ((t - now).num_seconds().max(0) + 59) / 60)
            .unwrap_or(0)
    } else {
        0
    };
    let pct = usage_pct(used, budget);
    let buc = json!({
        account.id.clone(): [{
            "type": "instagram",
            "call_count": pct,
            "total_cputime": pct / 2,
            "total_time": pct / 3,
            "estimated_time_to_regain_access": regain,
        }]
    });
    let mut headers = vec![("x-business-use-case-usage", buc.to_string())];
    let mut app_over = false;
    if let Some(limit) = st.limits.instagram_app_calls_per_hour {
        st.instagram_app_window.record(now);
        let app_used = st.instagram_app_window.count(now, TimeDelta::hours(1));
        let app_pct = usage_pct(app_used, u64::from(limit));
        app_over = app_used as u64 > u64::from(limit);
        headers.push((
            "x-app-usage",
            json!({"call_count": app_pct, "total_time": app_pct / 2, "total_cputime": app_pct / 2})
                .to_string(),
        ));
    }
    if app_over {
        let mut r = throttled(st, 4);
        r.headers.extend(headers);
        return Err(r);
    }
    if user_over {
        let code = st.limits.instagram_user_throttle_code;
        let mut r = throttled(st, code);
        r.headers.extend(headers);
        return Err(r);
    }
    Ok(headers)
}

/// Meta's throttling error with `code`.
pub(crate) fn throttled(st: &mut State, code: u32) -> Reply {
    let message = match code {
        4 => "(#4) Application request limit reached".to_owned(),
        17 => "(#17) User request limit reached".to_owned(),
        32 => "(#32) Page request limit reached".to_owned(),
        613 => "(#613) Calls to this api have exceeded the rate limit.".to_owned(),
        80002 => "(#80002) There have been too many calls to this Instagram account. Wait a bit and try again. For more info, please refer to https://developers.facebook.com/docs/graph-api/overview/rate-limiting.".to_owned(),
        other => format!("(#{other}) Request limit reached"),
    };
    let status = if code == 4 { 403 } else { 400 };
    error(
        st,
        status,
        code,
        None,
        "OAuthException",
        message,
        Some(true),
    )
    .limiting()
}

/// A forced throttling answer (fault `rate_limited`): code 4 with a full
/// `X-App-Usage`.
pub(crate) fn forced_throttle(st: &mut State) -> Reply {
    throttled(st, 4).with_header(
        "x-app-usage",
        json!({"call_count": 100, "total_time": 41, "total_cputime": 34}).to_string(),
    )
}

fn requested<'a>(
    st: &mut State,
    req: &'a Incoming,
    allowed: &[&str],
    node_type: &str,
) -> Result<Vec<&'a str>, Reply> {
    let fields: Vec<&str> = req
        .query("fields")
        .unwrap_or("id")
        .split(',')
        .map(str::trim)
        .filter(|f| !f.is_empty())
        .collect();
    if let Some(bad) = fields.iter().find(|f| !allowed.contains(f)) {
        return Err(bad_param(
            st,
            format!("(#100) Tried accessing nonexisting field ({bad}) on node type ({node_type})"),
        ));
    }
    Ok(fields)
}

fn timestamp(t: Timestamp) -> String {
    t.format("%Y-%m-%dT%H:%M:%S+0000").to_string()
}

fn permalink(post: &Post) -> String {
    let kind = if post.spec.product_type == ProductType::Reels {
        "reel"
    } else {
        "p"
    };
    format!("https://www.instagram.com/{kind}/{}/", post.shortcode)
}

/// The media object with the requested fields; `edge` is a read through
/// the `/media` edge, where hidden like counts are omitted.
fn media_json(
    post: &Post,
    account: &Account,
    now: Timestamp,
    fields: &[&str],
    edge: bool,
) -> Value {
    let mut m = Map::new();
    for f in fields {
        let v = match *f {
            "id" => json!(post.id),
            "caption" => match &post.spec.caption {
                Some(c) => json!(c),
                None => continue,
            },
            "media_type" => json!(post.spec.media_type.as_str()),
            "media_product_type" => json!(post.spec.product_type.as_str()),
            "permalink" => json!(permalink(post)),
            "shortcode" => json!(post.shortcode),
            "timestamp" => json!(timestamp(post.spec.published_at)),
            "like_count" => {
                if edge && post.spec.likes_hidden {
                    continue;
                }
                json!(post.metric(Metric::Likes, now))
            }
            "comments_count" => json!(post.metric(Metric::Comments, now)),
            "username" => json!(account.spec.username),
            "is_shared_to_feed" => {
                if post.spec.product_type != ProductType::Reels {
                    continue;
                }
                json!(true)
            }
            "media_url" => json!(format!(
                "https://scontent.cdninstagram.com/v/t51.29350-15/{}_n.jpg?oe={}",
                post.id,
                (now + TimeDelta::days(3)).timestamp()
            )),
            "thumbnail_url" => {
                if post.spec.media_type != crate::model::MediaType::Video {
                    continue;
                }
                json!(format!(
                    "https://scontent.cdninstagram.com/v/t51.29350-15/{}_t.jpg?oe={}",
                    post.id,
                    (now + TimeDelta::days(3)).timestamp()
                ))
            }
            "is_comment_enabled" => json!(!post.spec.comments_disabled),
            _ => continue,
        };
        m.insert((*f).to_owned(), v);
    }
    Value::Object(m)
}

fn listed(post: &Post, now: Timestamp) -> bool {
    post.is_out(now)
        && post.spec.visibility != Visibility::Private
        && post.spec.product_type != ProductType::Story
}

fn encode_cursor(id: &str) -> String {
    URL_SAFE_NO_PAD.encode(format!("AQH{id}"))
}

fn decode_cursor(c: &str) -> Option<String> {
    let bytes = URL_SAFE_NO_PAD.decode(c.trim_end_matches('=')).ok()?;
    let s = String::from_utf8(bytes).ok()?;
    s.strip_prefix("AQH").map(str::to_owned)
}

/// The account behind a path's user segment (`me` or the account id).
fn path_account(record: &TokenRecord, user: &str) -> bool {
    user == "me" || user == record.account_id
}

/// `GET /{version}/{me|ig-user-id}/media`.
pub(crate) fn media_list(
    st: &mut State,
    now: Timestamp,
    req: &Incoming,
    version: &str,
    user: &str,
) -> Reply {
    let record = match authenticate(st, now, req) {
        Ok(r) => r,
        Err(r) => return r,
    };
    if !path_account(&record, user) {
        return not_found(st, &record, user);
    }
    let Some(account) = st.account(P, &record.account_id).cloned() else {
        return not_found(st, &record, user);
    };
    let headers = match throttle(st, now, &account) {
        Ok(h) => h,
        Err(r) => return r,
    };
    let fields = match requested(st, req, &MEDIA_FIELDS, "Media") {
        Ok(f) => f,
        Err(r) => return r,
    };
    let limit = match req.query("limit").map(str::parse::<usize>) {
        None => 25,
        Some(Ok(n)) if n > 0 => n.min(100),
        Some(_) => return bad_param(st, "(#100) Param limit must be a positive integer".into()),
    };
    let since = req.query("since").and_then(|s| s.parse::<i64>().ok());
    let until = req.query("until").and_then(|s| s.parse::<i64>().ok());
    let posts: Vec<Post> = st
        .posts_of(P, &account.id)
        .into_iter()
        .filter(|p| listed(p, now))
        .filter(|p| since.is_none_or(|s| p.spec.published_at.timestamp() >= s))
        .filter(|p| until.is_none_or(|u| p.spec.published_at.timestamp() <= u))
        .cloned()
        .collect();
    let position = |cursor: &str| -> Option<usize> {
        let id = decode_cursor(cursor)?;
        posts.iter().position(|p| p.id == id)
    };
    let (start, end) = if let Some(after) = req.query("after") {
        match position(after) {
            Some(i) => (i + 1, (i + 1 + limit).min(posts.len())),
            None => return bad_param(st, "(#100) The after cursor is invalid".into()),
        }
    } else if let Some(before) = req.query("before") {
        match position(before) {
            Some(i) => (i.saturating_sub(limit), i),
            None => return bad_param(st, "(#100) The before cursor is invalid".into()),
        }
    } else {
        (0, limit.min(posts.len()))
    };
    let page = posts.get(start..end).unwrap_or(&[]);
    let data: Vec<Value> = page
        .iter()
        .map(|p| media_json(p, &account, now, &fields, true))
        .collect();
    let mut body = Map::new();
    body.insert("data".into(), Value::Array(data));
    if let (Some(first), Some(last)) = (page.first(), page.last()) {
        let token = access_token(req).unwrap_or_default();
        let link = |dir: &str, cursor: &str| {
            let query = form_urlencoded::Serializer::new(String::new())
                .append_pair("access_token", token)
                .append_pair("fields", &fields.join(","))
                .append_pair("limit", &limit.to_string())
                .append_pair(dir, cursor)
                .finish();
            format!("{}/{version}/{}/media?{query}", req.base_url, account.id)
        };
        let before = encode_cursor(&first.id);
        let after = encode_cursor(&last.id);
        let mut paging = Map::new();
        paging.insert(
            "cursors".into(),
            json!({ "before": before, "after": after }),
        );
        if end < posts.len() {
            paging.insert("next".into(), json!(link("after", &after)));
        }
        if start > 0 {
            paging.insert("previous".into(), json!(link("before", &before)));
        }
        body.insert("paging".into(), Value::Object(paging));
    }
    let mut reply = Reply::ok(Value::Object(body));
    reply.headers.extend(headers);
    reply
}

/// Whether `GET /{version}/{id}` names the user node (else a media node).
pub(crate) fn is_user_node(st: &State, id: &str) -> bool {
    id == "me" || st.account(P, id).is_some()
}

/// `GET /{version}/{me|ig-user-id}`.
pub(crate) fn user(st: &mut State, now: Timestamp, req: &Incoming, id: &str) -> Reply {
    let record = match authenticate(st, now, req) {
        Ok(r) => r,
        Err(r) => return r,
    };
    if !path_account(&record, id) {
        return not_found(st, &record, id);
    }
    let Some(account) = st.account(P, &record.account_id).cloned() else {
        return not_found(st, &record, id);
    };
    let headers = match throttle(st, now, &account) {
        Ok(h) => h,
        Err(r) => return r,
    };
    let fields = match requested(st, req, &USER_FIELDS, "User") {
        Ok(f) => f,
        Err(r) => return r,
    };
    let media_count = st
        .posts_of(P, &account.id)
        .into_iter()
        .filter(|p| listed(p, now))
        .count();
    let mut m = Map::new();
    for f in fields {
        let v = match f {
            "id" | "user_id" => json!(account.id),
            "username" => json!(account.spec.username),
            "name" => json!(account.spec.display_name),
            "account_type" => json!("MEDIA_CREATOR"),
            "profile_picture_url" => json!(format!(
                "https://scontent.cdninstagram.com/v/t51.2885-19/{}_a.jpg",
                account.id
            )),
            "followers_count" => json!(1000),
            "follows_count" => json!(100),
            "media_count" => json!(media_count),
            _ => continue,
        };
        m.insert(f.to_owned(), v);
    }
    let mut reply = Reply::ok(Value::Object(m));
    reply.headers.extend(headers);
    reply
}

/// The post behind a media id, if the token's account may read it.
fn owned_post(st: &State, record: &TokenRecord, id: &str, now: Timestamp) -> Option<Post> {
    st.post(P, id)
        .filter(|p| !p.deleted && p.account_id == record.account_id && p.is_out(now))
        .filter(|p| p.spec.visibility != Visibility::Private)
        .cloned()
}

/// `GET /{version}/{media-id}`.
pub(crate) fn media(st: &mut State, now: Timestamp, req: &Incoming, id: &str) -> Reply {
    let record = match authenticate(st, now, req) {
        Ok(r) => r,
        Err(r) => return r,
    };
    let Some(account) = st.account(P, &record.account_id).cloned() else {
        return not_found(st, &record, id);
    };
    let Some(post) = owned_post(st, &record, id, now) else {
        return not_found(st, &record, id);
    };
    let headers = match throttle(st, now, &account) {
        Ok(h) => h,
        Err(r) => return r,
    };
    let fields = match requested(st, req, &MEDIA_FIELDS, "Media") {
        Ok(f) => f,
        Err(r) => return r,
    };
    let mut reply = Reply::ok(media_json(&post, &account, now, &fields, false));
    reply.headers.extend(headers);
    reply
}

/// Metrics each product type supports.
fn supported(product: ProductType, metric: &str) -> bool {
    const COMMON: [&str; 7] = [
        "views",
        "reach",
        "likes",
        "comments",
        "shares",
        "saved",
        "total_interactions",
    ];
    match product {
        ProductType::Feed | ProductType::Ad => {
            COMMON.contains(&metric)
                || ["follows", "profile_visits", "profile_activity"].contains(&metric)
        }
        ProductType::Reels => {
            COMMON.contains(&metric)
                || ["ig_reels_avg_watch_time", "ig_reels_video_view_total_time"].contains(&metric)
        }
        ProductType::Story => [
            "views",
            "reach",
            "shares",
            "total_interactions",
            "follows",
            "profile_visits",
            "profile_activity",
            "replies",
            "navigation",
        ]
        .contains(&metric),
    }
}

fn insight_source(metric: &str) -> Metric {
    match metric {
        "views" => Metric::Views,
        "reach" => Metric::Reach,
        "likes" => Metric::Likes,
        "comments" => Metric::Comments,
        "shares" => Metric::Shares,
        "saved" => Metric::Saves,
        "total_interactions" => Metric::TotalInteractions,
        "ig_reels_avg_watch_time" => Metric::AvgWatchTimeMs,
        "ig_reels_video_view_total_time" => Metric::WatchTimeTotalMs,
        "follows" => Metric::Follows,
        "profile_visits" | "profile_activity" => Metric::ProfileVisits,
        _ => Metric::Replies,
    }
}

fn insight_text(metric: &str, noun: &str) -> (String, String) {
    let (title, description) = match metric {
        "views" => (
            "Views",
            format!("The number of times your {noun} was played or displayed."),
        ),
        "reach" => (
            "Accounts reached",
            format!("The number of unique accounts that have seen your {noun} at least once."),
        ),
        "likes" => ("Likes", format!("The number of likes on your {noun}.")),
        "comments" => (
            "Comments",
            format!("The number of comments on your {noun}."),
        ),
        "shares" => ("Shares", format!("The number of shares of your {noun}.")),
        "saved" => ("Saves", format!("The number of saves of your {noun}.")),
        "total_interactions" => (
            "Interactions",
            format!(
                "The number of likes, saves, comments and shares on your {noun}, minus the number of unlikes, unsaves and deleted comments."
            ),
        ),
        "ig_reels_avg_watch_time" => (
            "Average watch time",
            format!("The average amount of time spent playing your {noun}, in milliseconds."),
        ),
        "ig_reels_video_view_total_time" => (
            "Watch time",
            format!(
                "The total amount of time your {noun} was played, including replays, in milliseconds."
            ),
        ),
        "follows" => (
            "Follows",
            format!("The number of accounts that started following you from your {noun}."),
        ),
        "profile_visits" => (
            "Profile visits",
            format!("The number of times your profile was visited from your {noun}."),
        ),
        "profile_activity" => (
            "Profile activity",
            format!(
                "The number of actions people took on your profile after engaging with your {noun}."
            ),
        ),
        "replies" => ("Replies", format!("The number of replies to your {noun}.")),
        _ => (
            "Navigation",
            format!("The number of navigation actions on your {noun}."),
        ),
    };
    (title.to_owned(), description)
}

/// `GET /{version}/{media-id}/insights?metric=…`.
pub(crate) fn insights(st: &mut State, now: Timestamp, req: &Incoming, id: &str) -> Reply {
    let record = match authenticate(st, now, req) {
        Ok(r) => r,
        Err(r) => return r,
    };
    if !record.has_scope(&[scopes::INSTAGRAM_INSIGHTS]) {
        return permission_missing(st);
    }
    let Some(account) = st.account(P, &record.account_id).cloned() else {
        return not_found(st, &record, id);
    };
    let Some(post) = owned_post(st, &record, id, now) else {
        return not_found(st, &record, id);
    };
    let headers = match throttle(st, now, &account) {
        Ok(h) => h,
        Err(r) => return r,
    };
    let metrics: Vec<&str> = req
        .query("metric")
        .unwrap_or("")
        .split(',')
        .map(str::trim)
        .filter(|m| !m.is_empty())
        .collect();
    if metrics.is_empty() {
        return bad_param(st, "(#100) The parameter metric is required".into());
    }
    let product = post.spec.product_type;
    for m in &metrics {
        if st.is_deprecated(m, product) {
            return bad_param(
                st,
                format!(
                    "(#100) Starting from version v22.0 and above, the {m} metric is no longer supported for this media product type."
                ),
            );
        }
        if !supported(product, m) {
            return bad_param(
                st,
                format!(
                    "(#100) The Media Insights API does not support the {m} metric for this media product type."
                ),
            );
        }
    }
    if product == ProductType::Story && post.spec.too_few_viewers {
        return error(
            st,
            400,
            10,
            None,
            "OAuthException",
            "(#10) Not enough viewers for the media to show insights".into(),
            None,
        );
    }
    let data: Vec<Value> = if now < post.spec.published_at + post.spec.insights_delay {
        Vec::new()
    } else {
        let noun = match product {
            ProductType::Reels => "reel",
            ProductType::Story => "story",
            _ => "post",
        };
        metrics
            .iter()
            .map(|m| {
                let (title, description) = insight_text(m, noun);
                json!({
                    "name": m,
                    "period": "lifetime",
                    "values": [{ "value": post.metric(insight_source(m), now) }],
                    "title": title,
                    "description": description,
                    "id": format!("{}/insights/{m}/lifetime", post.id),
                })
            })
            .collect()
    };
    let mut reply = Reply::ok(json!({ "data": data }));
    reply.headers.extend(headers);
    reply
}

/// `POST /oauth/access_token` (form: code, client_id, client_secret,
/// grant_type=authorization_code, redirect_uri) → short-lived token.
pub(crate) fn code_exchange(st: &mut State, now: Timestamp, req: &Incoming) -> Reply {
    let form = req.form();
    let oauth_error = |message: &str| {
        Reply::json(
            400,
            json!({"error_type": "OAuthException", "code": 400, "error_message": message}),
        )
    };
    if field(&form, "grant_type") != Some("authorization_code") {
        return oauth_error("Invalid grant_type");
    }
    if !st.client_ok(P, field(&form, "client_id"), field(&form, "client_secret")) {
        return oauth_error("Invalid platform app");
    }
    let code = field(&form, "code")
        .unwrap_or_default()
        .trim_end_matches("#_");
    let record = st
        .tokens
        .get(code)
        .filter(|r| r.platform == P && r.kind == TokenKind::AuthCode)
        .cloned();
    let Some(record) = record.filter(|r| r.check(now).is_ok()) else {
        return oauth_error("Invalid authorization code");
    };
    if let Some(r) = st.tokens.get_mut(code) {
        r.spent = true;
    }
    let expires = now + st.lifetimes.instagram_short;
    let token = st.new_token(
        P,
        &record.account_id,
        TokenKind::ShortLived,
        record.grant,
        now,
        Some(expires),
        record.scopes.clone(),
    );
    Reply::ok(json!({
        "data": [{
            "access_token": token,
            "user_id": record.account_id,
            "permissions": record.scopes.join(","),
        }]
    }))
}

fn token_reply(token: String, now: Timestamp, expires: Timestamp) -> Reply {
    Reply::ok(json!({
        "access_token": token,
        "token_type": "bearer",
        "expires_in": seconds_until(now, expires),
    }))
}

/// `GET|POST /{version}/oauth/access_token` (Facebook Login): with `code`
/// a short-lived user token; with `grant_type=fb_exchange_token` and
/// `fb_exchange_token=<short>` a long-lived one. Answers are flat
/// `{access_token, token_type, expires_in}`.
pub(crate) fn facebook_oauth(st: &mut State, now: Timestamp, req: &Incoming) -> Reply {
    let form = req.form();
    let param = |name: &str| {
        req.query(name)
            .map(str::to_owned)
            .or_else(|| field(&form, name).map(str::to_owned))
    };
    if !st.client_ok(
        P,
        param("client_id").as_deref(),
        param("client_secret").as_deref(),
    ) {
        return error(
            st,
            400,
            1,
            None,
            "OAuthException",
            "Error validating client secret.".into(),
            None,
        );
    }
    if param("grant_type").as_deref() == Some("fb_exchange_token") {
        let short = param("fb_exchange_token").unwrap_or_default();
        let record = st
            .tokens
            .get(&short)
            .filter(|r| r.platform == P && r.kind == TokenKind::ShortLived)
            .cloned();
        let Some(record) = record else {
            return token_error(st, TokenFailure::Unknown, now);
        };
        if let Err(f) = record.check(now) {
            return token_error(st, f, now);
        }
        let expires = now + st.lifetimes.instagram_long;
        let token = st.new_token(
            P,
            &record.account_id,
            TokenKind::Access,
            record.grant,
            now,
            Some(expires),
            record.scopes.clone(),
        );
        return token_reply(token, now, expires);
    }
    let code = param("code").unwrap_or_default();
    let record = st
        .tokens
        .get(&code)
        .filter(|r| r.platform == P && r.kind == TokenKind::AuthCode)
        .cloned();
    let Some(record) = record.filter(|r| r.check(now).is_ok()) else {
        return error(
            st,
            400,
            100,
            Some(36007),
            "OAuthException",
            "Invalid verification code format.".into(),
            None,
        );
    };
    if let Some(r) = st.tokens.get_mut(&code) {
        r.spent = true;
    }
    let expires = now + st.lifetimes.instagram_short;
    let token = st.new_token(
        P,
        &record.account_id,
        TokenKind::ShortLived,
        record.grant,
        now,
        Some(expires),
        record.scopes.clone(),
    );
    token_reply(token, now, expires)
}

/// `GET /access_token?grant_type=ig_exchange_token&access_token=<short>`.
pub(crate) fn token_exchange(st: &mut State, now: Timestamp, req: &Incoming) -> Reply {
    if req.query("grant_type") != Some("ig_exchange_token") {
        return bad_param(st, "(#100) Unsupported grant_type".into());
    }
    if !st.client_ok(P, None, req.query("client_secret")) {
        return error(
            st,
            400,
            1,
            None,
            "OAuthException",
            "Error validating client secret.".into(),
            None,
        );
    }
    let record = req
        .query("access_token")
        .and_then(|t| st.tokens.get(t))
        .filter(|r| r.platform == P && r.kind == TokenKind::ShortLived)
        .cloned();
    let Some(record) = record else {
        return token_error(st, TokenFailure::Unknown, now);
    };
    if let Err(f) = record.check(now) {
        return token_error(st, f, now);
    }
    let expires = now + st.lifetimes.instagram_long;
    let token = st.new_token(
        P,
        &record.account_id,
        TokenKind::Access,
        record.grant,
        now,
        Some(expires),
        record.scopes.clone(),
    );
    token_reply(token, now, expires)
}

/// `GET /refresh_access_token?grant_type=ig_refresh_token&access_token=<long>`:
/// only for a long-lived token at least 24 h old and not expired.
pub(crate) fn token_refresh(st: &mut State, now: Timestamp, req: &Incoming) -> Reply {
    if req.query("grant_type") != Some("ig_refresh_token") {
        return bad_param(st, "(#100) Unsupported grant_type".into());
    }
    let record = req
        .query("access_token")
        .and_then(|t| st.tokens.get(t))
        .filter(|r| r.platform == P && r.kind == TokenKind::Access)
        .cloned();
    let Some(record) = record else {
        return token_error(st, TokenFailure::Unknown, now);
    };
    if let Err(f) = record.check(now) {
        return token_error(st, f, now);
    }
    if !record.has_scope(&[scopes::INSTAGRAM_BASIC]) {
        return permission_missing(st);
    }
    if now - record.issued_at < st.lifetimes.instagram_min_refresh_age {
        return bad_param(
            st,
            "(#100) The access token can only be refreshed once it is at least 24 hours old".into(),
        );
    }
    let expires = now + st.lifetimes.instagram_long;
    let token = st.new_token(
        P,
        &record.account_id,
        TokenKind::Access,
        record.grant,
        now,
        Some(expires),
        record.scopes.clone(),
    );
    token_reply(token, now, expires)
}

/// Which endpoint a versioned Graph path is.
pub(crate) fn node_endpoint(st: &State, id: &str) -> Endpoint {
    if is_user_node(st, id) {
        Endpoint::InstagramUser
    } else {
        Endpoint::InstagramMedia
    }
}
