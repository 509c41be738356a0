//! The capacity calculator: requests and quota units a day for a fleet on
//! one platform, each bucket's headroom, and the largest fleet that keeps
//! hourly cadence; with `--measure` (YouTube), the same day measured
//! against the sandbox beside it.
//!
//! ```sh
//! cargo run --release --example capacity -- --platform youtube --creators 200 --monitored 7 --measure
//! cargo run --example capacity -- --platform tiktok --creators 5000 --posts-per-week 3
//! ```
//!
//! Options: `--platform instagram|tiktok|youtube` (default youtube),
//! `--creators N` (200), `--monitored N` posts per creator or
//! `--posts-per-week N` (monitored: N × 90 / 7), `--no-api-key`,
//! `--youtube-units N` (10 000), `--batch-stats N` (10 000), `--measure`.

#[path = "support/quota_day.rs"]
mod quota_day;

use socialsync::core::capacity::{Fleet, Quotas, capacity};
use socialsync::core::platform::Platform;
use socialsync::core::policy::MonitoringPolicy;

#[tokio::main(flavor = "current_thread")]
async fn main() -> anyhow::Result<()> {
    let mut fleet = Fleet {
        platform: Platform::YouTube,
        creators: 200,
        monitored_per_creator: 7,
        api_key: true,
        tick: chrono::TimeDelta::seconds(30),
    };
    let mut quotas = Quotas::default();
    let mut measure = false;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = |name: &str| -> anyhow::Result<String> {
            args.next()
                .ok_or_else(|| anyhow::anyhow!("{name} needs a value"))
        };
        let number = |name: &str, v: String| -> anyhow::Result<u64> {
            v.parse()
                .map_err(|_| anyhow::anyhow!("{name}: {v:?} is not a whole number"))
        };
        match a.as_str() {
            "--platform" => fleet.platform = value("--platform")?.parse()?,
            "--creators" => fleet.creators = number("--creators", value("--creators")?)?,
            "--monitored" => {
                fleet.monitored_per_creator = number("--monitored", value("--monitored")?)?;
            }
            "--posts-per-week" => {
                let w = number("--posts-per-week", value("--posts-per-week")?)?;
                fleet.monitored_per_creator = w.saturating_mul(90) / 7;
            }
            "--no-api-key" => fleet.api_key = false,
            "--youtube-units" => {
                quotas.youtube_daily_units = number("--youtube-units", value("--youtube-units")?)?;
            }
            "--batch-stats" => {
                quotas.youtube_batch_stats_daily =
                    number("--batch-stats", value("--batch-stats")?)?;
            }
            "--measure" => measure = true,
            other => anyhow::bail!("unknown option {other:?}"),
        }
    }
    let policy = MonitoringPolicy::default();
    let plan = capacity(&fleet, &policy, &quotas);
    println!(
        "{} creators × {} monitored posts on {}{}, hourly scans, hourly listings, daily deep pass",
        fleet.creators,
        fleet.monitored_per_creator,
        fleet.platform,
        if fleet.platform == Platform::YouTube {
            if fleet.api_key {
                ", API key on"
            } else {
                ", API key off"
            }
        } else {
            ""
        }
    );
    println!(
        "{:<36} {:>12} {:>12} {:>12}",
        "bucket", "per day", "allowance", "headroom"
    );
    for b in &plan.buckets {
        println!(
            "{:<36} {:>12.0} {:>12.0} {:>12.0}",
            b.bucket,
            b.per_day,
            b.allowance,
            b.headroom()
        );
    }
    println!("requests a day: {:.0}", plan.requests_per_day);
    match plan.max_creators_hourly {
        u64::MAX => println!("largest fleet at hourly cadence: not limited by a shared quota"),
        n => println!("largest fleet at hourly cadence: {n} creators"),
    }
    if !plan.fits() {
        println!("this fleet does not fit: posts lose hourly slots");
    }
    if measure {
        anyhow::ensure!(
            fleet.platform == Platform::YouTube,
            "--measure runs YouTube's day"
        );
        let day = quota_day::run_day(quota_day::DayOptions {
            creators: usize::try_from(fleet.creators)?,
            videos: usize::try_from(fleet.monitored_per_creator)?,
            api_key: fleet.api_key,
            quota: u32::try_from(quotas.youtube_daily_units)?,
            ..quota_day::DayOptions::default()
        })
        .await?;
        println!(
            "measured against the sandbox: project {} units (predicted {:.0}), batchGetStats {} (predicted {:.0}); {} refusals; reads per video min {}",
            day.project_units(),
            plan.buckets[0]
                .per_day
                .min(quotas.youtube_daily_units as f64),
            day.batch_stats_units(),
            plan.buckets.get(1).map_or(0.0, |b| b.per_day),
            day.refused,
            day.reads.first().copied().unwrap_or(0)
        );
    }
    Ok(())
}
