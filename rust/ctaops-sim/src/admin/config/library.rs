//! Logical and physical libraries.

use super::*;

// RdbmsLogicalLibraryCatalogue.cpp: createLogicalLibrary, deleteLogicalLibrary (its DELETE
// skips a library holding tapes; drives do not hold it). `ll ch` is in change.rs.
pub(super) const LOGICALLIBRARY: Family = Family {
    table: "LOGICAL_LIBRARY",
    keys: &[("name", "LOGICAL_LIBRARY_NAME")],
    cols: &[
        ("disabled", "IS_DISABLED"),
        ("physicallibrary", "PHYSICAL_LIBRARY_NAME"),
        COMMENT,
    ],
    defaults: &[],
    add: &[
        exists("Cannot create logical library {name} because a logical library with the same name already exists"),
        Absent(
            "SELECT 1 FROM PHYSICAL_LIBRARY WHERE PHYSICAL_LIBRARY_NAME = ?1",
            &["physicallibrary"],
            "Cannot create logical library {name} because physical library {physicallibrary} does not exist",
            Fail::User,
        ),
    ],
    ch: &[],
    rm: &[
        missing("Cannot delete logical library {name} because it does not exist"),
        Found(
            "SELECT 1 FROM TAPE WHERE LOGICAL_LIBRARY_NAME = ?1",
            &["name"],
            "Cannot delete logical library {name} because it contains one or more tapes",
            Fail::User,
        ),
    ],
};

// RdbmsPhysicalLibraryCatalogue.cpp: createPhysicalLibrary and deletePhysicalLibrary turn
// constraint violations into user errors naming the constraint (then the driver's text,
// approximated here); modifyPhysicalLibrary always runs its UPDATE.
pub(super) const PHYSICALLIBRARY: Family = Family {
    table: "PHYSICAL_LIBRARY",
    keys: &[("name", "PHYSICAL_LIBRARY_NAME")],
    cols: &[
        ("manufacturer", "PHYSICAL_LIBRARY_MANUFACTURER"),
        ("model", "PHYSICAL_LIBRARY_MODEL"),
        ("type", "PHYSICAL_LIBRARY_TYPE"),
        ("guiurl", "GUI_URL"),
        ("webcamurl", "WEBCAM_URL"),
        ("location", "PHYSICAL_LOCATION"),
        ("nbphysicalcartridgeslots", "NB_PHYSICAL_CARTRIDGE_SLOTS"),
        ("nbavailablecartridgeslots", "NB_AVAILABLE_CARTRIDGE_SLOTS"),
        ("nbphysicaldriveslots", "NB_PHYSICAL_DRIVE_SLOTS"),
        ("disabled", "IS_DISABLED"),
        ("disabledreason", "DISABLED_REASON"),
        COMMENT,
    ],
    // A library added by cta-admin has no simulated robot (no state file).
    defaults: &[("STATE_FILE", "''")],
    add: &[exists(
        "Cannot create physical library {name} because of unique constraint: physical_library_pln_ci_un_idx\nduplicate key value violates unique constraint \"physical_library_pln_ci_un_idx\"",
    )],
    ch: &[(
        "",
        &[
            Rule(pl_disabled_reason),
            missing("Cannot update physical library {name} because it does not exist"),
        ],
    )],
    rm: &[
        Found(
            "SELECT 1 FROM LOGICAL_LIBRARY WHERE PHYSICAL_LIBRARY_NAME = ?1",
            &["name"],
            "Cannot delete physical library {name} because of integrity constraint: logical_library_pli_fk\nupdate or delete on table \"physical_library\" violates foreign key constraint \"logical_library_pli_fk\" on table \"logical_library\"",
            Fail::User,
        ),
        missing("Cannot delete physical library {name} because it does not exist"),
    ],
};
