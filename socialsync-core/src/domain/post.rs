use crate::clock::Timestamp;
use crate::hashtag::HashtagKey;
use crate::ids::{BrandId, ConnectionId, CreatorId, PlatformPostId, PostId, ScopeId};
use crate::metrics::Metrics;
use crate::platform::Platform;
use serde::{Deserialize, Serialize};

/// A post's monitoring state (ARCHITECTURE.md §2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PostState {
    /// Inside the window, but no scope matches it (kept for retro-matching).
    Seen,
    /// Matched: scanned at every slot until its window ends.
    Monitoring,
    /// Matched, but its connection is not active.
    Paused,
    /// Its window ended.
    Expired,
    /// Gone on the platform (confirmed), or hidden: read again by id
    /// every few hours until its window ends, `Monitoring` again when found.
    Deleted,
    /// Matched once, no scope matches any more (its data stays).
    Untracked,
}

impl PostState {
    /// Every state, in a fixed order.
    pub const ALL: [PostState; 6] = [
        PostState::Seen,
        PostState::Monitoring,
        PostState::Paused,
        PostState::Expired,
        PostState::Deleted,
        PostState::Untracked,
    ];

    /// Whether a post in this state is read when its due time comes: at
    /// its slots while `Monitoring`, at its re-reads while `Deleted`.
    pub fn is_scheduled(self) -> bool {
        matches!(self, PostState::Monitoring | PostState::Deleted)
    }

    /// The stable snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            PostState::Seen => "seen",
            PostState::Monitoring => "monitoring",
            PostState::Paused => "paused",
            PostState::Expired => "expired",
            PostState::Deleted => "deleted",
            PostState::Untracked => "untracked",
        }
    }
}

/// The kind of media a post is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum MediaKind {
    /// A single image post.
    Image,
    /// A video post (TikTok video, YouTube video, Instagram feed video).
    Video,
    /// An Instagram carousel.
    Carousel,
    /// An Instagram reel.
    Reel,
    /// An Instagram story.
    Story,
    /// A YouTube Short.
    Short,
    /// Anything else.
    Other,
}

/// Which text of a post a hashtag was found in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum TextField {
    /// Instagram caption, TikTok description, YouTube description.
    Text,
    /// TikTok or YouTube title.
    Title,
    /// A YouTube keyword tag (counts only for scopes that opt in).
    KeywordTag,
}

/// A hashtag found in a post, with where it was found.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct FoundHashtag {
    /// The match key.
    pub key: HashtagKey,
    /// The tag as written (without the sign).
    pub written: String,
    /// The field it was found in.
    pub field: TextField,
    /// Byte offset of the sign in that field (for keyword tags: the tag's index).
    pub start: usize,
    /// Byte offset after the tag (half-open).
    pub end: usize,
}

/// Why a post counts for a scope: the explanation of the match.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Attribution {
    /// The scope.
    pub scope: ScopeId,
    /// The scope's brand.
    pub brand: BrandId,
    /// The tracked hashtag (as the brand wrote it) that matched.
    pub tracked: String,
    /// The post's hashtag that matched it.
    pub found: FoundHashtag,
}

/// A post, as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Post {
    /// Its id.
    pub id: PostId,
    /// The platform.
    pub platform: Platform,
    /// Its id on the platform.
    pub platform_post_id: PlatformPostId,
    /// The connection that reads it now: its owner, one of its listers.
    pub connection: ConnectionId,
    /// The owner's creator.
    pub creator: CreatorId,
    /// Every connection that listed it, by connection id, each once; kept
    /// through disconnections and resets (see [`super::Lister`]).
    pub listers: Vec<super::Lister>,
    /// When it was published (made public), as the platform says.
    pub published_at: Timestamp,
    /// Where its slots and window count from and where reports place it:
    /// `published_at`, or its discovery when the platform dated it ahead of
    /// that (see [`crate::policy::MonitoringPolicy::anchor`]).
    pub anchored_at: Timestamp,
    /// `anchored_at + window`: the last scan slot.
    pub monitor_until: Timestamp,
    /// When it is next due (set while `Monitoring` or `Paused`).
    pub next_scan_at: Option<Timestamp>,
    /// Its state.
    pub state: PostState,
    /// Its media kind.
    pub kind: MediaKind,
    /// Title (TikTok, YouTube).
    pub title: Option<String>,
    /// Caption or description.
    pub text: String,
    /// YouTube keyword tags.
    pub keyword_tags: Vec<String>,
    /// A permanent link to the post.
    pub permalink: Option<String>,
    /// Every hashtag found in its texts.
    pub hashtags: Vec<FoundHashtag>,
    /// The scopes it counts for now, with the explanation.
    pub attribution: Vec<Attribution>,
    /// When discovery first recorded it.
    pub first_seen_at: Timestamp,
    /// The last completed scan.
    pub last_scanned_at: Option<Timestamp>,
    /// How many scans completed (whether or not they changed anything).
    pub scan_count: u32,
}

impl Post {
    /// Whether the post counts for `scope`.
    pub fn counts_for(&self, scope: ScopeId) -> bool {
        self.attribution.iter().any(|a| a.scope == scope)
    }

    /// Whether `connection` listed the post.
    pub fn is_listed_by(&self, connection: ConnectionId) -> bool {
        self.listers.iter().any(|l| l.connection == connection)
    }

    /// Whether the post counts for any scope of `brand`.
    pub fn counts_for_brand(&self, brand: BrandId) -> bool {
        self.attribution.iter().any(|a| a.brand == brand)
    }
}

/// The metrics of one post as read at one instant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Snapshot {
    /// The post.
    pub post: PostId,
    /// When it was read.
    pub at: Timestamp,
    /// The values read (absent where the platform gave none).
    pub metrics: Metrics,
    /// The values carried forward: the last present value of each metric.
    pub carried: Metrics,
}

/// A time a post was `Deleted` (confirmed gone, or hidden): from `from`
/// until `to` (`None` while it lasts). Reports mark these buckets and count
/// the post as deleted when their range ends inside one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeletedSpan {
    /// When it was found gone.
    pub from: Timestamp,
    /// When it was found again (exclusive); `None` while it is gone.
    pub to: Option<Timestamp>,
}

impl DeletedSpan {
    /// Whether the post was deleted at `at`.
    pub fn covers(&self, at: Timestamp) -> bool {
        self.from <= at && self.to.is_none_or(|end| at < end)
    }

    /// Whether this span overlaps `[from, to)`.
    pub fn overlaps(&self, from: Timestamp, to: Timestamp) -> bool {
        self.from < to && self.to.is_none_or(|end| end > from)
    }

    /// Keeps a post's deletion spans up to date with a change of its state
    /// from `before` to `after` at `at`: entering `Deleted` opens a span,
    /// leaving it for `Monitoring` or `Paused` (found again) closes it. A
    /// deleted post whose window ends stays in its open span.
    pub fn track(spans: &mut Vec<DeletedSpan>, before: PostState, after: PostState, at: Timestamp) {
        let open = spans.last().is_some_and(|s| s.to.is_none());
        match (before == PostState::Deleted, after) {
            (false, PostState::Deleted) if !open => spans.push(DeletedSpan { from: at, to: None }),
            (true, PostState::Monitoring | PostState::Paused) => {
                if let Some(last) = spans.last_mut().filter(|s| s.to.is_none()) {
                    last.to = Some(at.max(last.from));
                }
            }
            _ => {}
        }
    }
}
