//! The authorisation matrix as a test (issue 23): every route of the router — the operations of
//! the OpenAPI document and the page routes read from the sources — is called by every role, by
//! another officer than the one who owns the object, and without credentials, and the answer must
//! be the one written in [`EXPECTED`], one line per route. A route added without its line fails
//! the test (the failure prints the line observed, to review before adding it), and so does a line
//! whose route is gone.
//!
//! Objects are the seeded case 1 and what hangs on it (every `{id}` is 1), owned by the officer
//! `camille`; `bruno` is the other officer. Writes are sent with an empty body (`{}` for the API,
//! the CSRF token alone for a form): what is checked is who gets past the door, not the use
//! case, so an allowed role usually gets `bad` (its input refused), and a role that is not
//! allowed must get 403 and never anything else.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;

use recouvre_domain::authority::Role;
use recouvre_testkit::router_source::{function, routes_in, rust_files, METHODS};
use recouvre_testkit::{hidden_value, TestApp};
use reqwest::{Method, StatusCode};
use serde_json::Value;

const PASSWORD: &str = "correct-horse-battery";

/// The callers, in the order of each line of [`EXPECTED`]. The owner of the objects comes last,
/// so that a write that succeeds (a deletion) cannot hide the others' answers.
const CALLERS: [&str; 8] =
    ["anonymous", "other_officer", "team_lead", "compliance", "accounting", "viewer", "admin", "owner"];

/// What a caller gets: `ok` (2xx), `redirect` (elsewhere than the login page: a form's success),
/// `in` (sent to the login page), `401`, `403`, `404`, `bad` (its input refused: 400, 405, 409, 413, 415, 422), or
/// any other status as a number.
fn outcome(status: StatusCode, location: Option<&str>) -> String {
    match status.as_u16() {
        200..=299 => "ok".to_string(),
        300..=399 if location.is_some_and(|to| to.starts_with("/login")) => "in".to_string(),
        300..=399 => "redirect".to_string(),
        400 | 405 | 409 | 413 | 415 | 422 => "bad".to_string(),
        other => other.to_string(),
    }
}

/// One line per route: `METHOD path = anonymous other_officer team_lead compliance accounting
/// viewer admin owner`.
const EXPECTED: &str = include_str!("authz_matrix.txt");

// ---------------------------------------------------------------------------------------------
// The routes

/// The page routes (each room's `pages()`, and the router's own), read from the sources.
fn page_routes() -> BTreeSet<(String, String)> {
    let web = Path::new(env!("CARGO_MANIFEST_DIR")).join("../web/src");
    let mut files = Vec::new();
    rust_files(&web, &mut files);
    let mut routes = BTreeSet::new();
    for file in files {
        let source = fs::read_to_string(&file).unwrap();
        for signature in ["pub fn pages() -> Router<AppState> {", "pub fn router(state: AppState) -> Router {"] {
            let Some(body) = function(&source, signature) else { continue };
            for (path, methods) in routes_in(body) {
                assert!(!methods.is_empty(), "{}: no method read for {path}", file.display());
                for method in methods {
                    routes.insert((method.to_uppercase(), path.clone()));
                }
            }
        }
    }
    routes
}

/// The API's operations, from the OpenAPI document the server sends.
fn api_routes(document: &Value) -> BTreeSet<(String, String)> {
    let mut routes = BTreeSet::new();
    for (path, item) in document["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            if METHODS.contains(&method.as_str()) {
                routes.insert((method.to_uppercase(), path.clone()));
            }
        }
    }
    routes
}

/// A route's path with its parameters filled with objects of the seeded portfolio.
fn concrete(path: &str, customer_number: &str, today: &str) -> String {
    let kind = if path.contains("/rules/") {
        "authority_matrix"
    } else if path.contains("/procedures/") {
        "payment_order"
    } else if path.contains("/admin/reference/") {
        "statutory_rate"
    } else {
        "formal_notice"
    };
    let file = if path.starts_with("/static/") { "style.css" } else { "dossier.pdf" };
    // The owner's own API tokens n° 8 and 9, spare ones, so that revoking them leaves token n° 1
    // (the one the owner calls the API with) alive.
    let id = if path.starts_with("/api/v1/me/tokens/") {
        "8"
    } else if path.starts_with("/compte/jetons/") {
        "9"
    } else {
        "1"
    };
    path.replace("{id}", id)
        .replace("{case_id}", "1")
        .replace("{cost_id}", "1")
        .replace("{item}", "1")
        .replace("{customer_number}", customer_number)
        .replace("{kind}", kind)
        .replace("{month}", &today[..7])
        .replace("{date}", today)
        .replace("{login}", "camille")
        .replace("{name}", "deadline")
        .replace("{file}", file)
}

/// A value of `schema` with each of its parts the simplest of its type: enough for
/// the body to be read, so that the request reaches the handler and its permission check (a
/// value the use case then refuses is a `bad`, after the door).
fn sample(schema: &Value, document: &Value, today: &str, depth: usize) -> Value {
    if depth > 8 {
        return Value::Null;
    }
    if let Some(reference) = schema["$ref"].as_str() {
        let name = reference.rsplit('/').next().unwrap();
        return sample(&document["components"]["schemas"][name], document, today, depth + 1);
    }
    for key in ["allOf", "oneOf", "anyOf"] {
        if let Some(first) = schema[key].as_array().and_then(|all| all.iter().find(|one| one["type"] != "null")) {
            return sample(first, document, today, depth + 1);
        }
    }
    if let Some(first) = schema["enum"].as_array().and_then(|values| values.first()) {
        return first.clone();
    }
    let kind = match &schema["type"] {
        Value::Array(kinds) => kinds.iter().find(|kind| *kind != "null").cloned().unwrap_or(Value::Null),
        other => other.clone(),
    };
    match kind.as_str().unwrap_or("object") {
        "string" => match schema["format"].as_str() {
            Some("date") => Value::String(today.to_string()),
            Some("date-time") => Value::String(format!("{today}T10:00:00Z")),
            _ => Value::String("1.00".to_string()),
        },
        "integer" | "number" => serde_json::json!(1),
        "boolean" => Value::Bool(false),
        "array" => {
            let minimum = schema["minItems"].as_u64().unwrap_or(0);
            Value::Array((0..minimum).map(|_| sample(&schema["items"], document, today, depth + 1)).collect())
        }
        _ => {
            // Every property, not only the required ones: a type that requires a field the
            // document calls optional is then still read.
            let mut object = serde_json::Map::new();
            for (name, property) in schema["properties"].as_object().into_iter().flatten() {
                object.insert(name.clone(), sample(property, document, today, depth + 1));
            }
            Value::Object(object)
        }
    }
}

/// What an operation of the document is sent: its required query parameters, and its body (JSON
/// from its schema, else a placeholder text).
fn api_request(document: &Value, method: &str, path: &str, today: &str) -> (String, Option<(String, String)>) {
    let operation = &document["paths"][path][method.to_lowercase()];
    let mut query: Vec<String> = Vec::new();
    for parameter in operation["parameters"].as_array().into_iter().flatten() {
        if parameter["in"] == "query" && parameter["required"] == true {
            let value = sample(&parameter["schema"], document, today, 0);
            let mut value = value.as_str().map_or_else(|| value.to_string(), str::to_string);
            if parameter["name"] == "month" {
                value = today[..7].to_string();
            }
            query.push(format!("{}={value}", parameter["name"].as_str().unwrap()));
        }
    }
    // One of two optional parameters is required here (a person or a case).
    if path == "/api/v1/access-log" {
        query.push("case_id=1".to_string());
    }
    let query = if query.is_empty() { String::new() } else { format!("?{}", query.join("&")) };
    let content = &operation["requestBody"]["content"];
    let body = if let Some(json) = content.get("application/json") {
        let mut body = sample(&json["schema"], document, today, 0);
        // The one body whose part the document gives as a free object (a `Breakdown`).
        if path == "/api/v1/cases/{id}/waivers" {
            let amounts = ["principal", "contractual_interest", "statutory_interest", "costs", "penalties"];
            body["amounts"] = amounts.iter().map(|name| (name.to_string(), Value::from("1.00"))).collect();
        }
        Some(("application/json".to_string(), body.to_string()))
    } else {
        content.as_object().and_then(|types| types.keys().next()).map(|kind| match kind.as_str() {
            // An empty form, well formed: the handler reads it (and checks the permission).
            "multipart/form-data" => ("multipart/form-data; boundary=X".to_string(), "--X--\r\n".to_string()),
            other => (other.to_string(), "x".to_string()),
        })
    };
    (query, body)
}

// ---------------------------------------------------------------------------------------------
// The callers

struct Caller {
    token: Option<String>,
    session: Option<(reqwest::Client, String)>,
}

async fn caller(app: &TestApp, login: Option<(&str, Role)>) -> Caller {
    let Some((login, role)) = login else {
        let client = app.browser_client();
        return Caller { token: None, session: Some((client, String::new())) };
    };
    let id = app.db.user(login, role, PASSWORD).await;
    let token = app.db.token(id).await;
    let client = app.login(login, PASSWORD).await;
    // Each role's home page carries the session's CSRF token (the logout form of the layout).
    let home = client.get(app.url("/")).send().await.unwrap();
    let home = home.headers()["location"].to_str().unwrap().to_string();
    let page = client.get(app.url(&home)).send().await.unwrap().text().await.unwrap();
    let csrf = hidden_value(&page, "csrf").unwrap_or_default();
    Caller { token: Some(token), session: Some((client, csrf)) }
}

async fn call(
    app: &TestApp,
    caller: &Caller,
    method: &str,
    path: &str,
    api: Option<&(String, Option<(String, String)>)>,
) -> String {
    let method = Method::from_bytes(method.as_bytes()).unwrap();
    let write = method != Method::GET;
    let response = if let Some((query, body)) = api {
        let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
        let mut request = client.request(method, app.url(&format!("{path}{query}")));
        if let Some(token) = &caller.token {
            request = request.bearer_auth(token);
        }
        if let Some((content_type, body)) = body {
            request = request.header("content-type", content_type.as_str()).body(body.clone());
        }
        request.send().await.unwrap()
    } else {
        let (client, csrf) = caller.session.as_ref().unwrap();
        let mut request = client.request(method, app.url(path));
        if write {
            request = request.form(&[("csrf", csrf.as_str())]);
        }
        request.send().await.unwrap()
    };
    let location = response.headers().get("location").and_then(|value| value.to_str().ok()).map(str::to_string);
    outcome(response.status(), location.as_deref())
}

#[tokio::test]
async fn every_route_answers_every_role_as_the_matrix_says() {
    let app = TestApp::spawn().await;
    // The owner first, so that the seeded cases are theirs.
    let owner = caller(&app, Some(("camille", Role::Officer))).await;
    app.db.seed(5, &["camille"]).await;
    let callers = [
        caller(&app, None).await,
        caller(&app, Some(("bruno", Role::Officer))).await,
        caller(&app, Some(("sophie", Role::TeamLead))).await,
        caller(&app, Some(("nadia", Role::Compliance))).await,
        caller(&app, Some(("paul", Role::AccountingControl))).await,
        caller(&app, Some(("helene", Role::CommitteeViewer))).await,
        caller(&app, Some(("admin", Role::Administrator))).await,
        owner,
    ];
    let customer_number: String =
        recouvre_store::sql::query_scalar("SELECT customer_number FROM persons ORDER BY id LIMIT 1")
            .fetch_one(&app.db.store)
            .await
            .unwrap();
    let today = recouvre_testkit::today().to_string();
    // An object only its owner may touch: camille's saved filter n° 1.
    let owner_id = recouvre_store::users::by_login(&app.db.store, "camille").await.unwrap().unwrap().id;
    let filter =
        recouvre_store::saved_filters::save(&app.db.store, owner_id, "Mes dossiers", "q=a", chrono::Utc::now());
    assert_eq!(filter.await.unwrap(), 1);
    // Objects only their owner may touch: camille's spare API tokens n° 8 and 9 (« Mes jetons »).
    for expected in [8, 9] {
        let hash = expected.to_string();
        let token = recouvre_store::users::create_token(&app.db.store, owner_id, "spare", &hash, chrono::Utc::now());
        assert_eq!(token.await.unwrap(), expected);
    }

    let document: Value = reqwest::Client::new()
        .get(app.url("/api/v1/openapi.json"))
        .bearer_auth(callers[7].token.as_ref().unwrap())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut routes: Vec<(String, String, bool)> = api_routes(&document)
        .into_iter()
        .map(|(method, path)| (method, path, true))
        .chain(page_routes().into_iter().map(|(method, path)| (method, path, false)))
        .collect();
    assert!(routes.len() >= 180, "only {} routes read", routes.len());
    // Logging out ends the sessions the other routes need: last.
    routes.sort_by_key(|(method, path, _)| (path == "/logout", path.clone(), method.clone()));

    let expected: BTreeMap<String, String> = EXPECTED
        .lines()
        .filter(|line| !line.trim().is_empty() && !line.starts_with('#'))
        .map(|line| {
            let (route, answers) = line.split_once(" = ").unwrap_or_else(|| panic!("bad line: {line}"));
            (route.trim().to_string(), answers.split_whitespace().collect::<Vec<_>>().join(" "))
        })
        .collect();
    let mut problems = Vec::new();
    let mut seen = BTreeSet::new();
    for (method, path, api) in &routes {
        let key = format!("{method} {path}");
        let url = concrete(path, &customer_number, &today);
        let request = api.then(|| api_request(&document, method, path, &today));
        let mut answers = Vec::new();
        for caller in &callers {
            answers.push(call(&app, caller, method, &url, request.as_ref()).await);
        }
        let answers = answers.join(" ");
        match expected.get(&key) {
            None => problems.push(format!("no line for a route: {key} = {answers}")),
            Some(wanted) if *wanted != answers => {
                problems.push(format!("{key}:\n    expected {wanted}\n    observed {answers}"))
            }
            Some(_) => {}
        }
        seen.insert(key);
    }
    for key in expected.keys() {
        if !seen.contains(key) {
            problems.push(format!("a line for a route the router no longer serves: {key}"));
        }
    }
    assert!(problems.is_empty(), "{} differences ({CALLERS:?}):\n{}", problems.len(), problems.join("\n"));
}
