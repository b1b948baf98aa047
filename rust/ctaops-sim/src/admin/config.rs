//! add/ch/rm of the catalogue's configuration tables, described as data: which options are the
//! key, which set columns, and, per subcommand, the checks CTA makes, in CTA's order and with
//! CTA's texts. The texts come from CTA's `catalogue/rdbms/Rdbms*Catalogue.cpp` (each family's
//! `create*`, `modify*`, `delete*`) and `frontend/common/AdminCmd.cpp` (`process<Family>_Add/Ch/Rm`,
//! which decides which catalogue calls a `ch` makes and in which order); the function is named
//! next to each table. CTA sends a `UserError`'s text as it is (`XrdSsiCtaRequestProc.cpp`), so
//! what cta-admin prints on stderr is exactly the text below.
//!
//! Where CTA has no check of its own and relies on a foreign key of its schema, the database
//! error reaches cta-admin as a server error (exit 1); the simulator refuses with
//! [`Fail::Server`] and a text of its own (CTA's is the database driver's).

use crate::catalogue::Value as Sql;
use crate::catalogue::{Db, OptionalExtension};

use super::change::{Who, check_supply, set_supply};
use super::parse::{Parsed, Value};
use crate::catalogue::now;
use crate::error::{Result, SimError, user};

/// How CTA reports a failed check.
#[derive(Clone, Copy)]
enum Fail {
    /// A `UserError`: exit 2, `[]` under `--json`.
    User,
    /// A database error (a foreign key CTA does not check itself): exit 1.
    Server,
}

/// One check. Texts are templates: `{opt}` is the value of option `opt` (key options as CTA
/// stores them, e.g. the route type upper-cased), `{found}` the first column the query found.
enum Check {
    /// The option is given as an empty string (CTA's `UserSpecifiedAnEmptyString…`).
    Empty(&'static str, &'static str),
    /// The option is given as zero (`UserSpecifiedAZero…`).
    Zero(&'static str, &'static str),
    /// Refused when the query (bound to the values of the options) finds a row; `""` as the
    /// query means "the family's own row, by its key". Skipped when an option is not given.
    Found(&'static str, &'static [&'static str], &'static str, Fail),
    /// Refused when the query finds no row; skipped when an option is not given or empty.
    Absent(&'static str, &'static [&'static str], &'static str, Fail),
    /// A rule that needs code.
    Rule(fn(&Db, &Parsed) -> Result<()>),
}

use Check::{Absent, Empty, Found, Rule, Zero};

/// The row already exists (CTA's `…Exists()` before an insert).
const fn exists(msg: &'static str) -> Check {
    Found("", &[], msg, Fail::User)
}

/// The row does not exist (CTA's UPDATE/DELETE affecting no row).
const fn missing(msg: &'static str) -> Check {
    Absent("", &[], msg, Fail::User)
}

/// (option, checks) of `ch`, in the order `AdminCmd::process<Family>_Ch` calls the catalogue;
/// a step runs when its option is given, `""` always.
type Steps = &'static [(&'static str, &'static [Check])];

/// One configuration table as cta-admin sees it.
struct Family {
    table: &'static str,
    /// (option key, column) of the primary key.
    keys: &'static [(&'static str, &'static str)],
    /// (option key, column) set by add/ch when given.
    cols: &'static [(&'static str, &'static str)],
    /// Columns set on add when no option gives them (SQL literals).
    defaults: &'static [(&'static str, &'static str)],
    add: &'static [Check],
    ch: Steps,
    rm: &'static [Check],
}

const COMMENT: (&str, &str) = ("comment", "USER_COMMENT");
const RULE_COLS: &[(&str, &str)] = &[("mountpolicy", "MOUNT_POLICY_NAME"), COMMENT];

const VO_EXISTS: &str = "SELECT 1 FROM VIRTUAL_ORGANIZATION WHERE VIRTUAL_ORGANIZATION_NAME = ?1";
const MP_EXISTS: &str = "SELECT 1 FROM MOUNT_POLICY WHERE MOUNT_POLICY_NAME = ?1";
const DI_EXISTS: &str = "SELECT 1 FROM DISK_INSTANCE WHERE DISK_INSTANCE_NAME = ?1";
const TP_EXISTS: &str = "SELECT 1 FROM TAPE_POOL WHERE TAPE_POOL_NAME = ?1";
const SC_EXISTS: &str = "SELECT 1 FROM STORAGE_CLASS WHERE STORAGE_CLASS_NAME = ?1";

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

// RdbmsStorageClassCatalogue.cpp: modifyStorageClassComment/NbCopies/Vo.
const SC_CH: &[Check] = &[missing(
    "Cannot modify storage class : {name} because it does not exist",
)];

// RdbmsArchiveRouteCatalogue.cpp: modifyArchiveRouteComment, modifyArchiveRouteTapePoolName
// (which prefixes its own reasons with the route).
const AR_CH_TP: &str = "Cannot modify tape pool of archive route: storageClassName={storageclass} copyNb={copynb} tapePoolName={tapepool}: ";

// RdbmsVirtualOrganizationCatalogue.cpp: modifyVirtualOrganization*.
const VO_CH_MISSING: &str = "Cannot modify virtual organization : {vo} because it does not exist";
const VO_CH: &[Check] = &[missing(VO_CH_MISSING)];

// RdbmsMediaTypeCatalogue.cpp: modifyMediaType*.
const MT_CH: &[Check] = &[missing("Cannot modify media type {name} because it does not exist")];

// RdbmsMountPolicyCatalogue.cpp: modifyMountPolicy* (sic: "they").
const MP_CH: &[Check] = &[missing("Cannot modify mount policy {name} because they do not exist")];

// RdbmsRequesterMountRuleCatalogue.cpp: modifyRequesterMountRuleComment/Policy. Changing the
// policy to one that does not exist trips the rule's foreign key (no check of CTA's own).
const RMR_MISSING: &str = "Cannot modify requester mount rule {instance}:{name} because it does not exist";
const RMR_CH_MP: &[Check] = &[
    missing(RMR_MISSING),
    Absent(
        MP_EXISTS,
        &["mountpolicy"],
        "Cannot modify requester mount rule {instance}:{name}: mount policy {mountpolicy} does not exist (foreign key)",
        Fail::Server,
    ),
];
// RdbmsRequesterGroupMountRuleCatalogue.cpp: modifyRequesterGroupMountRuleComment/Policy.
const GMR_MISSING: &str = "Cannot modify requester group mount rule {instance}:{name} because it does not exist";
const GMR_CH_MP: &[Check] = &[
    missing(GMR_MISSING),
    Absent(
        MP_EXISTS,
        &["mountpolicy"],
        "Cannot modify requester group mount rule {instance}:{name}: mount policy {mountpolicy} does not exist (foreign key)",
        Fail::Server,
    ),
];
// RdbmsRequesterActivityMountRuleCatalogue.cpp: modifyRequesterActivityMountRuleComment/Policy
// (sic: two spaces, no space before "for").
const AMR_MISSING: &str = "Cannot modify requester  activity mount rule {instance}:{name}for activities matching {activityregex} because it does not exist";
const AMR_CH_MP: &[Check] = &[
    missing(AMR_MISSING),
    Absent(
        MP_EXISTS,
        &["mountpolicy"],
        "Cannot modify requester activity mount rule {instance}:{name}: mount policy {mountpolicy} does not exist (foreign key)",
        Fail::Server,
    ),
];

// RdbmsDiskInstanceSpaceCatalogue.cpp: modifyDiskInstanceSpace* (sic: "disk system").
const DIS_MISSING: &str = "Cannot modify disk system {name} because it does not exist";

// RdbmsDiskSystemCatalogue.cpp: modifyDiskSystem* (sic: the instance (space) name checks say "comment").
const DS_MISSING: &str = "Cannot modify disk system {disksystem} because it does not exist";
const DS_NAME: Check = Empty(
    "disksystem",
    "Cannot modify disk system because the disk system name is an empty string",
);

fn family(cmd: &str) -> Option<Family> {
    Some(match cmd {
        "admin" => {
            const F: Family = Family {
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
                    exists(
                        "Cannot create admin user {username} because an admin user with the same name already exists",
                    ),
                ],
                ch: &[("comment", ADMIN_CH)],
                rm: &[missing("Cannot delete admin-user {username} because they do not exist")],
            };
            F
        }
        // RdbmsStorageClassCatalogue.cpp: createStorageClass, deleteStorageClass;
        // AdminCmd::processStorageClass_Ch: comment, copies, vo.
        "storageclass" => {
            const F: Family = Family {
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
            F
        }
        // RdbmsArchiveRouteCatalogue.cpp: createArchiveRoute, modifyArchiveRouteComment,
        // modifyArchiveRouteTapePoolName, deleteArchiveRoute; the route type is parsed first by
        // AdminCmd (strToArchiveRouteType).
        "archiveroute" => {
            const F: Family = Family {
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
            F
        }
        // RdbmsVirtualOrganizationCatalogue.cpp: createVirtualOrganization,
        // modifyVirtualOrganization*, deleteVirtualOrganization; the repack rules of
        // AdminCmd::processVirtualOrganization_Ch/_Rm come first.
        "virtualorganization" => {
            const F: Family = Family {
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
            F
        }
        // RdbmsMediaTypeCatalogue.cpp: createMediaType, modifyMediaType*, deleteMediaType; the
        // bounds of AdminCmd::processMediaType_Add/_Ch come first. `mt ch` has no capacity.
        "mediatype" => {
            const F: Family = Family {
                table: "MEDIA_TYPE",
                keys: &[("name", "MEDIA_TYPE_NAME")],
                cols: &[
                    ("cartridge", "CARTRIDGE"),
                    ("capacity", "CAPACITY_IN_BYTES"),
                    ("primarydensitycode", "PRIMARY_DENSITY_CODE"),
                    ("secondarydensitycode", "SECONDARY_DENSITY_CODE"),
                    ("nbwraps", "NB_WRAPS"),
                    ("minlpos", "MIN_LPOS"),
                    ("maxlpos", "MAX_LPOS"),
                    COMMENT,
                ],
                defaults: &[],
                add: &[
                    Rule(media_bounds),
                    Empty(
                        "name",
                        "Cannot create media type because the media type name is an empty string",
                    ),
                    Empty(
                        "cartridge",
                        "Cannot create media type {name} because the cartridge is an empty string",
                    ),
                    Empty(
                        "comment",
                        "Cannot create media type {name} because the comment is an empty string",
                    ),
                    Zero(
                        "capacity",
                        "Cannot create media type {name} because the capacity is zero",
                    ),
                    exists("Cannot create media type {name} because it already exists"),
                ],
                ch: &[
                    ("", &[Rule(media_bounds)]),
                    ("cartridge", MT_CH),
                    ("primarydensitycode", MT_CH),
                    ("secondarydensitycode", MT_CH),
                    ("nbwraps", MT_CH),
                    ("minlpos", MT_CH),
                    ("maxlpos", MT_CH),
                    ("comment", MT_CH),
                ],
                rm: &[
                    Found(
                        "SELECT 1 FROM TAPE WHERE MEDIA_TYPE_NAME = ?1",
                        &["name"],
                        "The {name} media type is being used by one or more tapes",
                        Fail::User,
                    ),
                    missing("Cannot delete media type {name} because it does not exist"),
                ],
            };
            F
        }
        // RdbmsMountPolicyCatalogue.cpp: createMountPolicy, modifyMountPolicy*, deleteMountPolicy
        // (a policy still named by a rule trips the rule's foreign key).
        "mountpolicy" => {
            const F: Family = Family {
                table: "MOUNT_POLICY",
                keys: &[("name", "MOUNT_POLICY_NAME")],
                cols: &[
                    ("archivepriority", "ARCHIVE_PRIORITY"),
                    ("minarchiverequestage", "ARCHIVE_MIN_REQUEST_AGE"),
                    ("retrievepriority", "RETRIEVE_PRIORITY"),
                    ("minretrieverequestage", "RETRIEVE_MIN_REQUEST_AGE"),
                    COMMENT,
                ],
                defaults: &[],
                add: &[exists(
                    "Cannot create mount policy {name} because a mount policy with the same name already exists",
                )],
                ch: &[
                    ("archivepriority", MP_CH),
                    ("minarchiverequestage", MP_CH),
                    ("retrievepriority", MP_CH),
                    ("minretrieverequestage", MP_CH),
                    ("comment", MP_CH),
                ],
                rm: &[
                    missing("Cannot delete mount policy {name} because it does not exist"),
                    Found(
                        "SELECT 1 FROM REQUESTER_MOUNT_RULE WHERE MOUNT_POLICY_NAME = ?1 UNION ALL
                     SELECT 1 FROM REQUESTER_GROUP_MOUNT_RULE WHERE MOUNT_POLICY_NAME = ?1 UNION ALL
                     SELECT 1 FROM REQUESTER_ACTIVITY_MOUNT_RULE WHERE MOUNT_POLICY_NAME = ?1",
                        &["name"],
                        "Cannot delete mount policy {name}: it is used by a mount rule (foreign key)",
                        Fail::Server,
                    ),
                ],
            };
            F
        }
        // RdbmsRequesterMountRuleCatalogue.cpp: createRequesterMountRule,
        // modifyRequesterMountRule*, deleteRequesterMountRule.
        "requestermountrule" => {
            const F: Family = Family {
                table: "REQUESTER_MOUNT_RULE",
                keys: &[("instance", "DISK_INSTANCE_NAME"), ("name", "REQUESTER_NAME")],
                cols: RULE_COLS,
                defaults: &[],
                add: &[
                    Found(
                        "SELECT MOUNT_POLICY_NAME FROM REQUESTER_MOUNT_RULE WHERE DISK_INSTANCE_NAME = ?1 AND REQUESTER_NAME = ?2",
                        &["instance", "name"],
                        "Cannot create rule to assign mount-policy {mountpolicy} to requester {instance}:{name} because the requester is already assigned to mount-policy {found}",
                        Fail::User,
                    ),
                    Absent(
                        MP_EXISTS,
                        &["mountpolicy"],
                        "Cannot create a rule to assign mount-policy {mountpolicy} to requester {instance}:{name} because mount-policy {mountpolicy} does not exist",
                        Fail::User,
                    ),
                    Absent(
                        DI_EXISTS,
                        &["instance"],
                        "Cannot create a rule to assign mount-policy {mountpolicy} to requester {instance}:{name} because disk-instance {instance} does not exist",
                        Fail::User,
                    ),
                ],
                ch: &[("comment", &[missing(RMR_MISSING)]), ("mountpolicy", RMR_CH_MP)],
                rm: &[missing(
                    "Cannot delete mount rule for requester {instance}:{name} because the rule does not exist",
                )],
            };
            F
        }
        // RdbmsRequesterGroupMountRuleCatalogue.cpp: createRequesterGroupMountRule,
        // modifyRequesterGroupMountRule*, deleteRequesterGroupMountRule.
        "groupmountrule" => {
            const F: Family = Family {
                table: "REQUESTER_GROUP_MOUNT_RULE",
                keys: &[("instance", "DISK_INSTANCE_NAME"), ("name", "REQUESTER_GROUP_NAME")],
                cols: RULE_COLS,
                defaults: &[],
                add: &[
                    Found(
                        "SELECT MOUNT_POLICY_NAME FROM REQUESTER_GROUP_MOUNT_RULE WHERE DISK_INSTANCE_NAME = ?1 AND REQUESTER_GROUP_NAME = ?2",
                        &["instance", "name"],
                        "Cannot create rule to assign mount-policy {mountpolicy} to requester-group {instance}:{name} because a rule already exists assigning the requester-group to mount-policy {found}",
                        Fail::User,
                    ),
                    Absent(
                        MP_EXISTS,
                        &["mountpolicy"],
                        "Cannot assign mount-policy {mountpolicy} to requester-group {instance}:{name} because mount-policy {mountpolicy} does not exist",
                        Fail::User,
                    ),
                    Absent(
                        DI_EXISTS,
                        &["instance"],
                        "Cannot assign mount-policy {mountpolicy} to requester-group {instance}:{name} because disk-instance {instance} does not exist",
                        Fail::User,
                    ),
                ],
                ch: &[("comment", &[missing(GMR_MISSING)]), ("mountpolicy", GMR_CH_MP)],
                rm: &[missing(
                    "Cannot delete the mount rule for requester group {instance}:{name} because it does not exist",
                )],
            };
            F
        }
        // RdbmsRequesterActivityMountRuleCatalogue.cpp: createRequesterActivityMountRule,
        // modifyRequesterActivityMountRule*, deleteRequesterActivityMountRule.
        "activitymountrule" => {
            const F: Family = Family {
                table: "REQUESTER_ACTIVITY_MOUNT_RULE",
                keys: &[
                    ("instance", "DISK_INSTANCE_NAME"),
                    ("name", "REQUESTER_NAME"),
                    ("activityregex", "ACTIVITY_REGEX"),
                ],
                cols: RULE_COLS,
                defaults: &[],
                add: &[
                    exists(
                        "Cannot create rule to assign mount-policy {mountpolicy} to requester {instance}:{name} for activities matching {activityregex} because that requester-activity mount rule already exists",
                    ),
                    Absent(
                        MP_EXISTS,
                        &["mountpolicy"],
                        "Cannot create a rule to assign mount-policy {mountpolicy} to requester {instance}:{name} for activities matching {activityregex} because mount-policy {mountpolicy} does not exist",
                        Fail::User,
                    ),
                    Absent(
                        DI_EXISTS,
                        &["instance"],
                        "Cannot create a rule to assign mount-policy {mountpolicy} to requester {instance}:{name} for activities matching {activityregex} because disk-instance {instance} does not exist",
                        Fail::User,
                    ),
                ],
                ch: &[("comment", &[missing(AMR_MISSING)]), ("mountpolicy", AMR_CH_MP)],
                rm: &[missing(
                    "Cannot delete mount rule for requester {instance}:{name} and activity regex {activityregex} because the rule does not exist",
                )],
            };
            F
        }
        // RdbmsDiskInstanceCatalogue.cpp: createDiskInstance (sic: "disk system" in its empty
        // checks), modifyDiskInstanceComment, deleteDiskInstance (foreign keys block it).
        "diskinstance" => {
            const F: Family = Family {
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
            F
        }
        // RdbmsDiskInstanceSpaceCatalogue.cpp: createDiskInstanceSpace, modifyDiskInstanceSpace*,
        // deleteDiskInstanceSpace.
        "diskinstancespace" => {
            const F: Family = Family {
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
            F
        }
        // RdbmsDiskSystemCatalogue.cpp: createDiskSystem, modifyDiskSystem*, deleteDiskSystem;
        // AdminCmd::processDiskSystem_Ch: comment, regexp, sleep time, free space, instance, space.
        "disksystem" => {
            const F: Family = Family {
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
            F
        }
        // RdbmsLogicalLibraryCatalogue.cpp: createLogicalLibrary, deleteLogicalLibrary (its DELETE
        // skips a library holding tapes; drives do not hold it). `ll ch` is in change.rs.
        "logicallibrary" => {
            const F: Family = Family {
                table: "LOGICAL_LIBRARY",
                keys: &[("name", "LOGICAL_LIBRARY_NAME")],
                cols: &[
                    ("disabled", "IS_DISABLED"),
                    ("physicallibrary", "PHYSICAL_LIBRARY_NAME"),
                    COMMENT,
                ],
                defaults: &[],
                add: &[
                    exists(
                        "Cannot create logical library {name} because a logical library with the same name already exists",
                    ),
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
            F
        }
        // RdbmsPhysicalLibraryCatalogue.cpp: createPhysicalLibrary and deletePhysicalLibrary turn
        // constraint violations into user errors naming the constraint (then the driver's text,
        // approximated here); modifyPhysicalLibrary always runs its UPDATE.
        "physicallibrary" => {
            const F: Family = Family {
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
            F
        }
        // RdbmsTapePoolCatalogue.cpp: createTapePool, deleteTapePool (archive routes first, then
        // tapes). `tp ch` is in change.rs.
        "tapepool" => {
            const F: Family = Family {
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
            F
        }
        _ => return None,
    })
}

/// True when `cmd sub` is handled here.
#[must_use]
pub fn handles(cmd: &str, sub: &str) -> bool {
    matches!(sub, "add" | "ch" | "rm") && family(cmd).is_some()
}

/// An option's value as the catalogue stores it. An empty key name means "no key" and an empty
/// disabled reason "no reason" (CTA binds them as NULL); other empty strings are stored as given.
fn sql_value(opt: &str, v: &Value) -> Sql {
    match v {
        Value::Str(s) if s.is_empty() && matches!(opt, "encryptionkeyname" | "disabledreason") => Sql::Null,
        Value::Str(s) => Sql::Text(s.clone()),
        Value::Uint(u) => Sql::Integer(i64::try_from(*u).unwrap_or(i64::MAX)),
        Value::Bool(b) => Sql::Integer(i64::from(*b)),
        Value::List(l) => Sql::Text(l.join(",")),
    }
}

/// The value of option `opt`, normalised as CTA stores it (the route type upper-cased, DEFAULT
/// when not given: `AdminCmd::processArchiveRoute_Add`).
fn opt_value(p: &Parsed, opt: &str) -> Option<Sql> {
    match (opt, p.opts.get(opt)) {
        ("archiveroutetype", Some(Value::Str(s))) => Some(Sql::Text(s.to_uppercase())),
        ("archiveroutetype", _) => Some(Sql::Text("DEFAULT".into())),
        (_, v) => v.map(|v| sql_value(opt, v)),
    }
}

/// The key values of the command.
fn key_values(fam: &Family, p: &Parsed) -> Vec<(&'static str, Sql)> {
    fam.keys
        .iter()
        .map(|(opt, col)| (*col, opt_value(p, opt).unwrap_or(Sql::Null)))
        .collect()
}

fn text(v: &Sql) -> String {
    match v {
        Sql::Text(s) => s.clone(),
        Sql::Integer(i) => i.to_string(),
        Sql::Real(f) => f.to_string(),
        _ => String::new(),
    }
}

/// Fills a template: `{opt}` with the option's value, `{found}` with `found`.
fn fill(tpl: &str, p: &Parsed, found: Option<&Sql>) -> String {
    let mut out = String::with_capacity(tpl.len());
    let mut rest = tpl;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        let Some(end) = after
            .find('}')
            .filter(|e| after[..*e].chars().all(|c| c.is_ascii_lowercase()))
        else {
            out.push('{');
            rest = after;
            continue;
        };
        let word = &after[..end];
        let v = if word == "found" {
            found.cloned()
        } else {
            opt_value(p, word)
        };
        out.push_str(&v.as_ref().map(text).unwrap_or_default());
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    out
}

fn refuse(fail: Fail, msg: String) -> SimError {
    match fail {
        Fail::User => SimError::User(msg),
        Fail::Server => SimError::Cta(msg),
    }
}

/// The first column of the first row `sql` finds, if any.
fn first(tx: &Db, sql: &str, vals: &[Sql]) -> Result<Option<Sql>> {
    tx.query_row(sql, crate::catalogue::params_from_iter(vals.iter()), |r| {
        Ok(r.0.first().cloned().unwrap_or(Sql::Null))
    })
    .optional()
}

/// Runs `checks` in order; the first that fails refuses the command.
fn run_checks(tx: &Db, fam: &Family, p: &Parsed, keys: &[(&str, Sql)], checks: &[Check]) -> Result<()> {
    for c in checks {
        match c {
            Empty(opt, msg) => {
                if matches!(p.opts.get(opt), Some(Value::Str(s)) if s.is_empty()) {
                    return user(fill(msg, p, None));
                }
            }
            Zero(opt, msg) => {
                if p.uint(opt) == Some(0) {
                    return user(fill(msg, p, None));
                }
            }
            Found(sql, args, msg, fail) | Absent(sql, args, msg, fail) => {
                let want_row = matches!(c, Absent(..));
                let (sql, vals) = if sql.is_empty() {
                    let cond: Vec<String> = keys
                        .iter()
                        .enumerate()
                        .map(|(i, (col, _))| format!("{col} = ?{}", i + 1))
                        .collect();
                    (
                        format!("SELECT 1 FROM {} WHERE {}", fam.table, cond.join(" AND ")),
                        keys.iter().map(|(_, v)| v.clone()).collect::<Vec<_>>(),
                    )
                } else {
                    let vals: Vec<Sql> = args.iter().filter_map(|a| opt_value(p, a)).collect();
                    // A reference check is CTA's only when the option names something.
                    let unnamed =
                        |v: &Sql| matches!(v, Sql::Null) || (want_row && matches!(v, Sql::Text(s) if s.is_empty()));
                    if vals.len() < args.len() || vals.iter().any(unnamed) {
                        continue;
                    }
                    ((*sql).to_owned(), vals)
                };
                let found = first(tx, &sql, &vals)?;
                if found.is_some() != want_row {
                    return Err(refuse(*fail, fill(msg, p, found.as_ref())));
                }
            }
            Rule(f) => f(tx, p)?,
        }
    }
    Ok(())
}

/// Runs `cmd add|ch|rm` of a configuration family; returns the `message_txt` (always empty).
pub fn run(tx: &Db, p: &Parsed, who: &Who) -> Result<String> {
    let Some(fam) = family(&p.cmd) else {
        return user(format!("{} {} is not a configuration command", p.cmd, p.sub));
    };
    let keys = key_values(&fam, p);
    let t = i64::try_from(now(tx)?).unwrap_or(i64::MAX);
    match p.sub.as_str() {
        "add" => {
            run_checks(tx, &fam, p, &keys, fam.add)?;
            insert(tx, &fam, p, &keys, who, t)?;
        }
        "ch" => {
            // One catalogue call per given option, in AdminCmd's order; no option, no call.
            for (opt, checks) in fam.ch {
                if opt.is_empty() || p.opts.contains_key(opt) {
                    run_checks(tx, &fam, p, &keys, checks)?;
                }
            }
            if fam.cols.iter().any(|(opt, _)| p.opts.contains_key(opt)) {
                update(tx, &fam, p, &keys, who, t)?;
            }
        }
        _ => {
            run_checks(tx, &fam, p, &keys, fam.rm)?;
            let cond: Vec<String> = keys.iter().map(|(c, _)| format!("{c} = ?")).collect();
            tx.execute(
                &format!("DELETE FROM {} WHERE {}", fam.table, cond.join(" AND ")),
                crate::catalogue::params_from_iter(keys.iter().map(|(_, v)| v)),
            )?;
            if p.cmd == "tapepool" {
                tx.execute(
                    "DELETE FROM TAPE_POOL_SUPPLY WHERE SUPPLY_SOURCE_TAPE_POOL_NAME = ?1 OR SUPPLY_DESTINATION_TAPE_POOL_NAME = ?1",
                    [&keys[0].1],
                )?;
            }
        }
    }
    Ok(String::new())
}

fn insert(tx: &Db, fam: &Family, p: &Parsed, keys: &[(&str, Sql)], who: &Who, t: i64) -> Result<()> {
    let mut cols: Vec<String> = Vec::new();
    let mut vals: Vec<Sql> = Vec::new();
    for (c, v) in keys {
        cols.push((*c).to_owned());
        vals.push(v.clone());
    }
    for (opt, col) in fam.cols {
        if let Some(v) = p.opts.get(opt) {
            cols.push((*col).to_owned());
            vals.push(sql_value(opt, v));
        }
    }
    for c in [
        "CREATION_LOG_USER_NAME",
        "CREATION_LOG_HOST_NAME",
        "LAST_UPDATE_USER_NAME",
        "LAST_UPDATE_HOST_NAME",
    ] {
        cols.push(c.to_owned());
        vals.push(Sql::Text(if c.ends_with("USER_NAME") {
            who.user.clone()
        } else {
            who.host.clone()
        }));
    }
    for c in ["CREATION_LOG_TIME", "LAST_UPDATE_TIME"] {
        cols.push(c.to_owned());
        vals.push(Sql::Integer(t));
    }
    let mut marks: Vec<String> = vec!["?".to_owned(); vals.len()];
    for (col, lit) in fam.defaults {
        if !cols.iter().any(|c| c == col) {
            cols.push((*col).to_owned());
            marks.push((*lit).to_owned());
        }
    }
    tx.execute(
        &format!(
            "INSERT INTO {}({}) VALUES({})",
            fam.table,
            cols.join(", "),
            marks.join(", ")
        ),
        crate::catalogue::params_from_iter(vals.iter()),
    )?;
    after_write(tx, p, keys)
}

fn update(tx: &Db, fam: &Family, p: &Parsed, keys: &[(&str, Sql)], who: &Who, t: i64) -> Result<()> {
    let mut sets: Vec<String> = vec![
        "LAST_UPDATE_USER_NAME = ?".into(),
        "LAST_UPDATE_HOST_NAME = ?".into(),
        "LAST_UPDATE_TIME = ?".into(),
    ];
    let mut vals: Vec<Sql> = vec![
        Sql::Text(who.user.clone()),
        Sql::Text(who.host.clone()),
        Sql::Integer(t),
    ];
    for (opt, col) in fam.cols {
        if let Some(v) = p.opts.get(opt) {
            sets.push(format!("{col} = ?"));
            vals.push(sql_value(opt, v));
        }
    }
    // `--disabled false` without a reason clears the reason (AdminCmd::processPhysicalLibrary_Ch).
    if p.bool("disabled") == Some(false) && p.str("disabledreason").is_none() && p.cmd == "physicallibrary" {
        sets.push("DISABLED_REASON = NULL".into());
    }
    let cond: Vec<String> = keys.iter().map(|(c, _)| format!("{c} = ?")).collect();
    vals.extend(keys.iter().map(|(_, v)| v.clone()));
    tx.execute(
        &format!(
            "UPDATE {} SET {} WHERE {}",
            fam.table,
            sets.join(", "),
            cond.join(" AND ")
        ),
        crate::catalogue::params_from_iter(vals.iter()),
    )?;
    after_write(tx, p, keys)
}

/// Derived columns and side tables written with the row.
fn after_write(tx: &Db, p: &Parsed, keys: &[(&str, Sql)]) -> Result<()> {
    if p.cmd != "tapepool" {
        return Ok(());
    }
    let Sql::Text(name) = &keys[0].1 else {
        return Ok(());
    };
    if p.str("encryptionkeyname").is_some() || p.sub == "add" {
        tx.execute(
            "UPDATE TAPE_POOL SET IS_ENCRYPTED = CASE WHEN ENCRYPTION_KEY_NAME IS NULL THEN 0 ELSE 1 END WHERE TAPE_POOL_NAME = ?1",
            [name],
        )?;
    }
    if let Some(s) = p.str("supply") {
        set_supply(tx, name, s)?;
    }
    Ok(())
}

/// `strToArchiveRouteType` (common/dataStructures/ArchiveRouteType.cpp), which
/// `AdminCmd::processArchiveRoute_*` calls before the catalogue.
fn route_type(_: &Db, p: &Parsed) -> Result<()> {
    match opt_value(p, "archiveroutetype") {
        Some(Sql::Text(t)) if t != "DEFAULT" && t != "REPACK" => user(format!(
            "The type given ({t}) does not exist. Possible values are DEFAULT and REPACK."
        )),
        _ => Ok(()),
    }
}

/// `RdbmsArchiveRouteCatalogue::modifyArchiveRouteTapePoolName`: its reasons prefixed with the
/// route; a second route of the class to the same pool breaks the schema's unique constraint.
fn route_tape_pool(tx: &Db, p: &Parsed) -> Result<()> {
    let prefix = fill(AR_CH_TP, p, None);
    let sc = opt_value(p, "storageclass").unwrap_or(Sql::Null);
    let nb = opt_value(p, "copynb").unwrap_or(Sql::Null);
    let ty = opt_value(p, "archiveroutetype").unwrap_or(Sql::Null);
    let tp = opt_value(p, "tapepool").unwrap_or(Sql::Null);
    let route =
        "SELECT 1 FROM ARCHIVE_ROUTE WHERE STORAGE_CLASS_NAME = ?1 AND COPY_NB = ?2 AND ARCHIVE_ROUTE_TYPE = ?3";
    if first(tx, route, &[sc.clone(), nb.clone(), ty.clone()])?.is_none() {
        return user(format!("{prefix}Archive route does not exist"));
    }
    if first(tx, TP_EXISTS, std::slice::from_ref(&tp))?.is_none() {
        return user(format!("{prefix}Tape pool does not exist"));
    }
    let other = "SELECT 1 FROM ARCHIVE_ROUTE WHERE STORAGE_CLASS_NAME = ?1 AND TAPE_POOL_NAME = ?2
                 AND NOT (COPY_NB = ?3 AND ARCHIVE_ROUTE_TYPE = ?4)";
    if first(tx, other, &[sc, tp, nb, ty])?.is_some() {
        return Err(SimError::Cta(format!(
            "{prefix}storage class {} already has a route to tape pool {} (unique constraint)",
            p.str("storageclass").unwrap_or_default(),
            p.str("tapepool").unwrap_or_default()
        )));
    }
    Ok(())
}

/// The repack VO, if one is set.
fn repack_vo(tx: &Db) -> Result<Option<String>> {
    tx.query_row(
        "SELECT VIRTUAL_ORGANIZATION_NAME FROM VIRTUAL_ORGANIZATION WHERE IS_REPACK_VO = 1",
        (),
        |r| r.get(0),
    )
    .optional()
}

fn repacks_exist(tx: &Db) -> Result<bool> {
    Ok(first(tx, "SELECT 1 FROM SIM_REPACK", &[])?.is_some())
}

/// The frontend's text when the repack VO would go while repacks exist
/// (AdminCmd::processVirtualOrganization_Ch/_Rm, the same after C++ string concatenation).
const REPACK_VO_BUSY: &str = "Cannot remove default virtual organization for repack while repacks are ongoing.";
/// RdbmsVirtualOrganizationCatalogue::createVirtualOrganization/modifyVirtualOrganizationIsRepackVo.
const REPACK_VO_TAKEN: &str = "There already exists a default VO for repacking";

fn vo_add_repack(tx: &Db, p: &Parsed) -> Result<()> {
    if p.bool("isrepackvo") == Some(true) && repack_vo(tx)?.is_some() {
        return user(REPACK_VO_TAKEN);
    }
    Ok(())
}

/// `vo ch --isrepackvo`: the frontend refuses any `false` while repacks exist (whichever VO);
/// the catalogue does nothing when the flag is already as asked.
fn vo_ch_repack(tx: &Db, p: &Parsed) -> Result<()> {
    let want = p.flag("isrepackvo");
    if !want && repacks_exist(tx)? {
        return user(REPACK_VO_BUSY);
    }
    let name = p.str("vo").unwrap_or_default();
    match repack_vo(tx)? {
        Some(current) if want && current != name => user(REPACK_VO_TAKEN),
        Some(current) if current == name => Ok(()),
        None if !want => Ok(()),
        Some(_) if !want => Ok(()),
        _ => {
            if first(tx, VO_EXISTS, &[Sql::Text(name.to_owned())])?.is_none() {
                return user(fill(VO_CH_MISSING, p, None));
            }
            Ok(())
        }
    }
}

fn vo_rm_repack(tx: &Db, p: &Parsed) -> Result<()> {
    if repack_vo(tx)?.as_deref() == p.str("vo") && repacks_exist(tx)? {
        return user(REPACK_VO_BUSY);
    }
    Ok(())
}

/// AdminCmd::processMediaType_Add/_Ch bound the options narrower than 64 bits, in this order.
fn media_bounds(_: &Db, p: &Parsed) -> Result<()> {
    if let Some(v) = p.uint("nbwraps").filter(|v| *v > u64::from(u32::MAX)) {
        return user(format!("Number of wraps cannot be larger than {}: value={v}", u32::MAX));
    }
    for (opt, label) in [
        ("primarydensitycode", "Primary density code"),
        ("secondarydensitycode", "Secondary density code"),
    ] {
        if let Some(v) = p.uint(opt).filter(|v| *v > 255) {
            return user(format!("{label} cannot be larger than 255: value={v}"));
        }
    }
    Ok(())
}

/// AdminCmd::processPhysicalLibrary_Ch: disabling needs `--disabledreason` (given, even empty).
fn pl_disabled_reason(_: &Db, p: &Parsed) -> Result<()> {
    if p.bool("disabled") == Some(true) && p.str("disabledreason").is_none() {
        return user(format!(
            "Cannot disable physical library {} because the reason has not been provided",
            p.str("name").unwrap_or_default()
        ));
    }
    Ok(())
}

fn tp_add_supply(tx: &Db, p: &Parsed) -> Result<()> {
    match p.str("supply") {
        Some(s) => check_supply(tx, p.str("name").unwrap_or_default(), s, "create"),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates() {
        let mut p = Parsed {
            cmd: "archiveroute".into(),
            sub: "add".into(),
            ..Parsed::default()
        };
        p.opts.insert("storageclass", Value::Str("sc".into()));
        p.opts.insert("copynb", Value::Uint(2));
        p.opts.insert("tapepool", Value::Str("tp".into()));
        assert_eq!(
            fill(
                "route : ({storageclass},{copynb},{archiveroutetype})->{tapepool} {found} {x",
                &p,
                Some(&Sql::Text("f".into()))
            ),
            "route : (sc,2,DEFAULT)->tp f {x"
        );
    }
}
