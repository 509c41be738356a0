//! Connections: opening, disconnection and hand-over, reset, health,
//! backoffs and the discovery lease.

use crate::PgStore;
use crate::blocks;
use crate::codec::{
    CONNECTION_COLUMNS, col, connection_from_row, from_json, json, platform, token_from_uuid,
    token_to_uuid, u64_param,
};
use crate::crypto::credentials_context;
use crate::error::{corrupt, db};
use crate::lifecycle;
use socialsync_core::clock::Timestamp;
use socialsync_core::domain::{
    Connection, DisconnectReason, Disconnection, LastProblem, Lister, PostCountCheck,
    PostCountVerdict, PostEvent, PostState, StatusKind, successor,
};
use socialsync_core::error::{StoreError, StoreResult};
use socialsync_core::ids::*;
use socialsync_core::platform::Platform;
use socialsync_core::store::*;
use sqlx::PgConnection;
use sqlx::postgres::PgRow;
use std::collections::{BTreeMap, BTreeSet};

fn status_kind(k: StatusKind) -> &'static str {
    match k {
        StatusKind::Active => "active",
        StatusKind::Disconnected => "disconnected",
        StatusKind::Reset => "reset",
    }
}

/// Writes a connection's status and history.
async fn write_status(tx: &mut PgConnection, conn: &Connection) -> StoreResult<()> {
    sqlx::query("UPDATE connections SET status = $2, status_kind = $3, history = $4 WHERE id = $1")
        .bind(conn.id.0)
        .bind(json(&conn.status)?)
        .bind(status_kind(conn.status.kind()))
        .bind(json(&conn.history)?)
        .execute(&mut *tx)
        .await
        .map_err(db)?;
    Ok(())
}

async fn lock_connection(tx: &mut PgConnection, id: ConnectionId) -> StoreResult<Connection> {
    let sql = format!("SELECT {CONNECTION_COLUMNS} FROM connections WHERE id = $1 FOR UPDATE");
    let row = sqlx::query(&sql)
        .bind(id.0)
        .fetch_optional(&mut *tx)
        .await
        .map_err(db)?
        .ok_or_else(|| StoreError::not_found("connection", id))?;
    connection_from_row(&row)
}

pub(crate) async fn connect(
    s: &PgStore,
    new: NewConnection,
    now: Timestamp,
) -> StoreResult<Connected> {
    let context = credentials_context(new.platform, &new.account_id);
    let (key_id, sealed) = s
        .keys
        .seal(&new.credentials, &context)
        .map_err(|e| StoreError::InvalidInput(e.to_string()))?;
    let mut tx = s.pool.begin().await.map_err(db)?;
    let creator: Option<i64> = sqlx::query_scalar("SELECT id FROM creators WHERE id = $1")
        .bind(new.creator.0)
        .fetch_optional(&mut *tx)
        .await
        .map_err(db)?;
    if creator.is_none() {
        return Err(StoreError::not_found("creator", new.creator));
    }
    // What a new connection starts as; the database assigns its id.
    let opened = Connection::opened(
        ConnectionId(0),
        new.creator,
        new.platform,
        new.account_id.clone(),
        new.handle.clone(),
        now,
    );
    let sql = format!(
        "INSERT INTO connections (creator_id, platform, account_id, handle, status, status_kind, \
         history, credentials_version, credentials, credentials_key, health, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) \
         ON CONFLICT (platform, account_id) DO NOTHING RETURNING {CONNECTION_COLUMNS}"
    );
    let inserted = sqlx::query(&sql)
        .bind(new.creator.0)
        .bind(new.platform.as_str())
        .bind(new.account_id.as_str())
        .bind(&opened.handle)
        .bind(json(&opened.status)?)
        .bind(status_kind(opened.status.kind()))
        .bind(json(&opened.history)?)
        .bind(u64_param(
            opened.credentials_version,
            "credentials version",
        )?)
        .bind(&sealed)
        .bind(&key_id)
        .bind(json(&opened.health)?)
        .bind(opened.created_at)
        .fetch_optional(&mut *tx)
        .await
        .map_err(db)?;
    if let Some(row) = inserted {
        let connection = connection_from_row(&row)?;
        tx.commit().await.map_err(db)?;
        return Ok(Connected {
            connection,
            previous: None,
            resumed_posts: 0,
            expired_posts: 0,
        });
    }
    let sql = format!(
        "SELECT {CONNECTION_COLUMNS} FROM connections WHERE platform = $1 AND account_id = $2 \
         FOR UPDATE"
    );
    let row = sqlx::query(&sql)
        .bind(new.platform.as_str())
        .bind(new.account_id.as_str())
        .fetch_one(&mut *tx)
        .await
        .map_err(db)?;
    let mut conn = connection_from_row(&row)?;
    let previous = conn.reconnect(new.handle, new.creator, now);
    sqlx::query(
        "UPDATE connections SET credentials = $2, credentials_key = $3, \
         credentials_version = $4, handle = $5, creator_id = $6, backoff_until = NULL, \
         health = $7 WHERE id = $1",
    )
    .bind(conn.id.0)
    .bind(&sealed)
    .bind(&key_id)
    .bind(u64_param(conn.credentials_version, "credentials version")?)
    .bind(&conn.handle)
    .bind(conn.creator.0)
    .bind(json(&conn.health)?)
    .execute(&mut *tx)
    .await
    .map_err(db)?;
    let (mut resumed, mut expired) = (0, 0);
    if previous != StatusKind::Active {
        write_status(&mut tx, &conn).await?;
        // The connection's blocks before its posts' schedule rows: the one lock order.
        blocks::lock_connection(&mut tx, conn.id.0).await?;
        let changed =
            lifecycle::apply_to_connection(&mut tx, conn.id.0, PostEvent::ConnectionResumed, now)
                .await?;
        for c in &changed {
            match c.after.state {
                PostState::Monitoring => resumed += 1,
                PostState::Expired => expired += 1,
                _ => {}
            }
        }
    }
    tx.commit().await.map_err(db)?;
    Ok(Connected {
        connection: conn,
        previous: Some(previous),
        resumed_posts: resumed,
        expired_posts: expired,
    })
}

pub(crate) async fn get_connection(
    s: &PgStore,
    id: ConnectionId,
) -> StoreResult<Option<Connection>> {
    let sql = format!("SELECT {CONNECTION_COLUMNS} FROM connections WHERE id = $1");
    let row = sqlx::query(&sql)
        .bind(id.0)
        .fetch_optional(&s.pool)
        .await
        .map_err(db)?;
    row.as_ref().map(connection_from_row).transpose()
}

pub(crate) async fn get_connection_by_account(
    s: &PgStore,
    platform: Platform,
    account: &PlatformAccountId,
) -> StoreResult<Option<Connection>> {
    let sql = format!(
        "SELECT {CONNECTION_COLUMNS} FROM connections WHERE platform = $1 AND account_id = $2"
    );
    let row = sqlx::query(&sql)
        .bind(platform.as_str())
        .bind(account.as_str())
        .fetch_optional(&s.pool)
        .await
        .map_err(db)?;
    row.as_ref().map(connection_from_row).transpose()
}

pub(crate) async fn list_connections(
    s: &PgStore,
    f: ConnectionFilter,
) -> StoreResult<Vec<Connection>> {
    let statuses: Option<Vec<&str>> = f.statuses.map(|v| v.into_iter().map(status_kind).collect());
    let sql = format!(
        "SELECT {CONNECTION_COLUMNS} FROM connections \
         WHERE ($1::bigint IS NULL OR creator_id = $1) AND ($2::text IS NULL OR platform = $2) \
         AND ($3::text[] IS NULL OR status_kind = ANY($3)) ORDER BY id"
    );
    let rows = sqlx::query(&sql)
        .bind(f.creator.map(|c| c.0))
        .bind(f.platform.map(|p| p.as_str()))
        .bind(statuses)
        .fetch_all(&s.pool)
        .await
        .map_err(db)?;
    rows.iter().map(connection_from_row).collect()
}

/// A disconnection from its row; `newly` says whether this call made it.
pub(crate) fn disconnection_from_row(r: &PgRow, newly: bool) -> StoreResult<Disconnection> {
    let reason: DisconnectReason = from_json(col(r, "reason")?, "disconnect reason")?;
    Ok(Disconnection {
        id: DisconnectionId(col(r, "id")?),
        connection: ConnectionId(col(r, "connection_id")?),
        creator: CreatorId(col(r, "creator_id")?),
        platform: platform(col(r, "platform")?)?,
        since: col(r, "since")?,
        reason,
        newly_disconnected: newly,
    })
}

/// The columns [`disconnection_from_row`] reads, of `disconnections`.
pub(crate) const DISCONNECTION_COLUMNS: &str =
    "id, connection_id, creator_id, platform, since, reason";

pub(crate) async fn disconnect(s: &PgStore, req: DisconnectRequest) -> StoreResult<Disconnection> {
    let mut tx = s.pool.begin().await.map_err(db)?;
    let mut conn = lock_connection(&mut tx, req.connection).await?;
    let at = conn.status_change_at(req.at);
    if let Some(disconnection) = conn.check_disconnect(req.credentials_version)? {
        let sql = format!("SELECT {DISCONNECTION_COLUMNS} FROM disconnections WHERE id = $1");
        let row = sqlx::query(&sql)
            .bind(disconnection.0)
            .fetch_optional(&mut *tx)
            .await
            .map_err(db)?
            .ok_or_else(|| corrupt(format!("{disconnection} missing")))?;
        return disconnection_from_row(&row, false);
    }
    let sql = format!(
        "INSERT INTO disconnections (connection_id, creator_id, platform, since, reason, \
         claim_until) VALUES ($1, $2, $3, $4, $5, $6) RETURNING {DISCONNECTION_COLUMNS}"
    );
    let row = sqlx::query(&sql)
        .bind(conn.id.0)
        .bind(conn.creator.0)
        .bind(conn.platform.as_str())
        .bind(at)
        .bind(json(&req.reason)?)
        .bind(req.notify_claim_until)
        .fetch_one(&mut *tx)
        .await
        .map_err(db)?;
    let d = disconnection_from_row(&row, true)?;
    conn.disconnect(d.id, req.reason, at);
    write_status(&mut tx, &conn).await?;
    hand_over(&mut tx, conn.id.0).await?;
    // The connection's blocks before its posts' schedule rows: the one lock order.
    blocks::lock_connection(&mut tx, conn.id.0).await?;
    lifecycle::apply_to_connection(&mut tx, conn.id.0, PostEvent::ConnectionDisconnected, at)
        .await?;
    tx.commit().await.map_err(db)?;
    Ok(d)
}

/// Hands each post `connection` owns to its successor, another active
/// lister (the core's [`successor`]), state and due time kept. The posts
/// first, then their blocks: the one lock order.
async fn hand_over(tx: &mut PgConnection, connection: i64) -> StoreResult<()> {
    let ids: Vec<i64> = sqlx::query_scalar(
        "SELECT p.id FROM posts p WHERE p.connection_id = $1 AND EXISTS ( \
           SELECT 1 FROM post_listers l JOIN connections c ON c.id = l.connection_id \
           WHERE l.post_id = p.id AND l.connection_id <> $1 AND c.status_kind = 'active') \
         ORDER BY p.id FOR UPDATE OF p",
    )
    .bind(connection)
    .fetch_all(&mut *tx)
    .await
    .map_err(db)?;
    if ids.is_empty() {
        return Ok(());
    }
    let rows = sqlx::query(
        "SELECT l.post_id, p.published_at, l.connection_id, l.creator_id, \
           c.status_kind = 'active' AS active \
         FROM post_listers l JOIN posts p ON p.id = l.post_id \
           JOIN connections c ON c.id = l.connection_id \
         WHERE l.post_id = ANY($1) ORDER BY l.post_id, l.connection_id",
    )
    .bind(&ids)
    .fetch_all(&mut *tx)
    .await
    .map_err(db)?;
    // Per post: its publish time, listers and the active ones.
    let mut posts: BTreeMap<i64, (Timestamp, Vec<Lister>, BTreeSet<ConnectionId>)> =
        BTreeMap::new();
    for r in &rows {
        let lister = Lister {
            connection: ConnectionId(col(r, "connection_id")?),
            creator: CreatorId(col(r, "creator_id")?),
        };
        let entry = posts
            .entry(col(r, "post_id")?)
            .or_insert_with(|| (Timestamp::UNIX_EPOCH, Vec::new(), BTreeSet::new()));
        entry.0 = col(r, "published_at")?;
        entry.1.push(lister);
        if col::<bool>(r, "active")? {
            entry.2.insert(lister.connection);
        }
    }
    for (post, (published_at, listers, active)) in posts {
        let Some(next) = successor(ConnectionId(connection), &listers, |c| active.contains(&c))
        else {
            continue;
        };
        sqlx::query("UPDATE posts SET connection_id = $2, creator_id = $3 WHERE id = $1")
            .bind(post)
            .bind(next.connection.0)
            .bind(next.creator.0)
            .execute(&mut *tx)
            .await
            .map_err(db)?;
        blocks::move_post(tx, post, next.connection.0, blocks::phase_of(published_at)).await?;
    }
    Ok(())
}

pub(crate) async fn reset_connection(
    s: &PgStore,
    id: ConnectionId,
    now: Timestamp,
) -> StoreResult<Connection> {
    let mut tx = s.pool.begin().await.map_err(db)?;
    let mut conn = lock_connection(&mut tx, id).await?;
    let before = conn.status.kind();
    conn.reset(now)?;
    sqlx::query(
        "UPDATE connections SET credentials = NULL, credentials_key = NULL, \
         refresh_token = NULL, refresh_until = NULL, discovery_token = NULL, \
         discovery_until = NULL, high_water = NULL, last_discovery_at = NULL, \
         last_deep_pass_at = NULL, matched_revision = 0, backoff_until = NULL, health = $2 \
         WHERE id = $1",
    )
    .bind(id.0)
    .bind(json(&conn.health)?)
    .execute(&mut *tx)
    .await
    .map_err(db)?;
    if before != StatusKind::Reset {
        write_status(&mut tx, &conn).await?;
    }
    tx.commit().await.map_err(db)?;
    Ok(conn)
}

/// Takes a lease held in the `<which>_token` / `<which>_until` columns.
pub(crate) async fn take_lease(
    s: &PgStore,
    sql: &str,
    id: ConnectionId,
    now: Timestamp,
    until: Timestamp,
) -> StoreResult<Option<LeaseToken>> {
    let token: Option<uuid::Uuid> = sqlx::query_scalar(sql)
        .bind(id.0)
        .bind(now)
        .bind(until)
        .fetch_optional(&s.pool)
        .await
        .map_err(db)?;
    match token {
        Some(t) => Ok(Some(token_from_uuid(t))),
        None => {
            let exists: Option<i64> =
                sqlx::query_scalar("SELECT id FROM connections WHERE id = $1")
                    .bind(id.0)
                    .fetch_optional(&s.pool)
                    .await
                    .map_err(db)?;
            match exists {
                Some(_) => Ok(None),
                None => Err(StoreError::not_found("connection", id)),
            }
        }
    }
}

pub(crate) async fn record_health(
    s: &PgStore,
    id: ConnectionId,
    update: HealthUpdate,
) -> StoreResult<()> {
    // One statement each: health is a JSON document changed in place. It is
    // an observation, not a record: it commits without waiting for a flush.
    let q = match update {
        HealthUpdate::Success { at } => sqlx::query(
            "WITH cfg AS (SELECT set_config('synchronous_commit', 'off', true)) \
             UPDATE connections SET health = health || \
             jsonb_build_object('last_success_at', $2::jsonb, 'consecutive_failures', 0) \
             FROM cfg WHERE id = $1",
        )
        .bind(id.0)
        .bind(json(&at)?),
        HealthUpdate::Failure { at, error } => sqlx::query(
            "WITH cfg AS (SELECT set_config('synchronous_commit', 'off', true)) \
             UPDATE connections SET health = health || jsonb_build_object( \
               'consecutive_failures', LEAST(COALESCE((health ->> 'consecutive_failures')::bigint, 0) + 1, 4294967295), \
               'last_failure_at', $2::jsonb, 'last_error', $3::jsonb) FROM cfg WHERE id = $1",
        )
        .bind(id.0)
        .bind(json(&at)?)
        .bind(json(&error)?),
        HealthUpdate::ReadingProblems { at, count, last } => sqlx::query(
            "WITH cfg AS (SELECT set_config('synchronous_commit', 'off', true)) \
             UPDATE connections SET health = health || jsonb_build_object( \
               'reading_problems', LEAST(COALESCE((health ->> 'reading_problems')::numeric, 0) + $2, 18446744073709551615), \
               'last_reading_problem', $3::jsonb) FROM cfg WHERE id = $1",
        )
        .bind(id.0)
        .bind(i64::from(count))
        .bind(json(&LastProblem { at, what: last })?),
        HealthUpdate::SuspicionCleared => sqlx::query(
            "WITH cfg AS (SELECT set_config('synchronous_commit', 'off', true)) \
             UPDATE connections SET health = health - 'suspect' FROM cfg WHERE id = $1",
        )
        .bind(id.0),
        HealthUpdate::MissingPermissions(p) => sqlx::query(
            "WITH cfg AS (SELECT set_config('synchronous_commit', 'off', true)) \
             UPDATE connections SET health = health || \
             jsonb_build_object('missing_permissions', $2::jsonb) FROM cfg WHERE id = $1",
        )
        .bind(id.0)
        .bind(json(&p)?),
    };
    let r = q.execute(&s.pool).await.map_err(db)?;
    if r.rows_affected() == 0 {
        return Err(StoreError::not_found("connection", id));
    }
    Ok(())
}

pub(crate) async fn check_post_count(
    s: &PgStore,
    id: ConnectionId,
    check: PostCountCheck,
) -> StoreResult<PostCountVerdict> {
    let mut tx = s.pool.begin().await.map_err(db)?;
    let mut conn = lock_connection(&mut tx, id).await?;
    let verdict = conn.check_post_count(check);
    let count = conn
        .post_count
        .map(|c| u64_param(c, "post count"))
        .transpose()?;
    sqlx::query(
        "UPDATE connections SET post_count = $2, post_count_at = $4, \
         health = jsonb_set(health, '{suspect}', $3::jsonb) WHERE id = $1",
    )
    .bind(id.0)
    .bind(count)
    .bind(json(&conn.health.suspect)?)
    .bind(conn.post_count_at)
    .execute(&mut *tx)
    .await
    .map_err(db)?;
    tx.commit().await.map_err(db)?;
    Ok(verdict)
}

pub(crate) async fn set_backoff(
    s: &PgStore,
    target: BackoffTarget,
    until: Timestamp,
) -> StoreResult<()> {
    match target {
        BackoffTarget::Connection(id) => {
            let r = sqlx::query(
                "UPDATE connections SET backoff_until = GREATEST(COALESCE(backoff_until, $2), $2) \
                 WHERE id = $1",
            )
            .bind(id.0)
            .bind(until)
            .execute(&s.pool)
            .await
            .map_err(db)?;
            if r.rows_affected() == 0 {
                return Err(StoreError::not_found("connection", id));
            }
        }
        BackoffTarget::Platform(p) => {
            sqlx::query(
                "INSERT INTO platform_backoff (platform, until) VALUES ($1, $2) \
                 ON CONFLICT (platform) DO UPDATE \
                 SET until = GREATEST(platform_backoff.until, excluded.until)",
            )
            .bind(p.as_str())
            .bind(until)
            .execute(&s.pool)
            .await
            .map_err(db)?;
        }
    }
    Ok(())
}

pub(crate) async fn get_platform_backoff(
    s: &PgStore,
    p: Platform,
) -> StoreResult<Option<Timestamp>> {
    sqlx::query_scalar("SELECT until FROM platform_backoff WHERE platform = $1")
        .bind(p.as_str())
        .fetch_optional(&s.pool)
        .await
        .map_err(db)
}

pub(crate) async fn try_claim_discovery(
    s: &PgStore,
    id: ConnectionId,
    now: Timestamp,
    until: Timestamp,
) -> StoreResult<Option<LeaseToken>> {
    take_lease(
        s,
        "UPDATE connections SET discovery_token = gen_random_uuid(), discovery_until = $3 \
         WHERE id = $1 AND (discovery_until IS NULL OR discovery_until <= $2) \
         RETURNING discovery_token",
        id,
        now,
        until,
    )
    .await
}

pub(crate) async fn finish_discovery(
    s: &PgStore,
    id: ConnectionId,
    token: LeaseToken,
    progress: DiscoveryProgress,
) -> StoreResult<()> {
    let mut tx = s.pool.begin().await.map_err(db)?;
    let row = sqlx::query(
        "SELECT discovery_token, high_water, matched_revision FROM connections \
         WHERE id = $1 FOR UPDATE",
    )
    .bind(id.0)
    .fetch_optional(&mut *tx)
    .await
    .map_err(db)?
    .ok_or_else(|| StoreError::not_found("connection", id))?;
    let held: Option<uuid::Uuid> = col(&row, "discovery_token")?;
    if held != Some(token_to_uuid(token)) {
        return Err(StoreError::LeaseLost);
    }
    let old: Option<serde_json::Value> = col(&row, "high_water")?;
    let old: Option<socialsync_core::domain::HighWater> =
        old.map(|v| from_json(v, "high-water mark")).transpose()?;
    let mut high_water = old.clone();
    if let Some(hw) = progress.high_water {
        if old.as_ref().is_none_or(|o| hw > *o) {
            high_water = Some(hw);
        }
    }
    let matched: i64 = col(&row, "matched_revision")?;
    let matched = matched.max(u64_param(progress.matched_revision, "revision")?);
    let at = progress.at;
    sqlx::query(
        "UPDATE connections SET discovery_token = NULL, discovery_until = NULL, \
         last_discovery_at = $2, last_deep_pass_at = CASE WHEN $3 THEN $2 ELSE last_deep_pass_at END, \
         high_water = $4, matched_revision = $5 WHERE id = $1",
    )
    .bind(id.0)
    .bind(at)
    .bind(progress.deep_pass)
    .bind(high_water.as_ref().map(json).transpose()?)
    .bind(matched)
    .execute(&mut *tx)
    .await
    .map_err(db)?;
    tx.commit().await.map_err(db)?;
    Ok(())
}
