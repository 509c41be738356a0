//! Connecting a creator's account: one flow for every platform — the
//! [`Connector`] trait — and what the OAuth dance yields, ready for the
//! engine's connect call.

use async_trait::async_trait;
use secrecy::SecretString;
use socialsync_core::credentials::Credentials;
use socialsync_core::ids::CreatorId;
use socialsync_core::platform::Platform;
use socialsync_core::platform::{AccountInfo, SocialPlatform};
use socialsync_core::store::NewConnection;
use std::fmt;

/// The connect flow every adapter offers, the same for every platform:
/// send the creator to [`authorization_url`](Connector::authorization_url),
/// and when the platform redirects back (after checking `state`), turn the
/// code into a [`ConnectedAccount`] with
/// [`exchange_code`](Connector::exchange_code).
///
/// A connector is also the platform's [`SocialPlatform`] (its
/// [`platform`](SocialPlatform::platform) names it), so one
/// `Arc<dyn Connector>` per platform serves both the connect flow and the
/// engine (an `Arc<dyn Connector>` coerces to an `Arc<dyn SocialPlatform>`).
///
/// ```
/// use socialsync_adapters::{AppCredentials, CodeExchange, Connector, tiktok::TikTok};
///
/// let tiktok = TikTok::builder()
///     .with_app_credentials(AppCredentials::new("client-key", "client-secret"))
///     .with_pkce(true)
///     .build()
///     .unwrap();
/// let connector: &dyn Connector = &tiktok;
/// let consent = connector.authorization_url("https://host.example/callback").unwrap();
/// // ... the creator consents; the redirect brings back `code` and `state`:
/// let exchange: CodeExchange = consent.code_exchange("the-code");
/// assert_eq!(exchange.redirect_uri, "https://host.example/callback");
/// assert!(exchange.pkce_verifier.is_some());
/// // connector.exchange_code(exchange).await? gives the ConnectedAccount.
/// ```
#[async_trait]
pub trait Connector: SocialPlatform {
    /// The consent page to send the creator to, for `redirect_uri` (the
    /// host's callback, registered with the platform), with a fresh
    /// `state` and, where the platform asks for PKCE, a challenge whose
    /// verifier the request keeps.
    fn authorization_url(&self, redirect_uri: &str) -> Result<AuthorizationRequest, ConnectError>;

    /// Exchanges the redirect's code for the account's credentials and
    /// reads the account's identity. The exchange's redirect URI must be
    /// the one the consent was asked with; its PKCE verifier is sent when
    /// present (a platform that asked for none ignores it).
    async fn exchange_code(&self, exchange: CodeExchange)
    -> Result<ConnectedAccount, ConnectError>;
}

/// What the code exchange needs: the code the redirect brought back, the
/// redirect URI the consent was asked with and the PKCE verifier, if the
/// consent request made one. Build it with
/// [`AuthorizationRequest::code_exchange`], or with [`CodeExchange::new`]
/// from what the host kept. `Debug` shows neither the code nor the verifier.
#[derive(Clone)]
pub struct CodeExchange {
    /// The authorization code from the redirect's query.
    pub code: SecretString,
    /// The redirect URI, exactly as sent with the consent request.
    pub redirect_uri: String,
    /// The PKCE verifier of the consent request, if it made one.
    pub pkce_verifier: Option<SecretString>,
}

impl CodeExchange {
    /// An exchange of `code` for a consent asked with `redirect_uri`, without
    /// a PKCE verifier.
    pub fn new(code: impl Into<String>, redirect_uri: impl Into<String>) -> CodeExchange {
        CodeExchange {
            code: SecretString::from(code.into()),
            redirect_uri: redirect_uri.into(),
            pkce_verifier: None,
        }
    }

    /// The same exchange with the consent request's PKCE verifier.
    #[must_use]
    pub fn with_pkce_verifier(mut self, verifier: Option<SecretString>) -> CodeExchange {
        self.pkce_verifier = verifier;
        self
    }
}

impl fmt::Debug for CodeExchange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CodeExchange")
            .field("code", &"[redacted]")
            .field("redirect_uri", &self.redirect_uri)
            .field(
                "pkce_verifier",
                &self.pkce_verifier.as_ref().map(|_| "[redacted]"),
            )
            .finish()
    }
}

/// Where to send the creator to grant access, and what to keep until they
/// come back.
pub struct AuthorizationRequest {
    /// The platform's consent page, with client id, redirect, scopes and state.
    pub url: url::Url,
    /// The `state` sent: compare it with the one the redirect brings back.
    pub state: String,
    /// The redirect URI sent: the code exchange must name it again.
    pub redirect_uri: String,
    /// The PKCE verifier, where the platform asks for PKCE: keep it secret
    /// and pass it to the code exchange.
    pub pkce_verifier: Option<SecretString>,
}

impl AuthorizationRequest {
    /// The code exchange for the `code` the redirect brought back: this
    /// request's redirect URI and PKCE verifier. Check `state` first.
    pub fn code_exchange(&self, code: impl Into<String>) -> CodeExchange {
        CodeExchange::new(code, self.redirect_uri.clone())
            .with_pkce_verifier(self.pkce_verifier.clone())
    }
}

impl fmt::Debug for AuthorizationRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthorizationRequest")
            .field("url", &self.url.as_str())
            .field("state", &self.state)
            .field("redirect_uri", &self.redirect_uri)
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
    Platform(#[from] socialsync_core::platform::PlatformError),
    /// The account cannot be connected (no channel, a personal account, ...).
    #[error("account cannot be connected: {0}")]
    Unsupported(String),
    /// The redirect or the configuration is unusable.
    #[error("invalid input: {0}")]
    Invalid(String),
}
