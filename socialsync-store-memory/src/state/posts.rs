//! Posts: upserts by natural key, attribution and its state rules, listings.

use socialsync_core::clock::Timestamp;
use socialsync_core::domain::{
    Attribution, DeletedSpan, Due, Lister, Post, PostEvent, PostState, Snapshot, record_lister,
    takes_over,
};
use socialsync_core::error::{StoreError, StoreResult};
use socialsync_core::ids::*;
use socialsync_core::metrics::{AggregateHour, CounterDelta, Metrics};
use socialsync_core::platform::Platform;
use socialsync_core::store::*;
use std::collections::BTreeSet;
use std::sync::Arc;

use super::{AggKey, Inner, PostRow};

impl Inner {
    pub(crate) fn upsert_posts(
        &mut self,
        posts: Vec<PostUpsert>,
        now: Timestamp,
    ) -> StoreResult<Vec<UpsertedPost>> {
        // Check everything first, so a refused batch changes nothing.
        for p in &posts {
            let row = self
                .connections
                .get(&p.connection)
                .ok_or_else(|| StoreError::not_found("connection", p.connection))?;
            if row.conn.platform != p.platform {
                return Err(StoreError::InvalidInput(format!(
                    "{} is a {} connection, not {}",
                    p.connection, row.conn.platform, p.platform
                )));
            }
        }
        let mut out = Vec::with_capacity(posts.len());
        for p in posts {
            let key = (p.platform, p.platform_post_id.clone());
            let lister = Lister {
                connection: p.connection,
                creator: p.creator,
            };
            match self.by_key.get(&key).copied() {
                Some(id) => {
                    let i = self.row_index(id)?;
                    let previous = self.posts[i].post.state;
                    let owner = self.posts[i].post.connection;
                    let taken = takes_over(
                        owner,
                        self.is_active(owner),
                        p.connection,
                        self.is_active(p.connection),
                    );
                    {
                        let post = &mut self.posts[i].post;
                        record_lister(&mut post.listers, lister);
                        if taken || owner == p.connection {
                            post.connection = p.connection;
                            post.creator = p.creator;
                        }
                        post.kind = p.kind;
                        post.title = p.title;
                        post.text = p.text;
                        post.keyword_tags = p.keyword_tags;
                        post.permalink = p.permalink;
                        post.hashtags = p.hashtags;
                    }
                    let mut state = self.apply_attribution(i, p.attribution, now);
                    if taken {
                        state = self.resume(i, now);
                    }
                    out.push(UpsertedPost {
                        id,
                        created: false,
                        previous_state: Some(previous),
                        state,
                    });
                }
                None => {
                    let id = PostId(self.posts.len() as i64 + 1);
                    let post = Post {
                        id,
                        platform: p.platform,
                        platform_post_id: p.platform_post_id,
                        connection: p.connection,
                        creator: p.creator,
                        listers: vec![lister],
                        published_at: p.published_at,
                        anchored_at: p.anchored_at,
                        monitor_until: p.monitor_until,
                        next_scan_at: None,
                        state: PostState::Seen,
                        kind: p.kind,
                        title: p.title,
                        text: p.text,
                        keyword_tags: p.keyword_tags,
                        permalink: p.permalink,
                        hashtags: p.hashtags,
                        attribution: Vec::new(),
                        first_seen_at: now,
                        last_scanned_at: None,
                        scan_count: 0,
                    };
                    self.posts.push(PostRow {
                        post,
                        brands: Arc::from([]),
                        scopes: Arc::from([]),
                        lease: None,
                        last_applied: None,
                        snapshots: Vec::new(),
                        deleted: Vec::new(),
                    });
                    self.by_key.insert(key, id);
                    let state = self.apply_attribution(self.posts.len() - 1, p.attribution, now);
                    out.push(UpsertedPost {
                        id,
                        created: true,
                        previous_state: None,
                        state,
                    });
                }
            }
        }
        Ok(out)
    }

    /// Whether `connection` is active.
    fn is_active(&self, connection: ConnectionId) -> bool {
        self.connections
            .get(&connection)
            .is_some_and(|r| r.conn.status.is_active())
    }

    /// The post at `i` was taken over by an active lister: a paused post
    /// resumes. Its state after.
    fn resume(&mut self, i: usize, now: Timestamp) -> PostState {
        let row = &mut self.posts[i];
        let before = row.post.state;
        let after = row.post.apply(PostEvent::ConnectionResumed, now).state;
        if let (false, Some((t, id))) = (before == PostState::Monitoring, row.due_entry()) {
            self.due.push(t, id);
        }
        after
    }

    pub(crate) fn set_attribution(
        &mut self,
        post: PostId,
        attribution: Vec<Attribution>,
        now: Timestamp,
    ) -> StoreResult<PostState> {
        let i = self.row_index(post)?;
        Ok(self.apply_attribution(i, attribution, now))
    }

    /// Replaces a post's attribution: moves its contributions between
    /// aggregates and applies the state rules.
    fn apply_attribution(
        &mut self,
        i: usize,
        attribution: Vec<Attribution>,
        now: Timestamp,
    ) -> PostState {
        let id = self.posts[i].post.id;
        let old_scopes: BTreeSet<ScopeId> = self.posts[i]
            .post
            .attribution
            .iter()
            .map(|a| a.scope)
            .collect();
        let new_scopes: BTreeSet<ScopeId> = attribution.iter().map(|a| a.scope).collect();
        let old_brands: BTreeSet<BrandId> = self.posts[i]
            .post
            .attribution
            .iter()
            .map(|a| a.brand)
            .collect();
        let new_brands: BTreeSet<BrandId> = attribution.iter().map(|a| a.brand).collect();
        let mut gone: Vec<AggKey> = old_scopes
            .difference(&new_scopes)
            .map(|s| AggKey::Scope(*s))
            .collect();
        gone.extend(
            old_brands
                .difference(&new_brands)
                .map(|b| AggKey::Brand(*b)),
        );
        let mut came: Vec<AggKey> = new_scopes
            .difference(&old_scopes)
            .map(|s| AggKey::Scope(*s))
            .collect();
        came.extend(
            new_brands
                .difference(&old_brands)
                .map(|b| AggKey::Brand(*b)),
        );
        if !gone.is_empty() || !came.is_empty() {
            let contributions = contributions(&self.posts[i].snapshots);
            for key in &gone {
                let series = self.aggregates.entry(*key).or_default();
                for (h, d) in &contributions {
                    series.entry(*h).or_default().sub(d);
                }
                match key {
                    AggKey::Scope(s) => {
                        self.scope_posts.entry(*s).or_default().remove(&id);
                    }
                    AggKey::Brand(b) => {
                        self.brand_posts.entry(*b).or_default().remove(&id);
                    }
                }
            }
            for key in &came {
                let series = self.aggregates.entry(*key).or_default();
                for (h, d) in &contributions {
                    series.entry(*h).or_default().add(d);
                }
                match key {
                    AggKey::Scope(s) => {
                        self.scope_posts.entry(*s).or_default().insert(id);
                    }
                    AggKey::Brand(b) => {
                        self.brand_posts.entry(*b).or_default().insert(id);
                    }
                }
            }
        }
        let active = self
            .connections
            .get(&self.posts[i].post.connection)
            .is_some_and(|c| c.conn.status.is_active());
        let row = &mut self.posts[i];
        let post = &mut row.post;
        let matched = !attribution.is_empty();
        let mut brands: Vec<BrandId> = attribution.iter().map(|a| a.brand).collect();
        brands.sort_unstable();
        brands.dedup();
        row.brands = Arc::from(brands);
        row.scopes = attribution.iter().map(|a| a.scope).collect();
        post.attribution = attribution;
        let before = post.state;
        let t = post.apply(
            PostEvent::Attributed {
                matched,
                connection_active: active,
            },
            now,
        );
        DeletedSpan::track(&mut row.deleted, before, t.state, now);
        // A new due time needs a queue entry (the old one is stale now).
        if let (Due::At(_), Some((t, id))) = (t.due, row.due_entry()) {
            self.due.push(t, id);
        }
        t.state
    }

    pub(crate) fn get_post(&self, id: PostId) -> Option<Post> {
        self.row(id).ok().map(|r| r.post.clone())
    }

    pub(crate) fn get_post_by_key(&self, platform: Platform, id: &PlatformPostId) -> Option<Post> {
        self.by_key
            .get(&(platform, id.clone()))
            .and_then(|pid| self.get_post(*pid))
    }

    pub(crate) fn list_posts(&self, f: &PostFilter) -> Vec<Post> {
        if let Some((platform, ids)) = &f.keys {
            let mut found: Vec<PostId> = ids
                .iter()
                .filter_map(|id| self.by_key.get(&(*platform, id.clone())))
                .copied()
                .collect();
            found.sort_unstable();
            found.dedup();
            let in_scope = |p: &Post| match (f.brand, f.scope) {
                (Some(b), Some(s)) => {
                    self.scopes.get(&s).is_some_and(|sc| sc.brand == b) && p.counts_for(s)
                }
                (Some(b), None) => p.counts_for_brand(b),
                (None, Some(_)) => false,
                (None, None) => true,
            };
            return found
                .into_iter()
                .filter_map(|id| self.row(id).ok())
                .map(|r| &r.post)
                .filter(|p| in_scope(p) && keeps(f, p))
                .cloned()
                .collect();
        }
        let candidates: Box<dyn Iterator<Item = &PostRow>> = match (f.brand, f.scope) {
            (Some(b), Some(s)) => {
                let ok = self.scopes.get(&s).is_some_and(|sc| sc.brand == b);
                let ids = if ok { self.scope_posts.get(&s) } else { None };
                Box::new(
                    ids.into_iter()
                        .flatten()
                        .filter_map(|id| self.row(*id).ok()),
                )
            }
            (Some(b), None) => Box::new(
                self.brand_posts
                    .get(&b)
                    .into_iter()
                    .flatten()
                    .filter_map(|id| self.row(*id).ok()),
            ),
            (None, Some(_)) => Box::new(std::iter::empty()),
            (None, None) => Box::new(self.posts.iter()),
        };
        candidates
            .map(|r| &r.post)
            .filter(|p| keeps(f, p))
            .cloned()
            .collect()
    }

    pub(crate) fn expire_paused_posts(&mut self, now: Timestamp) -> u64 {
        let mut n = 0;
        for row in &mut self.posts {
            let before = row.post.state;
            if row.post.apply(PostEvent::PausedSwept, now).state != before {
                n += 1;
            }
        }
        n
    }
}

/// Whether `p` passes the filters of `f` other than brand, scope and keys.
fn keeps(f: &PostFilter, p: &Post) -> bool {
    f.connection.is_none_or(|c| p.connection == c)
        && f.lister.is_none_or(|c| p.is_listed_by(c))
        && f.creator.is_none_or(|c| p.creator == c)
        && f.states.as_ref().is_none_or(|s| s.contains(&p.state))
        && f.monitor_until_after.is_none_or(|t| p.monitor_until > t)
}

/// A post's contributions to aggregates: per hour, the change of its
/// carried-forward counters.
fn contributions(snapshots: &[Snapshot]) -> Vec<(AggregateHour, CounterDelta)> {
    let mut prev = Metrics::new();
    snapshots
        .iter()
        .map(|s| {
            let d = CounterDelta::between(&prev, &s.carried);
            prev = s.carried;
            (AggregateHour::of(s.at), d)
        })
        .collect()
}
