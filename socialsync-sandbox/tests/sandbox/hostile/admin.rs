//! Hostile mode through the admin API, everything at once, and off again.

use super::*;
use socialsync_sandbox::{Hostile, HostileKind, PostPick};

async fn call(env: &Env, method: reqwest::Method, path: &str, body: Option<Value>) -> Answer {
    let mut r = env.http.request(method, env.url(path));
    if let Some(b) = body {
        r = r.json(&b);
    }
    Answer::read(r.send().await.unwrap()).await
}

#[tokio::test]
async fn the_admin_api_turns_values_on_lists_them_and_turns_them_off() {
    let p = pair().await;
    let env = p.hostile.env();
    let tt = format!("/sandbox/hostile/tiktok/{TT_OPEN_ID}");
    let post = reqwest::Method::POST;
    let on = call(env, post.clone(), &tt, Some(json!({ "type": "nul_text" }))).await;
    assert_eq!(on.status, 200, "{}", on.text);
    let on = call(
        env,
        post.clone(),
        &tt,
        Some(json!({
            "type": "bad_counters",
            "posts": { "one_in": 2 },
            "metric": "shares",
            "value": "beyond_64_bits",
        })),
    )
    .await;
    assert_eq!(on.status, 200, "{}", on.text);
    let listing = call(env, reqwest::Method::GET, "/sandbox/hostile", None).await;
    assert_eq!(
        listing.json,
        json!([{
            "account": { "platform": "tiktok", "id": TT_OPEN_ID },
            "values": [
                { "type": "nul_text" },
                { "type": "bad_counters", "posts": { "one_in": 2 }, "metric": "shares", "value": "beyond_64_bits" },
            ],
        }])
    );
    let report = call(env, reqwest::Method::GET, &tt, None).await;
    assert_eq!(
        report.json["spoiled_counters"],
        json!([
            { "post": { "platform": "tiktok", "id": "7441000000000000001" }, "metric": "shares", "value": "beyond_64_bits" },
            { "post": { "platform": "tiktok", "id": "7441000000000000003" }, "metric": "shares", "value": "beyond_64_bits" },
        ])
    );
    assert_eq!(report.json["private_posts"], json!([]));
    let query = read(env, p.hostile.ana(Platform::TikTok), "tt.query", None).await;
    assert_eq!(
        literals(&query.text, "share_count"),
        ["18446744073709551621", "12", "18446744073709551621"]
    );
    assert!(query.text.contains("\\u0000"));

    let off = call(
        env,
        reqwest::Method::DELETE,
        &format!("{tt}/nul_text"),
        None,
    )
    .await;
    assert_eq!(off.status, 200);
    assert_eq!(
        env.sandbox
            .hostile(&p.hostile.ana(Platform::TikTok).account)
            .len(),
        1
    );
    let off = call(env, reqwest::Method::DELETE, &tt, None).await;
    assert_eq!(off.status, 200);
    assert_eq!(
        call(env, reqwest::Method::GET, "/sandbox/hostile", None)
            .await
            .json,
        json!([])
    );
    let h = read(env, p.hostile.ana(Platform::TikTok), "tt.query", None).await;
    let c = read(
        p.clean.env(),
        p.clean.ana(Platform::TikTok),
        "tt.query",
        None,
    )
    .await;
    assert_same("after off", &h, &c);
}

#[tokio::test]
async fn the_admin_api_refuses_values_it_cannot_serve() {
    let p = pair().await;
    let env = p.hostile.env();
    let post = reqwest::Method::POST;
    let tt = format!("/sandbox/hostile/tiktok/{TT_OPEN_ID}");
    for (body, why) in [
        (
            json!({ "type": "bad_counters", "posts": { "one_in": 0 } }),
            "one_in 0",
        ),
        (
            json!({ "type": "bad_counters", "metric": "saves" }),
            "TikTok has no saves",
        ),
        (
            json!({ "type": "bad_counters", "posts": { "post": "7441000000000000101" } }),
            "Ben's post",
        ),
        (json!({ "type": "huge_retry_after", "every": 0 }), "every 0"),
        (
            json!({ "type": "future_publish_times", "when": { "years_ahead": 0 } }),
            "0 years",
        ),
    ] {
        let r = call(env, post.clone(), &tt, Some(body)).await;
        assert_eq!(r.status, 400, "{why}: {}", r.text);
        assert!(r.json["error"].is_string(), "{why}");
    }
    let r = call(
        env,
        post.clone(),
        &tt,
        Some(json!({ "type": "bad_counters", "posts": { "post": "7441000000000000999" } })),
    )
    .await;
    assert_eq!(r.status, 404);
    let r = call(
        env,
        post.clone(),
        "/sandbox/hostile/tiktok/nobody",
        Some(json!({ "type": "nul_text" })),
    )
    .await;
    assert_eq!(r.status, 404);
    let r = call(
        env,
        reqwest::Method::GET,
        "/sandbox/hostile/tiktok/nobody",
        None,
    )
    .await;
    assert_eq!(r.status, 404);
    assert!(
        env.sandbox.hostile_accounts().is_empty(),
        "nothing was turned on"
    );
}

#[tokio::test]
async fn everything_at_once_leaves_the_clean_accounts_clean_and_turns_off_cleanly() {
    let p = pair().await;
    let env = p.hostile.env();
    for platform in PLATFORMS {
        let a = &p.hostile.ana(platform).account;
        let r = call(
            env,
            reqwest::Method::POST,
            &format!("/sandbox/hostile/{platform}/{}/all", a.id),
            None,
        )
        .await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(env.sandbox.hostile(a), Hostile::everything());
    }
    assert_eq!(env.sandbox.hostile_accounts().len(), 3);
    // One post in three is private for a day.
    assert_eq!(
        env.sandbox
            .private_posts(&p.hostile.ana(Platform::Instagram).account)
            .len(),
        2
    );
    for round in 0..3 {
        for platform in PLATFORMS {
            for (label, h) in reads(env, p.hostile.ana(platform)).await {
                assert!(
                    [200, 400, 429].contains(&h.status),
                    "round {round} {label}: {}",
                    h.text
                );
            }
        }
        p.assert_ben_clean().await;
    }
    // With the half-broken token off, the post values show.
    for platform in PLATFORMS {
        env.sandbox
            .remove_hostile(
                &p.hostile.ana(platform).account,
                HostileKind::HalfBrokenToken,
            )
            .unwrap();
    }
    let ana = p.hostile.ana(Platform::TikTok);
    let mut query = read(env, ana, "tt.query", None).await;
    while query.status == 429 {
        query = read(env, ana, "tt.query", None).await;
    }
    assert!(query.text.contains("\\u0000"), "{}", query.text);
    let served = literals(&query.text, "view_count");
    assert_eq!(
        served.len(),
        2,
        "the oldest of three is private: {}",
        query.text
    );
    // Off again: Ana is served as in the clean sandbox.
    for platform in PLATFORMS {
        env.sandbox
            .clear_hostile(&p.hostile.ana(platform).account)
            .unwrap();
    }
    assert!(env.sandbox.hostile_accounts().is_empty());
    for platform in PLATFORMS {
        let h = reads(env, p.hostile.ana(platform)).await;
        let c = reads(p.clean.env(), p.clean.ana(platform)).await;
        for ((label, h), (_, c)) in h.iter().zip(&c) {
            assert_same(label, h, c);
        }
    }
}

#[tokio::test]
async fn a_private_spell_value_hides_chosen_posts_for_its_hours() {
    let p = pair().await;
    let sb = &p.hostile.env().sandbox;
    let ana = p.hostile.ana(Platform::Instagram);
    sb.add_hostile(
        &ana.account,
        Hostile::PrivateSpell {
            posts: PostPick::Post("18040000000000005".into()),
            hours: 5,
        },
    )
    .unwrap();
    let private = sb.private_posts(&ana.account);
    assert_eq!(private.len(), 1);
    assert_eq!(
        private[0].until,
        Some(sb.now() + chrono::TimeDelta::hours(5))
    );
    let me = read(p.hostile.env(), ana, "ig.me", None).await;
    assert_eq!(me.json["media_count"], 4);
    p.advance(chrono::TimeDelta::hours(5));
    let h = read(p.hostile.env(), ana, "ig.list", None).await;
    let c = read(
        p.clean.env(),
        p.clean.ana(Platform::Instagram),
        "ig.list",
        None,
    )
    .await;
    assert_same("back", &h, &c);
    // Removing the value ends a spell at once.
    sb.add_hostile(
        &ana.account,
        Hostile::PrivateSpell {
            posts: PostPick::All,
            hours: 0,
        },
    )
    .unwrap();
    assert_eq!(sb.private_posts(&ana.account).len(), 5);
    sb.remove_hostile(&ana.account, HostileKind::PrivateSpell)
        .unwrap();
    assert!(sb.private_posts(&ana.account).is_empty());
    assert!(sb.hostile(&ana.account).is_empty());
}
