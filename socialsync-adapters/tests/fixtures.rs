//! Every fixture parses; every error fixture classifies to its meaning.

mod common;

use common::{fixture, fixture_str};
use reqwest::header::HeaderMap;
use socialsync_adapters::{instagram, tiktok, youtube};
use socialsync_core::domain::{DisconnectReason, MediaKind};
use socialsync_core::ids::PlatformPostId;
use socialsync_core::metrics::Metric;
use socialsync_core::platform::{LimitReach, MetricsRequest, PlatformErrorKind as K};

fn req(id: &str) -> MetricsRequest {
    MetricsRequest {
        id: PlatformPostId::from(id),
        kind: MediaKind::Video,
    }
}

fn throttled(reach: LimitReach) -> K {
    K::RateLimited { until: None, reach }
}

#[test]
fn every_fixture_file_is_covered_by_these_tests() {
    // A new fixture must be parsed or classified here: list them all.
    let covered = [
        "instagram/error_app_removed_190_458.json",
        "instagram/error_insights_metric_unsupported_100.json",
        "instagram/error_invalid_token_190.json",
        "instagram/error_not_found_100_33.json",
        "instagram/error_not_found_100_33_graph_facebook.json",
        "instagram/error_permission_missing_10.json",
        "instagram/error_rate_limit_app_4.json",
        "instagram/error_rate_limit_user_17.json",
        "instagram/error_token_expired_190_463.json",
        "instagram/error_transient_2.json",
        "instagram/graph_batch_insights_mixed.json",
        "instagram/headers_x_app_usage.json",
        "instagram/headers_x_business_use_case_usage.json",
        "instagram/media_insights_feed.json",
        "instagram/media_insights_reel.json",
        "instagram/media_insights_unavailable_empty.json",
        "instagram/media_list_empty.json",
        "instagram/media_list_last_page.json",
        "instagram/media_list_page1_with_next.json",
        "instagram/media_node_counters.json",
        "instagram/token_exchange_long_lived_success.json",
        "instagram/token_refresh_success.json",
        "tiktok/error_access_token_invalid.json",
        "tiktok/error_internal_error.json",
        "tiktok/error_invalid_params.json",
        "tiktok/error_rate_limit_exceeded.json",
        "tiktok/error_scope_not_authorized.json",
        "tiktok/oauth_token_exchange_success.json",
        "tiktok/oauth_token_refresh_invalid_grant.json",
        "tiktok/oauth_token_refresh_success.json",
        "tiktok/user_info_success.json",
        "tiktok/video_list_empty.json",
        "tiktok/video_list_last_page.json",
        "tiktok/video_list_page1_has_more.json",
        "tiktok/video_query_metrics_batch.json",
        "tiktok/webhook_authorization_removed.json",
        "youtube/channels_list_mine_content_details.json",
        "youtube/channels_list_mine_no_channel.json",
        "youtube/error_auth_invalid_credentials_401.json",
        "youtube/error_backend_503.json",
        "youtube/error_insufficient_scopes_403.json",
        "youtube/error_playlist_not_found_404.json",
        "youtube/error_quota_exceeded_403.json",
        "youtube/error_too_many_ids_400.json",
        "youtube/oauth_token_refresh_invalid_grant.json",
        "youtube/oauth_token_refresh_success.json",
        "youtube/playlist_items_uploads_last_page.json",
        "youtube/playlist_items_uploads_page1.json",
        "youtube/videos_batch_get_stats.json",
        "youtube/videos_list_statistics_batch.json",
    ];
    let dir = format!("{}/tests/fixtures", env!("CARGO_MANIFEST_DIR"));
    let mut found = Vec::new();
    for platform in ["instagram", "tiktok", "youtube"] {
        for e in std::fs::read_dir(format!("{dir}/{platform}")).unwrap() {
            let name = e.unwrap().file_name().into_string().unwrap();
            found.push(format!("{platform}/{name}"));
        }
    }
    found.sort();
    assert_eq!(found, covered);
    for f in covered {
        let v: serde_json::Value = serde_json::from_slice(&fixture(f)).unwrap();
        assert!(!v.is_null(), "{f}");
    }
}

// ----- Instagram ------------------------------------------------------------------

#[test]
fn instagram_media_pages_parse_with_cursor_only_when_next_exists() {
    let p1 =
        instagram::parse_media_page(&fixture("instagram/media_list_page1_with_next.json")).unwrap();
    assert_eq!(p1.posts.len(), 3);
    assert_eq!(p1.next.as_ref().unwrap().0, "QVFIUmlKdXBzYWtyUml3");
    let reel = &p1.posts[0];
    assert_eq!(reel.id.as_str(), "18040000000000005");
    assert_eq!(reel.kind, MediaKind::Reel);
    assert_eq!(
        reel.published_at.unwrap(),
        "2026-11-27T18:04:11Z"
            .parse::<socialsync_core::clock::Timestamp>()
            .unwrap()
    );
    assert_eq!(p1.posts[1].text, "Café vibes ☕ #Café #brandx");
    assert_eq!(p1.posts[2].kind, MediaKind::Carousel);
    assert_eq!(
        p1.posts[2].permalink.as_deref(),
        Some("https://www.instagram.com/p/DAaBbCcDdEe/")
    );
    // The next URL (which carries the token) is never kept anywhere.
    assert!(!format!("{p1:?}").contains("IGAAFakeLongLivedToken"));

    let last =
        instagram::parse_media_page(&fixture("instagram/media_list_last_page.json")).unwrap();
    assert_eq!(last.posts.len(), 2);
    assert!(
        last.next.is_none(),
        "no paging.next = end, despite cursors.after"
    );
    assert_eq!(last.posts[1].text, "", "a post without caption");
    let empty = instagram::parse_media_page(&fixture("instagram/media_list_empty.json")).unwrap();
    assert!(empty.posts.is_empty() && empty.next.is_none());
}

#[test]
fn instagram_timestamps_with_plus_0000_parse() {
    let t = instagram::parse_timestamp("2026-11-25T09:15:02+0000").unwrap();
    assert_eq!(t.to_rfc3339(), "2026-11-25T09:15:02+00:00");
    assert!(instagram::parse_timestamp("2026-11-25 09:15").is_none());
}

#[test]
fn instagram_insights_parse_and_empty_data_is_absent_not_zero() {
    let feed = instagram::parse_insights(&fixture("instagram/media_insights_feed.json"))
        .unwrap()
        .0;
    assert_eq!(feed.get(Metric::Views), Some(9120));
    assert_eq!(feed.get(Metric::Reach), Some(6033));
    assert_eq!(feed.get(Metric::Likes), Some(804));
    assert_eq!(feed.get(Metric::Comments), Some(12));
    assert_eq!(feed.get(Metric::Shares), Some(31));
    assert_eq!(feed.get(Metric::Saves), Some(57));
    assert_eq!(feed.get(Metric::TotalInteractions), Some(904));
    assert_eq!(feed.get(Metric::AvgWatchTimeMs), None);
    let reel = instagram::parse_insights(&fixture("instagram/media_insights_reel.json"))
        .unwrap()
        .0;
    assert_eq!(reel.get(Metric::AvgWatchTimeMs), Some(6840));
    assert_eq!(reel.get(Metric::WatchTimeMs), Some(329_756_400));
    let empty =
        instagram::parse_insights(&fixture("instagram/media_insights_unavailable_empty.json"))
            .unwrap()
            .0;
    for m in Metric::ALL {
        assert_eq!(empty.get(m), None, "{m} must be absent");
    }
}

#[test]
fn instagram_metric_sets_follow_the_fixture_requests() {
    assert_eq!(
        instagram::insights_metrics(MediaKind::Image).join(","),
        "views,reach,likes,comments,shares,saved,total_interactions"
    );
    assert_eq!(
        instagram::insights_metrics(MediaKind::Reel).join(","),
        "views,reach,likes,comments,shares,saved,total_interactions,ig_reels_avg_watch_time,ig_reels_video_view_total_time"
    );
    for kind in [
        MediaKind::Image,
        MediaKind::Carousel,
        MediaKind::Reel,
        MediaKind::Story,
    ] {
        for m in instagram::insights_metrics(kind) {
            assert!(!instagram::DEPRECATED_METRICS.contains(m));
        }
    }
}

#[test]
fn instagram_usage_headers_parse() {
    let v: serde_json::Value =
        serde_json::from_slice(&fixture("instagram/headers_x_business_use_case_usage.json"))
            .unwrap();
    let mut h = HeaderMap::new();
    h.insert(
        "x-business-use-case-usage",
        v["ok"].to_string().parse().unwrap(),
    );
    let ok = instagram::read_usage(&h);
    assert_eq!(ok.business_percent, Some(29));
    assert_eq!(ok.regain_minutes, None);
    h.insert(
        "x-business-use-case-usage",
        v["throttled"].to_string().parse().unwrap(),
    );
    let hot = instagram::read_usage(&h);
    assert_eq!(hot.business_percent, Some(100));
    assert_eq!(hot.regain_minutes, Some(17));
    h.insert(
        "x-app-usage",
        fixture_str("instagram/headers_x_app_usage.json")
            .replace('\n', "")
            .parse()
            .unwrap(),
    );
    assert_eq!(instagram::read_usage(&h).app_percent, Some(28));
    assert_eq!(instagram::read_usage(&HeaderMap::new()), Default::default());
}

#[test]
fn instagram_batch_answer_bodies_are_json_strings_that_classify() {
    let items: Vec<serde_json::Value> =
        serde_json::from_slice(&fixture("instagram/graph_batch_insights_mixed.json")).unwrap();
    let first = items[0]["body"].as_str().unwrap();
    assert_eq!(
        instagram::parse_insights(first.as_bytes())
            .unwrap()
            .0
            .get(Metric::Reach),
        Some(6033)
    );
    let second = items[1]["body"].as_str().unwrap();
    let e = instagram::classify(400, &HeaderMap::new(), second.as_bytes());
    assert_eq!(e.kind, K::NotFound);
}

#[test]
fn instagram_node_and_token_fixtures_parse() {
    let v: serde_json::Value =
        serde_json::from_slice(&fixture("instagram/media_node_counters.json")).unwrap();
    assert_eq!(v["like_count"], 804);
    for f in [
        "instagram/token_exchange_long_lived_success.json",
        "instagram/token_refresh_success.json",
    ] {
        let v: serde_json::Value = serde_json::from_slice(&fixture(f)).unwrap();
        assert_eq!(v["expires_in"], 5_183_944);
    }
}

#[test]
fn instagram_classify_every_error_fixture() {
    let h = HeaderMap::new();
    let cases: [(&str, u16, K); 10] = [
        (
            "error_token_expired_190_463",
            400,
            K::TokenInvalid(DisconnectReason::TokenExpired),
        ),
        (
            "error_app_removed_190_458",
            400,
            K::TokenInvalid(DisconnectReason::AppRemoved),
        ),
        (
            "error_invalid_token_190",
            400,
            K::TokenInvalid(DisconnectReason::Revoked),
        ),
        (
            "error_permission_missing_10",
            400,
            K::PermissionMissing("instagram_business_manage_insights".into()),
        ),
        (
            "error_rate_limit_app_4",
            403,
            throttled(LimitReach::Platform),
        ),
        (
            "error_rate_limit_user_17",
            400,
            throttled(LimitReach::Account),
        ),
        ("error_not_found_100_33", 400, K::NotFound),
        ("error_not_found_100_33_graph_facebook", 400, K::NotFound),
        (
            "error_insights_metric_unsupported_100",
            400,
            K::UnsupportedMetric(Metric::Views),
        ),
        ("error_transient_2", 500, K::Unavailable),
    ];
    for (name, status, kind) in cases {
        let e = instagram::classify(status, &h, &fixture(&format!("instagram/{name}.json")));
        assert_eq!(e.kind, kind, "{name}");
    }
}

#[test]
fn instagram_classify_handles_families_not_single_codes() {
    let h = HeaderMap::new();
    let body = |code: i64, sub: Option<i64>, msg: &str| {
        serde_json::json!({"error": {"message": msg, "type": "OAuthException", "code": code, "error_subcode": sub}})
            .to_string()
    };
    // Every 190 subcode is a dead token, whatever the HTTP status.
    for sub in [
        None,
        Some(458),
        Some(459),
        Some(460),
        Some(463),
        Some(464),
        Some(467),
        Some(999),
    ] {
        for status in [400, 401, 403] {
            let e = instagram::classify(status, &h, body(190, sub, "x").as_bytes());
            assert!(
                matches!(e.kind, K::TokenInvalid(_)),
                "190/{sub:?} at {status}"
            );
        }
    }
    assert_eq!(
        instagram::classify(400, &h, body(190, Some(460), "pw").as_bytes()).kind,
        K::TokenInvalid(DisconnectReason::PasswordChanged)
    );
    // Throttling family, whatever the status.
    for code in [4, 17, 32, 613, 80002, 80001] {
        for status in [400, 403, 429] {
            let e = instagram::classify(status, &h, body(code, None, "limit").as_bytes());
            assert!(
                matches!(e.kind, K::RateLimited { .. }),
                "{code} at {status}"
            );
        }
    }
    // Permissions: 10 and 200-299.
    for code in [10, 200, 250, 299] {
        let e = instagram::classify(403, &h, body(code, None, "no").as_bytes());
        assert!(matches!(e.kind, K::PermissionMissing(_)), "{code}");
    }
    // Code 100 without subcode 33 is never "deleted".
    let e = instagram::classify(
        400,
        &h,
        body(100, None, "(#100) Invalid parameter").as_bytes(),
    );
    assert_eq!(e.kind, K::InvalidResponse);
    // A body that is not a Graph error.
    assert_eq!(instagram::classify(502, &h, b"<html>").kind, K::Unavailable);
}

// ----- TikTok ---------------------------------------------------------------------

#[test]
fn tiktok_video_list_pages_parse_seconds_and_millisecond_cursor() {
    let p1 = tiktok::parse_video_list(&fixture("tiktok/video_list_page1_has_more.json")).unwrap();
    assert_eq!(p1.posts.len(), 2);
    assert_eq!(p1.next.as_ref().unwrap().0, "1764090000000");
    let first = &p1.posts[0];
    assert_eq!(first.id.as_str(), "7441000000000000003");
    // create_time is seconds.
    assert_eq!(first.published_at.unwrap().timestamp(), 1_764_262_800);
    assert_eq!(first.title, None, "empty title is no title");
    assert_eq!(first.text, "unboxing the new drop 🔥 #BrandXLaunch #fyp");
    assert!(
        first
            .permalink
            .as_deref()
            .unwrap()
            .contains("/video/7441000000000000003")
    );
    let last = tiktok::parse_video_list(&fixture("tiktok/video_list_last_page.json")).unwrap();
    assert_eq!(last.posts.len(), 1);
    assert!(last.next.is_none(), "has_more false = end");
    let empty = tiktok::parse_video_list(&fixture("tiktok/video_list_empty.json")).unwrap();
    assert!(empty.posts.is_empty() && empty.next.is_none());
}

#[test]
fn tiktok_query_reports_absent_ids_missing() {
    let asked = [
        req("7441000000000000003"),
        req("7441000000000000002"),
        req("7441000000000000009"),
    ];
    let b = tiktok::parse_video_query(&fixture("tiktok/video_query_metrics_batch.json"), &asked)
        .unwrap();
    assert_eq!(b.readings.len(), 2);
    assert_eq!(b.readings[0].metrics.get(Metric::Views), Some(405_877));
    assert_eq!(b.readings[0].metrics.get(Metric::Likes), Some(20_502));
    assert_eq!(b.readings[0].metrics.get(Metric::Comments), Some(391));
    assert_eq!(b.readings[0].metrics.get(Metric::Shares), Some(960));
    assert_eq!(
        b.readings[0].metrics.get(Metric::Saves),
        None,
        "TikTok has no saves"
    );
    assert_eq!(b.missing, vec![PlatformPostId::from("7441000000000000009")]);
}

#[test]
fn tiktok_token_and_user_fixtures_parse() {
    for f in [
        "tiktok/oauth_token_exchange_success.json",
        "tiktok/oauth_token_refresh_success.json",
    ] {
        let v: serde_json::Value = serde_json::from_slice(&fixture(f)).unwrap();
        assert_eq!(v["expires_in"], 7200);
        assert!(v["refresh_token"].as_str().unwrap().starts_with("rft."));
    }
    let v: serde_json::Value =
        serde_json::from_slice(&fixture("tiktok/user_info_success.json")).unwrap();
    assert_eq!(v["data"]["user"]["display_name"], "Ana Creates");
    let body = fixture("tiktok/webhook_authorization_removed.json");
    let w: tiktok::webhook::WebhookEvent = serde_json::from_slice(&body).unwrap();
    let verifier = tiktok::webhook::WebhookVerifier::new(
        &socialsync_adapters::AppCredentials::new(w.client_key.clone(), "secret"),
    );
    let signed_at = socialsync_core::clock::Timestamp::from_timestamp(w.create_time, 0).unwrap();
    let verified = verifier
        .verify(Some(&verifier.sign(w.create_time, &body)), &body, signed_at)
        .unwrap();
    assert_eq!(verified.event, w);
    let removed = tiktok::webhook::removal(&verified).unwrap();
    assert_eq!(
        removed.open_id.as_str(),
        "-000AbCdEfGhIjKlMnOpQrStUvWxYz0123"
    );
    assert_eq!(
        removed.reason,
        tiktok::webhook::RemovalReason::UserDisconnected
    );
}

#[test]
fn tiktok_classify_every_error_fixture() {
    let h = HeaderMap::new();
    let cases: [(&str, u16, K); 6] = [
        (
            "error_access_token_invalid",
            401,
            K::TokenInvalid(DisconnectReason::TokenExpired),
        ),
        (
            "error_scope_not_authorized",
            401,
            K::PermissionMissing("video.list".into()),
        ),
        ("error_invalid_params", 400, K::InvalidResponse),
        (
            "error_rate_limit_exceeded",
            429,
            throttled(LimitReach::Minute),
        ),
        ("error_internal_error", 500, K::Unavailable),
        (
            "oauth_token_refresh_invalid_grant",
            400,
            K::TokenInvalid(DisconnectReason::RefreshRejected),
        ),
    ];
    for (name, status, kind) in cases {
        let e = tiktok::classify(status, &h, &fixture(&format!("tiktok/{name}.json")));
        assert_eq!(e.kind, kind, "{name}");
    }
    // A scope missing is a 401 that is not a dead token.
    let e = tiktok::classify(401, &h, &fixture("tiktok/error_scope_not_authorized.json"));
    assert!(!matches!(e.kind, K::TokenInvalid(_)));
    // The error code counts even on HTTP 200.
    let e = tiktok::classify(200, &h, &fixture("tiktok/error_access_token_invalid.json"));
    assert!(matches!(e.kind, K::TokenInvalid(_)));
    // Fields needing more scopes: a permission too.
    let e = tiktok::classify(
        400,
        &h,
        br#"{"data":{},"error":{"code":"scope_permission_missed","message":"m","log_id":"x"}}"#,
    );
    assert!(matches!(e.kind, K::PermissionMissing(_)));
    // invalid_client is the app's fault, never a disconnection.
    let e = tiktok::classify(
        400,
        &h,
        br#"{"error":"invalid_client","error_description":"x"}"#,
    );
    assert!(!matches!(e.kind, K::TokenInvalid(_)));
}

// ----- YouTube --------------------------------------------------------------------

#[test]
fn youtube_channels_parse_with_and_without_channel() {
    let c = youtube::parse_channels(&fixture("youtube/channels_list_mine_content_details.json"))
        .unwrap()
        .unwrap();
    assert_eq!(c.id, "UCa1b2c3d4e5f6g7h8i9j0kA");
    assert_eq!(c.uploads.as_deref(), Some("UUa1b2c3d4e5f6g7h8i9j0kA"));
    assert!(
        youtube::parse_channels(&fixture("youtube/channels_list_mine_no_channel.json"))
            .unwrap()
            .is_none()
    );
}

#[test]
fn youtube_playlist_items_use_video_published_at_not_playlist_add_time() {
    let p1 = youtube::parse_playlist_items(&fixture("youtube/playlist_items_uploads_page1.json"))
        .unwrap();
    assert_eq!(p1.next_page_token.as_deref(), Some("EAAaBlBUOkNBSQ"));
    assert_eq!(p1.posts.len(), 2);
    let second = &p1.posts[1];
    assert_eq!(second.id.as_str(), "Rt7uV1wZ0cD");
    // snippet.publishedAt is 2026-11-20T08:12:45Z (added); the video went public later.
    assert_eq!(
        second.published_at.unwrap().to_rfc3339(),
        "2026-11-21T15:00:00+00:00"
    );
    assert_eq!(
        second.permalink.as_deref(),
        Some("https://www.youtube.com/watch?v=Rt7uV1wZ0cD")
    );
    assert_eq!(
        p1.posts[0].title.as_deref(),
        Some("Unboxing the new drop #BrandXLaunch")
    );
    let last =
        youtube::parse_playlist_items(&fixture("youtube/playlist_items_uploads_last_page.json"))
            .unwrap();
    assert!(last.next_page_token.is_none(), "only prevPageToken = end");
    assert_eq!(last.posts.len(), 1);
}

#[test]
fn youtube_not_public_uploads_have_no_publish_time() {
    let body = serde_json::json!({"items": [
        {"snippet": {"title": "soon", "description": ""},
         "contentDetails": {"videoId": "Sch3duled01"},
         "status": {"privacyStatus": "private"}},
        {"snippet": {"title": "private", "description": ""},
         "contentDetails": {"videoId": "Pr1vate0001", "videoPublishedAt": "2026-11-01T00:00:00Z"},
         "status": {"privacyStatus": "private"}}
    ]});
    let p = youtube::parse_playlist_items(body.to_string().as_bytes()).unwrap();
    assert_eq!(p.posts.len(), 2);
    assert!(p.posts.iter().all(|p| p.published_at.is_none()));
}

#[test]
fn youtube_statistics_are_strings_missing_ids_missing_hidden_counts_absent() {
    let asked = [req("Xk3mP9qL2aB"), req("Rt7uV1wZ0cD"), req("Hn5jK8sE4fG")];
    let b = youtube::parse_videos_statistics(
        &fixture("youtube/videos_list_statistics_batch.json"),
        &asked,
    )
    .unwrap();
    assert_eq!(b.readings.len(), 2);
    let first = &b.readings[0].metrics;
    assert_eq!(first.get(Metric::Views), Some(48_211));
    assert_eq!(first.get(Metric::Likes), Some(3_120));
    assert_eq!(first.get(Metric::Comments), Some(288));
    assert_eq!(first.get(Metric::Dislikes), Some(41));
    assert_eq!(first.get(Metric::Shares), None, "no shares in the Data API");
    let second = &b.readings[1].metrics;
    assert_eq!(b.readings[1].id.as_str(), "Hn5jK8sE4fG");
    assert_eq!(second.get(Metric::Comments), None, "comments off = absent");
    assert_eq!(b.missing, vec![PlatformPostId::from("Rt7uV1wZ0cD")]);
    // The newer batchGetStats answer has the same statistics shape.
    let stats = youtube::parse_videos_statistics(
        &fixture("youtube/videos_batch_get_stats.json"),
        &[req("Xk3mP9qL2aB"), req("Hn5jK8sE4fG")],
    )
    .unwrap();
    assert_eq!(stats.readings[1].metrics.get(Metric::Views), Some(120_533));
    assert_eq!(stats.readings[1].metrics.get(Metric::Comments), None);
}

#[test]
fn youtube_token_fixtures_parse() {
    let v: serde_json::Value =
        serde_json::from_slice(&fixture("youtube/oauth_token_refresh_success.json")).unwrap();
    assert!(v.get("refresh_token").is_none());
    assert!(youtube::parse_time("2019-11-21T22:17:43.000Z").is_some());
    assert!(youtube::parse_time("2019-11-21T22:17:43Z").is_some());
}

#[test]
fn youtube_classify_every_error_fixture_and_splits_403_by_reason() {
    let h = HeaderMap::new();
    let cases: [(&str, u16, K); 7] = [
        (
            "error_auth_invalid_credentials_401",
            401,
            K::TokenInvalid(DisconnectReason::TokenExpired),
        ),
        (
            "error_insufficient_scopes_403",
            403,
            K::PermissionMissing("youtube.readonly".into()),
        ),
        (
            "error_quota_exceeded_403",
            403,
            throttled(LimitReach::DailyQuota),
        ),
        ("error_too_many_ids_400", 400, K::InvalidResponse),
        ("error_playlist_not_found_404", 404, K::NotFound),
        ("error_backend_503", 503, K::Unavailable),
        (
            "oauth_token_refresh_invalid_grant",
            400,
            K::TokenInvalid(DisconnectReason::RefreshRejected),
        ),
    ];
    for (name, status, kind) in cases {
        let e = youtube::classify(status, &h, &fixture(&format!("youtube/{name}.json")));
        assert_eq!(e.kind, kind, "{name}");
    }
    let body = |reason: &str| {
        serde_json::json!({"error": {"code": 403, "message": "m", "errors": [{"reason": reason, "domain": "d", "message": "m"}]}})
            .to_string()
    };
    assert!(matches!(
        youtube::classify(403, &h, body("rateLimitExceeded").as_bytes()).kind,
        K::RateLimited { .. }
    ));
    assert_eq!(
        youtube::classify(
            403,
            &h,
            body("authenticatedUserAccountSuspended").as_bytes()
        )
        .kind,
        K::TokenInvalid(DisconnectReason::AccountUnavailable)
    );
    assert!(matches!(
        youtube::classify(429, &h, body("rateLimitExceeded").as_bytes()).kind,
        K::RateLimited { .. }
    ));
}
