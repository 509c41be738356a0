//! The engine's reaction to each platform answer during a scan, as pure
//! decisions: what a failed metrics call means for its batch ([`react`]),
//! what each post's answer means for that post ([`verdict`]), and what a
//! verdict writes ([`settle`]). `scan_connection` does the I/O they call
//! for; the tables in the tests pin each decision down.

use crate::clock::Timestamp;
use crate::domain::{DisconnectReason, PostState};
use crate::events::ScanOutcome;
use crate::metrics::Metrics;
use crate::platform::PlatformErrorKind;
use crate::policy::MonitoringPolicy;
use crate::store::{ClaimedPost, NextScan, ScanCompletion, ScanReading};

/// What a scan does after the metrics call for a batch failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum CallReaction {
    /// The token was refused, and not yet refreshed for this call: refresh
    /// where the platform allows (else disconnect), then ask again.
    Refresh(DisconnectReason),
    /// The token was refused again with fresh credentials: disconnect; the
    /// claims of this batch and the rest are released.
    Disconnect(DisconnectReason),
    /// Throttled: back off as far as the limit reaches; the claims are
    /// released (not a failure of the connection).
    BackOff,
    /// A permission is missing: the connection is degraded, stays active,
    /// and the batch completes unread, due at its next slot.
    Degrade(String),
    /// The call as a whole was "not found": every post of it is missing,
    /// to be confirmed one by one like any missing post.
    AllMissing,
    /// Anything else is transient: counted on the connection's health; the
    /// claims lapse and are retried after the lease.
    Lapse,
}

/// The reaction to a failed metrics call; `refreshed` when the call was
/// already repeated with refreshed credentials.
pub(super) fn react(kind: &PlatformErrorKind, refreshed: bool) -> CallReaction {
    match kind {
        PlatformErrorKind::TokenInvalid(r) if !refreshed => CallReaction::Refresh(r.clone()),
        PlatformErrorKind::TokenInvalid(r) => CallReaction::Disconnect(r.clone()),
        PlatformErrorKind::RateLimited { .. } => CallReaction::BackOff,
        PlatformErrorKind::PermissionMissing(p) => CallReaction::Degrade(p.clone()),
        PlatformErrorKind::NotFound => CallReaction::AllMissing,
        _ => CallReaction::Lapse,
    }
}

/// What to do with one claimed post after its batch was answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Verdict {
    /// Read: these are its metrics.
    Read(Metrics),
    /// Confirmed gone, and the account's post count fell that far.
    Deleted,
    /// A `Deleted` post still missing: read again later.
    StillGone,
    /// Missing, but the deletion guard allows no deletion (the connection
    /// is suspect): it stays `Monitoring`, due at its next slot.
    Held,
    /// Leave the claim to lapse: retried after the lease.
    Retry,
    /// Missing for the first time: to be confirmed by a single-post read and
    /// a control read of the account before anything is deleted.
    Unconfirmed,
}

/// One post's answer: its reading, whether its own read failed, its state,
/// and whether the connection is suspect (missing posts wait for the
/// re-check then: no confirmation calls, nothing deleted).
pub(super) fn verdict(
    reading: Option<Metrics>,
    read_failed: bool,
    state: PostState,
    suspect: bool,
) -> Verdict {
    match reading {
        Some(m) => Verdict::Read(m),
        None if read_failed => Verdict::Retry,
        None if state == PostState::Deleted => Verdict::StillGone,
        None if suspect => Verdict::Held,
        None => Verdict::Unconfirmed,
    }
}

/// What a verdict writes for its claim at `now`.
#[derive(Debug, Clone)]
pub(super) struct Settled {
    /// The completion to write under the claim.
    pub(super) completion: ScanCompletion,
    /// The scan event's outcome.
    pub(super) outcome: ScanOutcome,
    /// The metrics read, for the event's changes.
    pub(super) reading: Option<Metrics>,
}

/// What `v` writes for `c` at `now`; `None` leaves the claim to lapse.
pub(super) fn settle(
    v: Verdict,
    c: &ClaimedPost,
    policy: &MonitoringPolicy,
    now: Timestamp,
) -> Option<Settled> {
    let unread = |completion, outcome| Settled {
        completion,
        outcome,
        reading: None,
    };
    Some(match v {
        Verdict::Retry | Verdict::Unconfirmed => return None,
        // The answer came back past the post's last chance to be read: it is
        // not kept, and the post expires unread.
        Verdict::Read(_) | Verdict::Deleted | Verdict::StillGone if too_late(c, policy, now) => {
            unread(unread_expiry(c, now), ScanOutcome::Expired)
        }
        Verdict::Deleted | Verdict::StillGone => {
            let next = policy.after_deletion(c.post.monitor_until, now);
            let confirmed = v == Verdict::Deleted;
            let completion = ScanCompletion {
                post: c.post.id,
                token: c.token,
                at: now,
                // A confirmed deletion is a scan; a re-read that finds the
                // post still gone is not a reading.
                reading: if confirmed {
                    ScanReading::Unchanged
                } else {
                    ScanReading::NotRead
                },
                next,
            };
            let outcome = match next {
                NextScan::Expire => ScanOutcome::Expired,
                _ if confirmed => ScanOutcome::Deleted,
                _ => ScanOutcome::Unchanged,
            };
            unread(completion, outcome)
        }
        Verdict::Held => {
            let completion = completion(c, ScanReading::NotRead, policy, now);
            let outcome = match completion.next {
                NextScan::Expire => ScanOutcome::Expired,
                _ => ScanOutcome::Unchanged,
            };
            unread(completion, outcome)
        }
        Verdict::Read(m) => {
            let changed = c
                .post
                .latest
                .is_none_or(|old| !m.changed_from(&old).is_empty());
            let completion = completion(c, ScanReading::read(changed.then_some(m)), policy, now);
            let outcome = match (completion.next, changed) {
                (NextScan::Expire, _) => ScanOutcome::Expired,
                (_, true) => ScanOutcome::Changed,
                (_, false) => ScanOutcome::Unchanged,
            };
            Settled {
                completion,
                outcome,
                reading: Some(m),
            }
        }
    })
}

/// Whether a claimed post may no longer be read at `now`: past
/// `monitor_until` plus one lease.
pub(super) fn too_late(c: &ClaimedPost, policy: &MonitoringPolicy, now: Timestamp) -> bool {
    now > policy.read_deadline(c.post.monitor_until)
}

/// The completion of a scan of `c` at `now` with `reading`, due at its next
/// slot (or expiring after its last).
pub(super) fn completion(
    c: &ClaimedPost,
    reading: ScanReading,
    policy: &MonitoringPolicy,
    now: Timestamp,
) -> ScanCompletion {
    let deleted = c.post.state == PostState::Deleted;
    let next = match policy.next_slot_after(c.post.anchored_at, now) {
        // Nothing read of a `Deleted` post: it stays so, read again later.
        _ if deleted && !reading.is_scan() => policy.after_deletion(c.post.monitor_until, now),
        // A `Deleted` post that reads again is monitored again.
        Some(t) if deleted => NextScan::Resume(t),
        Some(t) => NextScan::At(t),
        None => NextScan::Expire,
    };
    ScanCompletion {
        post: c.post.id,
        token: c.token,
        at: now,
        reading,
        next,
    }
}

/// A claimed post expired without a reading (past its read deadline).
pub(super) fn unread_expiry(c: &ClaimedPost, now: Timestamp) -> ScanCompletion {
    ScanCompletion {
        post: c.post.id,
        token: c.token,
        at: now,
        reading: ScanReading::NotRead,
        next: NextScan::Expire,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::MediaKind;
    use crate::ids::{BrandId, ConnectionId, CreatorId, LeaseToken, PostId, ScopeId};
    use crate::metrics::Metric;
    use crate::platform::{LimitReach, Platform};
    use crate::store::DuePost;
    use chrono::TimeDelta;
    use std::sync::Arc;

    fn t0() -> Timestamp {
        "2026-03-01T00:00:00Z".parse().unwrap()
    }

    fn views(v: u64) -> Metrics {
        Metrics::new().with(Metric::Views, v)
    }

    /// A post published at `t0`, claimed in `state`, last read as `latest`.
    fn claim(state: PostState, latest: Option<Metrics>) -> ClaimedPost {
        let policy = MonitoringPolicy::default();
        ClaimedPost {
            token: LeaseToken(7),
            post: DuePost {
                id: PostId(1),
                platform: Platform::TikTok,
                platform_post_id: "v1".into(),
                connection: ConnectionId(1),
                creator: CreatorId(1),
                kind: MediaKind::Video,
                published_at: t0(),
                anchored_at: t0(),
                monitor_until: policy.monitor_until(t0()),
                next_scan_at: t0(),
                state,
                latest,
                brands: Arc::from([BrandId(1)]),
                scopes: Arc::from([ScopeId(1)]),
            },
        }
    }

    #[test]
    fn each_failed_call_has_one_reaction() {
        use PlatformErrorKind as K;
        let expired = DisconnectReason::TokenExpired;
        let limited = K::RateLimited {
            until: None,
            reach: LimitReach::Account,
        };
        let table: Vec<(K, bool, CallReaction)> = vec![
            (
                K::TokenInvalid(expired.clone()),
                false,
                CallReaction::Refresh(expired.clone()),
            ),
            (
                K::TokenInvalid(expired.clone()),
                true,
                CallReaction::Disconnect(expired.clone()),
            ),
            (limited.clone(), false, CallReaction::BackOff),
            (limited, true, CallReaction::BackOff),
            (
                K::PermissionMissing("insights".into()),
                false,
                CallReaction::Degrade("insights".into()),
            ),
            (K::NotFound, false, CallReaction::AllMissing),
            (K::NotFound, true, CallReaction::AllMissing),
            (K::Unavailable, false, CallReaction::Lapse),
            (K::InvalidResponse, false, CallReaction::Lapse),
        ];
        for (kind, refreshed, want) in table {
            assert_eq!(
                react(&kind, refreshed),
                want,
                "{kind:?}, refreshed {refreshed}"
            );
        }
    }

    #[test]
    fn each_posts_answer_has_one_verdict() {
        use PostState::{Deleted, Monitoring};
        let m = views(5);
        let table = [
            // reading, its read failed, state, suspect → verdict
            (Some(m), false, Monitoring, false, Verdict::Read(m)),
            (Some(m), false, Deleted, true, Verdict::Read(m)),
            (None, true, Monitoring, false, Verdict::Retry),
            (None, true, Deleted, false, Verdict::Retry),
            (None, false, Deleted, false, Verdict::StillGone),
            (None, false, Deleted, true, Verdict::StillGone),
            (None, false, Monitoring, true, Verdict::Held),
            (None, false, Monitoring, false, Verdict::Unconfirmed),
        ];
        for (reading, failed, state, suspect, want) in table {
            assert_eq!(
                verdict(reading, failed, state, suspect),
                want,
                "{reading:?} failed {failed} {state:?} suspect {suspect}"
            );
        }
    }

    /// The reading written, the next scan's kind and the event's outcome.
    fn shape(s: &Settled) -> (&'static str, &'static str, ScanOutcome) {
        let reading = match s.completion.reading {
            ScanReading::Changed(_) => "changed",
            ScanReading::Unchanged => "unchanged",
            ScanReading::NotRead => "not read",
        };
        let next = match s.completion.next {
            NextScan::At(_) => "at",
            NextScan::Resume(_) => "resume",
            NextScan::Delete(_) => "delete",
            NextScan::Expire => "expire",
        };
        (reading, next, s.outcome)
    }

    #[test]
    fn each_verdict_writes_one_completion() {
        use PostState::{Deleted, Monitoring};
        use ScanOutcome as O;
        let policy = MonitoringPolicy::default();
        let end = policy.monitor_until(t0());
        let within = t0() + TimeDelta::minutes(90);
        let last = end;
        let past = policy.read_deadline(end) + TimeDelta::seconds(1);
        let (old, new) = (Some(views(5)), views(6));
        let table = [
            // verdict, state, latest, now → reading, next, outcome
            (
                Verdict::Read(new),
                Monitoring,
                old,
                within,
                ("changed", "at", O::Changed),
            ),
            (
                Verdict::Read(new),
                Monitoring,
                None,
                within,
                ("changed", "at", O::Changed),
            ),
            (
                Verdict::Read(views(5)),
                Monitoring,
                old,
                within,
                ("unchanged", "at", O::Unchanged),
            ),
            (
                Verdict::Read(new),
                Monitoring,
                old,
                last,
                ("changed", "expire", O::Expired),
            ),
            (
                Verdict::Read(new),
                Monitoring,
                old,
                past,
                ("not read", "expire", O::Expired),
            ),
            (
                Verdict::Read(new),
                Deleted,
                old,
                within,
                ("changed", "resume", O::Changed),
            ),
            (
                Verdict::Deleted,
                Monitoring,
                old,
                within,
                ("unchanged", "delete", O::Deleted),
            ),
            (
                Verdict::Deleted,
                Monitoring,
                old,
                last,
                ("unchanged", "expire", O::Expired),
            ),
            (
                Verdict::Deleted,
                Monitoring,
                old,
                past,
                ("not read", "expire", O::Expired),
            ),
            (
                Verdict::StillGone,
                Deleted,
                old,
                within,
                ("not read", "delete", O::Unchanged),
            ),
            (
                Verdict::StillGone,
                Deleted,
                old,
                last,
                ("not read", "expire", O::Expired),
            ),
            (
                Verdict::Held,
                Monitoring,
                old,
                within,
                ("not read", "at", O::Unchanged),
            ),
            (
                Verdict::Held,
                Monitoring,
                old,
                last,
                ("not read", "expire", O::Expired),
            ),
        ];
        for (v, state, latest, now, want) in table {
            let what = format!("{v:?} {state:?} at {now}");
            let c = claim(state, latest);
            let settled = settle(v, &c, &policy, now).unwrap_or_else(|| panic!("{what}: none"));
            assert_eq!(shape(&settled), want, "{what}");
            assert_eq!(settled.completion.at, now, "{what}");
            assert_eq!(settled.completion.token, c.token, "{what}");
        }
        for v in [Verdict::Retry, Verdict::Unconfirmed] {
            let c = claim(Monitoring, old);
            assert!(settle(v, &c, &policy, within).is_none(), "the claim lapses");
        }
    }
}
