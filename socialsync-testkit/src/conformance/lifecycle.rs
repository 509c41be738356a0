use super::shared::must;
use crate::fixtures::*;
use socialsync_core::clock::Timestamp;
use socialsync_core::credentials::Credentials;
use socialsync_core::domain::{
    Connection, NextScan, PostEvent, PostFacts, PostState, Scope, transition,
};
use socialsync_core::ids::PostId;
use socialsync_core::metrics::{Metric, Metrics};
use socialsync_core::platform::Platform;
use socialsync_core::store::{DisconnectRequest, NewConnection, PostStore};
use std::sync::Arc;

/// An event as the conformance table drives it through the store.
#[derive(Debug, Clone, Copy)]
enum Step {
    Matched,
    Unmatched,
    Disconnected,
    Resumed,
    Swept,
    Scanned(NextScan),
}

const WINDOW_END_HOURS: i64 = 20;

fn reading() -> Metrics {
    Metrics::new().with(Metric::Views, 1)
}

fn disconnect_at(c: &Connection, version: u64, at: Timestamp) -> DisconnectRequest {
    DisconnectRequest {
        connection: c.id,
        credentials_version: version,
        reason: socialsync_core::domain::DisconnectReason::Revoked,
        at,
        notify_claim_until: at,
    }
}

fn reconnect(c: &Connection) -> NewConnection {
    NewConnection {
        creator: c.creator,
        platform: c.platform,
        account_id: c.account_id.clone(),
        handle: c.handle.clone(),
        credentials: Credentials::new("token-again"),
    }
}

/// Makes a post of a fresh connection in `state`, its window ending at
/// hour 20, all changes made at hour 0.
async fn post_in(
    store: &dyn PostStore,
    program: &Scope,
    case: usize,
    state: PostState,
) -> (Connection, PostId) {
    let account = format!("ig-lifecycle-{case}");
    let who = creator(store, &account).await;
    let conn = connect(store, who.id, Platform::Instagram, &account).await;
    let attribution = match state {
        PostState::Seen => vec![],
        _ => vec![attributed(program, "brandx")],
    };
    let mut up = post(&conn, &format!("post-{case}"), hours(-1), attribution);
    up.monitor_until = hours(WINDOW_END_HOURS);
    let id = must(store.upsert_posts(vec![up], hours(0)).await, "upsert")[0].id;
    match state {
        PostState::Seen | PostState::Monitoring => {}
        PostState::Paused => {
            let v = version(store, conn.id).await;
            must(
                store.disconnect(disconnect_at(&conn, v, hours(0))).await,
                "disconnect",
            );
        }
        PostState::Untracked => {
            must(store.set_attribution(id, vec![], hours(0)).await, "untrack");
        }
        PostState::Expired => scan(store, id, hours(0), reading(), NextScan::Expire).await,
        PostState::Deleted => {
            scan(store, id, hours(0), reading(), NextScan::Delete(hours(6))).await
        }
    }
    let got = must(store.get_post(id).await, "get").map(|p| p.state);
    assert_eq!(got, Some(state), "setting up a {state:?} post");
    (conn, id)
}

/// Every post state against every event the store applies, with the window
/// open and over: the store ends where the core's [`transition`] says, in
/// state and due time. (The table of the rules themselves is in the core;
/// this checks that the store follows them.)
pub async fn post_transitions_follow_the_core_rules(store: Arc<dyn PostStore>) {
    let w = world(&*store).await;
    let steps = [
        Step::Matched,
        Step::Unmatched,
        Step::Disconnected,
        Step::Resumed,
        Step::Swept,
    ];
    let mut cases: Vec<(PostState, Step, Timestamp)> = Vec::new();
    for state in PostState::ALL {
        for step in steps {
            for now in [hours(10), hours(WINDOW_END_HOURS + 10)] {
                cases.push((state, step, now));
            }
        }
    }
    for next in [
        NextScan::At(hours(11)),
        NextScan::Expire,
        NextScan::Delete(hours(16)),
    ] {
        cases.push((PostState::Monitoring, Step::Scanned(next), hours(10)));
    }
    // A deleted post is read again: still gone, back, or its window over.
    for next in [
        NextScan::Delete(hours(16)),
        NextScan::Resume(hours(11)),
        NextScan::Expire,
    ] {
        cases.push((PostState::Deleted, Step::Scanned(next), hours(10)));
    }
    for (case, (state, step, now)) in cases.into_iter().enumerate() {
        let (conn, id) = post_in(&*store, &w.scope, case, state).await;
        let before = must(store.get_post(id).await, "get").expect("post");
        let active = must(store.get_connection(conn.id).await, "connection")
            .expect("connection")
            .status
            .is_active();
        let event = match step {
            Step::Matched => {
                let a = vec![attributed(&w.scope, "brandx")];
                must(store.set_attribution(id, a, now).await, "attribute");
                PostEvent::Attributed {
                    matched: true,
                    connection_active: active,
                }
            }
            Step::Unmatched => {
                must(store.set_attribution(id, vec![], now).await, "unattribute");
                PostEvent::Attributed {
                    matched: false,
                    connection_active: active,
                }
            }
            Step::Disconnected => {
                let v = version(&*store, conn.id).await;
                must(
                    store.disconnect(disconnect_at(&conn, v, now)).await,
                    "disconnect",
                );
                PostEvent::ConnectionDisconnected
            }
            Step::Resumed => {
                must(store.connect(reconnect(&conn), now).await, "reconnect");
                PostEvent::ConnectionResumed
            }
            Step::Swept => {
                must(store.expire_paused_posts(now).await, "sweep");
                PostEvent::PausedSwept
            }
            Step::Scanned(next) => {
                scan(&*store, id, now, reading(), next).await;
                PostEvent::Scanned(next)
            }
        };
        let facts = PostFacts {
            state: before.state,
            monitor_until: before.monitor_until,
        };
        let want = transition(facts, event, now);
        let after = must(store.get_post(id).await, "get").expect("post");
        assert_eq!(
            (after.state, after.next_scan_at),
            (want.state, want.due.apply(before.next_scan_at)),
            "{state:?} post, {step:?} at {now:?} (connection active: {active})"
        );
    }
}
