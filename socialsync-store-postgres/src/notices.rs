//! The disconnection outbox: disconnections waiting to be announced.

use crate::PgStore;
use crate::connections::{DISCONNECTION_COLUMNS, disconnection_from_row};
use crate::error::db;
use socialsync_core::clock::Timestamp;
use socialsync_core::domain::Disconnection;
use socialsync_core::error::{StoreError, StoreResult};
use socialsync_core::ids::*;

pub(crate) async fn claim_pending_notifications(
    s: &PgStore,
    now: Timestamp,
    claim_until: Timestamp,
    limit: usize,
) -> StoreResult<Vec<Disconnection>> {
    let sql = format!(
        "UPDATE disconnections d SET claim_until = $2 FROM ( \
           SELECT id FROM disconnections WHERE NOT notified AND claim_until <= $1 \
           ORDER BY id LIMIT $3 FOR UPDATE SKIP LOCKED) due \
         WHERE d.id = due.id RETURNING {}",
        DISCONNECTION_COLUMNS
            .split(", ")
            .map(|c| format!("d.{c}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let rows = sqlx::query(&sql)
        .bind(now)
        .bind(claim_until)
        .bind(i64::try_from(limit).unwrap_or(i64::MAX))
        .fetch_all(&s.pool)
        .await
        .map_err(db)?;
    let mut out = rows
        .iter()
        .map(|r| disconnection_from_row(r, false))
        .collect::<StoreResult<Vec<_>>>()?;
    out.sort_by_key(|d| d.id);
    Ok(out)
}

pub(crate) async fn mark_notified(s: &PgStore, id: DisconnectionId) -> StoreResult<()> {
    let r = sqlx::query("UPDATE disconnections SET notified = true WHERE id = $1")
        .bind(id.0)
        .execute(&s.pool)
        .await
        .map_err(db)?;
    if r.rows_affected() == 0 {
        return Err(StoreError::not_found("disconnection", id));
    }
    Ok(())
}
