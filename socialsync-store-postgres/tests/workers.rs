//! Many engines, one PostgreSQL database: each engine has its own store and
//! pool, as separate worker processes would; they share one fake platform per
//! network, one manual clock and one notifier, and race cycle by cycle.

mod support;

use async_trait::async_trait;
use chrono::TimeDelta;
use socialsync_core::clock::Timestamp;
use socialsync_core::credentials::Credentials;
use socialsync_core::domain::{PostState, StatusKind};
use socialsync_core::engine::Engine;
use socialsync_core::ids::{BrandId, PlatformPostId, ScopeId};
use socialsync_core::metrics::{Metric, Metrics};
use socialsync_core::platform::Platform;
use socialsync_core::platform::*;
use socialsync_core::report::BucketSize;
use socialsync_core::report::{ReportRange, scope_report};
use socialsync_core::store::SharedBudget;
use socialsync_core::store::{BudgetDecision, BudgetRequest, PostFilter, PostStore};
use socialsync_core::tracking::{ScopeSpec, Tracking};
use socialsync_store_memory::MemoryStore;
use socialsync_testkit::{FakePlatform, FakePost, Sim};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use std::sync::Arc;
use tokio::sync::Notify;

fn t0() -> Timestamp {
    "2026-03-01T00:00:00Z".parse().unwrap()
}

fn h(n: i64) -> TimeDelta {
    TimeDelta::hours(n)
}

fn reading(views: u64, likes: u64) -> Metrics {
    Metrics::new()
        .with(Metric::Views, views)
        .with(Metric::Likes, likes)
}

const ACCOUNTS: [(Platform, &str); 3] = [
    (Platform::TikTok, "tt-ana"),
    (Platform::Instagram, "ig-ana"),
    (Platform::YouTube, "yt-bob"),
];

/// An engine over `store`, sharing the simulation's clock, fakes and notifier.
fn engine_on(sim: &Sim, store: Arc<dyn PostStore>) -> Engine {
    let mut b = Engine::builder()
        .with_store(store)
        .with_clock(sim.clock.clone())
        .with_notifier(sim.notifier.clone())
        .with_claim_batch(7);
    for p in sim.platforms.values() {
        b = b.with_platform(p.clone());
    }
    b.build().expect("engine")
}

/// The same `store`-independent script: a brand, two creators, a program,
/// three accounts with posts growing every six hours, some published during
/// the week. Returns the brand and program.
async fn script(sim: &Sim) -> (BrandId, ScopeId) {
    let tracking = Tracking::new(sim.store.clone(), sim.clock.clone());
    let brand = tracking.create_brand("Acme").await.unwrap().id;
    let ana = tracking.create_creator("Ana", None).await.unwrap().id;
    let bob = tracking.create_creator("Bob", None).await.unwrap().id;
    let program = tracking
        .create_program(
            brand,
            ScopeSpec::new("Program", ["#BrandX"]).members([ana, bob]),
        )
        .await
        .unwrap()
        .id;
    for (n, (platform, account)) in ACCOUNTS.iter().enumerate() {
        let fake = sim.fake(*platform);
        let creator = if n == 2 { bob } else { ana };
        let credentials = fake.add_account(account, &format!("@{account}"));
        let mut published: Vec<Timestamp> = (0..8)
            .map(|k| t0() - h(k * 7 + 1) - TimeDelta::minutes(13 + n as i64))
            .collect();
        published.extend((0..3).map(|k| t0() + h(k * 40 + 5) + TimeDelta::minutes(17)));
        for (k, at) in published.into_iter().enumerate() {
            let text = if k % 4 == 3 {
                "no tag here"
            } else {
                "new drop #brandx"
            };
            let mut post = FakePost::new(&format!("{account}-{k}"), account, at, text);
            for j in 0..32u64 {
                let views = 10 * (k as u64 + 1) * j + n as u64;
                post = post.reads(at + h(6 * j as i64), reading(views, j / 2));
            }
            fake.add_post(post);
        }
        sim.connect_with(creator, *platform, account, credentials)
            .await;
    }
    (brand, program)
}

/// Runs the week: every hour each engine runs a cycle, all at once. The
/// Instagram account is revoked on day 3 and reconnected on day 4.
async fn run_week(sim: &Sim, engines: &[Engine]) {
    let ig = sim.fake(Platform::Instagram);
    for step in 1..=168 {
        sim.clock.advance(h(1));
        if step == 72 {
            ig.revoke("ig-ana");
        }
        if step == 96 {
            let creds = ig.reauthorize("ig-ana");
            let ana = sim
                .store
                .get_connection_by_account(Platform::Instagram, &"ig-ana".into())
                .await
                .unwrap()
                .unwrap()
                .creator;
            sim.connect_with(ana, Platform::Instagram, "ig-ana", creds)
                .await;
        }
        let cycles = engines.iter().map(|e| e.run_cycle());
        for r in futures::future::join_all(cycles).await {
            r.expect("cycle");
        }
    }
}

/// What a run leaves, keyed by the platform post id, for comparison.
async fn outcome(sim: &Sim, brand: BrandId, program: ScopeId) -> (Vec<String>, serde_json::Value) {
    let mut posts = sim.store.list_posts(PostFilter::default()).await.unwrap();
    posts.sort_by(|a, b| a.platform_post_id.cmp(&b.platform_post_id));
    let mut lines = Vec::new();
    for p in &posts {
        let snaps = sim
            .store
            .list_snapshots(p.id, t0() - h(1000), t0() + h(1000))
            .await
            .unwrap();
        let ats: Vec<String> = snaps
            .iter()
            .map(|s| format!("{}={:?}", s.at.format("%d%H%M"), s.metrics))
            .collect();
        lines.push(format!(
            "{} {:?} scans={} snaps=[{}]",
            p.platform_post_id,
            p.state,
            p.scan_count,
            ats.join(" ")
        ));
    }
    let range = ReportRange::new(t0(), t0() + h(168), BucketSize::Hour).unwrap();
    let r = scope_report(&*sim.store, brand, program, range)
        .await
        .unwrap();
    let report = serde_json::json!({
        "figures": r.figures,
        "by_platform": r.by_platform,
        "series": r.series,
        "posts_by_state": r.posts_by_state,
    });
    (lines, report)
}

/// The reference: one engine over the memory store.
async fn single_engine_reference() -> (Vec<String>, serde_json::Value, usize) {
    let sim = Sim::new(Arc::new(MemoryStore::new()), t0());
    let (brand, program) = script(&sim).await;
    run_week(&sim, std::slice::from_ref(&sim.engine)).await;
    let (lines, report) = outcome(&sim, brand, program).await;
    (lines, report, sim.notifier.lost().len())
}

async fn engines_share_a_week(options: PgPoolOptions, connect: PgConnectOptions, n: usize) {
    let first: Arc<dyn PostStore> =
        Arc::new(support::store_with(options.clone(), connect.clone(), 2).await);
    let sim = Sim::new(first, t0());
    let (brand, program) = script(&sim).await;
    let mut engines = vec![sim.engine.clone()];
    for _ in 1..n {
        let store = support::store_with(options.clone(), connect.clone(), 2).await;
        engines.push(engine_on(&sim, Arc::new(store)));
    }
    run_week(&sim, &engines).await;
    let (lines, report) = outcome(&sim, brand, program).await;
    let (ref_lines, ref_report, ref_lost) = single_engine_reference().await;
    // Per post: the same scans, states and snapshots as one engine alone.
    assert_eq!(lines.len(), ref_lines.len());
    for (a, b) in lines.iter().zip(&ref_lines) {
        assert_eq!(a, b, "{n} engines differ from one");
    }
    assert_eq!(
        report, ref_report,
        "report totals equal a single-engine run"
    );
    // One notifier call for the one disconnection.
    let lost = sim.notifier.lost();
    assert_eq!((lost.len(), ref_lost), (1, 1), "{lost:?}");
    // The never-disconnected posts got exactly the scans the policy says.
    let policy = sim.engine.policy();
    let end = sim.now();
    let posts = sim.store.list_posts(PostFilter::default()).await.unwrap();
    let mut checked = 0;
    for p in posts.iter().filter(|p| p.platform != Platform::Instagram) {
        if p.state == PostState::Seen {
            assert_eq!(p.scan_count, 0);
            continue;
        }
        // The first scan is in the first cycle at or after discovery (cycles
        // run hourly from t0 + 1h), then one per slot up to the end.
        let since = (p.first_seen_at - t0()).num_microseconds().unwrap();
        let hour = h(1).num_microseconds().unwrap();
        let first_cycle = t0() + h(((since + hour - 1) / hour).max(1));
        let mut expected = 1;
        let mut t = first_cycle;
        while let Some(s) = policy.next_slot_after(p.published_at, t) {
            if s > end {
                break;
            }
            expected += 1;
            t = s;
        }
        assert_eq!(u64::from(p.scan_count), expected, "{}", p.platform_post_id);
        checked += 1;
    }
    assert!(checked >= 16, "only {checked} posts checked");
}

pg_test! {
    async fn two_engines_share_a_week_exactly(options: PgPoolOptions, connect: PgConnectOptions) {
        engines_share_a_week(options, connect, 2).await;
    }
}

pg_test! {
    async fn eight_engines_share_a_week_exactly(options: PgPoolOptions, connect: PgConnectOptions) {
        engines_share_a_week(options, connect, 8).await;
    }
}

/// A platform whose metric reads stall after reading, until released: a
/// worker that hangs (or is killed) mid-cycle holding its claims.
#[derive(Debug)]
struct Stalling {
    inner: Arc<FakePlatform>,
    read: Arc<Notify>,
    release: Arc<Notify>,
}

#[async_trait]
impl SocialPlatform for Stalling {
    fn platform(&self) -> Platform {
        self.inner.platform()
    }
    fn capabilities(&self) -> Capabilities {
        self.inner.capabilities()
    }
    async fn list_posts(
        &self,
        account: AccountRef<'_>,
        cursor: Option<PageCursor>,
    ) -> Result<PostPage, PlatformError> {
        self.inner.list_posts(account, cursor).await
    }
    async fn fetch_metrics(
        &self,
        account: AccountRef<'_>,
        posts: &[MetricsRequest],
    ) -> Result<MetricsBatch, PlatformError> {
        let r = self.inner.fetch_metrics(account, posts).await;
        self.read.notify_one();
        self.release.notified().await;
        r
    }
    async fn get_post(
        &self,
        account: AccountRef<'_>,
        id: &socialsync_core::ids::PlatformPostId,
    ) -> Result<Option<PlatformPost>, PlatformError> {
        self.inner.get_post(account, id).await
    }
    async fn get_account(&self, account: AccountRef<'_>) -> Result<AccountInfo, PlatformError> {
        self.inner.get_account(account).await
    }
    async fn refresh_credentials(
        &self,
        account: AccountRef<'_>,
    ) -> Result<Credentials, PlatformError> {
        self.inner.refresh_credentials(account).await
    }
}

struct StallSetup {
    sim: Sim,
    stalled: Engine,
    read: Arc<Notify>,
    release: Arc<Notify>,
}

/// Five TikTok posts, discovered at `t0`; a second engine (own pool) whose
/// reads stall. Metrics change five minutes after `t0`.
async fn stall_setup(options: PgPoolOptions, connect: PgConnectOptions) -> StallSetup {
    let first: Arc<dyn PostStore> =
        Arc::new(support::store_with(options.clone(), connect.clone(), 2).await);
    let sim = Sim::new(first, t0());
    let tracking = Tracking::new(sim.store.clone(), sim.clock.clone());
    let brand = tracking.create_brand("Acme").await.unwrap().id;
    let ana = tracking.create_creator("Ana", None).await.unwrap().id;
    tracking
        .create_program(brand, ScopeSpec::new("Program", ["#BrandX"]).members([ana]))
        .await
        .unwrap();
    let fake = sim.fake(Platform::TikTok).clone();
    for k in 0..5 {
        let at = t0() - h(k + 1);
        fake.add_post(
            FakePost::new(&format!("v{k}"), "tt-ana", at, "#brandx")
                .reads(at, reading(1, 0))
                .reads(t0() + TimeDelta::minutes(5), reading(100 + k as u64, 3)),
        );
    }
    sim.connect(ana, Platform::TikTok, "tt-ana").await;
    let read = Arc::new(Notify::new());
    let release = Arc::new(Notify::new());
    let stalled = Engine::builder()
        .with_store(Arc::new(support::store_with(options, connect, 2).await))
        .with_clock(sim.clock.clone())
        .with_notifier(sim.notifier.clone())
        .with_platform(Arc::new(Stalling {
            inner: fake,
            read: read.clone(),
            release: release.clone(),
        }))
        .build()
        .unwrap();
    StallSetup {
        sim,
        stalled,
        read,
        release,
    }
}

async fn tiktok_posts(sim: &Sim) -> Vec<socialsync_core::domain::Post> {
    let mut posts = sim.store.list_posts(PostFilter::default()).await.unwrap();
    posts.retain(|p| p.platform == Platform::TikTok);
    posts
}

pg_test! {
    async fn aborted_worker_loses_nothing_and_doubles_nothing(options: PgPoolOptions, connect: PgConnectOptions) {
        let s = stall_setup(options, connect).await;
        let stalled = s.stalled.clone();
        let task = tokio::spawn(async move { stalled.run_cycle().await });
        s.read.notified().await; // it holds the claims, mid-cycle
        task.abort();
        assert!(task.await.unwrap_err().is_cancelled());
        // Before the lease lapses the other engine finds nothing to scan.
        s.sim.clock.advance(TimeDelta::minutes(9));
        assert_eq!(s.sim.cycle().await.scans, 0);
        assert!(tiktok_posts(&s.sim).await.iter().all(|p| p.scan_count == 0));
        // After it, every post is scanned once, by the live engine.
        s.sim.clock.advance(TimeDelta::minutes(1));
        assert_eq!(s.sim.cycle().await.scans, 5);
        for p in tiktok_posts(&s.sim).await {
            assert_eq!(p.scan_count, 1, "{}", p.platform_post_id);
            let snaps = s.sim.store.list_snapshots(p.id, t0(), t0() + h(10)).await.unwrap();
            assert_eq!(snaps.len(), 1);
        }
        // And the next hours go on one scan per slot.
        s.sim.run(h(1), 3).await;
        assert!(tiktok_posts(&s.sim).await.iter().all(|p| p.scan_count == 4));
    }
}

pg_test! {
    async fn stalled_workers_late_write_is_refused(options: PgPoolOptions, connect: PgConnectOptions) {
        let s = stall_setup(options, connect).await;
        let stalled = s.stalled.clone();
        let task = tokio::spawn(async move { stalled.run_cycle().await });
        s.read.notified().await; // read the t0 values, then hangs
        s.sim.clock.advance(TimeDelta::minutes(11));
        assert_eq!(s.sim.cycle().await.scans, 5, "the claims lapsed and were taken over");
        let before = tiktok_posts(&s.sim).await;
        // The stalled worker wakes up and tries to write its older readings.
        s.release.notify_one();
        let late = task.await.unwrap().expect("its cycle ends without error");
        assert_eq!(late.scans, 0, "no write of the stalled worker landed");
        let after = tiktok_posts(&s.sim).await;
        assert_eq!(before, after, "nothing changed");
        for p in after {
            assert_eq!(p.scan_count, 1);
            let latest = s.sim.store.latest_snapshot(p.id).await.unwrap().unwrap();
            assert!(latest.metrics.get(Metric::Views).unwrap() >= 100, "the newer reading stays");
            let snaps = s.sim.store.list_snapshots(p.id, t0(), t0() + h(10)).await.unwrap();
            assert_eq!(snaps.len(), 1);
        }
    }
}

pg_test! {
    async fn refresh_race_has_one_refresh_and_no_dead_token(options: PgPoolOptions, connect: PgConnectOptions) {
        let first: Arc<dyn PostStore> =
            Arc::new(support::store_with(options.clone(), connect.clone(), 2).await);
        let sim = Sim::new(first, t0());
        let tracking = Tracking::new(sim.store.clone(), sim.clock.clone());
        let brand = tracking.create_brand("Acme").await.unwrap().id;
        let ana = tracking.create_creator("Ana", None).await.unwrap().id;
        tracking
            .create_program(brand, ScopeSpec::new("Program", ["#BrandX"]).members([ana]))
            .await
            .unwrap();
        let fake = sim.fake(Platform::TikTok).clone();
        for k in 0..60 {
            let at = t0() - h(k + 1);
            fake.add_post(FakePost::new(&format!("v{k}"), "tt-ana", at, "#brandx").reads(at, reading(k as u64, 1)));
        }
        let conn = sim.connect(ana, Platform::TikTok, "tt-ana").await;
        let mut engines = vec![sim.engine.clone()];
        for _ in 1..8 {
            let store = support::store_with(options.clone(), connect.clone(), 2).await;
            engines.push(engine_on(&sim, Arc::new(store)));
        }
        let run_all = |engines: Vec<Engine>| async move {
            let cycles = engines.iter().map(|e| e.run_cycle());
            for r in futures::future::join_all(cycles).await {
                r.expect("cycle");
            }
        };
        run_all(engines.clone()).await;
        // The access token expires: every engine's next calls are refused.
        fake.expire_token("tt-ana");
        sim.clock.advance(h(1));
        run_all(engines.clone()).await;
        assert_eq!(fake.calls().refresh, 1, "one refresh for all engines");
        let c = sim.store.get_connection(conn.id).await.unwrap().unwrap();
        assert_eq!(c.status.kind(), StatusKind::Active, "nobody stranded the connection");
        assert!(sim.notifier.lost().is_empty());
        // Claims that waited for the refresh skip to the next slot: every
        // post is read in that hour or the next, never twice in one slot.
        sim.clock.advance(h(1));
        run_all(engines.clone()).await;
        let counts: Vec<u32> = tiktok_posts(&sim).await.iter().map(|p| p.scan_count).collect();
        assert!(counts.iter().all(|c| (2..=3).contains(c)), "{counts:?}");
        for _ in 0..2 {
            sim.clock.advance(h(1));
            run_all(engines.clone()).await;
        }
        assert_eq!(fake.calls().refresh, 1);
        let later: Vec<u32> = tiktok_posts(&sim).await.iter().map(|p| p.scan_count).collect();
        let expected: Vec<u32> = counts.iter().map(|c| c + 2).collect();
        assert_eq!(later, expected, "one scan per slot for every post");
        assert_eq!(sim.store.get_connection(conn.id).await.unwrap().unwrap().status.kind(), StatusKind::Active);
    }
}

pg_test! {
    async fn budget_race_never_exceeds_the_limit_in_any_window(options: PgPoolOptions, connect: PgConnectOptions) {
        const LIMIT: u64 = 40;
        const WINDOWS: i64 = 4;
        let mut workers = Vec::new();
        for w in 0..8u64 {
            let store = support::store_with(options.clone(), connect.clone(), 2).await;
            workers.push(async move {
                let mut granted = Vec::new();
                for window in 0..WINDOWS {
                    for i in 0..25u64 {
                        let cost = 1 + (w + i) % 3;
                        let req = BudgetRequest {
                            key: "tiktok:video.query".into(),
                            window_start: t0() + TimeDelta::minutes(window),
                            window_end: t0() + TimeDelta::minutes(window + 1),
                            limit: LIMIT,
                            cost,
                        };
                        match store.acquire(req).await.expect("acquire") {
                            BudgetDecision::Granted { used } => granted.push((window, cost, used)),
                            BudgetDecision::Exhausted { retry_at } => {
                                assert_eq!(retry_at, t0() + TimeDelta::minutes(window + 1));
                            }
                        }
                    }
                }
                granted
            });
        }
        let all: Vec<(i64, u64, u64)> = futures::future::join_all(workers).await.into_iter().flatten().collect();
        for window in 0..WINDOWS {
            let mut grants: Vec<(u64, u64)> = all.iter().filter(|g| g.0 == window).map(|g| (g.2, g.1)).collect();
            let spent: u64 = grants.iter().map(|g| g.1).sum();
            assert!(spent <= LIMIT, "window {window}: {spent} > {LIMIT}");
            assert!(spent > LIMIT - 3, "window {window}: the budget was used up ({spent})");
            // Each grant saw the running total, its own cost included: no two overlap.
            grants.sort();
            let mut total = 0;
            for (used, cost) in grants {
                total += cost;
                assert_eq!(used, total, "window {window}");
            }
        }
    }
}

pg_test! {
    /// Hostile: two worker processes (two stores, two claim caches) on one
    /// database. One worker finds a post really deleted (the count fell:
    /// `Deleted`, re-read in six hours); the other worker, which claimed it
    /// while it was `Monitoring`, then claims its re-read. The post stays
    /// `Deleted` and the connection is not made suspect, nor the host told
    /// (ARCHITECTURE.md §4: a creator who really deletes a post sees it
    /// `Deleted`).
    async fn a_post_deleted_by_one_worker_is_deleted_for_the_other(options: PgPoolOptions, connect: PgConnectOptions) {
        let first: Arc<dyn PostStore> =
            Arc::new(support::store_with(options.clone(), connect.clone(), 2).await);
        let sim = Sim::new(first, t0());
        let second: Arc<dyn PostStore> =
            Arc::new(support::store_with(options.clone(), connect.clone(), 2).await);
        let other = engine_on(&sim, second);
        let tracking = Tracking::new(sim.store.clone(), sim.clock.clone());
        let brand = tracking.create_brand("Acme").await.unwrap().id;
        let ana = tracking.create_creator("Ana", None).await.unwrap().id;
        tracking
            .create_program(brand, ScopeSpec::new("Program", ["#BrandX"]).members([ana]))
            .await
            .unwrap();
        let fake = sim.fake(Platform::TikTok);
        for k in 0..4i64 {
            let at = t0() - TimeDelta::days(5) + TimeDelta::minutes(11 * k);
            fake.add_post(
                FakePost::new(&format!("v{k}"), "tt", at, "#BrandX").reads(at, reading(100, 1)),
            );
        }
        let conn = sim.connect(ana, Platform::TikTok, "tt").await;
        let step = |engine: Engine| {
            let clock = sim.clock.clone();
            async move {
                clock.advance(TimeDelta::minutes(5));
                engine.run_cycle().await.expect("cycle");
            }
        };
        // The second worker claims every post for two hours (and remembers them).
        for _ in 0..24 {
            step(other.clone()).await;
        }
        // The creator deletes a post; the first worker finds it gone.
        fake.delete_post("v1");
        for _ in 0..24 {
            step(sim.engine.clone()).await;
        }
        let gone = sim
            .store
            .get_post_by_key(Platform::TikTok, &PlatformPostId::new("v1"))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(gone.state, PostState::Deleted);
        // The second worker alone again: it claims the post's re-read.
        for _ in 0..12 * 8 {
            step(other.clone()).await;
        }
        let gone = sim.store.get_post(gone.id).await.unwrap().unwrap();
        let c = sim.store.get_connection(conn.id).await.unwrap().unwrap();
        assert_eq!(
            (gone.state, c.health.suspect, sim.notifier.suspects().len()),
            (PostState::Deleted, None, 0),
            "(state, suspicion, suspicion notices) after the other worker's re-read: {gone:?}"
        );
    }
}
