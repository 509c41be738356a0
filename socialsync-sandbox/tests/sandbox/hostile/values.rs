//! Hostile values in the bodies: NUL text, bad counters, bad post counts,
//! future publish times and overflowing values.

use super::*;
use serde_json::Value;
use socialsync_sandbox::hostile::with_nuls;
use socialsync_sandbox::{
    BadNumber, FutureTime, Hostile, Metric, PostPick, PostRef, SpoiledCounter,
};

/// Ana's reads in both sandboxes, read by read.
async fn both(p: &Pair, platform: Platform) -> Vec<(String, Answer, Answer)> {
    let h = reads(p.hostile.env(), p.hostile.ana(platform)).await;
    let c = reads(p.clean.env(), p.clean.ana(platform)).await;
    h.into_iter()
        .zip(c)
        .map(|((label, h), (_, c))| (label, h, c))
        .collect()
}

fn find<'a>(reads: &'a [(String, Answer, Answer)], label: &str) -> (&'a Answer, &'a Answer) {
    let (_, h, c) = reads
        .iter()
        .find(|(l, _, _)| l == label)
        .unwrap_or_else(|| panic!("no read {label}"));
    (h, c)
}

/// Asserts the string at `pointer` is the clean one with NULs in it.
fn assert_nul_at(h: &Value, c: &Value, pointer: &str) {
    let clean = c
        .pointer(pointer)
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("{pointer} in {c}"));
    assert_eq!(
        h.pointer(pointer).and_then(Value::as_str),
        Some(with_nuls(clean).as_str()),
        "{pointer}"
    );
}

/// The JSON literal a number-typed counter carries for `b`.
fn number_literal(b: BadNumber) -> String {
    match b {
        BadNumber::NotANumber => format!("\"{}\"", b.text()),
        _ => b.text().to_owned(),
    }
}

#[tokio::test]
async fn nul_text_sits_in_every_text_and_name_of_the_hostile_account_only() {
    let p = pair().await;
    for platform in PLATFORMS {
        p.hostile
            .env()
            .sandbox
            .add_hostile(&p.hostile.ana(platform).account, Hostile::NulText)
            .unwrap();
    }
    let mut nuls = 0;
    for platform in PLATFORMS {
        for (label, h, c) in both(&p, platform).await {
            assert_eq!(h.status, c.status, "{label}");
            assert_eq!(strip_nuls(&denoise(&h.json)), denoise(&c.json), "{label}");
            nuls += h.text.matches("\\u0000").count();
        }
    }
    assert!(nuls > 0);
    let ig = both(&p, Platform::Instagram).await;
    let (h, c) = find(&ig, "ig.me");
    assert_nul_at(&h.json, &c.json, "/username");
    assert_nul_at(&h.json, &c.json, "/name");
    let (h, c) = find(&ig, "ig.list");
    for i in 0..4 {
        assert_nul_at(&h.json, &c.json, &format!("/data/{i}/caption"));
        assert_nul_at(&h.json, &c.json, &format!("/data/{i}/username"));
    }
    assert!(
        h.json["data"][4].get("caption").is_none(),
        "a post without caption still has none"
    );
    let (h, c) = find(&ig, "ig.node 18040000000000005");
    assert_nul_at(&h.json, &c.json, "/caption");
    let tt = both(&p, Platform::TikTok).await;
    let (h, c) = find(&tt, "tt.me");
    assert_nul_at(&h.json, &c.json, "/data/user/display_name");
    assert_nul_at(&h.json, &c.json, "/data/user/username");
    for read in ["tt.list", "tt.query"] {
        let (h, c) = find(&tt, read);
        for i in 0..3 {
            assert_nul_at(&h.json, &c.json, &format!("/data/videos/{i}/title"));
            assert_nul_at(
                &h.json,
                &c.json,
                &format!("/data/videos/{i}/video_description"),
            );
        }
    }
    let yt = both(&p, Platform::YouTube).await;
    let (h, c) = find(&yt, "yt.me");
    assert_nul_at(&h.json, &c.json, "/items/0/snippet/title");
    assert_nul_at(&h.json, &c.json, "/items/0/snippet/localized/title");
    let (h, c) = find(&yt, "yt.videos");
    for key in ["title", "description", "channelTitle", "tags/0", "tags/2"] {
        assert_nul_at(&h.json, &c.json, &format!("/items/2/snippet/{key}"));
    }
    let (h, c) = find(&yt, "yt.list");
    assert_nul_at(&h.json, &c.json, "/items/0/snippet/title");
    p.assert_ben_clean().await;
}

#[tokio::test]
async fn one_metric_of_one_post_is_spoiled_and_nothing_else() {
    let p = pair().await;
    let ana = p.hostile.ana(Platform::Instagram).account.clone();
    p.hostile
        .env()
        .sandbox
        .add_hostile(
            &ana,
            Hostile::BadCounters {
                posts: PostPick::Post("18040000000000003".into()),
                metric: Some(Metric::Likes),
                value: Some(BadNumber::Negative),
            },
        )
        .unwrap();
    assert_eq!(
        p.hostile.env().sandbox.spoiled_counters(&ana),
        vec![SpoiledCounter {
            post: PostRef {
                platform: Platform::Instagram,
                id: "18040000000000003".into()
            },
            metric: Metric::Likes,
            value: BadNumber::Negative,
        }]
    );
    for (label, h, c) in both(&p, Platform::Instagram).await {
        let mut expected = denoise(&c.json);
        match label.as_str() {
            "ig.list" => expected["data"][2]["like_count"] = json!(-12),
            "ig.node 18040000000000003" => expected["like_count"] = json!(-12),
            "ig.insights 18040000000000003" => {
                assert_eq!(expected["data"][2]["name"], "likes");
                expected["data"][2]["values"][0]["value"] = json!(-12);
            }
            _ => {}
        }
        assert_eq!(denoise(&h.json), expected, "{label}");
    }
    p.assert_ben_clean().await;
}

#[tokio::test]
async fn every_bad_number_is_served_in_each_platforms_counter_type() {
    let p = pair().await;
    let sb = &p.hostile.env().sandbox;
    for b in BadNumber::ALL {
        for platform in PLATFORMS {
            let ana = &p.hostile.ana(platform).account;
            sb.clear_hostile(ana).unwrap();
            sb.add_hostile(
                ana,
                Hostile::BadCounters {
                    posts: PostPick::All,
                    metric: Some(Metric::Views),
                    value: Some(b),
                },
            )
            .unwrap();
        }
        let a = p.hostile.ana(Platform::Instagram);
        let insights = read(p.hostile.env(), a, "ig.insights", Some("18040000000000005")).await;
        assert_eq!(insights.status, 200);
        assert_eq!(
            literals(&insights.text, "value").first(),
            Some(&number_literal(b)),
            "views first: {}",
            insights.text
        );
        let a = p.hostile.ana(Platform::TikTok);
        let query = read(p.hostile.env(), a, "tt.query", None).await;
        assert_eq!(
            literals(&query.text, "view_count"),
            vec![number_literal(b); 3]
        );
        let a = p.hostile.ana(Platform::YouTube);
        for kind in ["yt.videos", "yt.stats"] {
            let videos = read(p.hostile.env(), a, kind, None).await;
            assert_eq!(
                literals(&videos.text, "viewCount"),
                vec![format!("\"{}\"", b.text()); 3],
                "{kind}"
            );
        }
    }
    p.assert_ben_clean().await;
}

/// Puts the clean value back wherever `h` differs from `c` at `key` of
/// the objects of the array at `array`, checking the served value is `bad`;
/// returns which ids were spoiled.
fn unspoil(h: &mut Value, c: &Value, array: &str, key: &str, bad: &Value) -> Vec<String> {
    let mut spoiled = Vec::new();
    let clean = c
        .pointer(array)
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let Some(items) = h.pointer_mut(array).and_then(Value::as_array_mut) else {
        return spoiled;
    };
    for (item, clean) in items.iter_mut().zip(&clean) {
        let Some(v) = item.pointer_mut(key) else {
            continue;
        };
        if Some(&*v) != clean.pointer(key) {
            assert_eq!(v, bad, "{array} {key}");
            *v = clean.pointer(key).cloned().unwrap_or(Value::Null);
            spoiled.push(item["id"].as_str().unwrap_or_default().to_owned());
        }
    }
    spoiled.sort();
    spoiled
}

#[tokio::test]
async fn one_in_two_posts_have_one_metric_spoiled_and_the_rest_lands() {
    let p = pair().await;
    let sb = &p.hostile.env().sandbox;
    for platform in PLATFORMS {
        sb.add_hostile(
            &p.hostile.ana(platform).account,
            Hostile::BadCounters {
                posts: PostPick::OneIn(2),
                metric: Some(Metric::Likes),
                value: Some(BadNumber::Fractional),
            },
        )
        .unwrap();
    }
    let spoiled_ids = |platform: Platform| -> Vec<String> {
        let mut ids: Vec<String> = sb
            .spoiled_counters(&p.hostile.ana(platform).account)
            .into_iter()
            .map(|s| {
                assert_eq!((s.metric, s.value), (Metric::Likes, BadNumber::Fractional));
                s.post.id
            })
            .collect();
        ids.sort();
        ids
    };
    assert_eq!(
        spoiled_ids(Platform::TikTok),
        ["7441000000000000001", "7441000000000000003"]
    );
    assert_eq!(
        spoiled_ids(Platform::YouTube),
        ["Hn5jK8sE4fG", "Xk3mP9qL2aB"]
    );
    let ig_spoiled = spoiled_ids(Platform::Instagram);
    assert_eq!(
        ig_spoiled,
        [
            "18040000000000001",
            "18040000000000003",
            "18040000000000005"
        ]
    );
    let half = json!(12.5);
    for (label, mut h, c) in both(&p, Platform::TikTok).await {
        if label != "tt.me" {
            let ids = unspoil(&mut h.json, &c.json, "/data/videos", "/like_count", &half);
            assert_eq!(ids, spoiled_ids(Platform::TikTok), "{label}");
        }
        assert_eq!(
            denoise(&h.json),
            denoise(&c.json),
            "{label}: the rest lands"
        );
    }
    let half = json!("12.5");
    for (label, mut h, c) in both(&p, Platform::YouTube).await {
        if label == "yt.videos" || label == "yt.stats" {
            let ids = unspoil(
                &mut h.json,
                &c.json,
                "/items",
                "/statistics/likeCount",
                &half,
            );
            assert_eq!(ids, spoiled_ids(Platform::YouTube), "{label}");
        }
        assert_eq!(
            denoise(&h.json),
            denoise(&c.json),
            "{label}: the rest lands"
        );
    }
    for (label, mut h, c) in both(&p, Platform::Instagram).await {
        let spoiled_post = ig_spoiled.iter().find(|id| label.ends_with(id.as_str()));
        if label.starts_with("ig.node") {
            let v = h.json.get_mut("like_count").unwrap();
            if spoiled_post.is_some() {
                assert_eq!(v, &json!(12.5), "{label}");
                *v = c.json["like_count"].clone();
            }
        }
        if label.starts_with("ig.insights") && spoiled_post.is_some() {
            assert_eq!(h.json["data"][2]["name"], "likes");
            assert_eq!(h.json["data"][2]["values"][0]["value"], json!(12.5));
            h.json["data"][2]["values"][0]["value"] =
                c.json["data"][2]["values"][0]["value"].clone();
        }
        if label == "ig.list" {
            unspoil(&mut h.json, &c.json, "/data", "/like_count", &json!(12.5));
        }
        assert_eq!(
            denoise(&h.json),
            denoise(&c.json),
            "{label}: the rest lands"
        );
    }
    p.assert_ben_clean().await;
}

#[tokio::test]
async fn the_post_count_carries_a_bad_number_where_aimed() {
    let p = pair().await;
    let sb = &p.hostile.env().sandbox;
    for (platform, value) in [
        (Platform::Instagram, BadNumber::Above2Pow53),
        (Platform::TikTok, BadNumber::Beyond64Bits),
        (Platform::YouTube, BadNumber::NotANumber),
    ] {
        sb.add_hostile(
            &p.hostile.ana(platform).account,
            Hostile::BadPostCount { value },
        )
        .unwrap();
    }
    let p = &p;
    let me = |platform, kind| async move {
        (
            read(p.hostile.env(), p.hostile.ana(platform), kind, None).await,
            read(p.clean.env(), p.clean.ana(platform), kind, None).await,
        )
    };
    let (h, c) = me(Platform::Instagram, "ig.me").await;
    assert_eq!(literals(&h.text, "media_count"), ["9007199254740993"]);
    assert_eq!(literals(&c.text, "media_count"), ["5"]);
    let (h, c) = me(Platform::TikTok, "tt.me").await;
    assert_eq!(literals(&h.text, "video_count"), ["18446744073709551621"]);
    assert_eq!(literals(&c.text, "video_count"), ["3"]);
    let (h, c) = me(Platform::YouTube, "yt.me").await;
    assert_eq!(h.json["items"][0]["statistics"]["videoCount"], "lots");
    assert_eq!(c.json["items"][0]["statistics"]["videoCount"], "3");
    p.assert_ben_clean().await;
}

#[tokio::test]
async fn future_publish_times_are_reported_years_ahead_or_at_the_latest_date() {
    let p = pair().await;
    let sb = &p.hostile.env().sandbox;
    sb.add_hostile(
        &p.hostile.ana(Platform::Instagram).account,
        Hostile::FuturePublishTimes {
            posts: PostPick::Post("18040000000000005".into()),
            when: FutureTime::YearsAhead(3),
        },
    )
    .unwrap();
    sb.add_hostile(
        &p.hostile.ana(Platform::TikTok).account,
        Hostile::FuturePublishTimes {
            posts: PostPick::All,
            when: FutureTime::Latest,
        },
    )
    .unwrap();
    sb.add_hostile(
        &p.hostile.ana(Platform::YouTube).account,
        Hostile::FuturePublishTimes {
            posts: PostPick::Post("Xk3mP9qL2aB".into()),
            when: FutureTime::YearsAhead(10),
        },
    )
    .unwrap();
    for (label, mut h, c) in both(&p, Platform::Instagram).await {
        match label.as_str() {
            "ig.list" => {
                assert_eq!(h.json["data"][0]["timestamp"], "2029-11-27T18:04:11+0000");
                h.json["data"][0]["timestamp"] = c.json["data"][0]["timestamp"].clone();
            }
            "ig.node 18040000000000005" => {
                assert_eq!(h.json["timestamp"], "2029-11-27T18:04:11+0000");
                h.json["timestamp"] = c.json["timestamp"].clone();
            }
            _ => {}
        }
        assert_eq!(denoise(&h.json), denoise(&c.json), "{label}");
    }
    for (label, h, _) in both(&p, Platform::TikTok).await {
        if label != "tt.me" {
            assert_eq!(
                literals(&h.text, "create_time"),
                vec!["253402300799"; 3],
                "{label}"
            );
        }
    }
    for (label, mut h, c) in both(&p, Platform::YouTube).await {
        let at = "2036-11-27T17:00:00Z";
        match label.as_str() {
            "yt.list" => {
                let d = &mut h.json["items"][0]["contentDetails"]["videoPublishedAt"];
                assert_eq!(*d, at);
                *d = c.json["items"][0]["contentDetails"]["videoPublishedAt"].clone();
                assert_eq!(
                    h.json["items"][0]["snippet"]["publishedAt"], "2026-11-27T17:00:03Z",
                    "the playlist-add time stays"
                );
            }
            "yt.videos" => {
                let d = &mut h.json["items"][2]["snippet"]["publishedAt"];
                assert_eq!(*d, at);
                *d = c.json["items"][2]["snippet"]["publishedAt"].clone();
            }
            "yt.stats" => {
                let d = &mut h.json["items"][2]["snippet"]["publishTime"];
                assert_eq!(*d, at);
                *d = c.json["items"][2]["snippet"]["publishTime"].clone();
            }
            _ => {}
        }
        assert_eq!(denoise(&h.json), denoise(&c.json), "{label}");
    }
    p.assert_ben_clean().await;
}

#[tokio::test]
async fn overflows_carry_values_beyond_every_careless_type() {
    let p = pair().await;
    for platform in PLATFORMS {
        p.hostile
            .env()
            .sandbox
            .add_hostile(&p.hostile.ana(platform).account, Hostile::Overflows)
            .unwrap();
    }
    let max = "18446744073709551615";
    let ig = both(&p, Platform::Instagram).await;
    let (h, _) = find(&ig, "ig.me");
    assert_eq!(literals(&h.text, "media_count"), [max]);
    let usage = h.header_json("x-business-use-case-usage").unwrap();
    assert_eq!(
        usage[IG_USER][0]["estimated_time_to_regain_access"],
        json!(u64::MAX)
    );
    let (h, _) = find(&ig, "ig.node 18040000000000003");
    assert_eq!(h.json["timestamp"], "999999999-12-31T23:59:59+0000");
    assert_eq!(literals(&h.text, "like_count"), [max]);
    assert_eq!(literals(&h.text, "comments_count"), [max]);
    let (h, _) = find(&ig, "ig.insights 18040000000000003");
    assert_eq!(literals(&h.text, "value"), vec![max; 7]);
    let tt = both(&p, Platform::TikTok).await;
    let (h, _) = find(&tt, "tt.list");
    assert_eq!(
        literals(&h.text, "create_time"),
        vec!["9223372036854775807"; 3]
    );
    assert_eq!(literals(&h.text, "share_count"), vec![max; 3]);
    let (h, _) = find(&tt, "tt.me");
    assert_eq!(literals(&h.text, "video_count"), [max]);
    let yt = both(&p, Platform::YouTube).await;
    let (h, _) = find(&yt, "yt.list");
    assert_eq!(
        h.json["items"][0]["contentDetails"]["videoPublishedAt"],
        "999999999-12-31T23:59:59Z"
    );
    let (h, _) = find(&yt, "yt.videos");
    assert_eq!(h.json["items"][2]["statistics"]["viewCount"], max);
    assert_eq!(
        h.json["items"][2]["snippet"]["publishedAt"],
        "999999999-12-31T23:59:59Z"
    );
    let (h, _) = find(&yt, "yt.me");
    assert_eq!(h.json["items"][0]["statistics"]["videoCount"], max);
    p.assert_ben_clean().await;
}
