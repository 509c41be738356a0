//! The platforms at their worst (ARCHITECTURE.md §4, §9): invalid counters,
//! absurd delays and lifetimes, one post's error. Each stays one bad value:
//! that metric, that post, that limit's reach; never the whole answer, never a
//! panic.

mod common;

use chrono::TimeDelta;
use common::{Account, app, clock, fast_retry, t0};
use serde_json::{Value, json};
use socialsync_adapters::instagram::Instagram;
use socialsync_adapters::tiktok::TikTok;
use socialsync_adapters::youtube::YouTube;
use socialsync_core::domain::MediaKind;
use socialsync_core::ids::PlatformPostId;
use socialsync_core::metrics::Metric;
use socialsync_core::platform::{
    LimitReach, MetricsBatch, MetricsRequest, PlatformErrorKind as K, SocialPlatform,
};
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn body(v: Value) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_raw(v.to_string(), "application/json")
}

fn reqs(kind: MediaKind, ids: &[&str]) -> Vec<MetricsRequest> {
    ids.iter()
        .map(|id| MetricsRequest {
            id: PlatformPostId::from(*id),
            kind,
        })
        .collect()
}

fn tiktok(server: &MockServer) -> TikTok {
    TikTok::builder()
        .with_base_url(server.uri())
        .with_app_credentials(app())
        .with_clock(clock())
        .with_retry(fast_retry())
        .build()
        .unwrap()
}

fn youtube(server: &MockServer) -> YouTube {
    YouTube::builder()
        .with_base_url(server.uri())
        .with_app_credentials(app())
        .with_clock(clock())
        .with_retry(fast_retry())
        .build()
        .unwrap()
}

fn instagram(server: &MockServer) -> Instagram {
    Instagram::builder()
        .with_base_url(server.uri())
        .with_app_credentials(app())
        .with_clock(clock())
        .with_retry(fast_retry())
        .build()
        .unwrap()
}

/// The reading of `id` in `batch`.
fn reading<'b>(batch: &'b MetricsBatch, id: &str) -> &'b socialsync_core::platform::PostReading {
    batch
        .readings
        .iter()
        .find(|r| r.id.as_str() == id)
        .unwrap_or_else(|| panic!("{id} has no reading: {batch:?}"))
}

/// The metrics a reading's problems name.
fn spoiled(r: &socialsync_core::platform::PostReading) -> Vec<Metric> {
    r.problems.iter().filter_map(|p| p.metric).collect()
}

/// Hostile values for a counter, with what each is.
fn bad_counters() -> Vec<(&'static str, Value)> {
    vec![
        ("negative", json!(-12)),
        ("fractional", json!(12.5)),
        ("not a number", json!("lots")),
        ("beyond 2^53", json!(9_007_199_254_740_993_u64)),
        ("far beyond", json!(1e300)),
    ]
}

#[tokio::test]
async fn tiktok_invalid_counters_are_that_metric_absent_and_the_batch_lands() {
    let server = MockServer::start().await;
    let bad = bad_counters();
    let mut videos: Vec<Value> = bad
        .iter()
        .enumerate()
        .map(|(i, (_, v))| {
            json!({"id": format!("bad{i}"), "view_count": v, "like_count": 7, "comment_count": 1, "share_count": 0})
        })
        .collect();
    videos.push(json!({"id": "clean", "view_count": 100, "like_count": 7, "comment_count": 1, "share_count": 0}));
    Mock::given(method("POST"))
        .and(path("/v2/video/query/"))
        .respond_with(body(json!({
            "data": {"videos": videos},
            "error": {"code": "ok", "message": "", "log_id": "x"}
        })))
        .mount(&server)
        .await;
    let a = Account::new("open-id-1", "act.TOKEN");
    let mut ids: Vec<String> = (0..bad.len()).map(|i| format!("bad{i}")).collect();
    ids.push("clean".into());
    let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
    let batch = tiktok(&server)
        .fetch_metrics(a.r(), &reqs(MediaKind::Video, &ids))
        .await
        .expect("one bad counter never fails the batch");
    assert!(batch.missing.is_empty());
    for (i, (what, _)) in bad.iter().enumerate() {
        let r = reading(&batch, &format!("bad{i}"));
        assert_eq!(r.metrics.get(Metric::Views), None, "{what}");
        assert_eq!(r.metrics.get(Metric::Likes), Some(7), "{what}");
        assert_eq!(spoiled(r), [Metric::Views], "{what}");
    }
    let clean = reading(&batch, "clean");
    assert_eq!(clean.metrics.get(Metric::Views), Some(100));
    assert!(clean.problems.is_empty());
}

#[tokio::test]
async fn youtube_invalid_counters_are_that_metric_absent_and_the_batch_lands() {
    let server = MockServer::start().await;
    let values = [
        json!("-5"),
        json!("1.5"),
        json!("lots"),
        json!("18446744073709551621"),
        json!(-3),
        json!(1e300),
    ];
    let mut items: Vec<Value> = values
        .iter()
        .enumerate()
        .map(|(i, v)| {
            json!({"kind": "youtube#video", "id": format!("bad{i}"),
                   "statistics": {"viewCount": v, "likeCount": "9", "favoriteCount": "0"}})
        })
        .collect();
    items.push(json!({"kind": "youtube#video", "id": "clean",
                      "statistics": {"viewCount": "42", "likeCount": "9"}}));
    Mock::given(method("GET"))
        .and(path("/youtube/v3/videos"))
        .respond_with(body(
            json!({"kind": "youtube#videoListResponse", "items": items}),
        ))
        .mount(&server)
        .await;
    let a = Account::new("UCchannel", "ya29.TOKEN");
    let mut ids: Vec<String> = (0..values.len()).map(|i| format!("bad{i}")).collect();
    ids.push("clean".into());
    let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
    let batch = youtube(&server)
        .fetch_metrics(a.r(), &reqs(MediaKind::Video, &ids))
        .await
        .expect("one bad counter never fails the batch");
    for (i, v) in values.iter().enumerate() {
        let r = reading(&batch, &format!("bad{i}"));
        assert_eq!(r.metrics.get(Metric::Views), None, "{v}");
        assert_eq!(r.metrics.get(Metric::Likes), Some(9));
        assert_eq!(spoiled(r), [Metric::Views], "{v}");
    }
    assert_eq!(
        reading(&batch, "clean").metrics.get(Metric::Views),
        Some(42)
    );
}

#[tokio::test]
async fn instagram_invalid_insight_values_are_recorded_not_silently_missing() {
    let server = MockServer::start().await;
    for (i, (_, v)) in bad_counters().into_iter().enumerate() {
        Mock::given(method("GET"))
            .and(path(format!("/v25.0/m{i}/insights")))
            .respond_with(body(json!({"data": [
                {"name": "views", "period": "lifetime", "values": [{"value": v}]},
                {"name": "reach", "period": "lifetime", "values": [{"value": 31}]}
            ]})))
            .mount(&server)
            .await;
    }
    let a = Account::new("17841400000000001", "IGTOKEN");
    let ids: Vec<String> = (0..5).map(|i| format!("m{i}")).collect();
    let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
    let batch = instagram(&server)
        .fetch_metrics(a.r(), &reqs(MediaKind::Image, &ids))
        .await
        .unwrap();
    for id in ids {
        let r = reading(&batch, id);
        assert_eq!(r.metrics.get(Metric::Views), None);
        assert_eq!(r.metrics.get(Metric::Reach), Some(31));
        assert_eq!(spoiled(r), [Metric::Views], "{id}");
    }
}

#[tokio::test]
async fn listings_survive_a_bad_counter_or_a_bad_item() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v25.0/me/media"))
        .respond_with(body(json!({"data": [
            {"id": "1", "caption": "#a", "media_type": "IMAGE", "timestamp": "2026-11-25T09:15:02+0000", "like_count": -1, "comments_count": 2.5},
            {"id": 2, "caption": "an item whose id is not text"},
            {"id": "3", "caption": "#b", "media_type": "IMAGE", "timestamp": "2026-11-25T08:00:00+0000", "like_count": 4}
        ]})))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v2/video/list/"))
        .respond_with(body(json!({
            "data": {"videos": [
                {"id": "v1", "create_time": 1764060000.5, "view_count": -3},
                {"id": "v2", "create_time": 1764060000, "view_count": "many"}
            ], "cursor": 0, "has_more": false},
            "error": {"code": "ok", "message": "", "log_id": "x"}
        })))
        .mount(&server)
        .await;
    let page = instagram(&server)
        .list_posts(Account::new("17841400000000001", "IGTOKEN").r(), None)
        .await
        .expect("a bad counter or item is not a failed listing");
    let ids: Vec<&str> = page.posts.iter().map(|p| p.id.as_str()).collect();
    assert_eq!(ids, ["1", "3"]);
    let page = tiktok(&server)
        .list_posts(Account::new("open-id-1", "act.TOKEN").r(), None)
        .await
        .expect("a bad counter or time is not a failed listing");
    assert_eq!(page.posts.len(), 2);
    // A fractional publish time is no publish time: not public yet.
    assert_eq!(page.posts[0].published_at, None);
    assert!(page.posts[1].published_at.is_some());
}

#[tokio::test]
async fn instagram_one_posts_error_is_that_posts_alone() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v25.0/good/insights"))
        .respond_with(body(json!({"data": [
            {"name": "views", "period": "lifetime", "values": [{"value": 500}]}
        ]})))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v25.0/old/insights"))
        .respond_with(ResponseTemplate::new(400).set_body_raw(
            json!({"error": {"message": "(#100) Media posted before business account conversion",
                             "type": "OAuthException", "code": 100, "error_subcode": 2108006,
                             "fbtrace_id": "A1"}})
            .to_string(),
            "application/json",
        ))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v25.0/old"))
        .and(query_param("fields", "id,like_count,comments_count"))
        .respond_with(body(
            json!({"id": "old", "like_count": 12, "comments_count": 3}),
        ))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v25.0/flaky/insights"))
        .respond_with(ResponseTemplate::new(200).set_body_raw("{not json", "application/json"))
        .mount(&server)
        .await;
    let a = Account::new("17841400000000001", "IGTOKEN");
    let batch = instagram(&server)
        .fetch_metrics(a.r(), &reqs(MediaKind::Image, &["good", "old", "flaky"]))
        .await
        .expect("one post's error never fails the batch");
    assert_eq!(
        reading(&batch, "good").metrics.get(Metric::Views),
        Some(500)
    );
    let old = reading(&batch, "old");
    assert_eq!(old.metrics.get(Metric::Views), None);
    assert_eq!(old.metrics.get(Metric::Likes), Some(12));
    assert_eq!(old.problems.len(), 1, "{old:?}");
    assert!(old.problems[0].metric.is_none());
    assert!(
        old.problems[0].reason.contains("2108006"),
        "{:?}",
        old.problems
    );
    assert!(batch.missing.is_empty());
    let failed: Vec<&str> = batch.failed.iter().map(|(id, _)| id.as_str()).collect();
    assert_eq!(failed, ["flaky"]);
}

#[tokio::test]
async fn a_huge_retry_after_backs_off_only_as_far_as_the_limit_reaches() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v2/video/list/"))
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("retry-after", "999999999")
                .set_body_raw(
                    json!({"error": {"code": "rate_limit_exceeded", "message": "slow down", "log_id": "x"}})
                        .to_string(),
                    "application/json",
                ),
        )
        .mount(&server)
        .await;
    let e = tiktok(&server)
        .list_posts(Account::new("open-id-1", "act.TOKEN").r(), None)
        .await
        .unwrap_err();
    assert_eq!(
        e.kind,
        K::RateLimited {
            until: Some(t0() + TimeDelta::minutes(5)),
            reach: LimitReach::Minute
        }
    );
}

#[tokio::test]
async fn a_huge_usage_regain_time_neither_panics_nor_pauses_an_account_for_ever() {
    let server = MockServer::start().await;
    let usage = json!({"17841400000000001": [{"type": "instagram", "call_count": 100,
        "total_cputime": 10, "total_time": 10,
        "estimated_time_to_regain_access": 1_099_511_627_776_u64}]});
    Mock::given(method("GET"))
        .and(path("/v25.0/me/media"))
        .respond_with(
            ResponseTemplate::new(400)
                .insert_header("x-business-use-case-usage", usage.to_string().as_str())
                .set_body_raw(
                    json!({"error": {"message": "User request limit reached", "type": "OAuthException",
                                     "code": 17, "fbtrace_id": "A"}})
                    .to_string(),
                    "application/json",
                ),
        )
        .mount(&server)
        .await;
    let e = instagram(&server)
        .list_posts(Account::new("17841400000000001", "IGTOKEN").r(), None)
        .await
        .unwrap_err();
    assert_eq!(
        e.kind,
        K::RateLimited {
            until: Some(t0() + TimeDelta::hours(24)),
            reach: LimitReach::Account
        }
    );
}

#[tokio::test]
async fn huge_token_lifetimes_are_clamped_to_the_documented_maximum() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v2/oauth/token/"))
        .respond_with(body(json!({
            "access_token": "act.NEW", "expires_in": 4_611_686_018_427_387_904_u64,
            "open_id": "open-id-1", "refresh_token": "rft.NEW", "refresh_expires_in": 1e18,
            "scope": "user.info.basic,video.list", "token_type": "Bearer"
        })))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/refresh_access_token"))
        .respond_with(body(json!({
            "access_token": "IGNEW", "token_type": "bearer", "expires_in": i64::MAX
        })))
        .mount(&server)
        .await;
    let mut a = Account::new("open-id-1", "act.OLD");
    a.credentials = a.credentials.clone().with_refresh_token("rft.OLD");
    let fresh = tiktok(&server).refresh_credentials(a.r()).await.unwrap();
    assert_eq!(fresh.expires_at, Some(t0() + TimeDelta::hours(24)));
    assert_eq!(fresh.refresh_expires_at, Some(t0() + TimeDelta::days(365)));
    let mut ig = Account::new("17841400000000001", "IGOLD");
    ig.credentials = ig.credentials.clone().issued(t0() - TimeDelta::days(2));
    let fresh = instagram(&server)
        .refresh_credentials(ig.r())
        .await
        .unwrap();
    assert_eq!(fresh.expires_at, Some(t0() + TimeDelta::days(60)));
}

/// A usage header with one garbage field (a percentage as text, a fraction)
/// still says when access is regained: one bad value is that value's, not
/// the whole header's.
#[tokio::test]
async fn a_garbage_field_of_a_usage_header_keeps_its_regain_time() {
    for garbage in [json!("100"), json!(99.5), json!(-1)] {
        let server = MockServer::start().await;
        let usage = json!({"17841400000000001": [{"type": "instagram", "call_count": garbage,
            "total_cputime": 10, "total_time": 10,
            "estimated_time_to_regain_access": 40}]});
        Mock::given(method("GET"))
            .and(path("/v25.0/me/media"))
            .respond_with(
                ResponseTemplate::new(400)
                    .insert_header("x-business-use-case-usage", usage.to_string().as_str())
                    .set_body_raw(
                        json!({"error": {"message": "User request limit reached", "type": "OAuthException",
                                         "code": 17, "fbtrace_id": "A"}})
                        .to_string(),
                        "application/json",
                    ),
            )
            .mount(&server)
            .await;
        let e = instagram(&server)
            .list_posts(Account::new("17841400000000001", "IGTOKEN").r(), None)
            .await
            .unwrap_err();
        assert_eq!(
            e.kind,
            K::RateLimited {
                until: Some(t0() + TimeDelta::minutes(40)),
                reach: LimitReach::Account
            },
            "call_count {garbage}"
        );
    }
}

/// A TikTok listing page whose `cursor` is not an `i64` (a fraction, a
/// string of digits, beyond 2^63) or whose `has_more` is not a boolean
/// still yields its posts: a number in a field other than a counter never
/// fails the whole answer.
#[tokio::test]
async fn tiktok_an_unreadable_cursor_or_has_more_keeps_the_pages_posts() {
    let cases = [
        ("1764060000000.5", "true"),
        ("\"1764060000000\"", "true"),
        ("18446744073709551616", "true"),
        ("1764060000000", "1"),
        ("1764060000000", "\"true\""),
    ];
    for (cursor, has_more) in cases {
        let server = MockServer::start().await;
        let page = format!(
            r##"{{"data": {{"videos": [{{"id": "v1", "create_time": 1764060000, "video_description": "#a", "view_count": 3}}], "cursor": {cursor}, "has_more": {has_more}}}, "error": {{"code": "ok", "message": "", "log_id": "x"}}}}"##
        );
        Mock::given(method("POST"))
            .and(path("/v2/video/list/"))
            .respond_with(ResponseTemplate::new(200).set_body_raw(page, "application/json"))
            .mount(&server)
            .await;
        let page = tiktok(&server)
            .list_posts(Account::new("open-id-1", "act.TOKEN").r(), None)
            .await;
        let page = page.unwrap_or_else(|e| {
            panic!("cursor {cursor}, has_more {has_more}: the page failed: {e}")
        });
        assert_eq!(page.posts.len(), 1, "cursor {cursor}, has_more {has_more}");
    }
}

/// A TikTok metrics answer carrying a paging field of the wrong type (which
/// a metrics read does not even use) still lands every reading.
#[tokio::test]
async fn tiktok_a_junk_paging_field_does_not_fail_a_metrics_batch() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v2/video/query/"))
        .respond_with(body(json!({
            "data": {"videos": [
                {"id": "v1", "view_count": 100, "like_count": 7, "comment_count": 1, "share_count": 0}
            ], "cursor": "none", "has_more": "no"},
            "error": {"code": "ok", "message": "", "log_id": "x"}
        })))
        .mount(&server)
        .await;
    let batch = tiktok(&server)
        .fetch_metrics(
            Account::new("open-id-1", "act.TOKEN").r(),
            &reqs(MediaKind::Video, &["v1"]),
        )
        .await
        .expect("a paging field a metrics read does not use never fails it");
    assert_eq!(reading(&batch, "v1").metrics.get(Metric::Views), Some(100));
}

/// An Instagram media page whose `paging.cursors.after` is a number still
/// yields its posts.
#[tokio::test]
async fn instagram_a_numeric_cursor_keeps_the_pages_posts() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v25.0/me/media"))
        .respond_with(body(json!({
            "data": [
                {"id": "1", "caption": "#a", "media_type": "IMAGE", "timestamp": "2026-11-25T09:15:02+0000"}
            ],
            "paging": {"cursors": {"before": "QVFIUk", "after": 12345}, "next": "https://example.invalid/next"}
        })))
        .mount(&server)
        .await;
    let page = instagram(&server)
        .list_posts(Account::new("17841400000000001", "IGTOKEN").r(), None)
        .await
        .expect("a cursor of the wrong type is not a failed page");
    assert_eq!(page.posts.len(), 1);
}

/// Minus zero is read the same way whether YouTube sends it as a string of
/// digits (its usual form) or as a JSON number: one rule for a counter,
/// whatever its spelling.
#[tokio::test]
async fn youtube_minus_zero_is_read_alike_as_text_and_as_a_number() {
    let server = MockServer::start().await;
    let answer = r#"{"kind": "youtube#videoListResponse", "items": [
        {"kind": "youtube#video", "id": "text", "statistics": {"viewCount": "-0", "likeCount": "9"}},
        {"kind": "youtube#video", "id": "number", "statistics": {"viewCount": -0, "likeCount": "9"}}
    ]}"#;
    Mock::given(method("GET"))
        .and(path("/youtube/v3/videos"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(answer, "application/json"))
        .mount(&server)
        .await;
    let batch = youtube(&server)
        .fetch_metrics(
            Account::new("UCchannel", "ya29.TOKEN").r(),
            &reqs(MediaKind::Video, &["text", "number"]),
        )
        .await
        .expect("batch");
    let text = reading(&batch, "text");
    let number = reading(&batch, "number");
    assert_eq!(
        text.metrics.get(Metric::Views),
        number.metrics.get(Metric::Views),
        "text {:?} / number {:?}",
        text.problems,
        number.problems
    );
    assert_eq!(spoiled(text), spoiled(number));
}

/// A TikTok answer naming an asked video whose item does not decode (a
/// title that is a number) is that video's failed read, never "missing"
/// (which leads to a deletion check) — neither in a batch nor in the
/// single-post read that confirms a deletion.
#[tokio::test]
async fn tiktok_an_undecodable_item_is_not_a_missing_post() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v2/video/query/"))
        .respond_with(body(json!({
            "data": {"videos": [
                {"id": "v1", "title": 5, "create_time": 1764060000, "view_count": 3},
                {"id": "v2", "create_time": 1764060000, "view_count": 4}
            ]},
            "error": {"code": "ok", "message": "", "log_id": "x"}
        })))
        .mount(&server)
        .await;
    let a = Account::new("open-id-1", "act.TOKEN");
    let batch = tiktok(&server)
        .fetch_metrics(a.r(), &reqs(MediaKind::Video, &["v1", "v2"]))
        .await
        .expect("batch");
    assert_eq!(reading(&batch, "v2").metrics.get(Metric::Views), Some(4));
    let one = tiktok(&server)
        .get_post(a.r(), &PlatformPostId::from("v1"))
        .await;
    let mut wrong = Vec::new();
    if !batch.missing.is_empty() {
        wrong.push(format!("batch: missing {:?}", batch.missing));
    }
    if matches!(one, Ok(None)) {
        wrong.push("get_post: gone".to_owned());
    }
    assert!(
        wrong.is_empty(),
        "v1 is in the answer, unreadable: {wrong:?}"
    );
}
