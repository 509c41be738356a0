//! Live events across processes: an events table (ids in order, pruned by
//! age) and a NOTIFY carrying the newest id. Each store instance has one
//! listener ([`Hub`]) on a connection of its own, outside the pool: it reads
//! each new event once and fans it out to every subscriber of the process
//! through a bounded broadcast, so neither open streams nor a subscriber
//! that stops reading take anything from the engine. A subscriber replays
//! the table after the id it saw (through the pool, a page at a time), then
//! follows the listener.
//!
//! Events are the live feed, not the record: they commit asynchronously
//! (`synchronous_commit = off` for their own statement only), so publishing
//! never waits for a disk flush. A server crash may drop the newest events;
//! the scans they describe commit synchronously and are never lost.
//! Publishers take turns from drawing their ids to their commit (an
//! advisory lock), so ids become visible in order and a reader that has
//! seen id n never finds a smaller one later.
//!
//! Each row also carries the brands allowed to see its event, indexed, so a
//! brand's newest events (the dashboard's first rows) are found without
//! reading past every other brand's.

use crate::PgStore;
use crate::codec::{col, from_json, json};
use crate::error::db;
use futures::StreamExt;
use socialsync_core::clock::Timestamp;
use socialsync_core::error::{StoreError, StoreResult};
use socialsync_core::events::{Event, EventStream, EventsLagged, StoredEvent};
use socialsync_core::ids::{BrandId, EventId};
use sqlx::postgres::PgListener;
use std::sync::Arc;
use tokio::sync::broadcast;
use tokio_stream::wrappers::BroadcastStream;
use tokio_stream::wrappers::errors::BroadcastStreamRecvError;

/// The start of the NOTIFY channel that carries the newest event id. The
/// channel is this prefix followed by the MD5 of the store's schema
/// (`current_schema()`), so stores in different schemas of one database
/// never hear each other's ids.
pub const EVENTS_CHANNEL_PREFIX: &str = "socialsync_events_";

/// The channel as SQL, evaluated in the session that notifies or listens
/// (under 63 bytes whatever the schema's name).
macro_rules! channel_sql {
    () => {
        "('socialsync_events_' || md5(current_schema()))"
    };
}

/// How many events a subscriber's reader fetches per query.
const PAGE: i64 = 500;

/// How long a subscriber's reader waits before retrying a failed read.
const RETRY: std::time::Duration = std::time::Duration::from_millis(200);

/// How many times a subscriber retries reading its backlog before it
/// reports the range as missed.
const REPLAY_ATTEMPTS: u32 = 3;

/// The advisory lock publishers hold from drawing their ids to their
/// commit ("socialsync events").
const PUBLISH_LOCK: i64 = 0x5353_4556_454e_5453;

/// Starts a publication: its commit does not wait for a disk flush, and it
/// holds [`PUBLISH_LOCK`] until it commits, so ids become visible in the
/// order they are drawn. Without it a subscriber that read up to id 7
/// could never see id 6, still uncommitted in another session.
async fn begin_publish(s: &PgStore) -> StoreResult<sqlx::Transaction<'static, sqlx::Postgres>> {
    let mut tx = s.pool.begin().await.map_err(db)?;
    sqlx::query("SELECT set_config('synchronous_commit', 'off', true), pg_advisory_xact_lock($1)")
        .bind(PUBLISH_LOCK)
        .execute(&mut *tx)
        .await
        .map_err(db)?;
    Ok(tx)
}

pub(crate) async fn publish_event(s: &PgStore, event: Event) -> StoreResult<StoredEvent> {
    let body = json(&event)?;
    let mut tx = begin_publish(s).await?;
    let id: i64 = sqlx::query_scalar(concat!(
        "WITH e AS (INSERT INTO events (at, body, brands) VALUES ($1, $2, $3) RETURNING id) \
         SELECT id FROM e, LATERAL pg_notify(",
        channel_sql!(),
        ", e.id::text) AS n"
    ))
    .bind(event.at())
    .bind(body)
    .bind(brands(&event))
    .fetch_one(&mut *tx)
    .await
    .map_err(db)?;
    tx.commit().await.map_err(db)?;
    Ok(StoredEvent {
        id: EventId(id),
        event,
    })
}

/// From how many events a batch goes by `COPY` rather than one `INSERT`.
const COPY_FROM: usize = 16;

pub(crate) async fn publish_events(
    s: &PgStore,
    events: Vec<Event>,
) -> StoreResult<Option<EventId>> {
    if events.is_empty() {
        return Ok(None);
    }
    if events.len() >= COPY_FROM {
        return copy_events(s, &events).await.map(Some);
    }
    let ats: Vec<Timestamp> = events.iter().map(Event::at).collect();
    let bodies = events
        .iter()
        .map(json)
        .collect::<StoreResult<Vec<serde_json::Value>>>()?;
    // Arrays of arrays must be rectangular: each event's brands go as the
    // text of an array, cast row by row.
    let brands: Vec<String> = events.iter().map(brands_text).collect();
    let mut tx = begin_publish(s).await?;
    // Ids follow the order of the input (WITH ORDINALITY ... ORDER BY).
    let id: Option<i64> = sqlx::query_scalar(concat!(
        "WITH e AS (INSERT INTO events (at, body, brands) \
           SELECT u.at, u.body, u.brands::bigint[] \
             FROM unnest($1::timestamptz[], $2::jsonb[], $3::text[]) WITH ORDINALITY \
             AS u (at, body, brands, i) ORDER BY u.i RETURNING id), \
         m AS (SELECT max(id) AS id FROM e) \
         SELECT m.id FROM m, LATERAL pg_notify(",
        channel_sql!(),
        ", m.id::text) AS n"
    ))
    .bind(&ats)
    .bind(&bodies)
    .bind(&brands)
    .fetch_one(&mut *tx)
    .await
    .map_err(db)?;
    tx.commit().await.map_err(db)?;
    Ok(id.map(EventId))
}

/// A large batch: one `COPY` (ids are drawn row by row, in order), then
/// the session's last id is the batch's and is notified.
async fn copy_events(s: &PgStore, events: &[Event]) -> StoreResult<EventId> {
    use std::fmt::Write as _;
    let mut text = String::with_capacity(events.len() * 256);
    for e in events {
        let body = serde_json::to_string(e)
            .map_err(|e| StoreError::InvalidInput(format!("unencodable event: {e}")))?;
        // Compact JSON holds no raw tab or newline; a backslash is COPY's
        // escape, so it is doubled.
        // Writing to a String cannot fail.
        let _ = writeln!(
            text,
            "{}\t{}\t{}",
            e.at().format("%Y-%m-%d %H:%M:%S%.6f+00"),
            body.replace('\\', "\\\\"),
            brands_text(e)
        );
    }
    let mut tx = begin_publish(s).await?;
    let mut copy = tx
        .copy_in_raw("COPY events (at, body, brands) FROM STDIN")
        .await
        .map_err(db)?;
    copy.send(text.into_bytes()).await.map_err(db)?;
    copy.finish().await.map_err(db)?;
    let id: i64 = sqlx::query_scalar(concat!(
        "SELECT c.id FROM (SELECT currval(pg_get_serial_sequence('events', 'id')) AS id) c, \
         LATERAL pg_notify(",
        channel_sql!(),
        ", c.id::text) AS n"
    ))
    .fetch_one(&mut *tx)
    .await
    .map_err(db)?;
    tx.commit().await.map_err(db)?;
    Ok(EventId(id))
}

/// The brands allowed to see `event`, for its `brands` column.
fn brands(event: &Event) -> Vec<i64> {
    event.brands().iter().map(|b| b.get()).collect()
}

/// [`brands`] as the text of a PostgreSQL array (`{1,2}`).
fn brands_text(event: &Event) -> String {
    let ids: Vec<String> = brands(event).iter().map(i64::to_string).collect();
    format!("{{{}}}", ids.join(","))
}

fn stored_from_row(r: &sqlx::postgres::PgRow) -> StoreResult<StoredEvent> {
    Ok(StoredEvent {
        id: EventId(col(r, "id")?),
        event: from_json(col(r, "body")?, "event")?,
    })
}

pub(crate) async fn list_events(
    s: &PgStore,
    after: Option<EventId>,
    limit: usize,
) -> StoreResult<Vec<StoredEvent>> {
    let rows = sqlx::query("SELECT id, body FROM events WHERE id > $1 ORDER BY id LIMIT $2")
        .bind(after.map_or(0, |a| a.0))
        .bind(i64::try_from(limit).unwrap_or(i64::MAX))
        .fetch_all(&s.pool)
        .await
        .map_err(db)?;
    rows.iter().map(stored_from_row).collect()
}

pub(crate) async fn newest_event_id(s: &PgStore) -> StoreResult<Option<EventId>> {
    let max: Option<i64> = sqlx::query_scalar("SELECT max(id) FROM events")
        .fetch_one(&s.pool)
        .await
        .map_err(db)?;
    Ok(max.map(EventId))
}

/// The newest `limit` events `brand` may see, oldest first: through the
/// index on `brands`, or backwards along the ids when the brand sees most
/// events (the planner picks).
pub(crate) async fn latest_events(
    s: &PgStore,
    brand: BrandId,
    limit: usize,
) -> StoreResult<Vec<StoredEvent>> {
    let rows = sqlx::query(
        "SELECT id, body FROM (SELECT id, body FROM events WHERE brands @> ARRAY[$1::bigint] \
           ORDER BY id DESC LIMIT $2) AS e \
         ORDER BY id",
    )
    .bind(brand.get())
    .bind(i64::try_from(limit).unwrap_or(i64::MAX))
    .fetch_all(&s.pool)
    .await
    .map_err(db)?;
    rows.iter().map(stored_from_row).collect()
}

/// Deletes events that happened before `before`; returns how many.
pub(crate) async fn prune_events(s: &PgStore, before: Timestamp) -> StoreResult<u64> {
    let r = sqlx::query("DELETE FROM events WHERE at < $1")
        .bind(before)
        .execute(&s.pool)
        .await
        .map_err(db)?;
    Ok(r.rows_affected())
}

/// The live side of one store instance: a single listener on its own
/// connection, outside the pool, follows the NOTIFYs, reads each new event
/// once and fans it out to every subscriber in the process. Any number of
/// open streams (dashboard tabs) take nothing from the pool the engine
/// needs; a subscriber touches the pool only to replay what it missed.
#[derive(Default)]
pub(crate) struct Hub {
    live: std::sync::Mutex<Option<Live>>,
    /// Serialises starting the listener.
    starting: tokio::sync::Mutex<()>,
}

impl std::fmt::Debug for Hub {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Hub")
            .field("listening", &self.lock().is_some())
            .finish()
    }
}

/// A running listener.
struct Live {
    /// Fans events out; a subscriber that falls `capacity` behind lags.
    sender: broadcast::Sender<Arc<StoredEvent>>,
    /// The newest id sent (or, before any, the newest in the table when
    /// listening began). Moves only together with a send, under the lock.
    cursor: i64,
    /// Dropped with the hub: stops the listener task.
    _stop: tokio::sync::oneshot::Sender<()>,
}

impl Hub {
    fn lock(&self) -> std::sync::MutexGuard<'_, Option<Live>> {
        self.live.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A receiver of everything sent from now on, and the newest id sent
    /// before it; starts the listener if none runs.
    async fn join(
        self: &Arc<Hub>,
        s: &PgStore,
    ) -> StoreResult<(broadcast::Receiver<Arc<StoredEvent>>, i64)> {
        if let Some(joined) = self.try_join() {
            return Ok(joined);
        }
        let _turn = self.starting.lock().await;
        if let Some(joined) = self.try_join() {
            return Ok(joined);
        }
        // One connection of its own, with the pool's connect options and
        // its search path (a host may set it per connection, for a store in
        // a schema of its own), never counted against the pool. The path is
        // set again on every reconnection.
        let search_path: String = sqlx::query_scalar("SELECT current_setting('search_path')")
            .fetch_one(&s.pool)
            .await
            .map_err(db)?;
        let own = sqlx::postgres::PgPoolOptions::new()
            .max_connections(1)
            .min_connections(0)
            .idle_timeout(None)
            .max_lifetime(None)
            .acquire_timeout(std::time::Duration::from_secs(10))
            .after_connect(move |conn, _| {
                let search_path = search_path.clone();
                Box::pin(async move {
                    sqlx::query("SELECT set_config('search_path', $1, false)")
                        .bind(search_path)
                        .execute(conn)
                        .await
                        .map(drop)
                })
            })
            .connect_with((*s.pool.connect_options()).clone())
            .await
            .map_err(db)?;
        let mut listener = PgListener::connect_with(&own).await.map_err(db)?;
        let channel: String = sqlx::query_scalar(concat!("SELECT ", channel_sql!()))
            .fetch_one(&mut listener)
            .await
            .map_err(db)?;
        listener.listen(&channel).await.map_err(db)?;
        // Listening before reading the newest id: nothing committed after
        // this point is missed.
        let newest: Option<i64> = sqlx::query_scalar("SELECT max(id) FROM events")
            .fetch_one(&mut listener)
            .await
            .map_err(db)?;
        let cursor = newest.unwrap_or(0);
        let (sender, receiver) = broadcast::channel(s.subscriber_buffer.max(1));
        let (stop, stopped) = tokio::sync::oneshot::channel();
        *self.lock() = Some(Live {
            sender,
            cursor,
            _stop: stop,
        });
        tokio::spawn(listen(listener, Arc::downgrade(self), cursor, stopped));
        Ok((receiver, cursor))
    }

    fn try_join(&self) -> Option<(broadcast::Receiver<Arc<StoredEvent>>, i64)> {
        self.lock()
            .as_ref()
            .map(|l| (l.sender.subscribe(), l.cursor))
    }

    /// Sends `event` to every subscriber and moves the cursor past it.
    fn send(&self, event: StoredEvent) {
        if let Some(live) = self.lock().as_mut() {
            live.cursor = event.id.0;
            // No subscriber at the moment: nothing to do.
            let _ = live.sender.send(Arc::new(event));
        }
    }
}

/// The listener task of a store instance. Ends when the store is dropped
/// or the listener fails beyond reconnecting; then every open stream ends
/// (a dashboard resumes from its last id) and the next subscriber starts a
/// new listener.
async fn listen(
    mut listener: PgListener,
    hub: std::sync::Weak<Hub>,
    mut cursor: i64,
    mut stopped: tokio::sync::oneshot::Receiver<()>,
) {
    let mut newest = cursor;
    let mut check_table = false;
    loop {
        if !check_table && newest <= cursor {
            tokio::select! {
                _ = &mut stopped => return,
                n = listener.try_recv() => match n {
                    Ok(Some(n)) => {
                        if let Ok(id) = n.payload().parse::<i64>() {
                            newest = newest.max(id);
                        }
                    }
                    // The connection was lost and is re-established: events
                    // committed meanwhile are in the table.
                    Ok(None) => check_table = true,
                    Err(e) => {
                        tracing::warn!(error = %e, "event listener ended; the next subscriber starts another");
                        break;
                    }
                },
            }
        }
        while let Some(n) = listener.next_buffered() {
            if let Ok(id) = n.payload().parse::<i64>() {
                newest = newest.max(id);
            }
        }
        if check_table {
            match sqlx::query_scalar::<_, Option<i64>>("SELECT max(id) FROM events")
                .fetch_one(&mut listener)
                .await
            {
                Ok(m) => newest = newest.max(m.unwrap_or(0)),
                Err(_) => {
                    // The server is away: try again shortly, unless the
                    // store is gone.
                    if hub.strong_count() == 0 {
                        return;
                    }
                    tokio::time::sleep(RETRY).await;
                    continue;
                }
            }
            check_table = false;
        }
        while cursor < newest {
            let rows =
                sqlx::query("SELECT id, body FROM events WHERE id > $1 ORDER BY id LIMIT $2")
                    .bind(cursor)
                    .bind(PAGE)
                    .fetch_all(&mut listener)
                    .await;
            let Ok(rows) = rows else {
                tokio::time::sleep(RETRY).await;
                break;
            };
            if rows.is_empty() {
                // Nothing committed up to the id notified: a NOTIFY from
                // elsewhere (any session may send one). The cursor stays on
                // the last id read; only real rows move it.
                newest = cursor;
                break;
            }
            let Some(hub) = hub.upgrade() else { return };
            for r in &rows {
                match stored_from_row(r) {
                    Ok(e) => {
                        cursor = e.id.0;
                        hub.send(e);
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "skipping an undecodable event");
                        if let Ok(id) = col::<i64>(r, "id") {
                            cursor = id;
                        }
                    }
                }
            }
            while let Some(n) = listener.next_buffered() {
                if let Ok(id) = n.payload().parse::<i64>() {
                    newest = newest.max(id);
                }
            }
        }
        if hub.strong_count() == 0 {
            return;
        }
    }
    if let Some(hub) = hub.upgrade() {
        *hub.lock() = None;
    }
}

pub(crate) async fn subscribe_events(
    s: &PgStore,
    after: Option<EventId>,
) -> StoreResult<EventStream> {
    let (receiver, joined_at) = s.hub.join(s).await?;
    let lag_after = i64::try_from(s.subscriber_buffer.max(1)).unwrap_or(i64::MAX);
    // What was published before joining and after `after` comes from the
    // table, through the pool, a page at a time; the rest from the hub.
    // Ids start at 1: any `after` below is "from the start".
    let mut replay_from = after.map_or(joined_at, |a| a.0.clamp(0, joined_at));
    let mut lagged = None;
    if joined_at - replay_from > lag_after {
        let skip_to = joined_at - lag_after;
        let missed: i64 =
            sqlx::query_scalar("SELECT count(*) FROM events WHERE id > $1 AND id <= $2")
                .bind(replay_from)
                .bind(skip_to)
                .fetch_one(&s.pool)
                .await
                .map_err(db)?;
        replay_from = skip_to;
        if let Ok(missed @ 1..) = u64::try_from(missed) {
            lagged = Some(EventsLagged { missed });
        }
    }
    // The hub sends only what came after `joined_at`; a resume after an id
    // beyond the log (another database's, a restored one's) still gets
    // everything published from now on.
    let floor = joined_at;
    let store = s.clone();
    let replay = futures::stream::unfold(
        (store, replay_from, false),
        move |(store, cursor, done)| async move {
            if done || cursor >= joined_at {
                return None;
            }
            let mut attempt = 0;
            let rows = loop {
                let read = sqlx::query(
                    "SELECT id, body FROM events WHERE id > $1 AND id <= $2 ORDER BY id LIMIT $3",
                )
                .bind(cursor)
                .bind(joined_at)
                .bind(PAGE)
                .fetch_all(&store.pool)
                .await;
                match read {
                    Ok(rows) => break rows,
                    Err(_) if attempt < REPLAY_ATTEMPTS => {
                        attempt += 1;
                        tokio::time::sleep(RETRY).await;
                    }
                    // The backlog cannot be read: the reader is told how
                    // many ids it may have missed (never a silent gap), and
                    // the live part goes on.
                    Err(e) => {
                        tracing::warn!(error = %e, "an event stream's backlog could not be read");
                        let missed = u64::try_from(joined_at - cursor).unwrap_or(u64::MAX);
                        return Some((vec![Err(EventsLagged { missed })], (store, cursor, true)));
                    }
                }
            };
            // Nothing left in the range (pruned meanwhile): done.
            if rows.is_empty() {
                return Some((Vec::new(), (store, cursor, true)));
            }
            let mut next = cursor;
            let mut page = Vec::with_capacity(rows.len());
            for r in &rows {
                if let Ok(id) = col::<i64>(r, "id") {
                    next = next.max(id);
                }
                match stored_from_row(r) {
                    Ok(e) => page.push(Ok(e)),
                    Err(e) => tracing::warn!(error = %e, "skipping an undecodable event"),
                }
            }
            Some((page, (store, next, false)))
        },
    )
    .flat_map(futures::stream::iter);
    let live = BroadcastStream::new(receiver).filter_map(move |r| {
        futures::future::ready(match r {
            Ok(e) if e.id.0 > floor => Some(Ok(Arc::unwrap_or_clone(e))),
            Ok(_) => None,
            Err(BroadcastStreamRecvError::Lagged(missed)) => Some(Err(EventsLagged { missed })),
        })
    });
    Ok(Box::pin(
        futures::stream::iter(lagged.map(Err))
            .chain(replay)
            .chain(live),
    ))
}
