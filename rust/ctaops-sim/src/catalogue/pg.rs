//! The PostgreSQL side of [`super::Db`]: a blocking wrapper over tokio-postgres (one
//! current-thread runtime per connection), `?N` → `$N`, and values mapped to and from [`Value`].

use std::error::Error as StdError;
use std::time::Duration;

use bytes::BytesMut;
use ctaops_core::redact::mask_credentials;
use tokio_postgres::types::{FromSql, IsNull, ToSql, Type, to_sql_checked};
use tokio_postgres::{Client, NoTls};

use super::db::Row;
use super::value::Value;
use crate::error::{Result, SimError};

/// A live PostgreSQL connection.
pub struct Pg {
    rt: tokio::runtime::Runtime,
    client: Client,
}

fn pg_err(e: &tokio_postgres::Error) -> SimError {
    // The server's own message (with its detail) is what an operator needs; the driver's
    // Display is only "db error".
    let msg = e
        .as_db_error()
        .map_or_else(|| e.to_string(), |d| format!("{}: {}", d.severity(), d.message()));
    SimError::Pg(msg.replace('\n', " "))
}

/// Rewrites SQLite's placeholders to PostgreSQL's (outside string literals): `?N` → `$N`, and a
/// bare `?` takes the number after the largest one so far, as SQLite numbers it.
#[must_use]
pub fn placeholders(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len() + 8);
    let mut quoted = false;
    let mut highest = 0u32;
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                quoted = !quoted;
                out.push(c);
            }
            '?' if !quoted => {
                let mut digits = String::new();
                while let Some(d) = chars.peek().copied().filter(char::is_ascii_digit) {
                    digits.push(d);
                    chars.next();
                }
                let n = digits.parse::<u32>().unwrap_or(highest + 1);
                highest = highest.max(n);
                out.push('$');
                out.push_str(&n.to_string());
            }
            _ => out.push(c),
        }
    }
    out
}

impl Pg {
    /// Connects to `url` (`postgresql://…` or a libpq key=value string), 10 s timeout.
    ///
    /// # Errors
    /// [`SimError::Pg`] with the server's or the network's reason.
    pub fn connect(url: &str) -> Result<Self> {
        let mut cfg: tokio_postgres::Config = url
            .parse()
            // Not even masked: in a malformed URL nothing tells where the password is.
            .map_err(|e: tokio_postgres::Error| SimError::Pg(format!("invalid catalogue URL: {e}")))?;
        if cfg.get_connect_timeout().is_none() {
            cfg.connect_timeout(Duration::from_secs(10));
        }
        cfg.application_name("ctaops-sim");
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| SimError::Pg(e.to_string()))?;
        let client = rt.block_on(async {
            let (client, connection) = cfg.connect(NoTls).await.map_err(|e| {
                SimError::Pg(format!(
                    "cannot connect to {}: {}",
                    mask_credentials(url),
                    source_chain(&e)
                ))
            })?;
            tokio::spawn(async move {
                if let Err(e) = connection.await {
                    tracing::warn!(error = %e, "PostgreSQL connection closed");
                }
            });
            Ok::<_, SimError>(client)
        })?;
        Ok(Self { rt, client })
    }

    pub(crate) fn batch(&self, sql: &str) -> Result<()> {
        self.rt.block_on(self.client.batch_execute(sql)).map_err(|e| pg_err(&e))
    }

    pub(crate) fn execute(&self, sql: &str, vals: &[Value]) -> Result<usize> {
        let refs: Vec<&(dyn ToSql + Sync)> = vals.iter().map(|v| v as &(dyn ToSql + Sync)).collect();
        let n = self
            .rt
            .block_on(self.client.execute(&placeholders(sql), &refs))
            .map_err(|e| pg_err(&e))?;
        Ok(usize::try_from(n).unwrap_or(usize::MAX))
    }

    pub(crate) fn query(&self, sql: &str, vals: &[Value]) -> Result<Vec<Row>> {
        let refs: Vec<&(dyn ToSql + Sync)> = vals.iter().map(|v| v as &(dyn ToSql + Sync)).collect();
        let rows = self
            .rt
            .block_on(self.client.query(&placeholders(sql), &refs))
            .map_err(|e| pg_err(&e))?;
        rows.iter()
            .map(|r| {
                (0..r.len())
                    .map(|i| r.try_get::<_, Value>(i).map_err(|e| pg_err(&e)))
                    .collect::<Result<Vec<_>>>()
                    .map(Row)
            })
            .collect()
    }
}

/// The URL without its password, for messages.
fn source_chain(e: &dyn StdError) -> String {
    let mut msg = e.to_string();
    let mut src = e.source();
    while let Some(s) = src {
        msg.push_str(": ");
        msg.push_str(&s.to_string());
        src = s.source();
    }
    msg.replace('\n', " ")
}

type BoxErr = Box<dyn StdError + Sync + Send>;

impl ToSql for Value {
    // Adapts to the type the server inferred for the placeholder, as SQLite's loose typing would.
    fn to_sql(&self, ty: &Type, out: &mut BytesMut) -> std::result::Result<IsNull, BoxErr> {
        match self {
            Self::Null => Ok(IsNull::Yes),
            Self::Integer(i) => match *ty {
                Type::INT8 => i.to_sql(ty, out),
                Type::INT4 => i32::try_from(*i)?.to_sql(ty, out),
                Type::INT2 => i16::try_from(*i)?.to_sql(ty, out),
                #[expect(clippy::cast_precision_loss, reason = "as SQLite converts")]
                Type::FLOAT8 => (*i as f64).to_sql(ty, out),
                Type::BOOL => (*i != 0).to_sql(ty, out),
                Type::TEXT | Type::VARCHAR | Type::BPCHAR | Type::NAME => i.to_string().as_str().to_sql(ty, out),
                _ => Err(format!("integer parameter for a {ty} placeholder").into()),
            },
            Self::Real(f) => match *ty {
                Type::FLOAT8 => f.to_sql(ty, out),
                #[expect(clippy::cast_possible_truncation, reason = "REAL columns are double precision")]
                Type::FLOAT4 => (*f as f32).to_sql(ty, out),
                Type::TEXT | Type::VARCHAR => f.to_string().as_str().to_sql(ty, out),
                _ => Err(format!("real parameter for a {ty} placeholder").into()),
            },
            Self::Text(s) => match *ty {
                Type::INT8 => s.parse::<i64>()?.to_sql(ty, out),
                Type::INT4 => s.parse::<i32>()?.to_sql(ty, out),
                Type::BYTEA => s.as_bytes().to_sql(ty, out),
                _ => s.as_str().to_sql(&Type::TEXT, out),
            },
            Self::Blob(b) => b.as_slice().to_sql(&Type::BYTEA, out),
        }
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    to_sql_checked!();
}

impl<'a> FromSql<'a> for Value {
    fn from_sql(ty: &Type, raw: &'a [u8]) -> std::result::Result<Self, BoxErr> {
        Ok(match *ty {
            Type::INT8 => Self::Integer(i64::from_sql(ty, raw)?),
            Type::INT4 => Self::Integer(i64::from(i32::from_sql(ty, raw)?)),
            Type::INT2 => Self::Integer(i64::from(i16::from_sql(ty, raw)?)),
            Type::OID => Self::Integer(i64::from(u32::from_sql(ty, raw)?)),
            Type::BOOL => Self::Integer(i64::from(bool::from_sql(ty, raw)?)),
            Type::FLOAT8 => Self::Real(f64::from_sql(ty, raw)?),
            Type::FLOAT4 => Self::Real(f64::from(f32::from_sql(ty, raw)?)),
            Type::NUMERIC => numeric(raw)?,
            Type::BYTEA => Self::Blob(Vec::<u8>::from_sql(ty, raw)?),
            _ => Self::Text(String::from_utf8(raw.to_vec())?),
        })
    }

    fn from_sql_null(_: &Type) -> std::result::Result<Self, BoxErr> {
        Ok(Self::Null)
    }

    fn accepts(_: &Type) -> bool {
        true
    }
}

/// Decodes PostgreSQL's binary NUMERIC (what `SUM` of a BIGINT returns): whole values become
/// integers, others reals.
fn numeric(raw: &[u8]) -> std::result::Result<Value, BoxErr> {
    let word = |i: usize| -> std::result::Result<i16, BoxErr> {
        let b = raw.get(i..i + 2).ok_or("short NUMERIC")?;
        Ok(i16::from_be_bytes([b[0], b[1]]))
    };
    let ndigits = usize::try_from(word(0)?)?;
    let weight = i32::from(word(2)?);
    let sign = u16::from_be_bytes(word(4)?.to_be_bytes());
    if sign == 0xC000 {
        return Ok(Value::Real(f64::NAN));
    }
    let mut whole: i128 = 0;
    let mut frac = 0.0f64;
    for k in 0..ndigits {
        let d = i128::from(word(8 + 2 * k)?);
        let pos = weight - i32::try_from(k)?;
        if pos >= 0 {
            whole += d * 10_000i128.pow(u32::try_from(pos)?);
        } else {
            #[expect(clippy::cast_precision_loss, reason = "fractional part")]
            let df = d as f64;
            frac += df * 10_000f64.powi(pos);
        }
    }
    let neg = sign == 0x4000;
    if frac == 0.0
        && let Ok(i) = i64::try_from(whole)
    {
        return Ok(Value::Integer(if neg { -i } else { i }));
    }
    #[expect(clippy::cast_precision_loss, reason = "non-integral or huge NUMERIC")]
    let v = whole as f64 + frac;
    Ok(Value::Real(if neg { -v } else { v }))
}

#[cfg(test)]
mod tests {
    use super::placeholders;

    #[test]
    fn numbered_bare_and_quoted() {
        assert_eq!(
            placeholders("a = ?1 AND b = ?2 OR c = ?1"),
            "a = $1 AND b = $2 OR c = $1"
        );
        assert_eq!(
            placeholders("SET a = ?, b = ? WHERE c = ?"),
            "SET a = $1, b = $2 WHERE c = $3"
        );
        assert_eq!(placeholders("x = ?3, y = ?"), "x = $3, y = $4");
        assert_eq!(placeholders("x = '?' AND y = ?"), "x = '?' AND y = $1");
    }
}
