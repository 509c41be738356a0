//! TikTok's `authorization.removed` webhook, signed as TikTok signs it.

use hmac::{Hmac, Mac};
use serde_json::json;
use sha2::Sha256;
use socialsync_core::clock::Timestamp;
use std::fmt::Write;

/// A webhook delivery as TikTok would POST it to the app's callback URL:
/// the raw JSON body and the `TikTok-Signature` header value
/// `t=<unix seconds>,s=<hex HMAC-SHA256 of "<t>.<body>" keyed by the client secret>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedWebhook {
    /// The request body (JSON; its `content` field is itself a JSON string).
    pub body: String,
    /// The `TikTok-Signature` header value.
    pub signature: String,
}

impl SignedWebhook {
    /// The header that carries [`SignedWebhook::signature`].
    pub const SIGNATURE_HEADER: &'static str = "TikTok-Signature";
}

/// The hex HMAC-SHA256 of `payload` keyed by `secret`.
fn hmac_hex(secret: &str, payload: &str) -> String {
    let mut mac = match Hmac::<Sha256>::new_from_slice(secret.as_bytes()) {
        Ok(m) => m,
        // HMAC takes keys of any length; this branch cannot be reached.
        Err(_) => return String::new(),
    };
    mac.update(payload.as_bytes());
    let bytes = mac.finalize().into_bytes();
    bytes.iter().fold(String::with_capacity(64), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// `authorization.removed` for `open_id` with TikTok's reason code
/// (0 unknown, 1 user disconnected, 2 account deleted, 3 age changed,
/// 4 banned, 5 developer revoked).
pub(crate) fn authorization_removed(
    client_key: &str,
    client_secret: &str,
    open_id: &str,
    reason: u8,
    now: Timestamp,
) -> SignedWebhook {
    let t = now.timestamp();
    let body = json!({
        "client_key": client_key,
        "event": "authorization.removed",
        "create_time": t,
        "user_openid": open_id,
        "content": format!("{{\"reason\": {reason}}}"),
    })
    .to_string();
    let signature = format!(
        "t={t},s={}",
        hmac_hex(client_secret, &format!("{t}.{body}"))
    );
    SignedWebhook { body, signature }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hmac_matches_the_rfc_4231_vector() {
        // RFC 4231 test case 2.
        assert_eq!(
            hmac_hex("Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn the_signature_covers_timestamp_and_body() {
        let now: Timestamp = "2026-11-28T12:42:07Z".parse().unwrap();
        let w = authorization_removed("key", "secret", "-000abc", 1, now);
        let t = now.timestamp();
        assert_eq!(
            w.signature,
            format!("t={t},s={}", hmac_hex("secret", &format!("{t}.{}", w.body)))
        );
        let v: serde_json::Value = serde_json::from_str(&w.body).unwrap();
        assert_eq!(v["content"], "{\"reason\": 1}");
    }
}
