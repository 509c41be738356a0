//! The webhook delivery log: which deliveries were handled or are being handled.

use socialsync_core::ids::*;
use socialsync_core::store::*;

use super::{DeliveryRecord, Inner};

impl Inner {
    pub(crate) fn claim_delivery(&mut self, claim: DeliveryClaimRequest) -> DeliveryClaim {
        let now = claim.now;
        self.deliveries.retain(|_, r| r.keep_until >= now);
        if let Some(r) = self.deliveries.get(&claim.key) {
            match r.claimed_until {
                None => return DeliveryClaim::Handled,
                Some(until) if until >= now => return DeliveryClaim::InProgress(until),
                // The handler never finished: this caller takes over.
                Some(_) => {}
            }
        }
        let token = self.token();
        self.deliveries.insert(
            claim.key,
            DeliveryRecord {
                keep_until: claim.keep_until,
                claimed_until: Some(claim.claim_until),
                token,
            },
        );
        DeliveryClaim::Claimed(token)
    }

    /// The delivery's record while `token` holds its claim.
    fn claimed_delivery(&mut self, key: &str, token: LeaseToken) -> Option<&mut DeliveryRecord> {
        self.deliveries
            .get_mut(key)
            .filter(|r| r.token == token && r.claimed_until.is_some())
    }

    pub(crate) fn finish_delivery(&mut self, key: &str, token: LeaseToken) {
        if let Some(r) = self.claimed_delivery(key, token) {
            r.claimed_until = None;
        }
    }

    pub(crate) fn forget_delivery(&mut self, key: &str, token: LeaseToken) {
        if self.claimed_delivery(key, token).is_some() {
            self.deliveries.remove(key);
        }
    }
}
