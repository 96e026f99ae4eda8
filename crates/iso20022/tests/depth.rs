//! Issue 22, finding 1: a camt.053 nested tens of thousands of elements deep overflowed the
//! stack of the thread parsing it (a tokio worker: the server aborted). Every entry point now
//! refuses it by a byte scan before any tree is built and before libxml2 sees it.

// Helpers outside `#[test]` functions are test code too: they may unwrap (docs/guard-rails.md).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use recouvre_iso20022::schema::XML_DEPTH_MAX;
use recouvre_iso20022::{detect, read_statements, validate, FileError, Message};

const CAMT053_V02: &str = include_str!("data/camt053_v02_cic.xml");

/// A camt.053 envelope with `levels` nested `<AddtlInf>` elements, one per line.
fn nested(levels: usize) -> String {
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.053.001.02\">\n",
    );
    for _ in 0..levels {
        xml.push_str("<AddtlInf>\n");
    }
    for _ in 0..levels {
        xml.push_str("</AddtlInf>");
    }
    xml.push_str("</Document>\n");
    xml
}

/// Runs `f` on a thread with a tokio worker's default stack (2 MiB), as the server does: an
/// overflow there aborts the whole test process, so reaching the assertions proves there was none.
fn on_worker_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new().stack_size(2 * 1024 * 1024).spawn(f).unwrap().join().unwrap()
}

#[test]
fn a_30000_deep_statement_is_refused_by_every_entry_point_naming_the_line() {
    let xml = nested(30_000);
    let results = on_worker_stack(move || {
        (
            read_statements(xml.as_bytes()).unwrap_err(),
            detect(xml.as_bytes()).unwrap_err(),
            validate(Message::Camt053V02, xml.as_bytes()).unwrap_err(),
        )
    });
    // `Document` is level 1 on line 2; the nested elements start on line 3, so level 65 (the
    // first one over the limit) is the 64th `AddtlInf`, on line 66.
    let expected = FileError::TooDeep { depth: 30_001, max: XML_DEPTH_MAX, line: 66 };
    assert_eq!(results.0, expected);
    assert_eq!(results.1, expected);
    assert_eq!(results.2, expected);
    let message = expected.to_string();
    assert!(message.contains("30001 niveaux") && message.contains("ligne 66") && message.contains("64"), "{message}");
}

#[test]
fn the_limit_is_exact_and_a_real_statement_is_far_below_it() {
    // 63 nested + Document = 64 levels: parsed (then refused by the schema, not by the depth).
    let at_limit = read_statements(nested(XML_DEPTH_MAX - 1).as_bytes()).unwrap_err();
    assert!(matches!(at_limit, FileError::Invalid { .. }), "{at_limit}");
    let over = read_statements(nested(XML_DEPTH_MAX).as_bytes()).unwrap_err();
    assert!(matches!(over, FileError::TooDeep { depth: 65, max: 64, .. }), "{over}");
    assert_eq!(read_statements(CAMT053_V02.as_bytes()).map(|s| s.len()), Ok(1));
}

#[test]
fn comments_cdata_instructions_attributes_and_empty_elements_do_not_count_as_levels() {
    // Inside a valid statement, text that looks like thousands of start tags, in every place
    // where `<` does not open an element, plus thousands of self-closing elements.
    let noise = "<a><a><a><a><a>".repeat(400);
    let xml = CAMT053_V02.replacen("<BkToCstmrStmt>", &format!("<!-- {noise} --><?note {noise} ?><BkToCstmrStmt>",), 1);
    assert_eq!(read_statements(xml.as_bytes()).map(|s| s.len()), Ok(1), "comment and processing instruction");

    let with_cdata = CAMT053_V02.replacen("<MsgId>", &format!("<MsgId><![CDATA[{}]]>", "<a>".repeat(3)), 1);
    // CDATA inside MsgId changes its value, so the schema may or may not accept it: what
    // matters is that the depth scan does not refuse it.
    assert!(!matches!(read_statements(with_cdata.as_bytes()), Err(FileError::TooDeep { .. })));
    let long_cdata = nested(0).replacen("</Document>", &format!("<![CDATA[{}]]></Document>", "<a>".repeat(5000)), 1);
    assert!(!matches!(detect(long_cdata.as_bytes()), Err(FileError::TooDeep { .. })));

    // `>` and `/>` inside attribute values, single or double quoted, and self-closing elements.
    let mut attributes = nested(0);
    let mut body = String::new();
    for _ in 0..60 {
        body.push_str("<a x=\"/>\" y='>'>");
    }
    body.push_str(&"<b z=\"&gt;\"/>".repeat(10_000));
    body.push_str(&"</a>".repeat(60));
    attributes = attributes.replacen("</Document>", &format!("{body}</Document>"), 1);
    assert_eq!(detect(attributes.as_bytes()), Ok(Message::Camt053V02));

    // The same with five more levels is refused: the quoted `>` did not hide them.
    let deeper = attributes.replacen("<a x=", "<a><a><a><a><a><a x=", 1).replacen(
        "</Document>",
        "</a></a></a></a></a></Document>",
        1,
    );
    assert!(
        matches!(detect(deeper.as_bytes()), Err(FileError::TooDeep { depth: 66, .. })),
        "{:?}",
        detect(deeper.as_bytes())
    );
}

#[test]
fn an_unclosed_deep_file_is_refused_too() {
    // Never closed: a streaming attacker's file; refused by depth before the well-formedness check.
    let xml = nested(20_000).split("</AddtlInf>").next().unwrap().to_string();
    let error = on_worker_stack(move || read_statements(xml.as_bytes()).unwrap_err());
    assert!(matches!(error, FileError::TooDeep { depth: 20_001, line: 66, .. }), "{error}");
}
