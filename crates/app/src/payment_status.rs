//! The bank's payment status reports (pain.002, issue 21 items 3 and 4): `recouvre import
//! payment-status FILE` and `POST /api/v1/imports/payment-status` (accounting control). The
//! report, read by `recouvre_iso20022::pain002`, is turned into the rejections the store
//! applies in one transaction (`recouvre_store::transfer_returns::import_status_report`): a
//! rejected transfer reversed, a rejected collection booked back as a return
//! (docs/formats/payment-status.md).

use recouvre_domain::authority::Permission;
use recouvre_iso20022::pain002::{PaymentStatusReport, StatusReason, REJECTED};
use recouvre_store::transfer_returns::{OriginalKind, Rejection, StatusReportFile, StatusReportOutcome};
use sha2::{Digest, Sha256};

use crate::{Actor, App, Error, Result};

/// The reason to record: the first reason's code (the transaction's, else its block's, else the
/// file's), `NARR` when the bank gave none.
fn reason(levels: &[&[StatusReason]]) -> String {
    levels.iter().find_map(|reasons| reasons.first()).map_or_else(|| "NARR".to_string(), StatusReason::effective_code)
}

fn is_rejected(status: Option<&str>) -> bool {
    status == Some(REJECTED)
}

/// The rejections a report makes, and how many transactions it accepts (or leaves pending). A
/// transaction's own status wins over its block's, a block's over the file's; a rejected file
/// or block that lists no transaction rejects all of them. A rejected transaction without
/// `OrgnlEndToEndId` is refused naming its line.
pub fn rejections(file_name: &str, report: &PaymentStatusReport) -> Result<(Vec<Rejection>, u64)> {
    let mut rejections = Vec::new();
    let mut accepted = 0u64;
    let group_rejected = is_rejected(report.group_status.as_deref());
    if report.payments.is_empty() {
        if group_rejected {
            rejections.push(Rejection {
                end_to_end_id: None,
                payment_information_id: None,
                reason_code: reason(&[&report.group_reasons]),
                line: report.line,
            });
        }
        return Ok((rejections, accepted));
    }
    for payment in &report.payments {
        let block_status = payment.status.as_deref().or(report.group_status.as_deref());
        if payment.transactions.is_empty() {
            if is_rejected(block_status) {
                rejections.push(Rejection {
                    end_to_end_id: None,
                    payment_information_id: Some(payment.original_payment_information_id.clone()),
                    reason_code: reason(&[&payment.reasons, &report.group_reasons]),
                    line: payment.line,
                });
            }
            continue;
        }
        for transaction in &payment.transactions {
            let status = transaction.status.as_deref().or(block_status);
            if !is_rejected(status) {
                accepted += 1;
                continue;
            }
            let Some(end_to_end_id) = transaction.original_end_to_end_id.clone() else {
                return Err(Error::invalid(
                    "OrgnlEndToEndId",
                    "invalid_file",
                    format!(
                        "{file_name}, ligne {} : transaction rejetée sans OrgnlEndToEndId : impossible de savoir \
                         laquelle ; rien n'a été importé de ce fichier",
                        transaction.line
                    ),
                ));
            };
            rejections.push(Rejection {
                end_to_end_id: Some(end_to_end_id),
                payment_information_id: Some(payment.original_payment_information_id.clone()),
                reason_code: reason(&[&transaction.reasons, &payment.reasons, &report.group_reasons]),
                line: transaction.line,
            });
        }
    }
    Ok((rejections, accepted))
}

/// Reads a pain.002 and applies it in one transaction (see the module's doc). All or nothing;
/// an error names the file, the line and the field. Importing the same report again changes
/// nothing.
pub async fn import(app: &App, actor: &Actor, file_name: &str, bytes: &[u8]) -> Result<StatusReportOutcome> {
    actor.require(Permission::ImportStatements)?;
    let owned = bytes.to_vec();
    let report = crate::blocking::parse(move || recouvre_iso20022::read_payment_status(&owned))
        .await?
        .map_err(|error| Error::invalid("file", "invalid_file", format!("{file_name} : {error}")))?;
    let original_kind = if report.is_for_transfers() {
        OriginalKind::Transfers
    } else if report.is_for_direct_debits() {
        OriginalKind::DirectDebits
    } else {
        return Err(Error::invalid(
            "OrgnlMsgNmId",
            "invalid_file",
            format!(
                "{file_name}, ligne {} : le rapport porte sur un message « {} » : Recouvre n'émet que des pain.001 \
                 (virements) et des pain.008 (prélèvements)",
                report.line, report.original_message_name
            ),
        ));
    };
    let (rejections, accepted) = rejections(file_name, &report)?;
    let file_sha256 = hex::encode(Sha256::digest(bytes));
    let file = StatusReportFile {
        file_name,
        file_sha256: &file_sha256,
        original_kind,
        original_message_id: &report.original_message_id,
        line: report.line,
        reported_on: report.created_on().unwrap_or_else(|| app.today()),
        rejections: &rejections,
        accepted,
    };
    Ok(recouvre_store::transfer_returns::import_status_report(app.store(), &file, &actor.login, app.now()).await?)
}
