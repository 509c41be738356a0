//! The per-hour aggregates reports read, kept up to date in the same
//! transaction as the snapshots they come from.

use crate::codec::{col, metrics_from_column};
use crate::error::{corrupt, db};
use socialsync_core::clock::Timestamp;
use socialsync_core::domain::Snapshot;
use socialsync_core::error::StoreResult;
use socialsync_core::ids::PostId;
use socialsync_core::metrics::{AggregateHour, CounterDelta, Metric, Metrics};
use sqlx::PgConnection;
use std::collections::BTreeMap;

/// Adds totals (`$1..$4`: kinds, keys, hours, totals literals) into the
/// aggregates, rows in the order given. Totals are `numeric[]`: sums of
/// readings, exact whatever their size.
pub(crate) const UPSERT_AGGREGATES: &str = "INSERT INTO aggregates (kind, key, hour, totals) \
    SELECT u.k, u.key, u.h, u.t::numeric[] \
    FROM unnest($1::smallint[], $2::bigint[], $3::bigint[], $4::text[]) \
      WITH ORDINALITY AS u (k, key, h, t, i) \
    ORDER BY u.i \
    ON CONFLICT (kind, key, hour) \
    DO UPDATE SET totals = add_totals(aggregates.totals, excluded.totals)";

/// Aggregate series kind: a scope's.
pub(crate) const SCOPE: i16 = 1;
/// Aggregate series kind: a brand's (each post once).
pub(crate) const BRAND: i16 = 2;

/// Changes to aggregates, keyed `(kind, key, hour)`, in lock order.
#[derive(Debug, Default)]
pub(crate) struct AggregateChanges(BTreeMap<(i16, i64, i64), CounterDelta>);

impl AggregateChanges {
    /// Adds `d` at `hour` to every scope and brand.
    pub(crate) fn add(&mut self, scopes: &[i64], brands: &[i64], hour: i64, d: &CounterDelta) {
        for s in scopes {
            self.0.entry((SCOPE, *s, hour)).or_default().add(d);
        }
        for b in brands {
            self.0.entry((BRAND, *b, hour)).or_default().add(d);
        }
    }

    /// Subtracts `d` at `hour` from every scope and brand.
    pub(crate) fn sub(&mut self, scopes: &[i64], brands: &[i64], hour: i64, d: &CounterDelta) {
        for s in scopes {
            self.0.entry((SCOPE, *s, hour)).or_default().sub(d);
        }
        for b in brands {
            self.0.entry((BRAND, *b, hour)).or_default().sub(d);
        }
    }

    /// Whether no change was added.
    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The changes as column arrays (kinds, keys, hours, totals literals),
    /// in key order, zero changes left out.
    pub(crate) fn into_arrays(self) -> (Vec<i16>, Vec<i64>, Vec<i64>, Vec<String>) {
        let (mut kinds, mut keys, mut hours, mut totals) = (vec![], vec![], vec![], vec![]);
        for ((k, key, h), d) in self.0 {
            if d.is_zero() {
                continue;
            }
            kinds.push(k);
            keys.push(key);
            hours.push(h);
            totals.push(crate::codec::array_literal(
                &d.0.iter().map(|v| Some(*v)).collect::<Vec<_>>(),
            ));
        }
        (kinds, keys, hours, totals)
    }

    /// Writes the changes: one statement, rows in key order so concurrent
    /// writers lock them in the same order.
    pub(crate) async fn write(self, tx: &mut PgConnection) -> StoreResult<()> {
        let (kinds, keys, hours, totals) = self.into_arrays();
        if kinds.is_empty() {
            return Ok(());
        }
        sqlx::query(UPSERT_AGGREGATES)
            .bind(&kinds)
            .bind(&keys)
            .bind(&hours)
            .bind(&totals)
            .execute(&mut *tx)
            .await
            .map_err(db)?;
        Ok(())
    }
}

/// Totals read from an aggregate column sent as text (`totals::text[]`, or
/// a sum of it): one exact integer per metric of [`Metric::ALL`].
pub(crate) fn totals_from_text(values: &[String]) -> StoreResult<CounterDelta> {
    if values.len() != Metric::COUNT {
        return Err(corrupt(format!(
            "an aggregate row holds {} totals, not {}",
            values.len(),
            Metric::COUNT
        )));
    }
    let mut d = CounterDelta::default();
    for ((slot, text), m) in d.0.iter_mut().zip(values).zip(Metric::ALL) {
        *slot = text.parse().map_err(|_| {
            corrupt(format!(
                "an aggregate's {m} total `{text}` is not an integer"
            ))
        })?;
    }
    Ok(d)
}

/// A snapshot row's carried values (`carried` NULL means equal to `metrics`).
pub(crate) fn snapshot_from_parts(
    post: PostId,
    at: Timestamp,
    metrics: &[Option<i64>],
    carried: Option<&[Option<i64>]>,
) -> StoreResult<Snapshot> {
    let metrics = metrics_from_column(metrics)?;
    let carried = match carried {
        Some(c) => metrics_from_column(c)?,
        None => metrics,
    };
    Ok(Snapshot {
        post,
        at,
        metrics,
        carried,
    })
}

/// A post's contributions to aggregates, per hour: the changes of its
/// carried-forward counters, from its whole history.
pub(crate) async fn contributions(
    tx: &mut PgConnection,
    post: PostId,
) -> StoreResult<Vec<(i64, CounterDelta)>> {
    let rows = sqlx::query(
        "SELECT observed_at, metrics, carried FROM snapshots WHERE post_id = $1 \
         ORDER BY observed_at",
    )
    .bind(post.0)
    .fetch_all(&mut *tx)
    .await
    .map_err(db)?;
    let mut prev = Metrics::new();
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        let metrics: Vec<Option<i64>> = col(r, "metrics")?;
        let carried: Option<Vec<Option<i64>>> = col(r, "carried")?;
        let s = snapshot_from_parts(post, col(r, "observed_at")?, &metrics, carried.as_deref())?;
        let d = CounterDelta::between(&prev, &s.carried);
        prev = s.carried;
        out.push((AggregateHour::of(s.at).0, d));
    }
    Ok(out)
}
