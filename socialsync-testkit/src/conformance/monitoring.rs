//! Monitoring through the engine (ARCHITECTURE.md §2, §4): what counts as
//! a scan, when a reading is too late, and posts whose platform states a
//! publish time ahead of their discovery. Each behaviour runs a [`Sim`]
//! over the store.

use super::shared::must;
use crate::fake_platform::FakePost;
use crate::fixtures::{hours, program, t0};
use crate::sim::Sim;
use chrono::TimeDelta;
use socialsync_core::clock::Timestamp;
use socialsync_core::domain::{Post, PostState, Scope};
use socialsync_core::ids::{BrandId, CreatorId, PlatformPostId};
use socialsync_core::metrics::{Metric, Metrics};
use socialsync_core::platform::Platform;
use socialsync_core::report::BucketSize;
use socialsync_core::report::{ReportRange, scope_report};
use socialsync_core::store::PostStore;
use std::sync::Arc;

fn views(v: u64) -> Metrics {
    Metrics::new().with(Metric::Views, v)
}

fn days(d: i64) -> TimeDelta {
    TimeDelta::days(d)
}

/// A simulation starting at `start`, a brand, a creator and a program
/// tracking `#brandx` with that creator.
async fn setup(store: Arc<dyn PostStore>, start: Timestamp) -> (Sim, BrandId, CreatorId, Scope) {
    let (brand, ana, program) = program(store.as_ref()).await;
    (Sim::new(store, start), brand.id, ana.id, program)
}

async fn stored(sim: &Sim, id: &str) -> Post {
    must(
        sim.store
            .get_post_by_key(Platform::TikTok, &PlatformPostId::new(id))
            .await,
        "get_post_by_key",
    )
    .unwrap_or_else(|| panic!("post {id} not stored"))
}

/// A post whose scans were held up past its window (the engine was down)
/// expires unread: neither its scan count nor its last-scanned time moves.
/// Nor do they when a paused post's window ends.
pub async fn expiry_without_a_reading_is_not_a_scan(store: Arc<dyn PostStore>) {
    let (sim, _, ana, _) = setup(store, t0()).await;
    let fake = sim.fake(Platform::TikTok);
    fake.add_post(FakePost::new("late", "tt-ana", t0(), "#brandx").reads(t0(), views(1)));
    fake.add_post(FakePost::new("paused", "tt-bob", t0(), "#brandx").reads(t0(), views(2)));
    sim.connect(ana, Platform::TikTok, "tt-ana").await;
    sim.connect(ana, Platform::TikTok, "tt-bob").await;
    sim.cycle().await;
    for id in ["late", "paused"] {
        let p = stored(&sim, id).await;
        assert_eq!((p.scan_count, p.last_scanned_at), (1, Some(t0())), "{id}");
    }
    // Bob revokes access: his post is paused at its next slot.
    fake.revoke("tt-bob");
    sim.run(TimeDelta::hours(1), 1).await;
    assert_eq!(stored(&sim, "paused").await.state, PostState::Paused);
    let late = stored(&sim, "late").await;
    assert_eq!((late.scan_count, late.last_scanned_at), (2, Some(hours(1))));
    // The engine is down until two hours after both windows ended.
    let reads = fake.calls().fetch_metrics;
    sim.clock.set(t0() + days(90) + TimeDelta::hours(2));
    sim.cycle().await;
    assert_eq!(fake.calls().fetch_metrics, reads, "nothing read that late");
    let late = stored(&sim, "late").await;
    assert_eq!(late.state, PostState::Expired);
    assert_eq!(
        (late.scan_count, late.last_scanned_at),
        (2, Some(hours(1))),
        "an expiry without a reading is not a scan"
    );
    let paused = stored(&sim, "paused").await;
    assert_eq!(paused.state, PostState::Expired);
    assert_eq!((paused.scan_count, paused.last_scanned_at), (1, Some(t0())));
}

/// A post due at a slot is read up to `monitor_until` plus one lease, and
/// not a microsecond later.
pub async fn no_reading_after_window_end_plus_one_lease(store: Arc<dyn PostStore>) {
    let lease = sim_lease();
    let start = t0() + TimeDelta::minutes(1);
    let (sim, _, ana, _) = setup(store, start).await;
    let fake = sim.fake(Platform::TikTok);
    // `b` is published a second after `a`: its window ends a second later.
    let b_published = t0() + TimeDelta::seconds(1);
    fake.add_post(FakePost::new("a", "tt-ana", t0(), "#brandx").reads(t0(), views(1)));
    fake.add_post(
        FakePost::new("b", "tt-ana", b_published, "#brandx").reads(b_published, views(1)),
    );
    sim.connect(ana, Platform::TikTok, "tt-ana").await;
    sim.cycle().await;
    // The engine is down until just after `a`'s last chance, just before `b`'s.
    let now = t0() + days(90) + lease + TimeDelta::microseconds(1);
    fake.set_metrics("a", now, views(7));
    fake.set_metrics("b", now, views(7));
    sim.clock.set(now);
    sim.cycle().await;
    let a = stored(&sim, "a").await;
    assert_eq!(a.monitor_until, t0() + days(90));
    assert_eq!(a.state, PostState::Expired);
    assert_eq!(
        (a.scan_count, a.last_scanned_at),
        (1, Some(start)),
        "a post is never read after monitor_until plus one lease"
    );
    let b = stored(&sim, "b").await;
    assert_eq!(b.state, PostState::Expired);
    assert_eq!((b.scan_count, b.last_scanned_at), (2, Some(now)));
    let latest = must(sim.store.latest_snapshot(b.id).await, "latest_snapshot");
    assert_eq!(latest.map(|s| s.metrics), Some(views(7)));
    let latest = must(sim.store.latest_snapshot(a.id).await, "latest_snapshot");
    assert_eq!(latest.map(|s| s.metrics), Some(views(1)));
}

fn sim_lease() -> TimeDelta {
    socialsync_core::policy::MonitoringPolicy::default().lease
}

/// A post the platform dates 30 days ahead is recorded with that date, but
/// its slots, window and report placement start at its discovery; it does
/// not blind hourly discovery to the real posts published after it.
pub async fn future_dated_post_is_anchored_at_its_discovery(store: Arc<dyn PostStore>) {
    let (sim, brand, ana, program) = setup(store, t0()).await;
    let fake = sim.fake(Platform::TikTok);
    let dated = t0() + days(30);
    fake.add_post(
        FakePost::new("ahead", "tt-ana", t0(), "#brandx")
            .dated(dated)
            .reads(t0(), views(10)),
    );
    sim.connect(ana, Platform::TikTok, "tt-ana").await;
    sim.cycle().await;
    let p = stored(&sim, "ahead").await;
    assert_eq!(p.published_at, dated, "recorded as the platform says");
    assert_eq!(p.monitor_until, t0() + days(90), "window from discovery");
    assert_eq!((p.scan_count, p.next_scan_at), (1, Some(hours(1))));

    // A real post an hour later: the next hourly discovery finds it.
    fake.add_post(FakePost::new("real", "tt-ana", hours(1), "#brandx").reads(hours(1), views(3)));
    sim.run(TimeDelta::hours(1), 1).await;
    let real = stored(&sim, "real").await;
    assert_eq!(real.first_seen_at, hours(1));
    assert_eq!(real.scan_count, 1);
    let p = stored(&sim, "ahead").await;
    assert_eq!((p.scan_count, p.next_scan_at), (2, Some(hours(2))));
    sim.run(TimeDelta::hours(1), 2).await;
    let p = stored(&sim, "ahead").await;
    assert_eq!(
        (p.scan_count, p.last_scanned_at, p.next_scan_at),
        (4, Some(hours(3)), Some(hours(4)))
    );

    // A report placed after its discovery, before the date it states, counts it.
    let day = ReportRange::new(t0(), t0() + days(1), BucketSize::Day).expect("range");
    let report = scope_report(sim.store.as_ref(), brand, program.id, day)
        .await
        .expect("report");
    let listed: Vec<&str> = report
        .by_post
        .iter()
        .map(|l| l.platform_post_id.as_str())
        .collect();
    assert_eq!(listed, vec!["ahead", "real"]);
    assert_eq!(report.posts_by_state.monitoring, 2);
    // One ending at its discovery does not.
    let before = ReportRange::new(t0() - days(1), t0(), BucketSize::Day).expect("range");
    let report = scope_report(sim.store.as_ref(), brand, program.id, before)
        .await
        .expect("report");
    assert!(report.by_post.is_empty(), "{:?}", report.by_post);
    assert_eq!(report.posts_by_state.monitoring, 0);

    // Its window ends 90 days after its discovery: read at that slot, then expired.
    sim.clock.set(t0() + days(90));
    sim.cycle().await;
    let p = stored(&sim, "ahead").await;
    assert_eq!(p.state, PostState::Expired);
    assert_eq!(
        (p.scan_count, p.last_scanned_at, p.next_scan_at),
        (5, Some(t0() + days(90)), None)
    );
}
