//! Hostile mode: values a careless client chokes on, served for chosen
//! accounts only, in each platform's real body shape.
//!
//! Turn a [`Hostile`] value on for an account with
//! [`crate::Sandbox::add_hostile`] (or `POST /sandbox/hostile/{platform}/{id}`,
//! see [`crate::admin`]), every value at once with
//! [`crate::Sandbox::add_all_hostile`], and off again with
//! [`crate::Sandbox::clear_hostile`] or [`crate::Sandbox::remove_hostile`].
//! Accounts without hostile values are served exactly as before: nothing
//! about them changes, whatever the hostile accounts beside them do.
//!
//! | value | what the account's answers carry |
//! |---|---|
//! | [`Hostile::NulText`] | U+0000 in captions (Instagram `caption`, TikTok `title` / `video_description`, YouTube `snippet.title` / `description` / `tags`) and in the account's names (Instagram `username` / `name`, TikTok `display_name` / `username`, YouTube channel `snippet.title` and the `channelTitle` of its videos): see [`with_nuls`] |
//! | [`Hostile::BadCounters`] | per-post counters replaced by a [`BadNumber`]: Instagram `like_count`, `comments_count` and insights values; TikTok `view_count`, `like_count`, `comment_count`, `share_count`; YouTube `statistics.viewCount`, `likeCount`, `commentCount`, `dislikeCount` (as JSON strings) — all counters or one metric, of all posts, one post, or one post in n ([`PostPick`]) |
//! | [`Hostile::BadPostCount`] | the account's post count (Instagram `media_count`, TikTok `video_count`, YouTube `statistics.videoCount`) replaced by a [`BadNumber`] |
//! | [`Hostile::HugeRetryAfter`] | data reads refused with the platform's rate-limit answer and a huge delay: TikTok 429 `rate_limit_exceeded` and YouTube 429 `rateLimitExceeded` with `Retry-After: 999999999`; Instagram's throttling error with `X-Business-Use-Case-Usage` and `X-App-Usage` naming an `estimated_time_to_regain_access` of 2^40 minutes |
//! | [`Hostile::HugeExpiresIn`] | token answers (code exchange, long-lived exchange, refresh) with a huge `expires_in` (TikTok also `refresh_expires_in`); the tokens still expire when they would have |
//! | [`Hostile::FuturePublishTimes`] | publish times reported years ahead, or at the latest date the format holds (Instagram `timestamp`, TikTok `create_time`, YouTube `videos.list` `snippet.publishedAt`, `playlistItems` `contentDetails.videoPublishedAt`, `videos:batchGetStats` `snippet.publishTime`) |
//! | [`Hostile::EndlessPages`] | listings (Instagram `/media`, TikTok `video/list`, YouTube `playlistItems`) that, where they would end, go on with empty pages and a fresh or repeated next cursor for ever |
//! | [`Hostile::HalfBrokenToken`] | the account read (`/me`, `user/info`, `channels`) answers normally while every post read misses the posts, as the platforms do when they silently leave ids out: listings are empty, Instagram node and insights reads say not found (100/33), TikTok `video/query` and YouTube `videos.list` / `videos:batchGetStats` leave the ids out |
//! | [`Hostile::PrivateSpell`] | chosen posts made private for some hours, then back with their history (see also [`crate::Sandbox::make_private`]) |
//! | [`Hostile::Overflows`] | values a careless client overflows on: every counter and the post count 2^64 − 1, publish times far outside chrono's range (Instagram and YouTube year 999 999 999, TikTok `create_time` = i64::MAX), `expires_in` = i64::MAX, Instagram `estimated_time_to_regain_access` = 2^64 − 1 minutes on every answer |
//!
//! Where several values touch one field, the one turned on first wins.
//! Post values (text, counters, publish times) follow the post's owner,
//! whoever reads it; request values (refusals, endless pages, half-broken
//! reads, token lifetimes) follow the account of the token presented.
//! Graph batch sub-requests are dressed and refused one by one, like the
//! requests they stand for (a batch item carries no usage header).
//!
//! Hostile mode adds no draws of its own to the seed's random stream: a refusal
//! draws what the platform's own error answer draws (a `log_id`, an
//! `fbtrace_id`), a dressed answer what the clean one does. Metric values
//! follow the clock and the curves alone, so a hostile run's clean
//! accounts read exactly as in a clean run.

mod dress;
mod endless;

pub(crate) use dress::{dress, refusal, requester};
pub(crate) use endless::*;

use crate::error::SandboxError;
use crate::model::{AccountRef, Metric, PostRef};
use crate::state::{Post, PrivateSpell, State};
use chrono::{Datelike, Months, TimeDelta};
use serde::{Deserialize, Serialize};
use socialsync_core::clock::Timestamp;
use socialsync_core::platform::Platform;

/// A number no counter should hold. Number-typed counters (Instagram,
/// TikTok) carry it as the JSON literal of [`BadNumber::text`] (a JSON
/// string for [`BadNumber::NotANumber`]); YouTube, whose counters are
/// strings, carries the text as a string.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BadNumber {
    /// `-12`.
    Negative,
    /// `12.5`.
    Fractional,
    /// `"lots"`: a string where a number is expected (YouTube: a non-digit string).
    NotANumber,
    /// `9007199254740993` (2^53 + 1): an integer a double cannot hold exactly.
    #[serde(rename = "above_2_pow_53")]
    Above2Pow53,
    /// `18446744073709551615` (2^64 − 1): fits a `u64`, overflows any sum.
    #[serde(rename = "u64_max")]
    U64Max,
    /// `18446744073709551621` (2^64 + 5): beyond every 64-bit integer.
    #[serde(rename = "beyond_64_bits")]
    Beyond64Bits,
    /// `1e300`.
    #[serde(rename = "one_e300")]
    OneE300,
}

impl BadNumber {
    /// Every bad number, in the order [`Hostile::BadCounters`] without a
    /// value takes them in turn.
    pub const ALL: [BadNumber; 7] = [
        BadNumber::Negative,
        BadNumber::Fractional,
        BadNumber::NotANumber,
        BadNumber::Above2Pow53,
        BadNumber::U64Max,
        BadNumber::Beyond64Bits,
        BadNumber::OneE300,
    ];

    /// The value as text: `-12`, `12.5`, `lots`, `9007199254740993`,
    /// `18446744073709551615`, `18446744073709551621`, `1e300`.
    pub fn text(self) -> &'static str {
        match self {
            BadNumber::Negative => "-12",
            BadNumber::Fractional => "12.5",
            BadNumber::NotANumber => "lots",
            BadNumber::Above2Pow53 => "9007199254740993",
            BadNumber::U64Max => "18446744073709551615",
            BadNumber::Beyond64Bits => "18446744073709551621",
            BadNumber::OneE300 => "1e300",
        }
    }
}

/// Which of an account's posts a value touches. Posts are counted oldest
/// first (publish time, then id), deleted ones included, so a post keeps
/// its place when newer posts arrive.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum PostPick {
    /// Every post.
    #[default]
    All,
    /// The post with this id.
    Post(String),
    /// The oldest post and every n-th after it (n ≥ 1; `one_in: 2` picks
    /// the 1st, 3rd, 5th, …): the others stay clean.
    OneIn(u32),
}

impl PostPick {
    /// Whether the post at `ordinal` (0 = the account's oldest) with id
    /// `post_id` is picked.
    pub fn picks(&self, ordinal: usize, post_id: &str) -> bool {
        match self {
            PostPick::All => true,
            PostPick::Post(id) => id == post_id,
            PostPick::OneIn(n) => *n > 0 && ordinal % (*n as usize) == 0,
        }
    }
}

/// A publish time reported in the future.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FutureTime {
    /// This many years (n ≥ 1) after the post's real publish time.
    YearsAhead(u32),
    /// The latest instant the format holds with a four-digit year:
    /// 9999-12-31T23:59:59 UTC (TikTok: `253402300799`).
    Latest,
}

/// A huge token lifetime for `expires_in`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum HugeLifetime {
    /// 2^62 seconds: `4611686018427387904`.
    #[serde(rename = "two_pow_62")]
    TwoPow62,
    /// `1e18` (a JSON number written with an exponent).
    #[serde(rename = "one_e18")]
    OneE18,
    /// i64::MAX seconds: `9223372036854775807`.
    #[serde(rename = "i64_max")]
    I64Max,
}

impl HugeLifetime {
    /// The JSON literal served.
    pub fn text(self) -> &'static str {
        match self {
            HugeLifetime::TwoPow62 => "4611686018427387904",
            HugeLifetime::OneE18 => "1e18",
            HugeLifetime::I64Max => "9223372036854775807",
        }
    }
}

/// The next cursor an endless listing hands out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EndlessCursor {
    /// A different cursor on every page.
    Fresh,
    /// The cursor of the page just read, again.
    Repeated,
}

/// One hostile value (see the [module docs](self) for what each serves).
/// In the admin API a JSON object tagged by `type`:
/// `{"type": "bad_counters", "posts": {"one_in": 2}, "metric": "views", "value": "negative"}`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Hostile {
    /// U+0000 inside every text and name of the account.
    NulText,
    /// Per-post counters replaced by bad numbers.
    BadCounters {
        /// Which posts (default all).
        #[serde(default)]
        posts: PostPick,
        /// Which metric (default every counter the platform serves).
        #[serde(default)]
        metric: Option<Metric>,
        /// Which bad number; absent: every kind in turn, the kind of a
        /// counter being [`BadNumber::ALL`]`[(post ordinal + metric index) % 7]`.
        #[serde(default)]
        value: Option<BadNumber>,
    },
    /// The account's post count replaced by a bad number.
    BadPostCount {
        /// The bad number.
        value: BadNumber,
    },
    /// Data reads refused with a rate-limit answer naming a huge delay.
    HugeRetryAfter {
        /// The first data read of the account and every n-th after it are
        /// refused (default 1: every one).
        #[serde(default = "one")]
        every: u32,
    },
    /// Token answers with a huge `expires_in`.
    HugeExpiresIn {
        /// The lifetime.
        value: HugeLifetime,
    },
    /// Publish times reported in the future.
    FuturePublishTimes {
        /// Which posts (default all).
        #[serde(default)]
        posts: PostPick,
        /// How far.
        when: FutureTime,
    },
    /// Listings that never end.
    EndlessPages {
        /// Fresh or repeated next cursors.
        cursor: EndlessCursor,
    },
    /// The account reads, the post reads miss every post.
    HalfBrokenToken,
    /// Posts made private when the value is turned on, public again
    /// `hours` later (with their ids, publish times and metric curves).
    PrivateSpell {
        /// Which posts (default all).
        #[serde(default)]
        posts: PostPick,
        /// How long they stay private (0: until turned off).
        hours: u32,
    },
    /// Values made to overflow careless arithmetic.
    Overflows,
}

fn one() -> u32 {
    1
}

/// The kind of a [`Hostile`] value, to turn one kind off
/// (`DELETE /sandbox/hostile/{platform}/{id}/{kind}`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum HostileKind {
    /// [`Hostile::NulText`].
    NulText,
    /// [`Hostile::BadCounters`].
    BadCounters,
    /// [`Hostile::BadPostCount`].
    BadPostCount,
    /// [`Hostile::HugeRetryAfter`].
    HugeRetryAfter,
    /// [`Hostile::HugeExpiresIn`].
    HugeExpiresIn,
    /// [`Hostile::FuturePublishTimes`].
    FuturePublishTimes,
    /// [`Hostile::EndlessPages`].
    EndlessPages,
    /// [`Hostile::HalfBrokenToken`].
    HalfBrokenToken,
    /// [`Hostile::PrivateSpell`].
    PrivateSpell,
    /// [`Hostile::Overflows`].
    Overflows,
}

impl Hostile {
    /// The value's kind.
    pub fn kind(&self) -> HostileKind {
        match self {
            Hostile::NulText => HostileKind::NulText,
            Hostile::BadCounters { .. } => HostileKind::BadCounters,
            Hostile::BadPostCount { .. } => HostileKind::BadPostCount,
            Hostile::HugeRetryAfter { .. } => HostileKind::HugeRetryAfter,
            Hostile::HugeExpiresIn { .. } => HostileKind::HugeExpiresIn,
            Hostile::FuturePublishTimes { .. } => HostileKind::FuturePublishTimes,
            Hostile::EndlessPages { .. } => HostileKind::EndlessPages,
            Hostile::HalfBrokenToken => HostileKind::HalfBrokenToken,
            Hostile::PrivateSpell { .. } => HostileKind::PrivateSpell,
            Hostile::Overflows => HostileKind::Overflows,
        }
    }

    /// Every kind at once, as [`crate::Sandbox::add_all_hostile`] turns
    /// them on, in this order (the first to touch a field wins):
    /// NUL text; every counter of one post in two, each kind of bad number
    /// in turn; the post count 2^64 + 5; one data read in three refused
    /// with a huge delay; `expires_in` 2^62; publish times five years
    /// ahead for one post in three, then the latest date for one in two;
    /// endless pages with fresh cursors; a half-broken token; one post in
    /// three private for 24 hours; overflows everywhere else.
    ///
    /// The half-broken token hides every post from the account's own post
    /// reads, so the post values show only once it is turned off again
    /// (`remove_hostile(account, HostileKind::HalfBrokenToken)`), or to
    /// another account's token (YouTube).
    pub fn everything() -> Vec<Hostile> {
        vec![
            Hostile::NulText,
            Hostile::BadCounters {
                posts: PostPick::OneIn(2),
                metric: None,
                value: None,
            },
            Hostile::BadPostCount {
                value: BadNumber::Beyond64Bits,
            },
            Hostile::HugeRetryAfter { every: 3 },
            Hostile::HugeExpiresIn {
                value: HugeLifetime::TwoPow62,
            },
            Hostile::FuturePublishTimes {
                posts: PostPick::OneIn(3),
                when: FutureTime::YearsAhead(5),
            },
            Hostile::FuturePublishTimes {
                posts: PostPick::OneIn(2),
                when: FutureTime::Latest,
            },
            Hostile::EndlessPages {
                cursor: EndlessCursor::Fresh,
            },
            Hostile::HalfBrokenToken,
            Hostile::PrivateSpell {
                posts: PostPick::OneIn(3),
                hours: 24,
            },
            Hostile::Overflows,
        ]
    }
}

/// One counter a hostile value spoils now.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct SpoiledCounter {
    /// The post.
    pub post: PostRef,
    /// The metric.
    pub metric: Metric,
    /// What is served instead of its value.
    pub value: BadNumber,
}

/// A post under a private spell.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct PrivatePost {
    /// The post.
    pub post: PostRef,
    /// When it is public again (`None`: until made public).
    pub until: Option<Timestamp>,
}

/// `text` with U+0000 at its start, at its end and between the two halves
/// of its characters: `"ab"` becomes `"\0a\0b\0"`. Removing every U+0000
/// gives `text` back.
pub fn with_nuls(text: &str) -> String {
    let half = text.chars().count() / 2;
    let split = text.char_indices().nth(half).map_or(text.len(), |(i, _)| i);
    let (left, right) = text.split_at(split);
    format!("\u{0}{left}\u{0}{right}\u{0}")
}

/// The metrics each platform serves as per-post counters.
pub(crate) fn counter_metrics(platform: Platform) -> &'static [Metric] {
    match platform {
        Platform::Instagram => &[
            Metric::Views,
            Metric::Likes,
            Metric::Comments,
            Metric::Shares,
            Metric::Saves,
            Metric::Reach,
            Metric::TotalInteractions,
            Metric::AvgWatchTimeMs,
            Metric::WatchTimeTotalMs,
            Metric::Follows,
            Metric::ProfileVisits,
            Metric::Replies,
        ],
        Platform::TikTok => &[
            Metric::Views,
            Metric::Likes,
            Metric::Comments,
            Metric::Shares,
        ],
        Platform::YouTube => &[
            Metric::Views,
            Metric::Likes,
            Metric::Comments,
            Metric::Dislikes,
        ],
        // A platform the sandbox does not simulate yet: views only.
        _ => &[Metric::Views],
    }
}

/// A hostile value turned on for an account, with its request count.
#[derive(Debug, Clone)]
pub(crate) struct HostileEntry {
    pub(crate) value: Hostile,
    /// Data reads seen ([`Hostile::HugeRetryAfter`]).
    pub(crate) seen: u64,
}

/// A publish time as served.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Published {
    /// This instant.
    At(Timestamp),
    /// 9999-12-31T23:59:59 UTC.
    Latest,
    /// Far outside chrono's range (TikTok: i64::MAX seconds).
    Overflow,
}

/// What the hostile values of one account do to its answers.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Spoils<'a> {
    entries: &'a [HostileEntry],
}

impl<'a> Spoils<'a> {
    fn values(&self) -> impl Iterator<Item = &'a Hostile> + 'a {
        self.entries.iter().map(|e| &e.value)
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub(crate) fn has(&self, kind: HostileKind) -> bool {
        self.values().any(|v| v.kind() == kind)
    }

    pub(crate) fn nul_text(&self) -> bool {
        self.has(HostileKind::NulText)
    }

    pub(crate) fn overflows(&self) -> bool {
        self.has(HostileKind::Overflows)
    }

    /// The bad number served for a post's counter, if any.
    pub(crate) fn counter(
        &self,
        ordinal: usize,
        post_id: &str,
        metric: Metric,
    ) -> Option<BadNumber> {
        self.values().find_map(|v| match v {
            Hostile::BadCounters {
                posts,
                metric: only,
                value,
            } if posts.picks(ordinal, post_id) && only.is_none_or(|m| m == metric) => {
                Some(value.unwrap_or_else(|| {
                    let i = (ordinal + metric as usize) % BadNumber::ALL.len();
                    BadNumber::ALL
                        .get(i)
                        .copied()
                        .unwrap_or(BadNumber::Negative)
                }))
            }
            Hostile::Overflows => Some(BadNumber::U64Max),
            _ => None,
        })
    }

    /// The bad number served for the account's post count, if any.
    pub(crate) fn post_count(&self) -> Option<BadNumber> {
        self.values().find_map(|v| match v {
            Hostile::BadPostCount { value } => Some(*value),
            Hostile::Overflows => Some(BadNumber::U64Max),
            _ => None,
        })
    }

    /// The publish time served for a post, if not its own.
    pub(crate) fn published(&self, post: &Post, ordinal: usize) -> Option<Published> {
        self.values().find_map(|v| match v {
            Hostile::FuturePublishTimes { posts, when } if posts.picks(ordinal, &post.id) => {
                Some(match when {
                    FutureTime::Latest => Published::Latest,
                    FutureTime::YearsAhead(n) => n
                        .checked_mul(12)
                        .and_then(|months| {
                            post.spec
                                .published_at
                                .checked_add_months(Months::new(months))
                        })
                        .filter(|t| t.year() <= 9999)
                        .map_or(Published::Latest, |t| Published::At(Timestamp::new(t))),
                })
            }
            Hostile::Overflows => Some(Published::Overflow),
            _ => None,
        })
    }

    /// The `expires_in` served on token answers, if not the real one.
    pub(crate) fn expires_in(&self) -> Option<HugeLifetime> {
        self.values().find_map(|v| match v {
            Hostile::HugeExpiresIn { value } => Some(*value),
            Hostile::Overflows => Some(HugeLifetime::I64Max),
            _ => None,
        })
    }

    /// The endless listing's cursor mode, if on.
    pub(crate) fn endless(&self) -> Option<EndlessCursor> {
        self.values().find_map(|v| match v {
            Hostile::EndlessPages { cursor } => Some(*cursor),
            _ => None,
        })
    }
}

const NO_ENTRIES: &[HostileEntry] = &[];

impl State {
    /// The hostile values of an account (none for a clean one).
    pub(crate) fn spoils(&self, platform: Platform, account_id: &str) -> Spoils<'_> {
        if self.hostile.is_empty() {
            return Spoils {
                entries: NO_ENTRIES,
            };
        }
        let key = AccountRef {
            platform,
            id: account_id.to_owned(),
        };
        Spoils {
            entries: self.hostile.get(&key).map_or(NO_ENTRIES, Vec::as_slice),
        }
    }

    /// Whether the account's token reads no post.
    pub(crate) fn half_broken(&self, platform: Platform, account_id: &str) -> bool {
        self.spoils(platform, account_id)
            .has(HostileKind::HalfBrokenToken)
    }

    /// The post's place among its account's posts, oldest first (publish
    /// time, then id; deleted posts count).
    pub(crate) fn post_ordinal(&self, platform: Platform, post: &Post) -> usize {
        let key = (post.spec.published_at, post.id.as_str());
        self.posts
            .iter()
            .filter(|(k, p)| {
                k.platform == platform
                    && p.account_id == post.account_id
                    && (p.spec.published_at, p.id.as_str()) < key
            })
            .count()
    }

    fn check_hostile(&self, account: &AccountRef, value: &Hostile) -> Result<(), SandboxError> {
        let invalid = |why: String| Err(SandboxError::InvalidInput(why));
        let pick_ok = |posts: &PostPick| -> Result<(), SandboxError> {
            match posts {
                PostPick::OneIn(0) => invalid("one_in must be at least 1".into()),
                PostPick::Post(id) => {
                    let post = PostRef {
                        platform: account.platform,
                        id: id.clone(),
                    };
                    match self.posts.get(&post) {
                        None => Err(SandboxError::UnknownPost(post)),
                        Some(p) if p.account_id != account.id => {
                            invalid(format!("post {post} is not a post of {account}"))
                        }
                        Some(_) => Ok(()),
                    }
                }
                _ => Ok(()),
            }
        };
        match value {
            Hostile::BadCounters { posts, metric, .. } => {
                pick_ok(posts)?;
                match metric {
                    Some(m) if !counter_metrics(account.platform).contains(m) => {
                        invalid(format!("{} serves no {m:?} counter", account.platform))
                    }
                    _ => Ok(()),
                }
            }
            Hostile::HugeRetryAfter { every: 0 } => invalid("every must be at least 1".into()),
            Hostile::FuturePublishTimes { posts, when } => {
                if *when == FutureTime::YearsAhead(0) {
                    return invalid("years_ahead must be at least 1".into());
                }
                pick_ok(posts)
            }
            Hostile::PrivateSpell { posts, .. } => pick_ok(posts),
            _ => Ok(()),
        }
    }

    /// Turns a hostile value on for the account (a value already on stays
    /// as it is).
    pub(crate) fn add_hostile(
        &mut self,
        account: &AccountRef,
        value: Hostile,
        now: Timestamp,
    ) -> Result<(), SandboxError> {
        if !self.accounts.contains_key(account) {
            return Err(SandboxError::UnknownAccount(account.clone()));
        }
        self.check_hostile(account, &value)?;
        if let Hostile::PrivateSpell { posts, hours } = &value {
            let until = match hours {
                0 => None,
                h => Some(now + TimeDelta::hours(i64::from(*h))),
            };
            let picked: Vec<PostRef> = self
                .account_posts(account)
                .into_iter()
                .enumerate()
                .filter(|(i, p)| posts.picks(*i, &p.id))
                .map(|(_, p)| p)
                .collect();
            for p in picked {
                self.make_private(&p, until)?;
            }
        }
        let entries = self.hostile.entry(account.clone()).or_default();
        if !entries.iter().any(|e| e.value == value) {
            entries.push(HostileEntry { value, seen: 0 });
        }
        Ok(())
    }

    /// Turns every hostile value of one kind off for the account (a
    /// private spell ends at once).
    pub(crate) fn remove_hostile(
        &mut self,
        account: &AccountRef,
        kind: HostileKind,
    ) -> Result<(), SandboxError> {
        if !self.accounts.contains_key(account) {
            return Err(SandboxError::UnknownAccount(account.clone()));
        }
        if let Some(entries) = self.hostile.get_mut(account) {
            entries.retain(|e| e.value.kind() != kind);
            if entries.is_empty() {
                self.hostile.remove(account);
            }
        }
        if kind == HostileKind::PrivateSpell {
            self.end_private_spells(account);
        }
        Ok(())
    }

    /// Turns hostile mode off for the account: every value, and every
    /// private spell of its posts.
    pub(crate) fn clear_hostile(&mut self, account: &AccountRef) -> Result<(), SandboxError> {
        if !self.accounts.contains_key(account) {
            return Err(SandboxError::UnknownAccount(account.clone()));
        }
        self.hostile.remove(account);
        self.end_private_spells(account);
        Ok(())
    }

    fn end_private_spells(&mut self, account: &AccountRef) {
        for (_, p) in self
            .posts
            .iter_mut()
            .filter(|(k, p)| k.platform == account.platform && p.account_id == account.id)
        {
            p.private_spell = None;
        }
    }

    /// The account's posts oldest first (deleted ones included).
    fn account_posts(&self, account: &AccountRef) -> Vec<PostRef> {
        let mut posts: Vec<(&Post, PostRef)> = self
            .posts
            .iter()
            .filter(|(k, p)| k.platform == account.platform && p.account_id == account.id)
            .map(|(k, p)| (p, k.clone()))
            .collect();
        posts.sort_by(|a, b| {
            (a.0.spec.published_at, &a.0.id).cmp(&(b.0.spec.published_at, &b.0.id))
        });
        posts.into_iter().map(|(_, k)| k).collect()
    }

    /// Makes a post private until `until` (`None`: until made public).
    pub(crate) fn make_private(
        &mut self,
        post: &PostRef,
        until: Option<Timestamp>,
    ) -> Result<(), SandboxError> {
        self.post_mut(post)?.private_spell = Some(PrivateSpell { until });
        Ok(())
    }

    /// Ends a post's private spell.
    pub(crate) fn make_public(&mut self, post: &PostRef) -> Result<(), SandboxError> {
        self.post_mut(post)?.private_spell = None;
        Ok(())
    }

    /// The hostile values turned on for the account, in order.
    pub(crate) fn hostile_values(&self, account: &AccountRef) -> Vec<Hostile> {
        self.hostile
            .get(account)
            .map(|entries| entries.iter().map(|e| e.value.clone()).collect())
            .unwrap_or_default()
    }

    /// The counters the account's hostile values spoil now (posts not
    /// deleted, oldest first; the metrics its platform serves).
    pub(crate) fn spoiled_counters(&self, account: &AccountRef) -> Vec<SpoiledCounter> {
        let spoils = self.spoils(account.platform, &account.id);
        if spoils.is_empty() {
            return Vec::new();
        }
        let mut out = Vec::new();
        for (ordinal, key) in self.account_posts(account).into_iter().enumerate() {
            if self.posts.get(&key).is_none_or(|p| p.deleted) {
                continue;
            }
            for metric in counter_metrics(account.platform) {
                if let Some(value) = spoils.counter(ordinal, &key.id, *metric) {
                    out.push(SpoiledCounter {
                        post: key.clone(),
                        metric: *metric,
                        value,
                    });
                }
            }
        }
        out
    }

    /// The account's posts under a private spell that has not ended.
    pub(crate) fn private_posts(&self, account: &AccountRef, now: Timestamp) -> Vec<PrivatePost> {
        self.account_posts(account)
            .into_iter()
            .filter_map(|key| {
                let spell = self.posts.get(&key)?.private_spell?;
                spell
                    .until
                    .is_none_or(|until| now < until)
                    .then_some(PrivatePost {
                        post: key,
                        until: spell.until,
                    })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nuls_surround_and_split_the_text_and_strip_back_to_it() {
        assert_eq!(with_nuls("ab"), "\0a\0b\0");
        assert_eq!(with_nuls(""), "\0\0\0");
        let t = "Café #東京 day";
        let n = with_nuls(t);
        assert_eq!(n.matches('\0').count(), 3);
        assert_eq!(n.replace('\0', ""), t);
    }

    #[test]
    fn picks_choose_posts_by_place_or_id() {
        assert!(PostPick::All.picks(5, "x"));
        assert!(PostPick::Post("x".into()).picks(5, "x"));
        assert!(!PostPick::Post("x".into()).picks(5, "y"));
        let half: Vec<bool> = (0..5).map(|i| PostPick::OneIn(2).picks(i, "x")).collect();
        assert_eq!(half, [true, false, true, false, true]);
        assert!(!PostPick::OneIn(0).picks(0, "x"));
    }

    #[test]
    fn hostile_values_read_and_write_the_admin_json() {
        let v: Hostile = serde_json::from_str(
            r#"{"type":"bad_counters","posts":{"one_in":2},"metric":"views","value":"above_2_pow_53"}"#,
        )
        .unwrap();
        assert_eq!(
            v,
            Hostile::BadCounters {
                posts: PostPick::OneIn(2),
                metric: Some(Metric::Views),
                value: Some(BadNumber::Above2Pow53),
            }
        );
        let v: Hostile = serde_json::from_str(r#"{"type":"huge_retry_after"}"#).unwrap();
        assert_eq!(v, Hostile::HugeRetryAfter { every: 1 });
        for v in Hostile::everything() {
            let text = serde_json::to_string(&v).unwrap();
            assert_eq!(serde_json::from_str::<Hostile>(&text).unwrap(), v, "{text}");
        }
        let kinds: std::collections::BTreeSet<HostileKind> =
            Hostile::everything().iter().map(Hostile::kind).collect();
        assert_eq!(kinds.len(), 10, "every kind is in everything()");
    }

    #[test]
    fn rotating_bad_numbers_cover_every_kind() {
        let entries = [HostileEntry {
            value: Hostile::BadCounters {
                posts: PostPick::All,
                metric: None,
                value: None,
            },
            seen: 0,
        }];
        let spoils = Spoils { entries: &entries };
        let kinds: std::collections::BTreeSet<BadNumber> = (0..7)
            .filter_map(|i| spoils.counter(i, "x", Metric::Views))
            .collect();
        assert_eq!(kinds.len(), BadNumber::ALL.len());
    }
}
