//! Insights per media: the metric set by media product type, a rejected
//! metric dropped (and remembered per kind) while the others land, a
//! story's "not enough viewers" as absent metrics, and the node's counters
//! when the insights permission is missing.

use super::metric_sets::{self, insights_metrics};
use super::{Instagram, model, parse_insights};
use socialsync_core::domain::MediaKind;
use socialsync_core::metrics::MetricSet;
use socialsync_core::social_platform::{
    AccountRef, MetricsRequest, PlatformError, PlatformErrorKind, PostReading,
};

impl Instagram {
    fn rejected_for(&self, kind: MediaKind) -> Vec<String> {
        self.inner
            .rejected
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&kind)
            .cloned()
            .unwrap_or_default()
    }

    fn reject(&self, kind: MediaKind, name: &str) {
        let mut r = self
            .inner
            .rejected
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        let v = r.entry(kind).or_default();
        if !v.iter().any(|x| x == name) {
            tracing::warn!(
                ?kind,
                metric = name,
                "instagram rejected an insights metric; no longer asked"
            );
            v.push(name.to_owned());
        }
    }

    /// One media's reading; `None` when Instagram says it does not exist.
    pub(super) async fn read_one(
        &self,
        account: AccountRef<'_>,
        req: &MetricsRequest,
    ) -> Result<Option<PostReading>, PlatformError> {
        let rejected = self.rejected_for(req.kind);
        let mut unsupported = MetricSet::EMPTY;
        for r in &rejected {
            if let Some(m) = metric_sets::metric_of(r) {
                unsupported = unsupported.with(m);
            }
        }
        let mut asked: Vec<&str> = insights_metrics(req.kind)
            .iter()
            .copied()
            .filter(|m| !rejected.iter().any(|r| r == m))
            .collect();
        let mut fell_back = false;
        let path = format!("{}/insights", req.id.as_str());
        for _ in 0..insights_metrics(req.kind).len() + 1 {
            if asked.is_empty() {
                break;
            }
            let metric = asked.join(",");
            let answer = self
                .graph_get("media.insights", account, &path, &[("metric", &metric)])
                .await;
            match answer {
                Ok(body) => {
                    let metrics = parse_insights(&body)?;
                    return Ok(Some(PostReading {
                        id: req.id.clone(),
                        metrics,
                        unsupported,
                        missing_permissions: Vec::new(),
                    }));
                }
                Err(e) => match &e.kind {
                    PlatformErrorKind::UnsupportedMetric(m) => {
                        let m = *m;
                        let before = asked.len();
                        asked.retain(|n| metric_sets::metric_of(n) != Some(m));
                        if asked.len() == before {
                            return Err(e);
                        }
                        for n in insights_metrics(req.kind) {
                            if metric_sets::metric_of(n) == Some(m) {
                                self.reject(req.kind, n);
                            }
                        }
                        unsupported = unsupported.with(m);
                    }
                    PlatformErrorKind::InvalidResponse
                        if !fell_back
                            && e.detail
                                .as_deref()
                                .is_some_and(|d| d.starts_with("code 100")) =>
                    {
                        // A rejection naming no metric we know: the minimal set, once.
                        fell_back = true;
                        for n in &asked {
                            if !metric_sets::MINIMAL.contains(n) {
                                if let Some(m) = metric_sets::metric_of(n) {
                                    unsupported = unsupported.with(m);
                                }
                            }
                        }
                        asked.retain(|n| metric_sets::MINIMAL.contains(n));
                    }
                    PlatformErrorKind::NotFound => return Ok(None),
                    PlatformErrorKind::PermissionMissing(_)
                        if e.detail.as_deref().is_some_and(|d| {
                            d.to_ascii_lowercase().contains("not enough viewers")
                        }) =>
                    {
                        // A story with fewer than 5 viewers: no insights, not a permission.
                        return Ok(Some(PostReading {
                            id: req.id.clone(),
                            metrics: Default::default(),
                            unsupported,
                            missing_permissions: Vec::new(),
                        }));
                    }
                    PlatformErrorKind::PermissionMissing(p) => {
                        let p = p.clone();
                        return self.read_counters(account, req, p).await;
                    }
                    _ => return Err(e),
                },
            }
        }
        // Every metric of this kind was rejected: nothing to read.
        Ok(Some(PostReading {
            id: req.id.clone(),
            metrics: Default::default(),
            unsupported,
            missing_permissions: Vec::new(),
        }))
    }

    /// Without the insights permission: the node's counters, degraded.
    async fn read_counters(
        &self,
        account: AccountRef<'_>,
        req: &MetricsRequest,
        permission: String,
    ) -> Result<Option<PostReading>, PlatformError> {
        let body = match self
            .graph_get(
                "media.node",
                account,
                req.id.as_str(),
                &[("fields", "id,like_count,comments_count")],
            )
            .await
        {
            Ok(b) => b,
            Err(e) if e.kind == PlatformErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e),
        };
        let media = model::parse_media(&body, "media.node")?;
        Ok(Some(PostReading {
            id: req.id.clone(),
            metrics: model::node_counters(&media),
            unsupported: MetricSet::EMPTY,
            missing_permissions: vec![permission],
        }))
    }
}
