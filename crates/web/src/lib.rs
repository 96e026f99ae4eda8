//! Recouvre's web shell: the server-rendered French UI and the JSON API under `/api/v1`.
//!
//! A request flows: tower layers (request id, trace, metrics, the error contract, the time
//! limit) → router →
//! handler, which extracts a [`auth::CurrentUser`] (401 or a redirect to the login page
//! otherwise), calls one use case of `recouvre-app` with the user as its actor (the use case
//! checks the permission, the limits and the version, and the store journals any change in the
//! same transaction) and renders a template or JSON. No business rule lives here: rules are in
//! `recouvre-domain`, use cases in `recouvre-app` (see ARCHITECTURE.md).

use axum::body::Body;
use axum::routing::get;
use axum::Router;
use recouvre_app::App;
use recouvre_domain::reference::ReferenceData;
use recouvre_store::Store;
use std::sync::Arc;
use std::time::Instant;
use tower_http::trace::TraceLayer;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};

pub mod account;
pub mod admin;
pub mod api;
pub mod api_docs;
pub mod approvals;
pub mod attachments;
pub mod auth;
pub mod calculators;
pub mod cases;
pub mod client_address;
pub mod closure;
pub mod committee;
pub mod compliance;
pub mod contacts;
// Costs as money: the API of costs and the account payable (issue 18).
pub mod costs;
pub mod debtors;
mod error;
mod error_pages;
mod format;
pub mod imports;
pub mod interest_rulings;
pub mod letter_templates;
pub mod letters;
pub mod login;
pub mod mandate_pages;
pub mod mandates;
mod metrics;
mod multipart;
pub mod privacy;
pub mod refunds;
pub mod reports;
pub mod security;
pub mod shared;
pub mod suspense;
pub mod team;
pub mod timeout;
pub mod workflow;

pub use error::AppError;

/// Settings of one server process.
#[derive(Clone, Debug)]
pub struct Config {
    /// Mark cookies `Secure`: on by default, the demo included. Browsers (Chromium, Firefox) and
    /// the test client's cookie store treat `http://127.0.0.1` and `http://localhost` as secure
    /// and send them there; turn it off (`serve --insecure-cookies`) only to serve plain HTTP on
    /// another address, which a bank never should.
    pub secure_cookies: bool,
    /// Bearer token Prometheus must present to read `/metrics`; `None` closes `/metrics`.
    pub metrics_token: Option<String>,
    /// Session lifetime.
    pub session_hours: i64,
    /// The time limit of an ordinary request ([`timeout::REQUEST_TIMEOUT`]).
    pub request_timeout: std::time::Duration,
    /// The time limit of a file import ([`timeout::IMPORT_TIMEOUT`]).
    pub import_timeout: std::time::Duration,
    /// On SIGTERM or ctrl-c, how long `/readyz` answers 503 while the server still accepts, so
    /// that a load balancer stops sending before the listener closes (docs/operations.md).
    pub shutdown_drain: std::time::Duration,
    /// The header a trusted reverse proxy sets to the client's address (`X-Forwarded-For`,
    /// `X-Real-IP`); its last entry is taken. `None`: the connection's own address, and any such
    /// header is ignored (a client could forge it).
    pub trusted_proxy_header: Option<String>,
    /// Login backoff per login typed and per client address.
    pub login_throttle_account: recouvre_app::identity::ThrottlePolicy,
    pub login_throttle_address: recouvre_app::identity::ThrottlePolicy,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            secure_cookies: true,
            metrics_token: None,
            session_hours: 10,
            request_timeout: timeout::REQUEST_TIMEOUT,
            import_timeout: timeout::IMPORT_TIMEOUT,
            shutdown_drain: std::time::Duration::ZERO,
            trusted_proxy_header: None,
            login_throttle_account: recouvre_app::identity::ThrottlePolicy::ACCOUNT,
            login_throttle_address: recouvre_app::identity::ThrottlePolicy::ADDRESS,
        }
    }
}

pub struct Inner {
    /// The use cases, their store, clock and reference data.
    pub app: App,
    /// The app's primary database (a shortcut for handlers not yet moved into `recouvre-app`).
    pub store: Store,
    /// Where lists and reports read: a read-only replica when one is given (`serve
    /// --read-database`), else the primary. Reads that precede a write, and the case page an
    /// officer is about to change, use `store`, so that nobody acts on a replica's lag.
    pub read_store: Store,
    pub config: Config,
    metrics: metrics::Metrics,
    /// Set when the server was told to stop: `/readyz` answers 503 from then on.
    shutting_down: std::sync::atomic::AtomicBool,
    /// Failed logins per login and per address, for the backoff.
    pub login_throttle: recouvre_app::identity::LoginThrottle,
}

/// Shared by all handlers. Cheap to clone.
#[derive(Clone)]
pub struct AppState(Arc<Inner>);

impl std::ops::Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

impl AppState {
    pub fn new(app: App, config: Config) -> AppState {
        AppState(Arc::new(Inner {
            store: app.store().clone(),
            read_store: app.read_store().clone(),
            app,
            login_throttle: recouvre_app::identity::LoginThrottle::new(
                config.login_throttle_account,
                config.login_throttle_address,
            ),
            config,
            metrics: metrics::Metrics::default(),
            shutting_down: std::sync::atomic::AtomicBool::new(false),
        }))
    }

    /// Whether the server was told to stop (`/readyz` then answers 503).
    pub fn shutting_down(&self) -> bool {
        self.shutting_down.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// The reference data in force.
    pub fn reference(&self) -> Arc<ReferenceData> {
        self.app.reference()
    }
}

/// The whole application.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/livez", get(livez))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics_endpoint))
        .merge(shared::pages())
        .merge(login::pages())
        .merge(account::pages())
        .merge(cases::pages())
        .merge(closure::pages())
        .merge(suspense::pages())
        .merge(approvals::pages())
        .merge(compliance::pages())
        .merge(calculators::pages())
        .merge(admin::pages())
        .merge(reports::pages())
        .merge(workflow::pages())
        .merge(team::pages())
        .merge(letters::pages())
        .merge(attachments::pages())
        .merge(letter_templates::pages())
        .merge(committee::pages())
        .merge(contacts::pages())
        .merge(debtors::pages())
        .merge(mandate_pages::pages())
        .merge(refunds::pages())
        .merge(costs::pages())
        .merge(interest_rulings::pages())
        .nest(
            "/api/v1",
            api::api()
                .merge(cases::api())
                .merge(closure::api())
                .merge(imports::api())
                .merge(suspense::api())
                .merge(approvals::api())
                .merge(compliance::api())
                .merge(calculators::api())
                .merge(admin::api())
                .merge(account::api())
                .merge(workflow::api())
                .merge(team::api())
                .merge(letters::api())
                .merge(attachments::api())
                .merge(letter_templates::api())
                .merge(committee::api())
                .merge(contacts::api())
                .merge(costs::api())
                .merge(interest_rulings::api())
                .merge(debtors::api())
                .merge(mandates::api())
                .merge(refunds::api())
                .merge(privacy::api()),
        )
        .merge(api_docs::pages())
        .layer(middleware::from_fn_with_state(state.clone(), timeout::limit))
        .layer(middleware::from_fn(error::contract_errors))
        .layer(middleware::from_fn_with_state(state.clone(), error_pages::error_pages))
        .layer(middleware::from_fn_with_state(state.clone(), security::refusals))
        .layer(middleware::from_fn_with_state(state.clone(), observe))
        .layer(middleware::from_fn(security::headers))
        .layer(TraceLayer::new_for_http().make_span_with(|request: &Request| {
            let request_id = request.headers().get("x-request-id").and_then(|value| value.to_str().ok()).unwrap_or("-");
            // The path only: a query string carries what was searched (a debtor's name, `?q=`),
            // personal data that has no place in the logs (docs/operations.md, "Logs").
            tracing::info_span!("request", method = %request.method(), path = %request.uri().path(), request_id)
        }))
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
        .with_state(state)
}

/// Serves until the listener fails, or SIGTERM or ctrl-c: then `/readyz` answers 503 for
/// [`Config::shutdown_drain`], the listener closes, the requests in flight finish (each within its
/// time limit, [`timeout`]) and commit, and the function returns.
pub async fn serve(listener: tokio::net::TcpListener, state: AppState) -> anyhow::Result<()> {
    serve_until(listener, state, stop_signal()).await
}

/// Serves until `shutdown` completes, then stops as [`serve`] does on a signal.
pub async fn serve_until(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    recouvre_app::reference::spawn_refresh(state.app.clone());
    let draining = state.clone();
    axum::serve(listener, router(state).into_make_service_with_connect_info::<std::net::SocketAddr>())
        .with_graceful_shutdown(async move {
            shutdown.await;
            draining.shutting_down.store(true, std::sync::atomic::Ordering::Relaxed);
            tracing::info!(drain_seconds = draining.config.shutdown_drain.as_secs_f64(), "stopping: not ready");
            tokio::time::sleep(draining.config.shutdown_drain).await;
            tracing::info!("stopping: no new connections, finishing the requests in flight");
        })
        .await?;
    tracing::info!("stopped");
    Ok(())
}

/// SIGTERM (a service manager, a container's stop) or SIGINT (ctrl-c).
pub async fn stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut terminate) => {
                tokio::select! {
                    _ = terminate.recv() => {}
                    _ = tokio::signal::ctrl_c() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// Serves until the listener fails (tests: the runtime's end stops it).
pub async fn serve_without_signal(listener: tokio::net::TcpListener, state: AppState) -> anyhow::Result<()> {
    axum::serve(listener, router(state).into_make_service_with_connect_info::<std::net::SocketAddr>()).await?;
    Ok(())
}

/// Liveness: the process runs and answers (no database call, so that a slow database does not
/// get the process restarted). Open without authentication, like the other probes.
async fn livez() -> Response {
    (StatusCode::OK, [(header::CACHE_CONTROL, "no-store")], "ok\n").into_response()
}

/// How long readiness waits for the database before answering 503.
pub const READY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(2);

/// Readiness: the database (and the read replica, if one is given) answers within
/// [`READY_TIMEOUT`], and the server is not stopping; 503 otherwise, saying which.
async fn readyz(State(state): State<AppState>) -> Response {
    let unready = |reason: String| {
        (StatusCode::SERVICE_UNAVAILABLE, [(header::CACHE_CONTROL, "no-store")], format!("not ready: {reason}\n"))
            .into_response()
    };
    if state.shutting_down() {
        return unready("shutting down".to_string());
    }
    for (name, store) in [("database", &state.store), ("read database", &state.read_store)] {
        match tokio::time::timeout(READY_TIMEOUT, store.ping()).await {
            Ok(Ok(())) => {}
            Ok(Err(error)) => return unready(format!("{name} unreachable: {error}")),
            Err(_) => return unready(format!("{name} did not answer within {} s", READY_TIMEOUT.as_secs())),
        }
    }
    (StatusCode::OK, [(header::CACHE_CONTROL, "no-store")], "ready\n").into_response()
}

/// Liveness and database reachability; the one endpoint open without authentication.
async fn healthz(State(state): State<AppState>) -> Response {
    match state.store.ping().await {
        Ok(()) => (StatusCode::OK, "ok\n").into_response(),
        Err(error) => (StatusCode::SERVICE_UNAVAILABLE, format!("database unreachable: {error}\n")).into_response(),
    }
}

/// Prometheus scrape endpoint, behind its own bearer token (not a user's).
async fn metrics_endpoint(State(state): State<AppState>, headers: axum::http::HeaderMap) -> Response {
    let sent = headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "));
    let allowed = match (&state.config.metrics_token, sent) {
        (Some(expected), Some(sent)) => auth::same_secret(expected, sent),
        _ => false,
    };
    if !allowed {
        return AppError::Unauthenticated { api: true }.into_response();
    }
    let (open, idle) = state.store.pool_stats();
    let mut text = state.metrics.render(open, idle);
    // The nightly runs and the imports, read from the database: the nightly run is another
    // process (`recouvre batch`), and imports come from the command line too.
    match recouvre_app::batch::operations_figures(&state.app, &recouvre_app::Actor::system("metrics")).await {
        Ok(figures) => metrics::render_operations(&figures, &mut text),
        Err(error) => {
            tracing::warn!(%error, "metrics: the nightly run's and imports' figures could not be read");
            metrics::render_operations_unavailable(&mut text);
        }
    }
    let mut response = text.into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain; version=0.0.4"));
    response
}

/// Counts every request by route template (not raw path, to keep the series few).
async fn observe(State(state): State<AppState>, request: Request<Body>, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().to_string();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_string(), |path| path.as_str().to_string());
    let response = next.run(request).await;
    state.metrics.observe(&method, &route, response.status().as_u16(), started.elapsed());
    response
}
