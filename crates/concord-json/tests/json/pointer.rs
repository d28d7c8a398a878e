use concord_json::{ArrayIndex, IndexError, JsonPointer, PointerError};
use proptest::prelude::*;

#[test]
fn parses_the_rfc_6901_examples() {
    let cases: &[(&str, &[&str])] = &[
        ("", &[]),
        ("/foo", &["foo"]),
        ("/foo/0", &["foo", "0"]),
        ("/", &[""]),
        ("/a~1b", &["a/b"]),
        ("/c%d", &["c%d"]),
        ("/e^f", &["e^f"]),
        ("/g|h", &["g|h"]),
        ("/i\\j", &["i\\j"]),
        ("/k\"l", &["k\"l"]),
        ("/ ", &[" "]),
        ("/m~0n", &["m~n"]),
        ("/foo//bar/", &["foo", "", "bar", ""]),
    ];
    for (text, tokens) in cases {
        let p: JsonPointer = text.parse().unwrap();
        assert_eq!(p.tokens(), *tokens, "{text:?}");
        assert_eq!(p.to_string(), *text);
    }
}

#[test]
fn refuses_malformed_pointers() {
    assert_eq!(
        JsonPointer::parse("foo"),
        Err(PointerError::MissingSlash { found: 'f' })
    );
    assert_eq!(
        JsonPointer::parse("/a~"),
        Err(PointerError::BadEscape { offset: 2 })
    );
    assert_eq!(
        JsonPointer::parse("/a~2"),
        Err(PointerError::BadEscape { offset: 2 })
    );
    assert!(serde_json::from_str::<JsonPointer>("\"/a~x\"").is_err());
}

#[test]
fn reads_array_indexes_strictly() {
    assert_eq!(ArrayIndex::parse("0"), Ok(ArrayIndex::At(0)));
    assert_eq!(ArrayIndex::parse("10"), Ok(ArrayIndex::At(10)));
    assert_eq!(ArrayIndex::parse("-"), Ok(ArrayIndex::End));
    assert_eq!(ArrayIndex::parse("00"), Err(IndexError::LeadingZero));
    assert_eq!(ArrayIndex::parse(""), Err(IndexError::Empty));
    assert_eq!(ArrayIndex::parse("-1"), Err(IndexError::NotDigits));
    assert_eq!(ArrayIndex::parse("+1"), Err(IndexError::NotDigits));
    assert_eq!(ArrayIndex::parse("1e0"), Err(IndexError::NotDigits));
    assert_eq!(
        ArrayIndex::parse("99999999999999999999999"),
        Err(IndexError::TooLarge)
    );
}

#[test]
fn builds_and_splits_pointers() {
    let p = JsonPointer::root().child("a/b").child("~");
    assert_eq!(p.to_string(), "/a~1b/~0");
    let (parent, last) = p.split_last().unwrap();
    assert_eq!((parent.to_string().as_str(), last), ("/a~1b", "~"));
    assert!(p.starts_with(&parent));
    assert!(!parent.starts_with(&p));
    assert_eq!(JsonPointer::root().split_last(), None);
}

proptest! {
    #[test]
    fn render_then_parse_is_identity(tokens in prop::collection::vec("[a-z~/0-9]{0,4}", 0..5)) {
        let p = JsonPointer::from_tokens(tokens.clone());
        let back: JsonPointer = p.to_string().parse().unwrap();
        prop_assert_eq!(back.tokens(), &tokens[..]);
    }

    #[test]
    fn parsing_any_string_never_panics(s in "\\PC{0,12}") {
        if let Ok(p) = JsonPointer::parse(&s) {
            prop_assert_eq!(p.to_string(), s);
        }
    }
}
