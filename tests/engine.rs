//! The engine on a manual clock, the fake platform and the memory store.

use chrono::TimeDelta;
use socialsync::core::clock::Timestamp;
use socialsync::core::domain::{CampaignWindow, PostState, StatusKind};
use socialsync::core::events::Event;
use socialsync::core::ids::{BrandId, PlatformPostId};
use socialsync::core::metrics::{Metric, MetricSet, Metrics};
use socialsync::core::platform::Platform;
use socialsync::core::social_platform::PlatformErrorKind;
use socialsync::core::store::{BucketSize, PostFilter, PostStore, ReportQuery};
use socialsync::core::tracking::{ScopeSpec, Tracking};
use socialsync::memory::MemoryStore;
use socialsync_testkit::{FakePost, Op, Sim};
use std::sync::Arc;

fn t0() -> Timestamp {
    "2026-03-01T00:00:00Z".parse().unwrap()
}

fn h(n: i64) -> TimeDelta {
    TimeDelta::hours(n)
}

fn views(v: u64) -> Metrics {
    Metrics::new().with(Metric::Views, v)
}

struct World {
    sim: Sim,
    tracking: Tracking,
    brand: BrandId,
    ana: socialsync::core::ids::CreatorId,
    program: socialsync::core::domain::Scope,
}

async fn world() -> World {
    let store: Arc<dyn PostStore> = Arc::new(MemoryStore::new());
    let sim = Sim::new(store.clone(), t0());
    let tracking = Tracking::new(store, sim.clock.clone());
    let brand = tracking.create_brand("Acme").await.unwrap().id;
    let ana = tracking.create_creator("Ana", None).await.unwrap().id;
    let program = tracking
        .create_program(brand, ScopeSpec::new("Program", ["#BrandX"]).members([ana]))
        .await
        .unwrap();
    World {
        sim,
        tracking,
        brand,
        ana,
        program,
    }
}

async fn post(w: &World, platform: Platform, id: &str) -> socialsync::core::domain::Post {
    w.sim
        .store
        .get_post_by_key(platform, &PlatformPostId::new(id))
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("post {id} not stored"))
}

#[tokio::test]
async fn post_discovered_at_publication_is_scanned_2161_times_and_never_after() {
    let w = world().await;
    let fake = w.sim.fake(Platform::TikTok);
    fake.add_post(FakePost::new("v1", "tt-ana", t0(), "day one #brandx").reads(t0(), views(1)));
    w.sim.connect(w.ana, Platform::TikTok, "tt-ana").await;
    w.sim.cycle().await;
    w.sim.run(h(1), 2160).await;
    let p = post(&w, Platform::TikTok, "v1").await;
    assert_eq!(p.scan_count, 2161);
    assert_eq!(p.state, PostState::Expired);
    assert_eq!(p.last_scanned_at, Some(t0() + TimeDelta::days(90)));
    let calls = fake.calls().fetch_metrics;
    w.sim.run(h(1), 48).await;
    assert_eq!(post(&w, Platform::TikTok, "v1").await.scan_count, 2161);
    assert_eq!(
        fake.calls().fetch_metrics,
        calls,
        "no reads after the window"
    );
    // Nothing changed after the first reading: one snapshot.
    assert_eq!(
        w.sim
            .store
            .list_snapshots(p.id, t0(), t0() + TimeDelta::days(91))
            .await
            .unwrap()
            .len(),
        1
    );
}

#[tokio::test]
async fn late_discovery_gets_remaining_slots_and_old_posts_are_not_monitored() {
    let w = world().await;
    let fake = w.sim.fake(Platform::YouTube);
    let published = t0() - TimeDelta::days(30) + TimeDelta::minutes(20);
    fake.add_post(
        FakePost::new("late", "yt-ana", published, "#BrandX review").reads(published, views(5)),
    );
    fake.add_post(FakePost::new(
        "old",
        "yt-ana",
        t0() - TimeDelta::days(91),
        "#BrandX old",
    ));
    w.sim.connect(w.ana, Platform::YouTube, "yt-ana").await;
    w.sim.cycle().await;
    w.sim.run(h(1), 61 * 24).await;
    let p = post(&w, Platform::YouTube, "late").await;
    let expected = w.sim.engine.policy().expected_scans(published, t0());
    // One reading at discovery, then every slot up to and including monitor_until.
    assert_eq!(expected, 2 + 60 * 24);
    assert_eq!(u64::from(p.scan_count), expected);
    assert_eq!(p.state, PostState::Expired);
    assert!(
        w.sim
            .store
            .get_post_by_key(Platform::YouTube, &PlatformPostId::new("old"))
            .await
            .unwrap()
            .is_none()
    );
}

#[tokio::test]
async fn after_a_five_hour_outage_a_post_is_scanned_once() {
    let w = world().await;
    let fake = w.sim.fake(Platform::TikTok);
    fake.add_post(FakePost::new("v1", "tt-ana", t0(), "#brandx").reads(t0(), views(1)));
    w.sim.connect(w.ana, Platform::TikTok, "tt-ana").await;
    w.sim.cycle().await;
    // The engine is down for five hours.
    w.sim.clock.advance(h(5) + TimeDelta::minutes(30));
    let r = w.sim.cycle().await;
    assert_eq!(r.scans, 1);
    let p = post(&w, Platform::TikTok, "v1").await;
    assert_eq!(p.scan_count, 2);
    assert_eq!(p.next_scan_at, Some(t0() + h(6)));
    // The platform is down for five hours: the post is read once afterwards.
    fake.fail(Op::FetchMetrics, None, PlatformErrorKind::Unavailable, 1000);
    w.sim.run(h(1), 5).await;
    assert_eq!(post(&w, Platform::TikTok, "v1").await.scan_count, 2);
    let health = w
        .sim
        .engine
        .connection_health(p.connection)
        .await
        .unwrap()
        .unwrap();
    assert!(health.consecutive_failures >= 1);
    assert!(
        health
            .connection
            .health
            .last_error
            .as_deref()
            .is_some_and(|e| e.contains("unavailable"))
    );
    assert!(health.oldest_overdue.is_some());
    fake.clear_faults();
    w.sim.clock.advance(h(1));
    let r = w.sim.cycle().await;
    assert_eq!(r.scans, 1, "never replayed in a burst");
    let p = post(&w, Platform::TikTok, "v1").await;
    assert_eq!(p.scan_count, 3);
    let c = w
        .sim
        .store
        .get_connection(p.connection)
        .await
        .unwrap()
        .unwrap();
    assert!(c.status.is_active(), "transient errors never disconnect");
}
