use super::shared::must;
use crate::fixtures::*;
use chrono::TimeDelta;
use socialsync_core::clock::Timestamp;
use socialsync_core::domain::{DisconnectReason, PostState};
use socialsync_core::ids::{LeaseToken, PostId};
use socialsync_core::metrics::{Metric, Metrics};
use socialsync_core::platform::Platform;
use socialsync_core::report::{BucketSize, ReportQuery};
use socialsync_core::store::*;
use std::collections::BTreeSet;
use std::sync::Arc;

/// One monitored post of a fresh world, due at `hours(0)`.
async fn one_post(store: &dyn PostStore) -> (World, PostId) {
    let w = world(store).await;
    let id = must(
        store
            .upsert_posts(
                vec![post(
                    &w.connection,
                    "p",
                    hours(-1),
                    vec![attributed(&w.scope, "brandx")],
                )],
                hours(0),
            )
            .await,
        "upsert",
    )[0]
    .id;
    (w, id)
}

async fn claim(store: &dyn PostStore, now: Timestamp, lease: TimeDelta) -> Vec<ClaimedPost> {
    must(
        store
            .claim_due_posts(ClaimRequest {
                now,
                lease_until: now + lease,
                limit: 1000,
            })
            .await,
        "claim",
    )
}

fn done(
    post: PostId,
    token: LeaseToken,
    at: Timestamp,
    reading: Option<Metrics>,
    next: NextScan,
) -> ScanCompletion {
    ScanCompletion {
        post,
        token,
        at,
        reading: ScanReading::read(reading),
        next,
    }
}

fn views(v: u64) -> Metrics {
    Metrics::new().with(Metric::Views, v)
}

/// A post is due exactly when `next_scan_at <= now`.
pub async fn due_claim_boundary_is_inclusive(store: Arc<dyn PostStore>) {
    let (_, id) = one_post(&*store).await;
    let c = claim(&*store, hours(0), TimeDelta::minutes(10)).await;
    must(
        store
            .complete_scans(vec![done(
                id,
                c[0].token,
                hours(0),
                Some(views(1)),
                NextScan::At(hours(1)),
            )])
            .await,
        "complete",
    );
    assert!(
        claim(
            &*store,
            hours(1) - TimeDelta::microseconds(1),
            TimeDelta::minutes(10)
        )
        .await
        .is_empty()
    );
    let c = claim(&*store, hours(1), TimeDelta::minutes(10)).await;
    assert_eq!(c.len(), 1);
    assert_eq!(c[0].post.next_scan_at, hours(1));
    assert_eq!(c[0].post.latest, Some(views(1)));
}

/// Expired, deleted, paused (connection disconnected), and backing-off
/// (connection or platform) posts are not claimed.
pub async fn due_claim_excludes_expired_paused_and_backing_off(store: Arc<dyn PostStore>) {
    let w = world(&*store).await;
    let tt = connect(&*store, w.creator.id, Platform::TikTok, "tt-ana").await;
    let yt = connect(&*store, w.creator.id, Platform::YouTube, "yt-ana").await;
    let a = |_: &str| vec![attributed(&w.scope, "brandx")];
    let ups = vec![
        post(&w.connection, "expired", hours(-1), a("")),
        post(&w.connection, "deleted", hours(-1), a("")),
        post(&tt, "tt", hours(-1), a("")),
        post(&yt, "yt", hours(-1), a("")),
    ];
    let ids: Vec<PostId> = must(store.upsert_posts(ups, hours(0)).await, "upsert")
        .iter()
        .map(|u| u.id)
        .collect();
    let c = claim(&*store, hours(0), TimeDelta::minutes(10)).await;
    assert_eq!(c.len(), 4);
    let token = |id: PostId| {
        c.iter()
            .find(|x| x.post.id == id)
            .map(|x| x.token)
            .expect("claimed")
    };
    must(
        store
            .complete_scans(vec![
                done(ids[0], token(ids[0]), hours(0), None, NextScan::Expire),
                done(
                    ids[1],
                    token(ids[1]),
                    hours(0),
                    None,
                    NextScan::Delete(hours(1_000)),
                ),
                done(
                    ids[2],
                    token(ids[2]),
                    hours(0),
                    None,
                    NextScan::At(hours(1)),
                ),
                done(
                    ids[3],
                    token(ids[3]),
                    hours(0),
                    None,
                    NextScan::At(hours(1)),
                ),
            ])
            .await,
        "complete",
    );
    // TikTok connection backs off until hours(3); YouTube the whole platform until hours(2).
    must(
        store
            .set_backoff(BackoffTarget::Connection(tt.id), hours(3))
            .await,
        "backoff",
    );
    must(
        store
            .set_backoff(BackoffTarget::Platform(Platform::YouTube), hours(2))
            .await,
        "platform backoff",
    );
    assert!(
        claim(&*store, hours(1), TimeDelta::minutes(10))
            .await
            .is_empty()
    );
    let c = claim(&*store, hours(2), TimeDelta::minutes(10)).await;
    assert_eq!(
        c.iter().map(|x| x.post.id).collect::<Vec<_>>(),
        [ids[3]],
        "platform backoff ended at hours(2)"
    );
    // At hours(3) the TikTok backoff is over and the YouTube claim of hours(2) has lapsed.
    let c = claim(&*store, hours(3), TimeDelta::minutes(10)).await;
    assert_eq!(
        c.iter().map(|x| x.post.id).collect::<Vec<_>>(),
        [ids[2], ids[3]]
    );
    // Paused: disconnect the TikTok connection after releasing the claims.
    let releases = c
        .iter()
        .map(|x| Release {
            post: x.post.id,
            token: x.token,
        })
        .collect();
    must(store.release_claims(releases).await, "release");
    let v = version(&*store, tt.id).await;
    must(
        store
            .disconnect(DisconnectRequest {
                connection: tt.id,
                credentials_version: v,
                reason: DisconnectReason::Revoked,
                at: hours(3),
                notify_claim_until: hours(4),
            })
            .await,
        "disconnect",
    );
    assert!(
        claim(&*store, hours(10), TimeDelta::minutes(10))
            .await
            .iter()
            .all(|x| x.post.id != ids[2])
    );
    let states: Vec<PostState> =
        futures::future::join_all(ids.iter().map(|id| store.get_post(*id)))
            .await
            .into_iter()
            .map(|p| must(p, "get").expect("post").state)
            .collect();
    assert_eq!(
        states,
        [
            PostState::Expired,
            PostState::Deleted,
            PostState::Paused,
            PostState::Monitoring
        ]
    );
}

/// A claimed post is not claimable again until its lease lapses; then it is,
/// at its unchanged due time.
pub async fn claim_is_exclusive_until_lease_lapses(store: Arc<dyn PostStore>) {
    let (_, id) = one_post(&*store).await;
    let first = claim(&*store, hours(0), TimeDelta::minutes(10)).await;
    assert_eq!(first.len(), 1);
    assert!(
        claim(
            &*store,
            hours(0) + TimeDelta::minutes(9),
            TimeDelta::minutes(10)
        )
        .await
        .is_empty()
    );
    let again = claim(
        &*store,
        hours(0) + TimeDelta::minutes(10),
        TimeDelta::minutes(10),
    )
    .await;
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].post.id, id);
    assert_eq!(again[0].post.next_scan_at, hours(0));
}

/// Every claim carries a token no earlier claim had.
pub async fn every_claim_gets_a_fresh_token(store: Arc<dyn PostStore>) {
    let (_, _) = one_post(&*store).await;
    let mut seen = BTreeSet::new();
    for i in 0..5 {
        let c = claim(
            &*store,
            hours(0) + TimeDelta::minutes(10 * i),
            TimeDelta::minutes(10),
        )
        .await;
        assert_eq!(c.len(), 1);
        assert!(seen.insert(c[0].token), "token reused: {}", c[0].token);
    }
}

/// A write whose token a later claim replaced is refused and changes nothing.
pub async fn write_with_replaced_token_is_refused(store: Arc<dyn PostStore>) {
    let (_, id) = one_post(&*store).await;
    let stale = claim(&*store, hours(0), TimeDelta::minutes(10)).await[0].token;
    let fresh = claim(
        &*store,
        hours(0) + TimeDelta::minutes(15),
        TimeDelta::minutes(10),
    )
    .await[0]
        .token;
    let out = must(
        store
            .complete_scans(vec![done(
                id,
                stale,
                hours(0) + TimeDelta::minutes(16),
                Some(views(9)),
                NextScan::At(hours(1)),
            )])
            .await,
        "stale complete",
    );
    assert_eq!(out, [CompletionOutcome::LeaseLost]);
    assert_eq!(must(store.latest_snapshot(id).await, "latest"), None);
    assert_eq!(
        must(store.get_post(id).await, "get").map(|p| p.scan_count),
        Some(0)
    );
    let out = must(
        store
            .complete_scans(vec![done(
                id,
                fresh,
                hours(0) + TimeDelta::minutes(17),
                Some(views(3)),
                NextScan::At(hours(1)),
            )])
            .await,
        "fresh complete",
    );
    assert_eq!(out, [CompletionOutcome::Applied]);
    assert_eq!(
        must(store.latest_snapshot(id).await, "latest").map(|s| s.metrics),
        Some(views(3))
    );
}

/// A released claim is due again at once, at its unchanged due time.
pub async fn released_claim_keeps_due_time(store: Arc<dyn PostStore>) {
    let (_, id) = one_post(&*store).await;
    let c = claim(
        &*store,
        hours(0) + TimeDelta::minutes(5),
        TimeDelta::minutes(10),
    )
    .await;
    must(
        store
            .release_claims(vec![Release {
                post: id,
                token: c[0].token,
            }])
            .await,
        "release",
    );
    let p = must(store.get_post(id).await, "get").expect("post");
    assert_eq!(p.next_scan_at, Some(hours(0)));
    assert_eq!(p.scan_count, 0);
    let again = claim(
        &*store,
        hours(0) + TimeDelta::minutes(6),
        TimeDelta::minutes(10),
    )
    .await;
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].post.next_scan_at, hours(0));
}

/// Completing twice with the same token writes once.
pub async fn completion_is_idempotent(store: Arc<dyn PostStore>) {
    let (w, id) = one_post(&*store).await;
    let c = claim(&*store, hours(0), TimeDelta::minutes(10)).await;
    let completion = done(
        id,
        c[0].token,
        hours(0),
        Some(views(5)),
        NextScan::At(hours(1)),
    );
    let a = must(
        store.complete_scans(vec![completion.clone()]).await,
        "first",
    );
    let b = must(store.complete_scans(vec![completion]).await, "retry");
    assert_eq!(a, [CompletionOutcome::Applied]);
    assert_eq!(b, [CompletionOutcome::AlreadyApplied]);
    assert_eq!(
        must(
            store.list_snapshots(id, hours(-10), hours(10)).await,
            "snapshots"
        )
        .len(),
        1
    );
    assert_eq!(
        must(store.get_post(id).await, "get").map(|p| p.scan_count),
        Some(1)
    );
    let r = must(
        store
            .report_inputs(ReportQuery {
                brand: w.brand.id,
                scope: Some(w.scope.id),
                from: hours(0),
                to: hours(2),
                bucket: BucketSize::Hour,
            })
            .await,
        "report",
    );
    assert_eq!(
        r.boundaries[2].1[Metric::Views.index()],
        5,
        "the total is not doubled"
    );
}

/// Concurrent claimers never receive the same post.
pub async fn concurrent_claims_never_share_a_post(store: Arc<dyn PostStore>) {
    let w = world(&*store).await;
    let ups = (0..200)
        .map(|i| {
            post(
                &w.connection,
                &format!("p{i}"),
                hours(-1),
                vec![attributed(&w.scope, "brandx")],
            )
        })
        .collect();
    must(store.upsert_posts(ups, hours(0)).await, "upsert");
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            let mut mine = Vec::new();
            loop {
                let c = must(
                    store
                        .claim_due_posts(ClaimRequest {
                            now: hours(0),
                            lease_until: hours(0) + TimeDelta::minutes(10),
                            limit: 7,
                        })
                        .await,
                    "claim",
                );
                if c.is_empty() {
                    break mine;
                }
                mine.extend(c.into_iter().map(|x| x.post.id));
            }
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.expect("task"));
    }
    let distinct: BTreeSet<_> = all.iter().collect();
    assert_eq!(all.len(), 200);
    assert_eq!(distinct.len(), 200);
}

/// Snapshots are appended in order; one per post and instant.
pub async fn snapshots_are_append_only_and_unique_per_instant(store: Arc<dyn PostStore>) {
    let (_, id) = one_post(&*store).await;
    for h in 0..3 {
        let c = claim(&*store, hours(h), TimeDelta::minutes(10)).await;
        must(
            store
                .complete_scans(vec![done(
                    id,
                    c[0].token,
                    hours(h),
                    Some(views(10 + h as u64)),
                    NextScan::At(hours(h + 1)),
                )])
                .await,
            "complete",
        );
    }
    // A second claim at the same instant as the last snapshot: no second snapshot at that instant.
    let c = claim(&*store, hours(3), TimeDelta::minutes(10)).await;
    must(
        store
            .complete_scans(vec![done(
                id,
                c[0].token,
                hours(2),
                Some(views(99)),
                NextScan::At(hours(4)),
            )])
            .await,
        "same instant",
    );
    let snaps = must(store.list_snapshots(id, hours(-1), hours(10)).await, "list");
    assert_eq!(
        snaps.iter().map(|s| s.at).collect::<Vec<_>>(),
        [hours(0), hours(1), hours(2)]
    );
    assert_eq!(snaps[2].metrics, views(12));
    assert_eq!(
        must(store.latest_snapshot(id).await, "latest").map(|s| s.at),
        Some(hours(2))
    );
}

/// `list_snapshots` covers `[from, to)`.
pub async fn snapshot_range_is_half_open(store: Arc<dyn PostStore>) {
    let (_, id) = one_post(&*store).await;
    for h in 0..4 {
        let c = claim(&*store, hours(h), TimeDelta::minutes(10)).await;
        must(
            store
                .complete_scans(vec![done(
                    id,
                    c[0].token,
                    hours(h),
                    Some(views(h as u64)),
                    NextScan::At(hours(h + 1)),
                )])
                .await,
            "complete",
        );
    }
    let s = must(store.list_snapshots(id, hours(1), hours(3)).await, "list");
    assert_eq!(
        s.iter().map(|s| s.at).collect::<Vec<_>>(),
        [hours(1), hours(2)]
    );
    let s = must(
        store
            .list_snapshots(
                id,
                hours(1) + TimeDelta::microseconds(1),
                hours(3) + TimeDelta::microseconds(1),
            )
            .await,
        "list",
    );
    assert_eq!(
        s.iter().map(|s| s.at).collect::<Vec<_>>(),
        [hours(2), hours(3)]
    );
}

/// A completion records the scan and sets the next due time, or the final
/// state; a reading absent metrics keeps carried values.
pub async fn completion_sets_next_due_or_final_state(store: Arc<dyn PostStore>) {
    let (_, id) = one_post(&*store).await;
    let c = claim(&*store, hours(0), TimeDelta::minutes(10)).await;
    let first = Metrics::new()
        .with(Metric::Views, 10)
        .with(Metric::Likes, 2);
    must(
        store
            .complete_scans(vec![done(
                id,
                c[0].token,
                hours(0),
                Some(first),
                NextScan::At(hours(1)),
            )])
            .await,
        "1",
    );
    let p = must(store.get_post(id).await, "get").expect("post");
    assert_eq!(
        (p.scan_count, p.last_scanned_at, p.next_scan_at),
        (1, Some(hours(0)), Some(hours(1)))
    );
    let c = claim(&*store, hours(1), TimeDelta::minutes(10)).await;
    let hidden = Metrics::new().with(Metric::Views, 12);
    must(
        store
            .complete_scans(vec![done(
                id,
                c[0].token,
                hours(1),
                Some(hidden),
                NextScan::Expire,
            )])
            .await,
        "2",
    );
    let snap = must(store.latest_snapshot(id).await, "latest").expect("snapshot");
    assert_eq!(snap.metrics.get(Metric::Likes), None, "absent as read");
    assert_eq!(snap.carried.get(Metric::Likes), Some(2), "carried forward");
    let p = must(store.get_post(id).await, "get").expect("post");
    assert_eq!(
        (p.state, p.next_scan_at, p.scan_count),
        (PostState::Expired, None, 2)
    );
}
