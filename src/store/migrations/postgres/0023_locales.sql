-- 0023_locales: the language a user reads messages and pages in (a BCP 47 tag, '' for none)
-- and the application's default for users without one (src/l10n/l10n.h).
ALTER TABLE users ADD COLUMN locale TEXT NOT NULL DEFAULT '';
ALTER TABLE apps ADD COLUMN default_locale TEXT NOT NULL DEFAULT '';
