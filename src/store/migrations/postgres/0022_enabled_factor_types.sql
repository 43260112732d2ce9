-- 0022_enabled_factor_types: the factor types an application lets its users enrol (SPEC section
-- 3): a JSON array of type names in the kinds' order, '' for every type (the default, and what
-- applications made before keep).
ALTER TABLE apps ADD COLUMN enabled_factor_types TEXT NOT NULL DEFAULT '';
