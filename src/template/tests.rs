//! End-to-end tests of the engine on our own small templates (expectations from Go/Helm).

use super::value::{Map, MapType, Value};
use super::TemplateSet;

fn values(json: serde_json::Value) -> Value {
    let Value::Map(m) = Value::from_json(&json) else {
        panic!("values must be a mapping")
    };
    let root = Map::default();
    root.insert("Values", Value::Map(m.with_type(MapType::Values)));
    let release = Map::default();
    release.insert("Name", Value::from("release"));
    root.insert("Release", Value::Map(release));
    Value::Map(root)
}

fn render_bytes(helpers: &str, template: &str, vals: serde_json::Value) -> Result<Vec<u8>, String> {
    let mut set = TemplateSet::default();
    set.add_file("t/_helpers.tpl", helpers)
        .map_err(|e| e.to_string())?;
    set.add_file("t/case.yaml", template)
        .map_err(|e| e.to_string())?;
    set.execute("t/case.yaml", &values(vals))
        .map_err(|e| e.to_string())
}

fn render_with(helpers: &str, template: &str, vals: serde_json::Value) -> Result<String, String> {
    render_bytes(helpers, template, vals)
        .map(|out| String::from_utf8(out).expect("template output is UTF-8"))
}

fn render(template: &str, vals: serde_json::Value) -> String {
    render_with("", template, vals).unwrap()
}

fn render_err(template: &str) -> String {
    render_with("", template, serde_json::json!({})).unwrap_err()
}

#[test]
fn actions_pipelines_and_variables() {
    assert_eq!(
        render(
            "{{ \"b\" | printf \"%s-%s\" \"a\" }}",
            serde_json::json!({})
        ),
        "a-b"
    );
    assert_eq!(
        render(
            "{{- $c := 0 }}{{ range .Values.l }}{{ $c = len $.Values.l }}{{ end }}{{ $c }}",
            serde_json::json!({"l": [1, 2, 3]})
        ),
        "3"
    );
    assert_eq!(
        render(
            "{{ $x := \"outer\" }}{{ if true }}{{ $x := \"in\" }}{{ end }}{{ $x }}",
            serde_json::json!({})
        ),
        "outer"
    );
    assert_eq!(
        render(
            "{{ (index .Values.l 1).n }}",
            serde_json::json!({"l": [{"n": 1}, {"n": "two"}]})
        ),
        "two"
    );
}

#[test]
fn control_structures() {
    let out = render(
        "{{ range $k, $v := .Values.m }}{{ $k }}={{ $v }};{{ end }}",
        serde_json::json!({"m": {"zeta": 1, "alpha": 2, "10": 5, "9": 6, "Mid": 3}}),
    );
    assert_eq!(out, "10=5;9=6;Mid=3;alpha=2;zeta=1;");
    assert_eq!(
        render("{{ range 3 }}{{ . }},{{ end }}", serde_json::json!({})),
        "0,1,2,"
    );
    assert_eq!(
        render("{{ range .Values.l }}{{ if eq . 2.0 }}{{ continue }}{{ end }}{{ if eq . 4.0 }}{{ break }}{{ end }}{{ . }}{{ end }}", serde_json::json!({"l": [1, 2, 3, 4, 5]})),
        "13"
    );
    assert_eq!(
        render(
            "{{ with .Values.a }}A{{ else with .Values.b }}{{ . }}{{ else }}none{{ end }}",
            serde_json::json!({"b": "bee"})
        ),
        "bee"
    );
    assert_eq!(
        render(
            "{{ if 0 }}a{{ else if \"\" }}b{{ else }}c{{ end }}",
            serde_json::json!({})
        ),
        "c"
    );
}

#[test]
fn missing_values_and_nil() {
    assert_eq!(render("[{{ .Values.nope }}]", serde_json::json!({})), "[]");
    assert_eq!(
        render(
            "{{ $x := .Values.nope }}[{{ $x.y.z }}]",
            serde_json::json!({})
        ),
        "[]"
    );
    assert!(render_err("{{ .Values.nope.x }}").contains("nil pointer evaluating interface {}.x"));
    assert_eq!(
        render("{{ print nil .Values.nope }}", serde_json::json!({})),
        "<nil> <nil>"
    );
}

#[test]
fn numbers_print_as_helm() {
    assert_eq!(
        render(
            "{{ .Values.a }} {{ .Values.b }} {{ 1e6 }} {{ 0x1F }}",
            serde_json::json!({"a": 1000000, "b": 1.5})
        ),
        "1e+06 1.5 1e+06 31"
    );
    assert_eq!(
        render("{{ 1i }} {{ printf \"%T\" 2.5i }}", serde_json::json!({})),
        "(0+1i) complex128"
    );
}

#[test]
fn define_template_include_tpl() {
    let helpers = "{{- define \"t\" }}<{{ . }}>{{ end -}}{{- define \"self\" }}{{ include \"self\" . }}{{ end -}}";
    assert_eq!(
        render_with(
            helpers,
            "{{ template \"t\" \"x\" }}{{ include \"t\" 1 | printf \"%s\" }}",
            serde_json::json!({})
        )
        .unwrap(),
        "<x><1>"
    );
    assert_eq!(
        render_with(
            helpers,
            "{{ tpl \"{{ .Values.a }}-{{ include \\\"t\\\" 2 }}\" . }}",
            serde_json::json!({"a": "A"})
        )
        .unwrap(),
        "A-<2>"
    );
    let err = render_with(helpers, "{{ include \"self\" . }}", serde_json::json!({})).unwrap_err();
    // Helm's own limit (1000 nested includes of one name) comes before the engine's depth limit.
    assert!(
        err.ends_with(
            "rendering template has a nested reference name: self: unable to execute template"
        ),
        "{err}"
    );
    // Helm's limit is a limit: its kind says so, whatever words it has.
    let mut set = TemplateSet::default();
    set.add_file("t/_helpers.tpl", helpers).unwrap();
    set.add_file("t/case.yaml", "{{ include \"self\" . }}")
        .unwrap();
    let err = set
        .execute("t/case.yaml", &values(serde_json::json!({})))
        .unwrap_err();
    assert_eq!(err.limit(), Some(crate::budget::LimitKind::TemplateDepth));
}

#[test]
fn comparison_errors_read_as_go() {
    assert!(render_err("{{ eq \"a\" 1 }}")
        .contains("error calling eq: incompatible types for comparison: string and int"));
    assert!(
        render_err("{{ lt 1 1.5 }}").contains("incompatible types for comparison: int and float64")
    );
    assert_eq!(
        render("{{ eq 2 1 2 }} {{ lt \"a\" \"b\" }}", serde_json::json!({})),
        "true true"
    );
}

#[test]
fn limits_stop_runaway_templates() {
    let mut set = TemplateSet::new(super::Limits {
        max_steps: 10_000,
        ..Default::default()
    });
    set.add_file("x", "{{ range 100000 }}a{{ end }}").unwrap();
    assert!(set
        .execute("x", &Value::Nil)
        .unwrap_err()
        .to_string()
        .contains("steps"));
}

#[test]
fn empty_loops_and_builders_in_loops_count_steps() {
    let limited = |template: &str| {
        let mut set = TemplateSet::new(super::Limits {
            max_steps: 100_000,
            ..Default::default()
        });
        set.add_file("x", template).unwrap();
        set.execute("x", &Value::Nil).unwrap_err().to_string()
    };
    for template in [
        "{{ range 1000000000000 }}{{ end }}",
        "{{ range until 1000000 }}{{ range until 1000000 }}{{ end }}{{ end }}",
        "{{ range until 1000000 }}{{ $x := repeat 10000000 \"x\" }}{{ end }}",
        "{{ $l := until 50000 }}{{ range $l }}{{ if has -1 $l }}{{ end }}{{ end }}",
        "{{ $l := list }}{{ range until 1000000 }}{{ $l = append $l . }}{{ end }}",
    ] {
        assert!(limited(template).contains("steps"), "{template}");
    }
}

#[test]
fn costly_functions_charge_their_cost_in_steps() {
    let within = |max_steps: u64, template: &str| {
        let mut set = TemplateSet::new(super::Limits {
            max_steps,
            ..Default::default()
        });
        set.add_file("x", template).unwrap();
        set.execute("x", &Value::Nil).map_err(|e| e.to_string())
    };
    // One scrypt costs more than a million steps: the budget stops it before it runs.
    let derive = "{{ derivePassword 1 \"long\" \"p\" \"u\" \"s\" }}";
    let err = within(1_000_000, derive).unwrap_err();
    assert!(err.contains("steps"), "{err}");
    assert_eq!(within(2_000_000, derive).unwrap().len(), 14);
    // A kind with no password templates derives nothing, and costs nothing.
    let unknown = "{{ derivePassword 1 \"nope\" \"p\" \"u\" \"s\" }}";
    assert_eq!(
        within(1_000, unknown).unwrap(),
        b"cannot find password template nope"
    );
}

#[test]
fn nesting_inside_recursion_stops_at_the_stack_budget() {
    // Structures nested in a template that includes itself: each include level is far below
    // the depth limit in calls, but together they would overflow the stack.
    let helpers = [
        "{{ define \"x\" }}",
        &"{{ if 1 }}".repeat(900),
        "{{ include \"x\" . }}",
        &"{{ end }}".repeat(900),
        "{{ end }}",
    ]
    .concat();
    let err = render_with(&helpers, "{{ include \"x\" . }}", serde_json::json!({})).unwrap_err();
    assert!(err.contains("template: nesting too deep"), "{err:.500}");
}

#[test]
fn until_refuses_lists_too_large_to_hold() {
    assert!(
        render_err("{{ range until 1000000000 }}x{{ end }}").contains("until: result too large")
    );
    assert_eq!(
        render("{{ until 1000000 | len }}", serde_json::json!({})),
        "1000000"
    );
}

#[test]
fn every_prefix_of_a_template_parses_or_fails_cleanly() {
    let src = "a {{- /* c */ -}} {{ define \"d\" }}{{ range $i, $v := .Values.l }}{{ if and (eq $i 1) (not .x) }}{{ printf \"%d\" $i | print }}{{ else if .y }}{{ break }}{{ end }}{{ end }}{{ end }}{{ with $x := (index .Values \"k\").f }}{{ $x = 'a' }}{{ `raw` }}{{ 0x1F }}{{ -1.5e3 }}{{ else }}{{ template \"d\" . }}{{ end }} -}}";
    for end in 0..=src.len() {
        if !src.is_char_boundary(end) {
            continue;
        }
        let mut set = TemplateSet::default();
        if set.add_file("p", &src[..end]).is_ok() {
            let _ = set.execute(
                "p",
                &values(serde_json::json!({"l": [1, 2], "k": {"f": 1}})),
            );
        }
    }
}

#[test]
fn nil_out_of_a_map_is_refused_by_typed_parameters() {
    assert!(render_err("{{ printf .Values.missing }}")
        .contains("wrong type for value; expected string; got interface {}"));
    // Through a variable or a pipeline the nil is untyped, as in Go.
    assert!(render_err("{{ $x := .Values.missing }}{{ printf $x }}")
        .contains("invalid value; expected string"));
}

#[test]
fn values_methods_resolve_before_keys() {
    let vals = serde_json::json!({"a": {"b": {"c": 1}}, "s": "x"});
    assert_eq!(
        render("{{ printf \"%T %T\" .Values .Values.AsMap }}", vals.clone()),
        "common.Values map[string]interface {}"
    );
    assert_eq!(
        render(
            "{{ (.Values.Table \"a.b\").c }} {{ .Values.PathValue \"a.b.c\" }}",
            vals.clone()
        ),
        "1 1"
    );
    assert!(render_with("", "{{ .Values.Table \"s\" }}", vals)
        .unwrap_err()
        .contains("\"s\" is not a table"));
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    let parens = format!("{{{{ {}1{} }}}}", "(".repeat(100_000), ")".repeat(100_000));
    let ifs = "{{ if 1 }}".repeat(100_000);
    for text in [parens, ifs] {
        let err = TemplateSet::default().add_file("deep", &text).unwrap_err();
        assert!(
            err.to_string().contains("max expression depth exceeded"),
            "{err}"
        );
    }
}

#[test]
fn nil_slices_print_empty_but_marshal_as_null() {
    // Expectations from helm v4.1.4: `concat` of nothing, `rest`/`initial` of an empty list
    // and `regexFindAll` without a match are nil slices.
    let out = render(
        "{{ concat (list) (list) | printf \"%#v\" }} {{ concat (list) | toJson }} \
         {{ concat (list) }} {{ rest (list) | printf \"%#v\" }} {{ rest (list 1) | toJson }} \
         {{ initial (list) | toJson }} {{ regexFindAll \"x\" \"abc\" -1 | printf \"%#v\" }} \
         {{ concat (list) | uniq | printf \"%#v\" }} {{ deepEqual (concat (list)) (list) }} \
         {{ empty (concat (list)) }}",
        serde_json::json!({}),
    );
    assert_eq!(
        out,
        "[]interface {}(nil) null [] []interface {}(nil) [] null []string(nil) \
         []interface {}{} false true"
    );
}

/// Renders one line per template and returns the output bytes (which need not be UTF-8).
fn render_lines(lines: &[&str]) -> Vec<u8> {
    render_bytes("", &lines.join("\n"), serde_json::json!({})).unwrap()
}

#[test]
fn strings_are_bytes_cut_measured_and_printed_as_go_does() {
    // Expectations from helm v4.1.4 (`helm template --debug`, output bytes compared).
    let out = render_lines(&[
        r#"{{ trunc 4 "日本語" | len }} {{ trunc 4 "日本語" | trunc 3 | len }}"#,
        r#"{{ trunc 4 "日本語" | quote }} {{ printf "%q" (trunc 4 "日本語") }}"#,
        r#"{{ printf "%x" (trunc 4 "日本語") }} {{ trunc 4 "日本語" | b64enc }}"#,
        r#"{{ substr 0 4 "日本語" | quote }} {{ abbrev 5 "日本語日本語" | quote }}"#,
        r#"{{ index "日本語" 1 }} {{ trunc 4 "日本語" | kindOf }}"#,
        r#"{{ printf "%#v" (trunc 4 "日本語") }} {{ printf "%v" (list (trunc 4 "日本語")) | quote }}"#,
        r#"{{ trunc 4 "日本語" | replace "本" "x" | quote }} {{ trunc 4 "日本語" | squote }}"#,
        r#"{{ trunc 4 "日本語" }}|{{ trunc 4 "日本語" | js }}|{{ trunc 4 "日本語" | urlquery }}"#,
        r#"{{ printf "%5s|%.2s|%-4q" (trunc 4 "日本語") (substr 1 5 "日本語") (trunc 4 "日本語") | quote }}"#,
        r#"{{ eq (trunc 4 "日本語") (substr 0 4 "日本語") }} {{ cat (trunc 4 "日本語") "x" | quote }}"#,
        r#"{{ trunc 4 "日本語" | nindent 2 | quote }} {{ substr 1 5 "日本語" | wrap 2 | quote }}"#,
    ]);
    let expected: &[u8] = b"4 3\n\
        \"\xe6\x97\xa5\\xe6\" \"\xe6\x97\xa5\\xe6\"\n\
        e697a5e6 5pel5g==\n\
        \"\xe6\x97\xa5\\xe6\" \"\\xe6\\x97...\"\n\
        151 string\n\
        \"\xe6\x97\xa5\\xe6\" \"[\xe6\x97\xa5\\xe6]\"\n\
        \"\xe6\x97\xa5\\xe6\" '\xe6\x97\xa5\xe6'\n\
        \xe6\x97\xa5\xe6|\xe6\x97\xa5\xe6|%E6%97%A5%E6\n\
        \"   \xe6\x97\xa5\\xe6|\\x97\\xa5|\\\"\xe6\x97\xa5\\\\xe6\\\"\"\n\
        true \"\xe6\x97\xa5\\xe6 x\"\n\
        \"\\n  \xe6\x97\xa5\\xe6\" \"\\x97\\xa5\\xe6\\x9c\"";
    assert_eq!(
        String::from_utf8_lossy(&out),
        String::from_utf8_lossy(expected)
    );
    assert_eq!(out, expected);
}

#[test]
fn invalid_bytes_read_as_one_replacement_rune_each() {
    // Rune-wise functions see U+FFFD per invalid byte; encoding/json writes `\ufffd`; toYaml
    // goes through JSON, so it prints the replacement character itself (helm v4.1.4).
    let out = render_lines(&[
        r#"{{ substr 0 5 "日本語" | upper | quote }} {{ trunc 4 "日本語" | title | quote }}"#,
        r#"{{ trunc 4 "日本語" | toJson }} {{ trunc 4 "日本語" | toYaml }}"#,
        r#"{{ "\xff\xfe" | toJson }} {{ list "\xff" "a" | toJson }}"#,
    ]);
    assert_eq!(
        String::from_utf8(out).unwrap(),
        "\"日\u{fffd}\u{fffd}\" \"日\u{fffd}\"\n\
         \"日\\ufffd\" 日\u{fffd}\n\
         \"\\ufffd\\ufffd\" [\"\\ufffd\",\"a\"]"
    );
}

#[test]
fn byte_escapes_in_literals_make_bytes() {
    // Go's strconv.Unquote: `\x` and octal escapes are bytes in strings, runes in characters.
    let out = render_lines(&[
        r#"{{ "\xff\u00e9\101\377" | quote }} {{ len "\xff\u00e9" }} {{ '\xff' }} {{ '\377' }}"#,
        r#"{{ "\xff" | sha1sum }} {{ "\xff" | b32enc }} {{ tpl "{{ \"\\xff\" | quote }}" . }}"#,
        r#"{{ include "x" . | quote }}{{ define "x" }}{{ "\xfe" }}{{ end }}"#,
    ]);
    assert_eq!(
        String::from_utf8(out).unwrap(),
        "\"\\xfféA\\xff\" 3 255 255\n\
         85e53271e14006f0265921d02d4d736cdc580b0b 74====== \"\\xff\"\n\
         \"\\xfe\""
    );
}

#[test]
fn decoded_bytes_keep_their_length() {
    let out = render_lines(&[
        r#"{{ randBytes 24 | b64dec | len }} {{ "/w==" | b64dec | len }} {{ "74======" | b32dec | len }}"#,
        r#"{{ "/w==" | b64dec | b64enc }} {{ encryptAES "k" ("/w==" | b64dec) | decryptAES "k" | b64enc }}"#,
    ]);
    assert_eq!(String::from_utf8(out).unwrap(), "24 1 1\n/w== /w==");
}

/// Sprig's `atoi` and `duration` ignore ParseInt's error, so an out-of-range number reads as
/// the nearest bound (helm v4.1.4 prints these), and a non-number as 0.
#[test]
fn parse_int_out_of_range_is_the_nearest_bound() {
    assert_eq!(
        render(
            r#"{{ atoi "99999999999999999999" }} {{ atoi "-99999999999999999999" }} {{ atoi "12x" }} {{ duration "99999999999999999999" }}"#,
            serde_json::json!({})
        ),
        "9223372036854775807 -9223372036854775808 0 -1s"
    );
}

/// Outputs of `include` and `tpl` and the argument lists of calls are reused buffers: a
/// shorter output after a longer one, outputs nested in outputs and calls nested in arguments
/// keep nothing of each other.
#[test]
fn reused_buffers_keep_nothing_of_earlier_calls() {
    let helpers = r#"{{ define "long" }}a long output{{ end }}{{ define "short" }}s{{ end }}{{ define "outer" }}[{{ include "short" . }}|{{ include "long" . }}]{{ end }}"#;
    assert_eq!(
        render_with(
            helpers,
            r#"{{ include "long" . }} {{ include "short" . }} {{ include "outer" . }} {{ tpl "{{ include \"long\" . }}" . }}{{ tpl "x" . }} {{ include "short" . | upper }} {{ printf "%s-%s" (upper "a") (lower (printf "%s%s" "B" (include "short" .))) }} {{ list 1 2 | len }}"#,
            serde_json::json!({})
        )
        .unwrap(),
        "a long output s [s|a long output] a long outputx S A-bs 2"
    );
}

/// A range element of a `[]interface {}` or `map[string]interface {}` keeps Go's static type
/// `interface {}` as dot and as a range variable (a pipeline's result does not). Expectations
/// from helm v4.1.4 with the same values.
#[test]
fn range_elements_of_interface_collections_have_the_static_type_interface() {
    let vals = || serde_json::json!({"m": {"a": true}, "l": [null], "s": ["x"]});
    let error = |template: &str| {
        let e = render_with("", template, vals()).unwrap_err();
        e.rsplit(": ").next().unwrap_or_default().to_string()
    };
    let cases = [
        (
            "{{ range $k, $v := .Values.m }}{{ $v.enabled }}{{ end }}",
            "can't evaluate field enabled in type interface {}",
        ),
        (
            "{{ range .Values.m }}{{ .enabled }}{{ end }}",
            "can't evaluate field enabled in type interface {}",
        ),
        (
            "{{ range .Values.s }}{{ .x }}{{ end }}",
            "can't evaluate field x in type interface {}",
        ),
        (
            "{{ range $v := .Values.s }}{{ if true }}{{ $v.x }}{{ end }}{{ end }}",
            "can't evaluate field x in type interface {}",
        ),
        (
            "{{ range (list 1) }}{{ .x }}{{ end }}",
            "can't evaluate field x in type interface {}",
        ),
        (
            "{{ range (splitList \",\" \"a\") }}{{ .x }}{{ end }}",
            "can't evaluate field x in type string",
        ),
        (
            "{{ range .Values.l }}{{ .x }}{{ end }}",
            "nil pointer evaluating interface {}.x",
        ),
        (
            "{{ range $v := .Values.l }}{{ $v.x }}{{ end }}",
            "nil pointer evaluating interface {}.x",
        ),
        (
            "{{ range .Values.l }}{{ upper . }}{{ end }}",
            "wrong type for value; expected string; got interface {}",
        ),
        (
            "{{ range $v := .Values.l }}{{ upper $v }}{{ end }}",
            "wrong type for value; expected string; got interface {}",
        ),
        // A pipeline unwraps the element: piped, or assigned to a variable, or made dot by `with`.
        (
            "{{ range .Values.l }}{{ . | upper }}{{ end }}",
            "invalid value; expected string",
        ),
        (
            "{{ range $k, $v := .Values.m }}{{ $x := $v }}{{ $x.enabled }}{{ end }}",
            "can't evaluate field enabled in type bool",
        ),
        (
            "{{ range $k, $v := .Values.m }}{{ with $v }}{{ .enabled }}{{ end }}{{ end }}",
            "can't evaluate field enabled in type bool",
        ),
    ];
    for (template, want) in cases {
        assert_eq!(error(template), want, "{template}");
    }
    // Unwrapped, a nil has no fields to fail on (`<no value>`, which Helm erases); outside the
    // range, dot is itself again.
    for template in [
        "{{ range .Values.l }}{{ $x := . }}{{ $x.y }}{{ end }}",
        "{{ range .Values.l }}{{ (.).x }}{{ end }}",
        "{{ range .Values.l }}{{ include \"h\" . }}{{ end }}",
        "{{ range .Values.l }}{{ end }}{{ .Values.none }}",
    ] {
        let out = render_with("{{ define \"h\" }}{{ .x }}{{ end }}", template, vals());
        assert_eq!(out.as_deref(), Ok(""), "{template}");
    }
}

/// Go places an execution error at the node its executor marked last (`state.at`), which is
/// often deeper than the step that failed: the last argument evaluated, a chain's second
/// name. Expectations from helm v4.1.4 (its reformatted text turned back into Go's).
#[test]
fn exec_errors_are_placed_at_the_node_marked_last() {
    let cases = [
        // A type check after the argument's own pipeline ran: at that pipeline's last node.
        (
            "{{ get (list 1) \"a\" }}",
            "1:13: executing \"t/case.yaml\" at <1>: wrong type for value; expected map[string]interface {}; got []interface {}",
        ),
        // A field of a chain's receiver: at the receiver's last argument.
        (
            "v: [{{ (dict \"a\" 1).x.y }}]",
            "1:17: executing \"t/case.yaml\" at <1>: nil pointer evaluating interface {}.y",
        ),
        // An assignment to an undeclared variable: after its value.
        (
            "{{ $z = 1 }}",
            "1:8: executing \"t/case.yaml\" at <1>: undefined variable: $z",
        ),
        (
            "{{ $x := 0 }}{{ range $x = 3.5 }}{{ end }}",
            "1:27: executing \"t/case.yaml\" at <3.5>: range can't iterate over 3.5",
        ),
        // The count of arguments: at the function's name; the piped value's type: likewise.
        (
            "{{ upper \"a\" \"b\" }}",
            "1:3: executing \"t/case.yaml\" at <upper>: wrong number of args for upper: want 1 got 2",
        ),
        (
            "{{ list 1 | upper }}",
            "1:12: executing \"t/case.yaml\" at <upper>: wrong type for value; expected string; got []interface {}",
        ),
        // A failed call: at the command.
        (
            "{{ $y := 1 }}{{ printf \"%d\" (index (list 1) 3) }}",
            "1:29: executing \"t/case.yaml\" at <index (list 1) 3>: error calling index: index out of range: 3",
        ),
        // A pipeline prints with `=` when it assigns.
        (
            "{{ $x := 0 }}{{ $x = (1) 2 }}",
            "1:16: executing \"t/case.yaml\" at <$x = (1) 2>: can't give argument to non-function 1",
        ),
        // A template call prints as written, its name Go-quoted.
        (
            "{{ template \"a\\tb\" . }}",
            "1:12: executing \"t/case.yaml\" at <{{template \"a\\tb\" .}}>: template \"a\\tb\" not defined",
        ),
        // A chain of names sits at its second name; columns are bytes from the line's start.
        (
            "a: 1\n  b: {{ $x := dict }}{{ $x.a.b }}",
            "2:26: executing \"t/case.yaml\" at <$x.a.b>: nil pointer evaluating interface {}.b",
        ),
    ];
    for (template, want) in cases {
        assert_eq!(
            render_err(template),
            format!("template: t/case.yaml:{want}"),
            "{template}"
        );
    }
}

/// Helm erases every `<no value>` of a file's output, however it was written (engine.go's
/// strings.ReplaceAll over the rendered text), in output that is not UTF-8 too; `include`
/// keeps its own. Expectations from helm v4.1.4.
#[test]
fn no_value_is_erased_from_the_whole_output() {
    let helpers = "{{ define \"t\" }}[{{ .Values.x }}]{{ end }}";
    assert_eq!(
        render_with(
            helpers,
            "{{ .Values.x }}|<no value>|<no val{{ \"ue>\" }}|{{ include \"t\" . | len }}",
            serde_json::json!({})
        )
        .unwrap(),
        "|||12"
    );
    assert_eq!(
        render_bytes(
            "",
            "[{{ .Values.x }}]{{ \"\\xff\" }}<no value>",
            serde_json::json!({})
        )
        .unwrap(),
        b"[]\xff"
    );
}

#[test]
fn missing_keys_give_the_element_types_zero() {
    // helm v4.1.4 (missingkey=zero): a map[string]string (Sprig's `split`) gives "", a
    // map[string]interface {} nil, which `quote` drops.
    assert_eq!(
        render(
            "{{ $m := split \",\" \"a,b\" }}{{ $m._0 }}|{{ $m._5 | quote }}|\
             {{ index $m \"_9\" | quote }}|{{ (dict \"a\" 1).zz | quote }}|\
             {{ index (dict \"a\" 1) \"zz\" | quote }}|{{ .Values.nope | quote }}",
            serde_json::json!({})
        ),
        "a|\"\"|\"\"|||"
    );
}
