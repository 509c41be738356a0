//! Google's token and revoke endpoints.

use super::*;
use crate::http::{Incoming, Reply, field};
use crate::state::State;
use crate::tokens::{TokenKind, seconds_until};
use serde_json::{Map, Value, json};
use socialsync_core::clock::Timestamp;

pub(crate) fn oauth_error(code: &str, description: &str) -> Reply {
    Reply::json(
        400,
        json!({ "error": code, "error_description": description }),
    )
}

/// `POST /token`: `authorization_code` (returns a refresh token) and
/// `refresh_token` (returns none: the stored one stays valid).
pub(crate) fn token(st: &mut State, now: Timestamp, req: &Incoming) -> Reply {
    let form = req.form();
    let grant_type = field(&form, "grant_type").unwrap_or_default();
    let (presented, kind) = match grant_type {
        "authorization_code" => (field(&form, "code"), TokenKind::AuthCode),
        "refresh_token" => (field(&form, "refresh_token"), TokenKind::Refresh),
        other => {
            return oauth_error(
                "unsupported_grant_type",
                &format!("Invalid grant_type: {other}"),
            );
        }
    };
    let id = field(&form, "client_id");
    if id.is_none_or(str::is_empty) || !st.client_ok(P, id, field(&form, "client_secret")) {
        return Reply::json(
            401,
            json!({ "error": "invalid_client", "error_description": "Unauthorized" }),
        );
    }
    let presented = presented.unwrap_or_default().to_owned();
    let record = st
        .tokens
        .get(&presented)
        .filter(|r| r.platform == P && r.kind == kind)
        .cloned();
    let Some(record) = record.filter(|r| r.check(now).is_ok()) else {
        let description = if kind == TokenKind::AuthCode {
            "Malformed auth code."
        } else {
            "Token has been expired or revoked."
        };
        return oauth_error("invalid_grant", description);
    };
    let access_expires = now + st.lifetimes.google_access;
    let access = st.new_token(
        P,
        &record.account_id,
        TokenKind::Access,
        record.grant,
        now,
        Some(access_expires),
        record.scopes.clone(),
    );
    let mut body = Map::new();
    body.insert("access_token".into(), json!(access));
    body.insert(
        "expires_in".into(),
        json!(seconds_until(now, access_expires)),
    );
    if kind == TokenKind::AuthCode {
        if let Some(r) = st.tokens.get_mut(&presented) {
            r.spent = true;
        }
        let refresh_end = st.lifetimes.google_refresh.map(|d| now + d);
        let refresh = st.new_token(
            P,
            &record.account_id,
            TokenKind::Refresh,
            record.grant,
            now,
            refresh_end,
            record.scopes.clone(),
        );
        body.insert("refresh_token".into(), json!(refresh));
    }
    body.insert("scope".into(), json!(record.scopes.join(" ")));
    body.insert("token_type".into(), json!("Bearer"));
    Reply::ok(Value::Object(body))
}

/// `POST /revoke?token=…`: revokes the token's whole grant.
pub(crate) fn revoke(st: &mut State, req: &Incoming) -> Reply {
    let form = req.form();
    let token = req
        .query("token")
        .map(str::to_owned)
        .or_else(|| field(&form, "token").map(str::to_owned));
    let grant = token
        .and_then(|t| st.tokens.get(&t))
        .filter(|r| r.platform == P)
        .map(|r| r.grant);
    let Some(grant) = grant else {
        return oauth_error("invalid_token", "Token expired or revoked");
    };
    for r in st.tokens.values_mut().filter(|r| r.grant == grant) {
        r.revoked = Some(Default::default());
    }
    Reply::ok(json!({}))
}
