//! What a brand may see: the creators of its scopes and their connections.

use socialsync_core::domain::{Connection, Creator};
use socialsync_core::error::StoreResult;
use socialsync_core::ids::{BrandId, ConnectionId, CreatorId};
use socialsync_core::store::{ConnectionFilter, ConnectionStore, TrackingStore};
use std::collections::{BTreeMap, BTreeSet};

/// The creators who are members of any scope of `brand`.
pub(crate) async fn creators_of<S: TrackingStore + ?Sized>(
    store: &S,
    brand: BrandId,
) -> StoreResult<BTreeSet<CreatorId>> {
    Ok(store
        .list_scopes(brand)
        .await?
        .into_iter()
        .flat_map(|s| s.members)
        .collect())
}

/// Every connection of the brand's creators, with the creators, by creator
/// name then platform.
pub(crate) async fn connections_of<S: TrackingStore + ConnectionStore + ?Sized>(
    store: &S,
    brand: BrandId,
) -> StoreResult<Vec<(Connection, Creator)>> {
    let mut out = Vec::new();
    for id in creators_of(store, brand).await? {
        let Some(creator) = store.get_creator(id).await? else {
            continue;
        };
        let filter = ConnectionFilter {
            creator: Some(id),
            ..ConnectionFilter::default()
        };
        for c in store.list_connections(filter).await? {
            out.push((c, creator.clone()));
        }
    }
    out.sort_by(|(a, ca), (b, cb)| {
        (&ca.name, ca.id, a.platform, &a.handle, a.id)
            .cmp(&(&cb.name, cb.id, b.platform, &b.handle, b.id))
    });
    Ok(out)
}

/// The connection `id` when `brand` may see it (its creator is a member of
/// one of the brand's scopes).
pub(crate) async fn connection_for<S: TrackingStore + ConnectionStore + ?Sized>(
    store: &S,
    brand: BrandId,
    id: ConnectionId,
) -> StoreResult<Option<(Connection, Creator)>> {
    let Some(c) = store.get_connection(id).await? else {
        return Ok(None);
    };
    if !creators_of(store, brand).await?.contains(&c.creator) {
        return Ok(None);
    }
    Ok(store
        .get_creator(c.creator)
        .await?
        .map(|creator| (c, creator)))
}

/// Display names of creators, looked up once each.
#[derive(Debug, Default)]
pub(crate) struct CreatorNames(BTreeMap<CreatorId, String>);

impl CreatorNames {
    /// The name of `id` (its id's text when the store has none or fails).
    pub(crate) async fn get(&mut self, store: &dyn TrackingStore, id: CreatorId) -> String {
        if let Some(n) = self.0.get(&id) {
            return n.clone();
        }
        let name = match store.get_creator(id).await {
            Ok(Some(c)) => c.name,
            Ok(None) => id.to_string(),
            Err(e) => {
                tracing::debug!(error = %e, "creator name lookup failed");
                return id.to_string();
            }
        };
        if self.0.len() > 10_000 {
            self.0.clear();
        }
        self.0.insert(id, name.clone());
        name
    }
}
