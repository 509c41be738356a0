//! The memory-store scan cycle: one cycle over 100 000 due posts with a
//! zero-latency fake platform, 30 % of them changed since their last
//! reading, history capped so iterations do not grow the store.
//!
//! `cargo bench --bench scan_cycle` prints criterion's time per cycle; the
//! throughput line is post-scans per second.

#![allow(missing_docs)] // criterion's macros generate undocumented items

use chrono::TimeDelta;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use socialsync::core::clock::Timestamp;
use socialsync::core::ids::PlatformPostId;
use socialsync::core::metrics::{Metric, Metrics};
use socialsync::core::platform::Platform;
use socialsync::core::store::PostStore;
use socialsync::core::tracking::{ScopeSpec, Tracking};
use socialsync::memory::MemoryStore;
use socialsync_testkit::{FakePost, Sim};
use std::sync::Arc;
use std::time::{Duration, Instant};

const CREATORS: usize = 100;
const POSTS_PER_CREATOR: usize = 1_000;

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let start: Timestamp = "2026-03-01T00:00:00Z".parse().expect("instant");
    let store: Arc<dyn PostStore> = Arc::new(MemoryStore::new().with_history_cap(4));
    let sim = Sim::new(store.clone(), start);
    let fake = sim.fake(Platform::YouTube).clone();
    let ids: Vec<PlatformPostId> = rt.block_on(async {
        let tracking = Tracking::new(store.clone(), sim.clock.clone());
        let brand = tracking.create_brand("Bench").await.expect("brand").id;
        let mut members = Vec::new();
        let mut ids = Vec::new();
        for c in 0..CREATORS {
            let creator = tracking
                .create_creator(&format!("c{c}"), None)
                .await
                .expect("creator")
                .id;
            members.push(creator);
            for p in 0..POSTS_PER_CREATOR {
                let id = format!("c{c}p{p}");
                let published = start - TimeDelta::minutes(30);
                fake.add_post(
                    FakePost::new(&id, &format!("yt{c}"), published, "bench #brandx")
                        .reads(published, views(1)),
                );
                ids.push(PlatformPostId::new(id));
            }
        }
        tracking
            .create_program(
                brand,
                ScopeSpec::new("Program", ["brandx"]).members(members.iter().copied()),
            )
            .await
            .expect("program");
        for (c, creator) in members.iter().enumerate() {
            sim.connect(*creator, Platform::YouTube, &format!("yt{c}"))
                .await;
        }
        sim.cycle().await;
        ids
    });
    // One lane: the fake answers at once, so there is no wait for other
    // lanes to fill, only their bookkeeping (about 9 % here); this measures
    // the engine's own cost per post-scan.
    let mut builder = socialsync::core::engine::Engine::builder()
        .with_store(store.clone())
        .with_clock(sim.clock.clone())
        .with_scan_concurrency(1);
    for p in sim.platforms.values() {
        builder = builder.with_platform(p.clone());
    }
    let engine = builder.build().expect("engine");
    let mut round = 0u64;
    let mut group = c.benchmark_group("scan_cycle");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(20));
    group.throughput(Throughput::Elements((CREATORS * POSTS_PER_CREATOR) as u64));
    group.bench_function("100k_due_posts_30pct_changed", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                round += 1;
                // 30 % of the posts read differently this hour.
                for (i, id) in ids.iter().enumerate() {
                    if (i as u64 + round) % 10 < 3 {
                        fake.set_current(id, views(round * 10 + i as u64));
                    }
                }
                sim.clock.advance(TimeDelta::hours(1));
                let t = Instant::now();
                let r = rt.block_on(engine.run_scans()).expect("cycle");
                total += t.elapsed();
                assert_eq!(r.scans as usize, CREATORS * POSTS_PER_CREATOR);
            }
            total
        });
    });
    group.finish();
}

fn views(v: u64) -> Metrics {
    Metrics::new()
        .with(Metric::Views, v)
        .with(Metric::Likes, v / 10)
}

criterion_group! {
    name = benches;
    config = Criterion::default();
    targets = bench
}
criterion_main!(benches);
