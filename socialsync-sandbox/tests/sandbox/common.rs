//! Shared test code: fixtures, the shape comparison, and a sandbox
//! seeded with the fixtures' own accounts and posts.

use chrono::TimeDelta;
use serde_json::Value;
use socialsync_core::clock::{ManualClock, Timestamp};
use socialsync_sandbox::{
    AccountRef, AccountSpec, Curve, MediaType, Metric, PostSpec, ProductType, RateLimits,
    RunningSandbox, Sandbox, TokenGrant, Visibility,
};
use std::sync::Arc;

/// A fixture body.
pub(crate) fn fixture(path: &str) -> Value {
    let full = format!("{}/tests/fixtures/{path}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{full}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{full}: {e}"))
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(n) if n.is_f64() => "float",
        Value::Number(_) => "integer",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn shape_diffs(path: &str, expected: &Value, actual: &Value, out: &mut Vec<String>) {
    match (expected, actual) {
        (Value::Object(e), Value::Object(a)) => {
            for k in e.keys().filter(|k| !a.contains_key(*k)) {
                out.push(format!("{path}.{k}: missing"));
            }
            for k in a.keys().filter(|k| !e.contains_key(*k)) {
                out.push(format!("{path}.{k}: not in the fixture"));
            }
            for (k, ev) in e {
                if let Some(av) = a.get(k) {
                    shape_diffs(&format!("{path}.{k}"), ev, av, out);
                }
            }
        }
        (Value::Array(e), Value::Array(a)) => {
            if e.len() != a.len() {
                out.push(format!(
                    "{path}: {} items, fixture has {}",
                    a.len(),
                    e.len()
                ));
            }
            for (i, (ev, av)) in e.iter().zip(a).enumerate() {
                shape_diffs(&format!("{path}[{i}]"), ev, av, out);
            }
        }
        _ if kind(expected) != kind(actual) => {
            out.push(format!(
                "{path}: {} where the fixture has {}",
                kind(actual),
                kind(expected)
            ));
        }
        _ => {}
    }
}

/// Asserts `actual` has the fixture's shape: the same fields, recursively,
/// with the same JSON types; arrays item by item.
pub(crate) fn assert_same_shape(fixture_path: &str, actual: &Value) {
    let expected = fixture(fixture_path);
    let mut diffs = Vec::new();
    shape_diffs("$", &expected, actual, &mut diffs);
    assert!(
        diffs.is_empty(),
        "{fixture_path}: shape differs:\n  {}\nactual: {actual:#}",
        diffs.join("\n  ")
    );
}

pub(crate) fn ts(s: &str) -> Timestamp {
    s.parse().expect("timestamp")
}

/// A sandbox on a manual clock, serving.
pub(crate) struct Env {
    pub(crate) clock: Arc<ManualClock>,
    pub(crate) sandbox: Sandbox,
    pub(crate) running: RunningSandbox,
    pub(crate) http: reqwest::Client,
}

impl Env {
    pub(crate) async fn start(now: &str, limits: RateLimits) -> Env {
        let clock = Arc::new(ManualClock::at(ts(now)));
        let sandbox = Sandbox::builder()
            .seed(42)
            .clock(clock.clone())
            .rate_limits(limits)
            .build();
        let running = sandbox.start().await.expect("start");
        Env {
            clock,
            sandbox,
            running,
            http: reqwest::Client::new(),
        }
    }

    pub(crate) fn url(&self, path: &str) -> String {
        format!("{}{path}", self.running.base_url())
    }

    pub(crate) fn advance(&self, by: TimeDelta) {
        self.clock.advance(by);
    }

    /// GET with query pairs; returns status, headers and the JSON body.
    pub(crate) async fn get(&self, path: &str, query: &[(&str, &str)]) -> Answer {
        let r = self
            .http
            .get(self.url(path))
            .query(query)
            .send()
            .await
            .expect("send");
        Answer::read(r).await
    }

    /// GET with a bearer token.
    pub(crate) async fn get_bearer(
        &self,
        path: &str,
        token: &str,
        query: &[(&str, &str)],
    ) -> Answer {
        let r = self
            .http
            .get(self.url(path))
            .bearer_auth(token)
            .query(query)
            .send()
            .await
            .expect("send");
        Answer::read(r).await
    }

    /// POST a JSON body with a bearer token.
    pub(crate) async fn post_json(
        &self,
        path: &str,
        token: &str,
        query: &[(&str, &str)],
        body: &Value,
    ) -> Answer {
        let r = self
            .http
            .post(self.url(path))
            .bearer_auth(token)
            .query(query)
            .json(body)
            .send()
            .await
            .expect("send");
        Answer::read(r).await
    }

    /// POST a form.
    pub(crate) async fn post_form(&self, path: &str, form: &[(&str, &str)]) -> Answer {
        let r = self
            .http
            .post(self.url(path))
            .form(form)
            .send()
            .await
            .expect("send");
        Answer::read(r).await
    }
}

/// A response read whole.
#[derive(Debug)]
pub(crate) struct Answer {
    pub(crate) status: u16,
    pub(crate) headers: reqwest::header::HeaderMap,
    pub(crate) text: String,
    pub(crate) json: Value,
}

impl Answer {
    pub(crate) async fn read(r: reqwest::Response) -> Answer {
        let status = r.status().as_u16();
        let headers = r.headers().clone();
        let text = r.text().await.expect("body");
        let json = serde_json::from_str(&text).unwrap_or(Value::Null);
        Answer {
            status,
            headers,
            text,
            json,
        }
    }

    pub(crate) fn header_json(&self, name: &str) -> Option<Value> {
        let v = self.headers.get(name)?.to_str().ok()?;
        serde_json::from_str(v).ok()
    }
}

pub(crate) const IG_USER: &str = "17841400000000001";
pub(crate) const TT_OPEN_ID: &str = "-000AbCdEfGhIjKlMnOpQrStUvWxYz0123";
pub(crate) const YT_CHANNEL: &str = "UCa1b2c3d4e5f6g7h8i9j0kA";
pub(crate) const YT_UPLOADS: &str = "UUa1b2c3d4e5f6g7h8i9j0kA";

/// The fixtures' world: Ana's accounts and posts on the three platforms,
/// with the fixtures' ids, texts, times and quirks, at 2026-11-28T12:42Z.
pub(crate) struct World {
    pub(crate) env: Env,
    pub(crate) ig: AccountRef,
    pub(crate) tt: AccountRef,
    pub(crate) yt: AccountRef,
    pub(crate) ig_grant: TokenGrant,
    pub(crate) tt_grant: TokenGrant,
    pub(crate) yt_grant: TokenGrant,
}

pub(crate) async fn world() -> World {
    world_with(RateLimits::default()).await
}

pub(crate) async fn world_with(limits: RateLimits) -> World {
    let env = Env::start("2026-11-28T12:42:07Z", limits).await;
    let sb = &env.sandbox;
    let ig = sb
        .add_account(AccountSpec::instagram("ana.creates").with_id(IG_USER))
        .unwrap();
    let grow = |start: u64| Curve::linear(start, 10);
    for (id, media, product, at, caption, hidden) in [
        (
            "18040000000000005",
            MediaType::Video,
            ProductType::Reels,
            "2026-11-27T18:04:11Z",
            Some("New drop is live! #BrandXLaunch #fyp"),
            false,
        ),
        (
            "18040000000000004",
            MediaType::Image,
            ProductType::Feed,
            "2026-11-25T09:15:02Z",
            Some("Café vibes ☕ #Café #brandx"),
            true,
        ),
        (
            "18040000000000003",
            MediaType::CarouselAlbum,
            ProductType::Feed,
            "2026-11-20T16:40:55Z",
            Some("Swipe for the full look ➡️ #BrandX #ootd"),
            false,
        ),
        (
            "18040000000000002",
            MediaType::Image,
            ProductType::Feed,
            "2026-10-02T06:30:00Z",
            Some("Morning run with @brandx gear #BrandXRun #ad"),
            false,
        ),
        (
            "18040000000000001",
            MediaType::Image,
            ProductType::Feed,
            "2026-08-01T12:00:00Z",
            None,
            false,
        ),
    ] {
        let mut spec = PostSpec::new(ts(at))
            .with_id(id)
            .with_media(media, product)
            .with_metric(Metric::Likes, grow(100))
            .with_metric(Metric::Comments, Curve::Constant(12))
            .with_metric(Metric::Views, grow(1000))
            .with_metric(Metric::Reach, grow(700))
            .with_metric(Metric::Shares, Curve::Constant(31))
            .with_metric(Metric::Saves, Curve::Constant(57))
            .with_metric(Metric::AvgWatchTimeMs, Curve::Constant(6840))
            .with_metric(Metric::WatchTimeTotalMs, grow(329_756_400));
        if let Some(c) = caption {
            spec = spec.with_caption(c);
        }
        if hidden {
            spec = spec.with_likes_hidden();
        }
        sb.add_post(&ig, spec).unwrap();
    }

    let tt = sb
        .add_account(AccountSpec::tiktok("ana.creates", "Ana Creates").with_id(TT_OPEN_ID))
        .unwrap();
    for (id, created, description) in [
        (
            "7441000000000000003",
            1_764_262_800,
            "unboxing the new drop 🔥 #BrandXLaunch #fyp",
        ),
        (
            "7441000000000000002",
            1_764_090_000,
            "day 3 of the challenge #brandx #ad #Café",
        ),
        ("7441000000000000001", 1_759_305_600, "just vibes"),
    ] {
        let at = Timestamp::from_timestamp(created, 0).unwrap();
        sb.add_post(
            &tt,
            PostSpec::new(at)
                .with_id(id)
                .with_description(description)
                .with_duration_secs(34)
                .with_metric(Metric::Views, grow(30_000))
                .with_metric(Metric::Likes, grow(1800))
                .with_metric(Metric::Comments, Curve::Constant(45))
                .with_metric(Metric::Shares, Curve::Constant(12)),
        )
        .unwrap();
    }

    let yt = sb
        .add_account(AccountSpec::youtube("anacreates", "Ana Creates").with_id(YT_CHANNEL))
        .unwrap();
    sb.add_post(
        &yt,
        PostSpec::new(ts("2026-11-27T17:00:00Z"))
            .with_id("Xk3mP9qL2aB")
            .with_uploaded_at(ts("2026-11-27T17:00:03Z"))
            .with_title("Unboxing the new drop #BrandXLaunch")
            .with_description("Full review below.\n\n#BrandX #ad #Café")
            .with_tags(&["brand x", "unboxing", "review"])
            .with_duration_secs(492)
            .with_metric(Metric::Views, grow(48_000))
            .with_metric(Metric::Likes, grow(3100))
            .with_metric(Metric::Dislikes, Curve::Constant(41))
            .with_metric(Metric::Comments, Curve::Constant(288)),
    )
    .unwrap();
    sb.add_post(
        &yt,
        PostSpec::new(ts("2026-11-21T15:00:00Z"))
            .with_id("Rt7uV1wZ0cD")
            .with_uploaded_at(ts("2026-11-20T08:12:45Z"))
            .with_title("Morning routine (not sponsored)")
            .with_description("No hashtags in this one."),
    )
    .unwrap();
    sb.add_post(
        &yt,
        PostSpec::new(ts("2026-09-10T19:30:11Z"))
            .with_id("Hn5jK8sE4fG")
            .with_title("Q&A #shorts")
            .with_description("#brandxrun powered by @BrandX")
            .with_visibility(Visibility::Unlisted)
            .with_comments_disabled()
            .with_duration_secs(41)
            .with_metric(Metric::Views, Curve::Constant(120_533))
            .with_metric(Metric::Likes, Curve::Constant(9904))
            .with_metric(Metric::Dislikes, Curve::Constant(120)),
    )
    .unwrap();

    let ig_grant = sb.issue_tokens(&ig).unwrap();
    let tt_grant = sb.issue_tokens(&tt).unwrap();
    let yt_grant = sb.issue_tokens(&yt).unwrap();
    World {
        env,
        ig,
        tt,
        yt,
        ig_grant,
        tt_grant,
        yt_grant,
    }
}

pub(crate) const IG_LIST_FIELDS: &str = "id,caption,media_type,media_product_type,permalink,shortcode,timestamp,like_count,comments_count";
pub(crate) const TT_LIST_FIELDS: &str = "id,title,video_description,create_time,share_url,duration,cover_image_url,like_count,comment_count,share_count,view_count";
pub(crate) const TT_QUERY_FIELDS: &str = "id,like_count,comment_count,share_count,view_count";

/// Like [`assert_same_shape`] against an in-memory expected value.
pub(crate) fn assert_same_shape_value(expected: &Value, actual: &Value) {
    let mut diffs = Vec::new();
    shape_diffs("$", expected, actual, &mut diffs);
    assert!(
        diffs.is_empty(),
        "shape differs:\n  {}\nactual: {actual:#}",
        diffs.join("\n  ")
    );
}
