//! The engine over a store that fails where the test says
//! ([`FaultyStore`]): one post's refused write stays that post's, and a
//! panic outside any connection costs one cycle, not the engine.

use chrono::TimeDelta;
use socialsync::core::clock::Clock;
use socialsync::core::clock::Timestamp;
use socialsync::core::domain::PostState;
use socialsync::core::ids::PlatformPostId;
use socialsync::core::metrics::{Metric, Metrics};
use socialsync::core::platform::{Platform, PlatformErrorKind};
use socialsync::core::tracking::{ScopeSpec, Tracking};
use socialsync::memory::MemoryStore;
use socialsync_testkit::{FakePost, FaultyStore, Op, Sim};
use std::sync::Arc;
use std::time::Duration;

fn t0() -> Timestamp {
    "2026-03-01T00:00:00Z".parse().unwrap()
}

/// A TikTok account with three tracked posts, discovered and read once.
async fn world() -> (Sim, Arc<FaultyStore>) {
    let faulty = Arc::new(FaultyStore::new(Arc::new(MemoryStore::new())));
    let sim = Sim::new(faulty.clone(), t0());
    let tracking = Tracking::new(faulty.clone(), sim.clock.clone());
    let brand = tracking.create_brand("Acme").await.unwrap().id;
    let ana = tracking.create_creator("Ana", None).await.unwrap().id;
    tracking
        .create_program(brand, ScopeSpec::new("Program", ["#BrandX"]).members([ana]))
        .await
        .unwrap();
    let fake = sim.fake(Platform::TikTok);
    for (i, id) in ["v1", "v2", "v3"].into_iter().enumerate() {
        let views = Metrics::new().with(Metric::Views, 10 * (i as u64 + 1));
        fake.add_post(FakePost::new(id, "tt-ana", t0(), "#brandx").reads(t0(), views));
    }
    sim.connect(ana, Platform::TikTok, "tt-ana").await;
    sim.cycle().await;
    (sim, faulty)
}

async fn scans(sim: &Sim, id: &str) -> u32 {
    let post = sim
        .store
        .get_post_by_key(Platform::TikTok, &PlatformPostId::new(id))
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("{id} not stored"));
    post.scan_count
}

#[tokio::test]
async fn a_scan_the_store_refuses_is_that_posts_and_the_others_land() {
    let (sim, faulty) = world().await;
    for id in ["v1", "v2", "v3"] {
        assert_eq!(scans(&sim, id).await, 1, "{id} read once at discovery");
    }
    let v2 = sim
        .store
        .get_post_by_key(Platform::TikTok, &PlatformPostId::new("v2"))
        .await
        .unwrap()
        .unwrap();
    faulty.refuse_scans_of(v2.id);
    let report = sim.run(TimeDelta::hours(1), 1).await;

    // The batch was refused, then each post written alone: v1 and v3 land.
    assert_eq!(faulty.refusals(), 2, "the batch, then v2 alone");
    assert_eq!(scans(&sim, "v1").await, 2);
    assert_eq!(scans(&sim, "v3").await, 2);
    assert_eq!(scans(&sim, "v2").await, 1, "v2's reading was refused");
    assert_eq!(report.scans, 2);
    assert_eq!(report.failures, 0, "the connection did not fail");
    let conn = sim
        .store
        .get_connection_by_account(Platform::TikTok, &"tt-ana".into())
        .await
        .unwrap()
        .unwrap();
    assert!(conn.status.is_active());
    let error = conn.health.last_error.unwrap_or_default();
    assert!(
        error.contains(&v2.id.to_string()) && error.contains("not written"),
        "the refusal is recorded on the connection: {error}"
    );
}

#[tokio::test]
async fn a_panic_outside_any_connection_costs_one_cycle_and_the_engine_runs_on() {
    let (sim, faulty) = world().await;
    let engine = sim.new_engine_with(|b| b.with_tick(Duration::from_millis(20)));
    sim.clock.advance(TimeDelta::hours(1));
    faulty.panic_on_claims(1);
    // The first tick's cycle panics while claiming; the next ones scan.
    engine
        .run(tokio::time::sleep(Duration::from_millis(400)))
        .await;
    for id in ["v1", "v2", "v3"] {
        assert_eq!(scans(&sim, id).await, 2, "{id} scanned after the panic");
    }
}

async fn post(sim: &Sim, id: &str) -> socialsync::core::domain::Post {
    sim.store
        .get_post_by_key(Platform::TikTok, &PlatformPostId::new(id))
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("{id} not stored"))
}

#[tokio::test]
async fn a_refused_write_after_a_missing_permission_stays_that_posts() {
    let (sim, faulty) = world().await;
    let v2 = post(&sim, "v2").await;
    faulty.refuse_scans_of(v2.id);
    sim.fake(Platform::TikTok).fail(
        Op::FetchMetrics,
        Some("tt-ana"),
        PlatformErrorKind::PermissionMissing("video.list".into()),
        1,
    );
    sim.clock.advance(TimeDelta::hours(1));
    let now = sim.clock.now();
    sim.cycle().await;

    // Nothing was read, so no post was scanned; v1 and v3 are scheduled
    // again, v2's refused completion leaves its claim to lapse.
    for id in ["v1", "v3"] {
        let p = post(&sim, id).await;
        assert_eq!(p.scan_count, 1, "{id} was not read");
        assert!(
            p.next_scan_at.is_some_and(|at| at > now),
            "{id} rescheduled past now: {:?}",
            p.next_scan_at
        );
    }
    assert!(faulty.refusals() >= 2, "the batch, then v2 alone");
}

#[tokio::test]
async fn a_refused_expiry_stays_that_posts_and_the_others_expire() {
    let (sim, faulty) = world().await;
    let v2 = post(&sim, "v2").await;
    faulty.refuse_scans_of(v2.id);
    // Far past the 90-day window: the posts expire unread.
    sim.clock.advance(TimeDelta::days(120));
    let report = sim.cycle().await;

    for id in ["v1", "v3"] {
        assert_eq!(post(&sim, id).await.state, PostState::Expired, "{id}");
    }
    assert_eq!(post(&sim, "v2").await.state, PostState::Monitoring);
    assert_eq!(report.expired, 2, "only the expiries that landed count");
    assert!(faulty.refusals() >= 2, "the batch, then v2 alone");
}
