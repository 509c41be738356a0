//! The platforms at their worst, end to end: the real adapters against the
//! sandbox's hostile mode on some accounts (NUL text, invalid and huge
//! numbers, huge delays and lifetimes, future publish times, endless pages,
//! half-broken tokens, posts made private then public, overflowing values)
//! with clean accounts beside them, on the memory store and on PostgreSQL.
//! Every reading a clean connection takes is exactly the clean run's
//! reading of that slot (a platform-wide limit the hostile accounts
//! provoke may cost a slot, counted and bounded); nothing that exists is
//! deleted; the engine is still running.

mod support;

use chrono::TimeDelta;
use socialsync_adapters::instagram::Instagram;
use socialsync_adapters::tiktok::TikTok;
use socialsync_adapters::youtube::YouTube;
use socialsync_adapters::{
    AppCredentials, CodeExchange, ConnectedAccount, Connector, RetrySettings,
};
use socialsync_core::clock::{ManualClock, Timestamp};
use socialsync_core::domain::{PostState, ScopeKind};
use socialsync_core::engine::Engine;
use socialsync_core::ids::ConnectionId;
use socialsync_core::metrics::Metrics;
use socialsync_core::platform::Platform;
use socialsync_core::store::{NewBrand, PostFilter, PostStore, SharedBudget};
use socialsync_sandbox::{
    AccountRef, AccountSpec, Curve, MediaType, Metric as SbMetric, PostSpec, ProductType, Sandbox,
};
use socialsync_store_memory::MemoryStore;
use socialsync_testkit::fixtures;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

const REDIRECT: &str = "https://host.example/callback";

fn start() -> Timestamp {
    "2026-11-20T00:00:00Z".parse().unwrap()
}

/// Each clean connection's readings: (platform, post's publish time,
/// slot) → values.
type Readings = BTreeMap<(String, String, i64), Metrics>;

struct Adapters {
    ig: Instagram,
    tt: TikTok,
    yt: YouTube,
}

fn adapters(base: &str, clock: Arc<ManualClock>, budget: Arc<dyn SharedBudget>) -> Adapters {
    let app = || AppCredentials::new("sandbox-client", "sandbox-secret");
    let retry = RetrySettings {
        max_retries: 1,
        initial_backoff: Duration::from_millis(5),
        ..RetrySettings::default()
    };
    Adapters {
        ig: Instagram::builder()
            .with_base_url(base)
            .with_app_credentials(app())
            .with_clock(clock.clone())
            .with_budget(budget.clone())
            .with_retry(retry.clone())
            .build()
            .unwrap(),
        tt: TikTok::builder()
            .with_base_url(base)
            .with_app_credentials(app())
            .with_clock(clock.clone())
            .with_budget(budget.clone())
            .with_retry(retry.clone())
            .build()
            .unwrap(),
        yt: YouTube::builder()
            .with_base_url(base)
            .with_app_credentials(app())
            .with_clock(clock)
            .with_budget(budget)
            .with_retry(retry)
            .build()
            .unwrap(),
    }
}

fn spec(p: Platform, name: &str) -> AccountSpec {
    AccountSpec::for_platform(p, name, name)
}

/// Three tracked posts whose metrics step on whole hours of their age.
fn add_posts(sandbox: &Sandbox, account: &AccountRef, p: Platform) {
    for i in 0..3u64 {
        let published = start() - TimeDelta::hours(3 + i as i64);
        let text = format!("post {i} #BrandX");
        let mut post = PostSpec::new(published)
            .with_metric(SbMetric::Views, Curve::linear(1_000 + i, 1))
            .with_metric(SbMetric::Likes, Curve::linear(10 + i, 1))
            .with_metric(SbMetric::Comments, Curve::linear(1, 1))
            .with_metric(SbMetric::Reach, Curve::linear(500, 1));
        post = match p {
            Platform::Instagram => post
                .with_caption(&text)
                .with_media(MediaType::Image, ProductType::Feed),
            _ => post
                .with_title(&format!("video {i}"))
                .with_description(&text),
        };
        sandbox.add_post(account, post).unwrap();
    }
}

/// Connects `account` through the OAuth exchange; `None` when the
/// exchange itself is refused.
async fn connect(
    engine: &Engine,
    ad: &Adapters,
    sandbox: &Sandbox,
    account: &AccountRef,
    creator: socialsync_core::ids::CreatorId,
) -> Option<ConnectionId> {
    let code = sandbox.authorization_code(account).unwrap();
    let connector: &dyn Connector = match account.platform {
        Platform::Instagram => &ad.ig,
        Platform::TikTok => &ad.tt,
        Platform::YouTube => &ad.yt,
        other => panic!("no adapter for {other}"),
    };
    let connected: ConnectedAccount = connector
        .exchange_code(CodeExchange::new(code, REDIRECT))
        .await
        .map_err(|e| eprintln!("exchange refused: {e}"))
        .ok()?;
    let c = engine
        .connect(connected.into_new_connection(creator))
        .await
        .unwrap();
    Some(c.connection.id)
}

/// Two days of cycles every five minutes, with (or without) hostile
/// accounts beside the clean ones; the clean connections' readings.
async fn scenario(
    store: Arc<dyn PostStore>,
    budget: Arc<dyn SharedBudget>,
    hostile: bool,
) -> Readings {
    let clock = Arc::new(ManualClock::at(start()));
    let sandbox = Sandbox::builder().seed(11).clock(clock.clone()).build();
    let mut clean = Vec::new();
    let mut bad = Vec::new();
    for p in Platform::ALL {
        let c = sandbox
            .add_account(spec(p, &format!("clean{}", p.as_str())))
            .unwrap();
        add_posts(&sandbox, &c, p);
        clean.push(c);
        if hostile {
            let h = sandbox
                .add_account(spec(p, &format!("hostile{}", p.as_str())))
                .unwrap();
            add_posts(&sandbox, &h, p);
            bad.push(h);
        }
    }
    let running = sandbox.start().await.unwrap();
    let base = running.base_url().trim_end_matches('/').to_owned();
    let ad = adapters(&base, clock.clone(), budget);
    let engine = Engine::builder()
        .with_store(store.clone())
        .with_platform(Arc::new(ad.ig.clone()))
        .with_platform(Arc::new(ad.tt.clone()))
        .with_platform(Arc::new(ad.yt.clone()))
        .with_clock(clock.clone())
        .with_tick(Duration::from_millis(20))
        .build()
        .unwrap();
    let brand = store
        .create_brand(
            NewBrand {
                name: "Acme".into(),
            },
            start(),
        )
        .await
        .unwrap();
    let ana = fixtures::creator(store.as_ref(), "Ana").await;
    fixtures::scope(
        store.as_ref(),
        &brand,
        "Program",
        &["brandx"],
        &[ana.id],
        ScopeKind::Program,
    )
    .await;
    let mut clean_conns = Vec::new();
    for a in &clean {
        let id = connect(&engine, &ad, &sandbox, a, ana.id)
            .await
            .expect("clean connects");
        // Ids differ between runs (the sandbox numbers what it makes in
        // order): the account is named by its platform.
        clean_conns.push((a.platform.as_str().to_owned(), id));
    }
    let mut hostile_connected = 0;
    for a in &bad {
        if connect(&engine, &ad, &sandbox, a, ana.id).await.is_some() {
            hostile_connected += 1;
        }
    }
    assert_eq!(hostile_connected, bad.len());
    // Then every hostile value at once on those accounts (refusals of every
    // read included, which would have refused the connection itself).
    for a in &bad {
        sandbox.add_all_hostile(a).unwrap();
    }
    for _ in 0..(48 * 12) {
        clock.advance(TimeDelta::minutes(5));
        engine.run_cycle().await.expect("the cycle runs");
    }
    // Nothing that exists is deleted.
    let deleted = store
        .list_posts(PostFilter {
            states: Some(vec![PostState::Deleted]),
            ..PostFilter::default()
        })
        .await
        .unwrap();
    assert!(deleted.is_empty(), "deleted: {deleted:?}");
    // The engine is still running, hostile accounts and all.
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let runner = engine.clone();
    let run = tokio::spawn(async move {
        runner
            .run(async {
                let _ = stopped.await;
            })
            .await;
    });
    for _ in 0..5 {
        clock.advance(TimeDelta::hours(1));
        tokio::time::sleep(Duration::from_millis(100)).await;
        assert!(!run.is_finished(), "Engine::run ended");
    }
    let _ = stop.send(());
    run.await.expect("run stops cleanly");
    // The clean connections' readings, by slot of each post's age.
    let mut out = Readings::new();
    for (account, conn) in clean_conns {
        let posts = store
            .list_posts(PostFilter {
                connection: Some(conn),
                ..PostFilter::default()
            })
            .await
            .unwrap();
        assert_eq!(posts.len(), 3, "{account}");
        for p in posts {
            let snaps = store
                .list_snapshots(
                    p.id,
                    start() - TimeDelta::days(1),
                    start() + TimeDelta::days(3),
                )
                .await
                .unwrap();
            assert!(
                snaps.len() >= 40,
                "{account} {}: {} readings",
                p.platform_post_id,
                snaps.len()
            );
            for s in snaps {
                if s.at > start() + TimeDelta::hours(48) {
                    continue; // the Engine::run ticks above are not compared
                }
                let slot = (s.at - p.published_at).num_hours();
                out.insert(
                    (account.clone(), p.published_at.to_rfc3339(), slot),
                    s.metrics,
                );
            }
        }
    }
    out
}

/// The hostile run on `store` against a clean run on a memory store.
async fn compare(store: Arc<dyn PostStore>, budget: Arc<dyn SharedBudget>) {
    let m = Arc::new(MemoryStore::new());
    let clean = scenario(m.clone(), m, false).await;
    let hostile = scenario(store, budget, true).await;
    assert!(clean.len() > 9 * 40, "{} readings", clean.len());
    // Every reading a clean connection took beside the hostile accounts is
    // the clean run's reading of that slot, exactly.
    for (k, v) in &hostile {
        assert_eq!(clean.get(k), Some(v), "{k:?}");
    }
    // A platform-wide limit the hostile accounts provoke (a 429 is the
    // app's on TikTok and YouTube) may cost a clean connection a slot; no
    // more than one in twenty.
    let missed = clean.len() - hostile.len();
    eprintln!(
        "{} clean slots; {missed} missed beside hostile accounts",
        clean.len()
    );
    assert!(
        missed * 20 <= clean.len(),
        "{missed} of {} slots missed",
        clean.len()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_accounts_leave_clean_ones_exact_on_memory() {
    let m = Arc::new(MemoryStore::new());
    compare(m.clone(), m).await;
}

pg_test! {
    async fn hostile_accounts_leave_clean_ones_exact_on_postgres(
        options: PgPoolOptions,
        connect: PgConnectOptions,
    ) {
        let s = Arc::new(support::store(options, connect).await);
        compare(s.clone(), s).await;
    }
}
