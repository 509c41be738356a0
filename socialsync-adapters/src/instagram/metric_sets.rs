//! Which insights metrics to ask for, by media product type. Deprecated
//! metrics are never requested: one invalid metric fails the whole call.

use socialsync_core::domain::MediaKind;
use socialsync_core::metrics::Metric;

/// Metrics Meta removed; asking for any of them fails the whole request.
pub const DEPRECATED_METRICS: [&str; 7] = [
    "impressions",
    "plays",
    "clips_replays_count",
    "ig_reels_aggregated_all_plays_count",
    "video_views",
    "engagement",
    "carousel_album_impressions",
];

/// Feed posts (images, videos, carousels).
const FEED: &[&str] = &[
    "views",
    "reach",
    "likes",
    "comments",
    "shares",
    "saved",
    "total_interactions",
];

/// Reels: the feed set plus watch times (milliseconds).
const REELS: &[&str] = &[
    "views",
    "reach",
    "likes",
    "comments",
    "shares",
    "saved",
    "total_interactions",
    "ig_reels_avg_watch_time",
    "ig_reels_video_view_total_time",
];

/// Stories.
const STORY: &[&str] = &[
    "views",
    "reach",
    "replies",
    "shares",
    "total_interactions",
    "follows",
    "profile_visits",
];

/// The set asked after a rejection whose metric could not be named.
pub(crate) const MINIMAL: &[&str] = &["reach", "likes", "comments", "saved", "shares"];

/// The insights metrics asked for a media kind.
pub fn insights_metrics(kind: MediaKind) -> &'static [&'static str] {
    match kind {
        MediaKind::Reel => REELS,
        MediaKind::Story => STORY,
        _ => FEED,
    }
}

/// The socialsync metric an insights metric name maps to.
pub(crate) fn metric_of(name: &str) -> Option<Metric> {
    Some(match name {
        "views" => Metric::Views,
        "reach" => Metric::Reach,
        "likes" => Metric::Likes,
        "comments" => Metric::Comments,
        "shares" => Metric::Shares,
        "saved" => Metric::Saves,
        "total_interactions" => Metric::TotalInteractions,
        "follows" => Metric::Follows,
        "profile_visits" => Metric::ProfileVisits,
        "replies" => Metric::Replies,
        "ig_reels_avg_watch_time" => Metric::AvgWatchTimeMs,
        "ig_reels_video_view_total_time" => Metric::WatchTimeMs,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_deprecated_metric_is_ever_requested() {
        for kind in [
            MediaKind::Image,
            MediaKind::Video,
            MediaKind::Carousel,
            MediaKind::Reel,
            MediaKind::Story,
            MediaKind::Other,
        ] {
            for m in insights_metrics(kind).iter().chain(MINIMAL) {
                assert!(!DEPRECATED_METRICS.contains(m), "{m} for {kind:?}");
                assert!(metric_of(m).is_some(), "{m} maps to no metric");
            }
        }
    }
}
