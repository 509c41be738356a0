-- Where a post's slots, window and report placement count from: its
-- publish time, or its discovery when the platform dated it ahead of that.
-- Every post recorded so far counts from its publish time.
ALTER TABLE posts ADD COLUMN anchored_at timestamptz;
UPDATE posts SET anchored_at = published_at;
ALTER TABLE posts ALTER COLUMN anchored_at SET NOT NULL;
