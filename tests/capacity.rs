//! The capacity calculator against a measured day: the sandbox's charges
//! for one simulated Pacific day of a YouTube fleet stay within 5 % of
//! what `capacity` predicts, with the API key and without.

#[path = "../examples/support/quota_day.rs"]
mod quota_day;

use quota_day::{DayOptions, run_day};
use socialsync::core::capacity::{Fleet, Quotas, capacity};
use socialsync::core::platform::Platform;
use socialsync::core::policy::MonitoringPolicy;

fn within(measured: u64, predicted: f64, what: &str) {
    let off = (measured as f64 - predicted).abs() / predicted.max(1.0);
    assert!(
        off <= 0.05,
        "{what}: measured {measured}, predicted {predicted:.0} ({:.1} % off)",
        off * 100.0
    );
}

async fn day_matches(creators: usize, videos: usize, api_key: bool) {
    let day = run_day(DayOptions {
        creators,
        videos,
        api_key,
        ..DayOptions::default()
    })
    .await
    .expect("the day runs");
    let plan = capacity(
        &Fleet {
            platform: Platform::YouTube,
            creators: creators as u64,
            monitored_per_creator: videos as u64,
            api_key,
            tick: quota_day::DayOptions::default().tick,
        },
        &MonitoringPolicy::default(),
        &Quotas::default(),
    );
    assert!(plan.fits());
    assert_eq!(day.refused, 0);
    assert!(
        day.reads.iter().all(|n| *n >= 24),
        "every video read every hour"
    );
    within(
        day.project_units(),
        plan.buckets[0].per_day,
        "project units",
    );
    if api_key {
        within(
            day.batch_stats_units(),
            plan.buckets[1].per_day,
            "batchGetStats units",
        );
    } else {
        assert_eq!(day.batch_stats_units(), 0);
    }
}

#[tokio::test]
async fn a_measured_day_with_the_api_key_is_what_the_calculator_predicts() {
    day_matches(60, 7, true).await;
}

#[tokio::test]
async fn a_measured_day_without_the_api_key_is_what_the_calculator_predicts() {
    day_matches(4, 60, false).await;
}
