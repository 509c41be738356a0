//! Insights per media: the metric set by media product type, a rejected
//! metric dropped (and remembered per kind) while the others land, a
//! story's "not enough viewers" as absent metrics, and the node's counters
//! when the insights permission is missing.

use super::metric_sets::{self, insights_metrics};
use super::{Instagram, model, parse_insights};
use socialsync_core::domain::MediaKind;
use socialsync_core::metrics::MetricSet;
use socialsync_core::platform::{
    AccountRef, MetricsRequest, PlatformError, PlatformErrorKind, PostReading, ReadingProblem,
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
                    let (metrics, problems) = parse_insights(&body)?;
                    let mut r = PostReading::new(req.id.clone(), metrics);
                    r.unsupported = unsupported;
                    r.problems = problems;
                    return Ok(Some(r));
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
                    PlatformErrorKind::InvalidResponse if about_this_post(&e) => {
                        // Media posted before the account became a business
                        // account has no insights: its counters alone.
                        return self.post_problem(account, req, unsupported, &e).await;
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
                        let mut r = PostReading::new(req.id.clone(), Default::default());
                        r.unsupported = unsupported;
                        return Ok(Some(r));
                    }
                    PlatformErrorKind::PermissionMissing(p) => {
                        let p = p.clone();
                        return self.read_counters(account, req, p).await;
                    }
                    // A Graph error about this media alone (the minimal set
                    // refused too): this post's insights are absent.
                    PlatformErrorKind::InvalidResponse if is_graph_error(&e) => {
                        return self.post_problem(account, req, unsupported, &e).await;
                    }
                    _ => return Err(e),
                },
            }
        }
        // Every metric of this kind was rejected: nothing to read.
        let mut r = PostReading::new(req.id.clone(), Default::default());
        r.unsupported = unsupported;
        Ok(Some(r))
    }

    /// A post whose insights Instagram refuses for reasons of its own: the
    /// node's counters where they read, the reason recorded.
    async fn post_problem(
        &self,
        account: AccountRef<'_>,
        req: &MetricsRequest,
        unsupported: MetricSet,
        e: &PlatformError,
    ) -> Result<Option<PostReading>, PlatformError> {
        let why = format!(
            "insights refused: {}",
            e.detail.as_deref().unwrap_or("no detail")
        );
        let mut r = match self.node_read(account, req).await {
            Ok(Some(r)) => r,
            Ok(None) => return Ok(None),
            Err(err) if err.is_retryable() => return Err(err),
            Err(_) => PostReading::new(req.id.clone(), Default::default()),
        };
        r.unsupported = unsupported;
        r.problems.push(ReadingProblem::post(why));
        Ok(Some(r))
    }

    /// Without the insights permission: the node's counters, degraded.
    async fn read_counters(
        &self,
        account: AccountRef<'_>,
        req: &MetricsRequest,
        permission: String,
    ) -> Result<Option<PostReading>, PlatformError> {
        let mut r = self.node_read(account, req).await?;
        if let Some(r) = &mut r {
            r.missing_permissions.push(permission);
        }
        Ok(r)
    }

    /// The node's own counters (`like_count`, `comments_count`).
    async fn node_read(
        &self,
        account: AccountRef<'_>,
        req: &MetricsRequest,
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
        let mut problems = Vec::new();
        let metrics = model::node_counters(&media, &mut problems);
        let mut r = PostReading::new(req.id.clone(), metrics);
        r.problems = problems;
        Ok(Some(r))
    }
}

/// A Graph error body (`code N...`), as opposed to an answer that could not
/// be decoded at all.
fn is_graph_error(e: &PlatformError) -> bool {
    e.detail.as_deref().is_some_and(|d| d.starts_with("code "))
}

/// Graph errors known to concern one media alone: code 100 subcode 2108006
/// ("media posted before business account conversion").
fn about_this_post(e: &PlatformError) -> bool {
    e.detail
        .as_deref()
        .is_some_and(|d| d.starts_with("code 100/2108006"))
}
