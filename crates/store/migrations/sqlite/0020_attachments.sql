-- Incoming documents (issue 17, item 6). Keep in step with ../postgres/0020_attachments.sql: a
-- test compares both schemas' tables and columns.
-- A scan an officer attaches to a case (a court decision, a bailiff's act, an acknowledgement of
-- receipt…): the bytes exactly as uploaded, with their SHA-256, checked again on every download;
-- never updated. Its `attachment_added` journal event is written in the same transaction.
CREATE TABLE case_attachments (
    id INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES cases(id),
    -- court_decision, bailiff_act, acknowledgement_of_receipt, death_certificate,
    -- banque_de_france_decision, debtor_letter, proof_of_income, other
    kind TEXT NOT NULL,
    -- The name it was uploaded under (personal data: it often names the debtor).
    file_name TEXT NOT NULL,
    -- pdf, jpeg, png: read from the content, never from the name.
    format TEXT NOT NULL,
    size_bytes INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    content BLOB NOT NULL,
    received_on TEXT NOT NULL,
    -- The procedure step the document proves: the `sequence` of that step's `procedure_step`
    -- event in the case's journal (each step is a journal event), when one was given.
    step_sequence INTEGER,
    -- The `attachment_added` event that journaled the upload.
    event_sequence INTEGER NOT NULL,
    uploaded_by TEXT NOT NULL,
    uploaded_at TEXT NOT NULL
);
CREATE INDEX case_attachments_case ON case_attachments(case_id, id);
