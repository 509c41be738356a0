//! Reports over a memory store: readings written through claim/complete,
//! read back as campaign and analytics reports.

use chrono::TimeDelta;
use socialsync::core::credentials::Credentials;
use socialsync::core::domain::{Connection, DisconnectReason, PostState, Scope, ScopeKind};
use socialsync::core::ids::PostId;
use socialsync::core::metrics::{Metric, Metrics};
use socialsync::core::platform::Platform;
use socialsync::core::report::BucketSize;
use socialsync::core::report::{Report, ReportError, ReportRange, analytics_report, scope_report};
use socialsync::core::store::{DisconnectRequest, NewBrand, NewConnection, NextScan, PostStore};
use socialsync::memory::MemoryStore;
use socialsync_testkit::fixtures::{
    World, attributed, connect, creator, hours, post, scan, scope, t0, version, world,
};
use std::sync::Arc;

fn m(values: &[(Metric, u64)]) -> Metrics {
    values
        .iter()
        .fold(Metrics::new(), |acc, (metric, v)| acc.with(*metric, *v))
}

fn hourly(from: i64, to: i64) -> ReportRange {
    ReportRange::new(hours(from), hours(to), BucketSize::Hour).unwrap()
}

/// Ana (Instagram) and Bo (TikTok); the program tracks `#brandx` (Ana), the
/// campaign `#launch` (Ana and Bo).
struct Setup {
    store: Arc<dyn PostStore>,
    w: World,
    campaign: Scope,
    tiktok: Connection,
    /// Ana's post in the program and the campaign.
    both: PostId,
    /// Ana's post in the program only.
    program_only: PostId,
    /// Bo's post in the campaign.
    bo: PostId,
}

/// Readings (views, likes, comments, shares):
/// - `both`: 00:00 (100, 10, 2); 01:00 (150, 12, hidden);
/// - `program_only`: 01:00 (1000, 1), then confirmed deleted;
/// - `bo`: 00:30 (40, 4, -, 1); 02:00 (60, 5, -, 1, avg watch 3000).
///
/// Bo's TikTok is disconnected at 03:00.
async fn setup() -> Setup {
    let store: Arc<dyn PostStore> = Arc::new(MemoryStore::new());
    let w = world(&*store).await;
    let bo = creator(&*store, "Bo").await;
    let tiktok = connect(&*store, bo.id, Platform::TikTok, "tt-bo").await;
    let campaign = scope(
        &*store,
        &w.brand,
        "Launch",
        &["launch"],
        &[w.creator.id, bo.id],
        ScopeKind::Campaign { window: None },
    )
    .await;
    let ids: Vec<PostId> = store
        .upsert_posts(
            vec![
                post(
                    &w.connection,
                    "p1",
                    hours(-5),
                    vec![
                        attributed(&w.scope, "brandx"),
                        attributed(&campaign, "launch"),
                    ],
                ),
                post(
                    &w.connection,
                    "p2",
                    hours(-4),
                    vec![attributed(&w.scope, "brandx")],
                ),
                post(
                    &tiktok,
                    "p3",
                    hours(-3),
                    vec![attributed(&campaign, "launch")],
                ),
            ],
            hours(0),
        )
        .await
        .unwrap()
        .iter()
        .map(|u| u.id)
        .collect();
    let (both, program_only, bo_post) = (ids[0], ids[1], ids[2]);
    let s = &*store;
    let hourly_next = |h: i64| NextScan::At(hours(h));
    use Metric::*;
    scan(
        s,
        both,
        hours(0),
        m(&[(Views, 100), (Likes, 10), (Comments, 2)]),
        hourly_next(1),
    )
    .await;
    scan(
        s,
        bo_post,
        hours(0) + TimeDelta::minutes(30),
        m(&[(Views, 40), (Likes, 4), (Shares, 1)]),
        hourly_next(2),
    )
    .await;
    scan(
        s,
        both,
        hours(1),
        m(&[(Views, 150), (Likes, 12)]),
        hourly_next(2),
    )
    .await;
    scan(
        s,
        program_only,
        hours(1),
        m(&[(Views, 1000), (Likes, 1)]),
        NextScan::Delete(hours(1_000)),
    )
    .await;
    scan(
        s,
        bo_post,
        hours(2),
        m(&[(Views, 60), (Likes, 5), (Shares, 1), (AvgWatchTimeMs, 3000)]),
        hourly_next(3),
    )
    .await;
    store
        .disconnect(DisconnectRequest {
            connection: tiktok.id,
            credentials_version: version(s, tiktok.id).await,
            reason: DisconnectReason::Revoked,
            at: hours(3),
            notify_claim_until: hours(3) + TimeDelta::minutes(1),
        })
        .await
        .unwrap();
    Setup {
        store,
        w,
        campaign,
        tiktok,
        both,
        program_only,
        bo: bo_post,
    }
}

fn views(r: &Report) -> i128 {
    r.figures.totals[&Metric::Views].value
}

fn series_views(r: &Report) -> Vec<(i128, i128, bool, bool)> {
    r.series
        .iter()
        .map(|b| {
            (
                b.as_of[&Metric::Views],
                b.growth[&Metric::Views],
                b.disconnected,
                b.after_gap,
            )
        })
        .collect()
}

#[tokio::test]
async fn a_scope_report_sums_the_scopes_posts() {
    let s = setup().await;
    let r = scope_report(&*s.store, s.w.brand.id, s.campaign.id, hourly(1, 4))
        .await
        .unwrap();
    assert_eq!(r.scope.as_ref().map(|c| c.name.as_str()), Some("Launch"));
    assert_eq!(r.figures.posts, 2);
    assert_eq!(views(&r), 150 + 60);
    assert_eq!(r.figures.growth[&Metric::Views], 210 - 140);
    let comments = r.figures.totals[&Metric::Comments];
    assert_eq!(
        (comments.value, comments.stale_posts),
        (2, 1),
        "hidden at 01:00: carried, stale"
    );
    assert!(!r.figures.totals.contains_key(&Metric::AvgWatchTimeMs));
    assert_eq!(r.figures.engagement, Some(12 + 2 + 5 + 1));
    let rate = r.figures.engagement_rate.clone().unwrap();
    assert_eq!((rate.numerator, rate.denominator), (20, 210));
    assert_eq!(rate.display, "0.0952");
    assert_eq!(
        series_views(&r),
        [
            (190, 50, false, false),
            (210, 20, false, false),
            (210, 0, true, false),
        ],
        "Bo's TikTok is down from 03:00"
    );
    let states = r.posts_by_state;
    assert_eq!((states.monitoring, states.paused), (1, 1));
    let bo = r.by_post.iter().find(|p| p.post == s.bo).unwrap();
    assert_eq!(bo.state, PostState::Paused);
    assert_eq!(bo.metrics.get(Metric::AvgWatchTimeMs), Some(3000));
    assert_eq!(bo.creator_name, "Bo");
    let names: Vec<&str> = r.by_creator.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["Ana", "Bo"]);
    let csv = r.to_csv();
    assert_eq!(csv.split("\r\n").count(), 1 + 2 + 1 + 1 + 3 + 1);
    assert!(csv.contains(",instagram,p1,https://example.test/p/p1,"));
}

#[tokio::test]
async fn the_gap_growth_lands_in_the_first_bucket_after_reconnection() {
    let s = setup().await;
    let reconnect = NewConnection {
        creator: s.tiktok.creator,
        platform: Platform::TikTok,
        account_id: s.tiktok.account_id.clone(),
        handle: s.tiktok.handle.clone(),
        credentials: Credentials::new("token-tt-bo-2"),
    };
    let done = s.store.connect(reconnect, hours(4)).await.unwrap();
    assert_eq!(done.resumed_posts, 1);
    scan(
        &*s.store,
        s.bo,
        hours(4) + TimeDelta::minutes(10),
        m(&[(Metric::Views, 90), (Metric::Likes, 6), (Metric::Shares, 1)]),
        NextScan::At(hours(5)),
    )
    .await;
    let r = scope_report(&*s.store, s.w.brand.id, s.campaign.id, hourly(1, 5))
        .await
        .unwrap();
    assert_eq!(
        series_views(&r),
        [
            (190, 50, false, false),
            (210, 20, false, false),
            (210, 0, true, false),
            (240, 30, false, true),
        ]
    );
    assert_eq!(views(&r), 240);
    assert_eq!(r.posts_by_state.monitoring, 2);
    let bo = r.by_post.iter().find(|p| p.post == s.bo).unwrap();
    assert_eq!(
        bo.stale,
        [Metric::AvgWatchTimeMs],
        "a gauge the last reading lacked"
    );
}

#[tokio::test]
async fn analytics_report_counts_each_post_once() {
    let s = setup().await;
    let r = analytics_report(&*s.store, s.w.brand.id, hourly(1, 4))
        .await
        .unwrap();
    assert_eq!(r.scope, None);
    assert_eq!(r.figures.posts, 3, "p1 is in two scopes, counted once");
    assert_eq!(r.by_post.len(), 3);
    assert_eq!(views(&r), 150 + 1000 + 60);
    assert_eq!(r.figures.growth[&Metric::Views], 1210 - 140);
    assert_eq!(
        series_views(&r).last().map(|b| b.0),
        Some(views(&r)),
        "the series ends at the totals"
    );
    let states = r.posts_by_state;
    assert_eq!(
        (states.monitoring, states.paused, states.deleted),
        (1, 1, 1)
    );
    let deleted = r.by_post.iter().find(|p| p.post == s.program_only).unwrap();
    assert_eq!(
        deleted.metrics.get(Metric::Views),
        Some(1000),
        "keeps its last reading"
    );
    let platforms: Vec<(Platform, u64)> = r
        .by_platform
        .iter()
        .map(|p| (p.platform, p.figures.posts))
        .collect();
    assert_eq!(platforms, [(Platform::Instagram, 2), (Platform::TikTok, 1)]);
    let json: serde_json::Value = serde_json::from_str(&r.to_json()).unwrap();
    assert_eq!(json["totals"]["views"]["value"], 1210);
    assert_eq!(json["scope"], serde_json::Value::Null);
}

#[tokio::test]
async fn a_post_that_leaves_a_scope_leaves_its_report() {
    let s = setup().await;
    s.store
        .set_attribution(s.both, vec![attributed(&s.w.scope, "brandx")], hours(4))
        .await
        .unwrap();
    let r = scope_report(&*s.store, s.w.brand.id, s.campaign.id, hourly(1, 4))
        .await
        .unwrap();
    assert_eq!(r.figures.posts, 1);
    assert_eq!(views(&r), 60);
    assert_eq!(series_views(&r).last().map(|b| b.0), Some(60));
}

#[tokio::test]
async fn reports_are_brand_isolated() {
    let s = setup().await;
    let other = s
        .store
        .create_brand(
            NewBrand {
                name: "Other".into(),
            },
            t0(),
        )
        .await
        .unwrap();
    let e = scope_report(&*s.store, other.id, s.campaign.id, hourly(1, 4))
        .await
        .unwrap_err();
    assert!(
        matches!(
            e,
            ReportError::NotFound {
                entity: "scope",
                ..
            }
        ),
        "{e:?}"
    );
    let r = analytics_report(&*s.store, other.id, hourly(1, 4))
        .await
        .unwrap();
    assert_eq!(r.figures.posts, 0);
    assert!(r.figures.totals.is_empty());
    assert!(r.series.iter().all(|b| b.as_of.is_empty()));
    let missing = socialsync::core::ids::BrandId(987_654);
    let e = analytics_report(&*s.store, missing, hourly(1, 4))
        .await
        .unwrap_err();
    assert!(e.is_not_found(), "{e:?}");
}

#[tokio::test]
async fn an_invalid_range_is_refused() {
    let half_past = hours(1) + TimeDelta::minutes(30);
    for (from, to, bucket) in [
        (half_past, hours(4), BucketSize::Hour),
        (hours(4), hours(1), BucketSize::Hour),
        (hours(1), hours(25), BucketSize::Day),
        (t0(), t0() + TimeDelta::days(401), BucketSize::Day),
    ] {
        let e = ReportRange::new(from, to, bucket).unwrap_err();
        assert!(matches!(e, ReportError::InvalidRange(_)), "{e:?}");
    }
}
