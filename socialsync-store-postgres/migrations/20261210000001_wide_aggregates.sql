-- Sums of readings are exact and cannot overflow. A reading is at most
-- 2^53, so 1 025 of them in one hour of one scope already pass bigint's
-- range: the per-hour totals become numeric (exact, arbitrary precision).
-- Every bigint converts to numeric exactly, so existing totals are kept as
-- they are. Element-wise addition follows the type.
ALTER TABLE aggregates ALTER COLUMN totals TYPE numeric[] USING totals::numeric[];
DROP FUNCTION add_totals(bigint[], bigint[]);
CREATE FUNCTION add_totals(a numeric[], b numeric[]) RETURNS numeric[]
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN ARRAY(SELECT x + y FROM unnest(a, b) WITH ORDINALITY AS t (x, y, i) ORDER BY i);
