//! TikTok behaviour: cursor paging, batches of 20, silent omissions,
//! rotation, expiry and revocation, scopes and the per-endpoint limit.

use crate::common::*;
use chrono::TimeDelta;
use serde_json::{Value, json};
use socialsync_core::platform::Platform;
use socialsync_sandbox::{
    AccountSpec, Curve, Endpoint, Metric, PostRef, PostSpec, RateLimits, RevokeReason, Visibility,
    scopes,
};

fn video_ids(a: &Answer) -> Vec<String> {
    a.json["data"]["videos"]
        .as_array()
        .map(|v| {
            v.iter()
                .filter_map(|x| x["id"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

fn post(id: &str) -> PostRef {
    PostRef {
        platform: Platform::TikTok,
        id: id.to_owned(),
    }
}

async fn list(w: &World, token: &str, body: Value) -> Answer {
    w.env
        .post_json(
            "/v2/video/list/",
            token,
            &[("fields", TT_LIST_FIELDS)],
            &body,
        )
        .await
}

async fn query(w: &World, token: &str, ids: &[String]) -> Answer {
    w.env
        .post_json(
            "/v2/video/query/",
            token,
            &[("fields", TT_QUERY_FIELDS)],
            &json!({"filters": {"video_ids": ids}}),
        )
        .await
}

#[tokio::test]
async fn video_list_pages_by_millisecond_cursor_until_has_more_is_false() {
    let w = world().await;
    let start = ts("2026-11-01T00:00:00Z");
    let extra = w
        .env
        .sandbox
        .add_generated_posts(&w.tt, 7, start, TimeDelta::hours(5), &["#BrandX"])
        .unwrap();
    assert_eq!(extra.len(), 7);
    let token = w.tt_grant.access_token.as_str();
    let mut seen = Vec::new();
    let mut cursor: Option<i64> = None;
    let mut calls = 0;
    loop {
        let body = match cursor {
            Some(c) => json!({"max_count": 4, "cursor": c}),
            None => json!({"max_count": 4}),
        };
        let page = list(&w, token, body).await;
        assert_eq!(page.status, 200, "{}", page.text);
        calls += 1;
        let data = &page.json["data"];
        let videos = data["videos"].as_array().unwrap();
        if let Some(last) = videos.last() {
            let create_time = last["create_time"].as_i64().unwrap();
            assert_eq!(
                data["cursor"].as_i64().unwrap(),
                create_time * 1000,
                "s vs ms"
            );
        }
        seen.extend(video_ids(&page));
        if data["has_more"] == false {
            break;
        }
        cursor = data["cursor"].as_i64();
    }
    assert_eq!(calls, 3);
    assert_eq!(seen.len(), 10);
    for id in &seen {
        let q = query(&w, token, std::slice::from_ref(id)).await;
        assert_eq!(video_ids(&q), std::slice::from_ref(id));
    }
    let unique: std::collections::BTreeSet<_> = seen.iter().collect();
    assert_eq!(unique.len(), 10, "no video twice");
    // Newest first: the fixture's three (from 2025) come after the generated ones.
    assert_eq!(
        seen[7..],
        [
            "7441000000000000003",
            "7441000000000000002",
            "7441000000000000001"
        ]
    );
}

#[tokio::test]
async fn a_cursor_you_choose_lists_videos_before_it() {
    let w = world().await;
    let token = w.tt_grant.access_token.as_str();
    // One millisecond after video 002 was created.
    let a = list(&w, token, json!({"cursor": 1_764_090_000_001i64})).await;
    assert_eq!(
        video_ids(&a),
        ["7441000000000000002", "7441000000000000001"]
    );
    let none = list(&w, token, json!({"cursor": 1_000i64})).await;
    assert_eq!(none.json["data"]["has_more"], false);
    assert_eq!(none.json["data"]["videos"], json!([]));
}

#[tokio::test]
async fn video_query_leaves_out_deleted_private_foreign_and_unknown_ids() {
    let w = world().await;
    let other = w
        .env
        .sandbox
        .add_account(AccountSpec::tiktok("bo", "Bo"))
        .unwrap();
    let foreign = w
        .env
        .sandbox
        .add_post(&other, PostSpec::new(ts("2026-11-20T00:00:00Z")))
        .unwrap();
    w.env
        .sandbox
        .delete_post(&post("7441000000000000003"))
        .unwrap();
    w.env
        .sandbox
        .set_visibility(&post("7441000000000000002"), Visibility::Private)
        .unwrap();
    let ids: Vec<String> = [
        "7441000000000000003",
        "7441000000000000002",
        "7441000000000000001",
        foreign.id.as_str(),
        "7441000000000000999",
    ]
    .map(str::to_owned)
    .to_vec();
    let a = query(&w, &w.tt_grant.access_token, &ids).await;
    assert_eq!(a.status, 200);
    assert_eq!(a.json["error"]["code"], "ok");
    assert_eq!(video_ids(&a), ["7441000000000000001"]);
    // The private video is not listed either.
    let l = list(&w, &w.tt_grant.access_token, json!({})).await;
    assert_eq!(video_ids(&l), ["7441000000000000001"]);
}

#[tokio::test]
async fn video_query_takes_20_ids_and_list_20_videos_but_not_more() {
    let w = world().await;
    let token = w.tt_grant.access_token.as_str();
    let twenty: Vec<String> = (0..20)
        .map(|i| format!("74410000000000009{i:02}"))
        .collect();
    let ok = query(&w, token, &twenty).await;
    assert_eq!(ok.status, 200);
    let mut twenty_one = twenty.clone();
    twenty_one.push("7441000000000000003".into());
    let refused = query(&w, token, &twenty_one).await;
    assert_eq!(refused.status, 400);
    assert_eq!(refused.json["error"]["code"], "invalid_params");
    assert_eq!(list(&w, token, json!({"max_count": 20})).await.status, 200);
    let big = list(&w, token, json!({"max_count": 21})).await;
    assert_eq!(big.status, 400);
    assert_eq!(big.json["error"]["code"], "invalid_params");
}

#[tokio::test]
async fn metrics_change_with_the_clock() {
    let w = world().await;
    let now = w.env.sandbox.now();
    let video = w
        .env
        .sandbox
        .add_post(
            &w.tt,
            PostSpec::new(now - TimeDelta::hours(1))
                .with_metric(Metric::Views, Curve::linear(5, 20))
                .with_metric(Metric::Comments, Curve::Constant(3))
                .with_metric(Metric::Likes, Curve::Steps(vec![(0, 10), (50, 4)])),
        )
        .unwrap();
    w.env
        .sandbox
        .set_metric(&post(&video.id), Metric::Shares, Curve::linear(0, 1))
        .unwrap();
    let read = || async {
        // A fresh token each time: access tokens live 2 hours.
        let token = w.env.sandbox.issue_tokens(&w.tt).unwrap().access_token;
        let a = query(&w, &token, std::slice::from_ref(&video.id)).await;
        let v = &a.json["data"]["videos"][0];
        let n = |k: &str| v[k].as_u64().unwrap_or_else(|| panic!("{k}: {}", a.text));
        (
            n("view_count"),
            n("like_count"),
            n("comment_count"),
            n("share_count"),
        )
    };
    assert_eq!(read().await, (25, 10, 3, 1));
    w.env.advance(TimeDelta::hours(100));
    assert_eq!(
        read().await,
        (2025, 4, 3, 101),
        "views and shares grow, likes go down, comments stay flat"
    );
}

#[tokio::test]
async fn refresh_rotates_the_refresh_token_and_keeps_the_authorization_end() {
    let w = world().await;
    let form = |rt: &str| {
        vec![
            ("client_key".to_owned(), "key".to_owned()),
            ("client_secret".to_owned(), "secret".to_owned()),
            ("grant_type".to_owned(), "refresh_token".to_owned()),
            ("refresh_token".to_owned(), rt.to_owned()),
        ]
    };
    let env = &w.env;
    let post_form = |f: Vec<(String, String)>| async move {
        let pairs: Vec<(&str, &str)> = f.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
        env.post_form("/v2/oauth/token/", &pairs).await
    };
    let first_rt = w.tt_grant.refresh_token.clone().unwrap();
    w.env.advance(TimeDelta::hours(3));
    // The access token lived 2 hours.
    let expired = list(&w, &w.tt_grant.access_token, json!({})).await;
    assert_eq!(expired.status, 401);
    assert_eq!(expired.json["error"]["code"], "access_token_invalid");
    let r1 = post_form(form(&first_rt)).await;
    assert_eq!(r1.status, 200, "{}", r1.text);
    assert_eq!(r1.json["expires_in"], 7200);
    assert_eq!(r1.json["refresh_expires_in"], 180 * 86400 - 3 * 3600);
    assert_eq!(r1.json["open_id"], TT_OPEN_ID);
    let second_rt = r1.json["refresh_token"].as_str().unwrap().to_owned();
    assert_ne!(second_rt, first_rt);
    let fresh = r1.json["access_token"].as_str().unwrap();
    assert_eq!(list(&w, fresh, json!({})).await.status, 200);
    // The old refresh token died with the rotation.
    let stale = post_form(form(&first_rt)).await;
    assert_eq!(stale.status, 400);
    assert_eq!(stale.json["error"], "invalid_grant");
    assert_eq!(post_form(form(&second_rt)).await.status, 200);
    // At the authorization's end no refresh token works any more.
    w.env.advance(TimeDelta::days(180));
    let latest = w.env.sandbox.issue_tokens(&w.tt).unwrap();
    assert_eq!(
        post_form(form(latest.refresh_token.as_deref().unwrap()))
            .await
            .status,
        200
    );
    let gone = post_form(form(&second_rt)).await;
    assert_eq!(gone.json["error"], "invalid_grant");
}

#[tokio::test]
async fn revocation_kills_access_and_refresh_tokens() {
    let w = world().await;
    w.env
        .sandbox
        .revoke(&w.tt, RevokeReason::AppRemoved)
        .unwrap();
    let a = list(&w, &w.tt_grant.access_token, json!({})).await;
    assert_eq!(a.status, 401);
    assert_eq!(a.json["error"]["code"], "access_token_invalid");
    let r = w
        .env
        .post_form(
            "/v2/oauth/token/",
            &[
                ("client_key", "key"),
                ("grant_type", "refresh_token"),
                (
                    "refresh_token",
                    w.tt_grant.refresh_token.as_deref().unwrap(),
                ),
            ],
        )
        .await;
    assert_eq!(r.status, 400);
    assert_eq!(r.json["error"], "invalid_grant");
}

#[tokio::test]
async fn a_missing_scope_is_401_scope_not_authorized_and_profile_fields_need_their_scope() {
    let w = world().await;
    let token = w.tt_grant.access_token.as_str();
    let username = w
        .env
        .get_bearer("/v2/user/info/", token, &[("fields", "open_id,username")])
        .await;
    assert_eq!(username.status, 400);
    assert_eq!(username.json["error"]["code"], "scope_permission_missed");
    w.env
        .sandbox
        .remove_scope(&w.tt, scopes::TIKTOK_VIDEO_LIST)
        .unwrap();
    for a in [
        list(&w, token, json!({})).await,
        query(&w, token, &["7441000000000000003".to_owned()]).await,
    ] {
        assert_eq!(a.status, 401);
        assert_eq!(a.json["error"]["code"], "scope_not_authorized");
    }
    let info = w
        .env
        .get_bearer(
            "/v2/user/info/",
            token,
            &[("fields", "open_id,display_name")],
        )
        .await;
    assert_eq!(info.status, 200, "user info needs only user.info.basic");
    assert_eq!(info.json["data"]["user"]["display_name"], "Ana Creates");
}

#[tokio::test]
async fn rate_limit_is_per_endpoint_over_a_sliding_minute() {
    let limits = RateLimits {
        tiktok_requests_per_minute: 3,
        ..RateLimits::default()
    };
    let w = world_with(limits).await;
    let token = w.tt_grant.access_token.as_str();
    let one = ["7441000000000000003".to_owned()];
    for _ in 0..3 {
        assert_eq!(query(&w, token, &one).await.status, 200);
        w.env.advance(TimeDelta::seconds(10));
    }
    assert_eq!(
        w.env.sandbox.rate_limited_count(Endpoint::TikTokVideoQuery),
        0
    );
    let limited = query(&w, token, &one).await;
    assert_eq!(limited.status, 429);
    assert_eq!(
        w.env.sandbox.rate_limited_count(Endpoint::TikTokVideoQuery),
        1
    );
    assert_eq!(limited.json["error"]["code"], "rate_limit_exceeded");
    assert!(
        limited.headers.get("retry-after").is_none(),
        "TikTok sends no Retry-After"
    );
    assert_eq!(
        list(&w, token, json!({})).await.status,
        200,
        "another endpoint has its own budget"
    );
    // 60 s after the first call it has left the window.
    w.env.advance(TimeDelta::seconds(30));
    assert_eq!(query(&w, token, &one).await.status, 200);
    assert_eq!(query(&w, token, &one).await.status, 429);
}

#[tokio::test]
async fn code_exchange_issues_a_grant_once() {
    let w = world().await;
    let code = w.env.sandbox.authorization_code(&w.tt).unwrap();
    let form = [
        ("client_key", "key"),
        ("client_secret", "secret"),
        ("code", code.as_str()),
        ("grant_type", "authorization_code"),
        ("redirect_uri", "https://example.invalid/cb"),
    ];
    let first = w.env.post_form("/v2/oauth/token/", &form).await;
    assert_eq!(first.status, 200);
    assert_eq!(
        first.json["scope"],
        "user.info.basic,user.info.stats,video.list"
    );
    assert_eq!(first.json["refresh_expires_in"], 180 * 86400);
    let second = w.env.post_form("/v2/oauth/token/", &form).await;
    assert_eq!(second.json["error"], "invalid_grant");
    let no_client = w
        .env
        .post_form(
            "/v2/oauth/token/",
            &[("grant_type", "authorization_code"), ("code", "x")],
        )
        .await;
    assert_eq!(no_client.json["error"], "invalid_client");
}

#[tokio::test]
async fn videos_sharing_an_instant_are_never_skipped_by_the_time_cursor() {
    let w = world().await;
    let none = w
        .env
        .sandbox
        .add_account(AccountSpec::tiktok("same", "Same"))
        .unwrap();
    let at = ts("2026-11-20T10:00:00Z");
    let mut made = Vec::new();
    for (i, offset_ms) in [900i64, 0, 0, -1000, -2000, -2000, -2000]
        .into_iter()
        .enumerate()
    {
        let p = w
            .env
            .sandbox
            .add_post(
                &none,
                PostSpec::new(at + TimeDelta::milliseconds(offset_ms))
                    .with_id(&format!("744100000000001000{i}")),
            )
            .unwrap();
        made.push(p.id);
    }
    let token = w.env.sandbox.issue_tokens(&none).unwrap().access_token;
    let mut seen = Vec::new();
    let mut cursor: Option<i64> = None;
    let mut short_page = false;
    let mut longest = 0;
    for _ in 0..10 {
        let body = match cursor {
            Some(c) => json!({"max_count": 2, "cursor": c}),
            None => json!({"max_count": 2}),
        };
        let page = list(&w, &token, body).await;
        let ids = video_ids(&page);
        short_page |= ids.len() < 2 && page.json["data"]["has_more"] == true;
        longest = longest.max(ids.len());
        seen.extend(ids);
        if page.json["data"]["has_more"] == false {
            break;
        }
        cursor = page.json["data"]["cursor"].as_i64();
    }
    seen.sort();
    made.sort();
    assert_eq!(seen, made, "every video exactly once");
    assert!(
        short_page,
        "a page ends short before an instant shared with the next videos"
    );
    assert_eq!(
        longest, 3,
        "a page that is one instant takes all of that instant's videos"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_concurrent_refreshes_of_one_token_leave_exactly_one_winner() {
    let w = world().await;
    let rt = w.tt_grant.refresh_token.clone().unwrap();
    let url = w.env.url("/v2/oauth/token/");
    let attempt = |http: reqwest::Client, url: String, rt: String| async move {
        http.post(url)
            .form(&[
                ("client_key", "key"),
                ("grant_type", "refresh_token"),
                ("refresh_token", rt.as_str()),
            ])
            .send()
            .await
            .unwrap()
            .status()
            .as_u16()
    };
    let (a, b) = tokio::join!(
        tokio::spawn(attempt(w.env.http.clone(), url.clone(), rt.clone())),
        tokio::spawn(attempt(reqwest::Client::new(), url, rt)),
    );
    let mut statuses = [a.unwrap(), b.unwrap()];
    statuses.sort();
    assert_eq!(
        statuses,
        [200, 400],
        "rotation: the loser's refresh token is already dead"
    );
}
