//! `videos.list` and `videos:batchGetStats`: statistics as JSON strings,
//! hidden ones absent, missing ids left out.

use super::*;
use crate::endpoint::Endpoint;
use crate::http::{Incoming, Reply};
use crate::model::{Metric, Visibility};
use crate::state::{Post, State};
use serde_json::{Map, Value, json};
use socialsync_core::clock::Timestamp;

pub(crate) fn ids(req: &Incoming) -> Vec<String> {
    req.query("id")
        .unwrap_or("")
        .split(',')
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .collect()
}

pub(crate) fn iso_duration(secs: u32) -> String {
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

pub(crate) fn statistics(post: &Post, now: Timestamp, owner: bool) -> Value {
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
    let blind = st.half_broken(P, &record.account_id);
    let mut items = Vec::new();
    for id in &ids {
        let Some(post) = st
            .post(P, id)
            .filter(|p| !blind && can_see(p, &record.account_id, now))
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
    let (caller, parts) = match start_public(st, now, req, Endpoint::YouTubeBatchGetStats) {
        Ok(x) => x,
        Err(r) => return r,
    };
    let ids = ids(req);
    if ids.len() > MAX_BATCH {
        return too_many_ids();
    }
    // A token sees what its account may; the API key public videos only.
    let sees = |p: &Post| match &caller {
        Caller::Token(record) => {
            !st.half_broken(P, &record.account_id) && can_see(p, &record.account_id, now)
        }
        Caller::Key => !p.deleted && p.is_out(now) && p.visibility(now) == Visibility::Public,
    };
    let mut items = Vec::new();
    for id in &ids {
        let Some(post) = st.post(P, id).filter(|p| sees(p)) else {
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
