//! Platform answers are untrusted: truncated, corrupted or arbitrary bodies
//! give a typed error (or a reading), never a panic.

mod common;

use proptest::prelude::*;
use reqwest::header::HeaderMap;
use socialsync_adapters::{instagram, tiktok, youtube};
use socialsync_core::domain::MediaKind;
use socialsync_core::ids::PlatformPostId;
use socialsync_core::platform::MetricsRequest;

const FIXTURES: [&str; 12] = [
    "instagram/media_list_page1_with_next.json",
    "instagram/media_insights_reel.json",
    "instagram/error_token_expired_190_463.json",
    "instagram/headers_x_business_use_case_usage.json",
    "tiktok/video_list_page1_has_more.json",
    "tiktok/video_query_metrics_batch.json",
    "tiktok/error_scope_not_authorized.json",
    "tiktok/webhook_authorization_removed.json",
    "youtube/playlist_items_uploads_page1.json",
    "youtube/videos_list_statistics_batch.json",
    "youtube/channels_list_mine_content_details.json",
    "youtube/error_quota_exceeded_403.json",
];

fn every_decoder(body: &[u8]) {
    let asked = [MetricsRequest {
        id: PlatformPostId::from("7441000000000000003"),
        kind: MediaKind::Video,
    }];
    let h = HeaderMap::new();
    let _ = instagram::parse_media_page(body);
    let _ = instagram::parse_insights(body);
    let _ = tiktok::parse_video_list(body);
    let _ = tiktok::parse_video_query(body, &asked);
    let _ = youtube::parse_playlist_items(body);
    let _ = youtube::parse_videos_statistics(body, &asked);
    let _ = youtube::parse_channels(body);
    for status in [200, 400, 401, 403, 404, 429, 500, 503] {
        let _ = instagram::classify(status, &h, body);
        let _ = tiktok::classify(status, &h, body);
        let _ = youtube::classify(status, &h, body);
    }
    if let Ok(text) = std::str::from_utf8(body) {
        let mut h = HeaderMap::new();
        if let Ok(v) = text.parse() {
            h.insert("x-business-use-case-usage", v);
        }
        let _ = instagram::read_usage(&h);
    }
    let verifier = tiktok::webhook::WebhookVerifier::new(&common::app());
    let now = socialsync_core::clock::Timestamp::from_timestamp(1_764_333_727, 0).unwrap();
    let _ = verifier.verify(std::str::from_utf8(body).ok(), body, now);
}

proptest! {
    #[test]
    fn truncated_fixtures_never_panic(which in 0..FIXTURES.len(), cut in 0.0f64..1.0) {
        let body = common::fixture(FIXTURES[which]);
        let at = ((body.len() as f64) * cut) as usize;
        every_decoder(&body[..at]);
    }

    #[test]
    fn corrupted_fixtures_never_panic(which in 0..FIXTURES.len(), at in 0.0f64..1.0, byte in any::<u8>()) {
        let mut body = common::fixture(FIXTURES[which]);
        let i = ((body.len() as f64) * at) as usize % body.len();
        body[i] = byte;
        every_decoder(&body);
    }

    #[test]
    fn arbitrary_bytes_never_panic(body in proptest::collection::vec(any::<u8>(), 0..512)) {
        every_decoder(&body);
    }

    #[test]
    fn values_of_the_wrong_type_never_panic(n in any::<i64>(), s in ".{0,20}") {
        let bodies = [
            format!(r#"{{"data":{{"videos":[{{"id":"1","create_time":{n},"like_count":{n}}}],"cursor":{n},"has_more":true}},"error":{{"code":"ok"}}}}"#),
            format!(r#"{{"items":[{{"id":"a","statistics":{{"viewCount":"{s}","likeCount":{n}}}}}]}}"#),
            format!(r#"{{"data":[{{"name":"views","values":[{{"value":{n}}}]}}]}}"#),
            format!(r#"{{"data":[{{"id":"1","timestamp":"{s}","caption":{n}}}]}}"#),
        ];
        for b in bodies {
            every_decoder(b.as_bytes());
        }
    }
}
