//! Report ranges at the ends of time: every range [`ReportRange::new`]
//! accepts is served by the store under test, exactly, without a panic.

use super::shared::must;
use crate::fixtures::*;
use chrono::TimeDelta;
use socialsync_core::clock::Timestamp;
use socialsync_core::metrics::{Metric, Metrics};
use socialsync_core::report::{BucketSize, ReportQuery};
use socialsync_core::report::{Report, ReportRange, analytics_report, scope_report};
use socialsync_core::store::{NextScan, PostStore};
use std::sync::Arc;

fn views(v: u64) -> Metrics {
    Metrics::new().with(Metric::Views, v)
}

/// The last instant on a `bucket` boundary that a timestamp can hold.
fn last_boundary(bucket: BucketSize) -> Timestamp {
    let len = bucket
        .duration()
        .num_microseconds()
        .expect("a bucket's length");
    let max = Timestamp::MAX.micros();
    Timestamp::from_micros(max - max.rem_euclid(len)).expect("an instant in range")
}

/// The views of a report: total, growth, and (as of, growth) per bucket.
fn figures(r: &Report) -> (Option<i128>, Option<i128>, Vec<(i128, i128)>) {
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
    (
        r.figures.totals.get(&Metric::Views).map(|t| t.value),
        r.figures.growth.get(&Metric::Views).copied(),
        series,
    )
}

/// Reports over ranges at [`Timestamp::MIN`] and at the last hour and day
/// boundary before [`Timestamp::MAX`], hourly and daily, up to the most
/// buckets a range may hold, are served: one bucket per step of the range,
/// end to end. A post published at `Timestamp::MIN` (never read) counts in
/// every one of them; a post read in 2026 counts, with its reading carried,
/// in the ranges at the far end only.
pub async fn reports_serve_ranges_at_the_ends_of_time(store: Arc<dyn PostStore>) {
    let w = world(&*store).await;
    let a = vec![attributed(&w.scope, "brandx")];
    let min = Timestamp::MIN;
    let last_hour = last_boundary(BucketSize::Hour);
    let last_day = last_boundary(BucketSize::Day);
    let hour = |n: i64| TimeDelta::hours(n);
    let day = |n: i64| TimeDelta::days(n);
    let up = must(
        store
            .upsert_posts(
                vec![
                    post(&w.connection, "first", min, a.clone()),
                    post(&w.connection, "today", hours(-5), a),
                ],
                t0(),
            )
            .await,
        "upsert a post published at Timestamp::MIN and one of today",
    );
    scan(&*store, up[1].id, t0(), views(10), NextScan::At(hours(1))).await;

    // `n` buckets holding `v` views as of their end, none grown.
    let flat = |n: usize, v: i128| vec![(v, 0); n];
    let early = |n: usize| (None, None, flat(n, 0));
    let late = |n: usize| (Some(10), Some(0), flat(n, 10));
    // (from, to, bucket, posts, expected (total, growth, series) of views)
    let cases = [
        (
            hours(-1),
            hours(2),
            BucketSize::Hour,
            2,
            (Some(10), Some(10), vec![(0, 0), (10, 10), (10, 0)]),
        ),
        (min, min + hour(1), BucketSize::Hour, 1, early(1)),
        (min + hour(1), min + hour(3), BucketSize::Hour, 1, early(2)),
        (min, min + hour(2_400), BucketSize::Hour, 1, early(2_400)),
        (min, min + day(1), BucketSize::Day, 1, early(1)),
        (min, min + day(400), BucketSize::Day, 1, early(400)),
        (last_hour - hour(1), last_hour, BucketSize::Hour, 2, late(1)),
        (last_hour - hour(3), last_hour, BucketSize::Hour, 2, late(3)),
        (
            last_hour - hour(2_400),
            last_hour,
            BucketSize::Hour,
            2,
            late(2_400),
        ),
        (last_day - day(1), last_day, BucketSize::Day, 2, late(1)),
        (last_day - day(400), last_day, BucketSize::Day, 2, late(400)),
    ];
    for (from, to, bucket, posts, expected) in cases {
        let what = format!("[{from:?}, {to:?}) by {bucket:?}");
        let range = ReportRange::new(from, to, bucket)
            .unwrap_or_else(|e| panic!("{what} is a valid range: {e}"));
        let scope = scope_report(&*store, w.brand.id, w.scope.id, range)
            .await
            .unwrap_or_else(|e| panic!("campaign report {what}: {e}"));
        let brand = analytics_report(&*store, w.brand.id, range)
            .await
            .unwrap_or_else(|e| panic!("analytics report {what}: {e}"));
        for r in [&scope, &brand] {
            assert_eq!(
                r.figures.posts, posts,
                "{what}: posts published before its end"
            );
            assert_eq!(r.series.len() as i64, range.bucket_count(), "{what}");
            let starts: Vec<Timestamp> = r.series.iter().map(|b| b.start).collect();
            let ends: Vec<Timestamp> = r.series.iter().map(|b| b.end).collect();
            assert_eq!(starts.first(), Some(&from), "{what}");
            assert_eq!(ends.last(), Some(&to), "{what}");
            assert_eq!(&starts[1..], &ends[..ends.len() - 1], "{what}: end to end");
            assert!(
                r.series
                    .iter()
                    .all(|b| b.end - b.start == bucket.duration()),
                "{what}: whole buckets"
            );
            assert_eq!(
                figures(r),
                expected,
                "{what}: (total, growth, [(as of, growth)] per bucket) of views"
            );
            let json = r.to_json();
            assert!(json.starts_with('{'), "{what}: exports as JSON");
            assert!(!r.to_csv().is_empty(), "{what}: exports as CSV");
        }
    }
    // A query no range makes (its end is `Timestamp::MAX`, on no
    // boundary), straight to the store: answered with the boundaries up to
    // the last one before it, not endlessly.
    let query = ReportQuery {
        brand: w.brand.id,
        scope: Some(w.scope.id),
        from: last_hour - hour(2),
        to: Timestamp::MAX,
        bucket: BucketSize::Hour,
    };
    let r = must(
        store.report_inputs(query).await,
        "report inputs up to Timestamp::MAX",
    );
    let boundaries: Vec<(Timestamp, i128)> = r
        .boundaries
        .iter()
        .map(|(b, t)| (*b, t[Metric::Views.index()]))
        .collect();
    assert_eq!(
        boundaries,
        [
            (last_hour - hour(2), 10),
            (last_hour - hour(1), 10),
            (last_hour, 10)
        ]
    );
}
