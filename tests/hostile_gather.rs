//! Hostile tests of gathered public reads: while the engine ticks often, a
//! public call that would not be full waits (up to `PUBLIC_GATHER`) for
//! more due videos. These attack what that wait costs others and whether
//! it gathers at all.

use chrono::TimeDelta;
use socialsync::core::clock::Timestamp;
use socialsync::core::engine::{Engine, PUBLIC_GATHER};
use socialsync::core::ids::{CreatorId, PlatformPostId};
use socialsync::core::metrics::{Metric, Metrics};
use socialsync::core::platform::Platform;
use socialsync::core::policy::MonitoringPolicy;
use socialsync::core::store::PostStore;
use socialsync::core::tracking::{ScopeSpec, Tracking};
use socialsync::memory::MemoryStore;
use socialsync_testkit::{FakePost, Sim};
use std::sync::Arc;

const YT: Platform = Platform::YouTube;
const TT: Platform = Platform::TikTok;

fn t0() -> Timestamp {
    "2026-03-01T00:00:00Z".parse().unwrap()
}

fn h(n: i64) -> TimeDelta {
    TimeDelta::hours(n)
}

fn tick() -> TimeDelta {
    TimeDelta::seconds(30)
}

fn views(v: u64) -> Metrics {
    Metrics::new().with(Metric::Views, v)
}

/// `yt` channels with `per` tracked videos each, public reads on, plus
/// `tt` TikTok accounts with one tracked video each published `tt_after`
/// after the videos; all discovered and read once by the sim's engine.
async fn world(
    policy: MonitoringPolicy,
    yt: usize,
    per: usize,
    tt: usize,
    tt_after: TimeDelta,
) -> Sim {
    let store: Arc<dyn PostStore> = Arc::new(MemoryStore::new());
    let sim = Sim::with_policy(store.clone(), t0(), policy);
    let tracking = Tracking::new(store, sim.clock.clone());
    let brand = tracking.create_brand("Acme").await.unwrap().id;
    let mut creators: Vec<(CreatorId, Platform, String)> = Vec::new();
    for c in 0..yt {
        let name = format!("yt{c}");
        let id = tracking.create_creator(&name, None).await.unwrap().id;
        creators.push((id, YT, name));
    }
    for c in 0..tt {
        let name = format!("tt{c}");
        let id = tracking.create_creator(&name, None).await.unwrap().id;
        creators.push((id, TT, name));
    }
    tracking
        .create_program(
            brand,
            ScopeSpec::new("Program", ["#BrandX"]).members(creators.iter().map(|c| c.0)),
        )
        .await
        .unwrap();
    sim.fake(YT).set_public_batch(50);
    // Slots twenty minutes past the hour, away from the hourly listings.
    let published = t0() - TimeDelta::minutes(40);
    for (creator, platform, name) in &creators {
        let fake = sim.fake(*platform);
        if *platform == YT {
            for i in 0..per {
                fake.add_post(
                    FakePost::new(&format!("{name}v{i}"), name, published, "#brandx")
                        .reads(published, views(1)),
                );
            }
        } else {
            fake.add_post(
                FakePost::new(&format!("{name}v0"), name, published + tt_after, "#brandx")
                    .reads(published, views(1)),
            );
        }
        sim.connect(*creator, *platform, name).await;
    }
    sim.cycle().await;
    sim
}

async fn post(sim: &Sim, platform: Platform, id: &str) -> socialsync::core::domain::Post {
    sim.store
        .get_post_by_key(platform, &PlatformPostId::new(id))
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("{id} not stored"))
}

/// Advances the clock by `step` and runs a cycle of `engine`, `times` times.
async fn step(sim: &Sim, engine: &Engine, step: TimeDelta, times: u32) {
    for _ in 0..times {
        sim.clock.advance(step);
        engine.run_cycle().await.expect("cycle");
    }
}

/// PIN (passes on the memory store, whose due queue puts a released post
/// behind the others of its hour; a store that claims strictly by due
/// time would make the TikTok post wait for the video's gathering).
/// A TikTok post has no public read, so nothing should make it wait. With
/// a claim batch smaller than what is held, the held YouTube video (due two
/// minutes earlier, so claimed first) fills every claim batch, the lane
/// stops at "only held posts", and the TikTok post behind it waits until
/// the video has waited the whole gathering time.
#[tokio::test]
async fn a_tiktok_post_is_not_made_late_by_a_held_youtube_video() {
    let sim = world(MonitoringPolicy::default(), 1, 1, 1, TimeDelta::minutes(2)).await;
    let engine = sim.new_engine_with(|b| b.with_claim_batch(1));
    // Settle on the 30-second tick for two hours (gathering on).
    step(&sim, &engine, tick(), 240).await;
    let tt = post(&sim, TT, "tt0v0").await;
    let slot = tt.next_scan_at.unwrap();
    let before = tt.scan_count;
    // Run up to one tick past the TikTok post's slot.
    while sim.now() < slot + tick() {
        step(&sim, &engine, tick(), 1).await;
    }
    let tt = post(&sim, TT, "tt0v0").await;
    assert_eq!(
        tt.scan_count,
        before + 1,
        "the TikTok post (slot {slot}) is read within a tick of its slot; now {}, last read {:?}",
        sim.now(),
        tt.last_scanned_at
    );
}

/// Sixty videos of three channels due at the same minute: one full call
/// of 50 and one of 10 whatever the claim batch. With a claim batch of
/// 10, each claim batch is a partial call and is held; the next claim
/// batch is those same held videos and the lane stops. Nothing is ever
/// gathered: the videos wait the whole gathering time and then leave ten
/// a call.
#[tokio::test]
async fn videos_due_together_are_gathered_whatever_the_claim_batch() {
    let sim = world(MonitoringPolicy::default(), 3, 20, 0, TimeDelta::zero()).await;
    let engine = sim.new_engine_with(|b| b.with_claim_batch(10));
    step(&sim, &engine, tick(), 120).await;
    let fake = sim.fake(YT);
    let calls = fake.calls().fetch_public_metrics;
    step(&sim, &engine, tick(), 120).await;
    assert_eq!(
        fake.calls().fetch_public_metrics - calls,
        2,
        "60 videos due together: a call of 50 and one of 10 in the hour"
    );
}

/// Same as above with several lanes, each claiming a partial call.
#[tokio::test]
async fn videos_due_together_are_gathered_across_lanes() {
    let sim = world(MonitoringPolicy::default(), 3, 20, 0, TimeDelta::zero()).await;
    let engine = sim.new_engine_with(|b| b.with_claim_batch(20).with_scan_concurrency(3));
    step(&sim, &engine, tick(), 120).await;
    let fake = sim.fake(YT);
    let calls = fake.calls().fetch_public_metrics;
    step(&sim, &engine, tick(), 120).await;
    assert_eq!(
        fake.calls().fetch_public_metrics - calls,
        2,
        "60 videos due together: a call of 50 and one of 10 in the hour"
    );
}

/// A valid policy scanning every two minutes: holding a lone video for
/// five minutes skips two of its slots in three. Every slot should still
/// be read (gathering should never wait longer than the scan interval).
#[tokio::test]
async fn gathering_never_skips_slots_of_a_short_scan_interval() {
    let policy = MonitoringPolicy {
        scan_interval: TimeDelta::minutes(2),
        lease: TimeDelta::minutes(1),
        ..MonitoringPolicy::default()
    };
    policy.validate().expect("a valid policy");
    let sim = world(policy, 1, 1, 0, TimeDelta::zero()).await;
    sim.run(tick(), 20).await;
    let before = post(&sim, YT, "yt0v0").await.scan_count;
    sim.run(tick(), 120).await;
    let after = post(&sim, YT, "yt0v0").await.scan_count;
    assert!(
        after - before >= 29,
        "an hour of two-minute slots reads the video ~30 times; read {} times (gathering {PUBLIC_GATHER})",
        after - before
    );
}

/// A valid policy whose lease (2 minutes) is shorter than the gathering
/// time: the last slot of a lone video (at its window's end) is held, the
/// read deadline (window end plus a lease) passes while it waits, and the
/// video expires unread: its final reading is lost.
#[tokio::test]
async fn the_last_slot_of_a_window_is_read_even_with_a_short_lease() {
    let policy = MonitoringPolicy {
        window: h(2),
        lease: TimeDelta::minutes(2),
        ..MonitoringPolicy::default()
    };
    policy.validate().expect("a valid policy");
    let sim = world(policy, 1, 1, 0, TimeDelta::zero()).await;
    sim.run(tick(), 360).await;
    let p = post(&sim, YT, "yt0v0").await;
    let end = t0() + TimeDelta::minutes(80);
    assert!(
        p.last_scanned_at.is_some_and(|t| t >= end),
        "the slot at the window's end ({end}) is read; last read {:?}, state {:?}, {} scans",
        p.last_scanned_at,
        p.state,
        p.scan_count
    );
}

/// The calculator with a tick below zero (a host's arithmetic gone wrong):
/// the gathering cycle `PUBLIC_GATHER + tick / 2` falls to nothing and
/// every video is costed a call of its own each hour, fifty times what a
/// tick of zero or of a minute below zero costs.
#[test]
fn a_negative_tick_costs_what_a_tick_of_zero_costs() {
    use socialsync::core::capacity::{Fleet, Quotas, capacity};
    let day = |tick: TimeDelta| {
        let fleet = Fleet {
            platform: YT,
            creators: 50,
            monitored_per_creator: 210,
            api_key: true,
            tick,
        };
        capacity(&fleet, &MonitoringPolicy::default(), &Quotas::default())
            .buckets
            .iter()
            .find(|b| b.bucket == "youtube videos:batchGetStats")
            .map(|b| b.per_day)
            .unwrap()
    };
    let zero = day(TimeDelta::zero());
    assert_eq!(day(TimeDelta::minutes(-1)), zero, "a minute below zero");
    assert_eq!(
        day(TimeDelta::minutes(-20)),
        zero,
        "twenty minutes below zero"
    );
}
