//! One bad value stays one bad value, through the engine on the store under
//! test (ARCHITECTURE.md §4, partial failure; §9): text holding
//! U+0000, a value beyond 2^53, an unusable post id, endless pages, a
//! platform that panics, an absurd back-off. Each is that post's, that
//! metric's or that connection's; every other connection keeps being
//! scanned and the engine keeps running.

use super::shared::must;
use crate::fake_platform::{FakePost, Op};
use crate::fixtures::{creator, program, scope};
use crate::sim::Sim;
use chrono::TimeDelta;
use socialsync_core::clock::Timestamp;
use socialsync_core::domain::{Connection, PostState, ScopeKind};
use socialsync_core::ids::CreatorId;
use socialsync_core::metrics::{Metric, Metrics};
use socialsync_core::platform::Platform;
use socialsync_core::platform::{LimitReach, PlatformErrorKind};
use socialsync_core::store::{PostFilter, PostStore};
use std::sync::Arc;
use std::time::Duration;

fn start() -> Timestamp {
    "2026-05-01T00:00:00Z".parse().expect("instant")
}

/// Two creators of one brand's programs, each with a TikTok account.
struct Two {
    sim: Sim,
    bad: CreatorId,
    good: CreatorId,
}

async fn two(store: Arc<dyn PostStore>) -> Two {
    let (brand, bad, _) = program(store.as_ref()).await;
    let good = creator(store.as_ref(), "Bea").await;
    scope(
        store.as_ref(),
        &brand,
        "Second program",
        &["brandx"],
        &[good.id],
        ScopeKind::Program,
    )
    .await;
    Two {
        sim: Sim::new(store, start()),
        bad: bad.id,
        good: good.id,
    }
}

/// A tracked post of `account`, an hour old, reading `views`.
fn post(id: &str, account: &str, text: &str, views: u64) -> FakePost {
    let at = start() - TimeDelta::hours(1);
    FakePost::new(id, account, at, text).reads(at, Metrics::new().with(Metric::Views, views))
}

async fn posts_of(store: &dyn PostStore, conn: &Connection) -> Vec<socialsync_core::domain::Post> {
    let mut posts = must(
        store
            .list_posts(PostFilter {
                connection: Some(conn.id),
                ..Default::default()
            })
            .await,
        "list posts",
    );
    posts.sort_by(|a, b| a.platform_post_id.cmp(&b.platform_post_id));
    posts
}

async fn connection(store: &dyn PostStore, conn: &Connection) -> Connection {
    must(store.get_connection(conn.id).await, "get connection").expect("connection")
}

/// Text holding U+0000 is kept less that code point, the same in every
/// store, and matched in what is kept; a post whose id no store keeps is
/// left out and counted; the other creator's connection is discovered and
/// scanned in the same cycles.
pub async fn nul_text_is_dropped_and_other_connections_go_on(store: Arc<dyn PostStore>) {
    let w = two(store).await;
    let fake = w.sim.fake(Platform::TikTok);
    let mut nul = post("bad-1", "bad", "launch\0 day #Brand\0X", 10);
    nul.title = Some("a\0title".into());
    fake.add_post(nul);
    fake.add_post(post("bad\0id", "bad", "#BrandX", 10));
    fake.add_post(post("good-1", "good", "#BrandX", 20));
    let bad = w.sim.connect(w.bad, Platform::TikTok, "bad").await;
    let good = w.sim.connect(w.good, Platform::TikTok, "good").await;
    w.sim.run(TimeDelta::minutes(5), 3).await;
    let store = w.sim.store.as_ref();
    let kept = posts_of(store, &bad).await;
    assert_eq!(kept.len(), 1, "the unusable id is left out: {kept:?}");
    let p = &kept[0];
    assert_eq!(p.text, "launch day #BrandX");
    assert_eq!(p.title.as_deref(), Some("atitle"));
    assert_eq!(p.state, PostState::Monitoring, "matched in the kept text");
    assert_eq!(p.hashtags[0].written, "BrandX");
    assert!(p.scan_count >= 1, "scanned");
    let health = connection(store, &bad).await.health;
    assert!(health.reading_problems >= 1, "{health:?}");
    let other = posts_of(store, &good).await;
    assert_eq!(other.len(), 1);
    assert!(other[0].scan_count >= 1, "the other connection is scanned");
}

/// A value beyond 2^53 is an invalid reading of that metric: absent,
/// counted on health; the rest of the reading lands.
pub async fn a_value_beyond_2_53_is_absent_and_the_rest_lands(store: Arc<dyn PostStore>) {
    let w = two(store).await;
    let fake = w.sim.fake(Platform::TikTok);
    let at = start() - TimeDelta::hours(1);
    fake.add_post(
        FakePost::new("huge", "bad", at, "#BrandX").reads(
            at,
            Metrics::new()
                .with(Metric::Views, u64::MAX)
                .with(Metric::Likes, 7),
        ),
    );
    fake.add_post(post("fine", "bad", "#BrandX", 20));
    let bad = w.sim.connect(w.bad, Platform::TikTok, "bad").await;
    w.sim.run(TimeDelta::minutes(5), 2).await;
    let store = w.sim.store.as_ref();
    let kept = posts_of(store, &bad).await;
    let huge = kept
        .iter()
        .find(|p| p.platform_post_id.as_str() == "huge")
        .expect("huge");
    let latest = must(store.latest_snapshot(huge.id).await, "snapshot")
        .expect("a reading landed")
        .metrics;
    assert_eq!(latest.get(Metric::Views), None);
    assert_eq!(latest.get(Metric::Likes), Some(7));
    let fine = kept
        .iter()
        .find(|p| p.platform_post_id.as_str() == "fine")
        .expect("fine");
    let fine = must(store.latest_snapshot(fine.id).await, "snapshot").expect("read");
    assert_eq!(fine.metrics.get(Metric::Views), Some(20));
    let health = connection(store, &bad).await.health;
    assert!(health.reading_problems >= 1, "{health:?}");
    assert!(
        health
            .last_reading_problem
            .as_ref()
            .is_some_and(|p| p.what.contains("views")),
        "{health:?}"
    );
}

/// A listing of empty pages with a fresh cursor for ever stops at the
/// first page that adds nothing; the next run lists again, bounded too.
pub async fn endless_empty_pages_end_the_listing(store: Arc<dyn PostStore>) {
    let w = two(store).await;
    let fake = w.sim.fake(Platform::TikTok);
    fake.add_post(post("good-1", "good", "#BrandX", 20));
    fake.add_account("bad", "@bad");
    fake.endless_pages("bad", true);
    let before = fake.calls().list_posts;
    w.sim.connect(w.bad, Platform::TikTok, "bad").await;
    let after_one = fake.calls().list_posts - before;
    assert!(after_one <= 2, "{after_one} listing calls in one discovery");
    let good = w.sim.connect(w.good, Platform::TikTok, "good").await;
    // Two more hours: each discovery of the endless account is bounded.
    w.sim.run(TimeDelta::minutes(30), 4).await;
    let calls = fake.calls().list_posts - before;
    assert!(calls <= 12, "{calls} listing calls in five discoveries");
    let other = posts_of(w.sim.store.as_ref(), &good).await;
    assert!(other[0].scan_count >= 2);
}

/// A platform that panics for one account: that connection is skipped for
/// the cycle, the failure is on its health, and [`Engine::run`] goes on
/// scanning the other connection at every tick.
///
/// [`Engine::run`]: socialsync_core::engine::Engine::run
pub async fn a_panicking_platform_is_contained_and_run_goes_on(store: Arc<dyn PostStore>) {
    let w = two(store).await;
    let fake = w.sim.fake(Platform::TikTok);
    fake.add_post(post("bad-1", "bad", "#BrandX", 10));
    fake.add_post(post("good-1", "good", "#BrandX", 20));
    let bad = w.sim.connect(w.bad, Platform::TikTok, "bad").await;
    let good = w.sim.connect(w.good, Platform::TikTok, "good").await;
    fake.panic_on("bad", Op::FetchMetrics, true);
    fake.panic_on("bad", Op::ListPosts, true);
    let engine = w
        .sim
        .new_engine_with(|b| b.with_tick(Duration::from_millis(20)));
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let run = tokio::spawn(async move {
        engine
            .run(async {
                let _ = stopped.await;
            })
            .await;
    });
    let store = w.sim.store.clone();
    let mut scans = posts_of(store.as_ref(), &good).await[0].scan_count;
    for tick in 0..3 {
        w.sim.clock.advance(TimeDelta::hours(1));
        let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
        loop {
            let now = posts_of(store.as_ref(), &good).await[0].scan_count;
            if now > scans {
                scans = now;
                break;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "tick {tick}: the healthy connection was not scanned"
            );
            assert!(!run.is_finished(), "Engine::run ended at tick {tick}");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
    assert!(!run.is_finished(), "Engine::run is still going");
    let health = connection(store.as_ref(), &bad).await.health;
    assert!(
        health
            .last_error
            .as_deref()
            .is_some_and(|e| e.contains("panicked")),
        "{health:?}"
    );
    assert!(health.consecutive_failures >= 1);
    let _ = stop.send(());
    run.await.expect("run ends cleanly on shutdown");
}

/// A rate limit naming a time decades ahead backs the platform off for at
/// most an hour, then it is probed again.
pub async fn an_absurd_backoff_is_bounded_by_its_reach(store: Arc<dyn PostStore>) {
    let w = two(store).await;
    let fake = w.sim.fake(Platform::TikTok);
    fake.add_post(post("good-1", "good", "#BrandX", 20));
    let good = w.sim.connect(w.good, Platform::TikTok, "good").await;
    let far = w.sim.now() + TimeDelta::days(365 * 30);
    fake.fail(
        Op::FetchMetrics,
        None,
        PlatformErrorKind::RateLimited {
            until: Some(far),
            reach: LimitReach::Platform,
        },
        1,
    );
    w.sim.run(TimeDelta::minutes(5), 1).await;
    let store = w.sim.store.as_ref();
    let backoff = must(
        store.get_platform_backoff(Platform::TikTok).await,
        "backoff",
    )
    .expect("backed off");
    assert!(backoff <= w.sim.now() + TimeDelta::hours(1), "{backoff}");
    w.sim.run(TimeDelta::minutes(20), 4).await;
    assert!(posts_of(store, &good).await[0].scan_count >= 1);
}
