//! The rules of a post's life, as one pure function: every store asks
//! [`transition`] what a post's state and due time become, and only
//! persists the answer.
//!
//! A connection's rules (its status history, disconnection, reconnection
//! and reset) are methods of [`Connection`](super::Connection), equally
//! pure.

use super::{Post, PostState};
use crate::clock::Timestamp;

/// What comes after a scan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NextScan {
    /// Due again at this instant (the post stays `Monitoring`).
    At(Timestamp),
    /// The window is over: `Expired`.
    Expire,
    /// Confirmed gone: `Deleted`, read again by id at this instant (a
    /// private or hidden post looks deleted; it may come back).
    Delete(Timestamp),
    /// A `Deleted` post was read again: `Monitoring`, due at this instant.
    Resume(Timestamp),
}

impl NextScan {
    /// What a scan's outcome makes of a post, whatever its state: the
    /// state it ends in (`None`: its state stays) and its due time. The
    /// scan arm of [`transition`], for stores that complete scans without
    /// reading each post's state.
    pub fn outcome(self) -> (Option<PostState>, Due) {
        match self {
            NextScan::At(t) => (None, Due::At(t)),
            NextScan::Expire => (Some(PostState::Expired), Due::Clear),
            NextScan::Delete(t) => (Some(PostState::Deleted), Due::At(t)),
            NextScan::Resume(t) => (Some(PostState::Monitoring), Due::At(t)),
        }
    }
}

/// Something that happened to a post, to which its state answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PostEvent {
    /// Discovery (or a scope change) decided the post's attribution.
    Attributed {
        /// Whether any scope matches it now.
        matched: bool,
        /// Whether the post's connection is active.
        connection_active: bool,
    },
    /// The post's connection was disconnected.
    ConnectionDisconnected,
    /// The post's connection became active again (a reconnection), or an
    /// active lister took the post over from an owner that is not active.
    ConnectionResumed,
    /// The periodic sweep of posts that are not scanned at their slots
    /// (`Paused`, and `Deleted` ones whose connection is not active).
    PausedSwept,
    /// A scan of the post completed.
    Scanned(NextScan),
}

impl PostEvent {
    /// The states in which this event can change a post: in any other,
    /// [`transition`] keeps the state and the due time. Stores select only
    /// these posts before asking [`transition`].
    pub fn acts_on(self) -> &'static [PostState] {
        use PostState::*;
        match self {
            PostEvent::Attributed { matched: true, .. } => &[Seen, Untracked, Deleted],
            PostEvent::Attributed { matched: false, .. } => &[Monitoring, Paused, Deleted],
            PostEvent::ConnectionDisconnected => &[Monitoring],
            PostEvent::ConnectionResumed => &[Paused],
            PostEvent::PausedSwept => &[Paused, Deleted],
            PostEvent::Scanned(_) => &PostState::ALL,
        }
    }
}

/// What happens to a post's due time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Due {
    /// It stays as it was.
    Keep,
    /// It is cleared: nothing is due.
    Clear,
    /// It becomes this instant.
    At(Timestamp),
}

impl Due {
    /// The due time after this change, from the one before it.
    pub fn apply(self, before: Option<Timestamp>) -> Option<Timestamp> {
        match self {
            Due::Keep => before,
            Due::Clear => None,
            Due::At(t) => Some(t),
        }
    }
}

/// A post's state and due time after an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Transition {
    /// The state after the event.
    pub state: PostState,
    /// What happens to the due time.
    pub due: Due,
}

impl Transition {
    /// This transition followed by `event` at `now` on the same post
    /// (whose window ends at `monitor_until`): the later event's state, and
    /// its due time unless it keeps the earlier one's.
    pub fn then(self, monitor_until: Timestamp, event: PostEvent, now: Timestamp) -> Transition {
        let next = transition(
            PostFacts {
                state: self.state,
                monitor_until,
            },
            event,
            now,
        );
        Transition {
            state: next.state,
            due: match next.due {
                Due::Keep => self.due,
                due => due,
            },
        }
    }

    /// Whether the post is to be read when its due time comes: at its
    /// slots while `Monitoring`, at its re-reads while `Deleted`.
    pub fn is_scheduled(&self) -> bool {
        self.state.is_scheduled()
    }
}

/// The facts of a post that its transitions read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PostFacts {
    /// Its state now.
    pub state: PostState,
    /// The end of its monitoring window (inclusive).
    pub monitor_until: Timestamp,
}

impl PostFacts {
    /// Whether the window is still open at `now`.
    fn window_open(&self, now: Timestamp) -> bool {
        now <= self.monitor_until
    }
}

/// What `event` at `now` makes of a post: its state and due time.
///
/// The rules:
/// - **Attributed, matched**: a `Seen` or `Untracked` post starts its
///   monitoring, and a `Deleted` one listed again resumes it (its history
///   whole): `Monitoring` due at once on an active connection, `Paused`
///   (due at once when it resumes) otherwise, `Expired` when its window is
///   over. Any other state stays.
/// - **Attributed, unmatched**: a `Monitoring`, `Paused` or `Deleted` post
///   becomes `Untracked`; its due time is kept (it is not queued any more).
///   A deleted post no scope matches is not read again.
/// - **Connection disconnected**: `Monitoring` becomes `Paused`.
/// - **Connection resumed**: `Paused` becomes `Monitoring` due at once
///   while its window is open, `Expired` otherwise.
/// - **Paused swept**: a `Paused` or `Deleted` post whose window is over
///   is `Expired`.
/// - **Scanned**: `At(t)` keeps the state and makes it due at `t`;
///   `Expire` ends it (`Expired`, nothing due); `Delete(t)` makes it
///   `Deleted`, read again at `t`; `Resume(t)` makes it `Monitoring` due at
///   `t`.
///
/// Whatever is not listed keeps its state and due time.
pub fn transition(post: PostFacts, event: PostEvent, now: Timestamp) -> Transition {
    use PostState::*;
    let keep = Transition {
        state: post.state,
        due: Due::Keep,
    };
    let to = |state, due| Transition { state, due };
    match (event, post.state) {
        (PostEvent::Attributed { matched: true, .. }, Seen | Untracked | Deleted)
            if !post.window_open(now) =>
        {
            to(Expired, Due::Clear)
        }
        (
            PostEvent::Attributed {
                matched: true,
                connection_active,
            },
            Seen | Untracked | Deleted,
        ) => to(
            if connection_active {
                Monitoring
            } else {
                Paused
            },
            Due::At(now),
        ),
        (PostEvent::Attributed { matched: false, .. }, Monitoring | Paused | Deleted) => {
            to(Untracked, Due::Keep)
        }
        (PostEvent::ConnectionDisconnected, Monitoring) => to(Paused, Due::Keep),
        (PostEvent::ConnectionResumed, Paused) if post.window_open(now) => {
            to(Monitoring, Due::At(now))
        }
        (PostEvent::ConnectionResumed, Paused) => to(Expired, Due::Clear),
        (PostEvent::PausedSwept, Paused | Deleted) if !post.window_open(now) => {
            to(Expired, Due::Clear)
        }
        (PostEvent::Scanned(next), _) => {
            let (state, due) = next.outcome();
            to(state.unwrap_or(post.state), due)
        }
        _ => keep,
    }
}

impl Post {
    /// Applies [`transition`] to this post: its state and due time after
    /// `event` at `now`.
    pub fn apply(&mut self, event: PostEvent, now: Timestamp) -> Transition {
        let facts = PostFacts {
            state: self.state,
            monitor_until: self.monitor_until,
        };
        let t = transition(facts, event, now);
        self.state = t.state;
        self.next_scan_at = t.due.apply(self.next_scan_at);
        t
    }
}

#[cfg(test)]
mod tests {
    use super::PostState::*;
    use super::*;
    use chrono::TimeDelta;

    fn t(h: i64) -> Timestamp {
        Timestamp::UNIX_EPOCH + TimeDelta::hours(h)
    }

    const MATCHED_ACTIVE: PostEvent = PostEvent::Attributed {
        matched: true,
        connection_active: true,
    };
    const MATCHED_INACTIVE: PostEvent = PostEvent::Attributed {
        matched: true,
        connection_active: false,
    };
    const UNMATCHED: PostEvent = PostEvent::Attributed {
        matched: false,
        connection_active: true,
    };

    /// Every state against every event, with the window open (now = 10,
    /// window until 20) and over (now = 30).
    #[test]
    fn the_transition_table() {
        let now_open = t(10);
        let now_over = t(30);
        let scanned_at = PostEvent::Scanned(NextScan::At(t(11)));
        #[rustfmt::skip]
        let table: &[(PostState, PostEvent, Timestamp, PostState, Due)] = &[
            // Attribution, matched, on an active connection.
            (Seen, MATCHED_ACTIVE, now_open, Monitoring, Due::At(now_open)),
            (Untracked, MATCHED_ACTIVE, now_open, Monitoring, Due::At(now_open)),
            (Seen, MATCHED_ACTIVE, now_over, Expired, Due::Clear),
            (Untracked, MATCHED_ACTIVE, now_over, Expired, Due::Clear),
            (Monitoring, MATCHED_ACTIVE, now_open, Monitoring, Due::Keep),
            (Paused, MATCHED_ACTIVE, now_open, Paused, Due::Keep),
            (Expired, MATCHED_ACTIVE, now_open, Expired, Due::Keep),
            (Deleted, MATCHED_ACTIVE, now_open, Monitoring, Due::At(now_open)),
            (Deleted, MATCHED_ACTIVE, now_over, Expired, Due::Clear),
            (Deleted, MATCHED_INACTIVE, now_open, Paused, Due::At(now_open)),
            // Attribution, matched, on an inactive connection.
            (Seen, MATCHED_INACTIVE, now_open, Paused, Due::At(now_open)),
            (Untracked, MATCHED_INACTIVE, now_open, Paused, Due::At(now_open)),
            (Seen, MATCHED_INACTIVE, now_over, Expired, Due::Clear),
            (Monitoring, MATCHED_INACTIVE, now_open, Monitoring, Due::Keep),
            // Attribution, unmatched.
            (Monitoring, UNMATCHED, now_open, Untracked, Due::Keep),
            (Paused, UNMATCHED, now_open, Untracked, Due::Keep),
            (Monitoring, UNMATCHED, now_over, Untracked, Due::Keep),
            (Seen, UNMATCHED, now_open, Seen, Due::Keep),
            (Untracked, UNMATCHED, now_open, Untracked, Due::Keep),
            (Expired, UNMATCHED, now_open, Expired, Due::Keep),
            (Deleted, UNMATCHED, now_open, Untracked, Due::Keep),
            // Disconnection.
            (Monitoring, PostEvent::ConnectionDisconnected, now_open, Paused, Due::Keep),
            (Monitoring, PostEvent::ConnectionDisconnected, now_over, Paused, Due::Keep),
            (Seen, PostEvent::ConnectionDisconnected, now_open, Seen, Due::Keep),
            (Paused, PostEvent::ConnectionDisconnected, now_open, Paused, Due::Keep),
            (Untracked, PostEvent::ConnectionDisconnected, now_open, Untracked, Due::Keep),
            (Expired, PostEvent::ConnectionDisconnected, now_open, Expired, Due::Keep),
            // Resumption.
            (Paused, PostEvent::ConnectionResumed, now_open, Monitoring, Due::At(now_open)),
            (Paused, PostEvent::ConnectionResumed, t(20), Monitoring, Due::At(t(20))),
            (Paused, PostEvent::ConnectionResumed, now_over, Expired, Due::Clear),
            (Seen, PostEvent::ConnectionResumed, now_open, Seen, Due::Keep),
            (Untracked, PostEvent::ConnectionResumed, now_open, Untracked, Due::Keep),
            (Monitoring, PostEvent::ConnectionResumed, now_open, Monitoring, Due::Keep),
            (Deleted, PostEvent::ConnectionResumed, now_open, Deleted, Due::Keep),
            // The sweep of paused posts.
            (Paused, PostEvent::PausedSwept, now_open, Paused, Due::Keep),
            (Paused, PostEvent::PausedSwept, t(20), Paused, Due::Keep),
            (Paused, PostEvent::PausedSwept, now_over, Expired, Due::Clear),
            (Monitoring, PostEvent::PausedSwept, now_over, Monitoring, Due::Keep),
            (Untracked, PostEvent::PausedSwept, now_over, Untracked, Due::Keep),
            (Deleted, PostEvent::PausedSwept, now_open, Deleted, Due::Keep),
            (Deleted, PostEvent::PausedSwept, now_over, Expired, Due::Clear),
            // Scans.
            (Monitoring, scanned_at, now_open, Monitoring, Due::At(t(11))),
            (Untracked, scanned_at, now_open, Untracked, Due::At(t(11))),
            (Monitoring, PostEvent::Scanned(NextScan::Expire), now_over, Expired, Due::Clear),
            (Monitoring, PostEvent::Scanned(NextScan::Delete(t(16))), now_open, Deleted, Due::At(t(16))),
            (Paused, PostEvent::Scanned(NextScan::Delete(t(16))), now_open, Deleted, Due::At(t(16))),
            (Deleted, PostEvent::Scanned(NextScan::Delete(t(16))), now_open, Deleted, Due::At(t(16))),
            (Deleted, PostEvent::Scanned(NextScan::Resume(t(11))), now_open, Monitoring, Due::At(t(11))),
            (Deleted, PostEvent::Scanned(NextScan::Expire), now_over, Expired, Due::Clear),
        ];
        for &(state, event, now, want_state, want_due) in table {
            let post = PostFacts {
                state,
                monitor_until: t(20),
            };
            assert_eq!(
                transition(post, event, now),
                Transition {
                    state: want_state,
                    due: want_due
                },
                "{state:?} on {event:?} at {now:?}"
            );
        }
    }

    #[test]
    fn events_change_nothing_outside_the_states_they_act_on() {
        let events = [
            MATCHED_ACTIVE,
            MATCHED_INACTIVE,
            UNMATCHED,
            PostEvent::ConnectionDisconnected,
            PostEvent::ConnectionResumed,
            PostEvent::PausedSwept,
        ];
        for event in events {
            for state in PostState::ALL {
                for now in [t(10), t(20), t(30)] {
                    let post = PostFacts {
                        state,
                        monitor_until: t(20),
                    };
                    let after = transition(post, event, now);
                    let unchanged = after
                        == Transition {
                            state,
                            due: Due::Keep,
                        };
                    if !event.acts_on().contains(&state) {
                        assert!(unchanged, "{event:?} changed a {state:?} post: {after:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn a_matched_paused_post_taken_over_by_an_active_lister_resumes() {
        let paused = PostFacts {
            state: Paused,
            monitor_until: t(20),
        };
        let listed = transition(paused, MATCHED_ACTIVE, t(10));
        assert_eq!(listed.state, Paused, "the listing alone keeps it paused");
        let taken = listed.then(t(20), PostEvent::ConnectionResumed, t(10));
        assert_eq!(
            taken,
            Transition {
                state: Monitoring,
                due: Due::At(t(10))
            }
        );
        let seen = PostFacts {
            state: Seen,
            monitor_until: t(20),
        };
        let matched = transition(seen, MATCHED_ACTIVE, t(10));
        assert_eq!(
            matched.then(t(20), PostEvent::ConnectionResumed, t(11)),
            matched,
            "an event that keeps the due time keeps the earlier change"
        );
        let over = transition(paused, UNMATCHED, t(30));
        assert_eq!(
            over.then(t(20), PostEvent::ConnectionResumed, t(30)).state,
            Untracked
        );
    }

    #[test]
    fn only_monitoring_and_deleted_posts_are_scheduled() {
        for state in PostState::ALL {
            let tr = Transition {
                state,
                due: Due::Keep,
            };
            assert_eq!(tr.is_scheduled(), matches!(state, Monitoring | Deleted));
        }
    }

    #[test]
    fn due_changes_apply_to_the_previous_due_time() {
        assert_eq!(Due::Keep.apply(Some(t(1))), Some(t(1)));
        assert_eq!(Due::Clear.apply(Some(t(1))), None);
        assert_eq!(Due::At(t(2)).apply(None), Some(t(2)));
    }
}
