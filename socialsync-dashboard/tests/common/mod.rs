//! A world for the dashboard's tests: two brands, their creators and
//! connections on fake platforms, the engine on a manual clock, and the
//! dashboard mounted under a prefix.
#![allow(dead_code, unreachable_pub)]

use async_trait::async_trait;
use axum::Router;
use axum::body::Body;
use axum::http::request::Parts;
use axum::http::{HeaderMap, Request, StatusCode};
use chrono::TimeDelta;
use http_body_util::BodyExt;
use socialsync_core::clock::Timestamp;
use socialsync_core::domain::{Connection, Scope};
use socialsync_core::ids::{BrandId, CreatorId};
use socialsync_core::metrics::{Metric, Metrics};
use socialsync_core::platform::Platform;
use socialsync_core::store::PostStore;
use socialsync_core::tracking::{ScopeSpec, Tracking};
use socialsync_dashboard::{AccessDenied, BrandResolver, Dashboard};
use socialsync_store_memory::MemoryStore;
use socialsync_testkit::{FakePost, Sim};
use std::sync::Arc;
use tower::ServiceExt;

/// Where the host mounts the dashboard.
pub const PREFIX: &str = "/brand/dash";

/// The header the test host reads the brand from.
pub const BRAND_HEADER: &str = "x-brand";

/// The test host's brand mapping: the `x-brand: <id>` header, or (for the
/// browser) an `x-brand=<id>` cookie; none → 401; not a number → 403.
#[derive(Debug)]
pub struct HeaderBrand;

#[async_trait]
impl BrandResolver for HeaderBrand {
    async fn resolve(&self, parts: &Parts) -> Result<BrandId, AccessDenied> {
        let from_cookie = || {
            parts
                .headers
                .get_all("cookie")
                .iter()
                .filter_map(|v| v.to_str().ok())
                .flat_map(|v| v.split(';'))
                .find_map(|c| c.trim().strip_prefix("x-brand=").map(str::to_owned))
        };
        let value = match parts.headers.get(BRAND_HEADER) {
            Some(v) => v.to_str().map_err(|_| AccessDenied::Forbidden)?.to_owned(),
            None => from_cookie().ok_or(AccessDenied::Unauthenticated)?,
        };
        value
            .parse()
            .map(BrandId)
            .map_err(|_| AccessDenied::Forbidden)
    }
}

pub fn t0() -> Timestamp {
    "2026-03-01T00:00:00Z".parse().unwrap()
}

pub fn h(n: i64) -> TimeDelta {
    TimeDelta::hours(n)
}

pub fn views(v: u64) -> Metrics {
    Metrics::new()
        .with(Metric::Views, v)
        .with(Metric::Likes, v / 10)
}

pub struct World {
    pub sim: Sim,
    pub store: Arc<dyn PostStore>,
    pub tracking: Tracking,
    pub dashboard: Dashboard,
    pub app: Router,
    /// Acme: Ana (TikTok, program + campaign) and Bo (Instagram, campaign).
    pub acme: BrandId,
    pub ana: CreatorId,
    pub bo: CreatorId,
    pub program: Scope,
    pub campaign: Scope,
    pub ana_tiktok: Connection,
    pub bo_instagram: Connection,
    /// Other: Cy (YouTube).
    pub other: BrandId,
    pub cy: CreatorId,
    pub other_program: Scope,
    pub cy_youtube: Connection,
}

impl World {
    pub async fn new() -> World {
        World::with(|b| b).await
    }

    pub async fn with(
        configure: impl FnOnce(
            socialsync_dashboard::DashboardBuilder,
        ) -> socialsync_dashboard::DashboardBuilder,
    ) -> World {
        let store: Arc<dyn PostStore> = Arc::new(MemoryStore::new());
        let sim = Sim::new(store.clone(), t0());
        let tracking = Tracking::new(store.clone(), sim.clock.clone());
        let acme = tracking.create_brand("Acme").await.unwrap().id;
        let other = tracking.create_brand("Other Co").await.unwrap().id;
        let ana = tracking.create_creator("Ana", None).await.unwrap().id;
        let bo = tracking.create_creator("Bo", None).await.unwrap().id;
        let cy = tracking.create_creator("Cy", None).await.unwrap().id;
        let program = tracking
            .create_program(
                acme,
                ScopeSpec::new("Ambassadors", ["#BrandX"]).members([ana]),
            )
            .await
            .unwrap();
        let campaign = tracking
            .create_campaign(
                acme,
                ScopeSpec::new("Spring launch", ["#Spring"]).members([ana, bo]),
                None,
            )
            .await
            .unwrap();
        let other_program = tracking
            .create_program(
                other,
                ScopeSpec::new("Other program", ["#OtherCo"]).members([cy]),
            )
            .await
            .unwrap();
        sim.fake(Platform::TikTok).add_post(
            FakePost::new(
                "tt-post-1",
                "tt-ana",
                t0() - h(2),
                "launch day #BrandX #spring",
            )
            .reads(t0() - h(2), views(10)),
        );
        sim.fake(Platform::Instagram).add_post(
            FakePost::new("ig-post-1", "ig-bo", t0() - h(1), "#spring look")
                .reads(t0() - h(1), views(100)),
        );
        sim.fake(Platform::YouTube).add_post(
            FakePost::new("yt-post-1", "yt-cy", t0() - h(1), "#OtherCo review")
                .reads(t0() - h(1), views(1000)),
        );
        let ana_tiktok = sim.connect(ana, Platform::TikTok, "tt-ana").await;
        let bo_instagram = sim.connect(bo, Platform::Instagram, "ig-bo").await;
        let cy_youtube = sim.connect(cy, Platform::YouTube, "yt-cy").await;
        let builder = Dashboard::builder(sim.engine.clone())
            .with_resolver(HeaderBrand)
            .with_csrf_secret(b"test secret".to_vec());
        let dashboard = configure(builder).build();
        let app = dashboard.mount(Router::new(), PREFIX);
        World {
            sim,
            store,
            tracking,
            dashboard,
            app,
            acme,
            ana,
            bo,
            program,
            campaign,
            ana_tiktok,
            bo_instagram,
            other,
            cy,
            other_program,
            cy_youtube,
        }
    }

    /// A request to `path` (under the prefix) as `brand`.
    pub async fn get(&self, path: &str, brand: Option<BrandId>) -> Answer {
        self.send(
            Request::get(format!("{PREFIX}{path}")),
            brand,
            Body::empty(),
        )
        .await
    }

    pub async fn send(
        &self,
        request: axum::http::request::Builder,
        brand: Option<BrandId>,
        body: Body,
    ) -> Answer {
        let request = match brand {
            Some(b) => request.header(BRAND_HEADER, b.get().to_string()),
            None => request,
        };
        let response = self
            .app
            .clone()
            .oneshot(request.body(body).unwrap())
            .await
            .unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        Answer {
            status,
            headers,
            body: String::from_utf8(bytes.to_vec()).unwrap(),
        }
    }

    /// Posts the reset form for `connection` as `brand`.
    pub async fn post_reset(
        &self,
        connection: i64,
        brand: Option<BrandId>,
        form: &str,
        extra: &[(&str, &str)],
    ) -> Answer {
        let mut r = Request::post(format!("{PREFIX}/disabled/{connection}/reset"))
            .header("content-type", "application/x-www-form-urlencoded");
        for (k, v) in extra {
            r = r.header(*k, *v);
        }
        self.send(r, brand, Body::from(form.to_owned())).await
    }

    /// Advances the clock and runs one engine cycle.
    pub async fn step(&self, hours: i64) {
        self.sim.run(h(hours), 1).await;
    }
}

pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Answer {
    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }
}

/// The CSRF token of a confirmation page.
pub fn csrf_token(html: &str) -> String {
    let at = html.find("name=\"csrf\" value=\"").expect("no csrf field")
        + "name=\"csrf\" value=\"".len();
    html[at..].split('"').next().unwrap().to_owned()
}

/// The values of every `attr="..."` in `html`.
pub fn attributes<'a>(html: &'a str, attr: &str) -> Vec<&'a str> {
    let needle = format!(" {attr}=\"");
    html.match_indices(&needle)
        .map(|(i, _)| html[i + needle.len()..].split('"').next().unwrap())
        .collect()
}
