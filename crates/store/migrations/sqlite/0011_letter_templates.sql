-- Letter templates edited by administrators (issue 6). Keep in step with
-- ../postgres/0011_letter_templates.sql.
-- Append-only: a new version is a new row, never an update, so every letter sent can be made
-- again from the version it records (documents.template_version = label). Version 1 of each
-- kind is the template built into the binary and has no row; stored versions are numbered
-- from 2. A version is stored only after it compiled against the kind's sample data.
CREATE TABLE letter_template_versions (
    id INTEGER PRIMARY KEY,
    -- The template's code (formal_notice, plan_proposal…).
    kind TEXT NOT NULL,
    number INTEGER NOT NULL,
    -- "<kind> v<number>": what documents.template_version records.
    label TEXT NOT NULL UNIQUE,
    -- The Typst module (defines render(d)) and its SHA-256.
    source TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    -- Why the administrator changed it (audit).
    reason TEXT NOT NULL,
    author_id INTEGER NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL,
    UNIQUE (kind, number)
);
