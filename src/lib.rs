//! # socialsync
//!
//! Social sync for creator marketing, as a library a service embeds:
//! creators connect their Instagram, TikTok and YouTube accounts, brands name
//! tracking hashtags per creator program or campaign, and socialsync finds
//! the creators' posts that carry them, re-reads each one's engagement every
//! hour for 90 days, and turns the readings into exact reports.
//!
//! This facade re-exports the workspace's crates behind features:
//!
//! | feature | re-export | what |
//! | --- | --- | --- |
//! | (always) | [`core`] | domain, traits, hashtags, tracking, policy |
//! | `memory` (default) | [`memory`] | the in-memory store |
//! | `instagram`, `tiktok`, `youtube` (`adapters`: all three) | `adapters` | the platform adapters |
//! | `postgres` | `postgres` | the PostgreSQL store |
//! | `dashboard` | `dashboard` | the monitoring dashboard |
//! | `sandbox` | `sandbox` | a local stand-in for the three platforms' APIs |
//! | `testkit` | `testkit` | fake platform and store conformance suite |
//!
//! The main types are also at this crate's root: [`Engine`], [`Tracking`],
//! [`PostStore`], [`Platform`], [`scope_report`] and the rest of
//! `socialsync_core`'s root, so a host adds one dependency:
//!
//! ```toml
//! socialsync = { version = "0.1", features = ["adapters", "postgres", "dashboard"] }
//! ```
//!
//! See `examples/quickstart.rs` for the whole flow.

pub use socialsync_core as core;
pub use socialsync_core::{
    Clock, ConfigError, CycleReport, Engine, EngineBuilder, EngineError, Event, Platform,
    PlatformError, PlatformErrorKind, PostStore, Report, ReportError, ReportRange, ScopeSpec,
    SocialPlatform, StoreError, StoredEvent, SystemClock, Timestamp, Tracking, analytics_report,
    scope_report,
};

#[cfg(any(feature = "instagram", feature = "tiktok", feature = "youtube"))]
pub use socialsync_adapters as adapters;
#[cfg(feature = "dashboard")]
pub use socialsync_dashboard as dashboard;
#[cfg(feature = "sandbox")]
pub use socialsync_sandbox as sandbox;
#[cfg(feature = "memory")]
pub use socialsync_store_memory as memory;
#[cfg(feature = "memory")]
pub use socialsync_store_memory::MemoryStore;
#[cfg(feature = "postgres")]
pub use socialsync_store_postgres as postgres;
#[cfg(feature = "postgres")]
pub use socialsync_store_postgres::PgStore;
#[cfg(feature = "testkit")]
pub use socialsync_testkit as testkit;
