-- Webhook deliveries seen (DESIGN §9): a delivery replayed inside its
-- accepted window is recognised by every process and changes nothing.
CREATE TABLE webhook_deliveries (
    key text PRIMARY KEY,
    until timestamptz NOT NULL
);
CREATE INDEX webhook_deliveries_until ON webhook_deliveries (until);
