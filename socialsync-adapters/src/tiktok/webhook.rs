//! TikTok's `authorization.removed` webhook: the signature is checked
//! (`TikTok-Signature: t=<unix seconds>,s=<hex HMAC-SHA256 of "<t>.<raw
//! body>" keyed by the client secret>`, with a replay window), then the
//! event becomes a disconnection of the creator's connection, made by the
//! engine ([`Engine::disconnect_reported`]) like one it finds itself: the
//! `Disconnected` event is published and the host's notifier called once.
//!
//! The host's webhook handler verifies, parses, and reports to the engine:
//!
//! ```no_run
//! use socialsync_adapters::tiktok::webhook::WebhookVerifier;
//! use socialsync_core::clock::Clock;
//! use socialsync_core::engine::Engine;
//!
//! /// Answers a delivery to the app's callback URL (its `TikTok-Signature`
//! /// header and raw body) with a status code.
//! async fn on_tiktok_webhook(
//!     verifier: &WebhookVerifier,
//!     engine: &Engine,
//!     signature: Option<&str>,
//!     body: &[u8],
//! ) -> u16 {
//!     match verifier.authorization_removed(signature, body, engine.clock().now()) {
//!         // Forged, stale or malformed: refused, nothing changes.
//!         Err(_) => 400,
//!         // Another event this app does not act on.
//!         Ok(None) => 200,
//!         Ok(Some(removed)) => match removed.disconnect(engine).await {
//!             // Disconnected now, already before (TikTok delivers at least
//!             // once), or no such connection.
//!             Ok(_) => 200,
//!             // The store failed: TikTok delivers again later.
//!             Err(_) => 503,
//!         },
//!     }
//! }
//! ```

use hmac::{Hmac, Mac};
use serde::Deserialize;
use sha2::Sha256;
use socialsync_core::clock::Timestamp;
use socialsync_core::domain::{DisconnectReason, Disconnection};
use socialsync_core::engine::{Engine, EngineError};
use socialsync_core::ids::PlatformAccountId;
use socialsync_core::platform::Platform;

/// The header carrying the signature.
pub const SIGNATURE_HEADER: &str = "TikTok-Signature";

/// A webhook delivery was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum WebhookError {
    /// The signature header is missing or malformed.
    #[error("malformed {SIGNATURE_HEADER} header")]
    MalformedSignature,
    /// The signature does not match the body.
    #[error("signature mismatch")]
    BadSignature,
    /// The signed timestamp is outside the accepted window (a replay?).
    #[error("signature timestamp outside the accepted window")]
    Stale,
    /// The body is not a TikTok event.
    #[error("malformed event body")]
    MalformedBody,
    /// The event is for another app.
    #[error("event for another client key")]
    WrongClient,
}

/// A webhook event, as TikTok posts it.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct WebhookEvent {
    /// The app's client key.
    pub client_key: String,
    /// The event name (`authorization.removed`, ...).
    pub event: String,
    /// When it happened (Unix seconds).
    pub create_time: i64,
    /// The creator's open_id.
    pub user_openid: String,
    /// Event details: a JSON **string**.
    #[serde(default)]
    pub content: String,
}

/// Why TikTok removed an authorization (`content.reason`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RemovalReason {
    /// 0: unknown.
    Unknown,
    /// 1: the creator disconnected the app.
    UserDisconnected,
    /// 2: the account was deleted.
    AccountDeleted,
    /// 3: the creator's age changed.
    AgeChanged,
    /// 4: the account was banned.
    AccountBanned,
    /// 5: the developer revoked the authorization.
    DeveloperRevoked,
}

impl RemovalReason {
    fn from_code(c: i64) -> RemovalReason {
        match c {
            1 => RemovalReason::UserDisconnected,
            2 => RemovalReason::AccountDeleted,
            3 => RemovalReason::AgeChanged,
            4 => RemovalReason::AccountBanned,
            5 => RemovalReason::DeveloperRevoked,
            _ => RemovalReason::Unknown,
        }
    }

    /// The disconnection reason it means.
    pub fn disconnect_reason(self) -> DisconnectReason {
        match self {
            RemovalReason::UserDisconnected => DisconnectReason::AppRemoved,
            RemovalReason::AccountDeleted | RemovalReason::AccountBanned => {
                DisconnectReason::AccountUnavailable
            }
            RemovalReason::AgeChanged
            | RemovalReason::DeveloperRevoked
            | RemovalReason::Unknown => DisconnectReason::Revoked,
        }
    }
}

/// A verified `authorization.removed` event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthorizationRemoved {
    /// The creator's open_id (the connection's platform account id).
    pub open_id: PlatformAccountId,
    /// Why.
    pub reason: RemovalReason,
}

/// The webhook verifier: the app's client key and secret and the accepted
/// clock skew.
pub struct WebhookVerifier {
    client_key: String,
    secret: secrecy::SecretString,
    tolerance: chrono::TimeDelta,
}

impl std::fmt::Debug for WebhookVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookVerifier")
            .field("client_key", &self.client_key)
            .field("tolerance", &self.tolerance)
            .finish_non_exhaustive()
    }
}

type HmacSha256 = Hmac<Sha256>;

impl WebhookVerifier {
    /// A verifier for the app; deliveries signed more than 5 minutes from
    /// `now` are refused.
    pub fn new(app: &crate::AppCredentials) -> WebhookVerifier {
        WebhookVerifier {
            client_key: app.client_id.clone(),
            secret: app.client_secret.clone(),
            tolerance: chrono::TimeDelta::minutes(5),
        }
    }

    /// With another replay window.
    #[must_use]
    pub fn with_tolerance(mut self, tolerance: chrono::TimeDelta) -> Self {
        self.tolerance = tolerance;
        self
    }

    /// The signature header value for `body` at `t` (what TikTok sends;
    /// useful to tests and to a local look-alike server).
    pub fn sign(&self, t: i64, body: &[u8]) -> String {
        format!(
            "t={t},s={}",
            hex::encode(self.mac(t, body).finalize().into_bytes())
        )
    }

    fn mac(&self, t: i64, body: &[u8]) -> HmacSha256 {
        use secrecy::ExposeSecret;
        let mut mac = HmacSha256::new_from_slice(self.secret.expose_secret().as_bytes())
            .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
        mac.update(t.to_string().as_bytes());
        mac.update(b".");
        mac.update(body);
        mac
    }

    /// Checks the signature header against the raw body and decodes the event.
    pub fn verify(
        &self,
        signature_header: Option<&str>,
        body: &[u8],
        now: Timestamp,
    ) -> Result<WebhookEvent, WebhookError> {
        let header = signature_header.ok_or(WebhookError::MalformedSignature)?;
        let mut t = None;
        let mut sigs = Vec::new();
        for part in header.split(',') {
            match part.trim().split_once('=') {
                Some(("t", v)) => t = v.trim().parse::<i64>().ok(),
                Some(("s", v)) => sigs.push(v.trim()),
                _ => {}
            }
        }
        let t = t.ok_or(WebhookError::MalformedSignature)?;
        if sigs.is_empty() {
            return Err(WebhookError::MalformedSignature);
        }
        let ok = sigs.iter().any(|s| match hex::decode(s) {
            Ok(bytes) => self.mac(t, body).verify_slice(&bytes).is_ok(),
            Err(_) => false,
        });
        if !ok {
            return Err(WebhookError::BadSignature);
        }
        let signed_at = Timestamp::from_timestamp(t, 0).ok_or(WebhookError::MalformedSignature)?;
        if (now - signed_at).abs() > self.tolerance {
            return Err(WebhookError::Stale);
        }
        let event: WebhookEvent =
            serde_json::from_slice(body).map_err(|_| WebhookError::MalformedBody)?;
        if event.client_key != self.client_key {
            return Err(WebhookError::WrongClient);
        }
        Ok(event)
    }

    /// Verifies a delivery and, for `authorization.removed`, returns the
    /// removal (`Ok(None)` for other events).
    pub fn authorization_removed(
        &self,
        signature_header: Option<&str>,
        body: &[u8],
        now: Timestamp,
    ) -> Result<Option<AuthorizationRemoved>, WebhookError> {
        let event = self.verify(signature_header, body, now)?;
        Ok(removal(&event))
    }
}

/// The removal an event carries, if it is `authorization.removed`.
pub fn removal(event: &WebhookEvent) -> Option<AuthorizationRemoved> {
    if event.event != "authorization.removed" {
        return None;
    }
    #[derive(Deserialize)]
    struct Content {
        #[serde(default)]
        reason: Option<i64>,
    }
    let reason = serde_json::from_str::<Content>(&event.content)
        .ok()
        .and_then(|c| c.reason)
        .unwrap_or(0);
    Some(AuthorizationRemoved {
        open_id: PlatformAccountId::from(event.user_openid.as_str()),
        reason: RemovalReason::from_code(reason),
    })
}

impl AuthorizationRemoved {
    /// Disconnects the creator's TikTok connection through the engine
    /// ([`Engine::disconnect_reported`]): the first delivery makes the
    /// disconnection (published, notified once) and gets it with
    /// `newly_disconnected: true`; a repeated delivery gets the same
    /// disconnection with `false` and changes nothing. `Ok(None)` when no
    /// connection of this account needs disconnecting (unknown, or reset).
    pub async fn disconnect(&self, engine: &Engine) -> Result<Option<Disconnection>, EngineError> {
        engine
            .disconnect_reported(
                Platform::TikTok,
                &self.open_id,
                self.reason.disconnect_reason(),
            )
            .await
    }
}
