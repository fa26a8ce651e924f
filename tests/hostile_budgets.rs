//! Hostile inputs that each break one per-input budget (bytes, work, fan-out), generated here.
//! Each is scanned next to a good chart under a 2 GiB address-space limit: the hostile one
//! must end in its own problem, and the good chart's result must be byte-identical to
//! scanning it alone.

mod common;

use common::archives;
use serde_json::Value;
use std::fs;
use std::io::{Read, Write};
use std::path::PathBuf;

const MEMORY_LIMIT_KIB: u64 = 2 * 1024 * 1024;

struct Case {
    name: &'static str,
    bytes: Vec<u8>,
    /// The problem type (`urn:pkglens:problem:SLUG`) the case must produce; empty when the
    /// input is fine once it cannot crash (it must then have no problem at all).
    problem: &'static str,
    /// Text one of the problems' details must contain.
    detail: &'static str,
}

/// A reader of `len` bytes in runs of one letter, so gzip shrinks it about a hundredfold:
/// under the expansion-ratio limit, so that limit is not what stops it.
struct Runs {
    left: u64,
    state: u32,
}

impl Read for Runs {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        const RUN: usize = 200;
        let n = buf.len().min(RUN).min(self.left as usize);
        self.state = self.state.wrapping_mul(1_103_515_245).wrapping_add(12_345);
        buf[..n].fill(b'a' + (self.state >> 16) as u8 % 26);
        self.left -= n as u64;
        Ok(n)
    }
}

/// A tgz whose first member is a GNU long-name header with a body of `len` bytes.
fn tar_long_name(len: u64) -> Vec<u8> {
    let encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    let mut builder = tar::Builder::new(encoder);
    let mut header = tar::Header::new_gnu();
    header.as_old_mut().name[..13].copy_from_slice(b"././@LongLink");
    header.set_entry_type(tar::EntryType::GNULongName);
    header.set_size(len);
    header.set_mode(0o644);
    header.set_cksum();
    builder
        .append(
            &header,
            Runs {
                left: len,
                state: 7,
            },
        )
        .expect("long name");
    let data = b"kind: ConfigMap\n";
    let mut file = tar::Header::new_gnu();
    file.set_path("pkg/a.yaml").expect("path");
    file.set_size(data.len() as u64);
    file.set_mode(0o644);
    file.set_cksum();
    builder.append(&file, &data[..]).expect("file");
    builder.into_inner().expect("tar").finish().expect("gzip")
}

/// A zip whose central directory really lists `count` (empty, stored) entries.
fn zip_many_entries(count: u32) -> Vec<u8> {
    let mut out = Vec::with_capacity(count as usize * 47 + 22);
    for i in 0..count {
        out.extend(b"PK\x01\x02");
        out.extend([20, 0, 20, 0, 0, 0, 0, 0]); // versions, flags, method: stored
        out.extend([0u8; 16]); // time, date, crc, sizes
        out.extend(1u16.to_le_bytes()); // name length
        out.extend([0u8; 12]); // extra, comment, disk, attributes
        out.extend(0u32.to_le_bytes()); // local header offset
        out.push(b'a' + (i % 26) as u8);
    }
    // Zip64 end record, its locator, then the classic end record pointing to them.
    let directory_size = out.len() as u64;
    let end64_at = out.len() as u64;
    out.extend(b"PK\x06\x06");
    out.extend(44u64.to_le_bytes());
    out.extend([45, 0, 45, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    out.extend(u64::from(count).to_le_bytes());
    out.extend(u64::from(count).to_le_bytes());
    out.extend(directory_size.to_le_bytes());
    out.extend(0u64.to_le_bytes());
    out.extend(b"PK\x06\x07\0\0\0\0");
    out.extend(end64_at.to_le_bytes());
    out.extend(1u32.to_le_bytes());
    out.extend(b"PK\x05\x06\0\0\0\0");
    out.extend([0xff; 12]);
    out.extend(0u16.to_le_bytes());
    out
}

/// `{a: &a <size bytes>, b0: *a, ..}`: `copies` aliases of one big scalar.
fn big_scalar_aliases(size: usize, copies: usize) -> String {
    let mut text = format!("a: &a {}\n", archives::incompressible(size));
    for i in 0..copies {
        text.push_str(&format!("b{i}: *a\n"));
    }
    text
}

/// A chart `c0` whose every level aliases the next `fan` times, `levels` deep, as nested
/// chart folders in one archive; the last level renders `leaf`.
fn aliased_charts(fan: usize, levels: usize, leaf: &str) -> Vec<u8> {
    let mut files: Vec<(String, String)> = Vec::new();
    let mut dir = String::new();
    for level in 0..=levels {
        let name = format!("c{level}");
        let mut chart = format!("apiVersion: v2\nname: {name}\nversion: 1.0.0\n");
        if level < levels {
            chart.push_str("dependencies:\n");
            for a in 0..fan {
                chart.push_str(&format!(
                    "- name: c{}\n  version: 1.0.0\n  alias: a{a}\n",
                    level + 1
                ));
            }
        } else {
            files.push((format!("{dir}templates/cm.yaml"), leaf.to_string()));
        }
        files.push((format!("{dir}Chart.yaml"), chart));
        dir = format!("{dir}charts/c{}/", level + 1);
    }
    let files: Vec<(&str, &str)> = files
        .iter()
        .map(|(p, t)| (p.as_str(), t.as_str()))
        .collect();
    archives::tgz_under_pkg(&files)
}

/// A kustomization whose every level names two overlays of the next, `levels` deep, over one
/// ConfigMap of `size` bytes (each overlay adds a suffix, so no ids collide).
fn kustomize_diamond(levels: usize, size: usize) -> Vec<u8> {
    let mut files: Vec<(String, String)> = Vec::new();
    files.push((
        "kustomization.yaml".into(),
        "resources:\n- l0a\n- l0b\n".into(),
    ));
    for level in 0..levels {
        let next = match level + 1 == levels {
            true => "resources:\n- ../base\n".to_string(),
            false => format!("resources:\n- ../l{0}a\n- ../l{0}b\n", level + 1),
        };
        for side in ["a", "b"] {
            files.push((
                format!("l{level}{side}/kustomization.yaml"),
                format!("{next}nameSuffix: -{side}\n"),
            ));
        }
    }
    files.push((
        "base/kustomization.yaml".into(),
        "resources:\n- cm.yaml\n".into(),
    ));
    files.push((
        "base/cm.yaml".into(),
        format!(
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: big\ndata:\n  k: {}\n",
            archives::incompressible(size)
        ),
    ));
    let files: Vec<(&str, &str)> = files
        .iter()
        .map(|(p, t)| (p.as_str(), t.as_str()))
        .collect();
    archives::tgz_under_pkg(&files)
}

/// A kustomization of `resources` ConfigMaps and `replacements` replacements, each selecting
/// its source and its one target among all of them: selectors times resources.
fn kustomize_replacements(resources: usize, replacements: usize) -> Vec<u8> {
    let objects: String = (0..resources)
        .map(|i| {
            format!(
                "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c{i}\ndata:\n  a: b\n"
            )
        })
        .collect();
    let entries: String = (0..replacements)
        .map(|i| {
            format!(
                "- source:\n    kind: ConfigMap\n    name: c0\n    fieldPath: data.a\n  targets:\n  - select:\n      name: c{}\n    fieldPaths:\n    - data.a\n",
                i % resources
            )
        })
        .collect();
    let kustomization = format!("resources:\n- r.yaml\nreplacements:\n{entries}");
    archives::tgz_under_pkg(&[("kustomization.yaml", &kustomization), ("r.yaml", &objects)])
}

/// A kustomization of `count` ConfigMaps and as many Deployments, each naming its ConfigMap:
/// the name-reference pass examines every resource for each referrer.
fn kustomize_name_references(count: usize) -> Vec<u8> {
    let objects: String = (0..count)
        .map(|i| {
            format!(
                "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c{i}\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d{i}\nspec:\n  template:\n    spec:\n      containers:\n      - name: x\n        envFrom:\n        - configMapRef:\n            name: c{i}\n"
            )
        })
        .collect();
    archives::tgz_under_pkg(&[
        ("kustomization.yaml", "resources:\n- r.yaml\n"),
        ("r.yaml", &objects),
    ])
}

/// A kustomization of `targets` ConfigMaps and one patch of `keys` keys for every one of them
/// (each key deleted, so the patch makes nothing): patch nodes times targets.
fn kustomize_patch_times_targets(keys: usize, targets: usize) -> Vec<u8> {
    let objects: String = (0..targets)
        .map(|i| format!("---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c{i}\n"))
        .collect();
    let patch: String = (0..keys).fold(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: any\ndata:\n".to_string(),
        |text, i| text + &format!("  k{i}: null\n"),
    );
    archives::tgz_under_pkg(&[
        (
            "kustomization.yaml",
            "resources:\n- r.yaml\npatches:\n- path: patch.yaml\n  target:\n    kind: ConfigMap\n",
        ),
        ("r.yaml", &objects),
        ("patch.yaml", &patch),
    ])
}

/// A kustomization of two ConfigMaps, `src` holding `value` under `data.a`, and `copies`
/// replacements each copying `data` of `src` into a new key of `target`'s data (`target` may
/// be `src`: each copy then doubles it).
fn kustomize_replacement_copies(value: &str, copies: usize, target: &str) -> Vec<u8> {
    let objects = format!(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: src\ndata:\n  a: {value}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: dst\n"
    );
    let entries: String = (0..copies)
        .map(|i| {
            format!(
                "- source:\n    kind: ConfigMap\n    name: src\n    fieldPath: data\n  targets:\n  - select:\n      name: {target}\n    fieldPaths:\n    - data.k{i}\n    options:\n      create: true\n"
            )
        })
        .collect();
    let kustomization = format!("resources:\n- r.yaml\nreplacements:\n{entries}");
    archives::tgz_under_pkg(&[("kustomization.yaml", &kustomization), ("r.yaml", &objects)])
}

/// `$d`: a dict whose two keys hold the same dict, forty levels down: 2^40 leaves to walk.
const DOUBLED_DICT: &str =
    "{{ $d := dict \"a\" 1 }}{{ range until 40 }}{{ $d = dict \"l\" $d \"r\" $d }}{{ end }}";
/// `$l`: the same with lists.
const DOUBLED_LIST: &str = "{{ $l := list 1 }}{{ range until 40 }}{{ $l = list $l $l }}{{ end }}";

fn one_template(text: &str) -> Vec<u8> {
    archives::chart_tgz("", &[("cm.yaml", text)])
}

/// A chart of `count` templates, each looping `steps` times: cheap alone, costly together.
fn many_looping_templates(count: usize, steps: usize) -> Vec<u8> {
    let text = format!("{{{{ range until {steps} }}}}{{{{ end }}}}kind: ConfigMap\n");
    let names: Vec<String> = (0..count).map(|i| format!("t{i}.yaml")).collect();
    let templates: Vec<(&str, &str)> = names.iter().map(|n| (n.as_str(), text.as_str())).collect();
    archives::chart_tgz("", &templates)
}

/// A chart whose values.schema.json holds `pattern`, with a value it would match.
fn schema_pattern(pattern: &str) -> Vec<u8> {
    let schema = serde_json::json!({
        "type": "object",
        "properties": {"name": {"type": "string", "pattern": pattern}}
    })
    .to_string();
    archives::tgz_under_pkg(&[
        (
            "Chart.yaml",
            "apiVersion: v2\nname: schema\nversion: 1.0.0\n",
        ),
        ("values.yaml", "name: aaaa\n"),
        ("values.schema.json", &schema),
        ("templates/cm.yaml", "kind: ConfigMap\n"),
    ])
}

/// `depth` nested block mappings (flow collections stop sooner, at the YAML parser's own 255
/// levels, as a syntax error).
fn nested_yaml(depth: usize) -> String {
    (0..depth)
        .map(|i| format!("{}k{i}:\n", "  ".repeat(i)))
        .collect()
}

/// A chart archive whose Chart.yaml also holds `extra`.
fn chart_yaml_with(extra: &str) -> Vec<u8> {
    let chart = format!("apiVersion: v2\nname: pkg\nversion: 1.0.0\n{extra}");
    archives::tgz_under_pkg(&[
        ("Chart.yaml", &chart),
        ("templates/cm.yaml", "kind: ConfigMap\n"),
    ])
}

/// Ten levels of anchors, each aliasing the previous one ten times ("billion laughs").
fn alias_bomb() -> String {
    let mut text = String::from("a0: &a0 [\"lol\"]\n");
    for level in 1..10 {
        let row = vec![format!("*a{}", level - 1); 10].join(", ");
        text.push_str(&format!("a{level}: &a{level} [{row}]\n"));
    }
    text
}

/// A manifest whose one map holds `keys` plain keys, no alias anywhere.
fn wide_map(keys: usize) -> Vec<u8> {
    let mut text = String::from("kind: ConfigMap\ndata:\n");
    for i in 0..keys {
        text.push_str(&format!("  k{i}: v\n"));
    }
    text.into_bytes()
}

fn cases() -> Vec<Case> {
    let aliases = big_scalar_aliases(8 << 20, 400);
    let tiny_leaf = "kind: ConfigMap\nmetadata:\n  name: {{ .Chart.Name }}\n";
    let huge_output = "{{ range until 20 }}{{ repeat 10000000 \"x\" }}{{ end }}";
    // Nine distinct texts of 1.6 MB each, made while rendering.
    let tpl_templates: Vec<(String, String)> = (0..9)
        .map(|i| {
            let text = format!("{{{{ tpl (repeat 200000 \"{i}{{{{ 1 }}}}\") . | len }}}}");
            (
                format!("t{i}.yaml"),
                format!("kind: ConfigMap\nn: {text}\n"),
            )
        })
        .collect();
    let tpl_templates: Vec<(&str, &str)> = tpl_templates
        .iter()
        .map(|(n, t)| (n.as_str(), t.as_str()))
        .collect();
    vec![
        Case {
            name: "yaml-aliases-of-8mb.yaml",
            bytes: format!("kind: ConfigMap\n{aliases}").into_bytes(),
            problem: "limit-exceeded",
            detail: "bytes of scalars with its aliases",
        },
        Case {
            name: "values-aliases-of-8mb.tgz",
            // Helm loads no file of a chart archive over 5 MiB.
            bytes: archives::chart_tgz(
                &big_scalar_aliases(4 << 20, 400),
                &[("cm.yaml", "kind: ConfigMap\n")],
            ),
            problem: "limit-exceeded",
            detail: "bytes of scalars with its aliases",
        },
        Case {
            name: "values-nested-300-deep.tgz",
            bytes: archives::chart_tgz(&nested_yaml(300), &[("cm.yaml", "kind: ConfigMap\n")]),
            problem: "limit-exceeded",
            detail: "cannot load values.yaml: cannot unmarshal yaml document: error converting YAML to JSON: yaml: nesting deeper than 256 levels",
        },
        Case {
            name: "values-alias-bomb.tgz",
            bytes: archives::chart_tgz(&alias_bomb(), &[("cm.yaml", "kind: ConfigMap\n")]),
            problem: "limit-exceeded",
            detail: "cannot load values.yaml: cannot unmarshal yaml document: error converting YAML to JSON: yaml: document contains excessive aliasing",
        },
        Case {
            name: "chart-yaml-nested-300-deep.tgz",
            bytes: chart_yaml_with(&nested_yaml(300)),
            problem: "limit-exceeded",
            detail: "Chart.yaml: yaml: nesting deeper than 256 levels",
        },
        Case {
            name: "chart-yaml-alias-bomb.tgz",
            bytes: chart_yaml_with(&alias_bomb()),
            problem: "limit-exceeded",
            detail: "Chart.yaml: yaml: document contains excessive aliasing",
        },
        Case {
            name: "dict-chain-million-deep.tgz",
            bytes: one_template(
                "{{ $d := dict }}{{ range until 1000000 }}{{ $d = dict \"a\" $d }}{{ end }}kind: ConfigMap\n",
            ),
            problem: "",
            detail: "",
        },
        Case {
            name: "dict-sharing-itself-2-to-the-40-as-json.tgz",
            bytes: one_template(&format!("{DOUBLED_DICT}{{{{ toJson $d }}}}")),
            problem: "limit-exceeded",
            detail: "toJson: result too large",
        },
        Case {
            name: "list-sharing-itself-2-to-the-40-printed.tgz",
            bytes: one_template(&format!("{DOUBLED_LIST}{{{{ $l }}}}")),
            problem: "limit-exceeded",
            detail: "value printed larger than",
        },
        Case {
            name: "list-sharing-itself-2-to-the-40-joined.tgz",
            bytes: one_template(&format!("{DOUBLED_LIST}{{{{ join \",\" (list $l $l $l) }}}}")),
            problem: "limit-exceeded",
            detail: "join: result too large",
        },
        Case {
            name: "lists-sharing-themselves-2-to-the-40-compared.tgz",
            bytes: one_template(&format!(
                "{DOUBLED_LIST}{{{{ $m := list 1 }}}}{{{{ range until 40 }}}}{{{{ $m = list $m $m }}}}{{{{ end }}}}kind: ConfigMap\nx: {{{{ deepEqual $l $m }}}}\n"
            )),
            problem: "",
            detail: "",
        },
        Case {
            name: "deep-copy-of-itself.tgz",
            bytes: one_template(
                "{{ $d := dict }}{{ $_ := set $d \"self\" $d }}{{ $c := deepCopy $d }}",
            ),
            problem: "limit-exceeded",
            detail: "holding itself",
        },
        Case {
            name: "deep-equal-of-itself.tgz",
            bytes: one_template(
                "{{ $a := dict }}{{ $_ := set $a \"s\" $a }}{{ $b := dict }}{{ $_ := set $b \"s\" $b }}kind: ConfigMap\nx: {{ deepEqual $a $b }}\n",
            ),
            problem: "",
            detail: "",
        },
        Case {
            name: "replace-multiplied.tgz",
            bytes: one_template(
                "{{ replace \"x\" (repeat 100000 \"y\") (repeat 1000 \"x\") }}",
            ),
            problem: "limit-exceeded",
            detail: "replace: result too large",
        },
        Case {
            name: "regex-replace-multiplied.tgz",
            bytes: one_template(
                "{{ regexReplaceAll \"x\" (repeat 1000 \"x\") (repeat 100000 \"y\") }}",
            ),
            problem: "limit-exceeded",
            detail: "regexReplaceAll: result too large",
        },
        Case {
            name: "join-10tb.tgz",
            bytes: one_template("{{ join (repeat 10000000 \"x\") (until 1000000) }}"),
            problem: "limit-exceeded",
            detail: "join: result too large",
        },
        Case {
            name: "printf-doubling.tgz",
            bytes: one_template(
                "{{ $s := \"x\" }}{{ range until 40 }}{{ $s = printf \"%s%s\" $s $s }}{{ end }}",
            ),
            problem: "limit-exceeded",
            detail: "printf: result too large",
        },
        Case {
            name: "output-over-three-files.tgz",
            bytes: archives::chart_tgz(
                "",
                &[
                    ("a.yaml", huge_output),
                    ("b.yaml", huge_output),
                    ("c.yaml", huge_output),
                ],
            ),
            problem: "limit-exceeded",
            detail: "bytes in all",
        },
        Case {
            name: "big-tpl-texts-in-nine-templates.tgz",
            bytes: archives::chart_tgz("", &tpl_templates),
            problem: "",
            detail: "",
        },
        Case {
            name: "aliases-8-to-the-6th.tgz",
            bytes: aliased_charts(8, 6, tiny_leaf),
            problem: "limit-exceeded",
            detail: "charts (subcharts and their aliases)",
        },
        Case {
            // 31 x 31 stays under the chart-count limit, so the bytes limit must stop it.
            name: "aliases-31-by-31-over-2mb.tgz",
            bytes: aliased_charts(31, 2, "kind: ConfigMap\nd: {{ repeat 2000000 \"x\" }}\n"),
            problem: "limit-exceeded",
            detail: "bytes in all",
        },
        Case {
            name: "aliases-32-by-32.tgz",
            bytes: aliased_charts(32, 2, tiny_leaf),
            problem: "limit-exceeded",
            detail: "charts (subcharts and their aliases)",
        },
        Case {
            // Steps are counted per chart: 9,000 templates of 100,000 steps each overrun it.
            name: "nine-thousand-looping-templates.tgz",
            bytes: many_looping_templates(9000, 100_000),
            problem: "limit-exceeded",
            detail: "steps (for the whole chart)",
        },
        Case {
            // Go's regexp has no backreferences, so helm refuses such a schema.
            name: "schema-pattern-with-backreference.tgz",
            bytes: schema_pattern("^(a+)\\1$"),
            problem: "render-failed",
            detail: "regex",
        },
        Case {
            // Too many nodes, but no aliases to blame.
            name: "map-of-a-million-keys.yaml",
            bytes: wide_map(1_000_000),
            problem: "limit-exceeded",
            detail: "document has more than 2000000 nodes",
        },
        Case {
            name: "kustomize-diamond-11-levels.tgz",
            bytes: kustomize_diamond(11, 1 << 20),
            problem: "limit-exceeded",
            detail: "bytes in all",
        },
        Case {
            name: "kustomize-replacements-selectors-times-resources.tgz",
            bytes: kustomize_replacements(5000, 2500),
            problem: "limit-exceeded",
            detail: "steps of kustomize work",
        },
        Case {
            name: "kustomize-name-references-referrers-times-resources.tgz",
            bytes: kustomize_name_references(5000),
            problem: "limit-exceeded",
            detail: "steps of kustomize work",
        },
        Case {
            name: "kustomize-patch-nodes-times-targets.tgz",
            bytes: kustomize_patch_times_targets(100_000, 10_000),
            problem: "limit-exceeded",
            detail: "steps of kustomize work",
        },
        Case {
            name: "uniq-of-a-million.tgz",
            bytes: one_template("{{ until 1000000 | uniq }}"),
            problem: "limit-exceeded",
            detail: "steps",
        },
        Case {
            name: "gen-private-key-a-million-times.tgz",
            bytes: one_template("{{ range until 1000000 }}{{ genPrivateKey \"rsa\" }}{{ end }}"),
            problem: "limit-exceeded",
            detail: "steps",
        },
        Case {
            // A key far larger than any chart's (64k bits' worth of PEM text) is charged for
            // the signature it would cost before it is even parsed.
            name: "gen-ca-with-a-huge-key.tgz",
            bytes: one_template(
                "{{ genCAWithKey \"x\" 365 (printf \"-----BEGIN RSA PRIVATE KEY-----\\n%s\\n-----END RSA PRIVATE KEY-----\\n\" (repeat 55000 \"A\")) }}",
            ),
            problem: "limit-exceeded",
            detail: "steps",
        },
        Case {
            name: "kustomize-files-etc-passwd.tgz",
            bytes: archives::tgz_under_pkg(&[
                (
                    "kustomization.yaml",
                    "configMapGenerator:\n- name: x\n  files:\n  - /etc/passwd\n",
                ),
                ("etc/passwd", "root:x:0:0::/root:/bin/sh\n"),
            ]),
            problem: "render-failed",
            detail: "security; file '/etc/passwd' is not in or below",
        },
        Case {
            name: "tar-long-name-400mb.tgz",
            bytes: tar_long_name(400 << 20),
            problem: "limit-exceeded",
            detail: "expands to more than",
        },
        Case {
            // Each copy doubles the resource: 2^64 nodes by the end.
            name: "kustomize-replacements-doubling-their-source.tgz",
            bytes: kustomize_replacement_copies("x", 64, "src"),
            problem: "limit-exceeded",
            detail: "bytes in all",
        },
        Case {
            // One node each, but 300 copies of 2 MiB of text: the text is what they hold.
            name: "kustomize-replacements-copying-2mb-300-times.tgz",
            bytes: kustomize_replacement_copies(&archives::incompressible(2 << 20), 300, "dst"),
            problem: "limit-exceeded",
            detail: "bytes in all",
        },
        Case {
            name: "zip64-4m-entries.zip",
            bytes: zip_many_entries(4_000_000),
            problem: "limit-exceeded",
            detail: "more than 10000 entries",
        },
    ]
}

fn problems(result: &Value) -> Vec<(String, String)> {
    result["problems"]
        .as_array()
        .map(|problems| {
            problems
                .iter()
                .map(|p| {
                    (
                        p["type"].as_str().unwrap_or("").to_string(),
                        p["detail"].as_str().unwrap_or("").to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn each_budget_breaker_is_its_own_problem_and_a_good_chart_beside_it_is_unchanged() {
    let dir = common::scratch_dir("hostile-budgets");
    let good = common::repo_root().join("testdata/scan/chart-hello");
    let (_, alone, stderr) = common::scan_limited(std::slice::from_ref(&good), MEMORY_LIMIT_KIB);
    assert_eq!(alone.len(), 1, "{stderr}");
    assert_eq!(alone[0]["state"], "available", "{:#}", alone[0]);
    for case in cases() {
        let path: PathBuf = dir.join(case.name);
        fs::File::create(&path)
            .and_then(|mut f| f.write_all(&case.bytes))
            .unwrap();
        let (code, results, stderr) =
            common::scan_limited(&[good.clone(), path.clone()], MEMORY_LIMIT_KIB);
        assert_eq!(code, 0, "{}: {stderr}", case.name);
        assert!(!stderr.contains("panicked"), "{}: {stderr}", case.name);
        assert_eq!(results.len(), 2, "{}: {stderr}", case.name);
        assert_eq!(
            results[0], alone[0],
            "{}: the good chart changed",
            case.name
        );
        let found = problems(&results[1]);
        if case.problem.is_empty() {
            assert!(found.is_empty(), "{}: {found:?}", case.name);
            fs::remove_file(&path).unwrap();
            continue;
        }
        let wanted = format!("urn:pkglens:problem:{}", case.problem);
        assert!(
            found
                .iter()
                .any(|(kind, detail)| *kind == wanted && detail.contains(case.detail)),
            "{}: {found:?}",
            case.name
        );
        fs::remove_file(&path).unwrap();
    }
    fs::remove_dir_all(dir).unwrap();
}

/// `pkglens build` and `render` hold what they make to the same per-input budget a scan does:
/// a kustomization doubling a resource, and a chart of 31 x 31 aliases rendering 2 MB each,
/// end in the budget's error instead of running out of memory.
#[test]
fn build_and_render_have_the_budget_of_a_scanned_input() {
    let dir = common::scratch_dir("hostile-budgets-cli");
    let doubling = dir.join("doubling.tgz");
    fs::write(&doubling, kustomize_replacement_copies("x", 64, "src")).unwrap();
    let aliases = dir.join("aliases.tgz");
    let leaf = "kind: ConfigMap\nd: {{ repeat 2000000 \"x\" }}\n";
    fs::write(&aliases, aliased_charts(31, 2, leaf)).unwrap();
    for args in [
        ["build".as_ref(), doubling.as_os_str()],
        ["render".as_ref(), aliases.as_os_str()],
    ] {
        let (code, stdout, stderr) = common::pkglens_limited(&args, MEMORY_LIMIT_KIB);
        assert_eq!(code, 1, "{args:?}: {stderr}");
        assert!(stdout.is_empty(), "{args:?}");
        assert!(stderr.contains("bytes in all"), "{args:?}: {stderr}");
    }
    fs::remove_dir_all(dir).unwrap();
}
