-- The brands allowed to see each event (the event's `brands`), so a brand's
-- newest events are found through an index instead of by reading the log
-- backwards past every other brand's.
ALTER TABLE events ADD COLUMN brands bigint[] NOT NULL DEFAULT '{}';
UPDATE events SET brands = ARRAY(
    SELECT b::bigint FROM json_array_elements_text(body -> 'brands') AS b
);
CREATE INDEX events_brands ON events USING gin (brands);
