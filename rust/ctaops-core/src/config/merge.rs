//! Deep merge of YAML mappings: how a `tools.<name>` section overrides `global`.

use serde_yaml_ng::{Mapping, Value};

/// Merges `over` into `base`: mappings merge key by key (recursively), anything else in `over`
/// replaces what `base` had. A null in `over` means "not set" and keeps `base`.
pub fn deep_merge(base: &mut Value, over: &Value) {
    match (base, over) {
        (_, Value::Null) => {}
        (Value::Mapping(b), Value::Mapping(o)) => {
            for (k, v) in o {
                match b.get_mut(k) {
                    Some(existing) => deep_merge(existing, v),
                    None => {
                        b.insert(k.clone(), v.clone());
                    }
                }
            }
        }
        (b, o) => *b = o.clone(),
    }
}

/// Overlays a tool's section on the view built so far; a section's `logger:` counts as
/// `logging:` (upstream's tape-verify page spells it that way) unless it has both.
pub(super) fn overlay_section(out: &mut Value, section: &Value) {
    let mut section = section.clone();
    if let Value::Mapping(m) = &mut section
        && !m.contains_key("logging")
        && let Some(logger) = m.remove("logger")
    {
        m.insert("logging".into(), logger);
    }
    deep_merge(out, &section);
}

/// A copy of `value` without null mapping entries, so `key:` with nothing after it means
/// "use the default" rather than a type error.
pub fn without_nulls(value: &Value) -> Value {
    match value {
        Value::Mapping(m) => Value::Mapping(
            m.iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k.clone(), without_nulls(v)))
                .collect::<Mapping>(),
        ),
        Value::Sequence(s) => Value::Sequence(s.iter().map(without_nulls).collect()),
        Value::Tagged(t) => without_nulls(&t.value),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn y(s: &str) -> Value {
        serde_yaml_ng::from_str(s).unwrap()
    }

    #[test]
    fn tool_keys_override_and_extend_global() {
        let mut base = y("logging: {log_dir: /a, rotation_keep_files: 5}\ntable_format: plain\n");
        deep_merge(&mut base, &y("logging: {log_dir: /b}\ntable_format: ~\nextra: [1]\n"));
        assert_eq!(
            base,
            y("logging: {log_dir: /b, rotation_keep_files: 5}\ntable_format: plain\nextra: [1]\n")
        );
    }

    #[test]
    fn nulls_are_dropped_recursively() {
        assert_eq!(without_nulls(&y("a: ~\nb: {c: ~, d: 1}\n")), y("b: {d: 1}\n"));
    }
}
