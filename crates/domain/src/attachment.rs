//! Incoming documents (issue 17, item 6): the scans an officer attaches to a case — a court
//! decision, a bailiff's act, an acknowledgement of receipt, a death certificate… — recognised by
//! their content, never by their name.
//!
//! A file named `jugement.pdf` may be anything; what is stored and later served to a colleague
//! must be what it claims to be. [`detect`] reads the leading signature (the "magic bytes") and
//! checks the file's minimal structure (a PDF ends with its `%%EOF` marker, ISO 32000-1 §7.5.5;
//! a JPEG with its end-of-image marker, ITU T.81 Annex B; a PNG with its `IEND` chunk, ISO/IEC
//! 15948 §11.2.5), so that an executable, an HTML page or a truncated upload renamed `.pdf` is
//! refused before anything is written. It does not try to tell a harmless PDF from a malicious
//! one: the files are served as attachments (`Content-Disposition: attachment`), never rendered
//! by our pages.

use crate::vocabulary::{Family, TERMS};

/// The largest scan accepted: a multi-page court decision scanned at 300 dpi fits easily; more is
/// a mistake (a whole day's mail in one file) that would bloat the database.
pub const MAX_ATTACHMENT_BYTES: usize = 20 * 1024 * 1024;

/// How far from the end a file's closing marker may sit: PDF writers and scanners append a few
/// bytes of padding or a newline after it (Acrobat looks for `%%EOF` within the last 1024 bytes).
const TRAILER_WINDOW: usize = 1024;

/// The formats an incoming document may have.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum FileFormat {
    Pdf,
    Jpeg,
    Png,
}

impl FileFormat {
    pub const ALL: [FileFormat; 3] = [FileFormat::Pdf, FileFormat::Jpeg, FileFormat::Png];

    /// The code stored with the document.
    pub fn code(self) -> &'static str {
        match self {
            FileFormat::Pdf => "pdf",
            FileFormat::Jpeg => "jpeg",
            FileFormat::Png => "png",
        }
    }

    pub fn from_code(code: &str) -> Option<FileFormat> {
        FileFormat::ALL.into_iter().find(|format| format.code() == code)
    }

    /// The media type the document is served with.
    pub fn media_type(self) -> &'static str {
        match self {
            FileFormat::Pdf => "application/pdf",
            FileFormat::Jpeg => "image/jpeg",
            FileFormat::Png => "image/png",
        }
    }

    /// The file name extension the document is served with, whatever it was uploaded as.
    pub fn extension(self) -> &'static str {
        match self {
            FileFormat::Pdf => "pdf",
            FileFormat::Jpeg => "jpg",
            FileFormat::Png => "png",
        }
    }

    /// What a screen says of the format.
    pub fn label(self) -> &'static str {
        match self {
            FileFormat::Pdf => "PDF",
            FileFormat::Jpeg => "image JPEG",
            FileFormat::Png => "image PNG",
        }
    }
}

/// Why a file is not an accepted document.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FormatError {
    #[error("le fichier est vide : choisissez le fichier numérisé")]
    Empty,
    #[error(
        "le contenu du fichier n'est ni un PDF, ni une image JPEG, ni une image PNG (quel que soit son nom) : \
         numérisez le document dans l'un de ces formats"
    )]
    Unrecognised,
    #[error("le fichier commence comme un {} mais n'en a pas la fin : il est tronqué ou endommagé ; \
             envoyez-le de nouveau", .0.label())]
    Truncated(FileFormat),
}

/// The format of `bytes`, read from their content: the leading signature, then the closing
/// marker the format requires.
pub fn detect(bytes: &[u8]) -> Result<FileFormat, FormatError> {
    if bytes.is_empty() {
        return Err(FormatError::Empty);
    }
    let format = if is_pdf_header(bytes) {
        FileFormat::Pdf
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        FileFormat::Jpeg
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        // The first chunk of a PNG is always its 13-byte header (ISO/IEC 15948 §5.6).
        if bytes.get(8..16) != Some(b"\x00\x00\x00\x0dIHDR".as_slice()) {
            return Err(FormatError::Truncated(FileFormat::Png));
        }
        FileFormat::Png
    } else {
        return Err(FormatError::Unrecognised);
    };
    let tail = &bytes[bytes.len().saturating_sub(TRAILER_WINDOW)..];
    let closed = match format {
        FileFormat::Pdf => contains(tail, b"%%EOF"),
        // At least the start-of-image and end-of-image markers.
        FileFormat::Jpeg => bytes.len() >= 4 && contains(tail, &[0xFF, 0xD9]),
        FileFormat::Png => contains(tail, b"IEND"),
    };
    if closed {
        Ok(format)
    } else {
        Err(FormatError::Truncated(format))
    }
}

/// `%PDF-` and a version `d.d` (ISO 32000-1 §7.5.2), at the very start.
fn is_pdf_header(bytes: &[u8]) -> bool {
    match bytes.get(..8) {
        Some([b'%', b'P', b'D', b'F', b'-', major, b'.', minor]) => major.is_ascii_digit() && minor.is_ascii_digit(),
        _ => false,
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|window| window == needle)
}

/// The kinds of incoming document (codes with their French label in the vocabulary,
/// [`Family::AttachmentKind`]), in the vocabulary's order.
pub fn kinds() -> impl Iterator<Item = (&'static str, &'static str)> {
    TERMS.iter().filter(|(family, _, _)| *family == Family::AttachmentKind).map(|(_, code, label)| (*code, *label))
}

/// Whether `code` is a kind of incoming document.
pub fn is_kind(code: &str) -> bool {
    kinds().any(|(known, _)| known == code)
}

/// Characters of a file name kept, before the extension.
const FILE_STEM_CHARS_MAX: usize = 80;

/// A file name safe to send in a `Content-Disposition` header and to save on any system: the
/// stem of `uploaded` with accents dropped and anything but letters, digits, `-` and `_` turned
/// into `_`, then the extension of the detected format (a scan uploaded as `.PDF`, `.jpeg` or
/// without extension is served as what it is). `fallback` when nothing is left of the name.
pub fn safe_file_name(uploaded: &str, format: FileFormat, fallback: &str) -> String {
    // The last path element only: browsers on Windows used to send the whole path.
    let base = uploaded.rsplit(['/', '\\']).next().unwrap_or("");
    let stem = match base.rsplit_once('.') {
        Some((stem, _)) if !stem.is_empty() => stem,
        _ => base,
    };
    let mut safe = String::new();
    for character in stem.chars().flat_map(unaccented) {
        let kept = if character.is_ascii_alphanumeric() || character == '-' { character } else { '_' };
        // No runs of `_`: « Jugement du 3 mars » reads `Jugement_du_3_mars`.
        if !(kept == '_' && safe.ends_with('_')) {
            safe.push(kept);
        }
        if safe.len() >= FILE_STEM_CHARS_MAX {
            break;
        }
    }
    let safe = safe.trim_matches('_');
    let stem = if safe.is_empty() { fallback } else { safe };
    format!("{stem}.{}", format.extension())
}

/// The letters of `character` without their accent (the French ones; others pass unchanged).
fn unaccented(character: char) -> impl Iterator<Item = char> {
    let plain: &str = match character {
        'à' | 'â' | 'ä' | 'á' | 'ã' => "a",
        'À' | 'Â' | 'Ä' | 'Á' | 'Ã' => "A",
        'é' | 'è' | 'ê' | 'ë' => "e",
        'É' | 'È' | 'Ê' | 'Ë' => "E",
        'î' | 'ï' | 'í' => "i",
        'Î' | 'Ï' | 'Í' => "I",
        'ô' | 'ö' | 'ó' | 'õ' => "o",
        'Ô' | 'Ö' | 'Ó' | 'Õ' => "O",
        'ù' | 'û' | 'ü' | 'ú' => "u",
        'Ù' | 'Û' | 'Ü' | 'Ú' => "U",
        'ç' => "c",
        'Ç' => "C",
        'ÿ' => "y",
        'œ' => "oe",
        'Œ' => "OE",
        'æ' => "ae",
        'Æ' => "AE",
        _ => "",
    };
    let replaced = !plain.is_empty();
    plain.chars().chain((!replaced).then_some(character))
}

#[cfg(test)]
mod tests {
    use super::*;

    const PDF: &[u8] = b"%PDF-1.7\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n";

    fn png() -> Vec<u8> {
        let mut bytes = b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR".to_vec();
        bytes.extend_from_slice(&[0; 17]);
        bytes.extend_from_slice(b"\x00\x00\x00\x00IEND\xae\x42\x60\x82");
        bytes
    }

    #[test]
    fn documents_are_recognised_by_their_content() {
        assert_eq!(detect(PDF), Ok(FileFormat::Pdf));
        assert_eq!(detect(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 16, 0xFF, 0xD9]), Ok(FileFormat::Jpeg));
        assert_eq!(detect(&png()), Ok(FileFormat::Png));
        // `%%EOF` followed by padding, as scanners write it.
        let mut padded = PDF.to_vec();
        padded.extend_from_slice(&[b' '; 600]);
        assert_eq!(detect(&padded), Ok(FileFormat::Pdf));
    }

    #[test]
    fn executables_and_other_files_are_refused_whatever_their_name() {
        for bytes in [
            b"\x7fELF\x02\x01\x01\x00rest of an executable".as_slice(),
            b"MZ\x90\x00\x03\x00\x00\x00 a Windows program",
            b"<html><body>%PDF-1.4 %%EOF</body></html>",
            b"PK\x03\x04 a zip archive",
            b" %PDF-1.4\n%%EOF",
            b"%PDF-x.y\n%%EOF",
        ] {
            assert_eq!(detect(bytes), Err(FormatError::Unrecognised), "{}", String::from_utf8_lossy(bytes));
        }
        assert_eq!(detect(b""), Err(FormatError::Empty));
    }

    #[test]
    fn a_file_without_its_closing_marker_is_refused_as_truncated() {
        assert_eq!(detect(&PDF[..PDF.len() - 7]), Err(FormatError::Truncated(FileFormat::Pdf)));
        assert_eq!(detect(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 16]), Err(FormatError::Truncated(FileFormat::Jpeg)));
        let png = png();
        assert_eq!(detect(&png[..png.len() - 12]), Err(FormatError::Truncated(FileFormat::Png)));
        assert_eq!(detect(b"\x89PNG\r\n\x1a\nIEND"), Err(FormatError::Truncated(FileFormat::Png)));
        // The marker must be near the end, not anywhere in a long file.
        let mut early = PDF.to_vec();
        early.extend_from_slice(&[b'x'; 2000]);
        assert_eq!(detect(&early), Err(FormatError::Truncated(FileFormat::Pdf)));
    }

    #[test]
    fn file_names_are_made_safe_and_take_the_detected_extension() {
        assert_eq!(safe_file_name("Jugement du 3 mars.PDF", FileFormat::Pdf, "piece"), "Jugement_du_3_mars.pdf");
        assert_eq!(safe_file_name("Signification_décès.jpeg", FileFormat::Jpeg, "piece"), "Signification_deces.jpg");
        assert_eq!(safe_file_name("C:\\scans\\acte\"; x=.png", FileFormat::Png, "piece"), "acte_x.png");
        assert_eq!(safe_file_name("../../etc/passwd", FileFormat::Pdf, "piece"), "passwd.pdf");
        assert_eq!(safe_file_name("", FileFormat::Pdf, "piece-3"), "piece-3.pdf");
        assert_eq!(safe_file_name("«»", FileFormat::Pdf, "piece-3"), "piece-3.pdf");
        assert_eq!(safe_file_name("œuvre", FileFormat::Pdf, "x"), "oeuvre.pdf");
        let long = "a".repeat(500);
        assert_eq!(safe_file_name(&long, FileFormat::Pdf, "x").len(), FILE_STEM_CHARS_MAX + 4);
    }

    #[test]
    fn every_kind_has_a_french_label() {
        let codes: Vec<&str> = kinds().map(|(code, _)| code).collect();
        assert_eq!(
            codes,
            [
                "court_decision",
                "bailiff_act",
                "acknowledgement_of_receipt",
                "death_certificate",
                "banque_de_france_decision",
                "debtor_letter",
                "proof_of_income",
                "other"
            ]
        );
        assert!(is_kind("bailiff_act") && !is_kind("executable"));
    }
}
