//! Connecting a TikTok account: consent URL (PKCE optional), code → token
//! pair, and the account's open_id and display name.

use super::TikTok;
use crate::connect::{
    AuthorizationRequest, CodeExchange, ConnectError, ConnectedAccount, Connector,
};
use async_trait::async_trait;
use secrecy::{ExposeSecret, SecretString};
use socialsync_core::platform::Platform;

/// The scope behind the account's counts (`video_count`): the deletion
/// guard needs it. A creator may decline it; then no post of theirs is
/// ever deleted on a missing answer alone.
pub(crate) const USER_STATS_SCOPE: &str = "user.info.stats";

/// The read scopes asked.
pub const TIKTOK_SCOPES: [&str; 3] = ["user.info.basic", "user.info.stats", "video.list"];

/// The consent request carries a PKCE challenge when the builder asks for
/// it ([`with_pkce`](super::TikTokBuilder::with_pkce)); the exchange sends
/// the verifier it is given. The code buys the token pair; the account is
/// the open_id and display name.
#[async_trait]
impl Connector for TikTok {
    fn authorization_url(&self, redirect_uri: &str) -> Result<AuthorizationRequest, ConnectError> {
        let state = oauth2::CsrfToken::new_random().secret().clone();
        let mut url = url::Url::parse(&self.inner.authorize_url)
            .map_err(|e| ConnectError::Invalid(format!("authorize URL: {e}")))?;
        let mut verifier = None;
        {
            let mut q = url.query_pairs_mut();
            q.append_pair("client_key", &self.inner.app.client_id)
                .append_pair("scope", &TIKTOK_SCOPES.join(","))
                .append_pair("response_type", "code")
                .append_pair("redirect_uri", redirect_uri)
                .append_pair("state", &state);
            if self.inner.pkce {
                let (challenge, v) = oauth2::PkceCodeChallenge::new_random_sha256();
                q.append_pair("code_challenge", challenge.as_str())
                    .append_pair("code_challenge_method", challenge.method().as_str());
                verifier = Some(SecretString::from(v.secret().clone()));
            }
        }
        Ok(AuthorizationRequest {
            url,
            state,
            redirect_uri: redirect_uri.to_owned(),
            pkce_verifier: verifier,
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
            ("client_key", self.inner.app.client_id.as_str()),
            ("client_secret", secret),
            ("code", code.trim()),
            ("grant_type", "authorization_code"),
            ("redirect_uri", redirect_uri),
        ];
        if let Some(v) = &exchange.pkce_verifier {
            form.push(("code_verifier", v.expose_secret()));
        }
        let (credentials, open_id) = self.token_call(&form, None).await?;
        let account = self.user(&credentials).await?;
        if open_id.is_some_and(|o| o != account.id.as_str()) {
            return Err(ConnectError::Invalid(
                "the token's open_id differs from the user's".into(),
            ));
        }
        Ok(ConnectedAccount {
            platform: Platform::TikTok,
            account,
            credentials,
        })
    }
}
