//! The webhook delivery log: which deliveries were handled or are being handled.

use crate::PgStore;
use crate::codec::{token_from_uuid, token_to_uuid};
use crate::error::db;
use socialsync_core::clock::Timestamp;
use socialsync_core::error::StoreResult;
use socialsync_core::ids::*;
use socialsync_core::store::*;

/// Claims a webhook delivery's handling: one statement decides, so
/// concurrent processes agree on which of them handles it. A record kept
/// until before `now`, or claimed by a handler whose claim lapsed, counts
/// as absent and is replaced; records past their keeping are dropped as
/// they are passed.
pub(crate) async fn claim_delivery(
    s: &PgStore,
    claim: DeliveryClaimRequest,
) -> StoreResult<DeliveryClaim> {
    check_delivery_key(&claim.key)?;
    let claimed: Option<uuid::Uuid> = sqlx::query_scalar(
        "WITH gone AS (DELETE FROM webhook_deliveries WHERE until < $4 AND key <> $1) \
         INSERT INTO webhook_deliveries (key, until, claimed_until, claim_token) \
           VALUES ($1, $2, $3, gen_random_uuid()) \
         ON CONFLICT (key) DO UPDATE \
           SET until = EXCLUDED.until, claimed_until = EXCLUDED.claimed_until, \
             claim_token = EXCLUDED.claim_token \
           WHERE webhook_deliveries.until < $4 OR webhook_deliveries.claimed_until < $4 \
         RETURNING claim_token",
    )
    .bind(&claim.key)
    .bind(claim.keep_until)
    .bind(claim.claim_until)
    .bind(claim.now)
    .fetch_optional(&s.pool)
    .await
    .map_err(db)?;
    if let Some(token) = claimed {
        return Ok(DeliveryClaim::Claimed(token_from_uuid(token)));
    }
    // A record lasts: a statement of its own sees it even when it was
    // committed while the claim above waited for it.
    let held: Option<Option<Timestamp>> =
        sqlx::query_scalar("SELECT claimed_until FROM webhook_deliveries WHERE key = $1")
            .bind(&claim.key)
            .fetch_optional(&s.pool)
            .await
            .map_err(db)?;
    Ok(match held {
        Some(None) => DeliveryClaim::Handled,
        Some(Some(until)) => DeliveryClaim::InProgress(until),
        // Forgotten in between (its handler failed): the sender retries.
        None => DeliveryClaim::InProgress(claim.now),
    })
}

/// Marks a webhook delivery handled while `token` holds its claim.
pub(crate) async fn finish_delivery(s: &PgStore, key: &str, token: LeaseToken) -> StoreResult<()> {
    on_claimed_delivery(
        s,
        "UPDATE webhook_deliveries SET claimed_until = NULL",
        key,
        token,
    )
    .await
}

/// Forgets a webhook delivery while `token` holds its claim.
pub(crate) async fn forget_delivery(s: &PgStore, key: &str, token: LeaseToken) -> StoreResult<()> {
    on_claimed_delivery(s, "DELETE FROM webhook_deliveries", key, token).await
}

/// Runs `statement` (an `UPDATE` or `DELETE` of `webhook_deliveries`) on
/// the delivery `key` if `token` still holds its claim.
async fn on_claimed_delivery(
    s: &PgStore,
    statement: &'static str,
    key: &str,
    token: LeaseToken,
) -> StoreResult<()> {
    check_delivery_key(key)?;
    sqlx::query(&format!(
        "{statement} WHERE key = $1 AND claim_token = $2 AND claimed_until IS NOT NULL"
    ))
    .bind(key)
    .bind(token_to_uuid(token))
    .execute(&s.pool)
    .await
    .map_err(db)?;
    Ok(())
}
