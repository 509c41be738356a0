//! Metrics: what a reading of a post holds.
//!
//! A metric is either a cumulative *counter* (summed in reports) or a *gauge*
//! (never summed). A metric the platform hides or does not have is *absent*
//! ([`None`]), never zero.

use crate::clock::Timestamp;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Whether a metric may be summed across posts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MetricKind {
    /// A cumulative count: summed in totals.
    Counter,
    /// A level (an average): shown per post, never summed.
    Gauge,
}

macro_rules! metrics {
    ($($(#[$doc:meta])* $variant:ident = $name:literal, $kind:ident;)*) => {
        /// One engagement metric.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        #[repr(u8)]
        pub enum Metric {
            $($(#[$doc])* $variant,)*
        }

        impl Metric {
            /// Every metric, in a fixed order (the order of CSV columns).
            pub const ALL: [Metric; Metric::COUNT] = [$(Metric::$variant,)*];

            /// The stable snake_case name.
            pub fn name(self) -> &'static str {
                match self {
                    $(Metric::$variant => $name,)*
                }
            }

            /// Counter or gauge.
            pub fn kind(self) -> MetricKind {
                match self {
                    $(Metric::$variant => MetricKind::$kind,)*
                }
            }

            /// Parses the stable name.
            pub fn from_name(name: &str) -> Option<Metric> {
                match name {
                    $($name => Some(Metric::$variant),)*
                    _ => None,
                }
            }
        }
    };
}

metrics! {
    /// Views / plays.
    Views = "views", Counter;
    /// Likes.
    Likes = "likes", Counter;
    /// Comments.
    Comments = "comments", Counter;
    /// Shares.
    Shares = "shares", Counter;
    /// Saves.
    Saves = "saves", Counter;
    /// Unique accounts reached.
    Reach = "reach", Counter;
    /// Instagram total interactions.
    TotalInteractions = "total_interactions", Counter;
    /// Follows gained from the post (Instagram).
    Follows = "follows", Counter;
    /// Profile visits from the post (Instagram).
    ProfileVisits = "profile_visits", Counter;
    /// Story replies (Instagram).
    Replies = "replies", Counter;
    /// Dislikes (YouTube, owner only).
    Dislikes = "dislikes", Counter;
    /// Total watch time in milliseconds (Instagram reels).
    WatchTimeMs = "watch_time_ms", Counter;
    /// Average watch time in milliseconds: a gauge.
    AvgWatchTimeMs = "avg_watch_time_ms", Gauge;
}

impl Metric {
    /// How many metrics there are.
    pub const COUNT: usize = 13;

    /// The metrics that make up engagement (likes + comments + shares + saves).
    pub const ENGAGEMENT: [Metric; 4] = [
        Metric::Likes,
        Metric::Comments,
        Metric::Shares,
        Metric::Saves,
    ];

    /// The index of this metric in [`Metric::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }

    /// The metric at position `i` of [`Metric::ALL`].
    pub fn from_index(i: usize) -> Option<Metric> {
        Metric::ALL.get(i).copied()
    }

    /// Whether this metric is a counter.
    pub fn is_counter(self) -> bool {
        self.kind() == MetricKind::Counter
    }
}

impl fmt::Display for Metric {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A set of metrics (a bit set over [`Metric::ALL`]).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(from = "Vec<Metric>", into = "Vec<Metric>")]
pub struct MetricSet(u16);

impl MetricSet {
    /// No metric.
    pub const EMPTY: MetricSet = MetricSet(0);

    /// Every metric.
    pub fn all() -> MetricSet {
        MetricSet((1u16 << Metric::COUNT) - 1)
    }

    /// The set of these metrics.
    pub fn of(metrics: &[Metric]) -> MetricSet {
        metrics.iter().fold(MetricSet::EMPTY, |s, m| s.with(*m))
    }

    /// This set plus `m`.
    #[must_use]
    pub fn with(self, m: Metric) -> MetricSet {
        MetricSet(self.0 | (1 << m.index()))
    }

    /// This set without `m`.
    #[must_use]
    pub fn without(self, m: Metric) -> MetricSet {
        MetricSet(self.0 & !(1 << m.index()))
    }

    /// Whether `m` is in the set.
    pub fn contains(self, m: Metric) -> bool {
        self.0 & (1 << m.index()) != 0
    }

    /// Whether the set is empty.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The union.
    #[must_use]
    pub fn union(self, other: MetricSet) -> MetricSet {
        MetricSet(self.0 | other.0)
    }

    /// The metrics in the set, in [`Metric::ALL`] order.
    pub fn iter(self) -> impl Iterator<Item = Metric> {
        let mut bits = self.0;
        std::iter::from_fn(move || {
            if bits == 0 {
                return None;
            }
            let i = bits.trailing_zeros() as usize;
            bits &= bits - 1;
            Metric::from_index(i)
        })
    }

    /// The raw bits (stable: bit `i` is `Metric::ALL[i]`).
    pub fn bits(self) -> u16 {
        self.0
    }

    /// From raw bits; unknown bits are dropped.
    pub fn from_bits(bits: u16) -> MetricSet {
        MetricSet(bits & MetricSet::all().0)
    }
}

impl fmt::Debug for MetricSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.iter()).finish()
    }
}

impl From<Vec<Metric>> for MetricSet {
    fn from(v: Vec<Metric>) -> Self {
        MetricSet::of(&v)
    }
}

impl From<MetricSet> for Vec<Metric> {
    fn from(s: MetricSet) -> Self {
        s.iter().collect()
    }
}

/// The values of one reading: each metric present with a value, or absent.
///
/// ```
/// use socialsync_core::metrics::{Metric, Metrics};
/// let m = Metrics::new().with(Metric::Views, 120).with(Metric::Likes, 7);
/// assert_eq!(m.get(Metric::Likes), Some(7));
/// assert_eq!(m.get(Metric::Saves), None); // absent, not zero
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Metrics {
    present: MetricSet,
    values: [u64; Metric::COUNT],
}

impl Metrics {
    /// The largest value a reading keeps: 2^53 (beyond, a JSON number is
    /// not exact in most clients; a platform that sends more is wrong, and
    /// the value is an invalid reading of that metric).
    pub const MAX_VALUE: u64 = 1 << 53;

    /// A reading with every metric absent.
    pub fn new() -> Metrics {
        Metrics::default()
    }

    /// Makes absent every value above [`Metrics::MAX_VALUE`]; the metrics
    /// dropped.
    pub fn drop_invalid(&mut self) -> MetricSet {
        let mut dropped = MetricSet::EMPTY;
        for m in self.present.iter() {
            if self.values[m.index()] > Self::MAX_VALUE {
                dropped = dropped.with(m);
            }
        }
        for m in dropped.iter() {
            self.set(m, None);
        }
        dropped
    }

    /// The value of `m`, or `None` when absent.
    pub fn get(&self, m: Metric) -> Option<u64> {
        self.present.contains(m).then(|| self.values[m.index()])
    }

    /// Sets `m` (`None` makes it absent).
    pub fn set(&mut self, m: Metric, value: Option<u64>) {
        match value {
            Some(v) => {
                self.present = self.present.with(m);
                self.values[m.index()] = v;
            }
            None => {
                self.present = self.present.without(m);
                self.values[m.index()] = 0;
            }
        }
    }

    /// This reading with `m` set to `value`.
    #[must_use]
    pub fn with(mut self, m: Metric, value: u64) -> Metrics {
        self.set(m, Some(value));
        self
    }

    /// The metrics present.
    pub fn present(&self) -> MetricSet {
        self.present
    }

    /// Whether every metric is absent.
    pub fn is_empty(&self) -> bool {
        self.present.is_empty()
    }

    /// The present metrics and their values.
    pub fn iter(&self) -> impl Iterator<Item = (Metric, u64)> + '_ {
        self.present.iter().map(|m| (m, self.values[m.index()]))
    }

    /// The metrics whose value (or presence) differs between `self` and
    /// `other`; absent is a value of its own.
    pub fn changed_from(&self, other: &Metrics) -> MetricSet {
        let mut changed = MetricSet(self.present.0 ^ other.present.0);
        for m in self.present.iter() {
            if other.present.contains(m) && self.values[m.index()] != other.values[m.index()] {
                changed = changed.with(m);
            }
        }
        changed
    }

    /// The values carried forward: `self`'s present values, and for each
    /// metric `self` lacks, `previous`'s value (the report keeps a metric
    /// that turned absent at its last value, flagged stale).
    pub fn carried_over(&self, previous: &Metrics) -> Metrics {
        let mut out = *previous;
        for m in self.present.iter() {
            out.set(m, Some(self.values[m.index()]));
        }
        out
    }
}

impl fmt::Debug for Metrics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map()
            .entries(self.iter().map(|(m, v)| (m.name(), v)))
            .finish()
    }
}

impl Serialize for Metrics {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = s.serialize_map(Some(self.present.iter().count()))?;
        for (m, v) in self.iter() {
            map.serialize_entry(m.name(), &v)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for Metrics {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = std::collections::BTreeMap::<String, Option<u64>>::deserialize(d)?;
        let mut out = Metrics::new();
        for (name, value) in raw {
            let m = Metric::from_name(&name)
                .ok_or_else(|| serde::de::Error::custom(format!("unknown metric `{name}`")))?;
            out.set(m, value);
        }
        Ok(out)
    }
}

/// The hour a reading's change is aggregated in: maintained aggregates keep
/// one [`CounterDelta`] per series per hour, numbered from the Unix epoch
/// (hour 0 starts at 1970-01-01T00:00Z; instants before it have negative
/// hours).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct AggregateHour(pub i64);

impl AggregateHour {
    const MICROS: i64 = 3_600_000_000;

    /// The hour holding `t`.
    pub fn of(t: Timestamp) -> AggregateHour {
        AggregateHour(t.micros().div_euclid(Self::MICROS))
    }

    /// The hour's first instant (saturating at the timestamp's limits).
    pub fn start(self) -> Timestamp {
        self.0
            .checked_mul(Self::MICROS)
            .and_then(Timestamp::from_micros)
            .unwrap_or(if self.0 < 0 {
                Timestamp::MIN
            } else {
                Timestamp::MAX
            })
    }
}

/// Per-counter signed differences between two carried-forward readings: what
/// one scan adds to the totals of every scope the post counts for; also the
/// sums of such differences the stores keep per hour and hand to reports.
///
/// The values are `i128`, so every sum of readings is exact and cannot
/// overflow: a reading is a `u64` (in practice at most 2^53, larger platform
/// values are refused before they reach a store), posts are numbered by
/// `i64`, so the carried values of every post there can ever be sum to less
/// than 2^63 × 2^64 = 2^127, within `i128`. A running sum of per-hour
/// differences in hour order is such a sum at every step (the differences
/// of one post telescope to its current value).
///
/// ```
/// use socialsync_core::metrics::{CounterDelta, Metric, Metrics};
///
/// let big = Metrics::new().with(Metric::Views, (1 << 53) - 1);
/// let mut total = CounterDelta::default();
/// for _ in 0..1_025 {
///     total.add(&CounterDelta::between(&Metrics::new(), &big));
/// }
/// // 1 025 × (2^53 − 1): more than `i64::MAX`, exact.
/// assert_eq!(total.get(Metric::Views), 1_025 * ((1i128 << 53) - 1));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct CounterDelta(pub [i128; Metric::COUNT]);

impl CounterDelta {
    /// The change in counter totals when a post's carried-forward values go
    /// from `before` to `after` (gauges contribute nothing).
    pub fn between(before: &Metrics, after: &Metrics) -> CounterDelta {
        let mut d = [0i128; Metric::COUNT];
        for m in Metric::ALL {
            if m.is_counter() {
                let a = i128::from(after.get(m).unwrap_or(0));
                let b = i128::from(before.get(m).unwrap_or(0));
                d[m.index()] = a - b;
            }
        }
        CounterDelta(d)
    }

    /// Whether every difference is zero.
    pub fn is_zero(&self) -> bool {
        self.0.iter().all(|v| *v == 0)
    }

    /// Adds `other` into `self`.
    ///
    /// Exact for every sum the stores make (see the type's documentation);
    /// [`CounterDelta::checked_add`] is for values read from outside, which
    /// could hold anything.
    pub fn add(&mut self, other: &CounterDelta) {
        for (a, b) in self.0.iter_mut().zip(other.0.iter()) {
            *a += *b;
        }
    }

    /// Subtracts `other` from `self` (exact, as [`CounterDelta::add`]).
    pub fn sub(&mut self, other: &CounterDelta) {
        for (a, b) in self.0.iter_mut().zip(other.0.iter()) {
            *a -= *b;
        }
    }

    /// `self + other`, or `None` when a sum leaves the `i128` range (only
    /// possible with values no store writes: corrupt data).
    pub fn checked_add(&self, other: &CounterDelta) -> Option<CounterDelta> {
        let mut out = *self;
        for (a, b) in out.0.iter_mut().zip(other.0.iter()) {
            *a = a.checked_add(*b)?;
        }
        Some(out)
    }

    /// The difference for metric `m`.
    pub fn get(&self, m: Metric) -> i128 {
        self.0[m.index()]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metric_table_is_consistent() {
        assert_eq!(Metric::ALL.len(), Metric::COUNT);
        for (i, m) in Metric::ALL.iter().enumerate() {
            assert_eq!(m.index(), i);
            assert_eq!(Metric::from_name(m.name()), Some(*m));
        }
        assert!(!Metric::AvgWatchTimeMs.is_counter());
    }

    #[test]
    fn absent_differs_from_zero() {
        let zero = Metrics::new().with(Metric::Likes, 0);
        let absent = Metrics::new();
        assert_eq!(zero.changed_from(&absent), MetricSet::of(&[Metric::Likes]));
        assert!(absent.changed_from(&absent).is_empty());
    }

    #[test]
    fn carried_over_keeps_last_present_value() {
        let before = Metrics::new()
            .with(Metric::Likes, 5)
            .with(Metric::Views, 10);
        let now = Metrics::new().with(Metric::Views, 12);
        let eff = now.carried_over(&before);
        assert_eq!(eff.get(Metric::Likes), Some(5));
        assert_eq!(eff.get(Metric::Views), Some(12));
    }

    #[test]
    fn counter_delta_ignores_gauges_and_goes_negative() {
        let a = Metrics::new()
            .with(Metric::Likes, 5)
            .with(Metric::AvgWatchTimeMs, 900);
        let b = Metrics::new()
            .with(Metric::Likes, 3)
            .with(Metric::AvgWatchTimeMs, 100);
        let d = CounterDelta::between(&a, &b);
        assert_eq!(d.get(Metric::Likes), -2);
        assert_eq!(d.get(Metric::AvgWatchTimeMs), 0);
    }

    #[test]
    fn counter_deltas_of_the_largest_readings_are_exact() {
        let top = Metrics::new().with(Metric::Views, u64::MAX);
        let d = CounterDelta::between(&Metrics::new(), &top);
        assert_eq!(d.get(Metric::Views), i128::from(u64::MAX));
        assert_eq!(
            CounterDelta::between(&top, &Metrics::new()).get(Metric::Views),
            -i128::from(u64::MAX)
        );
        let mut sum = CounterDelta::default();
        for _ in 0..1_025 {
            sum.add(&d);
        }
        assert_eq!(sum.get(Metric::Views), 1_025 * i128::from(u64::MAX));
        sum.sub(&d);
        assert_eq!(sum.get(Metric::Views), 1_024 * i128::from(u64::MAX));
        let mut huge = CounterDelta::default();
        huge.0[Metric::Views.index()] = i128::MAX;
        assert_eq!(huge.checked_add(&d), None);
        assert_eq!(
            sum.checked_add(&d).map(|s| s.get(Metric::Views)),
            Some(1_025 * i128::from(u64::MAX))
        );
    }

    #[test]
    fn metrics_serde_round_trip() {
        let m = Metrics::new().with(Metric::Views, 3).with(Metric::Likes, 0);
        let json = serde_json::to_string(&m).unwrap();
        assert_eq!(json, r#"{"views":3,"likes":0}"#);
        assert_eq!(serde_json::from_str::<Metrics>(&json).unwrap(), m);
    }

    #[test]
    fn aggregate_hours_count_from_the_epoch_and_floor_before_it() {
        let t: Timestamp = "1970-01-01T01:59:59.999999Z".parse().unwrap();
        assert_eq!(AggregateHour::of(t), AggregateHour(1));
        assert_eq!(
            AggregateHour(1).start(),
            "1970-01-01T01:00:00Z".parse().unwrap()
        );
        let before: Timestamp = "1969-12-31T23:00:00.000001Z".parse().unwrap();
        assert_eq!(AggregateHour::of(before), AggregateHour(-1));
        assert_eq!(AggregateHour(i64::MAX).start(), Timestamp::MAX);
        assert_eq!(AggregateHour(i64::MIN).start(), Timestamp::MIN);
    }
}
