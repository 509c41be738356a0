//! What a report reads: the posts with their readings at the range's ends,
//! and the as-of totals at each bucket boundary from the maintained aggregates.

use crate::PgStore;
use crate::aggregates::{BRAND, SCOPE, snapshot_from_parts, totals_from_text};
use crate::codec::{col, from_json, listers_from_row, platform, post_state};
use crate::error::db;
use socialsync_core::clock::Timestamp;
use socialsync_core::domain::{DeletedSpan, StatusInterval};
use socialsync_core::error::{StoreError, StoreResult};
use socialsync_core::ids::*;
use socialsync_core::metrics::{AggregateHour, CounterDelta};
use socialsync_core::report::{CounterTotals, ReportInputs, ReportPost, ReportQuery};
use std::collections::BTreeSet;

pub(crate) async fn report_inputs(s: &PgStore, q: ReportQuery) -> StoreResult<ReportInputs> {
    let mut tx = s.pool.begin().await.map_err(db)?;
    // One snapshot of the database for the whole read.
    sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        .execute(&mut *tx)
        .await
        .map_err(db)?;
    let brand: Option<i64> = sqlx::query_scalar("SELECT id FROM brands WHERE id = $1")
        .bind(q.brand.0)
        .fetch_optional(&mut *tx)
        .await
        .map_err(db)?;
    if brand.is_none() {
        return Err(StoreError::not_found("brand", q.brand));
    }
    let (kind, key) = match q.scope {
        Some(sc) => {
            let found: Option<i64> =
                sqlx::query_scalar("SELECT id FROM scopes WHERE id = $1 AND brand_id = $2")
                    .bind(sc.0)
                    .bind(q.brand.0)
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(db)?;
            if found.is_none() {
                return Err(StoreError::not_found("scope", sc));
            }
            (SCOPE, sc.0)
        }
        None => (BRAND, q.brand.0),
    };
    let rows = sqlx::query(
        "SELECT p.id, p.platform, p.platform_post_id, p.creator_id, p.connection_id, \
           p.permalink, p.published_at, p.anchored_at, p.monitor_until, sc.state, \
           ARRAY(SELECT d.from_at FROM post_deletions d WHERE d.post_id = p.id \
             ORDER BY d.from_at) AS deleted_from, \
           ARRAY(SELECT d.to_at FROM post_deletions d WHERE d.post_id = p.id \
             ORDER BY d.from_at) AS deleted_to, \
           p.scopes, \
           ARRAY(SELECT l.connection_id FROM post_listers l WHERE l.post_id = p.id \
             ORDER BY l.connection_id) AS lister_connections, \
           ARRAY(SELECT l.creator_id FROM post_listers l WHERE l.post_id = p.id \
             ORDER BY l.connection_id) AS lister_creators, \
           f.observed_at AS f_at, f.metrics AS f_metrics, f.carried AS f_carried, \
           t.observed_at AS t_at, t.metrics AS t_metrics, t.carried AS t_carried \
         FROM posts p JOIN schedule sc ON sc.post_id = p.id \
         LEFT JOIN LATERAL (SELECT observed_at, metrics, carried FROM snapshots \
           WHERE post_id = p.id AND observed_at < $3 ORDER BY observed_at DESC LIMIT 1) f ON true \
         LEFT JOIN LATERAL (SELECT observed_at, metrics, carried FROM snapshots \
           WHERE post_id = p.id AND observed_at < $4 ORDER BY observed_at DESC LIMIT 1) t ON true \
         WHERE CASE WHEN $1 = 1 THEN p.scopes @> ARRAY[$2::bigint] \
                    ELSE p.brands @> ARRAY[$2::bigint] END \
         ORDER BY p.id",
    )
    .bind(kind)
    .bind(key)
    .bind(q.from)
    .bind(q.to)
    .fetch_all(&mut *tx)
    .await
    .map_err(db)?;
    let mut posts = Vec::with_capacity(rows.len());
    let mut conns = BTreeSet::new();
    for r in &rows {
        let id = PostId(col(r, "id")?);
        let f_at: Option<Timestamp> = col(r, "f_at")?;
        let f = match f_at {
            Some(at) => {
                let m: Vec<Option<i64>> = col(r, "f_metrics")?;
                let c: Option<Vec<Option<i64>>> = col(r, "f_carried")?;
                Some(snapshot_from_parts(id, at, &m, c.as_deref())?)
            }
            None => None,
        };
        let t_at: Option<Timestamp> = col(r, "t_at")?;
        let t = match t_at {
            Some(at) => {
                let m: Vec<Option<i64>> = col(r, "t_metrics")?;
                let c: Option<Vec<Option<i64>>> = col(r, "t_carried")?;
                Some(snapshot_from_parts(id, at, &m, c.as_deref())?)
            }
            None => None,
        };
        let connection = ConnectionId(col(r, "connection_id")?);
        conns.insert(connection.0);
        posts.push(ReportPost {
            id,
            platform: platform(col(r, "platform")?)?,
            platform_post_id: PlatformPostId::new(col::<&str>(r, "platform_post_id")?),
            creator: CreatorId(col(r, "creator_id")?),
            connection,
            listers: listers_from_row(r, "lister_connections", "lister_creators")?,
            scopes: col::<Vec<i64>>(r, "scopes")?
                .into_iter()
                .map(ScopeId)
                .collect(),
            permalink: col(r, "permalink")?,
            published_at: col(r, "published_at")?,
            monitor_until: col(r, "monitor_until")?,
            deleted: {
                let from: Vec<Timestamp> = col(r, "deleted_from")?;
                let to: Vec<Option<Timestamp>> = col(r, "deleted_to")?;
                from.into_iter()
                    .zip(to)
                    .map(|(from, to)| DeletedSpan { from, to })
                    .collect()
            },
            anchored_at: col(r, "anchored_at")?,
            state: post_state(col(r, "state")?)?,
            at_from: f.map(|s| s.carried),
            at_to: t.as_ref().map(|s| s.carried),
            latest_before_to: t.map(|s| s.metrics),
        });
    }
    // Boundaries: the totals of hours strictly before each boundary. Hours
    // before `from` are summed by the server into one row. Totals are
    // `numeric`, exact at any size; they come as text and are read as i128.
    let from_hour = AggregateHour::of(q.from).0;
    let to_hour = AggregateHour::of(q.to).0;
    let agg = sqlx::query(
        "SELECT $3::bigint AS hour, ARRAY(SELECT sum(x)::text FROM aggregates a, \
           unnest(a.totals) WITH ORDINALITY AS u (x, i) \
           WHERE a.kind = $1 AND a.key = $2 AND a.hour < $3 GROUP BY i ORDER BY i) AS totals \
         UNION ALL \
         (SELECT hour, totals::text[] FROM aggregates WHERE kind = $1 AND key = $2 \
           AND hour >= $3 AND hour < $4 ORDER BY hour)",
    )
    .bind(kind)
    .bind(key)
    .bind(from_hour)
    .bind(to_hour)
    .fetch_all(&mut *tx)
    .await
    .map_err(db)?;
    let mut boundaries: Vec<(Timestamp, CounterTotals)> = q
        .boundaries()
        .map(|b| (b, CounterTotals::default()))
        .collect();
    let mut running = CounterDelta::default();
    let mut k = 0;
    for (n, r) in agg.iter().enumerate() {
        let h: i64 = col(r, "hour")?;
        let totals: Vec<String> = col(r, "totals")?;
        if n == 0 && totals.is_empty() {
            continue; // nothing before `from`
        }
        let d = totals_from_text(&totals)?;
        // The row summing hours before `from` counts for every boundary.
        let start = AggregateHour(h).start();
        while k < boundaries.len() && start >= boundaries[k].0 && n > 0 {
            boundaries[k].1 = running.0;
            k += 1;
        }
        running = running
            .checked_add(&d)
            .ok_or_else(|| crate::error::corrupt("aggregate totals beyond any sum of readings"))?;
    }
    while k < boundaries.len() {
        boundaries[k].1 = running.0;
        k += 1;
    }
    let conn_ids: Vec<i64> = conns.into_iter().collect();
    let hist = sqlx::query("SELECT id, history FROM connections WHERE id = ANY($1) ORDER BY id")
        .bind(&conn_ids)
        .fetch_all(&mut *tx)
        .await
        .map_err(db)?;
    let mut connection_history = Vec::with_capacity(hist.len());
    for r in &hist {
        let h: Vec<StatusInterval> = from_json(col(r, "history")?, "status history")?;
        connection_history.push((ConnectionId(col(r, "id")?), h));
    }
    tx.commit().await.map_err(db)?;
    Ok(ReportInputs {
        posts,
        boundaries,
        connection_history,
    })
}
