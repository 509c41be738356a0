//! # socialsync-testkit
//!
//! What tests of socialsync and of hosts embedding it need:
//!
//! - [`conformance`]: the store conformance suite, one public async function
//!   per behaviour, written against [`PostStore`](socialsync_core::store::PostStore)
//!   only, and [`store_conformance_tests!`] to stamp one named test per
//!   behaviour for a store;
//! - [`fixtures`]: small builders for brands, creators, scopes, connections
//!   and posts at fixed instants.
//!
//! It is its own crate (not a feature of core) so that store crates take it
//! as a dev-dependency only and core's public API stays free of test helpers.

pub mod conformance;
pub mod fake_platform;
pub mod faulty;
pub mod fixtures;
pub mod sim;

pub use fake_platform::{CallCounts, FakePlatform, FakePost, Op};
pub use faulty::FaultyStore;
pub use sim::{RecordingNotifier, Sim};
