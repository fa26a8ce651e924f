//! The build itself: accumulate resources through the tree of
//! kustomizations, run generators, components and transformers in
//! kustomize's order, then add content hashes, resolve vars and sort.

use super::crds;
use super::fieldspec::{self, FieldSpec, TransformerConfig};
use super::generators::{self, GenKind};
use super::helmcharts;
use super::kustfile::{string_map, Kustomization, PatchArgs, VarArgs};
use super::loader::{join, Files, Loader};
use super::nameref;
use super::origin;
use super::patch;
use super::replacements;
use super::resource::{or_placeholder, Behavior, ResId, ResMap, Resource};
use super::transform;
use super::value::{
    self, parse_documents, parse_patches, parse_resources, DocumentError, Nulls, Step,
};
use super::vars;
use super::{BuildOptions, BuiltObject, KustomizeError};
use crate::budget::{self, LimitKind};
use crate::files::KUSTOMIZATION_FILE_NAMES;
use serde_json::Value;

/// The Kubernetes schema version kustomize v5.6.0 has built in.
const BUILTIN_OPENAPI_VERSION: &str = "v1.21.2";
/// Deepest nesting of kustomizations followed (cycles are caught earlier).
const MAX_DEPTH: usize = 64;
/// Most kustomization folders one build may visit (a diamond of bases that
/// add nothing could otherwise fan out exponentially).
const MAX_VISITS: usize = 10_000;

#[derive(Default)]
struct Accumulator {
    res: ResMap,
    vars: Vec<VarArgs>,
    /// Extra field specs from `configurations`.
    config: TransformerConfig,
}

struct Build<'t> {
    files: Files<'t>,
    /// Kustomization folders being built, to catch cycles.
    stack: Vec<String>,
    /// A custom OpenAPI schema makes kustomize merge custom kinds' lists by key.
    custom_schema: bool,
    /// Whether a kustomization already chose the schema (the first one to
    /// name `openapi`, the root first, wins as in kustomize).
    schema_set: bool,
    visits: usize,
    enable_helm: bool,
    /// With `buildMetadata`: the folder being built, relative to the root
    /// kustomization (origins are written relative to it).
    origin: Option<String>,
}

pub fn build(
    files: Files<'_>,
    root: &str,
    options: &BuildOptions,
) -> Result<Vec<BuiltObject>, KustomizeError> {
    let root = root.trim_matches('/').to_string();
    let mut b = Build {
        enable_helm: options.enable_helm,
        files,
        stack: Vec::new(),
        custom_schema: false,
        schema_set: false,
        visits: 0,
        origin: None,
    };
    let k = b.load_kustomization(&root)?;
    b.choose_schema(&root, &k)?;
    if !k.build_metadata.is_empty() {
        b.origin = Some(String::new());
    }
    let sort = k.sort_options.clone();
    let mut acc = Accumulator::default();
    b.accumulate_target(&root, &k, &mut acc)?;
    add_hashes(&mut acc.res);
    // Names are final: references follow them (kustomize's FixBackReferences).
    nameref::fix_back_references(&mut acc.res, &acc.config)?;
    vars::resolve(&mut acc.res, &acc.vars, &acc.config)?;
    acc.res.items.retain(|r| {
        r.obj
            .pointer("/metadata/annotations/config.kubernetes.io~1local-config")
            .and_then(Value::as_str)
            != Some("true")
    });
    let legacy = match &sort {
        None => true,
        Some(s) => sort_is_legacy(s)?,
    };
    if legacy {
        let (first, last) = match sort.as_ref().and_then(|s| s.legacy_sort_options.clone()) {
            Some(o) => (o.order_first, o.order_last),
            None => (
                DEFAULT_ORDER_FIRST.iter().map(|s| s.to_string()).collect(),
                DEFAULT_ORDER_LAST.iter().map(|s| s.to_string()).collect(),
            ),
        };
        legacy_sort(&mut acc.res.items, &first, &last);
    }
    origin::finish(&mut acc.res, &k.build_metadata);
    for r in &mut acc.res.items {
        value::write_null_annotations(&mut r.obj, "");
    }
    Ok(acc
        .res
        .items
        .into_iter()
        .map(|r| BuiltObject {
            value: r.obj,
            source: r.source,
        })
        .collect())
}

/// Whether `sortOptions` asks for the legacy order, checked as kustomize's
/// SortOrderTransformer checks it.
fn sort_is_legacy(s: &super::kustfile::SortOptions) -> Result<bool, KustomizeError> {
    match s.order.as_str() {
        "legacy" => Ok(true),
        "fifo" if s.legacy_sort_options.is_some() => Err(KustomizeError::build(
            "the field 'sortOptions.legacySortOptions' is set but the selected sort order is 'fifo', not 'legacy'",
        )),
        "fifo" => Ok(false),
        _ => Err(KustomizeError::build(
            "the field 'sortOptions.order' must be one of [fifo, legacy]",
        )),
    }
}

impl<'t> Build<'t> {
    fn load_kustomization(&mut self, dir: &str) -> Result<Kustomization, KustomizeError> {
        let mut found = Vec::new();
        for f in KUSTOMIZATION_FILE_NAMES {
            let path = join(dir, f).unwrap_or_default();
            if let Some(data) = self.files.get(&path)? {
                found.push((path, data));
            }
        }
        let shown = self.files.shown(dir);
        match found.as_slice() {
            [] => Err(KustomizeError::MissingKustomization(shown)),
            [(path, data)] => {
                let text = std::str::from_utf8(data)
                    .map_err(|_| KustomizeError::build(format!("{path} is not valid UTF-8")))?;
                let mut k = Kustomization::parse(text, path, &shown)?;
                k.file_name = path.rsplit('/').next().unwrap_or(path).to_string();
                Ok(k)
            }
            _ => Err(KustomizeError::MultipleKustomizations(shown)),
        }
    }

    /// kustomize's `openapi` field: a schema file (which must exist) or a
    /// built-in version, not both; only the first kustomization to set it counts.
    fn choose_schema(&mut self, dir: &str, k: &Kustomization) -> Result<(), KustomizeError> {
        let field = |name: &str| k.openapi.get(name).and_then(Value::as_str);
        let (path, version) = (field("path"), field("version"));
        if let Some(path) = path {
            Loader::new(self.files, dir).load(path)?;
        }
        if self.schema_set {
            return Ok(());
        }
        match (path, version) {
            (Some(_), Some(_)) => Err(KustomizeError::build(
                "builtin version and custom schema provided, cannot use both",
            )),
            (Some(_), None) => {
                self.custom_schema = true;
                self.schema_set = true;
                Ok(())
            }
            (None, Some("")) | (None, None) => Ok(()),
            (None, Some(BUILTIN_OPENAPI_VERSION)) => {
                self.schema_set = true;
                Ok(())
            }
            (None, Some(_)) => Err(KustomizeError::build(
                "the specified OpenAPI version is not built in",
            )),
        }
    }

    fn accumulate_target(
        &mut self,
        dir: &str,
        k: &Kustomization,
        acc: &mut Accumulator,
    ) -> Result<(), KustomizeError> {
        if self.stack.len() >= MAX_DEPTH {
            return Err(KustomizeError::Limit(budget::exceeded(
                LimitKind::KustomizeDepth,
                "kustomizations nested too deeply",
            )));
        }
        self.visits += 1;
        if self.visits > MAX_VISITS {
            return Err(KustomizeError::Limit(budget::exceeded(
                LimitKind::KustomizeDepth,
                format_args!("more than {MAX_VISITS} kustomizations visited in one build"),
            )));
        }
        budget::charge_render("kustomizations").map_err(KustomizeError::Limit)?;
        self.stack.push(dir.to_string());
        let result = self.accumulate_inner(dir, k, acc);
        self.stack.pop();
        result
    }

    fn accumulate_inner(
        &mut self,
        dir: &str,
        k: &Kustomization,
        acc: &mut Accumulator,
    ) -> Result<(), KustomizeError> {
        let ldr = Loader::new(self.files, dir);
        for path in &k.resources {
            self.accumulate_resource(&ldr, path, acc)
                .map_err(|e| e.context("accumulating resources"))?;
        }
        let mut files = TransformerConfig::default();
        for c in &k.configurations {
            let text = ldr.load_text(c)?;
            files.merge(TransformerConfig::parse(&text, c)?)?;
        }
        acc.config.merge(TransformerConfig::with_defaults(files)?)?;
        let loading_crds =
            |e: KustomizeError| e.context(format_args!("loading CRDs [{}]", k.crds.join(" ")));
        for c in &k.crds {
            let text = ldr.load_text(c).map_err(loading_crds)?;
            let config = crds::config_from_crd_file(&text, c).map_err(loading_crds)?;
            acc.config.merge(config)?;
        }
        self.run_generators(&ldr, k, acc)?;
        for c in &k.components {
            let cdir = self
                .new_root(&ldr, c)
                .map_err(|e| component_failure("loader.New", e))?;
            self.accumulate_directory(&cdir, c, acc, Nesting::Component)
                .map_err(|e| component_failure("accumulateDirectory:", e))?;
        }
        self.run_transformers(&ldr, k, acc)?;
        vars::mark_sources(&mut acc.res, &k.vars)?;
        for v in &k.vars {
            if acc.vars.iter().any(|x| x.name == v.name) {
                return Err(KustomizeError::build(format!(
                    "var '{}' already encountered",
                    v.name
                )));
            }
            acc.vars.push(v.clone());
        }
        Ok(())
    }

    /// One `resources` entry, tried as kustomize's accumulateResources tries it: as a file
    /// of objects first, then as a kustomization folder; when both fail, the message says
    /// why each did (a malformed file alone when it is no folder either).
    fn accumulate_resource(
        &mut self,
        ldr: &Loader,
        path: &str,
        acc: &mut Accumulator,
    ) -> Result<(), KustomizeError> {
        let file_failure = match self.accumulate_file(ldr, path, acc) {
            Ok(()) => return Ok(()),
            Err(e @ (KustomizeError::Remote(_) | KustomizeError::Limit(_))) => return Err(e),
            Err(e) => e,
        };
        let accumulation =
            |e: KustomizeError| e.context(format_args!("accumulation err='{file_failure}'"));
        let dir = match self.new_root(ldr, path) {
            Ok(dir) => dir,
            Err(_) if file_failure.to_string().contains("MalformedYAMLError") => {
                return Err(file_failure)
            }
            Err(e) => return Err(accumulation(e)),
        };
        self.accumulate_directory(&dir, path, acc, Nesting::Base)
            .map_err(accumulation)
    }

    /// A `resources` entry read as a file of objects (kustomize's accumulateFile).
    fn accumulate_file(
        &mut self,
        ldr: &Loader,
        path: &str,
        acc: &mut Accumulator,
    ) -> Result<(), KustomizeError> {
        let loaded = self
            .load_resource_file(ldr, path)
            .map_err(|e| e.context(format_args!("accumulating resources from '{path}'")))?;
        acc.res
            .append_all(loaded)
            .map_err(|e| e.context(format_args!("merging resources from '{path}'")))
    }

    fn load_resource_file(&self, ldr: &Loader, path: &str) -> Result<ResMap, KustomizeError> {
        let text = ldr.load_text(path)?;
        let source = ldr.resolve_file(path)?;
        let mut loaded = ResMap::default();
        for (doc, empty_nulls) in parse_resources(&text, path)? {
            let listed = is_list(&doc);
            for (i, mut item) in expand_list(doc).into_iter().enumerate() {
                check_resource(&item, path)?;
                if let Some(dir) = &self.origin {
                    origin::annotate(&mut item, &origin::of_file(&origin::clean_join(dir, path)));
                }
                let mut r = Resource::new(item);
                r.source = source.clone();
                r.empty_nulls = if listed {
                    let prefix = [Step::Key("items".into()), Step::Index(i)];
                    empty_nulls
                        .iter()
                        .filter_map(|p| p.strip_prefix(&prefix[..]).map(<[Step]>::to_vec))
                        .collect()
                } else {
                    empty_nulls.clone()
                };
                loaded.items.push(r);
            }
        }
        Ok(loaded)
    }

    /// The folder of the kustomization `rel` names, checked as kustomize's `loader.New`
    /// checks it: a folder that exists and that contains none of the kustomizations being
    /// built (a cycle), innermost first.
    fn new_root(&self, ldr: &Loader, rel: &str) -> Result<String, KustomizeError> {
        let dir = ldr.resolve_dir(rel)?;
        if let Some(visited) = self
            .stack
            .iter()
            .rev()
            .find(|v| self.files.same_or_below(v, &dir))
        {
            return Err(KustomizeError::build(format!(
                "cycle detected: candidate root '{}' contains visited root '{}'",
                self.files.shown(&dir),
                self.files.shown(visited)
            )));
        }
        Ok(dir)
    }

    /// Builds the kustomization in `dir` into `acc` (kustomize's accumulateDirectory): a
    /// base into an accumulator of its own, merged in afterwards; a component straight
    /// into `acc`. `rel` is how the referring kustomization named it.
    fn accumulate_directory(
        &mut self,
        dir: &str,
        rel: &str,
        acc: &mut Accumulator,
        nesting: Nesting,
    ) -> Result<(), KustomizeError> {
        let shown = self.files.shown(dir);
        let sub = self
            .load_kustomization(dir)
            .map_err(|e| e.context(format_args!("couldn't make target for path '{shown}'")))?;
        self.choose_schema(dir, &sub)?;
        match nesting {
            Nesting::Component if !sub.is_component() => {
                return Err(KustomizeError::build(format!(
                    "expected kind 'Component' for path '{shown}' but got '{}'",
                    sub.kind
                )))
            }
            Nesting::Base if sub.is_component() => {
                return Err(KustomizeError::build(format!(
                    "expected kind != 'Component' for path '{shown}'"
                )))
            }
            _ => {}
        }
        let outer = self.enter_origin(rel);
        let mut sub_acc = Accumulator::default();
        let into = match nesting {
            Nesting::Component => &mut *acc,
            Nesting::Base => &mut sub_acc,
        };
        let result = self.accumulate_target(dir, &sub, into);
        self.origin = outer;
        result.map_err(|e| e.context(format_args!("recursed accumulation of path '{shown}'")))?;
        if let Nesting::Base = nesting {
            merge_accumulator(acc, sub_acc)
                .map_err(|e| e.context(format_args!("recursed merging from path '{shown}'")))?;
        }
        Ok(())
    }

    /// Moves the origin folder into `path`, returning the one to restore.
    fn enter_origin(&mut self, path: &str) -> Option<String> {
        let inner = self
            .origin
            .as_deref()
            .map(|dir| origin::clean_join(dir, path));
        std::mem::replace(&mut self.origin, inner)
    }

    /// The origin of what a builtin generator named in `k` makes.
    fn builtin_origin(&self, k: &Kustomization, kind: &str) -> Option<String> {
        let dir = self.origin.as_deref()?;
        Some(origin::of_generator(
            &origin::clean_join(dir, &k.file_name),
            "builtin",
            kind,
            "",
            "",
        ))
    }

    fn run_generators(
        &mut self,
        ldr: &Loader,
        k: &Kustomization,
        acc: &mut Accumulator,
    ) -> Result<(), KustomizeError> {
        let global = k.generator_options.as_ref();
        let mut generated = Vec::new();
        let cm_origin = self.builtin_origin(k, "ConfigMapGenerator");
        for args in &k.config_map_generator {
            let r = generators::generate(ldr, GenKind::ConfigMap, args, global)?;
            generated.push((r, cm_origin.clone()));
        }
        let secret_origin = self.builtin_origin(k, "SecretGenerator");
        for args in &k.secret_generator {
            let kind = GenKind::Secret {
                secret_type: &args.secret_type,
            };
            let r = generators::generate(ldr, kind, &args.generator, global)?;
            generated.push((r, secret_origin.clone()));
        }
        let globals = k.helm_globals.clone().unwrap_or_default();
        if let Some(first) = k.helm_charts.first().filter(|_| !self.enable_helm) {
            let config = helmcharts::plugin_config(&globals, first);
            let configured = configuring("HelmChartInflationGenerator", config);
            return Err(configured(KustomizeError::build(
                "must specify --enable-helm",
            )));
        }
        let helm_origin = self.builtin_origin(k, "HelmChartInflationGenerator");
        for chart in &k.helm_charts {
            for doc in helmcharts::inflate(ldr, &globals, chart)? {
                for item in expand_list(doc) {
                    check_resource(&item, "helm chart output")?;
                    generated.push((Resource::new(item), helm_origin.clone()));
                }
            }
        }
        let loading = |e: KustomizeError| e.context("loading generator plugins");
        for entry in &k.generators {
            for config in self.plugin_configs(ldr, k, entry).map_err(loading)? {
                let kind = builtin_plugin_kind(&config, PluginRole::Generator)
                    .map_err(|e| loading(e.context("failed to load generator")))?;
                let secret = match kind {
                    "ConfigMapGenerator" => false,
                    "SecretGenerator" => true,
                    "IAMPolicyGenerator" => {
                        let r = generators::iam_policy(&config)?;
                        generated.push((r, plugin_origin(&config)));
                        continue;
                    }
                    _ => {
                        return Err(KustomizeError::build(format!(
                            "the builtin {kind} configured in `generators` is not supported"
                        )))
                    }
                };
                let mut args: super::kustfile::SecretArgs =
                    super::decode::from_value(config.clone())
                        .map_err(|e| KustomizeError::build(format!("{kind}: {e}")))?;
                if args.generator.name.is_empty() {
                    args.generator.name = config
                        .pointer("/metadata/name")
                        .and_then(Value::as_str)
                        .unwrap_or("")
                        .to_string();
                }
                let gen = if secret {
                    GenKind::Secret {
                        secret_type: &args.secret_type,
                    }
                } else {
                    GenKind::ConfigMap
                };
                let r = generators::generate(ldr, gen, &args.generator, None)?;
                generated.push((r, plugin_origin(&config)));
            }
        }
        let kustomization_file = join(&ldr.root, &k.file_name).unwrap_or_default();
        for (mut r, from) in generated {
            r.source = kustomization_file.clone();
            // kustomize names the generator by its Go value: pointers to the plugin and to
            // its origin, printed here with a stand-in address.
            let generator = match from {
                Some(from) => {
                    origin::annotate(&mut r.obj, &from);
                    "&{0xc000000000 0xc000000000}"
                }
                None => "&{0xc000000000 <nil>}",
            };
            absorb_generated(&mut acc.res, r)
                .map_err(|e| e.context(format_args!("merging from generator {generator}")))?;
        }
        Ok(())
    }

    /// The configuration documents a `generators`/`transformers` entry names:
    /// inline YAML, a file, or a kustomization folder.
    fn plugin_configs(
        &mut self,
        ldr: &Loader,
        k: &Kustomization,
        entry: &str,
    ) -> Result<Vec<Value>, KustomizeError> {
        if entry.contains('\n') {
            let mut configs = parse_documents(entry, "inline plugin config")?;
            if let Some(dir) = &self.origin {
                let from = origin::of_file(&origin::clean_join(dir, &k.file_name));
                for c in &mut configs {
                    origin::annotate(c, &from);
                }
            }
            return Ok(configs);
        }
        let mut acc = Accumulator::default();
        self.accumulate_resource(ldr, entry, &mut acc)?;
        Ok(acc.res.items.into_iter().map(|r| r.obj).collect())
    }

    fn run_transformers(
        &mut self,
        ldr: &Loader,
        k: &Kustomization,
        acc: &mut Accumulator,
    ) -> Result<(), KustomizeError> {
        for p in &k.patches_strategic_merge {
            let configured = configuring(
                "PatchStrategicMergeTransformer",
                serde_json::json!({ "paths": k.patches_strategic_merge }),
            );
            let text = if p.contains('\n') || p.trim_start().starts_with("apiVersion") {
                p.clone()
            } else {
                ldr.load_text(p).map_err(&configured)?
            };
            for doc in parse_patches(&text, p, Nulls::Text).map_err(&configured)? {
                let idx = self.smp_target_by_id(&acc.res, &doc)?;
                self.smp_into(&mut acc.res, idx, &doc, IdentityChange::default())?;
            }
        }
        if !k.patches_strategic_merge.is_empty() {
            self.note_builtin(&mut acc.res, k, "PatchStrategicMergeTransformer");
        }
        for p in &k.patches {
            let configured = configuring("PatchTransformer", builtin_patch_config(p, "patch"));
            let from_path = |e: KustomizeError| {
                configured(e.context(format_args!(
                    "failed to get the patch file from path({})",
                    p.path
                )))
            };
            self.apply_patch(ldr, &mut acc.res, p, false, &from_path)?;
            self.note_builtin(&mut acc.res, k, "PatchTransformer");
        }
        if !k.namespace.is_empty() {
            transform::namespace(&mut acc.res, &k.namespace, &acc.config);
            self.note_builtin(&mut acc.res, k, "NamespaceTransformer");
        }
        if !k.name_prefix.is_empty() {
            transform::prefix_suffix(
                &mut acc.res,
                Some(&k.name_prefix),
                None,
                &acc.config.name_prefix,
            );
            self.note_builtin(&mut acc.res, k, "PrefixTransformer");
        }
        if !k.name_suffix.is_empty() {
            transform::prefix_suffix(
                &mut acc.res,
                None,
                Some(&k.name_suffix),
                &acc.config.name_suffix,
            );
            self.note_builtin(&mut acc.res, k, "SuffixTransformer");
        }
        for l in &k.labels {
            // The entry's fields, then the configurations' `labels`, then
            // selectors (commonLabels fields) or templates and metadata.
            let mut specs: Vec<FieldSpec> = l.fields.iter().cloned().map(FieldSpec::from).collect();
            specs.extend(acc.config.labels.iter().cloned());
            if l.include_selectors {
                specs.extend(fieldspec::common_labels());
                specs.extend(acc.config.common_labels.iter().cloned());
            } else {
                if l.include_templates {
                    specs.extend(fieldspec::metadata_labels());
                    specs.extend(acc.config.template_labels.iter().cloned());
                }
                specs.push(FieldSpec::new("", "", "metadata/labels", true));
            }
            transform::set_map_entries(&mut acc.res, &string_map(&l.pairs), &specs);
            self.note_builtin(&mut acc.res, k, "LabelTransformer");
        }
        // kustomize configures a commonLabels transformer whenever labels are set.
        if !k.labels.is_empty() || !k.common_labels.is_empty() {
            transform::common_labels(&mut acc.res, &string_map(&k.common_labels), &acc.config);
            self.note_builtin(&mut acc.res, k, "LabelTransformer");
        }
        if !k.common_annotations.is_empty() {
            transform::common_annotations(
                &mut acc.res,
                &string_map(&k.common_annotations),
                &acc.config,
            );
            self.note_builtin(&mut acc.res, k, "AnnotationsTransformer");
        }
        for p in &k.patches_json6902 {
            let configured = configuring(
                "PatchJson6902Transformer",
                builtin_patch_config(p, "jsonOp"),
            );
            self.apply_patch(ldr, &mut acc.res, p, true, &configured)?;
            self.note_builtin(&mut acc.res, k, "PatchJson6902Transformer");
        }
        for r in &k.replicas {
            transform::replicas(&mut acc.res, r, &acc.config)?;
            self.note_builtin(&mut acc.res, k, "ReplicaCountTransformer");
        }
        for img in &k.images {
            transform::images(&mut acc.res, img, &acc.config.images);
            self.note_builtin(&mut acc.res, k, "ImageTagTransformer");
        }
        if !k.replacements.is_empty() {
            let configured = configuring(
                "ReplacementTransformer",
                serde_json::json!({ "Replacements": k.replacements }),
            );
            replacements::run(ldr, &mut acc.res, &k.replacements, &configured)?;
            self.note_builtin(&mut acc.res, k, "ReplacementTransformer");
        }
        for entry in &k.transformers {
            for config in self.plugin_configs(ldr, k, entry)? {
                self.run_builtin_transformer(ldr, &mut acc.res, &config, &acc.config)?;
                if let Some(from) = plugin_origin(&config) {
                    origin::add_transformation(&mut acc.res, &from);
                }
            }
        }
        Ok(())
    }

    /// With origin tracking on, records a builtin transformer configured by
    /// `k` on every resource (kustomize's transformer annotations).
    fn note_builtin(&self, res: &mut ResMap, k: &Kustomization, kind: &str) {
        if let Some(from) = self.builtin_origin(k, kind) {
            origin::add_transformation(res, &from);
        }
    }

    fn run_builtin_transformer(
        &mut self,
        ldr: &Loader,
        res: &mut ResMap,
        config: &Value,
        tconfig: &TransformerConfig,
    ) -> Result<(), KustomizeError> {
        let kind = builtin_plugin_kind(config, PluginRole::Transformer)?;
        let plugin_id = Resource::new(config.clone()).id().display();
        let configured =
            |e: KustomizeError| e.context(format_args!("plugin {plugin_id} fails configuration"));
        let specs = || -> Vec<FieldSpec> {
            let list: Vec<super::kustfile::FieldSpecArgs> = config
                .get("fieldSpecs")
                .cloned()
                .and_then(|v| super::decode::from_value(v).ok())
                .unwrap_or_default();
            list.into_iter().map(FieldSpec::from).collect()
        };
        let pairs = |field: &str| -> Vec<(String, String)> {
            match config.get(field) {
                Some(Value::Object(m)) => string_map(m),
                _ => Vec::new(),
            }
        };
        match kind {
            "AnnotationsTransformer" => {
                transform::set_map_entries(res, &pairs("annotations"), &specs())
            }
            "LabelTransformer" => transform::set_map_entries(res, &pairs("labels"), &specs()),
            "NamespaceTransformer" => {
                let ns = config
                    .pointer("/metadata/namespace")
                    .and_then(Value::as_str)
                    .unwrap_or("");
                transform::namespace(res, ns, tconfig);
            }
            "PrefixSuffixTransformer" | "PrefixTransformer" | "SuffixTransformer" => {
                let get = |f: &str| config.get(f).and_then(Value::as_str).unwrap_or("");
                if config.get("fieldSpecs").is_none_or(Value::is_null) {
                    return Err(KustomizeError::build(format!(
                        "{kind}: fieldSpecs is not expected to be nil"
                    )));
                }
                let name_specs = specs();
                let prefix = (kind != "SuffixTransformer").then(|| get("prefix"));
                let suffix = (kind != "PrefixTransformer").then(|| get("suffix"));
                transform::prefix_suffix(res, prefix, suffix, &name_specs);
            }
            "ImageTagTransformer" => {
                let img: super::kustfile::ImageArgs = config
                    .get("imageTag")
                    .cloned()
                    .and_then(|v| super::decode::from_value(v).ok())
                    .unwrap_or_default();
                transform::images(res, &img, &specs());
            }
            "PatchTransformer" => {
                let args: PatchArgs = super::decode::from_value(config.clone())
                    .map_err(|e| KustomizeError::build(format!("{kind}: {e}")))?;
                let from_path = |e: KustomizeError| {
                    configured(e.context(format_args!(
                        "failed to get the patch file from path({})",
                        args.path
                    )))
                };
                self.apply_patch(ldr, res, &args, false, &from_path)?;
            }
            "PatchJson6902Transformer" => {
                let args = json6902_plugin_args(config)?;
                self.apply_patch(ldr, res, &args, true, &configured)?;
            }
            "ReplacementTransformer" => {
                let entries = replacements::configured_entries(config)?;
                replacements::run(ldr, res, &entries, &configured)?;
            }
            "ValueAddTransformer" => {
                let value = match config.get("value").and_then(Value::as_str) {
                    Some(v) => v.to_string(),
                    None => ldr.root.rsplit('/').next().unwrap_or("").to_string(),
                };
                let targets: Vec<ValueAddTarget> = config
                    .get("targets")
                    .cloned()
                    .map(super::decode::from_value)
                    .transpose()
                    .map_err(|e| KustomizeError::build(format!("{kind}: {e}")))?
                    .unwrap_or_default();
                for t in &targets {
                    transform::value_add(
                        res,
                        &value,
                        t.selector.as_ref(),
                        &t.field_path,
                        t.file_path_position,
                    )?;
                }
            }
            "PatchStrategicMergeTransformer" => {
                let paths: Vec<String> = config
                    .get("paths")
                    .cloned()
                    .and_then(|v| super::decode::from_value(v).ok())
                    .unwrap_or_default();
                for p in paths {
                    let text = ldr.load_text(&p)?;
                    for doc in parse_patches(&text, &p, Nulls::Text)? {
                        let idx = self.smp_target_by_id(res, &doc)?;
                        self.smp_into(res, idx, &doc, IdentityChange::default())?;
                    }
                }
            }
            _ => {
                return Err(KustomizeError::build(format!(
                    "the builtin {kind} configured in `transformers` is not supported"
                )))
            }
        }
        Ok(())
    }

    /// The one resource a strategic-merge patch without a target patches: the one whose
    /// current or any earlier id is the patch's (kustomize's ResMap.GetById).
    fn smp_target_by_id(&self, res: &ResMap, patch: &Value) -> Result<usize, KustomizeError> {
        let id = Resource::new(patch.clone()).id();
        // Finding the target examines every resource: patches times resources stay bounded.
        budget::charge_work(res.items.len() as u64).map_err(KustomizeError::Limit)?;
        match res.find_by_any_id(&id).as_slice() {
            [i] => Ok(*i),
            many => {
                let how_many = if many.is_empty() { "no" } else { "multiple" };
                Err(KustomizeError::build(format!(
                    "{how_many} matches for Id {0}; failed to find unique target for patch {0}",
                    id.display()
                )))
            }
        }
    }

    /// Merges `patch` into resource `idx` as kustomize's `ApplySmPatch` does:
    /// the target keeps its namespace, and its name and kind unless the
    /// patch options allow changing them (remembering its id first then).
    fn smp_into(
        &self,
        res: &mut ResMap,
        idx: usize,
        patch: &Value,
        allow: IdentityChange,
    ) -> Result<(), KustomizeError> {
        let keyed = patch::keyed_lists(res.items[idx].kind(), self.custom_schema);
        let mut patch = patch.clone();
        if let Some(Value::Object(meta)) = patch.get_mut("metadata") {
            if !allow.name {
                meta.shift_remove("name");
            }
            meta.shift_remove("namespace");
        }
        if let Value::Object(m) = &mut patch {
            m.shift_remove("apiVersion");
            if !allow.kind {
                m.shift_remove("kind");
            }
        }
        let r = &mut res.items[idx];
        if allow.name || allow.kind {
            r.store_previous_id();
        }
        let (old_kind, old_name) = (r.kind().to_string(), r.name().to_string());
        // kyaml's merge walks the whole resource; later merges find none of these left
        // where they walk.
        patch::drop_empty_nulls(&mut r.obj, &std::mem::take(&mut r.empty_nulls), keyed);
        // kyaml's filter takes its own annotations off after the merge, and an
        // annotations map it leaves empty with them.
        let kept = r.with_build_annotations(|obj| patch::strategic_merge(obj, &patch, keyed));
        if !kept.map_err(KustomizeError::Limit)? {
            res.items.remove(idx);
            return Ok(());
        }
        if r.kind() != old_kind {
            let ns = r.namespace().to_string();
            r.former_kinds.push((old_kind, old_name.clone(), ns));
        }
        let new_name = r.name().to_string();
        if new_name != old_name {
            r.names.push(new_name);
        }
        Ok(())
    }

    fn apply_patch(
        &mut self,
        ldr: &Loader,
        res: &mut ResMap,
        p: &PatchArgs,
        json_only: bool,
        configured: &dyn Fn(KustomizeError) -> KustomizeError,
    ) -> Result<(), KustomizeError> {
        if !p.path.is_empty() && !p.patch.is_empty() {
            return Err(KustomizeError::build(
                "patch and path can't be set at the same time",
            ));
        }
        let text = if p.path.is_empty() {
            p.patch.clone()
        } else {
            ldr.load_text(&p.path).map_err(configured)?
        };
        let label = if p.path.is_empty() {
            "patch"
        } else {
            p.path.as_str()
        };
        // Without a target the patch is merged as parsed; with one, through ResMap.ApplySmPatch.
        let nulls = if p.target.is_some() {
            Nulls::Text
        } else {
            Nulls::Deleting
        };
        let docs = parse_patches(&text, label, nulls)?;
        let is_json = docs.len() == 1 && docs[0].is_array();
        if json_only || is_json {
            let ops = match docs.as_slice() {
                [Value::Array(ops)] => ops.clone(),
                [] => Vec::new(),
                _ => {
                    return Err(KustomizeError::build(format!(
                        "unable to parse SM or JSON patch from {label}"
                    )))
                }
            };
            let Some(target) = &p.target else {
                return Err(KustomizeError::build(format!(
                    "must specify a target for JSON patch {label}"
                )));
            };
            for idx in patch::select(res, target)? {
                let r = &mut res.items[idx];
                // A JSON patch may rename its target; references follow it.
                r.store_previous_id();
                let old_name = r.name().to_string();
                r.with_build_annotations(|obj| patch::json6902(obj, &ops))?;
                // kustomize reads the patched JSON back: every null in it is now written.
                r.empty_nulls.clear();
                value::write_null_annotations(&mut r.obj, "null");
                let new_name = r.name().to_string();
                if new_name != old_name {
                    r.names.push(new_name);
                }
            }
            return Ok(());
        }
        let allow = IdentityChange::from_options(&p.options);
        match &p.target {
            None => {
                for doc in &docs {
                    let idx = self.smp_target_by_id(res, doc).map_err(|e| {
                        e.context(format_args!(
                            "no resource matches strategic merge patch \"{}\"",
                            Resource::new(doc.clone()).id().display()
                        ))
                    })?;
                    self.smp_into(res, idx, doc, allow)?;
                }
            }
            Some(_) if docs.len() > 1 => {
                return Err(KustomizeError::build(format!(
                    "Multiple Strategic-Merge Patches in one `patches` entry is not allowed to set `patches.target` field: {label}"
                )))
            }
            Some(sel) => {
                let mut targets = patch::select(res, sel)?;
                // Deleting shifts indexes: apply from the back.
                targets.reverse();
                for doc in &docs {
                    for &idx in &targets {
                        self.smp_into(res, idx, doc, allow)?;
                    }
                }
            }
        }
        Ok(())
    }
}

/// A `PatchJson6902Transformer` plugin config as kustomize reads it: a
/// target that names its resource, and the operations either inline
/// (`jsonOp`, JSON or YAML) or in a file (`path`), never both.
fn json6902_plugin_args(config: &Value) -> Result<PatchArgs, KustomizeError> {
    #[derive(serde::Deserialize, Default)]
    #[serde(default, rename_all = "camelCase")]
    struct Json6902Config {
        target: Option<super::kustfile::Selector>,
        path: String,
        json_op: String,
    }
    let c: Json6902Config = super::decode::from_value(config.clone())
        .map_err(|e| KustomizeError::build(format!("PatchJson6902Transformer: {e}")))?;
    if c.target.as_ref().is_none_or(|t| t.name.is_empty()) {
        return Err(KustomizeError::build("must specify the target name"));
    }
    match (c.path.is_empty(), c.json_op.is_empty()) {
        (true, true) => Err(KustomizeError::build("empty file path and empty jsonOp")),
        (false, false) => Err(KustomizeError::build(
            "must specify a file path or jsonOp, not both",
        )),
        _ => Ok(PatchArgs {
            path: c.path,
            patch: c.json_op,
            target: c.target,
            options: Default::default(),
        }),
    }
}

/// kustomize's failure to configure builtin `kind` (its configureBuiltinPlugin): the
/// configuration it was given follows, as sigs.k8s.io/yaml writes it (keys sorted).
fn configuring(kind: &str, config: Value) -> impl Fn(KustomizeError) -> KustomizeError {
    let config = super::emit::to_yaml(&sorted_keys(config));
    let kind = kind.to_string();
    move |e: KustomizeError| {
        e.context(format_args!(
            "trouble configuring builtin {kind} with config: `\n{config}`"
        ))
    }
}

/// `value` with every mapping's keys in byte order, as sigs.k8s.io/yaml marshals a Go
/// struct (through JSON into a Go map).
fn sorted_keys(value: Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<(String, Value)> = map.into_iter().collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            Value::Object(
                entries
                    .into_iter()
                    .map(|(k, v)| (k, sorted_keys(v)))
                    .collect(),
            )
        }
        Value::Array(items) => Value::Array(items.into_iter().map(sorted_keys).collect()),
        other => other,
    }
}

/// The configuration kustomize gives its builtin patch transformer for one `patches`
/// entry (the inline patch under `inline_key`), its fields left out when empty.
fn builtin_patch_config(p: &PatchArgs, inline_key: &str) -> Value {
    let mut config = serde_json::Map::new();
    let mut put = |key: &str, value: &str| {
        if !value.is_empty() {
            config.insert(key.to_string(), Value::String(value.to_string()));
        }
    };
    put("path", &p.path);
    put(inline_key, &p.patch);
    if let Some(t) = &p.target {
        let mut target = serde_json::Map::new();
        for (key, value) in [
            ("group", &t.group),
            ("version", &t.version),
            ("kind", &t.kind),
            ("name", &t.name),
            ("namespace", &t.namespace),
            ("labelSelector", &t.label_selector),
            ("annotationSelector", &t.annotation_selector),
        ] {
            if !value.is_empty() {
                target.insert(key.to_string(), Value::String(value.clone()));
            }
        }
        config.insert("target".into(), Value::Object(target));
    }
    if !p.options.is_empty() {
        config.insert("options".into(), Value::Object(p.options.clone()));
    }
    Value::Object(config)
}

/// Where a plugin configuration is named: `generators` or `transformers`.
#[derive(Debug, Clone, Copy, PartialEq)]
enum PluginRole {
    Generator,
    Transformer,
}

/// kustomize v5.6.0's builtin generators and transformers (builtinhelpers' factories).
const BUILTIN_GENERATORS: &[&str] = &[
    "ConfigMapGenerator",
    "IAMPolicyGenerator",
    "SecretGenerator",
    "HelmChartInflationGenerator",
];
const BUILTIN_TRANSFORMERS: &[&str] = &[
    "AnnotationsTransformer",
    "HashTransformer",
    "ImageTagTransformer",
    "LabelTransformer",
    "NamespaceTransformer",
    "PatchJson6902Transformer",
    "PatchStrategicMergeTransformer",
    "PatchTransformer",
    "PrefixSuffixTransformer",
    "PrefixTransformer",
    "SuffixTransformer",
    "ReplacementTransformer",
    "ReplicaCountTransformer",
    "ValueAddTransformer",
];

/// The builtin plugin a `generators`/`transformers` configuration names, checked as
/// kustomize's plugin loader checks it: `apiVersion: builtin` (anything else is an external
/// plugin, which kustomize refuses without its alpha flags), a kind it has built in, and
/// one that plays `role`.
fn builtin_plugin_kind(config: &Value, role: PluginRole) -> Result<&str, KustomizeError> {
    let r = Resource::new(config.clone());
    let kind = config.get("kind").and_then(Value::as_str).unwrap_or("");
    if !(r.group().is_empty() && r.version() == "builtin") {
        return Err(KustomizeError::build(format!(
            "external plugins disabled; unable to load external plugin '{kind}'"
        )));
    }
    let (own, other, role_name) = match role {
        PluginRole::Generator => (BUILTIN_GENERATORS, BUILTIN_TRANSFORMERS, "generator"),
        PluginRole::Transformer => (BUILTIN_TRANSFORMERS, BUILTIN_GENERATORS, "transformer"),
    };
    if own.contains(&kind) {
        return Ok(kind);
    }
    let id = r.id();
    if other.contains(&kind) {
        return Err(KustomizeError::build(format!(
            "plugin {} not a {role_name}",
            id.display()
        )));
    }
    Err(KustomizeError::build(format!(
        "unable to load builtin {}",
        id.gvk_display()
    )))
}

/// How a kustomization folder is mixed into the one naming it.
#[derive(Debug, Clone, Copy)]
enum Nesting {
    /// Named in `resources`: built on its own, then merged.
    Base,
    /// Named in `components`: built into the naming kustomization's accumulator.
    Component,
}

/// Adds a base's build to `acc` (kustomize's MergeAccumulator): its objects, its
/// transformer configuration, its vars (a var name may come from one place only).
fn merge_accumulator(acc: &mut Accumulator, sub: Accumulator) -> Result<(), KustomizeError> {
    acc.res.append_all(sub.res)?;
    acc.config.merge(sub.config)?;
    for v in sub.vars {
        if acc.vars.iter().any(|x| x.name == v.name) {
            return Err(KustomizeError::build(format!(
                "var '{}' already encountered",
                v.name
            )));
        }
        acc.vars.push(v);
    }
    Ok(())
}

/// A component's failure as kustomize reports it: Go's `fmt.Errorf("%s %q", step, err)`
/// behind `accumulating components`.
fn component_failure(step: &str, e: KustomizeError) -> KustomizeError {
    if e.limit().is_some() {
        return e;
    }
    KustomizeError::build(format!(
        "accumulating components: {step} {}",
        crate::go::strconv::quote(&e.to_string())
    ))
}

/// Whether a strategic-merge patch may change its target's name or kind
/// (the `allowNameChange`/`allowKindChange` patch options).
#[derive(Debug, Clone, Copy, Default)]
struct IdentityChange {
    name: bool,
    kind: bool,
}

impl IdentityChange {
    fn from_options(options: &serde_json::Map<String, Value>) -> Self {
        let on = |k: &str| options.get(k).and_then(Value::as_bool).unwrap_or(false);
        IdentityChange {
            name: on("allowNameChange"),
            kind: on("allowKindChange"),
        }
    }
}

#[derive(serde::Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct ValueAddTarget {
    selector: Option<super::kustfile::Selector>,
    field_path: String,
    file_path_position: usize,
}

/// The origin of what a generator configured by `config` makes: the file
/// the configuration came from and the configuration's identity.
fn plugin_origin(config: &Value) -> Option<String> {
    let configured_in = origin::get(config)?.strip_prefix("path: ")?.trim_end();
    let text = |p: &str| config.pointer(p).and_then(Value::as_str).unwrap_or("");
    Some(origin::of_generator(
        configured_in,
        text("/apiVersion"),
        text("/kind"),
        text("/metadata/name"),
        text("/metadata/namespace"),
    ))
}

/// A JSON/YAML `List` document stands for its items.
/// Whether a document is a list of resources (its `items` are loaded instead).
fn is_list(doc: &Value) -> bool {
    doc.get("kind")
        .and_then(Value::as_str)
        .is_some_and(|k| k.ends_with("List"))
        && doc.get("items").is_some_and(Value::is_array)
}

fn expand_list(doc: Value) -> Vec<Value> {
    if !is_list(&doc) {
        return vec![doc];
    }
    match doc {
        Value::Object(mut m) => match m.shift_remove("items") {
            Some(Value::Array(items)) => items,
            _ => Vec::new(),
        },
        _ => Vec::new(),
    }
}

fn check_resource(doc: &Value, file: &str) -> Result<(), KustomizeError> {
    if !doc.is_object() {
        return Err(KustomizeError::MalformedYaml {
            file: file.into(),
            error: DocumentError::NotAMapping,
        });
    }
    if doc
        .get("kind")
        .and_then(Value::as_str)
        .unwrap_or("")
        .is_empty()
    {
        return Err(KustomizeError::build(format!(
            "missing kind in object in file '{file}'"
        )));
    }
    Ok(())
}

/// Adds generator output, honouring its behavior against what exists.
fn absorb_generated(res: &mut ResMap, r: Resource) -> Result<(), KustomizeError> {
    let behavior = r.behavior.unwrap_or(Behavior::Create);
    let id = r.id();
    let existing = res.find_by_any_id(&id);
    match (behavior, existing.as_slice()) {
        (Behavior::Create, []) => res.append(r),
        (Behavior::Create, [_]) => Err(KustomizeError::build(format!(
            "id {} exists; behavior must be merge or replace",
            id.go_syntax()
        ))),
        (_, []) => Err(KustomizeError::build(format!(
            "id {} does not exist; cannot merge or replace",
            id.go_syntax()
        ))),
        (Behavior::Merge, [i]) => {
            let old = &mut res.items[*i];
            merge_generated(old, &r);
            Ok(())
        }
        (Behavior::Replace, [i]) => {
            let old = &mut res.items[*i];
            let name = old.name().to_string();
            let ns = old.namespace().to_string();
            let kept = old.obj.clone();
            old.obj = r.obj;
            // The old object's labels and annotations stay under the new ones.
            for meta in ["labels", "annotations"] {
                if let Some(Value::Object(km)) = kept.pointer(&format!("/metadata/{meta}")) {
                    for (k, v) in km {
                        let present = old
                            .obj
                            .pointer(&format!("/metadata/{meta}"))
                            .and_then(|m| m.get(k))
                            .is_some();
                        if !present {
                            super::resource::set_at(
                                &mut old.obj,
                                &["metadata", meta, k],
                                v.clone(),
                            );
                        }
                    }
                }
            }
            super::resource::set_at(&mut old.obj, &["metadata", "name"], Value::String(name));
            if !ns.is_empty() {
                super::resource::set_at(
                    &mut old.obj,
                    &["metadata", "namespace"],
                    Value::String(ns),
                );
            }
            // A hash suffix only when both sides wanted one (kustomize keeps
            // the old object's build annotations, then drops the new's absent ones).
            old.needs_hash = old.needs_hash && r.needs_hash;
            Ok(())
        }
        (_, _) => Err(KustomizeError::build(format!(
            "found multiple objects {} that could accept merge of {}",
            existing.len(),
            ResId::display(&id)
        ))),
    }
}

fn merge_generated(old: &mut Resource, new: &Resource) {
    for field in ["data", "binaryData"] {
        if let Some(Value::Object(nm)) = new.obj.get(field) {
            let target = old.obj.as_object_mut().map(|o| {
                o.entry(field)
                    .or_insert_with(|| Value::Object(Default::default()))
            });
            if let Some(Value::Object(om)) = target {
                for (k, v) in nm {
                    om.insert(k.clone(), v.clone());
                }
            }
        }
    }
    let keeps_origin = origin::get(&old.obj).is_some();
    for meta in ["labels", "annotations"] {
        if let Some(Value::Object(nm)) = new.obj.pointer(&format!("/metadata/{meta}")) {
            for (k, v) in nm {
                if keeps_origin && k == origin::ORIGIN_ANNOTATION {
                    continue;
                }
                super::resource::set_at(&mut old.obj, &["metadata", meta, k], v.clone());
            }
        }
    }
    old.needs_hash = old.needs_hash && new.needs_hash;
}

/// Appends content hashes to generated names (kustomize's HashTransformer).
fn add_hashes(res: &mut ResMap) {
    for r in res.items.iter_mut() {
        if !r.needs_hash {
            continue;
        }
        let hash = generators::content_hash(&r.obj);
        r.store_previous_id();
        let new = format!("{}-{hash}", r.name());
        r.set_name(&new);
        r.needs_hash = false;
    }
}

const DEFAULT_ORDER_FIRST: &[&str] = &[
    "Namespace",
    "ResourceQuota",
    "StorageClass",
    "CustomResourceDefinition",
    "ServiceAccount",
    "PodSecurityPolicy",
    "Role",
    "ClusterRole",
    "RoleBinding",
    "ClusterRoleBinding",
    "ConfigMap",
    "Secret",
    "Endpoints",
    "Service",
    "LimitRange",
    "PriorityClass",
    "PersistentVolume",
    "PersistentVolumeClaim",
    "Deployment",
    "StatefulSet",
    "CronJob",
    "PodDisruptionBudget",
];
const DEFAULT_ORDER_LAST: &[&str] = &[
    "MutatingWebhookConfiguration",
    "ValidatingWebhookConfiguration",
];

/// A kind's place in kustomize's kind order (`resid.Gvk.IsLessThan`): the
/// first kinds before all others (0), the last ones after.
pub(super) fn kind_order(kind: &str) -> i64 {
    let first = DEFAULT_ORDER_FIRST.len() as i64;
    if let Some(i) = DEFAULT_ORDER_FIRST.iter().position(|k| *k == kind) {
        return i as i64 - first;
    }
    match DEFAULT_ORDER_LAST.iter().position(|k| *k == kind) {
        Some(i) => 1 + i as i64,
        None => 0,
    }
}

fn gvk_sort_string(r: &Resource) -> String {
    format!(
        "{}_{}_{}",
        or_placeholder(r.group(), "~G"),
        or_placeholder(r.version(), "~V"),
        or_placeholder(r.kind(), "~K")
    )
}

/// kustomize's legacy order: kinds listed first/last, then by GVK, then by
/// `gvk|namespace|name`.
fn legacy_sort(items: &mut [Resource], first: &[String], last: &[String]) {
    let rank = |kind: &str| -> i64 {
        if let Some(i) = first.iter().position(|k| k == kind) {
            return i as i64 - first.len() as i64;
        }
        if let Some(i) = last.iter().position(|k| k == kind) {
            return 1 + i as i64;
        }
        0
    };
    items.sort_by(|a, b| {
        let (ga, gb) = (gvk_sort_string(a), gvk_sort_string(b));
        if ga != gb {
            let (ra, rb) = (rank(a.kind()), rank(b.kind()));
            if ra != rb {
                return ra.cmp(&rb);
            }
            // A core Namespace sorts before a same-named kind of another group.
            if a.kind() == "Namespace"
                && b.kind() == "Namespace"
                && (a.group().is_empty() || b.group().is_empty())
            {
                return gb.cmp(&ga);
            }
            return ga.cmp(&gb);
        }
        let key = |r: &Resource| {
            format!(
                "{}|{}|{}",
                gvk_sort_string(r),
                or_placeholder(r.namespace(), "~X"),
                or_placeholder(r.name(), "~N")
            )
        };
        key(a).cmp(&key(b))
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kustomize::kustfile::{LegacySortOptions, SortOptions};
    use serde_json::json;

    #[test]
    fn plugins_load_as_kustomizes_builtin_loader_loads_them() {
        let kind = |config: Value, role| {
            builtin_plugin_kind(&config, role)
                .map(str::to_string)
                .map_err(|e| e.to_string())
        };
        let builtin =
            |k: &str| json!({"apiVersion": "builtin", "kind": k, "metadata": {"name": "x"}});
        assert_eq!(
            kind(builtin("PatchTransformer"), PluginRole::Transformer).as_deref(),
            Ok("PatchTransformer")
        );
        assert_eq!(
            kind(
                json!({"apiVersion": "example.com/v1", "kind": "PatchTransformer"}),
                PluginRole::Transformer
            ),
            Err(
                "external plugins disabled; unable to load external plugin 'PatchTransformer'"
                    .into()
            )
        );
        assert_eq!(
            kind(builtin("SortOrderTransformer"), PluginRole::Transformer),
            Err("unable to load builtin SortOrderTransformer.builtin.[noGrp]".into())
        );
        assert_eq!(
            kind(builtin("ConfigMapGenerator"), PluginRole::Transformer),
            Err("plugin ConfigMapGenerator.builtin.[noGrp]/x.[noNs] not a transformer".into())
        );
        assert_eq!(
            kind(builtin("LabelTransformer"), PluginRole::Generator),
            Err("plugin LabelTransformer.builtin.[noGrp]/x.[noNs] not a generator".into())
        );
    }

    #[test]
    fn builtin_configuration_failures_show_the_configuration_with_sorted_keys() {
        let patch = PatchArgs {
            path: "p.yaml".into(),
            target: Some(super::super::kustfile::Selector {
                name: "d".into(),
                kind: "Deployment".into(),
                ..Default::default()
            }),
            ..Default::default()
        };
        let configured = configuring("PatchTransformer", builtin_patch_config(&patch, "patch"));
        assert_eq!(
            configured(KustomizeError::build("boom")).to_string(),
            "trouble configuring builtin PatchTransformer with config: `\npath: p.yaml\ntarget:\n  kind: Deployment\n  name: d\n`: boom"
        );
    }

    #[test]
    fn components_quote_their_failure_as_go_does() {
        assert_eq!(
            component_failure("loader.New", KustomizeError::build("a 'b'\n\"c\"")).to_string(),
            "accumulating components: loader.New \"a 'b'\\n\\\"c\\\"\""
        );
    }

    #[test]
    fn sort_options_need_a_known_order_and_legacy_options_only_with_legacy() {
        let opts = |order: &str, legacy: bool| SortOptions {
            order: order.into(),
            legacy_sort_options: legacy.then(LegacySortOptions::default),
        };
        assert_eq!(sort_is_legacy(&opts("legacy", true)), Ok(true));
        assert_eq!(sort_is_legacy(&opts("fifo", false)), Ok(false));
        assert!(sort_is_legacy(&opts("fifo", true)).is_err());
        assert!(sort_is_legacy(&opts("", true)).is_err());
    }
}
