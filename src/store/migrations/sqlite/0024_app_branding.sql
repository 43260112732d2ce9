-- 0024_app_branding: an application's look on its hosted pages and emails (its branding): the
-- primary colour ('#rrggbb', '' for the pages' own), and the logo: its type ('png', 'svg', ''
-- for none), its bytes as given (checked by core/logo_check.c) and how many there are.
ALTER TABLE apps ADD COLUMN brand_color TEXT NOT NULL DEFAULT '';
ALTER TABLE apps ADD COLUMN brand_logo_type TEXT NOT NULL DEFAULT '';
ALTER TABLE apps ADD COLUMN brand_logo BLOB;
ALTER TABLE apps ADD COLUMN brand_logo_bytes INTEGER NOT NULL DEFAULT 0;
