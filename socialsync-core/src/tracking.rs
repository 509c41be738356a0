//! Tracking configuration: brands, creators, programs and campaigns, their
//! hashtags, members and windows. Input is validated before the store is
//! touched, so a refused change changes nothing.

use crate::clock::Clock;
use crate::domain::{Brand, CampaignWindow, Creator, Scope, ScopeKind};
use crate::error::ConfigError;
use crate::hashtag::TrackedHashtag;
use crate::ids::{BrandId, CreatorId, ScopeId};
use crate::store::{NewBrand, NewCreator, NewScope, ScopeChange, TrackingStore};
use std::sync::Arc;

/// A program or a campaign to create.
#[derive(Debug, Clone, Default)]
pub struct ScopeSpec {
    /// Display name.
    pub name: String,
    /// Tracked hashtags, with or without the sign (at least one).
    pub hashtags: Vec<String>,
    /// Member creators.
    pub members: Vec<CreatorId>,
    /// Whether YouTube keyword tags count.
    pub match_keyword_tags: bool,
}

impl ScopeSpec {
    /// A spec with a name and hashtags.
    pub fn new<I, S>(name: impl Into<String>, hashtags: I) -> ScopeSpec
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        ScopeSpec {
            name: name.into(),
            hashtags: hashtags.into_iter().map(Into::into).collect(),
            ..ScopeSpec::default()
        }
    }

    /// With members.
    #[must_use]
    pub fn members(mut self, members: impl IntoIterator<Item = CreatorId>) -> ScopeSpec {
        self.members = members.into_iter().collect();
        self
    }

    /// Opting in to YouTube keyword tags.
    #[must_use]
    pub fn match_keyword_tags(mut self, yes: bool) -> ScopeSpec {
        self.match_keyword_tags = yes;
        self
    }
}

/// The tracking configuration API.
///
/// ```
/// # async fn demo(store: std::sync::Arc<dyn socialsync_core::store::PostStore>) -> Result<(), socialsync_core::error::ConfigError> {
/// use socialsync_core::clock::SystemClock;
/// use socialsync_core::tracking::{ScopeSpec, Tracking};
/// let tracking = Tracking::new(store, std::sync::Arc::new(SystemClock));
/// let brand = tracking.create_brand("Acme").await?;
/// let ana = tracking.create_creator("Ana", None).await?;
/// let program = tracking
///     .create_program(brand.id, ScopeSpec::new("Ambassadors", ["#AcmePartner"]).members([ana.id]))
///     .await?;
/// assert_eq!(program.hashtags[0].written(), "AcmePartner");
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct Tracking {
    store: Arc<dyn TrackingStore>,
    clock: Arc<dyn Clock>,
}

impl Tracking {
    /// Configuration over `store` (any full store coerces to
    /// `Arc<dyn TrackingStore>`).
    pub fn new(store: Arc<dyn TrackingStore>, clock: Arc<dyn Clock>) -> Tracking {
        Tracking { store, clock }
    }

    /// Creates a brand.
    pub async fn create_brand(&self, name: &str) -> Result<Brand, ConfigError> {
        let name = non_empty("brand", name)?;
        Ok(self
            .store
            .create_brand(NewBrand { name }, self.clock.now())
            .await?)
    }

    /// Creates a creator.
    pub async fn create_creator(
        &self,
        name: &str,
        external_ref: Option<&str>,
    ) -> Result<Creator, ConfigError> {
        let name = non_empty("creator", name)?;
        let new = NewCreator {
            name,
            external_ref: external_ref.map(str::to_owned),
        };
        Ok(self.store.create_creator(new, self.clock.now()).await?)
    }

    /// Creates a creator program of `brand`.
    pub async fn create_program(
        &self,
        brand: BrandId,
        spec: ScopeSpec,
    ) -> Result<Scope, ConfigError> {
        self.create_scope(brand, spec, ScopeKind::Program).await
    }

    /// Creates a campaign of `brand`, optionally with a window on publish time.
    pub async fn create_campaign(
        &self,
        brand: BrandId,
        spec: ScopeSpec,
        window: Option<CampaignWindow>,
    ) -> Result<Scope, ConfigError> {
        if let Some(w) = &window {
            check_window(w)?;
        }
        self.create_scope(brand, spec, ScopeKind::Campaign { window })
            .await
    }

    async fn create_scope(
        &self,
        brand: BrandId,
        spec: ScopeSpec,
        kind: ScopeKind,
    ) -> Result<Scope, ConfigError> {
        let name = non_empty("scope", &spec.name)?;
        let hashtags = parse_hashtags(&spec.hashtags)?;
        let new = NewScope {
            brand,
            name,
            kind,
            hashtags,
            members: spec.members,
            match_keyword_tags: spec.match_keyword_tags,
        };
        Ok(self.store.create_scope(new, self.clock.now()).await?)
    }

    /// Replaces a scope's hashtags (at least one).
    pub async fn set_hashtags<S: AsRef<str> + Sync>(
        &self,
        brand: BrandId,
        scope: ScopeId,
        hashtags: &[S],
    ) -> Result<Scope, ConfigError> {
        let tags = parse_hashtags(hashtags)?;
        self.change(brand, scope, ScopeChange::SetHashtags(tags))
            .await
    }

    /// Adds hashtags to a scope (already tracked ones are kept once).
    pub async fn add_hashtags<S: AsRef<str> + Sync>(
        &self,
        brand: BrandId,
        scope: ScopeId,
        hashtags: &[S],
    ) -> Result<Scope, ConfigError> {
        let added = parse_hashtags(hashtags)?;
        let current = self.scope(brand, scope).await?;
        let mut tags = current.hashtags;
        for t in added {
            if !tags.iter().any(|x| x.key() == t.key()) {
                tags.push(t);
            }
        }
        self.change(brand, scope, ScopeChange::SetHashtags(tags))
            .await
    }

    /// Adds member creators.
    pub async fn add_members(
        &self,
        brand: BrandId,
        scope: ScopeId,
        creators: &[CreatorId],
    ) -> Result<Scope, ConfigError> {
        self.change(brand, scope, ScopeChange::AddMembers(creators.to_vec()))
            .await
    }

    /// Removes member creators.
    pub async fn remove_members(
        &self,
        brand: BrandId,
        scope: ScopeId,
        creators: &[CreatorId],
    ) -> Result<Scope, ConfigError> {
        self.change(brand, scope, ScopeChange::RemoveMembers(creators.to_vec()))
            .await
    }

    /// Sets or clears a campaign's window.
    pub async fn set_campaign_window(
        &self,
        brand: BrandId,
        scope: ScopeId,
        window: Option<CampaignWindow>,
    ) -> Result<Scope, ConfigError> {
        if let Some(w) = &window {
            check_window(w)?;
        }
        let current = self.scope(brand, scope).await?;
        if !current.is_campaign() {
            return Err(ConfigError::NotApplicable(format!(
                "{scope} is a creator program: only campaigns have windows"
            )));
        }
        self.change(brand, scope, ScopeChange::SetWindow(window))
            .await
    }

    /// Opts a scope in or out of YouTube keyword tags.
    pub async fn set_match_keyword_tags(
        &self,
        brand: BrandId,
        scope: ScopeId,
        yes: bool,
    ) -> Result<Scope, ConfigError> {
        self.change(brand, scope, ScopeChange::SetMatchKeywordTags(yes))
            .await
    }

    /// A scope of `brand` (another brand's is `NotFound`).
    pub async fn scope(&self, brand: BrandId, scope: ScopeId) -> Result<Scope, ConfigError> {
        self.store
            .get_scope(brand, scope)
            .await?
            .ok_or_else(|| ConfigError::NotFound {
                entity: "scope",
                id: scope.to_string(),
            })
    }

    /// The scopes of `brand` (`NotFound` for an unknown brand).
    pub async fn scopes(&self, brand: BrandId) -> Result<Vec<Scope>, ConfigError> {
        if self.store.get_brand(brand).await?.is_none() {
            return Err(ConfigError::NotFound {
                entity: "brand",
                id: brand.to_string(),
            });
        }
        Ok(self.store.list_scopes(brand).await?)
    }

    async fn change(
        &self,
        brand: BrandId,
        scope: ScopeId,
        change: ScopeChange,
    ) -> Result<Scope, ConfigError> {
        Ok(self.store.update_scope(brand, scope, change).await?)
    }
}

fn non_empty(what: &'static str, name: &str) -> Result<String, ConfigError> {
    let trimmed = name.trim();
    if trimmed.is_empty() {
        return Err(ConfigError::EmptyName(what));
    }
    Ok(trimmed.to_owned())
}

fn check_window(w: &CampaignWindow) -> Result<(), ConfigError> {
    match (w.starts_at, w.ends_at) {
        (Some(starts_at), Some(ends_at)) if ends_at <= starts_at => {
            Err(ConfigError::InvalidWindow { starts_at, ends_at })
        }
        _ => Ok(()),
    }
}

/// Parses and de-duplicates (by key) tracked hashtags; at least one.
fn parse_hashtags<S: AsRef<str>>(raw: &[S]) -> Result<Vec<TrackedHashtag>, ConfigError> {
    let mut out: Vec<TrackedHashtag> = Vec::with_capacity(raw.len());
    for r in raw {
        let t = TrackedHashtag::parse(r.as_ref())?;
        if !out.iter().any(|x| x.key() == t.key()) {
            out.push(t);
        }
    }
    if out.is_empty() {
        return Err(ConfigError::NoHashtags);
    }
    Ok(out)
}
