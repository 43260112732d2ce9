-- 0012_challenges_pending: a new challenge supersedes the pending ones of its session and
-- factor. Since 0011 that UPDATE found them through challenges_latest, which has no status, so
-- it read every challenge the session had ever had, and verification slowed as a session's
-- challenges accumulated. This index holds the pending ones alone (one or
-- two per session and factor), and a challenge leaves it when its status changes.
CREATE INDEX challenges_pending ON challenges (session_id, factor_id) WHERE status = 'pending';
