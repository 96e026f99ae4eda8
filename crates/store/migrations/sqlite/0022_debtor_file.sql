-- The debtor's file, maintained (issue 17): officers correct a person's contact details and
-- record their situation (death, protection, over-indebtedness, FICP). Each person gets a version
-- (a write quotes the version read; a stale one is refused like a case's), the contact details
-- the case's `debtor` object gained, the address's history, the situations as a history, and the
-- differences a later accounts import brought for fields an officer had corrected.
ALTER TABLE persons ADD COLUMN version INTEGER NOT NULL DEFAULT 0;
ALTER TABLE persons ADD COLUMN civility TEXT;
-- Every phone and e-mail, JSON arrays of text; `phone` and `email` keep the first one (what the
-- letters and older readers use). '[]' until an officer edits them: the list is then `phone`.
ALTER TABLE persons ADD COLUMN phones TEXT NOT NULL DEFAULT '[]';
ALTER TABLE persons ADD COLUMN emails TEXT NOT NULL DEFAULT '[]';
-- The INSEE code of the address's commune (crates/domain/data/communes.csv).
ALTER TABLE persons ADD COLUMN commune_code TEXT;
ALTER TABLE persons ADD COLUMN address_since TEXT;
-- "NPAI" (n'habite pas à l'adresse indiquée): the day a letter came back; no letter goes there.
ALTER TABLE persons ADD COLUMN address_invalid_on TEXT;
-- The fields an officer corrected (JSON array of field names): intake never overwrites them.
ALTER TABLE persons ADD COLUMN corrected_fields TEXT NOT NULL DEFAULT '[]';
-- The estate of a deceased debtor: letters go to the notary, else to the heirs.
ALTER TABLE persons ADD COLUMN estate_notary_name TEXT;
ALTER TABLE persons ADD COLUMN estate_notary_address TEXT;
ALTER TABLE persons ADD COLUMN estate_heirs TEXT;
ALTER TABLE persons ADD COLUMN estate_option TEXT;

CREATE TABLE person_addresses (
    id INTEGER PRIMARY KEY,
    person_id INTEGER NOT NULL REFERENCES persons(id),
    address_line TEXT NOT NULL,
    postcode TEXT NOT NULL,
    city TEXT NOT NULL,
    commune_code TEXT,
    valid_from TEXT,
    replaced_on TEXT NOT NULL,
    invalid_on TEXT,
    changed_by TEXT NOT NULL,
    changed_at TEXT NOT NULL,
    reason TEXT NOT NULL
);
CREATE INDEX person_addresses_person ON person_addresses(person_id, id);

CREATE TABLE person_situations (
    id INTEGER PRIMARY KEY,
    person_id INTEGER NOT NULL REFERENCES persons(id),
    kind TEXT NOT NULL,
    on_date TEXT NOT NULL,
    -- The kind's own fields (notary, heirs, measure, guardian, stage…), JSON text.
    details TEXT NOT NULL,
    reason TEXT,
    recorded_by TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);
CREATE INDEX person_situations_person ON person_situations(person_id, id);

CREATE TABLE intake_differences (
    id INTEGER PRIMARY KEY,
    person_id INTEGER NOT NULL REFERENCES persons(id),
    field TEXT NOT NULL,
    kept_value TEXT,
    intake_value TEXT,
    officer_corrected INTEGER NOT NULL,
    seen_at TEXT NOT NULL
);
CREATE INDEX intake_differences_person ON intake_differences(person_id, id);
