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
//!             // once), no such connection, or this very delivery replayed.
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
use socialsync_core::domain::DisconnectReason;
use socialsync_core::engine::{Delivered, Delivery, Engine, EngineError};
use socialsync_core::ids::PlatformAccountId;
use socialsync_core::platform::Platform;

/// The header carrying the signature.
pub const SIGNATURE_HEADER: &str = "TikTok-Signature";

/// The most `s=` values a signature header may hold (TikTok sends one; a
/// second may appear while a secret rotates).
pub const MAX_SIGNATURES: usize = 4;

/// The longest signature header accepted, in bytes.
pub const MAX_SIGNATURE_HEADER: usize = 1024;

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
#[non_exhaustive]
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
    /// The delivery that carried it.
    pub delivery: Delivery,
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
        #[cfg(test)]
        tests::BODY_MACS.with(|n| n.set(n.get() + 1));
        let mut mac = HmacSha256::new_from_slice(self.secret.expose_secret().as_bytes())
            .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
        mac.update(t.to_string().as_bytes());
        mac.update(b".");
        mac.update(body);
        mac
    }

    /// Checks the signature header against the raw body and decodes the
    /// event. The body is MACed once, whatever the header holds: a header
    /// longer than [`MAX_SIGNATURE_HEADER`] bytes or with more than
    /// [`MAX_SIGNATURES`] `s=` values is malformed, and a stale timestamp is
    /// refused before any MAC.
    pub fn verify(
        &self,
        signature_header: Option<&str>,
        body: &[u8],
        now: Timestamp,
    ) -> Result<Verified, WebhookError> {
        let header = signature_header.ok_or(WebhookError::MalformedSignature)?;
        if header.len() > MAX_SIGNATURE_HEADER {
            return Err(WebhookError::MalformedSignature);
        }
        let mut t = None;
        let mut sigs = Vec::new();
        for part in header.split(',') {
            match part.trim().split_once('=') {
                Some(("t", v)) => {
                    if t.is_some() {
                        return Err(WebhookError::MalformedSignature);
                    }
                    t = Some(
                        v.trim()
                            .parse::<i64>()
                            .map_err(|_| WebhookError::MalformedSignature)?,
                    );
                }
                Some(("s", v)) => {
                    if sigs.len() == MAX_SIGNATURES {
                        return Err(WebhookError::MalformedSignature);
                    }
                    sigs.push(v.trim());
                }
                _ => {}
            }
        }
        let t = t.ok_or(WebhookError::MalformedSignature)?;
        if sigs.is_empty() {
            return Err(WebhookError::MalformedSignature);
        }
        let signed_at = Timestamp::from_timestamp(t, 0).ok_or(WebhookError::MalformedSignature)?;
        if (now - signed_at).abs() > self.tolerance {
            return Err(WebhookError::Stale);
        }
        let mac = self.mac(t, body);
        // Each candidate costs one finalisation of the MAC state, not a
        // pass over the body; the comparison is constant-time.
        let ok = sigs.iter().any(|s| match hex::decode(s) {
            Ok(bytes) => mac.clone().verify_slice(&bytes).is_ok(),
            Err(_) => false,
        });
        if !ok {
            return Err(WebhookError::BadSignature);
        }
        let event: WebhookEvent =
            serde_json::from_slice(body).map_err(|_| WebhookError::MalformedBody)?;
        if event.client_key != self.client_key {
            return Err(WebhookError::WrongClient);
        }
        let delivery = Delivery {
            key: format!("tiktok:{}", hex::encode(mac.finalize().into_bytes())),
            until: signed_at + self.tolerance + chrono::TimeDelta::seconds(1),
        };
        Ok(Verified { event, delivery })
    }

    /// Verifies a delivery and, for `authorization.removed`, returns the
    /// removal (`Ok(None)` for other events).
    pub fn authorization_removed(
        &self,
        signature_header: Option<&str>,
        body: &[u8],
        now: Timestamp,
    ) -> Result<Option<AuthorizationRemoved>, WebhookError> {
        let verified = self.verify(signature_header, body, now)?;
        Ok(removal(&verified))
    }
}

/// A delivery whose signature was verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    /// The event it carries.
    pub event: WebhookEvent,
    /// The delivery, to recognise a replay of it
    /// ([`Engine::disconnect_delivered`]).
    pub delivery: Delivery,
}

/// The removal a verified delivery carries, if it is `authorization.removed`.
pub fn removal(verified: &Verified) -> Option<AuthorizationRemoved> {
    let event = &verified.event;
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
        delivery: verified.delivery.clone(),
    })
}

impl AuthorizationRemoved {
    /// Disconnects the creator's TikTok connection through the engine
    /// ([`Engine::disconnect_delivered`]): the first delivery makes the
    /// disconnection (published, notified once) and gets
    /// `Delivered::Handled(Some(d))` with `d.newly_disconnected`; the same
    /// delivery replayed, to this process or another, is
    /// [`Delivered::Replayed`] and changes nothing (even after the creator
    /// reconnected). Another delivery of the removal (TikTok delivers at
    /// least once) gets the existing disconnection, with
    /// `newly_disconnected: false`. `Handled(None)` when no connection of
    /// this account needs disconnecting (unknown, or reset).
    pub async fn disconnect(&self, engine: &Engine) -> Result<Delivered, EngineError> {
        engine
            .disconnect_delivered(
                &self.delivery,
                Platform::TikTok,
                &self.open_id,
                self.reason.disconnect_reason(),
            )
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    thread_local! {
        /// How many times a body was MACed on this thread.
        pub(super) static BODY_MACS: Cell<u32> = const { Cell::new(0) };
    }

    fn macs() -> u32 {
        BODY_MACS.with(Cell::get)
    }

    const T: i64 = 1_764_333_727;
    const BODY: &[u8] = br#"{"client_key":"key","event":"authorization.removed","create_time":1764333727,"user_openid":"u1","content":"{\"reason\": 1}"}"#;

    fn verifier() -> WebhookVerifier {
        WebhookVerifier::new(&crate::AppCredentials::new("key", "secret"))
    }

    fn now() -> Timestamp {
        Timestamp::from_timestamp(T + 10, 0).unwrap()
    }

    #[test]
    fn the_body_is_maced_once_whatever_the_header_holds() {
        let v = verifier();
        let good = v.sign(T, BODY);
        let s = good.split_once(",s=").unwrap().1;
        let wrong = "ab".repeat(32);
        let header = format!("t={T},s={wrong},s={wrong},s=zz,s={s}");
        let before = macs();
        assert!(v.verify(Some(&header), BODY, now()).is_ok());
        assert_eq!(macs() - before, 1);
        // 2 000 values: refused before any MAC.
        let many = format!("t={T}{}", format!(",s={wrong}").repeat(2000));
        let before = macs();
        assert_eq!(
            v.verify(Some(&many), BODY, now()).unwrap_err(),
            WebhookError::MalformedSignature
        );
        assert_eq!(macs(), before);
        // One too many, each short: refused too.
        let five = format!("t={T}{}", ",s=00".repeat(MAX_SIGNATURES + 1));
        assert_eq!(
            v.verify(Some(&five), BODY, now()).unwrap_err(),
            WebhookError::MalformedSignature
        );
        // A stale delivery costs no MAC either.
        let before = macs();
        let late = now() + chrono::TimeDelta::hours(1);
        assert_eq!(
            v.verify(Some(&good), BODY, late).unwrap_err(),
            WebhookError::Stale
        );
        assert_eq!(macs(), before);
    }

    #[test]
    fn odd_headers_are_malformed_not_accepted() {
        let v = verifier();
        let good = v.sign(T, BODY);
        let s = good.split_once(",s=").unwrap().1;
        for header in [
            format!("t={T},t={T},s={s}"),
            format!("t=,s={s}"),
            format!("t=1e9,s={s}"),
            format!("t={},s={s}", i64::MAX),
            format!("s={s}"),
            format!("t={T}"),
            format!("t={T},s={s}{}", " ".repeat(MAX_SIGNATURE_HEADER)),
        ] {
            assert!(v.verify(Some(&header), BODY, now()).is_err(), "{header:?}");
        }
    }

    #[test]
    fn the_delivery_is_named_by_its_signature_and_kept_through_its_window() {
        let v = verifier();
        let a = v.verify(Some(&v.sign(T, BODY)), BODY, now()).unwrap();
        let again = v.verify(Some(&v.sign(T, BODY)), BODY, now()).unwrap();
        let later = v.verify(Some(&v.sign(T + 1, BODY)), BODY, now()).unwrap();
        assert_eq!(a.delivery, again.delivery);
        assert_ne!(a.delivery.key, later.delivery.key);
        assert!(a.delivery.key.len() <= socialsync_core::store::MAX_DELIVERY_KEY);
        assert!(a.delivery.until > Timestamp::from_timestamp(T, 0).unwrap() + v.tolerance);
        assert!(!format!("{:?}", a.delivery).contains(&a.delivery.key));
    }

    #[test]
    fn a_host_tolerance_at_either_extreme_is_one_answer_not_a_panic() {
        let wide = verifier().with_tolerance(chrono::TimeDelta::MAX);
        let a = wide.verify(Some(&wide.sign(T, BODY)), BODY, now()).unwrap();
        assert_eq!(a.delivery.until, Timestamp::MAX);
        let negative = verifier().with_tolerance(chrono::TimeDelta::MIN);
        assert!(matches!(
            negative.verify(Some(&negative.sign(T, BODY)), BODY, now()),
            Err(WebhookError::Stale)
        ));
    }
}
