//! Collab posts (DESIGN §2): one post listed by several connections stays
//! with its owner while the owner is active, is matched through every
//! lister's creator, and credits the listers that are members. Driven
//! through the engine over the store under test.

use super::shared::must;
use crate::fake_platform::FakePost;
use crate::fixtures::*;
use crate::sim::Sim;
use chrono::TimeDelta;
use socialsync_core::domain::{Connection, DisconnectReason, Post, PostState, Scope};
use socialsync_core::ids::{BrandId, CreatorId, PlatformPostId};
use socialsync_core::metrics::{Metric, Metrics};
use socialsync_core::platform::Platform;
use socialsync_core::report::{ReportRange, campaign_report};
use socialsync_core::store::{BucketSize, PostStore};
use socialsync_core::tracking::{ScopeSpec, Tracking};
use std::sync::Arc;

const COLLAB: &str = "collab-1";
const MEMBER_ACCOUNT: &str = "ig-mia";
const OTHER_ACCOUNT: &str = "ig-noa";

fn views(v: u64) -> Metrics {
    Metrics::new().with(Metric::Views, v)
}

/// A brand whose program tracks `#brandx` with Mia as its only member;
/// Noa is no member. One Instagram collab post of Mia's lists Noa as a
/// collaborator, published an hour before `t0()`, its views growing by 10
/// an hour.
struct Collab {
    sim: Sim,
    brand: BrandId,
    program: Scope,
    mia: CreatorId,
    noa: CreatorId,
}

async fn collab(store: Arc<dyn PostStore>) -> Collab {
    let sim = Sim::new(store.clone(), t0());
    let tracking = Tracking::new(store, sim.clock.clone());
    let brand = tracking.create_brand("Acme").await.expect("brand").id;
    let mia = tracking.create_creator("Mia", None).await.expect("mia").id;
    let noa = tracking.create_creator("Noa", None).await.expect("noa").id;
    let program = tracking
        .create_program(brand, ScopeSpec::new("Program", ["#BrandX"]).members([mia]))
        .await
        .expect("program");
    let mut post = FakePost::new(COLLAB, MEMBER_ACCOUNT, hours(-1), "our collab #brandx")
        .with_collaborator(OTHER_ACCOUNT);
    for h in -1..=48 {
        post = post.reads(hours(h), views(10 * (h + 2) as u64));
    }
    sim.fake(Platform::Instagram).add_post(post);
    Collab {
        sim,
        brand,
        program,
        mia,
        noa,
    }
}

impl Collab {
    async fn post(&self) -> Post {
        must(
            self.sim
                .store
                .get_post_by_key(Platform::Instagram, &PlatformPostId::new(COLLAB))
                .await,
            "get_post_by_key",
        )
        .expect("the collab post is stored")
    }

    /// Connects both accounts, `member_first` deciding the order; returns
    /// (first, second).
    async fn connect_both(&self, member_first: bool) -> (Connection, Connection) {
        let mia = (self.mia, MEMBER_ACCOUNT);
        let noa = (self.noa, OTHER_ACCOUNT);
        let (a, b) = if member_first { (mia, noa) } else { (noa, mia) };
        let first = self.sim.connect(a.0, Platform::Instagram, a.1).await;
        let second = self.sim.connect(b.0, Platform::Instagram, b.1).await;
        (first, second)
    }

    /// Runs `hours` hourly cycles; after each, the post is `Monitoring`,
    /// owned by `owner`, attributed to the program, and scanned once more.
    async fn hourly_with_owner(&self, owner: &Connection, hours: u32, what: &str) {
        for h in 1..=hours {
            let before = self.post().await.scan_count;
            self.sim.run(TimeDelta::hours(1), 1).await;
            let p = self.post().await;
            assert_eq!(p.state, PostState::Monitoring, "{what}, hour {h}: state");
            assert_eq!(p.connection, owner.id, "{what}, hour {h}: owner");
            assert!(
                p.counts_for(self.program.id),
                "{what}, hour {h}: attribution"
            );
            assert_eq!(p.scan_count, before + 1, "{what}, hour {h}: scanned once");
        }
    }

    /// The program's report credits Mia alone, and counts the post once.
    async fn report_credits_the_member(&self, what: &str) {
        let now = self.sim.now();
        let range = ReportRange::new(hours(-24), now + TimeDelta::hours(1), BucketSize::Hour)
            .expect("range");
        let report = campaign_report(&*self.sim.store, self.brand, self.program.id, range)
            .await
            .expect("report");
        assert_eq!(report.figures.posts, 1, "{what}: posts in totals");
        let credited: Vec<(CreatorId, String, u64)> = report
            .by_creator
            .iter()
            .map(|c| (c.creator, c.name.clone(), c.figures.posts))
            .collect();
        assert_eq!(
            credited,
            [(self.mia, "Mia".to_owned(), 1)],
            "{what}: by-creator breakdown"
        );
        let total = report.figures.totals.get(&Metric::Views).map(|t| t.value);
        let mia = report.by_creator[0]
            .figures
            .totals
            .get(&Metric::Views)
            .map(|t| t.value);
        assert!(total.is_some_and(|v| v > 0), "{what}: views read");
        assert_eq!(mia, total, "{what}: Mia is credited the post's views");
    }

    /// Hands the post from its disconnected owner to the other active
    /// lister, then reconnects the old owner: it does not take it back.
    async fn handover_and_reconnect(&self, first: &Connection, second: &Connection) {
        let d = self
            .sim
            .engine
            .disconnect_reported(
                Platform::Instagram,
                &first.account_id,
                DisconnectReason::Revoked,
            )
            .await
            .expect("disconnect")
            .expect("the owner is disconnected");
        assert!(d.newly_disconnected);
        let p = self.post().await;
        assert_eq!(
            p.connection, second.id,
            "the active lister took the post over"
        );
        assert_eq!(p.state, PostState::Monitoring, "handed over, not paused");
        self.hourly_with_owner(second, 3, "after the owner's disconnection")
            .await;
        self.report_credits_the_member("after the handover").await;

        let creds = self
            .sim
            .fake(Platform::Instagram)
            .reauthorize(first.account_id.as_str());
        let again = self
            .sim
            .connect_with(
                first.creator,
                Platform::Instagram,
                first.account_id.as_str(),
                creds,
            )
            .await;
        assert_eq!(again.id, first.id);
        assert!(again.status.is_active());
        let p = self.post().await;
        assert_eq!(
            p.connection, second.id,
            "a reconnection never takes a post from an active owner"
        );
        assert_eq!(p.state, PostState::Monitoring);
        self.hourly_with_owner(second, 3, "after the old owner reconnected")
            .await;
        self.report_credits_the_member("after the reconnection")
            .await;
    }
}

async fn collab_post_lifecycle(store: Arc<dyn PostStore>, member_first: bool) {
    let c = collab(store).await;
    let (first, second) = c.connect_both(member_first).await;
    let p = c.post().await;
    assert_eq!(p.connection, first.id, "the first lister owns the post");
    assert_eq!(p.state, PostState::Monitoring, "matched through Mia");
    c.sim.cycle().await;
    assert_eq!(c.post().await.scan_count, 1, "scanned at once");
    c.hourly_with_owner(&first, 4, "both active").await;
    c.report_credits_the_member("both active").await;
    c.handover_and_reconnect(&first, &second).await;
}

/// A collab post listed first by the member's connection, then by a
/// non-member's: it stays `Monitoring` with the member's connection, is
/// scanned every hour, is credited to the member; the owner's
/// disconnection hands it to the other lister, and the old owner's
/// reconnection does not take it back.
pub async fn collab_post_listed_by_member_first_stays_monitored(store: Arc<dyn PostStore>) {
    collab_post_lifecycle(store, true).await;
}

/// The same collab post listed first by the non-member's connection:
/// it is owned by that connection, matched through the member, scanned
/// every hour, never `Untracked`, credited to the member alone.
pub async fn collab_post_listed_by_non_member_first_stays_monitored(store: Arc<dyn PostStore>) {
    collab_post_lifecycle(store, false).await;
}
