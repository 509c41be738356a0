//! Rate limits and quotas, enforced the way each platform enforces them.

use chrono::{NaiveDate, TimeDelta};
use chrono_tz::America::Los_Angeles;
use serde::{Deserialize, Serialize};
use socialsync_core::clock::Timestamp;
use std::collections::VecDeque;

/// The limits the sandbox enforces.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RateLimits {
    /// TikTok: requests per sliding minute, per endpoint (600). Over it the
    /// endpoint answers 429 `rate_limit_exceeded`.
    pub tiktok_requests_per_minute: u32,
    /// YouTube: the project's daily quota in units (10 000), reset at
    /// midnight America/Los_Angeles. Every Data API request costs 1 unit,
    /// even a refused one; over it: 403 `quotaExceeded`.
    pub youtube_daily_units: u32,
    /// YouTube: the separate daily bucket of `videos:batchGetStats` (10 000).
    pub youtube_batch_get_stats_daily_units: u32,
    /// YouTube: the project's queries per sliding minute over all Data API
    /// endpoints; `None` (the default) for no such limit. Over it: 429
    /// `rateLimitExceeded` (`RESOURCE_EXHAUSTED`).
    pub youtube_queries_per_minute: Option<u32>,
    /// Instagram: the app's calls per rolling hour over all users; `None`
    /// (the default) for no app limit. Over it: code 4, and every answer
    /// carries `X-App-Usage`.
    pub instagram_app_calls_per_hour: Option<u32>,
    /// Instagram: the error code answered when an account's Business Use
    /// Case budget (see [`crate::AccountSpec::instagram_calls_per_day`]) is
    /// used up: 17 (user request limit, the default), 32 (page) or 80002
    /// (Instagram BUC). Calls made while throttled still count, so calling
    /// on prolongs the block, as on Meta.
    pub instagram_user_throttle_code: u32,
}

impl Default for RateLimits {
    fn default() -> Self {
        Self {
            tiktok_requests_per_minute: 600,
            youtube_daily_units: 10_000,
            youtube_batch_get_stats_daily_units: 10_000,
            youtube_queries_per_minute: None,
            instagram_app_calls_per_hour: None,
            instagram_user_throttle_code: 17,
        }
    }
}

/// A sliding window of request instants.
#[derive(Debug, Default, Clone)]
pub(crate) struct Window {
    calls: VecDeque<Timestamp>,
}

impl Window {
    /// Drops the calls at or before `now - width` and returns how many are left.
    pub(crate) fn count(&mut self, now: Timestamp, width: TimeDelta) -> usize {
        while self.calls.front().is_some_and(|t| *t <= now - width) {
            self.calls.pop_front();
        }
        self.calls.len()
    }

    pub(crate) fn record(&mut self, now: Timestamp) {
        self.calls.push_back(now);
    }

    /// When the window will hold fewer than `limit` calls again.
    pub(crate) fn free_at(&self, width: TimeDelta, limit: usize) -> Option<Timestamp> {
        let len = self.calls.len();
        if len < limit {
            return None;
        }
        // The (len - limit)-th oldest call must leave the window.
        self.calls.get(len - limit).map(|t| *t + width)
    }
}

/// A daily quota that resets at midnight Pacific time.
#[derive(Debug, Default, Clone)]
pub(crate) struct DailyQuota {
    day: Option<NaiveDate>,
    used: u64,
}

impl DailyQuota {
    /// The Pacific calendar day of `now`.
    fn pacific_day(now: Timestamp) -> NaiveDate {
        now.with_timezone(&Los_Angeles).date_naive()
    }

    /// Units used today.
    pub(crate) fn used(&mut self, now: Timestamp) -> u64 {
        let day = Self::pacific_day(now);
        if self.day != Some(day) {
            self.day = Some(day);
            self.used = 0;
        }
        self.used
    }

    /// Charges `units` today.
    pub(crate) fn charge(&mut self, now: Timestamp, units: u64) {
        self.used(now);
        self.used = self.used.saturating_add(units);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn window_forgets_old_calls_and_says_when_it_frees() {
        let t0: Timestamp = "2026-11-28T10:00:00Z".parse().unwrap();
        let mut w = Window::default();
        for s in 0..3 {
            w.record(t0 + TimeDelta::seconds(s));
        }
        assert_eq!(
            w.count(t0 + TimeDelta::seconds(59), TimeDelta::minutes(1)),
            3
        );
        assert_eq!(
            w.free_at(TimeDelta::minutes(1), 3),
            Some(t0 + TimeDelta::minutes(1))
        );
        assert_eq!(
            w.count(t0 + TimeDelta::seconds(60), TimeDelta::minutes(1)),
            2
        );
    }

    #[test]
    fn quota_resets_at_pacific_midnight_with_daylight_saving() {
        let mut q = DailyQuota::default();
        // 07:59 UTC in November is 23:59 PST.
        let before: Timestamp = "2026-11-28T07:59:00Z".parse().unwrap();
        q.charge(before, 5);
        assert_eq!(q.used(before), 5);
        assert_eq!(q.used("2026-11-28T08:00:00Z".parse().unwrap()), 0);
        // In July midnight is 07:00 UTC (PDT).
        let mut q = DailyQuota::default();
        q.charge("2026-07-01T06:59:00Z".parse().unwrap(), 5);
        assert_eq!(q.used("2026-07-01T07:00:00Z".parse().unwrap()), 0);
    }
}
