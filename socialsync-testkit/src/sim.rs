//! [`Sim`]: a harness that wires a store, fake platforms, a
//! manual clock and an engine, and advances time cycle by cycle.

use async_trait::async_trait;
use chrono::TimeDelta;
use socialsync_core::clock::{Clock, ManualClock, Timestamp};
use socialsync_core::domain::{Connection, Disconnection, Suspicion};
use socialsync_core::engine::{CycleReport, Engine, EngineBuilder, NotifyError, ReconnectNotifier};
use socialsync_core::ids::CreatorId;
use socialsync_core::platform::Platform;
use socialsync_core::policy::MonitoringPolicy;
use socialsync_core::store::{NewConnection, PostStore};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use crate::fake_platform::FakePlatform;

/// A notifier that records what it was told.
#[derive(Debug, Default)]
pub struct RecordingNotifier {
    failures_left: Mutex<u32>,
    lost: Mutex<Vec<Disconnection>>,
    missing: Mutex<Vec<(Connection, Vec<String>)>>,
    suspects: Mutex<Vec<(Connection, Suspicion)>>,
}

impl RecordingNotifier {
    /// The next `n` `connection_lost` calls are recorded but fail, as if the
    /// host crashed before acknowledging them.
    pub fn fail_next(&self, n: u32) {
        *self.failures_left.lock().unwrap_or_else(|e| e.into_inner()) = n;
    }

    /// The disconnections notified, in order.
    pub fn lost(&self) -> Vec<Disconnection> {
        self.lost.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// The suspicion notices received, in order.
    pub fn suspects(&self) -> Vec<(Connection, Suspicion)> {
        self.suspects
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// The permission notices, in order.
    pub fn missing(&self) -> Vec<(Connection, Vec<String>)> {
        self.missing
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }
}

#[async_trait]
impl ReconnectNotifier for RecordingNotifier {
    async fn connection_lost(&self, d: &Disconnection) -> Result<(), NotifyError> {
        self.lost
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(d.clone());
        let mut left = self.failures_left.lock().unwrap_or_else(|e| e.into_inner());
        if *left > 0 {
            *left -= 1;
            return Err(NotifyError("host unavailable".into()));
        }
        Ok(())
    }
    async fn permissions_missing(
        &self,
        c: &Connection,
        missing: &[String],
    ) -> Result<(), NotifyError> {
        self.missing
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push((c.clone(), missing.to_vec()));
        Ok(())
    }
    async fn connection_suspect(
        &self,
        c: &Connection,
        suspicion: &Suspicion,
    ) -> Result<(), NotifyError> {
        self.suspects
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push((c.clone(), *suspicion));
        Ok(())
    }
}

fn build_engine(
    store: &Arc<dyn PostStore>,
    clock: &Arc<ManualClock>,
    policy: MonitoringPolicy,
    notifier: &Arc<RecordingNotifier>,
    platforms: &HashMap<Platform, Arc<FakePlatform>>,
) -> Engine {
    build_engine_with(store, clock, policy, notifier, platforms, |b| b)
}

fn build_engine_with(
    store: &Arc<dyn PostStore>,
    clock: &Arc<ManualClock>,
    policy: MonitoringPolicy,
    notifier: &Arc<RecordingNotifier>,
    platforms: &HashMap<Platform, Arc<FakePlatform>>,
    tune: impl FnOnce(EngineBuilder) -> EngineBuilder,
) -> Engine {
    let mut b = Engine::builder()
        .with_store(store.clone())
        .with_clock(clock.clone())
        .with_policy(policy)
        .with_notifier(notifier.clone());
    for p in platforms.values() {
        b = b.with_platform(p.clone());
    }
    match tune(b).build() {
        Ok(e) => e,
        Err(e) => panic!("engine: {e}"),
    }
}

/// A simulation: one store, one fake per platform, a manual clock, engines.
#[derive(Debug, Clone)]
pub struct Sim {
    /// The clock.
    pub clock: Arc<ManualClock>,
    /// The store.
    pub store: Arc<dyn PostStore>,
    /// The fakes, by platform.
    pub platforms: HashMap<Platform, Arc<FakePlatform>>,
    /// The notifier every engine shares.
    pub notifier: Arc<RecordingNotifier>,
    /// The first engine.
    pub engine: Engine,
    policy: MonitoringPolicy,
}

impl Sim {
    /// A simulation over `store`, starting at `start`, with the default policy.
    pub fn new(store: Arc<dyn PostStore>, start: Timestamp) -> Sim {
        Sim::with_policy(store, start, MonitoringPolicy::default())
    }

    /// A simulation with a policy.
    pub fn with_policy(
        store: Arc<dyn PostStore>,
        start: Timestamp,
        policy: MonitoringPolicy,
    ) -> Sim {
        let clock = Arc::new(ManualClock::at(start));
        let platforms: HashMap<Platform, Arc<FakePlatform>> = Platform::ALL
            .into_iter()
            .map(|p| (p, Arc::new(FakePlatform::new(p, clock.clone()))))
            .collect();
        let notifier = Arc::new(RecordingNotifier::default());
        let engine = build_engine(&store, &clock, policy, &notifier, &platforms);
        Sim {
            clock,
            store,
            platforms,
            notifier,
            engine,
            policy,
        }
    }

    /// Another engine over the same store, platforms, clock and notifier.
    pub fn new_engine(&self) -> Engine {
        build_engine(
            &self.store,
            &self.clock,
            self.policy,
            &self.notifier,
            &self.platforms,
        )
    }

    /// Another engine over the same store, platforms, clock and notifier,
    /// its builder tuned by `tune` (a tick for [`Engine::run`], a batch size).
    pub fn new_engine_with(&self, tune: impl FnOnce(EngineBuilder) -> EngineBuilder) -> Engine {
        build_engine_with(
            &self.store,
            &self.clock,
            self.policy,
            &self.notifier,
            &self.platforms,
            tune,
        )
    }

    /// The fake of `p`.
    pub fn fake(&self, p: Platform) -> &Arc<FakePlatform> {
        &self.platforms[&p]
    }

    /// Now.
    pub fn now(&self) -> Timestamp {
        self.clock.now()
    }

    /// Adds an account on the fake and connects it through the engine.
    pub async fn connect(
        &self,
        creator: CreatorId,
        platform: Platform,
        account: &str,
    ) -> Connection {
        let credentials = self
            .fake(platform)
            .add_account(account, &format!("@{account}"));
        self.connect_with(creator, platform, account, credentials)
            .await
    }

    /// Connects with given credentials (a reconnection when the account is known).
    pub async fn connect_with(
        &self,
        creator: CreatorId,
        platform: Platform,
        account: &str,
        credentials: socialsync_core::credentials::Credentials,
    ) -> Connection {
        let new = NewConnection {
            creator,
            platform,
            account_id: account.into(),
            handle: format!("@{account}"),
            credentials,
        };
        match self.engine.connect(new).await {
            Ok(c) => c.connection,
            Err(e) => panic!("connect {account}: {e}"),
        }
    }

    /// One cycle of the first engine.
    pub async fn cycle(&self) -> CycleReport {
        match self.engine.run_cycle().await {
            Ok(r) => r,
            Err(e) => panic!("cycle: {e}"),
        }
    }

    /// Advances `step` and runs a cycle, `times` times; sums the reports.
    pub async fn run(&self, step: TimeDelta, times: u32) -> CycleReport {
        let mut total = CycleReport::default();
        for _ in 0..times {
            self.clock.advance(step);
            total.add(self.cycle().await);
        }
        total
    }
}
