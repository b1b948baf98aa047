//! `ctaops config check|show|path [-C FILE]`: validate and inspect the ops config file.

use std::io::{self, Write};
use std::path::PathBuf;

use ctaops_core::config::Config;

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
    /// Validate the file (types of every known key, YAML syntax); prints the file checked.
    Check {
        #[command(flatten)]
        source: Source,
        /// Also validate the merged view of these tools (`tools.<name>` over `global`).
        #[arg(long = "tool", value_name = "TOOL")]
        tools: Vec<String>,
    },
    /// Print the effective settings (defaults filled in) as YAML, or one tool's merged view.
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
    },
    /// Print which file would be read (nothing and exit 1 when only defaults apply).
    Path {
        #[command(flatten)]
        source: Source,
    },
}

pub fn run(args: &Args) -> Exit {
    match &args.verb {
        Verb::Check { source, tools } => check(source, tools),
        Verb::Show {
            source,
            tool,
            key,
            json,
        } => show(source, tool.as_deref(), key.as_deref(), *json),
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

fn check(source: &Source, tools: &[String]) -> Exit {
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
    print(&format!("{what}: OK\n"))
}

fn show(source: &Source, tool: Option<&str>, key: Option<&str>, json: bool) -> Exit {
    let cfg = match load(source) {
        Ok(c) => c,
        Err(exit) => return exit,
    };
    let doc = tool.map_or_else(|| cfg.effective(), |t| cfg.merged(t));
    let value = match key {
        None => &doc,
        Some(k) => match k.split('.').try_fold(&doc, |v, part| v.get(part)) {
            Some(v) => v,
            None => {
                output::error(&format!("no key {k} in the configuration"));
                return Exit::Failure;
            }
        },
    };
    let text = if json {
        serde_json::to_string_pretty(value)
            .map(|s| s + "\n")
            .map_err(|e| e.to_string())
    } else {
        ctaops_core::config::to_yaml_string(value).map_err(|e| e.to_string())
    };
    match text {
        Ok(t) => print(&t),
        Err(e) => {
            output::error(&e);
            Exit::Failure
        }
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
