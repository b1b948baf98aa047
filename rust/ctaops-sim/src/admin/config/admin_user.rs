//! Admin users (`admin`).

use super::*;

// RdbmsAdminUserCatalogue.cpp: createAdminUser, modifyAdminUserComment, deleteAdminUser.
const ADMIN_CH: &[Check] = &[
    Empty(
        "username",
        "Cannot modify admin user because the username is an empty string",
    ),
    Empty(
        "comment",
        "Cannot modify admin user because the comment is an empty string",
    ),
    missing("Cannot modify admin user {username} because they do not exist"),
];

pub(super) const ADMIN: Family = Family {
    table: "ADMIN_USER",
    keys: &[("username", "ADMIN_USER_NAME")],
    cols: &[COMMENT],
    defaults: &[],
    add: &[
        Empty(
            "username",
            "Cannot create admin user because the username is an empty string",
        ),
        Empty(
            "comment",
            "Cannot create admin user because the comment is an empty string",
        ),
        exists("Cannot create admin user {username} because an admin user with the same name already exists"),
    ],
    ch: &[("comment", ADMIN_CH)],
    rm: &[missing("Cannot delete admin-user {username} because they do not exist")],
};
