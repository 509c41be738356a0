//! The fuzz targets: what each runs, its seeds and its dictionary.
//!
//! Seeds are the recorded fixtures of `socialsync-adapters` (compiled in)
//! and valid bodies written here. Besides not panicking, a target checks a
//! few properties of what it decoded; a broken property is a panic too.

use crate::mutate::{self, Entry};
use fastrand::Rng;
use serde_json::json;
use socialsync_adapters::fuzzing;
use socialsync_adapters::tiktok::webhook::{WebhookVerifier, removal};
use socialsync_adapters::{AppCredentials, instagram, tiktok, youtube};
use socialsync_core::clock::Timestamp;
use socialsync_core::credentials::Credentials;
use socialsync_core::domain::MediaKind;
use socialsync_core::hashtag::{HashtagKey, extract_hashtags, keyword_tag_key};
use socialsync_core::ids::PlatformPostId;
use socialsync_core::metrics::Metrics;
use socialsync_core::platform::{MetricsBatch, MetricsRequest, PlatformError, PlatformPost};
use std::sync::LazyLock;

/// Makes an input from a seed (or a kept input), another input to splice
/// with, and the dictionary.
pub type Mutator = fn(&mut Rng, &Entry, &[u8], &[&[u8]]) -> Vec<u8>;

/// An error classifier's answers: the error, the success check's, and
/// whether the body held an error object.
type Classified = (PlatformError, Option<PlatformError>, bool);

/// A fuzz target.
pub struct Target {
    /// Its name (`--target NAME`).
    pub name: &'static str,
    /// What it feeds.
    pub about: &'static str,
    /// Its seeds.
    pub seeds: fn() -> Vec<Vec<u8>>,
    /// Whether its inputs are JSON (mutated as a tree most of the time).
    pub json: bool,
    /// Tokens worth inserting.
    pub dict: &'static [&'static [u8]],
    /// Makes an input from a seed (or a kept input), another input to
    /// splice with, and the dictionary.
    pub mutate: Mutator,
    /// Runs one input; `true` when the code under test accepted it.
    pub run: fn(&[u8]) -> bool,
}

impl std::fmt::Debug for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Target").field("name", &self.name).finish()
    }
}

macro_rules! fixture {
    ($p:literal) => {
        include_bytes!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../socialsync-adapters/tests/fixtures/",
            $p
        ))
        .to_vec()
    };
}

/// The instant every decoder is run at.
fn now() -> Timestamp {
    Timestamp::from_timestamp(1_764_324_000, 0).unwrap_or_default()
}

const JSON_DICT: &[&[u8]] = &[
    b"\"",
    b"\\",
    b"\\u0000",
    b"\\ud800",
    b"{",
    b"}",
    b"[",
    b"]",
    b",",
    b":",
    b"null",
    b"true",
    b"-",
    b"1e999",
    b"-0",
    b"9007199254740993",
    b"18446744073709551616",
    b"\"data\":",
    b"\"id\":",
    b"\"error\":",
    b"\"code\":",
    b"\"items\":",
];

const TEXT_DICT: &[&[u8]] = &[
    b"#",
    "＃".as_bytes(),
    b"&",
    b"://",
    b"https://",
    b"http://",
    b"www.",
    b".com",
    b".co.jp",
    b".",
    b"/",
    b"@",
    b"_",
    b" ",
    b"\n",
    "\u{FE0F}".as_bytes(),
    "\u{FE0E}".as_bytes(),
    "\u{20E3}".as_bytes(),
    "\u{200D}".as_bytes(),
    "\u{200C}".as_bytes(),
    "\u{0301}".as_bytes(),
    "\u{30FB}".as_bytes(),
    "é".as_bytes(),
    "ß".as_bytes(),
    "İ".as_bytes(),
    "日本".as_bytes(),
    "👍🏽".as_bytes(),
    "\u{E0001}".as_bytes(),
    b"xn--",
    b"(",
    b")",
    b"1",
];

const TIME_DICT: &[&[u8]] = &[
    b"T",
    b"Z",
    b"z",
    b"+0000",
    b"+00:00",
    b"-23:59",
    b"+99:99",
    b".",
    b".123456789123",
    b":60",
    b"9999",
    b"+275760",
    b"-262143",
    b"0000",
    b" ",
    b"GMT",
    b"UT",
    b"EST",
    b"Mon, ",
    b"Feb",
    b"30",
];

/// Counts within 2^53, as every reading promises.
fn check_metrics(m: &Metrics) {
    for (metric, v) in m.iter() {
        assert!(v <= Metrics::MAX_VALUE, "{metric:?} = {v} beyond 2^53");
    }
}

fn check_error(e: &PlatformError) {
    let shown = format!("{e} {e:?}");
    // No fixture's token, whatever the body held.
    assert!(!shown.contains("Fake"), "a token in an error: {shown}");
    if let Some(d) = &e.detail {
        assert!(d.len() <= 300, "a detail of {} bytes", d.len());
    }
}

fn check_batch(b: &MetricsBatch, asked: &[MetricsRequest]) {
    assert_eq!(
        b.readings.len() + b.missing.len() + b.failed.len(),
        asked.len(),
        "every asked post is read, missing or failed"
    );
    for r in &b.readings {
        check_metrics(&r.metrics);
    }
    for (_, e) in &b.failed {
        check_error(e);
    }
}

fn check_posts(posts: &[PlatformPost]) {
    for p in posts {
        let _ = extract_hashtags(&p.text);
    }
}

/// No token in the credentials' `Debug` (when it could not be there by
/// chance: long, token-like, not a scope's text).
fn check_credentials(c: &Credentials) {
    let shown = format!("{c:?}");
    for t in [Some(c.access_token()), c.refresh_token()]
        .into_iter()
        .flatten()
    {
        let token_like = t.len() >= 16
            && t.bytes().any(|b| b.is_ascii_digit())
            && t.bytes().any(|b| b.is_ascii_alphabetic())
            && t.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"._-!".contains(&b))
            && !c.granted_scopes.iter().any(|s| s.contains(t));
        if token_like {
            assert!(!shown.contains(t), "a token in Debug: {shown}");
        }
    }
}

fn decoded<T>(r: Result<T, PlatformError>, check: impl FnOnce(&T)) -> bool {
    match r {
        Ok(v) => {
            check(&v);
            true
        }
        Err(e) => {
            check_error(&e);
            false
        }
    }
}

fn json_of(v: serde_json::Value) -> Vec<u8> {
    serde_json::to_vec_pretty(&v).unwrap_or_default()
}

/// The items of a fixture's array at `key`, each as a seed of its own.
fn items(body: &[u8], key: &str) -> Vec<Vec<u8>> {
    serde_json::from_slice::<serde_json::Value>(body)
        .ok()
        .and_then(|v| v.get(key).and_then(|a| a.as_array()).cloned())
        .unwrap_or_default()
        .into_iter()
        .map(|v| serde_json::to_vec(&v).unwrap_or_default())
        .collect()
}

// --- Instagram -------------------------------------------------------------

fn ig_list_seeds() -> Vec<Vec<u8>> {
    vec![
        fixture!("instagram/media_list_page1_with_next.json"),
        fixture!("instagram/media_list_last_page.json"),
        fixture!("instagram/media_list_empty.json"),
        json_of(json!({
            "data": [{"id": "1", "caption": "#a b #c", "media_type": "CAROUSEL_ALBUM",
                      "permalink": "https://www.instagram.com/p/x/",
                      "timestamp": "2026-11-27T18:04:11+0000", "like_count": 1, "comments_count": "2"}],
            "paging": {"cursors": {"before": "b", "after": 12345}, "next": "https://host/next"}
        })),
    ]
}

fn ig_list(b: &[u8]) -> bool {
    decoded(instagram::parse_media_page(b), |p| {
        check_posts(&p.posts);
        assert!(p.next.as_ref().is_none_or(|c| !c.0.is_empty()));
    })
}

fn ig_media_seeds() -> Vec<Vec<u8>> {
    let mut s = vec![fixture!("instagram/media_node_counters.json")];
    s.extend(items(
        &fixture!("instagram/media_list_page1_with_next.json"),
        "data",
    ));
    s
}

fn ig_media(b: &[u8]) -> bool {
    decoded(fuzzing::instagram_media(b), |(post, counters, _)| {
        check_posts(std::slice::from_ref(post));
        check_metrics(counters);
    })
}

fn ig_insights_seeds() -> Vec<Vec<u8>> {
    let mut s = vec![
        fixture!("instagram/media_insights_feed.json"),
        fixture!("instagram/media_insights_reel.json"),
        fixture!("instagram/media_insights_unavailable_empty.json"),
        json_of(json!({"data": [
            {"name": "views", "period": "lifetime", "values": [{"value": 12}]},
            {"name": "reach", "total_value": {"value": "7"}},
            {"name": "ig_reels_avg_watch_time", "values": [{"value": 1234.0}]},
            {"name": "saved", "values": []}
        ]})),
    ];
    // The bodies of a batch answer.
    if let Ok(serde_json::Value::Array(a)) =
        serde_json::from_slice(&fixture!("instagram/graph_batch_insights_mixed.json"))
    {
        for part in a {
            if let Some(body) = part.get("body").and_then(|b| b.as_str()) {
                s.push(body.as_bytes().to_vec());
            }
        }
    }
    s
}

fn ig_insights(b: &[u8]) -> bool {
    decoded(instagram::parse_insights(b), |(m, _)| check_metrics(m))
}

fn ig_token_seeds() -> Vec<Vec<u8>> {
    vec![
        fixture!("instagram/token_exchange_long_lived_success.json"),
        fixture!("instagram/token_refresh_success.json"),
    ]
}

fn ig_token(b: &[u8]) -> bool {
    decoded(fuzzing::instagram_token(b, now()), check_credentials)
}

fn ig_code_token_seeds() -> Vec<Vec<u8>> {
    vec![
        json_of(json!({
            "access_token": "IGAAFakeShortLivedToken0001aBc",
            "user_id": 17841400000000001u64,
            "permissions": "instagram_business_basic,instagram_business_manage_insights"
        })),
        json_of(json!({"data": [{
            "access_token": "IGAAFakeShortLivedToken0002aBc",
            "user_id": "17841400000000001",
            "permissions": ["instagram_business_basic"]
        }]})),
    ]
}

fn ig_code_token(b: &[u8]) -> bool {
    decoded(fuzzing::instagram_code_token(b, now()), check_credentials)
}

fn ig_account_seeds() -> Vec<Vec<u8>> {
    vec![
        json_of(
            json!({"user_id": "17841400000000001", "username": "ana.creates", "media_count": 42}),
        ),
        json_of(json!({"id": "17841400000000001", "username": "ana.creates", "media_count": "42"})),
        json_of(json!({"id": "1", "user_id": 17841400000000001u64})),
    ]
}

fn ig_account(b: &[u8]) -> bool {
    decoded(fuzzing::instagram_account(b), |a| {
        assert!(a.post_count.is_none_or(|n| n <= Metrics::MAX_VALUE));
    })
}

fn ig_error_seeds() -> Vec<Vec<u8>> {
    vec![
        fixture!("instagram/error_app_removed_190_458.json"),
        fixture!("instagram/error_insights_metric_unsupported_100.json"),
        fixture!("instagram/error_invalid_token_190.json"),
        fixture!("instagram/error_not_found_100_33.json"),
        fixture!("instagram/error_not_found_100_33_graph_facebook.json"),
        fixture!("instagram/error_permission_missing_10.json"),
        fixture!("instagram/error_rate_limit_app_4.json"),
        fixture!("instagram/error_rate_limit_user_17.json"),
        fixture!("instagram/error_token_expired_190_463.json"),
        fixture!("instagram/error_transient_2.json"),
    ]
}

/// The statuses an error body is classified under.
const STATUSES: &[u16] = &[200, 400, 401, 403, 404, 429, 500, 503];

fn errors(b: &[u8], f: fn(u16, &[u8]) -> Classified) -> bool {
    let mut recognised = false;
    for &status in STATUSES {
        let (e, checked, r) = f(status, b);
        if let Some(c) = &checked {
            assert_eq!(c.kind, e.kind, "check and classify agree");
        }
        if !(200..300).contains(&status) {
            assert!(checked.is_some(), "HTTP {status} is never a success");
        }
        if let Some(d) = &e.detail {
            assert!(d.len() <= 300, "a detail of {} bytes", d.len());
        }
        recognised = r;
    }
    recognised
}

fn ig_error(b: &[u8]) -> bool {
    errors(b, fuzzing::instagram_error)
}

fn ig_usage_seeds() -> Vec<Vec<u8>> {
    let buc = fixture!("instagram/headers_x_business_use_case_usage.json");
    let app = fixture!("instagram/headers_x_app_usage.json");
    let compact = |b: &[u8]| {
        serde_json::from_slice::<serde_json::Value>(b)
            .and_then(|v| serde_json::to_vec(&v))
            .unwrap_or_default()
    };
    let (buc, app) = (compact(&buc), compact(&app));
    vec![
        [buc.as_slice(), b"\n", app.as_slice()].concat(),
        [buc.as_slice(), b"\n"].concat(),
        [b"\n", app.as_slice()].concat(),
    ]
}

/// Two header values, `<first>\n<second>`; an empty one is absent.
fn two_parts(b: &[u8]) -> (&[u8], &[u8]) {
    match b.iter().position(|&c| c == b'\n') {
        Some(i) => (&b[..i], &b[i + 1..]),
        None => (b, &[]),
    }
}

fn mutate_two_headers(rng: &mut Rng, e: &Entry, other: &[u8], dict: &[&[u8]]) -> Vec<u8> {
    let (a, b) = two_parts(&e.bytes);
    let (oa, ob) = two_parts(other);
    let mut parts = [a.to_vec(), b.to_vec()];
    let i = rng.usize(..2);
    if parts[i].is_empty() {
        parts[i] = [oa, ob][i].to_vec();
    }
    let entry = Entry::new(parts[i].clone(), true);
    parts[i] = mutate::mutate(rng, &entry, [oa, ob][i], dict);
    if rng.u8(..20) == 0 {
        parts[1 - i].clear();
    }
    [parts[0].as_slice(), b"\n", parts[1].as_slice()].concat()
}

fn ig_usage(b: &[u8]) -> bool {
    let (business, app) = two_parts(b);
    let business = (!business.is_empty()).then_some(business);
    let app = (!app.is_empty()).then_some(app);
    match fuzzing::instagram_usage(business, app) {
        Some(u) => {
            u.business_percent.is_some() || u.app_percent.is_some() || u.regain_minutes.is_some()
        }
        None => false,
    }
}

fn ig_time_seeds() -> Vec<Vec<u8>> {
    [
        "2026-11-27T18:04:11+0000",
        "2026-11-25T09:15:02+0000",
        "2026-11-27T18:04:11Z",
        "2026-11-27T18:04:11.5+01:00",
    ]
    .iter()
    .map(|s| s.as_bytes().to_vec())
    .collect()
}

fn ig_time(b: &[u8]) -> bool {
    instagram::parse_timestamp(&String::from_utf8_lossy(b)).is_some()
}

// --- TikTok ----------------------------------------------------------------

fn tt_list_seeds() -> Vec<Vec<u8>> {
    vec![
        fixture!("tiktok/video_list_page1_has_more.json"),
        fixture!("tiktok/video_list_last_page.json"),
        fixture!("tiktok/video_list_empty.json"),
        fixture!("tiktok/video_query_metrics_batch.json"),
    ]
}

fn tt_list(b: &[u8]) -> bool {
    decoded(tiktok::parse_video_list(b), |p| check_posts(&p.posts))
}

fn asked(ids: &[&str]) -> Vec<MetricsRequest> {
    ids.iter()
        .map(|id| MetricsRequest {
            id: PlatformPostId::from(*id),
            kind: MediaKind::Video,
        })
        .collect()
}

static TT_ASKED: LazyLock<Vec<MetricsRequest>> = LazyLock::new(|| {
    asked(&[
        "7441000000000000003",
        "7441000000000000002",
        "7441000000000000001",
        "7441000000000000009",
    ])
});

fn tt_query(b: &[u8]) -> bool {
    decoded(tiktok::parse_video_query(b, &TT_ASKED), |batch| {
        check_batch(batch, &TT_ASKED)
    })
}

fn tt_query_posts(b: &[u8]) -> bool {
    decoded(fuzzing::tiktok_video_query_posts(b), |(posts, _)| {
        check_posts(posts)
    })
}

fn tt_user_seeds() -> Vec<Vec<u8>> {
    vec![
        fixture!("tiktok/user_info_success.json"),
        json_of(
            json!({"data": {"user": {"open_id": "-000x", "username": "ana", "video_count": 12}},
                       "error": {"code": "ok"}}),
        ),
    ]
}

fn tt_user(b: &[u8]) -> bool {
    decoded(fuzzing::tiktok_user(b), |a| {
        assert!(a.post_count.is_none_or(|n| n <= Metrics::MAX_VALUE));
    })
}

fn tt_token_seeds() -> Vec<Vec<u8>> {
    vec![
        fixture!("tiktok/oauth_token_exchange_success.json"),
        fixture!("tiktok/oauth_token_refresh_success.json"),
        fixture!("tiktok/oauth_token_refresh_invalid_grant.json"),
    ]
}

static PREVIOUS: LazyLock<Credentials> = LazyLock::new(|| {
    let mut c = Credentials::new("act.FakePreviousToken0009zZ")
        .with_refresh_token("rft.FakePreviousRefresh0009zZ")
        .issued(now());
    c.granted_scopes = vec!["user.info.basic".into()];
    c
});

fn tt_token(b: &[u8]) -> bool {
    let fresh = decoded(fuzzing::tiktok_token(b, None, now()), |(c, _)| {
        check_credentials(c)
    });
    decoded(
        fuzzing::tiktok_token(b, Some(&PREVIOUS), now()),
        |(c, _)| check_credentials(c),
    );
    fresh
}

fn tt_error_seeds() -> Vec<Vec<u8>> {
    vec![
        fixture!("tiktok/error_access_token_invalid.json"),
        fixture!("tiktok/error_internal_error.json"),
        fixture!("tiktok/error_invalid_params.json"),
        fixture!("tiktok/error_rate_limit_exceeded.json"),
        fixture!("tiktok/error_scope_not_authorized.json"),
        fixture!("tiktok/oauth_token_refresh_invalid_grant.json"),
        fixture!("tiktok/video_list_empty.json"),
    ]
}

fn tt_error(b: &[u8]) -> bool {
    errors(b, fuzzing::tiktok_error)
}

fn tt_time_seeds() -> Vec<Vec<u8>> {
    ["1764333727", "\"1764333727\"", "0", "\" 42 \""]
        .iter()
        .map(|s| s.as_bytes().to_vec())
        .collect()
}

fn tt_time(b: &[u8]) -> bool {
    match serde_json::from_slice::<serde_json::Value>(b) {
        Ok(v) => fuzzing::tiktok_create_time(&v).is_some(),
        Err(_) => false,
    }
}

const WEBHOOK_KEY: &str = "awfakeclientkey01";
const WEBHOOK_T: i64 = 1_764_333_727;

static VERIFIER: LazyLock<WebhookVerifier> =
    LazyLock::new(|| WebhookVerifier::new(&AppCredentials::new(WEBHOOK_KEY, "fuzz-secret")));

fn webhook_now() -> Timestamp {
    Timestamp::from_timestamp(WEBHOOK_T + 10, 0).unwrap_or_default()
}

fn signed(t: i64, body: &[u8]) -> Vec<u8> {
    [VERIFIER.sign(t, body).as_bytes(), b"\n", body].concat()
}

fn tt_webhook_seeds() -> Vec<Vec<u8>> {
    let fixture = fixture!("tiktok/webhook_authorization_removed.json");
    let other = json_of(json!({
        "client_key": WEBHOOK_KEY, "event": "video.publish.complete",
        "create_time": WEBHOOK_T, "user_openid": "u2", "content": "{\"share_id\": \"x\"}"
    }));
    vec![
        signed(WEBHOOK_T, &fixture),
        signed(WEBHOOK_T - 100, &other),
        // Two signatures, the first wrong (a secret being rotated).
        format!(
            "t={WEBHOOK_T},s=00,{}\n{}",
            VERIFIER
                .sign(WEBHOOK_T, &fixture)
                .replace(&format!("t={WEBHOOK_T},"), ""),
            String::from_utf8_lossy(&fixture)
        )
        .into_bytes(),
    ]
}

/// Mutates a signed delivery: the body most of the time (then signed
/// again, so the MAC passes), sometimes the header.
fn mutate_webhook(rng: &mut Rng, e: &Entry, other: &[u8], dict: &[&[u8]]) -> Vec<u8> {
    let (header, body) = two_parts(&e.bytes);
    let (_, other_body) = two_parts(other);
    let body_entry = Entry::new(body.to_vec(), true);
    let new_body = if rng.u8(..10) < 8 {
        mutate::mutate(rng, &body_entry, other_body, JSON_DICT)
    } else {
        body.to_vec()
    };
    let mut header = match rng.u8(..10) {
        0..=5 => {
            let t = WEBHOOK_T + rng.i64(-400..400);
            VERIFIER.sign(t, &new_body).into_bytes()
        }
        6 => header.to_vec(),
        _ => {
            let mut h = VERIFIER.sign(WEBHOOK_T, &new_body).into_bytes();
            for _ in 0..rng.usize(1..=3) {
                mutate::mutate_bytes(rng, &mut h, header, dict);
            }
            h
        }
    };
    header.retain(|&b| b != b'\n');
    [header.as_slice(), b"\n", new_body.as_slice()].concat()
}

fn tt_webhook(b: &[u8]) -> bool {
    let (header, body) = two_parts(b);
    let header = std::str::from_utf8(header).ok();
    match VERIFIER.verify(header, body, webhook_now()) {
        Ok(v) => {
            assert_eq!(v.event.client_key, WEBHOOK_KEY);
            assert!(v.delivery.key.len() <= socialsync_core::store::MAX_DELIVERY_KEY);
            assert!(!format!("{v:?}").contains("fuzz-secret"));
            if let Some(r) = removal(&v) {
                assert_eq!(r.open_id.as_str(), v.event.user_openid);
            }
            true
        }
        Err(e) => {
            let _ = e.to_string();
            false
        }
    }
}

const WEBHOOK_DICT: &[&[u8]] = &[
    b"t=",
    b"s=",
    b",",
    b"=",
    b" ",
    b"1764333727",
    b"-1",
    b"9223372036854775807",
    b"00",
    b"zz",
];

// --- YouTube ---------------------------------------------------------------

fn yt_channels_seeds() -> Vec<Vec<u8>> {
    vec![
        fixture!("youtube/channels_list_mine_content_details.json"),
        fixture!("youtube/channels_list_mine_no_channel.json"),
        json_of(
            json!({"items": [{"id": "UCx", "snippet": {"title": "", "customUrl": "@ana"},
            "contentDetails": {"relatedPlaylists": {"uploads": "UUx"}},
            "statistics": {"videoCount": "17"}}]}),
        ),
    ]
}

fn yt_channels(b: &[u8]) -> bool {
    decoded(youtube::parse_channels(b), |c| {
        if let Some(c) = c {
            assert!(c.video_count.is_none_or(|n| n <= Metrics::MAX_VALUE));
        }
    })
}

fn yt_playlist_seeds() -> Vec<Vec<u8>> {
    vec![
        fixture!("youtube/playlist_items_uploads_page1.json"),
        fixture!("youtube/playlist_items_uploads_last_page.json"),
    ]
}

fn yt_playlist(b: &[u8]) -> bool {
    decoded(youtube::parse_playlist_items(b), |p| {
        check_posts(&p.posts);
        assert!(p.next_page_token.as_ref().is_none_or(|t| !t.is_empty()));
    })
}

fn yt_videos_seeds() -> Vec<Vec<u8>> {
    vec![
        fixture!("youtube/videos_list_statistics_batch.json"),
        fixture!("youtube/videos_batch_get_stats.json"),
    ]
}

static YT_ASKED: LazyLock<Vec<MetricsRequest>> =
    LazyLock::new(|| asked(&["Xk3mP9qL2aB", "Hn5jK8sE4fG", "Zz9yX8wV7uT", "missing0001"]));

fn yt_statistics(b: &[u8]) -> bool {
    decoded(youtube::parse_videos_statistics(b, &YT_ASKED), |batch| {
        check_batch(batch, &YT_ASKED)
    })
}

fn yt_details(b: &[u8]) -> bool {
    decoded(fuzzing::youtube_video_details(b), |videos| {
        for v in videos {
            assert!(
                !v.private || v.post.published_at.is_none(),
                "a private video is not published"
            );
            for t in &v.tags {
                let _ = keyword_tag_key(t);
            }
            check_posts(std::slice::from_ref(&v.post));
        }
    })
}

fn yt_token_seeds() -> Vec<Vec<u8>> {
    vec![
        fixture!("youtube/oauth_token_refresh_success.json"),
        fixture!("youtube/oauth_token_refresh_invalid_grant.json"),
        json_of(json!({
            "access_token": "ya29.a0FakeAccessToken0002-aBc", "expires_in": 3599,
            "refresh_token": "1//0gFakeRefreshToken0002aBc",
            "scope": "https://www.googleapis.com/auth/youtube.readonly", "token_type": "Bearer"
        })),
    ]
}

fn yt_token(b: &[u8]) -> bool {
    let fresh = decoded(fuzzing::youtube_token(b, None, now()), check_credentials);
    decoded(
        fuzzing::youtube_token(b, Some(&PREVIOUS), now()),
        check_credentials,
    );
    fresh
}

fn yt_error_seeds() -> Vec<Vec<u8>> {
    vec![
        fixture!("youtube/error_auth_invalid_credentials_401.json"),
        fixture!("youtube/error_backend_503.json"),
        fixture!("youtube/error_insufficient_scopes_403.json"),
        fixture!("youtube/error_playlist_not_found_404.json"),
        fixture!("youtube/error_quota_exceeded_403.json"),
        fixture!("youtube/error_too_many_ids_400.json"),
        fixture!("youtube/oauth_token_refresh_invalid_grant.json"),
    ]
}

fn yt_error(b: &[u8]) -> bool {
    errors(b, fuzzing::youtube_error)
}

fn yt_time_seeds() -> Vec<Vec<u8>> {
    [
        "2026-11-27T17:00:00Z",
        "2026-11-20T08:12:45.123Z",
        "2026-09-10T19:30:11-07:00",
    ]
    .iter()
    .map(|s| s.as_bytes().to_vec())
    .collect()
}

fn yt_time(b: &[u8]) -> bool {
    youtube::parse_time(&String::from_utf8_lossy(b)).is_some()
}

// --- HTTP ------------------------------------------------------------------

fn retry_after_seeds() -> Vec<Vec<u8>> {
    [
        "7",
        "120",
        " 30 ",
        "0",
        "18446744073709551615",
        "Sat, 28 Nov 2026 10:00:30 GMT",
        "Sat, 28 Nov 2026 09:00:00 GMT",
        "Fri, 31 Dec 9999 23:59:59 GMT",
        "Sun, 06 Nov 1994 08:49:37 +0000",
    ]
    .iter()
    .map(|s| s.as_bytes().to_vec())
    .collect()
}

fn retry_after(b: &[u8]) -> bool {
    let d = fuzzing::retry_after(b, now());
    if let Some(secs) = std::str::from_utf8(b)
        .ok()
        .map(|s| s.trim_matches([' ', '\t']))
        .and_then(|s| s.parse::<u64>().ok())
    {
        assert_eq!(d, Some(std::time::Duration::from_secs(secs)));
    }
    d.is_some()
}

// --- core ------------------------------------------------------------------

fn hashtag_seeds() -> Vec<Vec<u8>> {
    let mut s: Vec<Vec<u8>> = [
        "Summer drop #BrandX, #2025 abc#x &#39; #a#b #café",
        "New drop! #BrandX #ad https://brandx.com/#nope",
        "＃ブランド #日本語 #한국어 #ไทย #العربية #Ελλάδα",
        "#a\u{200D}b #x\u{FE0F} #1\u{20E3} #tag_with_underscore #ß #İstanbul",
        "(#paren) [#bracket] \"#quoted\" #end.",
        "www.example.co.jp/#tag #tag.com http://x.y/#z #a://b",
        "##double #a##b #a#b#c &#x23;entity",
        "",
    ]
    .iter()
    .map(|s| s.as_bytes().to_vec())
    .collect();
    // The captions and titles of the fixtures.
    for body in [
        fixture!("instagram/media_list_page1_with_next.json"),
        fixture!("tiktok/video_list_page1_has_more.json"),
        fixture!("youtube/videos_list_statistics_batch.json"),
    ] {
        let text = String::from_utf8_lossy(&body).into_owned();
        for line in text.lines() {
            if line.contains('#') {
                s.push(line.trim().as_bytes().to_vec());
            }
        }
    }
    s
}

fn hashtags(b: &[u8]) -> bool {
    let text = String::from_utf8_lossy(b);
    let tags = extract_hashtags(&text);
    let mut last_end = 0;
    for t in &tags {
        assert!(t.start >= last_end && t.start < t.end && t.end <= text.len());
        let whole = &text[t.start..t.end];
        assert!(
            (whole.starts_with('#') || whole.starts_with('＃')) && whole.ends_with(t.text),
            "{whole:?} is not a sign and {:?}",
            t.text
        );
        assert!(!t.text.is_empty());
        let _ = HashtagKey::of(t.text);
        last_end = t.end;
    }
    !tags.is_empty()
}

fn json_mutate(rng: &mut Rng, e: &Entry, other: &[u8], dict: &[&[u8]]) -> Vec<u8> {
    mutate::mutate(rng, e, other, dict)
}

fn text_mutate(rng: &mut Rng, e: &Entry, other: &[u8], dict: &[&[u8]]) -> Vec<u8> {
    let mut out = e.bytes.clone();
    for _ in 0..rng.usize(1..=6) {
        mutate::mutate_bytes(rng, &mut out, other, dict);
    }
    out
}

macro_rules! target {
    ($name:literal, $about:literal, $seeds:expr, $run:expr, json) => {
        Target {
            name: $name,
            about: $about,
            seeds: $seeds,
            json: true,
            dict: JSON_DICT,
            mutate: json_mutate,
            run: $run,
        }
    };
    ($name:literal, $about:literal, $seeds:expr, $run:expr, $dict:expr, $mutate:expr) => {
        Target {
            name: $name,
            about: $about,
            seeds: $seeds,
            json: false,
            dict: $dict,
            mutate: $mutate,
            run: $run,
        }
    };
}

/// Every target.
pub fn targets() -> Vec<Target> {
    vec![
        target!(
            "instagram-media-list",
            "Instagram /media page",
            ig_list_seeds,
            ig_list,
            json
        ),
        target!(
            "instagram-media",
            "Instagram media node (counters)",
            ig_media_seeds,
            ig_media,
            json
        ),
        target!(
            "instagram-insights",
            "Instagram media insights",
            ig_insights_seeds,
            ig_insights,
            json
        ),
        target!(
            "instagram-token",
            "Instagram long-lived token (exchange, refresh)",
            ig_token_seeds,
            ig_token,
            json
        ),
        target!(
            "instagram-code-token",
            "Instagram code exchange (flat or wrapped)",
            ig_code_token_seeds,
            ig_code_token,
            json
        ),
        target!(
            "instagram-account",
            "Instagram /me",
            ig_account_seeds,
            ig_account,
            json
        ),
        target!(
            "instagram-error",
            "Instagram Graph error body, 8 statuses",
            ig_error_seeds,
            ig_error,
            json
        ),
        target!(
            "instagram-usage",
            "X-Business-Use-Case-Usage + X-App-Usage",
            ig_usage_seeds,
            ig_usage,
            JSON_DICT,
            mutate_two_headers
        ),
        target!(
            "instagram-time",
            "Instagram timestamps",
            ig_time_seeds,
            ig_time,
            TIME_DICT,
            text_mutate
        ),
        target!(
            "tiktok-video-list",
            "TikTok video/list",
            tt_list_seeds,
            tt_list,
            json
        ),
        target!(
            "tiktok-video-query",
            "TikTok video/query metrics",
            tt_list_seeds,
            tt_query,
            json
        ),
        target!(
            "tiktok-video-query-posts",
            "TikTok video/query as posts",
            tt_list_seeds,
            tt_query_posts,
            json
        ),
        target!(
            "tiktok-user",
            "TikTok user/info",
            tt_user_seeds,
            tt_user,
            json
        ),
        target!(
            "tiktok-token",
            "TikTok token (exchange, refresh)",
            tt_token_seeds,
            tt_token,
            json
        ),
        target!(
            "tiktok-error",
            "TikTok error body, 8 statuses",
            tt_error_seeds,
            tt_error,
            json
        ),
        target!(
            "tiktok-time",
            "TikTok create_time",
            tt_time_seeds,
            tt_time,
            json
        ),
        target!(
            "tiktok-webhook",
            "TikTok-Signature + body, signed",
            tt_webhook_seeds,
            tt_webhook,
            WEBHOOK_DICT,
            mutate_webhook
        ),
        target!(
            "youtube-channels",
            "YouTube channels.list",
            yt_channels_seeds,
            yt_channels,
            json
        ),
        target!(
            "youtube-playlist-items",
            "YouTube playlistItems.list",
            yt_playlist_seeds,
            yt_playlist,
            json
        ),
        target!(
            "youtube-video-statistics",
            "YouTube videos.list statistics",
            yt_videos_seeds,
            yt_statistics,
            json
        ),
        target!(
            "youtube-video-details",
            "YouTube videos.list snippet,status",
            yt_videos_seeds,
            yt_details,
            json
        ),
        target!(
            "youtube-token",
            "Google token (exchange, refresh)",
            yt_token_seeds,
            yt_token,
            json
        ),
        target!(
            "youtube-error",
            "YouTube / Google error body, 8 statuses",
            yt_error_seeds,
            yt_error,
            json
        ),
        target!(
            "youtube-time",
            "YouTube RFC 3339 times",
            yt_time_seeds,
            yt_time,
            TIME_DICT,
            text_mutate
        ),
        target!(
            "retry-after",
            "Retry-After (seconds or HTTP date)",
            retry_after_seeds,
            retry_after,
            TIME_DICT,
            text_mutate
        ),
        target!(
            "hashtags",
            "hashtag extraction and keys",
            hashtag_seeds,
            hashtags,
            TEXT_DICT,
            text_mutate
        ),
    ]
}
