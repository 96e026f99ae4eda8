-- Amendments of SEPA mandates (issue 21). Keep in step with ../postgres/0033_mandate_amendments.sql.
-- The mandate row holds the current reference, IBAN and BIC; each amendment keeps what it
-- replaced, until the next collection's pain.008 reports it (AmdmntInd, AmdmntInfDtls).
CREATE TABLE sepa_mandate_amendments (
    id INTEGER PRIMARY KEY,
    mandate_id INTEGER NOT NULL REFERENCES sepa_mandates(id),
    original_reference TEXT NOT NULL,
    original_iban TEXT NOT NULL,
    original_bic TEXT,
    new_reference TEXT NOT NULL,
    new_iban TEXT NOT NULL,
    new_bic TEXT,
    -- The new IBAN is at another bank: reported as SMNDA (same mandate, new debtor agent).
    other_bank INTEGER NOT NULL,
    -- The pain.008 message (GrpHdr/MsgId) that reported it; NULL until then.
    reported_in TEXT,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX sepa_mandate_amendments_mandate ON sepa_mandate_amendments(mandate_id, id);
