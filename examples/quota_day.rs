//! One simulated day of a YouTube fleet against the sandbox, counting what
//! the sandbox charged: the real YouTube adapter, the engine and the memory
//! store on an accelerated clock, from one Pacific midnight (when the
//! quota resets) to the next.
//!
//! Creators connect the evening before (their channel reads are not part
//! of the day) and are discovered and read once; then the day runs in
//! ticks. It prints the project quota's units by endpoint, the
//! `videos:batchGetStats` bucket's units, the refusals for quota, and how
//! often each video was read.
//!
//! ```sh
//! cargo run --release --example quota_day -- --creators 135 --videos 7
//! cargo run --release --example quota_day -- --creators 1500 --videos 7 --no-api-key
//! ```
//!
//! Options: `--creators N` (default 135), `--videos N` per creator
//! (default 7), `--no-api-key` (every read with the creators' tokens),
//! `--tick-minutes N` (default 5), `--quota N` (default 10 000).

use chrono::TimeDelta;
use socialsync::core::clock::{Clock, ManualClock, Timestamp};
use socialsync::core::domain::PostState;
use socialsync::core::engine::Engine;
use socialsync::core::platform::Platform;
use socialsync::core::store::{PostFilter, PostStore, SharedBudget};
use socialsync::core::tracking::{ScopeSpec, Tracking};
use socialsync::memory::MemoryStore;
use socialsync_adapters::youtube::YouTube;
use socialsync_adapters::{AppCredentials, CodeExchange, Connector};
use socialsync_sandbox::{AccountSpec, Curve, Endpoint, Metric, PostSpec, RateLimits, Sandbox};
use std::collections::HashMap;
use std::sync::Arc;

/// What the day is run with.
struct Options {
    creators: usize,
    videos: usize,
    api_key: bool,
    tick: TimeDelta,
    quota: u32,
}

impl Options {
    fn parse() -> anyhow::Result<Options> {
        let mut o = Options {
            creators: 135,
            videos: 7,
            api_key: true,
            tick: TimeDelta::minutes(5),
            quota: 10_000,
        };
        let mut args = std::env::args().skip(1);
        while let Some(a) = args.next() {
            let mut value = |name: &str| -> anyhow::Result<u64> {
                let v = args
                    .next()
                    .ok_or_else(|| anyhow::anyhow!("{name} needs a value"))?;
                v.parse()
                    .map_err(|_| anyhow::anyhow!("{name}: {v:?} is not a whole number"))
            };
            match a.as_str() {
                "--creators" => o.creators = value("--creators")?.try_into()?,
                "--videos" => o.videos = value("--videos")?.try_into()?,
                "--tick-minutes" => {
                    let m = value("--tick-minutes")?;
                    anyhow::ensure!((1..=60).contains(&m), "--tick-minutes: 1 to 60");
                    o.tick = TimeDelta::minutes(m.try_into()?);
                }
                "--quota" => o.quota = value("--quota")?.try_into()?,
                "--no-api-key" => o.api_key = false,
                other => anyhow::bail!("unknown option {other:?}"),
            }
        }
        Ok(o)
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> anyhow::Result<()> {
    let o = Options::parse()?;
    // 23:00 Pacific (PST) the evening before the measured day.
    let day_start: Timestamp = "2026-11-20T08:00:00Z".parse()?;
    let clock = Arc::new(ManualClock::at(day_start - TimeDelta::hours(1)));
    let memory = Arc::new(MemoryStore::new());
    let store: Arc<dyn PostStore> = memory.clone();
    let key = "quota-day-api-key";
    let sandbox = Sandbox::builder()
        .seed(7)
        .clock(clock.clone())
        .rate_limits(RateLimits {
            youtube_daily_units: o.quota,
            ..RateLimits::default()
        })
        .youtube_api_key(key)
        .build();
    let running = sandbox.start().await?;
    let base = running.base_url().trim_end_matches('/').to_owned();
    let budget: Arc<dyn SharedBudget> = memory.clone();
    let mut youtube = YouTube::builder()
        .with_base_url(&base)
        .with_app_credentials(AppCredentials::new("quota-day", "quota-day-secret"))
        .with_clock(clock.clone())
        .with_budget(budget)
        .with_daily_quota(u64::from(o.quota));
    if o.api_key {
        youtube = youtube.with_api_key(key);
    }
    let youtube = Arc::new(youtube.build()?);
    let engine = Engine::builder()
        .with_store(store.clone())
        .with_platform(youtube.clone())
        .with_clock(clock.clone())
        .build()?;
    let tracking = Tracking::new(store.clone(), clock.clone());
    let brand = tracking.create_brand("Acme").await?;
    let mut creators = Vec::with_capacity(o.creators);
    for i in 0..o.creators {
        creators.push(tracking.create_creator(&format!("c{i}"), None).await?.id);
    }
    tracking
        .create_program(
            brand.id,
            ScopeSpec::new("Program", ["#BrandX"]).members(creators.iter().copied()),
        )
        .await?;
    for (i, creator) in creators.iter().enumerate() {
        let account = sandbox.add_account(AccountSpec::youtube(
            &format!("@creator{i}"),
            &format!("Creator {i}"),
        ))?;
        for v in 0..o.videos {
            let published = clock.now() - TimeDelta::hours(6 + 11 * v as i64);
            sandbox.add_post(
                &account,
                PostSpec::new(published)
                    .with_title(&format!("video {v}"))
                    .with_description("out now #BrandX")
                    .with_metric(Metric::Views, Curve::linear(100, 10))
                    .with_metric(Metric::Likes, Curve::linear(10, 1)),
            )?;
        }
        let code = sandbox.authorization_code(&account)?;
        let connected = youtube
            .exchange_code(CodeExchange::new(code, "https://host.example/callback"))
            .await?;
        engine
            .connect(connected.into_new_connection(*creator))
            .await?;
    }
    engine.run_cycle().await?;

    // The day: from one Pacific midnight to the next.
    clock.set(day_start);
    sandbox.reset_counters();
    let before = scans(&*store).await?;
    let mut elapsed = TimeDelta::zero();
    let started = std::time::Instant::now();
    while elapsed < TimeDelta::days(1) {
        engine.run_cycle().await?;
        clock.advance(o.tick);
        elapsed += o.tick;
    }
    let after = scans(&*store).await?;
    let wall = started.elapsed();

    let counts = sandbox.request_counts();
    let count = |e: Endpoint| counts.get(&e).copied().unwrap_or(0);
    let data = [
        Endpoint::YouTubeChannels,
        Endpoint::YouTubePlaylistItems,
        Endpoint::YouTubeVideos,
    ];
    let data_units: u64 = data.iter().map(|e| count(*e)).sum();
    let stats_units = count(Endpoint::YouTubeBatchGetStats);
    let refused = sandbox.platform_rate_limited_count(Platform::YouTube);
    let mut reads: Vec<u32> = before
        .iter()
        .map(|(id, n)| after.get(id).copied().unwrap_or(*n).saturating_sub(*n))
        .collect();
    reads.sort_unstable();
    let videos = reads.len().max(1);
    let median = reads.get(reads.len() / 2).copied().unwrap_or(0);
    let hourly = reads.iter().filter(|n| **n >= 24).count();
    println!(
        "quota day: {} creators × {} videos = {} monitored, API key {}, tick {} min, quota {} units",
        o.creators,
        o.videos,
        before.len(),
        if o.api_key { "on" } else { "off" },
        o.tick.num_minutes(),
        o.quota
    );
    println!(
        "project quota: {data_units} units (channels {}, playlistItems {}, videos {})",
        count(Endpoint::YouTubeChannels),
        count(Endpoint::YouTubePlaylistItems),
        count(Endpoint::YouTubeVideos)
    );
    println!("batchGetStats bucket: {stats_units} units");
    println!(
        "batchGetStats units per monitored video per day: {:.3} ({stats_units} / {videos}); videos.list (listing details and token reads) {:.3}",
        stats_units as f64 / videos as f64,
        count(Endpoint::YouTubeVideos) as f64 / videos as f64,
    );
    println!(
        "project units per creator per day: {:.1}",
        data_units as f64 / o.creators.max(1) as f64
    );
    println!("refused for quota or rate: {refused}");
    println!(
        "reads per video in the day: min {} median {median} max {}; {hourly} of {} read every hour",
        reads.first().copied().unwrap_or(0),
        reads.last().copied().unwrap_or(0),
        reads.len()
    );
    println!("token refreshes: {}", count(Endpoint::GoogleToken));
    println!("wall time: {:.1} s", wall.as_secs_f64());
    Ok(())
}

/// Each monitored post's scan count.
async fn scans(store: &dyn PostStore) -> anyhow::Result<HashMap<String, u32>> {
    let posts = store
        .list_posts(PostFilter {
            states: Some(vec![PostState::Monitoring]),
            ..PostFilter::default()
        })
        .await?;
    Ok(posts
        .into_iter()
        .map(|p| (p.platform_post_id.to_string(), p.scan_count))
        .collect())
}
