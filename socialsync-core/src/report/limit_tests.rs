//! Reports at the ends of time: any range [`ReportRange::new`] accepts is
//! built into a report (and exported) without a panic, whatever the posts,
//! statuses and totals around it; sums at any size stay exact.

use super::*;
use crate::clock::Timestamp;
use crate::domain::{DeletedSpan, PostState, StatusInterval, StatusKind};
use crate::ids::{ConnectionId, PlatformPostId, PostId};
use crate::metrics::{Metric, Metrics};
use crate::platform::Platform;
use crate::report::{BucketSize, CounterTotals, ReportInputs, ReportPost, ReportQuery};
use chrono::TimeDelta;
use proptest::prelude::*;

const CONN: ConnectionId = ConnectionId(1);

fn len(bucket: BucketSize) -> i64 {
    bucket.duration().num_microseconds().unwrap_or(i64::MAX)
}

/// The last instant on a `bucket` boundary.
fn last_boundary(bucket: BucketSize) -> Timestamp {
    let max = Timestamp::MAX.micros();
    Timestamp::from_micros(max - max.rem_euclid(len(bucket))).unwrap_or(Timestamp::MIN)
}

/// `n` buckets after `MIN` (`at_max == false`) or before the last boundary.
fn near_end(bucket: BucketSize, at_max: bool, n: i64) -> Timestamp {
    if at_max {
        last_boundary(bucket) - bucket.duration() * n as i32
    } else {
        Timestamp::MIN + bucket.duration() * n as i32
    }
}

/// An instant `offset` microseconds from one end of time (clamped).
fn instant(at_max: bool, offset: i64) -> Timestamp {
    if at_max {
        Timestamp::MAX - TimeDelta::microseconds(offset)
    } else {
        Timestamp::MIN + TimeDelta::microseconds(offset)
    }
}

fn reading(views: u64, likes: Option<u64>) -> Metrics {
    let mut m = Metrics::new().with(Metric::Views, views);
    m.set(Metric::Likes, likes);
    m
}

#[allow(clippy::too_many_arguments)]
fn post(
    id: i64,
    at_max: bool,
    anchor: i64,
    window: i64,
    deleted: Option<(i64, Option<i64>)>,
    state: PostState,
    from: Option<Metrics>,
    to: Option<Metrics>,
) -> ReportPost {
    let anchored_at = instant(at_max, anchor);
    ReportPost {
        id: PostId(id),
        platform: Platform::YouTube,
        platform_post_id: PlatformPostId::new(format!("yt-{id}")),
        creator: CreatorId(1),
        connection: CONN,
        listers: Vec::new(),
        scopes: vec![ScopeId(1)],
        permalink: None,
        published_at: anchored_at,
        monitor_until: anchored_at + TimeDelta::microseconds(window),
        deleted: deleted
            .map(|(f, t)| DeletedSpan {
                from: instant(at_max, f),
                to: t.map(|t| instant(at_max, t)),
            })
            .into_iter()
            .collect(),
        anchored_at,
        state,
        at_from: from,
        at_to: to,
        latest_before_to: to,
    }
}

fn state() -> impl Strategy<Value = PostState> {
    prop::sample::select(PostState::ALL.to_vec())
}

fn metrics() -> impl Strategy<Value = Option<Metrics>> {
    prop::option::of(
        (any::<u64>(), prop::option::of(any::<u64>())).prop_map(|(v, l)| reading(v, l)),
    )
}

/// Offsets from an end of time: mostly within a few buckets of it.
fn offset() -> impl Strategy<Value = i64> {
    prop_oneof![0..=10 * 86_400_000_000i64, 0..=i64::MAX / 2]
}

fn meta(range: ReportRange) -> ReportMeta {
    ReportMeta {
        brand: BrandId(1),
        scope: None,
        range,
        creator_names: Default::default(),
        members: Default::default(),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Ranges of up to the most buckets allowed, within a few buckets of
    /// `Timestamp::MIN` or of the last boundary before `Timestamp::MAX`,
    /// with posts, deletions, disconnections and totals of any size around
    /// them: accepted ranges make a report of one bucket per step, end to
    /// end, whose series carries the totals exactly, and whose exports
    /// hold; refused ones are `InvalidRange`. Nothing panics.
    #[test]
    fn ranges_near_the_ends_of_time_never_panic(
        hourly in any::<bool>(),
        at_max in any::<bool>(),
        start in 0i64..5,
        count in 0i64..=2_401,
        posts in prop::collection::vec(
            (any::<bool>(), offset(), offset(), prop::option::of((offset(), prop::option::of(offset()))),
             state(), metrics(), metrics()),
            0..4,
        ),
        gaps in prop::collection::vec((any::<bool>(), offset(), prop::option::of(offset())), 0..3),
        totals in prop::collection::vec(0i128..=i128::from(u64::MAX) << 40, 2),
    ) {
        let bucket = if hourly { BucketSize::Hour } else { BucketSize::Day };
        let (from, to) = if at_max {
            (near_end(bucket, true, start + count), near_end(bucket, true, start))
        } else {
            (near_end(bucket, false, start), near_end(bucket, false, start + count))
        };
        let range = match ReportRange::new(from, to, bucket) {
            Ok(r) => r,
            Err(ReportError::InvalidRange(_)) => {
                let max = if hourly { MAX_HOURLY_BUCKETS } else { MAX_DAILY_BUCKETS };
                prop_assert!(count == 0 || count > max, "refused {count} buckets");
                return Ok(());
            }
            Err(e) => return Err(TestCaseError::fail(format!("{e}"))),
        };
        prop_assert_eq!(range.bucket_count(), count);
        let posts: Vec<ReportPost> = posts
            .into_iter()
            .enumerate()
            .map(|(i, (near_max, anchor, window, deleted, state, from, to))| {
                post(i as i64 + 1, near_max, anchor, window, deleted, state, from, to)
            })
            .collect();
        let history: Vec<StatusInterval> = gaps
            .into_iter()
            .map(|(near_max, from, to)| StatusInterval {
                status: StatusKind::Disconnected,
                from: instant(near_max, from),
                to: to.map(|t| instant(near_max, t)),
                reason: None,
            })
            .collect();
        // As-of totals as a store hands them: rising by `totals[1]` a bucket
        // from `totals[0]` (far beyond `i64`).
        let query = ReportQuery { brand: BrandId(1), scope: None, from, to, bucket };
        let boundaries: Vec<(Timestamp, CounterTotals)> = query
            .boundaries()
            .enumerate()
            .map(|(k, b)| {
                let mut t = CounterTotals::default();
                t[Metric::Views.index()] = totals[0] + totals[1] * k as i128;
                (b, t)
            })
            .collect();
        prop_assert_eq!(boundaries.len() as i64, count + 1);
        let inputs = ReportInputs {
            posts,
            boundaries,
            connection_history: vec![(CONN, history)],
        };
        let report = build_report(inputs, meta(range));
        prop_assert_eq!(report.series.len() as i64, count);
        prop_assert_eq!(report.series.first().map(|b| b.start), Some(from));
        prop_assert_eq!(report.series.last().map(|b| b.end), Some(to));
        for (k, b) in report.series.iter().enumerate() {
            prop_assert_eq!(b.end - b.start, bucket.duration());
            let end = totals[0] + totals[1] * (k as i128 + 1);
            if end != 0 {
                prop_assert_eq!(b.as_of.get(&Metric::Views), Some(&end));
                prop_assert_eq!(b.growth.get(&Metric::Views), Some(&totals[1]));
            }
        }
        let json = report.to_json();
        let whole = json.starts_with('{') && json.ends_with('}');
        prop_assert!(whole, "a JSON object");
        prop_assert!(report.to_csv().ends_with("\r\n"));
        prop_assert!(!report.to_table().is_empty());
    }

    /// Any two instants and a bucket size: `ReportRange::new` answers, and
    /// an accepted range's buckets fit its bounds.
    #[test]
    fn any_range_is_answered_without_a_panic(
        a in any::<i64>(),
        b in any::<i64>(),
        hourly in any::<bool>(),
    ) {
        let bucket = if hourly { BucketSize::Hour } else { BucketSize::Day };
        let at = |m: i64| {
            let lo = Timestamp::MIN.micros();
            let hi = Timestamp::MAX.micros();
            let m = lo + (m.rem_euclid(hi - lo));
            // Aligned half of the time, to reach accepted ranges.
            let m = if m % 2 == 0 { m - m.rem_euclid(len(bucket)) } else { m };
            Timestamp::from_micros(m.max(lo)).unwrap_or(Timestamp::MIN)
        };
        let (from, to) = (at(a), at(b));
        if let Ok(r) = ReportRange::new(from, to, bucket) {
            prop_assert!(r.bucket_count() >= 1);
            prop_assert_eq!(r.from() + bucket.duration() * r.bucket_count() as i32, r.to());
        }
    }
}

/// The refused ends: a range ending at `Timestamp::MAX` (never on a
/// boundary), and the whole span of time.
#[test]
fn ranges_past_the_last_boundary_are_invalid() {
    for bucket in [BucketSize::Hour, BucketSize::Day] {
        let last = last_boundary(bucket);
        for (from, to) in [
            (last, Timestamp::MAX),
            (Timestamp::MIN, Timestamp::MAX),
            (Timestamp::MIN, last),
        ] {
            let e = ReportRange::new(from, to, bucket).unwrap_err();
            assert!(matches!(e, ReportError::InvalidRange(_)), "{e:?}");
        }
        let r = ReportRange::new(last - bucket.duration(), last, bucket).unwrap();
        assert_eq!(r.bucket_count(), 1);
    }
}
