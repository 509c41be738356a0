//! End to end: the engine, the real adapters, the sandbox and the memory
//! store, on one manual clock.

use chrono::TimeDelta;
use socialsync_adapters::instagram::Instagram;
use socialsync_adapters::tiktok::TikTok;
use socialsync_adapters::youtube::YouTube;
use socialsync_adapters::{
    AppCredentials, CodeExchange, ConnectedAccount, Connector, RetrySettings,
};
use socialsync_core::clock::{Clock, ManualClock, Timestamp};
use socialsync_core::domain::PostState;
use socialsync_core::engine::Engine;
use socialsync_core::ids::{ConnectionId, CreatorId, PlatformPostId};
use socialsync_core::metrics::Metric;
use socialsync_core::platform::Platform;
use socialsync_core::platform::SocialPlatform;
use socialsync_core::store::ConnectionStore;
use socialsync_core::store::CredentialStore;
use socialsync_core::store::EventLog;
use socialsync_core::store::PostCatalog;
use socialsync_core::store::ScanQueue;
use socialsync_core::store::TrackingStore;
use socialsync_core::store::{PostFilter, PostStore, SharedBudget};
use socialsync_sandbox::{
    AccountRef, AccountSpec, Curve, Endpoint, MediaType, Metric as SbMetric, PostSpec, ProductType,
    RevokeReason, RunningSandbox, Sandbox,
};
use socialsync_store_memory::MemoryStore;
use socialsync_testkit::fixtures;
use socialsync_testkit::sim::RecordingNotifier;
use std::sync::Arc;

const REDIRECT: &str = "https://host.example/callback";

fn start() -> Timestamp {
    "2026-11-20T00:00:00Z".parse().unwrap()
}

struct World {
    clock: Arc<ManualClock>,
    store: Arc<MemoryStore>,
    sandbox: Sandbox,
    running: RunningSandbox,
    engine: Engine,
    notifier: Arc<RecordingNotifier>,
    creator: CreatorId,
    platform: Arc<dyn SocialPlatform>,
}

async fn world(platform: Platform, posts: usize) -> (World, AccountRef) {
    world_with(platform, posts, None).await
}

/// As [`world`], YouTube reading public videos with `youtube_key`.
async fn world_with(
    platform: Platform,
    posts: usize,
    youtube_key: Option<&str>,
) -> (World, AccountRef) {
    let clock = Arc::new(ManualClock::at(start()));
    let store = Arc::new(MemoryStore::new());
    let mut sandbox = Sandbox::builder().seed(11).clock(clock.clone());
    if let Some(key) = youtube_key {
        sandbox = sandbox.youtube_api_key(key);
    }
    let sandbox = sandbox.build();
    let spec = match platform {
        Platform::Instagram => AccountSpec::instagram("ana.creates"),
        Platform::TikTok => AccountSpec::tiktok("ana.creates", "Ana Creates"),
        Platform::YouTube => AccountSpec::youtube("@anacreates", "Ana Creates"),
        other => panic!("no adapter for {other}"),
    };
    let account = sandbox.add_account(spec).unwrap();
    for i in 0..posts {
        let published = start() - TimeDelta::hours(2 + i as i64);
        let text = format!("post {i} #BrandX #ad");
        let mut p = PostSpec::new(published)
            .with_metric(SbMetric::Views, Curve::linear(100, 10))
            .with_metric(SbMetric::Likes, Curve::linear(10, 1))
            .with_metric(SbMetric::Comments, Curve::linear(1, 1))
            .with_metric(SbMetric::Shares, Curve::linear(1, 1))
            .with_metric(SbMetric::Saves, Curve::linear(1, 1))
            .with_metric(SbMetric::Reach, Curve::linear(50, 5));
        p = match platform {
            Platform::Instagram => p
                .with_caption(&text)
                .with_media(MediaType::Image, ProductType::Feed),
            _ => p.with_title(&format!("video {i}")).with_description(&text),
        };
        sandbox.add_post(&account, p).unwrap();
    }
    let running = sandbox.start().await.unwrap();
    let base = running.base_url().trim_end_matches('/').to_owned();
    let budget: Arc<dyn SharedBudget> = store.clone();
    let app = AppCredentials::new("sandbox-client", "sandbox-secret");
    let retry = RetrySettings {
        max_retries: 1,
        initial_backoff: std::time::Duration::from_millis(5),
        ..RetrySettings::default()
    };
    let adapter: Arc<dyn SocialPlatform> = match platform {
        Platform::Instagram => Arc::new(
            Instagram::builder()
                .with_base_url(&base)
                .with_app_credentials(app)
                .with_clock(clock.clone())
                .with_budget(budget)
                .with_retry(retry)
                .build()
                .unwrap(),
        ),
        Platform::TikTok => Arc::new(
            TikTok::builder()
                .with_base_url(&base)
                .with_app_credentials(app)
                .with_clock(clock.clone())
                .with_budget(budget)
                .with_retry(retry)
                .build()
                .unwrap(),
        ),
        Platform::YouTube => {
            let mut b = YouTube::builder()
                .with_base_url(&base)
                .with_app_credentials(app)
                .with_clock(clock.clone())
                .with_budget(budget)
                .with_retry(retry);
            if let Some(key) = youtube_key {
                b = b.with_api_key(key);
            }
            Arc::new(b.build().unwrap())
        }
        other => panic!("no adapter for {other}"),
    };
    let notifier = Arc::new(RecordingNotifier::default());
    let dyn_store: Arc<dyn PostStore> = store.clone();
    let engine = Engine::builder()
        .with_store(dyn_store)
        .with_platform(adapter.clone())
        .with_clock(clock.clone())
        .with_notifier(notifier.clone())
        .build()
        .unwrap();
    let brand = store
        .create_brand(
            socialsync_core::store::NewBrand {
                name: "Acme".into(),
            },
            start(),
        )
        .await
        .unwrap();
    let creator = fixtures::creator(&*store, "Ana").await;
    fixtures::scope(
        &*store,
        &brand,
        "Program",
        &["brandx"],
        &[creator.id],
        socialsync_core::domain::ScopeKind::Program,
    )
    .await;
    (
        World {
            clock,
            store,
            sandbox,
            running,
            engine,
            notifier,
            creator: creator.id,
            platform: adapter,
        },
        account,
    )
}

impl World {
    /// The OAuth dance against the sandbox, through the adapter.
    async fn oauth(&self, account: &AccountRef) -> ConnectedAccount {
        let code = self.sandbox.authorization_code(account).unwrap();
        let connector: Box<dyn Connector> = match self.platform.platform() {
            Platform::Instagram => Box::new(self.instagram()),
            Platform::TikTok => Box::new(self.tiktok()),
            Platform::YouTube => Box::new(self.youtube()),
            other => panic!("no adapter for {other}"),
        };
        connector
            .exchange_code(CodeExchange::new(code, REDIRECT))
            .await
            .unwrap()
    }

    fn base(&self) -> String {
        self.running.base_url().trim_end_matches('/').to_owned()
    }

    fn instagram(&self) -> Instagram {
        Instagram::builder()
            .with_base_url(self.base())
            .with_app_credentials(AppCredentials::new("sandbox-client", "sandbox-secret"))
            .with_clock(self.clock.clone())
            .build()
            .unwrap()
    }

    fn tiktok(&self) -> TikTok {
        TikTok::builder()
            .with_base_url(self.base())
            .with_app_credentials(AppCredentials::new("sandbox-client", "sandbox-secret"))
            .with_clock(self.clock.clone())
            .build()
            .unwrap()
    }

    fn youtube(&self) -> YouTube {
        YouTube::builder()
            .with_base_url(self.base())
            .with_app_credentials(AppCredentials::new("sandbox-client", "sandbox-secret"))
            .with_clock(self.clock.clone())
            .build()
            .unwrap()
    }

    async fn connect(&self, account: &AccountRef) -> ConnectionId {
        let connected = self.oauth(account).await;
        assert_eq!(connected.account.id.as_str(), account.id);
        self.engine
            .connect(connected.into_new_connection(self.creator))
            .await
            .unwrap()
            .connection
            .id
    }

    async fn hour(&self) {
        self.clock.advance(TimeDelta::hours(1));
        self.engine.run_cycle().await.unwrap();
    }

    async fn posts(&self, state: PostState) -> Vec<socialsync_core::domain::Post> {
        self.store
            .list_posts(PostFilter {
                states: Some(vec![state]),
                ..PostFilter::default()
            })
            .await
            .unwrap()
    }

    fn rate_limited(&self, p: Platform) -> u64 {
        self.sandbox.platform_rate_limited_count(p)
    }
}

/// Connect, discover, scan hourly for two days: every due scan lands, the
/// sandbox never answers 429, and a scan cycle costs ⌈posts / batch⌉
/// requests (one insights request per post on Instagram).
async fn scans_land_without_throttling(platform: Platform, posts: usize) {
    let (w, account) = world(platform, posts).await;
    let conn = w.connect(&account).await;
    w.engine.run_cycle().await.unwrap();
    assert_eq!(w.posts(PostState::Monitoring).await.len(), posts);
    for _ in 0..48 {
        w.hour().await;
    }
    let monitored = w.posts(PostState::Monitoring).await;
    assert_eq!(monitored.len(), posts);
    for p in &monitored {
        // Discovery scan + 48 hourly slots.
        assert!(
            p.scan_count >= 48,
            "{} scanned {} times",
            p.platform_post_id,
            p.scan_count
        );
        let latest = w.store.latest_snapshot(p.id).await.unwrap().unwrap();
        assert!(latest.metrics.get(Metric::Views).is_some() || platform == Platform::Instagram);
    }
    assert_eq!(w.rate_limited(platform), 0, "the client paced itself");
    // Short-lived tokens were refreshed (TikTok rotating its refresh token
    // each time) and the connection never dropped.
    let refreshes = match platform {
        Platform::TikTok => w.sandbox.request_count(Endpoint::TikTokToken),
        Platform::YouTube => w.sandbox.request_count(Endpoint::GoogleToken),
        Platform::Instagram => w.sandbox.request_count(Endpoint::InstagramTokenRefresh),
        other => panic!("no adapter for {other}"),
    };
    if platform != Platform::Instagram {
        assert!(refreshes >= 10, "{refreshes} refreshes in 48 hours");
    }
    let c = w.store.get_connection(conn).await.unwrap().unwrap();
    assert!(c.status.is_active());
    assert!(w.notifier.lost().is_empty());

    // One scan cycle alone: requests per connection.
    w.sandbox.reset_counters();
    w.clock.advance(TimeDelta::hours(1));
    let report = w.engine.run_scans().await.unwrap();
    assert_eq!(report.scans, posts as u64);
    let (endpoint, expected) = match platform {
        Platform::TikTok => (Endpoint::TikTokVideoQuery, posts.div_ceil(20)),
        Platform::YouTube => (Endpoint::YouTubeVideos, posts.div_ceil(50)),
        Platform::Instagram => (Endpoint::InstagramInsights, posts),
        other => panic!("no adapter for {other}"),
    };
    assert_eq!(w.sandbox.request_count(endpoint) as usize, expected);
    // No other data call (token refreshes aside, which the engine does ahead of expiry).
    let data_calls: u64 = w
        .sandbox
        .request_counts()
        .into_iter()
        .filter(|(e, _)| e.platform() == Some(platform) && !e.is_oauth())
        .map(|(_, n)| n)
        .sum();
    assert_eq!(data_calls as usize, expected);
}

#[tokio::test]
async fn tiktok_scans_land_in_batches_of_20_without_throttling() {
    scans_land_without_throttling(Platform::TikTok, 45).await;
}

#[tokio::test]
async fn youtube_scans_land_in_batches_of_50_without_throttling() {
    scans_land_without_throttling(Platform::YouTube, 60).await;
}

#[tokio::test]
async fn instagram_scans_land_one_insights_request_per_post_without_throttling() {
    scans_land_without_throttling(Platform::Instagram, 12).await;
}

/// Revoke → disconnected and notified once → reconnect → caught up; a
/// deleted post becomes Deleted.
async fn revoke_reconnect_and_delete(platform: Platform) {
    let (w, account) = world(platform, 5).await;
    let conn = w.connect(&account).await;
    w.engine.run_cycle().await.unwrap();
    w.hour().await;
    let gone = w.sandbox.posts(&account)[0].clone();
    w.sandbox.delete_post(&gone).unwrap();
    w.hour().await;
    w.hour().await;
    let deleted = w.posts(PostState::Deleted).await;
    assert_eq!(deleted.len(), 1);
    assert_eq!(
        deleted[0].platform_post_id,
        PlatformPostId::from(gone.id.as_str())
    );

    w.sandbox
        .revoke(&account, RevokeReason::AppRemoved)
        .unwrap();
    w.hour().await;
    w.hour().await;
    let c = w.store.get_connection(conn).await.unwrap().unwrap();
    assert!(!c.status.is_active(), "{:?}", c.status);
    assert_eq!(w.notifier.lost().len(), 1, "notified once");
    assert_eq!(w.posts(PostState::Paused).await.len(), 4);

    // A post published while disconnected is found after reconnecting.
    let while_away = w.clock.now() - TimeDelta::minutes(30);
    let text = "made while away #BrandX";
    let spec = PostSpec::new(while_away).with_metric(SbMetric::Views, Curve::linear(5, 1));
    let spec = match platform {
        Platform::Instagram => spec
            .with_caption(text)
            .with_media(MediaType::Image, ProductType::Feed),
        _ => spec.with_title("away").with_description(text),
    };
    w.sandbox.add_post(&account, spec).unwrap();
    let again = w.connect(&account).await;
    assert_eq!(again, conn, "the same connection comes back");
    w.engine.run_cycle().await.unwrap();
    assert_eq!(w.posts(PostState::Monitoring).await.len(), 5);
    assert_eq!(w.notifier.lost().len(), 1);
    assert_eq!(w.rate_limited(platform), 0);
}

#[tokio::test]
async fn tiktok_revoke_reconnect_and_delete() {
    revoke_reconnect_and_delete(Platform::TikTok).await;
}

#[tokio::test]
async fn youtube_revoke_reconnect_and_delete() {
    revoke_reconnect_and_delete(Platform::YouTube).await;
}

#[tokio::test]
async fn instagram_revoke_reconnect_and_delete() {
    revoke_reconnect_and_delete(Platform::Instagram).await;
}

#[tokio::test]
async fn instagram_deprecated_metric_becomes_absent_while_the_others_land() {
    let (w, account) = world(Platform::Instagram, 3).await;
    w.connect(&account).await;
    w.engine.run_cycle().await.unwrap();
    w.sandbox.deprecate_metric("views", Some(ProductType::Feed));
    w.hour().await;
    for p in w.posts(PostState::Monitoring).await {
        let latest = w.store.latest_snapshot(p.id).await.unwrap().unwrap();
        assert_eq!(latest.metrics.get(Metric::Views), None);
        assert!(latest.metrics.get(Metric::Reach).is_some());
        assert!(latest.metrics.get(Metric::Likes).is_some());
    }
}

#[tokio::test]
async fn instagram_missing_insights_permission_degrades_without_disconnecting() {
    let (w, account) = world(Platform::Instagram, 3).await;
    let conn = w.connect(&account).await;
    w.engine.run_cycle().await.unwrap();
    w.sandbox
        .remove_scope(&account, "instagram_business_manage_insights")
        .unwrap();
    w.hour().await;
    let c = w.store.get_connection(conn).await.unwrap().unwrap();
    assert!(c.status.is_active());
    assert_eq!(
        c.health.missing_permissions,
        ["instagram_business_manage_insights"]
    );
    assert_eq!(w.notifier.missing().len(), 1);
    assert!(w.notifier.lost().is_empty());
    for p in w.posts(PostState::Monitoring).await {
        let latest = w.store.latest_snapshot(p.id).await.unwrap().unwrap();
        assert!(
            latest.metrics.get(Metric::Likes).is_some(),
            "counters still land"
        );
        assert_eq!(latest.metrics.get(Metric::Reach), None);
    }
}

#[tokio::test]
async fn tiktok_missing_scope_degrades_without_disconnecting() {
    let (w, account) = world(Platform::TikTok, 3).await;
    let conn = w.connect(&account).await;
    w.engine.run_cycle().await.unwrap();
    w.sandbox.remove_scope(&account, "video.list").unwrap();
    w.hour().await;
    let c = w.store.get_connection(conn).await.unwrap().unwrap();
    assert!(c.status.is_active());
    assert_eq!(c.health.missing_permissions, ["video.list"]);
    assert!(w.notifier.lost().is_empty());
}

#[tokio::test]
async fn tiktok_webhook_from_the_sandbox_disconnects_the_connection() {
    let (w, account) = world(Platform::TikTok, 2).await;
    let conn = w.connect(&account).await;
    let signed = w.sandbox.tiktok_authorization_removed(&account, 1).unwrap();
    let verifier =
        socialsync_adapters::tiktok::webhook::WebhookVerifier::new(&AppCredentials::new(
            socialsync_sandbox::DEFAULT_TIKTOK_CLIENT_KEY,
            socialsync_sandbox::DEFAULT_TIKTOK_CLIENT_SECRET,
        ));
    let removed = verifier
        .authorization_removed(
            Some(&signed.signature),
            signed.body.as_bytes(),
            w.clock.now(),
        )
        .unwrap()
        .unwrap();
    let newest = w.store.newest_event_id().await.unwrap();
    let d = removed
        .disconnect(&w.engine)
        .await
        .unwrap()
        .disconnection()
        .cloned()
        .unwrap();
    assert_eq!(d.connection, conn);
    assert!(d.newly_disconnected);
    let c = w.store.get_connection(conn).await.unwrap().unwrap();
    assert!(!c.status.is_active());
    // The live monitor sees the disconnection; the host is told once.
    let published = w.store.list_events(newest, 100).await.unwrap();
    assert!(
        matches!(
            published.as_slice(),
            [e] if matches!(
                &e.event,
                socialsync_core::events::Event::Connection(c)
                    if c.connection == conn
                        && c.change == socialsync_core::events::ConnectionChange::Disconnected {
                            disconnection: d.id,
                            reason: d.reason.clone(),
                        }
            )
        ),
        "{published:?}"
    );
    assert_eq!(w.notifier.lost(), std::slice::from_ref(&d));
    // The delivery again: recognised, nothing more happens.
    assert_eq!(
        removed.disconnect(&w.engine).await.unwrap(),
        socialsync_core::engine::Delivered::Replayed
    );
    assert_eq!(
        w.store.newest_event_id().await.unwrap(),
        Some(published[0].id)
    );
    assert_eq!(w.notifier.lost().len(), 1);
    // The notice was marked delivered: the next cycle does not send it again.
    w.engine.run_cycle().await.unwrap();
    assert_eq!(w.notifier.lost().len(), 1);
}

/// Data requests one scan cycle of 1 000 monitored posts costs.
async fn requests_per_1000_post_scans(platform: Platform) -> u64 {
    let (w, account) = world(platform, 1000).await;
    w.connect(&account).await;
    w.engine.run_cycle().await.unwrap();
    assert_eq!(w.posts(PostState::Monitoring).await.len(), 1000);
    w.sandbox.reset_counters();
    w.clock.advance(TimeDelta::hours(1));
    let report = w.engine.run_scans().await.unwrap();
    assert_eq!(report.scans, 1000);
    assert_eq!(w.rate_limited(platform), 0);
    w.sandbox
        .request_counts()
        .into_iter()
        .filter(|(e, _)| e.platform() == Some(platform) && !e.is_oauth())
        .map(|(_, n)| n)
        .sum()
}

#[tokio::test]
async fn requests_per_1000_post_scans_per_platform() {
    let tiktok = requests_per_1000_post_scans(Platform::TikTok).await;
    let youtube = requests_per_1000_post_scans(Platform::YouTube).await;
    let instagram = requests_per_1000_post_scans(Platform::Instagram).await;
    println!(
        "requests per 1000 post-scans: tiktok {tiktok}, youtube {youtube}, instagram {instagram}"
    );
    assert_eq!((tiktok, youtube, instagram), (50, 20, 1000));
}

#[tokio::test]
async fn instagram_token_is_refreshed_ahead_of_expiry_and_keeps_working_past_it() {
    let (w, account) = world(Platform::Instagram, 2).await;
    let conn = w.connect(&account).await;
    w.engine.run_cycle().await.unwrap();
    let before = w.store.get_credentials(conn).await.unwrap().unwrap();
    // Half of the 60 days gone: refreshed (the token is well over 24 h old).
    w.clock.advance(TimeDelta::days(31));
    w.engine.run_cycle().await.unwrap();
    let after = w.store.get_credentials(conn).await.unwrap().unwrap();
    assert_eq!(w.sandbox.request_count(Endpoint::InstagramTokenRefresh), 1);
    assert!(after.version > before.version);
    assert!(!after.credentials.same_tokens(&before.credentials));
    assert!(after.credentials.expires_at > before.credentials.expires_at);
    // Past the first token's expiry the connection still works.
    w.clock.advance(TimeDelta::days(35));
    w.engine.run_cycle().await.unwrap();
    let c = w.store.get_connection(conn).await.unwrap().unwrap();
    assert!(c.status.is_active(), "{:?}", c.status);
    assert!(w.notifier.lost().is_empty());
}

/// With the app's API key, the hourly scan of a channel's public videos is
/// one `videos:batchGetStats` call from its own bucket; a private and an
/// unlisted video are read with the creator's token, and nothing is
/// deleted.
#[tokio::test]
async fn youtube_public_videos_are_read_with_the_api_key_and_the_rest_with_the_token() {
    let key = "AIzaSy-sandbox-key";
    let (w, account) = world_with(Platform::YouTube, 5, Some(key)).await;
    w.connect(&account).await;
    w.engine.run_cycle().await.unwrap();
    let posts = w.sandbox.posts(&account);
    w.sandbox
        .set_visibility(&posts[0], socialsync_sandbox::Visibility::Private)
        .unwrap();
    w.sandbox
        .set_visibility(&posts[1], socialsync_sandbox::Visibility::Unlisted)
        .unwrap();
    for _ in 0..3 {
        w.hour().await;
    }
    let monitored = w.posts(PostState::Monitoring).await;
    assert_eq!(monitored.len(), 5, "nothing deleted");
    for p in &monitored {
        assert!(
            p.scan_count >= 4,
            "{} scanned {}",
            p.platform_post_id,
            p.scan_count
        );
    }
    // One slot: three public videos in one keyed call; the other two
    // (asked publicly once already) with the token in one call.
    w.sandbox.reset_counters();
    w.clock.advance(TimeDelta::hours(1));
    let report = w.engine.run_scans().await.unwrap();
    assert_eq!(report.scans, 5);
    assert_eq!(w.sandbox.request_count(Endpoint::YouTubeBatchGetStats), 1);
    assert_eq!(w.sandbox.request_count(Endpoint::YouTubeVideos), 1);
    assert_eq!(w.rate_limited(Platform::YouTube), 0);
}

/// A key Google does not know costs no video its slot: each is read with
/// its creator's token.
#[tokio::test]
async fn a_wrong_youtube_api_key_costs_no_video_its_slot() {
    let (w, account) = world_with(Platform::YouTube, 3, Some("the-right-key")).await;
    // The adapter of this world holds the right key; a second engine on
    // an adapter with a wrong one.
    let wrong: Arc<dyn SocialPlatform> = Arc::new(
        YouTube::builder()
            .with_base_url(w.base())
            .with_app_credentials(AppCredentials::new("sandbox-client", "sandbox-secret"))
            .with_clock(w.clock.clone())
            .with_api_key("a-wrong-key")
            .build()
            .unwrap(),
    );
    let dyn_store: Arc<dyn PostStore> = w.store.clone();
    let engine = Engine::builder()
        .with_store(dyn_store)
        .with_platform(wrong)
        .with_clock(w.clock.clone())
        .build()
        .unwrap();
    w.connect(&account).await;
    engine.run_cycle().await.unwrap();
    w.clock.advance(TimeDelta::hours(1));
    let report = engine.run_scans().await.unwrap();
    assert_eq!(report.scans, 3, "read with the token instead");
    assert_eq!(report.failures, 0);
    assert!(
        w.sandbox.status_count(Endpoint::YouTubeBatchGetStats, 400) >= 1,
        "the wrong key was tried and refused"
    );
}
