//! Post transitions on PostgreSQL: the core's [`transition`] decides, this
//! module reads the facts it needs and writes its answers (the schedule
//! rows' states, the blocks' slots).

use crate::blocks::{self, SlotChange};
use crate::codec::{col, post_state, us};
use crate::error::db;
use socialsync_core::clock::Timestamp;
use socialsync_core::domain::{Due, PostEvent, PostFacts, PostState, Transition, transition};
use socialsync_core::error::StoreResult;
use sqlx::PgConnection;
use sqlx::postgres::PgRow;

/// A post whose state or due time an event changed.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Changed {
    /// The post.
    pub post: i64,
    /// Its state before.
    pub before: PostState,
    /// Its state and due time after.
    pub after: Transition,
}

/// The columns [`apply_rows`] reads: `post_id`, `state`, `monitor_until`.
pub(crate) const FACT_COLUMNS: &str = "s.post_id, s.state, p.monitor_until";

/// A slot's due time as a block change: `None` keeps it.
pub(crate) fn slot_due(due: Due) -> Option<Option<i64>> {
    match due {
        Due::Keep => None,
        Due::Clear => Some(None),
        Due::At(t) => Some(Some(us(t))),
    }
}

/// The names of the states `event` acts on, for a `state = ANY(..)` filter.
pub(crate) fn acted_on(event: PostEvent) -> Vec<&'static str> {
    event.acts_on().iter().map(|s| s.as_str()).collect()
}

/// Applies `event` at `now` to the posts of `connection` in the states it
/// acts on. The caller holds the connection's blocks.
pub(crate) async fn apply_to_connection(
    tx: &mut PgConnection,
    connection: i64,
    event: PostEvent,
    now: Timestamp,
) -> StoreResult<Vec<Changed>> {
    let sql = format!(
        "SELECT {FACT_COLUMNS} FROM schedule s JOIN posts p ON p.id = s.post_id \
         WHERE p.connection_id = $1 AND s.state = ANY($2)"
    );
    let rows = sqlx::query(&sql)
        .bind(connection)
        .bind(acted_on(event))
        .fetch_all(&mut *tx)
        .await
        .map_err(db)?;
    apply_rows(tx, &rows, event, now).await
}

/// Applies `event` at `now` to the posts of `rows` (of [`FACT_COLUMNS`],
/// read under their blocks' locks) and writes what changed.
pub(crate) async fn apply_rows(
    tx: &mut PgConnection,
    rows: &[PgRow],
    event: PostEvent,
    now: Timestamp,
) -> StoreResult<Vec<Changed>> {
    let mut changed = Vec::new();
    for r in rows {
        let facts = PostFacts {
            state: post_state(col(r, "state")?)?,
            monitor_until: col(r, "monitor_until")?,
        };
        let after = transition(facts, event, now);
        if after.state != facts.state || after.due != Due::Keep {
            changed.push(Changed {
                post: col(r, "post_id")?,
                before: facts.state,
                after,
            });
        }
    }
    write(tx, &changed).await?;
    let found_again: Vec<i64> = changed
        .iter()
        .filter(|c| c.before == PostState::Deleted && c.after.state != PostState::Expired)
        .filter(|c| c.after.state != PostState::Deleted)
        .map(|c| c.post)
        .collect();
    close_deletions(tx, &found_again, now).await?;
    Ok(changed)
}

/// Opens a deletion span at each instant for each post that has none open
/// (see [`DeletedSpan::track`](socialsync_core::domain::DeletedSpan::track)).
pub(crate) async fn open_deletions(
    tx: &mut PgConnection,
    posts: &[i64],
    at: &[Timestamp],
) -> StoreResult<()> {
    if posts.is_empty() {
        return Ok(());
    }
    sqlx::query(
        "INSERT INTO post_deletions (post_id, from_at) \
         SELECT * FROM unnest($1::bigint[], $2::timestamptz[]) \
         ON CONFLICT (post_id) WHERE to_at IS NULL DO NOTHING",
    )
    .bind(posts)
    .bind(at)
    .execute(&mut *tx)
    .await
    .map_err(db)?;
    Ok(())
}

/// Closes the open deletion span of each post at `at`: found again.
pub(crate) async fn close_deletions(
    tx: &mut PgConnection,
    posts: &[i64],
    at: Timestamp,
) -> StoreResult<()> {
    if posts.is_empty() {
        return Ok(());
    }
    sqlx::query(
        "UPDATE post_deletions SET to_at = GREATEST(from_at, $2) \
         WHERE post_id = ANY($1) AND to_at IS NULL",
    )
    .bind(posts)
    .bind(at)
    .execute(&mut *tx)
    .await
    .map_err(db)?;
    Ok(())
}

/// Writes transitions: the new states, then the slots.
pub(crate) async fn write(tx: &mut PgConnection, changed: &[Changed]) -> StoreResult<()> {
    if changed.is_empty() {
        return Ok(());
    }
    let (ids, states): (Vec<i64>, Vec<&str>) = changed
        .iter()
        .filter(|c| c.after.state != c.before)
        .map(|c| (c.post, c.after.state.as_str()))
        .unzip();
    if !ids.is_empty() {
        sqlx::query(
            "UPDATE schedule s SET state = u.state \
             FROM unnest($1::bigint[], $2::text[]) AS u (id, state) WHERE s.post_id = u.id",
        )
        .bind(&ids)
        .bind(&states)
        .execute(&mut *tx)
        .await
        .map_err(db)?;
    }
    let slots: Vec<SlotChange> = changed
        .iter()
        .map(|c| SlotChange {
            post: c.post,
            live: c.after.is_scheduled(),
            next: slot_due(c.after.due),
            bump: false,
        })
        .collect();
    blocks::change(tx, &slots).await
}
