//! The shared ops-tools config file, `/etc/cta-ops/cta-ops-config.yaml` (ops-tools §2).
//!
//! YAML crate: `serde_yaml_ng` — the maintained fork of serde_yaml; it keeps the `Value` model
//! with non-string keys (ATRESYS `priorities: {10: …}`) and stays compatible with libyaml's
//! reading of upstream's file.
//!
//! Where the file comes from: an explicit path (`-C/--config-file`), else `$CTAOPS_CONFIG`,
//! else [`DEFAULT_PATH`]. An explicit or environment path must exist; when the default path
//! is absent the built-in defaults (upstream's) are used and [`Config::source`] is `None`.
//!
//! The document is validated when loaded: `global` against [`Global`] and every known
//! `tools.<name>` section against its typed struct, so a wrong type is reported once, on one
//! line, naming the file and the key. Unknown keys are kept (site extensions) and reachable
//! through [`Config::raw`], [`Config::global_raw`] and [`Config::tool_raw`].

mod guard;
mod keys;
mod merge;
mod model;
mod scalar;
mod sources;
pub mod tools;
mod translate;

use std::path::{Path, PathBuf};

use serde::Serialize;
use serde::de::DeserializeOwned;
pub use serde_yaml_ng::{Mapping, Value};

pub use guard::MAX_DEPTH;
pub use keys::UnknownKey;
pub use merge::{deep_merge, without_nulls};
pub use model::{
    AdminTransport, Binaries, Colors, DefaultUser, DriveToLibMap, Email, Global, Logging, Tape, TapeDriveType,
};
pub use scalar::{OneOrMany, Text};
pub use sources::{Setting, Source};
pub use tools::ToolSection;
pub use translate::ErrorTranslations;

use crate::error::Error;
use translate::one_line;

/// Where upstream installs the file.
pub const DEFAULT_PATH: &str = "/etc/cta-ops/cta-ops-config.yaml";
/// Environment variable naming the file when no explicit path is given.
pub const ENV_VAR: &str = "CTAOPS_CONFIG";

type Validator = fn(&Value, &str, &str) -> Result<(), Error>;

fn validate<T: ToolSection>(section: &Value, file: &str, key: &str) -> Result<(), Error> {
    typed::<T>(section, file, key).map(drop)
}

/// Deserializes `value` into `T`, reporting the failing key as `prefix.path.to.key`.
fn typed<T: DeserializeOwned>(value: &Value, file: &str, prefix: &str) -> Result<T, Error> {
    let cleaned = without_nulls(value);
    serde_path_to_error::deserialize(&cleaned).map_err(|e| {
        let inner = e.path().to_string();
        let key = match (prefix.is_empty(), inner.as_str()) {
            (_, ".") => prefix.to_owned(),
            (true, _) => inner,
            (false, _) => format!("{prefix}.{inner}"),
        };
        // serde quotes the offending value: never a password into a cron mail.
        let message = crate::redact::mask_for_key(&key, &one_line(e.inner()));
        Error::Config {
            file: file.to_owned(),
            key,
            message,
        }
    })
}

/// Serializes one of the config structs into a YAML [`Value`].
#[must_use]
pub fn to_value<T: Serialize>(v: &T) -> Value {
    // Serializing our own plain structs into a Value cannot fail (string keys, no I/O).
    serde_yaml_ng::to_value(v).unwrap_or(Value::Null)
}

/// A loaded, validated config file.
#[derive(Debug, Clone)]
pub struct Config {
    source: Option<PathBuf>,
    raw: Value,
    global: Global,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            source: None,
            raw: Value::Mapping(Mapping::new()),
            global: Global::default(),
        }
    }
}

impl Config {
    /// Which file to read: `explicit`, else `$CTAOPS_CONFIG` (if set and non-empty), else the
    /// default path if it exists. `None` means "no file: use the defaults".
    #[must_use]
    pub fn locate(explicit: Option<&Path>) -> Option<PathBuf> {
        if let Some(p) = explicit {
            return Some(p.to_owned());
        }
        if let Some(p) = std::env::var_os(ENV_VAR).filter(|p| !p.is_empty()) {
            return Some(PathBuf::from(p));
        }
        Path::new(DEFAULT_PATH).exists().then(|| PathBuf::from(DEFAULT_PATH))
    }

    /// Locates ([`Config::locate`]) and loads the config.
    ///
    /// # Errors
    /// A missing or unreadable explicit/environment file is an I/O error naming it; bad YAML
    /// or a wrong type is [`Error::Config`] naming the file and the key.
    pub fn load(explicit: Option<&Path>) -> Result<Self, Error> {
        match Self::locate(explicit) {
            Some(path) => Self::from_file(&path),
            None => Ok(Self::default()),
        }
    }

    /// Loads one file.
    ///
    /// # Errors
    /// See [`Config::load`].
    pub fn from_file(path: &Path) -> Result<Self, Error> {
        let text = guard::read(path)?;
        let mut cfg = Self::from_yaml(&text, &path.display().to_string())?;
        cfg.source = Some(path.to_owned());
        Ok(cfg)
    }

    /// Parses config text; `origin` names it in errors.
    ///
    /// # Errors
    /// [`Error::Config`] for invalid YAML, a non-mapping document or a section of the wrong type.
    pub fn from_yaml(text: &str, origin: &str) -> Result<Self, Error> {
        let err = |key: &str, message: String| Error::Config {
            file: origin.to_owned(),
            key: key.to_owned(),
            message,
        };
        let mut raw = guard::parse(text, origin)?;
        raw.apply_merge().map_err(|e| err("(document)", one_line(&e)))?;
        // Upstream treats an empty `error_translation_file:` as "disabled", not "default".
        if let Some(v) = raw
            .get_mut("global")
            .and_then(|g| g.get_mut("logging"))
            .and_then(|l| l.get_mut("error_translation_file"))
            && v.is_null()
        {
            *v = Value::String(String::new());
        }
        match &raw {
            Value::Null => raw = Value::Mapping(Mapping::new()),
            Value::Mapping(_) => {}
            _ => {
                return Err(err(
                    "(document)",
                    "expected a mapping with `global:` and `tools:` sections".into(),
                ));
            }
        }
        let global = match raw.get("global") {
            None | Some(Value::Null) => Global::default(),
            Some(g @ Value::Mapping(_)) => typed::<Global>(g, origin, "global")?,
            Some(_) => return Err(err("global", "expected a mapping".into())),
        };
        match raw.get("tools") {
            None | Some(Value::Null) => {}
            Some(Value::Mapping(tools)) => {
                for (name, validator) in tools::VALIDATED {
                    if let Some(section) = tools.get(*name).filter(|s| !s.is_null()) {
                        validator(section, origin, &format!("tools.{name}"))?;
                    }
                }
            }
            Some(_) => return Err(err("tools", "expected a mapping of tool name to section".into())),
        }
        Ok(Self {
            source: None,
            raw,
            global,
        })
    }

    /// The file this came from (`None`: built-in defaults).
    #[must_use]
    pub fn source(&self) -> Option<&Path> {
        self.source.as_deref()
    }

    fn origin(&self) -> String {
        self.source
            .as_ref()
            .map_or_else(|| "<defaults>".to_owned(), |p| p.display().to_string())
    }

    /// The document exactly as read (after YAML `<<` merges), unknown keys included.
    #[must_use]
    pub const fn raw(&self) -> &Value {
        &self.raw
    }

    /// The typed `global:` section, defaults filled in.
    #[must_use]
    pub const fn global(&self) -> &Global {
        &self.global
    }

    /// `global` as a mapping: every key with its default, overlaid with the file (so
    /// site-specific keys are kept).
    #[must_use]
    pub fn global_raw(&self) -> Value {
        let mut out = to_value(&Global::default());
        if let Some(g) = self.raw.get("global") {
            deep_merge(&mut out, &without_nulls(g));
        }
        out
    }

    /// The effective document: `global_raw()` plus `tools` as written.
    #[must_use]
    pub fn effective(&self) -> Value {
        let mut out = self.raw.clone();
        if let Value::Mapping(m) = &mut out {
            m.insert("global".into(), self.global_raw());
        }
        out
    }

    /// `tools.<name>` as written (a dotted `name` descends into nested sections such as
    /// `cta-ops-tape-verify.cta-ops-verify-tape`). `None` if the file has no such section.
    #[must_use]
    pub fn tool_raw(&self, name: &str) -> Option<&Value> {
        name.split('.')
            .try_fold(self.raw.get("tools")?, |v, part| v.get(part))
            .filter(|v| !v.is_null())
    }

    /// The merged view a tool sees: `global` (with defaults), overlaid by `tools.<a>`, then by
    /// `tools.<a>.<b>` for a dotted name. A tool's `logger:` counts as `logging:` (upstream's
    /// tape-verify page spells it that way).
    #[must_use]
    pub fn merged(&self, tool: &str) -> Value {
        let mut out = self.global_raw();
        let mut path = String::new();
        for part in tool.split('.') {
            if !path.is_empty() {
                path.push('.');
            }
            path.push_str(part);
            if let Some(section) = self.tool_raw(&path) {
                merge::overlay_section(&mut out, section);
            }
        }
        out
    }

    /// The `global` settings as a tool sees them, after its overrides ([`Config::merged`]).
    ///
    /// # Errors
    /// [`Error::Config`] if an override has the wrong type (key named as `tools.<tool>.<key>`).
    pub fn global_for(&self, tool: &str) -> Result<Global, Error> {
        typed::<Global>(&self.merged(tool), &self.origin(), &format!("tools.{tool}"))
    }

    /// A typed tool section with its defaults (`T::default()` when the file has none).
    ///
    /// # Errors
    /// [`Error::Config`] naming the key if the section has a wrong type.
    pub fn tool<T: ToolSection>(&self) -> Result<T, Error> {
        match self.tool_raw(T::NAME) {
            Some(section) => typed::<T>(section, &self.origin(), &format!("tools.{}", T::NAME)),
            None => Ok(T::default()),
        }
    }

    /// Keys ctaops does not read, as dotted paths (see [`Config::unknown_key_report`]).
    #[must_use]
    pub fn unknown_keys(&self) -> Vec<String> {
        self.unknown_key_report().into_iter().map(|k| k.key).collect()
    }

    /// Keys ctaops does not read, each with the known key it nearly matches and whether it is
    /// in a section ctaops owns. They are kept (site extensions), but a typo such as
    /// `quarantine_dayz` would otherwise go unnoticed: `ctaops config check` reports them.
    /// Free-form maps (`lib_to_pool_map`, `priorities`, the cta-ops-admin command table …) are
    /// not inspected.
    #[must_use]
    pub fn unknown_key_report(&self) -> Vec<UnknownKey> {
        keys::report(&self.raw)
    }

    /// The error translations configured in `global.logging.error_translation_file`; an
    /// empty key or a missing file gives an empty table (translation is a convenience).
    ///
    /// # Errors
    /// [`Error::Config`] if the file exists but is not valid.
    pub fn error_translations(&self) -> Result<ErrorTranslations, Error> {
        match self.global.logging.error_translation_path() {
            Some(p) if p.exists() => ErrorTranslations::load(p),
            _ => Ok(ErrorTranslations::default()),
        }
    }
}

/// Renders a value as YAML text (for `ctaops config show`).
///
/// # Errors
/// Only for values YAML cannot represent (none produced by this module).
pub fn to_yaml_string(value: &Value) -> Result<String, Error> {
    serde_yaml_ng::to_string(value).map_err(|e| Error::InvalidArgument(one_line(&e)))
}

/// Reads any YAML file into a [`Value`] (the upstream "Yaml Loader" helper).
///
/// # Errors
/// I/O errors name the file; invalid YAML gives [`Error::Config`] with the position.
pub fn load_yaml(path: &Path) -> Result<Value, Error> {
    let mut v = guard::parse(&guard::read(path)?, &path.display().to_string())?;
    v.apply_merge().map_err(|e| Error::Config {
        file: path.display().to_string(),
        key: "(document)".into(),
        message: one_line(&e),
    })?;
    Ok(v)
}

#[cfg(test)]
mod tests;
