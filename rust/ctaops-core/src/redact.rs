//! The one place credentials are masked before text reaches an error line or a log line (cron
//! mails and log files are read by more people than the config file).
//!
//! Masked: the password of a URL's user info (`postgresql://user:***@host`), `password=` and
//! its spellings in URL queries and libpq key=value strings (quoted values too), and any quoted
//! value reported for a key whose name says it is a secret.

use std::borrow::Cow;
use std::sync::LazyLock;

use regex::Regex;

/// What replaces a credential.
pub const MASK: &str = "***";

/// `scheme://user:password@`: the user info ends at the last `@` of the token, as a URL parser
/// that tolerates an unencoded `@` in the password would read it.
static URL_USERINFO: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)([a-z][a-z0-9+.\-]*://[^\s:/@'\x22]*):[^\s'\x22]*@").expect("valid pattern"));

/// `password=…` in a URL query or a libpq string: a quoted value (libpq's `'…'` with `\'`
/// escapes, or `"…"`) or everything up to a separator.
static KEY_VALUE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)\b((?:ssl)?pass(?:word|wd)?|pwd)(\s*=\s*)('(?:[^'\\]|\\.)*'?|"[^"]*"?|[^\s&;,'"]*)"#)
        .expect("valid pattern")
});

/// A quoted value in a message (serde's `invalid type: string "…"`).
static QUOTED: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#""(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'"#).expect("valid pattern"));

/// Masks every credential in `text`.
#[must_use]
pub fn mask_credentials(text: &str) -> Cow<'_, str> {
    let text = URL_USERINFO.replace_all(text, format!("${{1}}:{MASK}@").as_str());
    match KEY_VALUE.replace_all(&text, format!("${{1}}${{2}}{MASK}").as_str()) {
        Cow::Borrowed(_) => text,
        Cow::Owned(s) => Cow::Owned(s),
    }
}

/// Whether a config key (`tools.x.database.password`) names a secret.
#[must_use]
pub fn is_secret_key(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    ["password", "passwd", "secret", "token", "credential"]
        .iter()
        .any(|s| k.contains(s))
}

/// Masks `message` about the value of `key`: as [`mask_credentials`], and every quoted value too
/// when the key names a secret.
#[must_use]
pub fn mask_for_key(key: &str, message: &str) -> String {
    let masked = mask_credentials(message);
    if is_secret_key(key) {
        QUOTED.replace_all(&masked, format!("\"{MASK}\"").as_str()).into_owned()
    } else {
        masked.into_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PW: &str = "Pl4nted-s3cret";

    fn masked(s: &str) -> String {
        let m = mask_credentials(s).into_owned();
        assert!(!m.contains(PW), "{s} -> {m}");
        m
    }

    #[test]
    fn url_user_info() {
        assert_eq!(
            masked(&format!("cannot connect to postgresql://cta:{PW}@db:5432/cta: timeout")),
            "cannot connect to postgresql://cta:***@db:5432/cta: timeout"
        );
        masked(&format!("postgres://:{PW}@db/x"));
        masked(&format!("'postgresql://u:{PW}@with@at@db/x'"));
        masked(&format!("postgresql://u:{PW}/db@host"));
    }

    #[test]
    fn query_and_key_value_strings() {
        assert_eq!(
            masked(&format!("postgresql://db/cta?user=cta&password={PW}&sslmode=require")),
            "postgresql://db/cta?user=cta&password=***&sslmode=require"
        );
        assert_eq!(
            masked(&format!("host=db password={PW} user=cta")),
            "host=db password=*** user=cta"
        );
        masked(&format!("host=db password = '{PW} with spaces' user=cta"));
        masked(&format!("host=db PASSWORD='{PW}\\'quoted' user=cta"));
        masked(&format!("host=db password=\"{PW}\""));
        masked(&format!("host=db sslpassword={PW}"));
        masked(&format!("host=db passwd={PW}"));
        masked(&format!("host=db password='{PW}"));
    }

    #[test]
    fn plain_text_is_left_alone() {
        let s = "tape V01007 is not known to CTA: password authentication failed for user \"cta\"";
        assert!(matches!(mask_credentials(s), Cow::Borrowed(_)));
    }

    #[test]
    fn quoted_values_of_secret_keys() {
        let m = mask_for_key(
            "tools.cta-ops-repack-automation.database.password",
            &format!("invalid type: string \"{PW}\", expected a number"),
        );
        assert_eq!(m, "invalid type: string \"***\", expected a number");
        let kept = mask_for_key("tools.x.port", "invalid type: string \"abc\", expected u16");
        assert!(kept.contains("abc"));
    }
}
