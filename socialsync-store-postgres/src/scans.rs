//! Claims, completions and snapshots: set-based, fenced by lease tokens.

use crate::PgStore;
use crate::aggregates::{AggregateChanges, hour_of, snapshot_from_parts};
use crate::codec::{
    array_literal, col, metrics_from_column, metrics_to_column, platform, token_from_uuid,
    token_to_uuid,
};
use crate::error::db;
use socialsync_core::clock::{Timestamp, truncate_to_micros as micros};
use socialsync_core::domain::{MediaKind, Snapshot};
use socialsync_core::error::{StoreError, StoreResult};
use socialsync_core::ids::*;
use socialsync_core::metrics::{CounterDelta, Metrics};
use socialsync_core::store::*;
use std::collections::HashMap;
use std::sync::Arc;
use uuid::Uuid;

/// The claim: one statement. Due monitoring posts (partial index
/// `schedule_due`) of callable connections, oldest due first, skipping rows
/// other claimers hold locked, each given a fresh lease token. The locked
/// rows are updated through their row ids (`ctid`, stable while locked), so
/// each post and schedule row is looked up once.
pub const CLAIM_SQL: &str = "\
WITH due AS ( \
  SELECT s.ctid AS tid, p.id, p.platform, p.platform_post_id, p.connection_id, p.creator_id, \
    p.kind, p.published_at, p.monitor_until, p.brands, p.scopes \
  FROM schedule s JOIN posts p ON p.id = s.post_id \
  WHERE s.state = 'monitoring' AND s.next_scan_at <= $1 \
    AND (s.lease_until IS NULL OR s.lease_until <= $1) \
    AND EXISTS (SELECT 1 FROM connections c WHERE c.id = p.connection_id \
      AND c.status_kind = 'active' AND (c.backoff_until IS NULL OR c.backoff_until <= $1)) \
    AND NOT EXISTS (SELECT 1 FROM platform_backoff b WHERE b.platform = p.platform AND b.until > $1) \
  ORDER BY s.next_scan_at, s.post_id LIMIT $3 \
  FOR UPDATE OF s SKIP LOCKED) \
UPDATE schedule s SET lease_token = gen_random_uuid(), lease_until = $2 \
FROM due WHERE s.ctid = due.tid \
RETURNING due.id, s.lease_token, due.platform, due.platform_post_id, due.connection_id, \
  due.creator_id, due.kind, due.published_at, due.monitor_until, s.next_scan_at, \
  s.latest_metrics, due.brands, due.scopes";

pub(crate) async fn claim_due_posts(
    s: &PgStore,
    req: ClaimRequest,
) -> StoreResult<Vec<ClaimedPost>> {
    if req.limit == 0 {
        return Ok(Vec::new());
    }
    let rows = sqlx::query(CLAIM_SQL)
        .bind(micros(req.now))
        .bind(micros(req.lease_until))
        .bind(i64::try_from(req.limit).unwrap_or(i64::MAX))
        .fetch_all(&s.pool)
        .await
        .map_err(db)?;
    let mut out = Vec::with_capacity(rows.len());
    // Platform ids and kinds repeat: decode each once.
    let mut kinds: HashMap<String, MediaKind> = HashMap::new();
    for r in &rows {
        let latest: Option<Vec<Option<i64>>> = col(r, "latest_metrics")?;
        let brands: Vec<i64> = col(r, "brands")?;
        let scopes: Vec<i64> = col(r, "scopes")?;
        let kind_json: serde_json::Value = col(r, "kind")?;
        let kind_key = kind_json.to_string();
        let kind = match kinds.get(&kind_key) {
            Some(k) => *k,
            None => {
                let k: MediaKind = crate::codec::from_json(kind_json, "media kind")?;
                kinds.insert(kind_key, k);
                k
            }
        };
        let token: Uuid = col(r, "lease_token")?;
        out.push(ClaimedPost {
            token: token_from_uuid(token),
            post: DuePost {
                id: PostId(col(r, "id")?),
                platform: platform(col(r, "platform")?)?,
                platform_post_id: PlatformPostId::new(col::<&str>(r, "platform_post_id")?),
                connection: ConnectionId(col(r, "connection_id")?),
                creator: CreatorId(col(r, "creator_id")?),
                kind,
                published_at: col(r, "published_at")?,
                monitor_until: col(r, "monitor_until")?,
                next_scan_at: col(r, "next_scan_at")?,
                latest: latest.as_deref().map(metrics_from_column).transpose()?,
                brands: brands.into_iter().map(BrandId).collect::<Arc<[_]>>(),
                scopes: scopes.into_iter().map(ScopeId).collect::<Arc<[_]>>(),
            },
        });
    }
    out.sort_by_key(|c| (c.post.next_scan_at, c.post.id));
    Ok(out)
}

/// A locked post as a completion sees it.
struct Fenced {
    /// The row id of the locked schedule row (stable while locked).
    tid: String,
    lease: Option<Uuid>,
    last_applied: Option<Uuid>,
    latest_at: Option<Timestamp>,
    latest_carried: Metrics,
    scopes: Vec<i64>,
    brands: Vec<i64>,
}

/// Column arrays of the post updates of one batch.
#[derive(Default)]
struct PostUpdates {
    tid: Vec<String>,
    id: Vec<i64>,
    token: Vec<Uuid>,
    at: Vec<Timestamp>,
    next: Vec<Option<Timestamp>>,
    final_state: Vec<Option<&'static str>>,
    latest: Vec<Option<String>>,
    carried: Vec<Option<String>>,
}

/// Column arrays of the snapshots of one batch.
#[derive(Default)]
struct SnapshotRows {
    post: Vec<i64>,
    at: Vec<Timestamp>,
    metrics: Vec<String>,
    carried: Vec<Option<String>>,
}

pub(crate) async fn complete_scans(
    s: &PgStore,
    completions: Vec<ScanCompletion>,
) -> StoreResult<Vec<CompletionOutcome>> {
    if completions.is_empty() {
        return Ok(Vec::new());
    }
    let mut ids: Vec<i64> = completions.iter().map(|c| c.post.0).collect();
    ids.sort_unstable();
    ids.dedup();
    let mut tx = s.pool.begin().await.map_err(db)?;
    // The scopes and brands of a post matter only when it has a reading.
    let mut read: Vec<i64> = completions
        .iter()
        .filter(|c| c.reading.is_some())
        .map(|c| c.post.0)
        .collect();
    read.sort_unstable();
    read.dedup();
    let rows = sqlx::query(
        "SELECT s.ctid::text AS tid, s.post_id AS id, s.lease_token, s.last_applied, s.latest_at, \
         s.latest_metrics, s.latest_carried, p.scopes, p.brands \
         FROM schedule s LEFT JOIN posts p ON p.id = s.post_id AND p.id = ANY($2) \
         WHERE s.post_id = ANY($1) ORDER BY s.post_id FOR UPDATE OF s",
    )
    .bind(&ids)
    .bind(&read)
    .fetch_all(&mut *tx)
    .await
    .map_err(db)?;
    let mut posts: HashMap<i64, Fenced> = HashMap::with_capacity(rows.len());
    for r in &rows {
        let latest: Option<Vec<Option<i64>>> = col(r, "latest_metrics")?;
        let carried: Option<Vec<Option<i64>>> = col(r, "latest_carried")?;
        let latest_carried = match (carried, latest) {
            (Some(c), _) => metrics_from_column(&c)?,
            (None, Some(m)) => metrics_from_column(&m)?,
            (None, None) => Metrics::new(),
        };
        posts.insert(
            col(r, "id")?,
            Fenced {
                tid: col(r, "tid")?,
                lease: col(r, "lease_token")?,
                last_applied: col(r, "last_applied")?,
                latest_at: col(r, "latest_at")?,
                latest_carried,
                scopes: col::<Option<Vec<i64>>>(r, "scopes")?.unwrap_or_default(),
                brands: col::<Option<Vec<i64>>>(r, "brands")?.unwrap_or_default(),
            },
        );
    }
    let mut outcomes = Vec::with_capacity(completions.len());
    let mut updates = PostUpdates::default();
    let mut snaps = SnapshotRows::default();
    let mut aggregates = AggregateChanges::default();
    for c in completions {
        let token = token_to_uuid(c.token);
        let Some(p) = posts.get_mut(&c.post.0) else {
            outcomes.push(CompletionOutcome::LeaseLost);
            continue;
        };
        if p.lease != Some(token) {
            outcomes.push(if p.last_applied == Some(token) {
                CompletionOutcome::AlreadyApplied
            } else {
                CompletionOutcome::LeaseLost
            });
            continue;
        }
        p.lease = None;
        p.last_applied = Some(token);
        let at = micros(c.at);
        let (mut latest, mut latest_carried) = (None, None);
        if let Some(reading) = c.reading {
            if p.latest_at.is_none_or(|l| l < at) {
                let carried = reading.carried_over(&p.latest_carried);
                let delta = CounterDelta::between(&p.latest_carried, &carried);
                let m = array_literal(&metrics_to_column(&reading)?);
                // `carried` is stored only where it differs from the reading,
                // in the snapshot and beside the schedule alike.
                let k = if carried == reading {
                    None
                } else {
                    Some(array_literal(&metrics_to_column(&carried)?))
                };
                snaps.post.push(c.post.0);
                snaps.at.push(at);
                snaps.metrics.push(m.clone());
                snaps.carried.push(k.clone());
                latest = Some(m);
                latest_carried = k;
                p.latest_at = Some(at);
                p.latest_carried = carried;
                if !delta.is_zero() {
                    aggregates.add(&p.scopes, &p.brands, hour_of(at), &delta);
                }
            }
        }
        let (next, final_state) = match c.next {
            NextScan::At(t) => (Some(micros(t)), None),
            NextScan::Expire => (None, Some("expired")),
            NextScan::Delete => (None, Some("deleted")),
        };
        updates.tid.push(p.tid.clone());
        updates.id.push(c.post.0);
        updates.token.push(token);
        updates.at.push(at);
        updates.next.push(next);
        updates.final_state.push(final_state);
        updates.latest.push(latest);
        updates.carried.push(latest_carried);
        outcomes.push(CompletionOutcome::Applied);
    }
    if !updates.id.is_empty() {
        // Snapshots, aggregates and the schedule in one statement; the
        // schedule rows through the row ids read under the lock.
        let (kinds, keys, hours, totals) = aggregates.into_arrays();
        sqlx::query(
            "WITH snaps AS ( \
               INSERT INTO snapshots (post_id, observed_at, metrics, carried) \
               SELECT u.p, u.t, u.m::bigint[], u.c::bigint[] \
               FROM unnest($5::bigint[], $6::timestamptz[], $7::text[], $8::text[]) AS u (p, t, m, c) \
               ON CONFLICT (post_id, observed_at) DO NOTHING), \
             aggs AS ( \
               INSERT INTO aggregates (kind, key, hour, totals) \
               SELECT a.k, a.key, a.h, a.t::bigint[] \
               FROM unnest($1::smallint[], $2::bigint[], $3::bigint[], $4::text[]) \
                 WITH ORDINALITY AS a (k, key, h, t, i) ORDER BY a.i \
               ON CONFLICT (kind, key, hour) \
               DO UPDATE SET totals = add_totals(aggregates.totals, excluded.totals)) \
             UPDATE schedule p SET lease_token = NULL, lease_until = NULL, last_applied = u.token, \
               scan_count = p.scan_count + 1, last_scanned_at = u.at, \
               next_scan_at = u.next, state = COALESCE(u.final_state, p.state), \
               latest_at = CASE WHEN u.latest IS NULL THEN p.latest_at ELSE u.at END, \
               latest_metrics = COALESCE(u.latest::bigint[], p.latest_metrics), \
               latest_carried = CASE WHEN u.latest IS NULL THEN p.latest_carried \
                 ELSE u.carried::bigint[] END \
             FROM unnest($9::bigint[], $10::uuid[], $11::timestamptz[], $12::timestamptz[], \
               $13::text[], $14::text[], $15::text[], $16::text[]) \
               AS u (id, token, at, next, final_state, latest, carried, tid) \
             WHERE p.ctid = u.tid::tid AND p.post_id = u.id",
        )
        .bind(&kinds)
        .bind(&keys)
        .bind(&hours)
        .bind(&totals)
        .bind(&snaps.post)
        .bind(&snaps.at)
        .bind(&snaps.metrics)
        .bind(&snaps.carried)
        .bind(&updates.id)
        .bind(&updates.token)
        .bind(&updates.at)
        .bind(&updates.next)
        .bind(&updates.final_state)
        .bind(&updates.latest)
        .bind(&updates.carried)
        .bind(&updates.tid)
        .execute(&mut *tx)
        .await
        .map_err(db)?;
    }
    tx.commit().await.map_err(db)?;
    Ok(outcomes)
}

pub(crate) async fn release_claims(s: &PgStore, releases: Vec<Release>) -> StoreResult<()> {
    if releases.is_empty() {
        return Ok(());
    }
    let ids: Vec<i64> = releases.iter().map(|r| r.post.0).collect();
    let tokens: Vec<Uuid> = releases.iter().map(|r| token_to_uuid(r.token)).collect();
    sqlx::query(
        "UPDATE schedule s SET lease_token = NULL, lease_until = NULL \
         FROM unnest($1::bigint[], $2::uuid[]) AS u (id, token) \
         WHERE s.post_id = u.id AND s.lease_token = u.token",
    )
    .bind(&ids)
    .bind(&tokens)
    .execute(&s.pool)
    .await
    .map_err(db)?;
    Ok(())
}

async fn require_post(s: &PgStore, post: PostId) -> StoreResult<()> {
    let found: Option<i64> = sqlx::query_scalar("SELECT id FROM posts WHERE id = $1")
        .bind(post.0)
        .fetch_optional(&s.pool)
        .await
        .map_err(db)?;
    match found {
        Some(_) => Ok(()),
        None => Err(StoreError::not_found("post", post)),
    }
}

fn snapshot_from_row(post: PostId, r: &sqlx::postgres::PgRow) -> StoreResult<Snapshot> {
    let metrics: Vec<Option<i64>> = col(r, "metrics")?;
    let carried: Option<Vec<Option<i64>>> = col(r, "carried")?;
    snapshot_from_parts(post, col(r, "observed_at")?, &metrics, carried.as_deref())
}

pub(crate) async fn list_snapshots(
    s: &PgStore,
    post: PostId,
    from: Timestamp,
    to: Timestamp,
) -> StoreResult<Vec<Snapshot>> {
    let rows = sqlx::query(
        "SELECT observed_at, metrics, carried FROM snapshots \
         WHERE post_id = $1 AND observed_at >= $2 AND observed_at < $3 ORDER BY observed_at",
    )
    .bind(post.0)
    .bind(from)
    .bind(to)
    .fetch_all(&s.pool)
    .await
    .map_err(db)?;
    if rows.is_empty() {
        require_post(s, post).await?;
    }
    rows.iter().map(|r| snapshot_from_row(post, r)).collect()
}

pub(crate) async fn latest_snapshot(s: &PgStore, post: PostId) -> StoreResult<Option<Snapshot>> {
    let row = sqlx::query(
        "SELECT observed_at, metrics, carried FROM snapshots WHERE post_id = $1 \
         ORDER BY observed_at DESC LIMIT 1",
    )
    .bind(post.0)
    .fetch_optional(&s.pool)
    .await
    .map_err(db)?;
    match row {
        Some(r) => Ok(Some(snapshot_from_row(post, &r)?)),
        None => {
            require_post(s, post).await?;
            Ok(None)
        }
    }
}
