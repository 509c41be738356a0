//! PostgreSQL figures, in one run against the server at `DATABASE_URL` (a
//! database `socialsync_bench` is created there afresh):
//!
//! - (a) the scan cycle at 100 000 due posts (claim, compare, snapshots,
//!   aggregates; 30 % changed), in post-scans per second: driven at the
//!   store by two concurrent workers, and through the engine (which also
//!   publishes events, records health and reads a fake platform);
//! - (b) raw `COPY` of 100 000 rows into a bare snapshot table, rows per
//!   second, and the ratio a / b;
//! - (c) a campaign report over 1 000 posts × 90 days of hourly readings from
//!   the maintained aggregates, against the fastest single SQL query over the
//!   raw snapshots;
//! - `EXPLAIN ANALYZE` of the claim's statement that picks and locks the
//!   blocks of due posts.
//!
//! `cargo bench -p socialsync-store-postgres --bench pg`
//!
//! `PG_BENCH_CLAIM_BATCH` (default 5 000 posts per claim) and
//! `PG_BENCH_WORKERS` (default 2 store-level workers) vary (a). For
//! profiling: `PG_BENCH_KEEP=1` stops after (a) and leaves its database in
//! place; `PG_BENCH_SKIP_REPORT=1` leaves out (c).

#![allow(missing_docs)]

use chrono::TimeDelta;
use socialsync_core::clock::Timestamp;
use socialsync_core::engine::Engine;
use socialsync_core::ids::{PlatformPostId, ScopeId};
use socialsync_core::metrics::{Metric, Metrics};
use socialsync_core::platform::Platform;
use socialsync_core::report::{BucketSize, ReportQuery};
use socialsync_core::report::{ReportRange, scope_report};
use socialsync_core::store::ScanQueue;
use socialsync_core::store::{ClaimRequest, NextScan, PostStore, ScanCompletion, ScanReading};
use socialsync_core::tracking::{ScopeSpec, Tracking};
use socialsync_store_postgres::{CLAIM_SQL, CredentialKeys, PgStore};
use socialsync_testkit::{FakePost, Sim};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{ConnectOptions, Connection, Executor, PgConnection};
use std::str::FromStr;
use std::sync::Arc;
use std::time::{Duration, Instant};

const CREATORS: usize = 100;
const POSTS_PER_CREATOR: usize = 1_000;
const POSTS: usize = CREATORS * POSTS_PER_CREATOR;
const DB: &str = "socialsync_bench";

type Res<T> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

fn views(v: u64) -> Metrics {
    Metrics::new()
        .with(Metric::Views, v)
        .with(Metric::Likes, v / 10)
}

async fn fresh_database(url: &str) -> Res<PgConnectOptions> {
    let admin = PgConnectOptions::from_str(url)?;
    let mut conn = admin.connect().await?;
    conn.execute(format!("DROP DATABASE IF EXISTS {DB} WITH (FORCE)").as_str())
        .await?;
    conn.execute(format!("CREATE DATABASE {DB}").as_str())
        .await?;
    conn.close().await?;
    Ok(admin.database(DB))
}

async fn store(opts: &PgConnectOptions) -> Res<PgStore> {
    let pool = PgPoolOptions::new()
        .max_connections(4)
        .connect_with(opts.clone())
        .await?;
    let store = PgStore::new(pool, CredentialKeys::new("bench", [9; 32]));
    store.migrate().await?;
    Ok(store)
}

/// Posts per claim, store-level and in the engine (`PG_BENCH_CLAIM_BATCH`,
/// default 5 000).
fn claim_batch() -> usize {
    std::env::var("PG_BENCH_CLAIM_BATCH")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5_000)
}

/// (a): returns post-scans per second (best of the timed cycles).
/// Concurrent store-level workers (`PG_BENCH_WORKERS`, default 2: one per
/// core, as a host runs workers).
fn workers() -> usize {
    std::env::var("PG_BENCH_WORKERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2)
        .max(1)
}

/// The engine's scan concurrency in the bench (its default).
const ENGINE_LANES: usize = 4;

/// One store-level worker: claim, compare each post's current reading with
/// the latest one the claim handed out, complete (snapshots and aggregates
/// for the changed ones), until nothing is due. Returns the scans and the
/// time spent in claims and in completions.
async fn store_lane(pg: &PgStore, now: Timestamp, round: u64) -> Res<(usize, Duration, Duration)> {
    let mut scanned = 0;
    let (mut t_claim, mut t_complete) = (Duration::ZERO, Duration::ZERO);
    loop {
        let tc = Instant::now();
        let claims = pg
            .claim_due_posts(ClaimRequest {
                now,
                lease_until: now + TimeDelta::minutes(10),
                limit: claim_batch(),
            })
            .await?;
        t_claim += tc.elapsed();
        if claims.is_empty() {
            return Ok((scanned, t_claim, t_complete));
        }
        let done: Vec<ScanCompletion> = claims
            .iter()
            .map(|c| {
                // What the platform answers now: 30 % of posts moved.
                let moved = (c.post.id.0 as u64 + round) % 10 < 3;
                let current = if moved {
                    views(round * 10 + c.post.id.0 as u64)
                } else {
                    c.post.latest.unwrap_or_default()
                };
                ScanCompletion {
                    post: c.post.id,
                    token: c.token,
                    at: now,
                    reading: ScanReading::read((c.post.latest != Some(current)).then_some(current)),
                    next: NextScan::At(now + TimeDelta::hours(1)),
                }
            })
            .collect();
        let tc = Instant::now();
        scanned += pg.complete_scans(done).await?.len();
        t_complete += tc.elapsed();
    }
}

/// The scan cycle: (store-level, through the engine), post-scans per second.
async fn scan_cycle(opts: &PgConnectOptions) -> Res<(f64, f64)> {
    let start: Timestamp = "2026-03-01T00:00:00Z".parse()?;
    let pg = store(opts).await?;
    let store: Arc<dyn PostStore> = Arc::new(pg.clone());
    let sim = Sim::new(store.clone(), start);
    let fake = sim.fake(Platform::YouTube).clone();
    let tracking = Tracking::new(store.clone(), sim.clock.clone());
    let brand = tracking.create_brand("Bench").await?.id;
    let mut members = Vec::new();
    let mut ids = Vec::new();
    for c in 0..CREATORS {
        members.push(tracking.create_creator(&format!("c{c}"), None).await?.id);
        for p in 0..POSTS_PER_CREATOR {
            let id = format!("c{c}p{p}");
            let published = start - TimeDelta::minutes(30);
            fake.add_post(
                FakePost::new(&id, &format!("yt{c}"), published, "bench #brandx")
                    .reads(published, views(1)),
            );
            ids.push(PlatformPostId::new(id));
        }
    }
    tracking
        .create_program(
            brand,
            ScopeSpec::new("Program", ["brandx"]).members(members.iter().copied()),
        )
        .await?;
    let t = Instant::now();
    for (c, creator) in members.iter().enumerate() {
        sim.connect(*creator, Platform::YouTube, &format!("yt{c}"))
            .await;
    }
    println!("setup: discovered {POSTS} posts in {:.1?}", t.elapsed());
    let mut b = Engine::builder()
        .with_store(store.clone())
        .with_clock(sim.clock.clone())
        .with_unchanged_events(false)
        .with_claim_batch(claim_batch())
        .with_scan_concurrency(ENGINE_LANES);
    for p in sim.platforms.values() {
        b = b.with_platform(p.clone());
    }
    let engine = b.build()?;
    sqlx::query("ANALYZE").execute(pg.pool()).await?;
    let t = Instant::now();
    let first = engine.run_scans().await?;
    println!(
        "first cycle (every post's first reading): {} scans in {:.1?}",
        first.scans,
        t.elapsed()
    );
    sqlx::query("VACUUM ANALYZE schedule, scan_blocks")
        .execute(pg.pool())
        .await?;
    explain_claim(&pg, start + TimeDelta::hours(1)).await?;
    let mut best = f64::MAX;
    for round in 1..=3u64 {
        for (i, id) in ids.iter().enumerate() {
            if (i as u64 + round) % 10 < 3 {
                fake.set_current(id, views(round * 10 + i as u64));
            }
        }
        sim.clock.advance(TimeDelta::hours(1));
        // What autovacuum does in a running system between hourly cycles.
        sqlx::query("VACUUM ANALYZE schedule, scan_blocks")
            .execute(pg.pool())
            .await?;
        let t = Instant::now();
        let r = engine.run_scans().await?;
        let secs = t.elapsed().as_secs_f64();
        assert_eq!(r.scans as usize, POSTS);
        println!(
            "cycle {round}: {} scans, {} changed, {:.2} s, {:.0} post-scans/s",
            r.scans,
            r.changed,
            secs,
            POSTS as f64 / secs
        );
        best = best.min(secs);
    }
    // The same cycle driven at the store directly: claim, compare each
    // post's current reading with the latest one the claim handed out,
    // complete (snapshots and aggregates for the changed ones), one claim
    // batch after another; no events, no platform.
    let mut best_store = f64::MAX;
    for round in 4..=6u64 {
        sim.clock.advance(TimeDelta::hours(1));
        sqlx::query("VACUUM ANALYZE schedule, scan_blocks")
            .execute(pg.pool())
            .await?;
        let now = sim.now();
        let t = Instant::now();
        let lanes =
            futures::future::join_all((0..workers()).map(|_| store_lane(&pg, now, round))).await;
        let (mut scanned, mut t_claim, mut t_complete) = (0, Duration::ZERO, Duration::ZERO);
        for lane in lanes {
            let (n, c, d) = lane?;
            scanned += n;
            t_claim += c;
            t_complete += d;
        }
        let secs = t.elapsed().as_secs_f64();
        assert_eq!(scanned, POSTS);
        println!(
            "store-level cycle {round}: {scanned} scans in claims of {}, {} worker(s), {secs:.2} s, \
             {:.0} post-scans/s (time in claims {:.2} s, in completions {:.2} s)",
            claim_batch(),
            workers(),
            POSTS as f64 / secs,
            t_claim.as_secs_f64(),
            t_complete.as_secs_f64()
        );
        best_store = best_store.min(secs);
    }
    Ok((POSTS as f64 / best_store, POSTS as f64 / best))
}

async fn explain_claim(pg: &PgStore, now: Timestamp) -> Res<()> {
    let mut tx = pg.pool().begin().await?;
    let plan: Vec<String> = sqlx::query_scalar(&format!("EXPLAIN (ANALYZE, BUFFERS) {CLAIM_SQL}"))
        .bind(now.timestamp_micros())
        .bind(now)
        // What a claim of 1 000 posts locks first.
        .bind(9i64)
        .bind(Vec::<i64>::new())
        .fetch_all(&mut *tx)
        .await?;
    tx.rollback().await?;
    println!(
        "\nEXPLAIN ANALYZE of the claim's block selection (a claim of 1000, {POSTS} due posts):"
    );
    for line in plan {
        println!("  {line}");
    }
    println!();
    Ok(())
}

/// (b): returns rows per second of a raw COPY of 100 000 rows.
async fn raw_copy(opts: &PgConnectOptions) -> Res<f64> {
    let mut conn: PgConnection = opts.connect().await?;
    let mut best = f64::MAX;
    for round in 0..3 {
        conn.execute(
            "DROP TABLE IF EXISTS copy_bench; CREATE TABLE copy_bench (post_id bigint, \
             observed_at timestamptz, views bigint, likes bigint, comments bigint, \
             shares bigint, saves bigint, reach bigint, primary key (post_id, observed_at))",
        )
        .await?;
        let mut data = String::with_capacity(POSTS * 64);
        for i in 0..POSTS {
            data.push_str(&format!(
                "{i}\t2026-03-01 0{}:00:00+00\t{}\t{}\t{}\t{}\t{}\t{}\n",
                round,
                i * 3,
                i / 7,
                i / 50,
                i / 90,
                i / 30,
                i * 2
            ));
        }
        let t = Instant::now();
        let mut copy = conn
            .copy_in_raw("COPY copy_bench FROM STDIN (FORMAT text)")
            .await?;
        copy.send(data.as_bytes()).await?;
        let n = copy.finish().await?;
        let secs = t.elapsed().as_secs_f64();
        assert_eq!(n as usize, POSTS);
        println!(
            "COPY {round}: {n} rows in {secs:.3} s, {:.0} rows/s",
            POSTS as f64 / secs
        );
        best = best.min(secs);
    }
    conn.execute("DROP TABLE copy_bench").await?;
    Ok(POSTS as f64 / best)
}

/// The fastest single query over raw snapshots: per-snapshot changes of the
/// carried values (a window over the primary key order), summed per hour,
/// then a running sum gives each boundary's as-of totals.
fn raw_report_sql() -> String {
    let deltas: Vec<String> = (1..=Metric::COUNT)
        .map(|i| {
            format!(
                "COALESCE(c[{i}], 0) - COALESCE(lag(c[{i}]) OVER (PARTITION BY post_id ORDER BY observed_at), 0) AS d{i}"
            )
        })
        .collect();
    let sums: Vec<String> = (1..=Metric::COUNT)
        .map(|i| format!("sum(sum(d{i})) OVER (ORDER BY h)::bigint"))
        .collect();
    format!(
        "WITH s AS (SELECT post_id, observed_at, COALESCE(carried, metrics) AS c FROM snapshots \
           WHERE post_id IN (SELECT id FROM posts WHERE scopes @> ARRAY[$1::bigint]) \
             AND observed_at < $2), \
         d AS (SELECT date_trunc('hour', observed_at) AS h, {} FROM s) \
         SELECT h, ARRAY[{}] FROM d GROUP BY h ORDER BY h",
        deltas.join(", "),
        sums.join(", ")
    )
}

/// (c): a campaign report over 1 000 posts × 90 days hourly.
async fn report(opts: &PgConnectOptions) -> Res<()> {
    let start: Timestamp = "2026-01-01T00:00:00Z".parse()?;
    let pg = store(opts).await?;
    let store: Arc<dyn PostStore> = Arc::new(pg.clone());
    let sim = Sim::new(store.clone(), start);
    let fake = sim.fake(Platform::YouTube).clone();
    let tracking = Tracking::new(store.clone(), sim.clock.clone());
    let brand = tracking.create_brand("Report bench").await?.id;
    let ana = tracking.create_creator("Ana", None).await?.id;
    let campaign: ScopeId = tracking
        .create_program(brand, ScopeSpec::new("Campaign", ["brandx"]).members([ana]))
        .await?
        .id;
    for p in 0..1_000 {
        fake.add_post(FakePost::new(
            &format!("r{p}"),
            "yt-ana",
            start - TimeDelta::minutes(1),
            "#brandx",
        ));
    }
    sim.connect(ana, Platform::YouTube, "yt-ana").await;
    // 2 160 hourly readings per post, loaded in bulk, and the aggregates the
    // store maintains as scans land, built in bulk the same way (per hour,
    // the change of the carried counters).
    let t = Instant::now();
    let mut tx = pg.pool().begin().await?;
    sqlx::query(
        "INSERT INTO snapshots (post_id, observed_at, metrics) \
         SELECT p.id, $1 + make_interval(hours => h), \
           ARRAY[h * (p.id % 7 + 1), h / 3 + p.id % 5, h / 20, h / 50, NULL, h * 2, \
                 NULL, NULL, NULL, NULL, NULL, NULL, 900 + p.id % 100]::bigint[] \
         FROM posts p, generate_series(0, 2159) AS h",
    )
    .bind(start)
    .execute(&mut *tx)
    .await?;
    let sums: Vec<String> = (1..=Metric::COUNT)
        .map(|i| {
            if Metric::from_index(i - 1).is_some_and(Metric::is_counter) {
                format!("sum(COALESCE(m[{i}], 0) - COALESCE(pm[{i}], 0))::numeric")
            } else {
                "0::numeric".to_owned()
            }
        })
        .collect();
    for kind in [1i16, 2] {
        let key = if kind == 1 { campaign.0 } else { brand.0 };
        sqlx::query(&format!(
            "INSERT INTO aggregates (kind, key, hour, totals) \
             SELECT $1, $2, floor(extract(epoch FROM observed_at) / 3600)::bigint, ARRAY[{}] \
             FROM (SELECT observed_at, metrics AS m, \
                     lag(metrics) OVER (PARTITION BY post_id ORDER BY observed_at) AS pm \
                   FROM snapshots) s GROUP BY 3",
            sums.join(", ")
        ))
        .bind(kind)
        .bind(key)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    sqlx::query("ANALYZE").execute(pg.pool()).await?;
    println!(
        "report setup: 2 160 000 snapshots loaded in {:.1?}",
        t.elapsed()
    );
    let range = ReportRange::new(start, start + TimeDelta::days(90), BucketSize::Hour)?;
    let query = ReportQuery {
        brand,
        scope: Some(campaign),
        from: start,
        to: start + TimeDelta::days(90),
        bucket: BucketSize::Hour,
    };
    let mut best_inputs = Duration::MAX;
    let mut best_report = Duration::MAX;
    let mut inputs = None;
    for _ in 0..5 {
        let t = Instant::now();
        inputs = Some(store.report_inputs(query).await?);
        best_inputs = best_inputs.min(t.elapsed());
        let t = Instant::now();
        let r = scope_report(&*store, brand, campaign, range).await?;
        best_report = best_report.min(t.elapsed());
        assert_eq!(r.by_post.len(), 1_000);
    }
    let sql = raw_report_sql();
    let mut best_raw = Duration::MAX;
    let mut raw: Vec<(Timestamp, Vec<i64>)> = Vec::new();
    for _ in 0..3 {
        let t = Instant::now();
        raw = sqlx::query_as(&sql)
            .bind(campaign.0)
            .bind(start + TimeDelta::days(90))
            .fetch_all(pg.pool())
            .await?;
        best_raw = best_raw.min(t.elapsed());
    }
    // The two agree: the raw running sum at hour h is the boundary h + 1h.
    let inputs = inputs.ok_or("no report")?;
    for (at, totals) in raw.iter().take(2159) {
        let boundary = *at + TimeDelta::hours(1);
        let (_, agg) = inputs
            .boundaries
            .iter()
            .find(|(b, _)| *b == boundary)
            .ok_or("boundary missing")?;
        for m in Metric::ALL.iter().filter(|m| m.is_counter()) {
            assert_eq!(
                agg[m.index()],
                i128::from(totals[m.index()]),
                "{m} at {boundary}"
            );
        }
    }
    println!(
        "report inputs from aggregates: {:.2} ms (whole campaign report incl. build: {:.2} ms)",
        best_inputs.as_secs_f64() * 1e3,
        best_report.as_secs_f64() * 1e3
    );
    println!(
        "fastest raw SQL over snapshots: {:.1} ms -> {:.0}x slower than the aggregates",
        best_raw.as_secs_f64() * 1e3,
        best_raw.as_secs_f64() / best_inputs.as_secs_f64()
    );
    println!("raw query:\n  {sql}");
    Ok(())
}

fn main() -> Res<()> {
    let Ok(url) = std::env::var("DATABASE_URL") else {
        eprintln!("skipped: set DATABASE_URL to a PostgreSQL server");
        return Ok(());
    };
    if std::env::args().any(|a| a == "--list" || a == "--test") {
        return Ok(()); // `cargo test --benches` probes bench binaries
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    rt.block_on(async {
        let opts = fresh_database(&url).await?;
        let (a, engine) = scan_cycle(&opts).await?;
        if std::env::var_os("PG_BENCH_KEEP").is_some() {
            return Ok(());
        }
        let opts = fresh_database(&url).await?;
        let b = raw_copy(&opts).await?;
        println!(
            "\n(a) scan cycle (claim, compare, snapshots, aggregates; claims of {}, {} worker(s)): \
             {a:.0} post-scans/s\n(b) raw COPY: {b:.0} rows/s\na/b = {:.3} (1/{:.1})\n\
             through the engine (plus events, health, the fake platform; {} lanes): \
             {engine:.0} post-scans/s, {:.3} of b (1/{:.1})\n",
            claim_batch(),
            workers(),
            a / b,
            b / a,
            ENGINE_LANES,
            engine / b,
            b / engine
        );
        if std::env::var_os("PG_BENCH_SKIP_REPORT").is_none() {
            let opts = fresh_database(&url).await?;
            report(&opts).await?;
        }
        let admin = PgConnectOptions::from_str(&url)?;
        let mut conn = admin.connect().await?;
        conn.execute(format!("DROP DATABASE IF EXISTS {DB} WITH (FORCE)").as_str())
            .await?;
        Ok(())
    })
}
