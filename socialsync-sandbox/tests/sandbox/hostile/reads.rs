//! Hostile request behaviour: huge delays, huge token lifetimes, endless
//! pages, half-broken tokens and posts made private then public.

use super::*;
use chrono::TimeDelta;
use socialsync_sandbox::{EndlessCursor, Endpoint, Hostile, HugeLifetime, PostRef};

#[tokio::test]
async fn huge_delays_refuse_data_reads_in_each_platforms_rate_limit_shape() {
    let p = pair().await;
    let sb = &p.hostile.env().sandbox;
    for platform in PLATFORMS {
        sb.add_hostile(
            &p.hostile.ana(platform).account,
            Hostile::HugeRetryAfter { every: 1 },
        )
        .unwrap();
    }
    let env = p.hostile.env();
    let ig = read(env, p.hostile.ana(Platform::Instagram), "ig.list", None).await;
    assert_eq!(ig.status, 400);
    assert_eq!(ig.json["error"]["code"], 17);
    let buc = ig.header_json("x-business-use-case-usage").unwrap();
    assert_eq!(
        buc[IG_USER][0]["estimated_time_to_regain_access"],
        1u64 << 40
    );
    assert_eq!(buc[IG_USER][0]["call_count"], 100);
    let app = ig.header_json("x-app-usage").unwrap();
    assert_eq!(app["estimated_time_to_regain_access"], 1u64 << 40);
    let tt = read(env, p.hostile.ana(Platform::TikTok), "tt.query", None).await;
    assert_eq!(tt.status, 429);
    assert_eq!(tt.json["error"]["code"], "rate_limit_exceeded");
    assert_eq!(tt.headers["retry-after"], "999999999");
    let yt = read(env, p.hostile.ana(Platform::YouTube), "yt.videos", None).await;
    assert_eq!(yt.status, 429);
    assert_eq!(yt.json["error"]["errors"][0]["reason"], "rateLimitExceeded");
    assert_eq!(yt.headers["retry-after"], "999999999");
    assert_eq!(sb.rate_limited_count(Endpoint::TikTokVideoQuery), 1);
    // Refusals are answered before the platform's accounting: they spend
    // none of the app's budgets (YouTube's units here).
    assert_eq!(sb.youtube_units_used(), 0);
    // Token endpoints are not refused.
    let refresh = env
        .post_form(
            "/v2/oauth/token/",
            &[
                ("client_key", "key"),
                ("grant_type", "refresh_token"),
                (
                    "refresh_token",
                    p.hostile.ana(Platform::TikTok).refresh.as_deref().unwrap(),
                ),
            ],
        )
        .await;
    assert_eq!(refresh.status, 200);
    p.assert_ben_clean().await;
    assert_eq!(
        sb.youtube_units_used(),
        p.clean.env().sandbox.youtube_units_used(),
        "Ben's reads cost the same in both"
    );
}

#[tokio::test]
async fn huge_delays_every_n_refuse_the_first_read_and_every_nth_after() {
    let p = pair().await;
    let ana = p.hostile.ana(Platform::TikTok);
    p.hostile
        .env()
        .sandbox
        .add_hostile(&ana.account, Hostile::HugeRetryAfter { every: 2 })
        .unwrap();
    let mut statuses = Vec::new();
    for kind in ["tt.list", "tt.query", "tt.me", "tt.list", "tt.query"] {
        statuses.push(read(p.hostile.env(), ana, kind, None).await.status);
    }
    assert_eq!(statuses, [429, 200, 429, 200, 429]);
}

/// Ana's code exchange and refresh on `platform`.
async fn exchange_and_refresh(side: &Side, platform: Platform) -> (Answer, Answer) {
    exchange_and_refresh_of(side.env(), side.ana(platform)).await
}

/// Runs a code exchange (Instagram: and the long-lived exchange) and a
/// refresh for `a`; returns the answers that carry `expires_in`.
async fn exchange_and_refresh_of(env: &Env, a: &Acct) -> (Answer, Answer) {
    let code = env.sandbox.authorization_code(&a.account).unwrap();
    match a.account.platform {
        Platform::Instagram => {
            let short = env
                .post_form(
                    "/oauth/access_token",
                    &[("grant_type", "authorization_code"), ("code", &code)],
                )
                .await;
            let short = short.json["data"][0]["access_token"]
                .as_str()
                .unwrap()
                .to_owned();
            let long = env
                .get(
                    "/access_token",
                    &[
                        ("grant_type", "ig_exchange_token"),
                        ("access_token", &short),
                    ],
                )
                .await;
            let refreshed = env
                .get(
                    "/refresh_access_token",
                    &[
                        ("grant_type", "ig_refresh_token"),
                        ("access_token", &a.token),
                    ],
                )
                .await;
            (long, refreshed)
        }
        Platform::TikTok => {
            let ex = env
                .post_form(
                    "/v2/oauth/token/",
                    &[
                        ("client_key", "key"),
                        ("grant_type", "authorization_code"),
                        ("code", &code),
                    ],
                )
                .await;
            let refreshed = env
                .post_form(
                    "/v2/oauth/token/",
                    &[
                        ("client_key", "key"),
                        ("grant_type", "refresh_token"),
                        ("refresh_token", a.refresh.as_deref().unwrap()),
                    ],
                )
                .await;
            (ex, refreshed)
        }
        Platform::YouTube => {
            let ex = env
                .post_form(
                    "/token",
                    &[
                        ("client_id", "id"),
                        ("grant_type", "authorization_code"),
                        ("code", &code),
                    ],
                )
                .await;
            let refreshed = env
                .post_form(
                    "/token",
                    &[
                        ("client_id", "id"),
                        ("grant_type", "refresh_token"),
                        ("refresh_token", a.refresh.as_deref().unwrap()),
                    ],
                )
                .await;
            (ex, refreshed)
        }
        other => panic!("the sandbox does not simulate {other}"),
    }
}

#[tokio::test]
async fn token_answers_name_huge_lifetimes_while_tokens_still_expire() {
    let p = pair().await;
    let sb = &p.hostile.env().sandbox;
    let chosen = [
        (Platform::Instagram, HugeLifetime::TwoPow62),
        (Platform::TikTok, HugeLifetime::OneE18),
        (Platform::YouTube, HugeLifetime::I64Max),
    ];
    for (platform, value) in chosen {
        sb.add_hostile(
            &p.hostile.ana(platform).account,
            Hostile::HugeExpiresIn { value },
        )
        .unwrap();
    }
    // Instagram refreshes only tokens a day old.
    p.advance(TimeDelta::hours(25));
    for (platform, value) in chosen {
        let (ex, refreshed) = exchange_and_refresh(&p.hostile, platform).await;
        for answer in [&ex, &refreshed] {
            assert_eq!(answer.status, 200, "{platform}: {}", answer.text);
            assert_eq!(
                literals(&answer.text, "expires_in"),
                [value.text()],
                "{platform}"
            );
        }
        if platform == Platform::TikTok {
            for answer in [&ex, &refreshed] {
                assert_eq!(literals(&answer.text, "refresh_expires_in"), [value.text()]);
            }
        }
        let (ex, refreshed) =
            exchange_and_refresh_of(p.hostile.env(), p.hostile.ben(platform)).await;
        for answer in [&ex, &refreshed] {
            let normal = match platform {
                Platform::Instagram => "5184000",
                Platform::TikTok => "7200",
                Platform::YouTube => "3599",
                other => panic!("the sandbox does not simulate {other}"),
            };
            assert_eq!(
                literals(&answer.text, "expires_in"),
                [normal],
                "{platform} Ben"
            );
        }
    }
    // The TikTok token said to live 1e18 seconds dies after its 2 hours.
    let (ex, _) = exchange_and_refresh(&p.hostile, Platform::TikTok).await;
    let token = ex.json["access_token"].as_str().unwrap().to_owned();
    let mut ana = p.hostile.ana(Platform::TikTok).clone();
    ana.token = token;
    assert_eq!(read(p.hostile.env(), &ana, "tt.me", None).await.status, 200);
    p.advance(TimeDelta::hours(3));
    let dead = read(p.hostile.env(), &ana, "tt.me", None).await;
    assert_eq!(dead.status, 401);
    assert_eq!(dead.json["error"]["code"], "access_token_invalid");
}

/// Follows an Instagram listing for `pages` pages: per page the post ids
/// and the `after` cursor of its `next` link (`None` at the end).
async fn instagram_pages(env: &Env, a: &Acct, pages: usize) -> Vec<(Vec<String>, Option<String>)> {
    let mut out = Vec::new();
    let mut url = Some(env.url(&format!(
        "/v25.0/me/media?access_token={}&fields=id&limit=2",
        a.token
    )));
    while let (Some(u), true) = (url.take(), out.len() < pages) {
        let page = Answer::read(env.http.get(&u).send().await.unwrap()).await;
        assert_eq!(page.status, 200, "{}", page.text);
        let ids = page.json["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v["id"].as_str().unwrap().to_owned())
            .collect();
        url = page.json["paging"]["next"].as_str().map(str::to_owned);
        let after = url.as_deref().map(|u| {
            let query = u.split_once('?').unwrap().1;
            form_urlencoded_after(query)
        });
        out.push((ids, after));
    }
    out
}

fn form_urlencoded_after(query: &str) -> String {
    query
        .split('&')
        .find_map(|kv| kv.strip_prefix("after="))
        .unwrap_or_default()
        .to_owned()
}

async fn tiktok_pages(env: &Env, a: &Acct, pages: usize) -> Vec<(Vec<String>, i64, bool)> {
    let mut out = Vec::new();
    let mut cursor: Option<i64> = None;
    while out.len() < pages {
        let mut body = json!({ "max_count": 2 });
        if let Some(c) = cursor {
            body["cursor"] = json!(c);
        }
        let page = env
            .post_json("/v2/video/list/", &a.token, &[("fields", "id")], &body)
            .await;
        assert_eq!(page.status, 200, "{}", page.text);
        let data = &page.json["data"];
        let ids = data["videos"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v["id"].as_str().unwrap().to_owned())
            .collect();
        let has_more = data["has_more"].as_bool().unwrap();
        let next = data["cursor"].as_i64().unwrap();
        out.push((ids, next, has_more));
        if !has_more {
            break;
        }
        cursor = Some(next);
    }
    out
}

async fn youtube_pages(env: &Env, a: &Acct, pages: usize) -> Vec<(Vec<String>, Option<String>)> {
    let mut out = Vec::new();
    let mut token: Option<String> = None;
    while out.len() < pages {
        let playlist = uploads(&a.account.id);
        let mut query = vec![
            ("part", "contentDetails"),
            ("playlistId", playlist.as_str()),
            ("maxResults", "2"),
        ];
        if let Some(t) = &token {
            query.push(("pageToken", t.as_str()));
        }
        let page = env
            .get_bearer("/youtube/v3/playlistItems", &a.token, &query)
            .await;
        assert_eq!(page.status, 200, "{}", page.text);
        let ids = page.json["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v["contentDetails"]["videoId"].as_str().unwrap().to_owned())
            .collect();
        let next = page.json["nextPageToken"].as_str().map(str::to_owned);
        out.push((ids, next.clone()));
        match next {
            Some(n) => token = Some(n),
            None => break,
        }
    }
    out
}

fn distinct<T: Ord + Clone>(items: &[T]) -> usize {
    items
        .iter()
        .cloned()
        .collect::<std::collections::BTreeSet<T>>()
        .len()
}

#[tokio::test]
async fn endless_listings_go_on_with_empty_pages_after_the_real_ones() {
    let p = pair().await;
    let sb = &p.hostile.env().sandbox;
    let env = p.hostile.env();
    sb.add_hostile(
        &p.hostile.ana(Platform::Instagram).account,
        Hostile::EndlessPages {
            cursor: EndlessCursor::Fresh,
        },
    )
    .unwrap();
    sb.add_hostile(
        &p.hostile.ana(Platform::TikTok).account,
        Hostile::EndlessPages {
            cursor: EndlessCursor::Repeated,
        },
    )
    .unwrap();
    sb.add_hostile(
        &p.hostile.ana(Platform::YouTube).account,
        Hostile::EndlessPages {
            cursor: EndlessCursor::Fresh,
        },
    )
    .unwrap();

    let ig = instagram_pages(env, p.hostile.ana(Platform::Instagram), 8).await;
    assert_eq!(ig.len(), 8, "never ends");
    let real: Vec<String> = ig.iter().take(3).flat_map(|(ids, _)| ids.clone()).collect();
    let mut expected: Vec<String> = ANA_IG_POSTS.iter().map(|s| (*s).to_owned()).collect();
    expected.reverse();
    assert_eq!(real, expected, "the real pages come first");
    assert!(
        ig[3..]
            .iter()
            .all(|(ids, next)| ids.is_empty() && next.is_some())
    );
    let cursors: Vec<String> = ig.iter().filter_map(|(_, c)| c.clone()).collect();
    assert_eq!(distinct(&cursors), cursors.len(), "fresh cursors");

    let tt = tiktok_pages(env, p.hostile.ana(Platform::TikTok), 7).await;
    assert_eq!(tt.len(), 7);
    assert_eq!(tt[0].0, ["7441000000000000003", "7441000000000000002"]);
    assert_eq!(tt[1].0, ["7441000000000000001"]);
    assert!(tt.iter().all(|(_, _, more)| *more), "has_more for ever");
    assert!(
        tt[2..]
            .iter()
            .all(|(ids, c, _)| ids.is_empty() && *c == tt[1].1),
        "repeated"
    );

    let yt = youtube_pages(env, p.hostile.ana(Platform::YouTube), 6).await;
    assert_eq!(yt.len(), 6);
    assert_eq!(yt[0].0, ["Xk3mP9qL2aB", "Rt7uV1wZ0cD"]);
    assert_eq!(yt[1].0, ["Hn5jK8sE4fG"]);
    assert!(
        yt[2..]
            .iter()
            .all(|(ids, next)| ids.is_empty() && next.is_some())
    );
    let tokens: Vec<Option<String>> = yt.iter().map(|(_, t)| t.clone()).collect();
    assert_eq!(distinct(&tokens), tokens.len(), "fresh tokens");

    // Ben's listings end.
    assert_eq!(
        instagram_pages(env, p.hostile.ben(Platform::Instagram), 8)
            .await
            .len(),
        1
    );
    assert_eq!(
        tiktok_pages(env, p.hostile.ben(Platform::TikTok), 8)
            .await
            .len(),
        1
    );
    assert_eq!(
        youtube_pages(env, p.hostile.ben(Platform::YouTube), 8)
            .await
            .len(),
        1
    );
    p.assert_ben_clean().await;
}

#[tokio::test]
async fn endless_listings_of_an_account_without_posts_are_empty_from_the_first_page() {
    let p = pair().await;
    let env = p.hostile.env();
    let ana = p.hostile.ana(Platform::Instagram);
    env.sandbox
        .add_hostile(
            &ana.account,
            Hostile::EndlessPages {
                cursor: EndlessCursor::Repeated,
            },
        )
        .unwrap();
    env.sandbox
        .add_hostile(&ana.account, Hostile::HalfBrokenToken)
        .unwrap();
    let pages = instagram_pages(env, ana, 4).await;
    assert_eq!(pages.len(), 4);
    assert!(
        pages
            .iter()
            .all(|(ids, c)| ids.is_empty() && *c == pages[0].1)
    );
}

#[tokio::test]
async fn a_half_broken_token_reads_the_account_and_misses_every_post() {
    let p = pair().await;
    for platform in PLATFORMS {
        p.hostile
            .env()
            .sandbox
            .add_hostile(&p.hostile.ana(platform).account, Hostile::HalfBrokenToken)
            .unwrap();
    }
    for platform in PLATFORMS {
        let h = reads(p.hostile.env(), p.hostile.ana(platform)).await;
        let c = reads(p.clean.env(), p.clean.ana(platform)).await;
        for ((label, h), (_, c)) in h.iter().zip(&c) {
            match label.as_str() {
                "ig.me" | "tt.me" | "yt.me" => assert_same(label, h, c),
                "ig.list" => assert_eq!(h.json, json!({ "data": [] })),
                "tt.list" => {
                    assert_eq!(
                        h.json["data"],
                        json!({ "videos": [], "cursor": 0, "has_more": false })
                    )
                }
                "tt.query" => assert_eq!(h.json["data"], json!({ "videos": [] })),
                "yt.list" => {
                    assert_eq!(h.json["items"], json!([]));
                    assert!(h.json.get("nextPageToken").is_none());
                }
                "yt.videos" | "yt.stats" => assert_eq!(h.json["items"], json!([]), "{label}"),
                node_or_insights => {
                    assert_eq!(h.status, 400, "{node_or_insights}");
                    assert_eq!(h.json["error"]["code"], 100);
                    assert_eq!(h.json["error"]["error_subcode"], 33);
                }
            }
            assert_eq!(c.status, 200, "{label} clean");
        }
    }
    // The posts' counts stay: the account read says nothing is missing.
    let me = read(
        p.hostile.env(),
        p.hostile.ana(Platform::TikTok),
        "tt.me",
        None,
    )
    .await;
    assert_eq!(me.json["data"]["user"]["video_count"], 3);
    // The posts are there for another token.
    let mut ben = p.hostile.ben(Platform::YouTube).clone();
    ben.posts = ANA_YT_POSTS.iter().map(|s| (*s).to_owned()).collect();
    let seen = read(p.hostile.env(), &ben, "yt.videos", None).await;
    assert_eq!(seen.json["items"].as_array().unwrap().len(), 3);
    p.assert_ben_clean().await;
}

#[tokio::test]
async fn a_post_made_private_disappears_then_comes_back_with_its_history() {
    let p = pair().await;
    let env = p.hostile.env();
    let sb = &env.sandbox;
    let now = sb.now();
    let ig_post = PostRef {
        platform: Platform::Instagram,
        id: "18040000000000004".into(),
    };
    sb.make_private(&ig_post, Some(now + TimeDelta::hours(2)))
        .unwrap();
    // Through the admin API: TikTok until a time, YouTube until made public.
    let until = (now + TimeDelta::hours(2)).to_rfc3339();
    let r = env
        .http
        .post(env.url("/sandbox/posts/tiktok/7441000000000000002/private"))
        .json(&json!({ "until": until }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let r = env
        .http
        .post(env.url("/sandbox/posts/youtube/Xk3mP9qL2aB/private"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(
        sb.private_posts(&p.hostile.ana(Platform::TikTok).account)
            .len(),
        1
    );

    let ig = p.hostile.ana(Platform::Instagram);
    let list = read(env, ig, "ig.list", None).await;
    let ids: Vec<&str> = list.json["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["id"].as_str().unwrap())
        .collect();
    assert!(!ids.contains(&"18040000000000004"));
    assert_eq!(ids.len(), 4);
    let node = read(env, ig, "ig.node", Some("18040000000000004")).await;
    assert_eq!(node.json["error"]["error_subcode"], 33);
    let me = read(env, ig, "ig.me", None).await;
    assert_eq!(me.json["media_count"], 4);
    let tt = p.hostile.ana(Platform::TikTok);
    let query = read(env, tt, "tt.query", None).await;
    let ids: Vec<&str> = query.json["data"]["videos"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["7441000000000000001", "7441000000000000003"]);
    assert_eq!(
        read(env, tt, "tt.me", None).await.json["data"]["user"]["video_count"],
        2
    );
    // YouTube: gone for other tokens; the owner still sees it, private.
    let mut ben = p.hostile.ben(Platform::YouTube).clone();
    ben.posts = vec!["Xk3mP9qL2aB".into()];
    assert_eq!(
        read(env, &ben, "yt.videos", None).await.json["items"],
        json!([])
    );
    let yt = p.hostile.ana(Platform::YouTube);
    let own = read(env, yt, "yt.videos", None).await;
    assert_eq!(own.json["items"][2]["status"]["privacyStatus"], "private");
    let listed = read(env, yt, "yt.list", None).await;
    assert!(
        listed.json["items"][0]["contentDetails"]
            .get("videoPublishedAt")
            .is_none()
    );

    // Two hours on: back, with the metrics they would have had all along.
    p.advance(TimeDelta::hours(2));
    let r = env
        .http
        .post(env.url("/sandbox/posts/youtube/Xk3mP9qL2aB/public"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(
        sb.private_posts(&p.hostile.ana(Platform::TikTok).account)
            .is_empty()
    );
    for platform in PLATFORMS {
        let h = reads(env, p.hostile.ana(platform)).await;
        let c = reads(p.clean.env(), p.clean.ana(platform)).await;
        for ((label, h), (_, c)) in h.iter().zip(&c) {
            assert_same(label, h, c);
        }
    }
    p.assert_ben_clean().await;
}
