-- 0011_challenge_indexes: fewer index writes per challenge. challenges_latest, which
-- leads with session_id, already serves every lookup by session (the latest challenge, and
-- superseding the pending ones), so challenges_session goes; challenges_factor keeps factor_id
-- alone (deleting a factor finds its challenges by it), so a challenge's status changes touch
-- no index at all.
DROP INDEX challenges_session;
DROP INDEX challenges_factor;
CREATE INDEX challenges_factor ON challenges (factor_id);
