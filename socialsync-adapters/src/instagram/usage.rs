//! Meta's usage headers (`X-Business-Use-Case-Usage`, `X-App-Usage`):
//! the connection (or the app) is slowed down before Meta throttles it.

use crate::http::Count;
use chrono::TimeDelta;
use reqwest::header::HeaderMap;
use serde::Deserialize;
use socialsync_core::clock::Timestamp;
use socialsync_core::platform::LimitReach;
use std::collections::HashMap;
use std::sync::Mutex;

/// What the usage headers of one response said.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Usage {
    /// The highest percentage of the BUC "instagram" entries (call count,
    /// CPU time, total time), if the header was there.
    pub business_percent: Option<u64>,
    /// Minutes until access is regained (BUC), if any.
    pub regain_minutes: Option<u64>,
    /// The highest percentage of `X-App-Usage`, if the header was there.
    pub app_percent: Option<u64>,
}

#[derive(Debug, Deserialize)]
struct BucEntry {
    #[serde(default, rename = "type")]
    kind: Option<String>,
    #[serde(default)]
    call_count: Count,
    #[serde(default)]
    total_cputime: Count,
    #[serde(default)]
    total_time: Count,
    #[serde(default)]
    estimated_time_to_regain_access: Count,
}

#[derive(Debug, Deserialize)]
struct AppUsage {
    #[serde(default)]
    call_count: Count,
    #[serde(default)]
    total_cputime: Count,
    #[serde(default)]
    total_time: Count,
}

/// Reads the usage headers. Absent headers say nothing (absence is not 0 %).
pub fn read_usage(headers: &HeaderMap) -> Usage {
    let mut u = Usage::default();
    if let Some(v) = headers
        .get("x-business-use-case-usage")
        .and_then(|v| v.to_str().ok())
    {
        if let Ok(map) = serde_json::from_str::<HashMap<String, Vec<BucEntry>>>(v) {
            for e in map.values().flatten() {
                if e.kind.as_deref().is_some_and(|k| k != "instagram") {
                    continue;
                }
                // A field that is not a whole number says nothing; the
                // others still count.
                let pct = [&e.call_count, &e.total_cputime, &e.total_time]
                    .into_iter()
                    .filter_map(|c| c.lenient())
                    .max()
                    .unwrap_or(0);
                u.business_percent = Some(u.business_percent.unwrap_or(0).max(pct));
                if let Some(m) = e
                    .estimated_time_to_regain_access
                    .lenient()
                    .filter(|m| *m > 0)
                {
                    u.regain_minutes = Some(u.regain_minutes.unwrap_or(0).max(m));
                }
            }
        }
    }
    if let Some(v) = headers.get("x-app-usage").and_then(|v| v.to_str().ok()) {
        if let Ok(a) = serde_json::from_str::<AppUsage>(v) {
            let pct = [&a.call_count, &a.total_cputime, &a.total_time]
                .into_iter()
                .filter_map(|c| c.lenient())
                .max()
                .unwrap_or(0);
            u.app_percent = Some(pct);
        }
    }
    u
}

/// `m` minutes as a delay, saturating (a usage header may name any number).
pub(crate) fn minutes(m: u64) -> std::time::Duration {
    std::time::Duration::from_secs(m.saturating_mul(60))
}

/// When to slow down, and for how long.
#[derive(Debug, Clone, Copy)]
pub struct UsagePolicy {
    /// From this percentage on, calls for the account (or the app) pause.
    pub slow_down_at: u64,
    /// How long they pause when Meta gives no regain time.
    pub pause: TimeDelta,
}

impl Default for UsagePolicy {
    fn default() -> Self {
        UsagePolicy {
            slow_down_at: 85,
            pause: TimeDelta::minutes(10),
        }
    }
}

/// Pauses per account and for the app, set from the usage headers.
#[derive(Debug, Default)]
pub(crate) struct Pacer {
    accounts: Mutex<HashMap<String, Timestamp>>,
    app: Mutex<Option<Timestamp>>,
}

impl Pacer {
    /// Records a response's usage for `account`.
    pub(crate) fn observe(&self, policy: UsagePolicy, account: &str, usage: Usage, now: Timestamp) {
        let account_until = match (usage.regain_minutes, usage.business_percent) {
            // One account's budget: honoured up to a day, whatever Meta says.
            (Some(m), _) => Some(LimitReach::Account.after(now, minutes(m))),
            (None, Some(p)) if p >= policy.slow_down_at => Some(now + policy.pause),
            _ => None,
        };
        if let Some(until) = account_until {
            tracing::info!(
                percent = usage.business_percent,
                regain_minutes = usage.regain_minutes,
                "instagram usage high: pausing the connection"
            );
            let mut a = self.accounts.lock().unwrap_or_else(|e| e.into_inner());
            let e = a.entry(account.to_owned()).or_insert(until);
            *e = (*e).max(until);
        }
        if usage.app_percent.is_some_and(|p| p >= policy.slow_down_at) {
            tracing::info!(
                percent = usage.app_percent,
                "instagram app usage high: pausing the app"
            );
            let until = now + policy.pause;
            let mut a = self.app.lock().unwrap_or_else(|e| e.into_inner());
            *a = Some(a.map_or(until, |x| x.max(until)));
        }
    }

    /// A throttle named by an error: pause the account (or the app).
    pub(crate) fn throttled(&self, account: &str, until: Timestamp, app_wide: bool) {
        if app_wide {
            let mut a = self.app.lock().unwrap_or_else(|e| e.into_inner());
            *a = Some(a.map_or(until, |x| x.max(until)));
        } else {
            let mut a = self.accounts.lock().unwrap_or_else(|e| e.into_inner());
            let e = a.entry(account.to_owned()).or_insert(until);
            *e = (*e).max(until);
        }
    }

    /// Until when calls for `account` wait, and whether the pause is app-wide.
    pub(crate) fn paused(&self, account: &str, now: Timestamp) -> Option<(Timestamp, bool)> {
        if let Some(t) = *self.app.lock().unwrap_or_else(|e| e.into_inner()) {
            if t > now {
                return Some((t, true));
            }
        }
        let mut a = self.accounts.lock().unwrap_or_else(|e| e.into_inner());
        match a.get(account) {
            Some(t) if *t > now => Some((*t, false)),
            Some(_) => {
                a.remove(account);
                None
            }
            None => None,
        }
    }
}
