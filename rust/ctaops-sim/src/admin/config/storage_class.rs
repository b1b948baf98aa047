//! Storage classes and their archive routes.

use super::*;

// RdbmsStorageClassCatalogue.cpp: modifyStorageClassComment/NbCopies/Vo.
const SC_CH: &[Check] = &[missing(
    "Cannot modify storage class : {name} because it does not exist",
)];

// RdbmsArchiveRouteCatalogue.cpp: modifyArchiveRouteComment, modifyArchiveRouteTapePoolName
// (which prefixes its own reasons with the route).
pub(super) const AR_CH_TP: &str = "Cannot modify tape pool of archive route: storageClassName={storageclass} copyNb={copynb} tapePoolName={tapepool}: ";

// RdbmsStorageClassCatalogue.cpp: createStorageClass, deleteStorageClass;
// AdminCmd::processStorageClass_Ch: comment, copies, vo.
pub(super) const STORAGECLASS: Family = Family {
    table: "STORAGE_CLASS",
    keys: &[("name", "STORAGE_CLASS_NAME")],
    cols: &[
        ("numberofcopies", "NB_COPIES"),
        ("vo", "VIRTUAL_ORGANIZATION_NAME"),
        COMMENT,
    ],
    defaults: &[],
    add: &[
        Empty(
            "name",
            "Cannot create storage class because the storage class name is an empty string",
        ),
        Empty(
            "comment",
            "Cannot create storage class because the comment is an empty string",
        ),
        Empty("vo", "Cannot create storage class because the vo is an empty string"),
        exists("Cannot create storage class : {name} because it already exists"),
        Absent(
            VO_EXISTS,
            &["vo"],
            "Cannot create storage class : {name} because the vo : {vo} does not exist",
            Fail::User,
        ),
    ],
    ch: &[
        ("comment", SC_CH),
        ("numberofcopies", SC_CH),
        (
            "vo",
            &[
                Empty(
                    "vo",
                    "Cannot modify the vo of the storage class : {name} because the vo is an empty string",
                ),
                Absent(
                    VO_EXISTS,
                    &["vo"],
                    "Cannot modify storage class : {name} because the vo {vo} does not exist",
                    Fail::User,
                ),
                missing("Cannot modify storage class : {name} because it does not exist"),
            ],
        ),
    ],
    rm: &[
        Found(
            "SELECT 1 FROM ARCHIVE_ROUTE WHERE STORAGE_CLASS_NAME = ?1",
            &["name"],
            "The {name} storage class is being used by one or more archive routes",
            Fail::User,
        ),
        Found(
            "SELECT 1 FROM ARCHIVE_FILE WHERE STORAGE_CLASS_NAME = ?1",
            &["name"],
            "The {name} storage class is being used by one or more archive files",
            Fail::User,
        ),
        Found(
            "SELECT 1 FROM FILE_RECYCLE_LOG WHERE STORAGE_CLASS_NAME = ?1",
            &["name"],
            "The {name} storage class is being used by one or more file in the recycle logs",
            Fail::User,
        ),
        missing("Cannot delete storage-class : {name} because it does not exist"),
    ],
};

// RdbmsArchiveRouteCatalogue.cpp: createArchiveRoute, modifyArchiveRouteComment,
// modifyArchiveRouteTapePoolName, deleteArchiveRoute; the route type is parsed first by
// AdminCmd (strToArchiveRouteType).
pub(super) const ARCHIVEROUTE: Family = Family {
    table: "ARCHIVE_ROUTE",
    keys: &[
        ("storageclass", "STORAGE_CLASS_NAME"),
        ("copynb", "COPY_NB"),
        ("archiveroutetype", "ARCHIVE_ROUTE_TYPE"),
    ],
    cols: &[("tapepool", "TAPE_POOL_NAME"), COMMENT],
    defaults: &[],
    add: &[
        Rule(route_type),
        Empty(
            "storageclass",
            "Cannot create archive route because storage class name is an empty string",
        ),
        Zero("copynb", "Cannot create archive route because copy number is zero"),
        Empty(
            "tapepool",
            "Cannot create archive route because tape pool name is an empty string",
        ),
        Empty(
            "comment",
            "Cannot create archive route because comment is an empty string",
        ),
        exists(
            "Cannot create archive route : ({storageclass},{copynb},{archiveroutetype})->{tapepool} because it already exists",
        ),
        Found(
            "SELECT 1 FROM ARCHIVE_ROUTE WHERE STORAGE_CLASS_NAME = ?1 AND TAPE_POOL_NAME = ?2",
            &["storageclass", "tapepool"],
            "Cannot create archive route : ({storageclass},{copynb},{archiveroutetype})->{tapepool} because storage class {storageclass} already contains a route pointing to tape pool {tapepool}",
            Fail::User,
        ),
        Absent(
            SC_EXISTS,
            &["storageclass"],
            "Cannot create archive route : ({storageclass},{copynb},{archiveroutetype})->{tapepool} because storage class {storageclass} does not exist",
            Fail::User,
        ),
        Absent(
            TP_EXISTS,
            &["tapepool"],
            "Cannot create archive route : ({storageclass},{copynb},{archiveroutetype})->{tapepool} because tape pool {tapepool} does not exist",
            Fail::User,
        ),
    ],
    ch: &[
        ("", &[Rule(route_type)]),
        (
            "comment",
            &[missing(
                "Cannot modify archive route for storage-class :{storageclass} and copy number {copynb} because it does not exist",
            )],
        ),
        ("tapepool", &[Rule(route_tape_pool)]),
    ],
    rm: &[
        Rule(route_type),
        missing(
            "Cannot delete archive route for storage-class {storageclass}, copy number {copynb} and type {archiveroutetype} because it does not exist",
        ),
    ],
};
