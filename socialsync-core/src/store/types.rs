//! The values [`super::PostStore`] takes and returns.

use crate::clock::Timestamp;
use crate::credentials::Credentials;
use crate::domain::{
    Attribution, CampaignWindow, Connection, FoundHashtag, HighWater, MediaKind, NextScan,
    PostState, ScopeKind, StatusKind,
};
use crate::error::StoreError;
use crate::hashtag::TrackedHashtag;
use crate::ids::{
    BrandId, ConnectionId, CreatorId, LeaseToken, PlatformAccountId, PlatformPostId, PostId,
    ScopeId,
};
use crate::metrics::Metrics;
use crate::platform::Platform;
use crate::text::Storable;
use std::sync::Arc;

/// A brand to create.
#[derive(Debug, Clone)]
pub struct NewBrand {
    /// Display name.
    pub name: String,
}

/// A creator to create.
#[derive(Debug, Clone)]
pub struct NewCreator {
    /// Display name.
    pub name: String,
    /// The host's reference for this person.
    pub external_ref: Option<String>,
}

/// A scope to create (validated by [`crate::tracking::Tracking`] first).
#[derive(Debug, Clone)]
pub struct NewScope {
    /// The owning brand (must exist).
    pub brand: BrandId,
    /// Display name.
    pub name: String,
    /// Program or campaign.
    pub kind: ScopeKind,
    /// Tracked hashtags.
    pub hashtags: Vec<TrackedHashtag>,
    /// Member creators (must exist).
    pub members: Vec<CreatorId>,
    /// Whether YouTube keyword tags count.
    pub match_keyword_tags: bool,
}

/// A change to a scope. Each bumps the tracking revision.
#[derive(Debug, Clone)]
pub enum ScopeChange {
    /// Replace the tracked hashtags.
    SetHashtags(Vec<TrackedHashtag>),
    /// Add member creators (must exist; adding a member twice is a no-op).
    AddMembers(Vec<CreatorId>),
    /// Remove member creators.
    RemoveMembers(Vec<CreatorId>),
    /// Set or clear a campaign's window (refused on a program).
    SetWindow(Option<CampaignWindow>),
    /// Opt in or out of YouTube keyword tags.
    SetMatchKeywordTags(bool),
}

/// A connection to create, or to reconnect when one exists for the same
/// platform account.
#[derive(Debug, Clone)]
pub struct NewConnection {
    /// The creator.
    pub creator: CreatorId,
    /// The platform.
    pub platform: Platform,
    /// The account id on the platform.
    pub account_id: PlatformAccountId,
    /// The handle or title.
    pub handle: String,
    /// The credentials from the OAuth exchange.
    pub credentials: Credentials,
}

/// What [`super::ConnectionStore::connect`] did.
#[derive(Debug, Clone)]
pub struct Connected {
    /// The connection, active.
    pub connection: Connection,
    /// Its status before: `None` for a new connection.
    pub previous: Option<StatusKind>,
    /// Paused posts made `Monitoring` and due at once.
    pub resumed_posts: u64,
    /// Paused posts whose window ended meanwhile, made `Expired`.
    pub expired_posts: u64,
}

/// A disconnection to make, as a compare-and-set.
#[derive(Debug, Clone)]
pub struct DisconnectRequest {
    /// The connection.
    pub connection: ConnectionId,
    /// The credentials version the failing call used: a connection whose
    /// credentials changed since (a reconnection, a refresh) is not disconnected.
    pub credentials_version: u64,
    /// Why.
    pub reason: crate::domain::DisconnectReason,
    /// When.
    pub at: Timestamp,
    /// The new disconnection's notification is claimed by the caller until
    /// then; if it is not marked notified by that time, another worker
    /// delivers it.
    pub notify_claim_until: Timestamp,
}

/// A change to a connection's health.
#[derive(Debug, Clone)]
pub enum HealthUpdate {
    /// A call succeeded: failures reset.
    Success {
        /// When.
        at: Timestamp,
    },
    /// A call failed (transient, malformed): counted.
    Failure {
        /// When.
        at: Timestamp,
        /// What went wrong (never a secret).
        error: String,
    },
    /// The permissions missing now (empty: not degraded).
    MissingPermissions(Vec<String>),
    /// Parts of readings that could not be taken
    /// ([`ConnectionHealth::reading_problems`](crate::domain::ConnectionHealth)).
    ReadingProblems {
        /// When.
        at: Timestamp,
        /// How many.
        count: u32,
        /// The last of them (never a secret).
        last: String,
    },
    /// Every post asked for was read: the connection is no longer suspect
    /// ([`ConnectionHealth::suspect`](crate::domain::ConnectionHealth)).
    SuspicionCleared,
}

/// What is backing off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BackoffTarget {
    /// One connection.
    Connection(ConnectionId),
    /// A whole platform (an app-wide quota).
    Platform(Platform),
}

/// What discovery achieved for a connection.
#[derive(Debug, Clone)]
pub struct DiscoveryProgress {
    /// When it finished.
    pub at: Timestamp,
    /// The newest post seen (the stored mark only moves forward).
    pub high_water: Option<HighWater>,
    /// Whether it was a deep pass over the whole window.
    pub deep_pass: bool,
    /// The tracking revision the connection's posts were matched against.
    pub matched_revision: u64,
}

/// A post discovery found, to insert or update.
#[derive(Debug, Clone)]
pub struct PostUpsert {
    /// The platform.
    pub platform: Platform,
    /// Its id on the platform.
    pub platform_post_id: PlatformPostId,
    /// The connection that listed it: it joins the post's listers, and
    /// owns the post when it is new (or takes it over when its owner is not
    /// active and this connection is; see [`crate::domain::takes_over`]).
    pub connection: ConnectionId,
    /// The connection's creator.
    pub creator: CreatorId,
    /// Publish time, as the platform says.
    pub published_at: Timestamp,
    /// Where its slots, window and report placement count from
    /// ([`crate::policy::MonitoringPolicy::anchor`]); kept from the first
    /// discovery, like `monitor_until`.
    pub anchored_at: Timestamp,
    /// End of its window.
    pub monitor_until: Timestamp,
    /// Media kind.
    pub kind: MediaKind,
    /// Title.
    pub title: Option<String>,
    /// Caption or description.
    pub text: String,
    /// YouTube keyword tags.
    pub keyword_tags: Vec<String>,
    /// Permanent link.
    pub permalink: Option<String>,
    /// Hashtags found.
    pub hashtags: Vec<FoundHashtag>,
    /// The scopes it counts for now, matched with the memberships of every
    /// lister's creator, this connection's included.
    pub attribution: Vec<Attribution>,
}

/// What an upsert did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpsertedPost {
    /// The post.
    pub id: PostId,
    /// Whether it was new.
    pub created: bool,
    /// Its state before (`None` when new).
    pub previous_state: Option<PostState>,
    /// Its state now.
    pub state: PostState,
}

/// Which posts to list. Empty fields do not filter.
#[derive(Debug, Clone, Default)]
pub struct PostFilter {
    /// Only the posts this connection owns (reads).
    pub connection: Option<ConnectionId>,
    /// Only the posts this connection listed (owned or not).
    pub lister: Option<ConnectionId>,
    /// Only the posts of this platform with these platform ids.
    pub keys: Option<(Platform, Vec<PlatformPostId>)>,
    /// Only this creator's posts.
    pub creator: Option<CreatorId>,
    /// Only posts that count for this brand (and, with `scope`, this scope).
    pub brand: Option<BrandId>,
    /// Only posts that count for this scope (requires `brand`).
    pub scope: Option<ScopeId>,
    /// Only posts in these states.
    pub states: Option<Vec<PostState>>,
    /// Only posts whose window ends after this instant.
    pub monitor_until_after: Option<Timestamp>,
}

/// A request for due posts.
#[derive(Debug, Clone, Copy)]
pub struct ClaimRequest {
    /// Now: posts with `next_scan_at <= now` are due.
    pub now: Timestamp,
    /// The lease's end.
    pub lease_until: Timestamp,
    /// At most this many.
    pub limit: usize,
}

/// A post due for a scan, with what the scan needs.
#[derive(Debug, Clone)]
pub struct DuePost {
    /// The post.
    pub id: PostId,
    /// The platform.
    pub platform: Platform,
    /// Its platform id.
    pub platform_post_id: PlatformPostId,
    /// Its connection.
    pub connection: ConnectionId,
    /// Its creator.
    pub creator: CreatorId,
    /// Media kind.
    pub kind: MediaKind,
    /// Publish time, as the platform says.
    pub published_at: Timestamp,
    /// Where its slots count from.
    pub anchored_at: Timestamp,
    /// End of its window.
    pub monitor_until: Timestamp,
    /// The due time.
    pub next_scan_at: Timestamp,
    /// Its state: `Monitoring` (due at a slot) or `Deleted` (due to be read
    /// again by id).
    pub state: PostState,
    /// The latest reading as read (`None` before the first).
    pub latest: Option<Metrics>,
    /// The brands it counts for (sorted, each once).
    pub brands: Arc<[BrandId]>,
    /// The scopes it counts for.
    pub scopes: Arc<[ScopeId]>,
}

/// A claimed post: the lease token fences its writes.
#[derive(Debug, Clone)]
pub struct ClaimedPost {
    /// The lease token.
    pub token: LeaseToken,
    /// The post.
    pub post: DuePost,
}

/// The result of one scan, to write under the claim's token.
#[derive(Debug, Clone)]
pub struct ScanCompletion {
    /// The post.
    pub post: PostId,
    /// The claim's token.
    pub token: LeaseToken,
    /// When it was read (or, for [`ScanReading::NotRead`], given up).
    pub at: Timestamp,
    /// What the scan read.
    pub reading: ScanReading,
    /// What comes next.
    pub next: NextScan,
}

/// What a completed scan read. Only a completion that read the post is a
/// scan: it counts in the post's scan count and sets its last-scanned time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScanReading {
    /// Read, and the reading changed something: appended as a snapshot at
    /// the completion's instant; the aggregates move by its difference with
    /// the previous one.
    Changed(Metrics),
    /// Read, and nothing to append (the reading changed nothing, or the
    /// post was confirmed gone): a scan all the same.
    Unchanged,
    /// Not read: the post expires past its window (a claim taken later
    /// than `monitor_until` plus one lease). Not a scan: neither the scan
    /// count nor the last-scanned time moves.
    NotRead,
}

impl ScanReading {
    /// A reading: `Changed` when `changed` holds one, else `Unchanged`.
    pub fn read(changed: Option<Metrics>) -> ScanReading {
        match changed {
            Some(m) => ScanReading::Changed(m),
            None => ScanReading::Unchanged,
        }
    }

    /// Whether the completion is a scan (the post was read).
    pub fn is_scan(&self) -> bool {
        !matches!(self, ScanReading::NotRead)
    }

    /// The reading to append, if it changed something.
    pub fn changed(&self) -> Option<&Metrics> {
        match self {
            ScanReading::Changed(m) => Some(m),
            _ => None,
        }
    }
}

/// What happened to one completion.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompletionOutcome {
    /// Written.
    Applied,
    /// Already written by an earlier try with the same token: nothing changed.
    AlreadyApplied,
    /// Refused: a later claim replaced this token.
    LeaseLost,
}

/// A claim to give back without moving the due time.
#[derive(Debug, Clone, Copy)]
pub struct Release {
    /// The post.
    pub post: PostId,
    /// The claim's token.
    pub token: LeaseToken,
}

/// A request against a shared budget: `cost` units out of `limit` in the fixed
/// window `[window_start, window_end)` named by `key`.
#[derive(Debug, Clone)]
pub struct BudgetRequest {
    /// The budget's name (`tiktok:video.query`, `youtube:quota`).
    pub key: String,
    /// Start of the current window.
    pub window_start: Timestamp,
    /// End of the current window.
    pub window_end: Timestamp,
    /// Units allowed in a window.
    pub limit: u64,
    /// Units this call costs.
    pub cost: u64,
}

/// The answer to a [`BudgetRequest`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BudgetDecision {
    /// Granted: `used` units of the window are taken, this call's included.
    Granted {
        /// Units used in the window.
        used: u64,
    },
    /// Refused: the window is spent; try again at `retry_at`.
    Exhausted {
        /// When the window ends.
        retry_at: Timestamp,
    },
}

/// Which connections to list. Empty fields do not filter.
#[derive(Debug, Clone, Default)]
pub struct ConnectionFilter {
    /// Only this creator's.
    pub creator: Option<CreatorId>,
    /// Only this platform's.
    pub platform: Option<Platform>,
    /// Only in these statuses.
    pub statuses: Option<Vec<StatusKind>>,
}

/// The longest platform id a store keeps (bytes).
pub const MAX_PLATFORM_ID_BYTES: usize = 256;

/// Checks an id a platform sent (a post's or an account's): not empty, at
/// most [`MAX_PLATFORM_ID_BYTES`], no control characters. An id is sent
/// back to the platform as it is, so it is refused rather than cleaned.
pub fn check_platform_id(what: &str, id: &str) -> Result<(), StoreError> {
    if id.is_empty() {
        return Err(StoreError::InvalidInput(format!("{what} id is empty")));
    }
    if id.len() > MAX_PLATFORM_ID_BYTES {
        return Err(StoreError::InvalidInput(format!(
            "{what} id is {} bytes long, at most {MAX_PLATFORM_ID_BYTES} allowed",
            id.len()
        )));
    }
    if id.chars().any(char::is_control) {
        return Err(StoreError::InvalidInput(format!(
            "{what} id holds a control character"
        )));
    }
    Ok(())
}

/// The longest webhook delivery key a store records, in bytes.
pub const MAX_DELIVERY_KEY: usize = 256;

/// A claim on the handling of a webhook delivery
/// ([`crate::store::DeliveryLog::claim_delivery`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryClaimRequest {
    /// What names the delivery ([`check_delivery_key`]).
    pub key: String,
    /// Until when the claim holds: a handler that has not finished by then
    /// is taken to have failed, and the next attempt handles the delivery.
    pub claim_until: Timestamp,
    /// Until when the record is kept: past any instant at which any
    /// process, whatever its clock, could still accept the delivery.
    pub keep_until: Timestamp,
    /// The caller's instant.
    pub now: Timestamp,
}

/// What a claim on a webhook delivery found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum DeliveryClaim {
    /// The caller handles the delivery (the first time, or after an
    /// earlier handler's claim lapsed), presenting this token to finish or
    /// forget it.
    Claimed(LeaseToken),
    /// A handler finished it: a replay, to change nothing.
    Handled,
    /// Another handler holds it until the instant given.
    InProgress(Timestamp),
}

/// Checks a webhook delivery key ([`crate::store::DeliveryLog::claim_delivery`]):
/// not empty, at most [`MAX_DELIVERY_KEY`] bytes, no control characters.
pub fn check_delivery_key(key: &str) -> Result<(), StoreError> {
    if key.is_empty() || key.len() > MAX_DELIVERY_KEY || key.chars().any(char::is_control) {
        return Err(StoreError::InvalidInput(format!(
            "a webhook delivery key is 1 to {MAX_DELIVERY_KEY} bytes without control characters ({} bytes given)",
            key.len()
        )));
    }
    Ok(())
}

impl PostUpsert {
    /// Makes the post's texts storable ([`crate::text`]: U+0000 dropped
    /// from the title, caption, keyword tags, permalink and the tags as
    /// written) and refuses an id no store keeps. Stores call it on every
    /// upsert before writing anything; the engine calls it before hashtag
    /// extraction, so tag positions refer to the stored text.
    pub fn make_storable(&mut self) -> Result<bool, StoreError> {
        check_platform_id("post", self.platform_post_id.as_str())?;
        let mut dropped = self.title.make_storable();
        dropped |= self.text.make_storable();
        dropped |= self.keyword_tags.make_storable();
        dropped |= self.permalink.make_storable();
        for h in &mut self.hashtags {
            dropped |= h.written.make_storable();
        }
        Ok(dropped)
    }
}

impl NewConnection {
    /// Makes the handle storable (U+0000 dropped) and refuses an account id
    /// no store keeps. Stores call it before writing anything.
    pub fn make_storable(&mut self) -> Result<bool, StoreError> {
        check_platform_id("account", self.account_id.as_str())?;
        Ok(self.handle.make_storable())
    }
}

impl HealthUpdate {
    /// Makes the texts of the update storable (U+0000 dropped from an
    /// error, a reason or a permission's name, which may quote a platform).
    pub fn make_storable(&mut self) {
        match self {
            HealthUpdate::Failure { error, .. } => {
                error.make_storable();
            }
            HealthUpdate::MissingPermissions(p) => {
                p.make_storable();
            }
            HealthUpdate::ReadingProblems { last, .. } => {
                last.make_storable();
            }
            HealthUpdate::Success { .. } | HealthUpdate::SuspicionCleared => {}
        }
    }
}

/// The longest name of a brand, creator or scope, in characters
/// (ARCHITECTURE.md §9).
pub const MAX_NAME_CHARS: usize = 200;
/// The most hashtags one scope tracks (ARCHITECTURE.md §9).
pub const MAX_SCOPE_HASHTAGS: usize = 100;
/// The longest tracked hashtag (characters, as written; ARCHITECTURE.md §9).
pub const MAX_HASHTAG_CHARS: usize = 100;

/// Checks a name a host gives (a brand's, a creator's, a scope's, an
/// external reference): at most [`MAX_NAME_CHARS`] characters, no U+0000.
/// Every store refuses the same names with the same error.
pub fn check_name(what: &str, name: &str) -> Result<(), StoreError> {
    if name.contains('\0') {
        return Err(StoreError::InvalidInput(format!(
            "{what} holds U+0000, which no store keeps"
        )));
    }
    let chars = name.chars().count();
    if chars > MAX_NAME_CHARS {
        return Err(StoreError::InvalidInput(format!(
            "{what} is {chars} characters long, at most {MAX_NAME_CHARS} allowed"
        )));
    }
    Ok(())
}

/// Checks a scope's tracked hashtags against the limits of ARCHITECTURE.md §9.
pub fn check_hashtags(hashtags: &[TrackedHashtag]) -> Result<(), StoreError> {
    if hashtags.len() > MAX_SCOPE_HASHTAGS {
        return Err(StoreError::InvalidInput(format!(
            "{} hashtags in one scope, at most {MAX_SCOPE_HASHTAGS} allowed",
            hashtags.len()
        )));
    }
    if let Some(h) = hashtags
        .iter()
        .find(|h| h.written().chars().count() > MAX_HASHTAG_CHARS)
    {
        return Err(StoreError::InvalidInput(format!(
            "a hashtag of {} characters, at most {MAX_HASHTAG_CHARS} allowed",
            h.written().chars().count()
        )));
    }
    Ok(())
}

impl NewBrand {
    /// Refuses what no store keeps ([`check_name`]).
    pub fn check(&self) -> Result<(), StoreError> {
        check_name("brand name", &self.name)
    }
}

impl NewCreator {
    /// Refuses what no store keeps ([`check_name`]).
    pub fn check(&self) -> Result<(), StoreError> {
        check_name("creator name", &self.name)?;
        match &self.external_ref {
            Some(r) => check_name("creator external reference", r),
            None => Ok(()),
        }
    }
}

impl NewScope {
    /// Refuses what no store keeps ([`check_name`], [`check_hashtags`]).
    pub fn check(&self) -> Result<(), StoreError> {
        check_name("scope name", &self.name)?;
        check_hashtags(&self.hashtags)
    }
}

impl ScopeChange {
    /// Refuses what no store keeps ([`check_hashtags`]).
    pub fn check(&self) -> Result<(), StoreError> {
        match self {
            ScopeChange::SetHashtags(h) => check_hashtags(h),
            _ => Ok(()),
        }
    }
}
