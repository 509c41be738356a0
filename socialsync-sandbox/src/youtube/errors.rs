//! Google's error envelope: authentication, scopes, parameters, quota,
//! per-minute limits and backend failures.

use crate::http::Reply;
use serde_json::{Map, Value, json};

/// One entry of Google's `errors` array.
pub(crate) struct ErrorItem<'a> {
    pub(crate) message: &'a str,
    pub(crate) domain: &'a str,
    pub(crate) reason: &'a str,
    pub(crate) location: Option<(&'a str, &'a str)>,
}

/// A Google error envelope with one `errors` entry.
pub(crate) fn error(
    status: u16,
    message: &str,
    item: ErrorItem<'_>,
    status_name: Option<&str>,
    detail_reason: Option<&str>,
) -> Reply {
    let mut entry = Map::new();
    entry.insert("message".into(), json!(item.message));
    entry.insert("domain".into(), json!(item.domain));
    entry.insert("reason".into(), json!(item.reason));
    if let Some((location, kind)) = item.location {
        entry.insert("location".into(), json!(location));
        entry.insert("locationType".into(), json!(kind));
    }
    let mut e = Map::new();
    e.insert("code".into(), json!(status));
    e.insert("message".into(), json!(message));
    e.insert("errors".into(), json!([Value::Object(entry)]));
    if let Some(s) = status_name {
        e.insert("status".into(), json!(s));
    }
    if let Some(reason) = detail_reason {
        e.insert(
            "details".into(),
            json!([{
                "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                "reason": reason,
                "domain": "googleapis.com",
                "metadata": { "service": "youtube.googleapis.com" }
            }]),
        );
    }
    Reply::json(status, json!({ "error": Value::Object(e) }))
}

/// Google's backend failure.
pub(crate) fn backend_error(status: u16) -> Reply {
    let message = "The service is currently unavailable.";
    error(
        status,
        message,
        ErrorItem {
            message,
            domain: "global",
            reason: "backendError",
            location: None,
        },
        Some(if status == 503 {
            "UNAVAILABLE"
        } else {
            "INTERNAL"
        }),
        None,
    )
}

/// The daily quota is used up.
pub(crate) fn quota_exceeded() -> Reply {
    let message = "The request cannot be completed because you have exceeded your <a href=\"/youtube/v3/getting-started#quota\">quota</a>.";
    error(
        403,
        message,
        ErrorItem {
            message,
            domain: "youtube.quota",
            reason: "quotaExceeded",
            location: None,
        },
        None,
        None,
    )
    .limiting()
}

pub(crate) fn auth_error() -> Reply {
    error(
        401,
        "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.",
        ErrorItem {
            message: "Invalid Credentials",
            domain: "global",
            reason: "authError",
            location: Some(("Authorization", "header")),
        },
        Some("UNAUTHENTICATED"),
        Some("ACCESS_TOKEN_EXPIRED"),
    )
    .with_header(
        "www-authenticate",
        "Bearer realm=\"https://accounts.google.com/\", error=\"invalid_token\"".into(),
    )
}

/// An API key Google does not know (or none where one is needed).
pub(crate) fn api_key_invalid() -> Reply {
    error(
        400,
        "API key not valid. Please pass a valid API key.",
        ErrorItem {
            message: "API key not valid. Please pass a valid API key.",
            domain: "global",
            reason: "badRequest",
            location: None,
        },
        Some("INVALID_ARGUMENT"),
        Some("API_KEY_INVALID"),
    )
}

/// Neither a token nor an API key.
pub(crate) fn missing_credentials() -> Reply {
    error(
        403,
        "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.",
        ErrorItem {
            message: "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.",
            domain: "global",
            reason: "forbidden",
            location: None,
        },
        Some("PERMISSION_DENIED"),
        None,
    )
}

pub(crate) fn insufficient_scopes() -> Reply {
    error(
        403,
        "Request had insufficient authentication scopes.",
        ErrorItem {
            message: "Insufficient Permission",
            domain: "global",
            reason: "insufficientPermissions",
            location: None,
        },
        Some("PERMISSION_DENIED"),
        Some("ACCESS_TOKEN_SCOPE_INSUFFICIENT"),
    )
}

pub(crate) fn bad_parameter(reason: &str, message: &str, location: &str) -> Reply {
    error(
        400,
        message,
        ErrorItem {
            message,
            domain: "youtube.parameter",
            reason,
            location: Some((location, "parameter")),
        },
        None,
        None,
    )
}

pub(crate) fn too_many_ids() -> Reply {
    let message = "The request specifies an invalid filter parameter.";
    error(
        400,
        message,
        ErrorItem {
            message,
            domain: "youtube.parameter",
            reason: "invalidFilters",
            location: Some(("parameters.", "other")),
        },
        None,
        None,
    )
}

pub(crate) fn playlist_not_found() -> Reply {
    let message = "The playlist identified with the request's <code>playlistId</code> parameter cannot be found.";
    error(
        404,
        message,
        ErrorItem {
            message,
            domain: "youtube.playlistItem",
            reason: "playlistNotFound",
            location: Some(("playlistId", "parameter")),
        },
        None,
        None,
    )
}

/// Over the project's queries per minute.
pub(crate) fn rate_limit_exceeded() -> Reply {
    let message = "Quota exceeded for quota metric 'Queries' and limit 'Queries per minute' of service 'youtube.googleapis.com' for consumer 'project_number:0'.";
    error(
        429,
        message,
        ErrorItem {
            message,
            domain: "global",
            reason: "rateLimitExceeded",
            location: None,
        },
        Some("RESOURCE_EXHAUSTED"),
        None,
    )
    .limiting()
}
