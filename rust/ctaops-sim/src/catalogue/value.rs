//! Backend-neutral parameters and column values: one `Value` type that both SQLite and
//! PostgreSQL rows are read into, so the query code never names a driver type.

use crate::error::{Result, SimError};

/// One SQL value (SQLite's storage classes; PostgreSQL's columns are mapped onto them).
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Integer(i64),
    Real(f64),
    Text(String),
    Blob(Vec<u8>),
}

/// A query parameter.
pub trait ToValue {
    fn to_value(&self) -> Value;
}

impl ToValue for Value {
    fn to_value(&self) -> Value {
        self.clone()
    }
}
impl<T: ToValue + ?Sized> ToValue for &T {
    fn to_value(&self) -> Value {
        (**self).to_value()
    }
}
impl<T: ToValue> ToValue for Option<T> {
    fn to_value(&self) -> Value {
        self.as_ref().map_or(Value::Null, ToValue::to_value)
    }
}
impl ToValue for str {
    fn to_value(&self) -> Value {
        Value::Text(self.to_owned())
    }
}
impl ToValue for String {
    fn to_value(&self) -> Value {
        Value::Text(self.clone())
    }
}
impl ToValue for [u8] {
    fn to_value(&self) -> Value {
        Value::Blob(self.to_vec())
    }
}
impl ToValue for Vec<u8> {
    fn to_value(&self) -> Value {
        Value::Blob(self.clone())
    }
}
impl ToValue for bool {
    fn to_value(&self) -> Value {
        Value::Integer(i64::from(*self))
    }
}
impl ToValue for f64 {
    fn to_value(&self) -> Value {
        Value::Real(*self)
    }
}
macro_rules! int_to_value {
    ($($t:ty),*) => {$(
        impl ToValue for $t {
            fn to_value(&self) -> Value {
                // Values above i64::MAX cannot be stored by SQLite either; saturate rather than wrap.
                Value::Integer(i64::try_from(*self).unwrap_or(i64::MAX))
            }
        }
    )*};
}
int_to_value!(i8, i16, i32, i64, u8, u16, u32, u64, usize);

/// What a query takes as parameters: `params![…]`, `()`, an array, a slice or a vector of them.
pub trait Params {
    fn values(self) -> Vec<Value>;
}
impl Params for () {
    fn values(self) -> Vec<Value> {
        Vec::new()
    }
}
impl<T: ToValue, const N: usize> Params for [T; N] {
    fn values(self) -> Vec<Value> {
        self.iter().map(ToValue::to_value).collect()
    }
}
impl<T: ToValue> Params for &[T] {
    fn values(self) -> Vec<Value> {
        self.iter().map(ToValue::to_value).collect()
    }
}
impl<T: ToValue> Params for Vec<T> {
    fn values(self) -> Vec<Value> {
        self.iter().map(ToValue::to_value).collect()
    }
}

/// The parameters of an iterator (rusqlite's `params_from_iter`).
pub fn params_from_iter<T: ToValue>(it: impl IntoIterator<Item = T>) -> Vec<Value> {
    it.into_iter().map(|v| v.to_value()).collect()
}

/// `params![a, b]`: a list of parameters of mixed types.
#[macro_export]
macro_rules! params {
    () => { () };
    ($($x:expr),+ $(,)?) => { [$(&$x as &dyn $crate::catalogue::ToValue),+] };
}

/// A column value read back.
pub trait FromValue: Sized {
    /// # Errors
    /// When the column holds another type.
    fn from_value(v: Value) -> Result<Self>;
}

fn mismatch<T>(want: &str, got: &Value) -> Result<T> {
    Err(SimError::Cta(format!("catalogue: expected {want}, got {got:?}")))
}

impl FromValue for Value {
    fn from_value(v: Value) -> Result<Self> {
        Ok(v)
    }
}
impl<T: FromValue> FromValue for Option<T> {
    fn from_value(v: Value) -> Result<Self> {
        match v {
            Value::Null => Ok(None),
            v => T::from_value(v).map(Some),
        }
    }
}
impl FromValue for String {
    fn from_value(v: Value) -> Result<Self> {
        match v {
            Value::Text(s) => Ok(s),
            Value::Integer(i) => Ok(i.to_string()),
            Value::Real(f) => Ok(f.to_string()),
            other => mismatch("text", &other),
        }
    }
}
impl FromValue for Vec<u8> {
    fn from_value(v: Value) -> Result<Self> {
        match v {
            Value::Blob(b) => Ok(b),
            Value::Text(s) => Ok(s.into_bytes()),
            other => mismatch("blob", &other),
        }
    }
}
impl FromValue for f64 {
    fn from_value(v: Value) -> Result<Self> {
        match v {
            Value::Real(f) => Ok(f),
            #[expect(clippy::cast_precision_loss, reason = "SQLite's own integer to real conversion")]
            Value::Integer(i) => Ok(i as f64),
            other => mismatch("real", &other),
        }
    }
}
impl FromValue for bool {
    fn from_value(v: Value) -> Result<Self> {
        i64::from_value(v).map(|i| i != 0)
    }
}
impl FromValue for i64 {
    fn from_value(v: Value) -> Result<Self> {
        match v {
            Value::Integer(i) => Ok(i),
            // PostgreSQL's SUM/AVG of integers are NUMERIC; whole values come back as reals.
            #[expect(clippy::cast_possible_truncation, reason = "whole numbers from aggregates")]
            Value::Real(f) if f.fract() == 0.0 => Ok(f as i64),
            other => mismatch("integer", &other),
        }
    }
}
macro_rules! int_from_value {
    ($($t:ty),*) => {$(
        impl FromValue for $t {
            fn from_value(v: Value) -> Result<Self> {
                let i = i64::from_value(v)?;
                <$t>::try_from(i).map_err(|_| SimError::Cta(format!("catalogue: {i} out of range")))
            }
        }
    )*};
}
int_from_value!(i32, u32, u64, usize, u16, u8);
