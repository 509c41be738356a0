//! Instagram Login and Facebook Login token endpoints: code exchange,
//! long-lived exchange and refresh.

use super::*;
use crate::http::{Incoming, Reply, field};
use crate::scopes;
use crate::state::State;
use crate::tokens::{TokenFailure, TokenKind, seconds_until};
use serde_json::json;
use socialsync_core::clock::Timestamp;

/// `POST /oauth/access_token` (form: code, client_id, client_secret,
/// grant_type=authorization_code, redirect_uri) → short-lived token.
pub(crate) fn code_exchange(st: &mut State, now: Timestamp, req: &Incoming) -> Reply {
    let form = req.form();
    let oauth_error = |message: &str| {
        Reply::json(
            400,
            json!({"error_type": "OAuthException", "code": 400, "error_message": message}),
        )
    };
    if field(&form, "grant_type") != Some("authorization_code") {
        return oauth_error("Invalid grant_type");
    }
    if !st.client_ok(P, field(&form, "client_id"), field(&form, "client_secret")) {
        return oauth_error("Invalid platform app");
    }
    let code = field(&form, "code")
        .unwrap_or_default()
        .trim_end_matches("#_");
    let record = st
        .tokens
        .get(code)
        .filter(|r| r.platform == P && r.kind == TokenKind::AuthCode)
        .cloned();
    let Some(record) = record.filter(|r| r.check(now).is_ok()) else {
        return oauth_error("Invalid authorization code");
    };
    if let Some(r) = st.tokens.get_mut(code) {
        r.spent = true;
    }
    let expires = now + st.lifetimes.instagram_short;
    let token = st.new_token(
        P,
        &record.account_id,
        TokenKind::ShortLived,
        record.grant,
        now,
        Some(expires),
        record.scopes.clone(),
    );
    Reply::ok(json!({
        "data": [{
            "access_token": token,
            "user_id": record.account_id,
            "permissions": record.scopes.join(","),
        }]
    }))
}

pub(crate) fn token_reply(token: String, now: Timestamp, expires: Timestamp) -> Reply {
    Reply::ok(json!({
        "access_token": token,
        "token_type": "bearer",
        "expires_in": seconds_until(now, expires),
    }))
}

/// `GET|POST /{version}/oauth/access_token` (Facebook Login): with `code`
/// a short-lived user token; with `grant_type=fb_exchange_token` and
/// `fb_exchange_token=<short>` a long-lived one. Answers are flat
/// `{access_token, token_type, expires_in}`.
pub(crate) fn facebook_oauth(st: &mut State, now: Timestamp, req: &Incoming) -> Reply {
    let form = req.form();
    let param = |name: &str| {
        req.query(name)
            .map(str::to_owned)
            .or_else(|| field(&form, name).map(str::to_owned))
    };
    if !st.client_ok(
        P,
        param("client_id").as_deref(),
        param("client_secret").as_deref(),
    ) {
        return error(
            st,
            400,
            1,
            None,
            "OAuthException",
            "Error validating client secret.".into(),
            None,
        );
    }
    if param("grant_type").as_deref() == Some("fb_exchange_token") {
        let short = param("fb_exchange_token").unwrap_or_default();
        let record = st
            .tokens
            .get(&short)
            .filter(|r| r.platform == P && r.kind == TokenKind::ShortLived)
            .cloned();
        let Some(record) = record else {
            return token_error(st, TokenFailure::Unknown, now);
        };
        if let Err(f) = record.check(now) {
            return token_error(st, f, now);
        }
        let expires = now + st.lifetimes.instagram_long;
        let token = st.new_token(
            P,
            &record.account_id,
            TokenKind::Access,
            record.grant,
            now,
            Some(expires),
            record.scopes.clone(),
        );
        return token_reply(token, now, expires);
    }
    let code = param("code").unwrap_or_default();
    let record = st
        .tokens
        .get(&code)
        .filter(|r| r.platform == P && r.kind == TokenKind::AuthCode)
        .cloned();
    let Some(record) = record.filter(|r| r.check(now).is_ok()) else {
        return error(
            st,
            400,
            100,
            Some(36007),
            "OAuthException",
            "Invalid verification code format.".into(),
            None,
        );
    };
    if let Some(r) = st.tokens.get_mut(&code) {
        r.spent = true;
    }
    let expires = now + st.lifetimes.instagram_short;
    let token = st.new_token(
        P,
        &record.account_id,
        TokenKind::ShortLived,
        record.grant,
        now,
        Some(expires),
        record.scopes.clone(),
    );
    token_reply(token, now, expires)
}

/// `GET /access_token?grant_type=ig_exchange_token&access_token=<short>`.
pub(crate) fn token_exchange(st: &mut State, now: Timestamp, req: &Incoming) -> Reply {
    if req.query("grant_type") != Some("ig_exchange_token") {
        return bad_param(st, "(#100) Unsupported grant_type".into());
    }
    if !st.client_ok(P, None, req.query("client_secret")) {
        return error(
            st,
            400,
            1,
            None,
            "OAuthException",
            "Error validating client secret.".into(),
            None,
        );
    }
    let record = req
        .query("access_token")
        .and_then(|t| st.tokens.get(t))
        .filter(|r| r.platform == P && r.kind == TokenKind::ShortLived)
        .cloned();
    let Some(record) = record else {
        return token_error(st, TokenFailure::Unknown, now);
    };
    if let Err(f) = record.check(now) {
        return token_error(st, f, now);
    }
    let expires = now + st.lifetimes.instagram_long;
    let token = st.new_token(
        P,
        &record.account_id,
        TokenKind::Access,
        record.grant,
        now,
        Some(expires),
        record.scopes.clone(),
    );
    token_reply(token, now, expires)
}

/// `GET /refresh_access_token?grant_type=ig_refresh_token&access_token=<long>`:
/// only for a long-lived token at least 24 h old and not expired.
pub(crate) fn token_refresh(st: &mut State, now: Timestamp, req: &Incoming) -> Reply {
    if req.query("grant_type") != Some("ig_refresh_token") {
        return bad_param(st, "(#100) Unsupported grant_type".into());
    }
    let record = req
        .query("access_token")
        .and_then(|t| st.tokens.get(t))
        .filter(|r| r.platform == P && r.kind == TokenKind::Access)
        .cloned();
    let Some(record) = record else {
        return token_error(st, TokenFailure::Unknown, now);
    };
    if let Err(f) = record.check(now) {
        return token_error(st, f, now);
    }
    if !record.has_scope(&[scopes::INSTAGRAM_BASIC]) {
        return permission_missing(st);
    }
    if now - record.issued_at < st.lifetimes.instagram_min_refresh_age {
        return bad_param(
            st,
            "(#100) The access token can only be refreshed once it is at least 24 hours old".into(),
        );
    }
    let expires = now + st.lifetimes.instagram_long;
    let token = st.new_token(
        P,
        &record.account_id,
        TokenKind::Access,
        record.grant,
        now,
        Some(expires),
        record.scopes.clone(),
    );
    token_reply(token, now, expires)
}
