//! Time: every instant socialsync uses comes from a [`Clock`].

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt::{self, Debug, Display};
use std::ops::{Add, AddAssign, Deref, Sub, SubAssign};
use std::str::FromStr;
use std::sync::Mutex;

/// An instant in UTC, to the microsecond.
///
/// Microseconds are the precision PostgreSQL keeps, so every way of making
/// a `Timestamp` truncates to them: an instant a store wrote and the one it
/// reads back are equal, whichever store it is. Its range,
/// [`MIN`](Self::MIN)..=[`MAX`](Self::MAX), is one every store keeps.
/// Arithmetic with a [`TimeDelta`] saturates at that range instead of
/// panicking (use [`Timestamp::checked_add`] to tell). It dereferences to
/// chrono's `DateTime<Utc>` for reading (calendar fields, formatting).
///
/// ```
/// use socialsync_core::clock::Timestamp;
/// use chrono::TimeDelta;
///
/// let t: Timestamp = "2026-01-01T00:00:00.123456789Z".parse().unwrap();
/// assert_eq!(t.timestamp_subsec_nanos(), 123_456_000);
/// assert_eq!((t + TimeDelta::nanoseconds(999)), t);
/// assert_eq!(Timestamp::MAX + TimeDelta::days(1), Timestamp::MAX);
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Timestamp(DateTime<Utc>);

impl Timestamp {
    /// The Unix epoch.
    pub const UNIX_EPOCH: Timestamp = Timestamp(DateTime::<Utc>::UNIX_EPOCH);
    /// The earliest instant: 4714-11-24 BC (proleptic Gregorian, year
    /// −4713) at midnight UTC, the earliest PostgreSQL's `timestamptz`
    /// keeps, so that every store can keep every `Timestamp`.
    pub const MIN: Timestamp = Timestamp(match NaiveDate::from_ymd_opt(-4713, 11, 24) {
        Some(d) => match d.and_hms_opt(0, 0, 0) {
            Some(t) => DateTime::from_naive_utc_and_offset(t, Utc),
            None => DateTime::<Utc>::MIN_UTC,
        },
        None => DateTime::<Utc>::MIN_UTC,
    });
    /// The latest whole-microsecond instant chrono represents.
    pub const MAX: Timestamp = Timestamp(
        match DateTime::from_timestamp(
            DateTime::<Utc>::MAX_UTC.timestamp(),
            DateTime::<Utc>::MAX_UTC.timestamp_subsec_micros() * 1_000,
        ) {
            Some(t) => t,
            None => DateTime::<Utc>::MAX_UTC,
        },
    );

    /// `t`, truncated to whole microseconds (towards the past), a leap
    /// second (`23:59:60.x`) read as the instant it counts as
    /// (`00:00:00.x` of the next day), and clamped to
    /// [`MIN`](Self::MIN)..=[`MAX`](Self::MAX).
    pub fn new(t: DateTime<Utc>) -> Self {
        match Self::within(t) {
            Some(t) => t,
            None if t < Self::MIN.0 => Self::MIN,
            None => Self::MAX,
        }
    }

    /// `t` truncated, if it lies within the range.
    fn within(t: DateTime<Utc>) -> Option<Self> {
        // `timestamp_micros` floors, and counts a leap second's extra
        // nanoseconds into the next second.
        Self::from_micros(t.timestamp_micros())
    }

    /// The instant `micros` microseconds after the Unix epoch, if it lies
    /// within [`MIN`](Self::MIN)..=[`MAX`](Self::MAX).
    pub fn from_micros(micros: i64) -> Option<Self> {
        DateTime::from_timestamp_micros(micros)
            .map(Timestamp)
            .filter(|t| *t >= Self::MIN && *t <= Self::MAX)
    }

    /// The instant `secs` seconds and `nanos` nanoseconds after the Unix
    /// epoch (truncated to microseconds), if it lies within the range.
    pub fn from_timestamp(secs: i64, nanos: u32) -> Option<Self> {
        DateTime::from_timestamp(secs, nanos).and_then(Self::within)
    }

    /// Microseconds since the Unix epoch.
    pub fn micros(self) -> i64 {
        self.0.timestamp_micros()
    }

    /// The instant as chrono's type.
    pub fn as_datetime(self) -> DateTime<Utc> {
        self.0
    }

    /// `self + d`, or `None` outside the range.
    pub fn checked_add(self, d: TimeDelta) -> Option<Self> {
        self.0.checked_add_signed(d).and_then(Self::within)
    }

    /// `self - d`, or `None` outside the range.
    pub fn checked_sub(self, d: TimeDelta) -> Option<Self> {
        self.0.checked_sub_signed(d).and_then(Self::within)
    }
}

impl From<DateTime<Utc>> for Timestamp {
    fn from(t: DateTime<Utc>) -> Self {
        Self::new(t)
    }
}

impl From<Timestamp> for DateTime<Utc> {
    fn from(t: Timestamp) -> Self {
        t.0
    }
}

impl Deref for Timestamp {
    type Target = DateTime<Utc>;
    fn deref(&self) -> &DateTime<Utc> {
        &self.0
    }
}

impl Add<TimeDelta> for Timestamp {
    type Output = Timestamp;
    fn add(self, d: TimeDelta) -> Timestamp {
        self.checked_add(d).unwrap_or(if d < TimeDelta::zero() {
            Timestamp::MIN
        } else {
            Timestamp::MAX
        })
    }
}

impl Sub<TimeDelta> for Timestamp {
    type Output = Timestamp;
    fn sub(self, d: TimeDelta) -> Timestamp {
        // chrono's `TimeDelta` is symmetric: `-TimeDelta::MIN` is `MAX`.
        self + -d
    }
}

impl AddAssign<TimeDelta> for Timestamp {
    fn add_assign(&mut self, d: TimeDelta) {
        *self = *self + d;
    }
}

impl SubAssign<TimeDelta> for Timestamp {
    fn sub_assign(&mut self, d: TimeDelta) {
        *self = *self - d;
    }
}

impl Sub for Timestamp {
    type Output = TimeDelta;
    fn sub(self, other: Timestamp) -> TimeDelta {
        self.0.signed_duration_since(other.0)
    }
}

impl Debug for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        Debug::fmt(&self.0, f)
    }
}

impl Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        Display::fmt(&self.0, f)
    }
}

impl FromStr for Timestamp {
    type Err = chrono::ParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        s.parse::<DateTime<Utc>>().map(Self::new)
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(s)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        DateTime::<Utc>::deserialize(d).map(Self::new)
    }
}

/// `Timestamp` is PostgreSQL's `timestamptz`, which keeps microseconds.
#[cfg(feature = "sqlx-postgres")]
mod postgres {
    use super::Timestamp;
    use chrono::{DateTime, Utc};
    use sqlx::encode::IsNull;
    use sqlx::error::BoxDynError;
    use sqlx::postgres::{PgArgumentBuffer, PgHasArrayType, PgTypeInfo, PgValueRef, Postgres};
    use sqlx::{Decode, Encode, Type};

    impl Type<Postgres> for Timestamp {
        fn type_info() -> PgTypeInfo {
            <DateTime<Utc> as Type<Postgres>>::type_info()
        }
        fn compatible(ty: &PgTypeInfo) -> bool {
            <DateTime<Utc> as Type<Postgres>>::compatible(ty)
        }
    }

    impl PgHasArrayType for Timestamp {
        fn array_type_info() -> PgTypeInfo {
            <DateTime<Utc> as PgHasArrayType>::array_type_info()
        }
    }

    impl Encode<'_, Postgres> for Timestamp {
        fn encode_by_ref(&self, buf: &mut PgArgumentBuffer) -> Result<IsNull, BoxDynError> {
            <DateTime<Utc> as Encode<Postgres>>::encode_by_ref(&self.0, buf)
        }
        fn size_hint(&self) -> usize {
            <DateTime<Utc> as Encode<Postgres>>::size_hint(&self.0)
        }
    }

    impl<'r> Decode<'r, Postgres> for Timestamp {
        fn decode(value: PgValueRef<'r>) -> Result<Self, BoxDynError> {
            <DateTime<Utc> as Decode<Postgres>>::decode(value).map(Timestamp::new)
        }
    }
}

/// Where time comes from. The engine never reads the system time directly.
pub trait Clock: Debug + Send + Sync + 'static {
    /// The current instant.
    fn now(&self) -> Timestamp;
}

/// The system's clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        Timestamp::new(Utc::now())
    }
}

/// A clock that only moves when told: tests and simulations run 90 days of
/// monitoring in milliseconds with it.
///
/// ```
/// use socialsync_core::clock::{Clock, ManualClock};
/// use chrono::TimeDelta;
///
/// let clock = ManualClock::at("2026-01-01T00:00:00Z".parse().unwrap());
/// clock.advance(TimeDelta::hours(1));
/// assert_eq!(clock.now().to_rfc3339(), "2026-01-01T01:00:00+00:00");
/// ```
#[derive(Debug)]
pub struct ManualClock {
    now: Mutex<Timestamp>,
}

impl ManualClock {
    /// A clock standing at `start`.
    pub fn at(start: Timestamp) -> Self {
        Self {
            now: Mutex::new(start),
        }
    }

    /// Moves the clock forward (or backward, for a negative delta).
    pub fn advance(&self, by: TimeDelta) {
        let mut now = self.now.lock().unwrap_or_else(|e| e.into_inner());
        *now += by;
    }

    /// Sets the clock to `to`.
    pub fn set(&self, to: Timestamp) {
        *self.now.lock().unwrap_or_else(|e| e.into_inner()) = to;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Timestamp {
        *self.now.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl<C: Clock + ?Sized> Clock for std::sync::Arc<C> {
    fn now(&self) -> Timestamp {
        (**self).now()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manual_clock_truncates_and_advances() {
        let start: Timestamp = "2026-03-01T00:00:00.123456789Z".parse().unwrap();
        let clock = ManualClock::at(start);
        assert_eq!(clock.now().timestamp_subsec_nanos(), 123_456_000);
        clock.advance(TimeDelta::days(90));
        assert_eq!(clock.now() - start, TimeDelta::days(90));
    }

    #[test]
    fn every_constructor_truncates_to_microseconds() {
        let t: DateTime<Utc> = "2026-03-01T00:00:00.123456789Z".parse().unwrap();
        let want = 1_772_323_200_123_456;
        assert_eq!(Timestamp::from(t).micros(), want);
        assert_eq!(Timestamp::new(t).timestamp_subsec_nanos(), 123_456_000);
        let parsed: Timestamp = "2026-03-01T00:00:00.123456789Z".parse().unwrap();
        assert_eq!(parsed.micros(), want);
        let json: Timestamp = serde_json::from_str("\"2026-03-01T00:00:00.123456789Z\"").unwrap();
        assert_eq!(json.micros(), want);
        assert_eq!(
            Timestamp::from_timestamp(1_772_323_200, 123_456_789)
                .unwrap()
                .micros(),
            want
        );
        let moved = Timestamp::new(t) + TimeDelta::nanoseconds(1_999);
        assert_eq!(moved.micros(), want + 1);
        // Before the epoch, truncation goes towards the past, like PostgreSQL.
        let early: Timestamp = "1969-12-31T23:59:59.999999999Z".parse().unwrap();
        assert_eq!(early.micros(), -1);
    }

    #[test]
    fn arithmetic_saturates_instead_of_panicking() {
        let t = Timestamp::UNIX_EPOCH;
        assert_eq!(t + TimeDelta::MAX, Timestamp::MAX);
        assert_eq!(t - TimeDelta::MAX, Timestamp::MIN);
        assert_eq!(t + TimeDelta::MIN, Timestamp::MIN);
        assert_eq!(t.checked_add(TimeDelta::MAX), None);
        // Inside chrono's range but before PostgreSQL's: out of range too.
        let too_early = TimeDelta::days(365 * 7_000);
        assert_eq!(t.checked_sub(too_early), None);
        assert_eq!(t - too_early, Timestamp::MIN);
        assert_eq!(Timestamp::from_timestamp(i64::MIN / 2_000_000, 0), None);
        assert_eq!(Timestamp::new(DateTime::<Utc>::MIN_UTC), Timestamp::MIN);
        assert_eq!(Timestamp::MAX.timestamp_subsec_nanos() % 1_000, 0);
        assert_eq!(
            Timestamp::from_micros(Timestamp::MAX.micros()),
            Some(Timestamp::MAX)
        );
    }

    #[test]
    fn serialises_like_chrono() {
        let t: Timestamp = "2026-03-01T10:00:00.5Z".parse().unwrap();
        assert_eq!(
            serde_json::to_string(&t).unwrap(),
            serde_json::to_string(&t.as_datetime()).unwrap()
        );
        assert_eq!(format!("{t:?}"), "2026-03-01T10:00:00.500Z");
    }

    /// chrono parses and deserializes `23:59:60` (a leap second). A
    /// `Timestamp` is one instant per microsecond count: the leap-second
    /// form must equal the same instant rebuilt from its microseconds (what
    /// PostgreSQL hands back), and order like its microseconds.
    #[test]
    fn leap_second_is_one_instant() {
        let leap: Timestamp = "2016-12-31T23:59:60.5Z".parse().unwrap();
        let json: Timestamp = serde_json::from_str("\"2016-12-31T23:59:60.5Z\"").unwrap();
        let plain: Timestamp = "2017-01-01T00:00:00.5Z".parse().unwrap();
        assert_eq!(leap.micros(), plain.micros());
        assert_eq!(
            Timestamp::from_micros(leap.micros()),
            Some(leap),
            "from_micros(micros)"
        );
        assert_eq!(leap, plain, "parsed");
        assert_eq!(json, plain, "deserialized");
        let earlier: Timestamp = "2017-01-01T00:00:00.2Z".parse().unwrap();
        assert_eq!(
            leap.cmp(&earlier),
            leap.micros().cmp(&earlier.micros()),
            "order agrees with micros"
        );
    }
}
