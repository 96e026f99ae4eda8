//! CPU-bound parsing of outside files (XML statements) run off the async workers.
//!
//! A tokio worker that parses a large file for seconds stops serving the requests it holds,
//! and one with a 2 MiB stack is where a deeply nested file once overflowed (issue 22). Parsers
//! run on the blocking pool instead, at most [`PARSERS_MAX`] at once so that a burst of uploads
//! queues instead of taking every core and all the memory.

use tokio::sync::Semaphore;

use crate::{Error, Result};

/// Parsers running at once, process-wide. The machine has few cores; more uploads wait.
pub const PARSERS_MAX: usize = 2;

static PARSERS: Semaphore = Semaphore::const_new(PARSERS_MAX);

/// Runs `parse` on the blocking pool once a parser slot is free, and returns what it returned.
/// A panic in it becomes an internal error, not a dead worker.
pub(crate) async fn parse<T: Send + 'static>(parse: impl FnOnce() -> T + Send + 'static) -> Result<T> {
    let _slot = PARSERS.acquire().await.map_err(|error| Error::internal(format!("analyse de fichier : {error}")))?;
    tokio::task::spawn_blocking(parse)
        .await
        .map_err(|error| Error::internal(format!("analyse de fichier interrompue : {error}")))
}
