//! The quickstart's story on in-process fake platforms: 100 days of social
//! sync in about a second, with no HTTP at all.
//!
//! An in-memory store, fake Instagram / TikTok / YouTube platforms and a
//! manual clock; a brand with a creator program and a campaign; creators
//! post, some posts carry the tracked hashtags, scans run hourly, one
//! connection is revoked and later reconnected. It prints a compact live
//! feed and ends with the campaign report. Same seed, same output.
//!
//! Run with `cargo run --example simulation [seed]`.

use chrono::TimeDelta;
use socialsync::core::clock::{Clock, Timestamp};
use socialsync::core::domain::CampaignWindow;
use socialsync::core::events::{ConnectionChange, Event, ScanOutcome};
use socialsync::core::metrics::{Metric, Metrics};
use socialsync::core::platform::Platform;
use socialsync::core::store::PostStore;
use socialsync::core::tracking::{ScopeSpec, Tracking};
use socialsync::memory::MemoryStore;
use socialsync_testkit::{FakePost, Sim};
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

#[tokio::main(flavor = "current_thread")]
async fn main() -> anyhow::Result<()> {
    let seed = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(42u64);
    let mut rng = Rng(seed.max(1));
    let start: Timestamp = "2026-03-01T00:00:00Z".parse()?;
    let store: Arc<dyn PostStore> = Arc::new(MemoryStore::new());
    let sim = Sim::new(store.clone(), start);
    let tracking = Tracking::new(store.clone(), sim.clock.clone());

    let brand = tracking.create_brand("Acme Outdoor").await?;
    let names = ["Ana", "Bo", "Chen", "Dara", "Eli", "Fatou"];
    let platforms = [Platform::Instagram, Platform::TikTok, Platform::YouTube];
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
        "socialsync quickstart (seed {seed}): brand {:?}, program Ambassadors, campaign {:?}",
        brand.name, campaign.name
    );

    let mut accounts = Vec::new();
    for (i, c) in creators.iter().enumerate() {
        let platform = platforms[i % 3];
        let account = format!("{}-{}", platform, c.name.to_lowercase());
        sim.connect(c.id, platform, &account).await;
        accounts.push((c.clone(), platform, account));
    }
    let mut seen = store
        .list_events(None, usize::MAX)
        .await?
        .last()
        .map(|e| e.id);

    let mut posts: Vec<(Platform, String, u64)> = Vec::new();
    let revoked = &accounts[1];
    let mut changed_today = 0;
    for hour in 1..=(100 * 24) {
        sim.clock.advance(TimeDelta::hours(1));
        let now = sim.clock.now();
        // Creators post now and then during the first 40 days.
        if hour < 40 * 24 && rng.below(6) == 0 {
            let (_, platform, account) = &accounts[rng.below(accounts.len() as u64) as usize];
            let id = format!("{}-{}", account, posts.len());
            let caption = CAPTIONS[rng.below(CAPTIONS.len() as u64) as usize];
            let reach = 200 + rng.below(5_000);
            sim.fake(*platform).add_post(
                FakePost::new(&id, account, now - TimeDelta::minutes(10), caption)
                    .reads(now, metrics(0, reach)),
            );
            posts.push((*platform, id, reach));
        }
        // Engagement grows, unevenly.
        for (platform, id, reach) in &posts {
            if rng.below(4) == 0 {
                let grown = rng.below(*reach / 20 + 1);
                sim.fake(*platform).set_current(
                    &id.as_str().into(),
                    metrics(hour as u64 * 3 + grown, *reach),
                );
            }
        }
        if hour == 10 * 24 {
            sim.fake(revoked.1).revoke(&revoked.2);
        }
        if hour == 14 * 24 {
            let creds = sim.fake(revoked.1).reauthorize(&revoked.2);
            sim.connect_with(revoked.0.id, revoked.1, &revoked.2, creds)
                .await;
        }
        sim.cycle().await;
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
                "  day {day:>3}        {changed_today:>4} changed scans today, {} posts published so far",
                posts.len()
            );
        }
        if hour % 24 == 0 {
            changed_today = 0;
        }
    }
    let lost = sim.notifier.lost();
    println!("reconnect prompts sent: {}", lost.len());
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
    Ok(())
}

fn metrics(engagement: u64, reach: u64) -> Metrics {
    Metrics::new()
        .with(Metric::Views, reach * 3 + engagement * 7)
        .with(Metric::Likes, engagement)
        .with(Metric::Comments, engagement / 9)
        .with(Metric::Shares, engagement / 17)
}
