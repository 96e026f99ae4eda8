//! The Typst world the letters are compiled in, and the rendering entry points.
//!
//! The world is closed: its only files are the shared layout (`/lib.typ`), the templates
//! (`/templates/<code>.typ`), a generated main file and the JSON data files; its only fonts
//! are the embedded ones; it has no clock and no package access. Nothing is read from disk
//! or the network, so output depends on the inputs alone.

use std::collections::HashMap;
use std::fmt::Write as _;

use chrono::NaiveDate;
use sha2::{Digest, Sha256};
use typst::diag::{FileError, FileResult, SourceDiagnostic};
use typst::foundations::{Bytes, Datetime, Duration, Smart};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World, WorldExt};
use typst_layout::PagedDocument;

use crate::view::{cover_view, letter_view};
use crate::{LetterData, LetterError, LetterKind, Result};

/// The shared layout every template imports: page, header, footer, blocks, tables.
const LIB_TYP: &str = include_str!("../templates/lib.typ");

/// The fonts shipped with the crate (see `fonts/OFL.txt`).
const FONTS: [&[u8]; 3] = [
    include_bytes!("../fonts/LibertinusSerif-Regular.otf"),
    include_bytes!("../fonts/LibertinusSerif-Bold.otf"),
    include_bytes!("../fonts/LibertinusSerif-Italic.otf"),
];

fn default_template(kind: LetterKind) -> &'static str {
    match kind {
        LetterKind::FormalNotice => include_str!("../templates/formal_notice.typ"),
        LetterKind::PlanProposal => include_str!("../templates/plan_proposal.typ"),
        LetterKind::PlanAgreement => include_str!("../templates/plan_agreement.typ"),
        LetterKind::MissedInstalmentReminder => include_str!("../templates/missed_instalment_reminder.typ"),
        LetterKind::PlanLapsed => include_str!("../templates/plan_lapsed.typ"),
        LetterKind::RepaymentConfirmation => include_str!("../templates/repayment_confirmation.typ"),
        LetterKind::PaymentOrderRequest => include_str!("../templates/payment_order_request.typ"),
        LetterKind::NotaryClaimDeclaration => include_str!("../templates/notary_claim_declaration.typ"),
        LetterKind::GuardianLetter => include_str!("../templates/guardian_letter.typ"),
        LetterKind::GuarantorCall => include_str!("../templates/guarantor_call.typ"),
        LetterKind::BailiffInstruction => include_str!("../templates/bailiff_instruction.typ"),
        LetterKind::AgencyInstruction => include_str!("../templates/agency_instruction.typ"),
        LetterKind::GuarantorIncidentInformation => include_str!("../templates/guarantor_incident_information.typ"),
        LetterKind::GuarantorYearlyInformation => include_str!("../templates/guarantor_yearly_information.typ"),
    }
}

// Invariant: the paths are string literals of this crate (templates and fonts), all valid
// virtual paths (relative, no `..`).
#[allow(clippy::expect_used)]
pub(crate) fn file_id(path: &str) -> FileId {
    // The paths are literals of ours, always valid.
    let vpath = VirtualPath::new(path).expect("valid virtual path");
    RootedPath::new(VirtualRoot::Project, vpath).intern()
}

fn template_path(kind: LetterKind) -> String {
    format!("/templates/{}.typ", kind.code())
}

/// A template's source and the version recorded with every letter made from it.
#[derive(Clone)]
struct Template {
    source: Source,
    version: String,
}

/// A rendered letter, with what the case file records about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub pdf: Vec<u8>,
    /// SHA-256 of `pdf`, lowercase hex: stored with the letter to prove what was sent.
    pub sha256_hex: String,
    /// The template version it was made from, e.g. "formal_notice v1".
    pub template_version: String,
}

/// Holds the fonts, the standard library and the templates; build it once and reuse it:
/// loading fonts and the library is the expensive part of a first render.
#[derive(Clone)]
pub struct Engine {
    library: LazyHash<Library>,
    book: LazyHash<FontBook>,
    fonts: Vec<Font>,
    lib: Source,
    templates: HashMap<LetterKind, Template>,
    /// Versions replaced by [`Engine::set_template`], by version: a letter validated with one
    /// of them can be made again (the day's mail) after an administrator published another.
    earlier: HashMap<String, (LetterKind, String)>,
}

impl Default for Engine {
    fn default() -> Self {
        Self::new()
    }
}

impl Engine {
    /// An engine with the default templates, each at version "<code> v1".
    pub fn new() -> Self {
        let fonts: Vec<Font> = FONTS.iter().flat_map(|data| Font::iter(Bytes::new(*data))).collect();
        let templates = LetterKind::ALL
            .into_iter()
            .map(|kind| {
                let source = Source::new(file_id(&template_path(kind)), default_template(kind).to_string());
                (kind, Template { source, version: format!("{} v1", kind.code()) })
            })
            .collect();
        Engine {
            library: LazyHash::new(Library::default()),
            book: LazyHash::new(FontBook::from_fonts(&fonts)),
            fonts,
            lib: Source::new(file_id("/lib.typ"), LIB_TYP.to_string()),
            templates,
            earlier: HashMap::new(),
        }
    }

    /// The default source of a template, as shipped (for an administrator's editor).
    pub fn default_template_source(kind: LetterKind) -> &'static str {
        default_template(kind)
    }

    /// The shared layout module templates import as `/lib.typ`.
    pub fn layout_source() -> &'static str {
        LIB_TYP
    }

    /// The current source of a kind's template.
    pub fn template_source(&self, kind: LetterKind) -> &str {
        self.templates[&kind].source.text()
    }

    /// The current version of a kind's template.
    pub fn template_version(&self, kind: LetterKind) -> &str {
        &self.templates[&kind].version
    }

    /// Replaces a template by an administrator's version. The source is a Typst module that
    /// defines `render(d)`; it is not checked here, so render a sample before publishing it
    /// (a broken template fails at render time with [`LetterError::Template`]). The version it
    /// replaces is kept: [`Engine::render_day_mail_versions`] can still make letters with it.
    pub fn set_template(
        &mut self,
        kind: LetterKind,
        source: impl Into<String>,
        version: impl Into<String>,
    ) -> Result<()> {
        let version = version.into();
        if version.trim().is_empty() {
            return Err(LetterError::EmptyTemplateVersion { kind });
        }
        let source = Source::new(file_id(&template_path(kind)), source.into());
        if let Some(previous) = self.templates.insert(kind, Template { source, version }) {
            self.earlier.insert(previous.version, (kind, previous.source.text().to_string()));
        }
        Ok(())
    }

    /// Whether letters can be made with `version` (the current version of its kind, or one it
    /// replaced).
    pub fn knows_version(&self, version: &str) -> bool {
        self.earlier.contains_key(version) || self.templates.values().any(|t| t.version == version)
    }

    /// Renders one letter.
    pub fn render(&self, kind: LetterKind, data: &LetterData) -> Result<Rendered> {
        data.validate(kind)?;
        let main = format!(
            "#import \"/lib.typ\": setup\n\
             #import \"{}\" as t0\n\
             #show: setup.with(title: {})\n\
             #t0.render(json(\"/data/0.json\"))\n",
            template_path(kind),
            typst_string(kind.label()),
        );
        let views = vec![letter_view(kind, data, 0)];
        let version = self.templates[&kind].version.clone();
        let pdf = self.compile(main, views, None, &version, &data.case_reference)?;
        let sha256_hex = hex::encode(Sha256::digest(&pdf));
        Ok(Rendered { pdf, sha256_hex, template_version: version })
    }

    /// Renders a day's mail as one PDF: a cover list, then each letter from a new page, with
    /// its own page numbering. The letters are composed in a single Typst document, each with
    /// the current template of its kind.
    pub fn render_day_mail(&self, date: NaiveDate, letters: &[(LetterKind, LetterData)]) -> Result<Vec<u8>> {
        let letters: Vec<(LetterKind, &str, LetterData)> =
            letters.iter().map(|(kind, data)| (*kind, self.templates[kind].version.as_str(), data.clone())).collect();
        self.render_day_mail_versions(date, &letters)
    }

    /// Like [`Engine::render_day_mail`], each letter made with the template version it records
    /// (as validated): the current one of its kind or one [`Engine::set_template`] replaced.
    pub fn render_day_mail_versions(
        &self,
        date: NaiveDate,
        letters: &[(LetterKind, &str, LetterData)],
    ) -> Result<Vec<u8>> {
        if letters.is_empty() {
            return Err(LetterError::EmptyDayMail { date: crate::format::format_date(date) });
        }
        let mut main = String::from("#import \"/lib.typ\": setup, cover\n");
        // One module per (kind, version) used; a current template keeps its own path, an
        // earlier one is given a path of its own for this document.
        let mut modules: Vec<(LetterKind, &str)> = Vec::new();
        let mut extra = Vec::new();
        for (kind, version, data) in letters {
            data.validate(*kind)?;
            if modules.contains(&(*kind, *version)) {
                continue;
            }
            let current = &self.templates[kind];
            let path = if current.version == *version {
                template_path(*kind)
            } else {
                let text = match self.earlier.get(*version) {
                    Some((earlier_kind, text)) if earlier_kind == kind => text.clone(),
                    _ => return Err(LetterError::UnknownTemplateVersion { version: version.to_string() }),
                };
                let path = format!("/templates/{}.earlier-{}.typ", kind.code(), modules.len());
                extra.push(Source::new(file_id(&path), text));
                path
            };
            let _ = writeln!(main, "#import \"{path}\" as t{}", modules.len());
            modules.push((*kind, *version));
        }
        let _ = writeln!(main, "#show: setup.with(title: {})", typst_string("Courrier du jour"));
        main.push_str("#cover(json(\"/cover.json\"))\n");
        let mut views = Vec::with_capacity(letters.len());
        let mut pairs = Vec::with_capacity(letters.len());
        for (i, (kind, version, data)) in letters.iter().enumerate() {
            let module = modules.iter().position(|m| *m == (*kind, *version)).unwrap_or(0);
            let _ = writeln!(main, "#t{module}.render(json(\"/data/{i}.json\"))");
            views.push(letter_view(*kind, data, i));
            pairs.push((*kind, data.clone()));
        }
        let versions: Vec<&str> = modules.iter().map(|(_, version)| *version).collect();
        let ident = format!("day-mail-{date}");
        self.compile_with(main, views, Some(cover_view(date, &pairs)), &versions.join(", "), &ident, extra)
    }

    fn compile(
        &self,
        main: String,
        views: Vec<serde_json::Value>,
        cover: Option<serde_json::Value>,
        version: &str,
        ident: &str,
    ) -> Result<Vec<u8>> {
        self.compile_with(main, views, cover, version, ident, Vec::new())
    }

    fn compile_with(
        &self,
        main: String,
        views: Vec<serde_json::Value>,
        cover: Option<serde_json::Value>,
        version: &str,
        ident: &str,
        extra: Vec<Source>,
    ) -> Result<Vec<u8>> {
        let mut files = HashMap::new();
        for (i, view) in views.iter().enumerate() {
            files.insert(file_id(&format!("/data/{i}.json")), Bytes::new(view.to_string().into_bytes()));
        }
        if let Some(cover) = cover {
            files.insert(file_id("/cover.json"), Bytes::new(cover.to_string().into_bytes()));
        }
        self.compile_files(main, files, version, ident, extra)
    }

    /// Compiles `main` in the closed world, with `files` served at their paths (data, images,
    /// a report's template) and `extra` sources (administrators' template versions), to a PDF.
    pub(crate) fn compile_files(
        &self,
        main: String,
        files: HashMap<FileId, Bytes>,
        version: &str,
        ident: &str,
        extra: Vec<Source>,
    ) -> Result<Vec<u8>> {
        let world = LetterWorld { engine: self, main: Source::new(file_id("/main.typ"), main), files, extra };
        let result = typst::compile::<PagedDocument>(&world).output;
        // Memoised results of older compilations are of no use to the next letter beyond a
        // few generations; evicting keeps memory flat over a batch of thousands.
        typst::comemo::evict(10);
        let document = result.map_err(|diags| LetterError::Template {
            version: version.to_string(),
            details: describe(&world, &diags),
        })?;
        let options = typst_pdf::PdfOptions {
            // A stable identifier and no timestamp: the same letter gives the same bytes.
            ident: Smart::Custom(ident.to_string()),
            creator: Smart::Custom(Some("Recouvre".to_string())),
            timestamp: None,
            ..Default::default()
        };
        typst_pdf::pdf(&document, &options).map_err(|diags| LetterError::Pdf { details: describe(&world, &diags) })
    }
}

/// A Typst string literal for `s` (used for the few strings of ours put in the main file).
fn typst_string(s: &str) -> String {
    // A JSON string literal is a valid Typst string literal for the characters we emit:
    // both escape `"` and `\` the same way and accept \u{…}-free UTF-8.
    serde_json::Value::String(s.to_string()).to_string()
}

/// Turns Typst diagnostics into one readable line each: file, line, message, hints.
fn describe(world: &LetterWorld, diags: &[SourceDiagnostic]) -> String {
    let mut out = Vec::new();
    for diag in diags.iter().take(5) {
        let mut line = String::new();
        if let Some(id) = diag.span.id() {
            let _ = write!(line, "{}", id.vpath().get_with_slash());
            if let (Some(range), Ok(source)) = (world.range(diag.span), world.source(id)) {
                if let Some(n) = source.lines().byte_to_line(range.start) {
                    let _ = write!(line, ", ligne {}", n + 1);
                }
            }
            line.push_str(" : ");
        }
        line.push_str(&diag.message);
        for hint in &diag.hints {
            let _ = write!(line, " (indice : {})", hint.v);
        }
        out.push(line);
    }
    out.join(" ; ")
}

struct LetterWorld<'a> {
    engine: &'a Engine,
    main: Source,
    files: HashMap<FileId, Bytes>,
    /// Earlier template versions this document uses (the day's mail).
    extra: Vec<Source>,
}

impl LetterWorld<'_> {
    fn lookup_source(&self, id: FileId) -> Option<&Source> {
        if id == self.main.id() {
            return Some(&self.main);
        }
        if id == self.engine.lib.id() {
            return Some(&self.engine.lib);
        }
        self.engine.templates.values().map(|t| &t.source).chain(self.extra.iter()).find(|s| s.id() == id)
    }
}

impl World for LetterWorld<'_> {
    fn library(&self) -> &LazyHash<Library> {
        &self.engine.library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &self.engine.book
    }

    fn main(&self) -> FileId {
        self.main.id()
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if let Some(source) = self.lookup_source(id) {
            return Ok(source.clone());
        }
        // A report's template is served as a file of the compilation.
        let bytes = self.files.get(&id).ok_or_else(|| not_found(id))?;
        let text = std::str::from_utf8(bytes).map_err(|_| FileError::InvalidUtf8)?;
        Ok(Source::new(id, text.to_string()))
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if let Some(bytes) = self.files.get(&id) {
            return Ok(bytes.clone());
        }
        match self.lookup_source(id) {
            Some(source) => Ok(Bytes::from_string(source.clone())),
            None => Err(not_found(id)),
        }
    }

    fn font(&self, index: usize) -> Option<Font> {
        self.engine.fonts.get(index).cloned()
    }

    fn today(&self, _offset: Option<Duration>) -> Option<Datetime> {
        // No clock: a template must use the letter's date from its data.
        None
    }
}

fn not_found(id: FileId) -> FileError {
    FileError::NotFound(id.vpath().get_without_slash().into())
}
