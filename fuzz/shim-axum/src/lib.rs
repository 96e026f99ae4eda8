//! The one item of axum that `crates/web/src/multipart.rs` uses.
pub mod body {
    pub use bytes::Bytes;
}
