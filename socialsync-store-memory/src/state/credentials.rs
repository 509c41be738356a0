//! Credentials and the lease on their refresh.

use socialsync_core::clock::Timestamp;
use socialsync_core::credentials::{Credentials, VersionedCredentials};
use socialsync_core::error::{StoreError, StoreResult};
use socialsync_core::ids::*;

use super::Inner;

impl Inner {
    pub(crate) fn get_credentials(
        &self,
        id: ConnectionId,
    ) -> StoreResult<Option<VersionedCredentials>> {
        let row = self
            .connections
            .get(&id)
            .ok_or_else(|| StoreError::not_found("connection", id))?;
        Ok(row
            .credentials
            .clone()
            .map(|credentials| VersionedCredentials {
                version: row.conn.credentials_version,
                credentials,
            }))
    }

    pub(crate) fn swap_credentials(
        &mut self,
        id: ConnectionId,
        expected: u64,
        credentials: Credentials,
    ) -> StoreResult<u64> {
        let row = self.conn_mut(id)?;
        if row.credentials.is_none() {
            return Err(StoreError::InvalidState(format!(
                "{id} holds no credentials (reset)"
            )));
        }
        if row.conn.credentials_version != expected {
            return Err(StoreError::Conflict(format!(
                "{id}: credentials are at version {}, not {expected}",
                row.conn.credentials_version
            )));
        }
        row.credentials = Some(credentials);
        row.conn.credentials_version += 1;
        Ok(row.conn.credentials_version)
    }

    pub(crate) fn try_lock_refresh(
        &mut self,
        id: ConnectionId,
        now: Timestamp,
        until: Timestamp,
    ) -> StoreResult<Option<LeaseToken>> {
        let token = self.token();
        let row = self.conn_mut(id)?;
        Ok(Self::take_lease(&mut row.refresh_lease, token, now, until))
    }

    pub(crate) fn unlock_refresh(
        &mut self,
        id: ConnectionId,
        token: LeaseToken,
    ) -> StoreResult<()> {
        let row = self.conn_mut(id)?;
        if row.refresh_lease.is_some_and(|(t, _)| t == token) {
            row.refresh_lease = None;
        }
        Ok(())
    }
}
