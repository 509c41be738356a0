//! # socialsync-store-memory
//!
//! [`MemoryStore`]: the whole [`PostStore`] in process memory. It is the
//! reference implementation of the store conformance suite, not a mock:
//! tests, simulations and the quickstart run the real engine on it, and many
//! engines may share one `MemoryStore` from many tasks at once.
//!
//! Every operation runs under one lock, never held across an `.await`, so
//! each is atomic. Instants are truncated to microseconds, as PostgreSQL
//! stores them.
//!
//! ```
//! # tokio_test_shim();
//! # fn tokio_test_shim() {}
//! use socialsync_core::store::{NewBrand, TrackingStore};
//! use socialsync_store_memory::MemoryStore;
//!
//! # let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
//! # rt.block_on(async {
//! let store = MemoryStore::new();
//! let now = "2026-01-01T00:00:00Z".parse().unwrap();
//! let brand = store.create_brand(NewBrand { name: "Acme".into() }, now).await.unwrap();
//! assert_eq!(store.get_brand(brand.id).await.unwrap().unwrap().name, "Acme");
//! # });
//! ```

mod due;
mod events;
mod state;

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
use std::sync::{Mutex, MutexGuard};

/// The in-memory [`PostStore`].
#[derive(Debug)]
pub struct MemoryStore {
    inner: Mutex<state::Inner>,
    events: events::EventLog,
}

impl Default for MemoryStore {
    fn default() -> Self {
        MemoryStore::new()
    }
}

impl MemoryStore {
    /// An empty store keeping the last 10 000 events for resuming subscribers.
    pub fn new() -> MemoryStore {
        MemoryStore::with_event_capacity(10_000, 4_096)
    }

    /// An empty store that keeps `keep` events for resuming subscribers and
    /// lets a live subscriber fall `channel` events behind before it lags.
    pub fn with_event_capacity(keep: usize, channel: usize) -> MemoryStore {
        MemoryStore {
            inner: Mutex::new(state::Inner::default()),
            events: events::EventLog::new(keep, channel),
        }
    }

    /// Keeps at most `cap` snapshots per post, dropping the oldest. Meant
    /// for benchmarks and long simulations that must not grow: aggregates
    /// stay exact for readings already landed, but a later attribution change
    /// moves only the kept history, and snapshot listings lose old readings.
    #[must_use]
    pub fn with_history_cap(self, cap: usize) -> MemoryStore {
        self.lock().history_cap = Some(cap.max(1));
        self
    }

    fn lock(&self) -> MutexGuard<'_, state::Inner> {
        // A panic under the lock cannot leave half an operation behind (each
        // operation checks before it writes), so a poisoned lock is usable.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[async_trait]
impl TrackingStore for MemoryStore {
    async fn create_brand(&self, new: NewBrand, now: Timestamp) -> StoreResult<Brand> {
        new.check()?;
        Ok(self.lock().create_brand(new, now))
    }
    async fn get_brand(&self, id: BrandId) -> StoreResult<Option<Brand>> {
        Ok(self.lock().get_brand(id))
    }
    async fn create_creator(&self, new: NewCreator, now: Timestamp) -> StoreResult<Creator> {
        new.check()?;
        Ok(self.lock().create_creator(new, now))
    }
    async fn get_creator(&self, id: CreatorId) -> StoreResult<Option<Creator>> {
        Ok(self.lock().get_creator(id))
    }
    async fn create_scope(&self, new: NewScope, now: Timestamp) -> StoreResult<Scope> {
        new.check()?;
        self.lock().create_scope(new, now)
    }
    async fn get_scope(&self, brand: BrandId, id: ScopeId) -> StoreResult<Option<Scope>> {
        Ok(self.lock().get_scope(brand, id))
    }
    async fn list_scopes(&self, brand: BrandId) -> StoreResult<Vec<Scope>> {
        Ok(self.lock().list_scopes(brand))
    }
    async fn list_scopes_for_creator(&self, creator: CreatorId) -> StoreResult<Vec<Scope>> {
        Ok(self.lock().list_scopes_for_creator(creator))
    }
    async fn update_scope(
        &self,
        brand: BrandId,
        id: ScopeId,
        change: ScopeChange,
    ) -> StoreResult<Scope> {
        change.check()?;
        self.lock().update_scope(brand, id, change)
    }
    async fn tracking_revision(&self) -> StoreResult<u64> {
        Ok(self.lock().revision())
    }
}

#[async_trait]
impl ConnectionStore for MemoryStore {
    async fn connect(&self, mut new: NewConnection, now: Timestamp) -> StoreResult<Connected> {
        new.make_storable()?;
        self.lock().connect(new, now)
    }
    async fn get_connection(&self, id: ConnectionId) -> StoreResult<Option<Connection>> {
        Ok(self.lock().get_connection(id))
    }
    async fn get_connection_by_account(
        &self,
        platform: Platform,
        account: &PlatformAccountId,
    ) -> StoreResult<Option<Connection>> {
        Ok(self.lock().get_connection_by_account(platform, account))
    }
    async fn list_connections(&self, filter: ConnectionFilter) -> StoreResult<Vec<Connection>> {
        Ok(self.lock().list_connections(&filter))
    }
    async fn disconnect(&self, request: DisconnectRequest) -> StoreResult<Disconnection> {
        self.lock().disconnect(request)
    }
    async fn reset_connection(&self, id: ConnectionId, now: Timestamp) -> StoreResult<Connection> {
        self.lock().reset_connection(id, now)
    }
    async fn record_health(&self, id: ConnectionId, mut update: HealthUpdate) -> StoreResult<()> {
        update.make_storable();
        self.lock().record_health(id, update)
    }
    async fn check_post_count(
        &self,
        id: ConnectionId,
        check: PostCountCheck,
    ) -> StoreResult<PostCountVerdict> {
        self.lock().check_post_count(id, check)
    }
    async fn set_backoff(&self, target: BackoffTarget, until: Timestamp) -> StoreResult<()> {
        self.lock().set_backoff(target, until)
    }
    async fn get_platform_backoff(&self, platform: Platform) -> StoreResult<Option<Timestamp>> {
        Ok(self.lock().get_platform_backoff(platform))
    }
}

#[async_trait]
impl CredentialStore for MemoryStore {
    async fn get_credentials(&self, id: ConnectionId) -> StoreResult<Option<VersionedCredentials>> {
        self.lock().get_credentials(id)
    }
    async fn swap_credentials(
        &self,
        id: ConnectionId,
        expected_version: u64,
        credentials: Credentials,
    ) -> StoreResult<u64> {
        self.lock()
            .swap_credentials(id, expected_version, credentials)
    }
    async fn try_lock_refresh(
        &self,
        id: ConnectionId,
        now: Timestamp,
        until: Timestamp,
    ) -> StoreResult<Option<LeaseToken>> {
        self.lock().try_lock_refresh(id, now, until)
    }
    async fn unlock_refresh(&self, id: ConnectionId, token: LeaseToken) -> StoreResult<()> {
        self.lock().unlock_refresh(id, token)
    }
}

#[async_trait]
impl NoticeOutbox for MemoryStore {
    async fn claim_pending_notifications(
        &self,
        now: Timestamp,
        claim_until: Timestamp,
        limit: usize,
    ) -> StoreResult<Vec<Disconnection>> {
        Ok(self
            .lock()
            .claim_pending_notifications(now, claim_until, limit))
    }
    async fn mark_notified(&self, id: DisconnectionId) -> StoreResult<()> {
        self.lock().mark_notified(id)
    }
}

#[async_trait]
impl PostCatalog for MemoryStore {
    async fn try_claim_discovery(
        &self,
        id: ConnectionId,
        now: Timestamp,
        until: Timestamp,
    ) -> StoreResult<Option<LeaseToken>> {
        self.lock().try_claim_discovery(id, now, until)
    }
    async fn finish_discovery(
        &self,
        id: ConnectionId,
        token: LeaseToken,
        progress: DiscoveryProgress,
    ) -> StoreResult<()> {
        self.lock().finish_discovery(id, token, progress)
    }
    async fn upsert_posts(
        &self,
        mut posts: Vec<PostUpsert>,
        now: Timestamp,
    ) -> StoreResult<Vec<UpsertedPost>> {
        for p in &mut posts {
            p.make_storable()?;
        }
        self.lock().upsert_posts(posts, now)
    }
    async fn set_attribution(
        &self,
        post: PostId,
        attribution: Vec<Attribution>,
        now: Timestamp,
    ) -> StoreResult<PostState> {
        self.lock().set_attribution(post, attribution, now)
    }
    async fn get_post(&self, id: PostId) -> StoreResult<Option<Post>> {
        Ok(self.lock().get_post(id))
    }
    async fn get_post_by_key(
        &self,
        platform: Platform,
        id: &PlatformPostId,
    ) -> StoreResult<Option<Post>> {
        Ok(self.lock().get_post_by_key(platform, id))
    }
    async fn list_posts(&self, filter: PostFilter) -> StoreResult<Vec<Post>> {
        Ok(self.lock().list_posts(&filter))
    }
    async fn expire_paused_posts(&self, now: Timestamp) -> StoreResult<u64> {
        Ok(self.lock().expire_paused_posts(now))
    }
}

#[async_trait]
impl ScanQueue for MemoryStore {
    async fn claim_due_posts(&self, request: ClaimRequest) -> StoreResult<Vec<ClaimedPost>> {
        Ok(self.lock().claim_due_posts(request))
    }
    async fn complete_scans(
        &self,
        completions: Vec<ScanCompletion>,
    ) -> StoreResult<Vec<CompletionOutcome>> {
        Ok(self.lock().complete_scans(completions))
    }
    async fn release_claims(&self, releases: Vec<Release>) -> StoreResult<()> {
        self.lock().release_claims(releases);
        Ok(())
    }
    async fn list_snapshots(
        &self,
        post: PostId,
        from: Timestamp,
        to: Timestamp,
    ) -> StoreResult<Vec<Snapshot>> {
        self.lock().list_snapshots(post, from, to)
    }
    async fn latest_snapshot(&self, post: PostId) -> StoreResult<Option<Snapshot>> {
        self.lock().latest_snapshot(post)
    }
}

#[async_trait]
impl ReportStore for MemoryStore {
    async fn report_inputs(&self, query: ReportQuery) -> StoreResult<ReportInputs> {
        self.lock().report_inputs(query)
    }
}

#[async_trait]
impl DeliveryLog for MemoryStore {
    async fn claim_delivery(&self, claim: DeliveryClaimRequest) -> StoreResult<DeliveryClaim> {
        check_delivery_key(&claim.key)?;
        Ok(self.lock().claim_delivery(claim))
    }
    async fn finish_delivery(&self, key: &str, token: LeaseToken) -> StoreResult<()> {
        check_delivery_key(key)?;
        self.lock().finish_delivery(key, token);
        Ok(())
    }
    async fn forget_delivery(&self, key: &str, token: LeaseToken) -> StoreResult<()> {
        check_delivery_key(key)?;
        self.lock().forget_delivery(key, token);
        Ok(())
    }
}

#[async_trait]
impl EventLog for MemoryStore {
    async fn publish_event(&self, event: Event) -> StoreResult<StoredEvent> {
        Ok(self.events.publish(event))
    }
    async fn publish_events(&self, events: Vec<Event>) -> StoreResult<Option<EventId>> {
        Ok(self.events.publish_all(events))
    }
    async fn list_events(
        &self,
        after: Option<EventId>,
        limit: usize,
    ) -> StoreResult<Vec<StoredEvent>> {
        Ok(self.events.list(after, limit))
    }
    async fn newest_event_id(&self) -> StoreResult<Option<EventId>> {
        Ok(self.events.newest_id())
    }
    async fn latest_events(&self, brand: BrandId, limit: usize) -> StoreResult<Vec<StoredEvent>> {
        Ok(self.events.latest(brand, limit))
    }
    async fn subscribe_events(&self, after: Option<EventId>) -> StoreResult<EventStream> {
        Ok(self.events.subscribe(after))
    }
}

#[async_trait]
impl SharedBudget for MemoryStore {
    async fn acquire(&self, request: BudgetRequest) -> StoreResult<BudgetDecision> {
        Ok(self.lock().acquire_budget(request))
    }
}
