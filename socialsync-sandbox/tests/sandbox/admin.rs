//! The admin HTTP API and the request counters; determinism per seed.

use crate::common::*;
use serde_json::{Value, json};
use socialsync_core::clock::ManualClock;
use socialsync_sandbox::{AccountSpec, Endpoint, RateLimits, Sandbox};
use std::sync::Arc;

async fn admin(env: &Env, path: &str, body: Value) -> Answer {
    let r = env
        .http
        .post(env.url(path))
        .json(&body)
        .send()
        .await
        .unwrap();
    Answer::read(r).await
}

#[tokio::test]
async fn counters_count_every_request_per_endpoint_through_rust_and_http() {
    let w = world().await;
    let token = w.ig_grant.access_token.as_str();
    for _ in 0..3 {
        w.env
            .get("/v25.0/me/media", &[("access_token", token)])
            .await;
    }
    w.env
        .get("/v25.0/me/media", &[("access_token", "bad")])
        .await;
    w.env
        .get(
            "/v25.0/18040000000000004/insights",
            &[("access_token", token), ("metric", "reach")],
        )
        .await;
    w.env.get("/nowhere", &[]).await;
    let sb = &w.env.sandbox;
    assert_eq!(
        sb.request_count(Endpoint::InstagramMediaList),
        4,
        "errors count too"
    );
    assert_eq!(sb.request_count(Endpoint::InstagramInsights), 1);
    assert_eq!(sb.request_count(Endpoint::Unknown), 1);
    assert_eq!(sb.request_count(Endpoint::TikTokVideoQuery), 0);
    assert_eq!(
        sb.platform_request_count(socialsync_core::platform::Platform::Instagram),
        5
    );
    let http = w.env.get("/sandbox/counters", &[]).await;
    assert_eq!(
        http.json,
        json!({"instagram.media_list": 4, "instagram.insights": 1, "unknown": 1})
    );
    assert_eq!(
        admin(&w.env, "/sandbox/counters/reset", json!({}))
            .await
            .status,
        200
    );
    assert!(sb.request_counts().is_empty());
    assert_eq!(sb.status_count(Endpoint::InstagramMediaList, 200), 0);
    assert_eq!(w.env.get("/sandbox/counters", &[]).await.json, json!({}));
}

#[tokio::test]
async fn admin_api_drives_accounts_posts_tokens_and_faults() {
    let env = Env::start("2026-11-28T12:00:00Z", RateLimits::default()).await;
    let account = admin(
        &env,
        "/sandbox/accounts",
        json!({"platform": "instagram", "username": "cleo"}),
    )
    .await;
    assert_eq!(account.status, 200, "{}", account.text);
    let id = account.json["id"].as_str().unwrap().to_owned();
    assert_eq!(id.len(), 17);
    let post = admin(
        &env,
        &format!("/sandbox/accounts/instagram/{id}/posts"),
        json!({
            "published_at": "2026-11-28T10:00:00Z",
            "caption": "Tokyo nights #東京 #BrandX",
            "metrics": {"likes": {"linear": {"start": 5, "per_hour": 2}}}
        }),
    )
    .await;
    assert_eq!(post.status, 200, "{}", post.text);
    let post_id = post.json["id"].as_str().unwrap().to_owned();
    let grant = admin(
        &env,
        &format!("/sandbox/accounts/instagram/{id}/tokens"),
        json!({}),
    )
    .await;
    let token = grant.json["access_token"].as_str().unwrap().to_owned();
    let node = env
        .get(
            &format!("/v25.0/{post_id}"),
            &[("access_token", &token), ("fields", "caption,like_count")],
        )
        .await;
    assert_eq!(node.json["caption"], "Tokyo nights #東京 #BrandX");
    assert_eq!(node.json["like_count"], 9);

    let code = admin(
        &env,
        &format!("/sandbox/accounts/instagram/{id}/code"),
        json!({}),
    )
    .await;
    assert!(code.json["code"].is_string());

    assert_eq!(
        admin(
            &env,
            "/sandbox/metrics/deprecate",
            json!({"metric": "reach", "product_type": "FEED"})
        )
        .await
        .status,
        200
    );
    let ins = env
        .get(
            &format!("/v25.0/{post_id}/insights"),
            &[("access_token", &token), ("metric", "reach")],
        )
        .await;
    assert_eq!(ins.json["error"]["code"], 100);

    admin(
        &env,
        "/sandbox/faults",
        json!({"endpoint": "instagram.media", "kind": {"type": "server_error", "status": 502}, "times": 1}),
    )
    .await;
    assert_eq!(
        env.get("/sandbox/faults", &[])
            .await
            .json
            .as_array()
            .map(Vec::len),
        Some(1)
    );
    let faulted = env
        .get(&format!("/v25.0/{post_id}"), &[("access_token", &token)])
        .await;
    assert_eq!(faulted.status, 502);
    admin(
        &env,
        "/sandbox/faults",
        json!({"kind": {"type": "malformed"}}),
    )
    .await;
    let r = env
        .http
        .delete(env.url("/sandbox/faults"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert!(env.sandbox.faults().is_empty());

    admin(
        &env,
        &format!("/sandbox/posts/instagram/{post_id}/delete"),
        json!({}),
    )
    .await;
    let gone = env
        .get(&format!("/v25.0/{post_id}"), &[("access_token", &token)])
        .await;
    assert_eq!(gone.json["error"]["error_subcode"], 33);

    admin(
        &env,
        &format!("/sandbox/accounts/instagram/{id}/scopes/remove"),
        json!({"scope": "instagram_business_manage_insights"}),
    )
    .await;
    admin(
        &env,
        &format!("/sandbox/accounts/instagram/{id}/revoke"),
        json!({"reason": "password_changed"}),
    )
    .await;
    let revoked = env.get("/v25.0/me", &[("access_token", &token)]).await;
    assert_eq!(revoked.json["error"]["error_subcode"], 460);

    let missing = admin(&env, "/sandbox/accounts/tiktok/nobody/tokens", json!({})).await;
    assert_eq!(missing.status, 404);
    assert!(missing.json["error"].as_str().unwrap().contains("nobody"));
}

fn seeded(seed: u64) -> (Vec<String>, String) {
    let clock = Arc::new(ManualClock::at(ts("2026-11-28T00:00:00Z")));
    let sb = Sandbox::builder().seed(seed).clock(clock).build();
    let mut ids = Vec::new();
    let mut token = String::new();
    for spec in [
        AccountSpec::instagram("a"),
        AccountSpec::tiktok("b", "B"),
        AccountSpec::youtube("c", "C"),
    ] {
        let account = sb.add_account(spec).unwrap();
        let posts = sb
            .add_generated_posts(
                &account,
                3,
                ts("2026-11-01T00:00:00Z"),
                chrono::TimeDelta::hours(1),
                &["#BrandX"],
            )
            .unwrap();
        ids.push(account.id.clone());
        ids.extend(posts.into_iter().map(|p| p.id));
        token.push_str(&sb.issue_tokens(&account).unwrap().access_token);
    }
    (ids, token)
}

#[test]
fn the_same_seed_gives_the_same_ids_and_tokens() {
    assert_eq!(seeded(9), seeded(9));
    assert_ne!(seeded(9), seeded(10));
    let (ids, _) = seeded(9);
    assert!(ids[1].starts_with("1804") && ids[1].len() == 17);
    assert!(ids[5].starts_with("7441") && ids[5].len() == 19);
    assert_eq!(ids[9].len(), 11);
}

#[tokio::test]
async fn token_grants_do_not_show_tokens_in_debug() {
    let w = world().await;
    let shown = format!("{:?}", w.tt_grant);
    assert!(!shown.contains(&w.tt_grant.access_token));
    assert!(!shown.contains(w.tt_grant.refresh_token.as_deref().unwrap()));
    let c = w.tt_grant.credentials();
    assert_eq!(c.access_token(), w.tt_grant.access_token);
    assert_eq!(c.refresh_token(), w.tt_grant.refresh_token.as_deref());
    assert_eq!(c.expires_at, Some(w.tt_grant.access_expires_at));
    assert_eq!(c.refresh_expires_at, w.tt_grant.refresh_expires_at);
    assert_eq!(c.issued_at, Some(w.env.sandbox.now()));
    assert_eq!(
        c.granted_scopes,
        ["user.info.basic", "user.info.stats", "video.list"]
    );
    assert!(!format!("{c:?}").contains(&w.tt_grant.access_token));
}

#[tokio::test]
async fn configured_app_credentials_are_enforced_by_the_token_endpoints() {
    use socialsync_core::platform::Platform;
    use socialsync_sandbox::AppCredentials;
    let clock = Arc::new(ManualClock::at(ts("2026-11-28T12:00:00Z")));
    let sandbox = Sandbox::builder()
        .clock(clock)
        .app_credentials(Platform::TikTok, AppCredentials::new("tt-key", "tt-secret"))
        .app_credentials(Platform::YouTube, AppCredentials::new("g-id", "g-secret"))
        .app_credentials(
            Platform::Instagram,
            AppCredentials::new("ig-id", "ig-secret"),
        )
        .build();
    let running = sandbox.start().await.unwrap();
    let http = reqwest::Client::new();
    let post = |path: &str, form: Vec<(&str, String)>| {
        let req = http
            .post(format!("{}{path}", running.base_url()))
            .form(&form);
        async move { Answer::read(req.send().await.unwrap()).await }
    };
    let tt = sandbox.add_account(AccountSpec::tiktok("a", "A")).unwrap();
    let rt = sandbox.issue_tokens(&tt).unwrap().refresh_token.unwrap();
    let tt_form = |secret: &str| {
        vec![
            ("client_key", "tt-key".to_owned()),
            ("client_secret", secret.to_owned()),
            ("grant_type", "refresh_token".to_owned()),
            ("refresh_token", rt.clone()),
        ]
    };
    let wrong = post("/v2/oauth/token/", tt_form("nope")).await;
    assert_eq!(wrong.json["error"], "invalid_client");
    assert_eq!(
        post("/v2/oauth/token/", tt_form("tt-secret")).await.status,
        200
    );

    let yt = sandbox.add_account(AccountSpec::youtube("b", "B")).unwrap();
    let grt = sandbox.issue_tokens(&yt).unwrap().refresh_token.unwrap();
    let g_form = |secret: &str| {
        vec![
            ("client_id", "g-id".to_owned()),
            ("client_secret", secret.to_owned()),
            ("grant_type", "refresh_token".to_owned()),
            ("refresh_token", grt.clone()),
        ]
    };
    let wrong = post("/token", g_form("nope")).await;
    assert_eq!(wrong.status, 401);
    assert_eq!(wrong.json["error"], "invalid_client");
    assert_eq!(post("/token", g_form("g-secret")).await.status, 200);

    let ig = sandbox.add_account(AccountSpec::instagram("c")).unwrap();
    let code = sandbox.authorization_code(&ig).unwrap();
    let ig_form = |secret: &str| {
        vec![
            ("client_id", "ig-id".to_owned()),
            ("client_secret", secret.to_owned()),
            ("grant_type", "authorization_code".to_owned()),
            ("code", code.clone()),
        ]
    };
    assert_eq!(
        post("/oauth/access_token", ig_form("nope")).await.status,
        400
    );
    let short = post("/oauth/access_token", ig_form("ig-secret")).await;
    assert_eq!(short.status, 200);
    let short_token = short.json["data"][0]["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let exchange = |secret: &str| {
        let req = http
            .get(format!("{}/access_token", running.base_url()))
            .query(&[
                ("grant_type", "ig_exchange_token"),
                ("client_secret", secret),
                ("access_token", short_token.as_str()),
            ]);
        async move { Answer::read(req.send().await.unwrap()).await }
    };
    assert_eq!(exchange("nope").await.json["error"]["code"], 1);
    assert_eq!(exchange("ig-secret").await.status, 200);
}

#[test]
fn generating_posts_past_the_time_range_is_an_error_not_a_panic() {
    let clock = Arc::new(ManualClock::at(ts("2026-11-28T00:00:00Z")));
    let sb = Sandbox::builder().clock(clock).build();
    let a = sb.add_account(AccountSpec::tiktok("a", "A")).unwrap();
    let r = sb.add_generated_posts(
        &a,
        3,
        ts("2026-11-01T00:00:00Z"),
        chrono::TimeDelta::MAX,
        &[],
    );
    assert!(matches!(
        r,
        Err(socialsync_sandbox::SandboxError::InvalidInput(_))
    ));
}

#[tokio::test]
async fn rust_api_edits_texts_visibility_scopes_and_lists_posts() {
    use socialsync_sandbox::{PostRef, scopes};
    let w = world().await;
    let sb = &w.env.sandbox;
    let posts = sb.posts(&w.ig);
    assert_eq!(posts.len(), 5);
    assert_eq!(posts[0].id, "18040000000000005", "newest first");
    let id = PostRef {
        platform: socialsync_core::platform::Platform::Instagram,
        id: "18040000000000003".into(),
    };
    sb.edit_text(&id, Some("Edited later #BrandX #東京"), None, None)
        .unwrap();
    sb.set_comments_disabled(&id, true).unwrap();
    let node = w
        .env
        .get(
            "/v25.0/18040000000000003",
            &[
                ("access_token", w.ig_grant.access_token.as_str()),
                ("fields", "caption,is_comment_enabled"),
            ],
        )
        .await;
    assert_eq!(node.json["caption"], "Edited later #BrandX #東京");
    assert_eq!(node.json["is_comment_enabled"], false);

    sb.remove_scope(&w.ig, scopes::INSTAGRAM_INSIGHTS).unwrap();
    let q = [
        ("access_token", w.ig_grant.access_token.as_str()),
        ("metric", "reach"),
    ];
    let denied = w.env.get("/v25.0/18040000000000003/insights", &q).await;
    assert_eq!(denied.json["error"]["code"], 10);
    sb.grant_scope(&w.ig, scopes::INSTAGRAM_INSIGHTS).unwrap();
    let still = w.env.get("/v25.0/18040000000000003/insights", &q).await;
    assert_eq!(
        still.json["error"]["code"], 10,
        "old tokens keep their scopes"
    );
    let again = sb.issue_tokens(&w.ig).unwrap();
    let ok = w
        .env
        .get(
            "/v25.0/18040000000000003/insights",
            &[
                ("access_token", again.access_token.as_str()),
                ("metric", "reach"),
            ],
        )
        .await;
    assert_eq!(ok.status, 200);
}

#[tokio::test]
async fn a_shut_down_sandbox_answers_no_more() {
    let clock = Arc::new(ManualClock::at(ts("2026-11-28T00:00:00Z")));
    let sb = Sandbox::builder().clock(clock).build();
    let running = sb.start().await.unwrap();
    let url = format!("{}/sandbox/counters", running.base_url());
    let http = reqwest::Client::new();
    assert_eq!(http.get(&url).send().await.unwrap().status().as_u16(), 200);
    running.shutdown().await;
    assert!(http.get(&url).send().await.is_err());
}

#[tokio::test]
async fn admin_api_changes_posts_and_restores_metrics() {
    let w = world().await;
    let env = &w.env;
    let list = env
        .get(&format!("/sandbox/accounts/tiktok/{TT_OPEN_ID}/posts"), &[])
        .await;
    assert_eq!(list.json[0]["id"], "7441000000000000003");
    assert_eq!(list.json.as_array().map(Vec::len), Some(3));
    let post = "/sandbox/posts/tiktok/7441000000000000003";
    let set = admin(
        env,
        &format!("{post}/metrics"),
        json!({"metric": "likes", "curve": {"constant": 7}}),
    )
    .await;
    assert_eq!(set.status, 200, "{}", set.text);
    let token = w.tt_grant.access_token.as_str();
    let query = || async {
        env.post_json(
            "/v2/video/query/",
            token,
            &[("fields", TT_QUERY_FIELDS)],
            &json!({"filters": {"video_ids": ["7441000000000000003"]}}),
        )
        .await
    };
    assert_eq!(query().await.json["data"]["videos"][0]["like_count"], 7);
    admin(
        env,
        &format!("{post}/update"),
        json!({"visibility": "private"}),
    )
    .await;
    assert_eq!(query().await.json["data"]["videos"], json!([]));
    admin(
        env,
        &format!("{post}/update"),
        json!({"visibility": "public"}),
    )
    .await;
    assert_eq!(
        query().await.json["data"]["videos"]
            .as_array()
            .map(Vec::len),
        Some(1)
    );
    let missing = admin(env, "/sandbox/posts/tiktok/nope/update", json!({})).await;
    assert_eq!(missing.status, 404);

    admin(
        env,
        "/sandbox/metrics/restore",
        json!({"metric": "impressions"}),
    )
    .await;
    let ins = env
        .get(
            "/v25.0/18040000000000004/insights",
            &[
                ("access_token", w.ig_grant.access_token.as_str()),
                ("metric", "impressions"),
            ],
        )
        .await;
    assert_eq!(
        ins.status, 400,
        "impressions is still unsupported by the product type"
    );
    assert!(
        ins.json["error"]["message"]
            .as_str()
            .unwrap()
            .contains("does not support")
    );
}
