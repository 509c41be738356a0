//! [`ReportRange`]: the validated time range a report covers.

use super::ReportError;
use crate::clock::Timestamp;
use crate::ids::{BrandId, ScopeId};
use crate::report::{BucketSize, ReportQuery};

/// The most hourly buckets one report may hold (100 days).
pub const MAX_HOURLY_BUCKETS: i64 = 100 * 24;

/// The most daily buckets one report may hold (400 days).
pub const MAX_DAILY_BUCKETS: i64 = 400;

/// A report's time range `[from, to)` and the size of its series' buckets.
///
/// Built only through [`ReportRange::new`], so a range in hand is always
/// valid: `from < to`, both on a bucket boundary (a UTC hour or a UTC day),
/// and at most [`MAX_HOURLY_BUCKETS`] or [`MAX_DAILY_BUCKETS`] buckets.
///
/// ```
/// use socialsync_core::report::ReportRange;
/// use socialsync_core::report::BucketSize;
///
/// let from = "2026-03-01T00:00:00Z".parse().unwrap();
/// let to = "2026-03-08T00:00:00Z".parse().unwrap();
/// let range = ReportRange::new(from, to, BucketSize::Day).unwrap();
/// assert_eq!(range.bucket_count(), 7);
///
/// let off_hour = "2026-03-01T00:30:00Z".parse().unwrap();
/// assert!(ReportRange::new(off_hour, to, BucketSize::Hour).is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReportRange {
    from: Timestamp,
    to: Timestamp,
    bucket: BucketSize,
}

impl ReportRange {
    /// Validates a range: `InvalidRange` when `from >= to`, when either end
    /// is not aligned to `bucket` (UTC), or when the range holds more than
    /// the buckets allowed for that size.
    pub fn new(from: Timestamp, to: Timestamp, bucket: BucketSize) -> Result<Self, ReportError> {
        if from >= to {
            return Err(ReportError::InvalidRange(format!(
                "`from` ({}) must be before `to` ({})",
                from.to_rfc3339(),
                to.to_rfc3339()
            )));
        }
        for (name, t) in [("from", from), ("to", to)] {
            if !bucket.is_aligned(t) {
                return Err(ReportError::InvalidRange(format!(
                    "`{name}` ({}) is not on a UTC {} boundary",
                    t.to_rfc3339(),
                    bucket_name(bucket)
                )));
            }
        }
        let max = match bucket {
            BucketSize::Hour => MAX_HOURLY_BUCKETS,
            BucketSize::Day => MAX_DAILY_BUCKETS,
        };
        let count = buckets_between(from, to, bucket);
        if count > max {
            return Err(ReportError::InvalidRange(format!(
                "{count} {} buckets asked for, at most {max} allowed",
                bucket_name(bucket)
            )));
        }
        Ok(ReportRange { from, to, bucket })
    }

    /// Start (inclusive).
    pub fn from(&self) -> Timestamp {
        self.from
    }

    /// End (exclusive).
    pub fn to(&self) -> Timestamp {
        self.to
    }

    /// The bucket size of the series.
    pub fn bucket(&self) -> BucketSize {
        self.bucket
    }

    /// How many buckets the series holds.
    pub fn bucket_count(&self) -> i64 {
        buckets_between(self.from, self.to, self.bucket)
    }

    /// The store query for this range.
    pub(crate) fn query(&self, brand: BrandId, scope: Option<ScopeId>) -> ReportQuery {
        ReportQuery {
            brand,
            scope,
            from: self.from,
            to: self.to,
            bucket: self.bucket,
        }
    }
}

fn bucket_name(bucket: BucketSize) -> &'static str {
    match bucket {
        BucketSize::Hour => "hour",
        BucketSize::Day => "day",
    }
}

/// Whole buckets in `[from, to)` (both aligned, `from < to`).
fn buckets_between(from: Timestamp, to: Timestamp, bucket: BucketSize) -> i64 {
    let len = bucket.duration().num_microseconds().unwrap_or(i64::MAX);
    let span = (to - from).num_microseconds().unwrap_or(i64::MAX);
    span / len
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeDelta;

    fn t(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn valid_ranges_are_accepted() {
        let r = ReportRange::new(
            t("2026-03-01T00:00:00Z"),
            t("2026-03-01T05:00:00Z"),
            BucketSize::Hour,
        )
        .unwrap();
        assert_eq!(r.bucket_count(), 5);
        assert_eq!(r.bucket(), BucketSize::Hour);
        let from = t("2026-01-01T00:00:00Z");
        let max = ReportRange::new(
            from,
            from + TimeDelta::days(MAX_DAILY_BUCKETS),
            BucketSize::Day,
        )
        .unwrap();
        assert_eq!(max.bucket_count(), MAX_DAILY_BUCKETS);
        let max = ReportRange::new(
            from,
            from + TimeDelta::hours(MAX_HOURLY_BUCKETS),
            BucketSize::Hour,
        )
        .unwrap();
        assert_eq!(max.bucket_count(), MAX_HOURLY_BUCKETS);
    }

    #[test]
    fn empty_or_reversed_ranges_are_refused() {
        let a = t("2026-03-01T00:00:00Z");
        let b = t("2026-03-02T00:00:00Z");
        for (from, to) in [(a, a), (b, a)] {
            let e = ReportRange::new(from, to, BucketSize::Day).unwrap_err();
            assert!(matches!(e, ReportError::InvalidRange(_)), "{e:?}");
        }
    }

    #[test]
    fn unaligned_ends_are_refused() {
        let day = t("2026-03-01T00:00:00Z");
        let hour = t("2026-03-01T05:00:00Z");
        let odd = day + TimeDelta::microseconds(1);
        let cases = [
            (odd, hour, BucketSize::Hour),
            (day, hour + TimeDelta::minutes(1), BucketSize::Hour),
            (hour, day + TimeDelta::days(1), BucketSize::Day),
            (day, hour, BucketSize::Day),
        ];
        for (from, to, bucket) in cases {
            let e = ReportRange::new(from, to, bucket).unwrap_err();
            assert!(matches!(e, ReportError::InvalidRange(_)), "{e:?}");
        }
    }

    #[test]
    fn too_many_buckets_are_refused() {
        let from = t("2026-01-01T00:00:00Z");
        let e = ReportRange::new(
            from,
            from + TimeDelta::hours(MAX_HOURLY_BUCKETS + 1),
            BucketSize::Hour,
        )
        .unwrap_err();
        assert!(matches!(e, ReportError::InvalidRange(_)), "{e:?}");
        let e = ReportRange::new(
            from,
            from + TimeDelta::days(MAX_DAILY_BUCKETS + 1),
            BucketSize::Day,
        )
        .unwrap_err();
        assert!(matches!(e, ReportError::InvalidRange(_)), "{e:?}");
    }
}
