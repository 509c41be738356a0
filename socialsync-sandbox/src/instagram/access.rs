//! Who may call and how much: the access token of a Graph request and the
//! Business Use Case budget with its usage headers.

use super::*;
use crate::http::{Incoming, Reply};
use crate::state::{Account, State};
use crate::tokens::{TokenFailure, TokenKind, TokenRecord};
use chrono::TimeDelta;
use serde_json::json;
use socialsync_core::clock::Timestamp;

pub(crate) fn access_token(req: &Incoming) -> Option<&str> {
    req.query("access_token").or_else(|| req.bearer())
}

/// The token's record, if usable for data calls.
pub(crate) fn authenticate(
    st: &mut State,
    now: Timestamp,
    req: &Incoming,
) -> Result<TokenRecord, Reply> {
    let record = access_token(req)
        .and_then(|t| st.tokens.get(t))
        .filter(|r| r.platform == P && matches!(r.kind, TokenKind::Access | TokenKind::ShortLived))
        .cloned();
    let Some(record) = record else {
        return Err(token_error(st, TokenFailure::Unknown, now));
    };
    match record.check(now) {
        Ok(()) => Ok(record),
        Err(f) => Err(token_error(st, f, now)),
    }
}

pub(crate) fn usage_pct(used: usize, budget: u64) -> u64 {
    (used as u64)
        .saturating_mul(100)
        .checked_div(budget)
        .map_or(100, |p| p.min(100))
}

/// Counts the call against the account's Business Use Case budget and the
/// app's hourly budget; returns the usage headers, or the throttling error.
pub(crate) fn throttle(
    st: &mut State,
    now: Timestamp,
    account: &Account,
) -> Result<Vec<(&'static str, String)>, Reply> {
    let day = TimeDelta::hours(24);
    let budget = u64::from(account.spec.instagram_calls_per_day);
    let window = st
        .instagram_user_windows
        .entry(account.id.clone())
        .or_default();
    window.record(now);
    let used = window.count(now, day);
    let user_free_at = window.free_at(day, budget as usize);
    let user_over = used as u64 > budget;
    let regain = if user_over {
        user_free_at
            .map(|t| ((t - now).num_seconds().max(0) + 59) / 60)
            .unwrap_or(0)
    } else {
        0
    };
    let pct = usage_pct(used, budget);
    let buc = json!({
        account.id.clone(): [{
            "type": "instagram",
            "call_count": pct,
            "total_cputime": pct / 2,
            "total_time": pct / 3,
            "estimated_time_to_regain_access": regain,
        }]
    });
    let mut headers = vec![("x-business-use-case-usage", buc.to_string())];
    let mut app_over = false;
    if let Some(limit) = st.limits.instagram_app_calls_per_hour {
        st.instagram_app_window.record(now);
        let app_used = st.instagram_app_window.count(now, TimeDelta::hours(1));
        let app_pct = usage_pct(app_used, u64::from(limit));
        app_over = app_used as u64 > u64::from(limit);
        headers.push((
            "x-app-usage",
            json!({"call_count": app_pct, "total_time": app_pct / 2, "total_cputime": app_pct / 2})
                .to_string(),
        ));
    }
    if app_over {
        let mut r = throttled(st, 4);
        r.headers.extend(headers);
        return Err(r);
    }
    if user_over {
        let code = st.limits.instagram_user_throttle_code;
        let mut r = throttled(st, code);
        r.headers.extend(headers);
        return Err(r);
    }
    Ok(headers)
}
