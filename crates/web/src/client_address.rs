//! Who is asking, as far as the network tells: the client's address for the security events
//! and the throttling (issue 23). Its own module because both `auth` (a token's first use from
//! a new address) and `security` (refusals) need it, and `security` reads `auth`'s cookie name.

use std::net::SocketAddr;

use axum::extract::ConnectInfo;
use axum::http::HeaderMap;

use crate::AppState;

/// The client's address: the last entry of the trusted proxy's header when one is configured
/// (the proxy appends the address it saw; earlier entries come from the client and may be
/// forged), else the connection's address.
pub fn client_address(state: &AppState, headers: &HeaderMap, extensions: &axum::http::Extensions) -> Option<String> {
    if let Some(name) = &state.config.trusted_proxy_header {
        let forwarded = headers
            .get(name.as_str())
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.rsplit(',').next())
            .map(|value| value.trim().to_string())
            .filter(|value| !value.is_empty());
        if forwarded.is_some() {
            return forwarded;
        }
    }
    extensions.get::<ConnectInfo<SocketAddr>>().map(|info| info.0.ip().to_string())
}
