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

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("adresse de base de données invalide « {url} » : {reason}")]
    BadUrl { url: String, reason: String },
    #[error(
        "connexion impossible à la base {url} : {source} (vérifiez que le serveur tourne et que l'adresse est juste)"
    )]
    Connect { url: String, source: sqlx::Error },
    #[error("erreur de base de données : {0}")]
    Database(#[from] sqlx::Error),
    #[error("migration du schéma impossible : {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("{what} introuvable")]
    NotFound { what: String },
    #[error("{0}")]
    Stale(StaleChange),
    #[error("{0}")]
    Conflict(String),
    #[error("donnée stockée illisible : {0} (la base a-t-elle été modifiée à la main ?)")]
    Corrupt(String),
}

impl StoreError {
    pub fn not_found(what: impl Into<String>) -> StoreError {
        StoreError::NotFound { what: what.into() }
    }

    /// Whether the error is a unique-constraint violation (someone created the same thing).
    pub fn is_unique_violation(&self) -> bool {
        match self {
            StoreError::Database(sqlx::Error::Database(error)) => error.is_unique_violation(),
            _ => false,
        }
    }
}
