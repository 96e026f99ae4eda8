//! Why personal data is read (RGPD art. 5-1-b, purpose limitation; art. 15-1-a, the purposes a
//! debtor learns in an answer to an access request): each read recorded in the access log names
//! its purpose (issue 23). The use case that reads sets it; an API client may declare another
//! from this fixed list with the header `X-Access-Purpose` (docs/api.md).

/// A purpose of a read of personal data. Codes are stored in `access_log.purpose`: never
/// renamed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Purpose {
    /// Working the case: reading its file, ledger, journal, contacts, mandate, scans.
    CaseFile,
    /// A search of the case list by name, number or account.
    Search,
    /// Preparing or reading a letter sent to the debtor.
    Letter,
    /// Following a court or enforcement procedure, and the strategy behind it.
    Procedure,
    /// Answering a data subject's access request (RGPD art. 15).
    AccessRequest,
    /// Internal control, audit or inspection.
    Control,
}

impl Purpose {
    pub const ALL: [Purpose; 6] = [
        Purpose::CaseFile,
        Purpose::Search,
        Purpose::Letter,
        Purpose::Procedure,
        Purpose::AccessRequest,
        Purpose::Control,
    ];

    /// The code stored and declared by API clients.
    pub fn code(self) -> &'static str {
        match self {
            Purpose::CaseFile => "case_file",
            Purpose::Search => "search",
            Purpose::Letter => "letter",
            Purpose::Procedure => "procedure",
            Purpose::AccessRequest => "access_request",
            Purpose::Control => "control",
        }
    }

    /// What screens, the access export and its PDF print.
    pub fn label(self) -> &'static str {
        match self {
            Purpose::CaseFile => "consultation du dossier",
            Purpose::Search => "recherche",
            Purpose::Letter => "préparation d'un courrier",
            Purpose::Procedure => "suivi d'une procédure",
            Purpose::AccessRequest => "demande d'accès",
            Purpose::Control => "contrôle",
        }
    }

    pub fn from_code(code: &str) -> Option<Purpose> {
        Purpose::ALL.into_iter().find(|purpose| purpose.code() == code)
    }

    /// The label of a stored code (a code unknown to this version shows as itself).
    pub fn label_of(code: &str) -> String {
        Purpose::from_code(code).map_or_else(|| code.to_string(), |purpose| purpose.label().to_string())
    }

    /// A declared purpose (the `X-Access-Purpose` header): one of the list, or a 400 naming
    /// the header.
    pub fn parse_declared(code: &str) -> crate::Result<Purpose> {
        Purpose::from_code(code.trim()).ok_or_else(|| {
            crate::Error::invalid(
                "X-Access-Purpose",
                "unknown_purpose",
                format!(
                    "finalité « {} » inconnue : l'une de {}",
                    code.trim(),
                    Purpose::ALL.map(Purpose::code).join(", ")
                ),
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_unknown_ones_are_refused() {
        for purpose in Purpose::ALL {
            assert_eq!(Purpose::from_code(purpose.code()), Some(purpose));
        }
        assert_eq!(Purpose::label_of("search"), "recherche");
        assert!(Purpose::parse_declared("marketing").is_err());
        assert_eq!(Purpose::parse_declared(" control ").unwrap(), Purpose::Control);
    }
}
