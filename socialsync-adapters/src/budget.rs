//! App-wide rate budgets: the in-process default and the windows each
//! platform's budget uses.

use async_trait::async_trait;
use chrono::TimeDelta;
use socialsync_core::clock::Timestamp;
use socialsync_core::error::StoreResult;
use socialsync_core::store::{BudgetDecision, BudgetRequest, SharedBudget};
use std::collections::HashMap;
use std::sync::Mutex;

/// A [`SharedBudget`] kept in this process's memory: right for one worker
/// process. Several processes must share a store's budget instead (an
/// `Arc<dyn PostStore>` coerces to `Arc<dyn SharedBudget>`).
///
/// Fixed windows, as the store's: `cost` units out of `limit` per
/// `[window_start, window_end)` and key.
#[derive(Debug, Default)]
pub struct LocalBudget {
    used: Mutex<HashMap<String, (Timestamp, u64)>>,
}

impl LocalBudget {
    /// An empty budget.
    pub fn new() -> LocalBudget {
        LocalBudget::default()
    }
}

#[async_trait]
impl SharedBudget for LocalBudget {
    async fn acquire(&self, request: BudgetRequest) -> StoreResult<BudgetDecision> {
        let mut used = self.used.lock().unwrap_or_else(|e| e.into_inner());
        let slot = used.entry(request.key).or_insert((request.window_start, 0));
        if slot.0 != request.window_start {
            *slot = (request.window_start, 0);
        }
        if slot.1 + request.cost <= request.limit {
            slot.1 += request.cost;
            Ok(BudgetDecision::Granted { used: slot.1 })
        } else {
            Ok(BudgetDecision::Exhausted {
                retry_at: request.window_end,
            })
        }
    }
}

/// The fixed window of `length` (a divisor of a day, e.g. one minute) that
/// holds `now`, aligned on the Unix epoch.
pub(crate) fn aligned_window(now: Timestamp, length: TimeDelta) -> (Timestamp, Timestamp) {
    let len = length.num_milliseconds().max(1);
    let ms = now.timestamp_millis();
    let start_ms = ms - ms.rem_euclid(len);
    let start = start_ms
        .checked_mul(1_000)
        .and_then(Timestamp::from_micros)
        .unwrap_or(now);
    (start, start + TimeDelta::milliseconds(len))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn local_budget_refuses_past_the_limit_and_resets_with_the_window() {
        let b = LocalBudget::new();
        let t0: Timestamp = "2026-11-28T10:00:30Z".parse().unwrap();
        let (s, e) = aligned_window(t0, TimeDelta::minutes(1));
        assert_eq!(s, "2026-11-28T10:00:00Z".parse::<Timestamp>().unwrap());
        assert_eq!(e, "2026-11-28T10:01:00Z".parse::<Timestamp>().unwrap());
        let req = |s, e| BudgetRequest {
            key: "k".into(),
            window_start: s,
            window_end: e,
            limit: 2,
            cost: 1,
        };
        assert_eq!(
            b.acquire(req(s, e)).await.unwrap(),
            BudgetDecision::Granted { used: 1 }
        );
        assert_eq!(
            b.acquire(req(s, e)).await.unwrap(),
            BudgetDecision::Granted { used: 2 }
        );
        assert_eq!(
            b.acquire(req(s, e)).await.unwrap(),
            BudgetDecision::Exhausted { retry_at: e }
        );
        let (s2, e2) = aligned_window(e, TimeDelta::minutes(1));
        assert_eq!(
            b.acquire(req(s2, e2)).await.unwrap(),
            BudgetDecision::Granted { used: 1 }
        );
    }
}
