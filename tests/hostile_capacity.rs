//! The capacity calculator against the engine as a host runs it: the
//! engine's default tick is 30 seconds and each post's hourly slots are
//! anchored at its own publish time, so the due videos of a fleet are
//! spread over the hour.

use chrono::TimeDelta;
use socialsync::core::capacity::{Fleet, Quotas, capacity};
use socialsync::core::clock::Timestamp;
use socialsync::core::metrics::{Metric, Metrics};
use socialsync::core::platform::Platform;
use socialsync::core::policy::MonitoringPolicy;
use socialsync::core::store::PostStore;
use socialsync::core::tracking::{ScopeSpec, Tracking};
use socialsync::memory::MemoryStore;
use socialsync_testkit::{FakePost, Sim};
use std::sync::Arc;

const YT: Platform = Platform::YouTube;
const CREATORS: usize = 50;
const PER_CREATOR: usize = 21;

fn t0() -> Timestamp {
    "2026-03-01T00:00:00Z".parse().unwrap()
}

/// 1 050 videos of 50 channels, published at even intervals over the hour
/// before `t0`, all tracked, read with the app's key, the engine ticking
/// every 30 seconds (its default) for one hour after a settling hour. The
/// calculator says 21 `batchGetStats` calls an hour (1 050 / 50, 504 a
/// day); the engine reads each tick's due videos in a call of their own,
/// some nine ids a call.
#[tokio::test]
async fn batched_statistics_cost_what_the_calculator_predicts_at_the_default_tick() {
    let policy = MonitoringPolicy::default();
    let store: Arc<dyn PostStore> = Arc::new(MemoryStore::new());
    let sim = Sim::with_policy(store.clone(), t0(), policy);
    let tracking = Tracking::new(store, sim.clock.clone());
    let brand = tracking.create_brand("Acme").await.unwrap().id;
    let mut creators = Vec::new();
    for c in 0..CREATORS {
        creators.push(
            tracking
                .create_creator(&format!("c{c}"), None)
                .await
                .unwrap()
                .id,
        );
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
    let total = CREATORS * PER_CREATOR;
    let spacing = 3_600_000 / total as i64;
    for (c, creator) in creators.iter().enumerate() {
        let account = format!("c{c}");
        for i in 0..PER_CREATOR {
            let k = (i * CREATORS + c) as i64;
            let published = t0() - TimeDelta::hours(1) + TimeDelta::milliseconds(k * spacing);
            fake.add_post(
                FakePost::new(&format!("{account}v{i}"), &account, published, "#brandx")
                    .reads(published, Metrics::new().with(Metric::Views, 1)),
            );
        }
        sim.connect(*creator, YT, &account).await;
    }
    sim.cycle().await;
    let tick = TimeDelta::seconds(30);
    sim.run(tick, 120).await;
    let before = fake.calls().fetch_public_metrics;
    let report = sim.run(tick, 120).await;
    let calls = fake.calls().fetch_public_metrics - before;

    let predicted = capacity(
        &Fleet {
            platform: YT,
            creators: CREATORS as u64,
            monitored_per_creator: PER_CREATOR as u64,
            api_key: true,
            tick: TimeDelta::seconds(30),
        },
        &policy,
        &Quotas::default(),
    );
    let per_hour = predicted.buckets[1].per_day / 24.0;
    assert!(report.scans >= total as u64, "every video read: {report:?}");
    assert!(
        (calls as f64) <= per_hour * 1.05,
        "{calls} batchGetStats calls in the hour for {total} videos; the calculator \
         predicts {per_hour} ({} units a video a day instead of {})",
        calls as f64 * 24.0 / total as f64,
        per_hour * 24.0 / total as f64
    );
}
