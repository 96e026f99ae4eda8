//! The team around the cases (issue 4, items 7 to 10), in the UI and the API: the team lead's
//! distribution of incoming cases and absence cover (`/equipe`), requests to the bank's other
//! departments (`/services`), the third-party directory (`/tiers`) and the operating procedures
//! rendered from Markdown (`/procedures`). The use cases are in `recouvre_app::team`.

pub mod api;
pub mod pages;

use crate::AppState;
use axum::routing::{get, post, put};
use axum::Router;

pub fn pages() -> Router<AppState> {
    Router::new()
        .route("/equipe", get(pages::team_page))
        .route("/equipe/repartition", post(pages::distribute_form))
        .route("/equipe/absences", post(pages::absence_form))
        .route("/equipe/gestionnaires/{login}/specialites", post(pages::specialties_form))
        .route("/services", get(pages::department_queue))
        .route("/services/{id}/prise-en-compte", post(pages::acknowledge_form))
        .route("/services/{id}/reponse", post(pages::answer_form))
        .route("/dossiers/{id}/demandes-services", post(pages::department_request_form))
        .route("/tiers", get(pages::directory_page).post(pages::create_third_party_form))
        .route("/tiers/{id}", get(pages::third_party_page))
        .route("/procedures", get(pages::procedure_index))
        .route("/procedures/{kind}", get(pages::procedure_page))
}

pub fn api() -> Router<AppState> {
    Router::new()
        .route("/team/unassigned", get(api::unassigned))
        .route("/team/distribute", post(api::distribute))
        .route("/team/overview", get(api::overview))
        .route("/team/absences", post(api::record_absence))
        .route("/team/officers/{login}/specialties", put(api::set_specialties))
        .route("/cases/{id}/department-requests", post(api::send_request))
        .route("/department-requests", get(api::department_requests))
        .route("/department-requests/{id}/acknowledge", post(api::acknowledge_request))
        .route("/department-requests/{id}/answer", post(api::answer_request))
        .route("/third-parties", get(api::third_parties).post(api::create_third_party))
        .route("/third-parties/{id}", get(api::third_party))
}

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(
        api::unassigned,
        api::distribute,
        api::overview,
        api::record_absence,
        api::set_specialties,
        api::send_request,
        api::department_requests,
        api::acknowledge_request,
        api::answer_request,
        api::third_parties,
        api::create_third_party,
        api::third_party
    ),
    components(schemas(
        api::QueueCaseDto,
        api::DistributeRequest,
        api::DistributionDto,
        api::AssignmentDto,
        api::TeamOverviewDto,
        api::OfficerLoadDto,
        api::StatusLoadDto,
        api::AbsenceDto,
        api::AbsenceRequest,
        api::CreatedDto,
        api::SpecialtiesRequest,
        api::DepartmentRequestBody,
        api::SentRequestDto,
        api::DepartmentRequestDto,
        api::HandleRequestBody,
        api::AnswerRequest,
        api::ThirdPartyDto,
        api::NewThirdPartyRequest,
        api::ThirdPartyDetailDto,
        api::InvolvementDto,
        api::StateResultDto
    ))
)]
pub struct TeamApiDoc;

/// Where a procedure kind's operating procedure is shown (for links from procedure steps).
pub fn procedure_link(kind: &str) -> Option<String> {
    recouvre_app::team::procedure_title(kind).map(|_| format!("/procedures/{kind}"))
}

/// Renders trusted Markdown (from the repository) to HTML. Raw HTML in the source is escaped,
/// not passed through.
pub fn markdown_to_html(markdown: &str) -> String {
    use pulldown_cmark::{Event, Options, Parser};
    let parser =
        Parser::new_ext(markdown, Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH).map(|event| match event {
            Event::Html(text) | Event::InlineHtml(text) => Event::Text(text),
            other => other,
        });
    let mut html = String::with_capacity(markdown.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, parser);
    html
}

#[cfg(test)]
mod tests {
    use super::*;
    use askama::Template;

    #[test]
    fn every_operating_procedure_renders_a_heading() {
        for procedure in &recouvre_app::team::OPERATING_PROCEDURES {
            let html = markdown_to_html(procedure.markdown);
            assert!(html.contains("<h1>"), "{} has no heading", procedure.kind);
        }
        assert_eq!(procedure_link("amicable").as_deref(), Some("/procedures/amicable"));
        assert_eq!(procedure_link("astrology"), None);
    }

    /// The case page includes the department request form with its own `id`, `version` and
    /// `layout`.
    #[test]
    fn the_department_form_renders_as_an_include() {
        struct FakeLayout {
            csrf: String,
        }
        #[derive(Template)]
        #[template(source = "{% include \"team_department_form.html\" %}", ext = "html")]
        struct CasePage {
            id: i64,
            version: i64,
            layout: FakeLayout,
        }
        let html = CasePage { id: 42, version: 7, layout: FakeLayout { csrf: "t0k".into() } }.render().unwrap();
        assert!(html.contains("action=\"/dossiers/42/demandes-services\""), "{html}");
        assert!(html.contains("value=\"t0k\""), "{html}");
        assert!(html.contains("name=\"version\" value=\"7\""), "{html}");
    }

    #[test]
    fn raw_html_is_escaped() {
        assert!(markdown_to_html("<script>alert(1)</script>").contains("&lt;script&gt;"));
    }
}
