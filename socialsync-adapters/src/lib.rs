//! # socialsync-adapters
//!
//! The platforms socialsync reads, each a
//! [`SocialPlatform`](socialsync_core::platform::SocialPlatform) over
//! reqwest (rustls): [`instagram`], [`tiktok`], [`youtube`] (one cargo
//! feature each, all on by default).
//!
//! Every adapter is made by a builder — endpoints, settings for the HTTP
//! client, timeouts, retry settings, the app's OAuth credentials, the
//! [`Clock`](socialsync_core::clock::Clock) and the shared budget — with a
//! fallible `build()`. Every builder points at the platform's own hosts by
//! default; `with_base_url(url)` serves every endpoint of the platform from
//! one origin, laid out as the platform lays it out (tests and the sandbox
//! point it at loopback), and `with_authorize_url` / `with_token_url`
//! override the endpoints that live on another host in production.
//!
//! Every adapter is a [`Connector`]: one connect flow for all platforms.
//! [`Connector::authorization_url`] gives the consent page (with a PKCE
//! challenge where the platform asks for one) as an
//! [`AuthorizationRequest`]; on the redirect, its
//! [`code_exchange`](AuthorizationRequest::code_exchange) makes the
//! [`CodeExchange`] that [`Connector::exchange_code`] turns into a
//! [`ConnectedAccount`] ready for the engine's connect call. A
//! `HashMap<Platform, Arc<dyn Connector>>` connects any platform without a
//! `match`.
//!
//! Each module also has:
//!
//! - a pure `classify(status, headers, body)` mapping the platform's error
//!   answers to the shared [`PlatformErrorKind`](socialsync_core::platform::PlatformErrorKind)
//!   vocabulary, driven by the body's error code;
//! - decoding functions for the listing and metrics answers.
//!
//! App-wide limits (TikTok's requests per minute per endpoint, YouTube's
//! daily project quota) are taken from a
//! [`SharedBudget`](socialsync_core::store::SharedBudget) *before* calling:
//! give every worker the store (`Arc::new(store)`) so they share one budget;
//! the default, [`LocalBudget`], only counts this process.
//!
//! No token ever appears in a log line, an error or a `Debug` output: URLs
//! that may carry one (Instagram's `paging.next`) are never followed or
//! printed; an authorization code or PKCE verifier is never printed either.
//!
//! ```
//! use socialsync_adapters::{AppCredentials, Connector, tiktok::TikTok};
//!
//! let tiktok = TikTok::builder()
//!     .with_app_credentials(AppCredentials::new("client-key", "client-secret"))
//!     .with_base_url("http://127.0.0.1:9")
//!     .build()
//!     .unwrap();
//! let consent = tiktok.authorization_url("https://host.example/callback").unwrap();
//! assert!(consent.url.as_str().contains("video.list"));
//! ```

mod budget;
mod common;
mod connect;
mod http;

#[cfg(feature = "instagram")]
pub mod instagram;
#[cfg(feature = "tiktok")]
pub mod tiktok;
#[cfg(feature = "youtube")]
pub mod youtube;

/// Entry points for the workspace's fuzz targets: not part of the API, may
/// change in any release.
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzzing;

pub use budget::LocalBudget;
pub use common::{AppCredentials, BuildError};
pub use connect::{AuthorizationRequest, CodeExchange, ConnectError, ConnectedAccount, Connector};
pub use http::{HttpSettings, RetrySettings};
#[cfg(feature = "instagram")]
pub use instagram::Instagram;
#[cfg(feature = "tiktok")]
pub use tiktok::TikTok;
#[cfg(feature = "youtube")]
pub use youtube::YouTube;
