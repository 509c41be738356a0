//! Meta error objects: token errors (code 190 and its subcodes), not
//! found (100/33), permissions (10), throttling (4/17/32/613/80002) and
//! transient failures.

use super::*;
use crate::http::Reply;
use crate::state::State;
use crate::tokens::{TokenFailure, TokenRecord};
use chrono_tz::America::Los_Angeles;
use serde_json::{Map, Value, json};
use socialsync_core::clock::Timestamp;

/// A Meta error object.
pub(crate) fn error(
    st: &mut State,
    status: u16,
    code: u32,
    subcode: Option<u32>,
    kind: &str,
    message: String,
    is_transient: Option<bool>,
) -> Reply {
    let mut e = Map::new();
    e.insert("message".into(), json!(message));
    e.insert("type".into(), json!(kind));
    e.insert("code".into(), json!(code));
    if let Some(s) = subcode {
        e.insert("error_subcode".into(), json!(s));
    }
    if let Some(t) = is_transient {
        e.insert("is_transient".into(), json!(t));
    }
    e.insert("fbtrace_id".into(), json!(st.fbtrace_id()));
    Reply::json(status, json!({ "error": Value::Object(e) }))
}

pub(crate) fn bad_param(st: &mut State, message: String) -> Reply {
    error(st, 400, 100, None, "OAuthException", message, None)
}

/// Meta's "does not exist, or no permission" (code 100, subcode 33), as
/// graph.instagram.com or, for Facebook-Login accounts, graph.facebook.com
/// words it.
pub(crate) fn not_found(st: &mut State, record: &TokenRecord, id: &str) -> Reply {
    let facebook = st
        .account(P, &record.account_id)
        .is_some_and(|a| a.spec.facebook_login);
    let base = format!(
        "Unsupported get request. Object with ID '{id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation"
    );
    let (kind, message) = if facebook {
        (
            "GraphMethodException",
            format!(
                "{base}. Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api"
            ),
        )
    } else {
        ("IGApiException", base)
    };
    error(st, 400, 100, Some(33), kind, message, None).with_header(
        "www-authenticate",
        "OAuth \"Facebook Platform\" \"invalid_request\" \"Unsupported get request.\"".into(),
    )
}

pub(crate) fn permission_missing(st: &mut State) -> Reply {
    error(
        st,
        400,
        10,
        None,
        "OAuthException",
        "(#10) Application does not have permission for this action".into(),
        None,
    )
}

/// The transient error Meta answers on its own failures.
pub(crate) fn transient(st: &mut State, status: u16) -> Reply {
    error(
        st,
        status,
        2,
        None,
        "OAuthException",
        "An unexpected error has occurred. Please retry your request later.".into(),
        Some(true),
    )
}

pub(crate) fn pacific(t: Timestamp) -> String {
    t.with_timezone(&Los_Angeles)
        .format("%A, %d-%b-%y %H:%M:%S %Z")
        .to_string()
}

pub(crate) fn token_error(st: &mut State, failure: TokenFailure, now: Timestamp) -> Reply {
    let (subcode, message) = match failure {
        TokenFailure::Unknown | TokenFailure::Spent => (
            None,
            "Invalid OAuth access token - Cannot parse access token".to_owned(),
        ),
        TokenFailure::Expired { at } => (
            Some(463),
            format!(
                "Error validating access token: Session has expired on {}. The current time is {}.",
                pacific(at),
                pacific(now)
            ),
        ),
        TokenFailure::Revoked(reason) => {
            let sub = reason.instagram_subcode();
            let text = match sub {
                458 => "The user has not authorized application 1234567890123456.",
                459 => {
                    "You cannot access the app till you log in to www.facebook.com and follow the instructions given."
                }
                460 => {
                    "The session has been invalidated because the user changed their password or Facebook has changed the session for security reasons."
                }
                _ => "The session is invalid because the user logged out.",
            };
            (Some(sub), format!("Error validating access token: {text}"))
        }
    };
    let header = format!("OAuth \"Facebook Platform\" \"invalid_token\" \"{message}\"");
    error(st, 400, 190, subcode, "OAuthException", message, None)
        .with_header("www-authenticate", header)
}

/// Meta's throttling error with `code`.
pub(crate) fn throttled(st: &mut State, code: u32) -> Reply {
    let message = match code {
        4 => "(#4) Application request limit reached".to_owned(),
        17 => "(#17) User request limit reached".to_owned(),
        32 => "(#32) Page request limit reached".to_owned(),
        613 => "(#613) Calls to this api have exceeded the rate limit.".to_owned(),
        80002 => "(#80002) There have been too many calls to this Instagram account. Wait a bit and try again. For more info, please refer to https://developers.facebook.com/docs/graph-api/overview/rate-limiting.".to_owned(),
        other => format!("(#{other}) Request limit reached"),
    };
    let status = if code == 4 { 403 } else { 400 };
    error(
        st,
        status,
        code,
        None,
        "OAuthException",
        message,
        Some(true),
    )
    .limiting()
}

/// A forced throttling answer (fault `rate_limited`): code 4 with a full
/// `X-App-Usage`.
pub(crate) fn forced_throttle(st: &mut State) -> Reply {
    throttled(st, 4).with_header(
        "x-app-usage",
        json!({"call_count": 100, "total_time": 41, "total_cputime": 34}).to_string(),
    )
}
