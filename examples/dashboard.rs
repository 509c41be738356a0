//! The monitoring dashboard on a live, simulated world.
//!
//! An in-memory store, in-process Instagram / TikTok / YouTube platforms and
//! the real engine, on a clock that runs 360 times faster than the wall
//! clock (one real second is six minutes: posts are scanned every ten
//! seconds). Engagement grows as you watch, so the scan monitor moves; about
//! half a minute in, one creator revokes the app, so a connection moves to
//! the disabled tab where it can be reset; Bo's TikTok has transient errors
//! from time to time, which shows in the health column.
//!
//! Run with `cargo run --example dashboard` and open the URL it prints
//! (`--addr 127.0.0.1:8080` to choose the address, `--seconds 30` to stop
//! by itself).
//!
//! Everything platform-side sits in [`Platforms`]: a host swaps the fakes for
//! the real adapters (or the local sandbox serving the platforms' APIs)
//! without touching the store, the engine or the dashboard.

use chrono::TimeDelta;
use socialsync::core::clock::{Clock, SystemClock, Timestamp, truncate_to_micros};
use socialsync::core::engine::Engine;
use socialsync::core::metrics::{Metric, Metrics};
use socialsync::core::platform::Platform;
use socialsync::core::social_platform::PlatformErrorKind;
use socialsync::core::store::{NewConnection, PostStore};
use socialsync::core::tracking::{ScopeSpec, Tracking};
use socialsync::memory::MemoryStore;
use socialsync_dashboard::{Dashboard, FixedBrand};
use socialsync_testkit::{FakePlatform, FakePost, Op};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How much faster than the wall clock the simulated world runs.
const SPEED: u32 = 360;

/// A clock that runs `SPEED` times faster than the wall clock.
#[derive(Debug)]
struct AcceleratedClock {
    start: Timestamp,
    real_start: Instant,
}

impl Clock for AcceleratedClock {
    fn now(&self) -> Timestamp {
        let elapsed = self.real_start.elapsed() * SPEED;
        let elapsed = TimeDelta::from_std(elapsed).unwrap_or(TimeDelta::MAX);
        truncate_to_micros(self.start + elapsed)
    }
}

/// A small generator (xorshift64*).
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

/// The platform side of the demo: in-process fakes. To run against the
/// platforms' APIs instead, build the adapters here and drive accounts and
/// posts through their OAuth flows.
struct Platforms {
    fakes: HashMap<Platform, Arc<FakePlatform>>,
}

impl Platforms {
    fn new(clock: Arc<dyn Clock>) -> Platforms {
        let fakes = Platform::ALL
            .into_iter()
            .map(|p| (p, Arc::new(FakePlatform::new(p, clock.clone()))))
            .collect();
        Platforms { fakes }
    }

    fn fake(&self, p: Platform) -> &Arc<FakePlatform> {
        &self.fakes[&p]
    }
}

struct Args {
    addr: String,
    seconds: Option<u64>,
}

fn args() -> anyhow::Result<Args> {
    let mut out = Args {
        addr: "127.0.0.1:3000".into(),
        seconds: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        match a.as_str() {
            "--addr" => {
                out.addr = it
                    .next()
                    .ok_or_else(|| anyhow::anyhow!("--addr needs a value"))?
            }
            "--seconds" => {
                let v = it
                    .next()
                    .ok_or_else(|| anyhow::anyhow!("--seconds needs a value"))?;
                out.seconds = Some(
                    v.parse()
                        .map_err(|_| anyhow::anyhow!("--seconds: `{v}` is not a number"))?,
                );
            }
            other => {
                anyhow::bail!("unknown argument `{other}` (expected --addr HOST:PORT, --seconds N)")
            }
        }
    }
    Ok(out)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = args()?;
    let start = SystemClock.now();
    let clock: Arc<dyn Clock> = Arc::new(AcceleratedClock {
        start,
        real_start: Instant::now(),
    });
    let store: Arc<dyn PostStore> = Arc::new(MemoryStore::new());
    let platforms = Platforms::new(clock.clone());
    let tracking = Tracking::new(store.clone(), clock.clone());

    // A brand, three creators, a program and a campaign.
    let brand = tracking.create_brand("Acme Outdoor").await?;
    let ana = tracking.create_creator("Ana", None).await?.id;
    let bo = tracking.create_creator("Bo", None).await?.id;
    let cy = tracking.create_creator("Cy", None).await?.id;
    tracking
        .create_program(
            brand.id,
            ScopeSpec::new("Ambassadors", ["#AcmeOutdoor"]).members([ana, bo, cy]),
        )
        .await?;
    tracking
        .create_campaign(
            brand.id,
            ScopeSpec::new("Spring hike", ["#SpringHike"]).members([ana, bo]),
            None,
        )
        .await?;

    let mut engine = Engine::builder()
        .with_store(store.clone())
        .with_clock(clock.clone())
        .with_tick(Duration::from_millis(500));
    for fake in platforms.fakes.values() {
        engine = engine.with_platform(fake.clone());
    }
    let engine = engine.build()?;

    // Accounts and their posts, published over the last hours.
    let accounts = [
        (ana, Platform::Instagram, "ig-ana", "@ana.outdoors"),
        (ana, Platform::TikTok, "tt-ana", "@ana_hikes"),
        (bo, Platform::TikTok, "tt-bo", "@bo.climbs"),
        (bo, Platform::YouTube, "yt-bo", "Bo Climbs"),
        (cy, Platform::Instagram, "ig-cy", "@cy.trails"),
    ];
    let captions = [
        "Sunrise on the ridge #AcmeOutdoor #SpringHike",
        "New boots, first miles #acmeoutdoor",
        "Trail mix recipe #SPRINGHIKE",
        "Rainy day reading #books",
    ];
    let mut posts: Vec<(Platform, String)> = Vec::new();
    for (i, (creator, platform, account, handle)) in accounts.iter().enumerate() {
        let fake = platforms.fake(*platform);
        let credentials = fake.add_account(account, handle);
        for (j, caption) in captions.iter().enumerate() {
            let id = format!("{account}-post-{j}");
            let published = start - TimeDelta::hours(((i * 4 + j) % 11 + 1) as i64);
            fake.add_post(
                FakePost::new(&id, account, published, caption).reads(
                    published,
                    Metrics::new()
                        .with(Metric::Views, 100 * (j as u64 + 1))
                        .with(Metric::Likes, 10)
                        .with(Metric::Comments, 1),
                ),
            );
            posts.push((*platform, id));
        }
        engine
            .connect(NewConnection {
                creator: *creator,
                platform: *platform,
                account_id: (*account).into(),
                handle: (*handle).into(),
                credentials,
            })
            .await?;
    }

    // The dashboard, mounted under /dashboard.
    let dashboard = Dashboard::builder(store.clone())
        .with_resolver(FixedBrand(brand.id))
        .with_clock(clock.clone())
        .build();
    let app = dashboard.mount(axum::Router::new(), "/dashboard");
    let listener = tokio::net::TcpListener::bind(&args.addr).await?;
    let addr = listener.local_addr()?;
    println!(
        "socialsync dashboard for {}: open http://{addr}/dashboard",
        brand.name
    );
    println!("(simulated time runs {SPEED}x: a scan round every 10 seconds; Ctrl-C to stop)");

    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let stopped = |mut rx: tokio::sync::watch::Receiver<bool>| async move {
        let _ = rx.wait_for(|s| *s).await;
    };
    let server = tokio::spawn(
        axum::serve(listener, app)
            .with_graceful_shutdown(stopped(stop_rx.clone()))
            .into_future(),
    );
    let runner = {
        let engine = engine.clone();
        let stop = stopped(stop_rx.clone());
        tokio::spawn(async move { engine.run(stop).await })
    };

    // The world moves: engagement grows, Bo's TikTok hiccups, Cy revokes.
    let world = {
        let fakes = platforms.fakes.clone();
        let mut stop = stop_rx.clone();
        tokio::spawn(async move {
            let mut rng = Rng(start.timestamp_micros().unsigned_abs() | 1);
            let mut counts: HashMap<String, (u64, u64, u64)> = HashMap::new();
            let mut tick = tokio::time::interval(Duration::from_secs(2));
            let mut rounds = 0u64;
            loop {
                tokio::select! {
                    _ = tick.tick() => {}
                    _ = stop.changed() => break,
                }
                rounds += 1;
                for (platform, id) in &posts {
                    if rng.below(3) == 0 {
                        continue; // this one stays unchanged for now
                    }
                    let c = counts.entry(id.clone()).or_insert((100, 10, 1));
                    c.0 += 5 + rng.below(200);
                    c.1 += rng.below(15);
                    c.2 += rng.below(3);
                    fakes[platform].set_current(
                        &id.as_str().into(),
                        Metrics::new()
                            .with(Metric::Views, c.0)
                            .with(Metric::Likes, c.1)
                            .with(Metric::Comments, c.2),
                    );
                }
                if rounds % 20 == 7 {
                    fakes[&Platform::TikTok].fail(
                        Op::FetchMetrics,
                        Some("tt-bo"),
                        PlatformErrorKind::Unavailable,
                        2,
                    );
                }
                if rounds == 15 {
                    fakes[&Platform::Instagram].revoke("ig-cy");
                    println!("Cy revoked the app on Instagram: see the Disabled connections tab");
                }
            }
        })
    };

    match args.seconds {
        Some(s) => tokio::time::sleep(Duration::from_secs(s)).await,
        None => {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
    let _ = stop_tx.send(true);
    runner.await?;
    world.await?;
    server.await??;
    let events = store.list_events(None, 100_000).await?.len();
    println!("stopped after {events} events");
    Ok(())
}
