//! TikTok response bodies and their decoding.

use crate::http::{Count, Each, decode, lifetime, whole_number};
use serde::Deserialize;
use socialsync_core::clock::Timestamp;
use socialsync_core::credentials::Credentials;
use socialsync_core::domain::MediaKind;
use socialsync_core::ids::{PlatformAccountId, PlatformPostId};
use socialsync_core::metrics::{Metric, Metrics};
use socialsync_core::platform::Platform;
use socialsync_core::platform::{
    AccountInfo, MetricsBatch, MetricsRequest, PageCursor, PlatformError, PlatformErrorKind,
    PlatformPost, PostPage, PostReading,
};
use std::collections::HashMap;

/// Fields asked when listing.
pub(crate) const LIST_FIELDS: &str = "id,title,video_description,create_time,share_url,duration,cover_image_url,like_count,comment_count,share_count,view_count";
/// Fields asked when reading metrics.
pub(crate) const METRIC_FIELDS: &str = "id,like_count,comment_count,share_count,view_count";

#[derive(Debug, Deserialize)]
pub(crate) struct Video {
    id: String,
    /// Unix **seconds** (an invalid one: the post is not public yet, as far
    /// as we can tell).
    #[serde(default)]
    create_time: Option<serde_json::Value>,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    video_description: Option<String>,
    #[serde(default)]
    share_url: Option<String>,
    #[serde(default)]
    like_count: Count,
    #[serde(default)]
    comment_count: Count,
    #[serde(default)]
    share_count: Count,
    #[serde(default)]
    view_count: Count,
}

#[derive(Debug, Deserialize)]
struct VideoData {
    #[serde(default)]
    videos: Each<Video>,
    /// Unix **milliseconds**.
    #[serde(default)]
    cursor: Option<serde_json::Value>,
    #[serde(default)]
    has_more: Option<serde_json::Value>,
}

#[derive(Debug, Deserialize)]
struct Envelope {
    data: VideoData,
}

/// A video's `create_time` (Unix seconds, a number or a string of digits);
/// anything else, or out of range, is none.
pub(crate) fn create_time(v: Option<&serde_json::Value>) -> Option<Timestamp> {
    whole_number(v).and_then(|s| Timestamp::from_timestamp(s, 0))
}

fn to_post(v: Video) -> PlatformPost {
    PlatformPost {
        published_at: create_time(v.create_time.as_ref()),
        kind: MediaKind::Video,
        title: v.title.filter(|t| !t.is_empty()),
        text: v.video_description.unwrap_or_default(),
        keyword_tags: Vec::new(),
        permalink: v.share_url,
        id: PlatformPostId::from(v.id),
    }
}

fn reading(id: PlatformPostId, v: &Video) -> PostReading {
    let mut r = PostReading::new(id, Metrics::new());
    for (metric, count) in [
        (Metric::Views, &v.view_count),
        (Metric::Likes, &v.like_count),
        (Metric::Comments, &v.comment_count),
        (Metric::Shares, &v.share_count),
    ] {
        count.set_into(metric, &mut r.metrics, &mut r.problems);
    }
    r
}

/// Decodes a `video/list` page: the next cursor (milliseconds) only while
/// `has_more` is true — a short page is not the end.
pub fn parse_video_list(body: &[u8]) -> Result<PostPage, PlatformError> {
    let env: Envelope = decode(Platform::TikTok, "video.list", body)?;
    // Paging fields of the wrong type end the listing; the page's posts land.
    let has_more = matches!(env.data.has_more, Some(serde_json::Value::Bool(true)));
    let next = if has_more {
        whole_number(env.data.cursor.as_ref()).map(|c| PageCursor(c.to_string()))
    } else {
        None
    };
    Ok(PostPage {
        posts: env.data.videos.items.into_iter().map(to_post).collect(),
        next,
    })
}

/// Decodes a `video/query` answer for `asked`: ids absent from the answer
/// (deleted, made private, not owned) are reported missing.
pub fn parse_video_query(
    body: &[u8],
    asked: &[MetricsRequest],
) -> Result<MetricsBatch, PlatformError> {
    let env: Envelope = decode(Platform::TikTok, "video.query", body)?;
    let mut by_id: HashMap<&str, &Video> = HashMap::with_capacity(env.data.videos.items.len());
    for v in &env.data.videos.items {
        by_id.insert(v.id.as_str(), v);
    }
    let mut batch = MetricsBatch::default();
    let unreadable = &env.data.videos.undecodable_ids;
    for r in asked {
        match by_id.get(r.id.as_str()) {
            Some(v) => batch.readings.push(reading(r.id.clone(), v)),
            // There, but unreadable: retried, never taken for deleted.
            None if unreadable.iter().any(|u| u == r.id.as_str()) => batch.failed.push((
                r.id.clone(),
                PlatformError::new(
                    Platform::TikTok,
                    "video.query",
                    PlatformErrorKind::InvalidResponse,
                )
                .with_detail("an item of the answer could not be decoded"),
            )),
            None => batch.missing.push(r.id.clone()),
        }
    }
    Ok(batch)
}

/// Decodes a `video/query` answer asked with the listing fields: the posts,
/// and the ids of items that could not be decoded.
pub(crate) fn parse_video_query_posts(
    body: &[u8],
) -> Result<(Vec<PlatformPost>, Vec<String>), PlatformError> {
    let env: Envelope = decode(Platform::TikTok, "video.query", body)?;
    let unreadable = env.data.videos.undecodable_ids;
    Ok((
        env.data.videos.items.into_iter().map(to_post).collect(),
        unreadable,
    ))
}

/// The OAuth token answer (flat in v2).
#[derive(Debug, Deserialize)]
pub(crate) struct TokenReply {
    pub(crate) access_token: String,
    #[serde(default)]
    pub(crate) expires_in: Option<serde_json::Value>,
    #[serde(default)]
    pub(crate) open_id: Option<String>,
    #[serde(default)]
    pub(crate) refresh_token: Option<String>,
    #[serde(default)]
    pub(crate) refresh_expires_in: Option<serde_json::Value>,
    #[serde(default)]
    pub(crate) scope: Option<String>,
}

/// Credentials from a token answer issued at `now`, and the creator's
/// `open_id`: a refresh answer without a refresh token or scopes keeps
/// `previous`'s.
pub(crate) fn credentials(
    t: TokenReply,
    previous: Option<&Credentials>,
    now: Timestamp,
) -> (Credentials, Option<String>) {
    let mut c = Credentials::new(t.access_token).issued(now);
    if let Some(d) = lifetime(t.expires_in.as_ref(), super::MAX_ACCESS_LIFETIME) {
        c = c.expiring_at(now + d);
    }
    match t.refresh_token.filter(|r| !r.is_empty()) {
        Some(r) => {
            c = c.with_refresh_token(r);
            c.refresh_expires_at =
                lifetime(t.refresh_expires_in.as_ref(), super::MAX_REFRESH_LIFETIME)
                    .map(|d| now + d);
        }
        None => {
            if let Some(p) = previous {
                c.refresh_token = p.refresh_token.clone();
                c.refresh_expires_at = p.refresh_expires_at;
            }
        }
    }
    c.granted_scopes = match t.scope {
        Some(s) => s
            .split(',')
            .map(|x| x.trim().to_owned())
            .filter(|x| !x.is_empty())
            .collect(),
        None => previous
            .map(|p| p.granted_scopes.clone())
            .unwrap_or_default(),
    };
    (c, t.open_id)
}

#[derive(Debug, Deserialize)]
pub(crate) struct User {
    pub(crate) open_id: String,
    #[serde(default)]
    pub(crate) display_name: Option<String>,
    #[serde(default)]
    pub(crate) username: Option<String>,
    /// How many public videos the account has (`video_count`, with the
    /// `user.info.stats` scope).
    #[serde(default)]
    pub(crate) video_count: Option<serde_json::Value>,
}

#[derive(Debug, Deserialize)]
struct UserData {
    user: User,
}

#[derive(Debug, Deserialize)]
struct UserEnvelope {
    data: UserData,
}

/// Decodes `user/info`.
pub(crate) fn parse_user(body: &[u8]) -> Result<User, PlatformError> {
    let env: UserEnvelope = decode(Platform::TikTok, "user.info", body)?;
    Ok(env.data.user)
}

/// The account a `user/info` answer names: the handle is the display name,
/// else the username.
pub(crate) fn account(user: User) -> AccountInfo {
    let handle = user
        .display_name
        .filter(|d| !d.is_empty())
        .or(user.username)
        .unwrap_or_default();
    AccountInfo {
        id: PlatformAccountId::from(user.open_id),
        handle,
        post_count: crate::http::account_count(user.video_count.as_ref()),
    }
}
