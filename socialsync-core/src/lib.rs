//! # socialsync-core
//!
//! The heart of socialsync: the domain (brands, creators, connections,
//! scopes, posts, snapshots), the traits hosts plug implementations into
//! ([`store::PostStore`], [`platform::SocialPlatform`],
//! [`clock::Clock`]), hashtag extraction and matching, tracking
//! configuration, and the monitoring policy.
//!
//! A guided tour:
//!
//! 1. [`tracking::Tracking`] configures brands, creator programs and campaigns,
//!    with the hashtags they track ([`hashtag`]) and their members.
//! 2. Creators connect platform accounts ([`store::ConnectionStore::connect`]).
//! 3. Discovery records each connection's posts with their hashtags and the
//!    scopes they match ([`matching`]); scans read each matched post's
//!    metrics every slot of [`policy::MonitoringPolicy`] for 90 days.
//! 4. [`report`] turns the readings into exact campaign and analytics
//!    reports, exported as JSON or CSV.
//!
//! The core does no I/O: platforms (`socialsync-adapters`) and stores
//! (`socialsync-store-memory`, `socialsync-store-postgres`) are separate
//! crates the host wires together.
//!
//! ```
//! use socialsync_core::hashtag::{extract_hashtags, TrackedHashtag};
//!
//! let tracked = TrackedHashtag::parse("#BrandX").unwrap();
//! let caption = "Unboxing day! #brandx #ad";
//! let matched = extract_hashtags(caption)
//!     .iter()
//!     .any(|t| socialsync_core::hashtag::HashtagKey::of(t.text).as_ref() == Some(tracked.key()));
//! assert!(matched);
//! ```

pub mod capacity;
pub mod clock;
pub mod credentials;
pub mod domain;
pub mod engine;
pub mod error;
pub mod events;
pub mod hashtag;
pub mod ids;
pub mod matching;
pub mod metrics;
pub mod platform;
pub mod policy;
pub mod report;
pub mod store;
pub mod text;
pub mod tracking;

pub use clock::{Clock, SystemClock, Timestamp};
pub use engine::{CycleReport, Engine, EngineBuilder, EngineError};
pub use error::{ConfigError, StoreError};
pub use events::{Event, StoredEvent};
pub use platform::{Platform, PlatformError, PlatformErrorKind, SocialPlatform};
pub use report::{Report, ReportError, ReportRange, analytics_report, scope_report};
pub use store::PostStore;
pub use tracking::{ScopeSpec, Tracking};

/// What the crate's macros expand to: not part of the API.
#[doc(hidden)]
pub mod __private {
    pub use async_trait::async_trait;
}
