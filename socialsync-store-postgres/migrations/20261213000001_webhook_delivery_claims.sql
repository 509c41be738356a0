-- A webhook delivery is claimed while it is handled and marked handled
-- when its handling finished (ARCHITECTURE.md §9): a handler that vanished
-- midway leaves a claim that lapses, and the sender's next attempt is
-- handled. claimed_until NULL: handled (every record made before these
-- columns was). claim_token: the latest claim's, which alone may finish
-- or forget the delivery.
ALTER TABLE webhook_deliveries
    ADD COLUMN claimed_until timestamptz,
    ADD COLUMN claim_token uuid;
