-- 0027_security_events: security event tokens (service/security_events.h, docs/events.md).
-- apps.events_url: where the application receives them ('' for none); events_secret_sealed: the
--   key they are signed with (HS256), sealed with the server's key like the other secrets (NULL
--   when none; set exactly when events_url is).
-- outbox.order_key, order_seq: a message with a key ('' for none: most messages) waits until
--   every earlier message of its key, by order_seq, is sent or has given up. A security event
--   token's key is its user (or its application, for an event with no user), so that a
--   receiver gets a user's events in the order they happened.
ALTER TABLE apps ADD COLUMN events_url TEXT NOT NULL DEFAULT '';
ALTER TABLE apps ADD COLUMN events_secret_sealed BLOB;
ALTER TABLE outbox ADD COLUMN order_key TEXT NOT NULL DEFAULT '';
ALTER TABLE outbox ADD COLUMN order_seq INTEGER NOT NULL DEFAULT 0;
CREATE UNIQUE INDEX outbox_order ON outbox (order_key, order_seq) WHERE order_key <> '';
CREATE INDEX outbox_order_pending ON outbox (order_key, order_seq) WHERE status = 'pending' AND order_key <> '';
