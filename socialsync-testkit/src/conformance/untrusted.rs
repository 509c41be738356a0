//! Hostile values that reach a store by a road other than a post's text
//! (ARCHITECTURE.md §4, §9): a permission's name, a host's notifier that panics.

use super::shared::must;
use crate::fake_platform::FakePost;
use crate::fixtures::{creator, program};
use crate::sim::Sim;
use chrono::TimeDelta;
use socialsync_core::clock::{ManualClock, Timestamp};
use socialsync_core::domain::DisconnectReason;
use socialsync_core::domain::ScopeKind;
use socialsync_core::domain::{Connection, Disconnection};
use socialsync_core::engine::{Delivered, Delivery, NotifyError, ReconnectNotifier};
use socialsync_core::error::StoreError;
use socialsync_core::hashtag::TrackedHashtag;
use socialsync_core::ids::{ConnectionId, LeaseToken, PlatformAccountId};
use socialsync_core::metrics::{Metric, MetricSet, Metrics};
use socialsync_core::platform::Platform;
use socialsync_core::store::{
    DeliveryClaim, DeliveryClaimRequest, NewBrand, NewCreator, NewScope, PostStore,
};
use std::sync::{Arc, Mutex};
use std::time::Duration;

fn start() -> Timestamp {
    "2026-05-01T00:00:00Z".parse().expect("instant")
}

/// A brand's or a creator's name holding U+0000, or longer than 200
/// characters, is a clear error, the same in every store; so is a scope of
/// more than 100 hashtags (ARCHITECTURE.md §9).
pub async fn names_holding_nul_or_too_long_are_refused_alike(store: Arc<dyn PostStore>) {
    let long = "n".repeat(201);
    for name in ["Ac\0me", long.as_str()] {
        let brand = store
            .create_brand(
                NewBrand {
                    name: name.to_owned(),
                },
                start(),
            )
            .await;
        assert!(
            matches!(brand, Err(StoreError::InvalidInput(_))),
            "brand named {name:?}: {brand:?}"
        );
        let creator = store
            .create_creator(
                NewCreator {
                    name: name.to_owned(),
                    external_ref: None,
                },
                start(),
            )
            .await;
        assert!(
            matches!(creator, Err(StoreError::InvalidInput(_))),
            "creator named {name:?}: {creator:?}"
        );
    }
    let (brand, _, _) = program(store.as_ref()).await;
    let many: Vec<TrackedHashtag> = (0..101)
        .map(|i| TrackedHashtag::parse(&format!("#tag{i}")).expect("hashtag"))
        .collect();
    let scope = store
        .create_scope(
            NewScope {
                brand: brand.id,
                name: "Many".into(),
                kind: ScopeKind::Program,
                hashtags: many,
                members: Vec::new(),
                match_keyword_tags: false,
            },
            start(),
        )
        .await;
    assert!(
        matches!(scope, Err(StoreError::InvalidInput(_))),
        "a scope of 101 hashtags: {scope:?}"
    );
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

/// A host notifier that panics when told that one connection was lost,
/// fails its first call about any other (the host was down), and records
/// what it was told.
#[derive(Debug, Default)]
struct HostNotifier {
    panics_for: Mutex<Option<ConnectionId>>,
    fails_left: Mutex<u32>,
    told: Mutex<Vec<ConnectionId>>,
}

#[async_trait::async_trait]
impl ReconnectNotifier for HostNotifier {
    async fn connection_lost(&self, d: &Disconnection) -> Result<(), NotifyError> {
        if *self.panics_for.lock().unwrap_or_else(|e| e.into_inner()) == Some(d.connection) {
            panic!("the host's notifier fell over");
        }
        let mut left = self.fails_left.lock().unwrap_or_else(|e| e.into_inner());
        if *left > 0 {
            *left -= 1;
            return Err(NotifyError("host unavailable".into()));
        }
        self.told
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(d.connection);
        Ok(())
    }
    async fn permissions_missing(&self, _: &Connection, _: &[String]) -> Result<(), NotifyError> {
        Ok(())
    }
}

/// A host whose reconnect notifier panics for one lost connection: that
/// panic is that connection's. Another lost connection, whose first notice
/// failed, is still told on a later tick of [`Engine::run`]
/// (ARCHITECTURE.md §4, partial failure; §5: the notice is an outbox).
///
/// [`Engine::run`]: socialsync_core::engine::Engine::run
pub async fn a_panicking_notifier_does_not_starve_other_notices(store: Arc<dyn PostStore>) {
    let (_, bad, _) = program(store.as_ref()).await;
    let ugly = creator(store.as_ref(), "Uma").await;
    let sim = Sim::new(store, start());
    let fake = sim.fake(Platform::TikTok);
    let at = start() - TimeDelta::hours(1);
    for (id, account) in [("bad-1", "bad"), ("ugly-1", "ugly")] {
        fake.add_post(
            FakePost::new(id, account, at, "#BrandX")
                .reads(at, Metrics::new().with(Metric::Views, 5)),
        );
    }
    let bad = sim.connect(bad.id, Platform::TikTok, "bad").await;
    let ugly = sim.connect(ugly.id, Platform::TikTok, "ugly").await;
    fake.revoke("bad");
    fake.revoke("ugly");
    let host = Arc::new(HostNotifier {
        panics_for: Mutex::new(Some(bad.id)),
        fails_left: Mutex::new(1),
        told: Mutex::new(Vec::new()),
    });
    let engine = sim.new_engine_with(|b| {
        b.with_tick(Duration::from_millis(20))
            .with_notifier(host.clone())
    });
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let run = tokio::spawn(async move {
        engine
            .run(async {
                let _ = stopped.await;
            })
            .await;
    });
    for _ in 0..4 {
        sim.clock.advance(TimeDelta::hours(1));
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    assert!(!run.is_finished(), "Engine::run is still going");
    for conn in [&bad, &ugly] {
        let c = must(sim.store.get_connection(conn.id).await, "get connection").expect("conn");
        assert!(
            matches!(
                c.status,
                socialsync_core::domain::ConnectionStatus::Disconnected { .. }
            ),
            "{} was lost: {:?}",
            conn.account_id,
            c.status
        );
    }
    let told = host.told.lock().unwrap_or_else(|e| e.into_inner()).clone();
    assert_eq!(told, [ugly.id], "the other lost connection is told");
    let _ = stop.send(());
    run.await.expect("run ends cleanly on shutdown");
}

/// A webhook delivery is handled once: exactly one of concurrent claims
/// wins, whichever caller (or process) makes them; a finished one is
/// `Handled` until its record ends, an unfinished one `InProgress` until
/// its claim lapses and then claimable again; a forgotten one counts as
/// new; a key no store should keep is refused (ARCHITECTURE.md §9).
pub async fn a_webhook_delivery_is_recognised_until_its_window_ends(store: Arc<dyn PostStore>) {
    let t = start();
    let claim = |key: &str, now: Timestamp| delivery_claim(key, now, t + TimeDelta::minutes(5));
    let aa = claimed(ok(store.claim_delivery(claim("tiktok:aa", t)).await));
    assert_eq!(
        ok(store.claim_delivery(claim("tiktok:aa", t)).await),
        DeliveryClaim::InProgress(t + TimeDelta::minutes(1))
    );
    ok(store.finish_delivery("tiktok:aa", aa).await);
    assert_eq!(
        ok(store
            .claim_delivery(claim("tiktok:aa", t + TimeDelta::minutes(4)))
            .await),
        DeliveryClaim::Handled
    );
    // A finished delivery is never forgotten, even by its own token.
    ok(store.forget_delivery("tiktok:aa", aa).await);
    assert_eq!(
        ok(store.claim_delivery(claim("tiktok:aa", t)).await),
        DeliveryClaim::Handled
    );
    // Concurrent claims of one delivery: exactly one wins.
    let racing: Vec<_> = (0..8)
        .map(|_| {
            let store = store.clone();
            let c = claim("tiktok:bb", t);
            tokio::spawn(async move { store.claim_delivery(c).await })
        })
        .collect();
    let mut tokens = Vec::new();
    for r in racing {
        match ok(r.await.expect("task")) {
            DeliveryClaim::Claimed(token) => tokens.push(token),
            DeliveryClaim::InProgress(_) => {}
            other => panic!("a concurrent claim found {other:?}"),
        }
    }
    assert_eq!(tokens.len(), 1, "one claim among concurrent ones wins");
    // Its handler never finished: once the claim lapsed, the next attempt
    // handles it, with a token of its own.
    let lapsed = t + TimeDelta::minutes(2);
    let bb = claimed(ok(store.claim_delivery(claim("tiktok:bb", lapsed)).await));
    assert_ne!(bb, tokens[0], "every claim gets a fresh token");
    ok(store.forget_delivery("tiktok:bb", bb).await);
    claimed(ok(store.claim_delivery(claim("tiktok:bb", lapsed)).await));
    // Its record over, the key may be used again (and the old record goes).
    let later = t + TimeDelta::minutes(6);
    let again = delivery_claim("tiktok:aa", later, later + TimeDelta::minutes(5));
    claimed(ok(store.claim_delivery(again).await));
    for bad in ["", "tiktok:\0", "tiktok:\n", &"k".repeat(257)] {
        let r = store.claim_delivery(claim(bad, t)).await;
        assert!(
            matches!(r, Err(StoreError::InvalidInput(_))),
            "{bad:?}: {r:?}"
        );
        for r in [
            store.finish_delivery(bad, aa).await,
            store.forget_delivery(bad, aa).await,
        ] {
            assert!(
                matches!(r, Err(StoreError::InvalidInput(_))),
                "{bad:?}: {r:?}"
            );
        }
    }
}

/// A handler whose claim lapsed (it stalled) and whose successor finished
/// the delivery cannot undo that: its late failure forgets nothing, its
/// late success changes nothing, and a replay stays a replay.
pub async fn a_late_handlers_forget_keeps_its_successors_finished_delivery(
    store: Arc<dyn PostStore>,
) {
    let t = start();
    let keep = t + TimeDelta::minutes(5);
    let late = claimed(ok(store
        .claim_delivery(delivery_claim("tiktok:cc", t, keep))
        .await));
    let lapsed = t + TimeDelta::minutes(2);
    let successor = claimed(ok(store
        .claim_delivery(delivery_claim("tiktok:cc", lapsed, keep))
        .await));
    // While the successor works, the late handler can neither finish nor
    // forget the delivery.
    ok(store.finish_delivery("tiktok:cc", late).await);
    assert_eq!(
        ok(store
            .claim_delivery(delivery_claim("tiktok:cc", lapsed, keep))
            .await),
        DeliveryClaim::InProgress(lapsed + TimeDelta::minutes(1))
    );
    ok(store.finish_delivery("tiktok:cc", successor).await);
    ok(store.forget_delivery("tiktok:cc", late).await);
    assert_eq!(
        ok(store
            .claim_delivery(delivery_claim("tiktok:cc", lapsed, keep))
            .await),
        DeliveryClaim::Handled
    );
}

/// A claim on `key` at `now`, for a minute, its record kept until `keep`.
fn delivery_claim(key: &str, now: Timestamp, keep: Timestamp) -> DeliveryClaimRequest {
    DeliveryClaimRequest {
        key: key.to_owned(),
        claim_until: now + TimeDelta::minutes(1),
        keep_until: keep,
        now,
    }
}

/// The token of a won claim.
fn claimed(c: DeliveryClaim) -> LeaseToken {
    match c {
        DeliveryClaim::Claimed(token) => token,
        other => panic!("expected the claim to be won: {other:?}"),
    }
}

/// A delivery whose handler vanished after claiming it (a dropped future,
/// a killed process) is answered "in progress" while the claim lasts, and
/// handled when it comes again after the claim lapsed: never lost.
pub async fn a_delivery_whose_handling_never_finished_is_handled_when_it_comes_again(
    store: Arc<dyn PostStore>,
) {
    let (_, ana, _) = program(store.as_ref()).await;
    let sim = Sim::new(store.clone(), start());
    let conn = sim.connect(ana.id, Platform::TikTok, "ana").await;
    let delivery = Delivery {
        key: "tiktok:feedface".into(),
        until: start() + TimeDelta::minutes(5),
    };
    // The vanished handler's claim, as it left it.
    let lease = sim.engine.policy().lease;
    let claim = DeliveryClaimRequest {
        key: delivery.key.clone(),
        claim_until: start() + lease,
        keep_until: delivery.until + TimeDelta::hours(1),
        now: start(),
    };
    claimed(ok(store.claim_delivery(claim).await));
    let report = || {
        sim.engine.disconnect_delivered(
            &delivery,
            Platform::TikTok,
            &conn.account_id,
            DisconnectReason::AppRemoved,
        )
    };
    assert_eq!(
        must_engine(report().await),
        Delivered::InProgress {
            until: start() + lease
        }
    );
    assert!(
        ok(store.get_connection(conn.id).await)
            .expect("connection")
            .status
            .is_active()
    );
    sim.clock.advance(lease + TimeDelta::seconds(1));
    let handled = must_engine(report().await);
    assert!(
        handled
            .disconnection()
            .is_some_and(|d| d.newly_disconnected),
        "{handled:?}"
    );
    assert_eq!(must_engine(report().await), Delivered::Replayed);
}

/// Processes whose clocks differ by seconds agree on a delivery: one whose
/// clock runs ahead, passing by after the delivery's window by its own
/// clock, does not drop the record while another, behind it, still
/// accepts the delivery.
pub async fn a_replay_is_recognised_across_processes_whose_clocks_differ_by_seconds(
    store: Arc<dyn PostStore>,
) {
    let (_, ana, _) = program(store.as_ref()).await;
    let sim = Sim::new(store.clone(), start());
    let conn = sim.connect(ana.id, Platform::TikTok, "ana").await;
    let delivery = |key: &str| Delivery {
        key: key.into(),
        until: start() + TimeDelta::minutes(5),
    };
    let report = |engine: &socialsync_core::engine::Engine, d: Delivery| {
        // Another delivery is about another account.
        let account = if d.key == "tiktok:c0ffee" {
            conn.account_id.clone()
        } else {
            PlatformAccountId::new("nobody")
        };
        let engine = engine.clone();
        async move {
            engine
                .disconnect_delivered(&d, Platform::TikTok, &account, DisconnectReason::AppRemoved)
                .await
        }
    };
    let first = must_engine(report(&sim.engine, delivery("tiktok:c0ffee")).await);
    assert!(first.disconnection().is_some());
    sim.connect(ana.id, Platform::TikTok, "ana").await;
    // A process whose clock is 40 s ahead handles another delivery just
    // after the first one's window ended by its clock.
    let ahead = ManualClock::at(start() + TimeDelta::minutes(5) + TimeDelta::seconds(30));
    let other = sim.new_engine_with(|b| b.with_clock(Arc::new(ahead)));
    must_engine(report(&other, delivery("tiktok:0ther")).await);
    // This process's clock is still inside the window: a replay.
    sim.clock.advance(TimeDelta::minutes(4));
    assert_eq!(
        must_engine(report(&sim.engine, delivery("tiktok:c0ffee")).await),
        Delivered::Replayed
    );
    assert!(
        ok(store.get_connection(conn.id).await)
            .expect("connection")
            .status
            .is_active()
    );
}

/// A removal webhook replayed after the creator reconnected changes
/// nothing: the engine recognises the delivery through the store, so a
/// second engine (another process) does too. A delivery whose handling
/// failed is handled when it comes again.
pub async fn a_replayed_removal_leaves_a_reconnected_connection_alone(store: Arc<dyn PostStore>) {
    let (_, ana, _) = program(store.as_ref()).await;
    let sim = Sim::new(store.clone(), start());
    let conn = sim.connect(ana.id, Platform::TikTok, "ana").await;
    let delivery = Delivery {
        key: "tiktok:0123abcd".into(),
        until: start() + TimeDelta::minutes(5),
    };
    let account = conn.account_id.clone();
    let report = |engine: &socialsync_core::engine::Engine| {
        let (engine, delivery, account) = (engine.clone(), delivery.clone(), account.clone());
        async move {
            engine
                .disconnect_delivered(
                    &delivery,
                    Platform::TikTok,
                    &account,
                    DisconnectReason::AppRemoved,
                )
                .await
        }
    };
    let first = must_engine(report(&sim.engine).await);
    let d = first.disconnection().expect("disconnected").clone();
    assert!(d.newly_disconnected);
    sim.connect(ana.id, Platform::TikTok, "ana").await;
    let other_process = sim.new_engine();
    assert_eq!(
        must_engine(report(&other_process).await),
        Delivered::Replayed
    );
    assert_eq!(must_engine(report(&sim.engine).await), Delivered::Replayed);
    let now = ok(store.get_connection(conn.id).await).expect("connection");
    assert!(
        now.status.is_active(),
        "a replay disconnected the new connection"
    );
    assert_eq!(sim.notifier.lost().len(), 1, "told once");
}

fn must_engine<T>(r: Result<T, socialsync_core::engine::EngineError>) -> T {
    match r {
        Ok(v) => v,
        Err(e) => panic!("engine: {e}"),
    }
}

fn ok<T>(r: Result<T, StoreError>) -> T {
    must(r, "store")
}
