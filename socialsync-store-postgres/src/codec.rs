//! Conversions between the core's types and their columns.

use crate::error::corrupt;
use serde::Serialize;
use serde::de::DeserializeOwned;
use socialsync_core::clock::Timestamp;
use socialsync_core::domain::{
    Attribution, Connection, ConnectionHealth, ConnectionStatus, HighWater, Lister, Post,
    PostState, StatusInterval,
};
use socialsync_core::error::{StoreError, StoreResult};
use socialsync_core::ids::*;
use socialsync_core::metrics::{Metric, Metrics};
use socialsync_core::platform::Platform;
use sqlx::Row;
use sqlx::postgres::PgRow;
use uuid::Uuid;

/// Microseconds since the Unix epoch.
pub(crate) fn us(t: Timestamp) -> i64 {
    t.timestamp_micros()
}

/// An instant from microseconds since the Unix epoch.
pub(crate) fn from_us(v: i64) -> StoreResult<Timestamp> {
    Timestamp::from_micros(v).ok_or_else(|| corrupt(format!("instant {v} out of range")))
}

/// Metrics as a column: one value per metric of [`Metric::ALL`], NULL when absent.
pub(crate) fn metrics_to_column(m: &Metrics) -> StoreResult<Vec<Option<i64>>> {
    Metric::ALL
        .iter()
        .map(|k| match m.get(*k) {
            None => Ok(None),
            Some(v) => i64::try_from(v).map(Some).map_err(|_| {
                StoreError::InvalidInput(format!("{k} value {v} exceeds the storable range"))
            }),
        })
        .collect()
}

/// Metrics from their column.
pub(crate) fn metrics_from_column(values: &[Option<i64>]) -> StoreResult<Metrics> {
    if values.len() != Metric::COUNT {
        return Err(corrupt(format!(
            "a metrics array holds {} values, not {}",
            values.len(),
            Metric::COUNT
        )));
    }
    let mut m = Metrics::new();
    for (k, v) in Metric::ALL.iter().zip(values) {
        if let Some(v) = v {
            let v = u64::try_from(*v).map_err(|_| corrupt(format!("negative {k} value {v}")))?;
            m.set(*k, Some(v));
        }
    }
    Ok(m)
}

/// An array literal (`{1,NULL,3}`) of integers, to bind as one `text`
/// element of a `text[]` and cast per row: cheaper than slicing one long
/// array.
pub(crate) fn array_literal<T: std::fmt::Display>(values: &[Option<T>]) -> String {
    let mut out = String::with_capacity(2 + values.len() * 8);
    out.push('{');
    for (i, v) in values.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        match v {
            Some(v) => out.push_str(&v.to_string()),
            None => out.push_str("NULL"),
        }
    }
    out.push('}');
    out
}

/// A lease token as a uuid column.
pub(crate) fn token_to_uuid(t: LeaseToken) -> Uuid {
    Uuid::from_u128(t.0)
}

/// A lease token from its uuid column.
pub(crate) fn token_from_uuid(u: Uuid) -> LeaseToken {
    LeaseToken(u.as_u128())
}

/// A value as JSON text for a `jsonb` parameter.
pub(crate) fn json<T: Serialize>(v: &T) -> StoreResult<serde_json::Value> {
    serde_json::to_value(v).map_err(|e| StoreError::InvalidInput(format!("unencodable value: {e}")))
}

/// A value from a `jsonb` column.
pub(crate) fn from_json<T: DeserializeOwned>(v: serde_json::Value, what: &str) -> StoreResult<T> {
    serde_json::from_value(v).map_err(|e| corrupt(format!("{what} does not decode: {e}")))
}

/// A platform from its column.
pub(crate) fn platform(s: &str) -> StoreResult<Platform> {
    s.parse().map_err(corrupt)
}

/// A post state from its column.
pub(crate) fn post_state(s: &str) -> StoreResult<PostState> {
    PostState::ALL
        .into_iter()
        .find(|p| p.as_str() == s)
        .ok_or_else(|| corrupt(format!("unknown post state `{s}`")))
}

fn get<'r, T>(row: &'r PgRow, col: &str) -> StoreResult<T>
where
    T: sqlx::Decode<'r, sqlx::Postgres> + sqlx::Type<sqlx::Postgres>,
{
    row.try_get(col)
        .map_err(|e| corrupt(format!("column {col}: {e}")))
}

/// The columns [`post_from_row`] reads.
pub(crate) const POST_COLUMNS: &str = "p.id, p.platform, p.platform_post_id, p.connection_id, \
    p.creator_id, p.published_at, p.anchored_at, p.monitor_until, b.nexts[s.slot] AS next_us, s.state, p.kind, \
    p.title, p.body, p.keyword_tags, p.permalink, p.hashtags, p.attribution, p.first_seen_at, \
    b.lasts[s.slot] AS last_us, b.counts[s.slot] AS scan_count, \
    ARRAY(SELECT l.connection_id FROM post_listers l WHERE l.post_id = p.id \
      ORDER BY l.connection_id) AS lister_connections, \
    ARRAY(SELECT l.creator_id FROM post_listers l WHERE l.post_id = p.id \
      ORDER BY l.connection_id) AS lister_creators";

/// The tables [`POST_COLUMNS`] come from.
/// Lock through them with `FOR UPDATE OF p`.
pub(crate) const POST_TABLES: &str =
    "posts p JOIN schedule s ON s.post_id = p.id LEFT JOIN scan_blocks b ON b.id = s.block_id";

/// A post from a row holding [`POST_COLUMNS`].
pub(crate) fn post_from_row(row: &PgRow) -> StoreResult<Post> {
    let attribution: Vec<Attribution> = from_json(get(row, "attribution")?, "attribution")?;
    let scan_count: Option<i32> = get(row, "scan_count")?;
    let instant = |name: &str| -> StoreResult<Option<Timestamp>> {
        get::<Option<i64>>(row, name)?.map(from_us).transpose()
    };
    Ok(Post {
        id: PostId(get(row, "id")?),
        platform: platform(get(row, "platform")?)?,
        platform_post_id: PlatformPostId::new(get::<&str>(row, "platform_post_id")?),
        connection: ConnectionId(get(row, "connection_id")?),
        creator: CreatorId(get(row, "creator_id")?),
        listers: listers_from_row(row, "lister_connections", "lister_creators")?,
        published_at: get(row, "published_at")?,
        anchored_at: get(row, "anchored_at")?,
        monitor_until: get(row, "monitor_until")?,
        next_scan_at: instant("next_us")?,
        state: post_state(get(row, "state")?)?,
        kind: from_json(get(row, "kind")?, "media kind")?,
        title: get(row, "title")?,
        text: get(row, "body")?,
        keyword_tags: from_json(get(row, "keyword_tags")?, "keyword tags")?,
        permalink: get(row, "permalink")?,
        hashtags: from_json(get(row, "hashtags")?, "hashtags")?,
        attribution,
        first_seen_at: get(row, "first_seen_at")?,
        last_scanned_at: instant("last_us")?,
        scan_count: u32::try_from(scan_count.unwrap_or(0)).map_err(corrupt)?,
    })
}

/// A post's listers from two parallel arrays ordered by connection.
pub(crate) fn listers_from_row(
    row: &PgRow,
    connections: &str,
    creators: &str,
) -> StoreResult<Vec<Lister>> {
    let connections: Vec<i64> = get(row, connections)?;
    let creators: Vec<i64> = get(row, creators)?;
    if connections.len() != creators.len() {
        return Err(corrupt("lister arrays of different lengths"));
    }
    Ok(connections
        .into_iter()
        .zip(creators)
        .map(|(c, who)| Lister {
            connection: ConnectionId(c),
            creator: CreatorId(who),
        })
        .collect())
}

/// The columns [`connection_from_row`] reads.
pub(crate) const CONNECTION_COLUMNS: &str = "id, creator_id, platform, account_id, handle, status, \
    history, credentials_version, high_water, post_count, post_count_at, last_discovery_at, last_deep_pass_at, \
    matched_revision, health, backoff_until, created_at";

/// A connection from a row holding [`CONNECTION_COLUMNS`].
pub(crate) fn connection_from_row(row: &PgRow) -> StoreResult<Connection> {
    let status: ConnectionStatus = from_json(get(row, "status")?, "status")?;
    let history: Vec<StatusInterval> = from_json(get(row, "history")?, "status history")?;
    let high_water: Option<serde_json::Value> = get(row, "high_water")?;
    let high_water: Option<HighWater> = high_water
        .map(|v| from_json(v, "high-water mark"))
        .transpose()?;
    let health: ConnectionHealth = from_json(get(row, "health")?, "health")?;
    let version: i64 = get(row, "credentials_version")?;
    let matched: i64 = get(row, "matched_revision")?;
    let post_count: Option<i64> = get(row, "post_count")?;
    Ok(Connection {
        id: ConnectionId(get(row, "id")?),
        creator: CreatorId(get(row, "creator_id")?),
        platform: platform(get(row, "platform")?)?,
        account_id: PlatformAccountId::new(get::<&str>(row, "account_id")?),
        handle: get(row, "handle")?,
        status,
        history,
        credentials_version: u64::try_from(version).map_err(corrupt)?,
        high_water,
        post_count: post_count.map(u64::try_from).transpose().map_err(corrupt)?,
        post_count_at: get(row, "post_count_at")?,
        last_discovery_at: get(row, "last_discovery_at")?,
        last_deep_pass_at: get(row, "last_deep_pass_at")?,
        matched_revision: u64::try_from(matched).map_err(corrupt)?,
        health,
        backoff_until: get(row, "backoff_until")?,
        created_at: get(row, "created_at")?,
    })
}

/// Reads a column, as a corrupt-data error when it does not decode.
pub(crate) fn col<'r, T>(row: &'r PgRow, name: &str) -> StoreResult<T>
where
    T: sqlx::Decode<'r, sqlx::Postgres> + sqlx::Type<sqlx::Postgres>,
{
    get(row, name)
}

/// A `u64` as a `bigint` parameter.
pub(crate) fn u64_param(v: u64, what: &str) -> StoreResult<i64> {
    i64::try_from(v).map_err(|_| StoreError::InvalidInput(format!("{what} {v} is too large")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metrics_round_trip_keeps_absent_apart_from_zero() {
        let m = Metrics::new().with(Metric::Views, 0).with(Metric::Likes, 7);
        let col = metrics_to_column(&m).unwrap();
        assert_eq!(col[0], Some(0));
        assert_eq!(col[2], None);
        assert_eq!(metrics_from_column(&col).unwrap(), m);
        assert!(metrics_to_column(&Metrics::new().with(Metric::Views, u64::MAX)).is_err());
        assert!(metrics_from_column(&[Some(1)]).is_err());
        assert_eq!(array_literal(&[Some(1), None, Some(-3)]), "{1,NULL,-3}");
    }
}
