//! Connecting a YouTube channel: Google consent URL (offline access,
//! PKCE), code → tokens, and the channel's id and title.

use super::YouTube;
use crate::connect::{
    AuthorizationRequest, CodeExchange, ConnectError, ConnectedAccount, Connector,
};
use async_trait::async_trait;
use oauth2::{AuthUrl, ClientId, CsrfToken, PkceCodeChallenge, RedirectUrl, Scope, TokenUrl};
use secrecy::{ExposeSecret, SecretString};
use socialsync_core::ids::PlatformAccountId;
use socialsync_core::platform::AccountInfo;
use socialsync_core::platform::Platform;

/// The read scope asked.
pub const YOUTUBE_SCOPES: [&str; 1] = ["https://www.googleapis.com/auth/youtube.readonly"];

/// The consent request asks the read-only scope, offline access (a refresh
/// token) and the consent prompt, with PKCE (S256): the exchange sends the
/// verifier. A Google account without a channel cannot connect; the account
/// is the channel's id and title.
#[async_trait]
impl Connector for YouTube {
    fn authorization_url(&self, redirect_uri: &str) -> Result<AuthorizationRequest, ConnectError> {
        let invalid =
            |what: &str, e: url::ParseError| ConnectError::Invalid(format!("{what}: {e}"));
        let client =
            oauth2::basic::BasicClient::new(ClientId::new(self.inner.app.client_id.clone()))
                .set_auth_uri(
                    AuthUrl::new(self.inner.authorize_url.clone())
                        .map_err(|e| invalid("authorize URL", e))?,
                )
                .set_token_uri(
                    TokenUrl::new(self.inner.token_url.clone())
                        .map_err(|e| invalid("token URL", e))?,
                )
                .set_redirect_uri(
                    RedirectUrl::new(redirect_uri.to_owned())
                        .map_err(|e| invalid("redirect URI", e))?,
                );
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let mut req = client.authorize_url(CsrfToken::new_random);
        for s in YOUTUBE_SCOPES {
            req = req.add_scope(Scope::new(s.to_owned()));
        }
        let (url, state) = req
            .set_pkce_challenge(challenge)
            .add_extra_param("access_type", "offline")
            .add_extra_param("prompt", "consent")
            .add_extra_param("include_granted_scopes", "true")
            .url();
        Ok(AuthorizationRequest {
            url,
            state: state.secret().clone(),
            redirect_uri: redirect_uri.to_owned(),
            pkce_verifier: Some(SecretString::from(verifier.secret().clone())),
        })
    }

    async fn exchange_code(
        &self,
        exchange: CodeExchange,
    ) -> Result<ConnectedAccount, ConnectError> {
        let code = exchange.code.expose_secret();
        let redirect_uri = exchange.redirect_uri.as_str();
        if code.trim().is_empty() {
            return Err(ConnectError::Invalid("empty authorization code".into()));
        }
        let secret = self.inner.app.client_secret.expose_secret();
        let mut form = vec![
            ("client_id", self.inner.app.client_id.as_str()),
            ("client_secret", secret),
            ("code", code.trim()),
            ("grant_type", "authorization_code"),
            ("redirect_uri", redirect_uri),
        ];
        if let Some(v) = &exchange.pkce_verifier {
            form.push(("code_verifier", v.expose_secret()));
        }
        let t = self.token_call(&form).await?;
        let credentials = self.credentials_from(t, None);
        let channel = match self.channel(&credentials).await {
            Ok(c) => c,
            Err(e) if e.kind == socialsync_core::platform::PlatformErrorKind::NotFound => {
                return Err(ConnectError::Unsupported(
                    "the Google account has no YouTube channel".into(),
                ));
            }
            Err(e) => return Err(e.into()),
        };
        Ok(ConnectedAccount {
            platform: Platform::YouTube,
            account: AccountInfo {
                handle: channel.title.clone().unwrap_or_else(|| channel.id.clone()),
                post_count: channel.video_count,
                id: PlatformAccountId::from(channel.id),
            },
            credentials,
        })
    }
}
