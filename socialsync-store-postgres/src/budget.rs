//! The shared rate and quota budgets: rows every worker draws from.

use crate::PgStore;
use crate::codec::u64_param;
use crate::error::{corrupt, db};
use socialsync_core::error::StoreResult;
use socialsync_core::store::*;

pub(crate) async fn acquire_budget(s: &PgStore, req: BudgetRequest) -> StoreResult<BudgetDecision> {
    let start = req.window_start;
    let end = req.window_end;
    let limit = u64_param(req.limit, "budget limit")?;
    let cost = u64_param(req.cost, "budget cost")?;
    // Windows more than a day older than this one are of no use any more;
    // a request for a window more than a day older than the newest is
    // refused (its row may be gone), so a pruned window is never granted anew.
    sqlx::query("DELETE FROM budgets WHERE key = $1 AND window_start < $2 - interval '1 day'")
        .bind(&req.key)
        .bind(start)
        .execute(&s.pool)
        .await
        .map_err(db)?;
    // One statement: the row lock on (key, window) orders concurrent callers,
    // and the update applies only while the sum stays within the limit.
    let used: Option<i64> = sqlx::query_scalar(
        "INSERT INTO budgets (key, window_start, used) SELECT $1, $2, $3 \
         WHERE $3 <= $4 AND NOT EXISTS (SELECT 1 FROM budgets \
           WHERE key = $1 AND window_start > $2 + interval '1 day') \
         ON CONFLICT (key, window_start) DO UPDATE SET used = budgets.used + excluded.used \
         WHERE budgets.used + excluded.used <= $4 RETURNING used",
    )
    .bind(&req.key)
    .bind(start)
    .bind(cost)
    .bind(limit)
    .fetch_optional(&s.pool)
    .await
    .map_err(db)?;
    Ok(match used {
        Some(u) => BudgetDecision::Granted {
            used: u64::try_from(u).map_err(corrupt)?,
        },
        None => BudgetDecision::Exhausted { retry_at: end },
    })
}
