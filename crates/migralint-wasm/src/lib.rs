//! migralint for WebAssembly: a thin wasm-bindgen layer over
//! `migralint-core`, used by the GitHub Action (`pkg/node`) and the browser
//! playground (`pkg/web`). It converts JavaScript values to the core's
//! inputs and returns the core's renderers' output unchanged, so the wasm
//! build prints exactly what `migralint check` prints. No linting logic
//! lives here.
//!
//! The JavaScript API is documented in `API.md` next to this crate's
//! `Cargo.toml`. Build with `scripts/build-wasm.sh`.

#[cfg(target_arch = "wasm32")]
mod c_alloc;

mod convert;

use js_sys::{Array, JsString, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

pub use convert::{
    apply_fixes_json, check_distinct_paths, lint_to_string, lint_to_strings, resolve_config_json,
    ConfigInput, FixRequest, Format, OutputRequest,
};
use migralint_core::config::Overrides;
use migralint_core::render::catalog;
use migralint_core::sources::{self, Visit};
use migralint_core::SourceFile;

#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &'static str = r#"
/** A file to lint. `text` may be the raw bytes (invalid UTF-8 is then
 *  reported exactly as the CLI reports it). */
export interface SourceFile {
  path: string;
  text: string | Uint8Array;
}
/** A migralint.toml given as TOML text, or as an object with the same keys
 *  (kebab-case, e.g. `{"pg-version": 14, rules: {"prefer-jsonb": "off"}}`). */
export type Config = string | Record<string, unknown>;
/** Output formats of lintFormat (the CLI's `--format` values). */
export type Format = "json" | "sarif" | "github" | "compact";

/** Lints `files`; returns exactly what `migralint check --format json`
 *  prints for the same files and config. Throws an Error for bad input. */
export function lint(files: SourceFile[], config?: Config | null, reportOnly?: string[] | null): string;
/** Lints `files`; returns what `migralint check --format <format>` prints
 *  (`format` defaults to "json"). Throws an Error for bad input. */
export function lintFormat(files: SourceFile[], config?: Config | null, reportOnly?: string[] | null, format?: Format | null): string;
/** One output of lintFormats: a format, and the paths to report on (all
 *  files when omitted or null). */
export interface OutputRequest {
  format: Format;
  reportOnly?: string[] | null;
}
/** Lints `files` once and returns one string per request, each exactly what
 *  lintFormat(files, config, request.reportOnly, request.format) returns. */
export function lintFormats(files: SourceFile[], config: Config | null | undefined, outputs: OutputRequest[]): string[];

/** What resolveConfig returns: `migrations` as written in the file
 *  (relative to the file's directory), or null; `config`, the file's keys
 *  with the overrides applied, for the lint calls. */
export interface ResolvedConfig {
  migrations: string | null;
  config: Record<string, unknown>;
}
/** Reads a migralint.toml text (null: no file) and applies the overrides.
 *  Throws an Error "invalid config: ..."; its `option` property names the
 *  override at fault (e.g. "pgVersion"), and is absent when the text is. */
export function resolveConfig(text?: string | null, overrides?: { pgVersion?: number | null } | null): ResolvedConfig;

/** A directory entry: `dir` is true for a directory or a symlink to one. */
export interface DirEntry {
  name: string;
  dir: boolean;
}
/** The entries of one directory the walk of `migralint check DIR` visits,
 *  in its order (by name, bytewise): directories to walk (`dir: true`;
 *  not hidden, not node_modules, target or vendor) and .sql files to read. */
export function walkEntries(entries: DirEntry[]): DirEntry[];

/** A fix applied or skipped, named by its diagnostic. */
export interface FixRecord {
  rule: string;
  file: string;
  line: number;
  column: number;
  message: string;
  applicability: "safe" | "unsafe";
}
export interface SkippedFix extends FixRecord {
  /** Why, in words. */
  reason: string;
  kind: "conflict" | "would-not-parse" | "file-exists" | "version-taken" | "unknown-file" | "not-utf8" | "bad-edit";
}
export interface FixOutcome {
  /** Files changed (input order), then files created. */
  files: { path: string; text: string; created: boolean }[];
  applied: FixRecord[];
  skipped: SkippedFix[];
  /** Diagnostics whose only fixes are unsafe, when `unsafe` is not set. */
  unselected: number;
  passes: number;
  converged: boolean;
  /** The JSON report of the files after fixing, as lint() returns it. */
  report: string;
}
/** Applies the fixes of the lint of `files`: every safe one (and the unsafe
 *  ones with `unsafe: true`), relinting until nothing more applies, as
 *  `migralint check --fix [--unsafe-fixes]` does; or, with `diagnostics`,
 *  only the fixes of those diagnostics (indexes into the `diagnostics` of
 *  lint(files, config)), in one pass. Throws an Error for bad input. */
export function applyFixes(files: SourceFile[], config?: Config | null, options?: { unsafe?: boolean; diagnostics?: number[] | null } | null): FixOutcome;
"#;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = console, js_name = error)]
    fn console_error(message: &str);
}

/// Runs when the module is instantiated: a Rust panic (a bug in migralint,
/// never bad input) aborts the wasm instance, so print its message first.
#[wasm_bindgen(start)]
fn start() {
    std::panic::set_hook(Box::new(|info| {
        console_error(&format!(
            "migralint-wasm: internal error, please report it with the input that caused it: {info}"
        ));
    }));
}

/// Lints `files` and returns the JSON report, byte for byte what
/// `migralint check --format json` prints for the same files and config.
#[wasm_bindgen(js_name = lint, skip_typescript)]
pub fn lint_js(
    files: JsValue,
    config: Option<JsValue>,
    report_only: Option<JsValue>,
) -> Result<String, JsError> {
    lint_format_js(files, config, report_only, None)
}

/// Lints `files` and renders the report in `format` (`json` when omitted):
/// `json`, `sarif` (SARIF 2.1.0), `github` (workflow commands) or `compact`
/// (`file:line:col: severity [rule] message`).
#[wasm_bindgen(js_name = lintFormat, skip_typescript)]
pub fn lint_format_js(
    files: JsValue,
    config: Option<JsValue>,
    report_only: Option<JsValue>,
    format: Option<String>,
) -> Result<String, JsError> {
    let files = files_from_js(&files).map_err(|e| JsError::new(&e))?;
    let config = config_from_js(config).map_err(|e| JsError::new(&e))?;
    let report_only = report_only_from_js(report_only).map_err(|e| JsError::new(&e))?;
    let format = match format.as_deref() {
        None => Format::Json,
        Some(name) => name.parse().map_err(|e: String| JsError::new(&e))?,
    };
    lint_to_string(&files, &config, report_only, format).map_err(|e| JsError::new(&e))
}

/// Lints `files` once and renders it for each `{format, reportOnly}` of
/// `outputs`: an array of strings, each what `lintFormat` returns for that
/// request (the Action needs JSON, workflow commands and SARIF of one run).
#[wasm_bindgen(js_name = lintFormats, skip_typescript)]
pub fn lint_formats_js(
    files: JsValue,
    config: Option<JsValue>,
    outputs: JsValue,
) -> Result<Array, JsError> {
    let files = files_from_js(&files).map_err(|e| JsError::new(&e))?;
    let config = config_from_js(config).map_err(|e| JsError::new(&e))?;
    let requests = outputs_from_js(&outputs).map_err(|e| JsError::new(&e))?;
    let out = lint_to_strings(&files, &config, &requests).map_err(|e| JsError::new(&e))?;
    Ok(out.into_iter().map(|s| JsValue::from_str(&s)).collect())
}

fn outputs_from_js(outputs: &JsValue) -> Result<Vec<OutputRequest>, String> {
    let array = outputs
        .dyn_ref::<Array>()
        .ok_or_else(|| "`outputs` must be an array of {format, reportOnly} objects".to_owned())?;
    let format_key = JsValue::from_str("format");
    let only_key = JsValue::from_str("reportOnly");
    array
        .iter()
        .enumerate()
        .map(|(i, item)| {
            if !item.is_object() {
                return Err(format!(
                    "outputs[{i}] must be an object {{format, reportOnly}}"
                ));
            }
            let format = Reflect::get(&item, &format_key)
                .ok()
                .and_then(|v| v.as_string())
                .ok_or_else(|| format!("outputs[{i}].format must be a string"))?
                .parse::<Format>()?;
            let only = Reflect::get(&item, &only_key).ok();
            let only = report_only_from_js(only).map_err(|e| format!("outputs[{i}]: {e}"))?;
            Ok((format, only))
        })
        .collect()
}

/// The rule registry as JSON, exactly as `migralint rules --format json`
/// prints it: an array of `{category, enabled, name, severity, summary}`.
#[wasm_bindgen]
pub fn rules() -> String {
    catalog::rules_json()
}

/// The Markdown documentation page of `rule`, exactly as `migralint
/// explain` prints it. Throws for an unknown rule (with the closest name).
#[wasm_bindgen]
pub fn explain(rule: &str) -> Result<String, JsError> {
    catalog::explain(rule)
        .map(str::to_owned)
        .map_err(|e| JsError::new(&e))
}

/// Reads a `migralint.toml` text and applies overrides, so a front end
/// (the GitHub Action) parses no TOML: `{migrations, config}`.
#[wasm_bindgen(js_name = resolveConfig, skip_typescript)]
pub fn resolve_config_js(text: Option<String>, overrides: JsValue) -> Result<JsValue, JsValue> {
    let plain = |e: String| JsValue::from(js_sys::Error::new(&e));
    let overrides = overrides_from_js(&overrides).map_err(plain)?;
    match resolve_config_json(text.as_deref(), &overrides) {
        Ok(json) => Ok(js_sys::JSON::parse(&json).expect("serde_json writes JSON")),
        Err((option, message)) => {
            let error = js_sys::Error::new(&message);
            if let Some(option) = option {
                let _ = Reflect::set(&error, &"option".into(), &option.into());
            }
            Err(error.into())
        }
    }
}

fn overrides_from_js(value: &JsValue) -> Result<Overrides, String> {
    if value.is_undefined() || value.is_null() {
        return Ok(Overrides::default());
    }
    if !value.is_object() {
        return Err("`overrides` must be an object {pgVersion}".into());
    }
    let pg = Reflect::get(value, &"pgVersion".into()).unwrap_or(JsValue::UNDEFINED);
    let pg_version = if pg.is_undefined() || pg.is_null() {
        None
    } else {
        match pg.as_f64() {
            Some(v) if v.fract() == 0.0 && (0.0..=f64::from(u32::MAX)).contains(&v) => {
                Some(v as u32)
            }
            _ => {
                return Err(
                    "overrides.pgVersion must be a whole number (a PostgreSQL major version)"
                        .into(),
                )
            }
        }
    };
    Ok(Overrides { pg_version })
}

/// The entries of one directory that the walk visits, in order: the core's
/// decisions (`migralint_core::sources`) for the Action's walk in Node.
#[wasm_bindgen(js_name = walkEntries, skip_typescript)]
pub fn walk_entries_js(entries: JsValue) -> Result<Array, JsError> {
    let array = entries
        .dyn_ref::<Array>()
        .ok_or_else(|| JsError::new("`entries` must be an array of {name, dir} objects"))?;
    let name_key = JsValue::from_str("name");
    let dir_key = JsValue::from_str("dir");
    let mut list = Vec::with_capacity(array.length() as usize);
    for (i, item) in array.iter().enumerate() {
        let name = Reflect::get(&item, &name_key)
            .ok()
            .and_then(|v| v.as_string())
            .ok_or_else(|| JsError::new(&format!("entries[{i}].name must be a string")))?;
        let dir = Reflect::get(&item, &dir_key)
            .ok()
            .and_then(|v| v.as_bool())
            .ok_or_else(|| JsError::new(&format!("entries[{i}].dir must be a boolean")))?;
        list.push((name, dir));
    }
    let out = Array::new();
    for ((name, _), visit) in sources::walk_order(list, |e| e.0.as_bytes(), |e| e.1) {
        let entry = js_sys::Object::new();
        let _ = Reflect::set(&entry, &name_key, &JsValue::from_str(&name));
        let _ = Reflect::set(
            &entry,
            &dir_key,
            &JsValue::from_bool(visit == Visit::Descend),
        );
        out.push(&entry);
    }
    Ok(out)
}

/// Applies fixes (see `convert::apply_fixes_json`); returns the outcome as
/// an object.
#[wasm_bindgen(js_name = applyFixes, skip_typescript)]
pub fn apply_fixes_js(
    files: JsValue,
    config: Option<JsValue>,
    options: Option<JsValue>,
) -> Result<JsValue, JsError> {
    let files = files_from_js(&files).map_err(|e| JsError::new(&e))?;
    let config = config_from_js(config).map_err(|e| JsError::new(&e))?;
    let request = fix_request_from_js(options).map_err(|e| JsError::new(&e))?;
    let json = apply_fixes_json(&files, &config, &request).map_err(|e| JsError::new(&e))?;
    Ok(js_sys::JSON::parse(&json).expect("serde_json writes JSON"))
}

fn fix_request_from_js(options: Option<JsValue>) -> Result<FixRequest, String> {
    let Some(options) = options.filter(|o| !o.is_undefined() && !o.is_null()) else {
        return Ok(FixRequest::default());
    };
    if !options.is_object() || Array::is_array(&options) {
        return Err("`options` must be an object {unsafe, diagnostics}".into());
    }
    let unsafe_value = Reflect::get(&options, &"unsafe".into()).unwrap_or(JsValue::UNDEFINED);
    let unsafe_fixes = if unsafe_value.is_undefined() || unsafe_value.is_null() {
        false
    } else {
        unsafe_value
            .as_bool()
            .ok_or_else(|| "options.unsafe must be a boolean".to_owned())?
    };
    let list = Reflect::get(&options, &"diagnostics".into()).unwrap_or(JsValue::UNDEFINED);
    let diagnostics = if list.is_undefined() || list.is_null() {
        None
    } else {
        let array = list.dyn_ref::<Array>().ok_or_else(|| {
            "options.diagnostics must be an array of diagnostic indexes".to_owned()
        })?;
        let indexes = array
            .iter()
            .enumerate()
            .map(|(i, v)| match v.as_f64() {
                Some(n) if n.fract() == 0.0 && n >= 0.0 && n <= u32::MAX as f64 => Ok(n as usize),
                _ => Err(format!(
                    "options.diagnostics[{i}] must be a diagnostic index (a whole number)"
                )),
            })
            .collect::<Result<Vec<_>, _>>()?;
        Some(indexes)
    };
    Ok(FixRequest {
        unsafe_fixes,
        diagnostics,
    })
}

/// migralint's version (the same as `migralint --version`).
#[wasm_bindgen]
pub fn version() -> String {
    migralint_core::VERSION.to_owned()
}

fn files_from_js(files: &JsValue) -> Result<Vec<SourceFile>, String> {
    let array = files
        .dyn_ref::<Array>()
        .ok_or_else(|| "`files` must be an array of {path, text} objects".to_owned())?;
    let path_key = JsValue::from_str("path");
    let text_key = JsValue::from_str("text");
    let mut out = Vec::with_capacity(array.length() as usize);
    for (i, item) in array.iter().enumerate() {
        if !item.is_object() {
            return Err(format!("files[{i}] must be an object {{path, text}}"));
        }
        let path = Reflect::get(&item, &path_key)
            .ok()
            .and_then(|v| v.as_string())
            .ok_or_else(|| format!("files[{i}].path must be a string"))?;
        let text = Reflect::get(&item, &text_key).unwrap_or(JsValue::UNDEFINED);
        let file = if let Some(text) = text.as_string() {
            SourceFile::new(path, text)
        } else if let Some(bytes) = text.dyn_ref::<Uint8Array>() {
            SourceFile::from_bytes(path, bytes.to_vec())
        } else {
            return Err(format!(
                "files[{i}].text ({path}) must be a string or a Uint8Array"
            ));
        };
        out.push(file);
    }
    Ok(out)
}

fn config_from_js(config: Option<JsValue>) -> Result<ConfigInput, String> {
    let Some(config) = config.filter(|c| !c.is_undefined() && !c.is_null()) else {
        return Ok(ConfigInput::Default);
    };
    if let Some(text) = config.as_string() {
        return Ok(ConfigInput::Toml(text));
    }
    if config.is_object() && !Array::is_array(&config) {
        let json: JsString = js_sys::JSON::stringify(&config)
            .map_err(|_| "invalid config: the object cannot be converted to JSON".to_owned())?;
        return Ok(ConfigInput::Json(String::from(json)));
    }
    Err(
        "invalid config: expected the text of a migralint.toml or an object with the same keys"
            .to_owned(),
    )
}

fn report_only_from_js(report_only: Option<JsValue>) -> Result<Option<Vec<String>>, String> {
    let Some(value) = report_only.filter(|v| !v.is_undefined() && !v.is_null()) else {
        return Ok(None);
    };
    let array = value
        .dyn_ref::<Array>()
        .ok_or_else(|| "`reportOnly` must be an array of paths".to_owned())?;
    array
        .iter()
        .enumerate()
        .map(|(i, v)| {
            v.as_string()
                .ok_or_else(|| format!("reportOnly[{i}] must be a string"))
        })
        .collect::<Result<Vec<_>, _>>()
        .map(Some)
}
