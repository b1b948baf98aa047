//! How each Rust field type maps onto CTA's protobuf JSON: the *type* decides the encoding, so a
//! record declaration is just names and types.
//!
//! Protobuf's JSON mapping prints `uint64` as a string and `uint32` as a number; `u64` and `u32`
//! fields therefore (de)serialise differently. Reading is lenient where CTA's own mapping would be
//! (a `uint64` given as a number is accepted), writing is always CTA's form.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;
use std::sync::Arc;

use arrow_schema::{DataType, Field};
use serde::de::{self, DeserializeSeed, Deserializer, SeqAccess, Visitor};
use serde::ser::{SerializeSeq, Serializer};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A value that can appear in a `cta-admin` JSON record.
pub trait JsonField: Sized {
    /// Reads the value in CTA's JSON form.
    fn de<'de, D: Deserializer<'de>>(d: D) -> Result<Self, D::Error>;
    /// Writes the value in CTA's JSON form.
    fn ser<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error>;
    /// The value to use when the key is absent; `None` means the key is required.
    fn missing() -> Option<Self> {
        None
    }
    /// Whether the key is left out when writing (unset sub-messages).
    fn is_absent(&self) -> bool {
        false
    }
    /// Arrow column type.
    fn arrow_type() -> DataType;
    /// Whether the Arrow column may hold nulls.
    fn arrow_nullable() -> bool {
        false
    }
    /// The value with numbers as numbers (what Python callers get), unlike CTA's string form.
    fn to_native(&self) -> Value;
}

/// `DeserializeSeed` adapter so containers and records can read any [`JsonField`].
pub struct FieldSeed<T>(PhantomData<T>);

impl<T> FieldSeed<T> {
    #[must_use]
    pub const fn new() -> Self {
        Self(PhantomData)
    }
}

impl<T> Default for FieldSeed<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<'de, T: JsonField> DeserializeSeed<'de> for FieldSeed<T> {
    type Value = T;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<T, D::Error> {
        T::de(d)
    }
}

/// `Serialize` adapter for any [`JsonField`].
pub struct SerField<'a, T>(pub &'a T);

impl<T: JsonField> Serialize for SerField<'_, T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.ser(s)
    }
}

/// A map key, borrowed from the input when it has no escapes.
pub struct Key<'de>(pub Cow<'de, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a field name")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v)))
            }
        }
        d.deserialize_str(V)
    }
}

/// A map key as raw bytes, borrowed from the input when it has no escapes. Reading keys as bytes
/// skips `serde_json`'s UTF-8 check of each key (a wide record has ~50 of them): the column
/// builders compare them with CTA's ASCII names and check only the keys they do not know.
pub struct KeyBytes<'de>(pub Cow<'de, [u8]>);

impl<'de> Deserialize<'de> for KeyBytes<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = KeyBytes<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a field name")
            }
            fn visit_borrowed_bytes<E: de::Error>(self, v: &'de [u8]) -> Result<KeyBytes<'de>, E> {
                Ok(KeyBytes(Cow::Borrowed(v)))
            }
            fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<KeyBytes<'de>, E> {
                Ok(KeyBytes(Cow::Owned(v.to_vec())))
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<KeyBytes<'de>, E> {
                Ok(KeyBytes(Cow::Borrowed(v.as_bytes())))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<KeyBytes<'de>, E> {
                Ok(KeyBytes(Cow::Owned(v.as_bytes().to_vec())))
            }
        }
        d.deserialize_bytes(V)
    }
}

struct U64Visitor;

impl Visitor<'_> for U64Visitor {
    type Value = u64;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an unsigned 64-bit integer as a decimal string")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<u64, E> {
        // protobuf's parser takes only plain decimal digits for uint64 strings. One pass over the
        // digits (the wide `tape ls` record has a dozen of these; a check then `str::parse` was
        // a measurable part of reading it).
        let invalid = || E::invalid_value(de::Unexpected::Str(v), &self);
        if v.is_empty() {
            return Err(invalid());
        }
        v.bytes().try_fold(0u64, |n, b| {
            let d = b.wrapping_sub(b'0');
            if d > 9 {
                return Err(invalid());
            }
            n.checked_mul(10)
                .and_then(|n| n.checked_add(u64::from(d)))
                .ok_or_else(invalid)
        })
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<u64, E> {
        Ok(v)
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<u64, E> {
        u64::try_from(v).map_err(|_| E::invalid_value(de::Unexpected::Signed(v), &self))
    }
}

impl JsonField for u64 {
    fn de<'de, D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(U64Visitor)
    }
    fn ser<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut buf = itoa_buf(*self);
        s.serialize_str(buf.as_str())
    }
    fn arrow_type() -> DataType {
        DataType::UInt64
    }
    fn to_native(&self) -> Value {
        Value::from(*self)
    }
}

/// Small stack formatter so writing a `u64` as a string does not allocate.
struct NumBuf {
    bytes: [u8; 20],
    start: usize,
}

impl NumBuf {
    fn as_str(&mut self) -> &str {
        // Only ASCII digits are ever written, so this cannot fail.
        std::str::from_utf8(&self.bytes[self.start..]).unwrap_or("0")
    }
}

fn itoa_buf(mut v: u64) -> NumBuf {
    let mut bytes = [0u8; 20];
    let mut i = bytes.len();
    loop {
        i -= 1;
        bytes[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    NumBuf { bytes, start: i }
}

impl JsonField for u32 {
    fn de<'de, D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = d.deserialize_any(U64Visitor)?;
        u32::try_from(v)
            .map_err(|_| de::Error::invalid_value(de::Unexpected::Unsigned(v), &"an unsigned 32-bit integer"))
    }
    fn ser<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u32(*self)
    }
    fn arrow_type() -> DataType {
        DataType::UInt32
    }
    fn to_native(&self) -> Value {
        Value::from(*self)
    }
}

impl JsonField for String {
    fn de<'de, D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d)
    }
    fn ser<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self)
    }
    fn arrow_type() -> DataType {
        DataType::Utf8
    }
    fn to_native(&self) -> Value {
        Value::String(self.clone())
    }
}

impl JsonField for bool {
    fn de<'de, D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        bool::deserialize(d)
    }
    fn ser<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_bool(*self)
    }
    fn arrow_type() -> DataType {
        DataType::Boolean
    }
    fn to_native(&self) -> Value {
        Value::Bool(*self)
    }
}

/// A sub-message CTA leaves out when it is unset.
impl<T: JsonField> JsonField for Option<T> {
    fn de<'de, D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        T::de(d).map(Some)
    }
    fn ser<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Some(v) => v.ser(s),
            None => s.serialize_none(),
        }
    }
    fn missing() -> Option<Self> {
        Some(None)
    }
    fn is_absent(&self) -> bool {
        self.is_none()
    }
    fn arrow_type() -> DataType {
        T::arrow_type()
    }
    fn arrow_nullable() -> bool {
        true
    }
    fn to_native(&self) -> Value {
        self.as_ref().map_or(Value::Null, JsonField::to_native)
    }
}

impl<T: JsonField> JsonField for Vec<T> {
    fn de<'de, D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<T>(PhantomData<T>);
        impl<'de, T: JsonField> Visitor<'de> for V<T> {
            type Value = Vec<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a list")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<T>, A::Error> {
                let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(64));
                while let Some(v) = seq.next_element_seed(FieldSeed::<T>::new())? {
                    out.push(v);
                }
                Ok(out)
            }
        }
        d.deserialize_seq(V(PhantomData))
    }
    fn ser<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.len()))?;
        for v in self {
            seq.serialize_element(&SerField(v))?;
        }
        seq.end()
    }
    fn arrow_type() -> DataType {
        DataType::List(Arc::new(Field::new("item", T::arrow_type(), T::arrow_nullable())))
    }
    fn to_native(&self) -> Value {
        Value::Array(self.iter().map(JsonField::to_native).collect())
    }
}

/// Declares a CTA `ls` record: a struct whose fields are read and written under CTA's key names,
/// with unknown keys kept in `extra` and written back unchanged.
macro_rules! record {
    (
        $(#[$meta:meta])*
        pub struct $name:ident {
            $( $(#[$fmeta:meta])* $field:ident : $ty:ty = $json:literal ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq)]
        pub struct $name {
            $( $(#[$fmeta])* pub $field: $ty, )*
            /// Keys this version of ctaops does not know yet, kept and written back as they came.
            pub extra: serde_json::Map<String, serde_json::Value>,
        }

        impl $name {
            /// CTA's key names, in `.proto` declaration order.
            pub const FIELDS: &'static [&'static str] = &[$($json),*];

            /// Arrow fields of this record (one column per key).
            #[must_use]
            pub fn arrow_fields() -> Vec<arrow_schema::Field> {
                vec![$(arrow_schema::Field::new(
                    $json,
                    <$ty as $crate::admin::field::JsonField>::arrow_type(),
                    <$ty as $crate::admin::field::JsonField>::arrow_nullable(),
                )),*]
            }

            /// The value of one key (CTA's name), numbers as numbers; `None` if the key is unknown.
            #[must_use]
            pub fn get_native(&self, key: &str) -> Option<serde_json::Value> {
                match key {
                    $( $json => Some($crate::admin::field::JsonField::to_native(&self.$field)), )*
                    _ => self.extra.get(key).cloned(),
                }
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                use serde::ser::SerializeMap;
                let mut m = s.serialize_map(None)?;
                $(
                    if !$crate::admin::field::JsonField::is_absent(&self.$field) {
                        m.serialize_entry($json, &$crate::admin::field::SerField(&self.$field))?;
                    }
                )*
                for (k, v) in &self.extra {
                    m.serialize_entry(k, v)?;
                }
                m.end()
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                struct V;
                impl<'de> serde::de::Visitor<'de> for V {
                    type Value = $name;
                    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        f.write_str(concat!("a ", stringify!($name), " object"))
                    }
                    #[allow(non_snake_case)]
                    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<$name, A::Error> {
                        $( let mut $field: Option<$ty> = None; )*
                        let mut extra = serde_json::Map::new();
                        while let Some(key) = map.next_key::<$crate::admin::field::Key<'de>>()? {
                            match key.0.as_ref() {
                                $( $json => {
                                    if $field.is_some() {
                                        return Err(<A::Error as serde::de::Error>::duplicate_field($json));
                                    }
                                    $field = Some(map.next_value_seed($crate::admin::field::FieldSeed::<$ty>::new())?);
                                } )*
                                _ => {
                                    let v: serde_json::Value = map.next_value()?;
                                    extra.insert(key.0.into_owned(), v);
                                }
                            }
                        }
                        Ok($name {
                            $( $field: match $field {
                                Some(v) => v,
                                None => <$ty as $crate::admin::field::JsonField>::missing()
                                    .ok_or_else(|| <A::Error as serde::de::Error>::missing_field($json))?,
                            }, )*
                            extra,
                        })
                    }
                }
                d.deserialize_map(V)
            }
        }

        impl $crate::admin::columns::ArrowField for $name {
            type Builder = $crate::admin::columns::StructColumn<$name>;
        }

        #[allow(non_snake_case, clippy::unused_unit)]
        impl $crate::admin::columns::ArrowRecord for $name {
            type Columns = ( $( <$ty as $crate::admin::columns::ArrowField>::Builder, )* );

            fn new_columns() -> Self::Columns {
                ( $( <<$ty as $crate::admin::columns::ArrowField>::Builder
                    as $crate::admin::columns::ColumnBuilder<$ty>>::new_builder(), )* )
            }

            fn arrow_fields() -> Vec<arrow_schema::Field> {
                $name::arrow_fields()
            }

            fn append_columns(__cols: &mut Self::Columns, __v: &Self) {
                let ( $( $field, )* ) = __cols;
                $( $crate::admin::columns::ColumnBuilder::<$ty>::append($field, &__v.$field); )*
            }

            fn append_null_columns(__cols: &mut Self::Columns) {
                let ( $( $field, )* ) = __cols;
                $( $crate::admin::columns::ColumnBuilder::<$ty>::append_null($field); )*
            }

            fn append_json_columns<'de, A: serde::de::MapAccess<'de>>(
                __cols: &mut Self::Columns,
                __rows: usize,
                mut __map: A,
            ) -> Result<(), A::Error> {
                let ( $( $field, )* ) = __cols;
                while let Some(__key) = __map.next_key::<$crate::admin::field::KeyBytes<'de>>()? {
                    match __key.0.as_ref() {
                        $( __k if __k == $json.as_bytes() => {
                            if $crate::admin::columns::ColumnBuilder::<$ty>::rows($field) > __rows {
                                return Err(<A::Error as serde::de::Error>::duplicate_field($json));
                            }
                            $crate::admin::columns::append_value::<$ty, _, A>(&mut __map, $field)?;
                        } )*
                        __k => {
                            // A key CTA's names do not match was not checked for UTF-8 yet.
                            if std::str::from_utf8(__k).is_err() {
                                return Err(<A::Error as serde::de::Error>::invalid_value(
                                    serde::de::Unexpected::Bytes(__k),
                                    &"a UTF-8 field name",
                                ));
                            }
                            __map.next_value::<serde::de::IgnoredAny>()?;
                        }
                    }
                }
                $(
                    if $crate::admin::columns::ColumnBuilder::<$ty>::rows($field) == __rows {
                        if <$ty as $crate::admin::field::JsonField>::arrow_nullable() {
                            $crate::admin::columns::ColumnBuilder::<$ty>::append_null($field);
                        } else {
                            return Err(<A::Error as serde::de::Error>::missing_field($json));
                        }
                    }
                )*
                Ok(())
            }

            fn finish_columns(
                __cols: &mut Self::Columns,
            ) -> Result<Vec<arrow_array::ArrayRef>, arrow_schema::ArrowError> {
                let ( $( $field, )* ) = __cols;
                Ok(vec![ $( $crate::admin::columns::ColumnBuilder::<$ty>::finish_column($field)?, )* ])
            }
        }

        impl $crate::admin::field::JsonField for $name {
            fn de<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                <Self as serde::Deserialize>::deserialize(d)
            }
            fn ser<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                serde::Serialize::serialize(self, s)
            }
            fn arrow_type() -> arrow_schema::DataType {
                arrow_schema::DataType::Struct(Self::arrow_fields().into())
            }
            fn to_native(&self) -> serde_json::Value {
                let mut m = serde_json::Map::new();
                $(
                    if !$crate::admin::field::JsonField::is_absent(&self.$field) {
                        m.insert($json.to_owned(), $crate::admin::field::JsonField::to_native(&self.$field));
                    }
                )*
                for (k, v) in &self.extra {
                    m.insert(k.clone(), v.clone());
                }
                serde_json::Value::Object(m)
            }
        }
    };
}

/// Declares a CTA enum printed by name; names it does not know are kept as `Unknown(text)`.
macro_rules! open_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident { $( $(#[$vmeta:meta])* $var:ident = $s:literal ),* $(,)? }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub enum $name {
            $( $(#[$vmeta])* $var, )*
            /// A name this version of ctaops does not know (kept verbatim).
            Unknown(String),
        }

        impl $name {
            /// Every name this version knows, in protobuf order.
            pub const KNOWN: &'static [&'static str] = &[$($s),*];

            /// CTA's spelling.
            #[must_use]
            pub fn as_str(&self) -> &str {
                match self {
                    $( Self::$var => $s, )*
                    Self::Unknown(s) => s,
                }
            }

            /// Whether the name is one this version knows.
            #[must_use]
            pub fn is_known(&self) -> bool {
                !matches!(self, Self::Unknown(_))
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                match s {
                    $( $s => Self::$var, )*
                    other => Self::Unknown(other.to_owned()),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let k = <$crate::admin::field::Key<'de> as serde::Deserialize>::deserialize(d)?;
                Ok(Self::from(k.0.as_ref()))
            }
        }

        impl $crate::admin::columns::ArrowField for $name {
            type Builder = arrow_array::builder::StringBuilder;
        }

        impl $crate::admin::columns::ColumnBuilder<$name> for arrow_array::builder::StringBuilder {
            fn new_builder() -> Self {
                Self::new()
            }
            fn append(&mut self, v: &$name) {
                self.append_value(v.as_str());
            }
            fn append_null(&mut self) {
                arrow_array::builder::StringBuilder::append_null(self);
            }
            fn append_json<'de, D: serde::Deserializer<'de>>(&mut self, d: D) -> Result<(), D::Error> {
                $crate::admin::columns::string_append_json(self, d)
            }
            fn rows(&self) -> usize {
                arrow_array::builder::ArrayBuilder::len(self)
            }
            fn finish_column(&mut self) -> Result<arrow_array::ArrayRef, arrow_schema::ArrowError> {
                Ok(std::sync::Arc::new(self.finish()))
            }
        }

        impl $crate::admin::field::JsonField for $name {
            fn de<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                <Self as serde::Deserialize>::deserialize(d)
            }
            fn ser<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                serde::Serialize::serialize(self, s)
            }
            fn arrow_type() -> arrow_schema::DataType {
                arrow_schema::DataType::Utf8
            }
            fn to_native(&self) -> serde_json::Value {
                serde_json::Value::String(self.as_str().to_owned())
            }
        }
    };
}

pub(crate) use {open_enum, record};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn u64_forms() {
        let mut b = itoa_buf(0);
        assert_eq!(b.as_str(), "0");
        let mut b = itoa_buf(u64::MAX);
        assert_eq!(b.as_str(), "18446744073709551615");
        let v: u64 = u64::de(&mut serde_json::Deserializer::from_str("\"42\"")).unwrap();
        assert_eq!(v, 42);
        let v: u64 = u64::de(&mut serde_json::Deserializer::from_str("42")).unwrap();
        assert_eq!(v, 42);
        assert!(u64::de(&mut serde_json::Deserializer::from_str("\"-1\"")).is_err());
        assert!(u64::de(&mut serde_json::Deserializer::from_str("\"\"")).is_err());
        assert!(u64::de(&mut serde_json::Deserializer::from_str("\"99999999999999999999\"")).is_err());
        assert!(u64::de(&mut serde_json::Deserializer::from_str("\"18446744073709551616\"")).is_err());
        assert!(u64::de(&mut serde_json::Deserializer::from_str("\"1 \"")).is_err());
        assert!(u64::de(&mut serde_json::Deserializer::from_str("\"+1\"")).is_err());
        let v: u64 = u64::de(&mut serde_json::Deserializer::from_str("\"18446744073709551615\"")).unwrap();
        assert_eq!(v, u64::MAX);
        let v: u64 = u64::de(&mut serde_json::Deserializer::from_str("\"000000000000000000000042\"")).unwrap();
        assert_eq!(v, 42);
        assert!(u32::de(&mut serde_json::Deserializer::from_str("4294967296")).is_err());
    }
}
