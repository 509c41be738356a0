//! The time series of a report: one bucket per pair of consecutive
//! boundaries, marked where a connection was down.

use super::model::SeriesBucket;
use crate::clock::Timestamp;
use crate::domain::{StatusInterval, StatusKind};
use crate::ids::ConnectionId;
use crate::metrics::Metric;
use crate::report::{CounterTotals, ReportPost};
use std::collections::{BTreeMap, BTreeSet};

/// Builds the series from the store's as-of totals at each boundary.
///
/// Each bucket `[start, end)` holds the as-of totals at `end` and their
/// growth since `start`, for the counters in `known` and any counter with a
/// non-zero total. A bucket is `disconnected` when a non-active status
/// interval of a post's connection overlaps it after that connection's
/// first post in the report was published (a gap before any of its posts
/// existed cannot have hidden anything). The first bucket that is not
/// disconnected after one that is (or, for the first bucket, after a gap in
/// the bucket before the range) is `after_gap`: the growth of the gap lands
/// there, never spread over the gap. A bucket is `deleted` when one of the
/// posts was `Deleted` during it: its last reading is carried, not read.
pub(crate) fn build_series(
    boundaries: &[(Timestamp, CounterTotals)],
    history: &[(ConnectionId, Vec<StatusInterval>)],
    posts: &[ReportPost],
    known: &[Metric],
) -> Vec<SeriesBucket> {
    let mut boundaries: Vec<&(Timestamp, CounterTotals)> = boundaries.iter().collect();
    boundaries.sort_by_key(|(t, _)| *t);
    boundaries.dedup_by_key(|(t, _)| *t);

    let metrics: BTreeSet<Metric> = Metric::ALL
        .into_iter()
        .filter(|m| m.is_counter())
        .filter(|m| {
            known.contains(m) || boundaries.iter().any(|(_, totals)| totals[m.index()] != 0)
        })
        .collect();

    let gaps = Gaps::new(history, posts);
    let mut previous_down: Option<bool> = None;
    boundaries
        .windows(2)
        .map(|pair| {
            let (start, at_start) = pair[0];
            let (end, at_end) = pair[1];
            let down = gaps.overlap(*start, *end);
            let deleted = posts.iter().any(|p| {
                // Deleted until its window ended: after that it is expired.
                let to = (*end).min(p.monitor_until + chrono::TimeDelta::microseconds(1));
                *start < to && p.deleted.iter().any(|d| d.overlaps(*start, to))
            });
            let before =
                previous_down.unwrap_or_else(|| gaps.overlap(*start - (*end - *start), *start));
            previous_down = Some(down);
            let as_of = metrics.iter().map(|m| (*m, at_end[m.index()])).collect();
            // Both totals are sums of non-negative readings (far inside
            // `i128`): the difference is exact. Saturating only keeps totals
            // no store makes from panicking.
            let growth = metrics
                .iter()
                .map(|m| {
                    let i = m.index();
                    (*m, at_end[i].saturating_sub(at_start[i]))
                })
                .collect();
            SeriesBucket {
                start: *start,
                end: *end,
                as_of,
                growth,
                disconnected: down,
                after_gap: before && !down,
                deleted,
            }
        })
        .collect()
}

/// The non-active intervals of the connections that matter, each with the
/// earliest anchor (publish time, or discovery of a post dated ahead) of
/// the connection's posts.
struct Gaps<'a> {
    intervals: Vec<(Timestamp, &'a StatusInterval)>,
}

impl<'a> Gaps<'a> {
    fn new(history: &'a [(ConnectionId, Vec<StatusInterval>)], posts: &[ReportPost]) -> Self {
        let mut first_post: BTreeMap<ConnectionId, Timestamp> = BTreeMap::new();
        for p in posts {
            first_post
                .entry(p.connection)
                .and_modify(|t| *t = (*t).min(p.anchored_at))
                .or_insert(p.anchored_at);
        }
        let intervals = history
            .iter()
            .filter_map(|(c, h)| first_post.get(c).map(|first| (*first, h)))
            .flat_map(|(first, h)| {
                h.iter()
                    .filter(|i| i.status != StatusKind::Active)
                    .map(move |i| (first, i))
            })
            .collect();
        Gaps { intervals }
    }

    /// Whether a gap overlaps `[from, to)`.
    fn overlap(&self, from: Timestamp, to: Timestamp) -> bool {
        self.intervals.iter().any(|(first, i)| {
            let from = from.max(*first);
            from < to && i.overlaps(from, to)
        })
    }
}
