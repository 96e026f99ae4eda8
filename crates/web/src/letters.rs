//! Letters and court papers on a case (issue 6): the facts a letter needs gathered from the
//! case file (`letter_data`), rendered by `recouvre-letters`, previewed, then validated — the
//! same bytes stored with their SHA-256 and journaled by `recouvre_store::documents` — and the
//! day's mail assembled into one PDF.
//!
//! Rendering is deterministic: validating renders again and gets the previewed bytes.

use std::sync::{Arc, OnceLock, RwLock};

use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use chrono::{Duration, NaiveDate, Utc};
use recouvre_domain::authority::Permission;
use recouvre_domain::case::{GuaranteeKind, PartyRole, Protection};
use recouvre_letters::{
    Amounts, Claim, Court, Creditor, Estate, Guarantee, GuardianRole, Instalment, Instruction, LetterData,
    MissedInstalment, Party, Plan, Protection as LetterProtection, Repayment, Signatory,
};
use recouvre_letters::{Engine, LetterKind};
use recouvre_store::cases::CaseDetail;
use recouvre_store::documents::{Document, NewDocument, OpenedDeadline};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

pub fn pages() -> Router<AppState> {
    Router::new()
        .route("/dossiers/{id}/courriers/apercu", get(preview_page))
        .route("/dossiers/{id}/courriers", post(validate_form))
        .route("/documents/{id}", get(download))
        .route("/documents/{id}/envoi", post(postage_form))
        .route("/courrier-du-jour", get(day_mail))
}

pub fn api() -> Router<AppState> {
    Router::new()
        .route("/cases/{id}/documents", get(list_documents).post(post_document))
        .route("/cases/{id}/documents/preview", post(post_preview))
        .route("/documents/{id}/pdf", get(download))
        .route("/mail/{date}", get(day_mail_api))
}

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(list_documents, post_document, post_preview, download, day_mail_api),
    components(schemas(LetterRequest, DocumentDto))
)]
pub struct LettersApiDoc;

/// The built-in templates, loaded once per process: loading the fonts and Typst's library is
/// the slow part of a render. Engines with administrators' versions are clones of it.
pub(crate) fn base_engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(Engine::new)
}

/// The engine with the templates in force in the database: the built-in template of each kind,
/// replaced by the administrators' versions in the order they were added (so the last one of a
/// kind is in force, and every earlier one can still make the letters validated with it).
///
/// Several servers share the database: before each render the cache compares the last stored
/// version's id with the one it loaded (one indexed query) and reloads when another server, or
/// this one, added a version. No letter is ever made with a superseded template.
#[derive(Default)]
pub struct EngineCache {
    loaded: RwLock<Option<(i64, Arc<Engine>)>>,
}

impl EngineCache {
    pub async fn engine(&self, store: &recouvre_store::Store) -> Result<Arc<Engine>, AppError> {
        let stamp = recouvre_store::letter_templates::stamp(store).await?;
        if let Some((known, engine)) = self.loaded.read().expect("engine cache lock").as_ref() {
            if *known == stamp {
                return Ok(engine.clone());
            }
        }
        let versions = recouvre_store::letter_templates::all(store).await?;
        let stamp = versions.last().map_or(0, |version| version.id);
        let engine = Arc::new(engine_with(&versions)?);
        *self.loaded.write().expect("engine cache lock") = Some((stamp, engine.clone()));
        tracing::info!(stamp, versions = versions.len(), "letter templates loaded");
        Ok(engine)
    }
}

/// The built-in engine with `versions` applied in order.
fn engine_with(versions: &[recouvre_store::letter_templates::TemplateVersion]) -> Result<Engine, AppError> {
    let mut engine = base_engine().clone();
    for version in versions {
        let kind = LetterKind::from_code(&version.kind).ok_or_else(|| {
            AppError::Internal(anyhow::anyhow!(
                "version de modèle « {} » : type de courrier inconnu de ce serveur ; mettez le serveur à jour",
                version.label
            ))
        })?;
        engine
            .set_template(kind, version.source.clone(), version.label.clone())
            .map_err(|error| AppError::Internal(anyhow::anyhow!("{error}")))?;
    }
    Ok(engine)
}

/// What the officer chooses or adds when generating a letter.
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
pub struct LetterRequest {
    /// Template code: `formal_notice`, `plan_proposal`, `payment_order_request`…
    pub kind: String,
    /// The case version the officer saw (validation only).
    pub version: Option<i64>,
    /// A paragraph added before the closing formula.
    pub note: Option<String>,
    /// For letters to a third party (notary, bailiff, agency) not on the case: its name…
    pub recipient_name: Option<String>,
    /// …and address, one line per element separated by `\n` or `,`.
    pub recipient_address: Option<String>,
    /// Court for a payment-order request (default: the tribunal judiciaire of the debtor's city).
    pub court: Option<String>,
    /// For instructions to a bailiff: the enforceable title to execute (e.g. "ordonnance
    /// d'injonction de payer du … revêtue de la formule exécutoire").
    pub enforceable_title: Option<String>,
}

/// A stored document.
#[derive(serde::Serialize, ToSchema)]
pub struct DocumentDto {
    pub id: i64,
    pub case_id: i64,
    pub kind: String,
    pub label: String,
    pub template_version: String,
    pub recipient: String,
    pub sha256: String,
    pub pages: i64,
    pub registered: bool,
    pub validated_on: NaiveDate,
    pub validated_by: String,
    pub tracking_number: Option<String>,
    pub acknowledged_on: Option<NaiveDate>,
}

impl From<Document> for DocumentDto {
    fn from(document: Document) -> DocumentDto {
        DocumentDto {
            label: LetterKind::from_code(&document.kind).map(LetterKind::label).unwrap_or("Document").to_string(),
            id: document.id,
            case_id: document.case_id,
            kind: document.kind,
            template_version: document.template_version,
            recipient: document.recipient,
            sha256: document.sha256,
            pages: document.pages,
            registered: document.registered,
            validated_on: document.validated_on,
            validated_by: document.validated_by,
            tracking_number: document.tracking_number,
            acknowledged_on: document.acknowledged_on,
        }
    }
}

fn kind_of(code: &str) -> Result<LetterKind, AppError> {
    LetterKind::from_code(code).ok_or_else(|| {
        let known: Vec<&str> = LetterKind::ALL.iter().map(|kind| kind.code()).collect();
        AppError::BadRequest(format!("modèle de courrier inconnu « {code} » : choisissez parmi {}", known.join(", ")))
    })
}

/// A letter rendered for a case, with what validating it stores.
struct Prepared {
    kind: LetterKind,
    data: LetterData,
    rendered: recouvre_letters::Rendered,
}

async fn prepare(
    state: &AppState,
    user: &CurrentUser,
    case_id: i64,
    request: &LetterRequest,
) -> Result<Prepared, AppError> {
    let kind = kind_of(&request.kind)?;
    let case = recouvre_store::cases::detail(&state.store, case_id).await?;
    let bank = recouvre_store::settings::bank_identity(&state.store).await?;
    let plan = recouvre_store::direct_debits::plan(&state.store, case_id).await?;
    let rules = recouvre_store::workflow::rules(&state.store).await?;
    let today = Utc::now().date_naive();
    let context = LetterContext {
        bank: &bank,
        signatory: Signatory { name: user.user.display_name.clone(), title: "Gestionnaire contentieux".to_string() },
        today,
        cure_period_days: i64::from(rules.procedure.cure_period_days),
        plan: plan.as_ref(),
    };
    let data = letter_data(kind, &case, &context, request)?;
    let engine = state.letter_engine.engine(&state.store).await?;
    let rendered = tokio::task::spawn_blocking(move || engine.render(kind, &data).map(|rendered| (data, rendered)))
        .await
        .map_err(|error| AppError::Internal(anyhow::anyhow!("rendu interrompu : {error}")))?
        .map_err(|error| AppError::BadRequest(error.to_string()))?;
    let (data, rendered) = rendered;
    Ok(Prepared { kind, data, rendered })
}

/// What a letter takes from outside the case.
pub struct LetterContext<'a> {
    pub bank: &'a recouvre_store::settings::BankIdentity,
    pub signatory: Signatory,
    pub today: NaiveDate,
    pub cure_period_days: i64,
    pub plan: Option<&'a recouvre_store::direct_debits::PlanView>,
}

fn address_lines(text: &str) -> Vec<String> {
    text.split(['\n', ',']).map(str::trim).filter(|line| !line.is_empty()).map(str::to_string).collect()
}

fn person_party(person: &recouvre_domain::case::Person) -> Party {
    Party {
        name: format!("{} {}", person.first_name, person.last_name.to_uppercase()),
        address_lines: vec![person.address_line.clone(), format!("{} {}", person.postcode, person.city)],
        occupation: person.employer.as_ref().map(|employer| format!("salarié(e) de {employer}")),
    }
}

/// The facts of a letter of `kind` about `case`. Kind-specific parts come from the case (plan,
/// guarantor, protection, death) or from the request (a third-party recipient, the court).
pub fn letter_data(
    kind: LetterKind,
    case: &CaseDetail,
    context: &LetterContext<'_>,
    request: &LetterRequest,
) -> Result<LetterData, AppError> {
    let bank = context.bank;
    let debtor = person_party(&case.debtor);
    let breakdown = &case.breakdown;
    let interest = breakdown.contractual_interest + breakdown.statutory_interest;
    let amounts = Amounts {
        principal_cents: breakdown.principal.cents(),
        interest_cents: interest.cents(),
        costs_cents: breakdown.costs.cents(),
        penalty_cents: breakdown.penalties.cents(),
        total_cents: breakdown.total().cents(),
    };
    let (_, first_claim) = case.claims.first().ok_or_else(|| {
        AppError::Conflict(format!("le dossier {} n'a pas de créance : rien à réclamer", case.reference))
    })?;
    let claim = Claim {
        contract: format!(
            "{} n° {}{}",
            first_claim.nature.label().to_lowercase(),
            first_claim.contract_ref,
            first_claim
                .opened_on
                .map(|day| format!(" du {}", recouvre_letters::format::format_date(day)))
                .unwrap_or_default()
        ),
        due_since: first_claim.due_on,
        interest_basis: Some(match &first_claim.contractual_rate {
            Some(rate) => format!("au taux contractuel de {} % l'an", rate.replace('.', ",")),
            None => "au taux de l'intérêt légal (article 1231-6 du Code civil)".to_string(),
        }),
    };
    if kind == LetterKind::RepaymentConfirmation && breakdown.total().is_positive() {
        return Err(AppError::Conflict(format!(
            "le dossier {} doit encore {} : l'attestation de remboursement attend le solde",
            case.reference,
            breakdown.total().to_french()
        )));
    }
    let third_party = match (&request.recipient_name, &request.recipient_address) {
        (Some(name), address) if !name.trim().is_empty() => Some(Party {
            name: name.trim().to_string(),
            address_lines: address.as_deref().map(address_lines).unwrap_or_default(),
            occupation: None,
        }),
        _ => None,
    };
    // A protected adult's letters go to the guardian (C. civ. 467 for curatorship: the curator
    // assists; 473 for guardianship: the guardian represents).
    let protection = match case.debtor.protection {
        Protection::None => None,
        Protection::Guardianship => Some(GuardianRole::Tutor),
        Protection::Curatorship | Protection::EnhancedCuratorship => Some(GuardianRole::Curator),
    };
    let guardian = protection.map(|role| {
        (
            role,
            Party {
                name: case
                    .debtor
                    .guardian_name
                    .clone()
                    .unwrap_or_else(|| format!("Le {} de {}", role.label(), debtor.name)),
                address_lines: case.debtor.guardian_address.as_deref().map(address_lines).unwrap_or_default(),
                occupation: None,
            },
        )
    });
    let guarantor =
        case.parties.iter().find(|(role, _, _)| *role == PartyRole::Guarantor).map(|(_, _, p)| person_party(p));
    let recipient = match kind {
        LetterKind::GuarantorCall => guarantor.clone().ok_or_else(|| {
            AppError::Conflict("aucune caution n'est enregistrée sur ce dossier : ajoutez-la avant de l'appeler".to_string())
        })?,
        LetterKind::BailiffInstruction
            if request.enforceable_title.as_deref().is_none_or(|title| title.trim().is_empty()) =>
        {
            return Err(AppError::BadRequest(
                "instructions au commissaire de justice : indiquez le titre exécutoire à mettre à exécution \
                 (par exemple l'ordonnance d'injonction de payer revêtue de la formule exécutoire, avec sa date)"
                    .to_string(),
            ))
        }
        LetterKind::NotaryClaimDeclaration | LetterKind::BailiffInstruction | LetterKind::AgencyInstruction => {
            third_party.clone().ok_or_else(|| {
                AppError::BadRequest(format!(
                    "{} : indiquez le destinataire (nom et adresse du notaire, du commissaire de justice ou de l'agence)",
                    kind.label()
                ))
            })?
        }
        LetterKind::PaymentOrderRequest => Party {
            name: format!("Monsieur le Greffier du {}", court_name(case, request)),
            address_lines: vec![case.debtor.city.clone()],
            occupation: None,
        },
        _ => match &guardian {
            Some((_, guardian)) => guardian.clone(),
            None => debtor.clone(),
        },
    };
    let instalments = |plan: &recouvre_store::direct_debits::PlanView| -> Vec<Instalment> {
        plan.instalments
            .iter()
            .map(|instalment| Instalment { due_date: instalment.due_on, amount_cents: instalment.amount_cents })
            .collect()
    };
    let plan = context.plan.map(|plan| Plan {
        instalments: instalments(plan),
        payment_method: "prélèvement SEPA ou virement".to_string(),
        reply_by: Some(context.today + Duration::days(15)),
        agreed_on: Some(plan.plan.created_at.date_naive()),
    });
    let missed_instalment = context.plan.and_then(|plan| {
        plan.instalments.iter().find(|i| i.status == "missed" || i.status == "returned").map(|instalment| {
            MissedInstalment {
                number: u32::try_from(instalment.number).unwrap_or(0),
                due_date: instalment.due_on,
                amount_cents: instalment.amount_cents,
                regularise_by: context.today + Duration::days(15),
            }
        })
    });
    let creditor = Creditor {
        bank_name: bank.name.clone(),
        legal_identity: format!("{} — {}", bank.name, bank.address),
        address_lines: address_lines(&bank.address),
        department: bank.centre_name.clone(),
        phone: bank.centre_phone.clone(),
        email: bank.centre_email.clone(),
        iban: bank.collection_iban.clone(),
        bic: bank.collection_bic.clone(),
    };
    let data = LetterData {
        creditor,
        recipient,
        debtor: debtor.clone(),
        case_reference: case.reference.clone(),
        creditor_reference: recouvre_iso20022::sepa::rf_reference(&case.reference),
        date: context.today,
        place: case_place(bank),
        signatory: context.signatory.clone(),
        claim,
        amounts,
        cure_period_end: matches!(kind, LetterKind::FormalNotice | LetterKind::GuarantorCall)
            .then(|| context.today + Duration::days(context.cure_period_days)),
        plan: matches!(
            kind,
            LetterKind::PlanProposal
                | LetterKind::PlanAgreement
                | LetterKind::MissedInstalmentReminder
                | LetterKind::PlanLapsed
        )
        .then_some(plan)
        .flatten(),
        missed_instalment: matches!(kind, LetterKind::MissedInstalmentReminder | LetterKind::PlanLapsed)
            .then_some(missed_instalment)
            .flatten(),
        repayment: (kind == LetterKind::RepaymentConfirmation).then_some(Repayment {
            paid_on: context.today,
            amount_cents: case.claims.iter().map(|(_, claim)| claim.amounts.total().cents()).sum(),
            ficp_registered: case.debtor.ficp_registered,
        }),
        court: (kind == LetterKind::PaymentOrderRequest)
            .then(|| Court { name: court_name(case, request), address_lines: vec![case.debtor.city.clone()] }),
        legal_grounds: (kind == LetterKind::PaymentOrderRequest).then(|| legal_grounds(first_claim.nature)),
        supporting_documents: match kind {
            LetterKind::PaymentOrderRequest => supporting_documents(first_claim.nature),
            LetterKind::NotaryClaimDeclaration => estate_documents(first_claim.nature),
            _ => Vec::new(),
        },
        protection: guardian.as_ref().map(|(role, _)| LetterProtection {
            role: *role,
            decision: "décision du juge des contentieux de la protection".to_string(),
        }),
        estate: case.debtor.deceased_on.map(|date_of_death| Estate { date_of_death, notary_reference: None }),
        guarantee: (kind == LetterKind::GuarantorCall)
            .then(|| {
                case.guarantees.iter().find(|g| g.kind == GuaranteeKind::PersonalSurety).map(|guarantee| Guarantee {
                    signed_on: first_claim.opened_on.unwrap_or(first_claim.due_on),
                    cap_cents: guarantee.amount.cents(),
                    nature: "solidaire".to_string(),
                })
            })
            .flatten(),
        instruction: matches!(kind, LetterKind::BailiffInstruction | LetterKind::AgencyInstruction).then(|| {
            Instruction {
                enforceable_title: (kind == LetterKind::BailiffInstruction)
                    .then(|| request.enforceable_title.clone().filter(|title| !title.trim().is_empty()))
                    .flatten(),
                actions: match kind {
                    LetterKind::BailiffInstruction => vec![
                        "signifier le titre exécutoire et délivrer un commandement de payer".to_string(),
                        "procéder à une saisie-attribution sur les comptes du débiteur".to_string(),
                    ],
                    _ => vec![
                        "rechercher le débiteur et obtenir un règlement amiable".to_string(),
                        "nous rendre compte de vos diligences chaque mois".to_string(),
                    ],
                },
                fee_terms: None,
            }
        }),
        note: request.note.clone().filter(|note| !note.trim().is_empty()),
    };
    Ok(data)
}

fn court_name(case: &CaseDetail, request: &LetterRequest) -> String {
    request
        .court
        .clone()
        .filter(|court| !court.trim().is_empty())
        .unwrap_or_else(|| format!("Tribunal judiciaire de {}", case.debtor.city))
}

fn case_place(bank: &recouvre_store::settings::BankIdentity) -> String {
    // "Centre de recouvrement contentieux de Lyon" → "Lyon"; else the bank's city.
    bank.centre_name.rsplit(" de ").next().map(str::to_string).unwrap_or_else(|| "Paris".to_string())
}

/// CPC art. 1407: the request states the grounds of the claim.
fn legal_grounds(nature: recouvre_domain::case::ClaimNature) -> String {
    use recouvre_domain::case::ClaimNature;
    match nature {
        ClaimNature::Overdraft => "Solde débiteur du compte de dépôt clôturé, exigible à la clôture (articles 1103 et 1353 du Code civil ; article L312-1-1 du Code monétaire et financier).".to_string(),
        ClaimNature::PersonalLoan | ClaimNature::RevolvingCredit | ClaimNature::Card => "Contrat de crédit à la consommation dont la déchéance du terme a été prononcée après mise en demeure restée infructueuse (articles 1103 et 1353 du Code civil ; articles L312-39 et D312-16 du Code de la consommation).".to_string(),
        ClaimNature::Mortgage => "Contrat de crédit immobilier dont la déchéance du terme a été prononcée après mise en demeure restée infructueuse (articles 1103 et 1353 du Code civil ; articles L313-51 et R313-28 du Code de la consommation).".to_string(),
    }
}

/// CPC art. 1407: the request lists the supporting documents (bordereau de pièces).
fn supporting_documents(nature: recouvre_domain::case::ClaimNature) -> Vec<String> {
    use recouvre_domain::case::ClaimNature;
    let contract = match nature {
        ClaimNature::Overdraft => "Convention de compte de dépôt",
        ClaimNature::Mortgage => "Offre de crédit immobilier acceptée",
        _ => "Offre de contrat de crédit acceptée",
    };
    vec![
        contract.to_string(),
        "Historique des mouvements et des échéances impayées".to_string(),
        "Mise en demeure et avis de réception".to_string(),
        "Lettre prononçant la déchéance du terme ou la clôture du compte".to_string(),
        "Décompte de la créance".to_string(),
    ]
}

/// What a declaration of the claim to the notary encloses (C. civ. 792: the claim is declared
/// with its supporting documents).
fn estate_documents(nature: recouvre_domain::case::ClaimNature) -> Vec<String> {
    use recouvre_domain::case::ClaimNature;
    let contract = match nature {
        ClaimNature::Overdraft => "Convention de compte de dépôt",
        ClaimNature::Mortgage => "Offre de crédit immobilier acceptée",
        _ => "Offre de contrat de crédit acceptée",
    };
    vec![
        contract.to_string(),
        "Relevé du compte ou historique des échéances au jour du décès".to_string(),
        "Décompte de la créance".to_string(),
    ]
}

/// The deadline a validated letter opens in the agenda.
fn opened_deadline(kind: LetterKind, data: &LetterData) -> Option<OpenedDeadline> {
    let due_on = data.cure_period_end?;
    let (code, label) = match kind {
        LetterKind::FormalNotice => ("cure_period", "Fin du délai de la mise en demeure"),
        LetterKind::GuarantorCall => ("guarantor_answer", "Réponse de la caution"),
        _ => return None,
    };
    Some(OpenedDeadline {
        code: code.to_string(),
        label: label.to_string(),
        due_on,
        legal_basis: Some("C. civ. 1344".to_string()),
        warn_days: 3,
    })
}

async fn validate(
    state: &AppState,
    user: &CurrentUser,
    case_id: i64,
    request: &LetterRequest,
) -> Result<Document, AppError> {
    let prepared = prepare(state, user, case_id, request).await?;
    let pages = i64::try_from(count_pages(&prepared.rendered.pdf)).unwrap_or(1);
    let document = NewDocument {
        case_id,
        kind: prepared.kind.code().to_string(),
        template_version: prepared.rendered.template_version.clone(),
        recipient: prepared.data.recipient.name.clone(),
        data: serde_json::to_string(&prepared.data).map_err(|error| AppError::Internal(error.into()))?,
        pdf: prepared.rendered.pdf,
        pages,
        registered: prepared.kind.registered(),
        opens: opened_deadline(prepared.kind, &prepared.data),
    };
    let (stored, _) =
        recouvre_store::documents::validate(&state.store, &document, request.version, user.login(), Utc::now()).await?;
    debug_assert_eq!(stored.sha256, prepared.rendered.sha256_hex);
    Ok(stored)
}

/// Pages of a PDF, counted from its page objects (Typst writes one `/Type /Page` per page).
fn count_pages(pdf: &[u8]) -> usize {
    let needle = b"/Type /Page";
    pdf.windows(needle.len() + 1)
        .filter(|window| &window[..needle.len()] == needle && window[needle.len()] != b's')
        .count()
        .max(1)
}

fn pdf_response(bytes: Vec<u8>, file_name: &str, inline: bool) -> Response {
    let disposition = format!("{}; filename=\"{file_name}\"", if inline { "inline" } else { "attachment" });
    ([(header::CONTENT_TYPE, "application/pdf".to_string()), (header::CONTENT_DISPOSITION, disposition)], bytes)
        .into_response()
}

// ---------------------------------------------------------------------------------------------
// Pages

/// The case page's letters section.
pub struct CaseLettersView {
    /// (code, label) of every template.
    pub templates: Vec<(&'static str, &'static str)>,
    pub documents: Vec<DocumentRow>,
}

/// One stored document on the case page.
pub struct DocumentRow {
    pub id: i64,
    pub label: &'static str,
    pub recipient: String,
    pub validated_on: String,
    pub validated_by: String,
    pub sha256_short: String,
    pub registered: bool,
    pub tracking_number: String,
    pub acknowledged_on: String,
}

pub async fn case_view(state: &AppState, case_id: i64) -> Result<CaseLettersView, AppError> {
    let documents = recouvre_store::documents::of_case(&state.store, case_id).await?;
    Ok(CaseLettersView {
        templates: LetterKind::ALL.iter().map(|kind| (kind.code(), kind.label())).collect(),
        documents: documents
            .into_iter()
            .map(|document| DocumentRow {
                id: document.id,
                label: LetterKind::from_code(&document.kind).map(LetterKind::label).unwrap_or("Document"),
                recipient: document.recipient,
                validated_on: document.validated_on.format("%d/%m/%Y").to_string(),
                validated_by: document.validated_by,
                sha256_short: document.sha256.chars().take(16).collect(),
                registered: document.registered,
                tracking_number: document.tracking_number.unwrap_or_default(),
                acknowledged_on: document
                    .acknowledged_on
                    .map(|day| day.format("%d/%m/%Y").to_string())
                    .unwrap_or_default(),
            })
            .collect(),
    })
}

#[derive(Deserialize)]
struct PreviewQuery {
    modele: String,
    #[serde(default)]
    note: Option<String>,
    #[serde(default)]
    destinataire: Option<String>,
    #[serde(default)]
    adresse: Option<String>,
    #[serde(default)]
    tribunal: Option<String>,
    #[serde(default)]
    titre: Option<String>,
}

impl PreviewQuery {
    fn request(self, version: Option<i64>) -> LetterRequest {
        LetterRequest {
            kind: self.modele,
            version,
            note: self.note,
            recipient_name: self.destinataire,
            recipient_address: self.adresse,
            court: self.tribunal,
            enforceable_title: self.titre,
        }
    }
}

async fn preview_page(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(case_id): Path<i64>,
    Query(query): Query<PreviewQuery>,
) -> Result<Response, AppError> {
    user.require(Permission::WorkCases)?;
    let request = query.request(None);
    let prepared = prepare(&state, &user, case_id, &request).await?;
    Ok(pdf_response(prepared.rendered.pdf, &format!("apercu-{}-{case_id}.pdf", prepared.kind.code()), true))
}

#[derive(Deserialize)]
struct ValidateForm {
    csrf: String,
    version: i64,
    modele: String,
    #[serde(default)]
    note: Option<String>,
    #[serde(default)]
    destinataire: Option<String>,
    #[serde(default)]
    adresse: Option<String>,
    #[serde(default)]
    tribunal: Option<String>,
    #[serde(default)]
    titre: Option<String>,
}

async fn validate_form(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(case_id): Path<i64>,
    Form(form): Form<ValidateForm>,
) -> Result<Response, AppError> {
    user.check_csrf(Some(&form.csrf))?;
    user.require(Permission::WorkCases)?;
    let request = PreviewQuery {
        modele: form.modele,
        note: form.note,
        destinataire: form.destinataire,
        adresse: form.adresse,
        tribunal: form.tribunal,
        titre: form.titre,
    }
    .request(Some(form.version));
    validate(&state, &user, case_id, &request).await?;
    Ok(Redirect::to(&format!("/dossiers/{case_id}#courriers")).into_response())
}

#[derive(Deserialize)]
struct PostageForm {
    csrf: String,
    #[serde(default)]
    suivi: Option<String>,
    #[serde(default)]
    accuse: Option<String>,
}

async fn postage_form(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(document_id): Path<i64>,
    Form(form): Form<PostageForm>,
) -> Result<Response, AppError> {
    user.check_csrf(Some(&form.csrf))?;
    user.require(Permission::WorkCases)?;
    let tracking = form.suivi.as_deref().map(str::trim).filter(|text| !text.is_empty());
    let acknowledged_on = match form.accuse.as_deref().map(str::trim).filter(|text| !text.is_empty()) {
        Some(text) => Some(text.parse::<NaiveDate>().map_err(|_| {
            AppError::BadRequest(format!("date de l'accusé de réception « {text} » : attendu AAAA-MM-JJ"))
        })?),
        None => None,
    };
    let document = recouvre_store::documents::record_postage(
        &state.store,
        document_id,
        tracking,
        acknowledged_on,
        user.login(),
        Utc::now(),
    )
    .await?;
    Ok(Redirect::to(&format!("/dossiers/{}#courriers", document.case_id)).into_response())
}

/// A stored document, byte for byte as validated.
#[utoipa::path(get, path = "/api/v1/documents/{id}/pdf", params(("id" = i64, Path, description = "Document id")),
    responses((status = 200, content_type = "application/pdf", description = "The PDF as validated"), (status = 403, body = crate::error::ErrorDto), (status = 404, body = crate::error::ErrorDto)))]
async fn download(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(document_id): Path<i64>,
) -> Result<Response, AppError> {
    user.require(Permission::ReadCases)?;
    let (document, pdf) = recouvre_store::documents::get(&state.store, document_id).await?;
    Ok(pdf_response(pdf, &format!("{}-{}-{}.pdf", document.kind, document.case_id, document.id), false))
}

#[derive(Deserialize, IntoParams)]
struct DayQuery {
    /// The day (default: today).
    date: Option<NaiveDate>,
}

async fn day_mail(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(query): Query<DayQuery>,
) -> Result<Response, AppError> {
    user.require(Permission::WorkCases)?;
    let day = query.date.unwrap_or_else(|| Utc::now().date_naive());
    let pdf = day_mail_with(&state.letter_engine, &state.store, day).await?;
    Ok(pdf_response(pdf, &format!("courrier-{day}.pdf"), true))
}

/// The documents validated on `day`, as one PDF with a cover list (the same file every time:
/// each letter is made with the template version it was validated with).
pub async fn day_mail_pdf(store: &recouvre_store::Store, day: NaiveDate) -> Result<Vec<u8>, AppError> {
    day_mail_with(&EngineCache::default(), store, day).await
}

async fn day_mail_with(
    cache: &EngineCache,
    store: &recouvre_store::Store,
    day: NaiveDate,
) -> Result<Vec<u8>, AppError> {
    let engine = cache.engine(store).await?;
    let documents = recouvre_store::documents::validated_on(store, day).await?;
    if documents.is_empty() {
        return Err(AppError::NotFound(format!("aucun courrier validé le {day}")));
    }
    let mut letters = Vec::with_capacity(documents.len());
    for (document, data) in documents {
        let kind = kind_of(&document.kind)?;
        let data: LetterData = serde_json::from_str(&data).map_err(|error| {
            AppError::Internal(anyhow::anyhow!("document n° {} : données illisibles ({error})", document.id))
        })?;
        letters.push((kind, document.template_version, data));
    }
    tokio::task::spawn_blocking(move || {
        let letters: Vec<(LetterKind, &str, LetterData)> =
            letters.iter().map(|(kind, version, data)| (*kind, version.as_str(), data.clone())).collect();
        engine.render_day_mail_versions(day, &letters)
    })
    .await
    .map_err(|error| AppError::Internal(anyhow::anyhow!("rendu interrompu : {error}")))?
    .map_err(|error| AppError::Internal(anyhow::anyhow!("{error}")))
}

// ---------------------------------------------------------------------------------------------
// API

/// The documents of a case, newest first.
#[utoipa::path(get, path = "/api/v1/cases/{id}/documents", params(("id" = i64, Path, description = "Case id")),
    responses((status = 200, body = [DocumentDto]), (status = 403, body = crate::error::ErrorDto)))]
async fn list_documents(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(case_id): Path<i64>,
) -> Result<Json<Vec<DocumentDto>>, AppError> {
    user.require(Permission::ReadCases)?;
    let documents = recouvre_store::documents::of_case(&state.store, case_id).await?;
    Ok(Json(documents.into_iter().map(DocumentDto::from).collect()))
}

/// Renders a letter for preview (nothing is stored).
#[utoipa::path(post, path = "/api/v1/cases/{id}/documents/preview", params(("id" = i64, Path, description = "Case id")), request_body = LetterRequest,
    responses((status = 200, content_type = "application/pdf", description = "The letter"), (status = 400, body = crate::error::ErrorDto), (status = 403, body = crate::error::ErrorDto)))]
async fn post_preview(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(case_id): Path<i64>,
    Json(request): Json<LetterRequest>,
) -> Result<Response, AppError> {
    user.require(Permission::WorkCases)?;
    let prepared = prepare(&state, &user, case_id, &request).await?;
    Ok(pdf_response(prepared.rendered.pdf, &format!("apercu-{}-{case_id}.pdf", prepared.kind.code()), true))
}

/// Validates a letter: renders it, stores the PDF with its SHA-256, journals it and opens its
/// deadline (the cure period of a formal notice).
#[utoipa::path(post, path = "/api/v1/cases/{id}/documents", params(("id" = i64, Path, description = "Case id")), request_body = LetterRequest,
    responses((status = 201, body = DocumentDto), (status = 400, body = crate::error::ErrorDto), (status = 403, body = crate::error::ErrorDto), (status = 409, body = crate::error::ErrorDto)))]
async fn post_document(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(case_id): Path<i64>,
    Json(request): Json<LetterRequest>,
) -> Result<Response, AppError> {
    user.require(Permission::WorkCases)?;
    let document = validate(&state, &user, case_id, &request).await?;
    Ok((StatusCode::CREATED, Json(DocumentDto::from(document))).into_response())
}

/// The day's mail: every document validated that day in one PDF, after a cover list.
#[utoipa::path(get, path = "/api/v1/mail/{date}", params(("date" = NaiveDate, Path, description = "Day (AAAA-MM-JJ)")),
    responses((status = 200, content_type = "application/pdf", description = "The day's mail"), (status = 404, body = crate::error::ErrorDto)))]
async fn day_mail_api(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(day): Path<NaiveDate>,
) -> Result<Response, AppError> {
    user.require(Permission::WorkCases)?;
    let pdf = day_mail_with(&state.letter_engine, &state.store, day).await?;
    Ok(pdf_response(pdf, &format!("courrier-{day}.pdf"), false))
}
