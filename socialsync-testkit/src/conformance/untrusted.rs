//! Hostile values that reach a store by a road other than a post's text
//! (DESIGN §4, §9): a permission's name, a host's notifier that panics.

use super::shared::must;
use crate::fake_platform::FakePost;
use crate::fixtures::{creator, program};
use crate::sim::Sim;
use chrono::TimeDelta;
use socialsync_core::clock::Timestamp;
use socialsync_core::error::StoreError;
use socialsync_core::metrics::{Metric, MetricSet, Metrics};
use socialsync_core::platform::Platform;
use socialsync_core::store::{
    BucketSize, NewBrand, NewCreator, PostFilter, PostStore, ReportQuery,
};
use std::sync::Arc;

fn start() -> Timestamp {
    "2026-05-01T00:00:00Z".parse().expect("instant")
}

/// A permission's name holding U+0000 is the same name at every scan: the
/// host is told once that it is missing, not at every cycle, and told the
/// name the connection's health keeps.
pub async fn a_permission_name_holding_nul_is_told_once(store: Arc<dyn PostStore>) {
    let (_, ana, _) = program(store.as_ref()).await;
    let sim = Sim::new(store, start());
    let fake = sim.fake(Platform::TikTok);
    let at = start() - TimeDelta::hours(1);
    fake.add_post(FakePost::new("p1", "ana", at, "#BrandX").reads(
        at,
        Metrics::new().with(Metric::Views, 5).with(Metric::Likes, 1),
    ));
    fake.withhold_permission(MetricSet::of(&[Metric::Likes]), "video.\0insights");
    let conn = sim.connect(ana.id, Platform::TikTok, "ana").await;
    sim.run(TimeDelta::hours(1), 4).await;
    let told = sim.notifier.missing();
    let kept = must(sim.store.get_connection(conn.id).await, "get connection")
        .expect("connection")
        .health
        .missing_permissions;
    assert_eq!(kept, ["video.insights"], "U+0000 dropped on the way in");
    assert_eq!(told.len(), 1, "told once, not at every scan: {told:?}");
    assert_eq!(told[0].1, kept, "told the name the store keeps");
}

