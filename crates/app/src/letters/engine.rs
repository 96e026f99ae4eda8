//! The letters engine with the templates in force, shared by every use case that typesets
//! (letters, the day's mail, template previews, the committee pack's PDF).

use std::sync::{Arc, OnceLock, RwLock};

use recouvre_letters::{Engine, LetterKind};
use recouvre_store::letter_templates::TemplateVersion;
use recouvre_store::Store;

use crate::{Error, Result};

/// The built-in templates, loaded once per process: loading the fonts and Typst's library is
/// the slow part of a render. Engines with administrators' versions are clones of it.
pub fn base_engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(Engine::new)
}

/// The engine with the templates in force in the database: the built-in template of each kind,
/// replaced by the administrators' versions in the order they were added (so the last one of a
/// kind is in force, and every earlier one can still make the letters validated with it).
///
/// Several servers share the database: before each render the cache compares the last stored
/// version's id with the one it loaded (one indexed query) and reloads when another server, or
/// this one, added a version. No letter is ever made with a superseded template.
#[derive(Default)]
pub struct EngineCache {
    loaded: RwLock<Option<(i64, Arc<Engine>)>>,
}

impl std::fmt::Debug for EngineCache {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let stamp = self.loaded.read().ok().and_then(|loaded| loaded.as_ref().map(|(stamp, _)| *stamp));
        formatter.debug_struct("EngineCache").field("stamp", &stamp).finish_non_exhaustive()
    }
}

impl EngineCache {
    /// The engine with the versions stored in `store`, reloaded when one was added since.
    pub async fn engine(&self, store: &Store) -> Result<Arc<Engine>> {
        let stamp = recouvre_store::letter_templates::stamp(store).await?;
        if let Some((known, engine)) = self.loaded.read().unwrap_or_else(std::sync::PoisonError::into_inner).as_ref() {
            if *known == stamp {
                return Ok(engine.clone());
            }
        }
        let versions = recouvre_store::letter_templates::all(store).await?;
        let stamp = versions.last().map_or(0, |version| version.id);
        let engine = Arc::new(engine_with(&versions)?);
        *self.loaded.write().unwrap_or_else(std::sync::PoisonError::into_inner) = Some((stamp, engine.clone()));
        tracing::info!(stamp, versions = versions.len(), "letter templates loaded");
        Ok(engine)
    }
}

/// The built-in engine with `versions` applied in order.
fn engine_with(versions: &[TemplateVersion]) -> Result<Engine> {
    let mut engine = base_engine().clone();
    for version in versions {
        let kind = LetterKind::from_code(&version.kind).ok_or_else(|| {
            Error::internal(format!(
                "version de modèle « {} » : type de courrier inconnu de ce serveur ; mettez le serveur à jour",
                version.label
            ))
        })?;
        engine.set_template(kind, version.source.clone(), version.label.clone()).map_err(Error::internal)?;
    }
    Ok(engine)
}

/// Runs a render (CPU-bound, a few hundred milliseconds) off the async workers.
pub(crate) async fn typeset<T: Send + 'static>(render: impl FnOnce() -> T + Send + 'static) -> Result<T> {
    tokio::task::spawn_blocking(render).await.map_err(|error| Error::internal(format!("rendu interrompu : {error}")))
}
