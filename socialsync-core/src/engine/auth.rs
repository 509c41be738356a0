//! Credentials: proactive and on-demand refresh (single-flight across
//! engines), disconnection as a compare-and-set, and the notification outbox.

use super::{Engine, EngineError};
use crate::clock::Timestamp;
use crate::credentials::VersionedCredentials;
use crate::domain::{Connection, ConnectionStatus, DisconnectReason, Disconnection};
use crate::error::StoreError;
use crate::events::ConnectionChange;
use crate::ids::PlatformAccountId;
use crate::platform::Platform;
use crate::platform::{AccountRef, PlatformErrorKind, RefreshModel};
use crate::store::{DeliveryClaim, DeliveryClaimRequest, DisconnectRequest};
use chrono::TimeDelta;
use futures::FutureExt;
use std::panic::AssertUnwindSafe;

/// What a refresh attempt came to.
pub(super) enum Refresh {
    /// New credentials (ours or another engine's).
    Fresh(VersionedCredentials),
    /// The platform refused the refresh: the connection is lost.
    Refused(DisconnectReason),
    /// Not possible now (another engine holds the lease, a transient error,
    /// or the platform cannot refresh this token).
    NotNow,
}

/// Whether credentials should be refreshed ahead of expiry at `now`: once
/// half their lifetime is gone (at least 10 minutes ahead), and for
/// self-refreshing tokens only once they are old enough.
pub(super) fn wants_refresh(model: RefreshModel, c: &VersionedCredentials, now: Timestamp) -> bool {
    let Some(expires) = c.credentials.expires_at else {
        return false;
    };
    if expires <= now {
        return !matches!(model, RefreshModel::SelfRefreshing { .. });
    }
    let issued = c.credentials.issued_at;
    let lifetime = issued.map(|i| expires - i).unwrap_or(TimeDelta::hours(2));
    let ahead = (lifetime / 2).max(TimeDelta::minutes(10));
    if expires - now > ahead {
        return false;
    }
    match model {
        RefreshModel::SelfRefreshing { min_age } => issued.is_none_or(|i| now - i >= min_age),
        _ => c.credentials.refresh_token.is_some(),
    }
}

/// Whether `c` can be refreshed on demand under `model` (a refresh token,
/// and not a token that only refreshes itself with age).
pub(super) fn refreshable(model: RefreshModel, c: &VersionedCredentials) -> bool {
    !matches!(model, RefreshModel::SelfRefreshing { .. }) && c.credentials.refresh_token.is_some()
}

impl Engine {
    /// Refreshes `conn`'s credentials, read at `read`, single-flight across
    /// engines through the store's refresh lease; the new pair is saved
    /// against the version read.
    pub(super) async fn refresh(
        &self,
        conn: &Connection,
        read: &VersionedCredentials,
    ) -> Result<Refresh, EngineError> {
        let store = &self.inner.store;
        let platform = self.platform(conn.platform)?;
        let now = self.now();
        let Some(lease) = store
            .try_lock_refresh(conn.id, now, now + self.inner.policy.lease)
            .await?
        else {
            return Ok(Refresh::NotNow);
        };
        let outcome = self.refresh_locked(conn, read, platform.as_ref()).await;
        store.unlock_refresh(conn.id, lease).await?;
        outcome
    }

    async fn refresh_locked(
        &self,
        conn: &Connection,
        read: &VersionedCredentials,
        platform: &dyn crate::platform::SocialPlatform,
    ) -> Result<Refresh, EngineError> {
        let store = &self.inner.store;
        let Some(current) = store.get_credentials(conn.id).await? else {
            return Ok(Refresh::NotNow);
        };
        if current.version != read.version {
            // Another engine refreshed meanwhile.
            return Ok(Refresh::Fresh(current));
        }
        let account = AccountRef {
            account_id: &conn.account_id,
            credentials: &current.credentials,
        };
        match platform.refresh_credentials(account).await {
            Ok(mut fresh) => {
                if fresh.refresh_token.is_none() {
                    // Google returns no new refresh token: keep the stored one.
                    fresh.refresh_token = current.credentials.refresh_token.clone();
                }
                if fresh.issued_at.is_none() {
                    fresh.issued_at = Some(self.now());
                }
                match store
                    .swap_credentials(conn.id, current.version, fresh.clone())
                    .await
                {
                    Ok(version) => {
                        self.publish_connection(conn, ConnectionChange::Refreshed)
                            .await;
                        Ok(Refresh::Fresh(VersionedCredentials {
                            version,
                            credentials: fresh,
                        }))
                    }
                    Err(StoreError::Conflict(_)) => Ok(store
                        .get_credentials(conn.id)
                        .await?
                        .map_or(Refresh::NotNow, Refresh::Fresh)),
                    Err(e) => Err(e.into()),
                }
            }
            Err(e) => match e.kind {
                PlatformErrorKind::TokenInvalid(reason) => Ok(Refresh::Refused(reason)),
                _ => {
                    tracing::warn!(connection = %conn.id, error = %e, "refresh failed; retrying later");
                    Ok(Refresh::NotNow)
                }
            },
        }
    }

    /// Refreshes ahead of expiry when due; returns the credentials to use.
    pub(super) async fn fresh_credentials(
        &self,
        conn: &Connection,
        read: VersionedCredentials,
    ) -> Result<Option<VersionedCredentials>, EngineError> {
        let model = self.platform(conn.platform)?.capabilities().refresh;
        if !wants_refresh(model, &read, self.now()) {
            return Ok(Some(read));
        }
        match self.refresh(conn, &read).await? {
            Refresh::Fresh(c) => Ok(Some(c)),
            Refresh::Refused(reason) => {
                self.disconnect(conn, read.version, reason).await?;
                Ok(None)
            }
            Refresh::NotNow => {
                let expired = read.credentials.expires_at.is_some_and(|e| e <= self.now());
                Ok((!expired).then_some(read))
            }
        }
    }

    /// Handles a token error: one refresh where the platform allows it, else
    /// (or when the refresh is refused) a disconnection. Returns new
    /// credentials to retry with, if any.
    pub(super) async fn on_token_invalid(
        &self,
        conn: &Connection,
        read: &VersionedCredentials,
        reason: DisconnectReason,
    ) -> Result<Option<VersionedCredentials>, EngineError> {
        let model = self.platform(conn.platform)?.capabilities().refresh;
        let can_refresh =
            refreshable(model, read) && matches!(reason, DisconnectReason::TokenExpired);
        if can_refresh {
            match self.refresh(conn, read).await? {
                Refresh::Fresh(c) => return Ok(Some(c)),
                Refresh::NotNow => return Ok(None),
                Refresh::Refused(r) => {
                    self.disconnect(conn, read.version, r).await?;
                    return Ok(None);
                }
            }
        }
        self.disconnect(conn, read.version, reason).await?;
        Ok(None)
    }

    /// Disconnects a connection because its platform reported, outside any
    /// API call, that the authorization is gone: a webhook (TikTok's
    /// `authorization.removed`), a deauthorization or deletion callback.
    /// Hosts call this rather than the store, so the disconnection is
    /// published and notified like one the engine finds itself.
    ///
    /// The connection of `(platform, account)` is disconnected as a
    /// compare-and-set at its current credentials version: the first
    /// report (or failing API call) makes the disconnection, publishes a
    /// [`ConnectionChange::Disconnected`] event and calls the notifier once
    /// for it; the result then has `newly_disconnected: true`. Reports are
    /// idempotent (platforms deliver at least once): a connection already
    /// disconnected gives its existing disconnection, with
    /// `newly_disconnected: false`, and nothing is published or notified
    /// again.
    ///
    /// `Ok(None)` when there is nothing to disconnect: no connection of
    /// that account, a connection that was reset, or one whose credentials
    /// changed while the report was handled (a reconnection or a refresh:
    /// if the authorization is really gone, the next API call finds it out
    /// and disconnects). The platform need not be registered with this engine.
    pub async fn disconnect_reported(
        &self,
        platform: Platform,
        account: &PlatformAccountId,
        reason: DisconnectReason,
    ) -> Result<Option<Disconnection>, EngineError> {
        let store = &self.inner.store;
        let Some(conn) = store.get_connection_by_account(platform, account).await? else {
            return Ok(None);
        };
        if matches!(conn.status, ConnectionStatus::Reset { .. }) {
            return Ok(None);
        }
        match self
            .disconnect_at(&conn, conn.credentials_version, reason)
            .await
        {
            // Reset between the read and the compare-and-set.
            Err(EngineError::Store(StoreError::InvalidState(_))) => Ok(None),
            other => other,
        }
    }

    /// [`Engine::disconnect_reported`] for a webhook `delivery`, handled
    /// once whichever process receives it: the handling is claimed through
    /// the store first (for the engine's lease), and marked finished when
    /// it succeeded. A replay of a handled delivery (the same signed
    /// delivery again, inside the window it is accepted in) is
    /// [`Delivered::Replayed`] and changes nothing, even after the creator
    /// reconnected; one that arrives while another handler holds the claim
    /// is [`Delivered::InProgress`] (answer so that the sender retries).
    /// When handling fails, or its handler vanished before finishing (a
    /// dropped future, a killed process: its claim lapses), the sender's
    /// next attempt is handled. Records outlive the delivery's window by
    /// [`DELIVERY_CLOCK_MARGIN`], so processes whose clocks differ agree.
    pub async fn disconnect_delivered(
        &self,
        delivery: &Delivery,
        platform: Platform,
        account: &PlatformAccountId,
        reason: DisconnectReason,
    ) -> Result<Delivered, EngineError> {
        let store = &self.inner.store;
        let now = self.now();
        let claim = DeliveryClaimRequest {
            key: delivery.key.clone(),
            claim_until: now + self.inner.policy.lease,
            keep_until: delivery.until + DELIVERY_CLOCK_MARGIN,
            now,
        };
        let token = match store.claim_delivery(claim).await? {
            DeliveryClaim::Claimed(token) => token,
            DeliveryClaim::Handled => {
                tracing::info!(%platform, "webhook delivery replayed; ignored");
                return Ok(Delivered::Replayed);
            }
            DeliveryClaim::InProgress(until) => {
                tracing::info!(%platform, "webhook delivery being handled elsewhere");
                return Ok(Delivered::InProgress { until });
            }
        };
        match self.disconnect_reported(platform, account, reason).await {
            Ok(d) => {
                store.finish_delivery(&delivery.key, token).await?;
                Ok(Delivered::Handled(d))
            }
            Err(e) => {
                if let Err(forget) = store.forget_delivery(&delivery.key, token).await {
                    tracing::warn!(error = %forget, "could not forget a failed webhook delivery");
                }
                Err(e)
            }
        }
    }

    /// Disconnects (compare-and-set); the engine that made the disconnection
    /// publishes it and calls the host's notifier. Whether this call made it.
    pub(super) async fn disconnect(
        &self,
        conn: &Connection,
        credentials_version: u64,
        reason: DisconnectReason,
    ) -> Result<bool, EngineError> {
        Ok(self
            .disconnect_at(conn, credentials_version, reason)
            .await?
            .is_some_and(|d| d.newly_disconnected))
    }

    /// [`Engine::disconnect`], with the disconnection (new or existing);
    /// `None` when the credentials moved past `credentials_version`.
    async fn disconnect_at(
        &self,
        conn: &Connection,
        credentials_version: u64,
        reason: DisconnectReason,
    ) -> Result<Option<Disconnection>, EngineError> {
        let now = self.now();
        let request = DisconnectRequest {
            connection: conn.id,
            credentials_version,
            reason: reason.clone(),
            at: now,
            notify_claim_until: now + self.inner.policy.lease,
        };
        let d = match self.inner.store.disconnect(request).await {
            Ok(d) => d,
            // The credentials changed since the failing call: not this one's to disconnect.
            Err(StoreError::Conflict(_)) => return Ok(None),
            Err(e) => return Err(e.into()),
        };
        if !d.newly_disconnected {
            return Ok(Some(d));
        }
        tracing::warn!(connection = %conn.id, disconnection = %d.id, %reason, "disconnected");
        self.publish_connection(
            conn,
            ConnectionChange::Disconnected {
                disconnection: d.id,
                reason,
            },
        )
        .await;
        if self.inner.notifier.connection_lost(&d).await.is_ok() {
            self.inner.store.mark_notified(d.id).await?;
        }
        Ok(Some(d))
    }

    /// Delivers notifications whose delivery did not complete (a crash, a
    /// failing host): the same disconnection id again.
    pub(super) async fn deliver_pending_notifications(&self) -> Result<(), EngineError> {
        let now = self.now();
        let pending = self
            .inner
            .store
            .claim_pending_notifications(now, now + self.inner.policy.lease, 100)
            .await?;
        for d in pending {
            // A host's notifier that fails or panics for one notice is that
            // notice's: retried after its claim lapses; the others go on.
            let told = AssertUnwindSafe(self.inner.notifier.connection_lost(&d))
                .catch_unwind()
                .await;
            match told {
                Ok(Ok(())) => self.inner.store.mark_notified(d.id).await?,
                Ok(Err(e)) => {
                    tracing::warn!(connection = %d.connection, error = %e, "reconnect notice not delivered; retried later")
                }
                Err(_) => {
                    tracing::error!(connection = %d.connection, "the reconnect notifier panicked; retried later")
                }
            }
        }
        Ok(())
    }

    /// Records missing permissions and tells the host when they changed.
    pub(super) async fn degrade(
        &self,
        conn: &Connection,
        mut missing: Vec<String>,
    ) -> Result<(), EngineError> {
        // Compared, kept and told as the store keeps them (less U+0000).
        crate::text::Storable::make_storable(&mut missing);
        missing.sort();
        missing.dedup();
        if conn.health.missing_permissions == missing {
            return Ok(());
        }
        self.inner
            .store
            .record_health(
                conn.id,
                crate::store::HealthUpdate::MissingPermissions(missing.clone()),
            )
            .await?;
        if !missing.is_empty() {
            self.publish_connection(
                conn,
                ConnectionChange::Degraded {
                    missing: missing.clone(),
                },
            )
            .await;
            if let Err(e) = self
                .inner
                .notifier
                .permissions_missing(conn, &missing)
                .await
            {
                tracing::warn!(connection = %conn.id, error = %e, "permission notice not delivered");
            }
        }
        Ok(())
    }
}

/// One webhook delivery as the platform signed it: `key` names it (derive
/// it from the verified signature, so nobody else can make it) and is
/// remembered until `until`, when the delivery would be refused as stale
/// anyway.
#[derive(Clone, PartialEq, Eq)]
pub struct Delivery {
    /// What names the delivery (at most
    /// [`MAX_DELIVERY_KEY`](crate::store::MAX_DELIVERY_KEY) bytes).
    pub key: String,
    /// Until when a replay of it could still be accepted.
    pub until: Timestamp,
}

impl std::fmt::Debug for Delivery {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The key is derived from a signature: not secret, but of no use
        // in a log either.
        f.debug_struct("Delivery")
            .field("until", &self.until)
            .finish_non_exhaustive()
    }
}

/// What [`Engine::disconnect_delivered`] did with a delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Delivered {
    /// The first time: what [`Engine::disconnect_reported`] gave.
    Handled(Option<Disconnection>),
    /// Seen before: nothing changed.
    Replayed,
    /// Another handler (this process or another) holds the delivery until
    /// the instant given: nothing changed; the sender should try again
    /// (answer with a status it retries, such as 503).
    InProgress {
        /// When the other handler's claim lapses.
        until: Timestamp,
    },
}

/// How long a webhook delivery's record outlives the instant until which
/// the delivery is accepted: processes whose clocks differ by less than
/// this recognise each other's deliveries.
pub const DELIVERY_CLOCK_MARGIN: TimeDelta = TimeDelta::hours(1);

impl Delivered {
    /// The disconnection, when this delivery was handled and there was one.
    pub fn disconnection(&self) -> Option<&Disconnection> {
        match self {
            Delivered::Handled(d) => d.as_ref(),
            Delivered::Replayed | Delivered::InProgress { .. } => None,
        }
    }
}
