//! YouTube behaviour: uploads paging, 50-id batches, statistics as strings
//! with hidden ones absent, private and scheduled videos, the daily quota
//! and Google's token lifecycle.

use crate::common::*;
use chrono::TimeDelta;
use socialsync_core::platform::Platform;
use socialsync_sandbox::{
    AccountSpec, Endpoint, Metric, PostRef, PostSpec, RateLimits, RevokeReason, Visibility,
};

fn post(id: &str) -> PostRef {
    PostRef {
        platform: Platform::YouTube,
        id: id.to_owned(),
    }
}

fn item_ids(a: &Answer, pointer: &str) -> Vec<String> {
    a.json["items"]
        .as_array()
        .map(|v| {
            v.iter()
                .filter_map(|x| {
                    x.pointer(pointer)
                        .and_then(|s| s.as_str())
                        .map(str::to_owned)
                })
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn uploads_playlist_pages_to_the_end_by_page_token() {
    let w = world().await;
    w.env
        .sandbox
        .add_generated_posts(
            &w.yt,
            9,
            ts("2026-10-01T00:00:00Z"),
            TimeDelta::days(1),
            &[],
        )
        .unwrap();
    let token = w.yt_grant.access_token.as_str();
    let mut seen = Vec::new();
    let mut page_token: Option<String> = None;
    let mut pages = 0;
    loop {
        let mut q = vec![
            ("part", "snippet,contentDetails"),
            ("playlistId", YT_UPLOADS),
            ("maxResults", "5"),
        ];
        if let Some(t) = page_token.as_deref() {
            q.push(("pageToken", t));
        }
        let a = w
            .env
            .get_bearer("/youtube/v3/playlistItems", token, &q)
            .await;
        assert_eq!(a.status, 200, "{}", a.text);
        pages += 1;
        assert_eq!(a.json["pageInfo"]["totalResults"], 12);
        seen.extend(item_ids(&a, "/contentDetails/videoId"));
        match a.json["nextPageToken"].as_str() {
            Some(t) => page_token = Some(t.to_owned()),
            None => break,
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(seen.len(), 12);
    assert_eq!(seen[0], "Xk3mP9qL2aB", "newest upload first");
    let bad = w
        .env
        .get_bearer(
            "/youtube/v3/playlistItems",
            token,
            &[
                ("part", "snippet"),
                ("playlistId", YT_UPLOADS),
                ("pageToken", "garbage!"),
            ],
        )
        .await;
    assert_eq!(bad.status, 400);
    assert_eq!(bad.json["error"]["errors"][0]["reason"], "invalidPageToken");
    let big = w
        .env
        .get_bearer(
            "/youtube/v3/playlistItems",
            token,
            &[
                ("part", "snippet"),
                ("playlistId", YT_UPLOADS),
                ("maxResults", "51"),
            ],
        )
        .await;
    assert_eq!(big.status, 400);
}

#[tokio::test]
async fn playlist_add_time_differs_from_the_video_publish_time() {
    let w = world().await;
    let a = w
        .env
        .get_bearer(
            "/youtube/v3/playlistItems",
            &w.yt_grant.access_token,
            &[
                ("part", "snippet,contentDetails"),
                ("playlistId", YT_UPLOADS),
            ],
        )
        .await;
    let item = &a.json["items"][1];
    assert_eq!(item["contentDetails"]["videoId"], "Rt7uV1wZ0cD");
    assert_eq!(item["snippet"]["publishedAt"], "2026-11-20T08:12:45Z");
    assert_eq!(
        item["contentDetails"]["videoPublishedAt"],
        "2026-11-21T15:00:00Z"
    );
}

#[tokio::test]
async fn videos_list_takes_50_ids_leaves_out_the_missing_and_refuses_51() {
    let w = world().await;
    let token = w.yt_grant.access_token.as_str();
    let mut ids: Vec<String> = (0..49).map(|i| format!("missing{i:04}")).collect();
    ids.push("Xk3mP9qL2aB".into());
    let fifty = ids.join(",");
    let a = w
        .env
        .get_bearer(
            "/youtube/v3/videos",
            token,
            &[("part", "statistics"), ("id", &fifty)],
        )
        .await;
    assert_eq!(a.status, 200);
    assert_eq!(item_ids(&a, "/id"), ["Xk3mP9qL2aB"]);
    assert_eq!(a.json["pageInfo"]["totalResults"], 1);
    ids.push("Hn5jK8sE4fG".into());
    let refused = w
        .env
        .get_bearer(
            "/youtube/v3/videos",
            token,
            &[("part", "statistics"), ("id", &ids.join(","))],
        )
        .await;
    assert_eq!(refused.status, 400);
    assert_eq!(
        refused.json["error"]["errors"][0]["reason"],
        "invalidFilters"
    );
    w.env.sandbox.delete_post(&post("Xk3mP9qL2aB")).unwrap();
    let gone = w
        .env
        .get_bearer(
            "/youtube/v3/videos",
            token,
            &[("part", "statistics"), ("id", "Xk3mP9qL2aB")],
        )
        .await;
    assert_eq!(gone.status, 200);
    assert_eq!(
        gone.json["items"],
        serde_json::json!([]),
        "a deleted id is silently absent"
    );
}

#[tokio::test]
async fn statistics_are_strings_hidden_ones_absent_and_they_follow_the_clock() {
    let w = world().await;
    let token = w.yt_grant.access_token.clone();
    let read = |token: String| {
        let env = &w.env;
        async move {
            env.get_bearer(
                "/youtube/v3/videos",
                &token,
                &[("part", "statistics"), ("id", "Xk3mP9qL2aB,Hn5jK8sE4fG")],
            )
            .await
        }
    };
    let a = read(token.clone()).await;
    let s0 = &a.json["items"][0]["statistics"];
    assert!(s0["viewCount"].is_string());
    let views0: u64 = s0["viewCount"].as_str().unwrap().parse().unwrap();
    assert!(
        a.json["items"][1]["statistics"]
            .get("commentCount")
            .is_none(),
        "comments off"
    );
    w.env
        .sandbox
        .set_likes_hidden(&post("Xk3mP9qL2aB"), true)
        .unwrap();
    w.env.advance(TimeDelta::minutes(30));
    let b = read(token).await;
    let s1 = &b.json["items"][0]["statistics"];
    assert!(s1.get("likeCount").is_none(), "ratings hidden");
    let views1: u64 = s1["viewCount"].as_str().unwrap().parse().unwrap();
    assert_eq!(views1, views0 + 5);
    assert_eq!(
        views1,
        w.env
            .sandbox
            .metric_value(&post("Xk3mP9qL2aB"), Metric::Views)
            .unwrap()
    );
    // Another channel's token sees no dislikes.
    let other = w
        .env
        .sandbox
        .add_account(AccountSpec::youtube("bo", "Bo"))
        .unwrap();
    let bo = w.env.sandbox.issue_tokens(&other).unwrap();
    let c = read(bo.access_token).await;
    assert!(
        c.json["items"][0]["statistics"]
            .get("dislikeCount")
            .is_none()
    );
    assert!(b.json["items"][1]["statistics"]["dislikeCount"].is_string());
}

#[tokio::test]
async fn private_and_scheduled_videos_show_to_the_owner_only_until_public() {
    let w = world().await;
    let now = w.env.sandbox.now();
    let scheduled = w
        .env
        .sandbox
        .add_post(
            &w.yt,
            PostSpec::new(now + TimeDelta::hours(5))
                .with_uploaded_at(now - TimeDelta::hours(1))
                .with_title("Premiere"),
        )
        .unwrap();
    let private = w
        .env
        .sandbox
        .add_post(
            &w.yt,
            PostSpec::new(now - TimeDelta::hours(3)).with_visibility(Visibility::Private),
        )
        .unwrap();
    let ids = format!("{},{}", scheduled.id, private.id);
    let owner = w.yt_grant.access_token.as_str();
    let a = w
        .env
        .get_bearer(
            "/youtube/v3/videos",
            owner,
            &[("part", "status"), ("id", &ids)],
        )
        .await;
    assert_eq!(a.json["items"][0]["status"]["privacyStatus"], "private");
    assert!(a.json["items"][0]["status"]["publishAt"].is_string());
    assert_eq!(a.json["items"][1]["status"]["privacyStatus"], "private");
    let playlist = w
        .env
        .get_bearer(
            "/youtube/v3/playlistItems",
            owner,
            &[("part", "contentDetails"), ("playlistId", YT_UPLOADS)],
        )
        .await;
    let first = &playlist.json["items"][0]["contentDetails"];
    assert_eq!(first["videoId"], scheduled.id.as_str());
    assert!(first.get("videoPublishedAt").is_none(), "not public yet");

    let other = w
        .env
        .sandbox
        .add_account(AccountSpec::youtube("bo", "Bo"))
        .unwrap();
    let stranger = w.env.sandbox.issue_tokens(&other).unwrap();
    let b = w
        .env
        .get_bearer(
            "/youtube/v3/videos",
            &stranger.access_token,
            &[("part", "status"), ("id", &ids)],
        )
        .await;
    assert_eq!(b.json["items"], serde_json::json!([]));

    w.env.advance(TimeDelta::hours(6));
    let fresh = w.env.sandbox.issue_tokens(&w.yt).unwrap();
    let c = w
        .env
        .get_bearer(
            "/youtube/v3/videos",
            &fresh.access_token,
            &[("part", "status"), ("id", &ids)],
        )
        .await;
    assert_eq!(c.json["items"][0]["status"]["privacyStatus"], "public");
    assert!(c.json["items"][0]["status"].get("publishAt").is_none());
}

#[tokio::test]
async fn every_request_costs_a_unit_until_pacific_midnight() {
    let limits = RateLimits {
        youtube_daily_units: 3,
        youtube_batch_get_stats_daily_units: 1,
        ..RateLimits::default()
    };
    let w = world_with(limits).await;
    // 2026-11-28T12:42Z is 04:42 PST; midnight Pacific is 08:00Z next day.
    let token = w.yt_grant.access_token.as_str();
    let call = |token: &'static str| {
        let env = &w.env;
        async move {
            env.get_bearer(
                "/youtube/v3/videos",
                token,
                &[("part", "statistics"), ("id", "Xk3mP9qL2aB")],
            )
            .await
        }
    };
    assert_eq!(
        call("ya29.invalid").await.status,
        401,
        "refused, still charged"
    );
    let ok = w
        .env
        .get_bearer(
            "/youtube/v3/videos",
            token,
            &[("part", "statistics"), ("id", "Xk3mP9qL2aB")],
        )
        .await;
    assert_eq!(ok.status, 200);
    let ch = w
        .env
        .get_bearer(
            "/youtube/v3/channels",
            token,
            &[("part", "id"), ("mine", "true")],
        )
        .await;
    assert_eq!(ch.status, 200);
    assert_eq!(w.env.sandbox.youtube_units_used(), 3);
    let over = w
        .env
        .get_bearer(
            "/youtube/v3/channels",
            token,
            &[("part", "id"), ("mine", "true")],
        )
        .await;
    assert_eq!(over.status, 403);
    assert_eq!(over.json["error"]["errors"][0]["reason"], "quotaExceeded");
    assert_eq!(
        w.env.sandbox.rate_limited_count(Endpoint::YouTubeChannels),
        1
    );
    assert_eq!(
        w.env.sandbox.platform_rate_limited_count(Platform::YouTube),
        1
    );
    // batchGetStats has its own bucket.
    let stats = w
        .env
        .get_bearer(
            "/youtube/v3/videos:batchGetStats",
            token,
            &[("part", "statistics"), ("id", "Xk3mP9qL2aB")],
        )
        .await;
    assert_eq!(stats.status, 200);
    w.env.clock.set(ts("2026-11-29T07:59:59Z"));
    let fresh = w.env.sandbox.issue_tokens(&w.yt).unwrap();
    let still = w
        .env
        .get_bearer(
            "/youtube/v3/channels",
            &fresh.access_token,
            &[("part", "id"), ("mine", "true")],
        )
        .await;
    assert_eq!(still.status, 403, "23:59:59 Pacific is the same day");
    w.env.clock.set(ts("2026-11-29T08:00:00Z"));
    let next_day = w
        .env
        .get_bearer(
            "/youtube/v3/channels",
            &fresh.access_token,
            &[("part", "id"), ("mine", "true")],
        )
        .await;
    assert_eq!(next_day.status, 200);
    assert_eq!(w.env.sandbox.request_count(Endpoint::YouTubeChannels), 4);
}

#[tokio::test]
async fn google_refresh_keeps_the_refresh_token_and_access_tokens_expire_in_an_hour() {
    let w = world().await;
    let rt = w.yt_grant.refresh_token.clone().unwrap();
    let form = [
        ("client_id", "id"),
        ("client_secret", "secret"),
        ("refresh_token", rt.as_str()),
        ("grant_type", "refresh_token"),
    ];
    w.env.advance(TimeDelta::seconds(3599));
    let expired = w
        .env
        .get_bearer(
            "/youtube/v3/channels",
            &w.yt_grant.access_token,
            &[("part", "id"), ("mine", "true")],
        )
        .await;
    assert_eq!(expired.status, 401);
    assert_eq!(expired.json["error"]["errors"][0]["reason"], "authError");
    assert!(expired.headers.contains_key("www-authenticate"));
    for _ in 0..2 {
        let r = w.env.post_form("/token", &form).await;
        assert_eq!(r.status, 200);
        assert!(r.json.get("refresh_token").is_none());
        assert_eq!(r.json["expires_in"], 3599);
        let token = r.json["access_token"].as_str().unwrap();
        let ok = w
            .env
            .get_bearer(
                "/youtube/v3/channels",
                token,
                &[("part", "id"), ("mine", "true")],
            )
            .await;
        assert_eq!(ok.status, 200);
    }
    // Code exchange hands out a refresh token; revoking through Google's
    // endpoint kills the whole grant.
    let code = w.env.sandbox.authorization_code(&w.yt).unwrap();
    let ex = w
        .env
        .post_form(
            "/token",
            &[
                ("client_id", "id"),
                ("code", &code),
                ("grant_type", "authorization_code"),
            ],
        )
        .await;
    assert_eq!(ex.status, 200);
    let new_rt = ex.json["refresh_token"].as_str().unwrap().to_owned();
    let revoke = w
        .env
        .post_form(&format!("/revoke?token={new_rt}"), &[])
        .await;
    assert_eq!(revoke.status, 200);
    let refused = w
        .env
        .post_form(
            "/token",
            &[
                ("client_id", "id"),
                ("refresh_token", &new_rt),
                ("grant_type", "refresh_token"),
            ],
        )
        .await;
    assert_eq!(refused.status, 400);
    assert_eq!(refused.json["error"], "invalid_grant");
    // The older grant is untouched; revoking the account ends it too.
    assert_eq!(w.env.post_form("/token", &form).await.status, 200);
    w.env
        .sandbox
        .revoke(&w.yt, RevokeReason::AppRemoved)
        .unwrap();
    assert_eq!(
        w.env.post_form("/token", &form).await.json["error"],
        "invalid_grant"
    );
}

#[tokio::test]
async fn channel_identity_comes_from_the_snippet() {
    let w = world().await;
    let a = w
        .env
        .get_bearer(
            "/youtube/v3/channels",
            &w.yt_grant.access_token,
            &[("part", "snippet,contentDetails"), ("mine", "true")],
        )
        .await;
    assert_eq!(a.json["items"][0]["id"], YT_CHANNEL);
    assert_eq!(a.json["items"][0]["snippet"]["title"], "Ana Creates");
}

#[tokio::test]
async fn a_forged_page_token_past_the_end_gives_an_empty_page_not_a_crash() {
    use base64::Engine;
    let w = world().await;
    let token =
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("PT:{}", usize::MAX));
    let a = w
        .env
        .get_bearer(
            "/youtube/v3/playlistItems",
            &w.yt_grant.access_token,
            &[
                ("part", "snippet"),
                ("playlistId", YT_UPLOADS),
                ("pageToken", &token),
            ],
        )
        .await;
    assert_eq!(a.status, 200, "{}", a.text);
    assert_eq!(a.json["items"], serde_json::json!([]));
    assert!(a.json.get("nextPageToken").is_none());
}

#[tokio::test]
async fn per_minute_limit_answers_429_rate_limit_exceeded() {
    let limits = RateLimits {
        youtube_queries_per_minute: Some(2),
        ..RateLimits::default()
    };
    let w = world_with(limits).await;
    let call = || async {
        w.env
            .get_bearer(
                "/youtube/v3/channels",
                &w.yt_grant.access_token,
                &[("part", "id"), ("mine", "true")],
            )
            .await
    };
    assert_eq!(call().await.status, 200);
    assert_eq!(call().await.status, 200);
    let over = call().await;
    assert_eq!(over.status, 429);
    assert_eq!(
        over.json["error"]["errors"][0]["reason"],
        "rateLimitExceeded"
    );
    assert_eq!(over.json["error"]["status"], "RESOURCE_EXHAUSTED");
    w.env.advance(TimeDelta::seconds(60));
    assert_eq!(call().await.status, 200);
}

#[tokio::test]
async fn testing_mode_refresh_tokens_die_after_seven_days() {
    use socialsync_sandbox::{Sandbox, TokenLifetimes};
    let clock = std::sync::Arc::new(socialsync_core::clock::ManualClock::at(ts(
        "2026-11-28T00:00:00Z",
    )));
    let sb = Sandbox::builder()
        .clock(clock.clone())
        .token_lifetimes(TokenLifetimes {
            google_refresh: Some(TimeDelta::days(7)),
            ..TokenLifetimes::default()
        })
        .build();
    let running = sb.start().await.unwrap();
    let yt = sb.add_account(AccountSpec::youtube("a", "A")).unwrap();
    let rt = sb.issue_tokens(&yt).unwrap().refresh_token.unwrap();
    let http = reqwest::Client::new();
    let refresh = || async {
        let r = http
            .post(running.google_token_url())
            .form(&[
                ("client_id", "id"),
                ("grant_type", "refresh_token"),
                ("refresh_token", &rt),
            ])
            .send()
            .await
            .unwrap();
        Answer::read(r).await
    };
    clock.advance(TimeDelta::days(6));
    assert_eq!(refresh().await.status, 200);
    clock.advance(TimeDelta::days(1));
    let dead = refresh().await;
    assert_eq!(dead.status, 400);
    assert_eq!(dead.json["error"], "invalid_grant");
}

#[tokio::test]
async fn too_many_reconnections_retire_the_oldest_refresh_token() {
    use socialsync_sandbox::{Sandbox, TokenLifetimes};
    let clock = std::sync::Arc::new(socialsync_core::clock::ManualClock::at(ts(
        "2026-11-28T00:00:00Z",
    )));
    let sb = Sandbox::builder()
        .clock(clock.clone())
        .token_lifetimes(TokenLifetimes {
            google_max_refresh_tokens: Some(2),
            ..TokenLifetimes::default()
        })
        .build();
    let running = sb.start().await.unwrap();
    let yt = sb.add_account(AccountSpec::youtube("a", "A")).unwrap();
    let grants: Vec<String> = (0..3)
        .map(|_| sb.issue_tokens(&yt).unwrap().refresh_token.unwrap())
        .collect();
    let http = reqwest::Client::new();
    let mut statuses = Vec::new();
    for rt in &grants {
        let r = http
            .post(running.google_token_url())
            .form(&[
                ("client_id", "id"),
                ("grant_type", "refresh_token"),
                ("refresh_token", rt),
            ])
            .send()
            .await
            .unwrap();
        statuses.push(r.status().as_u16());
    }
    assert_eq!(statuses, [400, 200, 200], "the oldest of three died");
}
