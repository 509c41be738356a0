-- A claim rewrites a schedule row in place (a HOT update: no indexed column
-- changes) when its page has room; leave room for it.
ALTER TABLE schedule SET (fillfactor = 50);
