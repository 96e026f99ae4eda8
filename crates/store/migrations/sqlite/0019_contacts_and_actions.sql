-- Contacts with the debtor and promises to pay (issue 17, part 4): a structured log of calls,
-- e-mails, letters received, visits and SMS, each possibly with a promise the nightly run checks
-- against the money received (store::contacts::follow_promises).
CREATE TABLE case_contacts (
    id INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES cases(id),
    -- phone, email, letter, visit, sms
    channel TEXT NOT NULL,
    -- inbound, outbound
    direction TEXT NOT NULL,
    summary TEXT NOT NULL,
    -- the day of the contact (today, or a past day given by the officer)
    contact_on TEXT NOT NULL,
    author TEXT NOT NULL,
    created_at TEXT NOT NULL,
    -- the promise to pay, if any: amount and due day
    promise_amount_cents BIGINT,
    promise_due_on TEXT,
    -- open, kept, broken (NULL without a promise)
    promise_status TEXT,
    -- the night that judged the promise
    promise_checked_on TEXT
);
CREATE INDEX case_contacts_case ON case_contacts(case_id, id);
CREATE INDEX case_contacts_open_promises ON case_contacts(promise_due_on) WHERE promise_status = 'open';
CREATE INDEX case_contacts_checked_promises ON case_contacts(promise_checked_on) WHERE promise_checked_on IS NOT NULL;

-- The officer's own actions (issue 17, part 5): an action may be for a colleague (assignee_id),
-- in whose agenda it then appears instead of the case officer's; created_by is the author.
ALTER TABLE agenda_items ADD COLUMN assignee_id INTEGER REFERENCES users(id);
ALTER TABLE agenda_items ADD COLUMN created_by TEXT;
CREATE INDEX agenda_items_assignee ON agenda_items(assignee_id, due_on) WHERE assignee_id IS NOT NULL AND status = 'open';
