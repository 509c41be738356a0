//! The engine on a manual clock, the fake platform and the memory store.

use chrono::TimeDelta;
use futures::StreamExt;
use socialsync::core::clock::Timestamp;
use socialsync::core::domain::{CampaignWindow, DisconnectReason, PostState, StatusKind};
use socialsync::core::events::{ConnectionChange, Event};
use socialsync::core::ids::{BrandId, PlatformAccountId, PlatformPostId};
use socialsync::core::metrics::{Metric, MetricSet, Metrics};
use socialsync::core::platform::Platform;
use socialsync::core::platform::PlatformErrorKind;
use socialsync::core::report::{BucketSize, ReportQuery};
use socialsync::core::store::{PostFilter, PostStore};
use socialsync::core::tracking::{ScopeSpec, Tracking};
use socialsync::memory::MemoryStore;
use socialsync_testkit::{FakePost, Op, Sim};
use std::sync::Arc;

fn t0() -> Timestamp {
    "2026-03-01T00:00:00Z".parse().unwrap()
}

fn h(n: i64) -> TimeDelta {
    TimeDelta::hours(n)
}

fn views(v: u64) -> Metrics {
    Metrics::new().with(Metric::Views, v)
}

struct World {
    sim: Sim,
    tracking: Tracking,
    brand: BrandId,
    ana: socialsync::core::ids::CreatorId,
    program: socialsync::core::domain::Scope,
}

async fn world() -> World {
    let store: Arc<dyn PostStore> = Arc::new(MemoryStore::new());
    let sim = Sim::new(store.clone(), t0());
    let tracking = Tracking::new(store, sim.clock.clone());
    let brand = tracking.create_brand("Acme").await.unwrap().id;
    let ana = tracking.create_creator("Ana", None).await.unwrap().id;
    let program = tracking
        .create_program(brand, ScopeSpec::new("Program", ["#BrandX"]).members([ana]))
        .await
        .unwrap();
    World {
        sim,
        tracking,
        brand,
        ana,
        program,
    }
}

async fn post(w: &World, platform: Platform, id: &str) -> socialsync::core::domain::Post {
    w.sim
        .store
        .get_post_by_key(platform, &PlatformPostId::new(id))
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("post {id} not stored"))
}

#[tokio::test]
async fn post_discovered_at_publication_is_scanned_2161_times_and_never_after() {
    let w = world().await;
    let fake = w.sim.fake(Platform::TikTok);
    fake.add_post(FakePost::new("v1", "tt-ana", t0(), "day one #brandx").reads(t0(), views(1)));
    w.sim.connect(w.ana, Platform::TikTok, "tt-ana").await;
    w.sim.cycle().await;
    w.sim.run(h(1), 2160).await;
    let p = post(&w, Platform::TikTok, "v1").await;
    assert_eq!(p.scan_count, 2161);
    assert_eq!(p.state, PostState::Expired);
    assert_eq!(p.last_scanned_at, Some(t0() + TimeDelta::days(90)));
    let calls = fake.calls().fetch_metrics;
    w.sim.run(h(1), 48).await;
    assert_eq!(post(&w, Platform::TikTok, "v1").await.scan_count, 2161);
    assert_eq!(
        fake.calls().fetch_metrics,
        calls,
        "no reads after the window"
    );
    // Nothing changed after the first reading: one snapshot.
    assert_eq!(
        w.sim
            .store
            .list_snapshots(p.id, t0(), t0() + TimeDelta::days(91))
            .await
            .unwrap()
            .len(),
        1
    );
}

#[tokio::test]
async fn late_discovery_gets_remaining_slots_and_old_posts_are_not_monitored() {
    let w = world().await;
    let fake = w.sim.fake(Platform::YouTube);
    let published = t0() - TimeDelta::days(30) + TimeDelta::minutes(20);
    fake.add_post(
        FakePost::new("late", "yt-ana", published, "#BrandX review").reads(published, views(5)),
    );
    fake.add_post(FakePost::new(
        "old",
        "yt-ana",
        t0() - TimeDelta::days(91),
        "#BrandX old",
    ));
    w.sim.connect(w.ana, Platform::YouTube, "yt-ana").await;
    w.sim.cycle().await;
    // Cycles on the post's slots (at 20 past): its last slot is its window's
    // end, and no reading is taken more than a lease after that.
    w.sim.run(TimeDelta::minutes(20), 1).await;
    w.sim.run(h(1), 61 * 24).await;
    let p = post(&w, Platform::YouTube, "late").await;
    let expected = w.sim.engine.policy().expected_scans(published, t0());
    // One reading at discovery, then every slot up to and including monitor_until.
    assert_eq!(expected, 2 + 60 * 24);
    assert_eq!(u64::from(p.scan_count), expected);
    assert_eq!(p.state, PostState::Expired);
    assert!(
        w.sim
            .store
            .get_post_by_key(Platform::YouTube, &PlatformPostId::new("old"))
            .await
            .unwrap()
            .is_none()
    );
}

#[tokio::test]
async fn after_a_five_hour_outage_a_post_is_scanned_once() {
    let w = world().await;
    let fake = w.sim.fake(Platform::TikTok);
    fake.add_post(FakePost::new("v1", "tt-ana", t0(), "#brandx").reads(t0(), views(1)));
    w.sim.connect(w.ana, Platform::TikTok, "tt-ana").await;
    w.sim.cycle().await;
    // The engine is down for five hours.
    w.sim.clock.advance(h(5) + TimeDelta::minutes(30));
    let r = w.sim.cycle().await;
    assert_eq!(r.scans, 1);
    let p = post(&w, Platform::TikTok, "v1").await;
    assert_eq!(p.scan_count, 2);
    assert_eq!(p.next_scan_at, Some(t0() + h(6)));
    // The platform is down for five hours: the post is read once afterwards.
    fake.fail(Op::FetchMetrics, None, PlatformErrorKind::Unavailable, 1000);
    w.sim.run(h(1), 5).await;
    assert_eq!(post(&w, Platform::TikTok, "v1").await.scan_count, 2);
    let health = w
        .sim
        .engine
        .connection_health(p.connection)
        .await
        .unwrap()
        .unwrap();
    assert!(health.consecutive_failures >= 1);
    assert!(
        health
            .connection
            .health
            .last_error
            .as_deref()
            .is_some_and(|e| e.contains("unavailable"))
    );
    assert!(health.oldest_overdue.is_some());
    fake.clear_faults();
    w.sim.clock.advance(h(1));
    let r = w.sim.cycle().await;
    assert_eq!(r.scans, 1, "never replayed in a burst");
    let p = post(&w, Platform::TikTok, "v1").await;
    assert_eq!(p.scan_count, 3);
    let c = w
        .sim
        .store
        .get_connection(p.connection)
        .await
        .unwrap()
        .unwrap();
    assert!(c.status.is_active(), "transient errors never disconnect");
}

#[tokio::test]
async fn program_and_campaign_attribution_with_window_edges() {
    let w = world().await;
    let window = CampaignWindow {
        starts_at: Some(t0() - h(10)),
        ends_at: Some(t0() - h(2)),
    };
    let campaign = w
        .tracking
        .create_campaign(
            w.brand,
            ScopeSpec::new("Launch", ["#Launch", "brandx"]).members([w.ana]),
            Some(window),
        )
        .await
        .unwrap();
    let fake = w.sim.fake(Platform::Instagram);
    fake.add_post(FakePost::new("at-start", "ig-ana", t0() - h(10), "#launch"));
    fake.add_post(FakePost::new("at-end", "ig-ana", t0() - h(2), "#launch"));
    fake.add_post(FakePost::new(
        "both",
        "ig-ana",
        t0() - h(5),
        "#BRANDX #launch",
    ));
    fake.add_post(FakePost::new(
        "program-only",
        "ig-ana",
        t0() - h(1),
        "#brandx",
    ));
    fake.add_post(FakePost::new(
        "nothing",
        "ig-ana",
        t0() - h(1),
        "#brandxmas",
    ));
    w.sim.connect(w.ana, Platform::Instagram, "ig-ana").await;
    let scopes = |p: socialsync::core::domain::Post| {
        let mut s: Vec<_> = p.attribution.iter().map(|a| a.scope).collect();
        s.sort();
        (p.state, s)
    };
    assert_eq!(
        scopes(post(&w, Platform::Instagram, "at-start").await),
        (PostState::Monitoring, vec![campaign.id])
    );
    assert_eq!(
        scopes(post(&w, Platform::Instagram, "at-end").await),
        (PostState::Seen, vec![])
    );
    assert_eq!(
        scopes(post(&w, Platform::Instagram, "both").await),
        (PostState::Monitoring, vec![w.program.id, campaign.id])
    );
    assert_eq!(
        scopes(post(&w, Platform::Instagram, "program-only").await),
        (PostState::Monitoring, vec![w.program.id])
    );
    assert_eq!(
        scopes(post(&w, Platform::Instagram, "nothing").await),
        (PostState::Seen, vec![])
    );
    // A post of two scopes is read once per scan.
    let before = fake.calls().fetch_metrics;
    let r = w.sim.cycle().await;
    assert_eq!(r.scans, 3);
    assert_eq!(
        fake.calls().fetch_metrics - before,
        3,
        "Instagram reads one post per call"
    );
    // A creator who is not a member: nothing attributed.
    let bo = w.tracking.create_creator("Bo", None).await.unwrap().id;
    w.sim
        .fake(Platform::TikTok)
        .add_post(FakePost::new("bo1", "tt-bo", t0() - h(1), "#brandx"));
    w.sim.connect(bo, Platform::TikTok, "tt-bo").await;
    assert_eq!(
        post(&w, Platform::TikTok, "bo1").await.state,
        PostState::Seen
    );
}

#[tokio::test]
async fn hashtag_added_later_attributes_stored_posts_without_list_calls() {
    let w = world().await;
    let fake = w.sim.fake(Platform::TikTok);
    for d in 1..=7 {
        let at = t0() + TimeDelta::days(d);
        fake.add_post(
            FakePost::new(&format!("v{d}"), "tt-ana", at, "summer #newline")
                .reads(at, views(d as u64)),
        );
    }
    w.sim.connect(w.ana, Platform::TikTok, "tt-ana").await;
    w.sim.run(h(1), 10 * 24).await;
    for d in 1..=7 {
        assert_eq!(
            post(&w, Platform::TikTok, &format!("v{d}")).await.state,
            PostState::Seen
        );
    }
    let lists = fake.calls().list_posts;
    w.tracking
        .add_hashtags(w.brand, w.program.id, &["#NewLine"])
        .await
        .unwrap();
    let r = w.sim.cycle().await;
    assert_eq!(
        fake.calls().list_posts,
        lists,
        "retro-matching makes no list call"
    );
    assert_eq!(r.scans, 7, "retro-matched posts are due at once");
    for d in 1..=7 {
        let p = post(&w, Platform::TikTok, &format!("v{d}")).await;
        assert_eq!(p.state, PostState::Monitoring);
        assert_eq!(p.attribution[0].tracked, "NewLine");
    }
    // Removing the member makes them Untracked; their data stays.
    w.tracking
        .remove_members(w.brand, w.program.id, &[w.ana])
        .await
        .unwrap();
    w.sim.cycle().await;
    let p = post(&w, Platform::TikTok, "v3").await;
    assert_eq!(p.state, PostState::Untracked);
    assert_eq!(
        w.sim
            .store
            .list_snapshots(p.id, t0(), t0() + TimeDelta::days(30))
            .await
            .unwrap()
            .len(),
        1
    );
}

#[tokio::test]
async fn disconnect_with_eight_engines_is_one_disconnection_and_one_notice() {
    let w = world().await;
    let fake = w.sim.fake(Platform::TikTok);
    for i in 0..40 {
        fake.add_post(
            FakePost::new(&format!("v{i}"), "tt-ana", t0() - h(1), "#brandx")
                .reads(t0() - h(1), views(i)),
        );
    }
    let conn = w.sim.connect(w.ana, Platform::TikTok, "tt-ana").await;
    w.sim.cycle().await;
    fake.revoke("tt-ana");
    w.sim.clock.advance(h(1));
    let engines: Vec<_> = (0..8).map(|_| w.sim.new_engine()).collect();
    let runs = engines.iter().map(|e| {
        let e = e.clone();
        tokio::spawn(async move { e.run_cycle().await.unwrap() })
    });
    for r in futures::future::join_all(runs).await {
        r.unwrap();
    }
    let lost = w.sim.notifier.lost();
    assert_eq!(lost.len(), 1, "one notifier call");
    assert_eq!(lost[0].connection, conn.id);
    let c = w.sim.store.get_connection(conn.id).await.unwrap().unwrap();
    assert_eq!(c.status.kind(), StatusKind::Disconnected);
    let paused = w
        .sim
        .store
        .list_posts(PostFilter {
            connection: Some(conn.id),
            states: Some(vec![PostState::Paused]),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(paused.len(), 40);
    // No calls while disconnected.
    let calls = fake.calls().total();
    w.sim.run(h(1), 24).await;
    assert_eq!(fake.calls().total(), calls);
    assert_eq!(w.sim.notifier.lost().len(), 1, "not notified again");
    // Reconnect: posts published during the gap are found, old posts resume at once.
    let gap_post_at = w.sim.now() - h(5);
    fake.add_post(
        FakePost::new("gap", "tt-ana", gap_post_at, "made while away #brandx")
            .reads(gap_post_at, views(7)),
    );
    let creds = fake.reauthorize("tt-ana");
    w.sim
        .connect_with(w.ana, Platform::TikTok, "tt-ana", creds)
        .await;
    let r = w.sim.cycle().await;
    assert_eq!(r.scans, 41);
    assert_eq!(
        post(&w, Platform::TikTok, "gap").await.state,
        PostState::Monitoring
    );
    // The report marks the gap.
    let day = |d: i64| t0() + TimeDelta::days(d);
    let inputs = w
        .sim
        .store
        .report_inputs(ReportQuery {
            brand: w.brand,
            scope: Some(w.program.id),
            from: day(-1),
            to: day(3),
            bucket: BucketSize::Day,
        })
        .await
        .unwrap();
    let history = &inputs.connection_history[0].1;
    assert!(
        history
            .iter()
            .any(|i| i.status == StatusKind::Disconnected && i.overlaps(day(0), day(1)))
    );
}

#[tokio::test]
async fn expired_token_is_refreshed_once_and_rotation_is_saved() {
    let w = world().await;
    let fake = w.sim.fake(Platform::TikTok);
    fake.add_post(
        FakePost::new("v1", "tt-ana", t0() - h(1), "#brandx").reads(t0() - h(1), views(1)),
    );
    let conn = w.sim.connect(w.ana, Platform::TikTok, "tt-ana").await;
    w.sim.cycle().await;
    fake.expire_token("tt-ana");
    w.sim.run(h(1), 1).await;
    assert_eq!(fake.calls().refresh, 1);
    let c = w.sim.store.get_connection(conn.id).await.unwrap().unwrap();
    assert!(c.status.is_active());
    let creds = w.sim.store.get_credentials(conn.id).await.unwrap().unwrap();
    assert_eq!(
        creds.credentials.refresh_token(),
        Some("refresh-tt-ana-2"),
        "the rotated refresh token is stored"
    );
    assert_eq!(post(&w, Platform::TikTok, "v1").await.scan_count, 2);
    assert!(w.sim.notifier.lost().is_empty());
}

#[tokio::test]
async fn permission_missing_degrades_and_other_metrics_land() {
    let w = world().await;
    let fake = w.sim.fake(Platform::Instagram);
    let m = Metrics::new()
        .with(Metric::Likes, 5)
        .with(Metric::Reach, 50);
    fake.add_post(FakePost::new("p1", "ig-ana", t0() - h(1), "#brandx").reads(t0() - h(1), m));
    fake.withhold_permission(
        MetricSet::of(&[Metric::Reach]),
        "instagram_business_manage_insights",
    );
    let conn = w.sim.connect(w.ana, Platform::Instagram, "ig-ana").await;
    w.sim.cycle().await;
    let c = w.sim.store.get_connection(conn.id).await.unwrap().unwrap();
    assert!(c.status.is_active());
    assert_eq!(
        c.health.missing_permissions,
        ["instagram_business_manage_insights"]
    );
    assert_eq!(w.sim.notifier.missing().len(), 1);
    let snap = w
        .sim
        .store
        .latest_snapshot(post(&w, Platform::Instagram, "p1").await.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(snap.metrics.get(Metric::Likes), Some(5));
    assert_eq!(snap.metrics.get(Metric::Reach), None);
    // A whole call refused for a permission: still active, not disconnected.
    fake.fail(
        Op::FetchMetrics,
        None,
        PlatformErrorKind::PermissionMissing("insights".into()),
        1,
    );
    w.sim.run(h(1), 1).await;
    assert!(
        w.sim
            .store
            .get_connection(conn.id)
            .await
            .unwrap()
            .unwrap()
            .status
            .is_active()
    );
    assert!(w.sim.notifier.lost().is_empty());
}

#[tokio::test]
async fn rate_limit_backs_off_and_releases_claims() {
    let w = world().await;
    let fake = w.sim.fake(Platform::TikTok);
    fake.add_post(
        FakePost::new("v1", "tt-ana", t0() - h(1), "#brandx").reads(t0() - h(1), views(1)),
    );
    let conn = w.sim.connect(w.ana, Platform::TikTok, "tt-ana").await;
    let until = t0() + TimeDelta::minutes(30);
    fake.fail(
        Op::FetchMetrics,
        None,
        PlatformErrorKind::RateLimited {
            until: Some(until),
            reach: socialsync_core::platform::LimitReach::Account,
        },
        1,
    );
    let r = w.sim.cycle().await;
    assert_eq!((r.scans, r.released), (0, 1));
    let c = w.sim.store.get_connection(conn.id).await.unwrap().unwrap();
    assert_eq!(c.backoff_until, Some(until));
    let p = post(&w, Platform::TikTok, "v1").await;
    assert_eq!(
        (p.next_scan_at, p.scan_count),
        (Some(t0()), 0),
        "due time unchanged, nothing failed"
    );
    w.sim.clock.advance(TimeDelta::minutes(29));
    assert_eq!(w.sim.cycle().await.scans, 0);
    w.sim.clock.advance(TimeDelta::minutes(1));
    assert_eq!(w.sim.cycle().await.scans, 1);
}

/// The `Disconnected` events of `connection` published after `after`.
async fn disconnected_events(
    w: &World,
    connection: socialsync::core::ids::ConnectionId,
    after: Option<socialsync::core::ids::EventId>,
) -> Vec<Event> {
    w.sim
        .store
        .list_events(after, 10_000)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.event)
        .filter(|e| {
            matches!(e, Event::Connection(c)
                if c.connection == connection
                    && matches!(c.change, ConnectionChange::Disconnected { .. }))
        })
        .collect()
}

#[tokio::test]
async fn a_reported_disconnection_is_published_and_notified_once() {
    let w = world().await;
    let fake = w.sim.fake(Platform::TikTok);
    fake.add_post(
        FakePost::new("v1", "tt-ana", t0() - h(1), "#brandx").reads(t0() - h(1), views(3)),
    );
    let conn = w.sim.connect(w.ana, Platform::TikTok, "tt-ana").await;
    w.sim.cycle().await;
    let before = w.sim.store.newest_event_id().await.unwrap();
    let mut live = w.sim.engine.subscribe(before).await.unwrap();
    // The platform says the creator removed the app (a webhook).
    fake.revoke("tt-ana");
    let d = w
        .sim
        .engine
        .disconnect_reported(
            Platform::TikTok,
            &conn.account_id,
            DisconnectReason::AppRemoved,
        )
        .await
        .unwrap()
        .expect("the connection is disconnected");
    assert!(d.newly_disconnected);
    assert_eq!(
        (d.connection, d.reason.clone()),
        (conn.id, DisconnectReason::AppRemoved)
    );
    let c = w.sim.store.get_connection(conn.id).await.unwrap().unwrap();
    assert_eq!(c.status.kind(), StatusKind::Disconnected);
    assert_eq!(
        post(&w, Platform::TikTok, "v1").await.state,
        PostState::Paused
    );
    // Live subscribers see it, with the brands of the creator's scopes.
    let event = tokio::time::timeout(std::time::Duration::from_secs(5), live.next())
        .await
        .expect("in time")
        .expect("open")
        .expect("not lagged");
    match &event.event {
        Event::Connection(e) => {
            assert_eq!(
                e.change,
                ConnectionChange::Disconnected {
                    disconnection: d.id,
                    reason: DisconnectReason::AppRemoved
                }
            );
            assert_eq!(e.brands, [w.brand]);
        }
        other => panic!("a connection event: {other:?}"),
    }
    assert_eq!(w.sim.notifier.lost(), std::slice::from_ref(&d));
    // Reported again (at-least-once delivery), by several engines at once:
    // the same disconnection, nothing published or notified again.
    let engines: Vec<_> = (0..4).map(|_| w.sim.new_engine()).collect();
    let reports = engines.iter().map(|e| {
        let (e, account) = (e.clone(), conn.account_id.clone());
        tokio::spawn(async move {
            e.disconnect_reported(Platform::TikTok, &account, DisconnectReason::Revoked)
                .await
                .unwrap()
                .unwrap()
        })
    });
    for again in futures::future::join_all(reports).await {
        let again = again.unwrap();
        assert_eq!((again.id, again.newly_disconnected), (d.id, false));
    }
    assert_eq!(disconnected_events(&w, conn.id, before).await.len(), 1);
    assert_eq!(w.sim.notifier.lost().len(), 1);
    // The engine's own calls find nothing more to do.
    w.sim.run(h(1), 3).await;
    assert_eq!(disconnected_events(&w, conn.id, before).await.len(), 1);
    assert_eq!(w.sim.notifier.lost().len(), 1);
}

#[tokio::test]
async fn reports_of_disconnection_for_nothing_to_disconnect_are_none() {
    let w = world().await;
    let engine = &w.sim.engine;
    let unknown = PlatformAccountId::from("nobody");
    assert!(
        engine
            .disconnect_reported(Platform::TikTok, &unknown, DisconnectReason::AppRemoved)
            .await
            .unwrap()
            .is_none()
    );
    // Another platform's account of the same id is not this one.
    let conn = w.sim.connect(w.ana, Platform::YouTube, "same-id").await;
    let tiktok = engine
        .disconnect_reported(
            Platform::TikTok,
            &conn.account_id,
            DisconnectReason::AppRemoved,
        )
        .await
        .unwrap();
    assert!(tiktok.is_none());
    assert!(
        w.sim
            .store
            .get_connection(conn.id)
            .await
            .unwrap()
            .unwrap()
            .status
            .is_active()
    );
    // A reset connection has nothing left to disconnect.
    let d = engine
        .disconnect_reported(
            Platform::YouTube,
            &conn.account_id,
            DisconnectReason::Revoked,
        )
        .await
        .unwrap()
        .unwrap();
    engine.reset_connection(d.connection).await.unwrap();
    let before = w.sim.store.newest_event_id().await.unwrap();
    assert!(
        engine
            .disconnect_reported(
                Platform::YouTube,
                &conn.account_id,
                DisconnectReason::Revoked
            )
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(w.sim.store.newest_event_id().await.unwrap(), before);
    assert_eq!(w.sim.notifier.lost().len(), 1);
}

#[tokio::test]
async fn a_reported_disconnection_whose_notice_failed_is_delivered_later() {
    let w = world().await;
    let conn = w.sim.connect(w.ana, Platform::Instagram, "ig-ana").await;
    w.sim.notifier.fail_next(1);
    let d = w
        .sim
        .engine
        .disconnect_reported(
            Platform::Instagram,
            &conn.account_id,
            DisconnectReason::AccountUnavailable,
        )
        .await
        .unwrap()
        .unwrap();
    assert_eq!(w.sim.notifier.lost().len(), 1, "tried once, failed");
    // Once the claim lapses, a cycle delivers the same disconnection again.
    w.sim
        .run(w.sim.engine.policy().lease + TimeDelta::seconds(1), 1)
        .await;
    let lost = w.sim.notifier.lost();
    assert_eq!(lost.len(), 2);
    assert_eq!(lost[1].id, d.id);
    w.sim.run(h(1), 2).await;
    assert_eq!(w.sim.notifier.lost().len(), 2, "delivered: not again");
}

#[tokio::test]
async fn reset_is_refused_while_active_and_reconnect_takes_posts_over() {
    let w = world().await;
    let fake = w.sim.fake(Platform::YouTube);
    fake.add_post(
        FakePost::new("y1", "yt-ana", t0() - h(3), "#brandx").reads(t0() - h(3), views(10)),
    );
    let conn = w.sim.connect(w.ana, Platform::YouTube, "yt-ana").await;
    w.sim.cycle().await;
    assert!(w.sim.engine.reset_connection(conn.id).await.is_err());
    fake.revoke("yt-ana");
    fake.set_metrics("y1", t0() + h(2), views(30));
    w.sim.run(h(1), 3).await;
    let reset = w.sim.engine.reset_connection(conn.id).await.unwrap();
    assert_eq!(reset.status.kind(), StatusKind::Reset);
    let creds = fake.reauthorize("yt-ana");
    w.sim
        .connect_with(w.ana, Platform::YouTube, "yt-ana", creds)
        .await;
    w.sim.cycle().await;
    let posts = w.sim.store.list_posts(PostFilter::default()).await.unwrap();
    assert_eq!(posts.len(), 1, "nothing duplicated");
    let snaps = w
        .sim
        .store
        .list_snapshots(posts[0].id, t0() - h(10), t0() + h(10))
        .await
        .unwrap();
    assert_eq!(
        snaps
            .iter()
            .map(|s| s.metrics.get(Metric::Views))
            .collect::<Vec<_>>(),
        [Some(10), Some(30)]
    );
    assert_eq!(posts[0].state, PostState::Monitoring);
}

#[tokio::test]
async fn deletion_needs_confirming_reads_and_a_vanished_batch_deletes_nothing() {
    let w = world().await;
    let fake = w.sim.fake(Platform::TikTok);
    for i in 0..5 {
        fake.add_post(
            FakePost::new(&format!("v{i}"), "tt-ana", t0() - h(1), "#brandx")
                .reads(t0() - h(1), views(1)),
        );
    }
    w.sim.connect(w.ana, Platform::TikTok, "tt-ana").await;
    w.sim.cycle().await;
    // A half-broken token: every id goes missing.
    fake.break_reads("tt-ana", true);
    let r = w.sim.run(h(1), 3).await;
    assert_eq!(r.deleted, 0);
    for i in 0..5 {
        assert_eq!(
            post(&w, Platform::TikTok, &format!("v{i}")).await.state,
            PostState::Monitoring
        );
    }
    fake.break_reads("tt-ana", false);
    // One post really deleted. The connection is suspect until its daily
    // re-check: the missing post waits (no confirming calls), then a single
    // read and the account's fallen post count confirm it.
    fake.delete_post("v2");
    let gets = fake.calls().get_post;
    let r = w.sim.run(h(1), 20).await;
    assert_eq!(r.deleted, 0);
    assert_eq!(fake.calls().get_post, gets, "held until the re-check");
    let r = w.sim.run(h(1), 4).await;
    assert_eq!(r.deleted, 1);
    assert_eq!(
        post(&w, Platform::TikTok, "v2").await.state,
        PostState::Deleted
    );
    assert_eq!(fake.calls().get_post - gets, 1);
    // A deleted post is read again only every six hours.
    let r = w.sim.run(h(1), 1).await;
    assert_eq!(r.scans, 4);
}

#[tokio::test]
async fn events_carry_brands_and_another_brand_never_sees_them() {
    let w = world().await;
    let other = w.tracking.create_brand("Other").await.unwrap().id;
    let mut stream = w.sim.engine.subscribe(None).await.unwrap();
    let fake = w.sim.fake(Platform::TikTok);
    fake.add_post(
        FakePost::new("v1", "tt-ana", t0() - h(1), "#brandx").reads(t0() - h(1), views(1)),
    );
    w.sim.connect(w.ana, Platform::TikTok, "tt-ana").await;
    w.sim.cycle().await;
    fake.set_metrics("v1", t0() + h(1), views(3));
    w.sim.run(h(1), 2).await;
    let mut scans = Vec::new();
    while let Ok(Some(Ok(e))) =
        tokio::time::timeout(std::time::Duration::from_millis(200), stream.next()).await
    {
        assert!(e.event.visible_to(w.brand));
        assert!(!e.event.visible_to(other));
        if let Event::Scan(s) = e.event {
            scans.push((
                s.outcome,
                s.changes.iter().map(|c| (c.old, c.new)).collect::<Vec<_>>(),
            ));
        }
    }
    use socialsync::core::events::ScanOutcome::*;
    assert_eq!(
        scans,
        [
            (Changed, vec![(None, Some(1))]),
            (Changed, vec![(Some(1), Some(3))]),
            (Unchanged, vec![])
        ]
    );
}

#[tokio::test]
async fn unsupported_metric_becomes_absent_and_the_scan_lands() {
    let w = world().await;
    let fake = w.sim.fake(Platform::Instagram);
    let m = Metrics::new()
        .with(Metric::Views, 40)
        .with(Metric::Saves, 3);
    fake.add_post(FakePost::new("reel", "ig-ana", t0() - h(1), "#brandx").reads(t0() - h(1), m));
    w.sim.connect(w.ana, Platform::Instagram, "ig-ana").await;
    w.sim.cycle().await;
    fake.unsupported(socialsync::core::domain::MediaKind::Video, Metric::Views);
    let r = w.sim.run(h(1), 1).await;
    assert_eq!((r.scans, r.failures), (1, 0));
    let p = post(&w, Platform::Instagram, "reel").await;
    let snap = w.sim.store.latest_snapshot(p.id).await.unwrap().unwrap();
    assert_eq!(snap.metrics.get(Metric::Views), None, "absent, not zero");
    assert_eq!(snap.metrics.get(Metric::Saves), Some(3));
    assert_eq!(
        snap.carried.get(Metric::Views),
        Some(40),
        "the report keeps the last value, stale"
    );
    assert!(
        w.sim
            .store
            .get_connection(p.connection)
            .await
            .unwrap()
            .unwrap()
            .status
            .is_active()
    );
}

#[tokio::test]
async fn deep_pass_picks_up_caption_edits_older_than_the_overlap() {
    let w = world().await;
    let fake = w.sim.fake(Platform::TikTok);
    let old = t0() - TimeDelta::days(10);
    fake.add_post(FakePost::new("old", "tt-ana", old, "no tag yet").reads(old, views(1)));
    fake.add_post(
        FakePost::new("new", "tt-ana", t0() - h(1), "recent").reads(t0() - h(1), views(1)),
    );
    w.sim.connect(w.ana, Platform::TikTok, "tt-ana").await;
    assert_eq!(
        post(&w, Platform::TikTok, "old").await.state,
        PostState::Seen
    );
    fake.set_text("old", "edited: now with #brandx");
    // Hourly discoveries look back 48 h only: the edit is not seen yet.
    w.sim.run(h(1), 3).await;
    assert_eq!(
        post(&w, Platform::TikTok, "old").await.state,
        PostState::Seen
    );
    // The daily deep pass re-reads the whole window.
    w.sim.run(h(1), 24).await;
    assert_eq!(
        post(&w, Platform::TikTok, "old").await.state,
        PostState::Monitoring
    );
}

#[tokio::test]
async fn an_unacknowledged_notice_is_delivered_again_with_the_same_id() {
    let w = world().await;
    let fake = w.sim.fake(Platform::TikTok);
    fake.add_post(
        FakePost::new("v1", "tt-ana", t0() - h(1), "#brandx").reads(t0() - h(1), views(1)),
    );
    w.sim.connect(w.ana, Platform::TikTok, "tt-ana").await;
    w.sim.notifier.fail_next(1);
    fake.revoke("tt-ana");
    w.sim.run(h(1), 1).await;
    assert_eq!(w.sim.notifier.lost().len(), 1);
    // Within the claim, nobody delivers it again.
    w.sim.clock.advance(TimeDelta::minutes(5));
    w.sim.cycle().await;
    assert_eq!(w.sim.notifier.lost().len(), 1);
    // After the claim lapsed, another engine delivers it again, same id, once.
    w.sim.clock.advance(w.sim.engine.policy().lease);
    w.sim.new_engine().run_cycle().await.unwrap();
    w.sim.run(h(1), 3).await;
    let lost = w.sim.notifier.lost();
    assert_eq!(lost.len(), 2);
    assert_eq!(lost[0].id, lost[1].id);
}

#[tokio::test]
async fn run_stops_on_shutdown_after_finishing_its_cycle() {
    let w = world().await;
    let fake = w.sim.fake(Platform::TikTok);
    fake.add_post(
        FakePost::new("v1", "tt-ana", t0() - h(1), "#brandx").reads(t0() - h(1), views(1)),
    );
    w.sim.connect(w.ana, Platform::TikTok, "tt-ana").await;
    let engine = socialsync::core::engine::Engine::builder()
        .with_store(w.sim.store.clone())
        .with_clock(w.sim.clock.clone())
        .with_platform(fake.clone())
        .with_tick(std::time::Duration::from_millis(5))
        .build()
        .unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        engine
            .run(async {
                let _ = stopped.await;
            })
            .await
    });
    // Wait until the running engine has scanned the post.
    tokio::time::timeout(std::time::Duration::from_secs(10), async {
        while post(&w, Platform::TikTok, "v1").await.scan_count == 0 {
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
    })
    .await
    .expect("the run loop scans");
    stop.send(()).unwrap();
    tokio::time::timeout(std::time::Duration::from_secs(10), task)
        .await
        .expect("run returns after shutdown")
        .unwrap();
    assert_eq!(post(&w, Platform::TikTok, "v1").await.scan_count, 1);
}

#[tokio::test]
async fn not_found_is_confirmed_before_deleting_and_malformed_answers_are_retried() {
    let w = world().await;
    let fake = w.sim.fake(Platform::Instagram);
    for id in ["kept", "gone"] {
        fake.add_post(
            FakePost::new(id, "ig-ana", t0() - h(1), "#brandx").reads(t0() - h(1), views(1)),
        );
    }
    let conn = w.sim.connect(w.ana, Platform::Instagram, "ig-ana").await;
    w.sim.cycle().await;
    // Instagram answers "not found" for a post that is still there (its code
    // also means "no permission"): the single read finds it, nothing is deleted.
    fake.fail(Op::FetchMetrics, None, PlatformErrorKind::NotFound, 1);
    let r = w.sim.run(h(1), 1).await;
    assert_eq!(r.deleted, 0);
    // A post really gone: deleted after the single read and the control read.
    fake.delete_post("gone");
    fake.fail(Op::FetchMetrics, None, PlatformErrorKind::NotFound, 2);
    w.sim.run(h(1), 1).await;
    assert_eq!(
        post(&w, Platform::Instagram, "gone").await.state,
        PostState::Deleted
    );
    assert_eq!(
        post(&w, Platform::Instagram, "kept").await.state,
        PostState::Monitoring
    );
    // A malformed answer: counted on the connection's health, retried after the lease.
    let before = post(&w, Platform::Instagram, "kept").await.scan_count;
    fake.fail(
        Op::FetchMetrics,
        None,
        PlatformErrorKind::InvalidResponse,
        1,
    );
    let r = w.sim.run(h(1), 1).await;
    assert_eq!((r.scans, r.failures), (0, 1));
    let c = w.sim.store.get_connection(conn.id).await.unwrap().unwrap();
    assert!(c.status.is_active());
    assert!(c.health.consecutive_failures >= 1);
    w.sim.clock.advance(w.sim.engine.policy().lease);
    assert_eq!(w.sim.cycle().await.scans, 1);
    assert_eq!(
        post(&w, Platform::Instagram, "kept").await.scan_count,
        before + 1
    );
}

#[tokio::test]
async fn a_refresh_held_by_another_engine_is_waited_for_not_spun_on() {
    let w = world().await;
    let fake = w.sim.fake(Platform::TikTok);
    fake.add_post(
        FakePost::new("v1", "tt-ana", t0() - h(1), "#brandx").reads(t0() - h(1), views(1)),
    );
    let conn = w.sim.connect(w.ana, Platform::TikTok, "tt-ana").await;
    w.sim.cycle().await;
    fake.expire_token("tt-ana");
    w.sim.clock.advance(h(1));
    // Another worker holds the refresh lease for a while.
    let now = w.sim.now();
    let held = w
        .sim
        .store
        .try_lock_refresh(conn.id, now, now + h(1))
        .await
        .unwrap();
    assert!(held.is_some());
    let fetches = fake.calls().fetch_metrics;
    let r = tokio::time::timeout(std::time::Duration::from_secs(10), w.sim.engine.run_scans())
        .await
        .expect("the cycle ends while another engine refreshes")
        .unwrap();
    assert_eq!((r.scans, r.disconnections), (0, 0));
    assert_eq!(
        fake.calls().fetch_metrics - fetches,
        1,
        "one call, then the claim waits for its lease"
    );
    assert_eq!(fake.calls().refresh, 0);
    assert!(
        w.sim
            .store
            .get_connection(conn.id)
            .await
            .unwrap()
            .unwrap()
            .status
            .is_active()
    );
}

/// With room for several claim batches at once, one engine reads several
/// connections at a time: four connections of 50 posts, a second per
/// platform call, take one second with four lanes and four with one.
#[tokio::test(start_paused = true)]
async fn claim_batches_are_scanned_concurrently() {
    let mut took = Vec::new();
    for lanes in [1, 4] {
        let w = world().await;
        let fake = w.sim.fake(Platform::YouTube);
        let mut members = Vec::new();
        for c in 0..4 {
            let creator = w
                .tracking
                .create_creator(&format!("c{c}"), None)
                .await
                .unwrap()
                .id;
            members.push(creator);
            for p in 0..50 {
                fake.add_post(
                    FakePost::new(&format!("c{c}p{p}"), &format!("yt{c}"), t0(), "#brandx")
                        .reads(t0(), views(p)),
                );
            }
        }
        w.tracking
            .add_members(w.brand, w.program.id, &members)
            .await
            .unwrap();
        for (c, creator) in members.iter().enumerate() {
            w.sim
                .connect(*creator, Platform::YouTube, &format!("yt{c}"))
                .await;
        }
        fake.set_latency(std::time::Duration::from_secs(1));
        let mut b = socialsync::core::engine::Engine::builder()
            .with_store(w.sim.store.clone())
            .with_clock(w.sim.clock.clone())
            .with_claim_batch(50)
            .with_scan_concurrency(lanes);
        for p in w.sim.platforms.values() {
            b = b.with_platform(p.clone());
        }
        let engine = b.build().unwrap();
        let start = tokio::time::Instant::now();
        let r = engine.run_scans().await.unwrap();
        assert_eq!(r.scans, 200, "{lanes} lanes");
        took.push(start.elapsed().as_secs());
    }
    assert_eq!(took, [4, 1]);
}

#[tokio::test]
async fn a_scan_that_read_nothing_for_a_missing_permission_ends_no_suspicion() {
    let w = world().await;
    let fake = w.sim.fake(Platform::TikTok);
    for i in 0..3 {
        fake.add_post(
            FakePost::new(&format!("v{i}"), "tt-ana", t0() - h(1), "#brandx")
                .reads(t0() - h(1), views(1)),
        );
    }
    let conn = w.sim.connect(w.ana, Platform::TikTok, "tt-ana").await.id;
    w.sim.cycle().await;
    // Every id goes missing: the connection turns suspect.
    fake.break_reads("tt-ana", true);
    w.sim.run(h(1), 2).await;
    fake.break_reads("tt-ana", false);
    let suspect = |w: &World| {
        let store = w.sim.store.clone();
        async move {
            store
                .get_connection(conn)
                .await
                .unwrap()
                .unwrap()
                .health
                .suspect
        }
    };
    let recheck = suspect(&w).await.expect("suspect").recheck_at;
    // At the re-check, the metrics call is refused for a missing scope:
    // nothing was read, so nothing shows the token reads again.
    w.sim.clock.set(recheck);
    fake.fail(
        Op::FetchMetrics,
        Some("tt-ana"),
        PlatformErrorKind::PermissionMissing("video.list".into()),
        1,
    );
    w.sim.cycle().await;
    assert!(
        suspect(&w).await.is_some(),
        "a scan that read no post ended the suspicion"
    );
}
