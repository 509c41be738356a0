//! The disconnection outbox: disconnections waiting to be announced.

use socialsync_core::clock::Timestamp;
use socialsync_core::domain::Disconnection;
use socialsync_core::error::{StoreError, StoreResult};
use socialsync_core::ids::*;

use super::Inner;

impl Inner {
    pub(crate) fn claim_pending_notifications(
        &mut self,
        now: Timestamp,
        claim_until: Timestamp,
        limit: usize,
    ) -> Vec<Disconnection> {
        let mut out = Vec::new();
        for row in self.disconnections.values_mut() {
            if out.len() >= limit {
                break;
            }
            if !row.notified && row.claim_until <= now {
                row.claim_until = claim_until;
                let mut d = row.disconnection.clone();
                d.newly_disconnected = false;
                out.push(d);
            }
        }
        out
    }

    pub(crate) fn mark_notified(&mut self, id: DisconnectionId) -> StoreResult<()> {
        let row = self
            .disconnections
            .get_mut(&id)
            .ok_or_else(|| StoreError::not_found("disconnection", id))?;
        row.notified = true;
        Ok(())
    }
}
