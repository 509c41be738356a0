//! # socialsync-adapters
//!
//! The platforms socialsync reads, each a
//! [`SocialPlatform`](socialsync_core::social_platform::SocialPlatform) over
//! reqwest (rustls): [`instagram`], [`tiktok`], [`youtube`] (one cargo
//! feature each, all on by default).
//!
//! Every adapter is made by a builder — base URLs (so tests and the sandbox
//! point it at loopback), an optional `reqwest::Client`, timeouts, retry
//! settings, the app's OAuth credentials, the [`Clock`](socialsync_core::clock::Clock)
//! and the shared budget — with a fallible `build()`. Each module also has:
//!
//! - a pure `classify(status, headers, body)` mapping the platform's error
//!   answers to the shared [`PlatformErrorKind`](socialsync_core::social_platform::PlatformErrorKind)
//!   vocabulary, driven by the body's error code;
//! - `authorization_url` / `exchange_code`, which turn a creator's consent
//!   into a [`ConnectedAccount`] ready for the engine's connect call;
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
//! printed.
//!
//! ```
//! use socialsync_adapters::{AppCredentials, tiktok::TikTok};
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
pub use connect::{AuthorizationRequest, ConnectError, ConnectedAccount};
pub use http::{HttpSettings, RetrySettings};
