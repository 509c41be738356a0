//! Channels and the uploads playlist with its page tokens.

use super::*;
use crate::endpoint::Endpoint;
use crate::http::{Incoming, Reply};
use crate::model::Visibility;
use crate::state::{Account, Post, State};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use serde_json::{Map, Value, json};
use socialsync_core::clock::Timestamp;

pub(crate) fn rfc3339(t: Timestamp) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

pub(crate) fn uploads_playlist(channel_id: &str) -> String {
    format!("UU{}", channel_id.get(2..).unwrap_or(channel_id))
}

pub(crate) fn thumbnails(id: &str) -> Value {
    json!({
        "default": { "url": format!("https://i.ytimg.com/vi/{id}/default.jpg"), "width": 120, "height": 90 },
        "medium": { "url": format!("https://i.ytimg.com/vi/{id}/mqdefault.jpg"), "width": 320, "height": 180 },
        "high": { "url": format!("https://i.ytimg.com/vi/{id}/hqdefault.jpg"), "width": 480, "height": 360 },
    })
}

pub(crate) fn privacy(post: &Post, now: Timestamp) -> &'static str {
    if !post.is_out(now) {
        return "private";
    }
    match post.visibility(now) {
        Visibility::Public => "public",
        Visibility::Unlisted => "unlisted",
        Visibility::Private => "private",
    }
}

/// Whether the token's account may see the video.
pub(crate) fn can_see(post: &Post, viewer: &str, now: Timestamp) -> bool {
    !post.deleted
        && (post.account_id == viewer
            || (post.is_out(now) && post.visibility(now) != Visibility::Private))
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

pub(crate) fn encode_page(offset: usize) -> String {
    URL_SAFE_NO_PAD.encode(format!("PT:{offset}"))
}

pub(crate) fn decode_page(token: &str) -> Option<usize> {
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
    // A half-broken token lists nothing; an endless listing goes on with
    // empty pages where it would end.
    let blind = st.half_broken(P, &record.account_id);
    let endless = st.spoils(P, &record.account_id).endless();
    let mut videos: Vec<Post> = st
        .posts_of(P, &owner.id)
        .into_iter()
        .filter(|p| !blind && can_see(p, &record.account_id, now))
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
                    if post.is_out(now) && post.visibility(now) != Visibility::Private {
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
    } else if let Some(mode) = endless {
        let next = crate::hostile::youtube_endless_offset(mode, offset, end);
        body.insert("nextPageToken".into(), json!(encode_page(next)));
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
