//! Posts: upserts by natural key, attribution and its state rules, listings.

use crate::PgStore;
use crate::aggregates::{AggregateChanges, contributions};
use crate::blocks::{self, Entry, Placement, SlotChange};
use crate::codec::{POST_COLUMNS, POST_TABLES, col, json, post_from_row, post_state, us};
use crate::error::db;
use crate::lifecycle::{self, FACT_COLUMNS};
use socialsync_core::clock::Timestamp;
use socialsync_core::domain::{
    Attribution, Due, Post, PostEvent, PostFacts, PostState, Transition, takes_over, transition,
};
use socialsync_core::error::{StoreError, StoreResult};
use socialsync_core::ids::*;
use socialsync_core::platform::Platform;
use socialsync_core::store::{PostFilter, PostUpsert, UpsertedPost};
use sqlx::PgConnection;
use std::collections::{BTreeSet, HashMap};

/// What the attribution rules need of a locked post.
#[derive(Debug, Clone)]
struct Locked {
    id: PostId,
    state: PostState,
    scopes: Vec<i64>,
    brands: Vec<i64>,
    monitor_until: Timestamp,
    connection: i64,
    anchored_at: Timestamp,
    creator: i64,
    kind: serde_json::Value,
}

fn sorted_unique(v: impl Iterator<Item = i64>) -> Vec<i64> {
    v.collect::<BTreeSet<_>>().into_iter().collect()
}

/// The attribution rules' answer for a post: its state and due time.
fn attributed(
    state: PostState,
    matched: bool,
    connection_active: bool,
    monitor_until: Timestamp,
    now: Timestamp,
) -> Transition {
    transition(
        PostFacts {
            state,
            monitor_until,
        },
        PostEvent::Attributed {
            matched,
            connection_active,
        },
        now,
    )
}

/// Moves a post's contributions between aggregates when its scopes or
/// brands change.
async fn move_contributions(
    tx: &mut PgConnection,
    post: &Locked,
    scopes: &[i64],
    brands: &[i64],
) -> StoreResult<()> {
    let gone_s: Vec<i64> = post
        .scopes
        .iter()
        .filter(|s| !scopes.contains(s))
        .copied()
        .collect();
    let came_s: Vec<i64> = scopes
        .iter()
        .filter(|s| !post.scopes.contains(s))
        .copied()
        .collect();
    let gone_b: Vec<i64> = post
        .brands
        .iter()
        .filter(|b| !brands.contains(b))
        .copied()
        .collect();
    let came_b: Vec<i64> = brands
        .iter()
        .filter(|b| !post.brands.contains(b))
        .copied()
        .collect();
    if gone_s.is_empty() && came_s.is_empty() && gone_b.is_empty() && came_b.is_empty() {
        return Ok(());
    }
    let mut changes = AggregateChanges::default();
    for (h, d) in contributions(tx, post.id).await? {
        changes.sub(&gone_s, &gone_b, h, &d);
        changes.add(&came_s, &came_b, h, &d);
    }
    changes.write(tx).await
}

/// A listing of a locked post by a connection: what it says, and whether
/// the listing connection is active.
struct Listing<'a> {
    upsert: &'a PostUpsert,
    lister_active: bool,
}

/// Replaces a locked post's attribution (and, for a listing, its texts and
/// listers, and its owner when the lister takes it over), applying the
/// state rules; returns the new state. `owner_active`: whether the post's
/// owner is active.
async fn apply(
    tx: &mut PgConnection,
    post: &mut Locked,
    attribution: Vec<Attribution>,
    listing: Option<Listing<'_>>,
    owner_active: bool,
    now: Timestamp,
) -> StoreResult<PostState> {
    let scopes = sorted_unique(attribution.iter().map(|a| a.scope.0));
    let brands = sorted_unique(attribution.iter().map(|a| a.brand.0));
    move_contributions(tx, post, &scopes, &brands).await?;
    let taken = listing.as_ref().is_some_and(|l| {
        takes_over(
            ConnectionId(post.connection),
            owner_active,
            l.upsert.connection,
            l.lister_active,
        )
    });
    let active = match &listing {
        Some(l) if taken => l.lister_active,
        _ => owner_active,
    };
    let mut change = attributed(
        post.state,
        !attribution.is_empty(),
        active,
        post.monitor_until,
        now,
    );
    if taken {
        change = change.then(post.monitor_until, PostEvent::ConnectionResumed, now);
    }
    let state = change.state;
    // What a claim hands out about the post (workers remember it, checked
    // against the revision in its block).
    let mut described = scopes != post.scopes || brands != post.brands;
    let attribution = json(&attribution)?;
    match listing {
        Some(Listing { upsert: p, .. }) => {
            let kind = json(&p.kind)?;
            // The owner stays unless taken over; its own listing refreshes
            // its creator.
            let (connection, creator) = if taken || p.connection.0 == post.connection {
                (p.connection.0, p.creator.0)
            } else {
                (post.connection, post.creator)
            };
            described |= creator != post.creator || kind != post.kind;
            sqlx::query(
                "INSERT INTO post_listers (post_id, connection_id, creator_id) \
                 VALUES ($1, $2, $3) ON CONFLICT (post_id, connection_id) DO UPDATE \
                 SET creator_id = EXCLUDED.creator_id \
                 WHERE post_listers.creator_id <> EXCLUDED.creator_id",
            )
            .bind(post.id.0)
            .bind(p.connection.0)
            .bind(p.creator.0)
            .execute(&mut *tx)
            .await
            .map_err(db)?;
            sqlx::query(
                "UPDATE posts SET connection_id = $2, creator_id = $3, kind = $4, title = $5, \
                 body = $6, keyword_tags = $7, permalink = $8, hashtags = $9, attribution = $10 \
                 WHERE id = $1",
            )
            .bind(post.id.0)
            .bind(connection)
            .bind(creator)
            .bind(&kind)
            .bind(&p.title)
            .bind(&p.text)
            .bind(json(&p.keyword_tags)?)
            .bind(&p.permalink)
            .bind(json(&p.hashtags)?)
            .bind(attribution)
            .execute(&mut *tx)
            .await
            .map_err(db)?;
            if post.connection != connection {
                blocks::move_post(
                    tx,
                    post.id.0,
                    connection,
                    blocks::phase_of(post.anchored_at),
                )
                .await?;
            }
            post.connection = connection;
            post.creator = creator;
            post.kind = kind;
        }
        None => {
            sqlx::query("UPDATE posts SET attribution = $2 WHERE id = $1")
                .bind(post.id.0)
                .bind(attribution)
                .execute(&mut *tx)
                .await
                .map_err(db)?;
        }
    }
    if state != post.state || change.due != Due::Keep || described {
        blocks::change(
            tx,
            &[SlotChange {
                post: post.id.0,
                live: change.is_scheduled(),
                next: lifecycle::slot_due(change.due),
                bump: described,
            }],
        )
        .await?;
    }
    if state != post.state {
        sqlx::query("UPDATE schedule SET state = $2 WHERE post_id = $1")
            .bind(post.id.0)
            .bind(state.as_str())
            .execute(&mut *tx)
            .await
            .map_err(db)?;
    }
    if post.state == PostState::Deleted
        && matches!(state, PostState::Monitoring | PostState::Paused)
    {
        lifecycle::close_deletions(tx, &[post.id.0], now).await?;
    }
    post.state = state;
    post.scopes = scopes;
    post.brands = brands;
    Ok(state)
}

fn locked_from_row(r: &sqlx::postgres::PgRow) -> StoreResult<Locked> {
    Ok(Locked {
        id: PostId(col(r, "id")?),
        state: post_state(col(r, "state")?)?,
        scopes: col(r, "scopes")?,
        brands: col(r, "brands")?,
        monitor_until: col(r, "monitor_until")?,
        connection: col(r, "connection_id")?,
        anchored_at: col(r, "anchored_at")?,
        creator: col(r, "creator_id")?,
        kind: col(r, "kind")?,
    })
}

const LOCKED_COLUMNS: &str = "p.id, p.platform, p.platform_post_id, s.state, p.scopes, p.brands, \
    p.monitor_until, p.connection_id, p.anchored_at, p.creator_id, p.kind, s.block_id";

/// Locks the blocks of locked posts, then reads their states afresh: a
/// state changes only under its block's lock (posts, then blocks, then
/// schedule rows: the one lock order).
async fn lock_blocks_of(tx: &mut PgConnection, rows: &[sqlx::postgres::PgRow]) -> StoreResult<()> {
    let ids: Vec<i64> = rows
        .iter()
        .map(|r| col::<Option<i64>>(r, "block_id"))
        .collect::<StoreResult<Vec<_>>>()?
        .into_iter()
        .flatten()
        .collect();
    blocks::lock(tx, &ids).await?;
    Ok(())
}

/// The states of posts, read now.
async fn states(tx: &mut PgConnection, ids: &[i64]) -> StoreResult<HashMap<i64, PostState>> {
    let rows = sqlx::query("SELECT post_id, state FROM schedule WHERE post_id = ANY($1)")
        .bind(ids)
        .fetch_all(&mut *tx)
        .await
        .map_err(db)?;
    rows.iter()
        .map(|r| Ok((col(r, "post_id")?, post_state(col(r, "state")?)?)))
        .collect()
}

/// Locks the posts with these natural keys, in id order.
async fn lock_by_keys(
    tx: &mut PgConnection,
    keys: &[(Platform, PlatformPostId)],
) -> StoreResult<HashMap<(String, String), Locked>> {
    let platforms: Vec<&str> = keys.iter().map(|k| k.0.as_str()).collect();
    let ids: Vec<&str> = keys.iter().map(|k| k.1.as_str()).collect();
    let sql = format!(
        "SELECT {LOCKED_COLUMNS} FROM {POST_TABLES} WHERE (p.platform, p.platform_post_id) IN \
         (SELECT * FROM unnest($1::text[], $2::text[])) ORDER BY p.id FOR UPDATE OF p"
    );
    let rows = sqlx::query(&sql)
        .bind(&platforms)
        .bind(&ids)
        .fetch_all(&mut *tx)
        .await
        .map_err(db)?;
    lock_blocks_of(tx, &rows).await?;
    let ids: Vec<i64> = rows
        .iter()
        .map(|r| col(r, "id"))
        .collect::<StoreResult<_>>()?;
    let now = states(tx, &ids).await?;
    let mut out = HashMap::with_capacity(rows.len());
    for r in &rows {
        let key = (col::<String>(r, "platform")?, col(r, "platform_post_id")?);
        let mut locked = locked_from_row(r)?;
        if let Some(state) = now.get(&locked.id.0) {
            locked.state = *state;
        }
        out.insert(key, locked);
    }
    Ok(out)
}

pub(crate) async fn upsert_posts(
    s: &PgStore,
    posts: Vec<PostUpsert>,
    now: Timestamp,
) -> StoreResult<Vec<UpsertedPost>> {
    if posts.is_empty() {
        return Ok(Vec::new());
    }
    let mut tx = s.pool.begin().await.map_err(db)?;
    // Check everything first, so a refused batch changes nothing.
    let conn_ids: Vec<i64> = sorted_unique(posts.iter().map(|p| p.connection.0));
    let rows = sqlx::query("SELECT id, platform, status_kind FROM connections WHERE id = ANY($1)")
        .bind(&conn_ids)
        .fetch_all(&mut *tx)
        .await
        .map_err(db)?;
    let mut conns: HashMap<i64, (String, bool)> = HashMap::new();
    for r in &rows {
        let kind: String = col(r, "status_kind")?;
        conns.insert(col(r, "id")?, (col(r, "platform")?, kind == "active"));
    }
    for p in &posts {
        let (platform, _) = conns
            .get(&p.connection.0)
            .ok_or_else(|| StoreError::not_found("connection", p.connection))?;
        if platform != p.platform.as_str() {
            return Err(StoreError::InvalidInput(format!(
                "{} is a {platform} connection, not {}",
                p.connection, p.platform
            )));
        }
    }
    let keys: Vec<(Platform, PlatformPostId)> = posts
        .iter()
        .map(|p| (p.platform, p.platform_post_id.clone()))
        .collect();
    let mut locked = lock_by_keys(&mut tx, &keys).await?;
    // New posts, first occurrence of each key, in one insert.
    let mut fresh: Vec<usize> = Vec::new();
    let mut seen: BTreeSet<(String, String)> = BTreeSet::new();
    for (i, p) in posts.iter().enumerate() {
        let key = (
            p.platform.as_str().to_owned(),
            p.platform_post_id.as_str().to_owned(),
        );
        if !locked.contains_key(&key) && seen.insert(key) {
            fresh.push(i);
        }
    }
    let mut created: HashMap<(String, String), PostId> = HashMap::new();
    // The state each new post starts in, by its index in `posts`.
    let mut starts: HashMap<usize, PostState> = HashMap::with_capacity(fresh.len());
    if !fresh.is_empty() {
        let mut a = InsertArrays::default();
        for &i in &fresh {
            let p = &posts[i];
            let active = conns.get(&p.connection.0).is_some_and(|c| c.1);
            let t = attributed(
                PostState::Seen,
                !p.attribution.is_empty(),
                active,
                p.monitor_until,
                now,
            );
            starts.insert(i, t.state);
            a.push(p, t.state, t.due.apply(None))?;
        }
        let rows = sqlx::query(
            "WITH input AS (SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], \
               $4::bigint[], $5::timestamptz[], $6::timestamptz[], $7::timestamptz[], $8::text[], \
               $9::jsonb[], $10::text[], $11::text[], $12::jsonb[], $13::text[], $14::jsonb[], \
               $15::jsonb[], $17::timestamptz[]) AS u (platform, ppid, conn, creator, published, \
               monitor_until, due, state, kind, title, body, keyword_tags, permalink, hashtags, \
               attribution, anchored)), \
             ins AS (INSERT INTO posts (platform, platform_post_id, connection_id, creator_id, \
               published_at, anchored_at, monitor_until, kind, title, body, keyword_tags, \
               permalink, hashtags, attribution, first_seen_at) \
               SELECT platform, ppid, conn, creator, published, anchored, monitor_until, kind, \
                 title, body, keyword_tags, permalink, hashtags, attribution, $16 FROM input \
               ON CONFLICT (platform, platform_post_id) DO NOTHING \
               RETURNING id, platform, platform_post_id), \
             sch AS (INSERT INTO schedule (post_id, state) \
               SELECT ins.id, input.state FROM ins JOIN input \
                 ON input.platform = ins.platform AND input.ppid = ins.platform_post_id), \
             lis AS (INSERT INTO post_listers (post_id, connection_id, creator_id) \
               SELECT ins.id, input.conn, input.creator FROM ins JOIN input \
                 ON input.platform = ins.platform AND input.ppid = ins.platform_post_id) \
             SELECT id, platform, platform_post_id FROM ins",
        )
        .bind(&a.platform)
        .bind(&a.post_id)
        .bind(&a.connection)
        .bind(&a.creator)
        .bind(&a.published_at)
        .bind(&a.monitor_until)
        .bind(&a.next_scan_at)
        .bind(&a.state)
        .bind(&a.kind)
        .bind(&a.title)
        .bind(&a.text)
        .bind(&a.keyword_tags)
        .bind(&a.permalink)
        .bind(&a.hashtags)
        .bind(&a.attribution)
        .bind(now)
        .bind(&a.anchored_at)
        .fetch_all(&mut *tx)
        .await
        .map_err(db)?;
        for r in &rows {
            created.insert(
                (col(r, "platform")?, col(r, "platform_post_id")?),
                PostId(col(r, "id")?),
            );
        }
        let placements: Vec<Placement> = fresh
            .iter()
            .zip(a.state.iter().zip(&a.next_scan_at))
            .filter_map(|(&i, (state, due))| {
                let p = &posts[i];
                let key = (
                    p.platform.as_str().to_owned(),
                    p.platform_post_id.as_str().to_owned(),
                );
                created.get(&key).map(|id| Placement {
                    post: id.0,
                    connection: p.connection.0,
                    phase: blocks::phase_of(p.anchored_at),
                    entry: Entry::new(*state == PostState::Monitoring.as_str(), due.map(us)),
                })
            })
            .collect();
        blocks::place(&mut tx, &placements).await?;
        if created.len() < fresh.len() {
            // Someone else inserted some of them meanwhile: update those.
            let lost: Vec<(Platform, PlatformPostId)> = fresh
                .iter()
                .map(|&i| &keys[i])
                .filter(|k| !created.contains_key(&(k.0.as_str().into(), k.1.as_str().into())))
                .cloned()
                .collect();
            locked.extend(lock_by_keys(&mut tx, &lost).await?);
        }
    }
    let mut out = Vec::with_capacity(posts.len());
    let mut reported: BTreeSet<PostId> = BTreeSet::new();
    for (i, p) in posts.into_iter().enumerate() {
        let key = (
            p.platform.as_str().to_owned(),
            p.platform_post_id.as_str().to_owned(),
        );
        if let Some(id) = created.get(&key) {
            if reported.insert(*id) {
                // The first occurrence of a key made it: one of `fresh`.
                let state = starts.get(&i).copied().ok_or_else(|| {
                    StoreError::Corrupt(format!("post {} made without a state", key.1))
                })?;
                out.push(UpsertedPost {
                    id: *id,
                    created: true,
                    previous_state: None,
                    state,
                });
                continue;
            }
            // A second occurrence in one batch: an update of the row just made.
            let sql = format!(
                "SELECT {LOCKED_COLUMNS} FROM {POST_TABLES} WHERE p.id = $1 FOR UPDATE OF p"
            );
            let row = sqlx::query(&sql)
                .bind(id.0)
                .fetch_one(&mut *tx)
                .await
                .map_err(db)?;
            locked.insert(key.clone(), locked_from_row(&row)?);
            created.remove(&key);
        }
        let post = locked
            .get_mut(&key)
            .ok_or_else(|| StoreError::Corrupt(format!("post {} vanished", key.1)))?;
        let previous = post.state;
        let lister_active = conns.get(&p.connection.0).is_some_and(|c| c.1);
        let owner_active = match conns.get(&post.connection) {
            Some(c) => c.1,
            None => {
                let active = connection_active(&mut tx, post.connection).await?;
                conns.insert(post.connection, (String::new(), active));
                active
            }
        };
        let attribution = p.attribution.clone();
        let listing = Listing {
            upsert: &p,
            lister_active,
        };
        let state = apply(&mut tx, post, attribution, Some(listing), owner_active, now).await?;
        out.push(UpsertedPost {
            id: post.id,
            created: false,
            previous_state: Some(previous),
            state,
        });
    }
    tx.commit().await.map_err(db)?;
    Ok(out)
}

/// Column arrays for a bulk insert of new posts.
#[derive(Default)]
struct InsertArrays {
    platform: Vec<&'static str>,
    post_id: Vec<String>,
    connection: Vec<i64>,
    creator: Vec<i64>,
    published_at: Vec<Timestamp>,
    anchored_at: Vec<Timestamp>,
    monitor_until: Vec<Timestamp>,
    next_scan_at: Vec<Option<Timestamp>>,
    state: Vec<&'static str>,
    kind: Vec<serde_json::Value>,
    title: Vec<Option<String>>,
    text: Vec<String>,
    keyword_tags: Vec<serde_json::Value>,
    permalink: Vec<Option<String>>,
    hashtags: Vec<serde_json::Value>,
    attribution: Vec<serde_json::Value>,
}

impl InsertArrays {
    fn push(
        &mut self,
        p: &PostUpsert,
        state: PostState,
        due: Option<Timestamp>,
    ) -> StoreResult<()> {
        self.platform.push(p.platform.as_str());
        self.post_id.push(p.platform_post_id.as_str().to_owned());
        self.connection.push(p.connection.0);
        self.creator.push(p.creator.0);
        self.published_at.push(p.published_at);
        self.anchored_at.push(p.anchored_at);
        self.monitor_until.push(p.monitor_until);
        self.next_scan_at.push(due);
        self.state.push(state.as_str());
        self.kind.push(json(&p.kind)?);
        self.title.push(p.title.clone());
        self.text.push(p.text.clone());
        self.keyword_tags.push(json(&p.keyword_tags)?);
        self.permalink.push(p.permalink.clone());
        self.hashtags.push(json(&p.hashtags)?);
        self.attribution.push(json(&p.attribution)?);
        Ok(())
    }
}

pub(crate) async fn set_attribution(
    s: &PgStore,
    post: PostId,
    attribution: Vec<Attribution>,
    now: Timestamp,
) -> StoreResult<PostState> {
    let mut tx = s.pool.begin().await.map_err(db)?;
    let sql = format!("SELECT {LOCKED_COLUMNS} FROM {POST_TABLES} WHERE p.id = $1 FOR UPDATE OF p");
    let row = sqlx::query(&sql)
        .bind(post.0)
        .fetch_optional(&mut *tx)
        .await
        .map_err(db)?
        .ok_or_else(|| StoreError::not_found("post", post))?;
    lock_blocks_of(&mut tx, std::slice::from_ref(&row)).await?;
    let mut locked = locked_from_row(&row)?;
    if let Some(state) = states(&mut tx, &[post.0]).await?.get(&post.0) {
        locked.state = *state;
    }
    let active = connection_active(&mut tx, locked.connection).await?;
    let state = apply(&mut tx, &mut locked, attribution, None, active, now).await?;
    tx.commit().await.map_err(db)?;
    Ok(state)
}

/// Whether a connection is active (an unknown one is not).
async fn connection_active(tx: &mut PgConnection, id: i64) -> StoreResult<bool> {
    Ok(
        sqlx::query_scalar("SELECT status_kind = 'active' FROM connections WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await
            .map_err(db)?
            .unwrap_or(false),
    )
}

pub(crate) async fn get_post(s: &PgStore, id: PostId) -> StoreResult<Option<Post>> {
    let sql = format!("SELECT {POST_COLUMNS} FROM {POST_TABLES} WHERE p.id = $1");
    let row = sqlx::query(&sql)
        .bind(id.0)
        .fetch_optional(&s.pool)
        .await
        .map_err(db)?;
    row.as_ref().map(post_from_row).transpose()
}

pub(crate) async fn get_post_by_key(
    s: &PgStore,
    platform: Platform,
    id: &PlatformPostId,
) -> StoreResult<Option<Post>> {
    let sql = format!(
        "SELECT {POST_COLUMNS} FROM {POST_TABLES} WHERE p.platform = $1 AND p.platform_post_id = $2"
    );
    let row = sqlx::query(&sql)
        .bind(platform.as_str())
        .bind(id.as_str())
        .fetch_optional(&s.pool)
        .await
        .map_err(db)?;
    row.as_ref().map(post_from_row).transpose()
}

pub(crate) async fn list_posts(s: &PgStore, f: PostFilter) -> StoreResult<Vec<Post>> {
    if f.scope.is_some() && f.brand.is_none() {
        return Ok(Vec::new());
    }
    let states: Option<Vec<&str>> = f
        .states
        .as_ref()
        .map(|v| v.iter().map(|s| s.as_str()).collect());
    let sql = format!(
        "SELECT {POST_COLUMNS} FROM {POST_TABLES} \
         WHERE ($1::bigint IS NULL OR p.connection_id = $1) \
           AND ($2::bigint IS NULL OR p.creator_id = $2) \
           AND ($3::bigint IS NULL OR p.brands @> ARRAY[$3::bigint]) \
           AND ($4::bigint IS NULL OR (p.scopes @> ARRAY[$4::bigint] AND EXISTS \
                (SELECT 1 FROM scopes sc WHERE sc.id = $4 AND sc.brand_id = $3))) \
           AND ($5::text[] IS NULL OR s.state = ANY($5)) \
           AND ($6::timestamptz IS NULL OR p.monitor_until > $6) \
           AND ($7::bigint IS NULL OR EXISTS (SELECT 1 FROM post_listers l \
                WHERE l.post_id = p.id AND l.connection_id = $7)) \
           AND ($8::text IS NULL OR (p.platform = $8 AND p.platform_post_id = ANY($9))) \
         ORDER BY p.id"
    );
    let (key_platform, key_ids): (Option<&str>, Vec<&str>) = match &f.keys {
        Some((platform, ids)) => (
            Some(platform.as_str()),
            ids.iter().map(|id| id.as_str()).collect(),
        ),
        None => (None, Vec::new()),
    };
    let rows = sqlx::query(&sql)
        .bind(f.connection.map(|c| c.0))
        .bind(f.creator.map(|c| c.0))
        .bind(f.brand.map(|b| b.0))
        .bind(f.scope.map(|s| s.0))
        .bind(states)
        .bind(f.monitor_until_after)
        .bind(f.lister.map(|c| c.0))
        .bind(key_platform)
        .bind(&key_ids)
        .fetch_all(&s.pool)
        .await
        .map_err(db)?;
    rows.iter().map(post_from_row).collect()
}

pub(crate) async fn expire_paused_posts(s: &PgStore, now: Timestamp) -> StoreResult<u64> {
    let states = lifecycle::acted_on(PostEvent::PausedSwept);
    let mut tx = s.pool.begin().await.map_err(db)?;
    // Their blocks first, then their schedule rows: the one lock order.
    let ids: Vec<i64> = sqlx::query_scalar(
        "SELECT DISTINCT s.block_id FROM schedule s JOIN posts p ON p.id = s.post_id \
         WHERE s.state = ANY($2) AND p.monitor_until < $1 AND s.block_id IS NOT NULL",
    )
    .bind(now)
    .bind(&states)
    .fetch_all(&mut *tx)
    .await
    .map_err(db)?;
    blocks::lock(&mut tx, &ids).await?;
    // Candidates only (the core decides): posts the sweep acts on whose
    // window is over.
    let sql = format!(
        "SELECT {FACT_COLUMNS} FROM schedule s JOIN posts p ON p.id = s.post_id \
         WHERE s.state = ANY($3) AND p.monitor_until < $1 AND s.block_id = ANY($2)"
    );
    let rows = sqlx::query(&sql)
        .bind(now)
        .bind(&ids)
        .bind(&states)
        .fetch_all(&mut *tx)
        .await
        .map_err(db)?;
    let changed = lifecycle::apply_rows(&mut tx, &rows, PostEvent::PausedSwept, now).await?;
    let expired = changed
        .iter()
        .filter(|c| c.after.state == PostState::Expired)
        .count();
    tx.commit().await.map_err(db)?;
    Ok(expired as u64)
}
