//! PostgreSQL restarted during a run: on a cluster of its own, the engine's
//! cycle fails retryably while the server is down, the pool reconnects, and
//! the run completes with nothing lost — exactly as a run that merely
//! skipped that hour.

mod support;

use chrono::TimeDelta;
use socialsync_core::clock::Timestamp;
use socialsync_core::engine::EngineError;
use socialsync_core::metrics::{Metric, Metrics};
use socialsync_core::platform::Platform;
use socialsync_core::store::{PostFilter, PostStore};
use socialsync_core::tracking::{ScopeSpec, Tracking};
use socialsync_store_memory::MemoryStore;
use socialsync_store_postgres::PgStore;
use socialsync_testkit::{FakePost, Sim};
use sqlx::postgres::PgPoolOptions;
use std::sync::Arc;
use std::time::Duration;
use support::cluster::{Cluster, server_bin_dir};

fn t0() -> Timestamp {
    "2026-03-01T00:00:00Z".parse().unwrap()
}

fn h(n: i64) -> TimeDelta {
    TimeDelta::hours(n)
}

async fn script(sim: &Sim) {
    let tracking = Tracking::new(sim.store.clone(), sim.clock.clone());
    let brand = tracking.create_brand("Acme").await.unwrap().id;
    let ana = tracking.create_creator("Ana", None).await.unwrap().id;
    tracking
        .create_program(brand, ScopeSpec::new("Program", ["#BrandX"]).members([ana]))
        .await
        .unwrap();
    let fake = sim.fake(Platform::YouTube);
    for k in 0..12i64 {
        let at = t0() - h(k) - TimeDelta::minutes(20);
        let mut post = FakePost::new(&format!("yt-{k}"), "yt-ana", at, "#brandx review");
        for j in 0..12u64 {
            let m = Metrics::new()
                .with(Metric::Views, 100 * j + k as u64)
                .with(Metric::Likes, j);
            post = post.reads(at + h(2 * j as i64), m);
        }
        fake.add_post(post);
    }
    sim.connect(ana, Platform::YouTube, "yt-ana").await;
}

async fn outcome(store: &dyn PostStore) -> Vec<String> {
    let mut posts = store.list_posts(PostFilter::default()).await.unwrap();
    posts.sort_by(|a, b| a.platform_post_id.cmp(&b.platform_post_id));
    let mut out = Vec::new();
    for p in posts {
        let snaps = store
            .list_snapshots(p.id, t0() - h(100), t0() + h(100))
            .await
            .unwrap();
        let snaps: Vec<String> = snaps
            .iter()
            .map(|s| format!("{}={:?}", s.at.format("%d%H"), s.metrics))
            .collect();
        out.push(format!(
            "{} {:?} {} [{}]",
            p.platform_post_id,
            p.state,
            p.scan_count,
            snaps.join(" ")
        ));
    }
    out
}

const HOURS: i64 = 12;
const DOWN_AT: i64 = 6;

#[test]
fn run_survives_a_database_restart_with_nothing_lost() {
    let Some(bin) = server_bin_dir() else {
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("the PostgreSQL server binaries are needed under CI");
        }
        eprintln!("skipped: no PostgreSQL server binaries");
        return;
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async move {
        let cluster = Cluster::start_new(bin);
        let pool = PgPoolOptions::new()
            .max_connections(3)
            .acquire_timeout(Duration::from_secs(2))
            .connect(&cluster.url())
            .await
            .expect("connect to the throwaway cluster");
        let pg = PgStore::new(pool, support::test_keys());
        pg.migrate().await.expect("migrate");
        let sim = Sim::new(Arc::new(pg), t0());
        script(&sim).await;
        // The reference: the same run on the memory store, skipping the hour
        // the database is down.
        let reference = Sim::new(Arc::new(MemoryStore::new()), t0());
        script(&reference).await;
        for step in 1..=HOURS {
            sim.clock.advance(h(1));
            reference.clock.advance(h(1));
            if step == DOWN_AT {
                cluster.stop();
                match sim.engine.run_cycle().await {
                    Err(EngineError::Store(e)) => {
                        assert!(e.is_retryable(), "a stopped server is retryable: {e:?}")
                    }
                    other => panic!("expected a retryable store error, got {other:?}"),
                }
                cluster.start();
                continue;
            }
            sim.engine.run_cycle().await.expect("cycle");
            reference.engine.run_cycle().await.expect("reference cycle");
        }
        let got = outcome(&*sim.store).await;
        let want = outcome(&*reference.store).await;
        assert_eq!(got.len(), 12);
        assert_eq!(got, want, "nothing lost, nothing doubled");
    });
}
