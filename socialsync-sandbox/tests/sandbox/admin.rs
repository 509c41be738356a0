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
}
