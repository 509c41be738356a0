//! Every kind of sandbox answer has exactly its fixture's shape (same
//! fields, same JSON types, recursively), so the sandbox cannot drift away
//! from the platforms.

use crate::common::*;
use chrono::TimeDelta;
use serde_json::json;
use socialsync_sandbox::{
    AccountSpec, Endpoint, Fault, FaultKind, PostSpec, ProductType, RateLimits, RevokeReason,
    scopes,
};

// ---------------------------------------------------------------- Instagram

#[tokio::test]
async fn instagram_media_list_pages_have_the_fixture_shapes() {
    let w = world().await;
    let token = w.ig_grant.access_token.as_str();
    let first = w
        .env
        .get(
            "/v25.0/me/media",
            &[
                ("access_token", token),
                ("fields", IG_LIST_FIELDS),
                ("limit", "3"),
            ],
        )
        .await;
    assert_eq!(first.status, 200);
    assert_same_shape("instagram/media_list_page1_with_next.json", &first.json);
    let buc = first
        .header_json("x-business-use-case-usage")
        .expect("BUC header");
    assert_eq!(
        buc,
        json!({IG_USER: buc[IG_USER].clone()}),
        "one business object, the account"
    );
    let expected = &fixture("instagram/headers_x_business_use_case_usage.json")["ok"];
    crate::common::assert_same_shape_value(expected, &buc);

    let after = first.json["paging"]["cursors"]["after"].as_str().unwrap();
    let last = w
        .env
        .get(
            "/v25.0/me/media",
            &[
                ("access_token", token),
                ("fields", IG_LIST_FIELDS),
                ("limit", "3"),
                ("after", after),
            ],
        )
        .await;
    assert_eq!(last.status, 200);
    assert_same_shape("instagram/media_list_last_page.json", &last.json);
}

#[tokio::test]
async fn instagram_empty_media_list_has_the_fixture_shape() {
    let w = world().await;
    let empty = w
        .env
        .sandbox
        .add_account(AccountSpec::instagram("quiet"))
        .unwrap();
    let grant = w.env.sandbox.issue_tokens(&empty).unwrap();
    let a = w
        .env
        .get(
            "/v25.0/me/media",
            &[
                ("access_token", &grant.access_token),
                ("fields", IG_LIST_FIELDS),
            ],
        )
        .await;
    assert_eq!(a.status, 200);
    assert_same_shape("instagram/media_list_empty.json", &a.json);
}

#[tokio::test]
async fn instagram_media_node_has_the_fixture_shape() {
    let w = world().await;
    let a = w
        .env
        .get(
            "/v25.0/18040000000000004",
            &[
                ("access_token", &w.ig_grant.access_token),
                (
                    "fields",
                    "id,like_count,comments_count,media_product_type,timestamp",
                ),
            ],
        )
        .await;
    assert_eq!(a.status, 200);
    assert_same_shape("instagram/media_node_counters.json", &a.json);
}

#[tokio::test]
async fn instagram_insights_have_the_fixture_shapes() {
    let w = world().await;
    let token = w.ig_grant.access_token.as_str();
    let feed = w
        .env
        .get(
            "/v25.0/18040000000000004/insights",
            &[
                ("access_token", token),
                (
                    "metric",
                    "views,reach,likes,comments,shares,saved,total_interactions",
                ),
            ],
        )
        .await;
    assert_eq!(feed.status, 200);
    assert_same_shape("instagram/media_insights_feed.json", &feed.json);
    let reel = w
        .env
        .get(
            "/v25.0/18040000000000005/insights",
            &[
                ("access_token", token),
                (
                    "metric",
                    "views,reach,likes,comments,shares,saved,total_interactions,ig_reels_avg_watch_time,ig_reels_video_view_total_time",
                ),
            ],
        )
        .await;
    assert_eq!(reel.status, 200);
    assert_same_shape("instagram/media_insights_reel.json", &reel.json);
}

#[tokio::test]
async fn instagram_insights_not_available_yet_are_an_empty_data_array() {
    let w = world().await;
    let now = w.env.sandbox.now();
    w.env
        .sandbox
        .add_post(
            &w.ig,
            PostSpec::new(now - TimeDelta::hours(2))
                .with_id("18040000000000077")
                .with_insights_delay(TimeDelta::hours(48)),
        )
        .unwrap();
    let a = w
        .env
        .get(
            "/v25.0/18040000000000077/insights",
            &[
                ("access_token", &w.ig_grant.access_token),
                ("metric", "reach,likes"),
            ],
        )
        .await;
    assert_eq!(a.status, 200);
    assert_same_shape("instagram/media_insights_unavailable_empty.json", &a.json);
    w.env.advance(TimeDelta::hours(47));
    let later = w
        .env
        .get(
            "/v25.0/18040000000000077/insights",
            &[
                ("access_token", &w.ig_grant.access_token),
                ("metric", "reach,likes"),
            ],
        )
        .await;
    assert_eq!(later.json["data"].as_array().map(Vec::len), Some(2));
}

#[tokio::test]
async fn instagram_token_answers_have_the_fixture_shapes() {
    let w = world().await;
    let code = w.env.sandbox.authorization_code(&w.ig).unwrap();
    let short = w
        .env
        .post_form(
            "/oauth/access_token",
            &[
                ("client_id", "123"),
                ("client_secret", "s"),
                ("grant_type", "authorization_code"),
                ("redirect_uri", "https://example.invalid/cb"),
                ("code", &format!("{code}#_")),
            ],
        )
        .await;
    assert_eq!(short.status, 200, "{}", short.text);
    let short_token = short.json["data"][0]["access_token"].as_str().unwrap();
    let long = w
        .env
        .get(
            "/access_token",
            &[
                ("grant_type", "ig_exchange_token"),
                ("client_secret", "s"),
                ("access_token", short_token),
            ],
        )
        .await;
    assert_eq!(long.status, 200);
    assert_same_shape(
        "instagram/token_exchange_long_lived_success.json",
        &long.json,
    );
    w.env.advance(TimeDelta::hours(25));
    let refreshed = w
        .env
        .get(
            "/refresh_access_token",
            &[
                ("grant_type", "ig_refresh_token"),
                ("access_token", long.json["access_token"].as_str().unwrap()),
            ],
        )
        .await;
    assert_eq!(refreshed.status, 200);
    assert_same_shape("instagram/token_refresh_success.json", &refreshed.json);
}

async fn ig_error(w: &World, token: &str) -> Answer {
    w.env
        .get(
            "/v25.0/me/media",
            &[("access_token", token), ("fields", IG_LIST_FIELDS)],
        )
        .await
}

#[tokio::test]
async fn instagram_token_errors_have_the_fixture_shapes() {
    let w = world().await;
    let garbage = ig_error(&w, "not-a-token").await;
    assert_eq!(garbage.status, 400);
    assert_same_shape("instagram/error_invalid_token_190.json", &garbage.json);
    assert!(garbage.headers.contains_key("www-authenticate"));

    w.env.advance(TimeDelta::days(61));
    let expired = ig_error(&w, &w.ig_grant.access_token).await;
    assert_eq!(expired.status, 400);
    assert_same_shape("instagram/error_token_expired_190_463.json", &expired.json);
    assert_eq!(expired.json["error"]["error_subcode"], 463);

    let fresh = w.env.sandbox.issue_tokens(&w.ig).unwrap();
    w.env
        .sandbox
        .revoke(&w.ig, RevokeReason::AppRemoved)
        .unwrap();
    let removed = ig_error(&w, &fresh.access_token).await;
    assert_eq!(removed.status, 400);
    assert_same_shape("instagram/error_app_removed_190_458.json", &removed.json);
    assert_eq!(removed.json["error"]["error_subcode"], 458);
}

#[tokio::test]
async fn instagram_permission_and_not_found_errors_have_the_fixture_shapes() {
    let w = world().await;
    let token = w.ig_grant.access_token.as_str();
    let gone = w
        .env
        .get(
            "/v25.0/18040000000000009",
            &[("access_token", token), ("fields", "id")],
        )
        .await;
    assert_eq!(gone.status, 400);
    assert_same_shape("instagram/error_not_found_100_33.json", &gone.json);

    w.env
        .sandbox
        .remove_scope(&w.ig, scopes::INSTAGRAM_INSIGHTS)
        .unwrap();
    let denied = w
        .env
        .get(
            "/v25.0/18040000000000004/insights",
            &[("access_token", token), ("metric", "reach")],
        )
        .await;
    assert_eq!(denied.status, 400);
    assert_same_shape("instagram/error_permission_missing_10.json", &denied.json);
}

#[tokio::test]
async fn instagram_unsupported_metric_error_has_the_fixture_shape() {
    let w = world().await;
    w.env
        .sandbox
        .deprecate_metric("views", Some(ProductType::Feed));
    let a = w
        .env
        .get(
            "/v25.0/18040000000000004/insights",
            &[
                ("access_token", &w.ig_grant.access_token),
                ("metric", "reach,views"),
            ],
        )
        .await;
    assert_eq!(a.status, 400);
    assert_same_shape(
        "instagram/error_insights_metric_unsupported_100.json",
        &a.json,
    );
}

#[tokio::test]
async fn instagram_throttling_errors_and_headers_have_the_fixture_shapes() {
    let limits = RateLimits {
        instagram_app_calls_per_hour: Some(2),
        ..RateLimits::default()
    };
    let w = world_with(limits).await;
    let quiet = w
        .env
        .sandbox
        .add_account(AccountSpec::instagram("small").with_instagram_calls_per_day(1))
        .unwrap();
    let small = w.env.sandbox.issue_tokens(&quiet).unwrap();
    let ok = ig_error(&w, &small.access_token).await;
    assert_eq!(ok.status, 200);
    let app_usage = ok.header_json("x-app-usage").expect("X-App-Usage");
    crate::common::assert_same_shape_value(
        &fixture("instagram/headers_x_app_usage.json"),
        &app_usage,
    );
    let user = ig_error(&w, &small.access_token).await;
    assert_eq!(user.status, 400);
    assert_same_shape("instagram/error_rate_limit_user_17.json", &user.json);
    let buc = user.header_json("x-business-use-case-usage").unwrap();
    let throttled = &fixture("instagram/headers_x_business_use_case_usage.json")["throttled"];
    let mut renamed = serde_json::Map::new();
    renamed.insert(quiet.id.clone(), throttled[IG_USER].clone());
    crate::common::assert_same_shape_value(&serde_json::Value::Object(renamed), &buc);

    let app = ig_error(&w, &w.ig_grant.access_token).await;
    assert_eq!(app.status, 403);
    assert_same_shape("instagram/error_rate_limit_app_4.json", &app.json);
}

#[tokio::test]
async fn instagram_server_error_has_the_fixture_shape() {
    let w = world().await;
    w.env.sandbox.add_fault(
        Fault::on(
            Endpoint::InstagramMediaList,
            FaultKind::ServerError { status: 500 },
        )
        .times(1),
    );
    let a = ig_error(&w, &w.ig_grant.access_token).await;
    assert_eq!(a.status, 500);
    assert_same_shape("instagram/error_transient_2.json", &a.json);
}

// ---------------------------------------------------------------- TikTok

#[tokio::test]
async fn tiktok_video_list_pages_have_the_fixture_shapes() {
    let w = world().await;
    let token = w.tt_grant.access_token.as_str();
    let first = w
        .env
        .post_json(
            "/v2/video/list/",
            token,
            &[("fields", TT_LIST_FIELDS)],
            &json!({"max_count": 2}),
        )
        .await;
    assert_eq!(first.status, 200, "{}", first.text);
    assert_same_shape("tiktok/video_list_page1_has_more.json", &first.json);
    let cursor = first.json["data"]["cursor"].clone();
    assert_eq!(
        cursor,
        json!(1_764_090_000_000i64),
        "cursor is the last video's time in ms"
    );
    let last = w
        .env
        .post_json(
            "/v2/video/list/",
            token,
            &[("fields", TT_LIST_FIELDS)],
            &json!({"max_count": 2, "cursor": cursor}),
        )
        .await;
    assert_eq!(last.status, 200);
    assert_same_shape("tiktok/video_list_last_page.json", &last.json);
}

#[tokio::test]
async fn tiktok_empty_list_user_info_and_query_have_the_fixture_shapes() {
    let w = world().await;
    let none = w
        .env
        .sandbox
        .add_account(AccountSpec::tiktok("quiet", "Quiet"))
        .unwrap();
    let grant = w.env.sandbox.issue_tokens(&none).unwrap();
    let empty = w
        .env
        .post_json(
            "/v2/video/list/",
            &grant.access_token,
            &[("fields", TT_LIST_FIELDS)],
            &json!({}),
        )
        .await;
    assert_same_shape("tiktok/video_list_empty.json", &empty.json);

    let token = w.tt_grant.access_token.as_str();
    let info = w
        .env
        .get_bearer(
            "/v2/user/info/",
            token,
            &[("fields", "open_id,union_id,avatar_url,display_name")],
        )
        .await;
    assert_eq!(info.status, 200);
    assert_same_shape("tiktok/user_info_success.json", &info.json);

    let query = w
        .env
        .post_json(
            "/v2/video/query/",
            token,
            &[("fields", TT_QUERY_FIELDS)],
            &json!({"filters": {"video_ids": ["7441000000000000003", "7441000000000000002", "7441000000000000009"]}}),
        )
        .await;
    assert_eq!(query.status, 200);
    assert_same_shape("tiktok/video_query_metrics_batch.json", &query.json);
}

#[tokio::test]
async fn tiktok_oauth_answers_have_the_fixture_shapes() {
    let w = world().await;
    let code = w.env.sandbox.authorization_code(&w.tt).unwrap();
    let exchange = w
        .env
        .post_form(
            "/v2/oauth/token/",
            &[
                ("client_key", "key"),
                ("client_secret", "secret"),
                ("code", &code),
                ("grant_type", "authorization_code"),
                ("redirect_uri", "https://example.invalid/cb"),
            ],
        )
        .await;
    assert_eq!(exchange.status, 200, "{}", exchange.text);
    assert_same_shape("tiktok/oauth_token_exchange_success.json", &exchange.json);
    let refresh_token = exchange.json["refresh_token"].as_str().unwrap().to_owned();
    let form = [
        ("client_key", "key"),
        ("client_secret", "secret"),
        ("grant_type", "refresh_token"),
        ("refresh_token", refresh_token.as_str()),
    ];
    let refreshed = w.env.post_form("/v2/oauth/token/", &form).await;
    assert_eq!(refreshed.status, 200);
    assert_same_shape("tiktok/oauth_token_refresh_success.json", &refreshed.json);
    let again = w.env.post_form("/v2/oauth/token/", &form).await;
    assert_eq!(again.status, 400);
    assert_same_shape("tiktok/oauth_token_refresh_invalid_grant.json", &again.json);
}

#[tokio::test]
async fn tiktok_errors_have_the_fixture_shapes() {
    let limits = RateLimits {
        tiktok_requests_per_minute: 1,
        ..RateLimits::default()
    };
    let w = world_with(limits).await;
    let token = w.tt_grant.access_token.as_str();
    let q = |ids: Vec<String>| json!({"filters": {"video_ids": ids}});
    let too_many = w
        .env
        .post_json(
            "/v2/video/query/",
            token,
            &[("fields", TT_QUERY_FIELDS)],
            &q((0..21)
                .map(|i| format!("74410000000000001{i:02}"))
                .collect()),
        )
        .await;
    assert_eq!(too_many.status, 400);
    assert_same_shape("tiktok/error_invalid_params.json", &too_many.json);
    let limited = w
        .env
        .post_json(
            "/v2/video/query/",
            token,
            &[("fields", TT_QUERY_FIELDS)],
            &q(vec![]),
        )
        .await;
    assert_eq!(limited.status, 429);
    assert_same_shape("tiktok/error_rate_limit_exceeded.json", &limited.json);

    let invalid = w
        .env
        .post_json(
            "/v2/video/list/",
            "act.nope",
            &[("fields", TT_LIST_FIELDS)],
            &json!({}),
        )
        .await;
    assert_eq!(invalid.status, 401);
    assert_same_shape("tiktok/error_access_token_invalid.json", &invalid.json);

    w.env
        .sandbox
        .remove_scope(&w.tt, scopes::TIKTOK_USER_INFO)
        .unwrap();
    let scope = w
        .env
        .get_bearer("/v2/user/info/", token, &[("fields", "open_id")])
        .await;
    assert_eq!(scope.status, 401);
    assert_same_shape("tiktok/error_scope_not_authorized.json", &scope.json);

    w.env.sandbox.add_fault(
        Fault::on(
            Endpoint::TikTokVideoList,
            FaultKind::ServerError { status: 500 },
        )
        .times(1),
    );
    let internal = w
        .env
        .post_json(
            "/v2/video/list/",
            token,
            &[("fields", TT_LIST_FIELDS)],
            &json!({}),
        )
        .await;
    assert_eq!(internal.status, 500);
    assert_same_shape("tiktok/error_internal_error.json", &internal.json);
}

// ---------------------------------------------------------------- YouTube

#[tokio::test]
async fn youtube_channels_have_the_fixture_shapes() {
    let w = world().await;
    let mine = w
        .env
        .get_bearer(
            "/youtube/v3/channels",
            &w.yt_grant.access_token,
            &[("part", "contentDetails"), ("mine", "true")],
        )
        .await;
    assert_eq!(mine.status, 200);
    assert_same_shape(
        "youtube/channels_list_mine_content_details.json",
        &mine.json,
    );
    assert_eq!(
        mine.json["items"][0]["contentDetails"]["relatedPlaylists"]["uploads"],
        YT_UPLOADS
    );

    let none = w
        .env
        .sandbox
        .add_account(AccountSpec::youtube("nochannel", "No Channel").without_channel())
        .unwrap();
    let grant = w.env.sandbox.issue_tokens(&none).unwrap();
    let empty = w
        .env
        .get_bearer(
            "/youtube/v3/channels",
            &grant.access_token,
            &[("part", "contentDetails"), ("mine", "true")],
        )
        .await;
    assert_same_shape("youtube/channels_list_mine_no_channel.json", &empty.json);
}

#[tokio::test]
async fn youtube_playlist_pages_have_the_fixture_shapes() {
    let w = world().await;
    let token = w.yt_grant.access_token.as_str();
    let base = [
        ("part", "snippet,contentDetails"),
        ("playlistId", YT_UPLOADS),
        ("maxResults", "2"),
    ];
    let first = w
        .env
        .get_bearer("/youtube/v3/playlistItems", token, &base)
        .await;
    assert_eq!(first.status, 200);
    assert_same_shape("youtube/playlist_items_uploads_page1.json", &first.json);
    let next = first.json["nextPageToken"].as_str().unwrap().to_owned();
    let mut q = base.to_vec();
    q.push(("pageToken", &next));
    let last = w
        .env
        .get_bearer("/youtube/v3/playlistItems", token, &q)
        .await;
    assert_eq!(last.status, 200);
    assert_same_shape("youtube/playlist_items_uploads_last_page.json", &last.json);
}

#[tokio::test]
async fn youtube_video_statistics_have_the_fixture_shapes() {
    let w = world().await;
    let token = w.yt_grant.access_token.as_str();
    w.env
        .sandbox
        .delete_post(&socialsync_sandbox::PostRef {
            platform: w.yt.platform,
            id: "Rt7uV1wZ0cD".into(),
        })
        .unwrap();
    let list = w
        .env
        .get_bearer(
            "/youtube/v3/videos",
            token,
            &[
                ("part", "snippet,statistics,status"),
                ("id", "Xk3mP9qL2aB,Rt7uV1wZ0cD,Hn5jK8sE4fG"),
            ],
        )
        .await;
    assert_eq!(list.status, 200);
    assert_same_shape("youtube/videos_list_statistics_batch.json", &list.json);
    let stats = w
        .env
        .get_bearer(
            "/youtube/v3/videos:batchGetStats",
            token,
            &[
                ("part", "snippet,statistics,contentDetails"),
                ("id", "Xk3mP9qL2aB,Hn5jK8sE4fG"),
            ],
        )
        .await;
    assert_eq!(stats.status, 200);
    assert_same_shape("youtube/videos_batch_get_stats.json", &stats.json);
}

#[tokio::test]
async fn google_token_answers_have_the_fixture_shapes() {
    let w = world().await;
    let refresh = w.yt_grant.refresh_token.clone().unwrap();
    let form = [
        ("client_id", "id"),
        ("client_secret", "secret"),
        ("refresh_token", refresh.as_str()),
        ("grant_type", "refresh_token"),
    ];
    let ok = w.env.post_form("/token", &form).await;
    assert_eq!(ok.status, 200);
    assert_same_shape("youtube/oauth_token_refresh_success.json", &ok.json);
    w.env
        .sandbox
        .revoke(&w.yt, RevokeReason::AppRemoved)
        .unwrap();
    let refused = w.env.post_form("/token", &form).await;
    assert_eq!(refused.status, 400);
    assert_same_shape(
        "youtube/oauth_token_refresh_invalid_grant.json",
        &refused.json,
    );
}

#[tokio::test]
async fn youtube_errors_have_the_fixture_shapes() {
    let limits = RateLimits {
        youtube_daily_units: 5,
        ..RateLimits::default()
    };
    let w = world_with(limits).await;
    let token = w.yt_grant.access_token.as_str();
    let ids: Vec<String> = (0..51).map(|i| format!("vid{i:08}")).collect();
    let joined = ids.join(",");
    let too_many = w
        .env
        .get_bearer(
            "/youtube/v3/videos",
            token,
            &[("part", "statistics"), ("id", &joined)],
        )
        .await;
    assert_eq!(too_many.status, 400);
    assert_same_shape("youtube/error_too_many_ids_400.json", &too_many.json);

    let missing = w
        .env
        .get_bearer(
            "/youtube/v3/playlistItems",
            token,
            &[("part", "snippet"), ("playlistId", "UUnope")],
        )
        .await;
    assert_eq!(missing.status, 404);
    assert_same_shape("youtube/error_playlist_not_found_404.json", &missing.json);

    let unauth = w
        .env
        .get_bearer(
            "/youtube/v3/videos",
            "ya29.nope",
            &[("part", "statistics"), ("id", "x")],
        )
        .await;
    assert_eq!(unauth.status, 401);
    assert_same_shape(
        "youtube/error_auth_invalid_credentials_401.json",
        &unauth.json,
    );

    w.env.sandbox.add_fault(
        Fault::on(
            Endpoint::YouTubeVideos,
            FaultKind::ServerError { status: 503 },
        )
        .times(1),
    );
    let backend = w
        .env
        .get_bearer(
            "/youtube/v3/videos",
            token,
            &[("part", "statistics"), ("id", "x")],
        )
        .await;
    assert_eq!(backend.status, 503);
    assert_same_shape("youtube/error_backend_503.json", &backend.json);

    w.env
        .sandbox
        .remove_scope(&w.yt, scopes::YOUTUBE_READONLY)
        .unwrap();
    let scope = w
        .env
        .get_bearer(
            "/youtube/v3/videos",
            token,
            &[("part", "statistics"), ("id", "x")],
        )
        .await;
    assert_eq!(scope.status, 403);
    assert_same_shape("youtube/error_insufficient_scopes_403.json", &scope.json);

    // Four units used so far (the fault answered before charging); one left.
    let last_unit = w
        .env
        .get_bearer(
            "/youtube/v3/videos",
            token,
            &[("part", "statistics"), ("id", "x")],
        )
        .await;
    assert_eq!(last_unit.status, 403, "scope still missing");
    let quota = w
        .env
        .get_bearer(
            "/youtube/v3/videos",
            token,
            &[("part", "statistics"), ("id", "x")],
        )
        .await;
    assert_eq!(quota.status, 403);
    assert_same_shape("youtube/error_quota_exceeded_403.json", &quota.json);
}

// ---------------------------------------------------- Facebook-Login flavour

async fn facebook_world() -> (Env, String) {
    let env = Env::start("2026-11-28T12:42:07Z", RateLimits::default()).await;
    let account = env
        .sandbox
        .add_account(
            AccountSpec::instagram("ana.creates")
                .with_id(IG_USER)
                .with_facebook_login(),
        )
        .unwrap();
    env.sandbox
        .add_post(
            &account,
            PostSpec::new(ts("2026-11-25T09:15:02Z")).with_id("18040000000000004"),
        )
        .unwrap();
    let token = env.sandbox.issue_tokens(&account).unwrap().access_token;
    (env, token)
}

#[tokio::test]
async fn graph_facebook_not_found_has_the_fixture_shape() {
    let (env, token) = facebook_world().await;
    let a = env
        .get(
            "/v25.0/18040000000000009",
            &[("access_token", token.as_str()), ("fields", "id")],
        )
        .await;
    assert_eq!(a.status, 400);
    assert_same_shape(
        "instagram/error_not_found_100_33_graph_facebook.json",
        &a.json,
    );
    assert_eq!(a.json["error"]["type"], "GraphMethodException");
}

#[tokio::test]
async fn graph_batch_has_the_fixture_shape_down_to_the_inner_bodies() {
    let (env, token) = facebook_world().await;
    let batch = json!([
        {"method": "GET", "relative_url": "18040000000000004/insights?metric=reach"},
        {"method": "GET", "relative_url": "18040000000000009/insights?metric=reach"},
    ])
    .to_string();
    let r = env
        .http
        .post(env.url("/v25.0/"))
        .form(&[("batch", batch.as_str()), ("access_token", token.as_str())])
        .send()
        .await
        .unwrap();
    let a = Answer::read(r).await;
    assert_eq!(a.status, 200, "{}", a.text);
    assert_same_shape("instagram/graph_batch_insights_mixed.json", &a.json);
    let expected = fixture("instagram/graph_batch_insights_mixed.json");
    for i in 0..2 {
        let inner = |v: &serde_json::Value| -> serde_json::Value {
            serde_json::from_str(v[i]["body"].as_str().unwrap()).unwrap()
        };
        crate::common::assert_same_shape_value(&inner(&expected), &inner(&a.json));
    }
    assert_eq!(a.json[0]["code"], 200);
    assert_eq!(a.json[1]["code"], 400);
    assert_eq!(
        env.sandbox.request_count(Endpoint::InstagramInsights),
        2,
        "each sub-request counts as a call"
    );
    assert_eq!(env.sandbox.request_count(Endpoint::InstagramBatch), 1);
}

// ---------------------------------------------------------------- Webhooks

#[tokio::test]
async fn tiktok_webhook_has_the_fixture_shape_and_a_verifiable_signature() {
    use hmac::{Hmac, Mac};
    let clock = std::sync::Arc::new(socialsync_core::clock::ManualClock::at(ts(
        "2026-11-28T12:42:07Z",
    )));
    let sandbox = socialsync_sandbox::Sandbox::builder()
        .clock(clock)
        .app_credentials(
            socialsync_core::platform::Platform::TikTok,
            socialsync_sandbox::AppCredentials::new("awfakeclientkey01", "shh"),
        )
        .build();
    let ana = sandbox
        .add_account(AccountSpec::tiktok("ana.creates", "Ana").with_id(TT_OPEN_ID))
        .unwrap();
    let grant = sandbox.issue_tokens(&ana).unwrap();
    let hook = sandbox.tiktok_authorization_removed(&ana, 1).unwrap();
    let body: serde_json::Value = serde_json::from_str(&hook.body).unwrap();
    crate::common::assert_same_shape_value(
        &fixture("tiktok/webhook_authorization_removed.json"),
        &body,
    );
    assert_eq!(body["user_openid"], TT_OPEN_ID);
    assert_eq!(body["client_key"], "awfakeclientkey01");
    let (t, s) = hook
        .signature
        .split_once(',')
        .map(|(t, s)| (t.trim_start_matches("t="), s.trim_start_matches("s=")))
        .unwrap();
    assert_eq!(t, body["create_time"].to_string());
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(b"shh").unwrap();
    mac.update(format!("{t}.{}", hook.body).as_bytes());
    let hex: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(s, hex);
    // The token is already revoked when the webhook arrives.
    let running = sandbox.start().await.unwrap();
    let r = reqwest::Client::new()
        .post(format!("{}/v2/video/list/?fields=id", running.base_url()))
        .bearer_auth(&grant.access_token)
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 401);
}
