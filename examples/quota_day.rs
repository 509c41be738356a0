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
//! `--tick-seconds N` (default 30, the engine's), `--quota N` (default
//! 10 000).

#[path = "support/quota_day.rs"]
mod quota_day;

use chrono::TimeDelta;
use quota_day::{DayOptions, run_day};
use socialsync_sandbox::Endpoint;

fn parse() -> anyhow::Result<DayOptions> {
    let mut o = DayOptions::default();
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
            "--tick-seconds" => {
                let m = value("--tick-seconds")?;
                anyhow::ensure!((1..=3600).contains(&m), "--tick-seconds: 1 to 3600");
                o.tick = TimeDelta::seconds(m.try_into()?);
            }
            "--quota" => o.quota = value("--quota")?.try_into()?,
            "--no-api-key" => o.api_key = false,
            other => anyhow::bail!("unknown option {other:?}"),
        }
    }
    Ok(o)
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> anyhow::Result<()> {
    let o = parse()?;
    let day = run_day(o).await?;
    let videos = day.reads.len().max(1);
    let median = day.reads.get(day.reads.len() / 2).copied().unwrap_or(0);
    let hourly = day.reads.iter().filter(|n| **n >= 24).count();
    println!(
        "quota day: {} creators × {} videos = {} monitored, API key {}, tick {} s, quota {} units",
        o.creators,
        o.videos,
        day.reads.len(),
        if o.api_key { "on" } else { "off" },
        o.tick.num_seconds(),
        o.quota
    );
    println!(
        "project quota: {} units (channels {}, playlistItems {}, videos {})",
        day.project_units(),
        day.count(Endpoint::YouTubeChannels),
        day.count(Endpoint::YouTubePlaylistItems),
        day.count(Endpoint::YouTubeVideos)
    );
    println!("batchGetStats bucket: {} units", day.batch_stats_units());
    println!(
        "batchGetStats units per monitored video per day: {:.3}; videos.list (listing details and token reads) {:.3}",
        day.batch_stats_units() as f64 / videos as f64,
        day.count(Endpoint::YouTubeVideos) as f64 / videos as f64,
    );
    println!(
        "project units per creator per day: {:.1}",
        day.project_units() as f64 / o.creators.max(1) as f64
    );
    println!("refused for quota or rate: {}", day.refused);
    println!(
        "reads per video in the day: min {} median {median} max {}; {hourly} of {} read every hour",
        day.reads.first().copied().unwrap_or(0),
        day.reads.last().copied().unwrap_or(0),
        day.reads.len()
    );
    println!("token refreshes: {}", day.count(Endpoint::GoogleToken));
    println!("wall time: {:.1} s", day.wall.as_secs_f64());
    Ok(())
}
