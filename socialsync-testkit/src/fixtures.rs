//! Builders for test data at fixed, microsecond-aligned instants.

use chrono::TimeDelta;
use socialsync_core::clock::Timestamp;
use socialsync_core::credentials::Credentials;
use socialsync_core::domain::{
    Attribution, Brand, Connection, Creator, FoundHashtag, MediaKind, Scope, ScopeKind, TextField,
};
use socialsync_core::hashtag::{HashtagKey, TrackedHashtag};
use socialsync_core::ids::PostId;
use socialsync_core::ids::{ConnectionId, CreatorId, PlatformAccountId, PlatformPostId};
use socialsync_core::metrics::Metrics;
use socialsync_core::platform::Platform;
use socialsync_core::store::{
    ClaimRequest, CompletionOutcome, NewBrand, NewConnection, NewCreator, NewScope, NextScan,
    PostStore, PostUpsert, Release, ScanCompletion, ScanReading,
};

/// The suite's epoch: 2026-03-01T00:00:00Z.
pub fn t0() -> Timestamp {
    Timestamp::from_timestamp(1_772_323_200, 0).unwrap_or_default()
}

/// `t0() + hours`.
pub fn hours(h: i64) -> Timestamp {
    t0() + TimeDelta::hours(h)
}

/// `t0() + µs`.
pub fn micros(us: i64) -> Timestamp {
    t0() + TimeDelta::microseconds(us)
}

/// A brand, a creator, a program tracking `#brandx` with that creator, and
/// an active Instagram connection of the creator.
#[derive(Debug, Clone)]
pub struct World {
    /// The brand.
    pub brand: Brand,
    /// The creator.
    pub creator: Creator,
    /// The program.
    pub scope: Scope,
    /// The connection.
    pub connection: Connection,
}

/// Unwraps a store result in a fixture, naming what failed.
fn ok<T, E: std::fmt::Debug>(r: Result<T, E>, what: &str) -> T {
    match r {
        Ok(v) => v,
        Err(e) => panic!("fixture {what} failed: {e:?}"),
    }
}

/// Creates a [`World`].
pub async fn world(store: &dyn PostStore) -> World {
    let (brand, creator, scope) = program(store).await;
    let connection = connect(store, creator.id, Platform::Instagram, "ig-ana").await;
    World {
        brand,
        creator,
        scope,
        connection,
    }
}

/// A brand, a creator and a program tracking `#brandx` with that creator
/// (a [`World`] without a connection).
pub async fn program(store: &dyn PostStore) -> (Brand, Creator, Scope) {
    let brand = ok(
        store
            .create_brand(
                NewBrand {
                    name: "Acme".into(),
                },
                t0(),
            )
            .await,
        "brand",
    );
    let creator = creator(store, "Ana").await;
    let scope = scope(
        store,
        &brand,
        "Program",
        &["brandx"],
        &[creator.id],
        ScopeKind::Program,
    )
    .await;
    (brand, creator, scope)
}

/// Creates a creator.
pub async fn creator(store: &dyn PostStore, name: &str) -> Creator {
    let new = NewCreator {
        name: name.into(),
        external_ref: None,
    };
    ok(store.create_creator(new, t0()).await, "creator")
}

/// Creates a scope.
pub async fn scope(
    store: &dyn PostStore,
    brand: &Brand,
    name: &str,
    tags: &[&str],
    members: &[CreatorId],
    kind: ScopeKind,
) -> Scope {
    let new = NewScope {
        brand: brand.id,
        name: name.into(),
        kind,
        hashtags: tags
            .iter()
            .map(|t| ok(TrackedHashtag::parse(t), "hashtag"))
            .collect(),
        members: members.to_vec(),
        match_keyword_tags: false,
    };
    ok(store.create_scope(new, t0()).await, "scope")
}

/// Connects an account at `t0()` with token `token-<account>`.
pub async fn connect(
    store: &dyn PostStore,
    creator: CreatorId,
    platform: Platform,
    account: &str,
) -> Connection {
    let new = NewConnection {
        creator,
        platform,
        account_id: PlatformAccountId::new(account),
        handle: format!("@{account}"),
        credentials: Credentials::new(format!("token-{account}")),
    };
    ok(store.connect(new, t0()).await, "connect").connection
}

/// A found `#tag` in the text.
pub fn found(tag: &str) -> FoundHashtag {
    FoundHashtag {
        key: HashtagKey::of(tag).unwrap_or_else(|| panic!("`{tag}` has an empty key")),
        written: tag.into(),
        field: TextField::Text,
        start: 0,
        end: tag.len() + 1,
    }
}

/// The attribution of a post to `scope` through `#tag`.
pub fn attributed(scope: &Scope, tag: &str) -> Attribution {
    Attribution {
        scope: scope.id,
        brand: scope.brand,
        tracked: tag.into(),
        found: found(tag),
    }
}

/// A post upsert published at `published` with a 90-day window.
pub fn post(
    connection: &Connection,
    id: &str,
    published: Timestamp,
    attribution: Vec<Attribution>,
) -> PostUpsert {
    PostUpsert {
        platform: connection.platform,
        platform_post_id: PlatformPostId::new(id),
        connection: connection.id,
        creator: connection.creator,
        published_at: published,
        anchored_at: published,
        monitor_until: published + TimeDelta::days(90),
        kind: MediaKind::Image,
        title: None,
        text: attribution
            .iter()
            .map(|a| format!("#{}", a.found.written))
            .collect::<Vec<_>>()
            .join(" "),
        keyword_tags: Vec::new(),
        permalink: Some(format!("https://example.test/p/{id}")),
        hashtags: attribution.iter().map(|a| a.found.clone()).collect(),
        attribution,
    }
}

/// The connection id's credentials version (for disconnect requests).
pub async fn version(store: &dyn PostStore, id: ConnectionId) -> u64 {
    ok(store.get_connection(id).await, "get_connection")
        .map(|c| c.credentials_version)
        .unwrap_or(0)
}

/// Claims what is due at `at`, completes post `id` with `reading` and
/// `next`, and gives the other claims back: one scan written through the
/// store as the engine writes it. Panics when `id` is not due or the write
/// is not applied.
pub async fn scan(
    store: &dyn PostStore,
    id: PostId,
    at: Timestamp,
    reading: Metrics,
    next: NextScan,
) {
    let request = ClaimRequest {
        now: at,
        lease_until: at + TimeDelta::minutes(5),
        limit: 10_000,
    };
    let claims = ok(store.claim_due_posts(request).await, "claim");
    let token = claims
        .iter()
        .find(|c| c.post.id == id)
        .map(|c| c.token)
        .unwrap_or_else(|| panic!("{id} is not due at {at}"));
    let others = claims
        .iter()
        .filter(|c| c.post.id != id)
        .map(|c| Release {
            post: c.post.id,
            token: c.token,
        })
        .collect();
    ok(store.release_claims(others).await, "release");
    let completion = ScanCompletion {
        post: id,
        token,
        at,
        reading: ScanReading::Changed(reading),
        next,
    };
    let out = ok(store.complete_scans(vec![completion]).await, "complete");
    assert_eq!(out, [CompletionOutcome::Applied], "scan of {id} at {at}");
}
