//! Faults injected on demand: server errors, delays, malformed bodies and
//! forced throttling.

use crate::endpoint::Endpoint;
use serde::{Deserialize, Serialize};

/// What an injected fault does to a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum FaultKind {
    /// Answer with this status and the platform's transient-error body
    /// (Instagram code 2 `is_transient`, TikTok `internal_error`, Google
    /// `backendError`).
    ServerError {
        /// The HTTP status (500, 502, 503, …).
        status: u16,
    },
    /// Wait this long (real time) before answering normally: a client with a
    /// shorter timeout sees a timeout.
    Delay {
        /// Milliseconds.
        millis: u64,
    },
    /// Answer 200 with a body that is not valid JSON.
    Malformed,
    /// Answer with the platform's rate-limit error (Instagram code 4 with
    /// `X-App-Usage`, TikTok 429 `rate_limit_exceeded`, YouTube 403
    /// `quotaExceeded`).
    RateLimited,
}

/// A fault waiting for requests.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fault {
    /// The endpoint it applies to; `None` for every endpoint.
    #[serde(default)]
    pub endpoint: Option<Endpoint>,
    /// What it does.
    pub kind: FaultKind,
    /// How many requests it hits; `None` until cleared.
    #[serde(default)]
    pub times: Option<u32>,
}

impl Fault {
    /// A fault on one endpoint, until cleared.
    pub fn on(endpoint: Endpoint, kind: FaultKind) -> Fault {
        Fault {
            endpoint: Some(endpoint),
            kind,
            times: None,
        }
    }

    /// A fault on every endpoint, until cleared.
    pub fn everywhere(kind: FaultKind) -> Fault {
        Fault {
            endpoint: None,
            kind,
            times: None,
        }
    }

    /// Limits the fault to the next `n` matching requests.
    pub fn times(mut self, n: u32) -> Fault {
        self.times = Some(n);
        self
    }
}

/// The faults waiting, first added first served.
#[derive(Debug, Default)]
pub(crate) struct Faults {
    pending: Vec<Fault>,
}

impl Faults {
    pub(crate) fn add(&mut self, fault: Fault) {
        if fault.times != Some(0) {
            self.pending.push(fault);
        }
    }

    pub(crate) fn clear(&mut self) {
        self.pending.clear();
    }

    pub(crate) fn list(&self) -> Vec<Fault> {
        self.pending.clone()
    }

    /// The fault that hits this request, if any (consuming one of its times).
    pub(crate) fn take(&mut self, endpoint: Endpoint) -> Option<FaultKind> {
        let i = self
            .pending
            .iter()
            .position(|f| f.endpoint.is_none_or(|e| e == endpoint))?;
        let fault = self.pending.get_mut(i)?;
        let kind = fault.kind.clone();
        if let Some(n) = fault.times.as_mut() {
            *n = n.saturating_sub(1);
            if *n == 0 {
                self.pending.remove(i);
            }
        }
        Some(kind)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counted_faults_run_out_and_match_their_endpoint() {
        let mut f = Faults::default();
        f.add(Fault::on(Endpoint::TikTokVideoQuery, FaultKind::Malformed).times(2));
        assert_eq!(f.take(Endpoint::TikTokVideoList), None);
        assert_eq!(
            f.take(Endpoint::TikTokVideoQuery),
            Some(FaultKind::Malformed)
        );
        assert_eq!(
            f.take(Endpoint::TikTokVideoQuery),
            Some(FaultKind::Malformed)
        );
        assert_eq!(f.take(Endpoint::TikTokVideoQuery), None);
        f.add(Fault::everywhere(FaultKind::RateLimited));
        assert_eq!(
            f.take(Endpoint::YouTubeVideos),
            Some(FaultKind::RateLimited)
        );
        assert_eq!(
            f.take(Endpoint::YouTubeVideos),
            Some(FaultKind::RateLimited)
        );
    }

    #[test]
    fn faults_deserialise_from_admin_json() {
        let f: Fault = serde_json::from_str(
            r#"{"endpoint":"youtube.videos","kind":{"type":"server_error","status":503},"times":1}"#,
        )
        .unwrap();
        assert_eq!(
            f,
            Fault::on(
                Endpoint::YouTubeVideos,
                FaultKind::ServerError { status: 503 }
            )
            .times(1)
        );
    }
}
