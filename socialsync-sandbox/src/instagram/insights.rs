//! Media insights: metric sets per product type, deprecations, and data
//! that is not available yet.

use super::*;
use crate::http::{Incoming, Reply};
use crate::model::{Metric, ProductType};
use crate::scopes;
use crate::state::State;
use serde_json::{Value, json};
use socialsync_core::clock::Timestamp;

/// Metrics each product type supports.
pub(crate) fn supported(product: ProductType, metric: &str) -> bool {
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

pub(crate) fn insight_source(metric: &str) -> Metric {
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

pub(crate) fn insight_text(metric: &str, noun: &str) -> (String, String) {
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
