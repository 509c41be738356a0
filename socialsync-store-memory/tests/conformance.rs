//! The store conformance suite on `MemoryStore`.

use socialsync_store_memory::MemoryStore;

socialsync_testkit::store_conformance_tests!(|| async {
    MemoryStore::with_event_capacity(1_000, 64)
});
