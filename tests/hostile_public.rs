//! Hostile reads with the platform's own key: answers that hold back an
//! item for a moment, videos that go public again. Each test states what
//! the engine should do; those that fail show where it does not.

use chrono::TimeDelta;
use socialsync::core::__private::async_trait;
use socialsync::core::SocialPlatform;
use socialsync::core::clock::Timestamp;
use socialsync::core::credentials::Credentials;
use socialsync::core::domain::PostState;
use socialsync::core::ids::{CreatorId, PlatformPostId};
use socialsync::core::metrics::{Metric, Metrics};
use socialsync::core::platform::{
    AccountInfo, AccountRef, Capabilities, MetricsBatch, MetricsRequest, PageCursor, Platform,
    PlatformError, PlatformErrorKind, PlatformPost, PostPage,
};
use socialsync::core::policy::MonitoringPolicy;
use socialsync::core::store::PostStore;
use socialsync::core::tracking::{ScopeSpec, Tracking};
use socialsync::memory::MemoryStore;
use socialsync_testkit::{FakePlatform, FakePost, Sim};
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

const YT: Platform = Platform::YouTube;

fn t0() -> Timestamp {
    "2026-03-01T00:00:00Z".parse().unwrap()
}

fn h(n: i64) -> TimeDelta {
    TimeDelta::hours(n)
}

fn views(v: u64) -> Metrics {
    Metrics::new().with(Metric::Views, v)
}

/// Three creators with three tracked YouTube videos each, public reads on,
/// discovered and read once.
async fn world(policy: MonitoringPolicy) -> (Sim, Vec<CreatorId>) {
    let store: Arc<dyn PostStore> = Arc::new(MemoryStore::new());
    let sim = Sim::with_policy(store.clone(), t0(), policy);
    let tracking = Tracking::new(store, sim.clock.clone());
    let brand = tracking.create_brand("Acme").await.unwrap().id;
    let mut creators = Vec::new();
    for name in ["ana", "bob", "cy"] {
        creators.push(tracking.create_creator(name, None).await.unwrap().id);
    }
    tracking
        .create_program(
            brand,
            ScopeSpec::new("Program", ["#BrandX"]).members(creators.clone()),
        )
        .await
        .unwrap();
    let fake = sim.fake(YT);
    fake.set_public_batch(50);
    for (creator, name) in creators.iter().zip(["ana", "bob", "cy"]) {
        for i in 0..3 {
            fake.add_post(
                FakePost::new(&format!("{name}{i}"), name, t0() - h(1), "#brandx")
                    .reads(t0() - h(1), views(1)),
            );
        }
        sim.connect(*creator, YT, name).await;
    }
    sim.cycle().await;
    (sim, creators)
}

async fn post(sim: &Sim, id: &str) -> socialsync::core::domain::Post {
    sim.store
        .get_post_by_key(YT, &PlatformPostId::new(id))
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("{id} not stored"))
}

fn asked(fake: &FakePlatform, id: &str) -> usize {
    fake.public_ids_asked()
        .iter()
        .filter(|x| x.as_str() == id)
        .count()
}

/// A video unlisted for an hour, then public again, must come back to the
/// key's reads: the issue wants a creator's token only for non-public
/// videos. The engine remembers it as token-only for ever (until a
/// million other posts push it out), so every slot costs that creator a
/// token read of one video for the rest of its 90-day window.
#[tokio::test]
async fn a_video_public_again_returns_to_the_keys_reads() {
    let (sim, _) = world(MonitoringPolicy::default()).await;
    let fake = sim.fake(YT);
    fake.set_unlisted("bob1", true);
    sim.run(h(1), 1).await;
    fake.set_unlisted("bob1", false);
    let asked_before = asked(fake, "bob1");
    let token_reads = fake.calls().fetch_metrics;
    sim.run(h(1), 48).await;

    assert_eq!(post(&sim, "bob1").await.state, PostState::Monitoring);
    assert!(
        asked(fake, "bob1") > asked_before,
        "bob1 public again for two days and never asked with the key again"
    );
    let token_reads = fake.calls().fetch_metrics - token_reads;
    assert!(
        token_reads < 48,
        "bob1 read with bob's token at every slot although public: {token_reads} token reads in 48 hours"
    );
}

/// Delegates to the fake; its first public answer says one item could not
/// be decoded (`failed`: there, but unreadable for now) instead of
/// reading it.
#[derive(Debug)]
struct OneItemGarbled {
    fake: Arc<FakePlatform>,
    id: &'static str,
    garbled: AtomicU32,
}

#[async_trait]
impl SocialPlatform for OneItemGarbled {
    fn platform(&self) -> Platform {
        self.fake.platform()
    }
    fn capabilities(&self) -> Capabilities {
        Capabilities {
            public_batch: 50,
            ..self.fake.capabilities()
        }
    }
    async fn list_posts(
        &self,
        account: AccountRef<'_>,
        cursor: Option<PageCursor>,
    ) -> Result<PostPage, PlatformError> {
        self.fake.list_posts(account, cursor).await
    }
    async fn fetch_metrics(
        &self,
        account: AccountRef<'_>,
        posts: &[MetricsRequest],
    ) -> Result<MetricsBatch, PlatformError> {
        self.fake.fetch_metrics(account, posts).await
    }
    async fn fetch_public_metrics(
        &self,
        posts: &[MetricsRequest],
    ) -> Result<MetricsBatch, PlatformError> {
        let mut batch = self.fake.fetch_public_metrics(posts).await?;
        if self.garbled.load(Ordering::SeqCst) == 0
            && batch.readings.iter().any(|r| r.id.as_str() == self.id)
        {
            self.garbled.fetch_add(1, Ordering::SeqCst);
            batch.readings.retain(|r| r.id.as_str() != self.id);
            batch.failed.push((
                PlatformPostId::new(self.id),
                PlatformError::new(
                    YT,
                    "videos.batchGetStats",
                    PlatformErrorKind::InvalidResponse,
                ),
            ));
        }
        Ok(batch)
    }
    async fn get_post(
        &self,
        account: AccountRef<'_>,
        id: &PlatformPostId,
    ) -> Result<Option<PlatformPost>, PlatformError> {
        self.fake.get_post(account, id).await
    }
    async fn get_account(&self, account: AccountRef<'_>) -> Result<AccountInfo, PlatformError> {
        self.fake.get_account(account).await
    }
    async fn refresh_credentials(
        &self,
        account: AccountRef<'_>,
    ) -> Result<Credentials, PlatformError> {
        self.fake.refresh_credentials(account).await
    }
}

/// An item of the public answer that could not be decoded is not a video
/// the key cannot see: the adapter reports it `failed` ("there, but
/// unreadable: retried"). The engine treats it like an id left out and
/// remembers the video as token-only for ever, so one garbled item costs
/// its creator a token read at every slot of the window.
#[tokio::test]
async fn a_garbled_public_item_is_asked_with_the_key_again() {
    let (sim, _) = world(MonitoringPolicy::default()).await;
    let garbled = Arc::new(OneItemGarbled {
        fake: sim.fake(YT).clone(),
        id: "ana0",
        garbled: AtomicU32::new(0),
    });
    let engine = sim.new_engine_with(|b| b.with_platform(garbled.clone()));
    let fake = sim.fake(YT);
    let before = asked(fake, "ana0");
    for _ in 0..4 {
        sim.clock.advance(h(1));
        engine.run_cycle().await.unwrap();
    }
    assert_eq!(garbled.garbled.load(Ordering::SeqCst), 1, "garbled once");
    assert_eq!(post(&sim, "ana0").await.scan_count, 5, "no slot lost");
    assert!(
        asked(fake, "ana0") - before > 1,
        "ana0 asked with the key {} time(s) in four slots: one garbled item made it token-only for good",
        asked(fake, "ana0") - before
    );
}

/// The deletion guard's baseline is no longer read at each hourly listing.
/// An old video of ana's goes public again (her post count rises by one;
/// the hourly listing stops at its high-water mark, so it does not see
/// it); an hour later she deletes a tracked video (the count falls back).
/// The guard sees no fall against its stale baseline: the real deletion
/// is held as a suspicion, and every later baseline (deep passes) is read
/// after the deletion, so it is held for good (past the re-check). Read hourly, the baseline
/// had risen first and the fall explained the deletion.
#[tokio::test]
async fn a_real_deletion_after_an_unseen_rise_of_the_post_count_is_not_held_for_ever() {
    let (sim, _) = world(MonitoringPolicy::default()).await;
    let fake = sim.fake(YT);
    fake.add_post(
        FakePost::new("anaold", "ana", t0() - TimeDelta::days(10), "holiday")
            .reads(t0() - TimeDelta::days(10), views(1)),
    );
    fake.set_private("anaold", true);
    sim.run(h(1), 1).await;
    fake.set_private("anaold", false);
    sim.run(h(1), 1).await;
    fake.delete_post("ana0");
    sim.run(h(1), 120).await;

    let ana0 = post(&sim, "ana0").await;
    let ana = sim
        .store
        .get_connection_by_account(YT, &"ana".into())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        ana0.state,
        PostState::Deleted,
        "five days after ana deleted it: suspicion {:?}, baseline {:?}",
        ana.health.suspect,
        ana.post_count
    );
}

/// A host whose clock (or whose platform's answer) put the token's
/// `issued_at` a day ahead: the hourly proof of a token read wholly by key
/// measures "unused for an hour" from `issued_at`, so it is never due and a
/// revoked token goes unnoticed for a day while the app's key keeps
/// reading the creator's videos. The issue: each active connection's token
/// is used at least hourly.
#[tokio::test]
async fn a_token_issued_in_the_future_is_still_proven_hourly() {
    let policy = MonitoringPolicy {
        discovery_interval: h(6),
        ..MonitoringPolicy::default()
    };
    let store: Arc<dyn PostStore> = Arc::new(MemoryStore::new());
    let sim = Sim::with_policy(store.clone(), t0(), policy);
    let tracking = Tracking::new(store, sim.clock.clone());
    let brand = tracking.create_brand("Acme").await.unwrap().id;
    let dee = tracking.create_creator("dee", None).await.unwrap().id;
    tracking
        .create_program(brand, ScopeSpec::new("Program", ["#BrandX"]).members([dee]))
        .await
        .unwrap();
    let fake = sim.fake(YT);
    fake.set_public_batch(50);
    for i in 0..3 {
        fake.add_post(
            FakePost::new(&format!("dee{i}"), "dee", t0() - h(1), "#brandx")
                .reads(t0() - h(1), views(1)),
        );
    }
    let creds = fake
        .add_account("dee", "@dee")
        .issued(t0() + TimeDelta::days(1));
    sim.connect_with(dee, YT, "dee", creds).await;
    sim.cycle().await;
    fake.revoke("dee");
    let asked_before = fake.public_ids_asked().len();
    sim.run(h(1), 4).await;

    let conn = sim
        .store
        .get_connection_by_account(YT, &"dee".into())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        conn.status.kind(),
        socialsync::core::domain::StatusKind::Disconnected,
        "revoked four hours ago, still {:?}; {} ids read with the app's key meanwhile",
        conn.status,
        fake.public_ids_asked().len() - asked_before
    );
}

/// Delegates to the fake; its public answers also hold a reading of an id
/// nobody asked for, a second (forged) reading of `ana0`, and a count of
/// `ana1` beyond 2^53.
#[derive(Debug)]
struct Forging(Arc<FakePlatform>);

#[async_trait]
impl SocialPlatform for Forging {
    fn platform(&self) -> Platform {
        self.0.platform()
    }
    fn capabilities(&self) -> Capabilities {
        Capabilities {
            public_batch: 50,
            ..self.0.capabilities()
        }
    }
    async fn list_posts(
        &self,
        account: AccountRef<'_>,
        cursor: Option<PageCursor>,
    ) -> Result<PostPage, PlatformError> {
        self.0.list_posts(account, cursor).await
    }
    async fn fetch_metrics(
        &self,
        account: AccountRef<'_>,
        posts: &[MetricsRequest],
    ) -> Result<MetricsBatch, PlatformError> {
        self.0.fetch_metrics(account, posts).await
    }
    async fn fetch_public_metrics(
        &self,
        posts: &[MetricsRequest],
    ) -> Result<MetricsBatch, PlatformError> {
        use socialsync::core::platform::PostReading;
        let mut batch = self.0.fetch_public_metrics(posts).await?;
        for r in &mut batch.readings {
            if r.id.as_str() == "ana1" {
                r.metrics = views(1 << 60);
            }
        }
        batch
            .readings
            .push(PostReading::new(PlatformPostId::new("zed0"), views(5)));
        batch.readings.push(PostReading::new(
            PlatformPostId::new("ana0"),
            views(999_999),
        ));
        Ok(batch)
    }
    async fn get_post(
        &self,
        account: AccountRef<'_>,
        id: &PlatformPostId,
    ) -> Result<Option<PlatformPost>, PlatformError> {
        self.0.get_post(account, id).await
    }
    async fn get_account(&self, account: AccountRef<'_>) -> Result<AccountInfo, PlatformError> {
        self.0.get_account(account).await
    }
    async fn refresh_credentials(
        &self,
        account: AccountRef<'_>,
    ) -> Result<Credentials, PlatformError> {
        self.0.refresh_credentials(account).await
    }
}

/// Pins what the engine survives: readings of ids not asked are dropped, a
/// second reading of an id does not override the first, a count beyond
/// 2^53 is dropped as invalid; every video still gets its slot.
#[tokio::test]
async fn forged_public_readings_are_ignored() {
    let (sim, _) = world(MonitoringPolicy::default()).await;
    let fake = sim.fake(YT);
    for i in 0..3 {
        fake.set_metrics(&format!("ana{i}"), t0() + h(1), views(7));
    }
    let engine = sim.new_engine_with(|b| b.with_platform(Arc::new(Forging(fake.clone()))));
    sim.clock.advance(h(1));
    let report = engine.run_cycle().await.unwrap();
    assert_eq!(report.scans, 9);
    let ana0 = post(&sim, "ana0").await;
    let latest = sim.store.latest_snapshot(ana0.id).await.unwrap().unwrap();
    assert_eq!(latest.metrics.get(Metric::Views), Some(7));
    let ana1 = post(&sim, "ana1").await;
    let latest = sim.store.latest_snapshot(ana1.id).await.unwrap().unwrap();
    assert_ne!(latest.metrics.get(Metric::Views), Some(1 << 60));
    assert!(
        sim.store
            .get_post_by_key(YT, &PlatformPostId::new("zed0"))
            .await
            .unwrap()
            .is_none()
    );
}

/// Pins the proof of a token that cannot be refreshed now (Instagram's
/// self-refreshing token, younger than its minimum age): read wholly by
/// key, a revoked token is noticed by the account read within two hours.
#[tokio::test]
async fn a_revoked_self_refreshing_token_read_by_key_is_noticed_by_an_account_read() {
    const IG: Platform = Platform::Instagram;
    let policy = MonitoringPolicy {
        discovery_interval: h(6),
        ..MonitoringPolicy::default()
    };
    let store: Arc<dyn PostStore> = Arc::new(MemoryStore::new());
    let sim = Sim::with_policy(store.clone(), t0(), policy);
    let tracking = Tracking::new(store, sim.clock.clone());
    let brand = tracking.create_brand("Acme").await.unwrap().id;
    let eve = tracking.create_creator("eve", None).await.unwrap().id;
    tracking
        .create_program(brand, ScopeSpec::new("Program", ["#BrandX"]).members([eve]))
        .await
        .unwrap();
    let fake = sim.fake(IG);
    fake.set_public_batch(50);
    for i in 0..3 {
        fake.add_post(
            FakePost::new(&format!("eve{i}"), "eve", t0() - h(1), "#brandx")
                .reads(t0() - h(1), views(1)),
        );
    }
    sim.connect(eve, IG, "eve").await;
    sim.cycle().await;
    fake.revoke("eve");
    sim.run(h(1), 2).await;
    let conn = sim
        .store
        .get_connection_by_account(IG, &"eve".into())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        conn.status.kind(),
        socialsync::core::domain::StatusKind::Disconnected,
        "{:?}",
        conn.status
    );
    assert!(fake.calls().get_account > 0);
    assert!(!fake.public_ids_asked().is_empty(), "read by key");
}
