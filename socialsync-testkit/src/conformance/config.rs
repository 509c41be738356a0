use super::shared::{assert_err, must};
use crate::fixtures::*;
use socialsync_core::domain::{CampaignWindow, ScopeKind};
use socialsync_core::error::StoreError;
use socialsync_core::hashtag::TrackedHashtag;
use socialsync_core::ids::{BrandId, CreatorId, ScopeId};
use socialsync_core::store::{NewBrand, NewScope, PostStore, ScopeChange};
use std::sync::Arc;

/// Brands and creators read back as created.
pub async fn brand_and_creator_round_trip(store: Arc<dyn PostStore>) {
    let b = must(
        store
            .create_brand(
                NewBrand {
                    name: "Acme".into(),
                },
                t0(),
            )
            .await,
        "create_brand",
    );
    let got = must(store.get_brand(b.id).await, "get_brand");
    assert_eq!(got, Some(b.clone()));
    let c = creator(&*store, "Ana").await;
    assert_eq!(
        must(store.get_creator(c.id).await, "get_creator"),
        Some(c.clone())
    );
    assert_ne!(b.id.0, 0);
    assert_eq!(
        must(store.get_brand(BrandId(i64::MAX)).await, "get unknown"),
        None
    );
}

fn new_scope(brand: BrandId, members: Vec<CreatorId>) -> NewScope {
    NewScope {
        brand,
        name: "Spring".into(),
        kind: ScopeKind::Campaign { window: None },
        hashtags: vec![TrackedHashtag::parse("brandx").expect("valid")],
        members,
        match_keyword_tags: false,
    }
}

/// A scope of an unknown brand is refused with `NotFound`, and no scope appears.
pub async fn create_scope_refuses_unknown_brand_and_changes_nothing(store: Arc<dyn PostStore>) {
    let rev = must(store.tracking_revision().await, "revision");
    let r = store
        .create_scope(new_scope(BrandId(987_654), vec![]), t0())
        .await;
    assert_err(r, "unknown brand", StoreError::is_not_found);
    assert_eq!(
        must(store.list_scopes(BrandId(987_654)).await, "list"),
        vec![]
    );
    assert_eq!(must(store.tracking_revision().await, "revision"), rev);
}

/// A scope naming an unknown member is refused with `NotFound`, and nothing changes.
pub async fn create_scope_refuses_unknown_member_and_changes_nothing(store: Arc<dyn PostStore>) {
    let w = world(&*store).await;
    let before = must(store.list_scopes(w.brand.id).await, "list");
    let rev = must(store.tracking_revision().await, "revision");
    let r = store
        .create_scope(
            new_scope(w.brand.id, vec![w.creator.id, CreatorId(987_654)]),
            t0(),
        )
        .await;
    assert_err(r, "unknown member", StoreError::is_not_found);
    assert_eq!(must(store.list_scopes(w.brand.id).await, "list"), before);
    assert_eq!(must(store.tracking_revision().await, "revision"), rev);
}

/// Every read and write names the brand: another brand's scope is not found.
pub async fn another_brands_scope_is_not_found(store: Arc<dyn PostStore>) {
    let w = world(&*store).await;
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
    assert_eq!(
        must(store.get_scope(other.id, w.scope.id).await, "get"),
        None
    );
    assert!(must(store.list_scopes(other.id).await, "list").is_empty());
    let r = store
        .update_scope(other.id, w.scope.id, ScopeChange::SetMatchKeywordTags(true))
        .await;
    assert_err(r, "update another brand's scope", StoreError::is_not_found);
    let unchanged = must(store.get_scope(w.brand.id, w.scope.id).await, "get").expect("scope");
    assert!(!unchanged.match_keyword_tags);
    assert_eq!(
        must(
            store.list_scopes_for_creator(w.creator.id).await,
            "for creator"
        )
        .len(),
        1
    );
}

/// Each change lands and moves the tracking revision.
pub async fn update_scope_changes_and_bumps_revision(store: Arc<dyn PostStore>) {
    let w = world(&*store).await;
    let bo = creator(&*store, "Bo").await;
    let campaign = scope(
        &*store,
        &w.brand,
        "C",
        &["launch"],
        &[],
        ScopeKind::Campaign { window: None },
    )
    .await;
    let mut rev = must(store.tracking_revision().await, "revision");
    let window = CampaignWindow {
        starts_at: Some(hours(1)),
        ends_at: Some(hours(5)),
    };
    let changes = vec![
        ScopeChange::SetHashtags(vec![
            TrackedHashtag::parse("a").expect("valid"),
            TrackedHashtag::parse("b").expect("valid"),
        ]),
        ScopeChange::AddMembers(vec![bo.id, w.creator.id]),
        ScopeChange::RemoveMembers(vec![w.creator.id]),
        ScopeChange::SetWindow(Some(window)),
        ScopeChange::SetMatchKeywordTags(true),
    ];
    for change in changes {
        must(
            store.update_scope(w.brand.id, campaign.id, change).await,
            "update",
        );
        let now = must(store.tracking_revision().await, "revision");
        assert!(now > rev, "revision must grow at every change");
        rev = now;
    }
    let s = must(store.get_scope(w.brand.id, campaign.id).await, "get").expect("scope");
    assert_eq!(
        s.hashtags.iter().map(|h| h.written()).collect::<Vec<_>>(),
        ["a", "b"]
    );
    assert_eq!(s.members.iter().copied().collect::<Vec<_>>(), [bo.id]);
    assert_eq!(s.window(), Some(&window));
    assert!(s.match_keyword_tags);
    assert_eq!(
        must(store.list_scopes_for_creator(bo.id).await, "for creator"),
        vec![s]
    );
}

/// Refused changes (unknown member, empty hashtags, a window on a program,
/// a window ending before it starts) change nothing.
pub async fn refused_scope_change_changes_nothing(store: Arc<dyn PostStore>) {
    let w = world(&*store).await;
    let before = must(store.get_scope(w.brand.id, w.scope.id).await, "get");
    let rev = must(store.tracking_revision().await, "revision");
    let r = store
        .update_scope(
            w.brand.id,
            w.scope.id,
            ScopeChange::AddMembers(vec![CreatorId(987_654)]),
        )
        .await;
    assert_err(r, "unknown member", StoreError::is_not_found);
    let r = store
        .update_scope(w.brand.id, w.scope.id, ScopeChange::SetHashtags(vec![]))
        .await;
    assert_err(r, "no hashtags", |e| {
        matches!(e, StoreError::InvalidInput(_))
    });
    let window = CampaignWindow {
        starts_at: Some(hours(1)),
        ends_at: Some(hours(2)),
    };
    let r = store
        .update_scope(w.brand.id, w.scope.id, ScopeChange::SetWindow(Some(window)))
        .await;
    assert_err(r, "window on a program", |e| {
        matches!(e, StoreError::InvalidInput(_))
    });
    let campaign = scope(
        &*store,
        &w.brand,
        "C",
        &["x"],
        &[],
        ScopeKind::Campaign { window: None },
    )
    .await;
    let rev2 = must(store.tracking_revision().await, "revision");
    let backwards = CampaignWindow {
        starts_at: Some(hours(2)),
        ends_at: Some(hours(1)),
    };
    let r = store
        .update_scope(
            w.brand.id,
            campaign.id,
            ScopeChange::SetWindow(Some(backwards)),
        )
        .await;
    assert_err(r, "backwards window", |e| {
        matches!(e, StoreError::InvalidInput(_))
    });
    assert_eq!(
        must(store.get_scope(w.brand.id, w.scope.id).await, "get"),
        before
    );
    assert_eq!(
        must(store.get_scope(w.brand.id, campaign.id).await, "get")
            .and_then(|s| s.window().copied()),
        None
    );
    assert!(rev2 > rev);
    assert_eq!(must(store.tracking_revision().await, "revision"), rev2);
    assert_eq!(
        must(store.get_scope(w.brand.id, ScopeId(987_654)).await, "get"),
        None
    );
}

/// Instants are stored with microsecond precision, as PostgreSQL keeps them.
pub async fn instants_are_truncated_to_micros(store: Arc<dyn PostStore>) {
    let w = world(&*store).await;
    let published = t0() + chrono::TimeDelta::nanoseconds(1_234_567_891);
    let up = must(
        store
            .upsert_posts(vec![post(&w.connection, "p1", published, vec![])], t0())
            .await,
        "upsert",
    );
    let p = must(store.get_post(up[0].id).await, "get").expect("post");
    assert_eq!(p.published_at, micros(1_234_567));
    assert_eq!(p.published_at.timestamp_subsec_nanos() % 1000, 0);
}

/// Instants at the limits of the timestamp type read back as written, on
/// every store: the type promises that an instant a store wrote and the one
/// it reads back are equal, whichever store it is. A hostile platform may
/// report any publication instant the type can hold.
pub async fn extreme_instants_round_trip(store: Arc<dyn PostStore>) {
    use socialsync_core::clock::Timestamp;
    let w = world(&*store).await;
    for (i, published) in [Timestamp::MAX, Timestamp::MIN].into_iter().enumerate() {
        let id = format!("extreme{i}");
        let up = must(
            store
                .upsert_posts(vec![post(&w.connection, &id, published, vec![])], t0())
                .await,
            &format!("upsert a post published at {published:?}"),
        );
        let p = must(store.get_post(up[0].id).await, "get").expect("post");
        assert_eq!(p.published_at, published, "published_at read back");
    }
}

/// A leap-second instant (chrono parses `23:59:60`, so a platform's JSON
/// can carry one) is one instant: what a store reads back equals what was
/// written, and equals the same instant written without the leap second.
pub async fn leap_second_instants_round_trip(store: Arc<dyn PostStore>) {
    use socialsync_core::clock::Timestamp;
    let w = world(&*store).await;
    let leap: Timestamp = "2016-12-31T23:59:60.5Z".parse().expect("leap second");
    let up = must(
        store
            .upsert_posts(vec![post(&w.connection, "leap", leap, vec![])], t0())
            .await,
        "upsert",
    );
    let p = must(store.get_post(up[0].id).await, "get").expect("post");
    assert_eq!(p.published_at, leap, "published_at read back as written");
}
