use crate::clock::Timestamp;
use crate::error::StoreError;
use crate::ids::{ConnectionId, CreatorId, DisconnectionId, PlatformAccountId, PlatformPostId};
use crate::platform::Platform;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Why a connection was disconnected.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum DisconnectReason {
    /// The access token expired and could not be refreshed.
    TokenExpired,
    /// The creator or the platform revoked the authorization.
    Revoked,
    /// The creator changed their password (Instagram).
    PasswordChanged,
    /// The creator removed the app.
    AppRemoved,
    /// The refresh token was refused.
    RefreshRejected,
    /// The platform account no longer exists or is suspended.
    AccountUnavailable,
    /// Another reason, as the platform worded it (never a secret).
    Other(String),
}

impl fmt::Display for DisconnectReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DisconnectReason::TokenExpired => f.write_str("token expired"),
            DisconnectReason::Revoked => f.write_str("authorization revoked"),
            DisconnectReason::PasswordChanged => f.write_str("password changed"),
            DisconnectReason::AppRemoved => f.write_str("app removed"),
            DisconnectReason::RefreshRejected => f.write_str("refresh token rejected"),
            DisconnectReason::AccountUnavailable => f.write_str("account unavailable"),
            DisconnectReason::Other(s) => f.write_str(s),
        }
    }
}

/// A connection's status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum ConnectionStatus {
    /// Working: discovery and scans call the platform.
    Active,
    /// The platform refused the credentials: no calls until the creator reconnects.
    Disconnected {
        /// When.
        since: Timestamp,
        /// Why.
        reason: DisconnectReason,
        /// The disconnection's id (the notifier's de-duplication key).
        disconnection: DisconnectionId,
    },
    /// Reset from the disabled connections view: credentials and high-water
    /// mark dropped, posts and snapshots kept.
    Reset {
        /// When.
        since: Timestamp,
    },
}

impl ConnectionStatus {
    /// The status without its details.
    pub fn kind(&self) -> StatusKind {
        match self {
            ConnectionStatus::Active => StatusKind::Active,
            ConnectionStatus::Disconnected { .. } => StatusKind::Disconnected,
            ConnectionStatus::Reset { .. } => StatusKind::Reset,
        }
    }

    /// Whether the connection is active.
    pub fn is_active(&self) -> bool {
        matches!(self, ConnectionStatus::Active)
    }
}

/// A status without its details.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StatusKind {
    /// Active.
    Active,
    /// Disconnected.
    Disconnected,
    /// Reset.
    Reset,
}

/// One interval of a connection's status history: `[from, to)`, `to` open
/// while current.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusInterval {
    /// The status during the interval.
    pub status: StatusKind,
    /// Start (inclusive).
    pub from: Timestamp,
    /// End (exclusive); `None` for the current interval.
    pub to: Option<Timestamp>,
    /// Why, for a disconnection.
    pub reason: Option<DisconnectReason>,
}

impl StatusInterval {
    /// Whether this interval overlaps `[from, to)`.
    pub fn overlaps(&self, from: Timestamp, to: Timestamp) -> bool {
        self.from < to && self.to.is_none_or(|end| end > from)
    }
}

/// Discovery's high-water mark: the newest post seen, by `(published_at, id)`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct HighWater {
    /// The newest post's publish time.
    pub published_at: Timestamp,
    /// Its id (the tie-breaker).
    pub post_id: PlatformPostId,
}

/// How a connection is doing.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ConnectionHealth {
    /// The last scan or discovery that succeeded.
    pub last_success_at: Option<Timestamp>,
    /// Failures since the last success.
    pub consecutive_failures: u32,
    /// The last failure.
    pub last_failure_at: Option<Timestamp>,
    /// What the last failure was (never a secret).
    pub last_error: Option<String>,
    /// The permissions the creator did not grant (the connection is degraded).
    pub missing_permissions: Vec<String>,
    /// Posts went missing that the account's post count does not account
    /// for: none of them is deleted, and the suspicion is checked again at
    /// [`Suspicion::recheck_at`].
    #[serde(default)]
    pub suspect: Option<Suspicion>,
    /// Parts of readings the platform sent that could not be taken (an
    /// invalid value of a metric, an error about one post), counted since
    /// the connection was made; those metrics were absent, the rest landed.
    #[serde(default)]
    pub reading_problems: u64,
    /// The last of them.
    #[serde(default)]
    pub last_reading_problem: Option<LastProblem>,
}

/// The last problem of a kind, for the health view.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LastProblem {
    /// When.
    pub at: Timestamp,
    /// What (never a secret).
    pub what: String,
}

/// A connection whose token may read the account but not its posts: posts
/// went missing while the account's post count did not fall as far.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Suspicion {
    /// Since when it is suspect.
    pub since: Timestamp,
    /// Posts missing at the last check beyond what the count accounts for.
    pub unexplained: u32,
    /// Until then a missing post is not confirmed again (no extra calls):
    /// it stays `Monitoring`.
    pub recheck_at: Timestamp,
}

/// How long a fall of an account's post count stays an allowance for
/// deletions (two days: longer than a suspicion's daily re-check plus a
/// slot). A post really deleted is found missing at its next slot; a fall
/// older than this was of posts nobody tracks.
pub const POST_COUNT_FALL_LIFETIME: chrono::TimeDelta = chrono::TimeDelta::days(2);

/// A control read of an account's post count, against posts that went
/// missing ([`Connection::check_post_count`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PostCountCheck {
    /// The count the platform gave (`None`: it gave none, or an invalid one).
    pub count: Option<u64>,
    /// How many posts went missing and ask to be deleted (0: only record
    /// the count).
    pub missing: u32,
    /// When the account was read.
    pub at: Timestamp,
    /// When a suspicion this check raises is checked again.
    pub recheck_at: Timestamp,
}

/// What a [`PostCountCheck`] allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PostCountVerdict {
    /// How many of the missing posts may be deleted.
    pub granted: u32,
    /// The connection's suspicion when this check left missing posts
    /// unexplained (`None`: every missing post was accounted for).
    pub suspicion: Option<Suspicion>,
    /// Whether this check made the connection suspect (it was not before).
    pub newly_suspect: bool,
}

/// A creator's link to one platform account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Connection {
    /// Its id.
    pub id: ConnectionId,
    /// The creator it belongs to.
    pub creator: CreatorId,
    /// The platform.
    pub platform: Platform,
    /// The account's id on the platform.
    pub account_id: PlatformAccountId,
    /// The account's handle or title.
    pub handle: String,
    /// The status now.
    pub status: ConnectionStatus,
    /// Every status interval, oldest first; the last one is open.
    pub history: Vec<StatusInterval>,
    /// The version of the stored credentials (0 when none are stored).
    pub credentials_version: u64,
    /// Discovery's high-water mark.
    pub high_water: Option<HighWater>,
    /// The account's post count as the deletion guard accounts for it: the
    /// count the platform last gave, less the deletions it granted since
    /// (`None` until first read).
    pub post_count: Option<u64>,
    /// When the platform's count last came up to the accounted one: a fall
    /// older than [`POST_COUNT_FALL_LIFETIME`] that no missing post used is
    /// forgotten (old untracked posts deleted), never an allowance for a
    /// half-broken token later.
    pub post_count_at: Option<Timestamp>,
    /// The last discovery that finished.
    pub last_discovery_at: Option<Timestamp>,
    /// The last deep pass over the whole window that finished.
    pub last_deep_pass_at: Option<Timestamp>,
    /// The tracking-configuration revision the stored posts were last matched against.
    pub matched_revision: u64,
    /// Health.
    pub health: ConnectionHealth,
    /// No calls before this instant (rate limited).
    pub backoff_until: Option<Timestamp>,
    /// When it was first connected.
    pub created_at: Timestamp,
}

impl Connection {
    /// Since when the current status holds.
    pub fn status_since(&self) -> Timestamp {
        self.history
            .last()
            .map(|i| i.from)
            .unwrap_or(self.created_at)
    }

    /// Whether scans may call the platform for this connection at `now`.
    pub fn is_callable(&self, now: Timestamp) -> bool {
        self.status.is_active() && self.backoff_until.is_none_or(|b| b <= now)
    }

    /// A connection made at `now`: active, with one open history interval,
    /// credentials at version 1 and nothing discovered yet.
    pub fn opened(
        id: ConnectionId,
        creator: CreatorId,
        platform: Platform,
        account_id: PlatformAccountId,
        handle: String,
        now: Timestamp,
    ) -> Connection {
        Connection {
            id,
            creator,
            platform,
            account_id,
            handle,
            status: ConnectionStatus::Active,
            history: vec![StatusInterval {
                status: StatusKind::Active,
                from: now,
                to: None,
                reason: None,
            }],
            credentials_version: 1,
            high_water: None,
            post_count: None,
            post_count_at: None,
            last_discovery_at: None,
            last_deep_pass_at: None,
            matched_revision: 0,
            health: ConnectionHealth::default(),
            backoff_until: None,
            created_at: now,
        }
    }

    /// The instant a status change asked for at `at` takes effect: never
    /// before the current status began, so that a clock that stepped back
    /// cannot make the history run backwards.
    pub fn status_change_at(&self, at: Timestamp) -> Timestamp {
        at.max(self.status_since())
    }

    /// Moves to `status` at `at` (see [`Connection::status_change_at`]):
    /// the open history interval ends then and a new one starts (with the
    /// reason, for a disconnection).
    pub fn set_status(&mut self, status: ConnectionStatus, at: Timestamp) {
        let at = self.status_change_at(at);
        if let Some(last) = self.history.last_mut() {
            last.to = Some(at);
        }
        let reason = match &status {
            ConnectionStatus::Disconnected { reason, .. } => Some(reason.clone()),
            _ => None,
        };
        self.history.push(StatusInterval {
            status: status.kind(),
            from: at,
            to: None,
            reason,
        });
        self.status = status;
    }

    /// The account connected again at `now` (new credentials, maybe a new
    /// handle or creator): the credentials version moves on, backoff and
    /// the failure count are cleared, and the connection is active. Returns
    /// the status it had before; its paused posts then resume
    /// ([`PostEvent::ConnectionResumed`](super::PostEvent)) unless it was
    /// active already.
    pub fn reconnect(&mut self, handle: String, creator: CreatorId, now: Timestamp) -> StatusKind {
        let previous = self.status.kind();
        self.credentials_version += 1;
        self.handle = handle;
        self.creator = creator;
        self.backoff_until = None;
        self.health.consecutive_failures = 0;
        // New credentials: whatever made the old ones suspect is checked afresh.
        self.health.suspect = None;
        if previous != StatusKind::Active {
            self.set_status(ConnectionStatus::Active, now);
        }
        previous
    }

    /// Whether a disconnection at `credentials_version` applies: `Ok(None)`
    /// when it does, `Ok(Some(id))` when the connection is disconnected
    /// already (by disconnection `id`), an error when it was reset
    /// (`InvalidState`) or its credentials changed since (`Conflict`: the
    /// failure belonged to older credentials).
    pub fn check_disconnect(
        &self,
        credentials_version: u64,
    ) -> Result<Option<DisconnectionId>, StoreError> {
        match &self.status {
            ConnectionStatus::Reset { .. } => Err(StoreError::InvalidState(format!(
                "{} was reset: there is nothing to disconnect",
                self.id
            ))),
            ConnectionStatus::Disconnected { disconnection, .. } => Ok(Some(*disconnection)),
            ConnectionStatus::Active if self.credentials_version != credentials_version => {
                Err(StoreError::Conflict(format!(
                    "{}: credentials changed since version {credentials_version} (now {})",
                    self.id, self.credentials_version
                )))
            }
            ConnectionStatus::Active => Ok(None),
        }
    }

    /// Disconnected at `at` by `disconnection` for `reason` (after
    /// [`Connection::check_disconnect`] said it applies; the store dates the
    /// disconnection [`Connection::status_change_at`]); its monitoring
    /// posts then pause ([`PostEvent::ConnectionDisconnected`](super::PostEvent)).
    pub fn disconnect(
        &mut self,
        disconnection: DisconnectionId,
        reason: DisconnectReason,
        at: Timestamp,
    ) {
        let at = self.status_change_at(at);
        self.set_status(
            ConnectionStatus::Disconnected {
                since: at,
                reason,
                disconnection,
            },
            at,
        );
    }

    /// The deletion guard (ARCHITECTURE.md §4): a control read gave the
    /// account's post count while `check.missing` posts went missing. Posts are
    /// deleted only as far as the count fell below the one accounted for; each
    /// granted deletion lowers the accounted count, so concurrent and later
    /// checks share one allowance. A count that rose (new posts) is taken as
    /// the new baseline; no count allows nothing. When fewer deletions are
    /// granted than asked the connection becomes (or stays) suspect until
    /// `check.recheck_at`; a check that accounts for every missing post clears
    /// the suspicion. A fall that no missing post used within
    /// [`POST_COUNT_FALL_LIFETIME`] is forgotten: the count becomes the
    /// baseline.
    pub fn check_post_count(&mut self, check: PostCountCheck) -> PostCountVerdict {
        let stale = self
            .post_count_at
            .is_some_and(|t| check.at - t > POST_COUNT_FALL_LIFETIME);
        let granted = match (self.post_count, check.count) {
            (_, None) => 0,
            (Some(accounted), Some(count)) if count < accounted && !stale => {
                let fell = accounted - count;
                let granted = u64::from(check.missing).min(fell);
                self.post_count = Some(accounted - granted);
                if accounted - granted == count {
                    self.post_count_at = Some(check.at);
                }
                // `granted <= missing`, a u32.
                u32::try_from(granted).unwrap_or(check.missing)
            }
            (_, Some(count)) => {
                self.post_count = Some(count);
                self.post_count_at = Some(check.at);
                0
            }
        };
        let (mut suspicion, mut newly_suspect) = (None, false);
        if granted < check.missing {
            newly_suspect = self.health.suspect.is_none();
            let since = self.health.suspect.map_or(check.at, |s| s.since);
            suspicion = Some(Suspicion {
                since,
                unexplained: check.missing - granted,
                recheck_at: check.recheck_at,
            });
            self.health.suspect = suspicion;
        } else if check.missing > 0 {
            self.health.suspect = None;
        }
        PostCountVerdict {
            granted,
            suspicion,
            newly_suspect,
        }
    }

    /// Reset at `now` (the disabled connections view): discovery's progress
    /// and backoff are forgotten and the status becomes `Reset` (once; a
    /// second reset changes nothing). The store drops the credentials and
    /// the leases beside it; posts and readings stay. Refused for an active
    /// connection.
    pub fn reset(&mut self, now: Timestamp) -> Result<(), StoreError> {
        if self.status.is_active() {
            return Err(StoreError::InvalidState(format!(
                "{} is active: only a disconnected connection can be reset",
                self.id
            )));
        }
        self.high_water = None;
        // The post count stays: the same account connects again, and posts
        // deleted meanwhile are still to be accounted for.
        self.health.suspect = None;
        self.last_discovery_at = None;
        self.last_deep_pass_at = None;
        self.matched_revision = 0;
        self.backoff_until = None;
        if !matches!(self.status, ConnectionStatus::Reset { .. }) {
            let at = self.status_change_at(now);
            self.set_status(ConnectionStatus::Reset { since: at }, at);
        }
        Ok(())
    }
}

/// One disconnection: the outcome of [`crate::store::ConnectionStore::disconnect`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Disconnection {
    /// Its id.
    pub id: DisconnectionId,
    /// The connection.
    pub connection: ConnectionId,
    /// The connection's creator.
    pub creator: CreatorId,
    /// The platform.
    pub platform: Platform,
    /// When.
    pub since: Timestamp,
    /// Why.
    pub reason: DisconnectReason,
    /// Whether this call made the disconnection (false: it already existed).
    pub newly_disconnected: bool,
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeDelta;

    /// A host's clock that steps back (NTP, a restarted VM) must not make
    /// the status history run backwards: every interval `[from, to)` has
    /// `from <= to`, each starts where the one before ended, and
    /// `status_since` never moves into the past.
    #[test]
    fn status_history_never_runs_backwards() {
        let t = |h: i64| Timestamp::UNIX_EPOCH + TimeDelta::hours(h);
        let mut c = Connection::opened(
            ConnectionId(1),
            CreatorId(1),
            Platform::TikTok,
            PlatformAccountId::from("acct"),
            "@x".into(),
            t(10),
        );
        c.disconnect(DisconnectionId(1), DisconnectReason::Revoked, t(5));
        c.reconnect("@x".into(), CreatorId(1), t(3));
        for i in &c.history {
            if let Some(to) = i.to {
                assert!(
                    i.from <= to,
                    "interval runs backwards: {i:?} in {:?}",
                    c.history
                );
            }
        }
        for w in c.history.windows(2) {
            assert_eq!(w[0].to, Some(w[1].from), "gap or overlap: {:?}", c.history);
        }
        assert!(
            c.status_since() >= t(10),
            "status_since went back to {:?}",
            c.status_since()
        );
    }
}
