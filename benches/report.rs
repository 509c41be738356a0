//! The campaign report for 1 000 posts with 90 days of hourly readings
//! (2.16 million snapshots), read from the memory store's aggregates.
//!
//! `cargo bench --bench report`.

#![allow(missing_docs)] // criterion's macros generate undocumented items

use chrono::TimeDelta;
use criterion::{Criterion, criterion_group, criterion_main};
use socialsync::core::metrics::{Metric, Metrics};
use socialsync::core::report::BucketSize;
use socialsync::core::report::{ReportRange, scope_report};
use socialsync::core::store::{ClaimRequest, NextScan, PostStore, ScanCompletion, ScanReading};
use socialsync::memory::MemoryStore;
use socialsync_testkit::fixtures::{attributed, hours, post, world};
use std::sync::Arc;

const POSTS: usize = 1_000;
const HOURS: i64 = 90 * 24;

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let store: Arc<dyn PostStore> = Arc::new(MemoryStore::new());
    let w = rt.block_on(async {
        let w = world(&*store).await;
        let ups = (0..POSTS)
            .map(|i| {
                post(
                    &w.connection,
                    &format!("p{i}"),
                    hours(0),
                    vec![attributed(&w.scope, "brandx")],
                )
            })
            .collect();
        store.upsert_posts(ups, hours(0)).await.expect("upsert");
        for h in 0..HOURS {
            let now = hours(h);
            let claims = store
                .claim_due_posts(ClaimRequest {
                    now,
                    lease_until: now + TimeDelta::minutes(5),
                    limit: POSTS,
                })
                .await
                .expect("claim");
            assert_eq!(claims.len(), POSTS);
            let done = claims
                .into_iter()
                .enumerate()
                .map(|(i, c)| {
                    let v = (h as u64 + 1) * (i as u64 % 7 + 1);
                    let reading = Metrics::new()
                        .with(Metric::Views, v * 10)
                        .with(Metric::Likes, v)
                        .with(Metric::Comments, v / 3);
                    ScanCompletion {
                        post: c.post.id,
                        token: c.token,
                        at: now,
                        reading: ScanReading::Changed(reading),
                        next: NextScan::At(hours(h + 1)),
                    }
                })
                .collect();
            store.complete_scans(done).await.expect("complete");
        }
        w
    });
    let range = ReportRange::new(hours(0), hours(HOURS), BucketSize::Day).expect("range");
    let hourly = ReportRange::new(hours(0), hours(HOURS), BucketSize::Hour).expect("range");
    let mut group = c.benchmark_group("report");
    group.sample_size(20);
    group.bench_function("campaign_1000_posts_90_days_daily", |b| {
        b.iter(|| {
            rt.block_on(scope_report(&*store, w.brand.id, w.scope.id, range))
                .expect("report")
        })
    });
    group.bench_function("campaign_1000_posts_90_days_hourly", |b| {
        b.iter(|| {
            rt.block_on(scope_report(&*store, w.brand.id, w.scope.id, hourly))
                .expect("report")
        })
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default();
    targets = bench
}
criterion_main!(benches);
