use super::shared::{assert_err, must};
use crate::fixtures::*;
use chrono::TimeDelta;
use socialsync_core::domain::{DisconnectReason, ScopeKind, StatusKind};
use socialsync_core::error::StoreError;
use socialsync_core::ids::{
    BrandId, ConnectionId, CreatorId, DisconnectionId, LeaseToken, PostId, ScopeId,
};
use socialsync_core::metrics::{Metric, Metrics};
use socialsync_core::report::{BucketSize, ReportInputs, ReportQuery};
use socialsync_core::store::*;
use std::sync::Arc;

fn query(brand: BrandId, scope: Option<ScopeId>) -> ReportQuery {
    ReportQuery {
        brand,
        scope,
        from: hours(0),
        to: hours(4),
        bucket: BucketSize::Hour,
    }
}

fn m(views: u64, likes: Option<u64>) -> Metrics {
    let mut r = Metrics::new().with(Metric::Views, views);
    r.set(Metric::Likes, likes);
    r
}

/// Report inputs hold each post's carried values before `from` and `to`, and
/// the as-of totals at each boundary from readings strictly before it.
pub async fn report_inputs_follow_scans(store: Arc<dyn PostStore>) {
    let w = world(&*store).await;
    let a = vec![attributed(&w.scope, "brandx")];
    let ids: Vec<PostId> = must(
        store
            .upsert_posts(
                vec![
                    post(&w.connection, "p1", hours(-5), a.clone()),
                    post(&w.connection, "p2", hours(-5), a),
                ],
                hours(0),
            )
            .await,
        "upsert",
    )
    .iter()
    .map(|u| u.id)
    .collect();
    scan(
        &*store,
        ids[0],
        hours(0),
        m(10, Some(1)),
        NextScan::At(hours(1)),
    )
    .await;
    scan(
        &*store,
        ids[1],
        hours(0) + TimeDelta::minutes(30),
        m(100, None),
        NextScan::At(hours(1) + TimeDelta::minutes(30)),
    )
    .await;
    scan(
        &*store,
        ids[0],
        hours(1),
        m(15, None),
        NextScan::At(hours(2)),
    )
    .await; // likes hidden: carried, stale
    scan(
        &*store,
        ids[0],
        hours(3),
        m(12, Some(4)),
        NextScan::At(hours(4)),
    )
    .await; // views went down: recorded as read
    let r = must(
        store
            .report_inputs(query(w.brand.id, Some(w.scope.id)))
            .await,
        "report",
    );
    let views: Vec<i128> = r
        .boundaries
        .iter()
        .map(|(_, t)| t[Metric::Views.index()])
        .collect();
    assert_eq!(
        r.boundaries.iter().map(|(b, _)| *b).collect::<Vec<_>>(),
        (0..=4).map(hours).collect::<Vec<_>>()
    );
    assert_eq!(views, [0, 110, 115, 115, 112]);
    let likes: Vec<i128> = r
        .boundaries
        .iter()
        .map(|(_, t)| t[Metric::Likes.index()])
        .collect();
    assert_eq!(likes, [0, 1, 1, 1, 4]);
    let p1 = r.posts.iter().find(|p| p.id == ids[0]).expect("p1");
    assert_eq!(p1.at_from, None, "nothing before the first reading");
    assert_eq!(p1.at_to.and_then(|m| m.get(Metric::Views)), Some(12));
    let r2 = must(
        store
            .report_inputs(ReportQuery {
                from: hours(2),
                to: hours(3),
                ..query(w.brand.id, Some(w.scope.id))
            })
            .await,
        "report",
    );
    let p1 = r2.posts.iter().find(|p| p.id == ids[0]).expect("p1");
    assert_eq!(
        p1.at_to.and_then(|m| m.get(Metric::Likes)),
        Some(1),
        "carried forward"
    );
    assert_eq!(
        p1.latest_before_to.and_then(|m| m.get(Metric::Likes)),
        None,
        "absent as read"
    );
    let brand = must(
        store.report_inputs(query(w.brand.id, None)).await,
        "brand report",
    );
    assert_eq!(brand.boundaries, r.boundaries);
    assert_eq!(r.connection_history.len(), 1);
    assert_eq!(r.connection_history[0].1[0].status, StatusKind::Active);
}

/// When a post joins or leaves a scope, the scope's aggregates gain or lose
/// its whole history; a brand counts a post of two scopes once.
pub async fn report_aggregates_move_with_attribution(store: Arc<dyn PostStore>) {
    let w = world(&*store).await;
    let campaign = scope(
        &*store,
        &w.brand,
        "C",
        &["launch"],
        &[w.creator.id],
        ScopeKind::Campaign { window: None },
    )
    .await;
    let id = must(
        store
            .upsert_posts(
                vec![post(
                    &w.connection,
                    "p",
                    hours(-5),
                    vec![attributed(&w.scope, "brandx")],
                )],
                hours(0),
            )
            .await,
        "upsert",
    )[0]
    .id;
    scan(&*store, id, hours(0), m(10, None), NextScan::At(hours(1))).await;
    scan(&*store, id, hours(1), m(20, None), NextScan::At(hours(2))).await;
    let total = |r: &ReportInputs| r.boundaries.last().map(|(_, t)| t[Metric::Views.index()]);
    let c = must(
        store
            .report_inputs(query(w.brand.id, Some(campaign.id)))
            .await,
        "campaign",
    );
    assert_eq!(total(&c), Some(0));
    must(
        store
            .set_attribution(
                id,
                vec![
                    attributed(&w.scope, "brandx"),
                    attributed(&campaign, "launch"),
                ],
                hours(2),
            )
            .await,
        "retro",
    );
    let c = must(
        store
            .report_inputs(query(w.brand.id, Some(campaign.id)))
            .await,
        "campaign",
    );
    assert_eq!(
        c.boundaries
            .iter()
            .map(|(_, t)| t[Metric::Views.index()])
            .collect::<Vec<_>>(),
        [0, 10, 20, 20, 20]
    );
    let b = must(store.report_inputs(query(w.brand.id, None)).await, "brand");
    assert_eq!(total(&b), Some(20), "counted once for the brand");
    must(
        store
            .set_attribution(id, vec![attributed(&campaign, "launch")], hours(2))
            .await,
        "leave program",
    );
    let p = must(
        store
            .report_inputs(query(w.brand.id, Some(w.scope.id)))
            .await,
        "program",
    );
    assert_eq!(total(&p), Some(0));
    assert!(p.posts.is_empty());
    let b = must(store.report_inputs(query(w.brand.id, None)).await, "brand");
    assert_eq!(total(&b), Some(20));
    must(
        store.set_attribution(id, vec![], hours(2)).await,
        "untracked",
    );
    let b = must(store.report_inputs(query(w.brand.id, None)).await, "brand");
    assert_eq!(total(&b), Some(0));
}

/// Another brand's scope is not found; another brand's report is empty.
pub async fn report_inputs_are_brand_isolated(store: Arc<dyn PostStore>) {
    let w = world(&*store).await;
    let id = must(
        store
            .upsert_posts(
                vec![post(
                    &w.connection,
                    "p",
                    hours(-5),
                    vec![attributed(&w.scope, "brandx")],
                )],
                hours(0),
            )
            .await,
        "upsert",
    )[0]
    .id;
    scan(&*store, id, hours(0), m(10, None), NextScan::At(hours(1))).await;
    let other = must(
        store
            .create_brand(
                NewBrand {
                    name: "Other".into(),
                },
                t0(),
            )
            .await,
        "brand",
    );
    assert_err(
        store.report_inputs(query(other.id, Some(w.scope.id))).await,
        "other's scope",
        StoreError::is_not_found,
    );
    let r = must(
        store.report_inputs(query(other.id, None)).await,
        "other brand",
    );
    assert!(r.posts.is_empty());
    assert!(r.boundaries.iter().all(|(_, t)| t.iter().all(|v| *v == 0)));
}

/// Operations on ids that do not exist fail with `NotFound` (or report
/// nothing), never panic.
pub async fn unknown_ids_are_not_found(store: Arc<dyn PostStore>) {
    let c = ConnectionId(987_654);
    assert!(must(store.get_connection(c).await, "get").is_none());
    assert_err(
        store.get_credentials(c).await,
        "credentials",
        StoreError::is_not_found,
    );
    assert_err(
        store.reset_connection(c, hours(0)).await,
        "reset",
        StoreError::is_not_found,
    );
    assert_err(
        store
            .swap_credentials(c, 1, socialsync_core::credentials::Credentials::new("x"))
            .await,
        "swap",
        StoreError::is_not_found,
    );
    let req = DisconnectRequest {
        connection: c,
        credentials_version: 1,
        reason: DisconnectReason::Revoked,
        at: hours(0),
        notify_claim_until: hours(1),
    };
    assert_err(
        store.disconnect(req).await,
        "disconnect",
        StoreError::is_not_found,
    );
    assert_err(
        store.mark_notified(DisconnectionId(987_654)).await,
        "mark",
        StoreError::is_not_found,
    );
    assert_err(
        store
            .set_attribution(PostId(987_654), vec![], hours(0))
            .await,
        "attribute",
        StoreError::is_not_found,
    );
    assert!(must(store.get_post(PostId(987_654)).await, "get").is_none());
    assert_err(
        store
            .list_snapshots(PostId(987_654), hours(0), hours(1))
            .await,
        "snapshots",
        StoreError::is_not_found,
    );
    assert_err(
        store.report_inputs(query(BrandId(987_654), None)).await,
        "report",
        StoreError::is_not_found,
    );
    let out = must(
        store
            .complete_scans(vec![ScanCompletion {
                post: PostId(987_654),
                token: LeaseToken(1),
                at: hours(0),
                reading: ScanReading::NotRead,
                next: NextScan::Expire,
            }])
            .await,
        "complete unknown",
    );
    assert_eq!(out, [CompletionOutcome::LeaseLost]);
    let new = NewConnection {
        creator: CreatorId(987_654),
        platform: socialsync_core::platform::Platform::TikTok,
        account_id: "x".into(),
        handle: "x".into(),
        credentials: socialsync_core::credentials::Credentials::new("x"),
    };
    assert_err(
        store.connect(new, hours(0)).await,
        "connect unknown creator",
        StoreError::is_not_found,
    );
    let w = world(&*store).await;
    let mut bad = post(&w.connection, "p", hours(0), vec![]);
    bad.connection = ConnectionId(987_654);
    assert_err(
        store.upsert_posts(vec![bad], hours(0)).await,
        "upsert for unknown connection",
        StoreError::is_not_found,
    );
}
