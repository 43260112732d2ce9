-- 0025_payments_tra (PostgreSQL; mirrors migrations/sqlite/0025_payments_tra.sql): the transaction risk analysis
-- exemption (RTS art. 18 to 21; core/tra.h, core/risk.h, sca/tra.h).
-- apps.tra: the application's TRA settings as JSON text ('' for off).
-- payments: every remote payment the application made (allowed by POST /v1/authorize, or
--   imported): its type, what authenticated it (exemption '' for SCA; band: the ETV in euros
--   for transaction_risk_analysis, else 0), its value in euro cents, the UTC day number of its
--   execution, and what became of it (cancelled, reported as fraud: at most one report each).
-- payer_days: per payer and UTC day, the count, sum and largest of the payer's payments, for
--   the risk analysis's 90-day spending pattern without reading every payment.
-- payer_seen: the countries and devices a payer was seen paying from (with SCA, or imported).
-- fraud_markers: payee accounts and client addresses named by the application's fraud reports.
-- tra_days: per application, type, authentication, band and day, the count and value of the
--   payments and of those reported as fraud: the fraud rate over 90 days or a quarter is a sum
--   of these rows.
-- tra_types: each application's payment types with payments, and the day of the first, where
--   the quarterly evaluation starts.
-- tra_bands: each band's suspension state (art. 20), moved on one quarter at a time;
-- tra_evaluations: what each quarter's evaluation found, for the art. 21 report.
ALTER TABLE apps ADD COLUMN tra TEXT NOT NULL DEFAULT '';
CREATE TABLE payments (
  app_id TEXT NOT NULL,
  payment_id TEXT NOT NULL,
  user_id TEXT NOT NULL DEFAULT '',
  type TEXT NOT NULL,
  exemption TEXT NOT NULL DEFAULT '',
  band BIGINT NOT NULL DEFAULT 0,
  amount BIGINT NOT NULL,
  currency TEXT NOT NULL,
  eur_cents BIGINT NOT NULL,
  payee_account TEXT NOT NULL DEFAULT '',
  client_ip TEXT NOT NULL DEFAULT '',
  day BIGINT NOT NULL,
  executed_at BIGINT NOT NULL,
  imported BIGINT NOT NULL DEFAULT 0,
  cancelled_at BIGINT NOT NULL DEFAULT 0,
  fraud_kind TEXT NOT NULL DEFAULT '',
  fraud_reported_at BIGINT NOT NULL DEFAULT 0,
  fraud_recorded_at BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (app_id, payment_id)
);
CREATE INDEX payments_payer ON payments (app_id, user_id, executed_at);
CREATE INDEX payments_payee ON payments (app_id, user_id, payee_account, executed_at);
CREATE INDEX payments_fraud ON payments (app_id, fraud_reported_at) WHERE fraud_kind <> '';
CREATE TABLE payer_days (
  app_id TEXT NOT NULL,
  user_id TEXT NOT NULL,
  day BIGINT NOT NULL,
  count BIGINT NOT NULL,
  sum_eur_cents BIGINT NOT NULL,
  largest_eur_cents BIGINT NOT NULL,
  PRIMARY KEY (app_id, user_id, day)
);
CREATE TABLE payer_seen (
  app_id TEXT NOT NULL,
  user_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  value TEXT NOT NULL,
  first_seen_at BIGINT NOT NULL,
  last_seen_at BIGINT NOT NULL,
  PRIMARY KEY (app_id, user_id, kind, value)
);
CREATE TABLE fraud_markers (
  app_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  value TEXT NOT NULL,
  first_reported_at BIGINT NOT NULL,
  PRIMARY KEY (app_id, kind, value)
);
CREATE TABLE tra_days (
  app_id TEXT NOT NULL,
  type TEXT NOT NULL,
  day BIGINT NOT NULL,
  exemption TEXT NOT NULL,
  band BIGINT NOT NULL,
  count BIGINT NOT NULL DEFAULT 0,
  value_eur_cents BIGINT NOT NULL DEFAULT 0,
  fraud_count BIGINT NOT NULL DEFAULT 0,
  fraud_eur_cents BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (app_id, type, day, exemption, band)
);
CREATE INDEX tra_days_day ON tra_days (day);
CREATE TABLE tra_types (
  app_id TEXT NOT NULL,
  type TEXT NOT NULL,
  first_day BIGINT NOT NULL,
  PRIMARY KEY (app_id, type)
);
CREATE TABLE tra_bands (
  app_id TEXT NOT NULL,
  type TEXT NOT NULL,
  band BIGINT NOT NULL,
  last_quarter BIGINT NOT NULL,
  quarters_over BIGINT NOT NULL,
  suspended BIGINT NOT NULL,
  changed_at BIGINT NOT NULL,
  PRIMARY KEY (app_id, type, band)
);
CREATE TABLE tra_evaluations (
  app_id TEXT NOT NULL,
  type TEXT NOT NULL,
  band BIGINT NOT NULL,
  quarter BIGINT NOT NULL,
  fraud_eur_cents BIGINT NOT NULL,
  total_eur_cents BIGINT NOT NULL,
  over BIGINT NOT NULL,
  suspended BIGINT NOT NULL,
  change TEXT NOT NULL,
  evaluated_at BIGINT NOT NULL,
  PRIMARY KEY (quarter, app_id, type, band)
);
