-- 0028_audit_append: nothing for SQLite. On PostgreSQL the append statement numbers and chains an
-- audit event itself; SQLite's single writer appends as before (store_records.c).
SELECT 1;
