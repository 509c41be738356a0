use super::shared::must;
use crate::fixtures::*;
use socialsync_core::domain::{PostState, ScopeKind};
use socialsync_core::ids::PlatformPostId;
use socialsync_core::platform::Platform;
use socialsync_core::store::{ClaimRequest, NewBrand, PostFilter, PostStore};
use std::sync::Arc;

/// Upserting the same post twice leaves one post with the same id and data.
pub async fn upsert_posts_is_idempotent(store: Arc<dyn PostStore>) {
    let w = world(&*store).await;
    let up = post(
        &w.connection,
        "p1",
        hours(-2),
        vec![attributed(&w.scope, "brandx")],
    );
    let first = must(
        store.upsert_posts(vec![up.clone()], hours(0)).await,
        "upsert",
    );
    let stored = must(store.get_post(first[0].id).await, "get").expect("post");
    let second = must(store.upsert_posts(vec![up], hours(0)).await, "upsert again");
    assert!(first[0].created);
    assert!(!second[0].created);
    assert_eq!(first[0].id, second[0].id);
    assert_eq!(second[0].previous_state, Some(PostState::Monitoring));
    assert_eq!(must(store.get_post(first[0].id).await, "get"), Some(stored));
    assert_eq!(
        must(store.list_posts(PostFilter::default()).await, "list").len(),
        1
    );
}

/// A post found through two connections (a creator's old and new connection
/// of the same platform, or two creators sharing it) is stored once, with
/// both as listers; it stays with its first finder while that one is active.
pub async fn post_is_never_duplicated_whoever_finds_it(store: Arc<dyn PostStore>) {
    let w = world(&*store).await;
    let bo = creator(&*store, "Bo").await;
    let other = connect(&*store, bo.id, Platform::Instagram, "ig-bo").await;
    let a = must(
        store
            .upsert_posts(
                vec![post(&w.connection, "shared", hours(-1), vec![])],
                hours(0),
            )
            .await,
        "a",
    );
    let b = must(
        store
            .upsert_posts(vec![post(&other, "shared", hours(-1), vec![])], hours(0))
            .await,
        "b",
    );
    assert_eq!(a[0].id, b[0].id);
    let all = must(store.list_posts(PostFilter::default()).await, "list");
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].connection, w.connection.id);
    let listers: Vec<_> = all[0].listers.iter().map(|l| l.connection).collect();
    assert_eq!(listers, [w.connection.id, other.id]);
    let by_key = must(
        store
            .get_post_by_key(Platform::Instagram, &PlatformPostId::new("shared"))
            .await,
        "by key",
    );
    assert_eq!(by_key.map(|p| p.id), Some(a[0].id));
    // The same id on another platform is another post.
    let yt = connect(&*store, bo.id, Platform::YouTube, "yt-bo").await;
    let c = must(
        store
            .upsert_posts(vec![post(&yt, "shared", hours(-1), vec![])], hours(0))
            .await,
        "c",
    );
    assert_ne!(c[0].id, a[0].id);
}

/// Many tasks upserting the same posts at once make one row per post.
pub async fn concurrent_upserts_make_one_post(store: Arc<dyn PostStore>) {
    let w = world(&*store).await;
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let store = store.clone();
        let conn = w.connection.clone();
        let scope = w.scope.clone();
        tasks.push(tokio::spawn(async move {
            let batch = (0..20)
                .map(|i| {
                    post(
                        &conn,
                        &format!("p{i}"),
                        hours(-1),
                        vec![attributed(&scope, "brandx")],
                    )
                })
                .collect();
            must(store.upsert_posts(batch, hours(0)).await, "upsert")
        }));
    }
    let mut created = 0;
    for t in tasks {
        created += t.await.expect("task").iter().filter(|u| u.created).count();
    }
    assert_eq!(created, 20);
    assert_eq!(
        must(store.list_posts(PostFilter::default()).await, "list").len(),
        20
    );
}

/// A new post with an attribution is `Monitoring` and due at once; without
/// one it is `Seen` and never due.
pub async fn new_post_state_follows_attribution(store: Arc<dyn PostStore>) {
    let w = world(&*store).await;
    let up = must(
        store
            .upsert_posts(
                vec![
                    post(
                        &w.connection,
                        "matched",
                        hours(-1),
                        vec![attributed(&w.scope, "brandx")],
                    ),
                    post(&w.connection, "unmatched", hours(-1), vec![]),
                ],
                hours(0),
            )
            .await,
        "upsert",
    );
    assert_eq!(up[0].state, PostState::Monitoring);
    assert_eq!(up[1].state, PostState::Seen);
    let m = must(store.get_post(up[0].id).await, "get").expect("post");
    assert_eq!(m.next_scan_at, Some(hours(0)));
    assert_eq!(m.attribution.len(), 1);
    let s = must(store.get_post(up[1].id).await, "get").expect("post");
    assert_eq!(s.next_scan_at, None);
    let claims = must(
        store
            .claim_due_posts(ClaimRequest {
                now: hours(10),
                lease_until: hours(11),
                limit: 10,
            })
            .await,
        "claim",
    );
    assert_eq!(
        claims.iter().map(|c| c.post.id).collect::<Vec<_>>(),
        [up[0].id]
    );
}

/// A `Seen` post keeps its hashtags; attributing it later makes it
/// `Monitoring`, due at that instant.
pub async fn seen_post_is_kept_for_retro_matching(store: Arc<dyn PostStore>) {
    let w = world(&*store).await;
    let mut up = post(&w.connection, "early", hours(-30), vec![]);
    up.hashtags = vec![found("later")];
    let id = must(store.upsert_posts(vec![up], hours(0)).await, "upsert")[0].id;
    let seen = must(store.get_post(id).await, "get").expect("post");
    assert_eq!(seen.state, PostState::Seen);
    assert_eq!(seen.hashtags, vec![found("later")]);
    let listed = must(
        store
            .list_posts(PostFilter {
                connection: Some(w.connection.id),
                states: Some(vec![PostState::Seen]),
                monitor_until_after: Some(hours(5)),
                ..Default::default()
            })
            .await,
        "list seen",
    );
    assert_eq!(listed.len(), 1);
    let state = must(
        store
            .set_attribution(id, vec![attributed(&w.scope, "later")], hours(5))
            .await,
        "attribute",
    );
    assert_eq!(state, PostState::Monitoring);
    assert_eq!(
        must(store.get_post(id).await, "get").and_then(|p| p.next_scan_at),
        Some(hours(5))
    );
}

/// A post no scope matches any more becomes `Untracked`, keeps its data,
/// is never due, and leaves the scope's post list.
pub async fn unmatched_post_becomes_untracked_and_keeps_data(store: Arc<dyn PostStore>) {
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
    let state = must(
        store.set_attribution(id, vec![], hours(1)).await,
        "unattribute",
    );
    assert_eq!(state, PostState::Untracked);
    let p = must(store.get_post(id).await, "get").expect("kept");
    assert_eq!(p.hashtags.len(), 1);
    assert!(p.attribution.is_empty());
    let claims = must(
        store
            .claim_due_posts(ClaimRequest {
                now: hours(10),
                lease_until: hours(11),
                limit: 10,
            })
            .await,
        "claim",
    );
    assert!(claims.is_empty());
    let in_scope = must(
        store
            .list_posts(PostFilter {
                brand: Some(w.brand.id),
                scope: Some(w.scope.id),
                ..Default::default()
            })
            .await,
        "list scope",
    );
    assert!(in_scope.is_empty());
    // Matched again: monitoring again.
    let state = must(
        store
            .set_attribution(id, vec![attributed(&w.scope, "brandx")], hours(2))
            .await,
        "re",
    );
    assert_eq!(state, PostState::Monitoring);
}

/// A post attributed to several scopes is listed once per scope and once
/// for the brand.
pub async fn attribution_to_several_scopes(store: Arc<dyn PostStore>) {
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
    let up = post(
        &w.connection,
        "both",
        hours(-1),
        vec![
            attributed(&w.scope, "brandx"),
            attributed(&campaign, "launch"),
        ],
    );
    let id = must(store.upsert_posts(vec![up], hours(0)).await, "upsert")[0].id;
    for s in [w.scope.id, campaign.id] {
        let l = must(
            store
                .list_posts(PostFilter {
                    brand: Some(w.brand.id),
                    scope: Some(s),
                    ..Default::default()
                })
                .await,
            "list scope",
        );
        assert_eq!(l.iter().map(|p| p.id).collect::<Vec<_>>(), [id]);
    }
    let brand = must(
        store
            .list_posts(PostFilter {
                brand: Some(w.brand.id),
                ..Default::default()
            })
            .await,
        "brand",
    );
    assert_eq!(brand.len(), 1);
    let claims = must(
        store
            .claim_due_posts(ClaimRequest {
                now: hours(0),
                lease_until: hours(1),
                limit: 10,
            })
            .await,
        "claim",
    );
    assert_eq!(claims.len(), 1, "read once per scan");
    let mut scopes = claims[0].post.scopes.to_vec();
    scopes.sort();
    assert_eq!(scopes, [w.scope.id, campaign.id]);
    assert_eq!(*claims[0].post.brands, [w.brand.id]);
}

/// Listing a scope through another brand gives nothing.
pub async fn list_posts_is_brand_isolated(store: Arc<dyn PostStore>) {
    let w = world(&*store).await;
    must(
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
    );
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
    let l = must(
        store
            .list_posts(PostFilter {
                brand: Some(other.id),
                scope: Some(w.scope.id),
                ..Default::default()
            })
            .await,
        "list",
    );
    assert!(l.is_empty());
    let l = must(
        store
            .list_posts(PostFilter {
                brand: Some(other.id),
                ..Default::default()
            })
            .await,
        "list",
    );
    assert!(l.is_empty());
}
