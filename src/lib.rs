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
//! | `testkit` | [`testkit`] | fake platform and store conformance suite |
//!
//! See `examples/quickstart.rs` for the whole flow.

pub use socialsync_core as core;
#[cfg(feature = "memory")]
pub use socialsync_store_memory as memory;
#[cfg(feature = "testkit")]
pub use socialsync_testkit as testkit;
