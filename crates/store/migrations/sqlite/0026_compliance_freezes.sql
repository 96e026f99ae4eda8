-- Issue 19: asset freezes, alerts grouping a pattern's payments, and the vigilance rules in
-- their own table. Keep in step with ../postgres/0026_compliance_freezes.sql.

-- Each payment of an alert (one debtor, one rule, one window: a pattern of split deposits is one
-- alert), with the suspense item holding it when it is held or frozen.
CREATE TABLE aml_alert_payments (
    alert_id INTEGER NOT NULL REFERENCES aml_alerts(id),
    payment_id INTEGER NOT NULL REFERENCES payments_received(id),
    held_item_id INTEGER REFERENCES suspense_items(id),
    PRIMARY KEY (alert_id, payment_id)
);
INSERT INTO aml_alert_payments (alert_id, payment_id, held_item_id)
    SELECT id, payment_id, held_item_id FROM aml_alerts;

-- The Treasury's (DG Trésor) authorisations to release frozen funds (CMF L562-11), as recorded
-- by compliance; append-only.
CREATE TABLE aml_treasury_authorisations (
    id INTEGER PRIMARY KEY,
    alert_id INTEGER NOT NULL REFERENCES aml_alerts(id),
    reference TEXT NOT NULL,
    granted_on TEXT NOT NULL,
    scope TEXT NOT NULL,
    document TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);
CREATE INDEX aml_treasury_authorisations_alert ON aml_treasury_authorisations(alert_id, id);

-- A release of frozen funds is proposed by one member of compliance and confirmed by another.
ALTER TABLE aml_alerts ADD COLUMN release_proposed_by TEXT;

-- TRACFIN's opposition to a reported operation (CMF L561-24): the day it was notified, and the
-- last day the money is blocked (ten jours ouvrables, or the judge's extension).
ALTER TABLE aml_alerts ADD COLUMN opposition_on TEXT;
ALTER TABLE aml_alerts ADD COLUMN opposition_until TEXT;

-- The vigilance rules, compliance's own (not the administrators' reference data): a version is
-- proposed by one member of compliance and in force once another confirms it.
CREATE TABLE aml_rule_sets (
    id INTEGER PRIMARY KEY,
    rules TEXT NOT NULL,
    proposed_by TEXT NOT NULL,
    proposed_at TEXT NOT NULL,
    confirmed_by TEXT,
    confirmed_at TEXT
);
INSERT INTO aml_rule_sets (rules, proposed_by, proposed_at, confirmed_by, confirmed_at)
    SELECT entry, entered_by, entered_at, entered_by, entered_at FROM reference_entries
    WHERE kind = 'aml_rules' ORDER BY id;
