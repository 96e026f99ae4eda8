-- Saved filters of the case list (issue 16, « mes relances du jour »): a user names the list's
-- filter in force and finds it again in the list's side. Each is its user's own; the query is
-- the list's URL query (its known parameters only, no cursor nor page), read back by the list.
CREATE TABLE saved_filters (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id),
    name TEXT NOT NULL,
    query TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (user_id, name)
);
