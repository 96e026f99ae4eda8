//! The API's documentation page, `/api/docs/`: the OpenAPI document (`/api/v1/openapi.json`)
//! drawn server-side in the site's design, one card per endpoint and one table per schema.
//!
//! It replaced the vendored Swagger UI, whose page failed axe-core (unlabelled fields, text
//! under 4.5:1, targets under 24 px, buttons inside buttons: WCAG 2.2 AA 1.3.1, 1.4.3, 2.5.8,
//! 4.1.2) and needed its own script; this one is plain HTML, behind the same login.

use crate::auth::CurrentUser;
use crate::shared::{render, Layout, PageResult};
use crate::AppState;
use askama::Template;
use axum::response::Redirect;
use axum::routing::get;
use axum::Router;
use serde_json::Value;

pub fn pages() -> Router<AppState> {
    Router::new()
        .route("/api/docs/", get(api_docs))
        .route("/api/docs", get(|| async { Redirect::permanent("/api/docs/") }))
}

pub(crate) struct Parameter {
    name: String,
    location: &'static str,
    required: bool,
    kind: String,
    description: String,
}

pub(crate) struct Answer {
    status: String,
    description: String,
    schema: String,
}

pub(crate) struct Endpoint {
    anchor: String,
    method: String,
    path: String,
    summary: String,
    description: String,
    parameters: Vec<Parameter>,
    body: String,
    answers: Vec<Answer>,
}

pub(crate) struct Group {
    anchor: String,
    title: String,
    endpoints: Vec<Endpoint>,
}

pub(crate) struct Field {
    name: String,
    kind: String,
    required: bool,
    description: String,
}

pub(crate) struct Schema {
    name: String,
    kind: String,
    description: String,
    fields: Vec<Field>,
}

#[derive(Template)]
#[template(path = "api_docs.html")]
pub(crate) struct ApiDocsPage {
    layout: Layout,
    title: String,
    version: String,
    description: String,
    groups: Vec<Group>,
    schemas: Vec<Schema>,
    endpoint_count: usize,
}

/// Any logged-in user may read the API's documentation, as any may read the document itself.
pub(crate) async fn api_docs(user: CurrentUser) -> PageResult {
    let document = serde_json::to_value(crate::api::openapi()).unwrap_or(Value::Null);
    let (groups, schemas) = (groups(&document), schemas(&document));
    let text = |pointer: &str| document.pointer(pointer).and_then(Value::as_str).unwrap_or_default().to_string();
    render(&ApiDocsPage {
        layout: Layout::of(&user),
        title: text("/info/title"),
        version: text("/info/version"),
        description: text("/info/description"),
        endpoint_count: groups.iter().map(|group| group.endpoints.len()).sum(),
        groups,
        schemas,
    })
}

fn str_of(value: &Value, key: &str) -> String {
    value.get(key).and_then(Value::as_str).unwrap_or_default().trim().to_string()
}

/// A schema said in a few words: `CaseSummary`, `array of CaseSummary`, `string (date)`,
/// `integer | null`.
fn type_of(schema: &Value) -> String {
    if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
        return reference.rsplit('/').next().unwrap_or(reference).to_string();
    }
    for combinator in ["oneOf", "anyOf", "allOf"] {
        if let Some(options) = schema.get(combinator).and_then(Value::as_array) {
            let parts: Vec<String> = options.iter().map(type_of).collect();
            return parts.join(if combinator == "allOf" { " & " } else { " | " });
        }
    }
    let kind = match schema.get("type") {
        Some(Value::String(kind)) => kind.clone(),
        Some(Value::Array(kinds)) => kinds.iter().filter_map(Value::as_str).collect::<Vec<_>>().join(" | "),
        _ => String::new(),
    };
    let kind = if kind.starts_with("array") {
        let items = schema.get("items").map(type_of).unwrap_or_default();
        kind.replacen("array", &format!("array of {items}"), 1)
    } else {
        kind
    };
    let kind = match schema.get("format").and_then(Value::as_str) {
        Some(format) => format!("{kind} ({format})"),
        None => kind,
    };
    match schema.get("enum").and_then(Value::as_array) {
        Some(values) => {
            let values: Vec<String> = values.iter().map(|value| value.to_string().replace('"', "")).collect();
            format!("{kind}: {}", values.join(", "))
        }
        None if kind.is_empty() => "any".to_string(),
        None => kind,
    }
}

/// The body's schema of a request or an answer (its JSON content, or the first one).
fn content_type_of(content: Option<&Value>) -> String {
    let Some(content) = content.and_then(Value::as_object) else {
        return String::new();
    };
    content
        .iter()
        .map(|(media, body)| match body.get("schema") {
            Some(schema) => format!("{} ({media})", type_of(schema)),
            None => media.clone(),
        })
        .collect::<Vec<_>>()
        .join(" ; ")
}

/// The endpoints grouped by the first segment of their path after `/api/v1/`.
fn groups(document: &Value) -> Vec<Group> {
    let mut groups: Vec<Group> = Vec::new();
    let Some(paths) = document.get("paths").and_then(Value::as_object) else {
        return groups;
    };
    for (path, operations) in paths {
        let Some(operations) = operations.as_object() else { continue };
        let segment = path.trim_start_matches("/api/v1/").split('/').next().unwrap_or("").to_string();
        for method in ["get", "post", "put", "patch", "delete"] {
            let Some(operation) = operations.get(method) else { continue };
            let parameters = operation
                .get("parameters")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .map(|parameter| Parameter {
                    name: str_of(parameter, "name"),
                    location: match parameter.get("in").and_then(Value::as_str) {
                        Some("path") => "chemin",
                        Some("query") => "requête",
                        Some("header") => "en-tête",
                        _ => "autre",
                    },
                    required: parameter.get("required").and_then(Value::as_bool).unwrap_or(false),
                    kind: parameter.get("schema").map(type_of).unwrap_or_default(),
                    description: str_of(parameter, "description"),
                })
                .collect();
            let answers = operation
                .get("responses")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
                .map(|(status, answer)| Answer {
                    status: status.clone(),
                    description: str_of(answer, "description"),
                    schema: content_type_of(answer.get("content")),
                })
                .collect();
            let endpoint = Endpoint {
                anchor: format!("{method}-{}", path.replace(['/', '{', '}'], "-").trim_matches('-')),
                method: method.to_uppercase(),
                path: path.clone(),
                summary: str_of(operation, "summary"),
                description: str_of(operation, "description"),
                parameters,
                body: content_type_of(operation.get("requestBody").and_then(|body| body.get("content"))),
                answers,
            };
            match groups.iter_mut().find(|group| group.title == segment) {
                Some(group) => group.endpoints.push(endpoint),
                None => groups.push(Group {
                    anchor: format!("groupe-{segment}"),
                    title: segment.clone(),
                    endpoints: vec![endpoint],
                }),
            }
        }
    }
    groups.sort_by(|a, b| a.title.cmp(&b.title));
    groups
}

fn schemas(document: &Value) -> Vec<Schema> {
    let Some(schemas) = document.pointer("/components/schemas").and_then(Value::as_object) else {
        return Vec::new();
    };
    schemas
        .iter()
        .map(|(name, schema)| {
            let required: Vec<&str> = schema
                .get("required")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .collect();
            let fields = schema
                .get("properties")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
                .map(|(field, property)| Field {
                    name: field.clone(),
                    kind: type_of(property),
                    required: required.contains(&field.as_str()),
                    description: str_of(property, "description"),
                })
                .collect();
            Schema { name: name.clone(), kind: type_of(schema), description: str_of(schema, "description"), fields }
        })
        .collect()
}
