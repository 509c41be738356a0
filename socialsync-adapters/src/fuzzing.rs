//! Entry points for the fuzz targets (feature `fuzzing`).
//!
//! **Not part of the API.** These are thin wrappers that let the workspace's
//! fuzz runner reach the decoders the adapters keep to themselves (token
//! answers, account answers, error bodies, header values); they may change
//! or disappear in any release. Each one runs exactly the code an adapter
//! runs on a platform's answer, minus the HTTP call.

use crate::http::decode;
use crate::instagram::Usage;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use socialsync_core::clock::Timestamp;
use socialsync_core::credentials::Credentials;
use socialsync_core::metrics::Metrics;
use socialsync_core::platform::Platform;
use socialsync_core::platform::{
    AccountInfo, PlatformError, PlatformErrorKind, PlatformPost, ReadingProblem,
};
use std::time::Duration;

/// A header map holding `name: value`, or `None` when `value` cannot be a
/// header value at all (a response could not carry it).
fn one_header(name: &'static str, value: &[u8]) -> Option<HeaderMap> {
    let mut h = HeaderMap::new();
    h.insert(
        HeaderName::from_static(name),
        HeaderValue::from_bytes(value).ok()?,
    );
    Some(h)
}

/// `Retry-After: <value>` read at `now`, as the HTTP layer reads it; `None`
/// also when `value` is not a valid header value.
pub fn retry_after(value: &[u8], now: Timestamp) -> Option<Duration> {
    crate::http::retry_after(&one_header("retry-after", value)?, now)
}

/// Instagram's usage headers (`X-Business-Use-Case-Usage`, `X-App-Usage`),
/// each when given; `None` when a given value is not a valid header value.
pub fn instagram_usage(business: Option<&[u8]>, app: Option<&[u8]>) -> Option<Usage> {
    let mut h = HeaderMap::new();
    for (name, v) in [
        ("x-business-use-case-usage", business),
        ("x-app-usage", app),
    ] {
        if let Some(v) = v {
            h.insert(
                HeaderName::from_static(name),
                HeaderValue::from_bytes(v).ok()?,
            );
        }
    }
    Some(crate::instagram::read_usage(&h))
}

/// An Instagram media node (`GET /{media-id}`): the post and its counters.
pub fn instagram_media(
    body: &[u8],
) -> Result<(PlatformPost, Metrics, Vec<ReadingProblem>), PlatformError> {
    use crate::instagram::model;
    let m = model::parse_media(body, "media.node")?;
    let mut problems = Vec::new();
    let counters = model::node_counters(&m, &mut problems);
    Ok((model::to_post(m), counters, problems))
}

/// Instagram's `GET /me` answer as the account it names.
pub fn instagram_account(body: &[u8]) -> Result<AccountInfo, PlatformError> {
    crate::instagram::model::parse_account(body)
}

/// An Instagram long-lived token answer (exchange or refresh), issued at `now`.
pub fn instagram_token(body: &[u8], now: Timestamp) -> Result<Credentials, PlatformError> {
    use crate::instagram::model;
    let reply: model::TokenReply = decode(Platform::Instagram, "oauth.refresh", body)?;
    Ok(model::credentials(reply, Vec::new(), now))
}

/// Instagram's code-exchange answer (flat or wrapped in `data: [..]`), as
/// short-lived credentials issued at `now` with the scopes it grants.
pub fn instagram_code_token(body: &[u8], now: Timestamp) -> Result<Credentials, PlatformError> {
    use crate::instagram::model;
    let short = match decode::<model::CodeReply>(Platform::Instagram, "oauth.code", body)? {
        model::CodeReply::Flat(t) => t,
        model::CodeReply::Wrapped { data } => data.into_iter().next().ok_or_else(|| {
            PlatformError::new(
                Platform::Instagram,
                "oauth.code",
                PlatformErrorKind::InvalidResponse,
            )
        })?,
    };
    let _ = short.user_id.as_ref().and_then(model::id_text);
    let scopes = model::scopes(short.permissions.as_ref());
    Ok(model::credentials(short, scopes, now))
}

/// An Instagram error answer: the classified error, what the success check
/// says for the same body under `status`, and whether the body held a
/// Graph error object.
pub fn instagram_error(status: u16, body: &[u8]) -> (PlatformError, Option<PlatformError>, bool) {
    use crate::instagram::classify;
    let h = HeaderMap::new();
    (
        classify::classify(status, &h, body),
        classify::check(status, &h, body),
        classify::graph_error(body).is_some(),
    )
}

/// TikTok's `user/info` answer as the account it names.
pub fn tiktok_user(body: &[u8]) -> Result<AccountInfo, PlatformError> {
    use crate::tiktok::model;
    Ok(model::account(model::parse_user(body)?))
}

/// A TikTok `video/query` answer asked with the listing fields: the posts
/// and the ids of undecodable items.
pub fn tiktok_video_query_posts(
    body: &[u8],
) -> Result<(Vec<PlatformPost>, Vec<String>), PlatformError> {
    crate::tiktok::model::parse_video_query_posts(body)
}

/// A TikTok token answer issued at `now` (a refresh when `previous` is
/// given): the credentials and the creator's `open_id`.
pub fn tiktok_token(
    body: &[u8],
    previous: Option<&Credentials>,
    now: Timestamp,
) -> Result<(Credentials, Option<String>), PlatformError> {
    use crate::tiktok::model;
    let t: model::TokenReply = decode(Platform::TikTok, "oauth.token", body)?;
    Ok(model::credentials(t, previous, now))
}

/// A TikTok video's `create_time` as the listing reads it.
pub fn tiktok_create_time(value: &serde_json::Value) -> Option<Timestamp> {
    crate::tiktok::model::create_time(Some(value))
}

/// A TikTok error answer: the classified error, what the success check
/// says, and whether the body held an error code other than `ok`.
pub fn tiktok_error(status: u16, body: &[u8]) -> (PlatformError, Option<PlatformError>, bool) {
    use crate::tiktok::classify;
    let h = HeaderMap::new();
    (
        classify::classify(status, &h, body),
        classify::check(status, &h, body),
        classify::error_code(body).is_some(),
    )
}

/// One video of a `videos.list?part=snippet,status` answer: its id, keyword
/// tags, whether it is private, and the post.
#[derive(Debug)]
pub struct VideoDetails {
    /// The video id the answer keyed it by.
    pub id: String,
    /// Its keyword tags.
    pub tags: Vec<String>,
    /// Whether it is private.
    pub private: bool,
    /// The post.
    pub post: PlatformPost,
}

/// A YouTube `videos.list?part=snippet,status` answer.
pub fn youtube_video_details(body: &[u8]) -> Result<Vec<VideoDetails>, PlatformError> {
    Ok(crate::youtube::model::parse_video_details(body)?
        .into_iter()
        .map(|(id, d)| VideoDetails {
            id,
            tags: d.tags,
            private: d.private,
            post: d.post,
        })
        .collect())
}

/// A Google token answer issued at `now` (a refresh when `previous` is given).
pub fn youtube_token(
    body: &[u8],
    previous: Option<&Credentials>,
    now: Timestamp,
) -> Result<Credentials, PlatformError> {
    use crate::youtube::model;
    let t: model::TokenReply = decode(Platform::YouTube, "oauth.token", body)?;
    Ok(model::credentials(t, previous, now))
}

/// A YouTube / Google error answer: the classified error, what the success
/// check says, and whether the body held an error object.
pub fn youtube_error(status: u16, body: &[u8]) -> (PlatformError, Option<PlatformError>, bool) {
    use crate::youtube::classify;
    let h = HeaderMap::new();
    (
        classify::classify(status, &h, body),
        classify::check(status, &h, body),
        classify::reason_of(body).is_some(),
    )
}
