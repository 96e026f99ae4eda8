-- The time bars of a case come from its history (issue 18): the nightly run reads the procedure
-- steps of each chunk of cases from the journal (crates/store/src/time_bars.rs). A case's journal
-- holds mostly other events (the nightly interest, payments, notes): this partial index keeps
-- that read to the steps, and costs nothing when any other event is written.
CREATE INDEX case_events_procedure_steps ON case_events(case_id, sequence) WHERE kind = 'procedure_step';
