//! [`build_report`] on hand-made inputs.

use super::*;
use crate::clock::Timestamp;
use crate::domain::{DisconnectReason, Lister, PostState, StatusInterval, StatusKind};
use crate::ids::{ConnectionId, PlatformPostId, PostId};
use crate::metrics::{Metric, Metrics};
use crate::platform::Platform;
use crate::report::{BucketSize, CounterTotals, ReportInputs, ReportPost};
use chrono::TimeDelta;

const ANA: CreatorId = CreatorId(1);
const BO: CreatorId = CreatorId(2);
const IG: ConnectionId = ConnectionId(10);
const TT: ConnectionId = ConnectionId(11);

fn h(hours: i64) -> Timestamp {
    "2026-03-01T00:00:00Z".parse::<Timestamp>().unwrap() + TimeDelta::hours(hours)
}

fn m(values: &[(Metric, u64)]) -> Metrics {
    values
        .iter()
        .fold(Metrics::new(), |acc, (metric, v)| acc.with(*metric, *v))
}

/// A post on Ana's Instagram, published at `h(-10)`, monitoring, with the
/// same reading as of `from` and `to` unless changed.
fn post(id: i64) -> ReportPost {
    ReportPost {
        id: PostId(id),
        platform: Platform::Instagram,
        platform_post_id: PlatformPostId::new(format!("ig-{id}")),
        creator: ANA,
        connection: IG,
        listers: Vec::new(),
        scopes: vec![ScopeId(3)],
        permalink: Some(format!("https://example.test/p/{id}")),
        published_at: h(-10),
        monitor_until: h(-10) + TimeDelta::days(90),
        deleted: Vec::new(),
        anchored_at: h(-10),
        state: PostState::Monitoring,
        at_from: None,
        at_to: None,
        latest_before_to: None,
    }
}

/// `post` with `at_to` and `latest_before_to` both `reading`.
fn read(mut p: ReportPost, reading: Metrics) -> ReportPost {
    p.at_to = Some(reading);
    p.latest_before_to = Some(reading);
    p
}

/// Boundaries `h(0)..=h(n)` with the views totals given.
fn boundaries(views: &[i128]) -> Vec<(Timestamp, CounterTotals)> {
    views
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let mut t = [0i128; Metric::COUNT];
            t[Metric::Views.index()] = *v;
            (h(i as i64), t)
        })
        .collect()
}

fn inputs(posts: Vec<ReportPost>) -> ReportInputs {
    ReportInputs {
        posts,
        boundaries: boundaries(&[0, 0]),
        connection_history: vec![(IG, vec![active(h(-100), None)])],
    }
}

fn active(from: Timestamp, to: Option<Timestamp>) -> StatusInterval {
    StatusInterval {
        status: StatusKind::Active,
        from,
        to,
        reason: None,
    }
}

fn down(status: StatusKind, from: Timestamp, to: Option<Timestamp>) -> StatusInterval {
    StatusInterval {
        status,
        from,
        to,
        reason: (status == StatusKind::Disconnected).then_some(DisconnectReason::Revoked),
    }
}

fn meta(hours: i64) -> ReportMeta {
    ReportMeta {
        brand: BrandId(7),
        scope: Some(ScopeRef {
            id: ScopeId(3),
            name: "Spring".into(),
        }),
        range: ReportRange::new(h(0), h(hours), BucketSize::Hour).unwrap(),
        creator_names: [(ANA, "Ana".to_string()), (BO, "Bo".to_string())].into(),
        members: [(ScopeId(3), [ANA, BO].into())].into(),
    }
}

fn report(posts: Vec<ReportPost>) -> Report {
    let n = 1;
    let mut i = inputs(posts);
    i.boundaries = boundaries(&vec![0; n + 1]);
    build_report(i, meta(n as i64))
}

fn total(r: &Figures, metric: Metric) -> Option<CounterTotal> {
    r.totals.get(&metric).copied()
}

#[test]
fn totals_sum_each_posts_latest_present_value() {
    let r = report(vec![
        read(post(1), m(&[(Metric::Views, 100), (Metric::Likes, 10)])),
        read(post(2), m(&[(Metric::Views, 50)])),
    ]);
    assert_eq!(r.figures.posts, 2);
    let views = total(&r.figures, Metric::Views).unwrap();
    assert_eq!((views.value, views.posts, views.stale_posts), (150, 2, 0));
    let likes = total(&r.figures, Metric::Likes).unwrap();
    assert_eq!((likes.value, likes.posts), (10, 1));
    assert_eq!(
        total(&r.figures, Metric::Saves),
        None,
        "absent everywhere: left out, not zero"
    );
}

#[test]
fn stale_values_are_counted_and_flagged() {
    let mut p = post(1);
    p.at_to = Some(m(&[(Metric::Views, 120), (Metric::Likes, 9)]));
    p.latest_before_to = Some(m(&[(Metric::Views, 120)])); // likes hidden now
    let r = report(vec![p, read(post(2), m(&[(Metric::Likes, 1)]))]);
    let likes = total(&r.figures, Metric::Likes).unwrap();
    assert_eq!((likes.value, likes.posts, likes.stale_posts), (10, 2, 1));
    assert_eq!(total(&r.figures, Metric::Views).unwrap().stale_posts, 0);
    let line = r.by_post.iter().find(|l| l.post == PostId(1)).unwrap();
    assert_eq!(line.stale, [Metric::Likes]);
    assert_eq!(line.metrics.get(Metric::Likes), Some(9), "carried forward");
    let other = r.by_post.iter().find(|l| l.post == PostId(2)).unwrap();
    assert!(other.stale.is_empty());
}

#[test]
fn gauges_are_never_summed() {
    let r = report(vec![
        read(
            post(1),
            m(&[(Metric::Views, 10), (Metric::AvgWatchTimeMs, 4_000)]),
        ),
        read(post(2), m(&[(Metric::AvgWatchTimeMs, 6_000)])),
    ]);
    assert_eq!(total(&r.figures, Metric::AvgWatchTimeMs), None);
    assert!(!r.figures.growth.contains_key(&Metric::AvgWatchTimeMs));
    let gauges: Vec<Option<u64>> = r
        .by_post
        .iter()
        .map(|l| l.metrics.get(Metric::AvgWatchTimeMs))
        .collect();
    assert_eq!(gauges, [Some(4_000), Some(6_000)], "shown per post");
    assert!(
        r.series
            .iter()
            .all(|b| !b.as_of.contains_key(&Metric::AvgWatchTimeMs))
    );
}

#[test]
fn growth_is_total_at_to_minus_total_at_from() {
    let mut a = read(post(1), m(&[(Metric::Views, 150), (Metric::Likes, 4)]));
    a.at_from = Some(m(&[(Metric::Views, 100), (Metric::Likes, 6)]));
    let mut b = read(post(2), m(&[(Metric::Views, 30)]));
    b.at_from = Some(m(&[(Metric::Views, 10)]));
    let r = report(vec![a, b]);
    assert_eq!(r.figures.growth[&Metric::Views], 70);
    assert_eq!(
        r.figures.growth[&Metric::Likes],
        -2,
        "a platform may lower a count"
    );
}

#[test]
fn a_post_contributes_nothing_before_its_first_reading() {
    // First read inside the range: counts 0 as of `from`.
    let first_inside = read(post(1), m(&[(Metric::Views, 40)]));
    // Not read before `to` at all: in the counts, in no sum.
    let never = post(2);
    let r = report(vec![first_inside, never]);
    assert_eq!(r.figures.posts, 2);
    assert_eq!(r.figures.growth[&Metric::Views], 40);
    let views = total(&r.figures, Metric::Views).unwrap();
    assert_eq!((views.value, views.posts), (40, 1));
    let line = r.by_post.iter().find(|l| l.post == PostId(2)).unwrap();
    assert!(line.metrics.is_empty());
    assert!(line.stale.is_empty());
    assert_eq!(r.figures.engagement, None);
}

#[test]
fn engagement_rate_is_an_exact_fraction_over_posts_with_known_views() {
    let r = report(vec![
        read(
            post(1),
            m(&[
                (Metric::Views, 1_000),
                (Metric::Likes, 10),
                (Metric::Comments, 5),
                (Metric::Reach, 900),
            ]),
        ),
        // Views unknown: its engagement counts, but not in the rate.
        read(post(2), m(&[(Metric::Likes, 7), (Metric::Saves, 1)])),
        // Views known but no engagement metric: views count, engagement 0.
        read(post(3), m(&[(Metric::Views, 2_000)])),
    ]);
    assert_eq!(r.figures.engagement, Some(23));
    let rate = r.figures.engagement_rate.clone().unwrap();
    assert_eq!((rate.numerator, rate.denominator), (15, 3_000));
    assert_eq!(rate.display, "0.0050");
}

#[test]
fn engagement_rate_rounds_half_even_for_display() {
    let tie_odd = report(vec![read(
        post(1),
        m(&[(Metric::Views, 100_000), (Metric::Likes, 15)]),
    )]);
    assert_eq!(
        tie_odd.figures.engagement_rate.unwrap().display,
        "0.0002",
        "0.00015 → 0.0002"
    );
    let tie_even = report(vec![read(
        post(1),
        m(&[(Metric::Views, 100_000), (Metric::Shares, 5)]),
    )]);
    assert_eq!(
        tie_even.figures.engagement_rate.unwrap().display,
        "0.0000",
        "0.00005 → 0.0000"
    );
    let third = report(vec![read(
        post(1),
        m(&[(Metric::Views, 3), (Metric::Likes, 1)]),
    )]);
    assert_eq!(third.figures.engagement_rate.unwrap().display, "0.3333");
}

#[test]
fn no_known_views_means_no_engagement_rate() {
    let r = report(vec![read(post(1), m(&[(Metric::Likes, 5)]))]);
    assert_eq!(r.figures.engagement, Some(5));
    assert_eq!(r.figures.engagement_rate, None);
    let zero = report(vec![read(
        post(1),
        m(&[(Metric::Views, 0), (Metric::Likes, 5)]),
    )]);
    assert_eq!(
        zero.figures.engagement_rate, None,
        "0 views: nothing to divide by"
    );
}

#[test]
fn series_holds_as_of_totals_and_growth_per_bucket() {
    let mut i = inputs(vec![read(post(1), m(&[(Metric::Views, 115)]))]);
    i.boundaries = boundaries(&[0, 110, 115, 115, 112]);
    let r = build_report(i, meta(4));
    let spans: Vec<(Timestamp, Timestamp)> = r.series.iter().map(|b| (b.start, b.end)).collect();
    assert_eq!(
        spans,
        [(h(0), h(1)), (h(1), h(2)), (h(2), h(3)), (h(3), h(4))]
    );
    let as_of: Vec<i128> = r.series.iter().map(|b| b.as_of[&Metric::Views]).collect();
    assert_eq!(as_of, [110, 115, 115, 112]);
    let growth: Vec<i128> = r.series.iter().map(|b| b.growth[&Metric::Views]).collect();
    assert_eq!(growth, [110, 5, 0, -3]);
    assert!(r.series.iter().all(|b| !b.disconnected && !b.after_gap));
    assert!(
        !r.series[0].as_of.contains_key(&Metric::Likes),
        "a counter no post has stays out"
    );
}

#[test]
fn buckets_in_a_disconnection_are_marked_and_the_next_is_after_gap() {
    let mut i = inputs(vec![read(post(1), m(&[(Metric::Views, 200)]))]);
    // Down from 01:30 to 03:00, then reset 05:00–05:10.
    i.connection_history = vec![(
        IG,
        vec![
            active(h(-100), Some(h(1) + TimeDelta::minutes(30))),
            down(
                StatusKind::Disconnected,
                h(1) + TimeDelta::minutes(30),
                Some(h(3)),
            ),
            active(h(3), Some(h(5))),
            down(StatusKind::Reset, h(5), Some(h(5) + TimeDelta::minutes(10))),
            active(h(5) + TimeDelta::minutes(10), None),
        ],
    )];
    // No readings land while down: the gap's growth shows at 03:00–04:00.
    i.boundaries = boundaries(&[0, 100, 100, 100, 180, 180, 200]);
    let r = build_report(i, meta(6));
    let marks: Vec<(bool, bool)> = r
        .series
        .iter()
        .map(|b| (b.disconnected, b.after_gap))
        .collect();
    assert_eq!(
        marks,
        [
            (false, false),
            (true, false),
            (true, false),
            (false, true),
            (false, false),
            (true, false),
        ]
    );
    let growth: Vec<i128> = r.series.iter().map(|b| b.growth[&Metric::Views]).collect();
    assert_eq!(growth, [100, 0, 0, 80, 0, 20], "never interpolated");
}

#[test]
fn a_gap_just_before_the_range_marks_the_first_bucket_after_gap() {
    let mut i = inputs(vec![read(post(1), m(&[(Metric::Views, 5)]))]);
    i.connection_history = vec![(
        IG,
        vec![
            down(StatusKind::Disconnected, h(-3), Some(h(0))),
            active(h(0), None),
        ],
    )];
    i.boundaries = boundaries(&[0, 5, 5]);
    let r = build_report(i, meta(2));
    assert!(r.series[0].after_gap);
    assert!(!r.series[0].disconnected);
    assert!(!r.series[1].after_gap);
}

#[test]
fn a_disconnection_before_any_post_existed_marks_nothing() {
    let mut p = read(post(1), m(&[(Metric::Views, 5)]));
    p.published_at = h(2);
    p.anchored_at = h(2);
    let mut i = inputs(vec![p]);
    // Another connection with no post in the report is down all along.
    i.connection_history = vec![
        (
            IG,
            vec![
                down(StatusKind::Disconnected, h(-5), Some(h(1))),
                active(h(1), None),
            ],
        ),
        (TT, vec![down(StatusKind::Disconnected, h(-5), None)]),
    ];
    i.boundaries = boundaries(&[0, 0, 0, 5]);
    let r = build_report(i, meta(3));
    assert!(r.series.iter().all(|b| !b.disconnected && !b.after_gap));
}

#[test]
fn posts_are_counted_by_state() {
    let states = [
        PostState::Monitoring,
        PostState::Monitoring,
        PostState::Paused,
        PostState::Expired,
        PostState::Deleted,
        PostState::Deleted,
    ];
    let posts = states
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let mut p = read(post(i as i64 + 1), m(&[(Metric::Views, 1)]));
            p.state = *s;
            // Each with the past that made it so.
            match s {
                PostState::Paused => p.connection = ConnectionId(99),
                PostState::Expired => p.monitor_until = h(-1),
                PostState::Deleted => {
                    p.deleted = vec![crate::domain::DeletedSpan {
                        from: h(-5),
                        to: None,
                    }]
                }
                _ => {}
            }
            p
        })
        .collect();
    let mut i = inputs(posts);
    i.connection_history.push((
        ConnectionId(99),
        vec![down(StatusKind::Disconnected, h(-3), None)],
    ));
    let r = build_report(i, meta(1));
    let c = r.posts_by_state;
    assert_eq!(
        (
            c.monitoring,
            c.paused,
            c.expired,
            c.deleted,
            c.seen,
            c.untracked
        ),
        (2, 1, 1, 2, 0, 0)
    );
    assert_eq!(c.total(), 6);
    assert_eq!(c.get(PostState::Deleted), 2);
    let views = total(&r.figures, Metric::Views).unwrap();
    assert_eq!(
        views.value, 6,
        "expired and deleted posts keep contributing"
    );
}

#[test]
fn breakdowns_split_by_platform_and_creator() {
    let a = read(post(1), m(&[(Metric::Views, 100), (Metric::Likes, 1)]));
    let mut b = read(post(2), m(&[(Metric::Views, 20)]));
    b.platform = Platform::TikTok;
    b.connection = TT;
    b.creator = BO;
    let mut c = read(post(3), m(&[(Metric::Views, 3)]));
    c.creator = BO;
    let r = report(vec![a, b, c]);
    let platforms: Vec<(Platform, u64, i128)> = r
        .by_platform
        .iter()
        .map(|p| {
            (
                p.platform,
                p.figures.posts,
                p.figures.totals[&Metric::Views].value,
            )
        })
        .collect();
    assert_eq!(
        platforms,
        [(Platform::Instagram, 2, 103), (Platform::TikTok, 1, 20)]
    );
    let creators: Vec<(&str, u64, i128)> = r
        .by_creator
        .iter()
        .map(|c| {
            (
                c.name.as_str(),
                c.figures.posts,
                c.figures.totals[&Metric::Views].value,
            )
        })
        .collect();
    assert_eq!(creators, [("Ana", 1, 100), ("Bo", 2, 23)]);
    assert_eq!(r.by_post[0].creator_name, "Ana");
}

#[test]
fn the_same_inputs_in_any_order_give_the_same_report() {
    let mut posts: Vec<ReportPost> = (1..=5)
        .map(|i| {
            let mut p = read(post(i), m(&[(Metric::Views, i as u64 * 10)]));
            p.published_at = h(-(i % 3));
            p.anchored_at = p.published_at;
            p.creator = if i % 2 == 0 { BO } else { ANA };
            p
        })
        .collect();
    let first = report(posts.clone());
    posts.reverse();
    posts.swap(0, 3);
    let second = report(posts);
    assert_eq!(first, second);
    assert_eq!(first.to_json(), second.to_json());
    assert_eq!(first.to_csv(), second.to_csv());
    let order: Vec<(Timestamp, String)> = first
        .by_post
        .iter()
        .map(|l| (l.published_at, l.platform_post_id.to_string()))
        .collect();
    let mut sorted = order.clone();
    sorted.sort();
    assert_eq!(order, sorted, "by publish time, then platform id");
}

#[test]
fn a_collab_post_credits_each_lister_that_is_a_member_once() {
    let lister = |connection, creator| Lister {
        connection,
        creator,
    };
    const CY: CreatorId = CreatorId(5);
    // Owned by Cy (no member), listed by Ana and Bo (members).
    let mut collab = read(post(1), m(&[(Metric::Views, 100)]));
    collab.creator = CY;
    collab.connection = ConnectionId(12);
    collab.listers = vec![
        lister(IG, ANA),
        lister(TT, BO),
        lister(ConnectionId(12), CY),
    ];
    // Ana's own post.
    let mut own = read(post(2), m(&[(Metric::Views, 5)]));
    own.listers = vec![lister(IG, ANA)];
    // Owned by Cy alone, attributed through a scope outside the report.
    let mut outside = read(post(3), m(&[(Metric::Views, 1)]));
    outside.creator = CY;
    outside.listers = vec![lister(ConnectionId(12), CY)];
    outside.scopes = vec![ScopeId(4)];
    let r = report(vec![collab, own, outside]);
    assert_eq!(r.figures.posts, 3);
    assert_eq!(
        r.figures.totals[&Metric::Views].value,
        106,
        "each post once"
    );
    let creators: Vec<(CreatorId, u64, i128)> = r
        .by_creator
        .iter()
        .map(|c| {
            (
                c.creator,
                c.figures.posts,
                c.figures.totals[&Metric::Views].value,
            )
        })
        .collect();
    assert_eq!(
        creators,
        [(ANA, 2, 105), (BO, 1, 100), (CY, 1, 1)],
        "members credited, the owner only when no lister is"
    );
}

#[test]
fn an_unknown_creator_is_named_by_id() {
    let mut p = read(post(1), m(&[(Metric::Views, 1)]));
    p.creator = CreatorId(99);
    let r = report(vec![p]);
    assert_eq!(r.by_creator[0].name, "creator-99");
}

#[test]
fn csv_escapes_permalinks_and_neutralises_formulas() {
    let mut p = read(post(1), m(&[(Metric::Views, 7), (Metric::Likes, 2)]));
    p.permalink = Some("https://example.test/p?a=1,b=\"2\"".into());
    p.platform_post_id = PlatformPostId::new("=cmd|' /C calc'!A0");
    let mut names = meta(1);
    names
        .creator_names
        .insert(ANA, "@Ana, \"the\" creator\nline".into());
    let mut i = inputs(vec![p]);
    i.boundaries = boundaries(&[0, 7]);
    let csv = build_report(i, names).to_csv();
    let row = csv.lines().nth(1).unwrap();
    assert!(
        row.starts_with("\"'@Ana, \"\"the\"\" creator"),
        "quoted, quotes doubled, formula neutralised: {row}"
    );
    assert!(
        csv.contains(
            ",instagram,'=cmd|' /C calc'!A0,\"https://example.test/p?a=1,b=\"\"2\"\"\",2026-02-28T14:00:00+00:00,monitoring,7,2,"
        ),
        "{csv}"
    );
}

#[test]
fn csv_has_a_row_per_post_and_a_row_per_bucket() {
    let mut i = inputs(vec![
        read(
            post(1),
            m(&[(Metric::Views, 7), (Metric::AvgWatchTimeMs, 900)]),
        ),
        read(post(2), m(&[(Metric::Views, 3)])),
    ]);
    i.boundaries = boundaries(&[0, 4, 10]);
    let mut a = i.posts[0].clone();
    a.latest_before_to = Some(m(&[(Metric::AvgWatchTimeMs, 900)]));
    i.posts[0] = a;
    let csv = build_report(i, meta(2)).to_csv();
    let records: Vec<&str> = csv.split("\r\n").collect();
    let metric_names: Vec<&str> = Metric::ALL.iter().map(|m| m.name()).collect();
    assert_eq!(
        records[0],
        format!(
            "creator,platform,post_id,permalink,published,state,{},stale",
            metric_names.join(",")
        )
    );
    assert!(records[1].starts_with("Ana,instagram,ig-1,https://example.test/p/1,"));
    assert!(
        records[1].ends_with(",7,,,,,,,,,,,,900,views"),
        "{}",
        records[1]
    );
    assert!(records[2].ends_with(",3,,,,,,,,,,,,,"), "{}", records[2]);
    assert_eq!(records[3], "", "the tables are separated by an empty line");
    assert!(
        records[4].starts_with("bucket_start,bucket_end,views_as_of,views_growth,likes_as_of,")
    );
    assert!(
        records[4]
            .ends_with(",watch_time_ms_as_of,watch_time_ms_growth,disconnected,after_gap,deleted")
    );
    assert!(
        records[5].starts_with("2026-03-01T00:00:00+00:00,2026-03-01T01:00:00+00:00,4,4,,"),
        "{}",
        records[5]
    );
    assert!(records[6].starts_with("2026-03-01T01:00:00+00:00,2026-03-01T02:00:00+00:00,10,6,,"));
    assert!(records[6].ends_with(",false,false"));
    assert_eq!(records.len(), 8, "and a final CRLF");
    let width = |r: &str| r.split(',').count();
    assert_eq!(width(records[1]), width(records[0]));
    assert_eq!(width(records[5]), width(records[4]));
}

#[test]
fn json_field_names_are_stable() {
    let mut i = inputs(vec![read(
        post(1),
        m(&[(Metric::Views, 100), (Metric::Likes, 3)]),
    )]);
    i.boundaries = boundaries(&[0, 100]);
    let r = build_report(i, meta(1));
    let v: serde_json::Value = serde_json::from_str(&r.to_json()).unwrap();
    assert_eq!(v["brand"], 7);
    assert_eq!(v["scope"]["id"], 3);
    assert_eq!(v["scope"]["name"], "Spring");
    assert_eq!(v["from"], "2026-03-01T00:00:00Z");
    assert_eq!(v["bucket"], "hour");
    assert_eq!(v["posts"], 1);
    assert_eq!(v["totals"]["views"]["value"], 100);
    assert_eq!(v["totals"]["likes"]["stale_posts"], 0);
    assert_eq!(v["growth"]["views"], 100);
    assert_eq!(v["engagement"], 3);
    assert_eq!(v["engagement_rate"]["numerator"], 3);
    assert_eq!(v["engagement_rate"]["denominator"], 100);
    assert_eq!(v["engagement_rate"]["display"], "0.0300");
    assert_eq!(v["by_platform"][0]["platform"], "instagram");
    assert_eq!(v["by_creator"][0]["name"], "Ana");
    assert_eq!(v["by_post"][0]["platform_post_id"], "ig-1");
    assert_eq!(v["by_post"][0]["metrics"]["likes"], 3);
    assert_eq!(v["by_post"][0]["state"], "monitoring");
    assert_eq!(v["series"][0]["as_of"]["views"], 100);
    assert_eq!(v["series"][0]["disconnected"], false);
    assert_eq!(v["series"][0]["after_gap"], false);
    assert_eq!(v["posts_by_state"]["monitoring"], 1);
}

#[test]
fn buckets_while_a_post_was_deleted_are_marked_and_states_are_as_of_the_end() {
    use crate::domain::DeletedSpan;
    // Post 1 was hidden from 01:20 to 03:00 and is monitored now; post 2
    // is gone since 02:30; post 3's connection was down from 02:00 on.
    let mut one = read(post(1), m(&[(Metric::Views, 100)]));
    one.deleted = vec![DeletedSpan {
        from: h(1) + TimeDelta::minutes(20),
        to: Some(h(3)),
    }];
    let mut two = read(post(2), m(&[(Metric::Views, 50)]));
    two.state = PostState::Deleted;
    two.deleted = vec![DeletedSpan {
        from: h(2) + TimeDelta::minutes(30),
        to: None,
    }];
    let mut three = read(post(3), m(&[(Metric::Views, 5)]));
    three.connection = ConnectionId(99);
    three.state = PostState::Paused;
    let mut i = inputs(vec![one, two, three]);
    i.connection_history.push((
        ConnectionId(99),
        vec![
            active(h(-100), Some(h(2))),
            down(StatusKind::Disconnected, h(2), None),
        ],
    ));
    i.boundaries = boundaries(&[0, 150, 150, 150, 155]);
    let r = build_report(i.clone(), meta(4));
    let deleted: Vec<bool> = r.series.iter().map(|b| b.deleted).collect();
    assert_eq!(deleted, [false, true, true, true]);
    let as_of: Vec<i128> = r.series.iter().map(|b| b.as_of[&Metric::Views]).collect();
    assert_eq!(as_of, [150, 150, 150, 155], "the last reading is carried");
    // As of 04:00: post 1 monitoring, post 2 deleted, post 3 paused.
    let c = r.posts_by_state;
    assert_eq!((c.monitoring, c.deleted, c.paused), (1, 1, 1));
    // As of 02:00 (a report ending then): post 1 was deleted, post 2 and 3
    // monitored.
    i.boundaries = boundaries(&[0, 150, 150]);
    let r = build_report(i, meta(2));
    let c = r.posts_by_state;
    assert_eq!((c.monitoring, c.deleted, c.paused), (2, 1, 0));
    let states: Vec<PostState> = r.by_post.iter().map(|p| p.state).collect();
    assert_eq!(
        states,
        [
            PostState::Deleted,
            PostState::Monitoring,
            PostState::Monitoring
        ]
    );
}

#[test]
fn only_posts_placed_before_to_count() {
    // The range is [h(0), h(1)).
    let mut ahead = post(2);
    ahead.published_at = h(30 * 24);
    ahead.anchored_at = h(0);
    let mut at_end = post(3);
    at_end.published_at = h(1);
    at_end.anchored_at = h(1);
    let r = report(vec![at_end, ahead, post(1)]);
    let placed: Vec<(PostId, Timestamp)> =
        r.by_post.iter().map(|l| (l.post, l.published_at)).collect();
    assert_eq!(placed, [(PostId(1), h(-10)), (PostId(2), h(30 * 24))]);
    assert_eq!(r.posts_by_state.monitoring, 2);
}

#[test]
fn sums_beyond_every_machine_word_are_exact_in_the_report_and_its_exports() {
    // Three posts at u64::MAX views and likes: each total is 3 × (2^64 - 1),
    // beyond u64; engagement and the series too.
    let top = m(&[(Metric::Views, u64::MAX), (Metric::Likes, u64::MAX)]);
    let posts = (1..=3).map(|id| read(post(id), top)).collect();
    let mut i = inputs(posts);
    let three = 3 * i128::from(u64::MAX);
    i.boundaries = boundaries(&[0, three]);
    let r = build_report(i, meta(1));
    assert_eq!(
        total(&r.figures, Metric::Views).map(|t| t.value),
        Some(three)
    );
    assert_eq!(r.figures.growth.get(&Metric::Views), Some(&three));
    assert_eq!(r.figures.engagement, Some(three));
    assert_eq!(r.series[0].as_of.get(&Metric::Views), Some(&three));
    let rate = r.figures.engagement_rate.as_ref().expect("a rate");
    assert_eq!(
        (rate.numerator, rate.denominator),
        (three as u128, three as u128)
    );
    assert_eq!(rate.display, "1.0000");
    // Written as integers, digit for digit: no float, no rounding.
    let digits = three.to_string();
    assert_eq!(digits, "55340232221128654845");
    let json = r.to_json();
    for field in [
        format!(r#""views":{{"value":{digits},"#),
        format!(r#""growth":{{"views":{digits},"likes":{digits}}}"#),
        format!(r#""engagement":{digits},"#),
        format!(r#""numerator":{digits},"denominator":{digits},"#),
        format!(r#""as_of":{{"views":{digits},"likes":0}}"#),
    ] {
        assert!(json.contains(&field), "{field} in {json}");
    }
    let csv = r.to_csv();
    assert!(csv.contains(&format!(",{digits},{digits},")), "{csv}");
    assert!(r.to_table().contains(&digits));
}
