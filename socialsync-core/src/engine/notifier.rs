//! What the host is told: a connection was lost (the creator must
//! reconnect), permissions are missing, or posts went missing that the
//! account's post count does not account for.

use crate::domain::{Connection, Disconnection, Suspicion};
use async_trait::async_trait;
use std::fmt::Debug;

/// The host could not take the notification now; it is delivered again later.
#[derive(Debug, Clone, thiserror::Error)]
#[error("notification not delivered: {0}")]
pub struct NotifyError(pub String);

/// Implemented by the host to prompt creators.
///
/// `connection_lost` is called once per disconnection in normal operation;
/// after a crash between the call and its acknowledgement it may be called
/// again with the same [`Disconnection::id`], so the host de-duplicates on it.
#[async_trait]
pub trait ReconnectNotifier: Debug + Send + Sync + 'static {
    /// The platform refused the connection's credentials: ask the creator to reconnect.
    async fn connection_lost(&self, disconnection: &Disconnection) -> Result<(), NotifyError>;
    /// The creator did not grant these permissions; the connection stays active, degraded.
    async fn permissions_missing(
        &self,
        connection: &Connection,
        missing: &[String],
    ) -> Result<(), NotifyError>;
    /// Posts of the connection went missing that its account's post count
    /// does not account for: none was deleted, the connection is suspect
    /// (a token that reads the account but not its posts?) and is checked
    /// again at `suspicion.recheck_at`. The default only logs.
    async fn connection_suspect(
        &self,
        connection: &Connection,
        suspicion: &Suspicion,
    ) -> Result<(), NotifyError> {
        tracing::warn!(
            connection = %connection.id,
            unexplained = suspicion.unexplained,
            recheck_at = %suspicion.recheck_at,
            "posts missing that the account's post count does not account for"
        );
        Ok(())
    }
}

/// A notifier that only logs.
#[derive(Debug, Default, Clone, Copy)]
pub struct LogNotifier;

#[async_trait]
impl ReconnectNotifier for LogNotifier {
    async fn connection_lost(&self, d: &Disconnection) -> Result<(), NotifyError> {
        tracing::warn!(disconnection = %d.id, connection = %d.connection, reason = %d.reason, "connection lost");
        Ok(())
    }
    async fn permissions_missing(
        &self,
        c: &Connection,
        missing: &[String],
    ) -> Result<(), NotifyError> {
        tracing::warn!(connection = %c.id, ?missing, "permissions missing");
        Ok(())
    }
}
