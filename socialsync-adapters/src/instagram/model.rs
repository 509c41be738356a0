//! Instagram response bodies and their decoding.

use super::metric_sets::metric_of;
use crate::http::{Count, Each, decode};
use chrono::{DateTime, TimeDelta, Utc};
use serde::Deserialize;
use socialsync_core::clock::Timestamp;
use socialsync_core::credentials::Credentials;
use socialsync_core::domain::MediaKind;
use socialsync_core::ids::{PlatformAccountId, PlatformPostId};
use socialsync_core::metrics::{Metric, Metrics};
use socialsync_core::platform::Platform;
use socialsync_core::platform::{
    AccountInfo, PageCursor, PlatformError, PlatformErrorKind, PlatformPost, PostPage,
    ReadingProblem,
};

/// The fields asked for each media.
pub(crate) const MEDIA_FIELDS: &str = "id,caption,media_type,media_product_type,permalink,shortcode,timestamp,like_count,comments_count";

#[derive(Debug, Deserialize)]
pub(crate) struct Media {
    pub(crate) id: String,
    #[serde(default)]
    pub(crate) caption: Option<String>,
    #[serde(default)]
    pub(crate) media_type: Option<String>,
    #[serde(default)]
    pub(crate) media_product_type: Option<String>,
    #[serde(default)]
    pub(crate) permalink: Option<String>,
    #[serde(default)]
    pub(crate) timestamp: Option<String>,
    #[serde(default)]
    pub(crate) like_count: Count,
    #[serde(default)]
    pub(crate) comments_count: Count,
}

#[derive(Debug, Deserialize)]
struct Cursors {
    /// Text (a number is read as its digits; anything else is no cursor).
    #[serde(default)]
    after: Option<serde_json::Value>,
}

#[derive(Debug, Deserialize)]
struct Paging {
    #[serde(default)]
    cursors: Option<Cursors>,
    // Only its presence counts: it carries the access token and is never
    // followed, logged or kept.
    #[serde(default)]
    next: Option<serde::de::IgnoredAny>,
}

#[derive(Debug, Deserialize)]
struct MediaPage {
    #[serde(default)]
    data: Each<Media>,
    #[serde(default)]
    paging: Option<Paging>,
}

/// Parses Instagram's `+0000` timestamps (and RFC 3339, to be lenient).
pub fn parse_timestamp(s: &str) -> Option<Timestamp> {
    DateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%z")
        .or_else(|_| DateTime::parse_from_rfc3339(s))
        .ok()
        .map(|t| t.with_timezone(&Utc).into())
}

/// The media kind from `media_product_type`, falling back to `media_type`
/// and the permalink (`/reel/`).
pub(crate) fn media_kind(m: &Media) -> MediaKind {
    match m.media_product_type.as_deref() {
        Some("REELS") => return MediaKind::Reel,
        Some("STORY") => return MediaKind::Story,
        _ => {}
    }
    match m.media_type.as_deref() {
        Some("CAROUSEL_ALBUM") => MediaKind::Carousel,
        Some("VIDEO") if m.permalink.as_deref().is_some_and(|p| p.contains("/reel/")) => {
            MediaKind::Reel
        }
        Some("VIDEO") => MediaKind::Video,
        Some("IMAGE") => MediaKind::Image,
        _ => MediaKind::Other,
    }
}

pub(crate) fn to_post(m: Media) -> PlatformPost {
    let kind = media_kind(&m);
    PlatformPost {
        published_at: m.timestamp.as_deref().and_then(parse_timestamp),
        kind,
        title: None,
        text: m.caption.unwrap_or_default(),
        keyword_tags: Vec::new(),
        permalink: m.permalink,
        id: PlatformPostId::from(m.id),
    }
}

/// Decodes a `/media` page. The next cursor is `paging.cursors.after`, and
/// only when `paging.next` exists (its absence is the end, whatever the
/// page's length).
pub fn parse_media_page(body: &[u8]) -> Result<PostPage, PlatformError> {
    let page: MediaPage = decode(Platform::Instagram, "media.list", body)?;
    let next = page
        .paging
        .filter(|p| p.next.is_some())
        .and_then(|p| p.cursors)
        .and_then(|c| match c.after {
            Some(serde_json::Value::String(a)) => Some(a),
            Some(serde_json::Value::Number(n)) => Some(n.to_string()),
            _ => None,
        })
        .filter(|a| !a.is_empty())
        .map(PageCursor);
    Ok(PostPage {
        posts: page.data.items.into_iter().map(to_post).collect(),
        next,
    })
}

/// Decodes one media node.
pub(crate) fn parse_media(body: &[u8], endpoint: &'static str) -> Result<Media, PlatformError> {
    decode(Platform::Instagram, endpoint, body)
}

/// Counters from a node read (`like_count` absent when hidden), an invalid
/// one recorded in `problems`.
pub(crate) fn node_counters(m: &Media, problems: &mut Vec<ReadingProblem>) -> Metrics {
    let mut out = Metrics::new();
    m.like_count.set_into(Metric::Likes, &mut out, problems);
    m.comments_count
        .set_into(Metric::Comments, &mut out, problems);
    out
}

#[derive(Debug, Deserialize)]
struct InsightValue {
    #[serde(default)]
    value: Count,
}

#[derive(Debug, Deserialize)]
struct Insight {
    name: String,
    #[serde(default)]
    values: Vec<InsightValue>,
    #[serde(default)]
    total_value: Option<InsightValue>,
}

#[derive(Debug, Deserialize)]
struct Insights {
    #[serde(default)]
    data: Each<Insight>,
}

/// Decodes a media insights answer: each known metric with a whole value
/// within 2^53; an invalid value leaves that metric absent and is recorded
/// in the problems returned; an empty `data` (not available yet) leaves every metric
/// absent.
pub fn parse_insights(body: &[u8]) -> Result<(Metrics, Vec<ReadingProblem>), PlatformError> {
    let insights: Insights = decode(Platform::Instagram, "media.insights", body)?;
    let mut out = Metrics::new();
    let mut problems = Vec::new();
    for i in insights.data.items {
        let Some(metric) = metric_of(&i.name) else {
            continue;
        };
        match i.values.first().or(i.total_value.as_ref()) {
            Some(v) => v.value.set_into(metric, &mut out, &mut problems),
            None => out.set(metric, None),
        }
    }
    Ok((out, problems))
}

/// A token answer (exchange and refresh).
#[derive(Debug, Deserialize)]
pub(crate) struct TokenReply {
    pub(crate) access_token: String,
    #[serde(default)]
    pub(crate) expires_in: Option<serde_json::Value>,
    #[serde(default)]
    pub(crate) user_id: Option<serde_json::Value>,
    #[serde(default)]
    pub(crate) permissions: Option<serde_json::Value>,
}

/// The code exchange answers either flat or wrapped in `data: [..]`.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub(crate) enum CodeReply {
    Wrapped { data: Vec<TokenReply> },
    Flat(TokenReply),
}

/// `GET /me`.
#[derive(Debug, Deserialize)]
pub(crate) struct Me {
    #[serde(default)]
    pub(crate) id: Option<String>,
    #[serde(default)]
    pub(crate) user_id: Option<serde_json::Value>,
    #[serde(default)]
    pub(crate) username: Option<String>,
    /// How many media the account has (`media_count`).
    #[serde(default)]
    pub(crate) media_count: Option<serde_json::Value>,
}

/// Decodes `GET /me` (or the IG user node) into the account: the id is
/// `user_id` (text or a number), else `id`.
pub(crate) fn parse_account(body: &[u8]) -> Result<AccountInfo, PlatformError> {
    let me: Me = decode(Platform::Instagram, "user", body)?;
    let id = me
        .user_id
        .as_ref()
        .and_then(id_text)
        .or(me.id)
        .ok_or_else(|| {
            PlatformError::new(
                Platform::Instagram,
                "user",
                PlatformErrorKind::InvalidResponse,
            )
            .with_detail("no user id")
        })?;
    Ok(AccountInfo {
        id: PlatformAccountId::from(id),
        handle: me.username.unwrap_or_default(),
        post_count: crate::http::account_count(me.media_count.as_ref()),
    })
}

/// Credentials from a token answer issued at `now`: long-lived tokens last
/// 60 days, the longest Meta documents.
pub(crate) fn credentials(reply: TokenReply, scopes: Vec<String>, now: Timestamp) -> Credentials {
    let mut c = Credentials::new(reply.access_token).issued(now);
    if let Some(d) = crate::http::lifetime(reply.expires_in.as_ref(), TimeDelta::days(60)) {
        c = c.expiring_at(now + d);
    }
    c.granted_scopes = scopes;
    c
}

/// An id that may come as a JSON number or string.
pub(crate) fn id_text(v: &serde_json::Value) -> Option<String> {
    match v {
        serde_json::Value::String(s) if !s.is_empty() => Some(s.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Scopes from a `permissions` value (a list or a comma string).
pub(crate) fn scopes(v: Option<&serde_json::Value>) -> Vec<String> {
    match v {
        Some(serde_json::Value::String(s)) => s
            .split(',')
            .map(|x| x.trim().to_owned())
            .filter(|x| !x.is_empty())
            .collect(),
        Some(serde_json::Value::Array(a)) => a
            .iter()
            .filter_map(|x| x.as_str().map(str::to_owned))
            .collect(),
        _ => Vec::new(),
    }
}
