//! Scans: claim due posts, read them in batches per connection, store what
//! changed, set the next slot, and publish what happened.

use super::decide::{self, CallReaction, Verdict};
use super::public::{PUBLIC_GATHER, PublicReadings};
use super::{CycleReport, Engine, EngineError};
use crate::credentials::VersionedCredentials;
use crate::domain::{Connection, PostCountCheck, Suspicion};
use crate::events::{ConnectionChange, Event, MetricChange, ScanEvent, ScanOutcome};
use crate::ids::{ConnectionId, PlatformPostId};
use crate::metrics::Metrics;
use crate::platform::{
    AccountRef, MetricsBatch, MetricsRequest, PlatformError, PlatformErrorKind, ReadingProblem,
};
use crate::store::{
    BackoffTarget, ClaimRequest, ClaimedPost, CompletionOutcome, HealthUpdate, NextScan, Release,
    ScanCompletion, ScanReading,
};
use std::collections::BTreeMap;
use tracing::Instrument;

impl Engine {
    /// Scans every due post, claim batch after claim batch, until none is
    /// due; [`super::EngineBuilder::with_scan_concurrency`] batches at once.
    /// After an error the other batches still finish; the first error is
    /// returned.
    pub async fn run_scans(&self) -> Result<CycleReport, EngineError> {
        // Public reads wait to fill their calls only while this engine
        // runs often enough to come back before the posts are late.
        let now = self.now();
        let previous = self
            .inner
            .last_scan_run
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .replace(now);
        let gathering = previous.is_some_and(|t| t <= now && now - t <= PUBLIC_GATHER / 2);
        // Posts a lane held back for a fuller public call, still claimed:
        // pooled across claim batches and lanes, decided once at the end.
        let held = std::sync::Mutex::new(Vec::new());
        let lanes = self.inner.scan_concurrency.max(1);
        let results =
            futures::future::join_all((0..lanes).map(|_| self.scan_lane(gathering, &held))).await;
        let mut report = CycleReport::default();
        let mut first_error = None;
        for r in results {
            match r {
                Ok(r) => report.add(r),
                Err(e) => {
                    first_error.get_or_insert(e);
                }
            }
        }
        let pool = held.into_inner().unwrap_or_else(|e| e.into_inner());
        if !pool.is_empty() {
            match self.scan_pooled(pool).await {
                Ok(r) => report.add(r),
                Err(e) => {
                    first_error.get_or_insert(e);
                }
            }
        }
        match first_error {
            Some(e) => Err(e),
            None => Ok(report),
        }
    }

    /// The posts the lanes held back, together: full public calls are made
    /// (and those posts scanned with their connections); what still would
    /// not fill a call is given back, for a later run.
    async fn scan_pooled(&self, pool: Vec<ClaimedPost>) -> Result<CycleReport, EngineError> {
        let mut groups = by_connection(pool);
        let pass = self.read_public(&groups, true).await;
        let waiting = take_held(&mut groups, &pass.held);
        self.release(&waiting).await?;
        Ok(self.scan_groups(groups, pass.readings).await)
    }

    /// Scans each connection's claims, the posts `public` read already
    /// judged as read. A failure is that connection's: its claims lapse and
    /// are retried after the lease; the other connections go on.
    async fn scan_groups(
        &self,
        groups: BTreeMap<ConnectionId, Vec<ClaimedPost>>,
        mut public: PublicReadings,
    ) -> CycleReport {
        let mut report = CycleReport::default();
        for (conn, claims) in groups {
            let span = tracing::info_span!("scan", connection = %conn, posts = claims.len());
            let work = self
                .scan_connection(conn, claims, &mut public)
                .instrument(span);
            report.add(self.contained(conn, "scan", work).await);
        }
        report
    }

    /// One lane of [`Engine::run_scans`]: claims and scans until none is
    /// due; posts held back for a fuller public call go to `held`, still
    /// claimed.
    async fn scan_lane(
        &self,
        gathering: bool,
        held: &std::sync::Mutex<Vec<ClaimedPost>>,
    ) -> Result<CycleReport, EngineError> {
        let mut report = CycleReport::default();
        loop {
            let now = self.now();
            let claims = self
                .inner
                .store
                .claim_due_posts(ClaimRequest {
                    now,
                    lease_until: now + self.inner.policy.lease,
                    limit: self.inner.claim_batch,
                })
                .await?;
            if claims.is_empty() {
                return Ok(report);
            }
            // Let other tasks (and timeouts) run between claim batches.
            tokio::task::yield_now().await;
            let mut groups = by_connection(claims);
            // Posts of many connections read at once with a platform's own
            // key, where it has one; each connection reads the rest.
            let pass = self.read_public(&groups, gathering).await;
            let waiting = take_held(&mut groups, &pass.held);
            held.lock()
                .unwrap_or_else(|e| e.into_inner())
                .extend(waiting);
            report.add(self.scan_groups(groups, pass.readings).await);
        }
    }

    async fn release(&self, claims: &[ClaimedPost]) -> Result<u64, EngineError> {
        let releases = claims
            .iter()
            .map(|c| Release {
                post: c.post.id,
                token: c.token,
            })
            .collect();
        self.inner.store.release_claims(releases).await?;
        Ok(claims.len() as u64)
    }

    /// Scans one connection's claimed posts: those `public` read already
    /// are judged as read; the rest are read with the connection's token.
    async fn scan_connection(
        &self,
        id: ConnectionId,
        claims: Vec<ClaimedPost>,
        public: &mut PublicReadings,
    ) -> Result<CycleReport, EngineError> {
        let store = &self.inner.store;
        let mut report = CycleReport::default();
        let Some((conn, mut creds)) = self.callable(id).await? else {
            // Whatever was read publicly is dropped with the claims.
            report.released += self.release(&claims).await?;
            return Ok(report);
        };
        let (read, claims): (Vec<ClaimedPost>, Vec<ClaimedPost>) = claims
            .into_iter()
            .partition(|c| public.contains_key(&c.post.id));
        let platform = self.platform(conn.platform)?.clone();
        let max_batch = platform.capabilities().max_batch.max(1);
        // Completions of every call to this connection land in one store
        // call (one transaction on a database), flushed before a platform
        // error is handled and at the end; a long run flushes every quarter
        // lease so no claim lapses unwritten.
        let mut pending = Pending::default();
        if !read.is_empty() {
            let chunk: Vec<&ClaimedPost> = read.iter().collect();
            let batch = MetricsBatch {
                readings: chunk
                    .iter()
                    .filter_map(|c| public.remove(&c.post.id))
                    .collect(),
                ..MetricsBatch::default()
            };
            let verdicts = self
                .judge(&conn, &creds, &chunk, batch, &mut report)
                .await?;
            self.stage(&mut pending, &chunk, verdicts);
        }
        let mut flushed_at = self.now();
        // Whether every post asked for read: that ends a suspicion.
        let mut all_read = true;
        let mut rest: &[ClaimedPost] = &claims;
        while !rest.is_empty() {
            let (chunk, tail) = rest.split_at(rest.len().min(max_batch));
            rest = tail;
            let now = self.now();
            // Posts past their window by more than a lease expire unread:
            // that is not a scan.
            let (late, chunk): (Vec<&ClaimedPost>, Vec<&ClaimedPost>) = chunk
                .iter()
                .partition(|c| decide::too_late(c, &self.inner.policy, now));
            if !late.is_empty() {
                let done = late.iter().map(|c| decide::unread_expiry(c, now)).collect();
                report.expired += self.complete_unread(&conn, done).await?;
            }
            if chunk.is_empty() {
                continue;
            }
            let batch = match self
                .read_chunk(&conn, &mut creds, &chunk, rest, &mut pending, &mut report)
                .await?
            {
                Answered::Batch(b) => b,
                Answered::Skipped => {
                    all_read = false;
                    continue;
                }
                Answered::Stop => return Ok(report),
            };
            let verdicts = self
                .judge(&conn, &creds, &chunk, batch, &mut report)
                .await?;
            all_read &= verdicts.iter().all(|v| matches!(v, Verdict::Read(_)));
            self.stage(&mut pending, &chunk, verdicts);
            if self.now() >= flushed_at + self.inner.policy.lease / 4 {
                report.add(self.flush(&conn, &mut pending).await?);
                flushed_at = self.now();
            }
        }
        report.add(self.flush(&conn, &mut pending).await?);
        // No call used the token: make sure it still works.
        if claims.is_empty() && !self.prove_token(&conn, &creds, &mut report).await? {
            return Ok(report);
        }
        store
            .record_health(id, HealthUpdate::Success { at: self.now() })
            .await?;
        // Every post read: a suspicion ends, at its daily re-check.
        let now = self.now();
        if all_read && conn.health.suspect.is_some_and(|s| now >= s.recheck_at) {
            store
                .record_health(id, HealthUpdate::SuspicionCleared)
                .await?;
        }
        Ok(report)
    }

    /// The connection `id` and fresh credentials, when it may be called
    /// now; `None` when it is not active or has no usable credentials (its
    /// claims are then released).
    async fn callable(
        &self,
        id: ConnectionId,
    ) -> Result<Option<(Connection, VersionedCredentials)>, EngineError> {
        let store = &self.inner.store;
        let conn = match store.get_connection(id).await? {
            Some(c) if c.status.is_active() => c,
            _ => return Ok(None),
        };
        let Some(read) = store.get_credentials(id).await? else {
            return Ok(None);
        };
        Ok(self
            .fresh_credentials(&conn, read)
            .await?
            .map(|creds| (conn, creds)))
    }

    /// Reads one chunk's metrics and carries out what [`decide::react`]
    /// makes of a failed call: a refresh and a second call, a
    /// disconnection, a back-off, a degraded connection, every post
    /// missing, or claims left to lapse. Whatever landed before a failure
    /// is flushed first (a disconnection pauses the posts), so nothing is
    /// left queued when the scan stops.
    async fn read_chunk<'c>(
        &self,
        conn: &Connection,
        creds: &mut VersionedCredentials,
        chunk: &[&'c ClaimedPost],
        rest: &[ClaimedPost],
        pending: &mut Pending<'c>,
        report: &mut CycleReport,
    ) -> Result<Answered, EngineError> {
        let store = &self.inner.store;
        let requests: Vec<MetricsRequest> = chunk
            .iter()
            .map(|c| MetricsRequest {
                id: c.post.platform_post_id.clone(),
                kind: c.post.kind,
            })
            .collect();
        let mut answer = self.fetch(conn, creds, &requests).await;
        if answer.is_err() {
            report.add(self.flush(conn, pending).await?);
        }
        let mut refreshed = false;
        loop {
            let e = match answer {
                Ok(b) => return Ok(Answered::Batch(b)),
                Err(e) => e,
            };
            match decide::react(&e.kind, refreshed) {
                CallReaction::Refresh(reason) => {
                    if let Some(fresh) = self.on_token_invalid(conn, creds, reason).await? {
                        *creds = fresh;
                        refreshed = true;
                        answer = self.fetch(conn, creds, &requests).await;
                        continue;
                    }
                    let active = store
                        .get_connection(conn.id)
                        .await?
                        .is_some_and(|c| c.status.is_active());
                    if active {
                        // Another engine is refreshing (or the refresh
                        // failed for now): the claims lapse and are
                        // retried after the lease, never re-claimed at once.
                        report.failures += 1;
                    } else {
                        report.disconnections += 1;
                        report.released += self.release(&claims_from(chunk, rest)).await?;
                    }
                    return Ok(Answered::Stop);
                }
                CallReaction::Disconnect(reason) => {
                    if self.disconnect(conn, creds.version, reason).await? {
                        report.disconnections += 1;
                    }
                    report.released += self.release(&claims_from(chunk, rest)).await?;
                    return Ok(Answered::Stop);
                }
                CallReaction::BackOff => {
                    self.on_call_error(conn, &e).await;
                    report.released += self.release(&claims_from(chunk, rest)).await?;
                    return Ok(Answered::Stop);
                }
                CallReaction::Degrade(permission) => {
                    self.degrade(conn, vec![permission]).await?;
                    // Nothing was read: not a scan.
                    let (policy, now) = (&self.inner.policy, self.now());
                    let done = chunk
                        .iter()
                        .map(|c| decide::completion(c, ScanReading::NotRead, policy, now))
                        .collect();
                    self.complete_unread(conn, done).await?;
                    return Ok(Answered::Skipped);
                }
                CallReaction::AllMissing => {
                    return Ok(Answered::Batch(MetricsBatch {
                        missing: requests.into_iter().map(|r| r.id).collect(),
                        ..MetricsBatch::default()
                    }));
                }
                CallReaction::Lapse => {
                    self.on_call_error(conn, &e).await;
                    report.failures += 1;
                    return Ok(Answered::Stop);
                }
            }
        }
    }

    async fn fetch(
        &self,
        conn: &Connection,
        creds: &VersionedCredentials,
        requests: &[MetricsRequest],
    ) -> Result<MetricsBatch, PlatformError> {
        let platform = self.platform(conn.platform).map_err(|_| {
            PlatformError::new(
                conn.platform,
                "fetch_metrics",
                PlatformErrorKind::Unavailable,
            )
        })?;
        let account = AccountRef {
            account_id: &conn.account_id,
            credentials: &creds.credentials,
        };
        platform.fetch_metrics(account, requests).await
    }

    /// Decides each post's fate from a batch answer. A `Deleted` post
    /// missing again stays so; a post missing for the first time is
    /// confirmed by a single-post read and a control read of the account,
    /// and deleted only as far as the account's post count fell (the
    /// deletion guard, [`Connection::check_post_count`]).
    async fn judge(
        &self,
        conn: &Connection,
        creds: &VersionedCredentials,
        chunk: &[&ClaimedPost],
        batch: MetricsBatch,
        report: &mut CycleReport,
    ) -> Result<Vec<Verdict>, EngineError> {
        let mut missing_permissions = Vec::new();
        let mut found: Vec<Option<Metrics>> = vec![None; chunk.len()];
        let mut problems = 0u32;
        let mut last_problem = None;
        for (k, mut r) in batch.readings.into_iter().enumerate() {
            missing_permissions.extend(r.missing_permissions);
            // Whatever the adapter let through, a value beyond 2^53 is an
            // invalid reading of that metric.
            for m in r.metrics.drop_invalid().iter() {
                r.problems.push(ReadingProblem::invalid(m, "beyond 2^53"));
            }
            if let Some(p) = r.problems.last() {
                problems =
                    problems.saturating_add(u32::try_from(r.problems.len()).unwrap_or(u32::MAX));
                last_problem = Some(format!("post {}: {p}", r.id));
            }
            // Answers usually come in request order: look there first.
            let slot = match chunk.get(k) {
                Some(c) if c.post.platform_post_id == r.id => Some(k),
                _ => chunk.iter().position(|c| c.post.platform_post_id == r.id),
            };
            if let Some(i) = slot {
                found[i] = Some(r.metrics);
            }
        }
        if !missing_permissions.is_empty() {
            self.degrade(conn, missing_permissions).await?;
        }
        let now = self.now();
        if let Some(last) = last_problem {
            tracing::info!(connection = %conn.id, problems, %last, "parts of readings invalid; those metrics absent");
            self.inner
                .store
                .record_health(
                    conn.id,
                    HealthUpdate::ReadingProblems {
                        at: now,
                        count: problems,
                        last,
                    },
                )
                .await?;
        }
        // Posts whose own read failed for now are retried after the lease;
        // the rest of the call lands.
        if let Some((_, e)) = batch.failed.first() {
            report.failures += 1;
            self.on_call_error(conn, e).await;
        }
        let failed: std::collections::HashSet<&PlatformPostId> =
            batch.failed.iter().map(|(id, _)| id).collect();
        // While the connection is suspect, missing posts wait for the
        // re-check: no confirmation calls, nothing deleted.
        let hold = conn.health.suspect.is_some_and(|s| now < s.recheck_at);
        let mut verdicts: Vec<Verdict> = chunk
            .iter()
            .zip(found)
            .map(|(c, reading)| {
                let read_failed = failed.contains(&c.post.platform_post_id);
                decide::verdict(reading, read_failed, c.post.state, hold)
            })
            .collect();
        let confirm: Vec<usize> = (0..verdicts.len())
            .filter(|&i| verdicts[i] == Verdict::Unconfirmed)
            .collect();
        if confirm.is_empty() {
            return Ok(verdicts);
        }
        // A single-post read of each: one that reads is not missing.
        let mut gone = Vec::new();
        for i in confirm {
            if self
                .single_read_misses(conn, creds, &chunk[i].post.platform_post_id)
                .await
            {
                gone.push(i);
            }
        }
        if gone.is_empty() {
            return Ok(verdicts);
        }
        // The control read: the account itself, and its post count.
        let Some(count) = self.control_read(conn, creds).await else {
            return Ok(verdicts);
        };
        let missing = u32::try_from(gone.len()).unwrap_or(u32::MAX);
        let verdict = self
            .inner
            .store
            .check_post_count(
                conn.id,
                PostCountCheck {
                    count,
                    missing,
                    at: now,
                    recheck_at: now + self.inner.policy.suspect_recheck,
                },
            )
            .await?;
        let granted = usize::try_from(verdict.granted).unwrap_or(usize::MAX);
        for (k, &i) in gone.iter().enumerate() {
            verdicts[i] = if k < granted {
                Verdict::Deleted
            } else {
                Verdict::Held
            };
        }
        if let Some(suspicion) = verdict.suspicion {
            report.failures += 1;
            self.on_suspect(conn, suspicion, verdict.newly_suspect)
                .await?;
        }
        Ok(verdicts)
    }

    /// Whether a single-post read says the post is not there.
    async fn single_read_misses(
        &self,
        conn: &Connection,
        creds: &VersionedCredentials,
        id: &PlatformPostId,
    ) -> bool {
        let Ok(platform) = self.platform(conn.platform) else {
            return false;
        };
        let account = AccountRef {
            account_id: &conn.account_id,
            credentials: &creds.credentials,
        };
        match platform.get_post(account, id).await {
            Ok(None) => true,
            Err(e) => e.kind == PlatformErrorKind::NotFound,
            Ok(Some(_)) => false,
        }
    }

    /// The control read of the account: `Some(post count)` when the token
    /// reads the connection's own account, `None` when it does not (then
    /// nothing is deleted; the claims lapse and are retried).
    async fn control_read(
        &self,
        conn: &Connection,
        creds: &VersionedCredentials,
    ) -> Option<Option<u64>> {
        let platform = self.platform(conn.platform).ok()?;
        let account = AccountRef {
            account_id: &conn.account_id,
            credentials: &creds.credentials,
        };
        match platform.get_account(account).await {
            Ok(a) if a.id == conn.account_id => Some(a.post_count),
            Ok(_) => None,
            Err(e) => {
                self.on_call_error(conn, &e).await;
                None
            }
        }
    }

    /// Reads the account's post count with `creds` and keeps it as the
    /// deletion guard's baseline (a count that fell is kept as an allowance
    /// for the deletions it explains). Best effort: a failure only leaves
    /// the baseline as it was.
    pub(super) async fn record_post_count(
        &self,
        conn: &Connection,
        creds: &VersionedCredentials,
    ) -> Result<(), EngineError> {
        let Some(Some(count)) = self.control_read(conn, creds).await else {
            return Ok(());
        };
        let now = self.now();
        self.inner
            .store
            .check_post_count(
                conn.id,
                PostCountCheck {
                    count: Some(count),
                    missing: 0,
                    at: now,
                    recheck_at: now,
                },
            )
            .await?;
        Ok(())
    }

    /// Posts went missing beyond what the account's post count accounts
    /// for: counted on health and, the first time, told to the host.
    async fn on_suspect(
        &self,
        conn: &Connection,
        suspicion: Suspicion,
        newly: bool,
    ) -> Result<(), EngineError> {
        let now = self.now();
        let unexplained = suspicion.unexplained;
        self.inner
            .store
            .record_health(
                conn.id,
                HealthUpdate::Failure {
                    at: now,
                    error: format!(
                        "{unexplained} posts missing that the account's post count does not \
                         account for: none deleted"
                    ),
                },
            )
            .await?;
        if !newly {
            return Ok(());
        }
        tracing::warn!(connection = %conn.id, unexplained, "connection suspect: no post deleted");
        self.publish_connection(conn, ConnectionChange::Suspect { unexplained })
            .await;
        if let Err(e) = self
            .inner
            .notifier
            .connection_suspect(conn, &suspicion)
            .await
        {
            tracing::warn!(connection = %conn.id, error = %e, "suspicion notice not delivered");
        }
        Ok(())
    }

    /// Queues the verdicts' completions; `flush` writes them.
    fn stage<'c>(
        &self,
        pending: &mut Pending<'c>,
        chunk: &[&'c ClaimedPost],
        verdicts: Vec<Verdict>,
    ) {
        let now = self.now();
        for (c, v) in chunk.iter().zip(verdicts) {
            if let Some(s) = decide::settle(v, c, &self.inner.policy, now) {
                pending.completions.push(s.completion);
                pending.landed.push((*c, s.reading, s.outcome, now));
            }
        }
    }

    /// Writes completions that read nothing (no scan event follows), each
    /// refused one staying that post's ([`Engine::write_each`]); how many
    /// were applied.
    async fn complete_unread(
        &self,
        conn: &Connection,
        done: Vec<ScanCompletion>,
    ) -> Result<u64, EngineError> {
        let store = &self.inner.store;
        let outcomes = self
            .write_each(
                conn,
                done,
                |c| c.post.to_string(),
                move |batch| store.complete_scans(batch),
            )
            .await?;
        Ok(outcomes
            .iter()
            .filter(|o| **o == Some(CompletionOutcome::Applied))
            .count() as u64)
    }

    /// Writes the queued completions in one store call and publishes the
    /// scan events of those that landed.
    async fn flush(
        &self,
        conn: &Connection,
        pending: &mut Pending<'_>,
    ) -> Result<CycleReport, EngineError> {
        let mut report = CycleReport::default();
        if pending.completions.is_empty() {
            return Ok(report);
        }
        let completions = std::mem::take(&mut pending.completions);
        let nexts: Vec<NextScan> = completions.iter().map(|c| c.next).collect();
        let landed = std::mem::take(&mut pending.landed);
        let scans: Vec<bool> = completions.iter().map(|c| c.reading.is_scan()).collect();
        let store = &self.inner.store;
        let outcomes = self
            .write_each(
                conn,
                completions,
                |c| c.post.to_string(),
                move |batch| store.complete_scans(batch),
            )
            .await?;
        let mut events = Vec::with_capacity(landed.len());
        for ((((c, reading, outcome, at), result), scan), next) in
            landed.into_iter().zip(outcomes).zip(scans).zip(nexts)
        {
            if result != Some(CompletionOutcome::Applied) {
                continue;
            }
            if scan {
                report.scans += 1;
            }
            let changes = match reading {
                Some(m) => changes(c.post.latest.as_ref(), &m),
                None => Vec::new(),
            };
            if !changes.is_empty() {
                report.changed += 1;
            }
            match outcome {
                ScanOutcome::Deleted => report.deleted += 1,
                ScanOutcome::Expired => report.expired += 1,
                _ => {}
            }
            let state = next.outcome().0.unwrap_or(c.post.state);
            // A post that changed state is news even when its numbers are not.
            let news = outcome != ScanOutcome::Unchanged || state != c.post.state;
            if !news && !self.inner.publish_unchanged {
                continue;
            }
            events.push(Event::Scan(ScanEvent {
                post: c.post.id,
                platform_post_id: c.post.platform_post_id.clone(),
                platform: c.post.platform,
                connection: conn.id,
                creator: c.post.creator,
                brands: c.post.brands.clone(),
                scopes: c.post.scopes.clone(),
                at,
                outcome,
                state,
                changes,
            }));
        }
        if let Err(e) = self.inner.store.publish_events(events).await {
            tracing::warn!(error = %e, "scan events not published");
        }
        Ok(report)
    }

    /// Writes `items` in one store call, and gives each item's answer.
    /// When the store refuses the call for its data (not for being
    /// unavailable), the items are written one by one: one post's bad data
    /// is that post's alone (`None`: refused, logged and counted on the
    /// connection's health; a claim lapses and is retried after the lease).
    pub(super) async fn write_each<T: Clone, O, F>(
        &self,
        conn: &Connection,
        items: Vec<T>,
        name: impl Fn(&T) -> String,
        write: impl Fn(Vec<T>) -> F,
    ) -> Result<Vec<Option<O>>, EngineError>
    where
        F: std::future::Future<Output = Result<Vec<O>, crate::error::StoreError>>,
    {
        let error = match write(items.clone()).await {
            Ok(out) => return Ok(out.into_iter().map(Some).collect()),
            Err(e) if e.is_retryable() => return Err(e.into()),
            Err(e) => e,
        };
        if let [one] = items.as_slice() {
            self.post_not_written(conn, name(one), &error).await;
            return Ok(vec![None]);
        }
        let mut out = Vec::with_capacity(items.len());
        for item in items {
            let id = name(&item);
            match write(vec![item]).await {
                Ok(o) => out.push(o.into_iter().next()),
                Err(e) if e.is_retryable() => return Err(e.into()),
                Err(e) => {
                    self.post_not_written(conn, id, &e).await;
                    out.push(None);
                }
            }
        }
        Ok(out)
    }

    /// One post's write was refused: logged and counted on its connection.
    async fn post_not_written(
        &self,
        conn: &Connection,
        post: impl std::fmt::Display,
        e: &crate::error::StoreError,
    ) {
        tracing::warn!(connection = %conn.id, %post, error = %e, "one post's write refused; the others landed");
        let update = HealthUpdate::Failure {
            at: self.now(),
            error: format!("post {post} not written: {e}"),
        };
        if let Err(err) = self.inner.store.record_health(conn.id, update).await {
            tracing::warn!(error = %err, "could not record a store failure");
        }
    }

    /// Rate limits back off; other failures count on the connection's health.
    pub(super) async fn on_call_error(&self, conn: &Connection, e: &PlatformError) {
        let store = &self.inner.store;
        let now = self.now();
        let result = match &e.kind {
            PlatformErrorKind::RateLimited { until, reach } => {
                // Bounded by the limit's reach, whatever the platform named.
                let until = reach.bound(now, *until);
                let target = if reach.is_platform_wide() {
                    BackoffTarget::Platform(conn.platform)
                } else {
                    BackoffTarget::Connection(conn.id)
                };
                tracing::info!(connection = %conn.id, %until, "rate limited: backing off");
                store.set_backoff(target, until).await
            }
            PlatformErrorKind::PermissionMissing(p) => {
                let _ = self.degrade(conn, vec![p.clone()]).await;
                Ok(())
            }
            _ => {
                tracing::warn!(connection = %conn.id, error = %e, "platform call failed; retrying later");
                store
                    .record_health(
                        conn.id,
                        HealthUpdate::Failure {
                            at: now,
                            error: e.to_string(),
                        },
                    )
                    .await
            }
        };
        if let Err(err) = result {
            tracing::warn!(error = %err, "could not record a platform failure");
        }
    }
}

/// Claims grouped by connection.
fn by_connection(
    claims: impl IntoIterator<Item = ClaimedPost>,
) -> BTreeMap<ConnectionId, Vec<ClaimedPost>> {
    let mut groups: BTreeMap<ConnectionId, Vec<ClaimedPost>> = BTreeMap::new();
    for c in claims {
        groups.entry(c.post.connection).or_default().push(c);
    }
    groups
}

/// Takes the claims of the `held` posts out of `groups`.
fn take_held(
    groups: &mut BTreeMap<ConnectionId, Vec<ClaimedPost>>,
    held: &std::collections::HashSet<crate::ids::PostId>,
) -> Vec<ClaimedPost> {
    let mut taken = Vec::new();
    if held.is_empty() {
        return taken;
    }
    for claims in groups.values_mut() {
        let (out, keep): (Vec<_>, Vec<_>) = std::mem::take(claims)
            .into_iter()
            .partition(|c| held.contains(&c.post.id));
        taken.extend(out);
        *claims = keep;
    }
    groups.retain(|_, claims| !claims.is_empty());
    taken
}

/// What became of one chunk's metrics call.
enum Answered {
    /// The answer, to judge post by post.
    Batch(MetricsBatch),
    /// Nothing to judge (completed unread); go on with the next chunk.
    Skipped,
    /// The scan of this connection ends here.
    Stop,
}

/// Completions queued for one store call, with what each scan event needs.
#[derive(Default)]
struct Pending<'c> {
    completions: Vec<ScanCompletion>,
    /// Per completion: the claim, the reading, the outcome, when it was read.
    landed: Vec<(
        &'c ClaimedPost,
        Option<Metrics>,
        ScanOutcome,
        crate::clock::Timestamp,
    )>,
}

fn claims_from(chunk: &[&ClaimedPost], rest: &[ClaimedPost]) -> Vec<ClaimedPost> {
    chunk
        .iter()
        .map(|c| (*c).clone())
        .chain(rest.iter().cloned())
        .collect()
}

/// Each metric whose value or presence changed, old → new.
fn changes(old: Option<&Metrics>, new: &Metrics) -> Vec<MetricChange> {
    let empty = Metrics::new();
    let old = old.unwrap_or(&empty);
    new.changed_from(old)
        .iter()
        .map(|m| MetricChange {
            metric: m,
            old: old.get(m),
            new: new.get(m),
        })
        .collect()
}
