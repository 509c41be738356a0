//! The store conformance suite on `MemoryStore`.

use socialsync_store_memory::MemoryStore;

socialsync_testkit::store_conformance_tests!(|| async {
    MemoryStore::with_event_capacity(1_000, 64)
});

/// The memory store prunes as it publishes, keeping the newest events.
#[tokio::test]
async fn event_queries_skip_pruned_events() {
    let keep = socialsync_testkit::conformance::KEPT_AFTER_PRUNING;
    let store = std::sync::Arc::new(MemoryStore::with_event_capacity(keep, 64));
    socialsync_testkit::conformance::event_queries_skip_pruned_events(store, || async {}).await;
}
