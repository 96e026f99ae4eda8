-- Identity and access (issue 23). API tokens expire and carry a scope (`full`, `read_only`,
-- `imports`); sessions keep the instant of their last request, for the idle timeout; security
-- events (logins, throttling, refusals, CSRF failures) are kept for the auditors.
ALTER TABLE api_tokens ADD COLUMN expires_at TEXT;
ALTER TABLE api_tokens ADD COLUMN scope TEXT NOT NULL DEFAULT 'full';
ALTER TABLE sessions ADD COLUMN last_seen_at TEXT;
ALTER TABLE users ADD COLUMN totp_secret TEXT;

CREATE TABLE security_events (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    kind TEXT NOT NULL,
    login TEXT,
    address TEXT,
    detail TEXT NOT NULL
);
CREATE INDEX security_events_at ON security_events(at);
