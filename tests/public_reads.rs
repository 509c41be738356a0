//! Reads with the platform's own key: the due posts of many creators read
//! together, each id once per slot; what the key cannot see read with the
//! creator's token; a revoked token noticed although public reads go on.

use chrono::TimeDelta;
use socialsync::core::clock::Timestamp;
use socialsync::core::domain::{PostState, StatusKind};
use socialsync::core::ids::{CreatorId, PlatformPostId};
use socialsync::core::metrics::{Metric, Metrics};
use socialsync::core::platform::{LimitReach, Platform, PlatformErrorKind};
use socialsync::core::policy::MonitoringPolicy;
use socialsync::core::store::PostStore;
use socialsync::core::tracking::{ScopeSpec, Tracking};
use socialsync::memory::MemoryStore;
use socialsync_testkit::{FakePost, Op, Sim};
use std::sync::Arc;

const YT: Platform = Platform::YouTube;

fn t0() -> Timestamp {
    "2026-03-01T00:00:00Z".parse().unwrap()
}

fn h(n: i64) -> TimeDelta {
    TimeDelta::hours(n)
}

fn views(v: u64) -> Metrics {
    Metrics::new().with(Metric::Views, v)
}

/// Three creators with three tracked YouTube videos each, public reads on,
/// discovered and read once.
async fn world(policy: MonitoringPolicy) -> (Sim, Vec<CreatorId>) {
    let store: Arc<dyn PostStore> = Arc::new(MemoryStore::new());
    let sim = Sim::with_policy(store.clone(), t0(), policy);
    let tracking = Tracking::new(store, sim.clock.clone());
    let brand = tracking.create_brand("Acme").await.unwrap().id;
    let mut creators = Vec::new();
    for name in ["ana", "bob", "cy"] {
        creators.push(tracking.create_creator(name, None).await.unwrap().id);
    }
    tracking
        .create_program(
            brand,
            ScopeSpec::new("Program", ["#BrandX"]).members(creators.clone()),
        )
        .await
        .unwrap();
    let fake = sim.fake(YT);
    fake.set_public_batch(50);
    for (creator, name) in creators.iter().zip(["ana", "bob", "cy"]) {
        for i in 0..3 {
            fake.add_post(
                FakePost::new(&format!("{name}{i}"), name, t0() - h(1), "#brandx")
                    .reads(t0() - h(1), views(1)),
            );
        }
        sim.connect(*creator, YT, name).await;
    }
    sim.cycle().await;
    (sim, creators)
}

async fn post(sim: &Sim, id: &str) -> socialsync::core::domain::Post {
    sim.store
        .get_post_by_key(YT, &PlatformPostId::new(id))
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("{id} not stored"))
}

fn ids() -> Vec<String> {
    ["ana", "bob", "cy"]
        .iter()
        .flat_map(|n| (0..3).map(move |i| format!("{n}{i}")))
        .collect()
}

#[tokio::test]
async fn due_videos_of_many_creators_are_read_in_one_call_with_the_apps_key() {
    let (sim, _) = world(MonitoringPolicy::default()).await;
    let fake = sim.fake(YT);
    for id in ids() {
        fake.set_metrics(&id, t0() + h(1), views(7));
    }
    let before = fake.calls();
    let asked = fake.public_ids_asked().len();
    let report = sim.run(h(1), 1).await;

    let after = fake.calls();
    assert_eq!(
        after.fetch_public_metrics - before.fetch_public_metrics,
        1,
        "nine videos of three channels in one public call"
    );
    assert_eq!(
        after.fetch_metrics, before.fetch_metrics,
        "no token read of metrics"
    );
    assert_eq!(fake.public_ids_asked().len() - asked, 9, "each id once");
    assert_eq!(report.scans, 9);
    for id in ids() {
        let p = post(&sim, &id).await;
        assert_eq!(p.scan_count, 2, "{id}");
        let latest = sim.store.latest_snapshot(p.id).await.unwrap().unwrap();
        assert_eq!(latest.metrics.get(Metric::Views), Some(7), "{id}");
    }
}

#[tokio::test]
async fn a_video_the_key_cannot_see_is_read_with_its_creators_token_and_asked_publicly_once() {
    let (sim, _) = world(MonitoringPolicy::default()).await;
    let fake = sim.fake(YT);
    let bob1 = |fake: &socialsync_testkit::FakePlatform| {
        fake.public_ids_asked()
            .iter()
            .filter(|id| id.as_str() == "bob1")
            .count()
    };
    fake.set_unlisted("bob1", true);
    let token_reads = fake.calls().fetch_metrics;
    let asked_before = bob1(fake);
    sim.run(h(1), 3).await;

    let p = post(&sim, "bob1").await;
    assert_eq!(p.state, PostState::Monitoring, "unlisted is not deleted");
    assert_eq!(p.scan_count, 4, "read every hour, with the token");
    assert_eq!(
        bob1(fake) - asked_before,
        1,
        "asked publicly once, then read with the token only"
    );
    assert!(fake.calls().fetch_metrics - token_reads >= 3);
    for id in ids() {
        assert_eq!(post(&sim, &id).await.scan_count, 4, "{id}");
    }
}

#[tokio::test]
async fn a_failed_public_read_costs_no_video_its_slot() {
    let (sim, _) = world(MonitoringPolicy::default()).await;
    let fake = sim.fake(YT);
    fake.fail(
        Op::FetchPublicMetrics,
        None,
        PlatformErrorKind::RateLimited {
            until: None,
            reach: LimitReach::DailyQuota,
        },
        1,
    );
    let report = sim.run(h(1), 1).await;
    assert_eq!(report.scans, 9, "read with the creators' tokens instead");
    assert_eq!(report.failures, 0);
    for id in ids() {
        assert_eq!(post(&sim, &id).await.scan_count, 2, "{id}");
    }
}

#[tokio::test]
async fn a_revoked_token_is_noticed_within_the_hour_and_its_videos_leave_the_public_reads() {
    // Discovery only every six hours: no listing proves the token.
    let policy = MonitoringPolicy {
        discovery_interval: h(6),
        ..MonitoringPolicy::default()
    };
    let (sim, creators) = world(policy).await;
    let fake = sim.fake(YT);
    fake.revoke("ana");
    sim.run(h(1), 2).await;

    let ana = sim
        .store
        .get_connection_by_account(YT, &"ana".into())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(ana.creator, creators[0]);
    assert_eq!(
        ana.status.kind(),
        StatusKind::Disconnected,
        "the revoked token was noticed: {:?}",
        ana.status
    );
    let asked = |fake: &socialsync_testkit::FakePlatform| {
        fake.public_ids_asked()
            .iter()
            .filter(|id| id.as_str().starts_with("ana"))
            .count()
    };
    let before = asked(fake);
    sim.run(h(1), 3).await;
    assert_eq!(
        asked(fake),
        before,
        "a disconnected creator's videos are never read with the app's key"
    );
    for id in ["bob0", "cy2"] {
        assert_eq!(post(&sim, id).await.scan_count, 6, "{id}");
    }
}

#[tokio::test]
async fn an_engine_ticking_often_waits_a_few_minutes_to_fill_a_call() {
    let (sim, _) = world(MonitoringPolicy::default()).await;
    let fake = sim.fake(YT);
    // Settle on the 30-second tick, then one hour: the nine videos, all due
    // at the same minute, wait for a fuller call, then leave in one.
    let tick = TimeDelta::seconds(30);
    sim.run(tick, 120).await;
    let calls = fake.calls().fetch_public_metrics;
    let before: Vec<u32> = futures::future::join_all(ids().iter().map(|id| post(&sim, id)))
        .await
        .iter()
        .map(|p| p.scan_count)
        .collect();
    sim.run(tick, 120).await;
    assert_eq!(
        fake.calls().fetch_public_metrics - calls,
        1,
        "one call an hour"
    );
    for (id, n) in ids().iter().zip(before) {
        let p = post(&sim, id).await;
        assert_eq!(p.scan_count, n + 1, "{id} read once in the hour");
        // Read after its slot, within the gathering time and a tick.
        let slot = p.next_scan_at.map(|t| t - h(1)).unwrap();
        let read = p.last_scanned_at.unwrap();
        assert!(
            read >= slot && read - slot <= socialsync::core::engine::PUBLIC_GATHER + tick,
            "{id}: slot {slot}, read {read}"
        );
    }
}
