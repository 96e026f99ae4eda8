//! The `multipart/form-data` reader of the upload route (crates/web/src/multipart.rs), compiled
//! here on its own: building the web crate whole with AFL++'s instrumentation takes many minutes.
//! The first line of the input is the request's Content-Type, the rest its body.

// The reader's `use recouvre_app::Error` resolves to this crate's stand-in below, and its
// `use axum::body::Bytes` to the shim (fuzz/shim-axum): both only build errors and hold bytes.
extern crate self as recouvre_app;

#[path = "../../../crates/web/src/multipart.rs"]
#[allow(dead_code)]
mod multipart;

/// The two constructors of `recouvre_app::Error` the reader calls.
#[derive(Debug)]
pub struct Error;

impl Error {
    pub fn invalid(_field: impl Into<String>, _code: &'static str, _message: impl Into<String>) -> Error {
        Error
    }

    pub fn invalid_input(_code: &'static str, _message: impl Into<String>) -> Error {
        Error
    }
}

fn main() {
    afl::fuzz!(|data: &[u8]| recouvre_fuzz::on_server_stack(data, parse));
}

fn parse(data: &[u8]) {
    let split = data.iter().position(|&byte| byte == b'\n').unwrap_or(data.len());
    let Ok(content_type) = std::str::from_utf8(&data[..split]) else { return };
    let body = bytes::Bytes::copy_from_slice(data.get(split + 1..).unwrap_or_default());
    if let Ok(parts) = multipart::parse(content_type, &body) {
        for part in &parts {
            let _ = part.text();
        }
    }
}
