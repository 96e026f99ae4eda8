use chrono::{DateTime, Utc};

/// A change made on a stale version of a case: somebody else changed it meanwhile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaleChange {
    pub case_id: i64,
    pub expected_version: i64,
    pub current_version: i64,
    /// The events recorded since `expected_version`: (sequence, kind, actor, when).
    pub changes: Vec<(i64, String, String, DateTime<Utc>)>,
}

impl std::fmt::Display for StaleChange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "le dossier a été modifié entre-temps (version {} au lieu de {}) :",
            self.current_version, self.expected_version
        )?;
        for (sequence, kind, actor, at) in &self.changes {
            write!(f, " n° {sequence} « {kind} » par {actor} le {} ;", at.format("%d/%m/%Y à %H:%M"))?;
        }
        write!(f, " rechargez la page et refaites votre modification")
    }
}

/// Why the store did not do what it was asked. The first six say something to the user (their
/// message is French and says what to do next); the others are failures of the system.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Input the store found bad: a value malformed, out of range or unknown (HTTP 400).
    #[error("{message}")]
    Invalid { field: Option<String>, message: String },
    /// A rule refuses the act in the case's current state; the message names the rule or the
    /// article, and `code` is its stable machine name (HTTP 409).
    #[error("{message}")]
    Refused { code: &'static str, message: String },
    /// Made on a version of the case somebody else changed meanwhile (HTTP 409).
    #[error("{0}")]
    Stale(StaleChange),
    /// Somebody else did it first: created the same thing, decided it already (HTTP 409).
    #[error("{message}")]
    Conflict { code: &'static str, message: String },
    #[error("{what} introuvable")]
    NotFound { what: String },
    /// The database is busy with other writers (SQLite's lock, no pooled connection free in
    /// time): nothing was done, try again in a moment (HTTP 503).
    #[error("la base de données est occupée : réessayez dans un instant")]
    Busy,
    #[error("adresse de base de données invalide « {url} » : {reason}")]
    BadUrl { url: String, reason: String },
    #[error(
        "connexion impossible à la base {url} : {source} (vérifiez que le serveur tourne et que l'adresse est juste)"
    )]
    Connect { url: String, source: sqlx::Error },
    #[error("erreur de base de données : {0}")]
    Database(sqlx::Error),
    #[error("migration du schéma impossible : {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("donnée stockée illisible : {0} (la base a-t-elle été modifiée à la main ?)")]
    Corrupt(String),
}

/// SQLite's primary result codes for a database busy with another connection's lock
/// (https://sqlite.org/rescode.html): SQLITE_BUSY and SQLITE_LOCKED. Extended codes carry the
/// primary one in their low byte (SQLITE_BUSY_SNAPSHOT is 517 = 5 + 2 × 256).
const SQLITE_BUSY: i64 = 5;
const SQLITE_LOCKED: i64 = 6;

/// The one place where driver errors become store errors: lock contention and an exhausted pool
/// are [`StoreError::Busy`] (the web answers 503 with Retry-After), anything else a database
/// error.
impl From<sqlx::Error> for StoreError {
    fn from(error: sqlx::Error) -> StoreError {
        match &error {
            sqlx::Error::PoolTimedOut => StoreError::Busy,
            sqlx::Error::Database(database) if is_sqlite_busy(database.as_ref()) => StoreError::Busy,
            _ => StoreError::Database(error),
        }
    }
}

fn is_sqlite_busy(error: &dyn sqlx::error::DatabaseError) -> bool {
    if error.try_downcast_ref::<sqlx::sqlite::SqliteError>().is_none() {
        return false;
    }
    let code = error.code().and_then(|code| code.parse::<i64>().ok());
    matches!(code.map(|code| code & 0xff), Some(SQLITE_BUSY | SQLITE_LOCKED))
}

impl StoreError {
    pub fn not_found(what: impl Into<String>) -> StoreError {
        StoreError::NotFound { what: what.into() }
    }

    /// Bad input, not tied to one field.
    pub fn invalid(message: impl Into<String>) -> StoreError {
        StoreError::Invalid { field: None, message: message.into() }
    }

    /// Bad input in `field`.
    pub fn invalid_field(field: &str, message: impl Into<String>) -> StoreError {
        StoreError::Invalid { field: Some(field.to_string()), message: message.into() }
    }

    /// A rule (named by `code`) refuses the act now.
    pub fn refused(code: &'static str, message: impl Into<String>) -> StoreError {
        StoreError::Refused { code, message: message.into() }
    }

    /// Somebody else did it first.
    pub fn conflict(code: &'static str, message: impl Into<String>) -> StoreError {
        StoreError::Conflict { code, message: message.into() }
    }

    /// A stable snake_case name of the error, for machines (API clients, logs, metrics).
    pub fn code(&self) -> &str {
        match self {
            StoreError::Invalid { .. } => "invalid_input",
            StoreError::Refused { code, .. } | StoreError::Conflict { code, .. } => code,
            StoreError::Stale(_) => "stale_version",
            StoreError::NotFound { .. } => "not_found",
            StoreError::Busy => "busy",
            StoreError::BadUrl { .. } => "bad_database_url",
            StoreError::Connect { .. } => "database_unreachable",
            StoreError::Database(_) => "database_error",
            StoreError::Migrate(_) => "migration_failed",
            StoreError::Corrupt(_) => "corrupt_data",
        }
    }

    /// The HTTP status that answers this error.
    pub fn http_status(&self) -> u16 {
        match self {
            StoreError::Invalid { .. } => 400,
            StoreError::Refused { .. } | StoreError::Stale(_) | StoreError::Conflict { .. } => 409,
            StoreError::NotFound { .. } => 404,
            StoreError::Busy => 503,
            StoreError::BadUrl { .. }
            | StoreError::Connect { .. }
            | StoreError::Database(_)
            | StoreError::Migrate(_)
            | StoreError::Corrupt(_) => 500,
        }
    }

    /// Whether the error is a unique-constraint violation (someone created the same thing).
    pub fn is_unique_violation(&self) -> bool {
        match self {
            StoreError::Database(sqlx::Error::Database(error)) => error.is_unique_violation(),
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_kind_has_its_code_and_status() {
        let cases = [
            (StoreError::invalid_field("month", "mois invalide"), "invalid_input", 400),
            (StoreError::refused("own_request", "pas la vôtre"), "own_request", 409),
            (StoreError::conflict("already_decided", "déjà décidée"), "already_decided", 409),
            (StoreError::not_found("dossier n° 1"), "not_found", 404),
            (StoreError::Busy, "busy", 503),
            (StoreError::Corrupt("x".into()), "corrupt_data", 500),
            (StoreError::from(sqlx::Error::PoolTimedOut), "busy", 503),
            (StoreError::from(sqlx::Error::RowNotFound), "database_error", 500),
        ];
        for (error, code, status) in cases {
            assert_eq!((error.code(), error.http_status()), (code, status), "{error:?}");
        }
        assert_eq!(StoreError::refused("own_request", "pas la vôtre").to_string(), "pas la vôtre");
    }
}
