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
    explain_rule, lint_to_string, lint_to_strings, rules_json, ConfigInput, Format, OutputRequest,
};
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
    rules_json()
}

/// The Markdown documentation page of `rule`. Throws for an unknown rule.
#[wasm_bindgen]
pub fn explain(rule: &str) -> Result<String, JsError> {
    explain_rule(rule)
        .map(str::to_owned)
        .map_err(|e| JsError::new(&e))
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
