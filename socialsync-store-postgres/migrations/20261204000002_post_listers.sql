-- Every connection that listed a post (an Instagram collab post is listed
-- by several), with the creator it served when it listed it; kept through
-- disconnections and resets. The post's owner, `posts.connection_id`, is
-- always one of its listers.
CREATE TABLE post_listers (
    post_id bigint NOT NULL REFERENCES posts (id),
    connection_id bigint NOT NULL REFERENCES connections (id),
    creator_id bigint NOT NULL,
    PRIMARY KEY (post_id, connection_id)
);
-- Retro-matching reads the posts a connection listed.
CREATE INDEX post_listers_connection ON post_listers (connection_id);

-- Existing posts were listed by their connection.
INSERT INTO post_listers (post_id, connection_id, creator_id)
SELECT id, connection_id, creator_id FROM posts;
