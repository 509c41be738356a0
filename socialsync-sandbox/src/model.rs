//! What the sandbox holds: accounts, posts and the curves their metrics
//! follow over the sandbox's clock.

use chrono::TimeDelta;
use serde::{Deserialize, Serialize};
use socialsync_core::clock::Timestamp;
use socialsync_core::platform::Platform;
use std::collections::BTreeMap;
use std::fmt;

/// An account on one platform: an Instagram professional account (its IG
/// user id), a TikTok user (its `open_id`) or a YouTube channel (its
/// channel id).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct AccountRef {
    /// The platform.
    pub platform: Platform,
    /// The platform's id of the account.
    pub id: String,
}

impl fmt::Display for AccountRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.platform, self.id)
    }
}

/// A post (Instagram media, TikTok video, YouTube video).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct PostRef {
    /// The platform.
    pub platform: Platform,
    /// The platform's id of the post.
    pub id: String,
}

impl fmt::Display for PostRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.platform, self.id)
    }
}

/// A metric the sandbox can serve. Each platform shows the ones it has
/// under its own names (`like_count`, `likeCount`, insights `likes`, …).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Metric {
    /// Views / plays.
    Views,
    /// Likes.
    Likes,
    /// Comments.
    Comments,
    /// Shares (Instagram insights, TikTok).
    Shares,
    /// Saves (Instagram insights `saved`).
    Saves,
    /// Unique accounts reached (Instagram insights).
    Reach,
    /// Instagram `total_interactions`; when it has no curve of its own it is
    /// likes + comments + shares + saves.
    TotalInteractions,
    /// Instagram reels' average watch time, milliseconds (a gauge).
    AvgWatchTimeMs,
    /// Instagram reels' total watch time, milliseconds.
    WatchTimeTotalMs,
    /// YouTube dislikes (shown to the owner only).
    Dislikes,
    /// Instagram `follows`.
    Follows,
    /// Instagram `profile_visits` / `profile_activity`.
    ProfileVisits,
    /// Instagram story `replies`.
    Replies,
}

/// How a metric's value moves with the sandbox's clock. The argument is the
/// post's age (clock minus publish time); before publication every curve is 0.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Curve {
    /// Always the same value.
    Constant(u64),
    /// `start + per_hour × age` (grows for ever).
    Linear {
        /// Value at publication.
        start: u64,
        /// Growth per hour (fractions of an hour count pro rata).
        per_hour: u64,
    },
    /// Approaches `total`: half of what is left arrives every `half_life_hours`.
    Saturating {
        /// The value it tends to.
        total: u64,
        /// Hours for half of the remaining growth.
        half_life_hours: u64,
    },
    /// `start − per_hour × age`, never below `floor` (unlikes, removed
    /// comments: counts that go down).
    Declining {
        /// Value at publication.
        start: u64,
        /// Loss per hour.
        per_hour: u64,
        /// The lowest value.
        floor: u64,
    },
    /// A step function: the value of the last step whose offset (hours since
    /// publication) is ≤ the age; 0 before the first step. Steps may go down.
    Steps(Vec<(i64, u64)>),
}

impl Curve {
    /// A linear curve.
    pub fn linear(start: u64, per_hour: u64) -> Curve {
        Curve::Linear { start, per_hour }
    }

    /// The value at `age` after publication.
    pub fn value_at(&self, age: TimeDelta) -> u64 {
        if age < TimeDelta::zero() {
            return 0;
        }
        let secs = age.num_seconds().max(0) as u128;
        match self {
            Curve::Constant(v) => *v,
            Curve::Linear { start, per_hour } => {
                let grown = (*per_hour as u128 * secs / 3600).min(u64::MAX as u128) as u64;
                start.saturating_add(grown)
            }
            Curve::Saturating {
                total,
                half_life_hours,
            } => {
                if *half_life_hours == 0 {
                    return *total;
                }
                let halves = secs as f64 / (*half_life_hours as f64 * 3600.0);
                let left = (*total as f64) * (0.5f64).powf(halves);
                total.saturating_sub(left.ceil() as u64)
            }
            Curve::Declining {
                start,
                per_hour,
                floor,
            } => {
                let lost = (*per_hour as u128 * secs / 3600).min(u64::MAX as u128) as u64;
                start.saturating_sub(lost).max(*floor)
            }
            Curve::Steps(steps) => {
                let hours = age.num_seconds() as f64 / 3600.0;
                steps
                    .iter()
                    .filter(|(at, _)| (*at as f64) <= hours)
                    .max_by_key(|(at, _)| *at)
                    .map(|(_, v)| *v)
                    .unwrap_or(0)
            }
        }
    }
}

/// Instagram `media_type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum MediaType {
    /// A photo.
    Image,
    /// A video (reels are videos).
    Video,
    /// A carousel.
    CarouselAlbum,
}

impl MediaType {
    /// The platform's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            MediaType::Image => "IMAGE",
            MediaType::Video => "VIDEO",
            MediaType::CarouselAlbum => "CAROUSEL_ALBUM",
        }
    }
}

/// Instagram `media_product_type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ProductType {
    /// A feed post.
    Feed,
    /// A reel.
    Reels,
    /// A story (not listed by `/media`).
    Story,
    /// An ad.
    Ad,
}

impl ProductType {
    /// The platform's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            ProductType::Feed => "FEED",
            ProductType::Reels => "REELS",
            ProductType::Story => "STORY",
            ProductType::Ad => "AD",
        }
    }
}

/// Who may see a post.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Visibility {
    /// Everyone.
    Public,
    /// YouTube "unlisted": returned to a token like a public video; left
    /// out of `videos:batchGetStats` read with the API key (a non-public
    /// video needs OAuth).
    Unlisted,
    /// Only the owner: TikTok and Instagram list it nowhere and TikTok's
    /// `video/query` drops it; YouTube shows it to the owner's token with
    /// `privacyStatus: "private"`.
    Private,
}

/// What to create an account with. Start from [`AccountSpec::instagram`],
/// [`AccountSpec::tiktok`] or [`AccountSpec::youtube`].
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AccountSpec {
    /// The platform.
    pub platform: Platform,
    /// The account id; generated in the platform's format when `None`.
    pub id: Option<String>,
    /// Instagram username, TikTok username, YouTube custom URL handle.
    pub username: String,
    /// TikTok display name, YouTube channel title (Instagram: the username).
    pub display_name: String,
    /// Scopes the creator grants (the platform's read scopes by default).
    pub scopes: Vec<String>,
    /// YouTube: the Google account has a channel (default true).
    pub has_channel: bool,
    /// Instagram: the Business Use Case budget, calls per rolling 24 h
    /// (Meta: 4 800 × the account's impressions of the last 24 h; default
    /// 480 000, a small creator's 100 impressions — set it low to see
    /// throttling).
    pub instagram_calls_per_day: u32,
    /// Instagram: the account is read through the Facebook-Login flavour
    /// (graph.facebook.com): not-found errors are `GraphMethodException`.
    pub facebook_login: bool,
}

impl AccountSpec {
    fn new(platform: Platform, username: &str, display_name: &str, scopes: &[&str]) -> Self {
        Self {
            platform,
            id: None,
            username: username.to_owned(),
            display_name: display_name.to_owned(),
            scopes: scopes.iter().map(|s| (*s).to_owned()).collect(),
            has_channel: true,
            instagram_calls_per_day: 480_000,
            facebook_login: false,
        }
    }

    /// An Instagram professional account with `instagram_business_basic` and
    /// `instagram_business_manage_insights`.
    pub fn instagram(username: &str) -> Self {
        Self::new(
            Platform::Instagram,
            username,
            username,
            &[
                crate::scopes::INSTAGRAM_BASIC,
                crate::scopes::INSTAGRAM_INSIGHTS,
            ],
        )
    }

    /// A TikTok user with `user.info.basic`, `user.info.stats` (the
    /// account's counts) and `video.list`.
    pub fn tiktok(username: &str, display_name: &str) -> Self {
        Self::new(
            Platform::TikTok,
            username,
            display_name,
            &[
                crate::scopes::TIKTOK_USER_INFO,
                crate::scopes::TIKTOK_USER_STATS,
                crate::scopes::TIKTOK_VIDEO_LIST,
            ],
        )
    }

    /// A YouTube channel with `youtube.readonly`.
    pub fn youtube(handle: &str, title: &str) -> Self {
        Self::new(
            Platform::YouTube,
            handle,
            title,
            &[crate::scopes::YOUTUBE_READONLY],
        )
    }

    /// The typical account of `platform` ([`AccountSpec::instagram`],
    /// [`AccountSpec::tiktok`], [`AccountSpec::youtube`], whose handle gets
    /// its `@` when `username` has none); a platform the sandbox does not
    /// simulate yet gets an account with no scopes.
    pub fn for_platform(platform: Platform, username: &str, display_name: &str) -> Self {
        match platform {
            Platform::Instagram => Self::instagram(username),
            Platform::TikTok => Self::tiktok(username, display_name),
            Platform::YouTube if username.starts_with('@') => Self::youtube(username, display_name),
            Platform::YouTube => Self::youtube(&format!("@{username}"), display_name),
            _ => Self::new(platform, username, display_name, &[]),
        }
    }

    /// Uses this account id instead of a generated one.
    pub fn with_id(mut self, id: &str) -> Self {
        self.id = Some(id.to_owned());
        self
    }

    /// Grants exactly these scopes.
    pub fn with_scopes(mut self, scopes: &[&str]) -> Self {
        self.scopes = scopes.iter().map(|s| (*s).to_owned()).collect();
        self
    }

    /// YouTube: a Google account without a channel.
    pub fn without_channel(mut self) -> Self {
        self.has_channel = false;
        self
    }

    /// Instagram: read through the Facebook-Login flavour (graph.facebook.com).
    pub fn with_facebook_login(mut self) -> Self {
        self.facebook_login = true;
        self
    }

    /// Instagram: the Business Use Case budget in calls per rolling 24 h.
    pub fn with_instagram_calls_per_day(mut self, calls: u32) -> Self {
        self.instagram_calls_per_day = calls;
        self
    }
}

/// What to create a post with. Texts are shown per platform: Instagram uses
/// `caption`; TikTok `title` and `description` (`video_description`);
/// YouTube `title`, `description` and `tags`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PostSpec {
    /// The post id; generated in the platform's format when `None`.
    #[serde(default)]
    pub id: Option<String>,
    /// When the post became (or becomes) public. A post whose publish time is
    /// after the sandbox clock is not listed yet (YouTube lists it to the
    /// owner as a private, scheduled upload).
    pub published_at: Timestamp,
    /// YouTube: when the video was added to the uploads playlist
    /// (`snippet.publishedAt` of the playlist item); defaults to `published_at`.
    #[serde(default)]
    pub uploaded_at: Option<Timestamp>,
    /// Instagram caption (`None`: no `caption` field at all).
    #[serde(default)]
    pub caption: Option<String>,
    /// TikTok / YouTube title.
    #[serde(default)]
    pub title: String,
    /// TikTok `video_description` / YouTube description.
    #[serde(default)]
    pub description: String,
    /// YouTube keyword tags (`snippet.tags`, omitted when empty).
    #[serde(default)]
    pub tags: Vec<String>,
    /// Instagram media type.
    #[serde(default = "default_media_type")]
    pub media_type: MediaType,
    /// Instagram product type.
    #[serde(default = "default_product_type")]
    pub product_type: ProductType,
    /// Duration in seconds (TikTok `duration`, YouTube `contentDetails.duration`).
    #[serde(default = "default_duration")]
    pub duration_secs: u32,
    /// Who may see the post.
    #[serde(default = "default_visibility")]
    pub visibility: Visibility,
    /// The owner hid like counts (Instagram: `like_count` omitted on edge
    /// reads; YouTube: `likeCount` omitted).
    #[serde(default)]
    pub likes_hidden: bool,
    /// Comments are off (YouTube: `commentCount` omitted).
    #[serde(default)]
    pub comments_disabled: bool,
    /// Instagram: insights answer an empty `data` until the post is this old
    /// (JSON: whole seconds).
    #[serde(with = "seconds", default)]
    pub insights_delay: TimeDelta,
    /// Instagram story with fewer than 5 viewers: insights answer code 10.
    #[serde(default)]
    pub too_few_viewers: bool,
    /// The metric curves; a metric without a curve is 0.
    #[serde(default)]
    pub metrics: BTreeMap<Metric, Curve>,
}

impl PostSpec {
    /// A public post published at `published_at`, no texts, no metrics.
    pub fn new(published_at: Timestamp) -> Self {
        Self {
            id: None,
            published_at,
            uploaded_at: None,
            caption: None,
            title: String::new(),
            description: String::new(),
            tags: Vec::new(),
            media_type: MediaType::Image,
            product_type: ProductType::Feed,
            duration_secs: 30,
            visibility: Visibility::Public,
            likes_hidden: false,
            comments_disabled: false,
            insights_delay: TimeDelta::zero(),
            too_few_viewers: false,
            metrics: BTreeMap::new(),
        }
    }

    /// Uses this post id.
    pub fn with_id(mut self, id: &str) -> Self {
        self.id = Some(id.to_owned());
        self
    }

    /// Sets the Instagram caption.
    pub fn with_caption(mut self, caption: &str) -> Self {
        self.caption = Some(caption.to_owned());
        self
    }

    /// Sets the TikTok / YouTube title.
    pub fn with_title(mut self, title: &str) -> Self {
        self.title = title.to_owned();
        self
    }

    /// Sets the TikTok / YouTube description.
    pub fn with_description(mut self, description: &str) -> Self {
        self.description = description.to_owned();
        self
    }

    /// Sets the YouTube keyword tags.
    pub fn with_tags(mut self, tags: &[&str]) -> Self {
        self.tags = tags.iter().map(|t| (*t).to_owned()).collect();
        self
    }

    /// Sets the Instagram media and product types.
    pub fn with_media(mut self, media_type: MediaType, product_type: ProductType) -> Self {
        self.media_type = media_type;
        self.product_type = product_type;
        self
    }

    /// Sets the YouTube playlist-add time.
    pub fn with_uploaded_at(mut self, at: Timestamp) -> Self {
        self.uploaded_at = Some(at);
        self
    }

    /// Sets the duration.
    pub fn with_duration_secs(mut self, secs: u32) -> Self {
        self.duration_secs = secs;
        self
    }

    /// Sets the visibility.
    pub fn with_visibility(mut self, visibility: Visibility) -> Self {
        self.visibility = visibility;
        self
    }

    /// The owner hides like counts.
    pub fn with_likes_hidden(mut self) -> Self {
        self.likes_hidden = true;
        self
    }

    /// Comments are turned off.
    pub fn with_comments_disabled(mut self) -> Self {
        self.comments_disabled = true;
        self
    }

    /// Instagram insights stay empty until the post is `delay` old.
    pub fn with_insights_delay(mut self, delay: TimeDelta) -> Self {
        self.insights_delay = delay;
        self
    }

    /// Instagram story insights answer "not enough viewers" (code 10).
    pub fn with_too_few_viewers(mut self) -> Self {
        self.too_few_viewers = true;
        self
    }

    /// Gives `metric` this curve.
    pub fn with_metric(mut self, metric: Metric, curve: Curve) -> Self {
        self.metrics.insert(metric, curve);
        self
    }
}

fn default_media_type() -> MediaType {
    MediaType::Image
}

fn default_product_type() -> ProductType {
    ProductType::Feed
}

fn default_duration() -> u32 {
    30
}

fn default_visibility() -> Visibility {
    Visibility::Public
}

/// `TimeDelta` as whole seconds in JSON.
mod seconds {
    use chrono::TimeDelta;
    use serde::{Deserialize, Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(d: &TimeDelta, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_i64(d.num_seconds())
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<TimeDelta, D::Error> {
        let secs = i64::deserialize(d)?;
        TimeDelta::try_seconds(secs)
            .ok_or_else(|| serde::de::Error::custom("duration out of range"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn curves_follow_age() {
        let h = TimeDelta::hours;
        assert_eq!(Curve::linear(10, 6).value_at(h(-1)), 0);
        assert_eq!(Curve::linear(10, 6).value_at(h(2)), 22);
        assert_eq!(Curve::linear(10, 6).value_at(TimeDelta::minutes(30)), 13);
        assert_eq!(Curve::Constant(5).value_at(h(100)), 5);
        let down = Curve::Declining {
            start: 100,
            per_hour: 10,
            floor: 70,
        };
        assert_eq!(down.value_at(h(2)), 80);
        assert_eq!(down.value_at(h(10)), 70);
        let sat = Curve::Saturating {
            total: 1000,
            half_life_hours: 10,
        };
        assert_eq!(sat.value_at(h(10)), 500);
        assert_eq!(sat.value_at(h(20)), 750);
        let steps = Curve::Steps(vec![(0, 5), (3, 9), (6, 4)]);
        assert_eq!(steps.value_at(h(2)), 5);
        assert_eq!(steps.value_at(h(3)), 9);
        assert_eq!(steps.value_at(h(7)), 4);
    }
}
