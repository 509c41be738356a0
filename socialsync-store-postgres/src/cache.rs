//! What a worker remembers of the posts it claims, so that a claim or a
//! completion reads only the rows of the posts' blocks.
//!
//! An entry is used only while it matches the block under its lock: the
//! same block and slot, the same revision of the post's description (every
//! change to a post's attribution, kind, creator or connection bumps it)
//! and the same latest snapshot instant (every completion that appends a
//! snapshot moves it). Anything else is a miss, read from the database.
//! Another process's writes therefore never leave an entry in use that
//! they made wrong.

use crate::blocks::{Block, slot_of};
use rustc_hash::FxHashMap;
use socialsync_core::metrics::Metrics;
use socialsync_core::store::DuePost;
use std::sync::{Arc, Mutex};

/// Entries kept at most; past it the cache starts afresh.
const MAX_ENTRIES: usize = 2_000_000;

/// What a worker remembers of one post.
#[derive(Debug, Clone)]
pub(crate) struct Remembered {
    /// The post's block.
    pub block: i64,
    /// Its 1-based slot there.
    pub slot: i32,
    /// The revision of its description.
    pub rev: i32,
    /// The instant of its latest snapshot.
    pub latest_at: Option<i64>,
    /// The post as a claim hands it out; `latest` is the latest reading as read.
    pub post: DuePost,
    /// The latest reading with absent counters carried forward.
    pub carried: Metrics,
}

impl Remembered {
    /// What a worker remembers of the post at index `i` of `block`.
    pub(crate) fn at(block: &Block, i: usize, post: DuePost, carried: Metrics) -> Remembered {
        Remembered {
            block: block.id,
            slot: slot_of(i),
            rev: block.revs[i],
            latest_at: block.latest_ats[i],
            post,
            carried,
        }
    }

    /// Whether this entry is what `block`, read under its lock, says of the
    /// post at index `i` now.
    pub(crate) fn matches(&self, block: &Block, i: usize) -> bool {
        self.block == block.id
            && self.slot == slot_of(i)
            && self.rev == block.revs[i]
            && self.latest_at == block.latest_ats[i]
    }
}

/// The remembered posts of one store (shared by its clones).
#[derive(Debug, Default)]
pub(crate) struct PostCache {
    entries: Mutex<FxHashMap<i64, Arc<Remembered>>>,
}

impl PostCache {
    fn map(&self) -> std::sync::MutexGuard<'_, FxHashMap<i64, Arc<Remembered>>> {
        // A panic while holding the lock leaves plain data: keep using it.
        self.entries
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The entries of `posts` that exist (matching or not).
    pub(crate) fn get_many(&self, posts: &[i64]) -> FxHashMap<i64, Arc<Remembered>> {
        let map = self.map();
        let mut out = FxHashMap::with_capacity_and_hasher(posts.len(), Default::default());
        for p in posts {
            if let Some(r) = map.get(p) {
                out.insert(*p, Arc::clone(r));
            }
        }
        out
    }

    /// Remembers posts.
    pub(crate) fn put_many(&self, entries: impl IntoIterator<Item = (i64, Remembered)>) {
        let mut map = self.map();
        for (k, v) in entries {
            map.insert(k, Arc::new(v));
        }
        if map.len() > MAX_ENTRIES {
            map.clear();
        }
    }

    /// Forgets posts.
    pub(crate) fn forget(&self, posts: impl IntoIterator<Item = i64>) {
        let mut map = self.map();
        for p in posts {
            map.remove(&p);
        }
    }
}
