//! One simulated day of a YouTube fleet against the sandbox, shared by
//! `examples/quota_day.rs`, `examples/capacity.rs` and `tests/capacity.rs`:
//! the real YouTube adapter, the engine and the memory store on an
//! accelerated clock, from one Pacific midnight (when the quota resets) to
//! the next, counting what the sandbox charged.
#![allow(dead_code)] // each user takes what it needs

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
#[derive(Debug, Clone, Copy)]
pub(crate) struct DayOptions {
    /// Connected creators.
    pub(crate) creators: usize,
    /// Monitored videos per creator.
    pub(crate) videos: usize,
    /// Statistics read with the app's API key.
    pub(crate) api_key: bool,
    /// The engine's tick.
    pub(crate) tick: TimeDelta,
    /// The project's daily units.
    pub(crate) quota: u32,
}

impl Default for DayOptions {
    fn default() -> Self {
        DayOptions {
            creators: 135,
            videos: 7,
            api_key: true,
            tick: TimeDelta::seconds(30),
            quota: 10_000,
        }
    }
}

/// What the sandbox charged in the day, and how often each video was read.
#[derive(Debug, Clone)]
pub(crate) struct DayCounts {
    /// Requests by endpoint.
    pub(crate) requests: std::collections::BTreeMap<Endpoint, u64>,
    /// Refusals for quota or rate.
    pub(crate) refused: u64,
    /// Each monitored video's reads in the day, ascending.
    pub(crate) reads: Vec<u32>,
    /// Wall time of the day.
    pub(crate) wall: std::time::Duration,
}

impl DayCounts {
    /// Requests to `e`.
    pub(crate) fn count(&self, e: Endpoint) -> u64 {
        self.requests.get(&e).copied().unwrap_or(0)
    }

    /// Units of the project quota (every Data API call but
    /// `videos:batchGetStats`).
    pub(crate) fn project_units(&self) -> u64 {
        [
            Endpoint::YouTubeChannels,
            Endpoint::YouTubePlaylistItems,
            Endpoint::YouTubeVideos,
        ]
        .iter()
        .map(|e| self.count(*e))
        .sum()
    }

    /// Units of the `videos:batchGetStats` bucket.
    pub(crate) fn batch_stats_units(&self) -> u64 {
        self.count(Endpoint::YouTubeBatchGetStats)
    }
}

/// Runs the day.
pub(crate) async fn run_day(o: DayOptions) -> anyhow::Result<DayCounts> {
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
            // Ages of hours to days; the minutes spread evenly over the
            // hour across the fleet, so slots fall due tick after tick.
            let k = (v * o.creators + i) as i64;
            let spacing = 3_600_000 / (o.creators * o.videos).max(1) as i64;
            let published = clock.now()
                - TimeDelta::hours(6 + 11 * v as i64)
                - TimeDelta::milliseconds(k * spacing);
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

    let mut reads: Vec<u32> = before
        .iter()
        .map(|(id, n)| after.get(id).copied().unwrap_or(*n).saturating_sub(*n))
        .collect();
    reads.sort_unstable();
    Ok(DayCounts {
        requests: sandbox.request_counts(),
        refused: sandbox.platform_rate_limited_count(Platform::YouTube),
        reads,
        wall,
    })
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
