//! The in-memory event log: a bounded ring of recent events plus a broadcast
//! channel for live subscribers.

use futures::StreamExt;
use socialsync_core::events::{Event, EventStream, EventsLagged, StoredEvent};
use socialsync_core::ids::{BrandId, EventId};
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use tokio::sync::broadcast;
use tokio_stream::wrappers::BroadcastStream;
use tokio_stream::wrappers::errors::BroadcastStreamRecvError;

#[derive(Debug)]
struct Log {
    next_id: i64,
    kept: VecDeque<Arc<StoredEvent>>,
}

/// Recent events and their live subscribers.
#[derive(Debug)]
pub(crate) struct EventLog {
    log: Mutex<Log>,
    sender: broadcast::Sender<Arc<StoredEvent>>,
    keep: usize,
}

impl EventLog {
    pub(crate) fn new(keep: usize, channel: usize) -> EventLog {
        let (sender, _) = broadcast::channel(channel.max(1));
        EventLog {
            log: Mutex::new(Log {
                next_id: 1,
                kept: VecDeque::new(),
            }),
            sender,
            keep: keep.max(1),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Log> {
        self.log.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn publish(&self, event: Event) -> StoredEvent {
        let mut log = self.lock();
        let stored = Arc::new(StoredEvent {
            id: EventId(log.next_id),
            event,
        });
        log.next_id += 1;
        if log.kept.len() == self.keep {
            log.kept.pop_front();
        }
        log.kept.push_back(stored.clone());
        // Sending never blocks: a slow receiver lags and loses the oldest events.
        let _ = self.sender.send(stored.clone());
        Arc::unwrap_or_clone(stored)
    }

    pub(crate) fn publish_all(&self, events: Vec<Event>) -> Option<EventId> {
        let mut log = self.lock();
        let mut last = None;
        for event in events {
            let stored = Arc::new(StoredEvent {
                id: EventId(log.next_id),
                event,
            });
            log.next_id += 1;
            last = Some(stored.id);
            if log.kept.len() == self.keep {
                log.kept.pop_front();
            }
            if self.sender.receiver_count() > 0 {
                let _ = self.sender.send(stored.clone());
            }
            log.kept.push_back(stored);
        }
        last
    }

    pub(crate) fn list(&self, after: Option<EventId>, limit: usize) -> Vec<StoredEvent> {
        let log = self.lock();
        log.kept
            .iter()
            .filter(|e| after.is_none_or(|a| e.id > a))
            .take(limit)
            .map(|e| StoredEvent::clone(e))
            .collect()
    }

    pub(crate) fn newest_id(&self) -> Option<EventId> {
        self.lock().kept.back().map(|e| e.id)
    }

    /// The newest `limit` kept events `brand` may see, oldest first.
    pub(crate) fn latest(&self, brand: BrandId, limit: usize) -> Vec<StoredEvent> {
        let log = self.lock();
        let mut latest: Vec<StoredEvent> = log
            .kept
            .iter()
            .rev()
            .filter(|e| e.event.visible_to(brand))
            .take(limit)
            .map(|e| StoredEvent::clone(e))
            .collect();
        latest.reverse();
        latest
    }

    pub(crate) fn subscribe(&self, after: Option<EventId>) -> EventStream {
        // Under the log's lock no event can be published, so the backlog and
        // the live receiver meet without gap or duplicate.
        let log = self.lock();
        let backlog: Vec<StoredEvent> = match after {
            Some(a) => log
                .kept
                .iter()
                .filter(|e| e.id > a)
                .map(|e| StoredEvent::clone(e))
                .collect(),
            None => Vec::new(),
        };
        let receiver = self.sender.subscribe();
        drop(log);
        let live = BroadcastStream::new(receiver).map(|item| match item {
            Ok(e) => Ok(Arc::unwrap_or_clone(e)),
            Err(BroadcastStreamRecvError::Lagged(missed)) => Err(EventsLagged { missed }),
        });
        Box::pin(futures::stream::iter(backlog.into_iter().map(Ok)).chain(live))
    }
}
