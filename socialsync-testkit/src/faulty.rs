//! [`FaultyStore`]: a store decorator that fails where a test asks it to —
//! one post's scan refused for its data, or a panic where nothing should
//! panic — so a test can show the engine keeps such a fault to itself.

use async_trait::async_trait;
use socialsync_core::clock::Timestamp;
use socialsync_core::domain::Snapshot;
use socialsync_core::error::{StoreError, StoreResult};
use socialsync_core::ids::PostId;
use socialsync_core::store::{
    ClaimRequest, ClaimedPost, CompletionOutcome, PostStore, Release, ScanCompletion, ScanQueue,
};
use std::collections::BTreeSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

/// Wraps a store: the scan queue fails as told, every other role is the
/// wrapped store's ([`socialsync_core::forward_roles!`]).
#[derive(Debug)]
pub struct FaultyStore {
    inner: Arc<dyn PostStore>,
    refused: Mutex<BTreeSet<PostId>>,
    panics: AtomicUsize,
    refusals: AtomicUsize,
}

impl FaultyStore {
    /// A decorator over `inner` that fails nothing until told.
    pub fn new(inner: Arc<dyn PostStore>) -> FaultyStore {
        FaultyStore {
            inner,
            refused: Mutex::new(BTreeSet::new()),
            panics: AtomicUsize::new(0),
            refusals: AtomicUsize::new(0),
        }
    }

    /// Refuses, as invalid input, every `complete_scans` call holding a
    /// completion of `post`: a store rejecting that one post's data.
    pub fn refuse_scans_of(&self, post: PostId) {
        self.refused
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(post);
    }

    /// Makes the next `times` calls of `claim_due_posts` panic: a bug
    /// outside any one connection.
    pub fn panic_on_claims(&self, times: usize) {
        self.panics.store(times, Ordering::SeqCst);
    }

    /// How many `complete_scans` calls were refused so far.
    pub fn refusals(&self) -> usize {
        self.refusals.load(Ordering::SeqCst)
    }
}

#[async_trait]
impl ScanQueue for FaultyStore {
    async fn claim_due_posts(&self, request: ClaimRequest) -> StoreResult<Vec<ClaimedPost>> {
        // One atomic step: concurrent claims never panic more often than told.
        let armed = self
            .panics
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
            .is_ok();
        if armed {
            panic!("injected fault: claim_due_posts");
        }
        self.inner.claim_due_posts(request).await
    }

    async fn complete_scans(
        &self,
        completions: Vec<ScanCompletion>,
    ) -> StoreResult<Vec<CompletionOutcome>> {
        let bad = {
            let refused = self.refused.lock().unwrap_or_else(|e| e.into_inner());
            completions
                .iter()
                .find(|c| refused.contains(&c.post))
                .map(|c| c.post)
        };
        if let Some(post) = bad {
            self.refusals.fetch_add(1, Ordering::SeqCst);
            return Err(StoreError::InvalidInput(format!(
                "injected fault: post {post}'s reading refused"
            )));
        }
        self.inner.complete_scans(completions).await
    }

    async fn release_claims(&self, releases: Vec<Release>) -> StoreResult<()> {
        self.inner.release_claims(releases).await
    }

    async fn list_snapshots(
        &self,
        post: PostId,
        from: Timestamp,
        to: Timestamp,
    ) -> StoreResult<Vec<Snapshot>> {
        self.inner.list_snapshots(post, from, to).await
    }

    async fn latest_snapshot(&self, post: PostId) -> StoreResult<Option<Snapshot>> {
        self.inner.latest_snapshot(post).await
    }
}

socialsync_core::forward_roles!(FaultyStore => inner:
    TrackingStore, ConnectionStore, CredentialStore, NoticeOutbox, PostCatalog,
    ReportStore, DeliveryLog, EventLog, SharedBudget);
