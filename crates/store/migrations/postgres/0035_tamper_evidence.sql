-- Tamper evidence against a database administrator (issue 24, part 1; docs/security.md). Keep in
-- step with ../sqlite/0035_tamper_evidence.sql (the comments there say why).
ALTER TABLE case_events ADD COLUMN mac_key TEXT;
ALTER TABLE case_events ADD COLUMN mac TEXT;
ALTER TABLE ledger_postings ADD COLUMN mac_key TEXT;
ALTER TABLE ledger_postings ADD COLUMN mac TEXT;

CREATE TABLE audit_seals (
    chain TEXT PRIMARY KEY,
    sealed_rows BIGINT NOT NULL,
    digest TEXT NOT NULL,
    mac_key TEXT NOT NULL,
    mac TEXT NOT NULL,
    sealed_at TIMESTAMPTZ NOT NULL
);

-- Append-only. An UPDATE is let through only when the row, with the columns it may change put
-- back, is the row as it was (so a column added later is protected too).
CREATE FUNCTION recouvre_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    kept case_events;
    split case_events;
    reported ledger_transactions;
    decided approval_requests;
BEGIN
    IF TG_OP = 'UPDATE' THEN
        IF TG_TABLE_NAME = 'case_events' THEN
            kept := NEW;
            kept.personal := OLD.personal;
            kept.personal_salt := OLD.personal_salt;
            IF NEW.personal IS NULL AND NEW.personal_salt IS NULL AND kept IS NOT DISTINCT FROM OLD THEN
                RETURN NEW;
            END IF;
            split := NEW;
            split.payload := OLD.payload;
            split.personal := OLD.personal;
            split.personal_salt := OLD.personal_salt;
            split.personal_digest := OLD.personal_digest;
            IF OLD.envelope = 1 AND OLD.personal_digest IS NULL AND split IS NOT DISTINCT FROM OLD THEN
                RETURN NEW;
            END IF;
        ELSIF TG_TABLE_NAME = 'ledger_transactions' THEN
            reported := NEW;
            reported.reported_on := OLD.reported_on;
            IF OLD.reported_on IS NULL AND reported IS NOT DISTINCT FROM OLD THEN
                RETURN NEW;
            END IF;
        ELSIF TG_TABLE_NAME = 'approval_requests' THEN
            decided := NEW;
            decided.status := OLD.status;
            decided.decided_by := OLD.decided_by;
            decided.decided_at := OLD.decided_at;
            decided.decision_reason := OLD.decision_reason;
            IF OLD.status = 'pending' AND decided IS NOT DISTINCT FROM OLD THEN
                RETURN NEW;
            END IF;
        END IF;
    END IF;
    RAISE EXCEPTION 'append-only: % cannot be % (issue 24)', TG_TABLE_NAME, lower(TG_OP)
        USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER case_events_append_only BEFORE UPDATE OR DELETE ON case_events
    FOR EACH ROW EXECUTE FUNCTION recouvre_append_only();
CREATE TRIGGER ledger_postings_append_only BEFORE UPDATE OR DELETE ON ledger_postings
    FOR EACH ROW EXECUTE FUNCTION recouvre_append_only();
CREATE TRIGGER ledger_transactions_append_only BEFORE UPDATE OR DELETE ON ledger_transactions
    FOR EACH ROW EXECUTE FUNCTION recouvre_append_only();
CREATE TRIGGER access_log_append_only BEFORE UPDATE OR DELETE ON access_log
    FOR EACH ROW EXECUTE FUNCTION recouvre_append_only();
CREATE TRIGGER approval_requests_append_only BEFORE UPDATE OR DELETE ON approval_requests
    FOR EACH ROW EXECUTE FUNCTION recouvre_append_only();
