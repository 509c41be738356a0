//! Sums of readings, through the engine on the store under test: exact and
//! never overflowing, in the totals, the growth and the series of every
//! report (ARCHITECTURE.md §4, untrusted numbers: sums in wide integers,
//! exact in both stores and in every report; totals and series agree).

use crate::fake_platform::FakePost;
use crate::fixtures::program;
use crate::sim::Sim;
use chrono::TimeDelta;
use socialsync_core::clock::Timestamp;
use socialsync_core::metrics::{Metric, Metrics};
use socialsync_core::platform::Platform;
use socialsync_core::report::BucketSize;
use socialsync_core::report::{Report, ReportRange, analytics_report, scope_report};
use socialsync_core::store::PostStore;
use std::sync::Arc;

/// The posts of the scope: one more than the `i64` range holds of
/// [`LARGEST`] readings (1 024 × (2^53 − 1) < 2^63 − 1 < 1 025 × (2^53 − 1)).
const POSTS: usize = 1_025;

/// The largest reading a platform value may be and still land, 2^53 − 1.
const LARGEST: u64 = (1 << 53) - 1;

/// How many posts a later reading lowers, and by how much each.
const LOWERED: usize = 100;

fn start() -> Timestamp {
    "2026-03-01T00:00:00Z".parse().expect("instant")
}

fn hours(n: i64) -> Timestamp {
    start() + TimeDelta::hours(n)
}

fn views(v: u64) -> Metrics {
    Metrics::new().with(Metric::Views, v)
}

/// The views figures of a report: total, growth over the range, and each
/// bucket's as-of total and growth.
fn figures(r: &Report) -> (Option<i128>, Option<i128>, Vec<(i128, i128)>) {
    let total = r.figures.totals.get(&Metric::Views).map(|t| t.value);
    let growth = r.figures.growth.get(&Metric::Views).copied();
    let series = r
        .series
        .iter()
        .map(|b| {
            (
                b.as_of.get(&Metric::Views).copied().unwrap_or(0),
                b.growth.get(&Metric::Views).copied().unwrap_or(0),
            )
        })
        .collect();
    (total, growth, series)
}

/// 1 025 posts of one scope whose views are 2^53 − 1, read through the
/// engine's scans: the scope's report (and the brand's) totals them
/// exactly, 1 025 × (2^53 − 1), beyond `i64`, in its total, its growth and
/// every bucket of its series, and the JSON export writes that number as
/// it is. A later reading that lowers 100 of them gives exact figures too:
/// the total falls by exactly what the readings fell, and the bucket of
/// that reading shows it as its (negative) growth.
pub async fn sums_of_the_largest_readings_are_exact(store: Arc<dyn PostStore>) {
    let (brand, creator, scope) = program(store.as_ref()).await;
    let sim = Sim::new(store.clone(), start());
    let fake = sim.fake(Platform::YouTube);
    let published = hours(-1);
    let ids: Vec<String> = (0..POSTS).map(|k| format!("yt-{k}")).collect();
    for id in &ids {
        fake.add_post(
            FakePost::new(id, "yt", published, "launch #BrandX").reads(published, views(LARGEST)),
        );
    }
    sim.connect(creator.id, Platform::YouTube, "yt").await;
    // An hour of five-minute cycles: every post is found and read once.
    sim.run(TimeDelta::minutes(5), 12).await;

    let full = POSTS as i128 * i128::from(LARGEST);
    assert!(full > i128::from(i64::MAX), "the sum leaves the i64 range");
    let range = ReportRange::new(hours(-1), hours(2), BucketSize::Hour).expect("range");
    let scoped = scope_report(&*store, brand.id, scope.id, range)
        .await
        .expect("campaign report");
    let brand_report = analytics_report(&*store, brand.id, range)
        .await
        .expect("analytics report");
    for (which, r) in [("scope", &scoped), ("brand", &brand_report)] {
        assert_eq!(r.figures.posts, POSTS as u64, "{which}");
        assert_eq!(
            figures(r),
            (
                Some(full),
                Some(full),
                vec![(0, 0), (full, full), (full, 0)]
            ),
            "{which}: (total, growth, [(as of, growth)] per bucket) of views"
        );
        let json = r.to_json();
        assert!(
            json.contains(&format!(r#""views":{{"value":{full},"posts":{POSTS},"#))
                && json.contains(&format!(r#""as_of":{{"views":{full}}}"#)),
            "{which}: the JSON export writes the exact numbers"
        );
        assert!(
            r.to_csv().contains(&format!(",{full},{full},")),
            "{which}: the CSV export writes the exact as-of total and growth"
        );
    }

    // A later reading lowers 100 of them, to 0, 1, …, 99 views: read at the
    // 02:00 slot.
    for (k, id) in ids.iter().take(LOWERED).enumerate() {
        fake.set_metrics(id, sim.now(), views(k as u64));
    }
    sim.run(TimeDelta::minutes(5), 12).await;
    let lowered_to: i128 = (0..LOWERED as i128).sum();
    let after = (POSTS - LOWERED) as i128 * i128::from(LARGEST) + lowered_to;
    let fall = after - full;
    let range = ReportRange::new(hours(-1), hours(3), BucketSize::Hour).expect("range");
    let scoped = scope_report(&*store, brand.id, scope.id, range)
        .await
        .expect("campaign report");
    let brand_report = analytics_report(&*store, brand.id, range)
        .await
        .expect("analytics report");
    for (which, r) in [("scope", &scoped), ("brand", &brand_report)] {
        assert_eq!(
            figures(r),
            (
                Some(after),
                Some(after),
                vec![(0, 0), (full, full), (full, 0), (after, fall)]
            ),
            "{which}: (total, growth, [(as of, growth)] per bucket) of views after the fall"
        );
        let by_post: i128 = r
            .by_post
            .iter()
            .filter_map(|p| p.metrics.get(Metric::Views))
            .map(i128::from)
            .sum();
        assert_eq!(
            by_post, after,
            "{which}: the posts' lines add up to the total"
        );
    }
    // Daily buckets and a range that starts after the first readings give
    // the same sums.
    let range = ReportRange::new(
        "2026-03-01T00:00:00Z".parse().expect("instant"),
        "2026-03-02T00:00:00Z".parse().expect("instant"),
        BucketSize::Day,
    )
    .expect("range");
    let r = scope_report(&*store, brand.id, scope.id, range)
        .await
        .expect("daily report");
    assert_eq!(
        figures(&r),
        (Some(after), Some(after), vec![(after, after)]),
        "daily: every reading is at or after the day's start"
    );
    let range = ReportRange::new(hours(2), hours(3), BucketSize::Hour).expect("range");
    let r = scope_report(&*store, brand.id, scope.id, range)
        .await
        .expect("late report");
    assert_eq!(
        figures(&r),
        (Some(after), Some(fall), vec![(after, fall)]),
        "from 02:00: what came before is the starting total"
    );
}
