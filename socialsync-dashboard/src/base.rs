//! [`Viewer`]: the brand a request acts for and the path prefix the
//! dashboard is reachable under.

use crate::State;
use crate::error::DashboardError;
use axum::extract::{FromRequestParts, OriginalUri};
use axum::http::request::Parts;
use socialsync_core::domain::Brand;
use std::sync::Arc;

/// Who is looking, and where the dashboard lives.
#[derive(Debug, Clone)]
pub(crate) struct Viewer {
    /// The brand the request acts for (known to the store).
    pub(crate) brand: Brand,
    /// The prefix every link starts with (`""` at the root, `/dash` when
    /// nested under `/dash`), without a trailing slash.
    pub(crate) base: String,
}

impl Viewer {
    /// `base` + `path` (`path` starts with `/`).
    pub(crate) fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }
}

impl FromRequestParts<Arc<State>> for Viewer {
    type Rejection = DashboardError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &Arc<State>,
    ) -> Result<Self, Self::Rejection> {
        let base = base_path(parts, state.base_path.as_deref());
        let brand_id = state
            .resolver
            .resolve(parts)
            .await
            .map_err(DashboardError::Access)?;
        let brand = state
            .store
            .get_brand(brand_id)
            .await?
            .ok_or(DashboardError::Access(crate::AccessDenied::Forbidden))?;
        Ok(Viewer { brand, base })
    }
}

/// The prefix the host's router consumed: the original path minus the path
/// the dashboard's router sees.
pub(crate) fn base_path(parts: &Parts, configured: Option<&str>) -> String {
    if let Some(base) = configured {
        return base.to_owned();
    }
    let inner = parts.uri.path();
    let original = parts
        .extensions
        .get::<OriginalUri>()
        .map(|o| o.0.path())
        .unwrap_or(inner);
    let base = if let Some(prefix) = original.strip_suffix(inner) {
        prefix
    } else if inner == "/" {
        // `nest("/dash", …)` hands `/dash` to the inner router as `/`.
        original
    } else {
        ""
    };
    base.trim_end_matches('/').to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::Request;

    fn parts(original: &str, inner: &str) -> Parts {
        let (mut parts, ()) = Request::builder().uri(inner).body(()).unwrap().into_parts();
        parts
            .extensions
            .insert(OriginalUri(original.parse().unwrap()));
        parts
    }

    #[test]
    fn the_consumed_prefix_is_the_base() {
        assert_eq!(base_path(&parts("/dash/active", "/active"), None), "/dash");
        assert_eq!(base_path(&parts("/a/b/", "/"), None), "/a/b");
        assert_eq!(base_path(&parts("/dash", "/"), None), "/dash");
        assert_eq!(base_path(&parts("/active", "/active"), None), "");
        assert_eq!(base_path(&parts("/x", "/x"), Some("/proxy")), "/proxy");
    }
}
