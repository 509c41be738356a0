//! The endpoints the sandbox serves, named for counters and faults.

use serde::{Deserialize, Serialize};
use socialsync_core::platform::Platform;
use std::fmt;
use std::str::FromStr;

/// One endpoint of one platform (the unit of request counters, faults and
/// TikTok's per-endpoint rate limit). Its string form (`tiktok.video_query`)
/// is what the admin API uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
#[non_exhaustive]
pub enum Endpoint {
    /// `POST /oauth/access_token` (Instagram Login code → short-lived token),
    /// and the Facebook-Login `/{version}/oauth/access_token` (code, and
    /// `fb_exchange_token` → long-lived).
    InstagramCodeExchange,
    /// `GET /access_token?grant_type=ig_exchange_token` (short → long-lived).
    InstagramTokenExchange,
    /// `GET /refresh_access_token?grant_type=ig_refresh_token`.
    InstagramTokenRefresh,
    /// `GET /{version}/me` or `/{version}/{ig-user-id}` (the account's node).
    InstagramUser,
    /// `GET /{version}/me/media` or `/{version}/{ig-user-id}/media`.
    InstagramMediaList,
    /// `GET /{version}/{media-id}` (a media node).
    InstagramMedia,
    /// `GET /{version}/{media-id}/insights`.
    InstagramInsights,
    /// `POST /{version}/?batch=[…]` (Graph batch; each sub-request is also
    /// counted under its own endpoint).
    InstagramBatch,
    /// `POST /v2/oauth/token/` (code exchange and refresh).
    TikTokToken,
    /// `GET /v2/user/info/`.
    TikTokUserInfo,
    /// `POST /v2/video/list/`.
    TikTokVideoList,
    /// `POST /v2/video/query/`.
    TikTokVideoQuery,
    /// `POST /token` (Google OAuth: code exchange and refresh).
    GoogleToken,
    /// `POST /revoke` (Google OAuth).
    GoogleRevoke,
    /// `GET /youtube/v3/channels`.
    YouTubeChannels,
    /// `GET /youtube/v3/playlistItems`.
    YouTubePlaylistItems,
    /// `GET /youtube/v3/videos`.
    YouTubeVideos,
    /// `GET /youtube/v3/videos:batchGetStats`.
    YouTubeBatchGetStats,
    /// Any path the sandbox does not serve (answered 404).
    Unknown,
}

impl Endpoint {
    /// Every endpoint, in a fixed order.
    pub const ALL: [Endpoint; 19] = [
        Endpoint::InstagramCodeExchange,
        Endpoint::InstagramTokenExchange,
        Endpoint::InstagramTokenRefresh,
        Endpoint::InstagramUser,
        Endpoint::InstagramMediaList,
        Endpoint::InstagramMedia,
        Endpoint::InstagramInsights,
        Endpoint::InstagramBatch,
        Endpoint::TikTokToken,
        Endpoint::TikTokUserInfo,
        Endpoint::TikTokVideoList,
        Endpoint::TikTokVideoQuery,
        Endpoint::GoogleToken,
        Endpoint::GoogleRevoke,
        Endpoint::YouTubeChannels,
        Endpoint::YouTubePlaylistItems,
        Endpoint::YouTubeVideos,
        Endpoint::YouTubeBatchGetStats,
        Endpoint::Unknown,
    ];

    /// The stable name (`instagram.insights`, `tiktok.video_query`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            Endpoint::InstagramCodeExchange => "instagram.code_exchange",
            Endpoint::InstagramTokenExchange => "instagram.token_exchange",
            Endpoint::InstagramTokenRefresh => "instagram.token_refresh",
            Endpoint::InstagramUser => "instagram.user",
            Endpoint::InstagramMediaList => "instagram.media_list",
            Endpoint::InstagramMedia => "instagram.media",
            Endpoint::InstagramInsights => "instagram.insights",
            Endpoint::InstagramBatch => "instagram.batch",
            Endpoint::TikTokToken => "tiktok.token",
            Endpoint::TikTokUserInfo => "tiktok.user_info",
            Endpoint::TikTokVideoList => "tiktok.video_list",
            Endpoint::TikTokVideoQuery => "tiktok.video_query",
            Endpoint::GoogleToken => "google.token",
            Endpoint::GoogleRevoke => "google.revoke",
            Endpoint::YouTubeChannels => "youtube.channels",
            Endpoint::YouTubePlaylistItems => "youtube.playlist_items",
            Endpoint::YouTubeVideos => "youtube.videos",
            Endpoint::YouTubeBatchGetStats => "youtube.batch_get_stats",
            Endpoint::Unknown => "unknown",
        }
    }

    /// The platform whose error format the endpoint answers in (`None` for
    /// [`Endpoint::Unknown`]). Google's token endpoints count as YouTube.
    pub fn platform(self) -> Option<Platform> {
        match self {
            Endpoint::InstagramCodeExchange
            | Endpoint::InstagramTokenExchange
            | Endpoint::InstagramTokenRefresh
            | Endpoint::InstagramUser
            | Endpoint::InstagramMediaList
            | Endpoint::InstagramMedia
            | Endpoint::InstagramInsights
            | Endpoint::InstagramBatch => Some(Platform::Instagram),
            Endpoint::TikTokToken
            | Endpoint::TikTokUserInfo
            | Endpoint::TikTokVideoList
            | Endpoint::TikTokVideoQuery => Some(Platform::TikTok),
            Endpoint::GoogleToken
            | Endpoint::GoogleRevoke
            | Endpoint::YouTubeChannels
            | Endpoint::YouTubePlaylistItems
            | Endpoint::YouTubeVideos
            | Endpoint::YouTubeBatchGetStats => Some(Platform::YouTube),
            Endpoint::Unknown => None,
        }
    }

    /// Whether the endpoint is an OAuth token endpoint (their errors use the
    /// OAuth `{"error": "...", "error_description": "..."}` shape).
    pub fn is_oauth(self) -> bool {
        matches!(
            self,
            Endpoint::InstagramCodeExchange
                | Endpoint::TikTokToken
                | Endpoint::GoogleToken
                | Endpoint::GoogleRevoke
        )
    }
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The string named no endpoint.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown endpoint `{0}`")]
pub struct UnknownEndpoint(pub String);

impl FromStr for Endpoint {
    type Err = UnknownEndpoint;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Endpoint::ALL
            .into_iter()
            .find(|e| e.as_str() == s)
            .ok_or_else(|| UnknownEndpoint(s.to_owned()))
    }
}

impl From<Endpoint> for String {
    fn from(e: Endpoint) -> String {
        e.as_str().to_owned()
    }
}

impl TryFrom<String> for Endpoint {
    type Error = UnknownEndpoint;

    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for e in Endpoint::ALL {
            assert_eq!(e.as_str().parse::<Endpoint>(), Ok(e));
        }
        assert!("instagram.nope".parse::<Endpoint>().is_err());
    }
}
