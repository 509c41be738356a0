//! The sync engine: discovery, hourly scans for 90 days, disconnect /
//! reconnect / reset, and live events (ARCHITECTURE.md §4, §5, §7).
//!
//! Build one with [`Engine::builder`], then either call [`Engine::run`] in a
//! task (discovery and scans on their intervals until shutdown) or drive it
//! step by step with [`Engine::run_cycle`] on a manual clock.
//!
//! Any number of engines may share one store: claims are leases, a
//! disconnection is a compare-and-set, refresh is single-flight.

mod auth;
mod decide;
mod discovery;
mod health;
mod notifier;
mod public;
mod scan;

pub use auth::{DELIVERY_CLOCK_MARGIN, Delivered, Delivery};
pub use health::ConnectionHealthView;
pub use notifier::{LogNotifier, NotifyError, ReconnectNotifier};
pub use public::PUBLIC_GATHER;
pub(crate) use public::public_wait;

use crate::clock::{Clock, SystemClock};
use crate::domain::Connection;
use crate::error::StoreError;
use crate::events::{ConnectionChange, ConnectionEvent, Event, EventStream};
use crate::ids::{BrandId, ConnectionId, EventId};
use crate::platform::Platform;
use crate::platform::SocialPlatform;
use crate::policy::{InvalidPolicy, MonitoringPolicy};
use crate::store::{Connected, HealthUpdate, NewConnection, PostStore};
use futures::FutureExt;
use std::collections::HashMap;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::Duration;

/// The engine could not do what was asked.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EngineError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The policy is unusable.
    #[error(transparent)]
    Policy(#[from] InvalidPolicy),
    /// No platform was registered for this connection's platform.
    #[error("no {0} platform registered with the engine")]
    NoPlatform(Platform),
    /// The builder lacks a store.
    #[error("the engine needs a store")]
    NoStore,
}

/// What one cycle did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CycleReport {
    /// Connections whose discovery ran.
    pub discoveries: u64,
    /// Posts newly recorded by discovery.
    pub posts_found: u64,
    /// Scans completed.
    pub scans: u64,
    /// Scans that stored a snapshot.
    pub changed: u64,
    /// Posts confirmed deleted.
    pub deleted: u64,
    /// Posts that expired.
    pub expired: u64,
    /// Claims given back (rate limits, disconnections).
    pub released: u64,
    /// Calls that failed (transient, malformed).
    pub failures: u64,
    /// Disconnections this engine made.
    pub disconnections: u64,
}

impl CycleReport {
    /// Adds another cycle's counts to these.
    pub fn add(&mut self, o: CycleReport) {
        self.discoveries += o.discoveries;
        self.posts_found += o.posts_found;
        self.scans += o.scans;
        self.changed += o.changed;
        self.deleted += o.deleted;
        self.expired += o.expired;
        self.released += o.released;
        self.failures += o.failures;
        self.disconnections += o.disconnections;
    }
}

/// Builds an [`Engine`].
#[derive(Debug, Default)]
pub struct EngineBuilder {
    store: Option<Arc<dyn PostStore>>,
    platforms: HashMap<Platform, Arc<dyn SocialPlatform>>,
    clock: Option<Arc<dyn Clock>>,
    policy: MonitoringPolicy,
    notifier: Option<Arc<dyn ReconnectNotifier>>,
    claim_batch: Option<usize>,
    scan_concurrency: Option<usize>,
    tick: Option<Duration>,
    publish_unchanged: Option<bool>,
}

impl EngineBuilder {
    /// The store (required).
    #[must_use]
    pub fn with_store(mut self, store: Arc<dyn PostStore>) -> Self {
        self.store = Some(store);
        self
    }

    /// A platform; one per [`Platform`], the last one given wins.
    #[must_use]
    pub fn with_platform(mut self, platform: Arc<dyn SocialPlatform>) -> Self {
        self.platforms.insert(platform.platform(), platform);
        self
    }

    /// The clock (default: the system clock).
    #[must_use]
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = Some(clock);
        self
    }

    /// The monitoring policy (default: 90 days, hourly).
    #[must_use]
    pub fn with_policy(mut self, policy: MonitoringPolicy) -> Self {
        self.policy = policy;
        self
    }

    /// The host's notifier (default: [`LogNotifier`]).
    #[must_use]
    pub fn with_notifier(mut self, notifier: Arc<dyn ReconnectNotifier>) -> Self {
        self.notifier = Some(notifier);
        self
    }

    /// How many due posts one claim takes (default 1 000).
    #[must_use]
    pub fn with_claim_batch(mut self, n: usize) -> Self {
        self.claim_batch = Some(n.max(1));
        self
    }

    /// How many claim batches one engine scans at once (default 4): while
    /// one waits on a platform or the store, the others go on. Each holds a
    /// store connection while it writes, so a database pool wants at least
    /// this many.
    #[must_use]
    pub fn with_scan_concurrency(mut self, n: usize) -> Self {
        self.scan_concurrency = Some(n.max(1));
        self
    }

    /// How often [`Engine::run`] runs a cycle (default 30 seconds).
    #[must_use]
    pub fn with_tick(mut self, tick: Duration) -> Self {
        self.tick = Some(tick);
        self
    }

    /// Whether scans that changed nothing publish an event (default true).
    #[must_use]
    pub fn with_unchanged_events(mut self, yes: bool) -> Self {
        self.publish_unchanged = Some(yes);
        self
    }

    /// The engine; fails without a store or with an unusable policy.
    pub fn build(self) -> Result<Engine, EngineError> {
        self.policy.validate()?;
        Ok(Engine {
            inner: Arc::new(Inner {
                store: self.store.ok_or(EngineError::NoStore)?,
                platforms: self.platforms,
                clock: self.clock.unwrap_or_else(|| Arc::new(SystemClock)),
                policy: self.policy,
                notifier: self.notifier.unwrap_or_else(|| Arc::new(LogNotifier)),
                claim_batch: self.claim_batch.unwrap_or(1_000),
                scan_concurrency: self.scan_concurrency.unwrap_or(4),
                tick: self.tick.unwrap_or(Duration::from_secs(30)),
                publish_unchanged: self.publish_unchanged.unwrap_or(true),
                token_only: public::TokenOnly::default(),
                last_scan_run: std::sync::Mutex::new(None),
            }),
        })
    }
}

#[derive(Debug)]
struct Inner {
    store: Arc<dyn PostStore>,
    platforms: HashMap<Platform, Arc<dyn SocialPlatform>>,
    clock: Arc<dyn Clock>,
    policy: MonitoringPolicy,
    notifier: Arc<dyn ReconnectNotifier>,
    claim_batch: usize,
    scan_concurrency: usize,
    tick: Duration,
    publish_unchanged: bool,
    token_only: public::TokenOnly,
    /// When this engine last ran its scans.
    last_scan_run: std::sync::Mutex<Option<crate::clock::Timestamp>>,
}

/// The sync engine. Cheap to clone (shared state).
#[derive(Debug, Clone)]
pub struct Engine {
    inner: Arc<Inner>,
}

impl Engine {
    /// A builder.
    pub fn builder() -> EngineBuilder {
        EngineBuilder::default()
    }

    /// The store.
    pub fn store(&self) -> &Arc<dyn PostStore> {
        &self.inner.store
    }

    /// The policy.
    pub fn policy(&self) -> &MonitoringPolicy {
        &self.inner.policy
    }

    /// The clock.
    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.inner.clock
    }

    fn platform(&self, p: Platform) -> Result<&Arc<dyn SocialPlatform>, EngineError> {
        self.inner
            .platforms
            .get(&p)
            .ok_or(EngineError::NoPlatform(p))
    }

    fn now(&self) -> crate::clock::Timestamp {
        self.inner.clock.now()
    }

    /// Connects a creator's platform account (or reconnects it: the same
    /// account's connection becomes active, its posts due at once, discovery
    /// runs from the old high-water mark). Runs discovery for it at once;
    /// a failure of that discovery is the connection's (on its health),
    /// retried at the next cycle, never this call's.
    pub async fn connect(&self, new: NewConnection) -> Result<Connected, EngineError> {
        self.platform(new.platform)?;
        let connected = self.inner.store.connect(new, self.now()).await?;
        let change = match connected.previous {
            None => ConnectionChange::Connected,
            Some(crate::domain::StatusKind::Active) => ConnectionChange::Refreshed,
            Some(_) => ConnectionChange::Reconnected,
        };
        self.publish_connection(&connected.connection, change).await;
        // The connection is made: a failing first discovery is the
        // connection's (on its health), retried at the next cycle.
        let id = connected.connection.id;
        self.contained(
            id,
            "discovery",
            self.discover_connection(&connected.connection, true),
        )
        .await;
        Ok(connected)
    }

    /// Resets a connection that is not active (the disabled connections
    /// view): credentials and high-water mark dropped, data kept. Refused
    /// for an active connection.
    pub async fn reset_connection(&self, id: ConnectionId) -> Result<Connection, EngineError> {
        let c = self.inner.store.reset_connection(id, self.now()).await?;
        self.publish_connection(&c, ConnectionChange::Reset).await;
        Ok(c)
    }

    /// A live event stream (after `after`, when resuming).
    pub async fn subscribe(&self, after: Option<EventId>) -> Result<EventStream, EngineError> {
        Ok(self.inner.store.subscribe_events(after).await?)
    }

    /// Runs `work` for one connection, contained (ARCHITECTURE.md §4,
    /// partial failure): an error or a panic is logged with the
    /// connection's id, counted on its health and in the report, and the
    /// caller goes on with the next connection.
    pub(super) async fn contained(
        &self,
        connection: ConnectionId,
        what: &'static str,
        work: impl Future<Output = Result<CycleReport, EngineError>>,
    ) -> CycleReport {
        let failure = match AssertUnwindSafe(work).catch_unwind().await {
            Ok(Ok(report)) => return report,
            Ok(Err(e)) => format!("{what} failed: {e}"),
            Err(panic) => format!("{what} panicked: {}", panic_message(&*panic)),
        };
        tracing::error!(%connection, error = %failure, "connection skipped this cycle");
        let update = HealthUpdate::Failure {
            at: self.now(),
            error: failure,
        };
        if let Err(e) = self.inner.store.record_health(connection, update).await {
            tracing::warn!(%connection, error = %e, "could not record the failure");
        }
        CycleReport {
            failures: 1,
            ..CycleReport::default()
        }
    }

    /// One full cycle: pending notifications, expiry of paused posts,
    /// discovery of the connections that are due, then every due scan.
    /// A failure of one connection (an error, even a panic) is contained to
    /// it; an error of the store itself ends the cycle.
    pub async fn run_cycle(&self) -> Result<CycleReport, EngineError> {
        let mut report = CycleReport::default();
        self.deliver_pending_notifications().await?;
        report.expired += self.inner.store.expire_paused_posts(self.now()).await?;
        report.add(self.run_discovery().await?);
        report.add(self.run_scans().await?);
        Ok(report)
    }

    /// Runs cycles every tick until `shutdown` completes; a cycle in flight
    /// finishes first. Store errors are logged and retried next tick.
    pub async fn run(&self, shutdown: impl Future<Output = ()> + Send) {
        tokio::pin!(shutdown);
        let mut tick = tokio::time::interval(self.inner.tick);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        loop {
            tokio::select! {
                _ = &mut shutdown => break,
                _ = tick.tick() => {}
            }
            let span = tracing::info_span!("cycle");
            let cycle = tracing::Instrument::instrument(self.run_cycle(), span);
            match AssertUnwindSafe(cycle).catch_unwind().await {
                Ok(Ok(r)) => tracing::debug!(?r, "cycle done"),
                Ok(Err(e)) => tracing::warn!(error = %e, "cycle failed; retrying next tick"),
                // Nothing outside one connection should panic; if it does,
                // the engine still runs the next tick.
                Err(panic) => tracing::error!(
                    panic = %panic_message(&*panic),
                    "cycle panicked; retrying next tick"
                ),
            }
        }
    }

    async fn brands_of(&self, creator: crate::ids::CreatorId) -> Vec<BrandId> {
        let mut brands: Vec<BrandId> = self
            .inner
            .store
            .list_scopes_for_creator(creator)
            .await
            .unwrap_or_default()
            .iter()
            .map(|s| s.brand)
            .collect();
        brands.sort_unstable();
        brands.dedup();
        brands
    }

    async fn publish_connection(&self, c: &Connection, change: ConnectionChange) {
        let event = Event::Connection(ConnectionEvent {
            connection: c.id,
            creator: c.creator,
            platform: c.platform,
            handle: c.handle.clone(),
            brands: self.brands_of(c.creator).await,
            at: self.now(),
            change,
        });
        if let Err(e) = self.inner.store.publish_event(event).await {
            tracing::warn!(error = %e, "event not published");
        }
    }
}

/// What a panic said, when it said it as text.
fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".to_owned())
}
