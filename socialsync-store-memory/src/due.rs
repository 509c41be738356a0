//! The queue of due posts: entries `(due time, post)`, earliest first.
//!
//! A scan cycle pops every due entry and pushes each post back one scan
//! interval later, so entries arrive almost in order and in bursts that
//! share an hour. The queue exploits that: entries are grouped in buckets of
//! one hour; the earliest bucket is a sorted vector read from its head, the
//! later ones are unsorted vectors sorted once when they become the
//! earliest (a sort that finds the runs already in order, so an almost
//! sorted bucket costs one pass). Pushing is a vector push; popping is an
//! index increment. A binary heap does `log n` scattered moves per entry.
//!
//! Entries go stale when a post moves on (claimed, rescheduled, paused); the
//! queue does not know, and the claim checks each entry against its post.

use socialsync_core::clock::Timestamp;
use socialsync_core::ids::PostId;
use std::collections::BTreeMap;

/// Width of a bucket, in microseconds: one hour.
const BUCKET: i64 = 3_600_000_000;

type Entry = (i64, PostId);

/// Due entries, earliest first (see the module docs).
#[derive(Debug)]
pub(crate) struct DueQueue {
    /// Entries of every bucket up to `front_bucket`; `front[head..]` are
    /// the live ones, sorted when `sorted`.
    front: Vec<Entry>,
    head: usize,
    sorted: bool,
    front_bucket: i64,
    /// The bucket most pushes currently go to, kept out of the map so a
    /// burst of pushes costs no map lookup.
    hot_bucket: i64,
    hot: Vec<Entry>,
    /// Buckets after `front_bucket` (other than the hot one), unsorted.
    later: BTreeMap<i64, Vec<Entry>>,
}

impl Default for DueQueue {
    fn default() -> Self {
        DueQueue {
            front: Vec::new(),
            head: 0,
            sorted: true,
            front_bucket: i64::MIN,
            hot_bucket: i64::MIN,
            hot: Vec::new(),
            later: BTreeMap::new(),
        }
    }
}

fn key(t: Timestamp) -> i64 {
    t.timestamp_micros()
}

fn instant(micros: i64) -> Timestamp {
    // Keys come from `Timestamp`s, so they always convert back.
    Timestamp::from_micros(micros).unwrap_or(Timestamp::MIN)
}

impl DueQueue {
    /// Adds an entry.
    pub(crate) fn push(&mut self, t: Timestamp, post: PostId) {
        let e = (key(t), post);
        let bucket = e.0.div_euclid(BUCKET);
        if bucket <= self.front_bucket {
            if self.sorted && self.front.last().is_some_and(|l| *l > e) {
                self.sorted = false;
            }
            self.front.push(e);
        } else if bucket == self.hot_bucket {
            self.hot.push(e);
        } else {
            self.stash_hot();
            self.hot_bucket = bucket;
            self.hot.push(e);
        }
    }

    /// Moves the hot bucket into the map.
    fn stash_hot(&mut self) {
        if !self.hot.is_empty() {
            let entries = std::mem::take(&mut self.hot);
            match self.later.entry(self.hot_bucket) {
                std::collections::btree_map::Entry::Vacant(v) => {
                    v.insert(entries);
                }
                std::collections::btree_map::Entry::Occupied(mut o) => {
                    o.get_mut().extend(entries);
                }
            }
        }
        self.hot_bucket = i64::MIN;
    }

    /// Makes `front[head..]` hold the earliest entries, sorted.
    fn settle(&mut self) {
        if self.head == self.front.len() {
            self.front.clear();
            self.head = 0;
            self.sorted = true;
            self.stash_hot();
            if let Some((bucket, entries)) = self.later.pop_first() {
                self.front = entries;
                self.front_bucket = bucket;
                self.sorted = false;
            }
        }
        if !self.sorted {
            self.front.drain(..self.head);
            self.head = 0;
            self.front.sort();
            self.sorted = true;
        }
    }

    /// The earliest entry.
    pub(crate) fn peek(&mut self) -> Option<(Timestamp, PostId)> {
        self.settle();
        self.front.get(self.head).map(|&(t, id)| (instant(t), id))
    }

    /// Removes the earliest entry (the one `peek` returned).
    pub(crate) fn pop(&mut self) {
        self.settle();
        if self.head < self.front.len() {
            self.head += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cmp::Reverse;
    use std::collections::BinaryHeap;

    fn at(micros: i64) -> Timestamp {
        instant(micros)
    }

    /// Pseudo-random but deterministic operations, compared with a heap.
    #[test]
    fn pops_in_the_same_order_as_a_heap() {
        let mut q = DueQueue::default();
        let mut heap = BinaryHeap::new();
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        let base = 1_770_000_000_000_000i64;
        for round in 0..20_000 {
            let r = next();
            if r % 3 == 0 {
                let expected = heap.peek().map(|Reverse((t, id))| (at(*t), *id));
                assert_eq!(q.peek(), expected, "round {round}");
                if expected.is_some() {
                    q.pop();
                    heap.pop();
                }
            } else {
                // Mostly a few hours ahead, sometimes in the past.
                let offset = (next() % (6 * BUCKET as u64)) as i64 - BUCKET;
                let t = base + (round as i64) * 1_000_000 + offset;
                let id = PostId((next() % 1000) as i64);
                q.push(at(t), id);
                heap.push(Reverse((t, id)));
            }
        }
        while let Some(Reverse((t, id))) = heap.pop() {
            assert_eq!(q.peek(), Some((at(t), id)));
            q.pop();
        }
        assert_eq!(q.peek(), None);
    }

    #[test]
    fn an_entry_earlier_than_the_front_comes_first() {
        let mut q = DueQueue::default();
        q.push(at(5 * BUCKET), PostId(1));
        q.push(at(5 * BUCKET + 10), PostId(2));
        assert_eq!(q.peek(), Some((at(5 * BUCKET), PostId(1))));
        q.push(at(BUCKET), PostId(3));
        assert_eq!(q.peek(), Some((at(BUCKET), PostId(3))));
        q.pop();
        q.pop();
        assert_eq!(q.peek(), Some((at(5 * BUCKET + 10), PostId(2))));
    }
}
