//! Tape pools.

use super::*;

// RdbmsTapePoolCatalogue.cpp: createTapePool, deleteTapePool (archive routes first, then
// tapes). `tp ch` is in change.rs.
pub(super) const TAPEPOOL: Family = Family {
    table: "TAPE_POOL",
    keys: &[("name", "TAPE_POOL_NAME")],
    cols: &[
        ("vo", "VIRTUAL_ORGANIZATION_NAME"),
        ("partialtapesnumber", "NB_PARTIAL_TAPES"),
        ("encryptionkeyname", "ENCRYPTION_KEY_NAME"),
        COMMENT,
    ],
    defaults: &[],
    add: &[
        Empty(
            "name",
            "Cannot create tape pool because the tape pool name is an empty string",
        ),
        Empty("vo", "Cannot create tape pool because the VO is an empty string"),
        Empty(
            "comment",
            "Cannot create tape pool because the comment is an empty string",
        ),
        exists("Cannot create tape pool '{name}' because a tape pool with the same name already exists"),
        Absent(
            VO_EXISTS,
            &["vo"],
            "Cannot create tape pool '{name}' because vo '{vo}' does not exist.",
            Fail::User,
        ),
        Rule(tp_add_supply),
    ],
    ch: &[],
    rm: &[
        Found(
            "SELECT 1 FROM ARCHIVE_ROUTE WHERE TAPE_POOL_NAME = ?1",
            &["name"],
            "Cannot delete tape-pool '{name}' because it is used in an archive route",
            Fail::User,
        ),
        Found(
            "SELECT 1 FROM TAPE WHERE TAPE_POOL_NAME = ?1",
            &["name"],
            "Cannot delete tape-pool '{name}' because it is not empty",
            Fail::User,
        ),
        missing("Cannot delete tape-pool '{name}' because it does not exist"),
    ],
};
