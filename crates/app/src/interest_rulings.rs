//! What a judgment decides about a case's interest (issue 18, part 2): an officer records the
//! juge de l'exécution's ruling on the five-point increase of the statutory rate (CMF L313-3
//! al. 2: exempted, or reduced, from a day) and the capitalisation a decision orders (C. civ.
//! 1343-2). The store records it with its journal event, corrects the months already booked and
//! refuses capitalisation where the claims' nature forbids it (`recouvre_store::interest_rulings`).

use chrono::NaiveDate;
use recouvre_domain::authority::Permission;
use recouvre_domain::statutory_interest::INCREASE_POINTS;
use recouvre_store::interest::rulings::{NewRuling, RulingRecorded};
use rust_decimal::Decimal;

use crate::limits::{self, SHORT_TEXT_CHARS_MAX};
use crate::{Actor, App, Error, Result};

/// A ruling as entered (API or form); checked by [`record_ruling`].
#[derive(Debug, Clone)]
pub struct RulingInput {
    pub decided_on: NaiveDate,
    pub court: String,
    pub reference: String,
    /// The increase points kept, as typed (`"0"` exempted, `"2"` or `"2,5"` reduced, `"5"` kept).
    pub increase_points: String,
    pub increase_from: Option<NaiveDate>,
    pub capitalisation_from: Option<NaiveDate>,
}

/// The points kept, between 0 and the five points of L313-3 al. 1.
pub fn increase_points(text: &str) -> Result<Decimal> {
    let invalid = || {
        Error::invalid(
            "increase_points",
            "invalid_points",
            format!(
                "increase_points : « {} » n'est pas un nombre de points entre 0 (exonération) et 5 (majoration \
                 entière, article L313-3 du code monétaire et financier)",
                text.trim()
            ),
        )
    };
    let points: Decimal = text.trim().replace(',', ".").parse().map_err(|_| invalid())?;
    if points < Decimal::ZERO || points > INCREASE_POINTS || points.scale() > 2 {
        return Err(invalid());
    }
    Ok(points)
}

/// Records what a judgment decided about a case's interest, at the `version` of the case the
/// officer saw.
pub async fn record_ruling(
    app: &App,
    actor: &Actor,
    case_id: i64,
    version: i64,
    input: &RulingInput,
) -> Result<RulingRecorded> {
    actor.require(Permission::WorkCases)?;
    let today = app.today();
    let decided_on = limits::past_date("decided_on", input.decided_on, today)?;
    let court = limits::required_text("court", &input.court, SHORT_TEXT_CHARS_MAX, false)?;
    let reference = limits::required_text("reference", &input.reference, SHORT_TEXT_CHARS_MAX, false)?;
    let increase_points = increase_points(&input.increase_points)?;
    if let Some(from) = input.capitalisation_from {
        limits::past_date("capitalisation_from", from, today)?;
    }
    let ruling = NewRuling {
        case_id,
        decided_on,
        court,
        reference,
        increase_points,
        increase_from: input.increase_from,
        capitalisation_from: input.capitalisation_from,
    };
    Ok(recouvre_store::interest::rulings::record_ruling(app.store(), version, &ruling, &actor.login, app.now()).await?)
}
