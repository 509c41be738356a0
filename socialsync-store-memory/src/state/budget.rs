//! The shared rate and quota budgets.

use socialsync_core::store::*;

use super::Inner;

impl Inner {
    pub(crate) fn acquire_budget(&mut self, req: BudgetRequest) -> BudgetDecision {
        let start = req.window_start;
        let end = req.window_end;
        // Windows that ended before this one are of no use any more.
        self.budgets
            .retain(|(k, s), _| k != &req.key || *s >= start);
        let used = self.budgets.entry((req.key, start)).or_insert(0);
        if *used + req.cost <= req.limit {
            *used += req.cost;
            BudgetDecision::Granted { used: *used }
        } else {
            BudgetDecision::Exhausted { retry_at: end }
        }
    }
}
