//! The libpq password file (`~/.pgpass`, `$PGPASSFILE`): `host:port:database:user:password`,
//! `*` matching anything, `\:` and `\\` escaped.

use std::path::Path;

use crate::settings::PgSettings;

fn split_fields(line: &str) -> Vec<String> {
    let mut fields = vec![String::new()];
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let (Some(n), Some(last)) = (chars.next(), fields.last_mut()) {
                    last.push(n);
                }
            }
            ':' => fields.push(String::new()),
            _ => {
                if let Some(last) = fields.last_mut() {
                    last.push(c);
                }
            }
        }
    }
    fields
}

/// The password of the first line matching `pg`, if the file exists and has one.
#[must_use]
pub fn lookup(path: &Path, pg: &PgSettings) -> Option<String> {
    let text = std::fs::read_to_string(path).ok()?;
    parse(&text, pg)
}

fn parse(text: &str, pg: &PgSettings) -> Option<String> {
    let port = pg.port.to_string();
    let wanted = [pg.host.as_str(), port.as_str(), pg.dbname.as_str(), pg.user.as_str()];
    text.lines()
        .filter(|l| !l.trim_start().starts_with('#') && !l.trim().is_empty())
        .map(split_fields)
        .filter(|f| f.len() == 5)
        .find(|f| f.iter().zip(wanted).all(|(have, want)| have == "*" || have == want))
        .map(|f| f[4].clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_with_wildcards_and_escapes() {
        let pg = PgSettings {
            host: "db1".into(),
            port: 5432,
            user: "repack".into(),
            password: None,
            dbname: "cta_repack".into(),
            tls: crate::Tls::default(),
        };
        let text = "# comment\nother:5432:*:*:no\ndb1:*:cta_repack:repack:se\\:cret\n*:*:*:*:fallback\n";
        assert_eq!(parse(text, &pg).as_deref(), Some("se:cret"));
        assert_eq!(parse("x:1:y:z:w\n", &pg), None);
    }
}
