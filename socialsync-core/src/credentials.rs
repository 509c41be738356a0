//! Credentials: secret types, redacted in `Debug` and never displayed.

use crate::clock::Timestamp;
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use std::fmt;

/// A connection's OAuth credentials.
///
/// `Debug` shows only the instants and whether a refresh token exists:
///
/// ```
/// use socialsync_core::credentials::Credentials;
/// let c = Credentials::new("very-secret-token");
/// assert!(!format!("{c:?}").contains("very-secret"));
/// ```
///
/// It does not implement `Serialize`: its tokens are serialized only through
/// [`Credentials::exposed_for_serialization`], whose name says what it does,
/// so no `#[derive(Serialize)]` around it can write them out by accident.
///
/// ```compile_fail
/// fn serializable<T: serde::Serialize>() {}
/// serializable::<socialsync_core::credentials::Credentials>();
/// ```
#[derive(Clone, Deserialize)]
pub struct Credentials {
    /// The access token.
    pub access_token: SecretString,
    /// The refresh token, where the platform issues one (TikTok, Google).
    pub refresh_token: Option<SecretString>,
    /// When the access token expires, if known.
    pub expires_at: Option<Timestamp>,
    /// When the refresh token expires, if known.
    pub refresh_expires_at: Option<Timestamp>,
    /// When the access token was issued (Instagram refreshes only tokens at
    /// least 24 hours old).
    pub issued_at: Option<Timestamp>,
    /// The scopes the creator granted, as the platform names them.
    pub granted_scopes: Vec<String>,
}

/// [`Credentials`] with their tokens in clear, for the one place that must
/// write them (a store sealing them at rest). Serializes to what
/// `Credentials` deserializes from; its `Debug` stays redacted.
#[derive(Serialize)]
pub struct ExposedCredentials<'a> {
    access_token: &'a str,
    refresh_token: Option<&'a str>,
    expires_at: Option<Timestamp>,
    refresh_expires_at: Option<Timestamp>,
    issued_at: Option<Timestamp>,
    granted_scopes: &'a [String],
}

impl fmt::Debug for ExposedCredentials<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ExposedCredentials([redacted])")
    }
}

impl Credentials {
    /// Credentials holding only an access token.
    pub fn new(access_token: impl Into<String>) -> Credentials {
        Credentials {
            access_token: SecretString::from(access_token.into()),
            refresh_token: None,
            expires_at: None,
            refresh_expires_at: None,
            issued_at: None,
            granted_scopes: Vec::new(),
        }
    }

    /// With a refresh token.
    #[must_use]
    pub fn with_refresh_token(mut self, token: impl Into<String>) -> Credentials {
        self.refresh_token = Some(SecretString::from(token.into()));
        self
    }

    /// With an access-token expiry.
    #[must_use]
    pub fn expiring_at(mut self, at: Timestamp) -> Credentials {
        self.expires_at = Some(at);
        self
    }

    /// With the instant the token was issued.
    #[must_use]
    pub fn issued(mut self, at: Timestamp) -> Credentials {
        self.issued_at = Some(at);
        self
    }

    /// The access token, for the one place that sends it.
    pub fn access_token(&self) -> &str {
        self.access_token.expose_secret()
    }

    /// The refresh token, for the one place that sends it.
    pub fn refresh_token(&self) -> Option<&str> {
        self.refresh_token.as_ref().map(|s| s.expose_secret())
    }

    /// A serializable view that writes the tokens in clear: for sealing
    /// them at rest (encrypt what it serializes to), never for logs,
    /// events or answers.
    pub fn exposed_for_serialization(&self) -> ExposedCredentials<'_> {
        ExposedCredentials {
            access_token: self.access_token(),
            refresh_token: self.refresh_token(),
            expires_at: self.expires_at,
            refresh_expires_at: self.refresh_expires_at,
            issued_at: self.issued_at,
            granted_scopes: &self.granted_scopes,
        }
    }

    /// Whether both hold the same tokens (compared in full, never printed).
    pub fn same_tokens(&self, other: &Credentials) -> bool {
        self.access_token() == other.access_token() && self.refresh_token() == other.refresh_token()
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("access_token", &"[redacted]")
            .field(
                "refresh_token",
                &self.refresh_token.as_ref().map(|_| "[redacted]"),
            )
            .field("expires_at", &self.expires_at)
            .field("refresh_expires_at", &self.refresh_expires_at)
            .field("issued_at", &self.issued_at)
            .field("granted_scopes", &self.granted_scopes)
            .finish()
    }
}

/// Credentials with the version the store holds them at: a swap succeeds only
/// against the version read, so a stale refresh loses.
#[derive(Debug, Clone)]
pub struct VersionedCredentials {
    /// The version, growing by one at every swap.
    pub version: u64,
    /// The credentials.
    pub credentials: Credentials,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_tokens() {
        let c = Credentials::new("access-XYZ").with_refresh_token("refresh-ABC");
        let shown = format!(
            "{c:?} {:?}",
            VersionedCredentials {
                version: 3,
                credentials: c.clone()
            }
        );
        assert!(!shown.contains("access-XYZ"));
        assert!(!shown.contains("refresh-ABC"));
        assert!(shown.contains("[redacted]"));
    }

    #[test]
    fn only_the_exposing_view_writes_tokens_and_it_reads_back_whole() {
        let mut c = Credentials::new("access-XYZ")
            .with_refresh_token("refresh-ABC")
            .issued(Timestamp::from_timestamp(1_700_000_000, 0).unwrap())
            .expiring_at(Timestamp::from_timestamp(1_700_003_600, 0).unwrap());
        c.granted_scopes = vec!["user.info.basic".into(), "video.list".into()];
        let exposed = c.exposed_for_serialization();
        assert!(!format!("{exposed:?}").contains("XYZ"));
        let written = serde_json::to_string(&exposed).unwrap();
        assert!(written.contains("access-XYZ") && written.contains("refresh-ABC"));
        let back: Credentials = serde_json::from_str(&written).unwrap();
        assert!(back.same_tokens(&c));
        assert_eq!(back.issued_at, c.issued_at);
        assert_eq!(back.expires_at, c.expires_at);
        assert_eq!(back.granted_scopes, c.granted_scopes);
        // Without a refresh token, too.
        let plain = Credentials::new("only-access");
        let back: Credentials = serde_json::from_str(
            &serde_json::to_string(&plain.exposed_for_serialization()).unwrap(),
        )
        .unwrap();
        assert!(back.same_tokens(&plain));
    }
}
