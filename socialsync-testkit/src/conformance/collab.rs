//! Collab posts (ARCHITECTURE.md §2): one post listed by several connections
//! stays with its owner while the owner is active, is matched through every
//! lister's creator, and credits the listers that are members. Driven through
//! the engine over the store under test.

use super::shared::must;
use crate::fake_platform::FakePost;
use crate::fixtures::*;
use crate::sim::Sim;
use chrono::TimeDelta;
use socialsync_core::clock::Timestamp;
use socialsync_core::credentials::Credentials;
use socialsync_core::domain::{Connection, DisconnectReason, Lister, Post, PostState, Scope};
use socialsync_core::ids::{BrandId, ConnectionId, CreatorId, PlatformPostId, PostId};
use socialsync_core::metrics::{Metric, Metrics};
use socialsync_core::platform::Platform;
use socialsync_core::report::BucketSize;
use socialsync_core::report::{ReportRange, scope_report};
use socialsync_core::store::{DisconnectRequest, NewConnection, PostFilter, PostStore};
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
        let report = scope_report(&*self.sim.store, self.brand, self.program.id, range)
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

fn disconnect_request(c: &Connection, version: u64, at: Timestamp) -> DisconnectRequest {
    DisconnectRequest {
        connection: c.id,
        credentials_version: version,
        reason: DisconnectReason::Revoked,
        at,
        notify_claim_until: at,
    }
}

fn reconnect_request(c: &Connection) -> NewConnection {
    NewConnection {
        creator: c.creator,
        platform: c.platform,
        account_id: c.account_id.clone(),
        handle: c.handle.clone(),
        credentials: Credentials::new(format!("token-again-{}", c.account_id)),
    }
}

/// The listers of a post, its owner and state.
async fn listed(store: &dyn PostStore, id: PostId) -> (Vec<Lister>, ConnectionId, PostState) {
    let p = must(store.get_post(id).await, "get_post").expect("post");
    (p.listers, p.connection, p.state)
}

/// A post's listers are kept, sorted, through its owner's and its other
/// lister's disconnections, a reset and the reconnections; the owner moves
/// only to an active lister, and only when the owner is not active.
pub async fn listers_survive_disconnect_reset_and_reconnect(store: Arc<dyn PostStore>) {
    let w = world(&*store).await;
    let bo = creator(&*store, "Bo").await;
    let a = w.connection.clone();
    let b = connect(&*store, bo.id, Platform::Instagram, "ig-bo").await;
    let both = [
        Lister {
            connection: a.id,
            creator: a.creator,
        },
        Lister {
            connection: b.id,
            creator: b.creator,
        },
    ];
    let matched = || vec![attributed(&w.scope, "brandx")];
    let up = |c: &Connection, at| {
        let store = store.clone();
        let u = post(c, "collab", hours(-1), matched());
        async move { must(store.upsert_posts(vec![u], at).await, "upsert")[0].clone() }
    };
    // Listed by B first, then by A: B owns it.
    let first = up(&b, hours(0)).await;
    assert!(first.created);
    let id = first.id;
    let again = up(&a, hours(0)).await;
    assert_eq!((again.id, again.created), (id, false));
    assert_eq!(
        listed(&*store, id).await,
        (both.to_vec(), b.id, PostState::Monitoring)
    );
    // Only B's own post for `connection`, both for `lister`, by key too.
    let ids = |f: PostFilter| {
        let store = store.clone();
        async move {
            must(store.list_posts(f).await, "list")
                .iter()
                .map(|p| p.id)
                .collect::<Vec<_>>()
        }
    };
    for c in [&a, &b] {
        let f = PostFilter {
            lister: Some(c.id),
            ..Default::default()
        };
        assert_eq!(ids(f).await, [id], "listed by {}", c.id);
    }
    let owned_by_a = PostFilter {
        connection: Some(a.id),
        ..Default::default()
    };
    assert_eq!(ids(owned_by_a).await, Vec::<PostId>::new());
    let by_key = PostFilter {
        keys: Some((
            Platform::Instagram,
            vec![PlatformPostId::new("collab"), PlatformPostId::new("none")],
        )),
        ..Default::default()
    };
    assert_eq!(ids(by_key).await, [id]);
    let other_platform = PostFilter {
        keys: Some((Platform::TikTok, vec![PlatformPostId::new("collab")])),
        ..Default::default()
    };
    assert_eq!(ids(other_platform).await, Vec::<PostId>::new());

    // B, the owner, disconnects: A takes the post over, still monitored.
    let vb = version(&*store, b.id).await;
    must(
        store.disconnect(disconnect_request(&b, vb, hours(1))).await,
        "disconnect b",
    );
    assert_eq!(
        listed(&*store, id).await,
        (both.to_vec(), a.id, PostState::Monitoring)
    );
    let p = must(store.get_post(id).await, "get").expect("post");
    assert_eq!(p.creator, a.creator, "the owner's creator");
    // A disconnects too: no active lister is left, the post pauses with A.
    let va = version(&*store, a.id).await;
    must(
        store.disconnect(disconnect_request(&a, va, hours(2))).await,
        "disconnect a",
    );
    assert_eq!(
        listed(&*store, id).await,
        (both.to_vec(), a.id, PostState::Paused)
    );
    // Resets keep the listers.
    must(store.reset_connection(b.id, hours(3)).await, "reset b");
    must(store.reset_connection(a.id, hours(3)).await, "reset a");
    assert_eq!(
        listed(&*store, id).await,
        (both.to_vec(), a.id, PostState::Paused)
    );
    // B reconnects: the post is not B's, it stays paused with A until B
    // lists it; then B, active, takes it over from A, not active.
    must(
        store.connect(reconnect_request(&b), hours(4)).await,
        "b again",
    );
    assert_eq!(
        listed(&*store, id).await,
        (both.to_vec(), a.id, PostState::Paused)
    );
    let taken = up(&b, hours(5)).await;
    assert_eq!(
        (taken.previous_state, taken.state),
        (Some(PostState::Paused), PostState::Monitoring)
    );
    let p = must(store.get_post(id).await, "get").expect("post");
    assert_eq!(
        (p.connection, p.creator, p.next_scan_at),
        (b.id, b.creator, Some(hours(5))),
        "taken over and due at once"
    );
    // A reconnects and lists it: B is active, the post stays with B.
    must(
        store.connect(reconnect_request(&a), hours(6)).await,
        "a again",
    );
    let kept = up(&a, hours(6)).await;
    assert_eq!(kept.state, PostState::Monitoring);
    assert_eq!(
        listed(&*store, id).await,
        (both.to_vec(), b.id, PostState::Monitoring)
    );
    let p = must(store.get_post(id).await, "get").expect("post");
    assert_eq!(p.next_scan_at, Some(hours(5)), "its due time kept");
    assert_eq!(p.creator, b.creator);
}
