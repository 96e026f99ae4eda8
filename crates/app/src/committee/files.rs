//! The committee pack's files (issue 8): charts (SVG, drawn with plotters), PDF (Typst, through
//! the letters engine), XLSX (rust_xlsxwriter) and CSV (the domain's). Every file depends on the
//! pack alone: no clock, fixed document properties, so the same month gives the same bytes.

use plotters::coord::ranged1d::SegmentValue;
use plotters::prelude::*;
use recouvre_domain::committee::{Cell, Channel, CommitteePack, Table, VINTAGE_MONTHS};
use recouvre_domain::snapshot::AgeBucket;
use recouvre_domain::Money;
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use serde_json::json;

use crate::letters::base_engine;
use crate::{Error, Result};

/// The pack's three files.
pub struct Files {
    pub pdf: Vec<u8>,
    pub xlsx: Vec<u8>,
    pub csv: Vec<u8>,
}

/// A chart: its code (file name), French title and SVG text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Chart {
    pub code: &'static str,
    pub title: String,
    pub svg: String,
}

/// The font named in the SVG: the one the PDF engine ships; a browser falls back to a serif.
const FONT: &str = "Libertinus Serif";
const WIDTH: u32 = 520;
const HEIGHT: u32 = 320;

fn chart_error(error: impl std::fmt::Display) -> Error {
    Error::internal(format!("graphique du dossier de comité : {error}"))
}

/// Whole euros, for a chart's axis (display only: the figures come from the tables).
fn euros(amount: Money) -> i64 {
    amount.cents().div_euclid(100)
}

fn euro_label(value: &i64) -> String {
    let text = Money::euros(*value).to_french_number();
    format!("{} €", text.trim_end_matches(",00"))
}

/// A bar of category `i`, drawn in order (plotters' `Histogram` sums through a hash map, whose
/// order would change the SVG's bytes from one run to the next).
fn bar(i: usize, value: i64, color: RGBColor, margin: u32) -> Rectangle<(SegmentValue<u32>, i64)> {
    let i = i as u32;
    let mut rectangle =
        Rectangle::new([(SegmentValue::Exact(i), 0), (SegmentValue::Exact(i + 1), value)], color.filled());
    rectangle.set_margin(0, 0, margin, margin);
    rectangle
}

/// Outstanding by age bucket: bars at the month's end, hollow circles at the previous month's.
fn age_chart(pack: &CommitteePack) -> Result<Chart> {
    let buckets: Vec<(String, i64, i64)> = AgeBucket::ALL
        .iter()
        .map(|bucket| {
            let line = pack.portfolio.by_age.iter().find(|line| line.code == bucket.code());
            (
                bucket.label().to_string(),
                line.map_or(0, |line| euros(line.outstanding)),
                line.map_or(0, |line| euros(line.previous_outstanding)),
            )
        })
        .collect();
    let top = buckets.iter().map(|(_, now, before)| (*now).max(*before)).max().unwrap_or(0).max(1) * 11 / 10;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, HEIGHT)).into_drawing_area();
        root.fill(&WHITE).map_err(chart_error)?;
        let count = buckets.len() as u32;
        let mut chart = ChartBuilder::on(&root)
            .caption("Encours par ancienneté au contentieux", (FONT, 16))
            .margin(10)
            .x_label_area_size(36)
            .y_label_area_size(84)
            .build_cartesian_2d((0u32..count).into_segmented(), 0i64..top)
            .map_err(chart_error)?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .light_line_style(WHITE)
            .bold_line_style(BLACK.mix(0.15))
            .y_label_formatter(&euro_label)
            .x_label_formatter(&|value| match value {
                SegmentValue::CenterOf(i) => buckets.get(*i as usize).map(|b| b.0.clone()).unwrap_or_default(),
                _ => String::new(),
            })
            .label_style((FONT, 11))
            .draw()
            .map_err(chart_error)?;
        chart
            .draw_series(buckets.iter().enumerate().map(|(i, (_, now, _))| bar(i, *now, RGBColor(140, 140, 140), 12)))
            .map_err(chart_error)?
            .label("Fin du mois")
            .legend(|(x, y)| Rectangle::new([(x, y - 5), (x + 12, y + 5)], RGBColor(140, 140, 140).filled()));
        if pack.previous_as_of.is_some() {
            chart
                .draw_series(buckets.iter().enumerate().map(|(i, (_, _, before))| {
                    Circle::new((SegmentValue::CenterOf(i as u32), *before), 5, BLACK.stroke_width(2))
                }))
                .map_err(chart_error)?
                .label("Mois précédent")
                .legend(|(x, y)| Circle::new((x + 6, y), 5, BLACK.stroke_width(2)));
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperRight)
            .background_style(WHITE)
            .border_style(BLACK)
            .label_font((FONT, 11))
            .draw()
            .map_err(chart_error)?;
        root.present().map_err(chart_error)?;
    }
    Ok(Chart { code: "age", title: "Encours par ancienneté au contentieux".to_string(), svg })
}

fn short_channel(channel: Channel) -> &'static str {
    match channel {
        Channel::Bailiff => "Commissaire",
        Channel::Agency => "Agence",
        other => other.label(),
    }
}

/// Recoveries of the month by channel: one bar each, with its amount above.
fn channel_chart(pack: &CommitteePack) -> Result<Chart> {
    let lines: Vec<(&str, i64)> =
        pack.flows.recovered_by_channel.iter().map(|line| (short_channel(line.channel), euros(line.amount))).collect();
    let top = lines.iter().map(|(_, amount)| *amount).max().unwrap_or(0).max(1) * 12 / 10;
    let bottom = lines.iter().map(|(_, amount)| *amount).min().unwrap_or(0).min(0);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, HEIGHT)).into_drawing_area();
        root.fill(&WHITE).map_err(chart_error)?;
        let count = lines.len() as u32;
        let mut chart = ChartBuilder::on(&root)
            .caption("Encaissements du mois par canal", (FONT, 16))
            .margin(10)
            .x_label_area_size(36)
            .y_label_area_size(84)
            .build_cartesian_2d((0u32..count).into_segmented(), bottom..top)
            .map_err(chart_error)?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .light_line_style(WHITE)
            .bold_line_style(BLACK.mix(0.15))
            .y_label_formatter(&euro_label)
            .x_label_formatter(&|value| match value {
                SegmentValue::CenterOf(i) => lines.get(*i as usize).map(|l| l.0.to_string()).unwrap_or_default(),
                _ => String::new(),
            })
            .label_style((FONT, 11))
            .draw()
            .map_err(chart_error)?;
        chart
            .draw_series(lines.iter().enumerate().map(|(i, (_, amount))| bar(i, *amount, RGBColor(60, 60, 60), 14)))
            .map_err(chart_error)?;
        chart
            .draw_series(lines.iter().enumerate().filter(|(_, (_, amount))| *amount != 0).map(|(i, (_, amount))| {
                Text::new(
                    euro_label(amount),
                    (SegmentValue::CenterOf(i as u32), *amount + (top - bottom) / 30),
                    (FONT, 10).into_font().color(&BLACK).pos(plotters::style::text_anchor::Pos::new(
                        plotters::style::text_anchor::HPos::Center,
                        plotters::style::text_anchor::VPos::Bottom,
                    )),
                )
            }))
            .map_err(chart_error)?;
        root.present().map_err(chart_error)?;
    }
    Ok(Chart { code: "channels", title: "Encaissements du mois par canal".to_string(), svg })
}

/// Tenths of a percent, for a chart's axis.
fn per_mille(rate: Decimal) -> i64 {
    (rate * Decimal::from(1000)).round().to_i64().unwrap_or(0)
}

/// Cumulative recovery rate by vintage: one line per cohort (the latest six with a point), each
/// with its own marker and shade of grey.
fn vintage_chart(pack: &CommitteePack) -> Result<Chart> {
    let curves: Vec<(&str, Vec<(i32, i64)>)> = pack
        .vintages
        .iter()
        .rev()
        .filter(|curve| curve.rates[0].is_some())
        .take(6)
        .map(|curve| {
            let points = VINTAGE_MONTHS
                .iter()
                .zip(curve.rates.iter())
                .filter_map(|(months, rate)| rate.map(|rate| (*months, per_mille(rate))))
                .collect();
            (curve.vintage.as_str(), points)
        })
        .collect();
    let top = curves.iter().flat_map(|(_, points)| points.iter().map(|(_, y)| *y)).max().unwrap_or(0).max(50) * 12 / 10;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, HEIGHT)).into_drawing_area();
        root.fill(&WHITE).map_err(chart_error)?;
        let mut chart = ChartBuilder::on(&root)
            .caption("Taux de recouvrement cumulé par génération", (FONT, 16))
            .margin(10)
            .x_label_area_size(36)
            .y_label_area_size(54)
            .build_cartesian_2d(0i32..25i32, 0i64..top)
            .map_err(chart_error)?;
        chart
            .configure_mesh()
            .light_line_style(WHITE)
            .bold_line_style(BLACK.mix(0.15))
            .x_desc("mois depuis l'entrée au contentieux")
            .x_labels(9)
            .y_label_formatter(&|value| format!("{} %", value / 10))
            .label_style((FONT, 11))
            .axis_desc_style((FONT, 11))
            .draw()
            .map_err(chart_error)?;
        let shades = [0u8, 70, 120, 0, 70, 120];
        for (index, (vintage, points)) in curves.iter().enumerate() {
            let shade = shades[index % shades.len()];
            let color = RGBColor(shade, shade, shade);
            let style = color.stroke_width(2);
            chart.draw_series(LineSeries::new(points.iter().copied(), style)).map_err(chart_error)?;
            let marker = index % 3;
            let filled = index < 3;
            let series = chart
                .draw_series(points.iter().map(move |point| -> DynElement<'static, SVGBackend, (i32, i64)> {
                    let point_style = if filled { color.filled() } else { color.stroke_width(2) };
                    match marker {
                        0 => Circle::new(*point, 4, point_style).into_dyn(),
                        1 => TriangleMarker::new(*point, 5, point_style).into_dyn(),
                        _ => Cross::new(*point, 4, color.stroke_width(2)).into_dyn(),
                    }
                }))
                .map_err(chart_error)?;
            series.label(vintage.to_string()).legend(move |(x, y)| -> DynElement<'static, SVGBackend, (i32, i32)> {
                let point_style = if filled { color.filled() } else { color.stroke_width(2) };
                match marker {
                    0 => Circle::new((x + 6, y), 4, point_style).into_dyn(),
                    1 => TriangleMarker::new((x + 6, y), 5, point_style).into_dyn(),
                    _ => Cross::new((x + 6, y), 4, color.stroke_width(2)).into_dyn(),
                }
            });
        }
        if !curves.is_empty() {
            chart
                .configure_series_labels()
                .position(SeriesLabelPosition::UpperLeft)
                .background_style(WHITE)
                .border_style(BLACK)
                .label_font((FONT, 11))
                .draw()
                .map_err(chart_error)?;
        }
        root.present().map_err(chart_error)?;
    }
    Ok(Chart { code: "vintages", title: "Taux de recouvrement cumulé par génération".to_string(), svg })
}

/// The pack's three charts.
pub fn charts(pack: &CommitteePack) -> Result<Vec<Chart>> {
    Ok(vec![age_chart(pack)?, channel_chart(pack)?, vintage_chart(pack)?])
}

fn is_figure(cell: &Cell) -> bool {
    matches!(cell, Cell::Count(_) | Cell::Money(_) | Cell::Rate(_))
}

/// The PDF's data: every string in French, tables with their alignment, the charts' paths.
fn pdf_view(pack: &CommitteePack, charts: &[Chart]) -> serde_json::Value {
    let tables: Vec<serde_json::Value> = pack
        .tables()
        .iter()
        .map(|table: &Table| {
            let align: Vec<&str> = table
                .columns
                .iter()
                .enumerate()
                .map(|(i, _)| {
                    let figure = table.rows.iter().any(|(_, cells)| cells.get(i).is_some_and(is_figure));
                    if figure {
                        "right"
                    } else {
                        "left"
                    }
                })
                .collect();
            json!({
                "title": table.title,
                "headers": table.columns.iter().map(|(_, header)| *header).collect::<Vec<_>>(),
                "align": align,
                "rows": table.rows.iter().map(|(_, cells)| cells.iter().map(Cell::french).collect::<Vec<_>>()).collect::<Vec<_>>(),
            })
        })
        .collect();
    let total = &pack.portfolio.total;
    // The first month has nothing to compare with: it says so, instead of showing the whole
    // portfolio as the month's change (issue 18, cut-offs).
    const FIRST_MONTH: &str = "premier mois arrêté : pas de mois précédent";
    let change = |now: Money, before: Money| {
        if pack.previous_as_of.is_none() {
            return FIRST_MONTH.to_string();
        }
        let delta = now - before;
        let sign = if delta.is_negative() { "" } else { "+" };
        format!("{sign}{} sur le mois", delta.to_french())
    };
    let cases_change = |now: i64, before: i64| {
        if pack.previous_as_of.is_none() {
            return FIRST_MONTH.to_string();
        }
        format!("{:+} sur le mois", now - before)
    };
    json!({
        "title": format!("Dossier du comité des risques et du contentieux — {}", pack.month_label),
        "subtitle": format!(
            "Arrêté au {} (traitement de nuit){}",
            pack.as_of.format("%d/%m/%Y"),
            pack.previous_as_of.map(|date| format!(", comparé au {}", date.format("%d/%m/%Y"))).unwrap_or_default()
        ),
        "bank": "Recouvre",
        "department": "Direction du contentieux",
        "footer": format!("Dossier de comité {} — chiffres rapprochés du grand livre", pack.month.code()),
        "highlights": [
            {"label": "Encours contentieux", "value": total.outstanding.to_french(), "note": change(total.outstanding, total.previous_outstanding)},
            {"label": "Dossiers ouverts", "value": Cell::Count(total.cases).french(), "note": cases_change(total.cases, total.previous_cases)},
            {"label": "Encaissements du mois", "value": pack.flows.recovered.to_french(), "note": format!("passages en pertes : {}", pack.flows.written_off.to_french())},
            {"label": "Provisions", "value": pack.provisions.total.to_french(), "note": format!("dotation nette : {}", pack.provisions.movement.to_french())},
        ],
        "charts": charts.iter().map(|chart| json!({"path": format!("/charts/{}.svg", chart.code), "title": chart.title})).collect::<Vec<_>>(),
        "tables": tables,
        "sources": format!(
            "Sources : instantané du traitement de nuit du {} (encours par nature, étape, ancienneté et gestionnaire) ; flux du grand livre comptés par les traitements de nuit du mois (encaissements, pertes, remises, intérêts) ; politique de provisionnement {} ; procédures, agenda et demandes de validation à la date d'édition. Détail : docs/reports.md.",
            pack.as_of.format("%d/%m/%Y"),
            pack.provisions.policy_version
        ),
    })
}

/// The pack as PDF, with the charts embedded.
pub fn pdf(pack: &CommitteePack, charts: &[Chart]) -> Result<Vec<u8>> {
    let files: Vec<(String, Vec<u8>)> =
        charts.iter().map(|chart| (format!("/charts/{}.svg", chart.code), chart.svg.clone().into_bytes())).collect();
    base_engine()
        .render_committee_pack(&pdf_view(pack, charts), &files, &format!("committee-{}", pack.month.code()))
        .map_err(|error| Error::internal(format!("mise en page du dossier de comité : {error}")))
}

/// The pack as a workbook: a summary sheet, then one sheet per table.
pub fn xlsx(pack: &CommitteePack) -> Result<Vec<u8>> {
    use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook};
    let xlsx_error =
        |error: rust_xlsxwriter::XlsxError| Error::internal(format!("classeur du dossier de comité : {error}"));
    let mut workbook = Workbook::new();
    // Fixed properties: the creation date is the snapshot's, never the clock's.
    let created = ExcelDateTime::from_ymd(
        u16::try_from(chrono::Datelike::year(&pack.as_of)).unwrap_or(2000),
        chrono::Datelike::month(&pack.as_of) as u8,
        chrono::Datelike::day(&pack.as_of) as u8,
    )
    .map_err(xlsx_error)?;
    workbook.set_properties(
        &DocProperties::new()
            .set_title(format!("Dossier de comité {}", pack.month.code()))
            .set_author("Recouvre")
            .set_creation_datetime(&created),
    );
    let bold = Format::new().set_bold();
    let money = Format::new().set_num_format("#,##0.00 \"€\"");
    let percent = Format::new().set_num_format("0.0%");
    let wrap = Format::new().set_text_wrap();
    for table in pack.tables() {
        let sheet = workbook.add_worksheet();
        sheet.set_name(sheet_name(table.code)).map_err(xlsx_error)?;
        sheet.write_string_with_format(0, 0, &table.title, &bold).map_err(xlsx_error)?;
        sheet.write_string_with_format(2, 0, "Code", &bold).map_err(xlsx_error)?;
        for (i, (_, header)) in table.columns.iter().enumerate() {
            sheet.write_string_with_format(2, (i + 1) as u16, *header, &bold).map_err(xlsx_error)?;
        }
        for (r, (code, cells)) in table.rows.iter().enumerate() {
            let row = (r + 3) as u32;
            sheet.write_string(row, 0, code).map_err(xlsx_error)?;
            for (c, cell) in cells.iter().enumerate() {
                let col = (c + 1) as u16;
                match cell {
                    Cell::Text(text) => sheet.write_string(row, col, text).map(drop),
                    Cell::Count(count) => sheet.write_number(row, col, *count as f64).map(drop),
                    // A spreadsheet cell is a number: the exact cents, shown as euros.
                    Cell::Money(amount) => sheet
                        .write_number_with_format(row, col, amount.to_decimal().to_f64().unwrap_or(0.0), &money)
                        .map(drop),
                    Cell::Rate(Some(rate)) => {
                        sheet.write_number_with_format(row, col, rate.to_f64().unwrap_or(0.0), &percent).map(drop)
                    }
                    Cell::Rate(None) => sheet.write_string(row, col, "").map(drop),
                    Cell::Date(date) => sheet.write_string(row, col, date.format("%d/%m/%Y").to_string()).map(drop),
                }
                .map_err(xlsx_error)?;
            }
        }
        sheet.set_column_width(0, 14).map_err(xlsx_error)?;
        for col in 1..=table.columns.len() as u16 {
            sheet.set_column_width(col, 20).map_err(xlsx_error)?;
        }
        let _ = &wrap;
    }
    workbook.save_to_buffer().map_err(xlsx_error)
}

/// A sheet name (at most 31 characters, no `[]:*?/\`).
fn sheet_name(code: &str) -> String {
    code.chars().take(31).collect()
}

/// The pack's three files.
pub fn render_all(pack: &CommitteePack) -> Result<Files> {
    let charts = charts(pack)?;
    Ok(Files { pdf: pdf(pack, &charts)?, xlsx: xlsx(pack)?, csv: pack.to_csv().into_bytes() })
}

/// The file format a path's extension asks for.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Format {
    Pdf,
    Xlsx,
    Csv,
}

impl Format {
    /// The format of `extension` (`pdf`, `xlsx`, `csv`, in any case).
    pub fn of_extension(extension: &str) -> Result<Format> {
        match extension.to_ascii_lowercase().as_str() {
            "pdf" => Ok(Format::Pdf),
            "xlsx" => Ok(Format::Xlsx),
            "csv" => Ok(Format::Csv),
            other => Err(Error::invalid(
                "format",
                "unknown_format",
                format!("format « {other} » inconnu : le fichier doit finir par .pdf, .xlsx ou .csv"),
            )),
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Format::Pdf => "application/pdf",
            Format::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            Format::Csv => "text/csv; charset=utf-8",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Format::Pdf => "pdf",
            Format::Xlsx => "xlsx",
            Format::Csv => "csv",
        }
    }
}

/// One file of the pack.
pub fn render(pack: &CommitteePack, format: Format) -> Result<Vec<u8>> {
    match format {
        Format::Pdf => pdf(pack, &charts(pack)?),
        Format::Xlsx => xlsx(pack),
        Format::Csv => Ok(pack.to_csv().into_bytes()),
    }
}
