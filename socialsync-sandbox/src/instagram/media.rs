//! The user node, the `/media` edge with its cursors and `paging` links, and
//! media nodes.

use super::*;
use crate::endpoint::Endpoint;
use crate::hostile;
use crate::http::{Incoming, Reply};
use crate::model::{Metric, ProductType, Visibility};
use crate::state::{Account, Post, State};
use crate::tokens::TokenRecord;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::TimeDelta;
use serde_json::{Map, Value, json};
use socialsync_core::clock::Timestamp;

/// Fields a media node has.
pub(crate) const MEDIA_FIELDS: [&str; 14] = [
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
pub(crate) const USER_FIELDS: [&str; 9] = [
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

pub(crate) fn requested<'a>(
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

pub(crate) fn timestamp(t: Timestamp) -> String {
    t.format("%Y-%m-%dT%H:%M:%S+0000").to_string()
}

pub(crate) fn permalink(post: &Post) -> String {
    let kind = if post.spec.product_type == ProductType::Reels {
        "reel"
    } else {
        "p"
    };
    format!("https://www.instagram.com/{kind}/{}/", post.shortcode)
}

/// The media object with the requested fields; `edge` is a read through
/// the `/media` edge, where hidden like counts are omitted.
pub(crate) fn media_json(
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

pub(crate) fn listed(post: &Post, now: Timestamp) -> bool {
    post.is_out(now)
        && post.visibility(now) != Visibility::Private
        && post.spec.product_type != ProductType::Story
}

pub(crate) fn encode_cursor(id: &str) -> String {
    URL_SAFE_NO_PAD.encode(format!("AQH{id}"))
}

pub(crate) fn decode_cursor(c: &str) -> Option<String> {
    let bytes = URL_SAFE_NO_PAD.decode(c.trim_end_matches('=')).ok()?;
    let s = String::from_utf8(bytes).ok()?;
    s.strip_prefix("AQH").map(str::to_owned)
}

/// The account behind a path's user segment (`me` or the account id).
pub(crate) fn path_account(record: &TokenRecord, user: &str) -> bool {
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
    // A half-broken token lists nothing; an endless listing goes on with
    // empty pages where it would end.
    let blind = st.half_broken(P, &account.id);
    let endless = st.spoils(P, &account.id).endless();
    let posts: Vec<Post> = st
        .posts_of(P, &account.id)
        .into_iter()
        .filter(|p| !blind && listed(p, now))
        .filter(|p| since.is_none_or(|s| p.spec.published_at.timestamp() >= s))
        .filter(|p| until.is_none_or(|u| p.spec.published_at.timestamp() <= u))
        .cloned()
        .collect();
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
    // The paging of an empty endless page (`this`: which one; `None` for
    // a first page that is already empty).
    let endless_paging = |mode, this: Option<u64>| {
        let next = hostile::next_endless_page(mode, this);
        let this = encode_cursor(&hostile::instagram_endless_id(this.unwrap_or(0)));
        let next = encode_cursor(&hostile::instagram_endless_id(next));
        json!({
            "cursors": { "before": this, "after": this },
            "next": link("after", &next),
        })
    };
    if let (Some(mode), Some(n)) = (
        endless,
        req.query("after")
            .and_then(decode_cursor)
            .and_then(|id| hostile::instagram_endless_page(&id)),
    ) {
        let mut body = Map::new();
        body.insert("data".into(), json!([]));
        body.insert("paging".into(), endless_paging(mode, Some(n)));
        let mut reply = Reply::ok(Value::Object(body));
        reply.headers.extend(headers);
        return reply;
    }
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
        let before = encode_cursor(&first.id);
        let after = encode_cursor(&last.id);
        let mut paging = Map::new();
        paging.insert(
            "cursors".into(),
            json!({ "before": before, "after": after }),
        );
        if end < posts.len() {
            paging.insert("next".into(), json!(link("after", &after)));
        } else if let Some(mode) = endless {
            let next = hostile::next_endless_page(mode, None);
            let next = encode_cursor(&hostile::instagram_endless_id(next));
            paging.insert("next".into(), json!(link("after", &next)));
        }
        if start > 0 {
            paging.insert("previous".into(), json!(link("before", &before)));
        }
        body.insert("paging".into(), Value::Object(paging));
    } else if let Some(mode) = endless {
        body.insert("paging".into(), endless_paging(mode, None));
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
pub(crate) fn owned_post(
    st: &State,
    record: &TokenRecord,
    id: &str,
    now: Timestamp,
) -> Option<Post> {
    if st.half_broken(P, &record.account_id) {
        return None;
    }
    st.post(P, id)
        .filter(|p| !p.deleted && p.account_id == record.account_id && p.is_out(now))
        .filter(|p| p.visibility(now) != Visibility::Private)
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

/// Which endpoint a versioned Graph path is.
pub(crate) fn node_endpoint(st: &State, id: &str) -> Endpoint {
    if is_user_node(st, id) {
        Endpoint::InstagramUser
    } else {
        Endpoint::InstagramMedia
    }
}
