-- The deletion guard: the account's post count as accounted for (the count
-- the platform last gave, less the deletions granted since). The
-- connection's suspicion lives in its health document.
ALTER TABLE connections ADD COLUMN post_count bigint CHECK (post_count >= 0),
    ADD COLUMN post_count_at timestamptz;

-- When each post was `Deleted` (gone or hidden): reports mark those buckets
-- and count states as of their range's end. At most one open span a post.
CREATE TABLE post_deletions (
    post_id bigint NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    from_at timestamptz NOT NULL,
    to_at timestamptz,
    CHECK (to_at IS NULL OR to_at >= from_at)
);
CREATE INDEX post_deletions_post ON post_deletions (post_id, from_at);
CREATE UNIQUE INDEX post_deletions_open ON post_deletions (post_id) WHERE to_at IS NULL;
-- Posts deleted before spans were kept: gone since their last scan.
INSERT INTO post_deletions (post_id, from_at)
SELECT x.post_id, to_timestamp(COALESCE(x.last, 0) / 1000000.0)
FROM scan_blocks b, unnest(b.post_ids, b.lasts) AS x (post_id, last)
JOIN schedule s ON s.post_id = x.post_id
WHERE s.state = 'deleted';

-- `Deleted` is no longer final: deleted posts still inside their window are
-- read again by id, the first time now.
WITH d AS (
    SELECT s.post_id FROM schedule s JOIN posts p ON p.id = s.post_id
    WHERE s.state = 'deleted' AND p.monitor_until > now()
), now_us AS (
    SELECT (extract(epoch FROM now()) * 1000000)::bigint AS t
), u AS (
    SELECT b.id,
        array_agg(x.live OR x.post_id IN (SELECT post_id FROM d) ORDER BY x.i) AS live,
        array_agg(CASE WHEN x.post_id IN (SELECT post_id FROM d) THEN (SELECT t FROM now_us)
            ELSE x.next END ORDER BY x.i) AS nexts
    FROM scan_blocks b, unnest(b.post_ids, b.live, b.nexts) WITH ORDINALITY AS x (post_id, live, next, i)
    WHERE b.post_ids && ARRAY(SELECT post_id FROM d)
    GROUP BY b.id
)
UPDATE scan_blocks b SET live = u.live, nexts = u.nexts,
    min_due = LEAST(COALESCE(b.min_due, (SELECT t FROM now_us)), (SELECT t FROM now_us))
FROM u WHERE b.id = u.id;
