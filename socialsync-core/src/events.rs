//! Live events (ARCHITECTURE.md §7): what the engine publishes as it scans and
//! as connections change, through the store's event log.

use crate::clock::Timestamp;
use crate::domain::{DisconnectReason, PostState};
use crate::ids::{
    BrandId, ConnectionId, CreatorId, DisconnectionId, EventId, PlatformPostId, PostId, ScopeId,
};
use crate::metrics::Metric;
use crate::platform::Platform;
use futures::Stream;
use serde::{Deserialize, Serialize};
use std::pin::Pin;
use std::sync::Arc;

/// One metric that changed in a scan: old and new values (absent = `None`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MetricChange {
    /// The metric.
    pub metric: Metric,
    /// The previous reading's value.
    pub old: Option<u64>,
    /// This reading's value.
    pub new: Option<u64>,
}

/// What a scan did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ScanOutcome {
    /// Something changed: a snapshot was stored.
    Changed,
    /// Nothing changed: only the scan was recorded.
    Unchanged,
    /// Confirmed gone on the platform.
    Deleted,
    /// The window ended.
    Expired,
}

/// A scan of one post.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScanEvent {
    /// The post.
    pub post: PostId,
    /// Its platform id.
    pub platform_post_id: PlatformPostId,
    /// The platform.
    pub platform: Platform,
    /// Its connection.
    pub connection: ConnectionId,
    /// Its creator.
    pub creator: CreatorId,
    /// The brands it counts for.
    pub brands: Arc<[BrandId]>,
    /// The scopes it counts for.
    pub scopes: Arc<[ScopeId]>,
    /// When it was scanned.
    pub at: Timestamp,
    /// What happened.
    pub outcome: ScanOutcome,
    /// The post's state after the scan.
    pub state: PostState,
    /// The metrics that changed.
    pub changes: Vec<MetricChange>,
}

/// What happened to a connection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum ConnectionChange {
    /// First connected.
    Connected,
    /// The platform refused the credentials.
    Disconnected {
        /// The disconnection.
        disconnection: DisconnectionId,
        /// Why.
        reason: DisconnectReason,
    },
    /// Connected again after a disconnection or a reset.
    Reconnected,
    /// Reset from the disabled connections view.
    Reset,
    /// The credentials were refreshed.
    Refreshed,
    /// Permissions are missing: the connection stays active, degraded.
    Degraded {
        /// The permissions missing.
        missing: Vec<String>,
    },
    /// Posts went missing that the account's post count does not account
    /// for (a token that reads the account but not its posts?): none of
    /// them is deleted; checked again later.
    Suspect {
        /// How many posts are missing beyond what the count accounts for.
        unexplained: u32,
    },
}

/// A change of a connection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectionEvent {
    /// The connection.
    pub connection: ConnectionId,
    /// Its creator.
    pub creator: CreatorId,
    /// The platform.
    pub platform: Platform,
    /// The account handle.
    pub handle: String,
    /// The brands whose scopes the creator is a member of.
    pub brands: Vec<BrandId>,
    /// When.
    pub at: Timestamp,
    /// What happened.
    pub change: ConnectionChange,
}

/// An event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Event {
    /// A post was scanned.
    Scan(ScanEvent),
    /// A connection changed.
    Connection(ConnectionEvent),
}

impl Event {
    /// The brands allowed to see this event.
    pub fn brands(&self) -> &[BrandId] {
        match self {
            Event::Scan(e) => &e.brands,
            Event::Connection(e) => &e.brands,
        }
    }

    /// Whether `brand` may see this event.
    pub fn visible_to(&self, brand: BrandId) -> bool {
        self.brands().contains(&brand)
    }

    /// When it happened.
    pub fn at(&self) -> Timestamp {
        match self {
            Event::Scan(e) => e.at,
            Event::Connection(e) => e.at,
        }
    }
}

/// An event with its id in the log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredEvent {
    /// Its id (ids grow in publication order).
    pub id: EventId,
    /// The event.
    pub event: Event,
}

/// A subscriber fell behind and these many events were dropped for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("event subscriber lagged: {missed} events dropped")]
pub struct EventsLagged {
    /// How many events it missed.
    pub missed: u64,
}

/// A live stream of events: a slow reader gets [`EventsLagged`] and goes on
/// with newer events; it never slows publishers.
pub type EventStream = Pin<Box<dyn Stream<Item = Result<StoredEvent, EventsLagged>> + Send>>;
