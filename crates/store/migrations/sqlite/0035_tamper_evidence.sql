-- Tamper evidence against a database administrator (issue 24, part 1; docs/security.md). Keep in
-- step with ../postgres/0035_tamper_evidence.sql.
--
-- Each journal event and each ledger posting carries an HMAC-SHA256 seal under a key kept
-- outside the database, and the id of that key (rotation); rows written before the cut-over
-- have none and are sealed together, as they are, by one row of `audit_seals` per chain.
ALTER TABLE case_events ADD COLUMN mac_key TEXT;
ALTER TABLE case_events ADD COLUMN mac TEXT;
ALTER TABLE ledger_postings ADD COLUMN mac_key TEXT;
ALTER TABLE ledger_postings ADD COLUMN mac TEXT;

CREATE TABLE audit_seals (
    -- 'journal' or 'ledger'.
    chain TEXT PRIMARY KEY,
    sealed_rows INTEGER NOT NULL,
    digest TEXT NOT NULL,
    mac_key TEXT NOT NULL,
    mac TEXT NOT NULL,
    sealed_at TEXT NOT NULL
);

-- Append-only, enforced by the database itself: the journal, the ledger, the access log and the
-- decisions on approval requests are never rewritten nor deleted. The exceptions are the acts
-- the application makes on them, each once:
-- - case_events: the erasure of an event's personal data (`personal` and `personal_salt` set to
--   NULL, every other column unchanged: GDPR art. 17 and 5(1)(e), the chain covers only their
--   salted digest), and the one-time split of a legacy event at the envelope's cut-over;
-- - ledger_transactions: `reported_on` set once by the committee's nightly figures;
-- - approval_requests: the decision recorded once on a pending request.
CREATE TRIGGER case_events_append_only_update BEFORE UPDATE ON case_events
WHEN NOT (
    (NEW.personal IS NULL AND NEW.personal_salt IS NULL
     AND NEW.id IS OLD.id AND NEW.case_id IS OLD.case_id AND NEW.sequence IS OLD.sequence
     AND NEW.kind IS OLD.kind AND NEW.payload IS OLD.payload AND NEW.actor IS OLD.actor
     AND NEW.recorded_at IS OLD.recorded_at AND NEW.previous_hash IS OLD.previous_hash
     AND NEW.hash IS OLD.hash AND NEW.personal_digest IS OLD.personal_digest
     AND NEW.envelope IS OLD.envelope AND NEW.mac_key IS OLD.mac_key AND NEW.mac IS OLD.mac)
    OR
    (OLD.envelope = 1 AND OLD.personal_digest IS NULL
     AND NEW.id IS OLD.id AND NEW.case_id IS OLD.case_id AND NEW.sequence IS OLD.sequence
     AND NEW.kind IS OLD.kind AND NEW.actor IS OLD.actor AND NEW.recorded_at IS OLD.recorded_at
     AND NEW.previous_hash IS OLD.previous_hash AND NEW.hash IS OLD.hash
     AND NEW.envelope IS OLD.envelope AND NEW.mac_key IS OLD.mac_key AND NEW.mac IS OLD.mac)
)
BEGIN
    SELECT RAISE(ABORT, 'append-only: case_events cannot be rewritten (only personal data may be erased)');
END;
CREATE TRIGGER case_events_append_only_delete BEFORE DELETE ON case_events
BEGIN
    SELECT RAISE(ABORT, 'append-only: case_events cannot be deleted');
END;

CREATE TRIGGER ledger_postings_append_only_update BEFORE UPDATE ON ledger_postings
BEGIN
    SELECT RAISE(ABORT, 'append-only: ledger_postings cannot be rewritten (book a reversal)');
END;
CREATE TRIGGER ledger_postings_append_only_delete BEFORE DELETE ON ledger_postings
BEGIN
    SELECT RAISE(ABORT, 'append-only: ledger_postings cannot be deleted (book a reversal)');
END;

CREATE TRIGGER ledger_transactions_append_only_update BEFORE UPDATE ON ledger_transactions
WHEN NOT (
    OLD.reported_on IS NULL
    AND NEW.id IS OLD.id AND NEW.case_id IS OLD.case_id AND NEW.kind IS OLD.kind
    AND NEW.booked_on IS OLD.booked_on AND NEW.reference IS OLD.reference
    AND NEW.reverses IS OLD.reverses AND NEW.actor IS OLD.actor AND NEW.created_at IS OLD.created_at
    AND NEW.case_status IS OLD.case_status AND NEW.procedure_id IS OLD.procedure_id
)
BEGIN
    SELECT RAISE(ABORT, 'append-only: ledger_transactions cannot be rewritten (book a reversal)');
END;
CREATE TRIGGER ledger_transactions_append_only_delete BEFORE DELETE ON ledger_transactions
BEGIN
    SELECT RAISE(ABORT, 'append-only: ledger_transactions cannot be deleted (book a reversal)');
END;

CREATE TRIGGER access_log_append_only_update BEFORE UPDATE ON access_log
BEGIN
    SELECT RAISE(ABORT, 'append-only: access_log cannot be rewritten');
END;
CREATE TRIGGER access_log_append_only_delete BEFORE DELETE ON access_log
BEGIN
    SELECT RAISE(ABORT, 'append-only: access_log cannot be deleted');
END;

CREATE TRIGGER approval_requests_append_only_update BEFORE UPDATE ON approval_requests
WHEN NOT (
    OLD.status = 'pending'
    AND NEW.id IS OLD.id AND NEW.case_id IS OLD.case_id AND NEW.kind IS OLD.kind
    AND NEW.payload IS OLD.payload AND NEW.amount_cents IS OLD.amount_cents
    AND NEW.reason IS OLD.reason AND NEW.requested_by IS OLD.requested_by
    AND NEW.requested_at IS OLD.requested_at
)
BEGIN
    SELECT RAISE(ABORT, 'append-only: a decision on an approval request is recorded once');
END;
CREATE TRIGGER approval_requests_append_only_delete BEFORE DELETE ON approval_requests
BEGIN
    SELECT RAISE(ABORT, 'append-only: approval_requests cannot be deleted');
END;
