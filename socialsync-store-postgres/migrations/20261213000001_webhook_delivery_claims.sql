-- A webhook delivery is claimed while it is handled and marked handled
-- when its handling finished (ARCHITECTURE.md §9): a handler that vanished
-- midway leaves a claim that lapses, and the sender's next attempt is
-- handled. NULL: handled (every record made before this column was).
ALTER TABLE webhook_deliveries ADD COLUMN claimed_until timestamptz;
