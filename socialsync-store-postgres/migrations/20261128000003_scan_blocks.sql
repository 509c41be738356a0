-- The per-scan part of the schedule moves into blocks: up to 128 posts of
-- one connection whose slots fall in the same five minutes of the hour
-- share a row holding their due times, scan counts, last scans, leases,
-- the instant of their latest snapshot and a revision of what a claim
-- hands out about them, as arrays. A scan cycle then writes one row per
-- block it touches instead of one per post; a post's own `schedule` row
-- changes only with its state. The latest reading is the snapshot at the
-- instant the block records.
--
-- Instants in the arrays are microseconds since the Unix epoch. A slot's
-- lease number is 0 (none), k (held under lease k of the block's lease
-- lists) or -k (completed under lease k: a retry with its token is
-- recognised). `min_due` is the earliest instant a slot of the block can
-- be claimed: its due time, or the end of the live lease holding it.

CREATE TABLE scan_blocks (
    id bigserial PRIMARY KEY,
    connection_id bigint NOT NULL REFERENCES connections (id),
    phase smallint NOT NULL,
    min_due bigint,
    post_ids bigint[] NOT NULL,
    live boolean[] NOT NULL,
    nexts bigint[] NOT NULL,
    counts integer[] NOT NULL,
    lasts bigint[] NOT NULL,
    latest_ats bigint[] NOT NULL,
    -- Bumped when a post's description, attribution or connection changes:
    -- workers check what they remember of a post against it.
    revs integer[] NOT NULL,
    lease_no smallint[] NOT NULL,
    lease_tokens uuid[] NOT NULL,
    lease_untils bigint[] NOT NULL
) WITH (toast_tuple_target = 8160);
-- Claims read blocks with a claimable slot, earliest first.
CREATE INDEX scan_blocks_due ON scan_blocks (min_due, id) WHERE min_due IS NOT NULL;
-- New posts join a block of their connection and phase with room left.
CREATE INDEX scan_blocks_connection ON scan_blocks (connection_id, phase);

ALTER TABLE schedule ADD COLUMN block_id bigint REFERENCES scan_blocks (id),
    ADD COLUMN slot integer;

-- Existing posts, into blocks of 128 by connection and phase.
CREATE TEMPORARY TABLE to_place ON COMMIT DROP AS
SELECT q.*, (row_number() OVER (PARTITION BY q.connection_id, q.phase ORDER BY q.post_id) - 1)
    / 128 AS chunk
FROM (
    SELECT s.post_id, p.connection_id,
        ((((extract(epoch FROM p.published_at) * 1000000)::bigint % 3600000000)
            + 3600000000) % 3600000000 / 300000000)::smallint AS phase,
        s.state = 'monitoring' AS live,
        (extract(epoch FROM s.next_scan_at) * 1000000)::bigint AS next,
        s.scan_count,
        (extract(epoch FROM s.last_scanned_at) * 1000000)::bigint AS last,
        (extract(epoch FROM s.latest_at) * 1000000)::bigint AS latest
    FROM schedule s JOIN posts p ON p.id = s.post_id
) q;

INSERT INTO scan_blocks (connection_id, phase, min_due, post_ids, live, nexts, counts, lasts,
    latest_ats, revs, lease_no, lease_tokens, lease_untils)
SELECT connection_id, phase, min(next) FILTER (WHERE live),
    array_agg(post_id ORDER BY post_id), array_agg(live ORDER BY post_id),
    array_agg(next ORDER BY post_id), array_agg(scan_count ORDER BY post_id),
    array_agg(last ORDER BY post_id), array_agg(latest ORDER BY post_id),
    array_agg(0 ORDER BY post_id), array_agg(0::smallint ORDER BY post_id), '{}', '{}'
FROM to_place GROUP BY connection_id, phase, chunk;

UPDATE schedule s SET block_id = b.id, slot = x.i
FROM scan_blocks b, unnest(b.post_ids) WITH ORDINALITY AS x (post_id, i)
WHERE s.post_id = x.post_id;

ALTER TABLE schedule DROP COLUMN next_scan_at, DROP COLUMN lease_token,
    DROP COLUMN lease_until, DROP COLUMN last_applied, DROP COLUMN scan_count,
    DROP COLUMN last_scanned_at, DROP COLUMN latest_at, DROP COLUMN latest_metrics,
    DROP COLUMN latest_carried;
-- A schedule row now changes with a post's state only.
ALTER TABLE schedule SET (fillfactor = 80);

-- Events are written far more often than they are read, and only ever read
-- whole: keep their bodies as checked JSON text rather than decomposed jsonb.
ALTER TABLE events ALTER COLUMN body TYPE json USING body::json;
