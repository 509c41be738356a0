//! The quickstart: 100 days of social sync through the real platform
//! adapters, talking HTTP to the sandbox (the platforms' local look-alike,
//! started in-process on a loopback port) — some 30 000 requests, a few
//! seconds once built.
//!
//! An in-memory store, the sandbox (Instagram, TikTok and YouTube on a
//! loopback port) and a manual clock both share; a brand with a creator
//! program and a campaign; creators connect through each platform's OAuth
//! code exchange, post now and then (some posts carry the tracked
//! hashtags), engagement grows, scans run hourly, one connection is revoked
//! and later reconnected. It prints a compact live feed, what the platforms
//! were asked, and the campaign report. Same seed, same output.
//!
//! Run with `cargo run --example quickstart [seed]`.

use chrono::TimeDelta;
use socialsync::core::clock::{Clock, ManualClock, Timestamp};
use socialsync::core::domain::CampaignWindow;
use socialsync::core::engine::Engine;
use socialsync::core::events::{ConnectionChange, Event, ScanOutcome};
use socialsync::core::platform::Platform;
use socialsync::core::platform::SocialPlatform;
use socialsync::core::store::{PostStore, SharedBudget};
use socialsync::core::tracking::{ScopeSpec, Tracking};
use socialsync::memory::MemoryStore;
use socialsync_adapters::instagram::Instagram;
use socialsync_adapters::tiktok::TikTok;
use socialsync_adapters::youtube::YouTube;
use socialsync_adapters::{AppCredentials, ConnectedAccount, Connector};
use socialsync_sandbox::{AccountSpec, Curve, MediaType, Metric, PostSpec, ProductType, Sandbox};
use socialsync_testkit::sim::RecordingNotifier;
use std::collections::HashMap;
use std::sync::Arc;

/// A small deterministic generator (xorshift64*).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

const CAPTIONS: [&str; 6] = [
    "Sunrise on the ridge #AcmeOutdoor #SpringHike 🏔️",
    "New boots, who dis? #acmeoutdoor #ad",
    "Rainy day reading ☔ #books",
    "Trail mix recipe 🥜 #SPRINGHIKE",
    "Gear check before the climb #ＡｃｍｅＯｕｔｄｏｏｒ",
    "Coffee first. Always. #morning",
];

const REDIRECT: &str = "https://host.example/oauth/callback";

/// The three adapters, pointed at the sandbox (a host leaves out
/// `with_base_url`: the adapters default to the platforms' hosts), by
/// platform. Each is a `Connector` — one connect flow for every platform —
/// and the platform the engine reads.
struct Platforms(HashMap<Platform, Arc<dyn Connector>>);

impl Platforms {
    fn new(
        base: &str,
        clock: Arc<ManualClock>,
        budget: Arc<dyn SharedBudget>,
    ) -> anyhow::Result<Self> {
        let app = AppCredentials::new("quickstart-app", "quickstart-secret");
        let connectors: [Arc<dyn Connector>; 3] = [
            Arc::new(
                Instagram::builder()
                    .with_base_url(base)
                    .with_app_credentials(app.clone())
                    .with_clock(clock.clone())
                    .with_budget(budget.clone())
                    .build()?,
            ),
            Arc::new(
                TikTok::builder()
                    .with_base_url(base)
                    .with_app_credentials(app.clone())
                    .with_clock(clock.clone())
                    .with_budget(budget.clone())
                    .build()?,
            ),
            Arc::new(
                YouTube::builder()
                    .with_base_url(base)
                    .with_app_credentials(app)
                    // Public videos of every channel, 50 a call.
                    .with_api_key("sandbox-api-key")
                    .with_clock(clock)
                    .with_budget(budget)
                    .build()?,
            ),
        ];
        Ok(Platforms(
            connectors.into_iter().map(|c| (c.platform(), c)).collect(),
        ))
    }

    /// The platform the engine reads.
    fn reader(&self, platform: Platform) -> Arc<dyn SocialPlatform> {
        self.0[&platform].clone()
    }

    /// The creator's consent, as the host's OAuth flow would run it: the
    /// consent page (the sandbox stands in for the creator and hands out
    /// `code`), then, on the callback, the code exchange.
    async fn connect(
        &self,
        platform: Platform,
        consent_given: impl FnOnce() -> anyhow::Result<String>,
    ) -> anyhow::Result<ConnectedAccount> {
        let connector = &self.0[&platform];
        let consent = connector.authorization_url(REDIRECT)?;
        let code = consent_given()?;
        Ok(connector.exchange_code(consent.code_exchange(code)).await?)
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> anyhow::Result<()> {
    let seed = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(42u64);
    let mut rng = Rng(seed.max(1));
    let start: Timestamp = "2026-03-01T00:00:00Z".parse()?;
    let clock = Arc::new(ManualClock::at(start));
    let memory = Arc::new(MemoryStore::new());
    let store: Arc<dyn PostStore> = memory.clone();
    let sandbox = Sandbox::builder().seed(seed).clock(clock.clone()).build();
    let running = sandbox.start().await?;
    let base = running.base_url().trim_end_matches('/').to_owned();
    let platforms = Platforms::new(&base, clock.clone(), memory.clone())?;
    let notifier = Arc::new(RecordingNotifier::default());
    let engine = Engine::builder()
        .with_store(store.clone())
        .with_platform(platforms.reader(Platform::Instagram))
        .with_platform(platforms.reader(Platform::TikTok))
        .with_platform(platforms.reader(Platform::YouTube))
        .with_clock(clock.clone())
        .with_notifier(notifier.clone())
        .build()?;
    let tracking = Tracking::new(store.clone(), clock.clone());

    let brand = tracking.create_brand("Acme Outdoor").await?;
    let names = ["Ana", "Bo", "Chen", "Dara", "Eli", "Fatou"];
    let kinds = [Platform::Instagram, Platform::TikTok, Platform::YouTube];
    let mut creators = Vec::new();
    for name in names {
        creators.push(tracking.create_creator(name, None).await?);
    }
    let ids: Vec<_> = creators.iter().map(|c| c.id).collect();
    tracking
        .create_program(
            brand.id,
            ScopeSpec::new("Ambassadors", ["#AcmeOutdoor"]).members(ids.iter().copied()),
        )
        .await?;
    let window = CampaignWindow {
        starts_at: Some(start),
        ends_at: Some(start + TimeDelta::days(30)),
    };
    let campaign = tracking
        .create_campaign(
            brand.id,
            ScopeSpec::new("Spring hike", ["#SpringHike"]).members(ids[..4].iter().copied()),
            Some(window),
        )
        .await?;
    println!(
        "socialsync quickstart, real adapters against the sandbox (seed {seed}): brand {:?}, program Ambassadors, campaign {:?}",
        brand.name, campaign.name
    );

    // Each creator connects one platform account through its OAuth flow.
    let mut accounts = Vec::new();
    for (i, c) in creators.iter().enumerate() {
        let platform = kinds[i % 3];
        let handle = c.name.to_lowercase();
        let spec = AccountSpec::for_platform(platform, &handle, &c.name);
        let account = sandbox.add_account(spec)?;
        let connected = platforms
            .connect(platform, || Ok(sandbox.authorization_code(&account)?))
            .await?;
        engine.connect(connected.into_new_connection(c.id)).await?;
        accounts.push((c.clone(), platform, account));
    }
    let mut seen = store
        .list_events(None, usize::MAX)
        .await?
        .last()
        .map(|e| e.id);

    let mut published = 0;
    let revoked = &accounts[1];
    let mut changed_today = 0;
    for hour in 1..=(100 * 24) {
        clock.advance(TimeDelta::hours(1));
        let now = clock.now();
        // Creators post now and then during the first 40 days; engagement
        // grows with each post's age, unevenly.
        if hour < 30 * 24 && rng.below(12) == 0 {
            let (_, platform, account) = &accounts[rng.below(accounts.len() as u64) as usize];
            let caption = CAPTIONS[rng.below(CAPTIONS.len() as u64) as usize];
            let reach = 200 + rng.below(5_000);
            let likes = 6 + rng.below(reach / 100 + 1);
            let spec = PostSpec::new(now - TimeDelta::minutes(10))
                .with_metric(Metric::Views, Curve::linear(reach * 3, likes * 7))
                .with_metric(Metric::Reach, Curve::linear(reach, likes))
                .with_metric(Metric::Likes, Curve::linear(0, likes))
                .with_metric(Metric::Comments, Curve::linear(0, likes / 3))
                .with_metric(Metric::Saves, Curve::linear(0, likes / 4))
                .with_metric(Metric::Shares, Curve::linear(0, likes / 6));
            let spec = match platform {
                Platform::Instagram => spec
                    .with_caption(caption)
                    .with_media(MediaType::Image, ProductType::Feed),
                _ => spec.with_title("trail diary").with_description(caption),
            };
            sandbox.add_post(account, spec)?;
            published += 1;
        }
        if hour == 10 * 24 {
            sandbox.revoke(&revoked.2, Default::default())?;
        }
        if hour == 14 * 24 {
            let connected = platforms
                .connect(revoked.1, || Ok(sandbox.authorization_code(&revoked.2)?))
                .await?;
            engine
                .connect(connected.into_new_connection(revoked.0.id))
                .await?;
        }
        engine.run_cycle().await?;
        let mut changed = 0;
        let fresh = store.list_events(seen, usize::MAX).await?;
        seen = fresh.last().map(|e| e.id).or(seen);
        for e in fresh {
            match e.event {
                Event::Scan(s) if s.outcome == ScanOutcome::Changed => changed += 1,
                Event::Connection(c) => {
                    let what = match c.change {
                        ConnectionChange::Disconnected { reason, .. } => {
                            format!("disconnected ({reason})")
                        }
                        ConnectionChange::Reconnected => "reconnected".into(),
                        ConnectionChange::Refreshed => continue,
                        other => format!("{other:?}").to_lowercase(),
                    };
                    println!(
                        "  day {:>3} {:02}:00  {} {} {}",
                        hour / 24,
                        hour % 24,
                        c.platform,
                        c.handle,
                        what
                    );
                }
                _ => {}
            }
        }
        changed_today += changed;
        if hour % 24 == 0 && (hour / 24) % 10 == 0 {
            let day = hour / 24;
            println!(
                "  day {day:>3}        {changed_today:>4} changed scans today, {published} posts published so far"
            );
        }
        if hour % 24 == 0 {
            changed_today = 0;
        }
    }
    println!("reconnect prompts sent: {}", notifier.lost().len());
    for p in kinds {
        println!(
            "{p}: {} requests served, {} refused for rate limits",
            sandbox.platform_request_count(p),
            sandbox.platform_rate_limited_count(p)
        );
    }
    let report = socialsync::core::report::scope_report(
        &*store,
        brand.id,
        campaign.id,
        socialsync::core::report::ReportRange::new(
            start,
            start + TimeDelta::days(100),
            socialsync::core::report::BucketSize::Day,
        )?,
    )
    .await?;
    println!("{}", report.to_table());
    drop(running);
    Ok(())
}
