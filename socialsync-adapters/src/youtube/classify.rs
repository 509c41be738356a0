//! YouTube (Google API) errors, split by `errors[0].reason` — 403 alone
//! means quota, rate, missing scope or a closed account.

use super::quota::next_quota_reset;
use reqwest::header::HeaderMap;
use serde::Deserialize;
use socialsync_core::clock::Timestamp;
use socialsync_core::domain::DisconnectReason;
use socialsync_core::platform::Platform;
use socialsync_core::platform::{LimitReach, PlatformError, PlatformErrorKind};

#[derive(Debug, Deserialize)]
struct Item {
    #[serde(default)]
    reason: Option<String>,
}

#[derive(Debug, Deserialize)]
struct GoogleError {
    #[serde(default)]
    message: Option<String>,
    #[serde(default)]
    errors: Vec<Item>,
    #[serde(default)]
    status: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum ErrorField {
    Api(GoogleError),
    /// OAuth: `{"error": "invalid_grant", "error_description": "..."}`.
    OAuth(String),
}

#[derive(Debug, Deserialize)]
struct Envelope {
    error: ErrorField,
    #[serde(default)]
    error_description: Option<String>,
}

/// Whether the body is a quota-exhausted answer.
pub(crate) fn reason_of(body: &[u8]) -> Option<(String, String)> {
    let env: Envelope = serde_json::from_slice(body).ok()?;
    match env.error {
        ErrorField::Api(e) => {
            let reason = e
                .errors
                .first()
                .and_then(|i| i.reason.clone())
                .or(e.status)
                .unwrap_or_default();
            Some((reason, e.message.unwrap_or_default()))
        }
        ErrorField::OAuth(code) => Some((code, env.error_description.unwrap_or_default())),
    }
}

/// Classifies a YouTube / Google OAuth error answer:
///
/// - 401 `authError` → token invalid (refresh once);
/// - 403 by reason: `quotaExceeded` / `dailyLimitExceeded` → the project's
///   quota is spent until the next midnight Pacific (platform-wide);
///   `rateLimitExceeded` / `userRateLimitExceeded` (403 or 429) → a short
///   throttle; `insufficientPermissions` → permission missing;
///   `authenticatedUserAccountClosed` / `…Suspended` → account gone;
///   `forbidden` → permission missing;
/// - 404 (`playlistNotFound`, `videoNotFound`, ...) → not found;
/// - 400 `invalidFilters` and other 4xx → a request refused;
/// - 5xx (`backendError`) → unavailable;
/// - OAuth `invalid_grant` → refresh refused (disconnect); `invalid_client`
///   is the app's configuration, never a disconnection.
pub fn classify(status: u16, _headers: &HeaderMap, body: &[u8]) -> PlatformError {
    let p = Platform::YouTube;
    let (reason, message) = reason_of(body).unwrap_or_default();
    let throttled = |reach| PlatformErrorKind::RateLimited { until: None, reach };
    let kind = match reason.as_str() {
        "quotaExceeded" | "dailyLimitExceeded" => throttled(LimitReach::DailyQuota),
        "rateLimitExceeded" | "userRateLimitExceeded" | "RESOURCE_EXHAUSTED" => {
            throttled(LimitReach::Minute)
        }
        "insufficientPermissions" | "forbidden" | "ACCESS_TOKEN_SCOPE_INSUFFICIENT" => {
            PlatformErrorKind::PermissionMissing("youtube.readonly".into())
        }
        "authenticatedUserAccountClosed" | "authenticatedUserAccountSuspended" => {
            PlatformErrorKind::TokenInvalid(DisconnectReason::AccountUnavailable)
        }
        "authError" | "UNAUTHENTICATED" => {
            PlatformErrorKind::TokenInvalid(DisconnectReason::TokenExpired)
        }
        "invalid_grant" => PlatformErrorKind::TokenInvalid(DisconnectReason::RefreshRejected),
        "invalid_client" | "unauthorized_client" => PlatformErrorKind::InvalidResponse,
        _ => match status {
            401 => PlatformErrorKind::TokenInvalid(DisconnectReason::TokenExpired),
            404 => PlatformErrorKind::NotFound,
            429 => throttled(LimitReach::Minute),
            403 => PlatformErrorKind::PermissionMissing("youtube.readonly".into()),
            500..=599 => PlatformErrorKind::Unavailable,
            _ => PlatformErrorKind::InvalidResponse,
        },
    };
    PlatformError::new(p, "api", kind).with_detail(crate::http::detail(&format!(
        "HTTP {status} {reason}: {message}"
    )))
}

pub(crate) fn check(status: u16, headers: &HeaderMap, body: &[u8]) -> Option<PlatformError> {
    if (200..300).contains(&status) {
        return None;
    }
    Some(classify(status, headers, body))
}

/// Quota errors last until the next Pacific midnight; per-minute limits a minute.
pub(crate) fn throttle_until(
    e: &PlatformError,
    _h: &HeaderMap,
    now: Timestamp,
) -> Option<Timestamp> {
    let quota = matches!(
        e.kind,
        PlatformErrorKind::RateLimited {
            reach: LimitReach::DailyQuota,
            ..
        }
    );
    Some(if quota {
        next_quota_reset(now)
    } else {
        now + chrono::TimeDelta::seconds(60)
    })
}
