//! Tracking configuration: brands, creators, scopes and the revision.

use socialsync_core::clock::Timestamp;
use socialsync_core::domain::{Brand, Creator, Scope, ScopeKind};
use socialsync_core::error::{StoreError, StoreResult};
use socialsync_core::ids::*;
use socialsync_core::store::*;

use super::Inner;

impl Inner {
    pub(crate) fn create_brand(&mut self, new: NewBrand, now: Timestamp) -> Brand {
        let brand = Brand {
            id: BrandId(self.id()),
            name: new.name,
            created_at: now,
        };
        self.brands.insert(brand.id, brand.clone());
        brand
    }

    pub(crate) fn get_brand(&self, id: BrandId) -> Option<Brand> {
        self.brands.get(&id).cloned()
    }

    pub(crate) fn create_creator(&mut self, new: NewCreator, now: Timestamp) -> Creator {
        let creator = Creator {
            id: CreatorId(self.id()),
            name: new.name,
            external_ref: new.external_ref,
            created_at: now,
        };
        self.creators.insert(creator.id, creator.clone());
        creator
    }

    pub(crate) fn get_creator(&self, id: CreatorId) -> Option<Creator> {
        self.creators.get(&id).cloned()
    }

    fn check_creators(&self, creators: &[CreatorId]) -> StoreResult<()> {
        match creators.iter().find(|c| !self.creators.contains_key(c)) {
            Some(c) => Err(StoreError::not_found("creator", c)),
            None => Ok(()),
        }
    }

    pub(crate) fn create_scope(&mut self, new: NewScope, now: Timestamp) -> StoreResult<Scope> {
        if !self.brands.contains_key(&new.brand) {
            return Err(StoreError::not_found("brand", new.brand));
        }
        self.check_creators(&new.members)?;
        if new.hashtags.is_empty() {
            return Err(StoreError::InvalidInput(
                "a scope needs at least one hashtag".into(),
            ));
        }
        let scope = Scope {
            id: ScopeId(self.id()),
            brand: new.brand,
            name: new.name,
            kind: new.kind,
            hashtags: new.hashtags,
            members: new.members.into_iter().collect(),
            match_keyword_tags: new.match_keyword_tags,
            created_at: now,
        };
        self.scopes.insert(scope.id, scope.clone());
        self.revision += 1;
        Ok(scope)
    }

    pub(crate) fn get_scope(&self, brand: BrandId, id: ScopeId) -> Option<Scope> {
        self.scopes.get(&id).filter(|s| s.brand == brand).cloned()
    }

    pub(crate) fn list_scopes(&self, brand: BrandId) -> Vec<Scope> {
        self.scopes
            .values()
            .filter(|s| s.brand == brand)
            .cloned()
            .collect()
    }

    pub(crate) fn list_scopes_for_creator(&self, creator: CreatorId) -> Vec<Scope> {
        self.scopes
            .values()
            .filter(|s| s.members.contains(&creator))
            .cloned()
            .collect()
    }

    pub(crate) fn update_scope(
        &mut self,
        brand: BrandId,
        id: ScopeId,
        change: ScopeChange,
    ) -> StoreResult<Scope> {
        if self.get_scope(brand, id).is_none() {
            return Err(StoreError::not_found("scope", id));
        }
        if let ScopeChange::AddMembers(c) = &change {
            self.check_creators(c)?;
        }
        let scope = self
            .scopes
            .get_mut(&id)
            .ok_or_else(|| StoreError::not_found("scope", id))?;
        match change {
            ScopeChange::SetHashtags(tags) => {
                if tags.is_empty() {
                    return Err(StoreError::InvalidInput(
                        "a scope needs at least one hashtag".into(),
                    ));
                }
                scope.hashtags = tags;
            }
            ScopeChange::AddMembers(c) => scope.members.extend(c),
            ScopeChange::RemoveMembers(c) => {
                for m in c {
                    scope.members.remove(&m);
                }
            }
            ScopeChange::SetWindow(w) => match &mut scope.kind {
                ScopeKind::Campaign { window } => {
                    if w.is_some_and(|w| !w.is_valid()) {
                        return Err(StoreError::InvalidInput(
                            "window ends before it starts".into(),
                        ));
                    }
                    *window = w;
                }
                ScopeKind::Program => {
                    return Err(StoreError::InvalidInput(
                        "a creator program has no window".into(),
                    ));
                }
            },
            ScopeChange::SetMatchKeywordTags(b) => scope.match_keyword_tags = b,
        }
        let scope = scope.clone();
        self.revision += 1;
        Ok(scope)
    }

    pub(crate) fn revision(&self) -> u64 {
        self.revision
    }
}
