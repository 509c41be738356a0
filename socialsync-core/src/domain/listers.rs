//! Who reads a post that several connections list (an Instagram collab post,
//! ARCHITECTURE.md §2): the rules of its *listers* and its *owner*, as pure
//! functions the stores call.
//!
//! A post has one owning connection, the one that reads it, and a set of
//! listers: every connection that listed it, kept through disconnections
//! and resets. The owner is always one of the listers. The post stays with
//! its owner while the owner is active; an active lister takes it over only
//! when the owner is not active, so a reconnection never takes a post from
//! an active owner and the order of discoveries changes nothing.

use crate::ids::{ConnectionId, CreatorId};
use serde::{Deserialize, Serialize};

/// A connection that listed a post, with the creator it served when it
/// listed it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Lister {
    /// The connection.
    pub connection: ConnectionId,
    /// Its creator.
    pub creator: CreatorId,
}

/// Records `lister` in `listers` (sorted by connection, each connection
/// once): a connection already there gets its creator refreshed. Whether
/// the set changed.
pub fn record_lister(listers: &mut Vec<Lister>, lister: Lister) -> bool {
    match listers.binary_search_by_key(&lister.connection, |l| l.connection) {
        Ok(i) if listers[i] == lister => false,
        Ok(i) => {
            listers[i] = lister;
            true
        }
        Err(i) => {
            listers.insert(i, lister);
            true
        }
    }
}

/// The creators of `listers`, sorted, each once: the creators whose
/// memberships a post is matched with.
pub fn lister_creators(listers: &[Lister]) -> Vec<CreatorId> {
    let mut creators: Vec<CreatorId> = listers.iter().map(|l| l.creator).collect();
    creators.sort_unstable();
    creators.dedup();
    creators
}

/// Whether `lister`, listing a post owned by `owner`, takes it over: only
/// when it is another connection, the owner is not active and the lister is.
pub fn takes_over(
    owner: ConnectionId,
    owner_active: bool,
    lister: ConnectionId,
    lister_active: bool,
) -> bool {
    lister != owner && !owner_active && lister_active
}

/// The lister that takes a post over when its owner stops being active:
/// the active lister other than the owner with the smallest connection id;
/// `None` when there is none (the post stays with its owner).
pub fn successor(
    owner: ConnectionId,
    listers: &[Lister],
    is_active: impl Fn(ConnectionId) -> bool,
) -> Option<Lister> {
    listers
        .iter()
        .filter(|l| l.connection != owner)
        .find(|l| is_active(l.connection))
        .copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn l(c: i64, who: i64) -> Lister {
        Lister {
            connection: ConnectionId(c),
            creator: CreatorId(who),
        }
    }

    #[test]
    fn listers_stay_sorted_and_unique() {
        let mut set = Vec::new();
        assert!(record_lister(&mut set, l(5, 1)));
        assert!(record_lister(&mut set, l(2, 2)));
        assert!(!record_lister(&mut set, l(5, 1)));
        assert!(record_lister(&mut set, l(5, 3)), "a new creator refreshes");
        assert_eq!(set, [l(2, 2), l(5, 3)]);
        assert_eq!(
            lister_creators(&[l(1, 9), l(2, 4), l(3, 9)]),
            [CreatorId(4), CreatorId(9)]
        );
    }

    #[test]
    fn only_an_active_lister_takes_over_from_an_inactive_owner() {
        let (a, b) = (ConnectionId(1), ConnectionId(2));
        #[rustfmt::skip]
        let table = [
            // owner active, lister active, takes over
            (true, true, false),
            (true, false, false),
            (false, false, false),
            (false, true, true),
        ];
        for (owner_active, lister_active, want) in table {
            assert_eq!(takes_over(a, owner_active, b, lister_active), want);
            assert!(
                !takes_over(a, owner_active, a, lister_active),
                "the owner itself"
            );
        }
    }

    #[test]
    fn successor_is_the_first_other_active_lister() {
        let listers = [l(1, 1), l(2, 2), l(3, 3), l(4, 4)];
        let active = |c: ConnectionId| c.0 != 2;
        assert_eq!(successor(ConnectionId(1), &listers, active), Some(l(3, 3)));
        assert_eq!(successor(ConnectionId(3), &listers, active), Some(l(1, 1)));
        assert_eq!(successor(ConnectionId(1), &listers[..2], active), None);
        assert_eq!(successor(ConnectionId(1), &[], |_| true), None);
    }
}
