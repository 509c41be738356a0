//! Faults on demand: server errors, timeouts, malformed bodies, forced
//! throttling, each in its platform's format.

use crate::common::*;
use serde_json::json;
use socialsync_sandbox::{Endpoint, Fault, FaultKind};
use std::time::Duration;

#[tokio::test]
async fn a_counted_server_error_hits_its_endpoint_then_clears() {
    let w = world().await;
    w.env.sandbox.add_fault(
        Fault::on(
            Endpoint::TikTokVideoQuery,
            FaultKind::ServerError { status: 503 },
        )
        .times(2),
    );
    let token = w.tt_grant.access_token.as_str();
    let body = json!({"filters": {"video_ids": ["7441000000000000003"]}});
    let list = w
        .env
        .post_json(
            "/v2/video/list/",
            token,
            &[("fields", TT_LIST_FIELDS)],
            &json!({}),
        )
        .await;
    assert_eq!(list.status, 200, "other endpoints are untouched");
    for _ in 0..2 {
        let a = w
            .env
            .post_json(
                "/v2/video/query/",
                token,
                &[("fields", TT_QUERY_FIELDS)],
                &body,
            )
            .await;
        assert_eq!(a.status, 503);
        assert_eq!(a.json["error"]["code"], "internal_error");
    }
    let a = w
        .env
        .post_json(
            "/v2/video/query/",
            token,
            &[("fields", TT_QUERY_FIELDS)],
            &body,
        )
        .await;
    assert_eq!(a.status, 200);
    assert!(w.env.sandbox.faults().is_empty());
}

#[tokio::test]
async fn a_delay_makes_a_client_with_a_shorter_timeout_time_out() {
    let w = world().await;
    w.env
        .sandbox
        .add_fault(Fault::on(Endpoint::YouTubeChannels, FaultKind::Delay { millis: 400 }).times(1));
    let client = reqwest::Client::builder()
        .timeout(Duration::from_millis(100))
        .build()
        .unwrap();
    let url = w.env.url("/youtube/v3/channels?part=id&mine=true");
    let err = client
        .get(&url)
        .bearer_auth(&w.yt_grant.access_token)
        .send()
        .await
        .expect_err("times out");
    assert!(err.is_timeout(), "{err}");
    let ok = client
        .get(&url)
        .bearer_auth(&w.yt_grant.access_token)
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status().as_u16(), 200, "the fault was used up");
}

#[tokio::test]
async fn malformed_bodies_are_not_json_on_every_platform() {
    let w = world().await;
    w.env
        .sandbox
        .add_fault(Fault::everywhere(FaultKind::Malformed).times(3));
    let ig = w
        .env
        .get(
            "/v25.0/me/media",
            &[("access_token", &w.ig_grant.access_token)],
        )
        .await;
    let tt = w
        .env
        .post_json(
            "/v2/video/list/",
            &w.tt_grant.access_token,
            &[("fields", TT_LIST_FIELDS)],
            &json!({}),
        )
        .await;
    let yt = w
        .env
        .get_bearer(
            "/youtube/v3/videos",
            &w.yt_grant.access_token,
            &[("part", "id"), ("id", "x")],
        )
        .await;
    for a in [ig, tt, yt] {
        assert_eq!(a.status, 200);
        assert!(
            serde_json::from_str::<serde_json::Value>(&a.text).is_err(),
            "{}",
            a.text
        );
    }
}

#[tokio::test]
async fn forced_throttling_answers_like_each_platform() {
    let w = world().await;
    w.env
        .sandbox
        .add_fault(Fault::everywhere(FaultKind::RateLimited));
    let ig = w
        .env
        .get(
            "/v25.0/me/media",
            &[("access_token", &w.ig_grant.access_token)],
        )
        .await;
    assert_eq!(ig.json["error"]["code"], 4);
    assert!(ig.header_json("x-app-usage").is_some());
    let tt = w
        .env
        .post_json(
            "/v2/video/list/",
            &w.tt_grant.access_token,
            &[("fields", TT_LIST_FIELDS)],
            &json!({}),
        )
        .await;
    assert_eq!(tt.status, 429);
    assert_eq!(tt.json["error"]["code"], "rate_limit_exceeded");
    let yt = w
        .env
        .get_bearer(
            "/youtube/v3/videos",
            &w.yt_grant.access_token,
            &[("part", "id"), ("id", "x")],
        )
        .await;
    assert_eq!(yt.status, 403);
    assert_eq!(yt.json["error"]["errors"][0]["reason"], "quotaExceeded");
    w.env.sandbox.clear_faults();
    let again = w
        .env
        .get(
            "/v25.0/me/media",
            &[("access_token", &w.ig_grant.access_token)],
        )
        .await;
    assert_eq!(again.status, 200);
}

#[tokio::test]
async fn instagram_server_errors_are_transient_code_2() {
    let w = world().await;
    w.env.sandbox.add_fault(
        Fault::on(
            Endpoint::InstagramInsights,
            FaultKind::ServerError { status: 500 },
        )
        .times(1),
    );
    let a = w
        .env
        .get(
            "/v25.0/18040000000000004/insights",
            &[
                ("access_token", &w.ig_grant.access_token),
                ("metric", "reach"),
            ],
        )
        .await;
    assert_eq!(a.status, 500);
    assert_eq!(a.json["error"]["code"], 2);
    assert_eq!(a.json["error"]["is_transient"], true);
}
