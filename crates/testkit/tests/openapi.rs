//! The OpenAPI document is complete and exact (issue 22): every route the router serves under
//! `/api/v1` is documented with exactly the methods it serves, and every operation documents the
//! errors it can answer with the one error body (`ErrorDto`, docs/api.md).
//!
//! axum cannot list its routes, so the router's routes are read from the sources, as the
//! architecture guard reads them: the `.route("/…", get(…).post(…))` calls of each room's
//! `pub fn api()` in `crates/web/src` (nested under `/api/v1` by `recouvre_web::router`). The
//! bounded schemathesis run (`scripts/schemathesis`) then checks the answers against the document.

// Helpers outside `#[test]` functions are test code too: they may unwrap (docs/guard-rails.md).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use recouvre_domain::authority::Role;
use recouvre_testkit::router_source::{self, rust_files, METHODS};
use recouvre_testkit::TestApp;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;

/// Routes under `/api/v1` that are not operations of the document: the document itself.
const NOT_OPERATIONS: &[&str] = &["/api/v1/openapi.json"];

/// Operations any authenticated user may call, which therefore never answer 403.
const OPEN_TO_ANY_USER: &[(&str, &str)] = &[("get", "/api/v1/me")];

/// A path with its parameters' names blanked (`/cases/{id}` and `/cases/{case_id}` are one route).
fn shape(path: &str) -> String {
    let mut shaped = String::new();
    let mut in_parameter = false;
    for c in path.chars() {
        match c {
            '{' => {
                in_parameter = true;
                shaped.push_str("{}");
            }
            '}' => in_parameter = false,
            _ if in_parameter => {}
            _ => shaped.push(c),
        }
    }
    shaped
}

/// The body of `pub fn api() -> Router<AppState> { … }` in a source file, if it has one.
fn api_function(source: &str) -> Option<&str> {
    router_source::function(source, "pub fn api() -> Router<AppState> {")
}

/// Every `.route("…", …)` of a room's `api()`: the route's shape under `/api/v1`, its methods.
fn routes_in(api: &str) -> Vec<(String, BTreeSet<String>)> {
    router_source::routes_in(api).into_iter().map(|(path, methods)| (format!("/api/v1{path}"), methods)).collect()
}

/// The router's routes under `/api/v1`, read from the sources: shape → (path as written, methods).
fn served_routes() -> BTreeMap<String, (String, BTreeSet<String>)> {
    let web = Path::new(env!("CARGO_MANIFEST_DIR")).join("../web/src");
    let mut files = Vec::new();
    rust_files(&web, &mut files);
    let mut routes: BTreeMap<String, (String, BTreeSet<String>)> = BTreeMap::new();
    for file in files {
        let source = fs::read_to_string(&file).unwrap();
        let Some(api) = api_function(&source) else { continue };
        for (path, methods) in routes_in(api) {
            assert!(!methods.is_empty(), "{}: no method read for {path}", file.display());
            routes.entry(shape(&path)).or_insert_with(|| (path.clone(), BTreeSet::new())).1.extend(methods);
        }
    }
    routes
}

/// The document as the server sends it.
async fn document() -> Value {
    let app = TestApp::spawn().await;
    let user = app.db.user("camille", Role::Officer, "correct-horse-battery").await;
    let token = app.db.token(user).await;
    let response = reqwest::Client::new().get(app.url("/api/v1/openapi.json")).bearer_auth(token).send().await.unwrap();
    assert_eq!(response.status(), reqwest::StatusCode::OK);
    response.json().await.unwrap()
}

fn documented_operations(document: &Value) -> Vec<(String, String, &Value)> {
    let mut operations = Vec::new();
    for (path, item) in document["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            if METHODS.contains(&method.as_str()) {
                operations.push((method.clone(), path.clone(), operation));
            }
        }
    }
    operations
}

#[test]
fn the_route_reader_reads_methods_and_nested_calls() {
    let api = r#"pub fn api() -> Router<AppState> {
    Router::new()
        .route("/cases/{id}", get(api::get_case).patch(patch_case))
        .route("/admin/settings", get(api::get_settings).put(api::put_settings))
        .route("/cases/{id}/tags", axum::routing::put(api::put_tags))
        .route("/uploads", post(upload).layer(DefaultBodyLimit::max(limit())))
}"#;
    let routes = routes_in(api_function(api).unwrap());
    let read: Vec<(String, Vec<String>)> =
        routes.into_iter().map(|(path, methods)| (path, methods.into_iter().collect())).collect();
    let expected = [
        ("/api/v1/cases/{id}", vec!["get", "patch"]),
        ("/api/v1/admin/settings", vec!["get", "put"]),
        ("/api/v1/cases/{id}/tags", vec!["put"]),
        ("/api/v1/uploads", vec!["post"]),
    ];
    let expected: Vec<(String, Vec<String>)> = expected
        .into_iter()
        .map(|(path, methods)| (path.to_string(), methods.into_iter().map(String::from).collect()))
        .collect();
    assert_eq!(read, expected);
    assert_eq!(shape("/debtors/{customer_number}/situations"), "/debtors/{}/situations");
}

#[tokio::test]
async fn every_route_under_api_v1_is_documented_with_exactly_its_methods() {
    let served = served_routes();
    assert!(served.len() >= 80, "the route reader found only {} routes: {served:?}", served.len());
    let document = document().await;
    let mut documented: BTreeMap<String, (String, BTreeSet<String>)> = BTreeMap::new();
    for (method, path, _) in documented_operations(&document) {
        documented.entry(shape(&path)).or_insert_with(|| (path.clone(), BTreeSet::new())).1.insert(method);
    }
    let mut problems = Vec::new();
    for (shape, (path, methods)) in &served {
        if NOT_OPERATIONS.contains(&path.as_str()) {
            continue;
        }
        match documented.get(shape) {
            None => problems.push(format!("{path} ({methods:?}) is served but not in the OpenAPI document")),
            Some((_, documented_methods)) => {
                for method in methods.difference(documented_methods) {
                    problems.push(format!("{method} {path} is served but not documented"));
                }
            }
        }
    }
    for (shape, (path, methods)) in &documented {
        match served.get(shape) {
            None => problems.push(format!("{path} is documented but the router does not serve it")),
            Some((_, served_methods)) => {
                for method in methods.difference(served_methods) {
                    problems.push(format!("{method} {path} is documented but the router does not serve that method"));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{} problems:\n{}", problems.len(), problems.join("\n"));
}

#[tokio::test]
async fn every_operation_documents_its_errors_with_the_one_error_body() {
    let document = document().await;
    let mut problems = Vec::new();
    for (method, path, operation) in documented_operations(&document) {
        let responses = operation["responses"].as_object().unwrap();
        let has = |status: &str| responses.contains_key(status);
        let mut required = vec!["401", "500", "503"];
        if !OPEN_TO_ANY_USER.contains(&(method.as_str(), path.as_str())) {
            required.push("403");
        }
        let parameters = operation["parameters"].as_array().cloned().unwrap_or_default();
        if parameters.iter().any(|parameter| parameter["in"] == "path") {
            // A path parameter that does not parse, or names nothing.
            required.extend(["400", "404"]);
        }
        if parameters.iter().any(|parameter| parameter["in"] == "query") {
            required.push("400");
        }
        if operation.get("requestBody").is_some() {
            // A body that is not the one expected, or over its limit.
            required.extend(["400", "413"]);
        }
        for status in required {
            if !has(status) {
                problems.push(format!("{method} {path}: {status} not documented"));
            }
        }
        if !responses.keys().any(|status| status.starts_with('2')) {
            problems.push(format!("{method} {path}: no success documented"));
        }
        for (status, response) in responses {
            if status.starts_with('4') || status.starts_with('5') {
                let schema = &response["content"]["application/json"]["schema"]["$ref"];
                if schema != "#/components/schemas/ErrorDto" {
                    problems.push(format!("{method} {path}: {status} answers {schema}, not the ErrorDto body"));
                }
            }
        }
    }
    // The error body itself: the contract's fields, `error` and `code` always there.
    let error = &document["components"]["schemas"]["ErrorDto"];
    let required: BTreeSet<&str> = error["required"].as_array().unwrap().iter().filter_map(Value::as_str).collect();
    assert_eq!(required, BTreeSet::from(["code", "error"]), "{error}");
    for field in ["error", "code", "field", "changes", "request_id"] {
        assert!(error["properties"][field].is_object(), "ErrorDto.{field}: {error}");
    }
    assert!(problems.is_empty(), "{} problems:\n{}", problems.len(), problems.join("\n"));
}

// --- What the bounded schemathesis run found, each fixed at its root ---

async fn officer_app() -> (TestApp, String) {
    let app = TestApp::spawn().await;
    let user = app.db.user("camille", Role::Officer, "correct-horse-battery").await;
    app.db.seed(3, &["camille"]).await;
    let token = app.db.token(user).await;
    (app, token)
}

#[tokio::test]
async fn a_payment_on_an_unknown_case_is_a_404_not_a_server_error() {
    let (app, token) = officer_app().await;
    for id in ["9223372036854775806", "396"] {
        let response = reqwest::Client::new()
            .post(app.url(&format!("/api/v1/cases/{id}/payments")))
            .bearer_auth(&token)
            .json(&serde_json::json!({"amount": "478.61", "capital_first": false, "cash": false, "payer_iban": "",
                "payer_name": "", "received_on": "2000-01-01", "reference": "CTX-0000059", "version": 0}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), reqwest::StatusCode::NOT_FOUND, "case {id}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["code"], "not_found", "{body}");
    }
}

#[tokio::test]
async fn a_deadline_of_two_billion_months_is_a_400_and_the_server_keeps_serving() {
    let (app, token) = officer_app().await;
    let client = reqwest::Client::new();
    for (field, body) in [
        (
            "months",
            serde_json::json!({"alsace_moselle": false, "days": 0, "from": "2000-01-01", "months": 2147483648_u64}),
        ),
        ("days", serde_json::json!({"from": "2000-01-01", "days": 4294967295_u64})),
    ] {
        let response =
            client.post(app.url("/api/v1/calc/deadline")).bearer_auth(&token).json(&body).send().await.unwrap();
        assert_eq!(response.status(), reqwest::StatusCode::BAD_REQUEST, "{body}");
        let answer: Value = response.json().await.unwrap();
        assert_eq!(answer["field"], field, "{answer}");
        assert!(answer["error"].as_str().unwrap().contains("au plus"), "{answer}");
    }
    // The longest limit allowed still computes.
    let response = client
        .post(app.url("/api/v1/calc/deadline"))
        .bearer_auth(&token)
        .json(&serde_json::json!({"from": "2000-01-01", "months": 1200, "days": 36500}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), reqwest::StatusCode::OK);
}

#[tokio::test]
async fn a_malformed_page_cursor_is_a_400_naming_after() {
    let (app, token) = officer_app().await;
    let response = reqwest::Client::new()
        .get(app.url("/api/v1/cases?after=%F1%B4%9E%A6%C2%89H%F2%81%A3%AF"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), reqwest::StatusCode::BAD_REQUEST);
    let body: Value = response.json().await.unwrap();
    assert_eq!((body["code"].as_str(), body["field"].as_str()), (Some("invalid_input"), Some("after")), "{body}");
}
