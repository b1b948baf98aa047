//! The requests EOS's HTTP interface answers for the ops tools, without the transport: the
//! bearer token picks the disk instance, then `/proc/user/` runs `fileinfo` or `attr`.
//! EOS answers a proc command with HTTP 200 and its outcome in `retc`; a refused token is an
//! HTTP error (401 without a token, 403 with a wrong one).

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::namespace::{self, EACCES, EINVAL, EOPNOTSUPP, EPERM, FileRef, NsError};
use crate::catalogue::Db;

/// A request as the server read it.
#[derive(Debug, Clone, Default)]
pub struct Request {
    pub method: String,
    pub path: String,
    /// The raw query string (after `?`).
    pub query: String,
    /// The `Authorization` header.
    pub authorization: Option<String>,
}

/// The answer: HTTP status, JSON body, and the disk instance it was for (empty when the token
/// named none), which the request counter is labelled with.
#[derive(Debug, Clone)]
pub struct Response {
    pub status: u16,
    pub body: Value,
    pub instance: String,
}

/// Token → disk instance.
pub type Tokens = BTreeMap<String, String>;

fn error(status: u16, e: &NsError, instance: &str) -> Response {
    Response {
        status,
        body: json!({"errormsg": e.message, "retc": e.retc}),
        instance: instance.to_owned(),
    }
}

/// Decodes `%XX` and `+` of one query component (invalid escapes are kept as they are).
fn unescape(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < b.len() => {
                match std::str::from_utf8(&b[i + 1..i + 3])
                    .ok()
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
                {
                    Some(v) => {
                        out.push(v);
                        i += 2;
                    }
                    None => out.push(b'%'),
                }
            }
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The query's parameters (the last of a repeated key wins).
#[must_use]
pub fn query_params(query: &str) -> BTreeMap<String, String> {
    query
        .split('&')
        .filter(|kv| !kv.is_empty())
        .map(|kv| {
            let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
            (unescape(k), unescape(v))
        })
        .collect()
}

/// Which instance the request's token opens, or the refusal.
fn authorise(req: &Request, tokens: &Tokens) -> Result<String, Response> {
    let Some(header) = req.authorization.as_deref() else {
        return Err(error(
            401,
            &NsError::new(EPERM, "error: no bearer token given (Authorization: Bearer <token>)"),
            "",
        ));
    };
    let token = header.strip_prefix("Bearer ").map(str::trim).unwrap_or_default();
    match tokens.get(token) {
        Some(instance) if !token.is_empty() => Ok(instance.clone()),
        _ => Err(error(
            403,
            &NsError::new(
                EACCES,
                "error: permission denied: the token is not valid for this instance",
            ),
            "",
        )),
    }
}

/// Answers one request against the catalogue `conn`.
pub fn handle(conn: &Db, tokens: &Tokens, req: &Request) -> Response {
    let instance = match authorise(req, tokens) {
        Ok(i) => i,
        Err(r) => return r,
    };
    let out = match (req.method.as_str(), req.path.trim_end_matches('/')) {
        ("GET", "/proc/user") => proc_user(conn, &instance, &query_params(&req.query)),
        _ => {
            return error(
                404,
                &NsError::new(EOPNOTSUPP, format!("error: no such call: {} {}", req.method, req.path)),
                &instance,
            );
        }
    };
    match out {
        Ok(body) => Response {
            status: 200,
            body,
            instance,
        },
        Err(e) => error(200, &e, &instance),
    }
}

fn proc_user(conn: &Db, instance: &str, q: &BTreeMap<String, String>) -> Result<Value, NsError> {
    let arg = |k: &str| {
        q.get(k)
            .map(String::as_str)
            .ok_or_else(|| NsError::new(EINVAL, format!("error: {k} is missing")))
    };
    let cmd = arg("mgm.cmd")?;
    match cmd {
        "fileinfo" => {
            let file = FileRef::parse(arg("mgm.path")?)?;
            Ok(namespace::lookup(conn, instance, &file)?.info_json())
        }
        "attr" => {
            let file = FileRef::parse(arg("mgm.path")?)?;
            match arg("mgm.subcmd")? {
                "get" => {
                    let key = arg("mgm.attr.key")?;
                    let value = namespace::get_xattr(conn, instance, &file, key)?;
                    Ok(json!({"attr": {key: value}, "retc": 0}))
                }
                "set" => {
                    let key = arg("mgm.attr.key")?;
                    let value = arg("mgm.attr.value")?;
                    let f = namespace::set_xattr(conn, instance, &file, key, value)?;
                    tracing::info!(instance, path = %f.path, key, value, "EOS attr set");
                    Ok(json!({"path": f.path, "attr": {key: f.xattrs().get(key)}, "retc": 0}))
                }
                "ls" => {
                    let f = namespace::lookup(conn, instance, &file)?;
                    Ok(json!({"path": f.path, "attr": f.xattrs(), "retc": 0}))
                }
                other => Err(NsError::new(
                    EINVAL,
                    format!("error: unknown attr subcommand '{other}'"),
                )),
            }
        }
        other => Err(NsError::new(
            EOPNOTSUPP,
            format!("error: the simulator does not serve mgm.cmd={other}"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_components_are_unescaped() {
        let q = query_params("mgm.cmd=attr&mgm.path=%2Feos%2Fa+b&mgm.attr.value=x%3Dy&bad=%zz&empty");
        assert_eq!(q["mgm.path"], "/eos/a b");
        assert_eq!(q["mgm.attr.value"], "x=y");
        assert_eq!(q["bad"], "%zz");
        assert_eq!(q["empty"], "");
    }

    #[test]
    fn file_references_follow_eos() {
        assert_eq!(FileRef::parse("fxid:0000002a").unwrap(), FileRef::Fid(42));
        assert_eq!(FileRef::parse("fid:42").unwrap(), FileRef::Fid(42));
        assert_eq!(FileRef::parse("/eos/x").unwrap(), FileRef::Path("/eos/x".into()));
        assert_eq!(FileRef::parse("fxid:xyz").unwrap_err().retc, EINVAL);
        assert_eq!(FileRef::parse("relative").unwrap_err().retc, EINVAL);
    }
}
