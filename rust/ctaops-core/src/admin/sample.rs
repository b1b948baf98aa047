//! CTA-shaped sample records generated from each kind's schema, for tests, fuzz seeds and
//! simulators: every key present, uint64 as strings, uint32 as numbers, sub-messages filled.

use arrow_schema::{DataType, Field};
use serde_json::{Map, Value};

use super::kind::Kind;

fn value_for(field: &Field, seed: u64) -> Value {
    match field.data_type() {
        DataType::UInt64 => Value::String((seed * 1_000_003 + 17).to_string()),
        DataType::UInt32 => Value::from(seed % 4 + 1),
        DataType::Boolean => Value::Bool(seed % 2 == 1),
        DataType::Utf8 => Value::String(format!("{}_{seed}", field.name())),
        DataType::Struct(fields) => {
            Value::Object(fields.iter().map(|f| (f.name().clone(), value_for(f, seed))).collect())
        }
        DataType::List(item) => Value::Array(vec![value_for(item, seed), value_for(item, seed + 1)]),
        _ => Value::Null,
    }
}

/// One sample record of `kind` as CTA would print it (enum fields hold made-up names, which the
/// records keep as unknown values).
#[must_use]
pub fn sample(kind: Kind, seed: u64) -> Value {
    let mut m = Map::new();
    for f in kind.arrow_fields() {
        // failedrequest's table merges item and summary keys; a real item has no summary keys.
        if kind == Kind::FailedRequest && (f.name() == "totalFiles" || f.name() == "totalSize") {
            continue;
        }
        m.insert(f.name().clone(), value_for(&f, seed));
    }
    Value::Object(m)
}
