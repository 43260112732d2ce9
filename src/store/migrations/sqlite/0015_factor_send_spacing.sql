-- 0015_factor_send_spacing: when a code was last sent to a factor for its enrolment, so that
-- enrolment sends are spaced 15 seconds per factor (SPEC section 4), claimed atomically by a
-- compare-and-set (factor_send_swap) whatever the challenge or request.
ALTER TABLE factors ADD COLUMN last_send_at INTEGER NOT NULL DEFAULT 0;
