//! Who an operator is, for the history: the real user id's name from the password database, not
//! `$USER` (which anyone can set, and which cron leaves unset).

use nix::unistd::{Uid, User};

/// The real uid's user name (`uid N` if it has no password entry). Under `sudo` (`SUDO_USER`
/// set to another name) it is `root (sudo by alice)`: the account that acted comes first and
/// `SUDO_USER`, which the caller's environment provides, is recorded as such.
#[must_use]
pub fn operator() -> String {
    describe(&real_user(), std::env::var("SUDO_USER").ok().as_deref())
}

fn real_user() -> String {
    let uid = Uid::current();
    match User::from_uid(uid) {
        Ok(Some(u)) => u.name,
        _ => format!("uid {uid}"),
    }
}

fn describe(real: &str, sudo_user: Option<&str>) -> String {
    match sudo_user.map(str::trim) {
        Some(s) if !s.is_empty() && s != real => {
            // Bounded and on one line: it ends up in a table cell.
            let s: String = s.chars().filter(|c| !c.is_control()).take(64).collect();
            format!("{real} (sudo by {s})")
        }
        _ => real.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::describe;

    #[test]
    fn sudo_user_is_recorded_as_such() {
        assert_eq!(describe("root", Some("alice")), "root (sudo by alice)");
        assert_eq!(describe("alice", None), "alice");
        assert_eq!(describe("alice", Some("alice")), "alice");
        assert_eq!(describe("root", Some("")), "root");
        assert_eq!(describe("root", Some("a\nb")), "root (sudo by ab)");
    }
}
