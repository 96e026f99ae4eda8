//! Reports typeset in the letters' world (issue 8): the committee pack. Same engine, fonts and
//! determinism as the letters (no clock, fixed identifier), with the charts served as SVG files.

use std::collections::HashMap;

use typst::foundations::Bytes;

use crate::engine::{file_id, Engine};
use crate::Result;

/// The committee pack's template (a Typst module defining `render(d)`).
const COMMITTEE_PACK_TYP: &str = include_str!("../templates/committee_pack.typ");

/// The access request's answer (a Typst module defining `render(d)`; issue 24).
const ACCESS_REPORT_TYP: &str = include_str!("../templates/access_report.typ");

impl Engine {
    /// Renders the committee pack: `data` is the pack's view (every string formatted in
    /// French), `charts` the SVG files it names, by path (`/charts/age.svg`). `ident` names the
    /// document in the PDF (e.g. `committee-2026-10`): the same inputs give the same bytes.
    pub fn render_committee_pack(
        &self,
        data: &serde_json::Value,
        charts: &[(String, Vec<u8>)],
        ident: &str,
    ) -> Result<Vec<u8>> {
        let main = "#import \"/templates/committee_pack.typ\": render\n#render(json(\"/report.json\"))\n";
        let mut files: HashMap<_, Bytes> = HashMap::new();
        files.insert(file_id("/report.json"), Bytes::new(data.to_string().into_bytes()));
        files.insert(file_id("/templates/committee_pack.typ"), Bytes::new(COMMITTEE_PACK_TYP.as_bytes().to_vec()));
        for (path, svg) in charts {
            files.insert(file_id(path), Bytes::new(svg.clone()));
        }
        self.compile_files(main.to_string(), files, "committee_pack v1", ident, Vec::new())
    }

    /// Renders the answer to a debtor's access request (RGPD art. 15): `data` is the report's
    /// view (title, intro, sections of rows, notes; every string formatted in French). `ident`
    /// names the document in the PDF: the same inputs give the same bytes.
    pub fn render_access_report(&self, data: &serde_json::Value, ident: &str) -> Result<Vec<u8>> {
        let main = "#import \"/templates/access_report.typ\": render\n#render(json(\"/report.json\"))\n";
        let mut files: HashMap<_, Bytes> = HashMap::new();
        files.insert(file_id("/report.json"), Bytes::new(data.to_string().into_bytes()));
        files.insert(file_id("/templates/access_report.typ"), Bytes::new(ACCESS_REPORT_TYP.as_bytes().to_vec()));
        self.compile_files(main.to_string(), files, "access_report v1", ident, Vec::new())
    }
}
