-- The time bars of a case come from its history (issue 18): the nightly run reads the procedure
-- steps of each chunk of cases from the journal (crates/store/src/time_bars.rs). A case's journal
-- holds mostly other events (the nightly interest, payments, notes): this partial index keeps
-- that read to the steps, and costs nothing when any other event is written.
CREATE INDEX case_events_procedure_steps ON case_events(case_id, sequence) WHERE kind = 'procedure_step';

-- The same read takes the money booked on the chunk's cases: payments, releases from suspense and
-- their reversals, not the nightly interest that makes up most of a case's transactions.
CREATE INDEX ledger_transactions_receipts ON ledger_transactions(case_id, booked_on, id)
    WHERE kind IN ('payment', 'suspense_clearing', 'reversal');
