//! Tokens: authorization codes, access and refresh tokens, their lifetimes,
//! TikTok's refresh rotation and revocation.

use crate::model::AccountRef;
use chrono::TimeDelta;
use serde::{Deserialize, Serialize};
use socialsync_core::clock::Timestamp;
use socialsync_core::platform::Platform;
use std::fmt;

/// How long the tokens the sandbox issues live (the platforms' documented
/// lifetimes by default).
#[derive(Debug, Clone)]
pub struct TokenLifetimes {
    /// Instagram short-lived token (1 hour).
    pub instagram_short: TimeDelta,
    /// Instagram long-lived token (60 days).
    pub instagram_long: TimeDelta,
    /// Age an Instagram long-lived token must reach before it can be
    /// refreshed (24 hours).
    pub instagram_min_refresh_age: TimeDelta,
    /// TikTok access token (2 hours).
    pub tiktok_access: TimeDelta,
    /// TikTok refresh token (180 days from the authorization; rotation keeps
    /// the original end).
    pub tiktok_refresh: TimeDelta,
    /// Google access token (3 599 seconds).
    pub google_access: TimeDelta,
    /// Google refresh token: `None` (the default) for no fixed end, as for
    /// an app in production; `Some(7 days)` models an app whose consent
    /// screen is still in "Testing".
    pub google_refresh: Option<TimeDelta>,
    /// Google: live refresh tokens per account before the oldest stops
    /// working (100 by Google's documentation; `None` for no limit).
    pub google_max_refresh_tokens: Option<usize>,
    /// Authorization codes (10 minutes).
    pub authorization_code: TimeDelta,
}

impl Default for TokenLifetimes {
    fn default() -> Self {
        Self {
            instagram_short: TimeDelta::hours(1),
            instagram_long: TimeDelta::days(60),
            instagram_min_refresh_age: TimeDelta::hours(24),
            tiktok_access: TimeDelta::hours(2),
            tiktok_refresh: TimeDelta::days(180),
            google_access: TimeDelta::seconds(3599),
            google_refresh: None,
            google_max_refresh_tokens: Some(100),
            authorization_code: TimeDelta::minutes(10),
        }
    }
}

/// Why a grant was revoked. Instagram shows it as the `error_subcode` of its
/// code-190 error; TikTok and Google show every revocation the same way.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum RevokeReason {
    /// The user removed the app (Instagram subcode 458).
    #[default]
    AppRemoved,
    /// The user is checkpointed (Instagram subcode 459).
    Checkpointed,
    /// The password changed (Instagram subcode 460).
    PasswordChanged,
    /// The user logged out (Instagram subcode 467).
    LoggedOut,
}

impl RevokeReason {
    /// Instagram's `error_subcode` for this reason.
    pub fn instagram_subcode(self) -> u32 {
        match self {
            RevokeReason::AppRemoved => 458,
            RevokeReason::Checkpointed => 459,
            RevokeReason::PasswordChanged => 460,
            RevokeReason::LoggedOut => 467,
        }
    }
}

/// The tokens of one authorization, as the creator's connect flow would
/// leave them. `Debug` does not show the token strings.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenGrant {
    /// Whose tokens.
    pub account: AccountRef,
    /// The access token (Instagram: the long-lived token).
    pub access_token: String,
    /// When the tokens were issued.
    pub issued_at: Timestamp,
    /// When the access token expires.
    pub access_expires_at: Timestamp,
    /// The refresh token (TikTok, Google; Instagram has none).
    pub refresh_token: Option<String>,
    /// When the refresh token expires (`None`: no fixed end, as Google's).
    pub refresh_expires_at: Option<Timestamp>,
    /// The scopes granted.
    pub scopes: Vec<String>,
}

impl fmt::Debug for TokenGrant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenGrant")
            .field("account", &self.account)
            .field("access_token", &"<redacted>")
            .field("issued_at", &self.issued_at)
            .field("access_expires_at", &self.access_expires_at)
            .field(
                "refresh_token",
                &self.refresh_token.as_ref().map(|_| "<redacted>"),
            )
            .field("refresh_expires_at", &self.refresh_expires_at)
            .field("scopes", &self.scopes)
            .finish()
    }
}

impl TokenGrant {
    /// The grant as the core's credentials, ready for a connection.
    pub fn credentials(&self) -> socialsync_core::credentials::Credentials {
        let mut c = socialsync_core::credentials::Credentials::new(self.access_token.clone())
            .issued(self.issued_at)
            .expiring_at(self.access_expires_at);
        if let Some(r) = &self.refresh_token {
            c = c.with_refresh_token(r.clone());
        }
        c.refresh_expires_at = self.refresh_expires_at;
        c.granted_scopes = self.scopes.clone();
        c
    }
}

/// What a stored token string is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TokenKind {
    /// An OAuth authorization code (single use).
    AuthCode,
    /// Instagram short-lived token (exchangeable once for a long-lived one;
    /// also accepted by data calls).
    ShortLived,
    /// An access token for data calls.
    Access,
    /// A refresh token.
    Refresh,
}

/// One issued token string.
#[derive(Debug, Clone)]
pub(crate) struct TokenRecord {
    pub(crate) platform: Platform,
    pub(crate) account_id: String,
    pub(crate) kind: TokenKind,
    pub(crate) grant: u64,
    pub(crate) issued_at: Timestamp,
    pub(crate) expires_at: Option<Timestamp>,
    pub(crate) revoked: Option<RevokeReason>,
    /// Used up: a redeemed code, an exchanged short-lived token, a rotated
    /// refresh token.
    pub(crate) spent: bool,
    pub(crate) scopes: Vec<String>,
}

/// Why a token was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TokenFailure {
    /// Not a token the sandbox issued for this platform and use.
    Unknown,
    /// Past its expiry.
    Expired { at: Timestamp },
    /// Revoked.
    Revoked(RevokeReason),
    /// Already used (a code redeemed, a refresh token rotated away).
    Spent,
}

impl TokenRecord {
    /// Checks the record is usable at `now`.
    pub(crate) fn check(&self, now: Timestamp) -> Result<(), TokenFailure> {
        if let Some(reason) = self.revoked {
            return Err(TokenFailure::Revoked(reason));
        }
        if self.spent {
            return Err(TokenFailure::Spent);
        }
        match self.expires_at {
            Some(at) if now >= at => Err(TokenFailure::Expired { at }),
            _ => Ok(()),
        }
    }

    pub(crate) fn has_scope(&self, any_of: &[&str]) -> bool {
        self.scopes.iter().any(|s| any_of.contains(&s.as_str()))
    }
}

/// Seconds from `now` to `at`, at least 0.
pub(crate) fn seconds_until(now: Timestamp, at: Timestamp) -> i64 {
    (at - now).num_seconds().max(0)
}

/// An app's OAuth client credentials (Instagram app id and secret, TikTok
/// client key and secret, Google client id and secret). `Debug` hides the
/// secret.
#[derive(Clone, PartialEq, Eq)]
pub struct AppCredentials {
    /// The client id / client key.
    pub client_id: String,
    /// The client secret.
    pub client_secret: String,
}

impl AppCredentials {
    /// Credentials from an id and a secret.
    pub fn new(client_id: &str, client_secret: &str) -> Self {
        Self {
            client_id: client_id.to_owned(),
            client_secret: client_secret.to_owned(),
        }
    }
}

impl fmt::Debug for AppCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AppCredentials")
            .field("client_id", &self.client_id)
            .field("client_secret", &"<redacted>")
            .finish()
    }
}
