//! Time: every instant socialsync uses comes from a [`Clock`].

use chrono::{DateTime, TimeDelta, Utc};
use std::fmt::Debug;
use std::sync::Mutex;

/// An instant in UTC.
pub type Timestamp = DateTime<Utc>;

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
        truncate_to_micros(Utc::now())
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
    /// A clock standing at `start` (truncated to microseconds).
    pub fn at(start: Timestamp) -> Self {
        Self {
            now: Mutex::new(truncate_to_micros(start)),
        }
    }

    /// Moves the clock forward (or backward, for a negative delta).
    pub fn advance(&self, by: TimeDelta) {
        let mut now = self.now.lock().unwrap_or_else(|e| e.into_inner());
        *now = truncate_to_micros(*now + by);
    }

    /// Sets the clock to `to`.
    pub fn set(&self, to: Timestamp) {
        *self.now.lock().unwrap_or_else(|e| e.into_inner()) = truncate_to_micros(to);
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

/// Truncates an instant to whole microseconds, the precision PostgreSQL keeps.
/// Stores apply it to every instant they persist.
pub fn truncate_to_micros(t: Timestamp) -> Timestamp {
    let micros = t.timestamp_micros();
    DateTime::from_timestamp_micros(micros).unwrap_or(t)
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
        assert_eq!(clock.now() - truncate_to_micros(start), TimeDelta::days(90));
    }
}
