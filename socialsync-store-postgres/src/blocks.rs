//! Scan blocks: the part of the schedule every scan changes, packed.
//!
//! Up to [`CAPACITY`] posts of one connection whose slots fall in the same
//! five minutes of the hour share a `scan_blocks` row. Its arrays hold, per
//! post, whether it is monitored, its due time, scan count, last scan,
//! lease, the instant of its latest snapshot and the revision of its
//! description; two short lists hold the block's leases (token and end). A
//! claim or a completion rewrites the rows of the blocks it touches, not a
//! row per post. A post's `schedule` row records its block and slot.
//!
//! Locks are taken in one order everywhere: post rows, then blocks (by id),
//! then schedule rows. Claims lock blocks with `SKIP LOCKED` and never wait.

use crate::codec::{col, us};
use crate::error::{corrupt, db};
use socialsync_core::clock::Timestamp;
use socialsync_core::error::StoreResult;
use sqlx::PgConnection;
use sqlx::postgres::PgRow;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use uuid::Uuid;

/// Posts in one block at most; it keeps a block row within one page.
pub(crate) const CAPACITY: usize = 128;
/// Slots recur hourly by default: posts are grouped by where their slots
/// fall within the hour, so a block's posts come due together.
const PERIOD_US: i64 = 3_600_000_000;
/// The width of one phase: twelve phases an hour.
const PHASE_US: i64 = 300_000_000;

/// The columns [`Block::from_row`] reads, of `scan_blocks b`.
pub(crate) const BLOCK_COLUMNS: &str = "b.id, b.connection_id, b.post_ids, b.live, b.nexts, \
    b.counts, b.lasts, b.latest_ats, b.revs, b.lease_no, b.lease_tokens, b.lease_untils";

/// The phase of a post anchored at `anchored_at`: where within the hour
/// its slots fall.
pub(crate) fn phase_of(anchored_at: Timestamp) -> i16 {
    // At most 11: fits.
    (us(anchored_at).rem_euclid(PERIOD_US) / PHASE_US) as i16
}

/// The 1-based slot of index `i` (blocks hold at most [`CAPACITY`]).
pub(crate) fn slot_of(i: usize) -> i32 {
    i32::try_from(i + 1).unwrap_or(i32::MAX)
}

/// The lease state of one slot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SlotLease {
    /// Not leased.
    Free,
    /// Held under this token until this instant.
    Held(Uuid, i64),
    /// Completed under this token (its retries are recognised).
    Done(Uuid),
}

/// One block, as read under its row lock.
#[derive(Debug, Clone)]
pub(crate) struct Block {
    pub id: i64,
    pub connection: i64,
    pub post_ids: Vec<Option<i64>>,
    pub live: Vec<bool>,
    pub nexts: Vec<Option<i64>>,
    pub counts: Vec<i32>,
    pub lasts: Vec<Option<i64>>,
    pub latest_ats: Vec<Option<i64>>,
    pub revs: Vec<i32>,
    lease_no: Vec<i16>,
    lease_tokens: Vec<Uuid>,
    lease_untils: Vec<i64>,
}

impl Block {
    /// A block from a row holding [`BLOCK_COLUMNS`]; arrays of unequal
    /// length or a lease number with no lease are corrupt data.
    pub(crate) fn from_row(r: &PgRow) -> StoreResult<Block> {
        let b = Block {
            id: col(r, "id")?,
            connection: col(r, "connection_id")?,
            post_ids: col(r, "post_ids")?,
            live: col(r, "live")?,
            nexts: col(r, "nexts")?,
            counts: col(r, "counts")?,
            lasts: col(r, "lasts")?,
            latest_ats: col(r, "latest_ats")?,
            revs: col(r, "revs")?,
            lease_no: col(r, "lease_no")?,
            lease_tokens: col(r, "lease_tokens")?,
            lease_untils: col(r, "lease_untils")?,
        };
        let n = b.post_ids.len();
        let leases = b.lease_tokens.len();
        let same = [
            b.live.len(),
            b.nexts.len(),
            b.counts.len(),
            b.lasts.len(),
            b.latest_ats.len(),
            b.revs.len(),
        ]
        .iter()
        .all(|&l| l == n)
            && b.lease_no.len() == n
            && b.lease_untils.len() == leases;
        let numbered = b
            .lease_no
            .iter()
            .all(|&k| usize::from(k.unsigned_abs()) <= leases);
        if !same || !numbered {
            return Err(corrupt(format!("scan block {} is malformed", b.id)));
        }
        Ok(b)
    }

    /// An empty block of `connection`.
    fn empty(id: i64, connection: i64) -> Block {
        Block {
            id,
            connection,
            post_ids: Vec::new(),
            live: Vec::new(),
            nexts: Vec::new(),
            counts: Vec::new(),
            lasts: Vec::new(),
            latest_ats: Vec::new(),
            revs: Vec::new(),
            lease_no: Vec::new(),
            lease_tokens: Vec::new(),
            lease_untils: Vec::new(),
        }
    }

    /// The index of `post` at 1-based `slot`, when it is there.
    pub(crate) fn index(&self, post: i64, slot: i32) -> Option<usize> {
        let i = usize::try_from(slot).ok()?.checked_sub(1)?;
        (self.post_ids.get(i).copied().flatten() == Some(post)).then_some(i)
    }

    /// The lease state of slot `i`.
    pub(crate) fn lease(&self, i: usize) -> SlotLease {
        let k = self.lease_no[i];
        let entry = usize::from(k.unsigned_abs());
        if k == 0 {
            SlotLease::Free
        } else if k > 0 {
            SlotLease::Held(self.lease_tokens[entry - 1], self.lease_untils[entry - 1])
        } else {
            SlotLease::Done(self.lease_tokens[entry - 1])
        }
    }

    /// When slot `i` can next be claimed, if ever.
    fn due(&self, i: usize) -> Option<i64> {
        if !self.live[i] {
            return None;
        }
        let next = self.nexts[i]?;
        Some(match self.lease(i) {
            SlotLease::Held(_, until) => next.max(until),
            _ => next,
        })
    }

    /// Whether slot `i` can be claimed at `now`.
    pub(crate) fn claimable(&self, i: usize, now: i64) -> bool {
        self.due(i).is_some_and(|d| d <= now)
    }

    /// The earliest instant any slot can be claimed.
    pub(crate) fn min_due(&self) -> Option<i64> {
        (0..self.post_ids.len()).filter_map(|i| self.due(i)).min()
    }

    /// Leases slots `idx` under a new lease; returns its token.
    pub(crate) fn take(&mut self, idx: &[usize], until: i64) -> StoreResult<Uuid> {
        self.compact();
        let token = Uuid::new_v4();
        self.lease_tokens.push(token);
        self.lease_untils.push(until);
        let k = i16::try_from(self.lease_tokens.len())
            .map_err(|_| corrupt(format!("scan block {} has too many leases", self.id)))?;
        for &i in idx {
            self.lease_no[i] = k;
        }
        Ok(token)
    }

    /// Marks slot `i`, held under a live lease, completed.
    pub(crate) fn finish(&mut self, i: usize) {
        if self.lease_no[i] > 0 {
            self.lease_no[i] = -self.lease_no[i];
        }
    }

    /// Gives slot `i` back.
    pub(crate) fn free(&mut self, i: usize) {
        self.lease_no[i] = 0;
    }

    /// Appends a post; returns its 1-based slot.
    fn push(&mut self, post: i64, entry: Entry) -> i32 {
        self.post_ids.push(Some(post));
        self.live.push(entry.live);
        self.nexts.push(entry.next);
        self.counts.push(entry.count);
        self.lasts.push(entry.last);
        self.latest_ats.push(entry.latest_at);
        self.revs.push(entry.rev);
        self.lease_no.push(0);
        slot_of(self.post_ids.len() - 1)
    }

    /// Takes slot `i` out (its post moved elsewhere); returns what it held.
    fn vacate(&mut self, i: usize) -> Entry {
        let entry = Entry {
            live: self.live[i],
            next: self.nexts[i],
            count: self.counts[i],
            last: self.lasts[i],
            latest_at: self.latest_ats[i],
            rev: self.revs[i],
        };
        self.post_ids[i] = None;
        self.live[i] = false;
        self.nexts[i] = None;
        self.lease_no[i] = 0;
        entry
    }

    /// Drops the leases no slot refers to, renumbering the rest.
    fn compact(&mut self) {
        let used: BTreeSet<u16> = self
            .lease_no
            .iter()
            .filter(|&&k| k != 0)
            .map(|k| k.unsigned_abs())
            .collect();
        if used.len() == self.lease_tokens.len() {
            return;
        }
        let mut renumber: HashMap<u16, i16> = HashMap::with_capacity(used.len());
        let (mut tokens, mut untils) = (Vec::new(), Vec::new());
        for k in used {
            tokens.push(self.lease_tokens[usize::from(k) - 1]);
            untils.push(self.lease_untils[usize::from(k) - 1]);
            // At most CAPACITY leases are referenced: fits.
            renumber.insert(k, tokens.len() as i16);
        }
        for k in &mut self.lease_no {
            if *k != 0 {
                let n = renumber[&k.unsigned_abs()];
                *k = if *k > 0 { n } else { -n };
            }
        }
        self.lease_tokens = tokens;
        self.lease_untils = untils;
    }
}

/// What one slot holds besides its post and lease.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Entry {
    /// Monitored: claimable when due.
    pub live: bool,
    /// Due time.
    pub next: Option<i64>,
    /// Completed scans.
    pub count: i32,
    /// Last completed scan.
    pub last: Option<i64>,
    /// The instant of the latest snapshot.
    pub latest_at: Option<i64>,
    /// The revision of the post's description.
    pub rev: i32,
}

impl Entry {
    /// A new post's slot.
    pub(crate) fn new(live: bool, next: Option<i64>) -> Entry {
        Entry {
            live,
            next,
            count: 0,
            last: None,
            latest_at: None,
            rev: 0,
        }
    }
}

/// A change to a post's slot.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SlotChange {
    /// The post.
    pub post: i64,
    /// Monitored from now on.
    pub live: bool,
    /// The new due time, or `None` to keep it.
    pub next: Option<Option<i64>>,
    /// Whether what a claim hands out about the post changed.
    pub bump: bool,
}

/// Locks blocks by id, in id order (a block this transaction holds already
/// comes back at once).
pub(crate) async fn lock(tx: &mut PgConnection, ids: &[i64]) -> StoreResult<BTreeMap<i64, Block>> {
    let mut ids = ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    if ids.is_empty() {
        return Ok(BTreeMap::new());
    }
    let sql = format!(
        "SELECT {BLOCK_COLUMNS} FROM scan_blocks b WHERE b.id = ANY($1) ORDER BY b.id FOR UPDATE"
    );
    lock_rows(tx, sqlx::query(&sql).bind(&ids)).await
}

/// The blocks a locking query returns, by id.
async fn lock_rows(
    tx: &mut PgConnection,
    query: sqlx::query::Query<'_, sqlx::Postgres, sqlx::postgres::PgArguments>,
) -> StoreResult<BTreeMap<i64, Block>> {
    let rows = query.fetch_all(&mut *tx).await.map_err(db)?;
    rows.iter()
        .map(|r| Block::from_row(r).map(|b| (b.id, b)))
        .collect()
}

/// Locks every block of a connection, in id order.
pub(crate) async fn lock_connection(
    tx: &mut PgConnection,
    connection: i64,
) -> StoreResult<BTreeMap<i64, Block>> {
    let sql = format!(
        "SELECT {BLOCK_COLUMNS} FROM scan_blocks b WHERE b.connection_id = $1 ORDER BY b.id \
         FOR UPDATE"
    );
    lock_rows(tx, sqlx::query(&sql).bind(connection)).await
}

/// The block and 1-based slot of each post.
pub(crate) async fn locate(
    tx: &mut PgConnection,
    posts: &[i64],
) -> StoreResult<HashMap<i64, (i64, i32)>> {
    let rows = sqlx::query(
        "SELECT post_id, block_id, slot FROM schedule \
         WHERE post_id = ANY($1) AND block_id IS NOT NULL",
    )
    .bind(posts)
    .fetch_all(&mut *tx)
    .await
    .map_err(db)?;
    rows.iter()
        .map(|r| Ok((col(r, "post_id")?, (col(r, "block_id")?, col(r, "slot")?))))
        .collect()
}

/// The statement [`write`] runs: the blocks' arrays travel as flat binary
/// arrays, each block taking its slice.
const WRITE_SQL: &str = "UPDATE scan_blocks b SET min_due = u.min_due, \
    post_ids = ($3::bigint[])[u.lo:u.hi], live = ($4::boolean[])[u.lo:u.hi], \
    nexts = ($5::bigint[])[u.lo:u.hi], counts = ($6::integer[])[u.lo:u.hi], \
    lasts = ($7::bigint[])[u.lo:u.hi], latest_ats = ($8::bigint[])[u.lo:u.hi], \
    revs = ($9::integer[])[u.lo:u.hi], lease_no = ($10::smallint[])[u.lo:u.hi], \
    lease_tokens = ($11::uuid[])[u.llo:u.lhi], lease_untils = ($12::bigint[])[u.llo:u.lhi] \
    FROM unnest($1::bigint[], $2::bigint[], $13::integer[], $14::integer[], $15::integer[], \
      $16::integer[]) AS u (id, min_due, lo, hi, llo, lhi) \
    WHERE b.id = u.id";

/// Flat column arrays for [`WRITE_SQL`].
#[derive(Default)]
struct Writes {
    id: Vec<i64>,
    min_due: Vec<Option<i64>>,
    post_ids: Vec<Option<i64>>,
    live: Vec<bool>,
    nexts: Vec<Option<i64>>,
    counts: Vec<i32>,
    lasts: Vec<Option<i64>>,
    latest_ats: Vec<Option<i64>>,
    revs: Vec<i32>,
    lease_no: Vec<i16>,
    lease_tokens: Vec<Uuid>,
    lease_untils: Vec<i64>,
    lo: Vec<i32>,
    hi: Vec<i32>,
    llo: Vec<i32>,
    lhi: Vec<i32>,
}

/// What [`write_leases`] runs: only the leases (and the earliest due
/// instant) change, the rest of each row is kept as it is. Its parameters
/// are numbered as in [`WRITE_SQL`]; the others go empty.
const WRITE_LEASES_SQL: &str = "UPDATE scan_blocks b SET min_due = u.min_due, \
    lease_no = ($10::smallint[])[u.lo:u.hi], \
    lease_tokens = ($11::uuid[])[u.llo:u.lhi], lease_untils = ($12::bigint[])[u.llo:u.lhi] \
    FROM unnest($1::bigint[], $2::bigint[], $13::integer[], $14::integer[], $15::integer[], \
      $16::integer[]) AS u (id, min_due, lo, hi, llo, lhi) \
    WHERE b.id = u.id";

/// A 1-based array position (flat arrays stay far below `i32::MAX`).
fn position(n: usize) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

impl Writes {
    /// Adds a block's new contents: all of it, or its leases only.
    fn push(&mut self, b: &mut Block, leases_only: bool) {
        b.compact();
        self.id.push(b.id);
        self.min_due.push(b.min_due());
        self.lo.push(position(self.lease_no.len() + 1));
        self.lease_no.extend_from_slice(&b.lease_no);
        self.hi.push(position(self.lease_no.len()));
        self.llo.push(position(self.lease_tokens.len() + 1));
        self.lease_tokens.extend_from_slice(&b.lease_tokens);
        self.lease_untils.extend_from_slice(&b.lease_untils);
        self.lhi.push(position(self.lease_tokens.len()));
        if !leases_only {
            self.post_ids.extend_from_slice(&b.post_ids);
            self.live.extend_from_slice(&b.live);
            self.nexts.extend_from_slice(&b.nexts);
            self.counts.extend_from_slice(&b.counts);
            self.lasts.extend_from_slice(&b.lasts);
            self.latest_ats.extend_from_slice(&b.latest_ats);
            self.revs.extend_from_slice(&b.revs);
        }
    }
}

/// Writes blocks back.
pub(crate) async fn write<'a>(
    tx: &mut PgConnection,
    blocks: impl IntoIterator<Item = &'a mut Block>,
) -> StoreResult<()> {
    write_part(tx, blocks, false).await
}

/// Writes back blocks of which only leases changed (claims, releases): a
/// fraction of what [`write`] sends.
pub(crate) async fn write_leases<'a>(
    tx: &mut PgConnection,
    blocks: impl IntoIterator<Item = &'a mut Block>,
) -> StoreResult<()> {
    write_part(tx, blocks, true).await
}

async fn write_part<'a>(
    tx: &mut PgConnection,
    blocks: impl IntoIterator<Item = &'a mut Block>,
    leases_only: bool,
) -> StoreResult<()> {
    let mut w = Writes::default();
    for b in blocks {
        w.push(b, leases_only);
    }
    if w.id.is_empty() {
        return Ok(());
    }
    sqlx::query(if leases_only {
        WRITE_LEASES_SQL
    } else {
        WRITE_SQL
    })
    .bind(w.id)
    .bind(w.min_due)
    .bind(w.post_ids)
    .bind(w.live)
    .bind(w.nexts)
    .bind(w.counts)
    .bind(w.lasts)
    .bind(w.latest_ats)
    .bind(w.revs)
    .bind(w.lease_no)
    .bind(w.lease_tokens)
    .bind(w.lease_untils)
    .bind(w.lo)
    .bind(w.hi)
    .bind(w.llo)
    .bind(w.lhi)
    .execute(&mut *tx)
    .await
    .map_err(db)?;
    Ok(())
}

/// Applies slot changes: locks the posts' blocks, edits, writes back.
/// Posts with no slot are skipped.
pub(crate) async fn change(tx: &mut PgConnection, changes: &[SlotChange]) -> StoreResult<()> {
    if changes.is_empty() {
        return Ok(());
    }
    let posts: Vec<i64> = changes.iter().map(|c| c.post).collect();
    let at = locate(tx, &posts).await?;
    let ids: Vec<i64> = at.values().map(|&(b, _)| b).collect();
    let mut blocks = lock(tx, &ids).await?;
    let mut touched = BTreeSet::new();
    for c in changes {
        let Some(&(b, slot)) = at.get(&c.post) else {
            continue;
        };
        let Some(block) = blocks.get_mut(&b) else {
            continue;
        };
        let Some(i) = block.index(c.post, slot) else {
            continue;
        };
        block.live[i] = c.live;
        if let Some(next) = c.next {
            block.nexts[i] = next;
        }
        if c.bump {
            block.revs[i] = block.revs[i].wrapping_add(1);
        }
        touched.insert(b);
    }
    write(
        tx,
        blocks
            .iter_mut()
            .filter(|(id, _)| touched.contains(id))
            .map(|(_, b)| b),
    )
    .await
}

/// A post to give a slot.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Placement {
    /// The post.
    pub post: i64,
    /// Its connection.
    pub connection: i64,
    /// Its phase ([`phase_of`]).
    pub phase: i16,
    /// What its slot starts with.
    pub entry: Entry,
}

/// Gives posts slots in blocks of their connection and phase with room
/// left, making blocks as needed, and records each slot beside the post.
pub(crate) async fn place(tx: &mut PgConnection, posts: &[Placement]) -> StoreResult<()> {
    let mut groups: BTreeMap<(i64, i16), Vec<&Placement>> = BTreeMap::new();
    for p in posts {
        groups.entry((p.connection, p.phase)).or_default().push(p);
    }
    let (mut ids, mut blocks, mut slots) = (Vec::new(), Vec::new(), Vec::new());
    let mut changed: Vec<Block> = Vec::new();
    for ((connection, phase), group) in groups {
        let sql = format!(
            "SELECT {BLOCK_COLUMNS} FROM scan_blocks b WHERE b.connection_id = $1 \
             AND b.phase = $2 AND cardinality(b.post_ids) < $3 ORDER BY b.id LIMIT 1 FOR UPDATE"
        );
        let row = sqlx::query(&sql)
            .bind(connection)
            .bind(phase)
            .bind(CAPACITY as i32)
            .fetch_optional(&mut *tx)
            .await
            .map_err(db)?;
        let mut block = match row {
            Some(r) => Block::from_row(&r)?,
            None => new_block(tx, connection, phase).await?,
        };
        for p in group {
            if block.post_ids.len() >= CAPACITY {
                changed.push(block);
                block = new_block(tx, connection, phase).await?;
            }
            let slot = block.push(p.post, p.entry);
            ids.push(p.post);
            blocks.push(block.id);
            slots.push(slot);
        }
        changed.push(block);
    }
    write(tx, changed.iter_mut()).await?;
    sqlx::query(
        "UPDATE schedule s SET block_id = u.b, slot = u.s \
         FROM unnest($1::bigint[], $2::bigint[], $3::integer[]) AS u (p, b, s) \
         WHERE s.post_id = u.p",
    )
    .bind(&ids)
    .bind(&blocks)
    .bind(&slots)
    .execute(&mut *tx)
    .await
    .map_err(db)?;
    Ok(())
}

async fn new_block(tx: &mut PgConnection, connection: i64, phase: i16) -> StoreResult<Block> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO scan_blocks (connection_id, phase, post_ids, live, nexts, counts, lasts, \
           latest_ats, revs, lease_no, lease_tokens, lease_untils) \
         VALUES ($1, $2, '{}', '{}', '{}', '{}', '{}', '{}', '{}', '{}', '{}', '{}') RETURNING id",
    )
    .bind(connection)
    .bind(phase)
    .fetch_one(&mut *tx)
    .await
    .map_err(db)?;
    Ok(Block::empty(id, connection))
}

/// Moves a post to a block of another connection, keeping its schedule
/// (a live lease on it is lost: its holder's writes are refused).
pub(crate) async fn move_post(
    tx: &mut PgConnection,
    post: i64,
    connection: i64,
    phase: i16,
) -> StoreResult<()> {
    let at = locate(tx, &[post]).await?;
    let Some(&(b, slot)) = at.get(&post) else {
        return Ok(());
    };
    let mut blocks = lock(tx, &[b]).await?;
    let Some(block) = blocks.get_mut(&b) else {
        return Ok(());
    };
    if block.connection == connection {
        return Ok(());
    }
    let Some(i) = block.index(post, slot) else {
        return Ok(());
    };
    let mut entry = block.vacate(i);
    // Its connection is part of what a claim hands out.
    entry.rev = entry.rev.wrapping_add(1);
    write(tx, blocks.values_mut()).await?;
    place(
        tx,
        &[Placement {
            post,
            connection,
            phase,
            entry,
        }],
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn block(n: usize) -> Block {
        let mut b = Block::empty(1, 1);
        for p in 0..n {
            b.push(p as i64 + 10, Entry::new(true, Some(100 + p as i64)));
        }
        b
    }

    #[test]
    fn a_held_slot_is_due_again_when_its_lease_ends() {
        let mut b = block(3);
        assert_eq!(b.min_due(), Some(100));
        let t = b.take(&[0], 500).unwrap();
        assert_eq!(b.lease(0), SlotLease::Held(t, 500));
        assert_eq!(b.min_due(), Some(101));
        assert!(!b.claimable(0, 499));
        assert!(b.claimable(0, 500));
        b.finish(0);
        assert_eq!(b.lease(0), SlotLease::Done(t));
        b.nexts[0] = Some(3_700);
        assert_eq!(b.min_due(), Some(101));
    }

    #[test]
    fn leases_no_slot_refers_to_are_dropped_and_the_rest_renumbered() {
        let mut b = block(3);
        let t1 = b.take(&[0], 500).unwrap();
        let t2 = b.take(&[1], 600).unwrap();
        let t3 = b.take(&[2], 700).unwrap();
        b.free(0);
        b.finish(2);
        b.compact();
        assert_eq!(b.lease_tokens, vec![t2, t3]);
        assert_eq!(b.lease(0), SlotLease::Free);
        assert_eq!(b.lease(1), SlotLease::Held(t2, 600));
        assert_eq!(b.lease(2), SlotLease::Done(t3));
        assert_ne!(t1, t2);
    }

    #[test]
    fn a_vacated_slot_is_never_due_and_knows_no_post() {
        let mut b = block(2);
        let e = b.vacate(1);
        assert_eq!(e.next, Some(101));
        assert_eq!(b.index(11, 2), None);
        assert_eq!(b.index(10, 1), Some(0));
        assert_eq!(b.min_due(), Some(100));
    }

    #[test]
    fn phases_split_the_hour_in_twelve() {
        let t = Timestamp::from_timestamp(3600 * 5 + 299, 0).unwrap();
        assert_eq!(phase_of(t), 0);
        let t = Timestamp::from_timestamp(3600 * 5 + 3599, 0).unwrap();
        assert_eq!(phase_of(t), 11);
        let t = Timestamp::from_timestamp(-1, 0).unwrap();
        assert_eq!(phase_of(t), 11);
    }
}
