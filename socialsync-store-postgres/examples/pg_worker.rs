//! A worker on PostgreSQL: runs the engine against the database at
//! `DATABASE_URL`. Start as many as you like, on one machine or many: they
//! share the work through the database.
//!
//! ```sh
//! DATABASE_URL=postgres://postgres@127.0.0.1:5432/test \
//!   cargo run -p socialsync-store-postgres --example pg_worker -- --seed --cycles 3
//! ```
//!
//! - `SOCIALSYNC_CREDENTIALS_KEY`: 64 hex digits, the key credentials are
//!   sealed with (a fixed demo key when unset: never in production);
//! - `--seed`: adds a demo brand, creator, program and account first;
//! - `--cycles N`: runs N cycles (one simulated hour apart) and prints the
//!   counts, instead of running until Ctrl-C.
//!
//! The platforms here are the test kit's in-process fakes, standing in for
//! the real adapters a host wires in the same way (`with_platform`).

use chrono::TimeDelta;
use socialsync_core::clock::{Clock, ManualClock, SystemClock};
use socialsync_core::engine::Engine;
use socialsync_core::metrics::{Metric, Metrics};
use socialsync_core::platform::Platform;
use socialsync_core::store::{NewConnection, PostFilter, PostStore};
use socialsync_core::tracking::{ScopeSpec, Tracking};
use socialsync_store_postgres::{CredentialKeys, PgStore};
use socialsync_testkit::{FakePlatform, FakePost};
use sqlx::postgres::PgPoolOptions;
use std::sync::Arc;

fn key() -> anyhow::Result<CredentialKeys> {
    match std::env::var("SOCIALSYNC_CREDENTIALS_KEY") {
        Ok(hex) => {
            let hex = hex.trim();
            anyhow::ensure!(
                hex.len() == 64 && hex.is_ascii(),
                "SOCIALSYNC_CREDENTIALS_KEY must be 64 hex digits"
            );
            let mut key = [0u8; 32];
            for (i, byte) in key.iter_mut().enumerate() {
                *byte = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16)
                    .map_err(|_| anyhow::anyhow!("SOCIALSYNC_CREDENTIALS_KEY is not hex"))?;
            }
            Ok(CredentialKeys::new("env", key))
        }
        Err(_) => {
            eprintln!("warning: SOCIALSYNC_CREDENTIALS_KEY unset: using a demo key");
            Ok(CredentialKeys::new("demo", [0x42; 32]))
        }
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let url = std::env::var("DATABASE_URL").map_err(|_| {
        anyhow::anyhow!("set DATABASE_URL, e.g. postgres://postgres@127.0.0.1/test")
    })?;
    let args: Vec<String> = std::env::args().collect();
    let seed = args.iter().any(|a| a == "--seed");
    let cycles: Option<u32> = args
        .iter()
        .position(|a| a == "--cycles")
        .and_then(|i| args.get(i + 1))
        .map(|n| n.parse())
        .transpose()?;

    let pool = PgPoolOptions::new()
        .max_connections(4)
        .connect(&url)
        .await?;
    let pg = PgStore::new(pool, key()?);
    pg.migrate().await?;
    let store: Arc<dyn PostStore> = Arc::new(pg);

    // A manual clock when running a fixed number of simulated hours.
    let manual = Arc::new(ManualClock::at(SystemClock.now()));
    let clock: Arc<dyn Clock> = if cycles.is_some() {
        manual.clone()
    } else {
        Arc::new(SystemClock)
    };
    let platforms: Vec<Arc<FakePlatform>> = Platform::ALL
        .into_iter()
        .map(|p| Arc::new(FakePlatform::new(p, clock.clone())))
        .collect();
    let mut builder = Engine::builder()
        .with_store(store.clone())
        .with_clock(clock.clone());
    for p in &platforms {
        builder = builder.with_platform(p.clone());
    }
    let engine = builder.build()?;

    if seed {
        let tracking = Tracking::new(store.clone(), clock.clone());
        let brand = tracking.create_brand("Demo brand").await?.id;
        let creator = tracking.create_creator("Demo creator", None).await?.id;
        tracking
            .create_program(
                brand,
                ScopeSpec::new("Demo program", ["#Demo"]).members([creator]),
            )
            .await?;
        let tiktok = &platforms[1];
        let account = format!("demo-{}", clock.now().timestamp_micros());
        let credentials = tiktok.add_account(&account, "@demo");
        for k in 0..5 {
            let at = clock.now() - TimeDelta::hours(k + 1);
            tiktok.add_post(
                FakePost::new(&format!("{account}-{k}"), &account, at, "hello #demo")
                    .reads(at, Metrics::new().with(Metric::Views, 10 * k as u64 + 1)),
            );
        }
        engine
            .connect(NewConnection {
                creator,
                platform: Platform::TikTok,
                account_id: account.as_str().into(),
                handle: "@demo".into(),
                credentials,
            })
            .await?;
        println!("seeded a demo program and account {account}");
    }

    match cycles {
        Some(n) => {
            for i in 1..=n {
                let r = engine.run_cycle().await?;
                println!(
                    "cycle {i}: {} scans, {} changed, {} posts found",
                    r.scans, r.changed, r.posts_found
                );
                manual.advance(TimeDelta::hours(1));
            }
            let posts = store.list_posts(PostFilter::default()).await?;
            println!("{} posts stored", posts.len());
        }
        None => {
            println!("worker running; Ctrl-C stops it after the cycle in flight");
            engine
                .run(async {
                    let _ = tokio::signal::ctrl_c().await;
                })
                .await;
        }
    }
    Ok(())
}
