//! Connections, health, backoffs and the discovery lease.

use socialsync_core::clock::Timestamp;
use socialsync_core::domain::{
    Connection, Disconnection, LastProblem, PostCountCheck, PostCountVerdict, PostEvent, PostState,
    StatusKind, successor,
};
use socialsync_core::error::{StoreError, StoreResult};
use socialsync_core::ids::*;
use socialsync_core::platform::Platform;
use socialsync_core::store::*;
use std::collections::BTreeSet;

use super::{ConnRow, DiscRow, Inner};

impl Inner {
    pub(crate) fn connect(&mut self, new: NewConnection, now: Timestamp) -> StoreResult<Connected> {
        if !self.creators.contains_key(&new.creator) {
            return Err(StoreError::not_found("creator", new.creator));
        }
        let key = (new.platform, new.account_id.clone());
        let Some(&id) = self.by_account.get(&key) else {
            let id = ConnectionId(self.id());
            let conn = Connection::opened(
                id,
                new.creator,
                new.platform,
                new.account_id,
                new.handle,
                now,
            );
            self.connections.insert(
                id,
                ConnRow {
                    conn: conn.clone(),
                    credentials: Some(new.credentials),
                    refresh_lease: None,
                    discovery_lease: None,
                },
            );
            self.by_account.insert(key, id);
            return Ok(Connected {
                connection: conn,
                previous: None,
                resumed_posts: 0,
                expired_posts: 0,
            });
        };
        let row = self.conn_mut(id)?;
        row.credentials = Some(new.credentials);
        let previous = row.conn.reconnect(new.handle, new.creator, now);
        let conn = row.conn.clone();
        let (mut resumed, mut expired) = (0, 0);
        if previous != StatusKind::Active {
            for row in &mut self.posts {
                if row.post.connection != id {
                    continue;
                }
                let before = row.post.state;
                let after = row.post.apply(PostEvent::ConnectionResumed, now);
                if before == after.state {
                    continue;
                }
                match after.state {
                    PostState::Monitoring => resumed += 1,
                    PostState::Expired => expired += 1,
                    _ => {}
                }
                if let Some((t, id)) = row.due_entry() {
                    self.due.push(t, id);
                }
            }
        }
        Ok(Connected {
            connection: conn,
            previous: Some(previous),
            resumed_posts: resumed,
            expired_posts: expired,
        })
    }

    pub(crate) fn get_connection(&self, id: ConnectionId) -> Option<Connection> {
        self.connections.get(&id).map(|r| r.conn.clone())
    }

    pub(crate) fn get_connection_by_account(
        &self,
        platform: Platform,
        account: &PlatformAccountId,
    ) -> Option<Connection> {
        self.by_account
            .get(&(platform, account.clone()))
            .and_then(|id| self.get_connection(*id))
    }

    pub(crate) fn list_connections(&self, f: &ConnectionFilter) -> Vec<Connection> {
        self.connections
            .values()
            .map(|r| &r.conn)
            .filter(|c| f.creator.is_none_or(|x| c.creator == x))
            .filter(|c| f.platform.is_none_or(|x| c.platform == x))
            .filter(|c| {
                f.statuses
                    .as_ref()
                    .is_none_or(|s| s.contains(&c.status.kind()))
            })
            .cloned()
            .collect()
    }

    pub(crate) fn disconnect(&mut self, req: DisconnectRequest) -> StoreResult<Disconnection> {
        let row = self.conn_mut(req.connection)?;
        if let Some(d) = row.conn.check_disconnect(req.credentials_version)? {
            let mut existing = self
                .disconnections
                .get(&d)
                .map(|r| r.disconnection.clone())
                .ok_or_else(|| StoreError::Corrupt(format!("{d} missing")))?;
            existing.newly_disconnected = false;
            return Ok(existing);
        }
        let at = row.conn.status_change_at(req.at);
        let creator = row.conn.creator;
        let platform = row.conn.platform;
        self.next_id += 1;
        let did = DisconnectionId(self.next_id);
        let row = self.conn_mut(req.connection)?;
        row.conn.disconnect(did, req.reason.clone(), at);
        let active: BTreeSet<ConnectionId> = self
            .connections
            .values()
            .filter(|r| r.conn.status.is_active())
            .map(|r| r.conn.id)
            .collect();
        for row in &mut self.posts {
            if row.post.connection != req.connection {
                continue;
            }
            // Another active lister takes the post over, state and due time kept.
            match successor(req.connection, &row.post.listers, |c| active.contains(&c)) {
                Some(next) => {
                    row.post.connection = next.connection;
                    row.post.creator = next.creator;
                }
                None => {
                    row.post.apply(PostEvent::ConnectionDisconnected, at);
                }
            }
        }
        let d = Disconnection {
            id: did,
            connection: req.connection,
            creator,
            platform,
            since: at,
            reason: req.reason,
            newly_disconnected: true,
        };
        self.disconnections.insert(
            did,
            DiscRow {
                disconnection: d.clone(),
                notified: false,
                claim_until: req.notify_claim_until,
            },
        );
        Ok(d)
    }

    pub(crate) fn reset_connection(
        &mut self,
        id: ConnectionId,
        now: Timestamp,
    ) -> StoreResult<Connection> {
        let row = self.conn_mut(id)?;
        row.conn.reset(now)?;
        row.credentials = None;
        row.refresh_lease = None;
        row.discovery_lease = None;
        Ok(row.conn.clone())
    }

    pub(crate) fn record_health(
        &mut self,
        id: ConnectionId,
        update: HealthUpdate,
    ) -> StoreResult<()> {
        let h = &mut self.conn_mut(id)?.conn.health;
        match update {
            HealthUpdate::Success { at } => {
                h.last_success_at = Some(at);
                h.consecutive_failures = 0;
            }
            HealthUpdate::Failure { at, error } => {
                h.consecutive_failures = h.consecutive_failures.saturating_add(1);
                h.last_failure_at = Some(at);
                h.last_error = Some(error);
            }
            HealthUpdate::MissingPermissions(p) => h.missing_permissions = p,
            HealthUpdate::ReadingProblems { at, count, last } => {
                h.reading_problems = h.reading_problems.saturating_add(u64::from(count));
                h.last_reading_problem = Some(LastProblem { at, what: last });
            }
            HealthUpdate::SuspicionCleared => h.suspect = None,
        }
        Ok(())
    }

    pub(crate) fn check_post_count(
        &mut self,
        id: ConnectionId,
        check: PostCountCheck,
    ) -> StoreResult<PostCountVerdict> {
        Ok(self.conn_mut(id)?.conn.check_post_count(check))
    }

    pub(crate) fn set_backoff(
        &mut self,
        target: BackoffTarget,
        until: Timestamp,
    ) -> StoreResult<()> {
        match target {
            BackoffTarget::Connection(id) => {
                let b = &mut self.conn_mut(id)?.conn.backoff_until;
                *b = Some(b.map_or(until, |u| u.max(until)));
            }
            BackoffTarget::Platform(p) => {
                let b = self.platform_backoff.entry(p).or_insert(until);
                *b = (*b).max(until);
            }
        }
        Ok(())
    }

    pub(crate) fn get_platform_backoff(&self, p: Platform) -> Option<Timestamp> {
        self.platform_backoff.get(&p).copied()
    }

    pub(crate) fn try_claim_discovery(
        &mut self,
        id: ConnectionId,
        now: Timestamp,
        until: Timestamp,
    ) -> StoreResult<Option<LeaseToken>> {
        let token = self.token();
        let row = self.conn_mut(id)?;
        Ok(Self::take_lease(
            &mut row.discovery_lease,
            token,
            now,
            until,
        ))
    }

    pub(crate) fn finish_discovery(
        &mut self,
        id: ConnectionId,
        token: LeaseToken,
        progress: DiscoveryProgress,
    ) -> StoreResult<()> {
        let row = self.conn_mut(id)?;
        if row.discovery_lease.is_none_or(|(t, _)| t != token) {
            return Err(StoreError::LeaseLost);
        }
        row.discovery_lease = None;
        let at = progress.at;
        row.conn.last_discovery_at = Some(at);
        if progress.deep_pass {
            row.conn.last_deep_pass_at = Some(at);
        }
        if let Some(hw) = progress.high_water {
            if row.conn.high_water.as_ref().is_none_or(|old| hw > *old) {
                row.conn.high_water = Some(hw);
            }
        }
        row.conn.matched_revision = row.conn.matched_revision.max(progress.matched_revision);
        Ok(())
    }
}
