//! Administrators edit the letter templates (issue 6): each kind has the built-in template
//! (version 1) and the versions administrators added, append-only, with author, instant and
//! reason (`recouvre_store::letter_templates`). A version is compiled against the kind's sample
//! data (`recouvre_letters::samples`) before it is stored; one that does not render is refused
//! with Typst's message (file, line) and nothing is stored. Letters are then made with the
//! latest version of their kind, on every server ([`crate::letters::EngineCache`]).

use chrono::{DateTime, Utc};
use recouvre_domain::authority::Permission;
use recouvre_letters::{samples, Engine, LetterKind, Rendered};
use recouvre_store::letter_templates::{NewTemplateVersion, MAX_SOURCE_BYTES};

use crate::letters::{base_engine, engine::typeset};
use crate::limits::{self, LONG_TEXT_CHARS_MAX};
use crate::{Actor, App, Error, ErrorKind, Result};

/// A stored version of a template.
pub use recouvre_store::letter_templates::TemplateVersion;

/// The template kind of `code`; an unknown one is not found, with the known ones listed.
pub fn template_kind(code: &str) -> Result<LetterKind> {
    LetterKind::from_code(code).ok_or_else(|| {
        let known: Vec<&str> = LetterKind::ALL.iter().map(|kind| kind.code()).collect();
        Error::new(
            ErrorKind::NotFound,
            "not_found",
            format!("modèle de courrier « {code} » inconnu : choisissez parmi {}", known.join(", ")),
        )
    })
}

/// A template kind and its version in force.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TemplateSummary {
    pub kind: LetterKind,
    /// "<kind> v<number>", as documents record it.
    pub version: String,
    pub number: i64,
    /// Whether the version in force is the one built into the application (v1).
    pub built_in: bool,
    pub author: Option<String>,
    pub created_at: Option<DateTime<Utc>>,
}

/// One version of a template, the built-in one included.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VersionView {
    pub version: String,
    pub number: i64,
    pub built_in: bool,
    /// The Typst module (defines `render(d)`).
    pub source: String,
    pub sha256: String,
    pub reason: Option<String>,
    pub author: Option<String>,
    pub created_at: Option<DateTime<Utc>>,
}

impl From<TemplateVersion> for VersionView {
    fn from(version: TemplateVersion) -> VersionView {
        VersionView {
            version: version.label,
            number: version.number,
            built_in: false,
            source: version.source,
            sha256: version.sha256,
            reason: Some(version.reason),
            author: Some(version.author),
            created_at: Some(version.created_at),
        }
    }
}

/// The built-in version of `kind` (version 1).
fn built_in(kind: LetterKind) -> VersionView {
    let source = Engine::default_template_source(kind).to_string();
    VersionView {
        version: recouvre_store::letter_templates::label(kind.code(), 1),
        number: 1,
        built_in: true,
        sha256: recouvre_store::documents::sha256_hex(source.as_bytes()),
        source,
        reason: Some("modèle intégré à l'application".to_string()),
        author: None,
        created_at: None,
    }
}

/// A template: every version, oldest first; the last one is in force.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TemplateDetail {
    pub kind: LetterKind,
    /// Never empty: the built-in version comes first.
    pub history: Vec<VersionView>,
}

impl TemplateDetail {
    /// The version in force.
    // Invariant: `history` is never empty: the built-in version comes first (see the field).
    #[allow(clippy::expect_used)]
    pub fn current(&self) -> &VersionView {
        self.history.last().expect("the built-in version at least")
    }
}

/// The letter templates and the version of each in force (administrators).
pub async fn list_templates(app: &App, actor: &Actor) -> Result<Vec<TemplateSummary>> {
    actor.require(Permission::Administer)?;
    let stored = recouvre_store::letter_templates::all(app.store()).await?;
    Ok(LetterKind::ALL
        .iter()
        .map(|kind| {
            let last = stored.iter().filter(|version| version.kind == kind.code()).max_by_key(|version| version.number);
            TemplateSummary {
                kind: *kind,
                version: last.map_or_else(
                    || recouvre_store::letter_templates::label(kind.code(), 1),
                    |version| version.label.clone(),
                ),
                number: last.map_or(1, |version| version.number),
                built_in: last.is_none(),
                author: last.map(|version| version.author.clone()),
                created_at: last.map(|version| version.created_at),
            }
        })
        .collect())
}

/// A template of `code`: the version in force and every version, oldest first.
pub async fn template(app: &App, actor: &Actor, code: &str) -> Result<TemplateDetail> {
    actor.require(Permission::Administer)?;
    let kind = template_kind(code)?;
    let stored = recouvre_store::letter_templates::of_kind(app.store(), kind.code()).await?;
    let history = std::iter::once(built_in(kind)).chain(stored.into_iter().map(VersionView::from)).collect();
    Ok(TemplateDetail { kind, history })
}

/// A kind's sample letter.
#[derive(Clone, Debug)]
pub struct Sample {
    pub kind: LetterKind,
    pub rendered: Rendered,
}

/// The kind's sample letter made with the version in force.
pub async fn sample_letter(app: &App, actor: &Actor, code: &str) -> Result<Sample> {
    actor.require(Permission::Administer)?;
    let kind = template_kind(code)?;
    let engine = app.letter_engines().engine(app.store()).await?;
    let rendered = typeset(move || engine.render(kind, &samples::sample(kind))).await?.map_err(Error::internal)?;
    Ok(Sample { kind, rendered })
}

/// Why a candidate is rendered: the wording of a refusal says whether anything was to be stored.
#[derive(Copy, Clone)]
enum Purpose {
    Preview,
    Publish,
}

/// Renders the kind's sample with `source` in place of its template, without touching the
/// engine in force. A template that does not compile, or whose sample does not render, is
/// refused with the reason in French (file, line, Typst's message).
async fn render_candidate(kind: LetterKind, source: &str, purpose: Purpose) -> Result<Rendered> {
    if source.trim().is_empty() {
        return Err(Error::invalid(
            "source",
            "required",
            "le modèle est vide : collez le texte Typst complet du modèle (il doit définir render(d))",
        ));
    }
    if source.len() > MAX_SOURCE_BYTES {
        return Err(Error::invalid(
            "source",
            "too_long",
            format!(
                "modèle de {} octets : un modèle fait au plus {} Ko ; vérifiez le texte collé",
                source.len(),
                MAX_SOURCE_BYTES / 1024
            ),
        ));
    }
    let source = source.to_string();
    let version = format!("{} (proposé)", kind.code());
    typeset(move || {
        let mut engine: Engine = base_engine().clone();
        engine.set_template(kind, source, version)?;
        engine.render(kind, &samples::sample(kind))
    })
    .await?
    .map_err(|error| {
        let refusal = match purpose {
            Purpose::Preview => "aperçu impossible",
            Purpose::Publish => "modèle refusé, rien n'a été enregistré",
        };
        Error::invalid(
            "source",
            "template_not_rendered",
            format!("{refusal} : il ne produit pas le courrier d'exemple. {error}"),
        )
    })
}

/// The kind's sample letter made with a proposed template; nothing is stored.
pub async fn try_template(_app: &App, actor: &Actor, code: &str, source: &str) -> Result<Sample> {
    actor.require(Permission::Administer)?;
    let kind = template_kind(code)?;
    let rendered = render_candidate(kind, source, Purpose::Preview).await?;
    Ok(Sample { kind, rendered })
}

/// Adds a version of a template (administrators). It is compiled against the kind's sample
/// data first: a template that does not render is refused (Typst's message with file and line)
/// and nothing is stored. From the next letter on, every server uses it.
pub async fn add_template_version(
    app: &App,
    actor: &Actor,
    code: &str,
    source: &str,
    reason: &str,
) -> Result<TemplateVersion> {
    actor.require(Permission::Administer)?;
    let kind = template_kind(code)?;
    let reason = limits::text("reason", reason, LONG_TEXT_CHARS_MAX, true)?;
    if reason.is_empty() {
        return Err(Error::invalid(
            "reason",
            "required",
            "indiquez le motif de la nouvelle version : il reste dans l'historique du modèle",
        ));
    }
    let author_id = actor.user_id.ok_or_else(|| {
        Error::forbidden("une version de modèle est ajoutée par un administrateur connecté, qui en est l'auteur")
    })?;
    render_candidate(kind, source, Purpose::Publish).await?;
    let new = NewTemplateVersion { kind: kind.code(), source, reason: &reason, author_id };
    let stored = recouvre_store::letter_templates::add(app.store(), &new, app.now()).await?;
    tracing::info!(version = %stored.label, by = %actor.login, "letter template version added");
    Ok(stored)
}
