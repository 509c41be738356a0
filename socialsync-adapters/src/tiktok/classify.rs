//! TikTok errors, by the body's `error.code` (data API) or `error` (OAuth),
//! checked even on HTTP 200.

use reqwest::header::HeaderMap;
use serde::Deserialize;
use socialsync_core::domain::DisconnectReason;
use socialsync_core::platform::Platform;
use socialsync_core::platform::{LimitReach, PlatformError, PlatformErrorKind};

#[derive(Debug, Deserialize)]
struct ApiError {
    #[serde(default)]
    code: Option<String>,
    #[serde(default)]
    message: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum ErrorField {
    /// Data API: `{"error": {"code": "...", "message": "..."}}`.
    Api(ApiError),
    /// OAuth: `{"error": "invalid_grant", "error_description": "..."}`.
    OAuth(String),
}

#[derive(Debug, Deserialize)]
struct Envelope {
    #[serde(default)]
    error: Option<ErrorField>,
    #[serde(default)]
    error_description: Option<String>,
}

/// The error code of a body, if it has one other than `ok`.
pub(crate) fn error_code(body: &[u8]) -> Option<(String, String)> {
    let env: Envelope = serde_json::from_slice(body).ok()?;
    match env.error? {
        ErrorField::Api(e) => {
            let code = e.code?;
            (code != "ok").then(|| (code, e.message.unwrap_or_default()))
        }
        ErrorField::OAuth(code) => Some((code, env.error_description.unwrap_or_default())),
    }
}

/// Classifies a TikTok error answer:
///
/// - `access_token_invalid` (401) → token invalid (refresh once, then disconnect);
/// - `scope_not_authorized` (a **401**) and `scope_permission_missed` →
///   permission missing, never a dead token;
/// - `rate_limit_exceeded` (429) → throttled, app-wide for that endpoint;
/// - `internal_error`, 5xx → unavailable;
/// - OAuth `invalid_grant` → refresh token refused (disconnect);
///   `invalid_client` and other OAuth errors are the app's configuration,
///   never the creator's: not a disconnection;
/// - `invalid_params` and the unknown → a request the platform refused.
pub fn classify(status: u16, _headers: &HeaderMap, body: &[u8]) -> PlatformError {
    let p = Platform::TikTok;
    let Some((code, message)) = error_code(body) else {
        let kind = match status {
            401 => PlatformErrorKind::TokenInvalid(DisconnectReason::TokenExpired),
            429 => PlatformErrorKind::RateLimited {
                until: None,
                reach: LimitReach::Minute,
            },
            500..=599 => PlatformErrorKind::Unavailable,
            _ => PlatformErrorKind::InvalidResponse,
        };
        return PlatformError::new(p, "api", kind)
            .with_detail(format!("HTTP {status} without a TikTok error code"));
    };
    let kind = match code.as_str() {
        "access_token_invalid" => PlatformErrorKind::TokenInvalid(DisconnectReason::TokenExpired),
        "scope_not_authorized" | "scope_permission_missed" => {
            PlatformErrorKind::PermissionMissing("video.list".into())
        }
        "rate_limit_exceeded" => PlatformErrorKind::RateLimited {
            until: None,
            reach: LimitReach::Minute,
        },
        "internal_error" | "server_error" | "temporarily_unavailable" => {
            PlatformErrorKind::Unavailable
        }
        "invalid_grant" => PlatformErrorKind::TokenInvalid(DisconnectReason::RefreshRejected),
        "access_denied" => PlatformErrorKind::TokenInvalid(DisconnectReason::Revoked),
        _ if status >= 500 => PlatformErrorKind::Unavailable,
        _ => PlatformErrorKind::InvalidResponse,
    };
    PlatformError::new(p, "api", kind)
        .with_detail(crate::http::detail(&format!("{code}: {message}")))
}

/// `None` for a success: 2xx and no error code other than `ok`.
pub(crate) fn check(status: u16, headers: &HeaderMap, body: &[u8]) -> Option<PlatformError> {
    if (200..300).contains(&status) && error_code(body).is_none() {
        return None;
    }
    Some(classify(status, headers, body))
}
