//! [`SharedBudget`]: the narrow view of a store that platform adapters need
//! to share app- or project-wide rate budgets between worker processes.

use crate::error::StoreResult;
#[cfg(doc)]
use crate::store::PostStore;
use crate::store::{BudgetDecision, BudgetRequest};
use async_trait::async_trait;
use std::fmt::Debug;

/// A budget shared by every caller of one platform app (TikTok's requests
/// per minute per endpoint, YouTube's daily project quota): concurrent
/// callers, in this process or others, are together never granted more than
/// a window's limit.
///
/// It is one of a store's roles: every [`PostStore`] is one, so an adapter
/// handed the store shares its budget with every worker using that store:
///
/// ```
/// # use std::sync::Arc;
/// # use socialsync_core::store::{PostStore, SharedBudget};
/// fn budget_of(store: Arc<dyn PostStore>) -> Arc<dyn SharedBudget> {
///     store
/// }
/// ```
#[async_trait]
pub trait SharedBudget: Debug + Send + Sync + 'static {
    /// Takes `request.cost` units of the budget named `request.key` in the
    /// window given, or refuses with the instant the window ends.
    async fn acquire(&self, request: BudgetRequest) -> StoreResult<BudgetDecision>;
}
