//! Before every Data API answer: the unit quota, the access token and its
//! scope, and the required `part`.

use super::*;
use crate::endpoint::Endpoint;
use crate::http::{Incoming, Reply};
use crate::scopes;
use crate::state::State;
use crate::tokens::{TokenKind, TokenRecord};
use socialsync_core::clock::Timestamp;

/// Charges one unit of the endpoint's daily bucket, or refuses when it is
/// used up (or, when configured, when the minute's queries are). Every
/// request costs a unit, even one refused later.
pub(crate) fn charge(st: &mut State, now: Timestamp, endpoint: Endpoint) -> Result<(), Reply> {
    if let Some(per_minute) = st.limits.youtube_queries_per_minute {
        let window = &mut st.youtube_minute;
        if window.count(now, chrono::TimeDelta::minutes(1)) >= per_minute as usize {
            return Err(rate_limit_exceeded());
        }
        window.record(now);
    }
    let (quota, limit) = if endpoint == Endpoint::YouTubeBatchGetStats {
        (
            &mut st.youtube_stats_quota,
            st.limits.youtube_batch_get_stats_daily_units,
        )
    } else {
        (&mut st.youtube_quota, st.limits.youtube_daily_units)
    };
    if quota.used(now) >= u64::from(limit) {
        return Err(quota_exceeded());
    }
    quota.charge(now, 1);
    Ok(())
}

pub(crate) fn authenticate(
    st: &State,
    now: Timestamp,
    req: &Incoming,
) -> Result<TokenRecord, Reply> {
    let record = req
        .bearer()
        .or_else(|| req.query("access_token"))
        .and_then(|t| st.tokens.get(t))
        .filter(|r| r.platform == P && r.kind == TokenKind::Access)
        .filter(|r| r.check(now).is_ok())
        .cloned()
        .ok_or_else(auth_error)?;
    if record.has_scope(&[
        scopes::YOUTUBE_READONLY,
        scopes::YOUTUBE,
        scopes::YOUTUBE_FORCE_SSL,
    ]) {
        Ok(record)
    } else {
        Err(insufficient_scopes())
    }
}

/// Who calls: a creator's token, or the project's API key (public videos
/// only).
pub(crate) enum Caller {
    /// An access token of an account.
    Token(TokenRecord),
    /// The project's API key.
    Key,
}

/// Like [`start`], for an endpoint that also takes the project's API key
/// (`X-Goog-Api-Key` or `key=`) when no token comes.
pub(crate) fn start_public(
    st: &mut State,
    now: Timestamp,
    req: &Incoming,
    endpoint: Endpoint,
) -> Result<(Caller, Vec<String>), Reply> {
    if req.bearer().is_some() || req.query("access_token").is_some() {
        let (record, parts) = start(st, now, req, endpoint)?;
        return Ok((Caller::Token(record), parts));
    }
    // A call without the project's key is not the project's: it spends
    // none of its quota.
    let key = req
        .headers
        .get("x-goog-api-key")
        .and_then(|v| v.to_str().ok())
        .or_else(|| req.query("key"))
        .ok_or_else(missing_credentials)?;
    let known = match &st.youtube_api_key {
        Some(k) => k == key,
        None => !key.is_empty(),
    };
    if !known {
        return Err(api_key_invalid());
    }
    charge(st, now, endpoint)?;
    Ok((Caller::Key, parts(req)?))
}

pub(crate) fn start(
    st: &mut State,
    now: Timestamp,
    req: &Incoming,
    endpoint: Endpoint,
) -> Result<(TokenRecord, Vec<String>), Reply> {
    charge(st, now, endpoint)?;
    let record = authenticate(st, now, req)?;
    Ok((record, parts(req)?))
}

/// The required `part` parameter.
fn parts(req: &Incoming) -> Result<Vec<String>, Reply> {
    let parts: Vec<String> = req
        .query("part")
        .unwrap_or("")
        .split(',')
        .map(|p| p.trim().to_owned())
        .filter(|p| !p.is_empty())
        .collect();
    if parts.is_empty() {
        let message = "No filter selected. Expected one of: part";
        return Err(error(
            400,
            message,
            ErrorItem {
                message,
                domain: "global",
                reason: "required",
                location: Some(("part", "parameter")),
            },
            None,
            None,
        ));
    }
    Ok(parts)
}
