//! Credentials encrypted at rest: XChaCha20-Poly1305 under a key the host
//! supplies, a fresh random nonce per value, the key id stored beside it.

use chacha20poly1305::aead::{Aead, AeadCore, KeyInit, OsRng, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use socialsync_core::credentials::Credentials;
use socialsync_core::ids::PlatformAccountId;
use socialsync_core::platform::Platform;
use std::collections::HashMap;
use std::fmt;

/// What the credentials' ciphertext is bound to: the platform account.
pub(crate) fn credentials_context(platform: Platform, account: &PlatformAccountId) -> Vec<u8> {
    format!("socialsync credentials {platform}:{}", account.as_str()).into_bytes()
}

/// Nonce length of XChaCha20-Poly1305.
const NONCE_LEN: usize = 24;

/// Why stored credentials could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CredentialsError {
    /// The value was sealed under a key id the keyring does not hold.
    #[error("credentials sealed under key `{key_id}`, which the keyring does not hold")]
    UnknownKey {
        /// The key id stored beside the value.
        key_id: String,
    },
    /// The key with that id does not open the value: a wrong key under a
    /// reused id, or tampered data.
    #[error("credentials do not open with key `{key_id}`: wrong key or tampered value")]
    WrongKey {
        /// The key id stored beside the value.
        key_id: String,
    },
    /// The value opened but is not credentials.
    #[error("sealed credentials do not decode")]
    Malformed,
    /// Sealing failed.
    #[error("credentials could not be sealed")]
    Seal,
}

/// A 256-bit key and its id.
#[derive(Clone)]
struct Key {
    id: String,
    cipher: XChaCha20Poly1305,
}

/// The keys credentials are sealed with: one current key that seals, and
/// older keys kept only to open values sealed before a rotation.
///
/// `Debug` shows only the key ids.
///
/// ```
/// use socialsync_store_postgres::CredentialKeys;
/// let keys = CredentialKeys::new("2026-11", [7u8; 32]).with_old_key("2026-05", [3u8; 32]);
/// assert!(!format!("{keys:?}").contains("7, 7"));
/// ```
#[derive(Clone)]
pub struct CredentialKeys {
    current: Key,
    old: HashMap<String, Key>,
}

impl fmt::Debug for CredentialKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut old: Vec<&str> = self.old.keys().map(String::as_str).collect();
        old.sort_unstable();
        f.debug_struct("CredentialKeys")
            .field("current", &self.current.id)
            .field("old", &old)
            .finish()
    }
}

impl CredentialKeys {
    /// A keyring whose current key is `key`, named `id` (stored beside each
    /// value it seals; pick a new id for every new key).
    pub fn new(id: impl Into<String>, key: [u8; 32]) -> CredentialKeys {
        CredentialKeys {
            current: Key {
                id: id.into(),
                cipher: XChaCha20Poly1305::new(&key.into()),
            },
            old: HashMap::new(),
        }
    }

    /// Keeps an older key to open values sealed before a rotation.
    #[must_use]
    pub fn with_old_key(mut self, id: impl Into<String>, key: [u8; 32]) -> CredentialKeys {
        let id = id.into();
        self.old.insert(
            id.clone(),
            Key {
                id,
                cipher: XChaCha20Poly1305::new(&key.into()),
            },
        );
        self
    }

    /// The id of the key that seals.
    pub fn current_key_id(&self) -> &str {
        &self.current.id
    }

    fn key(&self, id: &str) -> Option<&Key> {
        if self.current.id == id {
            Some(&self.current)
        } else {
            self.old.get(id)
        }
    }

    /// Seals `credentials` under the current key, bound to `context` (the
    /// row it belongs to): returns the key id and `nonce || ciphertext`.
    pub(crate) fn seal(
        &self,
        credentials: &Credentials,
        context: &[u8],
    ) -> Result<(String, Vec<u8>), CredentialsError> {
        let plain = serde_json::to_vec(&credentials.exposed_for_serialization())
            .map_err(|_| CredentialsError::Seal)?;
        let nonce = XChaCha20Poly1305::generate_nonce(&mut OsRng);
        let sealed = self
            .current
            .cipher
            .encrypt(
                &nonce,
                Payload {
                    msg: &plain,
                    aad: context,
                },
            )
            .map_err(|_| CredentialsError::Seal)?;
        let mut out = Vec::with_capacity(NONCE_LEN + sealed.len());
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&sealed);
        Ok((self.current.id.clone(), out))
    }

    /// Opens a value sealed by [`CredentialKeys::seal`] with the key `key_id`.
    pub(crate) fn open(
        &self,
        key_id: &str,
        sealed: &[u8],
        context: &[u8],
    ) -> Result<Credentials, CredentialsError> {
        let key = self
            .key(key_id)
            .ok_or_else(|| CredentialsError::UnknownKey {
                key_id: key_id.to_owned(),
            })?;
        let wrong = || CredentialsError::WrongKey {
            key_id: key_id.to_owned(),
        };
        if sealed.len() < NONCE_LEN {
            return Err(wrong());
        }
        let (nonce, body) = sealed.split_at(NONCE_LEN);
        let plain = key
            .cipher
            .decrypt(
                XNonce::from_slice(nonce),
                Payload {
                    msg: body,
                    aad: context,
                },
            )
            .map_err(|_| wrong())?;
        serde_json::from_slice(&plain).map_err(|_| CredentialsError::Malformed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seal_open_round_trip_with_fresh_nonces() {
        let keys = CredentialKeys::new("k1", [1; 32]);
        let c = Credentials::new("access-SECRET").with_refresh_token("refresh-SECRET");
        let (id, a) = keys.seal(&c, b"ctx").unwrap();
        let (_, b) = keys.seal(&c, b"ctx").unwrap();
        assert_eq!(id, "k1");
        assert_ne!(a, b, "a fresh nonce per value");
        assert!(!a.windows(6).any(|w| w == b"SECRET"));
        let back = keys.open("k1", &a, b"ctx").unwrap();
        assert!(back.same_tokens(&c));
    }

    #[test]
    fn wrong_key_unknown_key_and_other_row_are_refused() {
        let keys = CredentialKeys::new("k1", [1; 32]);
        let c = Credentials::new("t");
        let (_, sealed) = keys.seal(&c, b"row-1").unwrap();
        let impostor = CredentialKeys::new("k1", [2; 32]);
        assert!(matches!(
            impostor.open("k1", &sealed, b"row-1"),
            Err(CredentialsError::WrongKey { .. })
        ));
        assert!(matches!(
            keys.open("k9", &sealed, b"row-1"),
            Err(CredentialsError::UnknownKey { .. })
        ));
        assert!(matches!(
            keys.open("k1", &sealed, b"row-2"),
            Err(CredentialsError::WrongKey { .. })
        ));
        let rotated = CredentialKeys::new("k2", [9; 32]).with_old_key("k1", [1; 32]);
        assert!(rotated.open("k1", &sealed, b"row-1").is_ok());
        assert_eq!(rotated.seal(&c, b"row-1").unwrap().0, "k2");
    }
}
