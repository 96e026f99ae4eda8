//! Letters after a debtor's death that still pursue the debt (issue 20): the formal notice to a
//! living co-debtor bound jointly and severally (C. civ. 1313: the creditor may claim the whole
//! debt of any of them; the death of one does not free the others), and the service of the
//! title on the heirs by a commissaire de justice (C. civ. 877: the title against the deceased
//! is enforceable against each heir eight days after it was served on them).

use recouvre_domain::case::{PartyRole, Person};
use recouvre_domain::debtor_file::EstateOption;
use recouvre_letters::{LetterKind, Party};
use recouvre_store::cases::CaseDetail;
use recouvre_store::debtors::Estate;

use crate::{App, Error, Result};

/// The co-debtor of `case` whose customer number is `number`, as a letter names them (with the
/// civility of their own file), refused when the letter is not one a co-debtor receives, when
/// no co-debtor of the case has that number, when they died too, or when a letter came back
/// from their address.
pub(crate) async fn co_debtor(app: &App, case: &CaseDetail, kind: LetterKind, number: &str) -> Result<Party> {
    if kind != LetterKind::FormalNotice {
        return Err(Error::invalid(
            "co_debtor",
            "not_for_kind",
            format!(
                "{} : seule la mise en demeure s'adresse à un codébiteur ; laissez le codébiteur vide pour ce modèle",
                kind.label()
            ),
        ));
    }
    let co_debtors: Vec<&Person> =
        case.parties.iter().filter(|(role, _, _)| *role == PartyRole::CoDebtor).map(|(_, _, person)| person).collect();
    let Some(person) = co_debtors.iter().find(|person| person.customer_number == number) else {
        let known: Vec<String> =
            co_debtors.iter().map(|person| format!("{} ({})", person.display_name(), person.customer_number)).collect();
        return Err(Error::invalid(
            "co_debtor",
            "unknown",
            if known.is_empty() {
                format!("le dossier {} n'a pas de codébiteur : laissez ce champ vide", case.reference)
            } else {
                format!(
                    "aucun codébiteur de numéro client « {number} » sur le dossier {} : choisissez parmi {}",
                    case.reference,
                    known.join(", ")
                )
            },
        ));
    };
    if let Some(day) = person.deceased_on {
        return Err(Error::refused(
            "co_debtor_deceased",
            format!(
                "{} : le décès du codébiteur {} est enregistré au {} ; écrivez au notaire chargé de sa succession",
                kind.label(),
                person.display_name(),
                recouvre_letters::format::format_date(day)
            ),
        ));
    }
    let file = recouvre_store::debtors::file(app.store(), &person.customer_number).await?;
    if let Some(day) = file.address_invalid_on {
        return Err(Error::refused(
            "address_invalid",
            format!(
                "l'adresse du codébiteur {} est marquée « n'habite pas à l'adresse indiquée » depuis le {} : corrigez-la \
                 sur sa fiche (numéro client {}) avant de lui écrire",
                person.display_name(),
                recouvre_letters::format::format_date(day),
                person.customer_number
            ),
        ));
    }
    Ok(super::facts::civil_party(person, file.civility))
}

/// What the commissaire de justice is asked to do against a deceased debtor's heirs, as the
/// debtor's file records them: serve the title on each heir (C. civ. 877) and wait eight days
/// before any enforcement; while the heirs have not opted, summon them to opt once four months
/// have passed since the death (C. civ. 771, 772). Refused when the heirs renounced the estate
/// (C. civ. 806: an heir who renounces is not bound by its debts) or are not recorded.
pub(crate) fn heirs_actions(debtor_name: &str, estate: Option<&Estate>) -> Result<Vec<String>> {
    // As the letter names the debtor: "Julien MOREL", "Monsieur Julien MOREL".
    let of_debtor = recouvre_letters::format::of_name(debtor_name);
    if estate.and_then(|estate| estate.option) == Some(EstateOption::Renunciation) {
        return Err(Error::refused(
            "heirs_renounced",
            format!(
                "{} : les héritiers {of_debtor} ont renoncé à la succession et ne sont pas tenus de ses dettes (article 806 \
                 du Code civil) ; déclarez la créance au notaire ou au curateur de la succession vacante",
                LetterKind::BailiffInstruction.label()
            ),
        ));
    }
    let heirs = estate.and_then(|estate| estate.heirs.as_deref()).map(str::trim).filter(|heirs| !heirs.is_empty());
    let Some(heirs) = heirs else {
        return Err(Error::refused(
            "heirs_unknown",
            format!(
                "{} : les héritiers {of_debtor} ne sont pas enregistrés ; le titre se signifie à chacun d'eux (article 877 \
                 du Code civil) : enregistrez-les sur la fiche du débiteur (situation « décès ») d'abord",
                LetterKind::BailiffInstruction.label()
            ),
        ));
    };
    let mut actions = vec![
        format!(
            "signifier le titre exécutoire à chacun des héritiers {of_debtor} ({heirs}), à sa personne ou à son domicile \
             (article 877 du Code civil)"
        ),
        "n'engager aucune mesure d'exécution contre un héritier avant l'expiration d'un délai de huit jours après \
         cette signification (même article)"
            .to_string(),
    ];
    if estate.and_then(|estate| estate.option) != Some(EstateOption::Acceptance) {
        actions.push(
            "à défaut d'option des héritiers quatre mois après le décès, les sommer de prendre parti sur la succession \
             (articles 771 et 772 du Code civil)"
                .to_string(),
        );
    }
    Ok(actions)
}
