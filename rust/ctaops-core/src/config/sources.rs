//! The effective settings with every default filled in, and where each value came from
//! (`ctaops config show`, `--sources`).

use serde_yaml_ng::{Mapping, Value};

use super::keys::key_text;
use super::merge::{deep_merge, overlay_section, without_nulls};
use super::tools::ToolSection;
use super::{Config, Global, to_value, tools};

/// Where one effective value came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// Written in the config file.
    File,
    /// ctaops' built-in default (upstream's where upstream has one).
    Default,
}

/// One leaf of the effective settings.
#[derive(Debug, Clone, PartialEq)]
pub struct Setting {
    /// Dotted path (`tools.cta-ops-repack-automation.quarantine_days`).
    pub key: String,
    pub value: Value,
    pub source: Source,
}

/// Defaults of `global` and of every typed tool section, as one document.
fn defaults() -> Value {
    let mut sections = Mapping::new();
    for name in tools::NAMES {
        if let Some(d) = tools::defaults_of(name) {
            sections.insert((*name).into(), d);
        }
    }
    let mut doc = Mapping::new();
    doc.insert("global".into(), to_value(&Global::default()));
    doc.insert("tools".into(), Value::Mapping(sections));
    Value::Mapping(doc)
}

/// `doc` as a tool sees it: `global`, overlaid by `tools.<a>`, then `tools.<a>.<b>`.
fn tool_view(doc: &Value, tool: &str) -> Value {
    let mut out = doc.get("global").cloned().unwrap_or(Value::Null);
    let mut node = doc.get("tools");
    for part in tool.split('.') {
        node = node.and_then(|n| n.get(part));
        if let Some(section) = node {
            overlay_section(&mut out, section);
        }
    }
    out
}

impl Config {
    /// Every setting ctaops knows with its default, overlaid by the file (site keys kept);
    /// with `tool`, the merged view that tool reads.
    #[must_use]
    pub fn effective_with_defaults(&self, tool: Option<&str>) -> Value {
        let (value, _) = self.layers(tool);
        value
    }

    /// Every leaf of [`Config::effective_with_defaults`] with its source.
    #[must_use]
    pub fn settings(&self, tool: Option<&str>) -> Vec<Setting> {
        let (effective, written) = self.layers(tool);
        let mut out = Vec::new();
        leaves(&effective, Some(&written), "", &mut out);
        out
    }

    fn layers(&self, tool: Option<&str>) -> (Value, Value) {
        // `key:` with nothing after it is written (it says "unset") though it does not
        // override the default.
        let written = self.raw.clone();
        let mut effective = defaults();
        deep_merge(&mut effective, &without_nulls(&written));
        // A written priority table replaces the default one (serde reads it whole), it does
        // not add to it.
        if let Some(p) = written
            .get("tools")
            .and_then(|t| t.get(tools::RepackAutomation::NAME))
            .and_then(|r| r.get("priorities"))
            && let Some(slot) = effective
                .get_mut("tools")
                .and_then(|t| t.get_mut(tools::RepackAutomation::NAME))
                .and_then(|r| r.get_mut("priorities"))
        {
            *slot = p.clone();
        }
        derive_tool_log_dirs(&mut effective, &written);
        match tool {
            Some(t) => (tool_view(&effective, t), tool_view(&written, t)),
            None => (effective, written),
        }
    }
}

/// Tool sections whose log directory defaults to a subdirectory of the global one.
const TOOL_LOG_SUBDIRS: [(&str, &str); 2] = [
    (tools::RepackAutomation::NAME, "repack"),
    (tools::TapeVerify::NAME, "verification"),
];

/// Upstream's `/var/log/cta-ops/repack/` and `/var/log/cta-ops/verification/` are the global
/// `log_dir` plus a subdirectory: where a site moves the global one and leaves the tool's unset,
/// the tool's follows (as the Python tools compute it, `ctaops.utils.logging.tool_log_dir`).
fn derive_tool_log_dirs(effective: &mut Value, written: &Value) {
    let global = effective
        .get("global")
        .and_then(|g| g.get("logging"))
        .and_then(|l| l.get("log_dir"))
        .and_then(Value::as_str)
        .map(|d| d.trim_end_matches('/').to_owned());
    let Some(global) = global else { return };
    for (name, subdir) in TOOL_LOG_SUBDIRS {
        let set = written
            .get("tools")
            .and_then(|t| t.get(name))
            .and_then(|s| s.get("logging").or_else(|| s.get("logger")))
            .and_then(|l| l.get("log_dir"))
            .is_some_and(|d| !d.is_null());
        if set {
            continue;
        }
        if let Some(slot) = effective
            .get_mut("tools")
            .and_then(|t| t.get_mut(name))
            .and_then(|s| s.get_mut("logging"))
            .and_then(|l| l.get_mut("log_dir"))
        {
            *slot = Value::from(format!("{global}/{subdir}/"));
        }
    }
}

fn leaves(value: &Value, written: Option<&Value>, at: &str, out: &mut Vec<Setting>) {
    match value {
        Value::Mapping(m) if !m.is_empty() => {
            for (k, v) in m {
                let key = if at.is_empty() {
                    key_text(k)
                } else {
                    format!("{at}.{}", key_text(k))
                };
                leaves(v, written.and_then(|w| w.get(k)), &key, out);
            }
        }
        _ => out.push(Setting {
            key: at.to_owned(),
            value: value.clone(),
            source: if written.is_some() {
                Source::File
            } else {
                Source::Default
            },
        }),
    }
}
