//! Instagram behaviour: paging, hidden likes, metrics over the clock,
//! deletions, the token lifecycle, insights rules and throttling.

use crate::common::*;
use chrono::TimeDelta;
use socialsync_sandbox::{
    AccountSpec, Curve, Endpoint, MediaType, Metric, PostRef, PostSpec, ProductType, RateLimits,
    RevokeReason,
};

fn ids(a: &Answer) -> Vec<String> {
    a.json["data"]
        .as_array()
        .map(|d| {
            d.iter()
                .filter_map(|m| m["id"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

fn post(id: &str) -> PostRef {
    PostRef {
        platform: socialsync_core::platform::Platform::Instagram,
        id: id.to_owned(),
    }
}

#[tokio::test]
async fn media_list_pages_newest_first_to_the_end_and_next_links_carry_the_token() {
    let w = world().await;
    let token = w.ig_grant.access_token.as_str();
    let mut seen = Vec::new();
    let mut after: Option<String> = None;
    let mut pages = 0;
    loop {
        let mut q = vec![
            ("access_token", token),
            ("fields", "id,timestamp"),
            ("limit", "2"),
        ];
        if let Some(a) = after.as_deref() {
            q.push(("after", a));
        }
        let page = w.env.get("/v25.0/me/media", &q).await;
        assert_eq!(page.status, 200, "{}", page.text);
        pages += 1;
        seen.extend(ids(&page));
        let Some(next) = page.json["paging"]["next"].as_str() else {
            break;
        };
        assert!(next.starts_with(&format!(
            "{}/v25.0/{IG_USER}/media?",
            w.env.running.base_url()
        )));
        assert!(next.contains(&format!("access_token={token}")), "{next}");
        after = page.json["paging"]["cursors"]["after"]
            .as_str()
            .map(str::to_owned);
    }
    assert_eq!(pages, 3);
    assert_eq!(
        seen,
        [
            "18040000000000005",
            "18040000000000004",
            "18040000000000003",
            "18040000000000002",
            "18040000000000001"
        ]
    );
    // Following the `next` URL as given works too, and `previous` goes back.
    let first = w
        .env
        .get(
            "/v25.0/me/media",
            &[("access_token", token), ("limit", "2")],
        )
        .await;
    assert!(first.json["paging"].get("previous").is_none());
    let next = first.json["paging"]["next"].as_str().unwrap();
    let second = Answer::read(w.env.http.get(next).send().await.unwrap()).await;
    assert_eq!(ids(&second), ["18040000000000003", "18040000000000002"]);
    let prev = second.json["paging"]["previous"].as_str().unwrap();
    let back = Answer::read(w.env.http.get(prev).send().await.unwrap()).await;
    assert_eq!(ids(&back), ["18040000000000005", "18040000000000004"]);
}

#[tokio::test]
async fn facebook_login_paths_with_the_user_id_and_since_until_work() {
    let w = world().await;
    let token = w.ig_grant.access_token.as_str();
    let since = ts("2026-11-01T00:00:00Z").timestamp().to_string();
    let until = ts("2026-11-26T00:00:00Z").timestamp().to_string();
    let a = w
        .env
        .get(
            &format!("/v25.0/{IG_USER}/media"),
            &[
                ("access_token", token),
                ("since", &since),
                ("until", &until),
            ],
        )
        .await;
    assert_eq!(ids(&a), ["18040000000000004", "18040000000000003"]);
    let other = w
        .env
        .get("/v25.0/17841499999999999/media", &[("access_token", token)])
        .await;
    assert_eq!(other.status, 400);
    assert_eq!(other.json["error"]["code"], 100);
    let me = w
        .env
        .get(
            "/v25.0/me",
            &[("access_token", token), ("fields", "user_id,username")],
        )
        .await;
    assert_eq!(me.json["user_id"], IG_USER);
    assert_eq!(me.json["username"], "ana.creates");
}

#[tokio::test]
async fn hidden_likes_are_omitted_on_the_edge_but_read_on_the_node() {
    let w = world().await;
    let token = w.ig_grant.access_token.as_str();
    let list = w
        .env
        .get(
            "/v25.0/me/media",
            &[("access_token", token), ("fields", "id,like_count")],
        )
        .await;
    let hidden = &list.json["data"][1];
    assert_eq!(hidden["id"], "18040000000000004");
    assert!(hidden.get("like_count").is_none());
    assert!(list.json["data"][0]["like_count"].is_u64());
    let node = w
        .env
        .get(
            "/v25.0/18040000000000004",
            &[("access_token", token), ("fields", "like_count")],
        )
        .await;
    let expected = w
        .env
        .sandbox
        .metric_value(&post("18040000000000004"), Metric::Likes)
        .unwrap();
    assert_eq!(node.json["like_count"], expected);
}

#[tokio::test]
async fn counters_and_insights_follow_the_clock_up_flat_and_down() {
    let w = world().await;
    let token = w.ig_grant.access_token.as_str();
    let id = "18040000000000004";
    w.env
        .sandbox
        .set_metric(
            &post(id),
            Metric::Comments,
            Curve::Declining {
                start: 50,
                per_hour: 2,
                floor: 40,
            },
        )
        .unwrap();
    let read = || async {
        let a = w
            .env
            .get(
                &format!("/v25.0/{id}/insights"),
                &[("access_token", token), ("metric", "likes,comments,shares")],
            )
            .await;
        let v = |i: usize| a.json["data"][i]["values"][0]["value"].as_u64().unwrap();
        (v(0), v(1), v(2))
    };
    let (likes0, comments0, shares0) = read().await;
    w.env.advance(TimeDelta::hours(3));
    let (likes1, comments1, shares1) = read().await;
    assert_eq!(likes1, likes0 + 30, "likes grow 10 an hour");
    assert_eq!(shares1, shares0, "shares stay flat");
    assert!(comments1 <= comments0, "comments go down");
    assert_eq!(comments1, 40);
}

#[tokio::test]
async fn deleted_media_is_not_found_everywhere_and_its_cursor_dies() {
    let w = world().await;
    let token = w.ig_grant.access_token.as_str();
    let first = w
        .env
        .get(
            "/v25.0/me/media",
            &[("access_token", token), ("limit", "2")],
        )
        .await;
    let after = first.json["paging"]["cursors"]["after"]
        .as_str()
        .unwrap()
        .to_owned();
    w.env
        .sandbox
        .delete_post(&post("18040000000000004"))
        .unwrap();
    for path in [
        "/v25.0/18040000000000004",
        "/v25.0/18040000000000004/insights",
    ] {
        let a = w
            .env
            .get(path, &[("access_token", token), ("metric", "reach")])
            .await;
        assert_eq!(a.status, 400);
        assert_eq!(a.json["error"]["code"], 100);
        assert_eq!(a.json["error"]["error_subcode"], 33);
    }
    let stale = w
        .env
        .get(
            "/v25.0/me/media",
            &[("access_token", token), ("after", &after)],
        )
        .await;
    assert_eq!(stale.status, 400, "a cursor on a deleted item is invalid");
    assert_eq!(stale.json["error"]["code"], 100);
    assert!(stale.json["error"].get("error_subcode").is_none());
    let all = w
        .env
        .get("/v25.0/me/media", &[("access_token", token)])
        .await;
    assert!(!ids(&all).contains(&"18040000000000004".to_owned()));
    assert_eq!(ids(&all).len(), 4);
}

#[tokio::test]
async fn long_lived_token_refreshes_only_from_24_hours_old_until_it_expires() {
    let w = world().await;
    let env = &w.env;
    let refresh = |token: String| async move {
        env.get(
            "/refresh_access_token",
            &[("grant_type", "ig_refresh_token"), ("access_token", &token)],
        )
        .await
    };
    let young = refresh(w.ig_grant.access_token.clone()).await;
    assert_eq!(young.status, 400);
    assert_eq!(
        young.json["error"]["code"], 100,
        "too young to refresh is no token death"
    );
    w.env.advance(TimeDelta::hours(23));
    assert_eq!(refresh(w.ig_grant.access_token.clone()).await.status, 400);
    w.env.advance(TimeDelta::hours(1));
    let ok = refresh(w.ig_grant.access_token.clone()).await;
    assert_eq!(ok.status, 200);
    assert_eq!(ok.json["expires_in"], 60 * 24 * 3600);
    let new_token = ok.json["access_token"].as_str().unwrap().to_owned();
    assert_ne!(new_token, w.ig_grant.access_token);
    // The new token serves data; it lives 60 days from the refresh, the old
    // one only until its own end.
    w.env.advance(TimeDelta::days(59));
    let old = w
        .env
        .get("/v25.0/me", &[("access_token", &w.ig_grant.access_token)])
        .await;
    assert_eq!(old.json["error"]["error_subcode"], 463);
    let new = w
        .env
        .get("/v25.0/me", &[("access_token", &new_token)])
        .await;
    assert_eq!(new.status, 200);
    // Once expired, a token can never be refreshed again.
    let dead = refresh(w.ig_grant.access_token.clone()).await;
    assert_eq!(dead.json["error"]["code"], 190);
    assert_eq!(dead.json["error"]["error_subcode"], 463);
}

#[tokio::test]
async fn revocation_reasons_show_as_code_190_subcodes() {
    for (reason, subcode) in [
        (RevokeReason::AppRemoved, 458),
        (RevokeReason::Checkpointed, 459),
        (RevokeReason::PasswordChanged, 460),
        (RevokeReason::LoggedOut, 467),
    ] {
        let w = world().await;
        w.env.sandbox.revoke(&w.ig, reason).unwrap();
        let a = w
            .env
            .get(
                "/v25.0/me/media",
                &[("access_token", &w.ig_grant.access_token)],
            )
            .await;
        assert_eq!(a.status, 400);
        assert_eq!(a.json["error"]["code"], 190);
        assert_eq!(a.json["error"]["error_subcode"], subcode);
        // A reconnection issues a working token again.
        let again = w.env.sandbox.issue_tokens(&w.ig).unwrap();
        let b = w
            .env
            .get("/v25.0/me/media", &[("access_token", &again.access_token)])
            .await;
        assert_eq!(b.status, 200);
    }
}

#[tokio::test]
async fn authorization_codes_are_single_use() {
    let w = world().await;
    let code = w.env.sandbox.authorization_code(&w.ig).unwrap();
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("client_id", "1"),
    ];
    let first = w.env.post_form("/oauth/access_token", &form).await;
    assert_eq!(first.status, 200);
    assert_eq!(first.json["data"][0]["user_id"], IG_USER);
    let second = w.env.post_form("/oauth/access_token", &form).await;
    assert_eq!(second.status, 400);
    assert_eq!(second.json["error_type"], "OAuthException");
}

#[tokio::test]
async fn one_deprecated_or_unsupported_metric_fails_the_whole_insights_call() {
    let w = world().await;
    let token = w.ig_grant.access_token.as_str();
    let env = &w.env;
    let ask = |metrics: String, id: &'static str| async move {
        env.get(
            &format!("/v25.0/{id}/insights"),
            &[("access_token", token), ("metric", &metrics)],
        )
        .await
    };
    for old in [
        "impressions",
        "plays",
        "video_views",
        "engagement",
        "clips_replays_count",
    ] {
        let a = ask(format!("reach,{old}"), "18040000000000005").await;
        assert_eq!(a.status, 400, "{old}");
        assert_eq!(a.json["error"]["code"], 100);
        assert!(a.json["error"]["message"].as_str().unwrap().contains(old));
    }
    let reel_only = ask("reach,ig_reels_avg_watch_time".into(), "18040000000000004").await;
    assert_eq!(reel_only.status, 400, "watch time is for reels only");
    assert_eq!(
        ask("reach,views".into(), "18040000000000004").await.status,
        200
    );
    w.env.sandbox.deprecate_metric("views", None);
    assert_eq!(
        ask("reach,views".into(), "18040000000000004").await.status,
        400
    );
    assert_eq!(ask("reach".into(), "18040000000000004").await.status, 200);
    w.env.sandbox.restore_metric("views", None);
    assert_eq!(
        ask("reach,views".into(), "18040000000000004").await.status,
        200
    );
}

#[tokio::test]
async fn stories_are_not_listed_and_few_viewers_answer_code_10() {
    let w = world().await;
    let token = w.ig_grant.access_token.as_str();
    let now = w.env.sandbox.now();
    w.env
        .sandbox
        .add_post(
            &w.ig,
            PostSpec::new(now - TimeDelta::hours(1))
                .with_id("18040000000000100")
                .with_media(MediaType::Image, ProductType::Story)
                .with_too_few_viewers(),
        )
        .unwrap();
    let list = w
        .env
        .get("/v25.0/me/media", &[("access_token", token)])
        .await;
    assert!(!ids(&list).contains(&"18040000000000100".to_owned()));
    let a = w
        .env
        .get(
            "/v25.0/18040000000000100/insights",
            &[("access_token", token), ("metric", "reach")],
        )
        .await;
    assert_eq!(a.status, 400);
    assert_eq!(a.json["error"]["code"], 10);
    assert!(
        a.json["error"]["message"]
            .as_str()
            .unwrap()
            .contains("Not enough viewers")
    );
}

#[tokio::test]
async fn unknown_fields_are_refused_and_future_posts_are_not_out_yet() {
    let w = world().await;
    let token = w.ig_grant.access_token.as_str();
    let a = w
        .env
        .get(
            "/v25.0/me/media",
            &[("access_token", token), ("fields", "id,impressions_count")],
        )
        .await;
    assert_eq!(a.status, 400);
    assert_eq!(a.json["error"]["code"], 100);
    let later = w.env.sandbox.now() + TimeDelta::hours(2);
    w.env
        .sandbox
        .add_post(&w.ig, PostSpec::new(later).with_id("18040000000000200"))
        .unwrap();
    let before = w
        .env
        .get("/v25.0/me/media", &[("access_token", token)])
        .await;
    assert_eq!(ids(&before).len(), 5);
    w.env.advance(TimeDelta::hours(2));
    let after = w
        .env
        .get("/v25.0/me/media", &[("access_token", token)])
        .await;
    assert_eq!(
        ids(&after).first().map(String::as_str),
        Some("18040000000000200")
    );
}

#[tokio::test]
async fn business_use_case_budget_throttles_and_calls_while_throttled_prolong_it() {
    let limits = RateLimits {
        instagram_user_throttle_code: 80002,
        ..RateLimits::default()
    };
    let w = world_with(limits).await;
    let small = w
        .env
        .sandbox
        .add_account(AccountSpec::instagram("tiny").with_instagram_calls_per_day(3))
        .unwrap();
    let token = w.env.sandbox.issue_tokens(&small).unwrap().access_token;
    let call = || async {
        w.env
            .get("/v25.0/me/media", &[("access_token", &token)])
            .await
    };
    let mut usage = Vec::new();
    for _ in 0..3 {
        let a = call().await;
        assert_eq!(a.status, 200);
        let h = a.header_json("x-business-use-case-usage").unwrap();
        usage.push(h[&small.id][0]["call_count"].as_u64().unwrap());
    }
    assert_eq!(usage, [33, 66, 100]);
    w.env.advance(TimeDelta::hours(1));
    let mut regain = Vec::new();
    for _ in 0..3 {
        let throttled = call().await;
        assert_eq!(throttled.status, 400);
        assert_eq!(throttled.json["error"]["code"], 80002);
        assert_eq!(throttled.json["error"]["is_transient"], true);
        let h = throttled.header_json("x-business-use-case-usage").unwrap();
        regain.push(
            h[&small.id][0]["estimated_time_to_regain_access"]
                .as_u64()
                .unwrap(),
        );
    }
    // Minutes until enough calls leave the rolling 24 h: calling on while
    // throttled pushes it back.
    assert_eq!(regain, [23 * 60, 23 * 60, 24 * 60]);
    assert_eq!(
        w.env
            .sandbox
            .rate_limited_count(Endpoint::InstagramMediaList),
        3
    );
    // The first calls have left the window after 24 h, but the throttled
    // calls counted too: the account is still over until they leave as well.
    w.env.advance(TimeDelta::hours(23));
    assert_eq!(call().await.status, 400);
    w.env.advance(TimeDelta::hours(25));
    assert_eq!(call().await.status, 200);
    // Other accounts never shared the budget.
    let other = w
        .env
        .get(
            "/v25.0/me/media",
            &[("access_token", &w.ig_grant.access_token)],
        )
        .await;
    assert_eq!(other.status, 200);
    assert!(w.env.sandbox.request_count(Endpoint::InstagramMediaList) >= 7);
}

#[tokio::test]
async fn facebook_login_code_and_long_lived_exchange_are_flat() {
    let w = world().await;
    let code = w.env.sandbox.authorization_code(&w.ig).unwrap();
    let short = w
        .env
        .post_form(
            "/v25.0/oauth/access_token",
            &[
                ("client_id", "1"),
                ("client_secret", "s"),
                ("code", &code),
                ("redirect_uri", "x"),
            ],
        )
        .await;
    assert_eq!(short.status, 200, "{}", short.text);
    assert_same_shape(
        "instagram/token_exchange_long_lived_success.json",
        &short.json,
    );
    assert_eq!(short.json["expires_in"], 3600);
    let long = w
        .env
        .get(
            "/v25.0/oauth/access_token",
            &[
                ("grant_type", "fb_exchange_token"),
                ("client_id", "1"),
                ("client_secret", "s"),
                (
                    "fb_exchange_token",
                    short.json["access_token"].as_str().unwrap(),
                ),
            ],
        )
        .await;
    assert_eq!(long.status, 200);
    assert_eq!(long.json["expires_in"], 60 * 86400);
    let reused = w
        .env
        .post_form("/v25.0/oauth/access_token", &[("code", &code)])
        .await;
    assert_eq!(reused.status, 400);
    assert_eq!(reused.json["error"]["code"], 100);
}

#[tokio::test]
async fn the_user_throttle_code_is_configurable() {
    for code in [17, 32, 613, 80002] {
        let limits = RateLimits {
            instagram_user_throttle_code: code,
            ..RateLimits::default()
        };
        let w = world_with(limits).await;
        let tiny = w
            .env
            .sandbox
            .add_account(AccountSpec::instagram("tiny").with_instagram_calls_per_day(0))
            .unwrap();
        let token = w.env.sandbox.issue_tokens(&tiny).unwrap().access_token;
        let a = w
            .env
            .get("/v25.0/me/media", &[("access_token", &token)])
            .await;
        assert_eq!(a.status, 400);
        assert_eq!(a.json["error"]["code"], code);
        assert_eq!(a.json["error"]["is_transient"], true);
        assert!(
            a.json["error"]["message"]
                .as_str()
                .unwrap()
                .starts_with(&format!("(#{code})"))
        );
    }
}
