//! Lease ends that do not grow with time (a worker with a shorter lease, a
//! clock set back) still lapse on time.

use chrono::TimeDelta;
use socialsync_core::store::{ClaimRequest, PostCatalog, ScanQueue};
use socialsync_store_memory::MemoryStore;
use socialsync_testkit::fixtures::{attributed, hours, post, world};

#[tokio::test]
async fn a_shorter_lease_taken_after_a_longer_one_lapses_first() {
    let store = MemoryStore::new();
    let w = world(&store).await;
    let a = vec![attributed(&w.scope, "brandx")];
    let ups = vec![post(&w.connection, "long", hours(-2), a.clone())];
    store.upsert_posts(ups, hours(0)).await.unwrap();
    let long = store
        .claim_due_posts(ClaimRequest {
            now: hours(0),
            lease_until: hours(2),
            limit: 10,
        })
        .await
        .unwrap();
    assert_eq!(long.len(), 1);
    store
        .upsert_posts(vec![post(&w.connection, "short", hours(-1), a)], hours(0))
        .await
        .unwrap();
    let short_until = hours(0) + TimeDelta::minutes(10);
    let short = store
        .claim_due_posts(ClaimRequest {
            now: hours(0),
            lease_until: short_until,
            limit: 10,
        })
        .await
        .unwrap();
    assert_eq!(short.len(), 1);
    let just_before = short_until - TimeDelta::microseconds(1);
    let none = store
        .claim_due_posts(ClaimRequest {
            now: just_before,
            lease_until: hours(3),
            limit: 10,
        })
        .await
        .unwrap();
    assert!(none.is_empty());
    let again = store
        .claim_due_posts(ClaimRequest {
            now: short_until,
            lease_until: hours(3),
            limit: 10,
        })
        .await
        .unwrap();
    assert_eq!(
        again.iter().map(|c| c.post.id).collect::<Vec<_>>(),
        [short[0].post.id]
    );
    let both = store
        .claim_due_posts(ClaimRequest {
            now: hours(3),
            lease_until: hours(4),
            limit: 10,
        })
        .await
        .unwrap();
    assert_eq!(both.len(), 2, "both leases lapsed by then");
}
