-- Issue 9: payments held for compliance, and the sanctions / asset-freeze lists.
-- Keep in step with ../postgres/0007_aml_holds.sql.

-- A flagged payment held in the suspense account until compliance decides (suspense item with
-- status 'aml_hold', invisible to officers), then released to its case or returned.
ALTER TABLE aml_alerts ADD COLUMN held_item_id INTEGER REFERENCES suspense_items(id);
-- 'released' or 'returned', once compliance has decided what becomes of the held money.
ALTER TABLE aml_alerts ADD COLUMN funds_decision TEXT;

-- Each sanctions list loaded (append-only; the latest one is in force). The entries are kept as
-- JSON so that an alert can always be explained by the list it was matched against.
CREATE TABLE sanctions_lists (
    id INTEGER PRIMARY KEY,
    file_name TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    entry_count INTEGER NOT NULL,
    entries TEXT NOT NULL,
    threshold_percent INTEGER NOT NULL,
    loaded_by TEXT NOT NULL,
    loaded_at TEXT NOT NULL
);
