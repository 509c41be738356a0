//! YouTube response bodies and their decoding.

use crate::http::{Count, Each, decode};
use chrono::{DateTime, TimeDelta, Utc};
use serde::Deserialize;
use socialsync_core::clock::Timestamp;
use socialsync_core::credentials::Credentials;
use socialsync_core::domain::MediaKind;
use socialsync_core::ids::PlatformPostId;
use socialsync_core::metrics::{Metric, Metrics};
use socialsync_core::platform::Platform;
use socialsync_core::platform::{
    MetricsBatch, MetricsRequest, PlatformError, PlatformErrorKind, PlatformPost, PostReading,
};
use std::collections::HashMap;

/// RFC 3339, with or without fractional seconds.
pub fn parse_time(s: &str) -> Option<Timestamp> {
    DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|t| t.with_timezone(&Utc).into())
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RelatedPlaylists {
    #[serde(default)]
    uploads: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ChannelContent {
    #[serde(default)]
    related_playlists: Option<RelatedPlaylists>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ChannelSnippet {
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    custom_url: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ChannelStatistics {
    #[serde(default)]
    video_count: Option<serde_json::Value>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Channel {
    id: String,
    #[serde(default)]
    snippet: Option<ChannelSnippet>,
    #[serde(default)]
    content_details: Option<ChannelContent>,
    #[serde(default)]
    statistics: Option<ChannelStatistics>,
}

#[derive(Debug, Deserialize)]
struct Channels {
    #[serde(default)]
    items: Vec<Channel>,
}

/// The caller's channel: id, title and uploads playlist.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChannelInfo {
    /// The channel id (`UC…`).
    pub id: String,
    /// Its title (or custom URL), when asked for.
    pub title: Option<String>,
    /// The uploads playlist (`UU…`).
    pub uploads: Option<String>,
    /// How many public videos it has (`statistics.videoCount`), when
    /// asked for and valid.
    pub video_count: Option<u64>,
}

/// Decodes `channels.list(mine)`; `None` for an account without a channel.
pub fn parse_channels(body: &[u8]) -> Result<Option<ChannelInfo>, PlatformError> {
    let c: Channels = decode(Platform::YouTube, "channels.list", body)?;
    Ok(c.items.into_iter().next().map(|c| ChannelInfo {
        title: c.snippet.as_ref().and_then(|s| {
            s.title
                .clone()
                .filter(|t| !t.is_empty())
                .or(s.custom_url.clone())
        }),
        uploads: c
            .content_details
            .and_then(|d| d.related_playlists)
            .and_then(|r| r.uploads),
        video_count: c
            .statistics
            .and_then(|s| crate::http::account_count(s.video_count.as_ref())),
        id: c.id,
    }))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ResourceId {
    #[serde(default)]
    video_id: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ItemSnippet {
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    resource_id: Option<ResourceId>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ItemContent {
    #[serde(default)]
    video_id: Option<String>,
    #[serde(default)]
    video_published_at: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ItemStatus {
    #[serde(default)]
    privacy_status: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct PlaylistItem {
    #[serde(default)]
    snippet: Option<ItemSnippet>,
    #[serde(default)]
    content_details: Option<ItemContent>,
    #[serde(default)]
    status: Option<ItemStatus>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct PlaylistItems {
    #[serde(default)]
    items: Each<PlaylistItem>,
    #[serde(default)]
    next_page_token: Option<String>,
}

/// One page of the uploads playlist.
#[derive(Debug, Clone)]
pub struct UploadsPage {
    /// The videos, in playlist order (newest first).
    pub posts: Vec<PlatformPost>,
    /// The next page token; `None` at the end.
    pub next_page_token: Option<String>,
}

/// The watch URL of a video.
pub(crate) fn watch_url(id: &str) -> String {
    format!("https://www.youtube.com/watch?v={id}")
}

/// Decodes a `playlistItems.list` page. The publish time is
/// `contentDetails.videoPublishedAt` (not `snippet.publishedAt`, the
/// playlist-add time); a private (or scheduled) upload, or one without a
/// publish time, has none: it is not monitored yet.
pub fn parse_playlist_items(body: &[u8]) -> Result<UploadsPage, PlatformError> {
    let p: PlaylistItems = decode(Platform::YouTube, "playlistItems.list", body)?;
    let mut posts = Vec::with_capacity(p.items.items.len());
    for item in p.items.items {
        let content = item.content_details;
        let snippet = item.snippet;
        let Some(id) = content
            .as_ref()
            .and_then(|c| c.video_id.clone())
            .or_else(|| {
                snippet
                    .as_ref()
                    .and_then(|s| s.resource_id.as_ref())
                    .and_then(|r| r.video_id.clone())
            })
        else {
            continue;
        };
        let private = item
            .status
            .and_then(|s| s.privacy_status)
            .is_some_and(|s| s == "private");
        let published_at = if private {
            None
        } else {
            content
                .as_ref()
                .and_then(|c| c.video_published_at.as_deref())
                .and_then(parse_time)
        };
        let (title, text) = match snippet {
            Some(s) => (s.title, s.description.unwrap_or_default()),
            None => (None, String::new()),
        };
        posts.push(PlatformPost {
            permalink: Some(watch_url(&id)),
            id: PlatformPostId::from(id),
            published_at,
            kind: MediaKind::Video,
            title,
            text,
            keyword_tags: Vec::new(),
        });
    }
    Ok(UploadsPage {
        posts,
        next_page_token: p.next_page_token.filter(|t| !t.is_empty()),
    })
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Statistics {
    #[serde(default)]
    view_count: Count,
    #[serde(default)]
    like_count: Count,
    #[serde(default)]
    dislike_count: Count,
    #[serde(default)]
    comment_count: Count,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct VideoSnippet {
    #[serde(default)]
    published_at: Option<String>,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    tags: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct VideoStatus {
    #[serde(default)]
    privacy_status: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Video {
    id: String,
    #[serde(default)]
    snippet: Option<VideoSnippet>,
    #[serde(default)]
    status: Option<VideoStatus>,
    #[serde(default)]
    statistics: Option<Statistics>,
}

#[derive(Debug, Deserialize)]
struct Videos {
    #[serde(default)]
    items: Each<Video>,
}

fn reading(id: PlatformPostId, s: Option<&Statistics>) -> PostReading {
    let mut r = PostReading::new(id, Metrics::new());
    if let Some(s) = s {
        for (metric, count) in [
            (Metric::Views, &s.view_count),
            (Metric::Likes, &s.like_count),
            (Metric::Comments, &s.comment_count),
            (Metric::Dislikes, &s.dislike_count),
        ] {
            count.set_into(metric, &mut r.metrics, &mut r.problems);
        }
    }
    r
}

/// Decodes a `videos.list?part=statistics` answer for `asked`: counters are
/// JSON strings; a missing `likeCount` / `commentCount` (hidden, comments
/// off) is absent; ids absent from `items` are reported missing.
pub fn parse_videos_statistics(
    body: &[u8],
    asked: &[MetricsRequest],
) -> Result<MetricsBatch, PlatformError> {
    parse_statistics("videos.list", body, asked)
}

/// Decodes a `videos:batchGetStats?part=statistics` answer for `asked`, as
/// [`parse_videos_statistics`] does: the items have the same `id` and
/// `statistics` (no `dislikeCount`); a video the key cannot see is left
/// out, so reported missing.
pub fn parse_batch_get_stats(
    body: &[u8],
    asked: &[MetricsRequest],
) -> Result<MetricsBatch, PlatformError> {
    parse_statistics("videos.batchGetStats", body, asked)
}

fn parse_statistics(
    endpoint: &'static str,
    body: &[u8],
    asked: &[MetricsRequest],
) -> Result<MetricsBatch, PlatformError> {
    let v: Videos = decode(Platform::YouTube, endpoint, body)?;
    let by_id: HashMap<&str, &Video> = v.items.items.iter().map(|x| (x.id.as_str(), x)).collect();
    let mut batch = MetricsBatch::default();
    for r in asked {
        match by_id.get(r.id.as_str()) {
            Some(video) => batch
                .readings
                .push(reading(r.id.clone(), video.statistics.as_ref())),
            // There, but unreadable: retried, never taken for deleted.
            None if v.items.undecodable_ids.iter().any(|u| u == r.id.as_str()) => {
                batch.failed.push((
                    r.id.clone(),
                    PlatformError::new(
                        Platform::YouTube,
                        endpoint,
                        PlatformErrorKind::InvalidResponse,
                    )
                    .with_detail("an item of the answer could not be decoded"),
                ))
            }
            None => batch.missing.push(r.id.clone()),
        }
    }
    Ok(batch)
}

/// Video details from `videos.list?part=snippet,status`: keyword tags and
/// whether the video is private, by id.
pub(crate) struct Details {
    pub(crate) tags: Vec<String>,
    pub(crate) private: bool,
    pub(crate) post: PlatformPost,
}

pub(crate) fn parse_video_details(body: &[u8]) -> Result<HashMap<String, Details>, PlatformError> {
    let v: Videos = decode(Platform::YouTube, "videos.list", body)?;
    Ok(v.items
        .items
        .into_iter()
        .map(|video| {
            let private = video
                .status
                .and_then(|s| s.privacy_status)
                .is_some_and(|s| s == "private");
            let snippet = video.snippet.unwrap_or(VideoSnippet {
                published_at: None,
                title: None,
                description: None,
                tags: Vec::new(),
            });
            let post = PlatformPost {
                permalink: Some(watch_url(&video.id)),
                id: PlatformPostId::from(video.id.as_str()),
                published_at: if private {
                    None
                } else {
                    snippet.published_at.as_deref().and_then(parse_time)
                },
                kind: MediaKind::Video,
                title: snippet.title,
                text: snippet.description.unwrap_or_default(),
                keyword_tags: snippet.tags.clone(),
            };
            (
                video.id,
                Details {
                    tags: snippet.tags,
                    private,
                    post,
                },
            )
        })
        .collect())
}

/// The OAuth token answer.
#[derive(Debug, Deserialize)]
pub(crate) struct TokenReply {
    pub(crate) access_token: String,
    #[serde(default)]
    pub(crate) expires_in: Option<serde_json::Value>,
    #[serde(default)]
    pub(crate) refresh_token: Option<String>,
    #[serde(default)]
    pub(crate) scope: Option<String>,
}

/// Credentials from a token answer issued at `now`: Google's refresh answer
/// has no refresh token (and may omit the scopes), `previous`'s are kept.
pub(crate) fn credentials(
    t: TokenReply,
    previous: Option<&Credentials>,
    now: Timestamp,
) -> Credentials {
    let mut c = Credentials::new(t.access_token).issued(now);
    // Google documents one-hour access tokens.
    if let Some(d) = crate::http::lifetime(t.expires_in.as_ref(), TimeDelta::hours(1)) {
        c = c.expiring_at(now + d);
    }
    match t.refresh_token.filter(|r| !r.is_empty()) {
        Some(r) => c = c.with_refresh_token(r),
        // Google's refresh answer has no refresh token: keep the stored one.
        None => {
            if let Some(p) = previous {
                c.refresh_token = p.refresh_token.clone();
                c.refresh_expires_at = p.refresh_expires_at;
            }
        }
    }
    c.granted_scopes = match t.scope {
        Some(s) => s.split_whitespace().map(str::to_owned).collect(),
        None => previous
            .map(|p| p.granted_scopes.clone())
            .unwrap_or_default(),
    };
    c
}
