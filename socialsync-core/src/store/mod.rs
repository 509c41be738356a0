//! The store: everything the engine persists and queries, as one trait per
//! role ([`TrackingStore`], [`ConnectionStore`], [`CredentialStore`],
//! [`NoticeOutbox`], [`PostCatalog`], [`ScanQueue`], [`ReportStore`],
//! [`DeliveryLog`], [`EventLog`], [`SharedBudget`]) and [`PostStore`], the
//! full store, which every type implementing them all is. Each consumer takes
//! the narrowest role it needs; `Arc<dyn PostStore>` coerces to any of them.
//! A decorator implements the role it changes and hands the others to the
//! store it wraps with [`forward_roles!`](crate::forward_roles).
//!
//! The traits are object-safe and async, used as `Arc<dyn …>`.
//! Stores do not read the clock and do not know the monitoring policy: the
//! engine computes instants and passes them in. Instants are whole
//! microseconds by construction ([`crate::clock::Timestamp`]), the precision
//! PostgreSQL keeps.
//!
//! The behaviour every implementation must have is pinned down by the store
//! conformance suite in `socialsync-testkit`; `MemoryStore` is the reference.

mod budget;
mod forward;
mod types;

pub use crate::domain::NextScan;
pub use budget::SharedBudget;

/// Every role trait, to call any store method through a concrete store
/// (`use socialsync_core::store::prelude::*;`).
pub mod prelude {
    pub use super::{
        ConnectionStore, CredentialStore, DeliveryLog, EventLog, NoticeOutbox, PostCatalog,
        PostStore, ReportStore, ScanQueue, SharedBudget, TrackingStore,
    };
}
pub use types::*;

use crate::clock::Timestamp;
use crate::credentials::{Credentials, VersionedCredentials};
use crate::domain::{
    Brand, Connection, Creator, Disconnection, Post, PostCountCheck, PostCountVerdict, Scope,
    Snapshot,
};
use crate::error::StoreResult;
use crate::events::{Event, EventStream, StoredEvent};
use crate::ids::{
    BrandId, ConnectionId, CreatorId, DisconnectionId, EventId, LeaseToken, PlatformAccountId,
    PlatformPostId, PostId, ScopeId,
};
use crate::platform::Platform;
use async_trait::async_trait;
use std::fmt::Debug;

/// Tracking configuration: brands, creators, scopes (programs and campaigns)
/// and the revision discovery re-matches on.
///
/// Every method is atomic: it happens whole or not at all, whatever number
/// of tasks or processes call it at once.
#[async_trait]
pub trait TrackingStore: Debug + Send + Sync + 'static {
    /// Creates a brand.
    async fn create_brand(&self, new: NewBrand, now: Timestamp) -> StoreResult<Brand>;
    /// A brand by id.
    async fn get_brand(&self, id: BrandId) -> StoreResult<Option<Brand>>;
    /// Creates a creator.
    async fn create_creator(&self, new: NewCreator, now: Timestamp) -> StoreResult<Creator>;
    /// A creator by id.
    async fn get_creator(&self, id: CreatorId) -> StoreResult<Option<Creator>>;
    /// Creates a scope; `NotFound` for an unknown brand or member, and nothing changes.
    async fn create_scope(&self, new: NewScope, now: Timestamp) -> StoreResult<Scope>;
    /// A scope of `brand`; another brand's scope is `None`.
    async fn get_scope(&self, brand: BrandId, id: ScopeId) -> StoreResult<Option<Scope>>;
    /// The scopes of `brand`, by id.
    async fn list_scopes(&self, brand: BrandId) -> StoreResult<Vec<Scope>>;
    /// Every scope `creator` is a member of, across brands, by id.
    async fn list_scopes_for_creator(&self, creator: CreatorId) -> StoreResult<Vec<Scope>>;
    /// Changes a scope of `brand`; another brand's scope is `NotFound`. A
    /// refused change changes nothing.
    async fn update_scope(
        &self,
        brand: BrandId,
        id: ScopeId,
        change: ScopeChange,
    ) -> StoreResult<Scope>;
    /// A number that grows at every change of tracking configuration (scopes,
    /// hashtags, members, windows): discovery re-matches stored posts when it moved.
    async fn tracking_revision(&self) -> StoreResult<u64>;
}

/// Connections: connecting, status (disconnect as a compare-and-set, reset),
/// health, backoffs and the deletion guard.
///
/// Every method is atomic: it happens whole or not at all, whatever number
/// of tasks or processes call it at once.
#[async_trait]
pub trait ConnectionStore: Debug + Send + Sync + 'static {
    /// Connects a platform account. A connection that exists for the same
    /// `(platform, account_id)` is reused whatever its status: new credentials
    /// (version + 1), status `Active` (the status history gains an interval),
    /// its `Paused` posts `Monitoring` and due at `now` (or `Expired` when their
    /// window ended), backoff and failure count cleared. A reset connection
    /// thereby takes its old posts over; posts another connection owns stay
    /// with it (listers are kept).
    async fn connect(&self, new: NewConnection, now: Timestamp) -> StoreResult<Connected>;
    /// A connection by id.
    async fn get_connection(&self, id: ConnectionId) -> StoreResult<Option<Connection>>;
    /// The connection of a platform account.
    async fn get_connection_by_account(
        &self,
        platform: Platform,
        account: &PlatformAccountId,
    ) -> StoreResult<Option<Connection>>;
    /// Connections matching `filter`, by id.
    async fn list_connections(&self, filter: ConnectionFilter) -> StoreResult<Vec<Connection>>;
    /// Disconnects, as a compare-and-set on the status: the first caller
    /// turns an `Active` connection `Disconnected` (each post it owns goes to
    /// its [`crate::domain::successor`], another active lister, state and due
    /// time kept; its other `Monitoring` posts `Paused`; a new disconnection
    /// id, a notification claimed by the caller until `notify_claim_until`)
    /// and gets `newly_disconnected: true`; later
    /// callers get the same disconnection with `false`. `Conflict` when the
    /// credentials version moved since the failing call (nothing changes);
    /// `InvalidState` for a reset connection.
    async fn disconnect(&self, request: DisconnectRequest) -> StoreResult<Disconnection>;
    /// Resets a connection that is not active: credentials and high-water
    /// mark dropped, status `Reset`, posts and snapshots kept (`Paused` posts
    /// stay paused). `InvalidState` for an active connection.
    async fn reset_connection(&self, id: ConnectionId, now: Timestamp) -> StoreResult<Connection>;
    /// Records a health change.
    async fn record_health(&self, id: ConnectionId, update: HealthUpdate) -> StoreResult<()>;
    /// The deletion guard, atomically: applies
    /// [`Connection::check_post_count`] to the stored connection and keeps
    /// its post count and suspicion. Concurrent checks (several workers,
    /// several processes) share one allowance: together they are never
    /// granted more deletions than the count fell.
    async fn check_post_count(
        &self,
        id: ConnectionId,
        check: PostCountCheck,
    ) -> StoreResult<PostCountVerdict>;
    /// No calls for `target` before `until` (a later instant replaces an
    /// earlier one; an earlier one never shortens a backoff).
    async fn set_backoff(&self, target: BackoffTarget, until: Timestamp) -> StoreResult<()>;
    /// The platform-wide backoff, if any.
    async fn get_platform_backoff(&self, platform: Platform) -> StoreResult<Option<Timestamp>>;
}

/// Credentials, versioned (a swap succeeds only against the version read),
/// and the refresh lease.
///
/// Every method is atomic: it happens whole or not at all, whatever number
/// of tasks or processes call it at once.
#[async_trait]
pub trait CredentialStore: Debug + Send + Sync + 'static {
    /// The stored credentials and their version (`None` after a reset).
    async fn get_credentials(&self, id: ConnectionId) -> StoreResult<Option<VersionedCredentials>>;
    /// Replaces the credentials if their version is still `expected_version`;
    /// returns the new version. `Conflict` when another writer got there
    /// first (the caller re-reads).
    async fn swap_credentials(
        &self,
        id: ConnectionId,
        expected_version: u64,
        credentials: Credentials,
    ) -> StoreResult<u64>;
    /// Takes the connection's refresh lease if nobody holds it at `now`.
    /// One holder at a time; the lease lapses at `until`.
    async fn try_lock_refresh(
        &self,
        id: ConnectionId,
        now: Timestamp,
        until: Timestamp,
    ) -> StoreResult<Option<LeaseToken>>;
    /// Gives the refresh lease back (a no-op when `token` no longer holds it).
    async fn unlock_refresh(&self, id: ConnectionId, token: LeaseToken) -> StoreResult<()>;
}

/// The outbox of reconnect notices: each disconnection is told to the host
/// once, redelivered when a claim lapses.
///
/// Every method is atomic: it happens whole or not at all, whatever number
/// of tasks or processes call it at once.
#[async_trait]
pub trait NoticeOutbox: Debug + Send + Sync + 'static {
    /// Disconnections whose host notification was not marked delivered and
    /// whose claim lapsed at `now`, claimed until `claim_until`.
    async fn claim_pending_notifications(
        &self,
        now: Timestamp,
        claim_until: Timestamp,
        limit: usize,
    ) -> StoreResult<Vec<Disconnection>>;
    /// Marks a disconnection's notification delivered.
    async fn mark_notified(&self, id: DisconnectionId) -> StoreResult<()>;
}

/// The post catalogue: discovery leases and high-water marks, posts
/// (upserted, attributed, listed) and their expiry while paused.
///
/// Every method is atomic: it happens whole or not at all, whatever number
/// of tasks or processes call it at once.
#[async_trait]
pub trait PostCatalog: Debug + Send + Sync + 'static {
    /// Takes the connection's discovery lease if nobody holds it at `now`.
    async fn try_claim_discovery(
        &self,
        id: ConnectionId,
        now: Timestamp,
        until: Timestamp,
    ) -> StoreResult<Option<LeaseToken>>;
    /// Records a finished discovery and gives the lease back. `LeaseLost` when
    /// the lease was taken over.
    async fn finish_discovery(
        &self,
        id: ConnectionId,
        token: LeaseToken,
        progress: DiscoveryProgress,
    ) -> StoreResult<()>;
    /// Inserts or updates posts by `(platform, platform_post_id)`: never two
    /// rows for one post, whoever finds it. The listing connection joins the
    /// post's listers. A new post is owned by that connection, `Monitoring`
    /// (due at `now`) when it has an attribution, else `Seen`. On an existing
    /// post the texts, hashtags and attribution are replaced; the owner stays
    /// unless [`crate::domain::takes_over`] says the listing connection takes
    /// it over (the owner not active, the lister active). The state follows
    /// [`crate::domain::PostEvent::Attributed`] on the owner's activity, then,
    /// on a takeover, [`crate::domain::PostEvent::ConnectionResumed`].
    /// Its publish time, anchor and window stay as first recorded.
    async fn upsert_posts(
        &self,
        posts: Vec<PostUpsert>,
        now: Timestamp,
    ) -> StoreResult<Vec<UpsertedPost>>;
    /// Replaces a stored post's attribution (retro-matching), with the same
    /// state rules as [`PostCatalog::upsert_posts`]; returns the new state.
    async fn set_attribution(
        &self,
        post: PostId,
        attribution: Vec<crate::domain::Attribution>,
        now: Timestamp,
    ) -> StoreResult<crate::domain::PostState>;
    /// A post by id.
    async fn get_post(&self, id: PostId) -> StoreResult<Option<Post>>;
    /// A post by its natural key.
    async fn get_post_by_key(
        &self,
        platform: Platform,
        id: &PlatformPostId,
    ) -> StoreResult<Option<Post>>;
    /// Posts matching `filter`, by id.
    async fn list_posts(&self, filter: PostFilter) -> StoreResult<Vec<Post>>;
    /// Makes `Paused` posts whose window ended before `now` `Expired`;
    /// returns how many.
    async fn expire_paused_posts(&self, now: Timestamp) -> StoreResult<u64>;
}

/// The scan queue: due posts claimed under leases, completions that append
/// snapshots and keep aggregates, releases, and the readings kept.
///
/// Every method is atomic: it happens whole or not at all, whatever number
/// of tasks or processes call it at once.
#[async_trait]
pub trait ScanQueue: Debug + Send + Sync + 'static {
    /// Claims up to `limit` due posts: scheduled (`Monitoring`, or
    /// `Deleted` awaiting a re-read:
    /// [`PostState::is_scheduled`](crate::domain::PostState::is_scheduled)),
    /// `next_scan_at <= now`,
    /// connection active and not backing off, platform not backing off, not
    /// under a live lease. Every claim carries a token no earlier claim had
    /// (posts claimed together may share it); oldest due first, or, for a
    /// store that packs posts into groups, earliest-due group first.
    async fn claim_due_posts(&self, request: ClaimRequest) -> StoreResult<Vec<ClaimedPost>>;
    /// Writes scan results, each fenced by its token and idempotent: the
    /// snapshot (unique per post and instant), the aggregates of every scope
    /// and brand the post counts for, the scan count and the next due time or
    /// final state, all in one step per post. Returns one outcome per completion.
    async fn complete_scans(
        &self,
        completions: Vec<ScanCompletion>,
    ) -> StoreResult<Vec<CompletionOutcome>>;
    /// Gives claims back without moving their due time.
    async fn release_claims(&self, releases: Vec<Release>) -> StoreResult<()>;
    /// The snapshots of `post` with `from <= at < to`, oldest first.
    async fn list_snapshots(
        &self,
        post: PostId,
        from: Timestamp,
        to: Timestamp,
    ) -> StoreResult<Vec<Snapshot>>;
    /// The latest snapshot of `post`.
    async fn latest_snapshot(&self, post: PostId) -> StoreResult<Option<Snapshot>>;
}

/// What reports read: the aggregates kept as scans land.
///
/// Every method is atomic: it happens whole or not at all, whatever number
/// of tasks or processes call it at once.
#[async_trait]
pub trait ReportStore: Debug + Send + Sync + 'static {
    /// What a report needs, from the aggregates kept as scans land.
    /// `NotFound` for another brand's scope.
    async fn report_inputs(
        &self,
        query: crate::report::ReportQuery,
    ) -> StoreResult<crate::report::ReportInputs>;
}

/// Webhook deliveries seen, so a replay is recognised by every process.
///
/// Every method is atomic: it happens whole or not at all, whatever number
/// of tasks or processes call it at once.
#[async_trait]
pub trait DeliveryLog: Debug + Send + Sync + 'static {
    /// Claims the handling of webhook delivery `key` (at most
    /// [`MAX_DELIVERY_KEY`] bytes, no control character), whichever process
    /// asks: [`DeliveryClaim::Claimed`] when no record of it lasts, or when
    /// an earlier handler's claim lapsed before `now` (it never finished);
    /// the record then lasts until `keep_until`, claimed until
    /// `claim_until`. [`DeliveryClaim::Handled`] once a handler finished
    /// it, [`DeliveryClaim::InProgress`] while another claim lasts.
    /// Records kept until before `now` may be dropped.
    async fn claim_delivery(&self, claim: DeliveryClaimRequest) -> StoreResult<DeliveryClaim>;
    /// Marks a delivery handled if `token` (from
    /// [`DeliveryClaim::Claimed`]) still holds its claim: a replay of it is
    /// [`DeliveryClaim::Handled`] until its record ends. A no-op otherwise.
    async fn finish_delivery(&self, key: &str, token: LeaseToken) -> StoreResult<()>;
    /// Forgets a delivery if `token` still holds its claim (handling it
    /// failed: the sender's next attempt is a first one). A no-op otherwise,
    /// so a handler whose claim lapsed never erases what its successor
    /// finished.
    async fn forget_delivery(&self, key: &str, token: LeaseToken) -> StoreResult<()>;
}

/// The live event log: publication, replay and subscription.
///
/// Every method is atomic: it happens whole or not at all, whatever number
/// of tasks or processes call it at once.
#[async_trait]
pub trait EventLog: Debug + Send + Sync + 'static {
    /// Appends an event to the log and wakes subscribers; never blocks on them.
    async fn publish_event(&self, event: Event) -> StoreResult<StoredEvent>;
    /// Appends events in order, as one step; returns the id of the last one.
    async fn publish_events(&self, events: Vec<Event>) -> StoreResult<Option<EventId>>;
    /// Events with ids after `after` (all kept ones when `None`), oldest
    /// first, at most `limit`.
    async fn list_events(
        &self,
        after: Option<EventId>,
        limit: usize,
    ) -> StoreResult<Vec<StoredEvent>>;
    /// The id of the newest event the log keeps (`None` when it keeps none):
    /// a subscriber that starts after it sees exactly what is published from
    /// then on.
    async fn newest_event_id(&self) -> StoreResult<Option<EventId>>;
    /// The newest `limit` events the log keeps that `brand` may see
    /// ([`Event::visible_to`]), oldest first.
    async fn latest_events(&self, brand: BrandId, limit: usize) -> StoreResult<Vec<StoredEvent>>;
    /// A live stream of events published from now on, preceded by the kept
    /// events after `after` when given (resume without gap or duplicate).
    async fn subscribe_events(&self, after: Option<EventId>) -> StoreResult<EventStream>;
}

/// The full store: every role a store plays, as the engine needs them.
/// Implemented for every type that implements each role trait; consumers
/// that need less take the narrowest role (`&dyn ReportStore`,
/// `Arc<dyn SharedBudget>`, ...), and an `Arc<dyn PostStore>` coerces to
/// any of them.
pub trait PostStore:
    TrackingStore
    + ConnectionStore
    + CredentialStore
    + NoticeOutbox
    + PostCatalog
    + ScanQueue
    + ReportStore
    + DeliveryLog
    + EventLog
    + SharedBudget
{
}

impl<T> PostStore for T where
    T: TrackingStore
        + ConnectionStore
        + CredentialStore
        + NoticeOutbox
        + PostCatalog
        + ScanQueue
        + ReportStore
        + DeliveryLog
        + EventLog
        + SharedBudget
        + ?Sized
{
}
