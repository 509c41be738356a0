//! No reading lost, through the engine on the store under test: the
//! deletion guard by the account's post count (a half-broken token never
//! deletes), and `Deleted` posts that come back.

use super::shared::must;
use crate::fake_platform::FakePost;
use crate::fixtures::program;
use crate::sim::Sim;
use chrono::TimeDelta;
use socialsync_core::clock::Timestamp;
use socialsync_core::domain::{Connection, PostState};
use socialsync_core::ids::{BrandId, CreatorId, PlatformPostId, PostId};
use socialsync_core::metrics::{Metric, Metrics};
use socialsync_core::platform::Platform;
use socialsync_core::store::{PostFilter, PostStore};
use socialsync_core::tracking::{ScopeSpec, Tracking};
use std::sync::Arc;

/// The posts each scenario makes.
const POSTS: usize = 6;

fn start() -> Timestamp {
    "2026-03-01T00:00:00Z".parse().expect("instant")
}

fn minutes(n: i64) -> TimeDelta {
    TimeDelta::minutes(n)
}

struct World {
    sim: Sim,
    creator: CreatorId,
    brand: BrandId,
}

async fn world(store: Arc<dyn PostStore>) -> World {
    let (brand, creator, _) = program(store.as_ref()).await;
    World {
        sim: Sim::new(store, start()),
        creator: creator.id,
        brand: brand.id,
    }
}

/// `POSTS` ten-day-old TikTok posts (see [`add_posts`]) and a recent one
/// that moves discovery's high-water mark, so the old posts fall outside
/// the hourly listing's overlap (only a re-read by id finds them again);
/// the account connected and an hour of cycles run.
async fn old_tiktok_posts_connected(w: &World) -> (Vec<String>, Connection) {
    let sim = &w.sim;
    let ids = add_posts(sim, Platform::TikTok, "tt");
    sim.fake(Platform::TikTok).add_post(FakePost::new(
        "tt-recent",
        "tt",
        start() - TimeDelta::hours(1),
        "#BrandX",
    ));
    let conn = sim.connect(w.creator, Platform::TikTok, "tt").await;
    run(sim, std::slice::from_ref(&sim.engine), 12).await;
    (ids, conn)
}

/// `POSTS` tracked posts of `account`, ten days old, published seven
/// minutes apart (so their slots fall at different minutes of the hour
/// and most calls hold one post), and an untracked one.
fn add_posts(sim: &Sim, platform: Platform, account: &str) -> Vec<String> {
    let fake = sim.fake(platform);
    let first = start() - TimeDelta::days(10);
    let mut ids = Vec::new();
    for k in 0..POSTS {
        let id = format!("{account}-p{k}");
        let at = first + minutes(7 * k as i64);
        fake.add_post(
            FakePost::new(&id, account, at, "launch day #BrandX")
                .reads(at, Metrics::new().with(Metric::Views, 100 + k as u64)),
        );
        ids.push(id);
    }
    fake.add_post(FakePost::new(
        &format!("{account}-other"),
        account,
        first,
        "no tag",
    ));
    ids
}

async fn states(store: &dyn PostStore, conn: &Connection) -> Vec<(String, PostState)> {
    let posts = must(
        store
            .list_posts(PostFilter {
                connection: Some(conn.id),
                ..Default::default()
            })
            .await,
        "list posts",
    );
    let mut out: Vec<(String, PostState)> = posts
        .into_iter()
        .filter(|p| !p.platform_post_id.as_str().ends_with("-other"))
        .map(|p| (p.platform_post_id.as_str().to_owned(), p.state))
        .collect();
    out.sort();
    out
}

fn count(states: &[(String, PostState)], state: PostState) -> usize {
    states.iter().filter(|(_, s)| *s == state).count()
}

/// Runs `cycles` cycles five minutes apart on every engine given, each
/// cycle of each engine concurrently.
async fn run(sim: &Sim, engines: &[socialsync_core::engine::Engine], cycles: u32) {
    for _ in 0..cycles {
        sim.clock.advance(minutes(5));
        let all = futures::future::join_all(engines.iter().map(|e| e.run_cycle())).await;
        for r in all {
            r.expect("cycle");
        }
    }
}

async fn connection(store: &dyn PostStore, conn: &Connection) -> Connection {
    must(store.get_connection(conn.id).await, "connection").expect("connection")
}

/// A token that reads the account but no post: on every platform, with
/// posts due at different minutes and one or two engines on the store, no
/// post is deleted; the connection is marked suspect on its health and the
/// host is told once. When the token reads again, the suspicion ends.
pub async fn half_broken_token_deletes_nothing(store: Arc<dyn PostStore>) {
    for (platform, engines) in [
        (Platform::Instagram, 1),
        (Platform::TikTok, 1),
        (Platform::YouTube, 1),
        (Platform::Instagram, 2),
        (Platform::TikTok, 2),
        (Platform::YouTube, 2),
    ] {
        let w = world(store.clone()).await;
        let sim = &w.sim;
        let account = format!("{}-{engines}", platform.as_str());
        add_posts(sim, platform, &account);
        let conn = sim.connect(w.creator, platform, &account).await;
        let engines: Vec<_> = (0..engines).map(|_| sim.new_engine()).collect();
        run(sim, &engines, 12).await;
        let before = states(&*store, &conn).await;
        assert_eq!(count(&before, PostState::Monitoring), POSTS, "{platform}");
        sim.fake(platform).break_reads(&account, true);
        // Three hours: every post falls due three times, at its own minute.
        run(sim, &engines, 36).await;
        let after = states(&*store, &conn).await;
        assert_eq!(
            count(&after, PostState::Deleted),
            0,
            "{platform}, {} engines: a half-broken token deleted posts: {after:?}",
            engines.len()
        );
        assert_eq!(count(&after, PostState::Monitoring), POSTS, "{platform}");
        let c = connection(&*store, &conn).await;
        let suspicion = c.health.suspect.expect("the connection is suspect");
        assert!(suspicion.unexplained >= 1, "{suspicion:?}");
        let told: Vec<_> = sim
            .notifier
            .suspects()
            .into_iter()
            .filter(|(n, _)| n.id == conn.id)
            .collect();
        assert_eq!(told.len(), 1, "{platform}: the host is told once");
        // Within the day, no confirmation calls: the posts just wait.
        let calls = sim.fake(platform).calls();
        run(sim, &engines, 12).await;
        let later = sim.fake(platform).calls();
        assert_eq!(
            later.get_post, calls.get_post,
            "{platform}: missing posts are not confirmed again before the re-check"
        );
        // The token reads again: scans land, and the suspicion ends at its
        // daily re-check.
        sim.fake(platform).break_reads(&account, false);
        run(sim, &engines, 12).await;
        let c = connection(&*store, &conn).await;
        assert!(c.health.suspect.is_some(), "{platform}: until the re-check");
        sim.clock.advance(TimeDelta::hours(22));
        run(sim, &engines, 12).await;
        let c = connection(&*store, &conn).await;
        assert_eq!(c.health.suspect, None, "{platform}");
        let after = states(&*store, &conn).await;
        assert_eq!(count(&after, PostState::Monitoring), POSTS, "{platform}");
    }
}

/// A creator who really deletes posts sees exactly those `Deleted`, on
/// every platform, with posts due at different minutes and one or two
/// engines on the store; a half-broken token afterwards deletes no more.
pub async fn real_deletions_are_deleted_as_far_as_the_count_fell(store: Arc<dyn PostStore>) {
    for (platform, engines) in [
        (Platform::Instagram, 1),
        (Platform::TikTok, 1),
        (Platform::YouTube, 1),
        (Platform::Instagram, 2),
        (Platform::TikTok, 2),
        (Platform::YouTube, 2),
    ] {
        let w = world(store.clone()).await;
        let sim = &w.sim;
        let account = format!("{}-{engines}", platform.as_str());
        let ids = add_posts(sim, platform, &account);
        let conn = sim.connect(w.creator, platform, &account).await;
        let engines: Vec<_> = (0..engines).map(|_| sim.new_engine()).collect();
        run(sim, &engines, 12).await;
        // The creator deletes two posts (and the untracked one).
        sim.fake(platform).delete_post(&ids[1]);
        sim.fake(platform).delete_post(&ids[4]);
        sim.fake(platform).delete_post(&format!("{account}-other"));
        run(sim, &engines, 24).await;
        let after = states(&*store, &conn).await;
        let deleted: Vec<&str> = after
            .iter()
            .filter(|(_, s)| *s == PostState::Deleted)
            .map(|(id, _)| id.as_str())
            .collect();
        assert_eq!(
            deleted,
            vec![ids[1].as_str(), ids[4].as_str()],
            "{platform}, {} engines",
            engines.len()
        );
        assert_eq!(count(&after, PostState::Monitoring), POSTS - 2);
        // The untracked post's deletion explains one more missing post, no
        // more: a half-broken token now deletes at most that one.
        sim.fake(platform).break_reads(&account, true);
        run(sim, &engines, 24).await;
        let broken = states(&*store, &conn).await;
        assert!(
            count(&broken, PostState::Deleted) <= 3,
            "{platform}: {broken:?}"
        );
        assert!(count(&broken, PostState::Monitoring) >= POSTS - 3);
    }
}

/// Without a post count (the platform gives none) nothing is deleted on a
/// missing answer: the posts stay `Monitoring`, the connection suspect.
pub async fn no_post_count_deletes_nothing(store: Arc<dyn PostStore>) {
    let w = world(store.clone()).await;
    let sim = &w.sim;
    let platform = Platform::TikTok;
    let ids = add_posts(sim, platform, "tt");
    sim.fake(platform).hide_post_counts(true);
    let conn = sim.connect(w.creator, platform, "tt").await;
    let engine = [sim.engine.clone()];
    run(sim, &engine, 12).await;
    sim.fake(platform).delete_post(&ids[0]);
    run(sim, &engine, 24).await;
    let after = states(&*store, &conn).await;
    assert_eq!(count(&after, PostState::Deleted), 0, "{after:?}");
    assert!(connection(&*store, &conn).await.health.suspect.is_some());
}

async fn post_id(store: &dyn PostStore, platform: Platform, id: &str) -> PostId {
    must(
        store
            .get_post_by_key(platform, &PlatformPostId::new(id))
            .await,
        "post",
    )
    .expect("post")
    .id
}

/// A video made private for an hour looks deleted; it is read again by id
/// every six hours and, found again, is `Monitoring` with its history
/// whole. One that stays gone expires when its window ends.
pub async fn deleted_posts_are_read_again_and_come_back(store: Arc<dyn PostStore>) {
    let w = world(store.clone()).await;
    let sim = &w.sim;
    let platform = Platform::TikTok;
    let (ids, conn) = old_tiktok_posts_connected(&w).await;
    let engine = [sim.engine.clone()];
    let hidden = post_id(&*store, platform, &ids[2]).await;
    let snapshots_before = must(
        store.list_snapshots(hidden, start(), sim.now()).await,
        "snaps",
    );
    assert!(!snapshots_before.is_empty());
    let scans_before = must(store.get_post(hidden).await, "post")
        .expect("post")
        .scan_count;
    sim.fake(platform).set_private(&ids[2], true);
    run(sim, &engine, 12).await;
    let p = must(store.get_post(hidden).await, "post").expect("post");
    assert_eq!(p.state, PostState::Deleted, "private looks deleted");
    let deleted_at = sim.now();
    assert!(
        p.next_scan_at
            .is_some_and(|t| t > deleted_at && t <= deleted_at + TimeDelta::hours(6)),
        "read again within six hours: {:?}",
        p.next_scan_at
    );
    // Public again after an hour; only the re-read by id can find it.
    run(sim, &engine, 12).await;
    sim.fake(platform).set_private(&ids[2], false);
    run(sim, &engine, 12 * 6).await;
    let p = must(store.get_post(hidden).await, "post").expect("post");
    assert_eq!(
        p.state,
        PostState::Monitoring,
        "back after the re-read: {p:?}"
    );
    assert!(p.scan_count > scans_before);
    let snapshots_after = must(
        store.list_snapshots(hidden, start(), sim.now()).await,
        "snaps",
    );
    assert_eq!(
        &snapshots_after[..snapshots_before.len()],
        &snapshots_before[..],
        "its history is whole"
    );
    // It keeps being scanned hourly.
    let scans = p.scan_count;
    run(sim, &engine, 24).await;
    let p = must(store.get_post(hidden).await, "post").expect("post");
    assert!(p.scan_count > scans, "{scans} then {p:?}");
    // Gone for good: `Deleted` until its window ends, then `Expired`.
    let gone = post_id(&*store, platform, &ids[3]).await;
    sim.fake(platform).delete_post(&ids[3]);
    run(sim, &engine, 12).await;
    let p = must(store.get_post(gone).await, "post").expect("post");
    assert_eq!(p.state, PostState::Deleted);
    let end = p.monitor_until;
    // Daily to the window's last day, then hourly past its end.
    while sim.now() + TimeDelta::days(1) < end {
        sim.clock.advance(TimeDelta::days(1));
        sim.engine.run_cycle().await.expect("cycle");
    }
    assert_eq!(
        must(store.get_post(gone).await, "post")
            .expect("post")
            .state,
        PostState::Deleted,
        "deleted while its window runs"
    );
    while sim.now() < end + TimeDelta::hours(7) {
        sim.clock.advance(TimeDelta::hours(1));
        sim.engine.run_cycle().await.expect("cycle");
    }
    let p = must(store.get_post(gone).await, "post").expect("post");
    assert_eq!(p.state, PostState::Expired, "expired when its window ended");
    assert_eq!(p.next_scan_at, None);
    let _ = conn;
}

/// A `Deleted` post that discovery lists again is `Monitoring` again.
pub async fn deleted_posts_listed_again_come_back(store: Arc<dyn PostStore>) {
    let w = world(store.clone()).await;
    let sim = &w.sim;
    let platform = Platform::YouTube;
    let fake = sim.fake(platform);
    let at = start() - TimeDelta::hours(3);
    fake.add_post(
        FakePost::new("fresh", "yt", at, "#BrandX")
            .reads(at, Metrics::new().with(Metric::Views, 5)),
    );
    fake.add_post(FakePost::new("other", "yt", at, "#BrandX"));
    let _conn = sim.connect(w.creator, platform, "yt").await;
    let engine = [sim.engine.clone()];
    run(sim, &engine, 12).await;
    let id = post_id(&*store, platform, "fresh").await;
    fake.set_private("fresh", true);
    run(sim, &engine, 12).await;
    assert_eq!(
        must(store.get_post(id).await, "post").expect("post").state,
        PostState::Deleted
    );
    fake.set_private("fresh", false);
    // The next hourly discovery lists it (inside its overlap).
    run(sim, &engine, 13).await;
    let p = must(store.get_post(id).await, "post").expect("post");
    assert_eq!(p.state, PostState::Monitoring);
}

/// A report marks the buckets while a post was `Deleted` (its last reading
/// carried) and counts states as of its range's end.
pub async fn reports_mark_deleted_buckets_and_count_states_at_the_end(store: Arc<dyn PostStore>) {
    use socialsync_core::report::BucketSize;
    use socialsync_core::report::{ReportRange, analytics_report};
    let w = world(store.clone()).await;
    let sim = &w.sim;
    let platform = Platform::TikTok;
    let (ids, _) = old_tiktok_posts_connected(&w).await;
    let engine = [sim.engine.clone()];
    // Hidden at 01:00 (found gone at its 01:14 slot), public again at
    // 03:00, found by the re-read six hours after it was found gone.
    sim.fake(platform).set_private(&ids[2], true);
    run(sim, &engine, 24).await;
    sim.fake(platform).set_private(&ids[2], false);
    run(sim, &engine, 72).await;
    let hours = |n: i64| start() + TimeDelta::hours(n);
    let range = ReportRange::new(hours(0), hours(9), BucketSize::Hour).expect("range");
    let r = analytics_report(&*store, w.brand, range)
        .await
        .expect("report");
    let marks: Vec<bool> = r.series.iter().map(|b| b.deleted).collect();
    assert_eq!(
        marks,
        [false, true, true, true, true, true, true, true, false],
        "deleted from 01:15 to 07:15"
    );
    let views: Vec<i128> = r
        .series
        .iter()
        .map(|b| b.as_of.get(&Metric::Views).copied().unwrap_or(0))
        .collect();
    assert!(
        views.iter().all(|v| *v == views[0]) && views[0] > 0,
        "its last reading is carried: {views:?}"
    );
    assert_eq!(
        (r.posts_by_state.monitoring, r.posts_by_state.deleted),
        (POSTS as u64 + 1, 0),
        "as of 09:00"
    );
    let range = ReportRange::new(hours(0), hours(4), BucketSize::Hour).expect("range");
    let r = analytics_report(&*store, w.brand, range)
        .await
        .expect("report");
    assert_eq!(
        (r.posts_by_state.monitoring, r.posts_by_state.deleted),
        (POSTS as u64, 1),
        "as of 04:00"
    );
    let line = r
        .by_post
        .iter()
        .find(|l| l.platform_post_id.as_str() == ids[2])
        .expect("the hidden post's line");
    assert_eq!(line.state, PostState::Deleted);
}

/// Hostile: a `Deleted` post that comes back with a new reading is
/// `Monitoring`, and from then on the deletion guard protects it like any
/// other: a half-broken token afterwards deletes nothing
/// (ARCHITECTURE.md §2, §4).
pub async fn post_back_from_deleted_is_guarded_again(store: Arc<dyn PostStore>) {
    let w = world(store.clone()).await;
    let sim = &w.sim;
    let platform = Platform::TikTok;
    let (ids, conn) = old_tiktok_posts_connected(&w).await;
    let engine = [sim.engine.clone()];
    let back = post_id(&*store, platform, &ids[2]).await;
    sim.fake(platform).set_private(&ids[2], true);
    run(sim, &engine, 12).await;
    assert_eq!(
        must(store.get_post(back).await, "post")
            .expect("post")
            .state,
        PostState::Deleted
    );
    // Public again, its views growing every hour: the re-read by id reads
    // it, and each hourly scan after it has a new reading.
    for h in 0..48 {
        sim.fake(platform).set_metrics(
            &ids[2],
            sim.now() + TimeDelta::hours(h),
            Metrics::new().with(Metric::Views, 5_000 + h as u64),
        );
    }
    sim.fake(platform).set_private(&ids[2], false);
    run(sim, &engine, 12 * 7).await;
    let p = must(store.get_post(back).await, "post").expect("post");
    assert_eq!(p.state, PostState::Monitoring, "back: {p:?}");
    run(sim, &engine, 24).await;
    // Now the token turns half-broken: nothing may be deleted.
    sim.fake(platform).break_reads("tt", true);
    run(sim, &engine, 36).await;
    let after = states(&*store, &conn).await;
    assert_eq!(
        count(&after, PostState::Deleted),
        0,
        "a half-broken token deleted a post that had come back: {after:?}"
    );
}

/// Hostile: a `Deleted` post returns to `Monitoring` only when it is read or
/// listed again (ARCHITECTURE.md §2). A re-read that the platform answers with a
/// missing permission reads nothing: the post stays `Deleted`, and the
/// connection does not turn suspect over a post the creator really deleted.
pub async fn deleted_post_unread_for_a_missing_permission_stays_deleted(store: Arc<dyn PostStore>) {
    use crate::fake_platform::Op;
    use socialsync_core::platform::PlatformErrorKind;
    let w = world(store.clone()).await;
    let sim = &w.sim;
    let platform = Platform::TikTok;
    let (ids, conn) = old_tiktok_posts_connected(&w).await;
    let engine = [sim.engine.clone()];
    let gone = post_id(&*store, platform, &ids[3]).await;
    sim.fake(platform).delete_post(&ids[3]);
    run(sim, &engine, 12).await;
    assert_eq!(
        must(store.get_post(gone).await, "post")
            .expect("post")
            .state,
        PostState::Deleted
    );
    // For seven hours (its re-read by id falls inside) every metrics call
    // is refused for a scope the creator did not grant.
    sim.fake(platform).fail(
        Op::FetchMetrics,
        Some("tt"),
        PlatformErrorKind::PermissionMissing("video.list".into()),
        10_000,
    );
    run(sim, &engine, 12 * 7).await;
    sim.fake(platform).clear_faults();
    let p = must(store.get_post(gone).await, "post").expect("post");
    assert_eq!(
        p.state,
        PostState::Deleted,
        "a re-read that read nothing brought a deleted post back: {p:?}"
    );
    run(sim, &engine, 24).await;
    let c = connection(&*store, &conn).await;
    assert_eq!(
        c.health.suspect, None,
        "a really deleted post made the connection suspect"
    );
}

/// Hostile: a post the creator deletes while the connection is reset (the
/// disabled connections view) is really gone: when the creator connects
/// the account again and the connection takes over its posts, that post is
/// `Deleted` (ARCHITECTURE.md §4, the deletion guard: a creator who really
/// deletes posts sees them `Deleted`; §5: nothing lost across a reset), and
/// the host is not told the new token is suspect.
pub async fn deletion_while_reset_is_deleted_after_reconnection(store: Arc<dyn PostStore>) {
    let w = world(store.clone()).await;
    let sim = &w.sim;
    let platform = Platform::TikTok;
    let ids = add_posts(sim, platform, "tt");
    let conn = sim.connect(w.creator, platform, "tt").await;
    let engine = [sim.engine.clone()];
    run(sim, &engine, 12).await;
    // The creator revokes the app: disconnected at the next call; reset.
    sim.fake(platform).revoke("tt");
    run(sim, &engine, 24).await;
    assert!(!connection(&*store, &conn).await.status.is_active());
    sim.engine
        .reset_connection(conn.id)
        .await
        .expect("reset the disconnected connection");
    // While reset, the creator deletes a post; then connects again.
    sim.fake(platform).delete_post(&ids[1]);
    run(sim, &engine, 12).await;
    let credentials = sim.fake(platform).reauthorize("tt");
    sim.connect_with(w.creator, platform, "tt", credentials)
        .await;
    run(sim, &engine, 12 * 48).await;
    let gone = must(
        store
            .get_post_by_key(platform, &PlatformPostId::new(&ids[1]))
            .await,
        "post",
    )
    .expect("post");
    assert_eq!(
        gone.state,
        PostState::Deleted,
        "deleted while the connection was reset, two days after reconnecting: {gone:?}"
    );
    let told = sim.notifier.suspects();
    assert!(
        told.is_empty(),
        "the new token was reported suspect: {told:?}"
    );
}

/// Hostile: a connection made suspect by one post it cannot account for
/// (here the platform gives no post count) stays suspect until the daily
/// re-check: the other posts reading well in the meantime do not clear the
/// suspicion, so the host is told once, not once an hour, and the missing
/// post is not confirmed again every hour (ARCHITECTURE.md §4: a suspicion
/// is re-checked after `suspect_recheck`, a day).
pub async fn suspicion_is_rechecked_daily_not_hourly(store: Arc<dyn PostStore>) {
    let w = world(store.clone()).await;
    let sim = &w.sim;
    let platform = Platform::TikTok;
    let ids = add_posts(sim, platform, "tt");
    sim.fake(platform).hide_post_counts(true);
    let conn = sim.connect(w.creator, platform, "tt").await;
    let engine = [sim.engine.clone()];
    run(sim, &engine, 12).await;
    sim.fake(platform).delete_post(&ids[0]);
    // Two hours: the missing post is found and the connection is suspect.
    run(sim, &engine, 24).await;
    assert!(connection(&*store, &conn).await.health.suspect.is_some());
    let calls = sim.fake(platform).calls();
    // The rest of the day: the five other posts read every hour.
    run(sim, &engine, 12 * 18).await;
    let told = sim
        .notifier
        .suspects()
        .into_iter()
        .filter(|(n, _)| n.id == conn.id)
        .count();
    let later = sim.fake(platform).calls();
    assert_eq!(
        (told, later.get_post - calls.get_post),
        (1, 0),
        "(suspicion notices, confirmations of the missing post) within the day"
    );
}

/// Hostile: a post `Deleted` until its window ends is `Expired` from then on; a
/// report over a range after its window flags no bucket as deleted
/// (ARCHITECTURE.md §2: buckets *while* a post was `Deleted` are flagged) and
/// agrees with its own state counts, which say `Expired`.
pub async fn buckets_after_a_deleted_post_expired_are_not_flagged(store: Arc<dyn PostStore>) {
    use socialsync_core::report::BucketSize;
    use socialsync_core::report::{ReportRange, analytics_report};
    let w = world(store.clone()).await;
    let sim = &w.sim;
    let platform = Platform::TikTok;
    // Its window ends twelve hours from the start.
    let published = start() - TimeDelta::days(90) + TimeDelta::hours(12);
    sim.fake(platform).add_post(
        FakePost::new("tt-old", "tt", published, "#BrandX")
            .reads(published, Metrics::new().with(Metric::Views, 10)),
    );
    sim.connect(w.creator, platform, "tt").await;
    let engine = [sim.engine.clone()];
    run(sim, &engine, 12).await;
    sim.fake(platform).delete_post("tt-old");
    run(sim, &engine, 12 * 23).await;
    let id = post_id(&*store, platform, "tt-old").await;
    let p = must(store.get_post(id).await, "post").expect("post");
    assert_eq!(p.state, PostState::Expired, "{p:?}");
    let hours = |n: i64| start() + TimeDelta::hours(n);
    let range = ReportRange::new(hours(18), hours(21), BucketSize::Hour).expect("range");
    let r = analytics_report(&*store, w.brand, range)
        .await
        .expect("report");
    assert_eq!(
        (r.posts_by_state.expired, r.posts_by_state.deleted),
        (1, 0),
        "as of 21:00"
    );
    let marks: Vec<bool> = r.series.iter().map(|b| b.deleted).collect();
    assert_eq!(
        marks,
        [false, false, false],
        "buckets after its window ended (it is Expired) are flagged deleted: {:?}",
        r.series
    );
}

/// Hostile: a half-broken token never mass-deletes (ARCHITECTURE.md §4). The
/// creator tidies the profile by deleting old posts nobody tracks; every
/// tracked post keeps reading for two weeks. Then the token turns
/// half-broken: that old fall of the count explains none of the posts now
/// missing, and none is deleted.
pub async fn an_old_fall_of_the_count_does_not_let_a_half_broken_token_delete(
    store: Arc<dyn PostStore>,
) {
    for platform in [Platform::Instagram, Platform::TikTok, Platform::YouTube] {
        let w = world(store.clone()).await;
        let sim = &w.sim;
        let account = format!("{}-tidy", platform.as_str());
        add_posts(sim, platform, &account);
        // Six old posts, long out of any window.
        let old = start() - TimeDelta::days(400);
        for k in 0..POSTS {
            sim.fake(platform).add_post(FakePost::new(
                &format!("{account}-old{k}"),
                &account,
                old + minutes(k as i64),
                "archive #BrandX",
            ));
        }
        let conn = sim.connect(w.creator, platform, &account).await;
        let engine = [sim.engine.clone()];
        run(sim, &engine, 12).await;
        for k in 0..POSTS {
            sim.fake(platform).delete_post(&format!("{account}-old{k}"));
        }
        // Two weeks of good readings.
        for _ in 0..14 * 24 {
            run(sim, &engine, 12).await;
        }
        let before = states(&*store, &conn).await;
        assert_eq!(count(&before, PostState::Monitoring), POSTS, "{before:?}");
        sim.fake(platform).break_reads(&account, true);
        // Every post falls due in the next hour. (Looked at before the next
        // hourly listing, which here still lists them and brings deleted
        // ones back: they were `Deleted`, and published as such, all the same.)
        run(sim, &engine, 11).await;
        let after = states(&*store, &conn).await;
        assert_eq!(
            count(&after, PostState::Deleted),
            0,
            "{platform}: a half-broken token deleted posts two weeks after old ones were: \
             {after:?}"
        );
    }
}

/// Hostile: a post that no scope matches any more is `Untracked`
/// (ARCHITECTURE.md §2). One whose scope stopped matching while it was
/// `Deleted` and that is then read again is not monitored for nobody: it is
/// `Untracked`, not `Monitoring`.
pub async fn deleted_post_no_scope_matches_comes_back_untracked(store: Arc<dyn PostStore>) {
    let sim = Sim::new(store.clone(), start());
    let tracking = Tracking::new(store.clone(), sim.clock.clone());
    let brand = tracking.create_brand("Acme").await.expect("brand").id;
    let creator = tracking
        .create_creator("Ana", None)
        .await
        .expect("creator")
        .id;
    let program = tracking
        .create_program(
            brand,
            ScopeSpec::new("Program", ["#BrandX"]).members([creator]),
        )
        .await
        .expect("program");
    let platform = Platform::TikTok;
    let ids = add_posts(&sim, platform, "tt");
    sim.fake(platform).add_post(FakePost::new(
        "tt-recent",
        "tt",
        start() - TimeDelta::hours(1),
        "#BrandX",
    ));
    sim.connect(creator, platform, "tt").await;
    let engine = [sim.engine.clone()];
    run(&sim, &engine, 12).await;
    let hidden = post_id(&*store, platform, &ids[2]).await;
    sim.fake(platform).set_private(&ids[2], true);
    run(&sim, &engine, 12).await;
    assert_eq!(
        must(store.get_post(hidden).await, "post")
            .expect("post")
            .state,
        PostState::Deleted
    );
    // The brand tracks another hashtag now: nothing of this creator matches.
    tracking
        .set_hashtags(brand, program.id, &["#BrandY"])
        .await
        .expect("hashtags");
    run(&sim, &engine, 12).await;
    let others = must(
        store
            .get_post_by_key(platform, &PlatformPostId::new(&ids[0]))
            .await,
        "post",
    )
    .expect("post");
    assert_eq!(others.state, PostState::Untracked, "{others:?}");
    // Public again: the re-read by id finds it.
    sim.fake(platform).set_private(&ids[2], false);
    run(&sim, &engine, 12 * 7).await;
    let p = must(store.get_post(hidden).await, "post").expect("post");
    assert_eq!(
        p.state,
        PostState::Untracked,
        "found again while no scope matches it: {p:?}"
    );
}
