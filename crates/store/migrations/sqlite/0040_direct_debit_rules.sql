-- Direct debits as the SEPA Core rulebook wants them (issue 21, item 3). Keep in step with
-- ../postgres/0040_direct_debit_rules.sql.

-- The pre-notification period agreed with the debtor (calendar days), shorter than the policy's
-- (EPC SDD Core rulebook PT-04.03: 14 days unless agreed otherwise); NULL: the policy's.
ALTER TABLE sepa_mandates ADD COLUMN prenotification_days INTEGER;
-- The last collection made under the mandate: 36 months without one and it expires (rulebook
-- 4.5, PT-04.13 / AT-25).
ALTER TABLE sepa_mandates ADD COLUMN last_collected_on TEXT;
-- Set by the nightly run when the mandate expired; the mandate is then no longer active
-- (status 'revoked', shown as 'expired').
ALTER TABLE sepa_mandates ADD COLUMN expired_on TEXT;

-- One pre-notification per instalment and mandate: when the debtor was told the amount and date of the
-- collection, and how (the plan's schedule, or the notice of the nightly run).
CREATE TABLE direct_debit_prenotifications (
    id INTEGER PRIMARY KEY,
    instalment_id INTEGER NOT NULL REFERENCES instalments(id),
    case_id INTEGER NOT NULL REFERENCES cases(id),
    mandate_id INTEGER NOT NULL REFERENCES sepa_mandates(id),
    notified_on TEXT NOT NULL,
    means TEXT NOT NULL CHECK (means IN ('schedule', 'notice')),
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (instalment_id, mandate_id)
);
CREATE INDEX direct_debit_prenotifications_case ON direct_debit_prenotifications(case_id, instalment_id);
