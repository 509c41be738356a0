//! The capacity calculator (ARCHITECTURE.md §4a): for a fleet of creators
//! on one platform, the requests the engine makes in a day under a
//! [`MonitoringPolicy`], each quota bucket's use and headroom, and the
//! largest fleet that keeps every post's hourly slot.
//!
//! The model is the engine's own strategy, call by call: each hourly
//! listing is one page (plus, on YouTube, one `videos.list` of the page's
//! details) and one read of the account's post count (the deletion
//! guard's baseline); the deep pass lists the whole window once a
//! `deep_pass_interval`; statistics are
//! read per connection in the platform's batches, or, with YouTube's API
//! key, 50 ids of any channels a call from `videos:batchGetStats`' own
//! bucket. Token refreshes cost no quota and are left out.
//!
//! Each post's slots are anchored at its own publish time, and the engine
//! reads, at each tick, what fell due since the last: a call holds the
//! posts due in one tick. The calculator takes the slots as spread evenly
//! over the scan interval, so `n` posts read in batches of `b` cost, per
//! interval, `n` calls while `n` is at most the ticks in it, else
//! `ticks × ceil(ceil(n / ticks) / b)`. Public reads gather for up to
//! [`PUBLIC_GATHER`] while the tick is at most half of it: a call leaves
//! when its oldest post has waited that long (seen at a tick, so half a
//! tick more on average), so `n` calls while `n` is at most those windows
//! in the interval, else `max(ceil(n / b), windows)`.
//! `examples/quota_day.rs` measures the same day against the sandbox;
//! `tests/capacity.rs` holds the two within 5 %.

use crate::engine::PUBLIC_GATHER;
use crate::engine::public_wait;
use crate::platform::Platform;
use crate::policy::MonitoringPolicy;

/// A fleet on one platform.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Fleet {
    /// The platform.
    pub platform: Platform,
    /// Connected creators.
    pub creators: u64,
    /// Monitored posts per creator (inside the window); for a creator
    /// posting `w` a week under a 90-day window, about `w × 90 / 7`.
    pub monitored_per_creator: u64,
    /// YouTube: statistics read with the app's API key (`with_api_key`).
    pub api_key: bool,
    /// The engine's tick (`EngineBuilder::with_tick`, 30 s by default).
    pub tick: chrono::TimeDelta,
}

/// The quotas the calculator plans against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quotas {
    /// YouTube's daily project units (10 000 by default).
    pub youtube_daily_units: u64,
    /// YouTube's daily `videos:batchGetStats` calls (10 000 by default).
    pub youtube_batch_stats_daily: u64,
    /// TikTok's requests per minute per endpoint, whole app (600).
    pub tiktok_per_minute: u64,
    /// Instagram's calls per account per rolling hour (200).
    pub instagram_per_account_hour: u64,
}

impl Default for Quotas {
    fn default() -> Self {
        Quotas {
            youtube_daily_units: 10_000,
            youtube_batch_stats_daily: 10_000,
            tiktok_per_minute: 600,
            instagram_per_account_hour: 200,
        }
    }
}

/// One quota bucket's day.
#[derive(Debug, Clone, PartialEq)]
pub struct BucketUse {
    /// Its name (`youtube project units`, `tiktok video/query`, …).
    pub bucket: &'static str,
    /// What one day costs it.
    pub per_day: f64,
    /// What it allows in a day.
    pub allowance: f64,
}

impl BucketUse {
    /// What is left of the allowance (negative: over it).
    pub fn headroom(&self) -> f64 {
        self.allowance - self.per_day
    }
}

/// The calculator's answer for a fleet.
#[derive(Debug, Clone, PartialEq)]
pub struct Capacity {
    /// Each bucket's day.
    pub buckets: Vec<BucketUse>,
    /// Requests a day, all buckets together.
    pub requests_per_day: f64,
    /// The largest number of creators (with the same posts each) whose
    /// posts all keep their hourly slot within every bucket; `u64::MAX`
    /// when no bucket is shared by the fleet (Instagram's limits are each
    /// account's) and one creator fits.
    pub max_creators_hourly: u64,
}

impl Capacity {
    /// Whether every bucket holds the fleet's day.
    pub fn fits(&self) -> bool {
        self.buckets.iter().all(|b| b.headroom() >= 0.0)
    }
}

/// Listings a day per creator, and deep passes a day.
fn rates(policy: &MonitoringPolicy) -> (f64, f64) {
    let day = 86_400.0;
    let listings = day / policy.discovery_interval.num_seconds().max(1) as f64;
    let deep = day / policy.deep_pass_interval.num_seconds().max(1) as f64;
    (listings, deep.min(listings))
}

/// Scan intervals a day.
fn slots(policy: &MonitoringPolicy) -> f64 {
    86_400.0 / policy.scan_interval.num_seconds().max(1) as f64
}

/// Calls per scan interval for `n` posts whose slots are spread evenly
/// over it, read at each tick in batches of `batch`.
fn calls_per_interval(
    n: u64,
    batch: u64,
    policy: &MonitoringPolicy,
    tick: chrono::TimeDelta,
) -> f64 {
    let tick = tick.max(chrono::TimeDelta::zero());
    let interval = policy.scan_interval.num_milliseconds().max(1);
    let ticks = (interval / tick.num_milliseconds().max(1)).max(1) as u64;
    if n <= ticks {
        n as f64
    } else {
        ticks as f64 * n.div_ceil(ticks).div_ceil(batch.max(1)) as f64
    }
}

/// As [`calls_per_interval`], for public reads, which gather posts for up
/// to [`PUBLIC_GATHER`] while the engine ticks at least twice in it.
fn gathered_calls_per_interval(
    n: u64,
    batch: u64,
    policy: &MonitoringPolicy,
    tick: chrono::TimeDelta,
) -> f64 {
    let tick = tick.max(chrono::TimeDelta::zero());
    if tick * 2 > PUBLIC_GATHER {
        return calls_per_interval(n, batch, policy, tick);
    }
    // A call leaves once its oldest post has waited the gathering time,
    // seen at a tick: half a tick later, on average.
    let interval = policy.scan_interval.num_milliseconds().max(1) as f64;
    let cycle = (public_wait(policy) + tick / 2).num_milliseconds().max(1) as f64;
    let windows = (interval / cycle).max(1.0);
    if n as f64 <= windows {
        n as f64
    } else {
        (n.div_ceil(batch.max(1)) as f64).max(windows)
    }
}

/// The buckets of `fleet` for one day.
fn buckets(fleet: &Fleet, policy: &MonitoringPolicy, q: &Quotas) -> Vec<BucketUse> {
    let (listings, deep) = rates(policy);
    let slots = slots(policy);
    let c = fleet.creators as f64;
    let m = fleet.monitored_per_creator;
    let pages = |batch: u64| m.div_ceil(batch).max(1) as f64;
    let reads = |n: u64, batch: u64| calls_per_interval(n, batch, policy, fleet.tick);
    match fleet.platform {
        Platform::YouTube => {
            // A listing: one playlistItems page, one videos.list of its
            // details and one channels.list for the post count; a deep
            // pass: the window's further pages, with their details.
            let listing = 3.0 * listings + 2.0 * deep * (pages(50) - 1.0);
            let per_conn_stats = if fleet.api_key {
                0.0
            } else {
                slots * reads(m, 50)
            };
            let project = c * (listing + per_conn_stats);
            let mut out = vec![BucketUse {
                bucket: "youtube project units",
                per_day: project,
                allowance: q.youtube_daily_units as f64,
            }];
            if fleet.api_key {
                let monitored = fleet.creators.saturating_mul(m);
                out.push(BucketUse {
                    bucket: "youtube videos:batchGetStats",
                    per_day: slots * gathered_calls_per_interval(monitored, 50, policy, fleet.tick),
                    allowance: q.youtube_batch_stats_daily as f64,
                });
            }
            out
        }
        Platform::TikTok => {
            let per_day = q.tiktok_per_minute as f64 * 1_440.0;
            vec![
                BucketUse {
                    bucket: "tiktok video/list",
                    per_day: c * (listings + deep * (pages(20) - 1.0)),
                    allowance: per_day,
                },
                BucketUse {
                    bucket: "tiktok video/query",
                    per_day: c * slots * reads(m, 20),
                    allowance: per_day,
                },
                BucketUse {
                    bucket: "tiktok user/info",
                    per_day: c * listings,
                    allowance: per_day,
                },
            ]
        }
        _ => {
            // Instagram: one insights call per post per slot, one listing
            // page and one account read per run, the window's further
            // pages per deep pass, per account.
            let hourly = (m as f64 * slots + 2.0 * listings + deep * (pages(25) - 1.0)) / 24.0;
            vec![BucketUse {
                bucket: "instagram calls per account-hour",
                per_day: hourly * 24.0 * c,
                allowance: q.instagram_per_account_hour as f64 * 24.0 * c,
            }]
        }
    }
}

/// The day of `fleet` under `policy` and `quotas`.
pub fn capacity(fleet: &Fleet, policy: &MonitoringPolicy, quotas: &Quotas) -> Capacity {
    let buckets = buckets(fleet, policy, quotas);
    let requests_per_day = buckets.iter().map(|b| b.per_day).sum();
    // Each bucket grows with the fleet: search the largest that fits.
    let hourly = MonitoringPolicy {
        scan_interval: chrono::TimeDelta::hours(1),
        ..*policy
    };
    let fits = |creators: u64| buckets_fit(&Fleet { creators, ..*fleet }, &hourly, quotas);
    let shared = matches!(fleet.platform, Platform::YouTube | Platform::TikTok);
    let max_creators_hourly = if !fits(1) {
        0
    } else if !shared {
        u64::MAX
    } else {
        let (mut lo, mut hi) = (1u64, 2u64);
        while hi < 1 << 40 && fits(hi) {
            lo = hi;
            hi *= 2;
        }
        while hi - lo > 1 {
            let mid = lo + (hi - lo) / 2;
            if fits(mid) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        lo
    };
    Capacity {
        buckets,
        requests_per_day,
        max_creators_hourly,
    }
}

fn buckets_fit(fleet: &Fleet, policy: &MonitoringPolicy, quotas: &Quotas) -> bool {
    buckets(fleet, policy, quotas)
        .iter()
        .all(|b| b.headroom() >= 0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn yt(creators: u64, api_key: bool) -> Fleet {
        Fleet {
            platform: Platform::YouTube,
            creators,
            monitored_per_creator: 7,
            api_key,
            tick: chrono::TimeDelta::seconds(30),
        }
    }

    #[test]
    fn a_youtube_creator_costs_72_units_a_day_with_the_key_and_240_without() {
        let p = MonitoringPolicy::default();
        let q = Quotas::default();
        let with = capacity(&yt(1, true), &p, &q);
        assert_eq!(with.buckets[0].per_day, 72.0);
        // Seven videos due at seven different times, more than the
        // gathering apart: seven calls an hour.
        assert_eq!(with.buckets[1].per_day, 7.0 * 24.0);
        let without = capacity(&yt(1, false), &p, &q);
        assert_eq!(without.buckets[0].per_day, 72.0 + 7.0 * 24.0);
        assert_eq!(without.buckets.len(), 1);
        // 10 000 / 72 and 10 000 / 240.
        assert_eq!(with.max_creators_hourly, 138);
        assert_eq!(without.max_creators_hourly, 41);
    }

    #[test]
    fn a_coarser_tick_packs_more_posts_into_a_call() {
        let p = MonitoringPolicy::default();
        let hourly = Fleet {
            tick: chrono::TimeDelta::hours(1),
            ..yt(1, false)
        };
        let c = capacity(&hourly, &p, &Quotas::default());
        assert_eq!(c.buckets[0].per_day, 72.0 + 24.0);
    }

    #[test]
    fn batched_statistics_cost_24_calls_per_50_videos_whoever_owns_them() {
        let p = MonitoringPolicy::default();
        let c = capacity(&yt(1_500, true), &p, &Quotas::default());
        // 10 500 videos, gathered into full calls: 210 an hour.
        assert_eq!(c.buckets[1].per_day, 24.0 * 210.0);
        // Without gathering (a tick of ten minutes): 7 000 / 6 due a
        // tick, 24 calls a tick (140 an hour would be full calls).
        let coarse = Fleet {
            tick: chrono::TimeDelta::minutes(10),
            ..yt(1_000, true)
        };
        let c = capacity(&coarse, &p, &Quotas::default());
        assert_eq!(c.buckets[1].per_day, 24.0 * 6.0 * 24.0);
        assert!(c.buckets[1].headroom() > 0.0);
        // Discovery polling is what does not fit.
        assert!(c.buckets[0].headroom() < 0.0);
        assert!(!c.fits());
    }

    #[test]
    fn a_fleet_that_fits_nothing_keeps_no_hourly_creator() {
        let q = Quotas {
            youtube_daily_units: 10,
            ..Quotas::default()
        };
        let c = capacity(&yt(1, true), &MonitoringPolicy::default(), &q);
        assert_eq!(c.max_creators_hourly, 0);
    }
}
