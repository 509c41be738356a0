//! Connecting an Instagram account: consent URL, code → short-lived token
//! → long-lived (60-day) token, and the account's identity.

use super::{Flavor, Instagram, model};
use crate::connect::{
    AuthorizationRequest, CodeExchange, ConnectError, ConnectedAccount, Connector,
};
use crate::http::decode;
use async_trait::async_trait;
use secrecy::ExposeSecret;
use socialsync_core::platform::Platform;
use socialsync_core::platform::PlatformErrorKind;

/// The read scopes asked (Instagram Login).
pub const INSTAGRAM_LOGIN_SCOPES: [&str; 2] = [
    "instagram_business_basic",
    "instagram_business_manage_insights",
];

/// The read scopes asked (Facebook Login).
pub const FACEBOOK_LOGIN_SCOPES: [&str; 4] = [
    "instagram_basic",
    "instagram_manage_insights",
    "pages_read_engagement",
    "pages_show_list",
];

impl Instagram {
    /// The scopes this flavour asks for.
    pub fn scopes(&self) -> &'static [&'static str] {
        match self.inner.flavor {
            Flavor::InstagramLogin => &INSTAGRAM_LOGIN_SCOPES,
            Flavor::FacebookLogin => &FACEBOOK_LOGIN_SCOPES,
        }
    }
}

/// Instagram asks for no PKCE: the consent request has no verifier, and a
/// verifier given to the exchange is not sent. Meta appends `#_` to the
/// code: it is stripped. The code buys a short-lived token, exchanged at
/// once for a long-lived (60-day) one; the account is the user id and
/// username.
#[async_trait]
impl Connector for Instagram {
    fn authorization_url(&self, redirect_uri: &str) -> Result<AuthorizationRequest, ConnectError> {
        let state = oauth2::CsrfToken::new_random().secret().clone();
        let mut url = url::Url::parse(&self.inner.authorize_url)
            .map_err(|e| ConnectError::Invalid(format!("authorize URL: {e}")))?;
        url.query_pairs_mut()
            .append_pair("client_id", &self.inner.app.client_id)
            .append_pair("redirect_uri", redirect_uri)
            .append_pair("response_type", "code")
            .append_pair("scope", &self.scopes().join(","))
            .append_pair("state", &state);
        Ok(AuthorizationRequest {
            url,
            state,
            redirect_uri: redirect_uri.to_owned(),
            pkce_verifier: None,
        })
    }

    async fn exchange_code(
        &self,
        exchange: CodeExchange,
    ) -> Result<ConnectedAccount, ConnectError> {
        const EP: &str = "oauth.code";
        let redirect_uri = exchange.redirect_uri.as_str();
        let code = exchange.code.expose_secret().trim().trim_end_matches("#_");
        if code.is_empty() {
            return Err(ConnectError::Invalid("empty authorization code".into()));
        }
        let inner = &self.inner;
        let secret = inner.app.client_secret.expose_secret();
        let form = [
            ("client_id", inner.app.client_id.as_str()),
            ("client_secret", secret),
            ("grant_type", "authorization_code"),
            ("redirect_uri", redirect_uri),
            ("code", code),
        ];
        let url = inner.code_url.clone();
        let build = |c: &reqwest::Client| c.post(&url).form(&form);
        let reply = inner.http.send(EP, None, None, &build).await?;
        let short = match decode::<model::CodeReply>(Platform::Instagram, EP, &reply.body)? {
            model::CodeReply::Flat(t) => t,
            model::CodeReply::Wrapped { data } => data.into_iter().next().ok_or_else(|| {
                self.err(EP, PlatformErrorKind::InvalidResponse)
                    .with_detail("empty token answer")
            })?,
        };
        let scopes = model::scopes(short.permissions.as_ref());
        let long = self.exchange_long_lived(&short.access_token).await?;
        let credentials = self.credentials_from(long, scopes);
        let account = self.identity(None, &credentials).await?;
        if short
            .user_id
            .as_ref()
            .and_then(model::id_text)
            .is_some_and(|id| id != account.id.as_str())
        {
            tracing::debug!("instagram code exchange user id differs from /me user_id");
        }
        Ok(ConnectedAccount {
            platform: Platform::Instagram,
            account,
            credentials,
        })
    }
}

impl Instagram {
    /// Short-lived (1 hour) → long-lived (60 days) token.
    async fn exchange_long_lived(&self, short: &str) -> Result<model::TokenReply, ConnectError> {
        const EP: &str = "oauth.long_lived";
        let inner = &self.inner;
        let secret = inner.app.client_secret.expose_secret();
        let client_id = inner.app.client_id.as_str();
        let flavor = inner.flavor;
        let url = format!("{}/access_token", inner.token_base);
        let build = |c: &reqwest::Client| match flavor {
            Flavor::InstagramLogin => c.get(&url).query(&[
                ("grant_type", "ig_exchange_token"),
                ("client_secret", secret),
                ("access_token", short),
            ]),
            Flavor::FacebookLogin => c
                .get(format!("{}/oauth/access_token", inner.token_base))
                .query(&[
                    ("grant_type", "fb_exchange_token"),
                    ("client_id", client_id),
                    ("client_secret", secret),
                    ("fb_exchange_token", short),
                ]),
        };
        let reply = inner.http.send(EP, None, None, &build).await?;
        Ok(decode(Platform::Instagram, EP, &reply.body)?)
    }
}
