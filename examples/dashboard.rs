//! The monitoring dashboard on a live world: the engine scans through the
//! real platform adapters, which talk HTTP to the sandbox (Instagram, TikTok
//! and YouTube's local look-alike, started in-process on a loopback port).
//!
//! An in-memory store, the sandbox, the adapters and the engine share a
//! clock that runs 360 times faster than the wall clock (one real second is
//! six minutes: posts are scanned every ten seconds). Creators connect
//! through each platform's OAuth code exchange; their posts' engagement
//! follows growth curves in the sandbox, so the scan monitor moves (some
//! posts have plateaued: their scans show unchanged); now and then a
//! creator publishes a new post, which discovery picks up; TikTok's video
//! query has a burst of server errors from time to time, which shows in the
//! health column; about half a minute in, Cy removes the app on Instagram
//! in the sandbox, so the connection moves to the disabled tab where it can
//! be reset.
//!
//! Run with `cargo run --example dashboard` and open the URL it prints
//! (`--addr 127.0.0.1:8080` to choose the address, `--seconds 30` to stop
//! by itself).

use chrono::TimeDelta;
use socialsync::core::clock::{Clock, SystemClock, Timestamp};
use socialsync::core::engine::Engine;
use socialsync::core::platform::Platform;
use socialsync::core::platform::SocialPlatform;
use socialsync::core::store::{PostStore, SharedBudget};
use socialsync::core::tracking::{ScopeSpec, Tracking};
use socialsync::memory::MemoryStore;
use socialsync_adapters::instagram::Instagram;
use socialsync_adapters::tiktok::TikTok;
use socialsync_adapters::youtube::YouTube;
use socialsync_adapters::{AppCredentials, ConnectedAccount, Connector};
use socialsync_dashboard::{Dashboard, FixedBrand};
use socialsync_sandbox::{
    AccountRef, AccountSpec, Curve, Endpoint, Fault, FaultKind, MediaType, Metric, PostSpec,
    ProductType, RevokeReason, Sandbox,
};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How much faster than the wall clock the simulated world runs.
const SPEED: u32 = 360;

/// Where the host's OAuth callback would be.
const REDIRECT: &str = "https://host.example/oauth/callback";

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
        self.start + elapsed
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

/// The three adapters, pointed at the sandbox (a host leaves out
/// `with_base_url`: the adapters default to the platforms' hosts), by
/// platform. Each is a `Connector` — one connect flow for every platform —
/// and the platform the engine reads.
struct Platforms(HashMap<Platform, Arc<dyn Connector>>);

impl Platforms {
    fn new(
        base: &str,
        clock: Arc<dyn Clock>,
        budget: Arc<dyn SharedBudget>,
    ) -> anyhow::Result<Platforms> {
        let app = AppCredentials::new("dashboard-demo", "dashboard-demo-secret");
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

const CAPTIONS: [&str; 4] = [
    "Sunrise on the ridge #AcmeOutdoor #SpringHike",
    "New boots, first miles #acmeoutdoor",
    "Trail mix recipe #SPRINGHIKE",
    "Rainy day reading #books",
];

/// A post in the sandbox: its caption (Instagram) or description (TikTok,
/// YouTube), published at `published`, with metric curves. A `growing` post
/// gains views, likes and comments by the hour; the others have plateaued.
fn post(
    platform: Platform,
    caption: &str,
    published: Timestamp,
    growing: bool,
    rng: &mut Rng,
) -> PostSpec {
    let views = 100 + rng.below(2_000);
    let likes = views / 20 + rng.below(20);
    let (v, l, c) = if growing {
        (
            Curve::linear(views, 50 + rng.below(400)),
            Curve::linear(likes, 2 + rng.below(20)),
            Curve::linear(likes / 10, 1 + rng.below(3)),
        )
    } else {
        (
            Curve::Constant(views),
            Curve::Constant(likes),
            Curve::Constant(likes / 10),
        )
    };
    let spec = PostSpec::new(published)
        .with_metric(Metric::Views, v)
        .with_metric(Metric::Reach, Curve::Constant(views / 2))
        .with_metric(Metric::Likes, l)
        .with_metric(Metric::Comments, c)
        .with_metric(Metric::Shares, Curve::Constant(likes / 8))
        .with_metric(Metric::Saves, Curve::Constant(likes / 6));
    match platform {
        Platform::Instagram => spec
            .with_caption(caption)
            .with_media(MediaType::Image, ProductType::Feed),
        _ => spec.with_title("trail diary").with_description(caption),
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
    let memory = Arc::new(MemoryStore::new());
    let store: Arc<dyn PostStore> = memory.clone();
    let mut rng = Rng(start.timestamp_micros().unsigned_abs() | 1);

    // The sandbox on a loopback port, and the adapters pointed at it.
    let sandbox = Sandbox::builder()
        .seed(rng.next())
        .clock(clock.clone())
        .build();
    let running = sandbox.start().await?;
    let base = running.base_url().trim_end_matches('/').to_owned();
    let platforms = Platforms::new(&base, clock.clone(), memory.clone())?;
    let engine = Engine::builder()
        .with_store(store.clone())
        .with_clock(clock.clone())
        .with_tick(Duration::from_millis(500))
        .with_platform(platforms.reader(Platform::Instagram))
        .with_platform(platforms.reader(Platform::TikTok))
        .with_platform(platforms.reader(Platform::YouTube))
        .build()?;
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

    // The creators' accounts in the sandbox, with posts published over the
    // last hours; each connects through the platform's OAuth code exchange.
    let accounts = [
        (ana, AccountSpec::instagram("ana.outdoors")),
        (ana, AccountSpec::tiktok("ana_hikes", "Ana Hikes")),
        (bo, AccountSpec::tiktok("bo.climbs", "Bo Climbs")),
        (bo, AccountSpec::youtube("@boclimbs", "Bo Climbs")),
        (cy, AccountSpec::instagram("cy.trails")),
    ];
    let mut refs: Vec<AccountRef> = Vec::new();
    for (i, (creator, spec)) in accounts.into_iter().enumerate() {
        let platform = spec.platform;
        let account = sandbox.add_account(spec)?;
        for (j, caption) in CAPTIONS.iter().enumerate() {
            let published = start - TimeDelta::hours(((i * 4 + j) % 11 + 1) as i64);
            sandbox.add_post(
                &account,
                post(platform, caption, published, j != 1, &mut rng),
            )?;
        }
        let connected = platforms
            .connect(platform, || Ok(sandbox.authorization_code(&account)?))
            .await?;
        engine
            .connect(connected.into_new_connection(creator))
            .await?;
        refs.push(account);
    }

    // The dashboard, mounted under /dashboard.
    let dashboard = Dashboard::builder(engine.clone())
        .with_resolver(FixedBrand(brand.id))
        .build();
    let app = dashboard.mount(axum::Router::new(), "/dashboard");
    let listener = tokio::net::TcpListener::bind(&args.addr).await?;
    let addr = listener.local_addr()?;
    println!(
        "socialsync dashboard for {}: open http://{addr}/dashboard",
        brand.name
    );
    println!(
        "(the platforms' sandbox serves at {base}; simulated time runs {SPEED}x: a scan round every 10 seconds; Ctrl-C to stop)"
    );

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

    // The world moves in the sandbox: creators post now and then, TikTok
    // hiccups, Cy removes the app on Instagram.
    let world = {
        let sandbox = sandbox.clone();
        let clock = clock.clone();
        let mut stop = stop_rx.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(2));
            let mut rounds = 0u64;
            loop {
                tokio::select! {
                    _ = tick.tick() => {}
                    _ = stop.changed() => break,
                }
                rounds += 1;
                if rounds % 4 == 0 {
                    let account = &refs[rng.below(refs.len() as u64) as usize];
                    let caption = CAPTIONS[rng.below(CAPTIONS.len() as u64) as usize];
                    let now = clock.now();
                    let spec = post(account.platform, caption, now, true, &mut rng);
                    if let Err(e) = sandbox.add_post(account, spec) {
                        eprintln!("could not publish a post in the sandbox: {e}");
                    }
                }
                if rounds % 20 == 7 {
                    // More server errors in a row than the adapter retries.
                    sandbox.add_fault(
                        Fault::on(
                            Endpoint::TikTokVideoQuery,
                            FaultKind::ServerError { status: 503 },
                        )
                        .times(3),
                    );
                }
                if rounds == 15 {
                    match sandbox.revoke(&refs[4], RevokeReason::AppRemoved) {
                        Ok(()) => println!(
                            "Cy removed the app on Instagram: see the Disabled connections tab"
                        ),
                        Err(e) => eprintln!("could not revoke in the sandbox: {e}"),
                    }
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
    let requests: u64 = Platform::ALL
        .into_iter()
        .map(|p| sandbox.platform_request_count(p))
        .sum();
    println!("stopped after {events} events, {requests} requests to the sandbox");
    running.shutdown().await;
    Ok(())
}
