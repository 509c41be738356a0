//! YouTube's daily project quota: units per calendar day in
//! America/Los_Angeles (DST-aware), shared by every creator of the app.

use chrono::{NaiveTime, TimeZone, Utc};
use chrono_tz::America::Los_Angeles;
use socialsync_core::clock::Timestamp;

/// The Pacific calendar day holding `now`: `[midnight, next midnight)` in UTC.
pub(crate) fn pacific_day(now: Timestamp) -> (Timestamp, Timestamp) {
    let local = now.with_timezone(&Los_Angeles).date_naive();
    let start = midnight(local);
    let end = local
        .succ_opt()
        .map(midnight)
        .unwrap_or(start + chrono::TimeDelta::days(1));
    (start, end)
}

/// The next quota reset after `now`.
pub fn next_quota_reset(now: Timestamp) -> Timestamp {
    pacific_day(now).1
}

fn midnight(day: chrono::NaiveDate) -> Timestamp {
    let naive = day.and_time(NaiveTime::MIN);
    // Midnight exists in Los Angeles every day (DST moves 02:00).
    Los_Angeles
        .from_local_datetime(&naive)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|| Utc.from_utc_datetime(&naive))
        .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn quota_day_follows_pacific_time_with_daylight_saving() {
        // Winter: PST, UTC-8.
        assert_eq!(
            pacific_day(t("2026-11-28T10:00:00Z")),
            (t("2026-11-28T08:00:00Z"), t("2026-11-29T08:00:00Z"))
        );
        // Before 08:00 UTC it is still the previous Pacific day.
        assert_eq!(
            next_quota_reset(t("2026-11-28T07:59:59Z")),
            t("2026-11-28T08:00:00Z")
        );
        // Summer: PDT, UTC-7.
        assert_eq!(
            pacific_day(t("2026-07-01T12:00:00Z")),
            (t("2026-07-01T07:00:00Z"), t("2026-07-02T07:00:00Z"))
        );
        // The day DST starts (8 Mar 2026) is 23 hours long.
        let (s, e) = pacific_day(t("2026-03-08T12:00:00Z"));
        assert_eq!(e - s, chrono::TimeDelta::hours(23));
    }
}
