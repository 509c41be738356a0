//! Who is asking: the host maps each request to a brand.

use async_trait::async_trait;
use axum::http::request::Parts;
use socialsync_core::ids::BrandId;
use std::fmt::Debug;

/// Why a request gets no brand.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AccessDenied {
    /// Nobody is signed in (answered 401).
    #[error("sign in to see the dashboard")]
    Unauthenticated,
    /// Someone is signed in but may not see any brand's dashboard (answered 403).
    #[error("you may not see this dashboard")]
    Forbidden,
}

/// Maps a request to the brand it acts for: the host's sign-in cookie, API key or
/// header scheme, whatever it is.
///
/// The dashboard shows that brand's creators, scopes, connections and events
/// only, and refuses the request when the resolver denies it or names a
/// brand the store does not know (403).
///
/// ```
/// use async_trait::async_trait;
/// use axum::http::request::Parts;
/// use socialsync_core::ids::BrandId;
/// use socialsync_dashboard::{AccessDenied, BrandResolver};
///
/// /// The brand the host's auth layer put in the request extensions.
/// #[derive(Debug)]
/// struct FromExtensions;
///
/// #[async_trait]
/// impl BrandResolver for FromExtensions {
///     async fn resolve(&self, parts: &Parts) -> Result<BrandId, AccessDenied> {
///         parts
///             .extensions
///             .get::<BrandId>()
///             .copied()
///             .ok_or(AccessDenied::Unauthenticated)
///     }
/// }
/// ```
#[async_trait]
pub trait BrandResolver: Debug + Send + Sync + 'static {
    /// The brand `parts` acts for.
    async fn resolve(&self, parts: &Parts) -> Result<BrandId, AccessDenied>;
}

/// Every request acts for one brand: for single-brand deployments and
/// demos behind the host's own authentication.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FixedBrand(pub BrandId);

#[async_trait]
impl BrandResolver for FixedBrand {
    async fn resolve(&self, _parts: &Parts) -> Result<BrandId, AccessDenied> {
        Ok(self.0)
    }
}

/// The resolver of a dashboard built without one: nobody gets in.
#[derive(Debug, Clone, Copy)]
pub(crate) struct NoBrand;

#[async_trait]
impl BrandResolver for NoBrand {
    async fn resolve(&self, _parts: &Parts) -> Result<BrandId, AccessDenied> {
        Err(AccessDenied::Unauthenticated)
    }
}
