//! [`DashboardError`]: what a request can fail with, and the page it gets.

use crate::access::AccessDenied;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use socialsync_core::engine::EngineError;
use socialsync_core::error::StoreError;
use socialsync_core::report::ReportError;

/// A request the dashboard could not serve. Each variant answers with its
/// own status code and a short page saying what was wrong (store failures
/// are logged and answered without their details).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DashboardError {
    /// The request acts for no brand: 401 or 403.
    #[error(transparent)]
    Access(AccessDenied),
    /// The CSRF token is missing, expired or not this brand's; or the request
    /// came from another site: 403.
    #[error("the form expired or did not come from this dashboard; reload the page and try again")]
    Csrf,
    /// Nothing here, or it belongs to another brand: 404.
    #[error("{0} not found")]
    NotFound(String),
    /// The request is malformed: 400.
    #[error("bad request: {0}")]
    BadRequest(String),
    /// Not allowed in the current state (resetting an active connection): 409.
    #[error("{0}")]
    Conflict(String),
    /// The store failed: 503 when retryable, else 500.
    #[error("the store failed: {0}")]
    Store(#[from] StoreError),
    /// The engine refused an action for another reason than its store: 500.
    #[error("the engine failed: {0}")]
    Engine(EngineError),
}

impl From<EngineError> for DashboardError {
    fn from(e: EngineError) -> Self {
        match e {
            EngineError::Store(s) => DashboardError::Store(s),
            other => DashboardError::Engine(other),
        }
    }
}

impl From<ReportError> for DashboardError {
    fn from(e: ReportError) -> Self {
        match e {
            ReportError::NotFound { entity, id } => {
                DashboardError::NotFound(format!("{entity} {id}"))
            }
            ReportError::InvalidRange(why) => DashboardError::BadRequest(why),
            ReportError::Store(s) => DashboardError::Store(s),
            other => DashboardError::BadRequest(other.to_string()),
        }
    }
}

impl DashboardError {
    /// The status code this error answers with.
    pub fn status(&self) -> StatusCode {
        match self {
            DashboardError::Access(AccessDenied::Unauthenticated) => StatusCode::UNAUTHORIZED,
            DashboardError::Access(_) | DashboardError::Csrf => StatusCode::FORBIDDEN,
            DashboardError::NotFound(_) => StatusCode::NOT_FOUND,
            DashboardError::BadRequest(_) => StatusCode::BAD_REQUEST,
            DashboardError::Conflict(_) => StatusCode::CONFLICT,
            DashboardError::Store(e) if e.is_retryable() => StatusCode::SERVICE_UNAVAILABLE,
            DashboardError::Store(e) if e.is_not_found() => StatusCode::NOT_FOUND,
            DashboardError::Store(_) | DashboardError::Engine(_) => {
                StatusCode::INTERNAL_SERVER_ERROR
            }
        }
    }

    fn public_message(&self) -> String {
        match self {
            DashboardError::Store(e) if e.is_not_found() => "not found".to_owned(),
            DashboardError::Store(_) => {
                "the dashboard could not read its data; try again shortly".to_owned()
            }
            DashboardError::Engine(_) => {
                "the dashboard could not complete the action; try again shortly".to_owned()
            }
            other => other.to_string(),
        }
    }
}

impl IntoResponse for DashboardError {
    fn into_response(self) -> Response {
        let status = self.status();
        if status.is_server_error() {
            tracing::warn!(error = %self, "dashboard request failed");
        }
        let mut response = (
            status,
            crate::page::error_page(status, &self.public_message()),
        )
            .into_response();
        if status == StatusCode::UNAUTHORIZED {
            // No scheme is imposed on the host; the header only says a
            // sign-in is missing.
            if let Ok(v) =
                axum::http::HeaderValue::from_str("Bearer realm=\"socialsync-dashboard\"")
            {
                response
                    .headers_mut()
                    .insert(axum::http::header::WWW_AUTHENTICATE, v);
            }
        }
        response
    }
}

/// The answer for a path the dashboard does not serve.
pub(crate) async fn not_found() -> DashboardError {
    DashboardError::NotFound("page".to_owned())
}
