//! Claims, completions and snapshots, fenced by lease tokens.

use socialsync_core::clock::Timestamp;
use socialsync_core::domain::{DeletedSpan, PostEvent, Snapshot};
use socialsync_core::error::StoreResult;
use socialsync_core::ids::*;
use socialsync_core::metrics::{AggregateHour, CounterDelta};
use socialsync_core::store::*;
use std::cmp::Reverse;
use std::collections::HashMap;

use super::{AggKey, Inner};

impl Inner {
    fn callable(&self, conn: ConnectionId, now: Timestamp) -> bool {
        self.connections.get(&conn).is_some_and(|r| {
            r.conn.is_callable(now)
                && self
                    .platform_backoff
                    .get(&r.conn.platform)
                    .is_none_or(|u| *u <= now)
        })
    }

    pub(crate) fn claim_due_posts(&mut self, req: ClaimRequest) -> Vec<ClaimedPost> {
        let now = req.now;
        let lease_until = req.lease_until;
        // Lapsed leases: the posts are due again at their unchanged due time.
        loop {
            let next = match (self.leases.front(), self.early_leases.peek()) {
                (Some(q), Some(Reverse(h))) if h.0 < q.0 => {
                    (h.0 <= now).then(|| self.early_leases.pop().map(|r| r.0))
                }
                (_, Some(Reverse(h))) if self.leases.is_empty() => {
                    (h.0 <= now).then(|| self.early_leases.pop().map(|r| r.0))
                }
                (Some(q), _) => (q.0 <= now).then(|| self.leases.pop_front()),
                _ => None,
            };
            let Some(Some((until, id, token))) = next else {
                break;
            };
            let Ok(i) = self.row_index(id) else { continue };
            let row = &mut self.posts[i];
            if row.lease == Some((token, until)) {
                row.lease = None;
                if let Some((t, id)) = row.due_entry() {
                    self.due.push(t, id);
                }
            }
        }
        let mut picked = Vec::new();
        let mut waiting = Vec::new();
        let mut callable: HashMap<ConnectionId, bool> = HashMap::new();
        let mut last: Option<(ConnectionId, bool)> = None;
        while picked.len() < req.limit {
            let Some((t, id)) = self.due.peek() else {
                break;
            };
            if t > now {
                break;
            }
            self.due.pop();
            let Ok(row) = self.row(id) else { continue };
            let current = row.post.state.is_scheduled()
                && row.post.next_scan_at == Some(t)
                && row.lease.is_none();
            if !current || picked.last() == Some(&(t, id)) {
                continue; // stale or duplicate entry
            }
            let conn = row.post.connection;
            // Due posts come in runs of one connection: ask the map only
            // when the connection changes.
            let ok = match last {
                Some((c, ok)) if c == conn => ok,
                _ => {
                    let ok = *callable
                        .entry(conn)
                        .or_insert_with(|| self.callable(conn, now));
                    last = Some((conn, ok));
                    ok
                }
            };
            if ok {
                picked.push((t, id));
            } else {
                waiting.push((t, id));
            }
        }
        // Posts of connections that cannot be called now stay due.
        for (t, id) in waiting {
            self.due.push(t, id);
        }
        let mut out = Vec::with_capacity(picked.len());
        for (t, id) in picked {
            let token = self.token();
            if self.leases.back().is_none_or(|b| b.0 <= lease_until) {
                self.leases.push_back((lease_until, id, token));
            } else {
                self.early_leases.push(Reverse((lease_until, id, token)));
            }
            let Ok(i) = self.row_index(id) else { continue };
            let row = &mut self.posts[i];
            row.lease = Some((token, lease_until));
            let p = &row.post;
            out.push(ClaimedPost {
                token,
                post: DuePost {
                    id,
                    platform: p.platform,
                    platform_post_id: p.platform_post_id.clone(),
                    connection: p.connection,
                    creator: p.creator,
                    kind: p.kind,
                    published_at: p.published_at,
                    anchored_at: p.anchored_at,
                    monitor_until: p.monitor_until,
                    next_scan_at: t,
                    state: p.state,
                    latest: row.snapshots.last().map(|s| s.metrics),
                    brands: row.brands.clone(),
                    scopes: row.scopes.clone(),
                },
            });
        }
        out
    }

    pub(crate) fn complete_scans(
        &mut self,
        completions: Vec<ScanCompletion>,
    ) -> Vec<CompletionOutcome> {
        completions
            .into_iter()
            .map(|c| self.complete_one(c))
            .collect()
    }

    fn complete_one(&mut self, c: ScanCompletion) -> CompletionOutcome {
        let Ok(i) = self.row_index(c.post) else {
            return CompletionOutcome::LeaseLost;
        };
        let at = c.at;
        let row = &mut self.posts[i];
        match row.lease {
            Some((t, _)) if t == c.token => row.lease = None,
            _ if row.last_applied == Some(c.token) => return CompletionOutcome::AlreadyApplied,
            _ => return CompletionOutcome::LeaseLost,
        }
        let row = &mut self.posts[i];
        row.last_applied = Some(c.token);
        let mut delta = None;
        if let ScanReading::Changed(reading) = c.reading {
            let prev = row.snapshots.last();
            if prev.is_none_or(|p| p.at < at) {
                let prev_carried = prev.map(|p| p.carried).unwrap_or_default();
                let carried = reading.carried_over(&prev_carried);
                delta = Some(CounterDelta::between(&prev_carried, &carried));
                row.snapshots.push(Snapshot {
                    post: c.post,
                    at,
                    metrics: reading,
                    carried,
                });
                if let Some(cap) = self.history_cap {
                    if row.snapshots.len() > cap {
                        let excess = row.snapshots.len() - cap;
                        row.snapshots.drain(..excess);
                    }
                }
            }
        }
        let post = &mut row.post;
        if c.reading.is_scan() {
            post.scan_count = post.scan_count.saturating_add(1);
            post.last_scanned_at = Some(at);
        }
        let before = post.state;
        let after = post.apply(PostEvent::Scanned(c.next), at).state;
        DeletedSpan::track(&mut row.deleted, before, after, at);
        if let Some((t, id)) = row.due_entry() {
            self.due.push(t, id);
        }
        if let Some(d) = delta.filter(|d| !d.is_zero()) {
            let h = AggregateHour::of(at);
            let mut brands: Vec<BrandId> = Vec::new();
            for a in &self.posts[i].post.attribution {
                self.aggregates
                    .entry(AggKey::Scope(a.scope))
                    .or_default()
                    .entry(h)
                    .or_default()
                    .add(&d);
                if !brands.contains(&a.brand) {
                    brands.push(a.brand);
                }
            }
            for b in brands {
                self.aggregates
                    .entry(AggKey::Brand(b))
                    .or_default()
                    .entry(h)
                    .or_default()
                    .add(&d);
            }
        }
        CompletionOutcome::Applied
    }

    pub(crate) fn release_claims(&mut self, releases: Vec<Release>) {
        for r in releases {
            let Ok(i) = self.row_index(r.post) else {
                continue;
            };
            let row = &mut self.posts[i];
            if row.lease.is_some_and(|(t, _)| t == r.token) {
                row.lease = None;
                if let Some((t, id)) = row.due_entry() {
                    self.due.push(t, id);
                }
            }
        }
    }

    pub(crate) fn list_snapshots(
        &self,
        post: PostId,
        from: Timestamp,
        to: Timestamp,
    ) -> StoreResult<Vec<Snapshot>> {
        let row = self.row(post)?;
        Ok(row
            .snapshots
            .iter()
            .filter(|s| s.at >= from && s.at < to)
            .cloned()
            .collect())
    }

    pub(crate) fn latest_snapshot(&self, post: PostId) -> StoreResult<Option<Snapshot>> {
        Ok(self.row(post)?.snapshots.last().cloned())
    }
}
