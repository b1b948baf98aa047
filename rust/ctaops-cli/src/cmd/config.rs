//! `ctaops config check|show|path [-C FILE]`: validate and inspect the ops config file.

use std::io::{self, Write};
use std::path::PathBuf;

use ctaops_core::config::{Config, ENV_VAR, Source as From, Value};

use crate::exit::Exit;
use crate::output;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    verb: Verb,
}

#[derive(Debug, clap::Args)]
struct Source {
    /// Config file (default: $CTAOPS_CONFIG, else /etc/cta-ops/cta-ops-config.yaml).
    #[arg(short = 'C', long = "config-file", value_name = "CONFIG_FILE")]
    config_file: Option<PathBuf>,
}

#[derive(Debug, clap::Subcommand)]
enum Verb {
    /// Validate the file: YAML syntax, the type of every known key, and unknown keys (a near
    /// miss of a known key is an error, other unknown keys are warnings).
    Check {
        #[command(flatten)]
        source: Source,
        /// Also validate the merged view of these tools (`tools.<name>` over `global`).
        #[arg(long = "tool", value_name = "TOOL")]
        tools: Vec<String>,
        /// Every unknown key is an error (site extensions included).
        #[arg(long)]
        strict: bool,
    },
    /// Print the effective settings (every default filled in) as YAML, or one tool's merged view.
    Show {
        #[command(flatten)]
        source: Source,
        /// Show `global` merged with `tools.<TOOL>` (dotted for nested sections).
        #[arg(long, value_name = "TOOL")]
        tool: Option<String>,
        /// Print only the value at this dotted key (e.g. `global.binaries.cta-admin`).
        #[arg(long, value_name = "KEY")]
        key: Option<String>,
        /// JSON instead of YAML.
        #[arg(long)]
        json: bool,
        /// One line per setting, `key: value  # source` (with --json: `{key: {value, source}}`).
        #[arg(long)]
        sources: bool,
    },
    /// Print which file would be read (nothing and exit 1 when only defaults apply).
    Path {
        #[command(flatten)]
        source: Source,
    },
}

pub fn run(args: &Args) -> Exit {
    match &args.verb {
        Verb::Check { source, tools, strict } => check(source, tools, *strict),
        Verb::Show {
            source,
            tool,
            key,
            json,
            sources,
        } => show(source, tool.as_deref(), key.as_deref(), *json, *sources),
        Verb::Path { source } => match Config::locate(source.config_file.as_deref()) {
            Some(p) => print(&format!("{}\n", p.display())),
            None => {
                output::error(&"no config file: built-in defaults apply");
                Exit::Failure
            }
        },
    }
}

fn load(source: &Source) -> Result<Config, Exit> {
    Config::load(source.config_file.as_deref()).map_err(|e| {
        output::error(&e);
        Exit::Failure
    })
}

fn check(source: &Source, tools: &[String], strict: bool) -> Exit {
    let cfg = match load(source) {
        Ok(c) => c,
        Err(exit) => return exit,
    };
    for tool in tools {
        if let Err(e) = cfg.global_for(tool) {
            output::error(&e);
            return Exit::Failure;
        }
    }
    if let Err(e) = cfg.error_translations() {
        output::error(&e);
        return Exit::Failure;
    }
    let what = cfg
        .source()
        .map_or_else(|| "built-in defaults".to_owned(), |p| p.display().to_string());
    let mut failed = false;
    for unknown in cfg.unknown_key_report() {
        let key = &unknown.key;
        match (&unknown.suggestion, strict) {
            (Some(meant), _) => {
                failed = true;
                output::error(&format!("{what}: {key}: unknown key, did you mean `{meant}`?"));
            }
            (None, true) => {
                failed = true;
                output::error(&format!("{what}: {key}: unknown key (--strict)"));
            }
            // Kept, not fatal: a site's own keys live next to ours.
            (None, false) if unknown.owned => {
                output::warning(&format!("{what}: {key}: unknown key (kept, not used by ctaops)"));
            }
            (None, false) => {
                output::warning(&format!("{what}: {key}: site extension (kept, not used by ctaops)"));
            }
        }
    }
    if failed {
        return Exit::Failure;
    }
    print(&format!("{what}: OK\n"))
}

/// Where the file's values came from, as `--sources` names it.
fn file_source(cfg: &Config, source: &Source) -> String {
    let Some(path) = cfg.source() else {
        return "default".to_owned();
    };
    if source.config_file.is_none() && std::env::var_os(ENV_VAR).is_some_and(|v| !v.is_empty()) {
        format!("${ENV_VAR} ({})", path.display())
    } else {
        path.display().to_string()
    }
}

fn show(source: &Source, tool: Option<&str>, key: Option<&str>, json: bool, sources: bool) -> Exit {
    let cfg = match load(source) {
        Ok(c) => c,
        Err(exit) => return exit,
    };
    let text = if sources {
        show_sources(&cfg, source, tool, key, json)
    } else {
        show_values(&cfg, tool, key, json)
    };
    match text {
        Ok(t) => print(&t),
        Err(e) => {
            output::error(&e);
            Exit::Failure
        }
    }
}

fn show_values(cfg: &Config, tool: Option<&str>, key: Option<&str>, json: bool) -> Result<String, String> {
    let doc = cfg.effective_with_defaults(tool);
    let value = match key {
        None => &doc,
        Some(k) => k
            .split('.')
            .try_fold(&doc, |v, part| v.get(part))
            .ok_or_else(|| format!("no key {k} in the configuration"))?,
    };
    if json {
        serde_json::to_string_pretty(value)
            .map(|s| s + "\n")
            .map_err(|e| e.to_string())
    } else {
        ctaops_core::config::to_yaml_string(value).map_err(|e| e.to_string())
    }
}

fn show_sources(
    cfg: &Config,
    source: &Source,
    tool: Option<&str>,
    key: Option<&str>,
    json: bool,
) -> Result<String, String> {
    let file = file_source(cfg, source);
    let settings: Vec<_> = cfg
        .settings(tool)
        .into_iter()
        .filter(|s| key.is_none_or(|k| s.key == k || s.key.starts_with(&format!("{k}."))))
        .collect();
    if let Some(k) = key
        && settings.is_empty()
    {
        return Err(format!("no key {k} in the configuration"));
    }
    let origin = |s: From| match s {
        From::File => file.as_str(),
        From::Default => "default",
    };
    if json {
        let map: serde_json::Map<String, serde_json::Value> = settings
            .iter()
            .map(|s| {
                let value = serde_json::to_value(&s.value).unwrap_or(serde_json::Value::Null);
                (
                    s.key.clone(),
                    serde_json::json!({"value": value, "source": origin(s.source)}),
                )
            })
            .collect();
        return serde_json::to_string_pretty(&map)
            .map(|s| s + "\n")
            .map_err(|e| e.to_string());
    }
    let mut out = String::new();
    for s in &settings {
        out.push_str(&format!("{}: {}  # {}\n", s.key, inline(&s.value), origin(s.source)));
    }
    Ok(out)
}

/// A value on one line: strings as written, anything else as compact JSON.
fn inline(value: &Value) -> String {
    match value {
        Value::String(s) => s.escape_debug().to_string(),
        other => serde_json::to_string(other).unwrap_or_default(),
    }
}

fn print(text: &str) -> Exit {
    match io::stdout().lock().write_all(text.as_bytes()) {
        Ok(()) => Exit::Success,
        Err(e) if output::is_broken_pipe(&e) => Exit::Success,
        Err(e) => {
            output::error(&e);
            Exit::Failure
        }
    }
}
