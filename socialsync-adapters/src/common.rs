//! What every adapter's builder shares: client, timeouts, retries, clock,
//! shared budget and the app's OAuth credentials.

use crate::budget::LocalBudget;
use crate::http::{Dialect, Http, HttpSettings};
use secrecy::SecretString;
use socialsync_core::clock::{Clock, SystemClock};
use socialsync_core::store::SharedBudget;
use std::sync::Arc;

/// The app's OAuth client credentials (client id / key and secret).
#[derive(Clone)]
pub struct AppCredentials {
    /// The client id (TikTok: client key; Instagram: app id).
    pub client_id: String,
    /// The client secret.
    pub client_secret: SecretString,
}

impl AppCredentials {
    /// New app credentials.
    pub fn new(client_id: impl Into<String>, client_secret: impl Into<String>) -> AppCredentials {
        AppCredentials {
            client_id: client_id.into(),
            client_secret: SecretString::from(client_secret.into()),
        }
    }
}

impl std::fmt::Debug for AppCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppCredentials")
            .field("client_id", &self.client_id)
            .field("client_secret", &"[redacted]")
            .finish()
    }
}

/// A builder could not build its adapter.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BuildError {
    /// A base URL is not an absolute http(s) URL.
    #[error("invalid {name} URL: {reason}")]
    InvalidUrl {
        /// Which URL.
        name: &'static str,
        /// What is wrong with it.
        reason: String,
    },
    /// A setting is out of range.
    #[error("invalid setting {name}: {reason}")]
    InvalidSetting {
        /// Which setting.
        name: &'static str,
        /// What is wrong with it.
        reason: String,
    },
    /// The app credentials are missing or empty.
    #[error("app credentials missing")]
    MissingCredentials,
    /// The HTTP client could not be built.
    #[error("HTTP client: {0}")]
    Client(String),
}

/// What the host adds to the HTTP client (proxy, root certificates, ...).
pub(crate) type ClientConfig =
    Arc<dyn Fn(reqwest::ClientBuilder) -> reqwest::ClientBuilder + Send + Sync>;

/// The shared part of every builder.
#[derive(Default, Clone)]
pub(crate) struct Common {
    pub(crate) client_config: Option<ClientConfig>,
    pub(crate) http: HttpSettings,
    pub(crate) clock: Option<Arc<dyn Clock>>,
    pub(crate) budget: Option<Arc<dyn SharedBudget>>,
    pub(crate) app: Option<AppCredentials>,
}

impl std::fmt::Debug for Common {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Common")
            .field("client_config", &self.client_config.is_some())
            .field("http", &self.http)
            .field("clock", &self.clock)
            .field("budget", &self.budget)
            .field("app", &self.app)
            .finish()
    }
}

impl Common {
    pub(crate) fn build_http(&self, dialect: &'static Dialect) -> Result<Http, BuildError> {
        if self.http.timeout.is_zero() {
            return Err(BuildError::InvalidSetting {
                name: "timeout",
                reason: "must be more than zero".into(),
            });
        }
        let clock = self.clock.clone().unwrap_or_else(|| Arc::new(SystemClock));
        let budget = self
            .budget
            .clone()
            .unwrap_or_else(|| Arc::new(LocalBudget::new()));
        Http::new(
            self.client_config.clone(),
            self.http.clone(),
            clock,
            budget,
            dialect,
        )
        .map_err(|e| BuildError::Client(e.without_url().to_string()))
    }

    pub(crate) fn app(&self) -> Result<AppCredentials, BuildError> {
        use secrecy::ExposeSecret;
        match &self.app {
            Some(a) if !a.client_id.is_empty() && !a.client_secret.expose_secret().is_empty() => {
                Ok(a.clone())
            }
            _ => Err(BuildError::MissingCredentials),
        }
    }
}

/// Parses a URL a host configured: http(s), with a host, and nothing a
/// request must not carry (a user name or password, a query, a fragment).
/// Surrounding whitespace is ignored. The reason never repeats the URL,
/// which may hold a secret.
fn checked_url(name: &'static str, raw: &str) -> Result<url::Url, BuildError> {
    let invalid = |reason: &str| BuildError::InvalidUrl {
        name,
        reason: reason.to_owned(),
    };
    let u = url::Url::parse(raw.trim()).map_err(|e| invalid(&e.to_string()))?;
    if !matches!(u.scheme(), "http" | "https") {
        return Err(invalid(&format!("scheme {} is not http(s)", u.scheme())));
    }
    if u.host_str().is_none_or(str::is_empty) {
        return Err(invalid("has no host"));
    }
    if !u.username().is_empty() || u.password().is_some() {
        return Err(invalid("must not carry a user name or password"));
    }
    if u.query().is_some() {
        return Err(invalid("must not carry a query"));
    }
    if u.fragment().is_some() {
        return Err(invalid("must not carry a fragment"));
    }
    Ok(u)
}

/// A base URL that paths are appended to: checked as
/// [`checked_url`], normalised, without a trailing slash.
pub(crate) fn base_url(name: &'static str, raw: &str) -> Result<String, BuildError> {
    Ok(checked_url(name, raw)?
        .as_str()
        .trim_end_matches('/')
        .to_owned())
}

/// The URL of one endpoint (a consent page, a token endpoint): checked as
/// [`checked_url`] and normalised, its path kept as written (TikTok's
/// consent page ends in a slash).
pub(crate) fn endpoint_url(name: &'static str, raw: &str) -> Result<String, BuildError> {
    Ok(checked_url(name, raw)?.into())
}

/// Builder methods every adapter builder has.
macro_rules! common_builder_methods {
    () => {
        /// Adds the host's settings to the HTTP client before it is built:
        /// a proxy, root certificates, a local address. Whatever `config`
        /// sets, the client follows no redirect and sends no `Referer` (a
        /// token or client secret only ever goes to the platform host it
        /// was issued for), and the timeouts are the adapter's.
        #[must_use]
        pub fn with_client_config(
            mut self,
            config: impl Fn(reqwest::ClientBuilder) -> reqwest::ClientBuilder
                + Send
                + Sync
                + 'static,
        ) -> Self {
            self.common.client_config = Some(std::sync::Arc::new(config));
            self
        }

        /// Timeouts, body limit and retries.
        #[must_use]
        pub fn with_http_settings(mut self, settings: $crate::http::HttpSettings) -> Self {
            self.common.http = settings;
            self
        }

        /// The per-request timeout.
        #[must_use]
        pub fn with_timeout(mut self, timeout: std::time::Duration) -> Self {
            self.common.http.timeout = timeout;
            self
        }

        /// Retry settings.
        #[must_use]
        pub fn with_retry(mut self, retry: $crate::http::RetrySettings) -> Self {
            self.common.http.retry = retry;
            self
        }

        /// The clock budgets and token lifetimes are read against (default: the system clock).
        #[must_use]
        pub fn with_clock(
            mut self,
            clock: std::sync::Arc<dyn socialsync_core::clock::Clock>,
        ) -> Self {
            self.common.clock = Some(clock);
            self
        }

        /// The app-wide budget shared with other workers (default: an
        /// in-process [`LocalBudget`](crate::LocalBudget)). Pass the store
        /// (an `Arc<dyn PostStore>` coerces) so every process shares one
        /// budget.
        #[must_use]
        pub fn with_budget(
            mut self,
            budget: std::sync::Arc<dyn socialsync_core::store::SharedBudget>,
        ) -> Self {
            self.common.budget = Some(budget);
            self
        }

        /// The app's OAuth client credentials.
        #[must_use]
        pub fn with_app_credentials(mut self, app: $crate::AppCredentials) -> Self {
            self.common.app = Some(app);
            self
        }
    };
}
pub(crate) use common_builder_methods;
