//! A small reader of `multipart/form-data` bodies (RFC 7578, RFC 2046 §5.1), for the one upload
//! the shell takes: a scan attached to a case (`crate::attachments`).
//!
//! axum reads multipart bodies only through its `multipart` feature, which needs the `multer`
//! crate, not among the crates this workspace may build from (offline, no new download). The
//! body is read whole first, under the route's own size limit (`DefaultBodyLimit`), then cut at
//! its boundaries here; the parts share the body's buffer (no copy of the file).

use axum::body::Bytes;
use recouvre_app::Error;

/// Parts in one form: the upload form has half a dozen fields.
const PARTS_MAX: usize = 32;
/// Bytes of one part's headers.
const PART_HEADERS_MAX: usize = 8 * 1024;

/// One field of a form.
#[derive(Clone, Debug)]
pub struct Part {
    /// The field's name (`name` of its `Content-Disposition`).
    pub name: String,
    /// The file's name, for a file field (`filename`).
    pub file_name: Option<String>,
    pub data: Bytes,
}

impl Part {
    /// The part as text (a plain field).
    pub fn text(&self) -> Result<&str, Error> {
        std::str::from_utf8(&self.data).map_err(|_| {
            Error::invalid(self.name.clone(), "invalid_input", format!("« {} » n'est pas du texte UTF-8", self.name))
        })
    }
}

fn malformed(what: &str) -> Error {
    Error::invalid_input(
        "invalid_multipart",
        format!("formulaire multipart illisible ({what}) : envoyez-le en multipart/form-data, comme un navigateur"),
    )
}

/// The boundary of a `multipart/form-data` content type.
pub fn boundary(content_type: &str) -> Result<String, Error> {
    let mut params = split_params(content_type).into_iter();
    let media_type = params.next().unwrap_or_default();
    if !media_type.trim().eq_ignore_ascii_case("multipart/form-data") {
        return Err(Error::invalid_input(
            "multipart_required",
            "le document s'envoie en multipart/form-data (Content-Type: multipart/form-data; boundary=…)",
        ));
    }
    let boundary = params
        .filter_map(|param| {
            param.split_once('=').map(|(name, value)| (name.trim().to_ascii_lowercase(), value.trim().to_string()))
        })
        .find(|(name, _)| name == "boundary")
        .map(|(_, value)| unquote(&value))
        .filter(|value| !value.is_empty() && value.len() <= 70)
        .ok_or_else(|| malformed("délimiteur « boundary » absent"))?;
    Ok(boundary)
}

/// The parts of a `multipart/form-data` body whose content type is `content_type`.
pub fn parse(content_type: &str, body: &Bytes) -> Result<Vec<Part>, Error> {
    let boundary = boundary(content_type)?;
    let delimiter = format!("--{boundary}");
    let next_delimiter = format!("\r\n--{boundary}");
    // The first delimiter opens the body, or follows a preamble and its line break.
    let mut at = if body.starts_with(delimiter.as_bytes()) {
        0
    } else {
        find(body, next_delimiter.as_bytes(), 0).ok_or_else(|| malformed("délimiteur introuvable"))? + 2
    };
    let mut parts = Vec::new();
    loop {
        let after = at + delimiter.len();
        let rest = body.get(after..).ok_or_else(|| malformed("corps tronqué"))?;
        if rest.starts_with(b"--") {
            return Ok(parts);
        }
        if !rest.starts_with(b"\r\n") {
            return Err(malformed("ligne de délimiteur invalide"));
        }
        if parts.len() == PARTS_MAX {
            return Err(malformed(&format!("plus de {PARTS_MAX} champs")));
        }
        // The headers end at the first empty line (right away for a part without headers).
        let headers_end = find(body, b"\r\n\r\n", after).ok_or_else(|| malformed("en-têtes d'un champ sans fin"))?;
        if headers_end - after > PART_HEADERS_MAX {
            return Err(malformed("en-têtes d'un champ trop longs"));
        }
        let headers = String::from_utf8_lossy(&body[after + 2..headers_end.max(after + 2)]);
        let content_start = headers_end + 4;
        let content_end = find(body, next_delimiter.as_bytes(), content_start)
            .ok_or_else(|| malformed("dernier champ sans délimiteur de fin : corps tronqué"))?;
        if let Some((name, file_name)) = disposition(&headers) {
            parts.push(Part { name, file_name, data: body.slice(content_start..content_end) });
        }
        at = content_end + 2;
    }
}

/// The field name and file name of a part's `Content-Disposition: form-data; name=…; filename=…`.
fn disposition(headers: &str) -> Option<(String, Option<String>)> {
    let line = headers.split("\r\n").find_map(|line| {
        let (name, value) = line.split_once(':')?;
        name.trim().eq_ignore_ascii_case("content-disposition").then_some(value)
    })?;
    let mut params = split_params(line).into_iter();
    if !params.next()?.trim().eq_ignore_ascii_case("form-data") {
        return None;
    }
    let (mut name, mut file_name) = (None, None);
    for param in params {
        let Some((key, value)) = param.split_once('=') else { continue };
        match key.trim().to_ascii_lowercase().as_str() {
            "name" => name = Some(unquote(value.trim())),
            "filename" => file_name = Some(unquote(value.trim())),
            _ => {}
        }
    }
    Some((name?, file_name))
}

/// `text` cut at the `;` outside quoted strings.
fn split_params(text: &str) -> Vec<String> {
    let mut params = vec![String::new()];
    let (mut quoted, mut escaped) = (false, false);
    for character in text.chars() {
        let current = params.last_mut();
        match (character, quoted, escaped) {
            (_, true, true) => escaped = false,
            ('\\', true, false) => escaped = true,
            ('"', _, false) => quoted = !quoted,
            (';', false, _) => {
                params.push(String::new());
                continue;
            }
            _ => {}
        }
        if let Some(current) = current {
            current.push(character);
        }
    }
    params
}

/// A parameter's value without its quotes and escapes; browsers write a `"` in a file name as
/// `%22` (HTML's form encoding), which is read back.
fn unquote(value: &str) -> String {
    let Some(inner) = value.strip_prefix('"').and_then(|value| value.strip_suffix('"')) else {
        return value.to_string();
    };
    let mut text = String::with_capacity(inner.len());
    let mut escaped = false;
    for character in inner.chars() {
        if escaped || character != '\\' {
            text.push(character);
            escaped = false;
        } else {
            escaped = true;
        }
    }
    text.replace("%22", "\"").replace("%0D", "\r").replace("%0A", "\n")
}

/// Where `needle` first occurs in `haystack` from `from`.
fn find(haystack: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    let (first, rest) = needle.split_first()?;
    let mut at = from;
    while let Some(offset) = haystack.get(at..)?.iter().position(|byte| byte == first) {
        let start = at + offset;
        if haystack.get(start + 1..start + needle.len()) == Some(rest) {
            return Some(start);
        }
        at = start + 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    const TYPE: &str = "multipart/form-data; boundary=----x42";

    fn body(text: &str) -> Bytes {
        Bytes::from(text.replace('\n', "\r\n"))
    }

    #[test]
    fn fields_and_files_are_read_with_their_names() {
        let body = body(
            "preamble\n------x42\nContent-Disposition: form-data; name=\"kind\"\n\nbailiff_act\n------x42\n\
             Content-Disposition: form-data; name=\"file\"; filename=\"Acte \\\"1\\\"; signifié.pdf\"\n\
             Content-Type: application/pdf\n\n%PDF-1.7\nline\n\n------x42--\n",
        );
        let parts = parse(TYPE, &body).unwrap();
        assert_eq!(parts.len(), 2);
        assert_eq!((parts[0].name.as_str(), parts[0].text().unwrap()), ("kind", "bailiff_act"));
        assert_eq!(parts[1].name, "file");
        assert_eq!(parts[1].file_name.as_deref(), Some("Acte \"1\"; signifié.pdf"));
        assert_eq!(&parts[1].data[..], b"%PDF-1.7\r\nline\r\n");
    }

    #[test]
    fn a_quoted_boundary_and_an_empty_field_are_read() {
        let body = body("--a b\nContent-Disposition: form-data; name=\"procedure_step\"\n\n\n--a b--");
        let parts = parse("Multipart/Form-Data; charset=utf-8; boundary=\"a b\"", &body).unwrap();
        assert_eq!((parts[0].name.as_str(), parts[0].data.len()), ("procedure_step", 0));
    }

    #[test]
    fn bodies_that_are_not_multipart_forms_are_refused() {
        let refused = |content_type: &str, text: &str| parse(content_type, &body(text)).unwrap_err().code.to_string();
        assert_eq!(refused("application/json", "{}"), "multipart_required");
        assert_eq!(refused("multipart/form-data", "--x--"), "invalid_multipart");
        assert_eq!(refused(TYPE, "nothing here"), "invalid_multipart");
        // Truncated: the last part never closes.
        assert_eq!(
            refused(TYPE, "------x42\nContent-Disposition: form-data; name=\"file\"\n\n%PDF-1.7"),
            "invalid_multipart"
        );
        assert_eq!(refused(TYPE, "------x42garbage"), "invalid_multipart");
    }
}
