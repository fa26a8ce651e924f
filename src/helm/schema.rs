//! values.schema.json: each chart's coalesced values are validated against its schema (and
//! each subchart's section against the subchart's), as Helm does before rendering.

use super::chart::Chart;
use super::values::Values;
use crate::go::strconv::{format_float, quote as go_quote};
use crate::text_cache::{Cached, TextCache};
use jsonschema::error::{TypeKind, ValidationErrorKind};
use jsonschema::{JsonType, ValidationError, Validator};
use serde_json::Value as Json;
use std::sync::{Arc, OnceLock};

/// Values the schemas of a chart tree refuse: each refusing chart's name and report, as
/// helm words them.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "values don't meet the specifications of the schema(s) in the following chart(s):\n{report}"
)]
pub struct SchemaViolations {
    /// `CHART:` lines, each followed by its schema's report.
    pub report: String,
}

/// Helm's `ValidateAgainstSchema`: the problems of every chart in the tree, or `Ok`. `values`
/// is the coalesced values document (an object), validated where it lies: no copy is made.
pub fn validate_values(chart: &Chart, values: &Json) -> Result<(), SchemaViolations> {
    let mut report = String::new();
    collect_violations(chart, values, &mut report);
    if report.is_empty() {
        Ok(())
    } else {
        Err(SchemaViolations { report })
    }
}

fn collect_violations(chart: &Chart, values: &Json, report: &mut String) {
    if let Some(schema) = &chart.schema {
        if let Some(problems) = violations(schema, values) {
            report.push_str(&format!("{}:\n{problems}", chart.name()));
        }
    }
    let empty = Json::Object(Values::new());
    for sub in &chart.dependencies {
        let section = match values.get(sub.name()) {
            Some(section @ Json::Object(_)) => section,
            _ => &empty,
        };
        collect_violations(sub, section, report);
    }
}

/// The report of the values' violations of one schema, `None` when they meet it.
fn violations(schema: &[u8], values: &Json) -> Option<String> {
    let validator = match compiled(schema) {
        Ok(validator) => validator,
        Err(e) => return Some(format!("- invalid schema: {e}\n")),
    };
    let errors: Vec<ValidationError> = validator.validator().iter_errors(values).collect();
    if errors.is_empty() {
        return None;
    }
    let located: Vec<Located> = errors
        .iter()
        .map(|error| Located {
            rest: pointer_segments(error.evaluation_path().as_str()),
            error,
        })
        .collect();
    let mut text = String::new();
    for line in root_lines(schema_items("", located)) {
        line.write(0, &mut text);
    }
    Some(text)
}

/// A schema's text and its compiled validator, as the validator cache keeps them.
#[derive(Clone)]
struct CompiledSchema(Arc<(Box<[u8]>, Validator)>);

impl CompiledSchema {
    fn validator(&self) -> &Validator {
        &self.0 .1
    }
}

/// A validator is counted as [`VALIDATOR_BYTES_PER_TEXT_BYTE`] times its schema's text, plus
/// the text.
impl Cached for CompiledSchema {
    fn text(&self) -> &[u8] {
        &self.0 .0
    }

    fn bytes(&self) -> usize {
        self.0
             .0
            .len()
            .saturating_mul(VALIDATOR_BYTES_PER_TEXT_BYTE + 1)
    }
}

/// The validator of a schema's text, through the process-wide cache: library charts' schemas
/// (bitnami's redis, postgresql, mariadb) come in many archives, and compiling one costs far
/// more than validating against it. A schema that does not compile is not cached.
fn compiled(schema: &[u8]) -> Result<CompiledSchema, String> {
    static CACHE: OnceLock<TextCache<CompiledSchema>> = OnceLock::new();
    CACHE
        .get_or_init(|| TextCache::new(VALIDATOR_CACHE_BYTES))
        .get_or_make(schema, || {
            let validator = compile(schema)?;
            Ok(CompiledSchema(Arc::new((schema.into(), validator))))
        })
}

fn compile(schema: &[u8]) -> Result<Validator, String> {
    let schema: Json = serde_json::from_slice(schema).map_err(|e| e.to_string())?;
    // helm's validator leaves `format` an annotation, and compiles patterns with Go's regexp
    // (RE2: linear time, no backreferences or lookaround), as the `regex` crate does; a
    // pattern it refuses makes the schema invalid instead of a backtracking bomb.
    jsonschema::options()
        .should_validate_formats(false)
        .with_pattern_options(jsonschema::PatternOptions::regex())
        .build(&schema)
        .map_err(|e| e.to_string())
}

/// What the validator cache of a process may hold, counted as [`VALIDATOR_BYTES_PER_TEXT_BYTE`]
/// times the schemas' text (plus the text): room for the largest schemas the corpus repeats
/// (bitnami redis's 153 KB, mariadb's 107 KB), which 23 of the 27 repeated schemas of its 119
/// charts other than etcd find in the cache.
const VALIDATOR_CACHE_BYTES: usize = 16 << 20;

/// Heap a compiled validator is counted for, per byte of its schema's text. Measured over the
/// corpus's 29 distinct schemas (live heap after compiling, counting allocator): 5.4 to 10.7
/// for 27 of them, 19 and 41 for two whose `$ref`s are compiled at each use. The text is the
/// only measure there is before compiling; a schema heavier than this per byte makes the cache
/// hold more than its budget says, in proportion.
const VALIDATOR_BYTES_PER_TEXT_BYTE: usize = 48;

/// One line of helm's report and the lines under it, worded as helm's validator
/// (santhosh-tekuri/jsonschema v6) words them.
struct ReportLine {
    at: String,
    message: String,
    causes: Vec<ReportLine>,
    /// The failures of one subschema applied in place (the validator's group error), as
    /// opposed to a keyword's own failure or a `$ref`'s.
    group: bool,
}

impl ReportLine {
    fn write(&self, depth: usize, out: &mut String) {
        out.push_str(&format!(
            "{}- at '{}': {}\n",
            "  ".repeat(depth),
            self.at,
            self.message
        ));
        for cause in &self.causes {
            cause.write(depth + 1, out);
        }
    }
}

/// An error with the schema path still to walk from the subschema being reported.
struct Located<'e, 'i> {
    rest: Vec<String>,
    error: &'e ValidationError<'i>,
}

fn pointer_segments(pointer: &str) -> Vec<String> {
    pointer
        .split('/')
        .skip(1)
        .map(|s| s.replace("~1", "/").replace("~0", "~"))
        .collect()
}

/// How many schema path segments lead from a subschema into one of its subschemas at `rest`
/// (`properties/name`, `items`, `$ref`...); `None` when `rest` is a keyword of this schema.
fn subschema_step(rest: &[String]) -> Option<usize> {
    let first = rest.first()?.as_str();
    let named = matches!(
        first,
        "properties"
            | "patternProperties"
            | "dependentSchemas"
            | "dependencies"
            | "prefixItems"
            | "allOf"
            | "definitions"
            | "$defs"
    ) || (first == "items" && rest.get(1).is_some_and(|s| s.parse::<usize>().is_ok()));
    let step = if named { 2 } else { 1 };
    (rest.len() > step).then_some(step)
}

/// What one subschema reports, in the order its failures were found.
enum Item<'e, 'i> {
    Line(ReportLine),
    /// Every `required` property missing here, reported together.
    Missing {
        at: String,
        names: Vec<String>,
    },
    /// The failures of one subschema it applies, at one instance location.
    Subschema {
        step: Vec<String>,
        at: String,
        errors: Vec<Located<'e, 'i>>,
    },
}

/// The lines of one subschema's failures: its own keywords' errors and, for each subschema
/// it applies (per instance location), a single failure as is or several as a group;
/// `allOf` failures are gathered under one line.
fn schema_items(node_at: &str, errors: Vec<Located>) -> Vec<ReportLine> {
    // A value of the wrong type is checked no further (helm's validator stops there).
    let wrong_type = errors.iter().find(|located| {
        subschema_step(&located.rest).is_none()
            && matches!(located.error.kind(), ValidationErrorKind::Type { .. })
    });
    if let Some(located) = wrong_type {
        return vec![keyword_line(located.error)];
    }
    let mut items: Vec<Item> = Vec::new();
    for located in errors {
        let at = located.error.instance_path().as_str().to_string();
        if let Some(step) = subschema_step(&located.rest) {
            let path = located.rest[..step].to_vec();
            let at = subschema_location(node_at, &path[0], &at);
            let inner = Located {
                rest: located.rest[step..].to_vec(),
                error: located.error,
            };
            let existing = items.iter_mut().find_map(|item| match item {
                Item::Subschema {
                    step: s,
                    at: a,
                    errors,
                } if *s == path && *a == at => Some(errors),
                _ => None,
            });
            match existing {
                Some(errors) => errors.push(inner),
                None => items.push(Item::Subschema {
                    step: path,
                    at,
                    errors: vec![inner],
                }),
            }
        } else if let ValidationErrorKind::Required { property } = located.error.kind() {
            let name = property.as_str().unwrap_or_default().to_string();
            let existing = items.iter_mut().find_map(|item| match item {
                Item::Missing { names, .. } => Some(names),
                _ => None,
            });
            match existing {
                Some(names) => names.push(name),
                None => items.push(Item::Missing {
                    at,
                    names: vec![name],
                }),
            }
        } else {
            items.push(Item::Line(keyword_line(located.error)));
        }
    }
    let mut lines = Vec::new();
    let mut all_of: Option<usize> = None;
    for item in items {
        match item {
            Item::Line(line) => lines.push(line),
            Item::Missing { at, names } => lines.push(ReportLine {
                at,
                message: if names.len() == 1 {
                    format!("missing property {}", quote(&names[0]))
                } else {
                    format!("missing properties {}", quoted_list(&names))
                },
                causes: Vec::new(),
                group: false,
            }),
            Item::Subschema { step, at, errors } => {
                let by_reference = step[0] == "$ref";
                let line = subschema_line(at.clone(), schema_items(&at, errors), by_reference);
                if step[0] != "allOf" {
                    lines.push(line);
                    continue;
                }
                match all_of {
                    Some(index) => lines[index].causes.push(line),
                    None => {
                        all_of = Some(lines.len());
                        // allOf's subschemas apply to the instance of the schema holding it.
                        lines.push(ReportLine {
                            at,
                            message: "'allOf' failed".into(),
                            causes: vec![line],
                            group: false,
                        });
                    }
                }
            }
        }
    }
    lines
}

/// The instance location a subschema applies to: one level below the schema's own for the
/// keywords that apply to members or items, the same for the others (`allOf`, `$ref`...).
fn subschema_location(node_at: &str, keyword: &str, error_at: &str) -> String {
    let descends = matches!(
        keyword,
        "properties"
            | "patternProperties"
            | "additionalProperties"
            | "unevaluatedProperties"
            | "items"
            | "prefixItems"
            | "additionalItems"
            | "unevaluatedItems"
            | "contains"
    );
    if !descends {
        return node_at.to_string();
    }
    let below = error_at
        .strip_prefix(node_at)
        .and_then(|rest| rest.strip_prefix('/'))
        .unwrap_or_default();
    let member = below.split('/').next().unwrap_or_default();
    format!("{node_at}/{member}")
}

/// A subschema's failures as one line: the single failure itself, or a group of them (worded
/// the same whether the subschema was applied in place or `by_reference`).
fn subschema_line(at: String, mut lines: Vec<ReportLine>, by_reference: bool) -> ReportLine {
    if lines.len() == 1 {
        if let Some(line) = lines.pop() {
            return line;
        }
    }
    ReportLine {
        at,
        message: "validation failed".into(),
        causes: lines,
        group: !by_reference,
    }
}

/// The report's top lines. The validator reports its root schema's failures by their causes
/// when they are a group, so a single group there, even one found deeper (the one failing
/// member of the root, whose subschema failed several ways), is shown as its causes.
fn root_lines(mut lines: Vec<ReportLine>) -> Vec<ReportLine> {
    match lines.as_mut_slice() {
        [only] if only.group => std::mem::take(&mut only.causes),
        _ => lines,
    }
}

/// The failures of each subschema of `anyOf`/`oneOf`, one line per failing subschema.
fn alternatives(parent: &ValidationError, context: &[Vec<ValidationError>]) -> Vec<ReportLine> {
    let own = pointer_segments(parent.evaluation_path().as_str());
    context
        .iter()
        .enumerate()
        .filter(|(_, errors)| !errors.is_empty())
        .map(|(index, errors)| {
            let located = errors
                .iter()
                .map(|error| {
                    let path = pointer_segments(error.evaluation_path().as_str());
                    let mut rest = match path.strip_prefix(own.as_slice()) {
                        Some(rest) => rest.to_vec(),
                        None => path,
                    };
                    if rest.first() == Some(&index.to_string()) {
                        rest.remove(0);
                    }
                    Located { rest, error }
                })
                .collect();
            let at = parent.instance_path().as_str();
            subschema_line(at.to_string(), schema_items(at, located), false)
        })
        .collect()
}

/// One keyword's failure, worded as helm's validator words it.
fn keyword_line(error: &ValidationError) -> ReportLine {
    let instance = error.instance().as_ref();
    let mut causes = Vec::new();
    let count = |v: &Json| {
        let n = match v {
            Json::String(s) => s.chars().count(),
            Json::Array(a) => a.len(),
            Json::Object(o) => o.len(),
            _ => 0,
        };
        localized(&n.to_string())
    };
    let number = |v: &Json| {
        v.as_f64()
            .map(|f| localized(&format_float(f, 'g', -1)))
            .unwrap_or_default()
    };
    let message = match error.kind() {
        ValidationErrorKind::Type { kind } => {
            let wanted: Vec<JsonType> = match kind {
                TypeKind::Single(ty) => vec![*ty],
                TypeKind::Multiple(set) => set.iter().collect(),
            };
            let mut names: Vec<&str> = TYPE_ORDER
                .iter()
                .filter(|(ty, _)| wanted.contains(ty))
                .map(|(_, name)| *name)
                .collect();
            names.dedup();
            format!("got {}, want {}", json_type(instance), names.join(" or "))
        }
        ValidationErrorKind::Minimum { limit } => {
            format!("minimum: got {}, want {}", number(instance), number(limit))
        }
        ValidationErrorKind::Maximum { limit } => {
            format!("maximum: got {}, want {}", number(instance), number(limit))
        }
        ValidationErrorKind::ExclusiveMinimum { limit } => format!(
            "exclusiveMinimum: got {}, want {}",
            number(instance),
            number(limit)
        ),
        ValidationErrorKind::ExclusiveMaximum { limit } => format!(
            "exclusiveMaximum: got {}, want {}",
            number(instance),
            number(limit)
        ),
        ValidationErrorKind::MultipleOf { multiple_of } => format!(
            "multipleOf: got {}, want {}",
            number(instance),
            localized(&format_float(*multiple_of, 'g', -1))
        ),
        ValidationErrorKind::MinLength { limit }
        | ValidationErrorKind::MaxLength { limit }
        | ValidationErrorKind::MinItems { limit }
        | ValidationErrorKind::MaxItems { limit }
        | ValidationErrorKind::MinProperties { limit }
        | ValidationErrorKind::MaxProperties { limit } => format!(
            "{}: got {}, want {}",
            error.kind().keyword(),
            count(instance),
            localized(&limit.to_string())
        ),
        ValidationErrorKind::UniqueItems => match first_duplicate(instance) {
            Some((first, second)) => format!("items at {first} and {second} are equal"),
            None => "items are not unique".into(),
        },
        ValidationErrorKind::Pattern { pattern } => format!(
            "{} does not match pattern {}",
            quote(instance.as_str().unwrap_or_default()),
            quote(pattern)
        ),
        ValidationErrorKind::Constant { expected_value } => match expected_value.as_ref() {
            Json::Array(_) | Json::Object(_) => "const failed".into(),
            want => format!("value must be {}", display(want)),
        },
        ValidationErrorKind::Enum { options } => match options.as_ref() {
            Json::Array(want) if want.iter().all(|w| !w.is_array() && !w.is_object()) => {
                if want.len() == 1 {
                    format!("value must be {}", display(&want[0]))
                } else {
                    let shown: Vec<String> = want.iter().map(display).collect();
                    format!("value must be one of {}", shown.join(", "))
                }
            }
            _ => "enum failed".into(),
        },
        ValidationErrorKind::AdditionalProperties { unexpected } => {
            format!(
                "additional properties {} not allowed",
                quoted_list(unexpected)
            )
        }
        ValidationErrorKind::FalseSchema => "false schema".into(),
        ValidationErrorKind::Not { .. } => "'not' failed".into(),
        ValidationErrorKind::AnyOf { context } => {
            causes = alternatives(error, context);
            "'anyOf' failed".into()
        }
        ValidationErrorKind::OneOfNotValid { context } => {
            causes = alternatives(error, context);
            "'oneOf' failed, none matched".into()
        }
        ValidationErrorKind::OneOfMultipleValid { context } => {
            let matched: Vec<String> = context
                .iter()
                .enumerate()
                .filter(|(_, errors)| errors.is_empty())
                .map(|(index, _)| index.to_string())
                .take(2)
                .collect();
            format!("'oneOf' failed, subschemas {} matched", matched.join(", "))
        }
        ValidationErrorKind::Contains => "no items match contains schema".into(),
        _ => error.to_string(),
    };
    ReportLine {
        at: error.instance_path().as_str().to_string(),
        message,
        causes,
        group: false,
    }
}

/// A number as Go prints it (`%v`, `%d`) re-printed as helm's validator prints numbers
/// (golang.org/x/text, English): thousands grouped with `,`, exponents as `×10` and
/// superscript digits (`1e+06` → `1×10⁰⁶`).
fn localized(go: &str) -> String {
    const SUPERSCRIPT: [char; 10] = ['⁰', '¹', '²', '³', '⁴', '⁵', '⁶', '⁷', '⁸', '⁹'];
    if let Some((mantissa, exponent)) = go.split_once('e') {
        let (minus, digits) = match exponent.strip_prefix('-') {
            Some(digits) => ("⁻", digits),
            None => ("", exponent.trim_start_matches('+')),
        };
        let raised: String = digits
            .bytes()
            .map(|d| SUPERSCRIPT[usize::from(d.saturating_sub(b'0')).min(9)])
            .collect();
        return format!("{mantissa}×10{minus}{raised}");
    }
    let (sign, unsigned) = match go.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", go),
    };
    let (whole, fraction) = match unsigned.split_once('.') {
        Some((whole, fraction)) => (whole, Some(fraction)),
        None => (unsigned, None),
    };
    let mut grouped = String::new();
    for (index, digit) in whole.chars().enumerate() {
        if index > 0 && (whole.len() - index) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    match fraction {
        Some(fraction) => format!("{sign}{grouped}.{fraction}"),
        None => format!("{sign}{grouped}"),
    }
}

/// Type names in the order helm's validator lists them.
const TYPE_ORDER: [(JsonType, &str); 7] = [
    (JsonType::Null, "null"),
    (JsonType::Boolean, "boolean"),
    (JsonType::Number, "number"),
    (JsonType::Integer, "integer"),
    (JsonType::String, "string"),
    (JsonType::Array, "array"),
    (JsonType::Object, "object"),
];

/// The type helm's validator names for a value (every number is a `number`).
fn json_type(value: &Json) -> &'static str {
    match value {
        Json::Null => "null",
        Json::Bool(_) => "boolean",
        Json::Number(_) => "number",
        Json::String(_) => "string",
        Json::Array(_) => "array",
        Json::Object(_) => "object",
    }
}

/// The first pair of equal items (earlier index first), as helm's validator finds it.
fn first_duplicate(value: &Json) -> Option<(usize, usize)> {
    let items = value.as_array()?;
    (1..items.len()).find_map(|later| {
        (0..later)
            .find(|&earlier| items[earlier] == items[later])
            .map(|earlier| (earlier, later))
    })
}

/// A string in single quotes, escaped as Go's `%q` escapes it but for double quotes.
fn quote(text: &str) -> String {
    let go = go_quote(text);
    let inner = &go[1..go.len() - 1];
    format!("'{}'", inner.replace("\\\"", "\"").replace('\'', "\\'"))
}

fn quoted_list(names: &[String]) -> String {
    names
        .iter()
        .map(|n| quote(n))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A schema value as the messages show it: strings quoted, numbers as written.
fn display(value: &Json) -> String {
    match value {
        Json::String(s) => quote(s),
        Json::Array(_) | Json::Object(_) => "value".into(),
        Json::Null => "<nil>".into(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn violations_name_the_chart() {
        let mut chart = Chart::default();
        chart.metadata.name = "c".into();
        chart.schema = Some(Arc::from(
            &br#"{"type":"object","properties":{"replicas":{"type":"integer"}},"required":["replicas"]}"#[..],
        ));
        assert!(validate_values(&chart, &json!({"replicas": 2.0})).is_ok());
        let err = validate_values(&chart, &json!({"replicas": "two"}))
            .unwrap_err()
            .to_string();
        assert!(err.contains("c:\n- at '/replicas'"), "{err}");
    }

    /// The report for `values` against `schema` (one failing property at a time: helm's own
    /// order between properties is not stable).
    fn report(schema: Json, values: Json) -> String {
        violations(schema.to_string().as_bytes(), &values).unwrap_or_default()
    }

    /// helm's validator groups a subschema's several failures under one line, except at the
    /// root, which shows a single group by its causes; a `$ref`'s failures stay grouped under
    /// the referring location, and each use of a `$ref` is its own subschema. Expected texts are
    /// what helm v4.1.4 printed.
    #[test]
    fn groups_follow_the_evaluation_path() {
        let defs = json!({"A": {"type": "object", "required": ["must"],
            "properties": {"name": {"type": "string"}, "x": {"type": "integer"}}}});
        let schema = |properties: Json| json!({"$defs": defs, "properties": properties});
        let cases = [
            (
                json!({"$defs": defs, "$ref": "#/$defs/A"}),
                json!({"x": "s"}),
                "- at '': validation failed\n  - at '': missing property 'must'\n  - at '/x': got string, want integer\n",
            ),
            (
                schema(json!({"a": {"$ref": "#/$defs/A"}})),
                json!({"a": {"x": "s"}}),
                "- at '/a': validation failed\n  - at '/a': missing property 'must'\n  - at '/a/x': got string, want integer\n",
            ),
            (
                schema(json!({"a": {"type": "array", "items": {"$ref": "#/$defs/A"}}})),
                json!({"a": [{"name": true, "must": 1.0}, {"x": "s"}]}),
                "- at '/a/0/name': got boolean, want string\n- at '/a/1': validation failed\n  - at '/a/1': missing property 'must'\n  - at '/a/1/x': got string, want integer\n",
            ),
            (
                schema(json!({"a": {"anyOf": [{"$ref": "#/$defs/A"}, {"type": "string"}]}})),
                json!({"a": {"x": "s"}}),
                "- at '/a': 'anyOf' failed\n  - at '/a': validation failed\n    - at '/a': missing property 'must'\n    - at '/a/x': got string, want integer\n  - at '/a': got object, want string\n",
            ),
        ];
        for (schema, values, want) in cases {
            assert_eq!(report(schema, values), want);
        }
        // Two uses of one definition fail apart (in an order helm does not keep).
        let both = report(
            schema(json!({"a": {"$ref": "#/$defs/A"}, "b": {"$ref": "#/$defs/A"}})),
            json!({"a": {"name": true, "must": 1.0}, "b": {"name": true, "must": 1.0}}),
        );
        let mut lines: Vec<&str> = both.lines().collect();
        lines.sort_unstable();
        assert_eq!(
            lines,
            [
                "- at '/a/name': got boolean, want string",
                "- at '/b/name': got boolean, want string"
            ]
        );
    }

    /// The same schema text, in another buffer, is the very validator compiled before; another
    /// text is compiled for itself.
    #[test]
    fn a_schema_text_is_compiled_once() {
        let text = br#"{"properties":{"compiled_once":{"type":"integer"}}}"#;
        let first = compiled(text).expect("compiles");
        let copy = text.to_vec();
        let again = compiled(&copy).expect("compiles");
        assert!(Arc::ptr_eq(&first.0, &again.0));
        let other = compiled(br#"{"properties":{"compiled_once":{"type":"string"}}}"#);
        assert!(!Arc::ptr_eq(&first.0, &other.expect("compiles").0));
    }

    #[test]
    fn patterns_go_regexp_refuses_make_the_schema_invalid() {
        // A backreference: Go's regexp (RE2) cannot compile it, nor may it backtrack here.
        let schema = json!({"properties": {"s": {"type": "string", "pattern": "^(a+)+\\1$"}}});
        let err = report(schema, json!({"s": "aaaa"}));
        assert!(err.starts_with("- invalid schema"), "{err}");
        let fine = json!({"properties": {"s": {"type": "string", "pattern": "^a+$"}}});
        assert!(violations(fine.to_string().as_bytes(), &json!({"s": "aaaa"})).is_none());
    }

    /// Expected texts are what helm v4.1.4 printed for the same schema and values.
    #[test]
    fn reports_are_worded_and_grouped_as_helm_does() {
        let schema = json!({"type": "object", "properties": {
            "list": {"type": "array", "items": {"type": "string"}},
            "o": {"type": "object", "required": ["x"], "properties": {"y": {"type": "boolean"}}},
            "a": {"allOf": [{"type": "string"}, {"minLength": 3}]},
            "any": {"anyOf": [{"type": "string"}, {"type": "integer"}]},
            "none": {"oneOf": [{"type": "string"}, {"type": "boolean", "const": true}]},
            "mid": {"enum": ["a", "b", 3]},
            "q": {"type": "string", "pattern": "^it's \"x\"$"},
        }});
        let cases = [
            (
                json!({"list": ["a", 1.0, 2.0]}),
                "- at '/list/1': got number, want string\n- at '/list/2': got number, want string\n",
            ),
            (
                json!({"o": {"y": 3.0}}),
                "- at '/o': missing property 'x'\n- at '/o/y': got number, want boolean\n",
            ),
            (
                json!({"a": 12.0}),
                "- at '/a': 'allOf' failed\n  - at '/a': got number, want string\n",
            ),
            (
                json!({"any": 1.5}),
                "- at '/any': 'anyOf' failed\n  - at '/any': got number, want string\n  - at '/any': got number, want integer\n",
            ),
            (
                json!({"none": 1.0}),
                "- at '/none': 'oneOf' failed, none matched\n  - at '/none': got number, want string\n  - at '/none': got number, want boolean\n",
            ),
            (
                json!({"mid": "c"}),
                "- at '/mid': value must be one of 'a', 'b', 3\n",
            ),
            (
                json!({"q": "don't \"q\""}),
                "- at '/q': 'don\\'t \"q\"' does not match pattern '^it\\'s \"x\"$'\n",
            ),
        ];
        for (values, want) in cases {
            assert_eq!(report(schema.clone(), values), want);
        }
        let both = report(
            json!({"type": "object", "required": ["m1", "m2"]}),
            json!({}),
        );
        assert_eq!(both, "- at '': missing properties 'm1', 'm2'\n");
    }

    #[test]
    fn numbers_are_printed_as_helm_prints_them() {
        let printed = [
            ("1e+06", "1×10⁰⁶"),
            ("1.5e+07", "1.5×10⁰⁷"),
            ("1e-05", "1×10⁻⁰⁵"),
            ("1e+300", "1×10³⁰⁰"),
            ("123456", "123,456"),
            ("1234.5678", "1,234.5678"),
            ("-2000.25", "-2,000.25"),
            ("0.000123", "0.000123"),
            ("2000", "2,000"),
            ("999", "999"),
        ];
        for (go, helm) in printed {
            assert_eq!(localized(go), helm);
        }
    }
}
