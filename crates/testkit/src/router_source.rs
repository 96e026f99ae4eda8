//! The web crate's routes as its sources write them (`.route("…", get(…).post(…))`), for the
//! tests that check every route is documented (openapi.rs) and answered as the authorisation
//! matrix says (authz_matrix.rs).

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

/// The HTTP methods a route may serve, as axum's routing functions name them.
pub const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];

/// Every `.rs` file under `dir`, recursively.
pub fn rust_files(dir: &Path, files: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, files);
        } else if path.extension().is_some_and(|extension| extension == "rs") {
            files.push(path);
        }
    }
}

/// The body of the function starting with `signature` in a source file.
pub fn function<'s>(source: &'s str, signature: &str) -> Option<&'s str> {
    let start = source.find(signature)?;
    let rest = &source[start..];
    let end = rest.find("\n}").map_or(rest.len(), |end| end + 2);
    Some(&rest[..end])
}

/// The methods a route's handler expression serves: each `get(`, `post(`… not part of a longer
/// name (`get_settings(` is a handler, `axum::routing::put(` a method).
pub fn methods_of(handlers: &str) -> BTreeSet<String> {
    let bytes = handlers.as_bytes();
    let mut methods = BTreeSet::new();
    for method in METHODS {
        let needle = format!("{method}(");
        let mut from = 0;
        while let Some(at) = handlers[from..].find(&needle) {
            let at = from + at;
            let before = if at == 0 { b' ' } else { bytes[at - 1] };
            if !(before.is_ascii_alphanumeric() || before == b'_') {
                methods.insert(method.to_string());
            }
            from = at + needle.len();
        }
    }
    methods
}

/// Every `.route("…", …)` of a function's body, with its methods.
pub fn routes_in(body: &str) -> Vec<(String, BTreeSet<String>)> {
    let mut routes = Vec::new();
    let mut rest = body;
    while let Some(at) = rest.find(".route(\"") {
        let call = &rest[at + ".route(\"".len()..];
        let path_end = call.find('"').unwrap();
        let path = &call[..path_end];
        let mut depth = 1;
        let mut end = call.len();
        for (index, c) in call.char_indices() {
            match c {
                '(' => depth += 1,
                ')' => {
                    depth -= 1;
                    if depth == 0 {
                        end = index;
                        break;
                    }
                }
                _ => {}
            }
        }
        routes.push((path.to_string(), methods_of(&call[path_end..end])));
        rest = &call[end..];
    }
    routes
}
