//! What a report reads: the posts with their readings at the range's ends,
//! and the as-of totals at each bucket boundary from the aggregates.

use socialsync_core::clock::Timestamp;
use socialsync_core::error::{StoreError, StoreResult};
use socialsync_core::metrics::CounterDelta;
use socialsync_core::report::{CounterTotals, ReportInputs, ReportPost, ReportQuery};
use std::collections::BTreeSet;

use super::{AggKey, Inner};

impl Inner {
    pub(crate) fn report_inputs(&self, q: ReportQuery) -> StoreResult<ReportInputs> {
        if !self.brands.contains_key(&q.brand) {
            return Err(StoreError::not_found("brand", q.brand));
        }
        let (ids, key) = match q.scope {
            Some(s) => {
                if self.get_scope(q.brand, s).is_none() {
                    return Err(StoreError::not_found("scope", s));
                }
                (self.scope_posts.get(&s), AggKey::Scope(s))
            }
            None => (self.brand_posts.get(&q.brand), AggKey::Brand(q.brand)),
        };
        let mut posts = Vec::new();
        let mut conns = BTreeSet::new();
        for id in ids.into_iter().flatten() {
            let row = self.row(*id)?;
            let p = &row.post;
            let before = |t: Timestamp| {
                let n = row.snapshots.partition_point(|s| s.at < t);
                n.checked_sub(1).map(|k| &row.snapshots[k])
            };
            let at_to = before(q.to);
            conns.insert(p.connection);
            posts.push(ReportPost {
                id: p.id,
                platform: p.platform,
                platform_post_id: p.platform_post_id.clone(),
                creator: p.creator,
                connection: p.connection,
                listers: p.listers.clone(),
                scopes: row.scopes.to_vec(),
                permalink: p.permalink.clone(),
                published_at: p.published_at,
                monitor_until: p.monitor_until,
                deleted: row.deleted.clone(),
                anchored_at: p.anchored_at,
                state: p.state,
                at_from: before(q.from).map(|s| s.carried),
                at_to: at_to.map(|s| s.carried),
                latest_before_to: at_to.map(|s| s.metrics),
            });
        }
        let mut boundaries: Vec<(Timestamp, CounterTotals)> = q
            .boundaries()
            .map(|b| (b, CounterTotals::default()))
            .collect();
        if let Some(series) = self.aggregates.get(&key) {
            let mut running = CounterDelta::default();
            let mut k = 0;
            for (h, d) in series {
                while k < boundaries.len() && h.start() >= boundaries[k].0 {
                    boundaries[k].1 = running.0;
                    k += 1;
                }
                running.add(d);
            }
            while k < boundaries.len() {
                boundaries[k].1 = running.0;
                k += 1;
            }
        }
        let connection_history = conns
            .into_iter()
            .filter_map(|c| {
                self.connections
                    .get(&c)
                    .map(|r| (c, r.conn.history.clone()))
            })
            .collect();
        Ok(ReportInputs {
            posts,
            boundaries,
            connection_history,
        })
    }
}
