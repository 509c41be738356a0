-- A claim rewrites a schedule row in place (a HOT update: no indexed column
-- changes) when its page has room; leave room for it.
ALTER TABLE schedule SET (fillfactor = 50);
-- From here on `schedule.latest_carried` is NULL where it equals
-- `latest_metrics` (as `snapshots.carried` is), keeping the row narrow;
-- rows written before hold both, which reads treat alike.
