//! YAML output exactly as Helm's `toYaml` (sigs.k8s.io/yaml over go-yaml v2) and `toYamlPretty`
//! (go-yaml v3 with a 2-space indent) write it.
//!
//! `toYaml` marshals to JSON first and reads that JSON back with go-yaml v2, so JSON numbers
//! become ints or floats by v2's rules; the shared go-yaml emitter (`super::emit`) then
//! decides the bytes.

use super::emit::{self, Node, SequenceIndent};
use super::resolve::{resolve_number, PlainNumber};
use crate::go::json::{JsonDoc, Shape};
use crate::go::strconv;

/// Which go-yaml writes the document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavor {
    /// `toYaml`: go-yaml v2 via sigs.k8s.io/yaml (sequences in mappings are not indented).
    V2,
    /// `toYamlPretty`: go-yaml v3 with `SetIndent(2)` (sequences in mappings indented).
    V3Pretty,
}

/// `yaml.Marshal(v)` for a value already turned into Go's JSON, with its final newline.
pub fn marshal<D: JsonDoc>(doc: &D, flavor: Flavor) -> String {
    let sequences = match flavor {
        Flavor::V2 => SequenceIndent::Indentless,
        Flavor::V3Pretty => SequenceIndent::Indented,
    };
    emit::to_string(&to_node(doc), sequences)
}

/// The emitter's view of a JSON document: its strings and keys are borrowed, not copied.
fn to_node<D: JsonDoc>(json: &D) -> Node<'_> {
    match json.shape() {
        Shape::Null => Node::Plain("null".into()),
        Shape::Bool(b) => Node::Plain(if b { "true" } else { "false" }.into()),
        Shape::Number(text) => Node::Plain(plain_number(&text).into()),
        Shape::Str(s) => Node::Str(s),
        Shape::Array(items) => Node::Seq(items.iter().map(deep_node).collect()),
        Shape::Object(entries) => Node::Map(entries.map(|(k, v)| (k, deep_node(v))).collect()),
    }
}

/// [`to_node`] for a nested value, on more stack when this one runs low.
fn deep_node<D: JsonDoc>(json: &D) -> Node<'_> {
    crate::stack::deep(|| to_node(json))
}

/// A JSON number's text as go-yaml v2 writes it back: read as int64, then uint64, then
/// float64, a float written with `strconv.FormatFloat(f, 'g', -1, 64)`.
pub fn plain_number(text: &str) -> String {
    match resolve_number(text) {
        Some(PlainNumber::Int(i)) => i.to_string(),
        Some(PlainNumber::Uint(u)) => u.to_string(),
        Some(PlainNumber::Float(f)) => strconv::format_float(f, 'g', -1),
        None => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::go::json::Json;

    fn s(text: &str) -> Json {
        Json::Str(text.into())
    }

    fn obj(entries: Vec<(&str, Json)>) -> Json {
        Json::Object(entries.into_iter().map(|(k, v)| (k.into(), v)).collect())
    }

    fn num(text: &str) -> Json {
        Json::Number(text.into())
    }

    #[test]
    fn sorts_keys_naturally() {
        let doc = obj(vec![
            ("zeta", num("1")),
            ("alpha", num("2")),
            ("Beta", num("3")),
            ("_u", num("4")),
            ("10", num("5")),
            ("9", num("6")),
        ]);
        assert_eq!(
            marshal(&doc, Flavor::V2),
            "_u: 4\n\"9\": 6\n\"10\": 5\nBeta: 3\nalpha: 2\nzeta: 1\n"
        );
    }

    #[test]
    fn quotes_strings_as_go_yaml_does() {
        let cases = [
            ("yes", "\"yes\""),
            ("Y", "\"Y\""),
            ("False", "\"False\""),
            ("1.0", "\"1.0\""),
            ("", "\"\""),
            ("~", "\"~\""),
            ("0x1F", "\"0x1F\""),
            ("0o17", "\"0o17\""),
            ("017", "\"017\""),
            ("1e3", "\"1e3\""),
            ("1_000", "\"1_000\""),
            ("a: b", "'a: b'"),
            ("a:b", "a:b"),
            ("# c", "'# c'"),
            ("a #b", "'a #b'"),
            ("*a", "'*a'"),
            ("- x", "'- x'"),
            ("-", "'-'"),
            ("---", "'---'"),
            (" lead", "' lead'"),
            ("trail ", "'trail '"),
            ("2024-01-01", "\"2024-01-01\""),
            ("12:30:00", "\"12:30:00\""),
            (".inf", "\".inf\""),
            ("'", "''''"),
            ("\"", "'\"'"),
            ("a, b", "a, b"),
            ("=", "="),
            ("<<", "<<"),
            ("...", "'...'"),
            ("+1", "\"+1\""),
            ("1.2.3", "1.2.3"),
            ("ü", "ü"),
            ("a\tb", "\"a\\tb\""),
            ("x  \ny", "\"x  \\ny\""),
        ];
        for (input, want) in cases {
            let doc = obj(vec![("k", s(input))]);
            assert_eq!(
                marshal(&doc, Flavor::V2),
                format!("k: {want}\n"),
                "{input:?}"
            );
        }
    }

    #[test]
    fn writes_block_strings_with_hints() {
        let doc = obj(vec![
            ("leadsp", s("  indented\nnext")),
            ("nl", s("line1\nline2\n")),
            ("nonl", s("line1\nline2")),
            ("onlynl", s("\n")),
            ("twonl", s("a\n\n")),
        ]);
        assert_eq!(
            marshal(&doc, Flavor::V2),
            "leadsp: |2-\n    indented\n  next\nnl: |\n  line1\n  line2\nnonl: |-\n  line1\n  line2\nonlynl: |2+\n\ntwonl: |+\n  a\n\n"
        );
    }

    #[test]
    fn writes_numbers_and_collections() {
        let doc = obj(vec![
            ("big", num("12345678901")),
            ("e", num("100000000000000000000")),
            ("f", num("1.5")),
            ("neg", num("-0")),
            ("small", num("1e-7")),
            ("el", Json::Array(vec![])),
            ("em", obj(vec![])),
            ("nul", Json::Null),
            (
                "l",
                Json::Array(vec![
                    obj(vec![
                        ("name", s("a")),
                        ("ports", Json::Array(vec![num("1"), num("2")])),
                    ]),
                    obj(vec![("name", s("b")), ("env", obj(vec![("K", s("V"))]))]),
                ]),
            ),
        ]);
        assert_eq!(
            marshal(&doc, Flavor::V2),
            "big: 12345678901\ne: 1e+20\nel: []\nem: {}\nf: 1.5\nl:\n- name: a\n  ports:\n  - 1\n  - 2\n- env:\n    K: V\n  name: b\nneg: 0\nnul: null\nsmall: 1e-07\n"
        );
    }

    #[test]
    fn pretty_indents_sequences() {
        let doc = Json::Array(vec![
            obj(vec![
                ("name", s("a")),
                ("ports", Json::Array(vec![num("1"), num("2")])),
            ]),
            obj(vec![("name", s("b")), ("env", obj(vec![("K", s("V"))]))]),
        ]);
        assert_eq!(
            marshal(&doc, Flavor::V3Pretty),
            "- name: a\n  ports:\n    - 1\n    - 2\n- env:\n    K: V\n  name: b\n"
        );
    }

    #[test]
    fn folds_long_plain_scalars() {
        let long = "aaaaaaaaaa bbbbbbbbbb cccccccccc dddddddddd eeeeeeeeee ffffffffff gggggggggg hhhhhhhhhh iiiiiiiiii jjjjjjjjjj";
        let doc = obj(vec![("long", s(long)), ("u", s("héllo ☃"))]);
        assert_eq!(
            marshal(&doc, Flavor::V2),
            "long: aaaaaaaaaa bbbbbbbbbb cccccccccc dddddddddd eeeeeeeeee ffffffffff gggggggggg\n  hhhhhhhhhh iiiiiiiiii jjjjjjjjjj\nu: héllo ☃\n"
        );
    }

    #[test]
    fn parsed_and_go_json_documents_marshal_alike() {
        // kustomize's serde documents and toYaml's Go JSON read through the same nodes.
        let parsed = serde_json::json!({
            "zeta": u64::MAX, "min": i64::MIN, "f": 0.1, "big": 1e21, "small": 1e-7,
            "10": "yes", "9": "", "el": [], "em": {}, "nul": null, "t": true,
            "l": [{"b": "x\ny"}, "a: b"],
        });
        let go = obj(vec![
            ("zeta", num("18446744073709551615")),
            ("min", num("-9223372036854775808")),
            ("f", num("0.1")),
            ("big", num("1e+21")),
            ("small", num("1e-7")),
            ("10", s("yes")),
            ("9", s("")),
            ("el", Json::Array(vec![])),
            ("em", obj(vec![])),
            ("nul", Json::Null),
            ("t", Json::Bool(true)),
            (
                "l",
                Json::Array(vec![obj(vec![("b", s("x\ny"))]), s("a: b")]),
            ),
        ]);
        let want = "\"9\": \"\"\n\"10\": \"yes\"\nbig: 1e+21\nel: []\nem: {}\nf: 0.1\nl:\n- b: |-\n    x\n    y\n- 'a: b'\nmin: -9223372036854775808\nnul: null\nsmall: 1e-07\nt: true\nzeta: 18446744073709551615\n";
        assert_eq!(marshal(&go, Flavor::V2), want);
        assert_eq!(marshal(&parsed, Flavor::V2), want);
    }

    #[test]
    fn writes_top_level_scalars() {
        assert_eq!(marshal(&s("hello"), Flavor::V2), "hello\n");
        assert_eq!(marshal(&s("yes"), Flavor::V2), "\"yes\"\n");
        assert_eq!(marshal(&Json::Null, Flavor::V2), "null\n");
        assert_eq!(marshal(&obj(vec![]), Flavor::V2), "{}\n");
        assert_eq!(marshal(&Json::Array(vec![]), Flavor::V2), "[]\n");
    }
}
