use super::shared::{assert_err, must};
use crate::fixtures::*;
use chrono::TimeDelta;
use socialsync_core::credentials::Credentials;
use socialsync_core::domain::{
    ConnectionStatus, DisconnectReason, HighWater, PostState, StatusKind,
};
use socialsync_core::error::StoreError;
use socialsync_core::ids::{PlatformAccountId, PlatformPostId};
use socialsync_core::platform::Platform;
use socialsync_core::store::*;
use std::collections::BTreeSet;
use std::sync::Arc;

fn disconnect_req(w: &World, version: u64, at_hours: i64) -> DisconnectRequest {
    DisconnectRequest {
        connection: w.connection.id,
        credentials_version: version,
        reason: DisconnectReason::Revoked,
        at: hours(at_hours),
        notify_claim_until: hours(at_hours) + TimeDelta::minutes(5),
    }
}

fn reconnect(w: &World, token: &str) -> NewConnection {
    NewConnection {
        creator: w.creator.id,
        platform: w.connection.platform,
        account_id: w.connection.account_id.clone(),
        handle: "@ana.new".into(),
        credentials: Credentials::new(token),
    }
}

/// Many callers disconnecting at once make one disconnection: one id, one
/// caller told it made it.
pub async fn disconnect_is_compare_and_set(store: Arc<dyn PostStore>) {
    let w = world(&*store).await;
    let v = w.connection.credentials_version;
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let store = store.clone();
        let req = disconnect_req(&w, v, 1);
        tasks.push(tokio::spawn(async move {
            must(store.disconnect(req).await, "disconnect")
        }));
    }
    let mut ids = BTreeSet::new();
    let mut newly = 0;
    for t in tasks {
        let d = t.await.expect("task");
        ids.insert(d.id);
        newly += usize::from(d.newly_disconnected);
    }
    assert_eq!(ids.len(), 1);
    assert_eq!(newly, 1);
    let c = must(store.get_connection(w.connection.id).await, "get").expect("connection");
    assert!(
        matches!(c.status, ConnectionStatus::Disconnected { disconnection, .. } if ids.contains(&disconnection))
    );
}

/// A disconnection based on credentials that changed since is refused.
pub async fn disconnect_with_stale_credentials_conflicts(store: Arc<dyn PostStore>) {
    let w = world(&*store).await;
    let v = w.connection.credentials_version;
    must(
        store
            .swap_credentials(w.connection.id, v, Credentials::new("refreshed"))
            .await,
        "swap",
    );
    assert_err(
        store.disconnect(disconnect_req(&w, v, 1)).await,
        "stale disconnect",
        |e| matches!(e, StoreError::Conflict(_)),
    );
    let c = must(store.get_connection(w.connection.id).await, "get").expect("connection");
    assert!(c.status.is_active());
}

/// Disconnecting pauses the connection's monitoring posts; reconnecting the
/// same account makes the unexpired ones monitoring and due at once, and
/// expires those whose window ended.
pub async fn disconnect_pauses_and_reconnect_resumes_posts(store: Arc<dyn PostStore>) {
    let w = world(&*store).await;
    let a = vec![attributed(&w.scope, "brandx")];
    let mut short = post(&w.connection, "short", hours(-1), a.clone());
    short.monitor_until = hours(5);
    let long = post(&w.connection, "long", hours(-1), a);
    let ids: Vec<_> = must(
        store.upsert_posts(vec![short, long], hours(0)).await,
        "upsert",
    )
    .iter()
    .map(|u| u.id)
    .collect();
    let d = must(
        store
            .disconnect(disconnect_req(&w, w.connection.credentials_version, 1))
            .await,
        "disconnect",
    );
    assert!(d.newly_disconnected);
    assert_eq!(
        (d.connection, d.creator, d.platform),
        (w.connection.id, w.creator.id, Platform::Instagram)
    );
    for id in &ids {
        assert_eq!(
            must(store.get_post(*id).await, "get").map(|p| p.state),
            Some(PostState::Paused)
        );
    }
    let c = must(
        store.connect(reconnect(&w, "new-token"), hours(10)).await,
        "reconnect",
    );
    assert_eq!(c.connection.id, w.connection.id);
    assert_eq!(c.previous, Some(StatusKind::Disconnected));
    assert_eq!((c.resumed_posts, c.expired_posts), (1, 1));
    assert!(c.connection.credentials_version > w.connection.credentials_version);
    let short = must(store.get_post(ids[0]).await, "get").expect("post");
    let long = must(store.get_post(ids[1]).await, "get").expect("post");
    assert_eq!(short.state, PostState::Expired);
    assert_eq!(
        (long.state, long.next_scan_at),
        (PostState::Monitoring, Some(hours(10)))
    );
    let creds = must(store.get_credentials(w.connection.id).await, "creds").expect("credentials");
    assert_eq!(creds.credentials.access_token(), "new-token");
}

/// Resetting an active connection is refused and changes nothing.
pub async fn reset_is_refused_on_active_connection(store: Arc<dyn PostStore>) {
    let w = world(&*store).await;
    assert_err(
        store.reset_connection(w.connection.id, hours(1)).await,
        "reset active",
        |e| matches!(e, StoreError::InvalidState(_)),
    );
    let c = must(store.get_connection(w.connection.id).await, "get").expect("connection");
    assert_eq!(c, w.connection);
    assert!(must(store.get_credentials(w.connection.id).await, "creds").is_some());
}

/// Reset drops credentials and the high-water mark and keeps posts and
/// snapshots; connecting the same account again takes the posts over.
pub async fn reset_keeps_posts_and_reconnect_takes_them_over(store: Arc<dyn PostStore>) {
    let w = world(&*store).await;
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
    let c = must(
        store
            .claim_due_posts(ClaimRequest {
                now: hours(0),
                lease_until: hours(0) + TimeDelta::minutes(5),
                limit: 9,
            })
            .await,
        "claim",
    );
    let reading =
        socialsync_core::metrics::Metrics::new().with(socialsync_core::metrics::Metric::Views, 4);
    must(
        store
            .complete_scans(vec![ScanCompletion {
                post: id,
                token: c[0].token,
                at: hours(0),
                reading: ScanReading::Changed(reading),
                next: NextScan::At(hours(1)),
            }])
            .await,
        "complete",
    );
    let lease = must(
        store
            .try_claim_discovery(w.connection.id, hours(0), hours(1))
            .await,
        "discovery",
    )
    .expect("lease");
    let hw = HighWater {
        published_at: hours(-1),
        post_id: PlatformPostId::new("p"),
    };
    must(
        store
            .finish_discovery(
                w.connection.id,
                lease,
                DiscoveryProgress {
                    at: hours(0),
                    high_water: Some(hw),
                    deep_pass: true,
                    matched_revision: 1,
                },
            )
            .await,
        "finish",
    );
    must(
        store
            .disconnect(disconnect_req(&w, w.connection.credentials_version, 2))
            .await,
        "disconnect",
    );
    let reset = must(
        store.reset_connection(w.connection.id, hours(3)).await,
        "reset",
    );
    assert_eq!(reset.status, ConnectionStatus::Reset { since: hours(3) });
    assert_eq!(reset.high_water, None);
    assert_eq!(reset.last_discovery_at, None);
    assert!(must(store.get_credentials(w.connection.id).await, "creds").is_none());
    assert_eq!(
        must(store.get_post(id).await, "get").map(|p| p.state),
        Some(PostState::Paused)
    );
    assert_eq!(
        must(store.list_snapshots(id, hours(-1), hours(9)).await, "snaps").len(),
        1
    );
    let again = must(
        store.connect(reconnect(&w, "fresh"), hours(5)).await,
        "connect again",
    );
    assert_eq!(again.previous, Some(StatusKind::Reset));
    assert_eq!(again.connection.id, w.connection.id);
    assert_eq!(
        again.connection.high_water, None,
        "the first discovery covers the whole window"
    );
    let p = must(store.get_post(id).await, "get").expect("post");
    assert_eq!(
        (p.state, p.connection),
        (PostState::Monitoring, w.connection.id)
    );
    assert_eq!(
        must(store.list_posts(PostFilter::default()).await, "list").len(),
        1
    );
}

/// Every status change closes the current interval and opens one.
pub async fn status_history_records_intervals(store: Arc<dyn PostStore>) {
    let w = world(&*store).await;
    must(
        store
            .disconnect(disconnect_req(&w, w.connection.credentials_version, 2))
            .await,
        "disconnect",
    );
    must(
        store.connect(reconnect(&w, "t2"), hours(5)).await,
        "reconnect",
    );
    let c = must(store.get_connection(w.connection.id).await, "get").expect("connection");
    let h: Vec<_> = c.history.iter().map(|i| (i.status, i.from, i.to)).collect();
    assert_eq!(
        h,
        [
            (StatusKind::Active, hours(0), Some(hours(2))),
            (StatusKind::Disconnected, hours(2), Some(hours(5))),
            (StatusKind::Active, hours(5), None),
        ]
    );
    assert_eq!(c.history[1].reason, Some(DisconnectReason::Revoked));
    assert!(c.history[1].overlaps(hours(4), hours(6)));
    assert!(!c.history[1].overlaps(hours(5), hours(6)));
    assert_eq!(c.status_since(), hours(5));
}

/// Credentials are swapped only against the version read: a stale refresh loses.
pub async fn credentials_swap_only_against_version_read(store: Arc<dyn PostStore>) {
    let w = world(&*store).await;
    let read = must(store.get_credentials(w.connection.id).await, "read").expect("credentials");
    let v2 = must(
        store
            .swap_credentials(
                w.connection.id,
                read.version,
                Credentials::new("a2").with_refresh_token("r2"),
            )
            .await,
        "first swap",
    );
    assert_eq!(v2, read.version + 1);
    assert_err(
        store
            .swap_credentials(w.connection.id, read.version, Credentials::new("b2"))
            .await,
        "stale swap",
        |e| matches!(e, StoreError::Conflict(_)),
    );
    let now = must(store.get_credentials(w.connection.id).await, "read").expect("credentials");
    assert_eq!(
        (
            now.version,
            now.credentials.access_token(),
            now.credentials.refresh_token()
        ),
        (v2, "a2", Some("r2"))
    );
}

/// One refresh lease holder at a time, even under concurrency; it lapses.
pub async fn refresh_lease_has_one_holder_at_a_time(store: Arc<dyn PostStore>) {
    let w = world(&*store).await;
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let store = store.clone();
        let id = w.connection.id;
        tasks.push(tokio::spawn(async move {
            must(
                store
                    .try_lock_refresh(id, hours(0), hours(0) + TimeDelta::minutes(1))
                    .await,
                "lock",
            )
        }));
    }
    let mut holders = Vec::new();
    for t in tasks {
        holders.extend(t.await.expect("task"));
    }
    assert_eq!(holders.len(), 1);
    let id = w.connection.id;
    assert!(
        must(
            store
                .try_lock_refresh(id, hours(0) + TimeDelta::seconds(59), hours(1))
                .await,
            "lock"
        )
        .is_none()
    );
    must(store.unlock_refresh(id, holders[0]).await, "unlock");
    let next = must(
        store
            .try_lock_refresh(
                id,
                hours(0) + TimeDelta::seconds(59),
                hours(0) + TimeDelta::minutes(2),
            )
            .await,
        "lock",
    );
    assert!(next.is_some());
    // Lapsed: a new holder may take it.
    assert!(
        must(
            store
                .try_lock_refresh(id, hours(0) + TimeDelta::minutes(2), hours(1))
                .await,
            "lock"
        )
        .is_some()
    );
}

/// A disconnection's notification stays claimed by the disconnecting caller
/// until its claim lapses, then is handed out again with the same id until
/// marked delivered.
pub async fn pending_notification_is_redelivered_after_claim_lapses(store: Arc<dyn PostStore>) {
    let w = world(&*store).await;
    let d = must(
        store
            .disconnect(disconnect_req(&w, w.connection.credentials_version, 1))
            .await,
        "disconnect",
    );
    let claim_until = hours(1) + TimeDelta::minutes(5);
    let early = must(
        store
            .claim_pending_notifications(claim_until - TimeDelta::microseconds(1), hours(2), 10)
            .await,
        "early",
    );
    assert!(
        early.is_empty(),
        "still claimed by the disconnecting caller"
    );
    let again = must(
        store
            .claim_pending_notifications(claim_until, hours(2), 10)
            .await,
        "lapsed",
    );
    assert_eq!(again.iter().map(|x| x.id).collect::<Vec<_>>(), [d.id]);
    assert!(
        must(
            store
                .claim_pending_notifications(claim_until, hours(2), 10)
                .await,
            "claimed"
        )
        .is_empty()
    );
    must(store.mark_notified(d.id).await, "mark");
    assert!(
        must(
            store
                .claim_pending_notifications(hours(9), hours(10), 10)
                .await,
            "done"
        )
        .is_empty()
    );
}

/// Health counts failures until a success; backoffs only grow.
pub async fn health_and_backoff_are_recorded(store: Arc<dyn PostStore>) {
    let w = world(&*store).await;
    let id = w.connection.id;
    for h in 1..=3 {
        must(
            store
                .record_health(
                    id,
                    HealthUpdate::Failure {
                        at: hours(h),
                        error: "HTTP 503".into(),
                    },
                )
                .await,
            "fail",
        );
    }
    must(
        store
            .record_health(
                id,
                HealthUpdate::MissingPermissions(vec!["instagram_business_manage_insights".into()]),
            )
            .await,
        "perm",
    );
    let c = must(store.get_connection(id).await, "get").expect("connection");
    assert_eq!(
        (c.health.consecutive_failures, c.health.last_failure_at),
        (3, Some(hours(3)))
    );
    assert_eq!(c.health.last_error.as_deref(), Some("HTTP 503"));
    assert_eq!(c.health.missing_permissions.len(), 1);
    must(
        store
            .record_health(id, HealthUpdate::Success { at: hours(4) })
            .await,
        "ok",
    );
    must(
        store
            .set_backoff(BackoffTarget::Connection(id), hours(8))
            .await,
        "backoff",
    );
    must(
        store
            .set_backoff(BackoffTarget::Connection(id), hours(6))
            .await,
        "shorter backoff",
    );
    let c = must(store.get_connection(id).await, "get").expect("connection");
    assert_eq!(
        (c.health.consecutive_failures, c.health.last_success_at),
        (0, Some(hours(4)))
    );
    assert_eq!(c.backoff_until, Some(hours(8)));
    must(
        store
            .set_backoff(BackoffTarget::Platform(Platform::YouTube), hours(7))
            .await,
        "platform",
    );
    assert_eq!(
        must(store.get_platform_backoff(Platform::YouTube).await, "get"),
        Some(hours(7))
    );
    assert_eq!(
        must(store.get_platform_backoff(Platform::TikTok).await, "get"),
        None
    );
}

/// Discovery is leased per connection; the high-water mark only moves forward.
pub async fn discovery_lease_and_high_water_mark(store: Arc<dyn PostStore>) {
    let w = world(&*store).await;
    let id = w.connection.id;
    let lease = must(
        store.try_claim_discovery(id, hours(0), hours(1)).await,
        "claim",
    )
    .expect("lease");
    assert!(
        must(
            store.try_claim_discovery(id, hours(0), hours(1)).await,
            "second"
        )
        .is_none()
    );
    let hw = |h: i64, p: &str| HighWater {
        published_at: hours(h),
        post_id: PlatformPostId::new(p),
    };
    must(
        store
            .finish_discovery(
                id,
                lease,
                DiscoveryProgress {
                    at: hours(0),
                    high_water: Some(hw(-1, "b")),
                    deep_pass: true,
                    matched_revision: 3,
                },
            )
            .await,
        "finish",
    );
    assert_err(
        store
            .finish_discovery(
                id,
                lease,
                DiscoveryProgress {
                    at: hours(0),
                    high_water: None,
                    deep_pass: false,
                    matched_revision: 3,
                },
            )
            .await,
        "finish twice",
        |e| matches!(e, StoreError::LeaseLost),
    );
    let lease = must(
        store.try_claim_discovery(id, hours(1), hours(2)).await,
        "claim",
    )
    .expect("lease");
    must(
        store
            .finish_discovery(
                id,
                lease,
                DiscoveryProgress {
                    at: hours(1),
                    high_water: Some(hw(-1, "a")),
                    deep_pass: false,
                    matched_revision: 2,
                },
            )
            .await,
        "finish older",
    );
    let c = must(store.get_connection(id).await, "get").expect("connection");
    assert_eq!(c.high_water, Some(hw(-1, "b")));
    assert_eq!(
        (c.last_discovery_at, c.last_deep_pass_at, c.matched_revision),
        (Some(hours(1)), Some(hours(0)), 3)
    );
    let by_account = must(
        store
            .get_connection_by_account(Platform::Instagram, &PlatformAccountId::new("ig-ana"))
            .await,
        "by account",
    );
    assert_eq!(by_account.map(|c| c.id), Some(id));
    let listed = must(
        store
            .list_connections(ConnectionFilter {
                statuses: Some(vec![StatusKind::Active]),
                ..Default::default()
            })
            .await,
        "list",
    );
    assert_eq!(listed.len(), 1);
}
