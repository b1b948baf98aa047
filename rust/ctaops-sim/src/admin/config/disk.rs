//! Disk instances, their spaces and disk systems.

use super::*;

// RdbmsDiskInstanceSpaceCatalogue.cpp: modifyDiskInstanceSpace* (sic: "disk system").
const DIS_MISSING: &str = "Cannot modify disk system {name} because it does not exist";

// RdbmsDiskSystemCatalogue.cpp: modifyDiskSystem* (sic: the instance (space) name checks say "comment").
const DS_MISSING: &str = "Cannot modify disk system {disksystem} because it does not exist";
const DS_NAME: Check = Empty(
    "disksystem",
    "Cannot modify disk system because the disk system name is an empty string",
);

// RdbmsDiskInstanceCatalogue.cpp: createDiskInstance (sic: "disk system" in its empty
// checks), modifyDiskInstanceComment, deleteDiskInstance (foreign keys block it).
pub(super) const DISKINSTANCE: Family = Family {
    table: "DISK_INSTANCE",
    keys: &[("name", "DISK_INSTANCE_NAME")],
    cols: &[COMMENT],
    defaults: &[],
    add: &[
        Empty("name", "Cannot create disk system because the name is an empty string"),
        Empty(
            "comment",
            "Cannot create disk system because the comment is an empty string",
        ),
        exists(
            "Cannot create disk instance {name} because a disk instance with the same name identifier already exists",
        ),
    ],
    ch: &[(
        "comment",
        &[
            Empty(
                "name",
                "Cannot modify disk instance because the disk instance name is an empty string",
            ),
            Empty(
                "comment",
                "Cannot modify disk instance because the new comment is an empty string",
            ),
            missing("Cannot modify disk instance {name} because it does not exist"),
        ],
    )],
    rm: &[
        missing("Cannot delete disk instance {name} because it does not exist"),
        Found(
            "SELECT 1 FROM VIRTUAL_ORGANIZATION WHERE DISK_INSTANCE_NAME = ?1 UNION ALL
         SELECT 1 FROM DISK_INSTANCE_SPACE WHERE DISK_INSTANCE_NAME = ?1 UNION ALL
         SELECT 1 FROM REQUESTER_MOUNT_RULE WHERE DISK_INSTANCE_NAME = ?1 UNION ALL
         SELECT 1 FROM REQUESTER_GROUP_MOUNT_RULE WHERE DISK_INSTANCE_NAME = ?1 UNION ALL
         SELECT 1 FROM REQUESTER_ACTIVITY_MOUNT_RULE WHERE DISK_INSTANCE_NAME = ?1",
            &["name"],
            "Cannot delete disk instance {name}: it is still referenced (foreign key)",
            Fail::Server,
        ),
    ],
};

// RdbmsDiskInstanceSpaceCatalogue.cpp: createDiskInstanceSpace, modifyDiskInstanceSpace*,
// deleteDiskInstanceSpace.
pub(super) const DISKINSTANCESPACE: Family = Family {
    table: "DISK_INSTANCE_SPACE",
    keys: &[
        ("name", "DISK_INSTANCE_SPACE_NAME"),
        ("diskinstance", "DISK_INSTANCE_NAME"),
    ],
    cols: &[
        ("freespacequeryurl", "FREE_SPACE_QUERY_URL"),
        ("refreshinterval", "REFRESH_INTERVAL"),
        COMMENT,
    ],
    defaults: &[],
    add: &[
        Empty(
            "name",
            "Cannot create disk instance space because the name is an empty string",
        ),
        Empty(
            "freespacequeryurl",
            "Cannot create disk instance space because the free space query URL is an empty string",
        ),
        Zero(
            "refreshinterval",
            "Cannot create disk instance space because the refresh interval is zero",
        ),
        Empty(
            "comment",
            "Cannot create disk instance space because the comment is an empty string",
        ),
        Absent(
            DI_EXISTS,
            &["diskinstance"],
            "Cannot create disk instance space {name} for disk instance {diskinstance} because the disk instance does not exist",
            Fail::User,
        ),
        exists(
            "Cannot create disk instance space {name} for disk instance {diskinstance} because a disk instance space with the same name and disk instance already exists",
        ),
    ],
    ch: &[
        (
            "comment",
            &[
                Empty(
                    "comment",
                    "Cannot modify disk instance space because the new comment is an empty string",
                ),
                missing(DIS_MISSING),
            ],
        ),
        (
            "freespacequeryurl",
            &[
                Empty(
                    "freespacequeryurl",
                    "Cannot modify disk instance space because the new freeSpaceQueryURL is an empty string",
                ),
                missing(DIS_MISSING),
            ],
        ),
        (
            "refreshinterval",
            &[
                Zero(
                    "refreshinterval",
                    "Cannot modify disk instance space because the new refreshInterval is zero",
                ),
                missing(DIS_MISSING),
            ],
        ),
    ],
    rm: &[
        missing("Cannot delete disk instance space {name} because it does not exist"),
        Found(
            "SELECT 1 FROM DISK_SYSTEM WHERE DISK_INSTANCE_SPACE_NAME = ?1",
            &["name"],
            "Cannot delete disk instance space {name}: it is used by a disk system (foreign key)",
            Fail::Server,
        ),
    ],
};

// RdbmsDiskSystemCatalogue.cpp: createDiskSystem, modifyDiskSystem*, deleteDiskSystem;
// AdminCmd::processDiskSystem_Ch: comment, regexp, sleep time, free space, instance, space.
pub(super) const DISKSYSTEM: Family = Family {
    table: "DISK_SYSTEM",
    keys: &[("disksystem", "DISK_SYSTEM_NAME")],
    cols: &[
        ("fileregexp", "FILE_REGEXP"),
        ("diskinstance", "DISK_INSTANCE_NAME"),
        ("diskinstancespace", "DISK_INSTANCE_SPACE_NAME"),
        ("targetedfreespace", "TARGETED_FREE_SPACE"),
        ("sleeptime", "SLEEP_TIME"),
        COMMENT,
    ],
    defaults: &[],
    add: &[
        Empty(
            "disksystem",
            "Cannot create disk system because the name is an empty string",
        ),
        Empty(
            "fileregexp",
            "Cannot create disk system because the file regexp is an empty string",
        ),
        Empty(
            "diskinstance",
            "Cannot create disk system because the disk instance name is an empty string",
        ),
        Empty(
            "diskinstancespace",
            "Cannot create disk system because the disk instance space name is an empty string",
        ),
        Zero(
            "targetedfreespace",
            "Cannot create disk system because the targeted free space is zero",
        ),
        Zero("sleeptime", "Cannot create disk system because the sleep time is zero"),
        Empty(
            "comment",
            "Cannot create disk system because the comment is an empty string",
        ),
        exists(
            "Cannot create disk system {disksystem} because a disk system with the same name identifier already exists",
        ),
        Absent(
            "SELECT 1 FROM DISK_INSTANCE_SPACE WHERE DISK_INSTANCE_SPACE_NAME = ?1 AND DISK_INSTANCE_NAME = ?2",
            &["diskinstancespace", "diskinstance"],
            "Cannot create disk system {disksystem}: disk instance space {diskinstancespace} of disk instance {diskinstance} does not exist (foreign key)",
            Fail::Server,
        ),
    ],
    ch: &[
        (
            "comment",
            &[
                DS_NAME,
                Empty(
                    "comment",
                    "Cannot modify disk system because the new comment is an empty string",
                ),
                missing(DS_MISSING),
            ],
        ),
        (
            "fileregexp",
            &[
                DS_NAME,
                Empty(
                    "fileregexp",
                    "Cannot modify disk system because the new fileRegexp is an empty string",
                ),
                missing(DS_MISSING),
            ],
        ),
        (
            "sleeptime",
            &[
                DS_NAME,
                Zero(
                    "sleeptime",
                    "Cannot modify disk system because the new sleep time is zero",
                ),
                missing(DS_MISSING),
            ],
        ),
        (
            "targetedfreespace",
            &[
                DS_NAME,
                Zero(
                    "targetedfreespace",
                    "Cannot modify disk system because the new targeted free space has zero value",
                ),
                missing(DS_MISSING),
            ],
        ),
        (
            "diskinstance",
            &[
                DS_NAME,
                Empty(
                    "diskinstance",
                    "Cannot modify disk system because the new comment is an empty string",
                ),
                missing(DS_MISSING),
            ],
        ),
        (
            "diskinstancespace",
            &[
                DS_NAME,
                Empty(
                    "diskinstancespace",
                    "Cannot modify disk system because the new comment is an empty string",
                ),
                missing(DS_MISSING),
            ],
        ),
    ],
    rm: &[missing(
        "Cannot delete disk system {disksystem} because it does not exist",
    )],
};
