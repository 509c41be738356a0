//! Connecting a creator's account: what the OAuth dance yields, ready for
//! the engine's connect call.

use secrecy::SecretString;
use socialsync_core::credentials::Credentials;
use socialsync_core::ids::CreatorId;
use socialsync_core::platform::Platform;
use socialsync_core::social_platform::AccountInfo;
use socialsync_core::store::NewConnection;
use std::fmt;

/// Where to send the creator to grant access, and what to keep until they
/// come back.
pub struct AuthorizationRequest {
    /// The platform's consent page, with client id, redirect, scopes and state.
    pub url: url::Url,
    /// The `state` sent: compare it with the one the redirect brings back.
    pub state: String,
    /// The PKCE verifier, where the platform asks for PKCE: keep it secret
    /// and pass it to the code exchange.
    pub pkce_verifier: Option<SecretString>,
}

impl fmt::Debug for AuthorizationRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthorizationRequest")
            .field("url", &self.url.as_str())
            .field("state", &self.state)
            .field(
                "pkce_verifier",
                &self.pkce_verifier.as_ref().map(|_| "[redacted]"),
            )
            .finish()
    }
}

/// An account whose owner granted access: its identity and credentials.
#[derive(Debug, Clone)]
pub struct ConnectedAccount {
    /// The platform.
    pub platform: Platform,
    /// The platform account id and handle (Instagram user id and username,
    /// TikTok open_id and display name, YouTube channel id and title).
    pub account: AccountInfo,
    /// The credentials to store.
    pub credentials: Credentials,
}

impl ConnectedAccount {
    /// The engine's connect request for `creator`.
    pub fn into_new_connection(self, creator: CreatorId) -> NewConnection {
        NewConnection {
            creator,
            platform: self.platform,
            account_id: self.account.id,
            handle: self.account.handle,
            credentials: self.credentials,
        }
    }
}

/// Connecting failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConnectError {
    /// A platform call failed.
    #[error(transparent)]
    Platform(#[from] socialsync_core::social_platform::PlatformError),
    /// The account cannot be connected (no channel, a personal account, ...).
    #[error("account cannot be connected: {0}")]
    Unsupported(String),
    /// The redirect or the configuration is unusable.
    #[error("invalid input: {0}")]
    Invalid(String),
}
