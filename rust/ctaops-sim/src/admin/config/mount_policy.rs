//! Mount policies and the requester, group and activity mount rules that name them.

use super::*;

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

// RdbmsMountPolicyCatalogue.cpp: createMountPolicy, modifyMountPolicy*, deleteMountPolicy
// (a policy still named by a rule trips the rule's foreign key).
pub(super) const MOUNTPOLICY: Family = Family {
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

// RdbmsRequesterMountRuleCatalogue.cpp: createRequesterMountRule,
// modifyRequesterMountRule*, deleteRequesterMountRule.
pub(super) const REQUESTERMOUNTRULE: Family = Family {
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

// RdbmsRequesterGroupMountRuleCatalogue.cpp: createRequesterGroupMountRule,
// modifyRequesterGroupMountRule*, deleteRequesterGroupMountRule.
pub(super) const GROUPMOUNTRULE: Family = Family {
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

// RdbmsRequesterActivityMountRuleCatalogue.cpp: createRequesterActivityMountRule,
// modifyRequesterActivityMountRule*, deleteRequesterActivityMountRule.
pub(super) const ACTIVITYMOUNTRULE: Family = Family {
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
