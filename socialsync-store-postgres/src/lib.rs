//! # socialsync-store-postgres
//!
//! [`PgStore`]: the whole [`PostStore`] over PostgreSQL with sqlx, for any
//! number of worker processes sharing one database.
//!
//! - **A pool the host owns.** [`PgStore::new`] takes a [`PgPool`]; size it
//!   for the worker (a handful of connections suffices). Live event
//!   subscribers share one listener per store instance, on a connection of
//!   its own outside the pool.
//! - **Embedded migrations.** [`PgStore::migrate`] (or [`MIGRATOR`]) brings
//!   the schema up to date; run it once at start-up.
//! - **Set-based, a row per block of posts.** What every scan changes (due
//!   time, scan count, last scan, lease) lives in scan blocks: up to 128
//!   posts of one connection whose slots fall in the same five minutes of
//!   the hour share a row of arrays. A claim ([`CLAIM_SQL`]: `FOR UPDATE
//!   SKIP LOCKED` on the blocks with a claimable post, through a partial
//!   index on their earliest due time) leases due posts under a fresh token
//!   per block and writes each block once; a batch of completions is one
//!   transaction that checks every post's token under its block's lock,
//!   writes the blocks back, and only for posts whose reading changed
//!   appends snapshots with `UNNEST`, updates the hourly aggregates reports
//!   read (`numeric` totals: sums of readings, exact at any size) and the
//!   post's latest reading. A retried batch changes nothing; a post's
//!   descriptive row is never rewritten by a scan.
//! - **Shared state in the database.** Disconnection is a compare-and-set on
//!   the connection row, refresh and discovery are leases on it, and the
//!   app-wide rate and quota budgets are rows every worker draws from.
//! - **Live events across processes.** Events go to a table (ids in order,
//!   [`PgStore::prune_events`] drops old ones) and a NOTIFY on a channel
//!   of the store's schema ([`EVENTS_CHANNEL_PREFIX`]) carries the newest
//!   id; subscribers replay after the id they saw and follow the notifications, each through a bounded
//!   buffer, so a stalled subscriber never holds up a commit.
//! - **Credentials encrypted at rest** with XChaCha20-Poly1305 under the
//!   host's [`CredentialKeys`]; the key id is stored beside each value, so
//!   keys rotate ([`PgStore::reseal_credentials`]).
//! - **Errors.** Pool timeouts, I/O and a server restarting are
//!   [`StoreError::Unavailable`](socialsync_core::error::StoreError::Unavailable)
//!   (retryable: the pool reconnects and the next cycle goes on); a unique
//!   violation is `Conflict`; the rest keep their source.
//!
//! Every value reaches the server as a bound parameter.
//!
//! ```no_run
//! use socialsync_core::store::PostStore;
//! use socialsync_store_postgres::{CredentialKeys, PgStore};
//! use sqlx::postgres::PgPoolOptions;
//! use std::sync::Arc;
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let pool = PgPoolOptions::new()
//!     .max_connections(8)
//!     .connect("postgres://postgres@127.0.0.1:5432/socialsync")
//!     .await?;
//! let keys = CredentialKeys::new("2026-11", [0x42; 32]); // from your secret store
//! let store = PgStore::new(pool, keys);
//! store.migrate().await?;
//! let store: Arc<dyn PostStore> = Arc::new(store);
//! # Ok(()) }
//! ```

mod aggregates;
mod blocks;
mod budget;
mod cache;
mod codec;
mod config;
mod connections;
mod credentials;
mod crypto;
mod deliveries;
mod error;
mod events;
mod lifecycle;
mod notices;
mod posts;
mod reports;
mod scans;

pub use crypto::{CredentialKeys, CredentialsError};

/// Translates a sqlx error as the store does at its boundary: pool timeout,
/// I/O and a server going away are `Unavailable` (retryable), a unique
/// violation is `Conflict`, the rest are `Backend` with their source. For
/// hosts running their own SQL beside the store.
pub fn store_error(e: sqlx::Error) -> socialsync_core::error::StoreError {
    error::db(e)
}
pub use events::EVENTS_CHANNEL_PREFIX;
pub use scans::CLAIM_SQL;

use async_trait::async_trait;
use socialsync_core::clock::Timestamp;
use socialsync_core::credentials::{Credentials, VersionedCredentials};
use socialsync_core::domain::{
    Attribution, Brand, Connection, Creator, Disconnection, Post, PostCountCheck, PostCountVerdict,
    PostState, Scope, Snapshot,
};
use socialsync_core::error::StoreResult;
use socialsync_core::events::{Event, EventStream, StoredEvent};
use socialsync_core::ids::*;
use socialsync_core::platform::Platform;
use socialsync_core::report::{ReportInputs, ReportQuery};
use socialsync_core::store::*;
use sqlx::PgPool;
use std::fmt;
use std::sync::Arc;

/// The embedded migrations of the schema.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// The PostgreSQL [`PostStore`].
#[derive(Clone)]
pub struct PgStore {
    pool: PgPool,
    keys: Arc<CredentialKeys>,
    subscriber_buffer: usize,
    /// What this process remembers of the posts it claims.
    cache: Arc<cache::PostCache>,
    /// The one event listener of this store and its clones.
    hub: Arc<events::Hub>,
}

impl fmt::Debug for PgStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PgStore")
            .field("pool_size", &self.pool.size())
            .field("keys", &self.keys)
            .field("subscriber_buffer", &self.subscriber_buffer)
            .finish()
    }
}

impl PgStore {
    /// A store over `pool`, sealing credentials with `keys`. Run
    /// [`PgStore::migrate`] once before use.
    pub fn new(pool: PgPool, keys: CredentialKeys) -> PgStore {
        PgStore {
            pool,
            keys: Arc::new(keys),
            subscriber_buffer: 1024,
            cache: Arc::default(),
            hub: Arc::default(),
        }
    }

    /// How many events a live subscriber may fall behind before it is told
    /// it lagged and skips to newer ones (default 1 024).
    #[must_use]
    pub fn with_subscriber_buffer(mut self, events: usize) -> PgStore {
        self.subscriber_buffer = events.max(1);
        self
    }

    /// Brings the schema up to date (the embedded [`MIGRATOR`]).
    pub async fn migrate(&self) -> Result<(), sqlx::migrate::MigrateError> {
        MIGRATOR.run(&self.pool).await
    }

    /// The pool.
    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// Deletes the events that happened before `before`; returns how many.
    /// Subscribers resuming after a pruned id continue from the oldest kept.
    pub async fn prune_events(&self, before: Timestamp) -> StoreResult<u64> {
        events::prune_events(self, before).await
    }

    /// Re-seals every connection's credentials under the current key (after
    /// a rotation, so the old key can be dropped); returns how many moved.
    pub async fn reseal_credentials(&self) -> StoreResult<u64> {
        credentials::reseal_credentials(self).await
    }
}

#[async_trait]
impl TrackingStore for PgStore {
    async fn create_brand(&self, new: NewBrand, now: Timestamp) -> StoreResult<Brand> {
        new.check()?;
        config::create_brand(self, new, now).await
    }
    async fn get_brand(&self, id: BrandId) -> StoreResult<Option<Brand>> {
        config::get_brand(self, id).await
    }
    async fn create_creator(&self, new: NewCreator, now: Timestamp) -> StoreResult<Creator> {
        new.check()?;
        config::create_creator(self, new, now).await
    }
    async fn get_creator(&self, id: CreatorId) -> StoreResult<Option<Creator>> {
        config::get_creator(self, id).await
    }
    async fn create_scope(&self, new: NewScope, now: Timestamp) -> StoreResult<Scope> {
        new.check()?;
        config::create_scope(self, new, now).await
    }
    async fn get_scope(&self, brand: BrandId, id: ScopeId) -> StoreResult<Option<Scope>> {
        config::get_scope(self, brand, id).await
    }
    async fn list_scopes(&self, brand: BrandId) -> StoreResult<Vec<Scope>> {
        config::list_scopes(self, brand).await
    }
    async fn list_scopes_for_creator(&self, creator: CreatorId) -> StoreResult<Vec<Scope>> {
        config::list_scopes_for_creator(self, creator).await
    }
    async fn update_scope(
        &self,
        brand: BrandId,
        id: ScopeId,
        change: ScopeChange,
    ) -> StoreResult<Scope> {
        change.check()?;
        config::update_scope(self, brand, id, change).await
    }
    async fn tracking_revision(&self) -> StoreResult<u64> {
        config::tracking_revision(self).await
    }
}

#[async_trait]
impl ConnectionStore for PgStore {
    async fn connect(&self, mut new: NewConnection, now: Timestamp) -> StoreResult<Connected> {
        new.make_storable()?;
        connections::connect(self, new, now).await
    }
    async fn get_connection(&self, id: ConnectionId) -> StoreResult<Option<Connection>> {
        connections::get_connection(self, id).await
    }
    async fn get_connection_by_account(
        &self,
        platform: Platform,
        account: &PlatformAccountId,
    ) -> StoreResult<Option<Connection>> {
        connections::get_connection_by_account(self, platform, account).await
    }
    async fn list_connections(&self, filter: ConnectionFilter) -> StoreResult<Vec<Connection>> {
        connections::list_connections(self, filter).await
    }
    async fn disconnect(&self, request: DisconnectRequest) -> StoreResult<Disconnection> {
        connections::disconnect(self, request).await
    }
    async fn reset_connection(&self, id: ConnectionId, now: Timestamp) -> StoreResult<Connection> {
        connections::reset_connection(self, id, now).await
    }
    async fn record_health(&self, id: ConnectionId, mut update: HealthUpdate) -> StoreResult<()> {
        update.make_storable();
        connections::record_health(self, id, update).await
    }
    async fn check_post_count(
        &self,
        id: ConnectionId,
        check: PostCountCheck,
    ) -> StoreResult<PostCountVerdict> {
        connections::check_post_count(self, id, check).await
    }
    async fn set_backoff(&self, target: BackoffTarget, until: Timestamp) -> StoreResult<()> {
        connections::set_backoff(self, target, until).await
    }
    async fn get_platform_backoff(&self, platform: Platform) -> StoreResult<Option<Timestamp>> {
        connections::get_platform_backoff(self, platform).await
    }
}

#[async_trait]
impl CredentialStore for PgStore {
    async fn get_credentials(&self, id: ConnectionId) -> StoreResult<Option<VersionedCredentials>> {
        credentials::get_credentials(self, id).await
    }
    async fn swap_credentials(
        &self,
        id: ConnectionId,
        expected_version: u64,
        credentials: Credentials,
    ) -> StoreResult<u64> {
        credentials::swap_credentials(self, id, expected_version, credentials).await
    }
    async fn try_lock_refresh(
        &self,
        id: ConnectionId,
        now: Timestamp,
        until: Timestamp,
    ) -> StoreResult<Option<LeaseToken>> {
        credentials::try_lock_refresh(self, id, now, until).await
    }
    async fn unlock_refresh(&self, id: ConnectionId, token: LeaseToken) -> StoreResult<()> {
        credentials::unlock_refresh(self, id, token).await
    }
}

#[async_trait]
impl NoticeOutbox for PgStore {
    async fn claim_pending_notifications(
        &self,
        now: Timestamp,
        claim_until: Timestamp,
        limit: usize,
    ) -> StoreResult<Vec<Disconnection>> {
        notices::claim_pending_notifications(self, now, claim_until, limit).await
    }
    async fn mark_notified(&self, id: DisconnectionId) -> StoreResult<()> {
        notices::mark_notified(self, id).await
    }
}

#[async_trait]
impl PostCatalog for PgStore {
    async fn try_claim_discovery(
        &self,
        id: ConnectionId,
        now: Timestamp,
        until: Timestamp,
    ) -> StoreResult<Option<LeaseToken>> {
        connections::try_claim_discovery(self, id, now, until).await
    }
    async fn finish_discovery(
        &self,
        id: ConnectionId,
        token: LeaseToken,
        progress: DiscoveryProgress,
    ) -> StoreResult<()> {
        connections::finish_discovery(self, id, token, progress).await
    }
    async fn upsert_posts(
        &self,
        mut posts: Vec<PostUpsert>,
        now: Timestamp,
    ) -> StoreResult<Vec<UpsertedPost>> {
        for p in &mut posts {
            p.make_storable()?;
        }
        posts::upsert_posts(self, posts, now).await
    }
    async fn set_attribution(
        &self,
        post: PostId,
        attribution: Vec<Attribution>,
        now: Timestamp,
    ) -> StoreResult<PostState> {
        posts::set_attribution(self, post, attribution, now).await
    }
    async fn get_post(&self, id: PostId) -> StoreResult<Option<Post>> {
        posts::get_post(self, id).await
    }
    async fn get_post_by_key(
        &self,
        platform: Platform,
        id: &PlatformPostId,
    ) -> StoreResult<Option<Post>> {
        posts::get_post_by_key(self, platform, id).await
    }
    async fn list_posts(&self, filter: PostFilter) -> StoreResult<Vec<Post>> {
        posts::list_posts(self, filter).await
    }
    async fn expire_paused_posts(&self, now: Timestamp) -> StoreResult<u64> {
        posts::expire_paused_posts(self, now).await
    }
}

#[async_trait]
impl ScanQueue for PgStore {
    async fn claim_due_posts(&self, request: ClaimRequest) -> StoreResult<Vec<ClaimedPost>> {
        scans::claim_due_posts(self, request).await
    }
    async fn complete_scans(
        &self,
        completions: Vec<ScanCompletion>,
    ) -> StoreResult<Vec<CompletionOutcome>> {
        scans::complete_scans(self, completions).await
    }
    async fn release_claims(&self, releases: Vec<Release>) -> StoreResult<()> {
        scans::release_claims(self, releases).await
    }
    async fn list_snapshots(
        &self,
        post: PostId,
        from: Timestamp,
        to: Timestamp,
    ) -> StoreResult<Vec<Snapshot>> {
        scans::list_snapshots(self, post, from, to).await
    }
    async fn latest_snapshot(&self, post: PostId) -> StoreResult<Option<Snapshot>> {
        scans::latest_snapshot(self, post).await
    }
}

#[async_trait]
impl ReportStore for PgStore {
    async fn report_inputs(&self, query: ReportQuery) -> StoreResult<ReportInputs> {
        reports::report_inputs(self, query).await
    }
}

#[async_trait]
impl DeliveryLog for PgStore {
    async fn claim_delivery(&self, claim: DeliveryClaimRequest) -> StoreResult<DeliveryClaim> {
        deliveries::claim_delivery(self, claim).await
    }
    async fn finish_delivery(&self, key: &str, token: LeaseToken) -> StoreResult<()> {
        deliveries::finish_delivery(self, key, token).await
    }
    async fn forget_delivery(&self, key: &str, token: LeaseToken) -> StoreResult<()> {
        deliveries::forget_delivery(self, key, token).await
    }
}

#[async_trait]
impl EventLog for PgStore {
    async fn publish_event(&self, event: Event) -> StoreResult<StoredEvent> {
        events::publish_event(self, event).await
    }
    async fn publish_events(&self, events: Vec<Event>) -> StoreResult<Option<EventId>> {
        events::publish_events(self, events).await
    }
    async fn list_events(
        &self,
        after: Option<EventId>,
        limit: usize,
    ) -> StoreResult<Vec<StoredEvent>> {
        events::list_events(self, after, limit).await
    }
    async fn newest_event_id(&self) -> StoreResult<Option<EventId>> {
        events::newest_event_id(self).await
    }
    async fn latest_events(&self, brand: BrandId, limit: usize) -> StoreResult<Vec<StoredEvent>> {
        events::latest_events(self, brand, limit).await
    }
    async fn subscribe_events(&self, after: Option<EventId>) -> StoreResult<EventStream> {
        events::subscribe_events(self, after).await
    }
}

#[async_trait]
impl SharedBudget for PgStore {
    async fn acquire(&self, request: BudgetRequest) -> StoreResult<BudgetDecision> {
        budget::acquire_budget(self, request).await
    }
}
