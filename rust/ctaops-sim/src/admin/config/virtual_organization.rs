//! Virtual organizations.

use super::*;

// RdbmsVirtualOrganizationCatalogue.cpp: modifyVirtualOrganization*.
pub(super) const VO_CH_MISSING: &str = "Cannot modify virtual organization : {vo} because it does not exist";
const VO_CH: &[Check] = &[missing(VO_CH_MISSING)];

// RdbmsVirtualOrganizationCatalogue.cpp: createVirtualOrganization,
// modifyVirtualOrganization*, deleteVirtualOrganization; the repack rules of
// AdminCmd::processVirtualOrganization_Ch/_Rm come first.
pub(super) const VIRTUALORGANIZATION: Family = Family {
    table: "VIRTUAL_ORGANIZATION",
    keys: &[("vo", "VIRTUAL_ORGANIZATION_NAME")],
    cols: &[
        ("readmaxdrives", "READ_MAX_DRIVES"),
        ("writemaxdrives", "WRITE_MAX_DRIVES"),
        ("maxfilesize", "MAX_FILE_SIZE"),
        ("diskinstance", "DISK_INSTANCE_NAME"),
        ("isrepackvo", "IS_REPACK_VO"),
        COMMENT,
    ],
    defaults: &[("MAX_FILE_SIZE", "0")],
    add: &[
        Empty(
            "vo",
            "Cannot create virtual organization because the name is an empty string",
        ),
        Empty(
            "comment",
            "Cannot create virtual organization because the comment is an empty string",
        ),
        Empty(
            "diskinstance",
            "Cannot create virtual organization because the disk instance is an empty string",
        ),
        exists("Cannot create vo : {vo} because it already exists"),
        Rule(vo_add_repack),
        Absent(
            DI_EXISTS,
            &["diskinstance"],
            "Cannot create vo : {vo}: disk instance {diskinstance} does not exist (foreign key)",
            Fail::Server,
        ),
    ],
    ch: &[
        ("comment", VO_CH),
        ("readmaxdrives", VO_CH),
        ("writemaxdrives", VO_CH),
        ("maxfilesize", VO_CH),
        (
            "diskinstance",
            &[
                missing(VO_CH_MISSING),
                Absent(
                    DI_EXISTS,
                    &["diskinstance"],
                    "Cannot modify virtual organization : {vo}: disk instance {diskinstance} does not exist (foreign key)",
                    Fail::Server,
                ),
            ],
        ),
        ("isrepackvo", &[Rule(vo_ch_repack)]),
    ],
    rm: &[
        Rule(vo_rm_repack),
        Found(
            "SELECT 1 FROM STORAGE_CLASS WHERE VIRTUAL_ORGANIZATION_NAME = ?1",
            &["vo"],
            "The Virtual Organization {vo} is being used by one or more storage classes",
            Fail::User,
        ),
        Found(
            "SELECT 1 FROM TAPE_POOL WHERE VIRTUAL_ORGANIZATION_NAME = ?1",
            &["vo"],
            "The Virtual Organization {vo} is being used by one or more Tapepools",
            Fail::User,
        ),
        missing("Cannot delete Virtual Organization : {vo} because it does not exist"),
    ],
};
