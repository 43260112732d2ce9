-- 0029_challenges_by_factor: one index fewer written per challenge. challenges_latest now
-- leads with factor_id, so it also finds a factor's challenges when the factor is deleted
-- (ON DELETE CASCADE), which was challenges_factor's only use; the lookup of the latest
-- challenge gives both session_id and factor_id, so their order in the index does not matter.
DROP INDEX challenges_latest;
DROP INDEX challenges_factor;
CREATE INDEX challenges_latest ON challenges (factor_id, session_id, purpose, created_at);
