//! The case page's timeline filters (issue 16): which family each journal event belongs to, in one
//! place, so that « Procédures », « Argent », « Courriers » and « Contacts » keep the same events
//! wherever the timeline is filtered. Server-side (`?historique=procedures`): works without
//! JavaScript.

/// A family of events the officer can keep alone in the case's timeline.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum TimelineFilter {
    /// Assessment, strategy, procedure steps and their deadlines, legal warnings.
    Procedures,
    /// Payments, plans and instalments, waivers, write-offs, interest, direct debits.
    Money,
    /// Letters validated and posted, documents received.
    Letters,
    /// Contacts with the debtor, promises, actions, notes, exchanges with third parties.
    Contacts,
}

impl TimelineFilter {
    pub(crate) const ALL: [TimelineFilter; 4] =
        [TimelineFilter::Procedures, TimelineFilter::Money, TimelineFilter::Letters, TimelineFilter::Contacts];

    /// The query parameter's value (`?historique=…`), French like the page's addresses.
    pub(crate) fn code(self) -> &'static str {
        match self {
            TimelineFilter::Procedures => "procedures",
            TimelineFilter::Money => "argent",
            TimelineFilter::Letters => "courriers",
            TimelineFilter::Contacts => "contacts",
        }
    }

    pub(crate) fn label(self) -> &'static str {
        match self {
            TimelineFilter::Procedures => "Procédures",
            TimelineFilter::Money => "Argent",
            TimelineFilter::Letters => "Courriers",
            TimelineFilter::Contacts => "Contacts",
        }
    }

    /// The filter a query value names; anything else (absent, unknown) shows every event.
    pub(crate) fn from_query(value: Option<&str>) -> Option<TimelineFilter> {
        let value = value?;
        TimelineFilter::ALL.into_iter().find(|filter| filter.code() == value)
    }

    /// The family of a journal event kind (`EventKind` code); `None` for events kept only under
    /// « Tout » (the case's opening, claims, parties, tags, assignment, debtor's file, closing).
    pub(crate) fn of_kind(kind: &str) -> Option<TimelineFilter> {
        Some(match kind {
            "assessment_recorded"
            | "strategy_recommended"
            | "strategy_accepted"
            | "strategy_overridden"
            | "procedure_step"
            | "deadline_warning"
            | "foreclosure_warning"
            | "limitation_warning"
            | "agency_mandate_expired" => TimelineFilter::Procedures,
            "payment_booked"
            | "suspense_assigned"
            | "payment_after_closure"
            | "interest_accrued"
            | "plan_requested"
            | "plan_approved"
            | "plan_refused"
            | "plan_created"
            | "plan_cancelled"
            | "plan_completed"
            | "plan_lapsed"
            | "instalment_missed"
            | "waiver_requested"
            | "waiver_booked"
            | "waiver_approved"
            | "waiver_refused"
            | "write_off_requested"
            | "write_off_booked"
            | "write_off_approved"
            | "write_off_refused"
            | "mandate_added"
            | "mandate_revoked"
            | "mandate_amended"
            | "mandate_expired"
            | "direct_debit_prenotified"
            | "direct_debit_collected"
            | "direct_debit_returned"
            | "refund_requested"
            | "refund_approved"
            | "refund_refused"
            | "refund_transferred"
            | "transfer_rejected"
            | "claim_sold" => TimelineFilter::Money,
            "document_validated" | "document_postage" | "attachment_added" => TimelineFilter::Letters,
            "contact_recorded"
            | "promise_kept"
            | "promise_broken"
            | "action_planned"
            | "action_moved"
            | "action_done"
            | "note_added"
            | "third_party_exchange"
            | "department_request_sent"
            | "department_request_acknowledged"
            | "department_request_answered" => TimelineFilter::Contacts,
            _ => return None,
        })
    }
}

/// One link of the timeline's filter bar: « Tout » then each family.
pub(crate) struct FilterLink {
    pub label: &'static str,
    pub href: String,
    pub current: bool,
}

/// The filter bar of a case's timeline, the active one marked.
pub(crate) fn filter_links(case_id: i64, active: Option<TimelineFilter>) -> Vec<FilterLink> {
    let mut links =
        vec![FilterLink { label: "Tout", href: format!("/dossiers/{case_id}#journal"), current: active.is_none() }];
    links.extend(TimelineFilter::ALL.into_iter().map(|filter| FilterLink {
        label: filter.label(),
        href: format!("/dossiers/{case_id}?historique={}#journal", filter.code()),
        current: active == Some(filter),
    }));
    links
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_values_name_their_filter_and_families_hold_their_events() {
        for filter in TimelineFilter::ALL {
            assert_eq!(TimelineFilter::from_query(Some(filter.code())), Some(filter));
        }
        assert_eq!(TimelineFilter::from_query(Some("tout")), None);
        assert_eq!(TimelineFilter::from_query(None), None);
        assert_eq!(TimelineFilter::of_kind("procedure_step"), Some(TimelineFilter::Procedures));
        assert_eq!(TimelineFilter::of_kind("payment_booked"), Some(TimelineFilter::Money));
        assert_eq!(TimelineFilter::of_kind("document_validated"), Some(TimelineFilter::Letters));
        assert_eq!(TimelineFilter::of_kind("contact_recorded"), Some(TimelineFilter::Contacts));
        assert_eq!(TimelineFilter::of_kind("case_opened"), None);
        let links = filter_links(7, Some(TimelineFilter::Money));
        assert_eq!(links.iter().filter(|link| link.current).count(), 1);
        assert_eq!(links[2].href, "/dossiers/7?historique=argent#journal");
        assert!(links[2].current);
    }
}
