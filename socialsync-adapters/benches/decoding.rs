//! Response-decoding throughput per platform, in posts per second: listing
//! pages and metrics answers built from the fixtures' shapes.

#![allow(missing_docs)] // criterion's macros generate undocumented items

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use socialsync_adapters::{instagram, tiktok, youtube};
use socialsync_core::domain::MediaKind;
use socialsync_core::ids::PlatformPostId;
use socialsync_core::platform::MetricsRequest;
use std::hint::black_box;

fn requests(ids: &[String]) -> Vec<MetricsRequest> {
    ids.iter()
        .map(|id| MetricsRequest {
            id: PlatformPostId::from(id.as_str()),
            kind: MediaKind::Video,
        })
        .collect()
}

fn instagram_page(n: usize) -> Vec<u8> {
    let data: Vec<_> = (0..n)
        .map(|i| serde_json::json!({
            "id": format!("1804000000{i:07}"),
            "caption": "Café vibes ☕ #Café #brandx and a longer caption with @BrandX mentions #ad",
            "media_type": "IMAGE", "media_product_type": "FEED",
            "permalink": "https://www.instagram.com/p/DAfGhIjKlMn/", "shortcode": "DAfGhIjKlMn",
            "timestamp": "2026-11-25T09:15:02+0000", "like_count": 804, "comments_count": 12
        }))
        .collect();
    serde_json::to_vec(&serde_json::json!({"data": data, "paging": {"cursors": {"before": "a", "after": "b"}, "next": "https://graph.instagram.com/v25.0/1/media?access_token=x&after=b"}})).unwrap()
}

fn tiktok_list(n: usize) -> Vec<u8> {
    let videos: Vec<_> = (0..n)
        .map(|i| serde_json::json!({
            "id": format!("744100000000{i:07}"), "create_time": 1_764_262_800 - i as i64,
            "title": "", "video_description": "unboxing the new drop 🔥 #BrandXLaunch #fyp",
            "share_url": "https://www.tiktok.com/@ana.creates/video/7441000000000000003?utm_campaign=tt4d_open_api&utm_source=awfakeclientkey01",
            "duration": 34, "cover_image_url": "https://p16-sign.tiktokcdn-us.com/x.image?x-expires=1764352800&x-signature=FaKe%3D",
            "like_count": 20411, "comment_count": 388, "share_count": 951, "view_count": 402113
        }))
        .collect();
    serde_json::to_vec(&serde_json::json!({"data": {"videos": videos, "cursor": 1_764_090_000_000i64, "has_more": true}, "error": {"code": "ok", "message": "", "log_id": "x"}})).unwrap()
}

fn tiktok_query(ids: &[String]) -> Vec<u8> {
    let videos: Vec<_> = ids
        .iter()
        .map(|id| serde_json::json!({"id": id, "like_count": 20502, "comment_count": 391, "share_count": 960, "view_count": 405877}))
        .collect();
    serde_json::to_vec(&serde_json::json!({"data": {"videos": videos}, "error": {"code": "ok", "message": "", "log_id": "x"}})).unwrap()
}

fn youtube_items(n: usize) -> Vec<u8> {
    let items: Vec<_> = (0..n)
        .map(|i| serde_json::json!({
            "kind": "youtube#playlistItem", "etag": "e", "id": format!("item{i}"),
            "snippet": {"publishedAt": "2026-11-27T17:00:03Z", "channelId": "UCa1b2c3d4e5f6g7h8i9j0kA",
                "title": "Unboxing the new drop #BrandXLaunch", "description": "Full review below.\n\n#BrandX #ad #Café",
                "thumbnails": {"default": {"url": "https://i.ytimg.com/vi/x/default.jpg", "width": 120, "height": 90}},
                "channelTitle": "Ana Creates", "playlistId": "UUa1b2c3d4e5f6g7h8i9j0kA", "position": i,
                "resourceId": {"kind": "youtube#video", "videoId": format!("vid{i:08}")}},
            "contentDetails": {"videoId": format!("vid{i:08}"), "videoPublishedAt": "2026-11-27T17:00:00Z"}
        }))
        .collect();
    serde_json::to_vec(&serde_json::json!({"kind": "youtube#playlistItemListResponse", "nextPageToken": "t", "items": items})).unwrap()
}

fn youtube_stats(ids: &[String]) -> Vec<u8> {
    let items: Vec<_> = ids
        .iter()
        .map(|id| serde_json::json!({"kind": "youtube#video", "etag": "e", "id": id,
            "statistics": {"viewCount": "48211", "likeCount": "3120", "dislikeCount": "41", "favoriteCount": "0", "commentCount": "288"}}))
        .collect();
    serde_json::to_vec(&serde_json::json!({"kind": "youtube#videoListResponse", "items": items}))
        .unwrap()
}

fn decoding(c: &mut Criterion) {
    let mut g = c.benchmark_group("decode");

    let body = instagram_page(25);
    g.throughput(Throughput::Elements(25));
    g.bench_function(BenchmarkId::new("instagram_media_page", 25), |b| {
        b.iter(|| instagram::parse_media_page(black_box(&body)).unwrap())
    });
    let insights = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/instagram/media_insights_reel.json"
    ))
    .unwrap();
    g.throughput(Throughput::Elements(1));
    g.bench_function(BenchmarkId::new("instagram_insights", 1), |b| {
        b.iter(|| instagram::parse_insights(black_box(&insights)).unwrap())
    });

    let body = tiktok_list(20);
    g.throughput(Throughput::Elements(20));
    g.bench_function(BenchmarkId::new("tiktok_video_list", 20), |b| {
        b.iter(|| tiktok::parse_video_list(black_box(&body)).unwrap())
    });
    let ids: Vec<String> = (0..20).map(|i| format!("744100000000{i:07}")).collect();
    let asked = requests(&ids);
    let body = tiktok_query(&ids);
    g.bench_function(BenchmarkId::new("tiktok_video_query", 20), |b| {
        b.iter(|| tiktok::parse_video_query(black_box(&body), &asked).unwrap())
    });

    let body = youtube_items(50);
    g.throughput(Throughput::Elements(50));
    g.bench_function(BenchmarkId::new("youtube_playlist_items", 50), |b| {
        b.iter(|| youtube::parse_playlist_items(black_box(&body)).unwrap())
    });
    let ids: Vec<String> = (0..50).map(|i| format!("vid{i:08}")).collect();
    let asked = requests(&ids);
    let body = youtube_stats(&ids);
    g.bench_function(BenchmarkId::new("youtube_videos_statistics", 50), |b| {
        b.iter(|| youtube::parse_videos_statistics(black_box(&body), &asked).unwrap())
    });
    g.finish();
}

criterion_group!(benches, decoding);
criterion_main!(benches);
