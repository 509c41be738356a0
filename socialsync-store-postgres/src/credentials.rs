//! Credentials, sealed at rest, and the lease on their refresh.

use crate::PgStore;
use crate::codec::{col, platform, token_to_uuid, u64_param};
use crate::connections::take_lease;
use crate::crypto::credentials_context;
use crate::error::{corrupt, db};
use socialsync_core::clock::Timestamp;
use socialsync_core::credentials::{Credentials, VersionedCredentials};
use socialsync_core::error::{StoreError, StoreResult};
use socialsync_core::ids::*;

pub(crate) async fn get_credentials(
    s: &PgStore,
    id: ConnectionId,
) -> StoreResult<Option<VersionedCredentials>> {
    let row = sqlx::query(
        "SELECT platform, account_id, credentials_version, credentials, credentials_key \
         FROM connections WHERE id = $1",
    )
    .bind(id.0)
    .fetch_optional(&s.pool)
    .await
    .map_err(db)?
    .ok_or_else(|| StoreError::not_found("connection", id))?;
    let sealed: Option<Vec<u8>> = col(&row, "credentials")?;
    let key_id: Option<String> = col(&row, "credentials_key")?;
    let (Some(sealed), Some(key_id)) = (sealed, key_id) else {
        return Ok(None);
    };
    let p = platform(col(&row, "platform")?)?;
    let account = PlatformAccountId::new(col::<&str>(&row, "account_id")?);
    let credentials = s
        .keys
        .open(&key_id, &sealed, &credentials_context(p, &account))
        .map_err(|e| StoreError::Corrupt(format!("{id}: {e}")))?;
    let version: i64 = col(&row, "credentials_version")?;
    Ok(Some(VersionedCredentials {
        version: u64::try_from(version).map_err(corrupt)?,
        credentials,
    }))
}

pub(crate) async fn swap_credentials(
    s: &PgStore,
    id: ConnectionId,
    expected: u64,
    credentials: Credentials,
) -> StoreResult<u64> {
    let mut tx = s.pool.begin().await.map_err(db)?;
    let row = sqlx::query(
        "SELECT platform, account_id, credentials_version, credentials IS NOT NULL AS held \
         FROM connections WHERE id = $1 FOR UPDATE",
    )
    .bind(id.0)
    .fetch_optional(&mut *tx)
    .await
    .map_err(db)?
    .ok_or_else(|| StoreError::not_found("connection", id))?;
    if !col::<bool>(&row, "held")? {
        return Err(StoreError::InvalidState(format!(
            "{id} holds no credentials (reset)"
        )));
    }
    let version: i64 = col(&row, "credentials_version")?;
    let version = u64::try_from(version).map_err(corrupt)?;
    if version != expected {
        return Err(StoreError::Conflict(format!(
            "{id}: credentials are at version {version}, not {expected}"
        )));
    }
    let p = platform(col(&row, "platform")?)?;
    let account = PlatformAccountId::new(col::<&str>(&row, "account_id")?);
    let (key_id, sealed) = s
        .keys
        .seal(&credentials, &credentials_context(p, &account))
        .map_err(|e| StoreError::InvalidInput(e.to_string()))?;
    let next = version + 1;
    sqlx::query(
        "UPDATE connections SET credentials = $2, credentials_key = $3, credentials_version = $4 \
         WHERE id = $1",
    )
    .bind(id.0)
    .bind(&sealed)
    .bind(&key_id)
    .bind(u64_param(next, "credentials version")?)
    .execute(&mut *tx)
    .await
    .map_err(db)?;
    tx.commit().await.map_err(db)?;
    Ok(next)
}

pub(crate) async fn try_lock_refresh(
    s: &PgStore,
    id: ConnectionId,
    now: Timestamp,
    until: Timestamp,
) -> StoreResult<Option<LeaseToken>> {
    take_lease(
        s,
        "UPDATE connections SET refresh_token = gen_random_uuid(), refresh_until = $3 \
         WHERE id = $1 AND (refresh_until IS NULL OR refresh_until <= $2) RETURNING refresh_token",
        id,
        now,
        until,
    )
    .await
}

pub(crate) async fn unlock_refresh(
    s: &PgStore,
    id: ConnectionId,
    token: LeaseToken,
) -> StoreResult<()> {
    let r = sqlx::query(
        "UPDATE connections SET \
           refresh_token = CASE WHEN refresh_token = $2 THEN NULL ELSE refresh_token END, \
           refresh_until = CASE WHEN refresh_token = $2 THEN NULL ELSE refresh_until END \
         WHERE id = $1",
    )
    .bind(id.0)
    .bind(token_to_uuid(token))
    .execute(&s.pool)
    .await
    .map_err(db)?;
    if r.rows_affected() == 0 {
        return Err(StoreError::not_found("connection", id));
    }
    Ok(())
}

pub(crate) async fn reseal_credentials(s: &PgStore) -> StoreResult<u64> {
    let current = s.keys.current_key_id().to_owned();
    let mut moved = 0;
    loop {
        let mut tx = s.pool.begin().await.map_err(db)?;
        let rows = sqlx::query(
            "SELECT id, platform, account_id, credentials, credentials_key FROM connections \
             WHERE credentials IS NOT NULL AND credentials_key <> $1 \
             ORDER BY id LIMIT 100 FOR UPDATE SKIP LOCKED",
        )
        .bind(&current)
        .fetch_all(&mut *tx)
        .await
        .map_err(db)?;
        if rows.is_empty() {
            return Ok(moved);
        }
        for r in &rows {
            let id: i64 = col(r, "id")?;
            let p = platform(col(r, "platform")?)?;
            let account = PlatformAccountId::new(col::<&str>(r, "account_id")?);
            let context = credentials_context(p, &account);
            let sealed: Vec<u8> = col(r, "credentials")?;
            let key_id: String = col(r, "credentials_key")?;
            let c = s
                .keys
                .open(&key_id, &sealed, &context)
                .map_err(|e| StoreError::Corrupt(format!("{}: {e}", ConnectionId(id))))?;
            let (new_key, resealed) = s
                .keys
                .seal(&c, &context)
                .map_err(|e| StoreError::InvalidInput(e.to_string()))?;
            sqlx::query(
                "UPDATE connections SET credentials = $2, credentials_key = $3 WHERE id = $1",
            )
            .bind(id)
            .bind(&resealed)
            .bind(&new_key)
            .execute(&mut *tx)
            .await
            .map_err(db)?;
            moved += 1;
        }
        tx.commit().await.map_err(db)?;
    }
}
