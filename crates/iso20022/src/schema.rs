//! Which ISO 20022 message a document is, and whether it is valid against the official schema.
//!
//! Validation uses libxml2 (the library behind `xmllint`), linked directly through a handful of
//! hand-written declarations; the schemas (`schemas/*.xsd`) are compiled into the binary and
//! parsed once per process.
//!
//! Files come from outside (the bank, an officer's upload), so before libxml2 sees a byte:
//! - the file must be UTF-8 and at most [`MAX_FILE_SIZE`] bytes;
//! - a `<!DOCTYPE` or `<!ENTITY` declaration anywhere refuses it: ISO 20022 messages never have
//!   one, and that is where XXE and "billion laughs" attacks live;
//! - its elements may nest at most [`XML_DEPTH_MAX`] deep, counted by a byte scan before any
//!   tree is built: `roxmltree` (and libxml2) recurse per level, and a file nested tens of
//!   thousands deep overflowed a tokio worker's stack and aborted the server (issue 22);
//! - it must be well-formed (checked by `roxmltree`, which never loads anything).
//!
//! libxml2 itself then parses with `XML_PARSE_NONET` (no network), without `XML_PARSE_NOENT`
//! (no entity substitution) nor `XML_PARSE_DTDLOAD`, forced to UTF-8, and the process-wide
//! external entity loader is replaced by one that refuses every load (and counts the attempts,
//! which the tests check stay at zero). A document with an internal subset is refused again
//! after parsing, should one ever get past the first check.
//!
//! All `unsafe` code of the crate is in this module.

// The workspace denies `unsafe_code` (Cargo.toml, docs/guard-rails.md); this module is the one
// exception in the whole workspace: it calls libxml2 through FFI (raw pointers to parsed
// documents and schemas, C callbacks for errors and the entity loader), which Rust cannot
// express without `unsafe`. Every block below says why it is sound.
#![allow(unsafe_code)]

use std::ffi::{c_char, c_int, c_void, CStr};
use std::ptr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};

use crate::error::{FileError, SchemaError, MAX_SCHEMA_ERRORS};
pub use crate::message::Message;

/// Larger files are refused before parsing (a day's statement is a few megabytes).
pub const MAX_FILE_SIZE: usize = 256 * 1024 * 1024;

/// Deepest element nesting accepted. The deepest path of the camt.053/054 and pain.008 schemas
/// we read or write is under 20 levels (`Document/BkToCstmrStmt/Stmt/Ntry/NtryDtls/TxDtls/
/// RltdPties/Dbtr/Pty/Id/OrgId/Othr/SchmeNm/Cd` is 14; the test files reach 12); 64 leaves
/// room for any bank's extensions while keeping the parsers' recursion far from a 2 MiB stack.
pub const XML_DEPTH_MAX: usize = 64;

/// Which message `xml` is, from its root `Document` element's namespace. Runs the safety
/// checks of this module (UTF-8, no DOCTYPE, well-formed) but not the schema.
pub fn detect(xml: &[u8]) -> Result<Message, FileError> {
    let text = precheck(xml)?;
    let document = parse_tree(text)?;
    message_of(&document)
}

/// Validates `xml` against `message`'s official schema. The document must be that message
/// (its namespace); the first [`MAX_SCHEMA_ERRORS`] violations are returned with their lines.
pub fn validate(message: Message, xml: &[u8]) -> Result<(), FileError> {
    let text = precheck(xml)?;
    let document = parse_tree(text)?;
    let found = message_of(&document)?;
    if found != message {
        return Err(FileError::WrongMessage { expected: message.name().to_string(), found });
    }
    drop(document);
    validate_with_libxml(message, text.as_bytes())
}

/// [`detect`], then [`validate`] against the detected message's schema.
pub fn detect_and_validate(xml: &[u8]) -> Result<Message, FileError> {
    let message = detect(xml)?;
    validate(message, xml)?;
    Ok(message)
}

// ---------------------------------------------------------------------------------------------
// Checks before any parser runs, and the safe tree parser (roxmltree) used by the readers.
// ---------------------------------------------------------------------------------------------

/// Size, UTF-8 and no DTD. Returns the text.
pub(crate) fn precheck(xml: &[u8]) -> Result<&str, FileError> {
    if xml.iter().all(u8::is_ascii_whitespace) {
        return Err(FileError::Empty);
    }
    if xml.len() > MAX_FILE_SIZE {
        return Err(FileError::TooLarge { size: xml.len(), max: MAX_FILE_SIZE });
    }
    let text = std::str::from_utf8(xml).map_err(|e| FileError::NotUtf8 { position: e.valid_up_to() })?;
    for declaration in ["<!DOCTYPE", "<!ENTITY"] {
        if let Some(at) = text.find(declaration) {
            let line = text[..at].matches('\n').count() as u32 + 1;
            return Err(FileError::Doctype { declaration, line });
        }
    }
    check_depth(text)?;
    Ok(text)
}

/// Refuses a document whose elements nest deeper than [`XML_DEPTH_MAX`], without building
/// anything: one pass over the bytes counting start tags (not self-closing ones) minus end
/// tags, skipping comments, CDATA sections, processing instructions and declarations, and
/// reading attribute values as opaque (`>` is allowed unescaped in them). The error gives the
/// deepest level reached and the line where the limit was first passed.
///
/// On a malformed document the count may differ from what a parser would see, but only after
/// the first malformation, where `roxmltree` stops anyway; it never counts less on a
/// well-formed prefix.
fn check_depth(text: &str) -> Result<(), FileError> {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut deepest = 0usize;
    let mut first_over: Option<usize> = None;
    let mut at = 0usize;
    while let Some(offset) = bytes[at..].iter().position(|&b| b == b'<') {
        let start = at + offset;
        let rest = &bytes[start..];
        at = if rest.starts_with(b"<!--") {
            skip_past(bytes, start + 4, b"-->")
        } else if rest.starts_with(b"<![CDATA[") {
            skip_past(bytes, start + 9, b"]]>")
        } else if rest.starts_with(b"<?") {
            skip_past(bytes, start + 2, b"?>")
        } else if rest.starts_with(b"<!") {
            skip_past(bytes, start + 2, b">")
        } else if rest.starts_with(b"</") {
            depth = depth.saturating_sub(1);
            skip_past(bytes, start + 2, b">")
        } else {
            let end = tag_end(bytes, start + 1);
            let self_closing = end < bytes.len() && bytes[end - 1] == b'/';
            if !self_closing {
                depth += 1;
                deepest = deepest.max(depth);
                if depth > XML_DEPTH_MAX && first_over.is_none() {
                    first_over = Some(start);
                }
            }
            end + 1
        };
        if at >= bytes.len() {
            break;
        }
    }
    match first_over {
        None => Ok(()),
        Some(at) => {
            let line = bytes[..at].iter().filter(|&&b| b == b'\n').count() as u32 + 1;
            Err(FileError::TooDeep { depth: deepest, max: XML_DEPTH_MAX, line })
        }
    }
}

/// The position just after the first `needle` at or after `from` (the end when there is none).
fn skip_past(bytes: &[u8], from: usize, needle: &[u8]) -> usize {
    bytes
        .get(from..)
        .and_then(|rest| rest.windows(needle.len()).position(|window| window == needle))
        .map_or(bytes.len(), |found| from + found + needle.len())
}

/// The position of the `>` closing the start tag whose name begins at `from`, quotes of
/// attribute values respected (the end when there is none).
fn tag_end(bytes: &[u8], from: usize) -> usize {
    let mut quote: Option<u8> = None;
    for (position, &byte) in bytes.iter().enumerate().skip(from) {
        match quote {
            Some(open) if byte == open => quote = None,
            Some(_) => {}
            None if byte == b'"' || byte == b'\'' => quote = Some(byte),
            None if byte == b'>' => return position,
            None => {}
        }
    }
    bytes.len()
}

/// Parses well-formed XML into a tree (no DTD allowed, nothing loaded from outside).
pub(crate) fn parse_tree(text: &str) -> Result<roxmltree::Document<'_>, FileError> {
    let options = roxmltree::ParsingOptions { allow_dtd: false, ..roxmltree::ParsingOptions::default() };
    roxmltree::Document::parse_with_options(text, options).map_err(|error| {
        let position = error.pos();
        FileError::NotXml { line: position.row, column: position.col, detail: error.to_string() }
    })
}

pub(crate) fn message_of(document: &roxmltree::Document<'_>) -> Result<Message, FileError> {
    let root = document.root_element();
    let namespace = root.tag_name().namespace().unwrap_or("");
    let unknown =
        || FileError::UnknownMessage { root: root.tag_name().name().to_string(), namespace: namespace.to_string() };
    if root.tag_name().name() != "Document" {
        return Err(unknown());
    }
    Message::from_namespace(namespace).ok_or_else(unknown)
}

// ---------------------------------------------------------------------------------------------
// libxml2
// ---------------------------------------------------------------------------------------------

/// `struct _xmlError` (libxml2 2.9 – 2.13 layout, `xmlerror.h`).
#[repr(C)]
struct XmlError {
    domain: c_int,
    code: c_int,
    message: *mut c_char,
    level: c_int,
    file: *mut c_char,
    line: c_int,
    str1: *mut c_char,
    str2: *mut c_char,
    str3: *mut c_char,
    int1: c_int,
    int2: c_int,
    ctxt: *mut c_void,
    node: *mut c_void,
}

/// `XML_ERR_ERROR`: levels below are warnings, which do not make a document invalid.
const XML_ERR_ERROR: c_int = 2;
/// `XML_PARSE_NONET`: forbid network access.
const XML_PARSE_NONET: c_int = 1 << 11;
/// `XML_PARSE_BIG_LINES`: report line numbers above 65535 correctly.
const XML_PARSE_BIG_LINES: c_int = 1 << 22;

#[repr(C)]
struct XmlDoc {
    _private: [u8; 0],
}
#[repr(C)]
struct XmlSchemaParserCtxt {
    _private: [u8; 0],
}
#[repr(C)]
struct XmlSchema {
    _private: [u8; 0],
}
#[repr(C)]
struct XmlSchemaValidCtxt {
    _private: [u8; 0],
}

type StructuredErrorFunc = extern "C" fn(user_data: *mut c_void, error: *mut XmlError);
type ExternalEntityLoader = extern "C" fn(url: *const c_char, id: *const c_char, context: *mut c_void) -> *mut c_void;

#[link(name = "xml2")]
extern "C" {
    fn xmlInitParser();
    fn xmlSetExternalEntityLoader(loader: Option<ExternalEntityLoader>);
    fn xmlSetStructuredErrorFunc(context: *mut c_void, handler: Option<StructuredErrorFunc>);
    fn xmlReadMemory(
        buffer: *const c_char,
        size: c_int,
        url: *const c_char,
        encoding: *const c_char,
        options: c_int,
    ) -> *mut XmlDoc;
    fn xmlGetIntSubset(doc: *const XmlDoc) -> *mut c_void;
    fn xmlFreeDoc(doc: *mut XmlDoc);
    fn xmlSchemaNewMemParserCtxt(buffer: *const c_char, size: c_int) -> *mut XmlSchemaParserCtxt;
    fn xmlSchemaSetParserStructuredErrors(
        context: *mut XmlSchemaParserCtxt,
        handler: Option<StructuredErrorFunc>,
        user_data: *mut c_void,
    );
    fn xmlSchemaParse(context: *mut XmlSchemaParserCtxt) -> *mut XmlSchema;
    fn xmlSchemaFreeParserCtxt(context: *mut XmlSchemaParserCtxt);
    fn xmlSchemaFree(schema: *mut XmlSchema);
    fn xmlSchemaNewValidCtxt(schema: *mut XmlSchema) -> *mut XmlSchemaValidCtxt;
    fn xmlSchemaSetValidStructuredErrors(
        context: *mut XmlSchemaValidCtxt,
        handler: Option<StructuredErrorFunc>,
        user_data: *mut c_void,
    );
    fn xmlSchemaValidateDoc(context: *mut XmlSchemaValidCtxt, doc: *mut XmlDoc) -> c_int;
    fn xmlSchemaFreeValidCtxt(context: *mut XmlSchemaValidCtxt);
}

/// How many times libxml2 asked to load an external resource (DTD, entity, schema import).
/// Every request is refused; the tests check that none is even made.
static EXTERNAL_LOADS: AtomicUsize = AtomicUsize::new(0);

/// The number of external loads libxml2 attempted (and that were refused) in this process.
pub fn refused_external_loads() -> usize {
    EXTERNAL_LOADS.load(Ordering::SeqCst)
}

extern "C" fn refuse_external_entity(_url: *const c_char, _id: *const c_char, _context: *mut c_void) -> *mut c_void {
    EXTERNAL_LOADS.fetch_add(1, Ordering::SeqCst);
    ptr::null_mut()
}

/// Initialises libxml2 once per process (required before use from several threads) and
/// installs the loader that refuses every external resource.
fn init_libxml() {
    static INIT: OnceLock<()> = OnceLock::new();
    INIT.get_or_init(|| {
        // SAFETY: both functions only set library-wide state and are called exactly once,
        // before any other libxml2 call of this crate (every entry point goes through here);
        // the loader is a plain `extern "C"` function that lives for the whole process.
        unsafe {
            xmlInitParser();
            xmlSetExternalEntityLoader(Some(refuse_external_entity));
        }
    });
}

/// Errors reported by libxml2 during one call, collected through a structured error handler.
#[derive(Default)]
struct Collector {
    errors: Vec<SchemaError>,
    count: usize,
}

impl Collector {
    fn as_user_data(&mut self) -> *mut c_void {
        (self as *mut Collector).cast()
    }

    fn first_line(&self) -> u32 {
        self.errors.first().map_or(0, |e| e.line)
    }
}

/// The structured error handler: records errors (not warnings) with their line. Never panics
/// (a panic cannot unwind through libxml2).
extern "C" fn collect_error(user_data: *mut c_void, error: *mut XmlError) {
    if user_data.is_null() || error.is_null() {
        return;
    }
    // SAFETY: `user_data` is the `Collector` that `validate_with_libxml` or `compile` passed
    // with this handler; it outlives the libxml2 call that reports the error and nothing else
    // touches it meanwhile. `error` points to libxml2's error record, valid during the call.
    let (collector, error) = unsafe { (&mut *user_data.cast::<Collector>(), &*error) };
    if error.level < XML_ERR_ERROR {
        return;
    }
    collector.count += 1;
    if collector.errors.len() >= MAX_SCHEMA_ERRORS {
        return;
    }
    let raw = if error.message.is_null() {
        String::from("erreur sans message")
    } else {
        // SAFETY: a non-null `message` is a NUL-terminated C string owned by libxml2 for the
        // duration of the callback; it is copied here.
        unsafe { CStr::from_ptr(error.message) }.to_string_lossy().into_owned()
    };
    collector.errors.push(SchemaError { line: u32::try_from(error.line).unwrap_or(0), message: french(&raw) });
}

/// Routes this thread's generic libxml2 errors (parser errors) to a collector while alive.
/// libxml2 keeps this handler per thread (it is built thread-enabled on Debian).
struct ThreadErrorHandler;

impl ThreadErrorHandler {
    /// `user_data` must point to a `Collector` that outlives the returned guard and that is
    /// not otherwise accessed while the guard lives.
    fn install(user_data: *mut c_void) -> ThreadErrorHandler {
        // SAFETY: sets this thread's structured error handler; per this function's contract the
        // collector behind `user_data` outlives the guard, which removes the handler on drop.
        unsafe { xmlSetStructuredErrorFunc(user_data, Some(collect_error)) };
        ThreadErrorHandler
    }
}

impl Drop for ThreadErrorHandler {
    fn drop(&mut self) {
        // SAFETY: restores the default (no structured handler) for this thread.
        unsafe { xmlSetStructuredErrorFunc(ptr::null_mut(), None) };
    }
}

/// A compiled schema. libxml2 does not document validation against one schema from several
/// threads at once as safe, so each is used under a `Mutex`.
struct CompiledSchema(*mut XmlSchema);

// SAFETY: the pointer is owned by this value and only used under the Mutex that holds it.
unsafe impl Send for CompiledSchema {}

impl Drop for CompiledSchema {
    fn drop(&mut self) {
        // SAFETY: the pointer came from `xmlSchemaParse`, is non-null and is freed only here.
        unsafe { xmlSchemaFree(self.0) };
    }
}

fn compile(xsd: &[u8]) -> Result<CompiledSchema, String> {
    init_libxml();
    let size = c_int::try_from(xsd.len()).map_err(|_| "schéma trop grand".to_string())?;
    let mut collector = Collector::default();
    // One pointer for both handlers; `collector` is read only after the handlers are gone.
    let user_data = collector.as_user_data();
    let handler = ThreadErrorHandler::install(user_data);
    // SAFETY: `xsd` is valid for `size` bytes for the whole block (libxml2 copies nothing it
    // keeps after parsing); the parser context is freed on every path; the collector outlives
    // the context that reports to it.
    let schema = unsafe {
        let context = xmlSchemaNewMemParserCtxt(xsd.as_ptr().cast(), size);
        if context.is_null() {
            return Err("impossible de créer le contexte d'analyse du schéma".into());
        }
        xmlSchemaSetParserStructuredErrors(context, Some(collect_error), user_data);
        let schema = xmlSchemaParse(context);
        xmlSchemaFreeParserCtxt(context);
        schema
    };
    drop(handler);
    if schema.is_null() {
        let reasons = collector.errors.iter().map(ToString::to_string).collect::<Vec<_>>().join(" ; ");
        return Err(format!("schéma illisible : {reasons}"));
    }
    Ok(CompiledSchema(schema))
}

/// The compiled schema of `message`, parsed on first use and kept for the process.
fn schema(message: Message) -> Result<&'static Mutex<CompiledSchema>, FileError> {
    static SCHEMAS: [OnceLock<Result<Mutex<CompiledSchema>, String>>; Message::ALL.len()] =
        [const { OnceLock::new() }; Message::ALL.len()];
    let (Some(index), Some(xsd)) = (message.index(), message.xsd()) else {
        return Err(FileError::Internal(format!("pas de schéma embarqué pour {message}")));
    };
    SCHEMAS[index]
        .get_or_init(|| compile(xsd).map(Mutex::new))
        .as_ref()
        .map_err(|reason| FileError::Internal(format!("{message} : {reason}")))
}

/// Validates against the message's own schema, or, for a version not shipped, against the
/// closest shipped versions ([`Message::schemas`]): the document's namespace is rewritten to the
/// other version's (same length, so lines and columns stay) and it is valid when one of them
/// accepts it; otherwise the errors are those of the first (closest) schema.
pub(crate) fn validate_with_libxml(message: Message, xml: &[u8]) -> Result<(), FileError> {
    let candidates = message.schemas();
    let Some(first) = candidates.first().copied() else {
        return Err(FileError::Internal(format!("aucun schéma pour {message}")));
    };
    if first == message {
        return validate_against(message, xml);
    }
    let text = std::str::from_utf8(xml).map_err(|e| FileError::NotUtf8 { position: e.valid_up_to() })?;
    let mut first_error = None;
    for candidate in candidates {
        let rewritten = text.replace(&message.namespace(), &candidate.namespace());
        match validate_against(candidate, rewritten.as_bytes()) {
            Ok(()) => return Ok(()),
            Err(error) => {
                first_error.get_or_insert(error);
            }
        }
    }
    Err(first_error.unwrap_or_else(|| FileError::Internal(format!("aucun schéma pour {message}"))))
}

/// Validates `xml` against the shipped schema of `message`.
fn validate_against(message: Message, xml: &[u8]) -> Result<(), FileError> {
    let schema = schema(message)?;
    let size = c_int::try_from(xml.len()).map_err(|_| FileError::TooLarge { size: xml.len(), max: MAX_FILE_SIZE })?;
    let mut collector = Collector::default();

    // Parse.
    let handler = ThreadErrorHandler::install(collector.as_user_data());
    // SAFETY: `xml` is valid for `size` bytes during the call; the URL may be null; the
    // encoding is a static NUL-terminated string. The returned document is freed below.
    let doc = unsafe {
        xmlReadMemory(xml.as_ptr().cast(), size, ptr::null(), c"UTF-8".as_ptr(), XML_PARSE_NONET | XML_PARSE_BIG_LINES)
    };
    drop(handler);
    if doc.is_null() {
        let first = collector.errors.first().map_or_else(|| "document illisible".to_string(), |e| e.message.clone());
        return Err(FileError::NotXml { line: collector.first_line(), column: 0, detail: first });
    }
    let doc = OwnedDoc(doc);
    // SAFETY: `doc.0` is a valid document until `doc` is dropped.
    if !unsafe { xmlGetIntSubset(doc.0) }.is_null() {
        return Err(FileError::Doctype { declaration: "<!DOCTYPE", line: 1 });
    }

    // Validate.
    let mut collector = Collector::default();
    let guard = schema.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    // SAFETY: the schema pointer is valid (owned by the static, never freed) and used by this
    // thread alone while the guard is held; the validation context is freed before the guard
    // is released; the collector outlives the context that reports to it; `doc.0` is valid.
    let outcome = unsafe {
        let context = xmlSchemaNewValidCtxt(guard.0);
        if context.is_null() {
            return Err(FileError::Internal("impossible de créer le contexte de validation".into()));
        }
        xmlSchemaSetValidStructuredErrors(context, Some(collect_error), collector.as_user_data());
        let outcome = xmlSchemaValidateDoc(context, doc.0);
        xmlSchemaFreeValidCtxt(context);
        outcome
    };
    drop(guard);
    match outcome {
        0 => Ok(()),
        n if n > 0 || collector.count > 0 => {
            let count = collector.count.max(collector.errors.len()).max(1);
            Err(FileError::Invalid { message, errors: collector.errors, count })
        }
        _ => Err(FileError::Internal(format!("libxml2 n'a pas pu valider le document (code {outcome})"))),
    }
}

/// A parsed libxml2 document, freed on drop.
struct OwnedDoc(*mut XmlDoc);

impl Drop for OwnedDoc {
    fn drop(&mut self) {
        // SAFETY: the pointer came from `xmlReadMemory`, is non-null and is freed only here.
        unsafe { xmlFreeDoc(self.0) };
    }
}

// ---------------------------------------------------------------------------------------------
// libxml2's English messages, with French context for the officer.
// ---------------------------------------------------------------------------------------------

/// Rewrites libxml2's common schema messages in French (element and value first), and removes
/// the long namespace URNs. Unknown messages keep libxml2's English text after the element.
fn french(raw: &str) -> String {
    let text = strip_namespaces(raw.trim());
    if let Some(rest) = text.strip_prefix("Element '") {
        if let Some((element, rest)) = rest.split_once('\'') {
            if let Some(rest) = rest.strip_prefix(", attribute '") {
                if let Some((attribute, reason)) = rest.split_once("': ") {
                    return format!("élément {element}, attribut {attribute} : {}", french_reason(reason));
                }
            }
            if let Some(reason) = rest.strip_prefix(": ") {
                return format!("élément {element} : {}", french_reason(reason));
            }
        }
    }
    french_reason(&text)
}

fn french_reason(reason: &str) -> String {
    let reason = reason.trim();
    let expected = |text: &str| {
        text.split_once("Expected is ").map(|(_, list)| {
            let list = list.trim_end_matches('.').trim().trim_start_matches("one of").trim();
            list.trim_start_matches('(').trim_end_matches(')').trim().to_string()
        })
    };
    if reason.starts_with("This element is not expected.") {
        return match expected(reason) {
            Some(list) => format!("élément inattendu à cet endroit ; attendu : {list}"),
            None => "élément inattendu à cet endroit".to_string(),
        };
    }
    if reason.starts_with("Missing child element(s).") {
        return format!("élément(s) obligatoire(s) manquant(s) ; attendu : {}", expected(reason).unwrap_or_default());
    }
    if let Some(rest) = reason.strip_prefix('\'') {
        if let Some((value, rest)) = rest.split_once("' is not a valid value of the ") {
            let kind = rest.trim_end_matches('.').replace("atomic type", "type").replace("local ", "");
            return format!("valeur « {value} » invalide ({kind})");
        }
    }
    if let Some(rest) = reason.strip_prefix("[facet '") {
        if let Some((facet, detail)) = rest.split_once("'] ") {
            // Quoted items: the value first when libxml2 gives it, then the numbers.
            let quoted: Vec<&str> = detail.split('\'').skip(1).step_by(2).collect();
            let (value, numbers) = match (detail.starts_with("The value '"), quoted.split_first()) {
                (true, Some((value, numbers))) => (*value, numbers),
                _ => ("…", quoted.as_slice()),
            };
            return match facet {
                "pattern" => format!(
                    "valeur « {value} » non conforme au format attendu ({})",
                    between(detail, "the pattern '", "'").unwrap_or_default()
                ),
                "maxLength" => format!(
                    "valeur « {value} » trop longue ({} caractères, au plus {})",
                    numbers.first().unwrap_or(&"?"),
                    numbers.get(1).unwrap_or(&"?")
                ),
                "minLength" | "length" => format!(
                    "valeur « {value} » de longueur incorrecte ({} caractère(s), attendu {})",
                    numbers.first().unwrap_or(&"?"),
                    numbers.get(1).unwrap_or(&"?")
                ),
                "enumeration" => format!(
                    "valeur « {value} » hors de la liste autorisée {}",
                    detail.split_once("the set ").map_or("", |(_, set)| set.trim_end_matches('.'))
                ),
                "fractionDigits" => format!("valeur « {value} » : trop de décimales"),
                "totalDigits" => format!("valeur « {value} » : trop de chiffres"),
                "minInclusive" | "minExclusive" => format!("valeur « {value} » trop petite"),
                "maxInclusive" | "maxExclusive" => format!("valeur « {value} » trop grande"),
                _ => format!("contrainte {facet} non respectée : {detail}"),
            };
        }
    }
    if let Some(attribute) = between(reason, "The attribute '", "' is required but missing") {
        return format!("attribut {attribute} obligatoire manquant");
    }
    if let Some(attribute) = between(reason, "The attribute '", "' is not allowed") {
        return format!("attribut {attribute} non autorisé");
    }
    if reason.starts_with("Character content other than whitespace is not allowed") {
        return "texte non autorisé ici (cet élément ne contient que des éléments)".to_string();
    }
    if reason.starts_with("Element content is not allowed") {
        return "élément enfant non autorisé ici (valeur simple attendue)".to_string();
    }
    if reason.starts_with("No matching global declaration available for the validation root") {
        return "l'élément racine n'est pas déclaré par le schéma".to_string();
    }
    reason.to_string()
}

fn between<'a>(text: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let (_, rest) = text.split_once(start)?;
    rest.split_once(end).map(|(inside, _)| inside)
}

/// Removes `{urn:…}` and `{http…}` namespace prefixes from element names; keeps other braces
/// (patterns such as `[A-Z]{3,3}`).
fn strip_namespaces(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('{') {
        let after = &rest[at + 1..];
        out.push_str(&rest[..at]);
        match after.find('}') {
            Some(close) if after.starts_with("urn:") || after.starts_with("http") => rest = &after[close + 1..],
            _ => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const CAMT053_V02: &[u8] = include_bytes!("../tests/data/camt053_v02_cic.xml");

    #[test]
    fn detects_every_message_by_namespace() {
        for message in Message::ALL {
            let xml = format!("<?xml version=\"1.0\"?><Document xmlns=\"{}\"/>", message.namespace());
            assert_eq!(detect(xml.as_bytes()), Ok(message));
        }
        assert_eq!(Message::Camt053(5).schemas(), [Message::Camt053(4), Message::Camt053(8)]);
        assert_eq!(Message::Camt054(3).schemas(), [Message::Camt054(2), Message::Camt054(4)]);
        assert_eq!(Message::Camt053(12).schemas(), [Message::Camt053(8)]);
        assert_eq!(Message::Camt053(3).schemas(), [Message::Camt053(3)]);
        let other = br#"<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.052.001.05"/>"#;
        assert_eq!(detect(other), Ok(Message::Camt052(5)));
        let unknown = br#"<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.99"/>"#;
        assert!(matches!(detect(unknown), Err(FileError::UnknownMessage { .. })));
        let not_document = br#"<Stmt xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"/>"#;
        assert!(matches!(detect(not_document), Err(FileError::UnknownMessage { .. })));
    }

    #[test]
    fn every_embedded_schema_compiles() {
        for message in Message::ALL {
            assert!(schema(message).is_ok(), "{message}");
        }
    }

    #[test]
    fn a_valid_statement_validates() {
        assert_eq!(validate(Message::Camt053V02, CAMT053_V02), Ok(()));
        let wrong = validate(Message::Camt054V02, CAMT053_V02).unwrap_err();
        assert!(matches!(wrong, FileError::WrongMessage { found: Message::Camt053V02, .. }), "{wrong}");
    }

    #[test]
    fn schema_errors_name_the_line_element_and_value() {
        let text = std::str::from_utf8(CAMT053_V02).unwrap();
        let line = text.lines().position(|l| l.contains("<Amt Ccy=\"EUR\">150.00</Amt>")).unwrap() as u32 + 1;
        let bad = text.replacen("<Amt Ccy=\"EUR\">150.00</Amt>", "<Amt Ccy=\"EUR\">12,5</Amt>", 1);
        let error = validate(Message::Camt053V02, bad.as_bytes()).unwrap_err();
        let FileError::Invalid { errors, count, .. } = &error else { panic!("{error}") };
        assert_eq!(*count, 1);
        assert_eq!(errors[0].line, line);
        let shown = error.to_string();
        assert!(shown.contains(&format!("ligne {line} : élément Amt : valeur « 12,5 » invalide")), "{shown}");
        assert!(shown.starts_with("le fichier n'est pas conforme au schéma camt.053.001.02"), "{shown}");
    }

    #[test]
    fn an_unexpected_element_is_named() {
        let text = std::str::from_utf8(CAMT053_V02).unwrap();
        let line = text.lines().position(|l| l.contains("<CdtDbtInd>")).unwrap() as u32 + 1;
        let bad = text.replacen("<CdtDbtInd>", "<Sens>", 1).replacen("</CdtDbtInd>", "</Sens>", 1);
        let error = validate(Message::Camt053V02, bad.as_bytes()).unwrap_err();
        let FileError::Invalid { errors, .. } = &error else { panic!("{error}") };
        assert_eq!(errors[0].line, line, "{error}");
        assert!(
            errors[0].message.starts_with("élément Sens : élément inattendu à cet endroit ; attendu : "),
            "{error}"
        );
    }

    #[test]
    fn many_errors_are_capped_and_counted() {
        let text = std::str::from_utf8(CAMT053_V02).unwrap();
        let bad = text.replace("<Cd>BOOK</Cd>", "<Cd>XXXX</Cd>").replace("Ccy=\"EUR\"", "Ccy=\"eur\"");
        let error = validate(Message::Camt053V02, bad.as_bytes()).unwrap_err();
        let FileError::Invalid { errors, count, .. } = &error else { panic!("{error}") };
        assert_eq!(errors.len(), MAX_SCHEMA_ERRORS);
        assert!(*count > MAX_SCHEMA_ERRORS);
        assert!(error.to_string().contains("autre(s)"), "{error}");
        assert!(errors[0].message.contains("attribut Ccy"), "{error}");
    }

    #[test]
    fn non_xml_and_non_utf8_are_refused() {
        assert_eq!(detect(b""), Err(FileError::Empty));
        assert!(matches!(detect(b"Date;Montant\n2024-01-02;12,50\n"), Err(FileError::NotXml { line: 1, .. })));
        assert!(matches!(detect(b"\xff\xfe<\x00D\x00"), Err(FileError::NotUtf8 { position: 0 })));
        let unclosed =
            b"<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.053.001.02\">\n<BkToCstmrStmt>\n</Document>";
        let error = validate(Message::Camt053V02, unclosed).unwrap_err();
        assert!(matches!(error, FileError::NotXml { line: 3, .. }), "{error}");
        assert!(error.to_string().starts_with("le fichier n'est pas du XML bien formé : ligne 3"), "{error}");
    }

    #[test]
    fn xxe_is_refused_without_reading_anything() {
        let before = refused_external_loads();
        let xxe = br#"<?xml version="1.0"?>
<!DOCTYPE Document [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> ]>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt>&xxe;</BkToCstmrStmt></Document>"#;
        for outcome in [detect(xxe).map(|_| ()), validate(Message::Camt053V02, xxe)] {
            let error = outcome.unwrap_err();
            assert!(matches!(error, FileError::Doctype { line: 2, .. }), "{error}");
            assert!(error.to_string().contains("XXE"));
        }
        let external = br#"<!DOCTYPE Document SYSTEM "http://example.invalid/evil.dtd"><Document/>"#;
        assert!(matches!(detect(external), Err(FileError::Doctype { line: 1, .. })));
        // Straight to libxml2, bypassing the first checks: the entity is not expanded, nothing
        // is loaded, and the document is refused.
        let error = validate_with_libxml(Message::Camt053V02, xxe).unwrap_err();
        assert!(matches!(error, FileError::Doctype { .. }), "{error}");
        let parameter = br#"<!DOCTYPE d [ <!ENTITY % p SYSTEM "file:///etc/passwd"> %p; ]><d/>"#;
        assert!(validate_with_libxml(Message::Camt053V02, parameter).is_err());
        assert_eq!(refused_external_loads(), before, "libxml2 must not even try to load an external resource");
    }

    #[test]
    fn validation_works_from_several_threads() {
        let handles: Vec<_> = (0..4)
            .map(|_| std::thread::spawn(|| (0..5).all(|_| validate(Message::Camt053V02, CAMT053_V02).is_ok())))
            .collect();
        assert!(handles.into_iter().all(|h| h.join().unwrap()));
    }

    #[test]
    fn a_compiled_schema_can_be_freed() {
        let compiled = compile(Message::Pain008V02.xsd().unwrap()).unwrap();
        drop(compiled);
        assert!(compile(b"<not a schema").is_err());
    }

    #[test]
    fn french_rewrites_the_common_messages() {
        assert_eq!(
            french("Element '{urn:iso:std:iso:20022:tech:xsd:pain.008.001.02}BIC': [facet 'pattern'] The value 'ABC' is not accepted by the pattern '[A-Z]{6,6}[A-Z2-9][A-NP-Z0-9]([A-Z0-9]{3,3}){0,1}'.\n"),
            "élément BIC : valeur « ABC » non conforme au format attendu ([A-Z]{6,6}[A-Z2-9][A-NP-Z0-9]([A-Z0-9]{3,3}){0,1})"
        );
        assert_eq!(
            french("Element '{urn:x}MsgId': [facet 'maxLength'] The value 'AAAA' has a length of '36'; this exceeds the allowed maximum length of '35'."),
            "élément MsgId : valeur « AAAA » trop longue (36 caractères, au plus 35)"
        );
        assert_eq!(
            french("Element '{urn:x}GrpHdr': Missing child element(s). Expected is ( {urn:x}CreDtTm )."),
            "élément GrpHdr : élément(s) obligatoire(s) manquant(s) ; attendu : CreDtTm"
        );
        assert_eq!(
            french("Element '{urn:x}Id': [facet 'maxLength'] The value has a length of '36'; this exceeds the allowed maximum length of '35'."),
            "élément Id : valeur « … » trop longue (36 caractères, au plus 35)"
        );
        assert_eq!(
            french("Element 'Amt': The attribute 'Ccy' is required but missing."),
            "élément Amt : attribut Ccy obligatoire manquant"
        );
    }
}
