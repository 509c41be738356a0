-- The deletion guard: the account's post count as accounted for (the count
-- the platform last gave, less the deletions granted since). The
-- connection's suspicion lives in its health document.
ALTER TABLE connections ADD COLUMN post_count bigint CHECK (post_count >= 0);
