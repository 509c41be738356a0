//! The health view of a connection.

use super::{Engine, EngineError};
use crate::clock::Timestamp;
use crate::domain::{Connection, PostState};
use crate::ids::ConnectionId;
use crate::store::PostFilter;

/// How a connection is doing, for dashboards and alerts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectionHealthView {
    /// The connection.
    pub connection: Connection,
    /// The last call that succeeded.
    pub last_success_at: Option<Timestamp>,
    /// Failures since.
    pub consecutive_failures: u32,
    /// The due time of the oldest monitoring post that is overdue now.
    pub oldest_overdue: Option<Timestamp>,
    /// Posts being monitored.
    pub posts_monitored: u64,
    /// Permissions the creator did not grant.
    pub missing_permissions: Vec<String>,
}

impl Engine {
    /// The health of a connection; `None` when it does not exist.
    pub async fn connection_health(
        &self,
        id: ConnectionId,
    ) -> Result<Option<ConnectionHealthView>, EngineError> {
        let store = &self.inner.store;
        let Some(connection) = store.get_connection(id).await? else {
            return Ok(None);
        };
        let now = self.now();
        let posts = store
            .list_posts(PostFilter {
                connection: Some(id),
                states: Some(vec![PostState::Monitoring]),
                ..Default::default()
            })
            .await?;
        let oldest_overdue = posts
            .iter()
            .filter_map(|p| p.next_scan_at)
            .filter(|t| *t < now - self.inner.policy.lease)
            .min();
        Ok(Some(ConnectionHealthView {
            last_success_at: connection.health.last_success_at,
            consecutive_failures: connection.health.consecutive_failures,
            missing_permissions: connection.health.missing_permissions.clone(),
            oldest_overdue,
            posts_monitored: posts.len() as u64,
            connection,
        }))
    }
}
