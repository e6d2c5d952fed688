//! The spec layer: one loaded OpenAPI document per Clerk API version, with its
//! operations, route table and compiled validators. Knows nothing of Clerk's
//! semantics — only of OpenAPI.

pub mod answer;
pub mod body;
pub mod load;
pub mod numbers;
pub mod routes;
pub mod schema;
pub mod shape;
pub mod synth;
pub mod validate;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use openapiv3::{OpenAPI, Parameter, ParameterSchemaOrContent, QueryStyle, ReferenceOr};
use serde_json::Value;

use load::SpecError;
use routes::Router;
use validate::{Compiler, SharedValidator};

/// Where a parameter lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamIn {
    Path,
    Query,
}

/// A declared path or query parameter.
#[derive(Debug, Clone)]
pub struct Param {
    pub name: String,
    pub location: ParamIn,
    pub required: bool,
    /// `style: form, explode: false` arrays arrive comma-separated.
    pub explode: bool,
    /// The parameter's OpenAPI schema (refs resolved).
    pub schema: Value,
}

/// A declared request body.
#[derive(Debug)]
pub struct RequestBody {
    pub required: bool,
    pub content_types: Vec<String>,
    /// The OpenAPI schema of the JSON (or form / multipart) body.
    pub schema: Value,
    pub validator: Option<SharedValidator>,
}

/// One declared response of an operation.
///
/// Its validator is compiled on first use ([`ResponseSpec::validator`]), not
/// at load: response validators are only read with `--validate-responses`,
/// and compiled they are most of a loaded spec's memory (each inlines every
/// schema it reaches: ≈ 5 MiB per Backend API document, ≈ 38 MiB per
/// Frontend API one, whose `Client` is everywhere). A server that validates
/// responses compiles them all at start-up instead
/// ([`SpecSet::compile_response_validators`]), so a schema that does not
/// compile still stops it there.
#[derive(Debug)]
pub struct ResponseSpec {
    /// 200, 404…; `None` for `default` and `4XX`-style ranges.
    pub status: Option<u16>,
    /// The raw key: `200`, `4XX`, `default`.
    pub key: String,
    /// The OpenAPI schema of its `application/json` content, if any.
    pub schema: Option<Value>,
    /// The spec's compiler; `None` for a response that is never validated.
    compiler: Option<Arc<Compiler>>,
    compiled: OnceLock<Result<SharedValidator, String>>,
}

impl ResponseSpec {
    /// A response validated against `schema` by `compiler` (on first use).
    pub fn new(status: Option<u16>, key: String, schema: Option<Value>, compiler: Arc<Compiler>) -> ResponseSpec {
        ResponseSpec { status, key, schema, compiler: Some(compiler), compiled: OnceLock::new() }
    }

    /// A response whose body is never checked (project-declared operations).
    pub fn unvalidated(status: Option<u16>, key: String, schema: Option<Value>) -> ResponseSpec {
        ResponseSpec { status, key, schema, compiler: None, compiled: OnceLock::new() }
    }

    /// The compiled validator of the response schema, compiled on the first
    /// call and shared after; `None` without a JSON schema (or a compiler),
    /// or when it does not compile (logged once; [`ResponseSpec::compile`]
    /// returns that error).
    pub fn validator(&self) -> Option<&SharedValidator> {
        self.compile().ok().flatten()
    }

    /// Compiles the validator now if it is not yet: `Ok(None)` when there is
    /// nothing to compile, `Err` with the compiler's message.
    pub fn compile(&self) -> Result<Option<&SharedValidator>, &str> {
        let (Some(schema), Some(compiler)) = (&self.schema, &self.compiler) else { return Ok(None) };
        let compiled = self.compiled.get_or_init(|| {
            let result = compiler.compile(schema);
            if let Err(e) = &result {
                tracing::error!(response = %self.key, "response schema does not compile, its bodies are not checked: {e}");
            }
            result
        });
        compiled.as_ref().map(Some).map_err(String::as_str)
    }
}

/// One operation of one spec.
#[derive(Debug)]
pub struct Operation {
    pub id: String,
    pub method: String,
    pub path: String,
    pub tags: Vec<String>,
    pub summary: String,
    pub deprecated: bool,
    pub secured: bool,
    pub params: Vec<Param>,
    pub body: Option<RequestBody>,
    pub responses: Vec<ResponseSpec>,
    /// Validates `{name: value}` of the query parameters.
    pub query_validator: Option<SharedValidator>,
    /// Validates `{name: value}` of the path parameters.
    pub path_validator: Option<SharedValidator>,
}

impl Operation {
    /// The success response a handler answers with by default (lowest 2xx).
    pub fn success(&self) -> Option<&ResponseSpec> {
        self.responses
            .iter()
            .filter(|r| matches!(r.status, Some(200..=299)))
            .min_by_key(|r| r.status)
    }

    /// The declared response for a status: exact code, then `4XX`, then `default`.
    pub fn response_for(&self, status: u16) -> Option<&ResponseSpec> {
        let range = format!("{}XX", status / 100);
        self.responses
            .iter()
            .find(|r| r.status == Some(status))
            .or_else(|| self.responses.iter().find(|r| r.key.eq_ignore_ascii_case(&range)))
            .or_else(|| self.responses.iter().find(|r| r.key == "default"))
    }

    pub fn param(&self, name: &str, location: ParamIn) -> Option<&Param> {
        self.params.iter().find(|p| p.name == name && p.location == location)
    }
}

/// One loaded spec: an API version.
#[derive(Debug)]
pub struct Spec {
    /// `info.version` as written (`v1`, `2025-11-10`).
    pub version: String,
    /// The release date the version stands for (`v1` → `2021-02-05`).
    pub version_date: String,
    pub source: PathBuf,
    /// The raw document: schemas are read from here (`$ref` siblings intact).
    pub doc: Value,
    pub operations: Vec<Operation>,
    pub router: Router,
    pub schema_count: usize,
    /// Compiled response shapes, by the address of their schema in this spec.
    pub shapes: parking_lot::RwLock<HashMap<(usize, u64), Arc<shape::Shape>>>,
    /// Kept after loading so handlers can check a value against any schema
    /// of this spec ([`Spec::conforms`]); shared with the responses, which
    /// compile their validators with it on first use.
    pub compiler: Arc<Compiler>,
}

/// `v1` is Clerk's original API version, released as `2021-02-05`.
pub const V1_DATE: &str = "2021-02-05";

/// The date an `info.version` stands for, if it names one.
pub fn version_date(version: &str) -> Option<String> {
    let v = version.trim();
    if v.eq_ignore_ascii_case("v1") {
        return Some(V1_DATE.to_string());
    }
    let b = v.as_bytes();
    let is_date = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter().enumerate().all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    is_date.then(|| v.to_string())
}

/// Follows `$ref`s inside the document (`#/components/responses/X`, …).
pub fn resolve<'a>(doc: &'a Value, mut value: &'a Value) -> &'a Value {
    for _ in 0..16 {
        match value.get("$ref").and_then(Value::as_str) {
            Some(r) if r.starts_with("#/") => match doc.pointer(&r[1..]) {
                Some(target) => value = target,
                None => return value,
            },
            _ => return value,
        }
    }
    value
}

/// `nullable: true` on the schema itself or, for `{$ref, nullable}`, beside
/// the ref (OpenAPI 3.0 keeps it there; the target alone may not say).
pub fn is_nullable(doc: &Value, schema: &Value) -> bool {
    let own = schema.get("nullable").and_then(Value::as_bool);
    own.unwrap_or_else(|| resolve(doc, schema).get("nullable").and_then(Value::as_bool).unwrap_or(false))
}

/// The value for a field a schema requires but does not declare
/// (EnterpriseConnection and SAMLConnection: `authenticatable`,
/// `disable_jit_provisioning`; a JWK's `crv` — STACK §4).
pub fn undeclared_required_value(name: &str) -> Value {
    match name {
        "authenticatable" | "disable_jit_provisioning" => Value::Bool(false),
        "crv" => Value::String("P-256".into()),
        _ => Value::String(String::new()),
    }
}

/// The `oneOf` / `anyOf` alternatives a schema's value takes one of. `None`
/// also for a declared object whose branches only constrain it
/// (SAMLConnection: `properties` plus `anyOf: [{required: [domain]},
/// {required: [domains]}]`): the value is that object, not a branch of it.
pub fn alternatives<'a>(schema: &'a Value, key: &str) -> Option<&'a Vec<Value>> {
    let branches = schema.get(key)?.as_array()?;
    let describes_a_value = |b: &Value| {
        ["type", "properties", "$ref", "allOf", "oneOf", "anyOf", "enum", "items"].iter().any(|k| b.get(*k).is_some())
    };
    if schema.get("properties").is_some() && !branches.iter().any(describes_a_value) {
        return None;
    }
    Some(branches)
}

fn escape_pointer(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

impl Spec {
    /// Reads, parses and compiles one spec file.
    pub fn load(path: &Path) -> Result<Spec, SpecError> {
        Self::load_as(path, None)
    }

    /// Like [`Spec::load`], with the version given by the caller instead of
    /// read from `info.version`: for documents whose `info.version` does not
    /// name their release (several files all saying `v1`), dated by their
    /// file name ([`load::version_in_file_name`]).
    pub fn load_as(path: &Path, version: Option<&str>) -> Result<Spec, SpecError> {
        let (text, doc) = load::read_spec(path)?;
        let typed: OpenAPI = if text.trim_start().starts_with('{') {
            serde_json::from_str(&text)
        } else {
            serde_json::from_value(doc.clone())
        }
        .map_err(|e| SpecError(format!("{} is not a valid OpenAPI 3.0 document: {e}", path.display())))?;
        Self::from_documents(path, doc, &typed, version)
    }

    fn from_documents(path: &Path, doc: Value, typed: &OpenAPI, version: Option<&str>) -> Result<Spec, SpecError> {
        let version = version.map_or_else(|| typed.info.version.clone(), str::to_string);
        let version_date = version_date(&version).ok_or_else(|| {
            SpecError(format!(
                "{}: cannot tell the Clerk API version from info.version {version:?} (expected `v1` or a date like 2025-11-10)",
                path.display()
            ))
        })?;
        let base_uri = format!("urn:clerk-mock:{version}");
        let compiler = Arc::new(
            Compiler::new(&doc, &base_uri).map_err(|e| SpecError(format!("{}: cannot compile its schemas: {e}", path.display())))?,
        );
        let globally_secured = typed.security.as_ref().map(|s| !s.is_empty()).unwrap_or(false);

        let mut operations = Vec::new();
        let mut router = Router::default();
        for (template, item) in typed.paths.iter() {
            let Some(item) = item.as_item() else { continue };
            for (method, op) in item.iter() {
                let raw_op = doc
                    .pointer(&format!("/paths/{}/{method}", escape_pointer(template)))
                    .unwrap_or(&Value::Null);
                let id = op
                    .operation_id
                    .clone()
                    .unwrap_or_else(|| format!("{} {}", method.to_uppercase(), template));
                let mut params = Vec::new();
                for p in item.parameters.iter().chain(op.parameters.iter()) {
                    if let Some(param) = typed_param(typed, p) {
                        params.retain(|q: &Param| !(q.name == param.name && q.location == param.location));
                        params.push(param);
                    }
                }
                let body = request_body(&doc, raw_op, &compiler)
                    .map_err(|e| SpecError(format!("{}: {id}: {e}", path.display())))?;
                let responses = response_specs(&doc, raw_op, &compiler);
                let query_validator = compiler
                    .params_validator(&params, ParamIn::Query)
                    .map_err(|e| SpecError(format!("{}: {id}: {e}", path.display())))?;
                let path_validator = compiler
                    .params_validator(&params, ParamIn::Path)
                    .map_err(|e| SpecError(format!("{}: {id}: {e}", path.display())))?;
                let secured = match &op.security {
                    Some(reqs) => !reqs.is_empty(),
                    None => globally_secured,
                };
                router.insert(template, method, operations.len());
                operations.push(Operation {
                    id,
                    method: method.to_uppercase(),
                    path: template.clone(),
                    tags: op.tags.clone(),
                    summary: op.summary.clone().unwrap_or_default(),
                    deprecated: op.deprecated,
                    secured,
                    params,
                    body,
                    responses,
                    query_validator,
                    path_validator,
                });
            }
        }
        let schema_count = doc.pointer("/components/schemas").and_then(Value::as_object).map_or(0, |m| m.len());
        Ok(Spec {
            version,
            version_date,
            source: path.to_path_buf(),
            doc,
            operations,
            router,
            schema_count,
            shapes: Default::default(),
            compiler,
        })
    }

    /// Whether `info.version` is a release date (`2025-04-10`) rather than
    /// `v1`.
    pub fn is_dated(&self) -> bool {
        self.version == self.version_date
    }

    /// How many distinct validators this spec has compiled so far.
    pub fn validator_count(&self) -> usize {
        self.compiler.compiled_count()
    }

    /// Whether `value` is valid for an OpenAPI schema of this spec (its
    /// validator compiled on first use, then shared).
    pub fn conforms(&self, schema: &Value, value: &Value) -> bool {
        self.compiler.compile(schema).map(|v| v.is_valid(value)).unwrap_or(true)
    }

    /// The compiled shape of a schema this spec owns (a response schema of
    /// one of its operations), compiled on first use.
    pub fn shape(&self, schema: &Value, seed: u64) -> Arc<shape::Shape> {
        let key = (schema as *const Value as usize, seed);
        if let Some(found) = self.shapes.read().get(&key) {
            return found.clone();
        }
        let compiled = Arc::new(shape::Shape::compile(&self.doc, schema, seed));
        self.shapes.write().entry(key).or_insert(compiled).clone()
    }

    /// Compiles the validator of every declared response now
    /// ([`SpecSet::compile_response_validators`]).
    pub fn compile_response_validators(&self) -> Result<(), SpecError> {
        for op in &self.operations {
            for r in &op.responses {
                r.compile().map_err(|e| SpecError(format!("{}: {}: response {}: {e}", self.source.display(), op.id, r.key)))?;
            }
        }
        Ok(())
    }

    pub fn operation(&self, id: &str) -> Option<&Operation> {
        self.operations.iter().find(|o| o.id == id)
    }

    /// A component schema by name (raw OpenAPI).
    pub fn component(&self, name: &str) -> Option<&Value> {
        self.doc.pointer(&format!("/components/schemas/{}", escape_pointer(name)))
    }
}

fn typed_param(typed: &OpenAPI, p: &ReferenceOr<Parameter>) -> Option<Param> {
    let param = match p {
        ReferenceOr::Item(item) => item.clone(),
        ReferenceOr::Reference { reference } => {
            let name = reference.strip_prefix("#/components/parameters/")?;
            typed.components.as_ref()?.parameters.get(name)?.as_item()?.clone()
        }
    };
    let (location, explode_default) = match &param {
        Parameter::Query { style, .. } => (ParamIn::Query, matches!(style, QueryStyle::Form)),
        Parameter::Path { .. } => (ParamIn::Path, false),
        _ => return None,
    };
    let data = param.parameter_data();
    let schema = match &data.format {
        ParameterSchemaOrContent::Schema(ReferenceOr::Item(schema)) => {
            serde_json::to_value(schema).unwrap_or(Value::Null)
        }
        ParameterSchemaOrContent::Schema(ReferenceOr::Reference { reference }) => {
            serde_json::json!({ "$ref": reference })
        }
        ParameterSchemaOrContent::Content(_) => serde_json::json!({}),
    };
    Some(Param {
        name: data.name,
        location,
        required: data.required || location == ParamIn::Path,
        explode: data.explode.unwrap_or(explode_default),
        schema,
    })
}

fn request_body(doc: &Value, raw_op: &Value, compiler: &Compiler) -> Result<Option<RequestBody>, String> {
    let Some(raw_body) = raw_op.get("requestBody") else { return Ok(None) };
    let raw_body = resolve(doc, raw_body);
    let content = raw_body.get("content").and_then(Value::as_object);
    let content_types: Vec<String> = content.map(|c| c.keys().cloned().collect()).unwrap_or_default();
    let schema = content
        .and_then(|c| {
            c.get("application/json")
                .or_else(|| c.get("application/x-www-form-urlencoded"))
                .or_else(|| c.get("multipart/form-data"))
                .or_else(|| c.values().next())
        })
        .and_then(|media| media.get("schema"))
        .cloned()
        .unwrap_or_else(|| serde_json::json!({}));
    let validator = Some(compiler.compile(&schema)?);
    Ok(Some(RequestBody {
        required: raw_body.get("required").and_then(Value::as_bool).unwrap_or(false),
        content_types,
        schema,
        validator,
    }))
}

fn response_specs(doc: &Value, raw_op: &Value, compiler: &Arc<Compiler>) -> Vec<ResponseSpec> {
    let mut out = Vec::new();
    let Some(responses) = raw_op.get("responses").and_then(Value::as_object) else { return out };
    for (key, raw) in responses {
        let raw = resolve(doc, raw);
        let schema = raw
            .get("content")
            .and_then(|c| c.get("application/json").or_else(|| c.as_object().and_then(|m| m.values().next())))
            .and_then(|media| media.get("schema"))
            .cloned();
        out.push(ResponseSpec::new(key.parse().ok(), key.clone(), schema, compiler.clone()));
    }
    out
}

/// Every loaded spec, oldest first; picks one per request.
#[derive(Debug)]
pub struct SpecSet {
    pub specs: Vec<Arc<Spec>>,
    default: usize,
}

impl SpecSet {
    /// Loads every file (in parallel: start-up time matters) and orders them
    /// by version date. `default_version` names the spec a request without
    /// `Clerk-API-Version` gets; without it, the oldest.
    pub fn load(files: &[PathBuf], default_version: Option<&str>) -> Result<SpecSet, SpecError> {
        Self::from_specs(Self::load_files(files, |_| None)?, default_version)
    }

    /// Loads every file in parallel, each with the version `version_of`
    /// gives it (`None`: its `info.version`), in the order given.
    pub fn load_files(files: &[PathBuf], version_of: fn(&Path) -> Option<String>) -> Result<Vec<Arc<Spec>>, SpecError> {
        let results: Vec<Result<Spec, SpecError>> = std::thread::scope(|scope| {
            let handles: Vec<_> = files.iter().map(|f| scope.spawn(move || Spec::load_as(f, version_of(f).as_deref()))).collect();
            handles.into_iter().map(|h| h.join().unwrap_or_else(|_| Err(SpecError("spec loader panicked".into())))).collect()
        });
        results.into_iter().map(|r| r.map(Arc::new)).collect()
    }

    /// A set whose default (no version asked) is the newest document.
    pub fn newest_by_default(specs: Vec<Arc<Spec>>) -> Result<SpecSet, SpecError> {
        let mut set = Self::from_specs(specs, None)?;
        set.default = set.specs.len() - 1;
        Ok(set)
    }

    pub fn from_specs(mut specs: Vec<Arc<Spec>>, default_version: Option<&str>) -> Result<SpecSet, SpecError> {
        if specs.is_empty() {
            return Err(SpecError(format!("no spec loaded. {}", load::HOW_TO_GET_A_SPEC)));
        }
        // Oldest first; of one date, `v1` before the dated document (see `pick`).
        specs.sort_by(|a, b| (&a.version_date, a.is_dated()).cmp(&(&b.version_date, b.is_dated())));
        let mut seen: HashMap<&str, &Path> = HashMap::new();
        for s in &specs {
            if let Some(other) = seen.insert(&s.version, &s.source) {
                return Err(SpecError(format!(
                    "{} and {} are both API version {}; load one of them",
                    other.display(),
                    s.source.display(),
                    s.version
                )));
            }
        }
        let default = match default_version {
            Some(v) => {
                let date = version_date(v).unwrap_or_else(|| v.to_string());
                let exact = specs.iter().position(|s| s.version.eq_ignore_ascii_case(v.trim()));
                exact.or_else(|| specs.iter().position(|s| s.is_dated() && s.version_date == date)).ok_or_else(|| {
                    SpecError(format!(
                        "--default-version {v}: no loaded spec has that version (loaded: {})",
                        specs.iter().map(|s| s.version.as_str()).collect::<Vec<_>>().join(", ")
                    ))
                })?
            }
            None => 0,
        };
        Ok(SpecSet { specs, default })
    }

    /// The spec for a `Clerk-API-Version` header; no header (or one that
    /// names no version) → the default.
    ///
    /// A header naming a loaded version exactly (`2025-04-10`, `v1`) gets
    /// that spec; any other date gets the newest *dated* document not newer
    /// than it. `v1` (`openapi.json`, a 2024 snapshot of the original
    /// version) is not one of them: it is kept as the no-header answer, so
    /// `2021-02-05` and anything up to `2024-09-30` get
    /// `bapi-2021-02-05.json` when it is loaded. A date older than every
    /// dated document gets the oldest spec (`v1` when loaded).
    ///
    /// ```text
    /// loaded: v1, 2021-02-05, 2024-10-01, 2025-11-10
    /// (none) → v1   2019-01-01 → v1   2023-06-01 → 2021-02-05   2025-04-10 → 2024-10-01   2030-01-01 → 2025-11-10
    /// ```
    pub fn pick(&self, requested: Option<&str>) -> &Arc<Spec> {
        let Some(requested) = requested.map(str::trim) else { return &self.specs[self.default] };
        if let Some(exact) = self.specs.iter().find(|s| s.version.eq_ignore_ascii_case(requested)) {
            return exact;
        }
        let Some(date) = version_date(requested) else { return &self.specs[self.default] };
        self.specs
            .iter()
            .filter(|s| s.is_dated())
            .rfind(|s| s.version_date <= date)
            .unwrap_or(&self.specs[0])
    }

    /// Compiles the validator of every declared response of every spec now
    /// (a server with `--validate-responses` does, at start-up), so a response
    /// schema that does not compile stops start-up as it did when they were
    /// all compiled at load, and no request waits for one.
    pub fn compile_response_validators(&self) -> Result<(), SpecError> {
        // One thread per spec, as at load: start-up time matters.
        std::thread::scope(|scope| {
            let handles: Vec<_> = self.specs.iter().map(|s| scope.spawn(move || s.compile_response_validators())).collect();
            handles.into_iter().try_for_each(|h| h.join().unwrap_or_else(|_| Err(SpecError("response validator compiler panicked".into()))))
        })
    }

    pub fn default_spec(&self) -> &Arc<Spec> {
        &self.specs[self.default]
    }

    pub fn newest(&self) -> &Arc<Spec> {
        self.specs.last().expect("at least one spec")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec_with(version: &str) -> Arc<Spec> {
        Arc::new(Spec {
            version: version.into(),
            version_date: version_date(version).unwrap(),
            source: PathBuf::from(format!("{version}.json")),
            doc: Value::Null,
            operations: vec![],
            router: Router::default(),
            schema_count: 0,
            shapes: Default::default(),
            compiler: Arc::new(Compiler::new(&serde_json::json!({}), "urn:test").unwrap()),
        })
    }

    #[test]
    fn branches_that_only_require_fields_are_not_alternatives() {
        let constrained = serde_json::json!({"properties": {"a": {}}, "anyOf": [{"required": ["a"]}, {"required": ["b"]}]});
        assert!(alternatives(&constrained, "anyOf").is_none());
        let union = serde_json::json!({"anyOf": [{"$ref": "#/components/schemas/A"}, {"type": "null"}]});
        assert_eq!(alternatives(&union, "anyOf").map(Vec::len), Some(2));
    }

    fn set() -> SpecSet {
        SpecSet::from_specs(vec![spec_with("2025-11-10"), spec_with("v1"), spec_with("2026-05-12")], None).unwrap()
    }

    #[test]
    fn an_exact_version_header_picks_that_spec() {
        assert_eq!(set().pick(Some("2025-11-10")).version, "2025-11-10");
    }

    #[test]
    fn a_version_between_two_specs_picks_the_newest_older_one() {
        assert_eq!(set().pick(Some("2026-01-01")).version, "2025-11-10");
        assert_eq!(set().pick(Some("2030-01-01")).version, "2026-05-12");
        assert_eq!(set().pick(Some("2024-10-01")).version, "v1");
    }

    #[test]
    fn no_header_picks_the_default_and_the_default_is_the_oldest_unless_named() {
        assert_eq!(set().pick(None).version, "v1");
        let named = SpecSet::from_specs(vec![spec_with("v1"), spec_with("2025-11-10")], Some("2025-11-10")).unwrap();
        assert_eq!(named.pick(None).version, "2025-11-10");
    }

    #[test]
    fn a_version_older_than_every_spec_gets_the_oldest() {
        assert_eq!(set().pick(Some("2020-01-01")).version, "v1");
    }

    fn every_version() -> SpecSet {
        let versions = ["2025-11-10", "2024-10-01", "v1", "2026-05-12", "2021-02-05", "2025-04-10", "2025-03-12"];
        SpecSet::from_specs(versions.iter().map(|v| spec_with(v)).collect(), None).unwrap()
    }

    #[test]
    fn v1_and_the_dated_2021_02_05_document_both_load_and_v1_answers_requests_without_a_version() {
        let set = every_version();
        assert_eq!(set.specs.len(), 7);
        assert_eq!(set.pick(None).version, "v1");
        assert_eq!(set.pick(Some("v1")).version, "v1");
        assert_eq!(set.pick(Some("2021-02-05")).version, "2021-02-05");
    }

    #[test]
    fn a_date_picks_among_the_dated_documents_only() {
        let set = every_version();
        assert_eq!(set.pick(Some("2020-01-01")).version, "v1");
        assert_eq!(set.pick(Some("2021-02-06")).version, "2021-02-05");
        assert_eq!(set.pick(Some("2024-09-30")).version, "2021-02-05");
        assert_eq!(set.pick(Some("2024-10-01")).version, "2024-10-01");
        assert_eq!(set.pick(Some("2025-04-10")).version, "2025-04-10");
        assert_eq!(set.pick(Some("2025-10-01")).version, "2025-04-10");
        assert_eq!(set.pick(Some("2031-01-01")).version, "2026-05-12");
    }

    #[test]
    fn the_default_version_may_be_v1_or_a_date() {
        let versions = || ["v1", "2021-02-05", "2025-04-10"].iter().map(|v| spec_with(v)).collect();
        assert_eq!(SpecSet::from_specs(versions(), Some("v1")).unwrap().pick(None).version, "v1");
        assert_eq!(SpecSet::from_specs(versions(), Some("2021-02-05")).unwrap().pick(None).version, "2021-02-05");
        assert_eq!(SpecSet::from_specs(versions(), Some("2025-04-10")).unwrap().pick(None).version, "2025-04-10");
        assert!(SpecSet::from_specs(versions(), Some("2019-01-01")).is_err());
    }

    #[test]
    fn two_specs_of_one_version_are_refused() {
        let err = SpecSet::from_specs(vec![spec_with("v1"), spec_with("v1")], None).unwrap_err();
        assert!(err.0.contains("both API version"));
    }

    /// A one-operation spec whose 200 answer has `response_schema`, loaded from a file.
    fn spec_answering(name: &str, response_schema: &str) -> Spec {
        let dir = std::env::temp_dir().join(format!("clerk-mock-responses-{}-{name}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("spec.json");
        let text = r#"{"openapi": "3.0.3", "info": {"title": "t", "version": "v1"}, "paths": {"/things": {"post": {
            "operationId": "CreateThing",
            "requestBody": {"content": {"application/json": {"schema": {"type": "object"}}}},
            "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": RESPONSE}}}}}}}}"#;
        std::fs::write(&file, text.replace("RESPONSE", response_schema)).unwrap();
        Spec::load(&file).unwrap()
    }

    #[test]
    fn a_response_validator_is_compiled_on_first_use_and_shared_after() {
        let spec = spec_answering("lazy", r#"{"type": "object", "required": ["id"], "properties": {"id": {"type": "string"}}}"#);
        let at_load = spec.validator_count();
        let response = spec.operation("CreateThing").and_then(Operation::success).unwrap();
        let validator = response.validator().expect("the response schema compiles");
        assert!(validator.is_valid(&serde_json::json!({"id": "thing_1"})));
        assert!(!validator.is_valid(&serde_json::json!({})));
        assert_eq!(spec.validator_count(), at_load + 1, "compiled by the first call, not at load");
        response.validator();
        assert_eq!(spec.validator_count(), at_load + 1, "compiled once");
    }

    #[test]
    fn a_response_schema_that_does_not_compile_loads_but_fails_compiling_them_all() {
        let spec = spec_answering("broken", r##"{"$ref": "#/components/schemas/Missing"}"##);
        let response = spec.operation("CreateThing").and_then(Operation::success).unwrap();
        assert!(response.validator().is_none());
        let err = SpecSet::from_specs(vec![Arc::new(spec)], None).unwrap().compile_response_validators().unwrap_err();
        assert!(err.0.contains("CreateThing") && err.0.contains("response 200"), "{err}");
    }
}
