-- Letters and court papers (issue 6). Keep in step with ../postgres/0010_documents.sql.
-- A document is stored when an officer validates it: the PDF exactly as previewed, with its
-- SHA-256, so that it downloads again byte for byte; never updated except for its postal
-- tracking (registered letters).
CREATE TABLE documents (
    id INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES cases(id),
    -- The template's code (formal_notice, plan_proposal…) and version ("formal_notice v1").
    kind TEXT NOT NULL,
    template_version TEXT NOT NULL,
    -- Who the letter is addressed to (the guardian for a protected adult).
    recipient TEXT NOT NULL,
    -- The facts the letter was generated from (JSON), to read what it said without the PDF.
    data TEXT NOT NULL,
    pdf BLOB NOT NULL,
    sha256 TEXT NOT NULL,
    pages INTEGER NOT NULL,
    registered INTEGER NOT NULL,
    validated_on TEXT NOT NULL,
    validated_by TEXT NOT NULL,
    validated_at TEXT NOT NULL,
    tracking_number TEXT,
    acknowledged_on TEXT
);
CREATE INDEX documents_case ON documents(case_id, id);
CREATE INDEX documents_day ON documents(validated_on, id);
