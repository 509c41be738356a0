//! A randomised run: posts, readings (some hidden), a disconnection and a
//! reconnection, a hashtag added mid-run. Every report total must equal the
//! value computed from the fake platform's script alone, and a report
//! recomputed from the stored snapshots.

use chrono::TimeDelta;
use proptest::prelude::*;
use socialsync::core::clock::Timestamp;
use socialsync::core::metrics::{Metric, Metrics};
use socialsync::core::platform::Platform;
use socialsync::core::report::BucketSize;
use socialsync::core::report::{ReportRange, scope_report};
use socialsync::core::store::PostStore;
use socialsync::core::tracking::{ScopeSpec, Tracking};
use socialsync::memory::MemoryStore;
use socialsync_testkit::{FakePost, Sim};
use std::collections::BTreeMap;
use std::sync::Arc;

const HOURS: i64 = 240;

#[derive(Debug, Clone)]
struct ScriptPost {
    published: i64,
    later_tag: bool,
    /// (hour, views, likes) from that hour on.
    readings: Vec<(i64, u64, Option<u64>)>,
}

#[derive(Debug, Clone)]
struct Script {
    posts: Vec<ScriptPost>,
    revoke_at: i64,
    reconnect_at: i64,
    tag_added_at: i64,
}

fn script() -> impl Strategy<Value = Script> {
    let post = (
        0i64..120,
        any::<bool>(),
        prop::collection::vec(
            (0i64..HOURS, 0u64..10_000, prop::option::of(0u64..500)),
            1..6,
        ),
    )
        .prop_map(|(published, later_tag, mut readings)| {
            for r in &mut readings {
                r.0 = r.0.max(published);
            }
            readings.sort_by_key(|r| r.0);
            readings.dedup_by_key(|r| r.0);
            ScriptPost {
                published,
                later_tag,
                readings,
            }
        });
    (
        prop::collection::vec(post, 1..8),
        1i64..200,
        1i64..30,
        1i64..HOURS,
    )
        .prop_map(|(posts, revoke_at, gap, tag_added_at)| Script {
            posts,
            revoke_at,
            reconnect_at: (revoke_at + gap).min(HOURS - 1),
            tag_added_at,
        })
}

fn at(t0: Timestamp, h: i64) -> Timestamp {
    t0 + TimeDelta::hours(h)
}

/// The script's value of a post at hour `h` (all absent before the first reading).
fn value_at(p: &ScriptPost, h: i64) -> Option<(u64, Option<u64>)> {
    p.readings
        .iter()
        .rev()
        .find(|r| r.0 <= h)
        .map(|r| (r.1, r.2))
}

/// What the report must say, from the script alone: each counted post's
/// values at the last hour it was read (hourly while connected, from its
/// publication — or from the hashtag's addition — on), likes carried from
/// the last reading that had them.
fn expected(s: &Script) -> (i64, i64) {
    let connected = |h: i64| h < s.revoke_at || h >= s.reconnect_at;
    let (mut views, mut likes) = (0i64, 0i64);
    for p in &s.posts {
        let from = if p.later_tag {
            p.published.max(s.tag_added_at)
        } else {
            p.published
        };
        let reads: Vec<i64> = (from..HOURS).filter(|h| connected(*h)).collect();
        let (mut v, mut l) = (None, None);
        for h in reads {
            if let Some((rv, rl)) = value_at(p, h) {
                v = Some(rv);
                if rl.is_some() {
                    l = rl;
                }
            }
        }
        views += v.unwrap_or(0) as i64;
        likes += l.unwrap_or(0) as i64;
    }
    (views, likes)
}

async fn run(s: Script) -> Result<(), TestCaseError> {
    let t0: Timestamp = "2026-03-01T00:00:00Z".parse().unwrap();
    let store: Arc<dyn PostStore> = Arc::new(MemoryStore::new());
    let sim = Sim::new(store.clone(), t0);
    let tracking = Tracking::new(store.clone(), sim.clock.clone());
    let brand = tracking.create_brand("Acme").await.unwrap().id;
    let ana = tracking.create_creator("Ana", None).await.unwrap().id;
    let program = tracking
        .create_program(brand, ScopeSpec::new("P", ["#brandx"]).members([ana]))
        .await
        .unwrap();
    let fake = sim.fake(Platform::TikTok).clone();
    let credentials = fake.add_account("tt", "@tt");
    for (i, p) in s.posts.iter().enumerate() {
        let caption = if p.later_tag { "#later" } else { "#BrandX" };
        let mut fp = FakePost::new(&format!("v{i}"), "tt", at(t0, p.published), caption);
        for (h, v, l) in &p.readings {
            let mut m = Metrics::new().with(Metric::Views, *v);
            m.set(Metric::Likes, *l);
            fp = fp.reads(at(t0, *h), m);
        }
        fake.add_post(fp);
    }
    sim.connect_with(ana, Platform::TikTok, "tt", credentials)
        .await;
    for h in 0..HOURS {
        sim.clock.set(at(t0, h));
        if h == s.revoke_at {
            fake.revoke("tt");
        }
        if h == s.reconnect_at {
            let c = fake.reauthorize("tt");
            sim.connect_with(ana, Platform::TikTok, "tt", c).await;
        }
        if h == s.tag_added_at {
            tracking
                .add_hashtags(brand, program.id, &["#later"])
                .await
                .unwrap();
        }
        sim.cycle().await;
    }
    let range = ReportRange::new(t0, at(t0, HOURS), BucketSize::Day).unwrap();
    let report = scope_report(&*store, brand, program.id, range)
        .await
        .unwrap();
    let total = |m: Metric| report.figures.totals.get(&m).map_or(0, |t| t.value as i64);
    let (views, likes) = expected(&s);
    prop_assert_eq!(total(Metric::Views), views, "views vs the script");
    prop_assert_eq!(total(Metric::Likes), likes, "likes vs the script");
    // Recomputed from scratch over the stored snapshots.
    let mut from_snapshots: BTreeMap<Metric, i64> = BTreeMap::new();
    for line in &report.by_post {
        let snaps = store
            .list_snapshots(line.post, t0, at(t0, HOURS))
            .await
            .unwrap();
        if let Some(last) = snaps.last() {
            for m in [Metric::Views, Metric::Likes] {
                *from_snapshots.entry(m).or_default() += last.carried.get(m).unwrap_or(0) as i64;
            }
        }
    }
    prop_assert_eq!(
        from_snapshots.get(&Metric::Views).copied().unwrap_or(0),
        views
    );
    prop_assert_eq!(
        from_snapshots.get(&Metric::Likes).copied().unwrap_or(0),
        likes
    );
    // The series ends where the totals do.
    let last = report.series.last().unwrap();
    prop_assert_eq!(
        last.as_of.get(&Metric::Views).copied().unwrap_or(0) as i64,
        views
    );
    prop_assert_eq!(sim.notifier.lost().len(), 1);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn report_totals_match_the_script_and_the_snapshots(s in script()) {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        rt.block_on(run(s))?;
    }
}
