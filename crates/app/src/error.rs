//! The one error contract of every use case (docs/api.md).
//!
//! Each error has a kind, which decides the HTTP status and the command line's exit code, a
//! stable machine `code` that clients may test, a French sentence that says what was wrong
//! and what to do next, and the `field` at fault when one input is to blame. A stale version
//! lists the changes made since the version the user saw.
//!
//! | kind | HTTP | when |
//! |---|---|---|
//! | `Invalid` | 400 | a bad value, an unknown code, a date out of range |
//! | `Unauthenticated` | 401 | no identity |
//! | `Forbidden` | 403 | the role or the delegation does not allow the act |
//! | `NotFound` | 404 | unknown, or not visible to this user |
//! | `Stale` | 409 | made on a version somebody else changed meanwhile |
//! | `Refused` | 409 | a rule refuses the act in the case's state (names the rule or article) |
//! | `Conflict` | 409 | already done, decided or created by someone else |
//! | `TooLarge` | 413 | a file or a body over its limit |
//! | `Busy` | 503 | the database is busy: retry after a moment |
//! | `Internal` | 500 | a fault of ours: logged with the request id, no detail shown |

use std::borrow::Cow;

use chrono::{DateTime, Utc};
use recouvre_store::StoreError;
use serde::Serialize;

/// What kind of failure, which decides the HTTP status.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    Invalid,
    Unauthenticated,
    Forbidden,
    NotFound,
    Stale,
    Refused,
    Conflict,
    TooLarge,
    Busy,
    Internal,
}

impl ErrorKind {
    pub fn http_status(self) -> u16 {
        match self {
            ErrorKind::Invalid => 400,
            ErrorKind::Unauthenticated => 401,
            ErrorKind::Forbidden => 403,
            ErrorKind::NotFound => 404,
            ErrorKind::Stale | ErrorKind::Refused | ErrorKind::Conflict => 409,
            ErrorKind::TooLarge => 413,
            ErrorKind::Busy => 503,
            ErrorKind::Internal => 500,
        }
    }

    /// The command line's exit code: 2 for what the user can correct, 1 otherwise.
    pub fn exit_code(self) -> u8 {
        match self {
            ErrorKind::Invalid | ErrorKind::TooLarge => 2,
            _ => 1,
        }
    }
}

/// A change recorded on a case after the version a user saw.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Change {
    /// The case's version this change produced (its journal event number).
    pub version: i64,
    /// The event's kind code.
    pub kind: String,
    /// Who made it (a login or `system:<job>`).
    pub actor: String,
    pub at: DateTime<Utc>,
}

/// A use case's failure. `Display` is the French sentence. Boxed, so that a `Result` stays
/// one pointer wide on its error side; its fields are read through `Deref` (`error.kind`).
#[derive(Clone, Debug, thiserror::Error)]
#[error("{}", .0.message)]
pub struct Error(Box<Details>);

/// What an [`Error`] says.
#[derive(Clone, Debug)]
pub struct Details {
    pub kind: ErrorKind,
    pub code: Cow<'static, str>,
    pub message: String,
    pub field: Option<String>,
    /// For `Stale`: what changed since.
    pub changes: Vec<Change>,
    /// For `Internal`: what went wrong, for the log and the operator's terminal; never sent to
    /// a client.
    pub detail: Option<String>,
}

impl std::ops::Deref for Error {
    type Target = Details;
    fn deref(&self) -> &Details {
        &self.0
    }
}

/// Every use case answers this.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn new(kind: ErrorKind, code: impl Into<Cow<'static, str>>, message: impl Into<String>) -> Error {
        Error(Box::new(Details {
            kind,
            code: code.into(),
            message: message.into(),
            field: None,
            changes: Vec::new(),
            detail: None,
        }))
    }

    /// A bad value in `field`.
    pub fn invalid(field: impl Into<String>, code: impl Into<Cow<'static, str>>, message: impl Into<String>) -> Error {
        Error::new(ErrorKind::Invalid, code, message).with_field(field)
    }

    /// Bad input that no single field is to blame for (a file, a combination of fields).
    pub fn invalid_input(code: impl Into<Cow<'static, str>>, message: impl Into<String>) -> Error {
        Error::new(ErrorKind::Invalid, code, message)
    }

    pub fn unauthenticated() -> Error {
        Error::new(
            ErrorKind::Unauthenticated,
            "unauthenticated",
            "authentification requise : connectez-vous ou fournissez un jeton (Authorization: Bearer …)",
        )
    }

    pub fn forbidden(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::Forbidden, "forbidden", message)
    }

    /// Above the actor's delegation, for an act that cannot go to approval.
    pub fn beyond_delegation(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::Forbidden, "delegation_exceeded", message)
    }

    /// `what` is named in French, with its article: « le dossier n° 12 ».
    pub fn not_found(what: impl std::fmt::Display) -> Error {
        Error::new(ErrorKind::NotFound, "not_found", format!("{what} introuvable"))
    }

    pub fn refused(code: impl Into<Cow<'static, str>>, message: impl Into<String>) -> Error {
        Error::new(ErrorKind::Refused, code, message)
    }

    pub fn conflict(code: impl Into<Cow<'static, str>>, message: impl Into<String>) -> Error {
        Error::new(ErrorKind::Conflict, code, message)
    }

    pub fn too_large(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::TooLarge, "too_large", message)
    }

    pub fn busy() -> Error {
        Error::new(
            ErrorKind::Busy,
            "busy",
            "la base de données est occupée : réessayez dans un instant, rien n'a été enregistré",
        )
    }

    /// A fault of ours. The detail goes to the log or the operator's terminal, never to a
    /// client of the API.
    pub fn internal(detail: impl std::fmt::Display) -> Error {
        let mut error = Error::new(ErrorKind::Internal, "internal_error", "erreur interne : l'incident est journalisé");
        error.0.detail = Some(detail.to_string());
        error
    }

    /// The message, and for an internal error its detail: what a terminal shows.
    pub fn for_operator(&self) -> String {
        match &self.detail {
            Some(detail) => format!("{} ({detail})", self.message),
            None => self.message.clone(),
        }
    }

    pub fn with_field(mut self, field: impl Into<String>) -> Error {
        self.0.field = Some(field.into());
        self
    }

    /// The changes recorded since a stale version.
    pub fn with_changes(mut self, changes: Vec<Change>) -> Error {
        self.0.changes = changes;
        self
    }

    pub fn http_status(&self) -> u16 {
        self.kind.http_status()
    }

    /// Prefixes the message with where the fault is (a file's name, a line).
    pub fn context(mut self, prefix: impl std::fmt::Display) -> Error {
        self.0.message = format!("{prefix} : {}", self.0.message);
        self
    }
}

impl From<StoreError> for Error {
    fn from(error: StoreError) -> Error {
        match error {
            StoreError::NotFound { what } => {
                Error::new(ErrorKind::NotFound, "not_found", format!("{what} introuvable"))
            }
            StoreError::Stale(stale) => {
                let changes = stale
                    .changes
                    .iter()
                    .map(|(version, kind, actor, at)| Change {
                        version: *version,
                        kind: kind.clone(),
                        actor: actor.clone(),
                        at: *at,
                    })
                    .collect();
                Error::new(ErrorKind::Stale, "stale_version", stale.to_string()).with_changes(changes)
            }
            StoreError::Invalid { field: Some(field), message } => Error::invalid(field, "invalid_input", message),
            StoreError::Invalid { field: None, message } => Error::invalid_input("invalid_input", message),
            StoreError::Refused { code, message } => Error::refused(code, message),
            StoreError::Conflict { code, message } => Error::conflict(code, message),
            StoreError::Busy => Error::busy(),
            other => Error::internal(other),
        }
    }
}

impl From<recouvre_domain::reference::ReferenceError> for Error {
    fn from(error: recouvre_domain::reference::ReferenceError) -> Error {
        Error::refused("reference_data_missing", error.to_string())
    }
}
