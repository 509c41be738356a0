-- socialsync: the PostgreSQL store's schema.
-- Metric arrays (`bigint[]`) hold the 13 metrics in the order of
-- `Metric::ALL`, NULL where a metric is absent.

CREATE TABLE tracking_revision (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    revision bigint NOT NULL
);
INSERT INTO tracking_revision (revision) VALUES (0);

CREATE TABLE brands (
    id bigserial PRIMARY KEY,
    name text NOT NULL,
    created_at timestamptz NOT NULL
);

CREATE TABLE creators (
    id bigserial PRIMARY KEY,
    name text NOT NULL,
    external_ref text,
    created_at timestamptz NOT NULL
);

CREATE TABLE scopes (
    id bigserial PRIMARY KEY,
    brand_id bigint NOT NULL REFERENCES brands (id),
    name text NOT NULL,
    kind jsonb NOT NULL,
    hashtags jsonb NOT NULL,
    match_keyword_tags boolean NOT NULL,
    created_at timestamptz NOT NULL
);
CREATE INDEX scopes_brand ON scopes (brand_id);

CREATE TABLE scope_members (
    scope_id bigint NOT NULL REFERENCES scopes (id),
    creator_id bigint NOT NULL REFERENCES creators (id),
    PRIMARY KEY (scope_id, creator_id)
);
CREATE INDEX scope_members_creator ON scope_members (creator_id);

CREATE TABLE connections (
    id bigserial PRIMARY KEY,
    creator_id bigint NOT NULL REFERENCES creators (id),
    platform text NOT NULL,
    account_id text NOT NULL,
    handle text NOT NULL,
    status jsonb NOT NULL,
    status_kind text NOT NULL,
    history jsonb NOT NULL,
    credentials_version bigint NOT NULL,
    -- AEAD-sealed credentials and the id of the key that sealed them.
    credentials bytea,
    credentials_key text,
    high_water jsonb,
    last_discovery_at timestamptz,
    last_deep_pass_at timestamptz,
    matched_revision bigint NOT NULL DEFAULT 0,
    health jsonb NOT NULL,
    backoff_until timestamptz,
    created_at timestamptz NOT NULL,
    refresh_token uuid,
    refresh_until timestamptz,
    discovery_token uuid,
    discovery_until timestamptz,
    UNIQUE (platform, account_id)
);
CREATE INDEX connections_creator ON connections (creator_id);

CREATE TABLE platform_backoff (
    platform text PRIMARY KEY,
    until timestamptz NOT NULL
);

CREATE TABLE disconnections (
    id bigserial PRIMARY KEY,
    connection_id bigint NOT NULL REFERENCES connections (id),
    creator_id bigint NOT NULL,
    platform text NOT NULL,
    since timestamptz NOT NULL,
    reason jsonb NOT NULL,
    notified boolean NOT NULL DEFAULT false,
    claim_until timestamptz NOT NULL
);
CREATE INDEX disconnections_pending ON disconnections (claim_until) WHERE NOT notified;

-- The scopes and brands an attribution counts for, sorted, each once.
CREATE FUNCTION attribution_scopes(attribution jsonb) RETURNS bigint[]
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN ARRAY(SELECT DISTINCT (a ->> 'scope')::bigint AS s
                 FROM jsonb_array_elements(attribution) AS a ORDER BY s);
CREATE FUNCTION attribution_brands(attribution jsonb) RETURNS bigint[]
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN ARRAY(SELECT DISTINCT (a ->> 'brand')::bigint AS b
                 FROM jsonb_array_elements(attribution) AS a ORDER BY b);

CREATE TABLE posts (
    id bigserial PRIMARY KEY,
    platform text NOT NULL,
    platform_post_id text NOT NULL,
    connection_id bigint NOT NULL REFERENCES connections (id),
    creator_id bigint NOT NULL,
    published_at timestamptz NOT NULL,
    monitor_until timestamptz NOT NULL,
    kind jsonb NOT NULL,
    title text,
    body text NOT NULL,
    keyword_tags jsonb NOT NULL,
    permalink text,
    hashtags jsonb NOT NULL,
    attribution jsonb NOT NULL,
    scopes bigint[] GENERATED ALWAYS AS (attribution_scopes(attribution)) STORED,
    brands bigint[] GENERATED ALWAYS AS (attribution_brands(attribution)) STORED,
    first_seen_at timestamptz NOT NULL,
    UNIQUE (platform, platform_post_id)
);
CREATE INDEX posts_connection ON posts (connection_id);
CREATE INDEX posts_scopes ON posts USING gin (scopes);
CREATE INDEX posts_brands ON posts USING gin (brands);

-- What every scan changes, one narrow row per post, apart from the post's
-- descriptive columns and their indexes: a claim or a completion writes
-- here only.
CREATE TABLE schedule (
    post_id bigint PRIMARY KEY REFERENCES posts (id),
    state text NOT NULL,
    next_scan_at timestamptz,
    -- The current claim, and the token of the last completion written.
    lease_token uuid,
    lease_until timestamptz,
    last_applied uuid,
    scan_count integer NOT NULL DEFAULT 0,
    last_scanned_at timestamptz,
    -- The latest snapshot, kept beside the schedule for claims and completions.
    latest_at timestamptz,
    latest_metrics bigint[],
    latest_carried bigint[]
) WITH (fillfactor = 80);
-- Claims read due monitoring posts in due order.
CREATE INDEX schedule_due ON schedule (next_scan_at, post_id) WHERE state = 'monitoring';

CREATE TABLE snapshots (
    post_id bigint NOT NULL,
    observed_at timestamptz NOT NULL,
    metrics bigint[] NOT NULL,
    -- The carried-forward values, NULL when they equal `metrics`.
    carried bigint[],
    PRIMARY KEY (post_id, observed_at)
);

-- Per hour, the change of the counter totals of a scope (kind 1) or a
-- brand (kind 2), maintained as scans land.
CREATE TABLE aggregates (
    kind smallint NOT NULL,
    key bigint NOT NULL,
    hour bigint NOT NULL,
    totals bigint[] NOT NULL,
    PRIMARY KEY (kind, key, hour)
);

CREATE TABLE budgets (
    key text NOT NULL,
    window_start timestamptz NOT NULL,
    used bigint NOT NULL,
    PRIMARY KEY (key, window_start)
);

CREATE TABLE events (
    id bigserial PRIMARY KEY,
    at timestamptz NOT NULL,
    body jsonb NOT NULL
);
CREATE INDEX events_at ON events (at);

-- Element-wise sum of two totals arrays.
CREATE FUNCTION add_totals(a bigint[], b bigint[]) RETURNS bigint[]
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN ARRAY(SELECT x + y FROM unnest(a, b) WITH ORDINALITY AS t (x, y, i) ORDER BY i);
