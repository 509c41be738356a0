//! Claims, completions and snapshots: set-based, fenced by lease tokens.

use crate::PgStore;
use crate::aggregates::{AggregateChanges, snapshot_from_parts};
use crate::blocks::{self, Block, SlotLease};
use crate::cache::Remembered;
use crate::codec::{
    array_literal, col, from_us, metrics_from_column, metrics_to_column, platform, post_state,
    token_from_uuid, token_to_uuid, us,
};
use crate::error::db;
use crate::lifecycle;
use rustc_hash::FxHashMap as HashMap;
use socialsync_core::clock::Timestamp;
use socialsync_core::domain::{MediaKind, PostState, Snapshot};
use socialsync_core::error::{StoreError, StoreResult};
use socialsync_core::ids::*;
use socialsync_core::metrics::{AggregateHour, CounterDelta, Metrics};
use socialsync_core::store::*;
use sqlx::PgConnection;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

/// The claim's first statement: the blocks holding a claimable post of a
/// callable connection (active, not backing off, its platform not backing
/// off), earliest first, skipping blocks other transactions hold locked.
/// `$1` is now in microseconds since the epoch, `$2` now, `$3` how many
/// blocks at most, `$4` blocks this claim holds already. The columns come
/// from the locked rows themselves (a re-read of the table could see an
/// older version). The claim then leases due posts of these blocks in Rust
/// and writes the blocks back in one statement: a claim writes a row per
/// block, not per post.
pub const CLAIM_SQL: &str = "\
SELECT b.id, b.connection_id, b.post_ids, b.live, b.nexts, b.counts, b.lasts, b.latest_ats, \
  b.revs, b.lease_no, b.lease_tokens, b.lease_untils \
FROM scan_blocks b \
WHERE b.min_due <= $1 AND b.id <> ALL($4) \
  AND EXISTS (SELECT 1 FROM connections c WHERE c.id = b.connection_id \
    AND c.status_kind = 'active' AND (c.backoff_until IS NULL OR c.backoff_until <= $2) \
    AND NOT EXISTS (SELECT 1 FROM platform_backoff pb \
      WHERE pb.platform = c.platform AND pb.until > $2)) \
ORDER BY b.min_due, b.id LIMIT $3 \
FOR UPDATE OF b SKIP LOCKED";

/// Blocks a claim of `limit` posts locks first: as many as full blocks of
/// due posts would need. When they hold fewer due posts, the claim locks
/// twice as many more, and so on, until it has `limit` posts or no block is
/// left.
fn blocks_for(limit: usize) -> usize {
    (limit.div_ceil(blocks::CAPACITY) + 1).min(1_024)
}

pub(crate) async fn claim_due_posts(
    s: &PgStore,
    req: ClaimRequest,
) -> StoreResult<Vec<ClaimedPost>> {
    if req.limit == 0 {
        return Ok(Vec::new());
    }
    let now = us(req.now);
    let until = us(req.lease_until);
    let mut tx = s.pool.begin().await.map_err(db)?;
    // A claim lost in a crash only delays its posts by a lease: it need not
    // wait for a disk flush.
    sqlx::query("SELECT set_config('synchronous_commit', 'off', true)")
        .execute(&mut *tx)
        .await
        .map_err(db)?;
    // Whole blocks in order of their earliest due post, up to the limit.
    let mut blocks: Vec<Block> = Vec::new();
    let mut picked: Vec<(usize, Vec<usize>)> = Vec::new();
    let mut wanted: Vec<i64> = Vec::new();
    let mut held: Vec<i64> = Vec::new();
    let mut ask = blocks_for(req.limit);
    while wanted.len() < req.limit {
        let rows = sqlx::query(CLAIM_SQL)
            .bind(now)
            .bind(req.now)
            .bind(i64::try_from(ask).unwrap_or(i64::MAX))
            .bind(&held)
            .fetch_all(&mut *tx)
            .await
            .map_err(db)?;
        let got = rows.len();
        for r in &rows {
            let b = Block::from_row(r)?;
            held.push(b.id);
            let room = req.limit - wanted.len();
            if room == 0 {
                break;
            }
            let mut due: Vec<usize> = (0..b.post_ids.len())
                .filter(|&i| b.claimable(i, now))
                .collect();
            due.sort_by_key(|&i| (b.nexts[i], b.post_ids[i]));
            due.truncate(room);
            wanted.extend(due.iter().filter_map(|&i| b.post_ids[i]));
            picked.push((blocks.len(), due));
            blocks.push(b);
        }
        if got < ask {
            break;
        }
        ask = (ask * 2).min(1_024);
    }
    // What this worker remembers, where the blocks agree; the rest is read.
    let remembered = s.cache.get_many(&wanted);
    let mut misses = Misses::default();
    for (bi, due) in &picked {
        let b = &blocks[*bi];
        for &i in due {
            let Some(post) = b.post_ids[i] else { continue };
            if !remembered.get(&post).is_some_and(|r| r.matches(b, i)) {
                misses.push(post, b.latest_ats[i])?;
            }
        }
    }
    let read = misses.read(&mut tx).await?;
    let mut out = Vec::with_capacity(wanted.len());
    let mut learnt = Vec::new();
    let mut touched = Vec::new();
    let mut any_healed = false;
    for (bi, due) in picked {
        let b = &mut blocks[bi];
        let mut take: Vec<(usize, &DuePost)> = Vec::with_capacity(due.len());
        let mut healed = false;
        for i in due {
            let Some(post) = b.post_ids[i] else { continue };
            if let Some(r) = remembered.get(&post).filter(|r| r.matches(b, i)) {
                take.push((i, &r.post));
                continue;
            }
            match read.get(&post) {
                Some(d) if d.state.is_scheduled() && d.post.connection.0 == b.connection => {
                    learnt.push((post, Remembered::at(b, i, d.post.clone(), d.carried)));
                    take.push((i, &d.post));
                }
                // A slot monitored while its post is not: it is not due.
                _ => {
                    b.live[i] = false;
                    healed = true;
                }
            }
        }
        any_healed |= healed;
        if take.is_empty() {
            if healed {
                touched.push(bi);
            }
            continue;
        }
        let slots: Vec<usize> = take.iter().map(|(i, _)| *i).collect();
        let token = token_from_uuid(b.take(&slots, until)?);
        for (i, post) in take {
            let mut post = post.clone();
            post.next_scan_at = b.nexts[i].map(from_us).transpose()?.unwrap_or(req.now);
            out.push(ClaimedPost { token, post });
        }
        touched.push(bi);
    }
    let changed = blocks
        .iter_mut()
        .enumerate()
        .filter(|(i, _)| touched.contains(i))
        .map(|(_, b)| b);
    if any_healed {
        blocks::write(&mut tx, changed).await?;
    } else {
        blocks::write_leases(&mut tx, changed).await?;
    }
    tx.commit().await.map_err(db)?;
    s.cache.put_many(learnt);
    out.sort_by_key(|c| (c.post.next_scan_at, c.post.id));
    Ok(out)
}

/// A post as read from its rows.
struct Read {
    state: PostState,
    post: DuePost,
    carried: Metrics,
}

/// Posts to read, each with the instant of its latest snapshot.
#[derive(Default)]
struct Misses {
    ids: Vec<i64>,
    latest_at: Vec<Option<Timestamp>>,
}

impl Misses {
    fn push(&mut self, post: i64, latest_at: Option<i64>) -> StoreResult<()> {
        self.ids.push(post);
        self.latest_at.push(latest_at.map(from_us).transpose()?);
        Ok(())
    }

    /// The posts' descriptions, states and latest readings.
    async fn read(&self, tx: &mut PgConnection) -> StoreResult<HashMap<i64, Read>> {
        if self.ids.is_empty() {
            return Ok(HashMap::default());
        }
        let rows = sqlx::query(
            "SELECT p.id, p.platform, p.platform_post_id, p.connection_id, p.creator_id, p.kind, \
               p.published_at, p.anchored_at, p.monitor_until, p.brands, p.scopes, s.state, \
               sn.metrics, sn.carried \
             FROM unnest($1::bigint[], $2::timestamptz[]) AS u (id, at) \
             JOIN posts p ON p.id = u.id JOIN schedule s ON s.post_id = u.id \
             LEFT JOIN snapshots sn ON sn.post_id = u.id AND sn.observed_at = u.at",
        )
        .bind(&self.ids)
        .bind(&self.latest_at)
        .fetch_all(&mut *tx)
        .await
        .map_err(db)?;
        let mut out = HashMap::with_capacity_and_hasher(rows.len(), Default::default());
        // Kinds repeat: decode each once.
        let mut kinds: HashMap<String, MediaKind> = HashMap::default();
        for r in &rows {
            let metrics: Option<Vec<Option<i64>>> = col(r, "metrics")?;
            let carried: Option<Vec<Option<i64>>> = col(r, "carried")?;
            let latest = metrics.as_deref().map(metrics_from_column).transpose()?;
            let carried = match carried {
                Some(c) => metrics_from_column(&c)?,
                None => latest.unwrap_or_default(),
            };
            let brands: Vec<i64> = col(r, "brands")?;
            let scopes: Vec<i64> = col(r, "scopes")?;
            let kind_json: serde_json::Value = col(r, "kind")?;
            let kind_key = kind_json.to_string();
            let kind = match kinds.get(&kind_key) {
                Some(k) => *k,
                None => {
                    let k: MediaKind = crate::codec::from_json(kind_json, "media kind")?;
                    kinds.insert(kind_key, k);
                    k
                }
            };
            let id: i64 = col(r, "id")?;
            let published_at: Timestamp = col(r, "published_at")?;
            let state = post_state(col(r, "state")?)?;
            out.insert(
                id,
                Read {
                    state,
                    post: DuePost {
                        id: PostId(id),
                        platform: platform(col(r, "platform")?)?,
                        platform_post_id: PlatformPostId::new(col::<&str>(r, "platform_post_id")?),
                        connection: ConnectionId(col(r, "connection_id")?),
                        creator: CreatorId(col(r, "creator_id")?),
                        kind,
                        published_at,
                        anchored_at: col(r, "anchored_at")?,
                        monitor_until: col(r, "monitor_until")?,
                        // Set from the block by each claim.
                        next_scan_at: published_at,
                        state,
                        latest,
                        brands: brands.into_iter().map(BrandId).collect::<Arc<[_]>>(),
                        scopes: scopes.into_iter().map(ScopeId).collect::<Arc<[_]>>(),
                    },
                    carried,
                },
            );
        }
        Ok(out)
    }
}

/// The snapshots of one batch, as `COPY` text rows.
#[derive(Default)]
struct SnapshotRows {
    rows: usize,
    text: String,
    /// The last instant written and its text (a batch has few instants).
    last_at: Option<(Timestamp, String)>,
}

impl SnapshotRows {
    fn push(&mut self, post: i64, at: Timestamp, metrics: &str, carried: Option<&str>) {
        use std::fmt::Write as _;
        if self.last_at.as_ref().is_none_or(|(t, _)| *t != at) {
            let text = at.format("%Y-%m-%d %H:%M:%S%.6f+00").to_string();
            self.last_at = Some((at, text));
        }
        let at = self.last_at.as_ref().map_or("", |(_, text)| text.as_str());
        // Writing to a String cannot fail.
        let _ = writeln!(
            self.text,
            "{post}\t{at}\t{metrics}\t{}",
            carried.unwrap_or("\\N")
        );
        self.rows += 1;
    }
}

/// Finds the blocks of `ids` (what this worker remembers, checked under the
/// lock; the rest from their schedule rows) and locks them. Returns each
/// post's block and index, for the posts that have one.
async fn lock_posts(
    tx: &mut PgConnection,
    ids: &[i64],
    remembered: &HashMap<i64, Arc<Remembered>>,
) -> StoreResult<(BTreeMap<i64, Block>, HashMap<i64, (i64, usize)>)> {
    let mut at: HashMap<i64, (i64, i32)> =
        HashMap::with_capacity_and_hasher(ids.len(), Default::default());
    let unknown: Vec<i64> = ids
        .iter()
        .copied()
        .filter(|p| match remembered.get(p) {
            Some(r) => {
                at.insert(*p, (r.block, r.slot));
                false
            }
            None => true,
        })
        .collect();
    if !unknown.is_empty() {
        at.extend(blocks::locate(tx, &unknown).await?);
    }
    let block_ids: Vec<i64> = at.values().map(|&(b, _)| b).collect();
    let mut locked = blocks::lock(tx, &block_ids).await?;
    let mut found: HashMap<i64, (i64, usize)> =
        HashMap::with_capacity_and_hasher(at.len(), Default::default());
    let mut moved = Vec::new();
    for (&post, &(b, slot)) in &at {
        match locked.get(&b).and_then(|block| block.index(post, slot)) {
            Some(i) => {
                found.insert(post, (b, i));
            }
            None if remembered.contains_key(&post) => moved.push(post),
            None => {}
        }
    }
    if !moved.is_empty() {
        // Remembered somewhere it no longer is: look it up.
        let again = blocks::locate(tx, &moved).await?;
        let more: Vec<i64> = again.values().map(|&(b, _)| b).collect();
        locked.extend(blocks::lock(tx, &more).await?);
        for (post, (b, slot)) in again {
            if let Some(i) = locked.get(&b).and_then(|block| block.index(post, slot)) {
                found.insert(post, (b, i));
            }
        }
    }
    Ok((locked, found))
}

pub(crate) async fn complete_scans(
    s: &PgStore,
    completions: Vec<ScanCompletion>,
) -> StoreResult<Vec<CompletionOutcome>> {
    if completions.is_empty() {
        return Ok(Vec::new());
    }
    let mut ids: Vec<i64> = completions.iter().map(|c| c.post.0).collect();
    ids.sort_unstable();
    ids.dedup();
    let remembered = s.cache.get_many(&ids);
    let mut tx = s.pool.begin().await.map_err(db)?;
    let (mut blocks, found) = lock_posts(&mut tx, &ids, &remembered).await?;
    // The baseline of each post with a new reading: remembered, where its
    // block agrees, else read.
    let mut misses = Misses::default();
    let mut asked = BTreeSet::new();
    for c in completions.iter().filter(|c| c.reading.changed().is_some()) {
        let Some(&(b, i)) = found.get(&c.post.0) else {
            continue;
        };
        let block = &blocks[&b];
        let fresh = remembered
            .get(&c.post.0)
            .is_some_and(|r| r.matches(block, i));
        if !fresh && asked.insert(c.post.0) {
            misses.push(c.post.0, block.latest_ats[i])?;
        }
    }
    let read = misses.read(&mut tx).await?;
    let mut touched: BTreeSet<i64> = BTreeSet::new();
    let mut outcomes = Vec::with_capacity(completions.len());
    let mut finals: (Vec<i64>, Vec<&'static str>) = (Vec::new(), Vec::new());
    // Posts found gone (deletion spans open) and found again (closed).
    let mut gone: (Vec<i64>, Vec<Timestamp>) = (Vec::new(), Vec::new());
    let mut back: Vec<(i64, Timestamp)> = Vec::new();
    let mut learnt: Vec<(i64, Remembered)> = Vec::new();
    let mut snaps = SnapshotRows::default();
    let mut aggregates = AggregateChanges::default();
    for c in completions {
        let token = token_to_uuid(c.token);
        let Some((b, i)) = found
            .get(&c.post.0)
            .and_then(|&(b, i)| Some((blocks.get_mut(&b)?, i)))
        else {
            outcomes.push(CompletionOutcome::LeaseLost);
            continue;
        };
        match b.lease(i) {
            SlotLease::Held(t, _) if t == token => {}
            SlotLease::Done(t) if t == token => {
                outcomes.push(CompletionOutcome::AlreadyApplied);
                continue;
            }
            _ => {
                outcomes.push(CompletionOutcome::LeaseLost);
                continue;
            }
        }
        let at = c.at;
        let baseline = remembered
            .get(&c.post.0)
            .filter(|r| r.matches(b, i))
            .map(|r| (r.post.clone(), r.carried))
            .or_else(|| read.get(&c.post.0).map(|d| (d.post.clone(), d.carried)));
        b.finish(i);
        if c.reading.is_scan() {
            b.counts[i] = b.counts[i].saturating_add(1);
            b.lasts[i] = Some(us(at));
        }
        let (end, due) = c.next.outcome();
        if let Some(next) = lifecycle::slot_due(due) {
            b.nexts[i] = next;
        }
        if let Some(state) = end {
            b.live[i] = state.is_scheduled();
            // What workers remember of the post (its state) changed: their
            // cached copies no longer match the block.
            b.revs[i] = b.revs[i].wrapping_add(1);
            finals.0.push(c.post.0);
            finals.1.push(state.as_str());
        }
        match c.next {
            NextScan::Delete(_) => {
                gone.0.push(c.post.0);
                gone.1.push(at);
            }
            NextScan::Resume(_) => back.push((c.post.0, at)),
            _ => {}
        }
        touched.insert(b.id);
        if let (ScanReading::Changed(reading), Some((mut post, before))) = (c.reading, baseline) {
            if b.latest_ats[i].is_none_or(|l| l < us(at)) {
                let carried = reading.carried_over(&before);
                let delta = CounterDelta::between(&before, &carried);
                // `carried` is stored only where it differs from the reading.
                let k = if carried == reading {
                    None
                } else {
                    Some(array_literal(&metrics_to_column(&carried)?))
                };
                snaps.push(
                    c.post.0,
                    at,
                    &array_literal(&metrics_to_column(&reading)?),
                    k.as_deref(),
                );
                if !delta.is_zero() {
                    let scopes: Vec<i64> = post.scopes.iter().map(|s| s.0).collect();
                    let brands: Vec<i64> = post.brands.iter().map(|b| b.0).collect();
                    aggregates.add(&scopes, &brands, AggregateHour::of(at).0, &delta);
                }
                b.latest_ats[i] = Some(us(at));
                post.latest = Some(reading);
                if let Some(state) = end {
                    post.state = state;
                }
                learnt.push((c.post.0, Remembered::at(b, i, post, carried)));
            }
        }
        outcomes.push(CompletionOutcome::Applied);
    }
    blocks::write(
        &mut tx,
        blocks
            .iter_mut()
            .filter(|(id, _)| touched.contains(id))
            .map(|(_, b)| b),
    )
    .await?;
    if snaps.rows > 0 {
        // No snapshot of these posts exists at or after these instants (the
        // blocks' latest instants, under their locks, say so): a plain COPY.
        let mut copy = tx
            .copy_in_raw("COPY snapshots (post_id, observed_at, metrics, carried) FROM STDIN")
            .await
            .map_err(db)?;
        copy.send(snaps.text.into_bytes()).await.map_err(db)?;
        copy.finish().await.map_err(db)?;
    }
    if !aggregates.is_empty() || !finals.0.is_empty() {
        let (kinds, keys, hours, totals) = aggregates.into_arrays();
        sqlx::query(
            "WITH aggs AS ( \
               INSERT INTO aggregates (kind, key, hour, totals) \
               SELECT a.k, a.key, a.h, a.t::numeric[] \
               FROM unnest($1::smallint[], $2::bigint[], $3::bigint[], $4::text[]) \
                 WITH ORDINALITY AS a (k, key, h, t, i) ORDER BY a.i \
               ON CONFLICT (kind, key, hour) \
               DO UPDATE SET totals = add_totals(aggregates.totals, excluded.totals)) \
             UPDATE schedule p SET state = u.state \
             FROM unnest($5::bigint[], $6::text[]) AS u (id, state) WHERE p.post_id = u.id",
        )
        .bind(&kinds)
        .bind(&keys)
        .bind(&hours)
        .bind(&totals)
        .bind(&finals.0)
        .bind(&finals.1)
        .execute(&mut *tx)
        .await
        .map_err(db)?;
    }
    lifecycle::open_deletions(&mut tx, &gone.0, &gone.1).await?;
    for (post, at) in back {
        lifecycle::close_deletions(&mut tx, &[post], at).await?;
    }
    tx.commit().await.map_err(db)?;
    s.cache.forget(finals.0);
    s.cache.put_many(learnt);
    Ok(outcomes)
}

pub(crate) async fn release_claims(s: &PgStore, releases: Vec<Release>) -> StoreResult<()> {
    if releases.is_empty() {
        return Ok(());
    }
    let ids: Vec<i64> = releases.iter().map(|r| r.post.0).collect();
    let mut tx = s.pool.begin().await.map_err(db)?;
    let at = blocks::locate(&mut tx, &ids).await?;
    let block_ids: Vec<i64> = at.values().map(|&(b, _)| b).collect();
    let mut locked = blocks::lock(&mut tx, &block_ids).await?;
    let mut touched = BTreeSet::new();
    for r in releases {
        let Some(&(b, slot)) = at.get(&r.post.0) else {
            continue;
        };
        let Some(block) = locked.get_mut(&b) else {
            continue;
        };
        let Some(i) = block.index(r.post.0, slot) else {
            continue;
        };
        if matches!(block.lease(i), SlotLease::Held(t, _) if t == token_to_uuid(r.token)) {
            block.free(i);
            touched.insert(b);
        }
    }
    blocks::write_leases(
        &mut tx,
        locked
            .iter_mut()
            .filter(|(id, _)| touched.contains(id))
            .map(|(_, b)| b),
    )
    .await?;
    tx.commit().await.map_err(db)?;
    Ok(())
}

async fn require_post(s: &PgStore, post: PostId) -> StoreResult<()> {
    let found: Option<i64> = sqlx::query_scalar("SELECT id FROM posts WHERE id = $1")
        .bind(post.0)
        .fetch_optional(&s.pool)
        .await
        .map_err(db)?;
    match found {
        Some(_) => Ok(()),
        None => Err(StoreError::not_found("post", post)),
    }
}

fn snapshot_from_row(post: PostId, r: &sqlx::postgres::PgRow) -> StoreResult<Snapshot> {
    let metrics: Vec<Option<i64>> = col(r, "metrics")?;
    let carried: Option<Vec<Option<i64>>> = col(r, "carried")?;
    snapshot_from_parts(post, col(r, "observed_at")?, &metrics, carried.as_deref())
}

pub(crate) async fn list_snapshots(
    s: &PgStore,
    post: PostId,
    from: Timestamp,
    to: Timestamp,
) -> StoreResult<Vec<Snapshot>> {
    let rows = sqlx::query(
        "SELECT observed_at, metrics, carried FROM snapshots \
         WHERE post_id = $1 AND observed_at >= $2 AND observed_at < $3 ORDER BY observed_at",
    )
    .bind(post.0)
    .bind(from)
    .bind(to)
    .fetch_all(&s.pool)
    .await
    .map_err(db)?;
    if rows.is_empty() {
        require_post(s, post).await?;
    }
    rows.iter().map(|r| snapshot_from_row(post, r)).collect()
}

pub(crate) async fn latest_snapshot(s: &PgStore, post: PostId) -> StoreResult<Option<Snapshot>> {
    let row = sqlx::query(
        "SELECT observed_at, metrics, carried FROM snapshots WHERE post_id = $1 \
         ORDER BY observed_at DESC LIMIT 1",
    )
    .bind(post.0)
    .fetch_optional(&s.pool)
    .await
    .map_err(db)?;
    match row {
        Some(r) => Ok(Some(snapshot_from_row(post, &r)?)),
        None => {
            require_post(s, post).await?;
            Ok(None)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_claim_reads_every_column_a_block_needs() {
        let squeeze = |s: &str| s.split_whitespace().collect::<String>();
        assert!(squeeze(CLAIM_SQL).contains(&squeeze(blocks::BLOCK_COLUMNS)));
    }
}
