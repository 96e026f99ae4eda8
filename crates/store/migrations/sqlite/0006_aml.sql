-- AML/CFT vigilance on incoming money (issue 9). Keep in step with ../postgres/0006_aml.sql.
-- Every payment booked on a case, with who paid and how: the facts the vigilance rules read.
CREATE TABLE payments_received (
    id INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES cases(id),
    transaction_id INTEGER NOT NULL REFERENCES ledger_transactions(id),
    received_on TEXT NOT NULL,
    amount_cents INTEGER NOT NULL,
    payer_name TEXT,
    payer_iban TEXT,
    channel TEXT NOT NULL,
    cash INTEGER NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX payments_received_case ON payments_received(case_id, received_on);
CREATE INDEX payments_received_payer ON payments_received(payer_iban);

-- One alert per flagged payment, with the rules it triggered. Compliance only.
CREATE TABLE aml_alerts (
    id INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES cases(id),
    payment_id INTEGER NOT NULL REFERENCES payments_received(id),
    score INTEGER NOT NULL,
    -- The triggered rules with their facts (JSON array), and the rules' version.
    alerts TEXT NOT NULL,
    rules_version TEXT NOT NULL,
    status TEXT NOT NULL,
    assigned_to TEXT,
    -- A high-score alert is closed by two people: the proposer, then another.
    close_proposed_by TEXT,
    close_reason TEXT,
    closed_by TEXT,
    closed_at TEXT,
    sar_reference TEXT,
    sar_filed_on TEXT,
    -- Whether officers may see that the case is under review (compliance decides).
    visible_to_officers INTEGER NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX aml_alerts_status ON aml_alerts(status, score);
CREATE INDEX aml_alerts_case ON aml_alerts(case_id);

-- What compliance did, append-only (kept apart from the case journal, which officers read).
CREATE TABLE aml_alert_events (
    id INTEGER PRIMARY KEY,
    alert_id INTEGER NOT NULL REFERENCES aml_alerts(id),
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    actor TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX aml_alert_events_alert ON aml_alert_events(alert_id, id);
