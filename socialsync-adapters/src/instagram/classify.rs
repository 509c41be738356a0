//! Instagram (Graph API) errors: classified by `error.code` and
//! `error_subcode`, never by HTTP status alone (token errors come as 400,
//! throttling as 400, 403 or 429).

use super::metric_sets::metric_of;
use reqwest::header::HeaderMap;
use serde::Deserialize;
use socialsync_core::domain::DisconnectReason;
use socialsync_core::platform::Platform;
use socialsync_core::platform::{LimitReach, PlatformError, PlatformErrorKind};

/// The Graph error envelope's inner object.
#[derive(Debug, Clone, Deserialize, Default)]
pub(crate) struct GraphError {
    #[serde(default)]
    pub(crate) message: String,
    #[serde(default)]
    pub(crate) code: Option<i64>,
    #[serde(default)]
    pub(crate) error_subcode: Option<i64>,
    #[serde(default)]
    pub(crate) is_transient: Option<bool>,
}

#[derive(Deserialize)]
struct Envelope {
    error: Option<GraphError>,
}

/// The error object of a body, if it has one.
pub(crate) fn graph_error(body: &[u8]) -> Option<GraphError> {
    serde_json::from_slice::<Envelope>(body).ok()?.error
}

/// The metric a code-100 insights rejection names ("does not support the
/// views metric", "metric[0] must be one of ...: impressions").
pub(crate) fn rejected_metric(e: &GraphError) -> Option<String> {
    if e.code != Some(100) || e.error_subcode == Some(33) {
        return None;
    }
    let m = &e.message;
    let after = m.split("support the ").nth(1)?;
    let name = after.split_whitespace().next()?;
    let name = name.trim_matches(|c: char| !(c.is_ascii_alphanumeric() || c == '_'));
    (!name.is_empty()).then(|| name.to_owned())
}

/// Classifies an Instagram error response by its body's `code` and
/// `error_subcode`:
///
/// - 190 (any subcode: 458 app removed, 459 checkpoint, 460 password
///   changed, 463 expired, 464 unconfirmed, 467 invalid) → token gone;
/// - 4, 17, 32, 613, 80000–80014 → throttled (4 app-wide);
/// - 10 and 200–299 → permission missing (a story's "not enough viewers"
///   is handled by the insights reader: metrics absent);
/// - 100 with subcode 33 → not found; other 100 → a rejected parameter
///   (an unsupported metric), never "deleted";
/// - 1, 2, `is_transient`, HTTP 5xx → unavailable;
/// - 368 (temporarily blocked) → throttled.
pub fn classify(status: u16, _headers: &HeaderMap, body: &[u8]) -> PlatformError {
    let p = Platform::Instagram;
    let endpoint = "graph";
    let Some(e) = graph_error(body) else {
        let kind = match status {
            401 => PlatformErrorKind::TokenInvalid(DisconnectReason::TokenExpired),
            429 => PlatformErrorKind::RateLimited {
                until: None,
                reach: LimitReach::Account,
            },
            500..=599 => PlatformErrorKind::Unavailable,
            _ => PlatformErrorKind::InvalidResponse,
        };
        return PlatformError::new(p, endpoint, kind)
            .with_detail(format!("HTTP {status} without a Graph error body"));
    };
    let kind = match (e.code, e.error_subcode) {
        (Some(190), sub) => PlatformErrorKind::TokenInvalid(match sub {
            Some(458) => DisconnectReason::AppRemoved,
            Some(460) => DisconnectReason::PasswordChanged,
            Some(459) | Some(464) => DisconnectReason::AccountUnavailable,
            Some(463) => DisconnectReason::TokenExpired,
            _ => DisconnectReason::Revoked,
        }),
        (Some(4), _) => PlatformErrorKind::RateLimited {
            until: None,
            reach: LimitReach::Platform,
        },
        (Some(17 | 32 | 613 | 368 | 80000..=80014), _) => PlatformErrorKind::RateLimited {
            until: None,
            reach: LimitReach::Account,
        },
        (Some(10 | 200..=299), _) => {
            PlatformErrorKind::PermissionMissing("instagram_business_manage_insights".into())
        }
        (Some(100), Some(33)) => PlatformErrorKind::NotFound,
        (Some(100), _) => match rejected_metric(&e).and_then(|n| metric_of(&n)) {
            Some(m) => PlatformErrorKind::UnsupportedMetric(m),
            None => PlatformErrorKind::InvalidResponse,
        },
        (Some(1 | 2), _) => PlatformErrorKind::Unavailable,
        _ if e.is_transient == Some(true) || status >= 500 => PlatformErrorKind::Unavailable,
        _ => PlatformErrorKind::InvalidResponse,
    };
    PlatformError::new(p, endpoint, kind).with_detail(crate::http::detail(&format!(
        "code {}{}: {}",
        e.code.unwrap_or_default(),
        e.error_subcode.map(|s| format!("/{s}")).unwrap_or_default(),
        e.message
    )))
}

/// `None` for a success (2xx without an error object).
pub(crate) fn check(status: u16, headers: &HeaderMap, body: &[u8]) -> Option<PlatformError> {
    if (200..300).contains(&status) && graph_error(body).is_none() {
        return None;
    }
    Some(classify(status, headers, body))
}
