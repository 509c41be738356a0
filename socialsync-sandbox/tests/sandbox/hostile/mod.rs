//! Hostile mode, over HTTP. Every test runs two sandboxes built alike — the
//! fixtures' world plus a second creator, Ben, on each platform — turns
//! hostile values on for Ana in one of them, and reads both: Ana's answers
//! carry the hostile values exactly where aimed, Ben's are the same in
//! both sandboxes.

mod admin;
mod reads;
mod values;

use crate::common::*;
use serde_json::{Value, json};
use socialsync_core::platform::Platform;
use socialsync_sandbox::{
    AccountRef, AccountSpec, Curve, MediaType, Metric, PostSpec, ProductType,
};

pub(crate) const BEN_IG: &str = "17841400000000002";
pub(crate) const BEN_TT: &str = "-000BenBenBenBenBenBenBenBenBenBen12";
pub(crate) const BEN_YT: &str = "UCb1b2c3d4e5f6g7h8i9j0kB";

pub(crate) const ANA_IG_POSTS: [&str; 5] = [
    "18040000000000001",
    "18040000000000002",
    "18040000000000003",
    "18040000000000004",
    "18040000000000005",
];
pub(crate) const ANA_TT_POSTS: [&str; 3] = [
    "7441000000000000001",
    "7441000000000000002",
    "7441000000000000003",
];
pub(crate) const ANA_YT_POSTS: [&str; 3] = ["Hn5jK8sE4fG", "Rt7uV1wZ0cD", "Xk3mP9qL2aB"];

/// One account as the tests read it: its token and its posts (oldest first).
#[derive(Debug, Clone)]
pub(crate) struct Acct {
    pub(crate) account: AccountRef,
    pub(crate) token: String,
    pub(crate) refresh: Option<String>,
    pub(crate) posts: Vec<String>,
}

/// One sandbox of the pair: the fixtures' world with Ben beside Ana.
pub(crate) struct Side {
    pub(crate) w: World,
    pub(crate) ana: [Acct; 3],
    pub(crate) ben: [Acct; 3],
}

impl Side {
    pub(crate) fn env(&self) -> &Env {
        &self.w.env
    }

    /// Ana's account on `platform`.
    pub(crate) fn ana(&self, platform: Platform) -> &Acct {
        &self.ana[index(platform)]
    }

    /// Ben's account on `platform`.
    pub(crate) fn ben(&self, platform: Platform) -> &Acct {
        &self.ben[index(platform)]
    }
}

fn index(platform: Platform) -> usize {
    match platform {
        Platform::Instagram => 0,
        Platform::TikTok => 1,
        Platform::YouTube => 2,
        other => panic!("the sandbox does not simulate {other}"),
    }
}

pub(crate) const PLATFORMS: [Platform; 3] =
    [Platform::Instagram, Platform::TikTok, Platform::YouTube];

async fn side() -> Side {
    let w = world().await;
    let sb = &w.env.sandbox;
    let grow = |start: u64| Curve::linear(start, 7);
    let ig = sb
        .add_account(AccountSpec::instagram("ben.bakes").with_id(BEN_IG))
        .unwrap();
    for (id, at, media, product) in [
        (
            "18040000000000101",
            "2026-11-26T08:00:00Z",
            MediaType::Image,
            ProductType::Feed,
        ),
        (
            "18040000000000102",
            "2026-11-27T08:00:00Z",
            MediaType::Video,
            ProductType::Reels,
        ),
    ] {
        sb.add_post(
            &ig,
            PostSpec::new(ts(at))
                .with_id(id)
                .with_media(media, product)
                .with_caption("Sourdough day #BrandX #bread")
                .with_metric(Metric::Likes, grow(40))
                .with_metric(Metric::Comments, Curve::Constant(3))
                .with_metric(Metric::Views, grow(400))
                .with_metric(Metric::Reach, grow(300)),
        )
        .unwrap();
    }
    let tt = sb
        .add_account(AccountSpec::tiktok("ben.bakes", "Ben Bakes").with_id(BEN_TT))
        .unwrap();
    for (id, at) in [
        ("7441000000000000101", "2026-11-26T08:00:00Z"),
        ("7441000000000000102", "2026-11-27T08:00:00Z"),
    ] {
        sb.add_post(
            &tt,
            PostSpec::new(ts(at))
                .with_id(id)
                .with_title("Crumb shot")
                .with_description("Sourdough day #BrandX")
                .with_metric(Metric::Views, grow(9000))
                .with_metric(Metric::Likes, grow(800))
                .with_metric(Metric::Comments, Curve::Constant(9))
                .with_metric(Metric::Shares, Curve::Constant(4)),
        )
        .unwrap();
    }
    let yt = sb
        .add_account(AccountSpec::youtube("benbakes", "Ben Bakes").with_id(BEN_YT))
        .unwrap();
    for (id, at) in [
        ("Bn1aaaaaaaa", "2026-11-26T08:00:00Z"),
        ("Bn2bbbbbbbb", "2026-11-27T08:00:00Z"),
    ] {
        sb.add_post(
            &yt,
            PostSpec::new(ts(at))
                .with_id(id)
                .with_title("Sourdough #BrandX")
                .with_description("The crumb.\n#bread")
                .with_tags(&["bread", "baking"])
                .with_metric(Metric::Views, grow(5000))
                .with_metric(Metric::Likes, grow(300))
                .with_metric(Metric::Dislikes, Curve::Constant(2))
                .with_metric(Metric::Comments, Curve::Constant(30)),
        )
        .unwrap();
    }
    // Usernames on TikTok need `user.info.profile`.
    for a in [&w.tt, &tt] {
        sb.grant_scope(a, socialsync_sandbox::scopes::TIKTOK_USER_PROFILE)
            .unwrap();
    }
    let acct = |account: &AccountRef, posts: &[&str]| {
        let grant = sb.issue_tokens(account).unwrap();
        Acct {
            account: account.clone(),
            token: grant.access_token.clone(),
            refresh: grant.refresh_token.clone(),
            posts: posts.iter().map(|p| (*p).to_owned()).collect(),
        }
    };
    let ana = [
        acct(&w.ig, &ANA_IG_POSTS),
        acct(&w.tt, &ANA_TT_POSTS),
        acct(&w.yt, &ANA_YT_POSTS),
    ];
    let ben = [
        acct(&ig, &["18040000000000101", "18040000000000102"]),
        acct(&tt, &["7441000000000000101", "7441000000000000102"]),
        acct(&yt, &["Bn1aaaaaaaa", "Bn2bbbbbbbb"]),
    ];
    Side { w, ana, ben }
}

/// Two sandboxes built alike: `hostile` gets hostile values, `clean` never.
pub(crate) struct Pair {
    pub(crate) hostile: Side,
    pub(crate) clean: Side,
}

pub(crate) async fn pair() -> Pair {
    Pair {
        hostile: side().await,
        clean: side().await,
    }
}

impl Pair {
    /// Ben's every read, in both sandboxes, is the same.
    pub(crate) async fn assert_ben_clean(&self) {
        for platform in PLATFORMS {
            let h = reads(self.hostile.env(), self.hostile.ben(platform)).await;
            let c = reads(self.clean.env(), self.clean.ben(platform)).await;
            assert_eq!(h.len(), c.len());
            for ((label, h), (_, c)) in h.iter().zip(&c) {
                assert_same(label, h, c);
                assert!(!h.text.contains("\\u0000"), "{label}: {}", h.text);
            }
        }
    }

    /// Both sandboxes' clocks move on.
    pub(crate) fn advance(&self, by: chrono::TimeDelta) {
        self.hostile.w.env.advance(by);
        self.clean.w.env.advance(by);
    }
}

/// `v` without what the seed-wide random stream draws per request.
pub(crate) fn denoise(v: &Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .filter(|(k, _)| !matches!(k.as_str(), "log_id" | "etag" | "fbtrace_id"))
                .map(|(k, v)| (k.clone(), denoise(v)))
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(denoise).collect()),
        other => other.clone(),
    }
}

/// `v` with every U+0000 removed from its strings.
pub(crate) fn strip_nuls(v: &Value) -> Value {
    match v {
        Value::String(s) => Value::String(s.replace('\0', "")),
        Value::Object(m) => {
            Value::Object(m.iter().map(|(k, v)| (k.clone(), strip_nuls(v))).collect())
        }
        Value::Array(a) => Value::Array(a.iter().map(strip_nuls).collect()),
        other => other.clone(),
    }
}

pub(crate) fn assert_same(label: &str, h: &Answer, c: &Answer) {
    assert_eq!(h.status, c.status, "{label}: {}", h.text);
    assert_eq!(denoise(&h.json), denoise(&c.json), "{label}");
    for name in ["x-business-use-case-usage", "x-app-usage", "retry-after"] {
        assert_eq!(h.headers.get(name), c.headers.get(name), "{label}: {name}");
    }
}

/// The raw JSON texts of every `"key":` value in `text`, in order.
pub(crate) fn literals(text: &str, key: &str) -> Vec<String> {
    let pattern = format!("\"{key}\":");
    text.match_indices(&pattern)
        .map(|(i, _)| {
            let rest = &text[i + pattern.len()..];
            let end = match rest.strip_prefix('"') {
                Some(inner) => inner.find('"').map_or(rest.len(), |j| j + 2),
                None => rest.find([',', '}', ']']).unwrap_or(rest.len()),
            };
            rest[..end].to_owned()
        })
        .collect()
}

pub(crate) const IG_NODE_FIELDS: &str =
    "id,caption,timestamp,like_count,comments_count,username,media_product_type";
pub(crate) const IG_INSIGHTS: &str = "views,reach,likes,comments,shares,saved,total_interactions";
pub(crate) const TT_FIELDS: &str =
    "id,title,video_description,create_time,like_count,comment_count,share_count,view_count";

pub(crate) fn uploads(channel: &str) -> String {
    format!("UU{}", &channel[2..])
}

/// One read of `kind` for `a` (`kind` as in [`reads`]).
pub(crate) async fn read(env: &Env, a: &Acct, kind: &str, post: Option<&str>) -> Answer {
    let t = a.token.as_str();
    let ids = a.posts.join(",");
    match kind {
        "ig.me" => {
            env.get(
                "/v25.0/me",
                &[
                    ("access_token", t),
                    ("fields", "id,username,name,media_count"),
                ],
            )
            .await
        }
        "ig.list" => {
            env.get(
                "/v25.0/me/media",
                &[
                    ("access_token", t),
                    ("fields", &format!("{IG_LIST_FIELDS},username")),
                    ("limit", "100"),
                ],
            )
            .await
        }
        "ig.node" => {
            env.get(
                &format!("/v25.0/{}", post.unwrap_or_default()),
                &[("access_token", t), ("fields", IG_NODE_FIELDS)],
            )
            .await
        }
        "ig.insights" => {
            env.get(
                &format!("/v25.0/{}/insights", post.unwrap_or_default()),
                &[("access_token", t), ("metric", IG_INSIGHTS)],
            )
            .await
        }
        "tt.me" => {
            env.get_bearer(
                "/v2/user/info/",
                t,
                &[("fields", "open_id,display_name,username,video_count")],
            )
            .await
        }
        "tt.list" => {
            env.post_json(
                "/v2/video/list/",
                t,
                &[("fields", TT_FIELDS)],
                &json!({ "max_count": 20 }),
            )
            .await
        }
        "tt.query" => {
            env.post_json(
                "/v2/video/query/",
                t,
                &[("fields", TT_FIELDS)],
                &json!({ "filters": { "video_ids": a.posts } }),
            )
            .await
        }
        "yt.me" => {
            env.get_bearer(
                "/youtube/v3/channels",
                t,
                &[
                    ("part", "snippet,statistics,contentDetails"),
                    ("mine", "true"),
                ],
            )
            .await
        }
        "yt.list" => {
            env.get_bearer(
                "/youtube/v3/playlistItems",
                t,
                &[
                    ("part", "snippet,contentDetails,status"),
                    ("playlistId", &uploads(&a.account.id)),
                    ("maxResults", "50"),
                ],
            )
            .await
        }
        "yt.videos" => {
            env.get_bearer(
                "/youtube/v3/videos",
                t,
                &[("part", "snippet,statistics,status"), ("id", &ids)],
            )
            .await
        }
        "yt.stats" => {
            env.get_bearer(
                "/youtube/v3/videos:batchGetStats",
                t,
                &[("part", "snippet,statistics"), ("id", &ids)],
            )
            .await
        }
        other => panic!("no read {other}"),
    }
}

/// Every data read of the account: its own read, its listing, and its
/// posts' reads (Instagram one node and one insights read per post).
pub(crate) async fn reads(env: &Env, a: &Acct) -> Vec<(String, Answer)> {
    let mut out = Vec::new();
    let kinds: &[&str] = match a.account.platform {
        Platform::Instagram => &["ig.me", "ig.list"],
        Platform::TikTok => &["tt.me", "tt.list", "tt.query"],
        Platform::YouTube => &["yt.me", "yt.list", "yt.videos", "yt.stats"],
        other => panic!("the sandbox does not simulate {other}"),
    };
    for kind in kinds {
        out.push(((*kind).to_owned(), read(env, a, kind, None).await));
    }
    if a.account.platform == Platform::Instagram {
        for p in &a.posts {
            for kind in ["ig.node", "ig.insights"] {
                out.push((format!("{kind} {p}"), read(env, a, kind, Some(p)).await));
            }
        }
    }
    out
}
