//! The monitoring policy (ARCHITECTURE.md §2): the window, the scan interval,
//! and the pure decisions that follow from them.

use crate::clock::Timestamp;
use crate::domain::NextScan;
use chrono::TimeDelta;

/// How posts are monitored and discovered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MonitoringPolicy {
    /// How long after publication a post is monitored (default 90 days).
    pub window: TimeDelta,
    /// The time between scan slots (default 1 hour).
    pub scan_interval: TimeDelta,
    /// The time between discoveries of a connection (default 1 hour).
    pub discovery_interval: TimeDelta,
    /// How far before the high-water mark discovery looks again (default 48 hours).
    pub discovery_overlap: TimeDelta,
    /// The time between deep passes over the whole window (default 1 day).
    pub deep_pass_interval: TimeDelta,
    /// How long a claim lasts (default 10 minutes; shorter than the interval).
    /// No reading is taken later than `monitor_until` plus one lease.
    pub lease: TimeDelta,
    /// How often a `Deleted` post is read again by id until its window
    /// ends (default 6 hours): a hidden post looks deleted, and may return.
    pub deleted_recheck: TimeDelta,
    /// How long a connection stays suspect (posts missing that its account's
    /// post count does not account for) before missing posts are confirmed
    /// again (default 1 day).
    pub suspect_recheck: TimeDelta,
    /// How far past its discovery a post's stated publish time may lie
    /// and still be taken as it is (clock skew; default 5 minutes): a
    /// post dated further ahead is anchored at its discovery
    /// ([`MonitoringPolicy::anchor`]).
    pub skew_allowance: TimeDelta,
}

impl Default for MonitoringPolicy {
    fn default() -> Self {
        MonitoringPolicy {
            window: TimeDelta::days(90),
            scan_interval: TimeDelta::hours(1),
            discovery_interval: TimeDelta::hours(1),
            discovery_overlap: TimeDelta::hours(48),
            deep_pass_interval: TimeDelta::days(1),
            lease: TimeDelta::minutes(10),
            deleted_recheck: TimeDelta::hours(6),
            suspect_recheck: TimeDelta::days(1),
            skew_allowance: TimeDelta::minutes(5),
        }
    }
}

/// A policy that cannot work.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid monitoring policy: {0}")]
pub struct InvalidPolicy(pub String);

impl MonitoringPolicy {
    /// Checks the policy: positive durations, a lease shorter than the
    /// interval, a window that is a whole number of intervals.
    pub fn validate(&self) -> Result<(), InvalidPolicy> {
        let positive = [
            ("window", self.window),
            ("scan_interval", self.scan_interval),
            ("discovery_interval", self.discovery_interval),
            ("deep_pass_interval", self.deep_pass_interval),
            ("lease", self.lease),
            ("deleted_recheck", self.deleted_recheck),
            ("suspect_recheck", self.suspect_recheck),
        ];
        for (name, d) in positive {
            if d <= TimeDelta::zero() {
                return Err(InvalidPolicy(format!("{name} must be positive")));
            }
        }
        if self.skew_allowance < TimeDelta::zero() {
            return Err(InvalidPolicy("skew_allowance must not be negative".into()));
        }
        if self.discovery_overlap < TimeDelta::zero() {
            return Err(InvalidPolicy(
                "discovery_overlap must not be negative".into(),
            ));
        }
        if self.lease >= self.scan_interval {
            return Err(InvalidPolicy(
                "lease must be shorter than scan_interval".into(),
            ));
        }
        let (w, i) = (micros(self.window), micros(self.scan_interval));
        if w % i != 0 {
            return Err(InvalidPolicy(
                "window must be a whole number of scan intervals".into(),
            ));
        }
        Ok(())
    }

    /// The instant a post's slots, window and report placement count
    /// from: its stated publish time, unless that lies beyond
    /// `discovered_at` plus the skew allowance (times from a platform are
    /// untrusted), then its discovery.
    pub fn anchor(&self, published_at: Timestamp, discovered_at: Timestamp) -> Timestamp {
        if published_at > discovered_at + self.skew_allowance {
            discovered_at
        } else {
            published_at
        }
    }

    /// The end of a post's window: `anchored_at + window` (the anchor is
    /// the publish time for every post not dated ahead of its discovery).
    pub fn monitor_until(&self, anchored_at: Timestamp) -> Timestamp {
        anchored_at + self.window
    }

    /// The last instant a post whose window ends at `monitor_until` may
    /// be read: `monitor_until` plus one lease. A claim taken later
    /// expires the post without a reading.
    pub fn read_deadline(&self, monitor_until: Timestamp) -> Timestamp {
        monitor_until + self.lease
    }

    /// Whether a post anchored at `anchored_at` is still monitorable at `now`.
    pub fn is_in_window(&self, anchored_at: Timestamp, now: Timestamp) -> bool {
        now <= self.monitor_until(anchored_at)
    }

    /// The first slot `anchored_at + k · interval` strictly after `now`, or
    /// `None` when it would fall after `monitor_until` (the scan at `now` was
    /// the last). Missed slots are skipped, never replayed.
    pub fn next_slot_after(&self, anchored_at: Timestamp, now: Timestamp) -> Option<Timestamp> {
        let interval = micros(self.scan_interval);
        let elapsed = (now - anchored_at).num_microseconds().unwrap_or(i64::MAX);
        let k = if elapsed < 0 {
            0
        } else {
            elapsed / interval + 1
        };
        let slot = anchored_at + TimeDelta::microseconds(k.saturating_mul(interval));
        (slot <= self.monitor_until(anchored_at)).then_some(slot)
    }

    /// What follows a confirmed deletion at `now` of a post whose window
    /// ends at `monitor_until`: read again by id every
    /// [`deleted_recheck`](Self::deleted_recheck), the last time at
    /// `monitor_until`; once the window is over, it expires.
    pub fn after_deletion(&self, monitor_until: Timestamp, now: Timestamp) -> NextScan {
        if now >= monitor_until {
            return NextScan::Expire;
        }
        NextScan::Delete((now + self.deleted_recheck).min(monitor_until))
    }

    /// How many scans a post gets when discovered at `discovered_at` and
    /// scanned at every slot: one at discovery, then every slot after it up
    /// to and including `monitor_until`.
    pub fn expected_scans(&self, published_at: Timestamp, discovered_at: Timestamp) -> u64 {
        let anchored_at = self.anchor(published_at, discovered_at);
        if discovered_at > self.monitor_until(anchored_at) {
            return 0;
        }
        let mut n = 1;
        let mut t = discovered_at;
        while let Some(next) = self.next_slot_after(anchored_at, t) {
            n += 1;
            t = next;
        }
        n
    }
}

fn micros(d: TimeDelta) -> i64 {
    d.num_microseconds().unwrap_or(i64::MAX).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn default_policy_gives_2161_scans_from_publication() {
        let p = MonitoringPolicy::default();
        p.validate().unwrap();
        let published = t("2026-01-01T10:17:00Z");
        assert_eq!(p.expected_scans(published, published), 2161);
        assert_eq!(
            p.expected_scans(published, published + TimeDelta::days(30)),
            1 + 60 * 24
        );
        assert_eq!(
            p.expected_scans(published, published + TimeDelta::days(91)),
            0
        );
    }

    #[test]
    fn next_slot_skips_missed_slots_and_stops_at_window_end() {
        let p = MonitoringPolicy::default();
        let published = t("2026-01-01T00:00:00Z");
        let late = published + TimeDelta::minutes(5 * 60 + 30);
        assert_eq!(
            p.next_slot_after(published, late),
            Some(published + TimeDelta::hours(6))
        );
        let on_slot = published + TimeDelta::hours(3);
        assert_eq!(
            p.next_slot_after(published, on_slot),
            Some(published + TimeDelta::hours(4))
        );
        let last = p.monitor_until(published);
        assert_eq!(
            p.next_slot_after(published, last - TimeDelta::minutes(1)),
            Some(last)
        );
        assert_eq!(p.next_slot_after(published, last), None);
    }

    #[test]
    fn a_post_dated_beyond_the_skew_allowance_is_anchored_at_its_discovery() {
        let p = MonitoringPolicy::default();
        let found = t("2026-01-01T10:00:00Z");
        assert_eq!(
            p.anchor(found - TimeDelta::days(3), found),
            found - TimeDelta::days(3)
        );
        let skewed = found + TimeDelta::minutes(5);
        assert_eq!(p.anchor(skewed, found), skewed);
        let ahead = skewed + TimeDelta::microseconds(1);
        assert_eq!(p.anchor(ahead, found), found);
        assert_eq!(p.anchor(found + TimeDelta::days(30), found), found);
    }

    #[test]
    fn no_reading_is_due_past_window_end_plus_one_lease() {
        let p = MonitoringPolicy::default();
        let until = t("2026-04-01T10:00:00Z");
        assert_eq!(p.read_deadline(until), until + TimeDelta::minutes(10));
    }

    #[test]
    fn invalid_policies_are_refused() {
        let bad = MonitoringPolicy {
            lease: TimeDelta::hours(2),
            ..Default::default()
        };
        assert!(bad.validate().is_err());
        let bad = MonitoringPolicy {
            window: TimeDelta::minutes(90),
            ..Default::default()
        };
        assert!(bad.validate().is_err());
        let bad = MonitoringPolicy {
            scan_interval: TimeDelta::zero(),
            ..Default::default()
        };
        assert!(bad.validate().is_err());
        let bad = MonitoringPolicy {
            skew_allowance: TimeDelta::minutes(-1),
            ..Default::default()
        };
        assert!(bad.validate().is_err());
    }
}
