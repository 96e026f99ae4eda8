-- The rest of issue 23 (identity and access).
-- TOTP replay (RFC 6238 §5.2): the last time step whose code was accepted, per user; a code of
-- that step or an earlier one is refused. A secret proposed by the enrolment screen waits here
-- until the user types a code it produced.
ALTER TABLE users ADD COLUMN totp_last_step INTEGER;
ALTER TABLE users ADD COLUMN totp_pending_secret TEXT;

-- One-time recovery codes, hashed with Argon2id like passwords; each is used once.
CREATE TABLE recovery_codes (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id),
    code_hash TEXT NOT NULL,
    created_at TEXT NOT NULL,
    used_at TEXT
);
CREATE INDEX recovery_codes_user ON recovery_codes(user_id);

-- The addresses each API token was used from: a first use from an address not seen for that
-- token is a security event.
CREATE TABLE api_token_addresses (
    token_id INTEGER NOT NULL REFERENCES api_tokens(id),
    address TEXT NOT NULL,
    first_seen_at TEXT NOT NULL,
    PRIMARY KEY (token_id, address)
);

-- Why personal data was read (RGPD art. 5-1-b and 15): derived from the use case, or declared
-- by an API client from a fixed list (header X-Access-Purpose). Rows before this: 'case_file'.
ALTER TABLE access_log ADD COLUMN purpose TEXT NOT NULL DEFAULT 'case_file';
