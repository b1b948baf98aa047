"""cta-admin refusals of the simulator: CTA's exact texts, in CTA's check order, and its exit codes.

Every text below is taken from CTA HEAD (cern-cta/CTA); the source is named per test. A user error
(`cta::exception::UserError`) reaches cta-admin as `RSP_ERR_USER` with its text unchanged
(`xroot_plugins/XrdSsiCtaRequestProc.cpp`): stderr is the text, exit 2, `[]` on stdout under --json
(`tools/CtaAdminXrdCmd.cpp::main`). Other exceptions are `RSP_ERR_CTA`: exit 1, nothing on stdout.
"""

from __future__ import annotations

import os

import pytest

from .conftest import Sim

Case = tuple[list[str], str]


def refused(sim: Sim, argv: list[str], msg: str, code: int = 2) -> None:
    r = sim.admin("--json", *argv)
    stdout = "[]\n" if code == 2 else ""
    assert (r.returncode, r.stdout, r.stderr) == (code, stdout, msg + "\n"), argv


def accepted(sim: Sim, *argv: str) -> None:
    r = sim.admin(*argv)
    assert (r.returncode, r.stderr) == (0, ""), argv


# catalogue/rdbms/RdbmsTapePoolCatalogue.cpp: createTapePool, modifyTapePool*, deleteTapePool;
# frontend/common/AdminCmd.cpp: processTapePool_Ch (comment, vo, partial tapes, encryption, supply).
TAPEPOOL: list[Case] = [
    # deleteTapePool: archive routes before tapes (ctaops_user has both)
    (["tp", "rm", "-n", "ctaops_user"], "Cannot delete tape-pool 'ctaops_user' because it is used in an archive route"),
    (["tp", "rm", "-n", "supply"], "Cannot delete tape-pool 'supply' because it is not empty"),
    (["tp", "rm", "-n", "nosuch"], "Cannot delete tape-pool 'nosuch' because it does not exist"),
    (
        ["tp", "add", "-n", "supply", "--vo", "vo_user", "-p", "1", "-m", "c"],
        "Cannot create tape pool 'supply' because a tape pool with the same name already exists",
    ),
    (
        ["tp", "add", "-n", "newpool", "--vo", "novo", "-p", "1", "-m", "c"],
        "Cannot create tape pool 'newpool' because vo 'novo' does not exist.",
    ),
    (
        ["tp", "add", "-n", "newpool", "--vo", "vo_user", "-p", "1", "-m", "c", "-s", "supply,nosuch"],
        "Cannot create tape pool 'newpool' because the supply tape pool 'nosuch' does not exist",
    ),
    (
        ["tp", "add", "-n", "newpool", "--vo", "", "-p", "1", "-m", ""],
        "Cannot create tape pool because the VO is an empty string",
    ),
    (["tp", "ch", "-n", "nosuch", "-m", "c"], "Cannot modify tape pool 'nosuch' because it does not exist"),
    (["tp", "ch", "-n", "erase", "-m", ""], "Cannot modify tape pool because the new comment is an empty string"),
    (
        ["tp", "ch", "-n", "erase", "--vo", "novo"],
        "Cannot modify tape pool 'erase' because the vo 'novo' does not exist",
    ),
    (
        ["tp", "ch", "-n", "erase", "-s", "erase"],
        "Cannot modify tape pool 'erase' because it and the supply tape pool 'erase' are the same",
    ),
    (
        ["tp", "ch", "-n", "erase", "-s", "nosuch"],
        "Cannot modify tape pool 'erase' because the supply tape pool 'nosuch' does not exist",
    ),
    # the supply pools are checked before the pool itself
    (
        ["tp", "ch", "-n", "nosuch", "-s", "erase"],
        "Cannot modify tape pool 'nosuch' because it does not exist",
    ),
]


@pytest.mark.parametrize(("argv", "msg"), TAPEPOOL)
def test_tapepool(sim: Sim, argv: list[str], msg: str) -> None:
    refused(sim, argv, msg)


def test_tapepool_ch_without_options_is_a_no_op(sim: Sim) -> None:
    # AdminCmd::processTapePool_Ch makes no catalogue call when no option is given.
    accepted(sim, "tp", "ch", "-n", "nosuch")


# RdbmsVirtualOrganizationCatalogue.cpp: createVirtualOrganization, modifyVirtualOrganization*,
# deleteVirtualOrganization (storage classes checked before tape pools).
VO: list[Case] = [
    (["vo", "rm", "--vo", "vo_user"], "The Virtual Organization vo_user is being used by one or more storage classes"),
    (["vo", "rm", "--vo", "vo_repack"], "The Virtual Organization vo_repack is being used by one or more Tapepools"),
    (["vo", "rm", "--vo", "nosuch"], "Cannot delete Virtual Organization : nosuch because it does not exist"),
    (
        ["vo", "add", "--vo", "vo_user", "--rmd", "1", "--wmd", "1", "-m", "c", "--di", "eosctaops"],
        "Cannot create vo : vo_user because it already exists",
    ),
    (
        ["vo", "add", "--vo", "vo2", "--rmd", "1", "--wmd", "1", "-m", "", "--di", "eosctaops"],
        "Cannot create virtual organization because the comment is an empty string",
    ),
    (
        ["vo", "add", "--vo", "vo2", "--rmd", "1", "--wmd", "1", "-m", "c", "--di", "eosctaops", "--irvo", "true"],
        "There already exists a default VO for repacking",
    ),
    (
        ["vo", "ch", "--vo", "nosuch", "-m", "c"],
        "Cannot modify virtual organization : nosuch because it does not exist",
    ),
    (["vo", "ch", "--vo", "vo_user", "--irvo", "true"], "There already exists a default VO for repacking"),
]


@pytest.mark.parametrize(("argv", "msg"), VO)
def test_virtual_organization(sim: Sim, argv: list[str], msg: str) -> None:
    refused(sim, argv, msg)


def test_virtual_organization_repack(sim: Sim) -> None:
    """AdminCmd::processVirtualOrganization_Ch/_Rm refuse to drop the repack VO while repacks exist."""
    accepted(sim, "ta", "ch", "-v", "V00001", "-f", "true")
    accepted(sim, "ta", "ch", "-v", "V00001", "-s", "REPACKING", "-r", "r")
    accepted(sim, "re", "add", "-v", "V00001", "-u", "repack")
    busy = "Cannot remove default virtual organization for repack while repacks are ongoing."
    refused(sim, ["vo", "rm", "--vo", "vo_repack"], busy)
    refused(sim, ["vo", "ch", "--vo", "vo_repack", "--irvo", "false"], busy)
    # the frontend refuses any `false` while repacks exist, whichever VO it names
    refused(sim, ["vo", "ch", "--vo", "vo_user", "--irvo", "false"], busy)


# RdbmsStorageClassCatalogue.cpp: createStorageClass, modifyStorageClass*, deleteStorageClass
# (archive routes, then archive files, then the recycle log).
STORAGECLASS: list[Case] = [
    (
        ["sc", "rm", "-n", "ctaops_sc"],
        "The ctaops_sc storage class is being used by one or more archive routes",
    ),
    (["sc", "rm", "-n", "nosuch"], "Cannot delete storage-class : nosuch because it does not exist"),
    (
        ["sc", "add", "-n", "ctaops_sc", "-c", "1", "--vo", "vo_user", "-m", "c"],
        "Cannot create storage class : ctaops_sc because it already exists",
    ),
    (
        ["sc", "add", "-n", "sc2", "-c", "1", "--vo", "novo", "-m", "c"],
        "Cannot create storage class : sc2 because the vo : novo does not exist",
    ),
    (["sc", "ch", "-n", "nosuch", "-m", "c"], "Cannot modify storage class : nosuch because it does not exist"),
    (
        ["sc", "ch", "-n", "ctaops_sc", "--vo", "novo"],
        "Cannot modify storage class : ctaops_sc because the vo novo does not exist",
    ),
    (
        ["sc", "ch", "-n", "ctaops_sc", "--vo", ""],
        "Cannot modify the vo of the storage class : ctaops_sc because the vo is an empty string",
    ),
]


@pytest.mark.parametrize(("argv", "msg"), STORAGECLASS)
def test_storage_class(sim: Sim, argv: list[str], msg: str) -> None:
    refused(sim, argv, msg)


def test_storage_class_used_by_files(sim: Sim) -> None:
    """deleteStorageClass: archive files are checked once no route is left."""
    sim.ok("sim", "archive", sim.dir, "--storageclass", "ctaops_sc", "--count", "1", "--size", "10")
    sim.ok("sim", "run", sim.dir)
    accepted(sim, "ar", "rm", "-s", "ctaops_sc", "-c", "1", "--art", "DEFAULT")
    accepted(sim, "ar", "rm", "-s", "ctaops_sc", "-c", "1", "--art", "REPACK")
    refused(
        sim, ["sc", "rm", "-n", "ctaops_sc"], "The ctaops_sc storage class is being used by one or more archive files"
    )


# RdbmsArchiveRouteCatalogue.cpp: createArchiveRoute, modifyArchiveRouteComment,
# modifyArchiveRouteTapePoolName, deleteArchiveRoute; common/dataStructures/ArchiveRouteType.cpp.
ARCHIVEROUTE: list[Case] = [
    (
        ["ar", "add", "-s", "ctaops_sc", "-c", "1", "-t", "erase", "-m", "c"],
        "Cannot create archive route : (ctaops_sc,1,DEFAULT)->erase because it already exists",
    ),
    (
        ["ar", "add", "-s", "ctaops_sc", "-c", "2", "-t", "ctaops_user", "-m", "c"],
        "Cannot create archive route : (ctaops_sc,2,DEFAULT)->ctaops_user because storage class ctaops_sc already"
        " contains a route pointing to tape pool ctaops_user",
    ),
    (
        ["ar", "add", "-s", "nosuch", "-c", "1", "-t", "erase", "-m", "c"],
        "Cannot create archive route : (nosuch,1,DEFAULT)->erase because storage class nosuch does not exist",
    ),
    (
        ["ar", "add", "-s", "ctaops_sc", "-c", "2", "--art", "repack", "-t", "nosuch", "-m", "c"],
        "Cannot create archive route : (ctaops_sc,2,REPACK)->nosuch because tape pool nosuch does not exist",
    ),
    (
        ["ar", "add", "-s", "ctaops_sc", "-c", "0", "-t", "erase", "-m", "c"],
        "Cannot create archive route because copy number is zero",
    ),
    (
        ["ar", "add", "-s", "ctaops_sc", "-c", "2", "--art", "weird", "-t", "erase", "-m", "c"],
        "The type given (WEIRD) does not exist. Possible values are DEFAULT and REPACK.",
    ),
    (
        ["ar", "ch", "-s", "ctaops_sc", "-c", "3", "--art", "DEFAULT", "-m", "c"],
        "Cannot modify archive route for storage-class :ctaops_sc and copy number 3 because it does not exist",
    ),
    (
        ["ar", "ch", "-s", "ctaops_sc", "-c", "3", "--art", "DEFAULT", "-t", "erase"],
        "Cannot modify tape pool of archive route: storageClassName=ctaops_sc copyNb=3 tapePoolName=erase:"
        " Archive route does not exist",
    ),
    (
        ["ar", "ch", "-s", "ctaops_sc", "-c", "1", "--art", "DEFAULT", "-t", "nosuch"],
        "Cannot modify tape pool of archive route: storageClassName=ctaops_sc copyNb=1 tapePoolName=nosuch:"
        " Tape pool does not exist",
    ),
    (
        ["ar", "rm", "-s", "ctaops_sc", "-c", "2", "--art", "DEFAULT"],
        "Cannot delete archive route for storage-class ctaops_sc, copy number 2 and type DEFAULT because it does not"
        " exist",
    ),
]


@pytest.mark.parametrize(("argv", "msg"), ARCHIVEROUTE)
def test_archive_route(sim: Sim, argv: list[str], msg: str) -> None:
    refused(sim, argv, msg)


# RdbmsMediaTypeCatalogue.cpp: createMediaType, modifyMediaType*, deleteMediaType; the bounds are
# AdminCmd::processMediaType_Add/_Ch's.
MEDIATYPE: list[Case] = [
    (["mt", "rm", "-n", "LTO9"], "The LTO9 media type is being used by one or more tapes"),
    (["mt", "rm", "-n", "nosuch"], "Cannot delete media type nosuch because it does not exist"),
    (
        ["mt", "add", "-n", "LTO9", "-t", "LTO-9", "-c", "1", "-m", "c"],
        "Cannot create media type LTO9 because it already exists",
    ),
    (
        ["mt", "add", "-n", "X", "-t", "x", "-c", "0", "-m", "c"],
        "Cannot create media type X because the capacity is zero",
    ),
    (
        ["mt", "add", "-n", "X", "-t", "x", "-c", "1", "-m", "c", "-p", "256"],
        "Primary density code cannot be larger than 255: value=256",
    ),
    (["mt", "ch", "-n", "nosuch", "-m", "c"], "Cannot modify media type nosuch because it does not exist"),
    (
        ["mt", "ch", "-n", "LTO9", "-w", "4294967296"],
        "Number of wraps cannot be larger than 4294967295: value=4294967296",
    ),
]


@pytest.mark.parametrize(("argv", "msg"), MEDIATYPE)
def test_media_type(sim: Sim, argv: list[str], msg: str) -> None:
    refused(sim, argv, msg)


# RdbmsAdminUserCatalogue.cpp: createAdminUser, modifyAdminUserComment, deleteAdminUser;
# scheduler/Scheduler.cpp: authorizeAdmin.
ADMIN: list[Case] = [
    (["ad", "rm", "-u", "nobody"], "Cannot delete admin-user nobody because they do not exist"),
    (["ad", "ch", "-u", "nobody", "-m", "c"], "Cannot modify admin user nobody because they do not exist"),
    (["ad", "ch", "-u", "nobody", "-m", ""], "Cannot modify admin user because the comment is an empty string"),
    (["ad", "add", "-u", "x", "-m", ""], "Cannot create admin user because the comment is an empty string"),
]


@pytest.mark.parametrize(("argv", "msg"), ADMIN)
def test_admin(sim: Sim, argv: list[str], msg: str) -> None:
    refused(sim, argv, msg)


def test_admin_add_existing_and_not_authorized(sim: Sim) -> None:
    me = os.environ.get("USER") or os.environ.get("LOGNAME") or "root"
    accepted(sim, "ad", "add", "-u", "friend", "-m", "c")
    refused(
        sim,
        ["ad", "add", "-u", "friend", "-m", "c"],
        "Cannot create admin user friend because an admin user with the same name already exists",
    )
    env = dict(os.environ, USER="intruder", LOGNAME="intruder")
    r = sim.admin("--json", "tape", "ls", "--all", env=env)
    assert (r.returncode, r.stdout) == (2, "[]\n")
    assert r.stderr.startswith("User: intruder on host: ")
    assert r.stderr.endswith(" is not authorized to execute CTA admin commands\n")
    assert me


# RdbmsMountPolicyCatalogue.cpp and RdbmsRequester{,Group,Activity}MountRuleCatalogue.cpp.
MOUNT: list[Case] = [
    (
        ["mp", "add", "-n", "ctaops_mp", "--ap", "1", "--aa", "1", "--rp", "1", "--ra", "1", "-m", "c"],
        "Cannot create mount policy ctaops_mp because a mount policy with the same name already exists",
    ),
    (["mp", "ch", "-n", "nosuch", "--ap", "1"], "Cannot modify mount policy nosuch because they do not exist"),
    (["mp", "rm", "-n", "nosuch"], "Cannot delete mount policy nosuch because it does not exist"),
    (
        ["gmr", "add", "-i", "eosctaops", "-n", "cta", "-u", "repack", "-m", "c"],
        "Cannot create rule to assign mount-policy repack to requester-group eosctaops:cta because a rule already"
        " exists assigning the requester-group to mount-policy ctaops_mp",
    ),
    (
        ["gmr", "add", "-i", "eosctaops", "-n", "g2", "-u", "nosuch", "-m", "c"],
        "Cannot assign mount-policy nosuch to requester-group eosctaops:g2 because mount-policy nosuch does not exist",
    ),
    (
        ["gmr", "add", "-i", "nodisk", "-n", "g2", "-u", "repack", "-m", "c"],
        "Cannot assign mount-policy repack to requester-group nodisk:g2 because disk-instance nodisk does not exist",
    ),
    (
        ["gmr", "ch", "-i", "eosctaops", "-n", "g2", "-m", "c"],
        "Cannot modify requester group mount rule eosctaops:g2 because it does not exist",
    ),
    (
        ["gmr", "rm", "-i", "eosctaops", "-n", "g2"],
        "Cannot delete the mount rule for requester group eosctaops:g2 because it does not exist",
    ),
    (
        ["rmr", "add", "-i", "eosctaops", "-n", "u2", "-u", "nosuch", "-m", "c"],
        "Cannot create a rule to assign mount-policy nosuch to requester eosctaops:u2 because mount-policy nosuch"
        " does not exist",
    ),
    (
        ["rmr", "ch", "-i", "eosctaops", "-n", "u2", "-m", "c"],
        "Cannot modify requester mount rule eosctaops:u2 because it does not exist",
    ),
    (
        ["rmr", "rm", "-i", "eosctaops", "-n", "u2"],
        "Cannot delete mount rule for requester eosctaops:u2 because the rule does not exist",
    ),
    (
        ["amr", "add", "-i", "nodisk", "-n", "u2", "--ar", "a.*", "-u", "repack", "-m", "c"],
        "Cannot create a rule to assign mount-policy repack to requester nodisk:u2 for activities matching a.*"
        " because disk-instance nodisk does not exist",
    ),
    (
        ["amr", "ch", "-i", "eosctaops", "-n", "u2", "--ar", "a.*", "-m", "c"],
        "Cannot modify requester  activity mount rule eosctaops:u2for activities matching a.* because it does not"
        " exist",
    ),
    (
        ["amr", "rm", "-i", "eosctaops", "-n", "u2", "--ar", "a.*"],
        "Cannot delete mount rule for requester eosctaops:u2 and activity regex a.* because the rule does not exist",
    ),
]


@pytest.mark.parametrize(("argv", "msg"), MOUNT)
def test_mount_policies_and_rules(sim: Sim, argv: list[str], msg: str) -> None:
    refused(sim, argv, msg)


def test_mount_policy_in_use_is_a_server_error(sim: Sim) -> None:
    """CTA has no check of its own: the rule's foreign key fails, an RSP_ERR_CTA (exit 1)."""
    r = sim.admin("--json", "mp", "rm", "-n", "ctaops_mp")
    assert (r.returncode, r.stdout) == (1, "")
    assert "ctaops_mp" in r.stderr


# RdbmsDiskInstanceCatalogue.cpp, RdbmsDiskInstanceSpaceCatalogue.cpp, RdbmsDiskSystemCatalogue.cpp
# (their texts' own slips, "disk system" for an instance and its space, kept as CTA prints them).
DISK: list[Case] = [
    (
        ["di", "add", "-n", "eosctaops", "-m", "c"],
        "Cannot create disk instance eosctaops because a disk instance with the same name identifier already exists",
    ),
    (["di", "add", "-n", "x", "-m", ""], "Cannot create disk system because the comment is an empty string"),
    (["di", "ch", "-n", "nosuch", "-m", "c"], "Cannot modify disk instance nosuch because it does not exist"),
    (["di", "rm", "-n", "nosuch"], "Cannot delete disk instance nosuch because it does not exist"),
    (
        ["dis", "add", "-n", "s", "--di", "nosuch", "-u", "eos:x", "-i", "10", "-m", "c"],
        "Cannot create disk instance space s for disk instance nosuch because the disk instance does not exist",
    ),
    (
        ["dis", "add", "-n", "s", "--di", "eosctaops", "-u", "eos:x", "-i", "0", "-m", "c"],
        "Cannot create disk instance space because the refresh interval is zero",
    ),
    (
        ["dis", "ch", "-n", "s", "--di", "eosctaops", "-m", "c"],
        "Cannot modify disk system s because it does not exist",
    ),
    (["dis", "rm", "-n", "s", "--di", "eosctaops"], "Cannot delete disk instance space s because it does not exist"),
    (
        ["ds", "add", "-n", "d", "-r", "x", "--di", "eosctaops", "--dis", "s", "-f", "0", "-s", "1", "-m", "c"],
        "Cannot create disk system because the targeted free space is zero",
    ),
    (["ds", "ch", "-n", "nosuch", "-m", "c"], "Cannot modify disk system nosuch because it does not exist"),
    (["ds", "ch", "-n", "nosuch", "-s", "0"], "Cannot modify disk system because the new sleep time is zero"),
    (["ds", "rm", "-n", "nosuch"], "Cannot delete disk system nosuch because it does not exist"),
]


@pytest.mark.parametrize(("argv", "msg"), DISK)
def test_disk_instances_and_systems(sim: Sim, argv: list[str], msg: str) -> None:
    refused(sim, argv, msg)


def test_libraries(sim: Sim) -> None:
    """RdbmsLogicalLibraryCatalogue.cpp, RdbmsPhysicalLibraryCatalogue.cpp; the disabled-reason rules
    are AdminCmd::processLogicalLibrary_Ch/processPhysicalLibrary_Ch's (an absent reason only)."""
    pl = sim.ls("pl", "ls")[0]["name"]
    assert isinstance(pl, str)
    for argv, msg in [
        (
            ["ll", "rm", "-n", "ctaops_lib1"],
            "Cannot delete logical library ctaops_lib1 because it contains one or more tapes",
        ),
        (["ll", "rm", "-n", "nosuch"], "Cannot delete logical library nosuch because it does not exist"),
        (
            ["ll", "add", "-n", "ctaops_lib1", "-m", "c"],
            "Cannot create logical library ctaops_lib1 because a logical library with the same name already exists",
        ),
        (
            ["ll", "add", "-n", "ll2", "--pl", "nosuch", "-m", "c"],
            "Cannot create logical library ll2 because physical library nosuch does not exist",
        ),
        (
            ["ll", "ch", "-n", "ctaops_lib1", "-d", "true"],
            "Cannot disable logical library ctaops_lib1 because the reason has not been provided",
        ),
        (["ll", "ch", "-n", "nosuch", "-m", "c"], "Cannot modify logical library nosuch because it does not exist"),
        (
            ["ll", "ch", "-n", "ctaops_lib1", "--pl", "nosuch"],
            "Cannot update logical library ctaops_lib1 because physical library nosuch does not exist",
        ),
        (
            ["pl", "ch", "-n", pl, "-d", "true"],
            f"Cannot disable physical library {pl} because the reason has not been provided",
        ),
        (["pl", "ch", "-n", "nosuch", "-m", "c"], "Cannot update physical library nosuch because it does not exist"),
        (["pl", "rm", "-n", "nosuch"], "Cannot delete physical library nosuch because it does not exist"),
    ]:
        refused(sim, argv, msg)
    r = sim.admin("--json", "pl", "rm", "-n", pl)
    assert (r.returncode, r.stdout) == (2, "[]\n")
    assert r.stderr.startswith(
        f"Cannot delete physical library {pl} because of integrity constraint: logical_library_pli_fk\n"
    )
    # an empty reason is a reason
    accepted(sim, "ll", "ch", "-n", "ctaops_lib1", "-d", "true", "--dr", "")


# frontend/common/AdminCmd.cpp: processDrive_Down/_Ch (checked before any drive is looked at);
# frontend/common/DriveLsResponseStream.cpp (ls of an unknown drive).
DRIVE: list[Case] = [
    (["dr", "down", "CTAOPSLIB1-LTO9-D01", "-r", "  "], "You must provide a reason in order to set the drive down"),
    (["dr", "down", "nosuch", "-r", ""], "You must provide a reason in order to set the drive down"),
    (["dr", "ch", "CTAOPSLIB1-LTO9-D01", "-m", " "], "You must provide a comment to change it."),
    (["dr", "ls", "nosuch"], "Drive nosuch not found."),
]


@pytest.mark.parametrize(("argv", "msg"), DRIVE)
def test_drive(sim: Sim, argv: list[str], msg: str) -> None:
    refused(sim, argv, msg)


def test_tape_ch_of_a_missing_tape(sim: Sim) -> None:
    """AdminCmd::processTape_Ch's first catalogue call refuses (RdbmsTapeCatalogue.cpp::modifyTape*,
    Scheduler::triggerTapeStateChange for the state); with no option nothing is called."""
    for argv, msg in [
        (["ta", "ch", "-v", "NOPE01", "--ve", "x"], "Cannot modify tape NOPE01 because it does not exist"),
        (
            ["ta", "ch", "-v", "NOPE01", "--mt", "nosuch"],
            "Cannot modify tape NOPE01 because the media type nosuch does not exist",
        ),
        (
            ["ta", "ch", "-v", "NOPE01", "-t", "erase"],
            "Cannot modify tape NOPE01 because either it or tape pool erase does not exist",
        ),
        (["ta", "ch", "-v", "NOPE01", "-s", "DISABLED", "-r", "x"], "The VID NOPE01 does not exist"),
        (
            ["ta", "ch", "-v", "V00001", "-t", "nosuch"],
            "Cannot modify tape V00001 because the tape pool nosuch does not exist",
        ),
        (
            ["ta", "ch", "-v", "V00001", "-l", "nosuch"],
            "Cannot modify tape V00001 because the logical library nosuch does not exist",
        ),
    ]:
        refused(sim, argv, msg)
    accepted(sim, "ta", "ch", "-v", "NOPE01")


def test_tapefile_rm(sim: Sim) -> None:
    """RdbmsArchiveFileCatalogue.cpp::getArchiveFileCopyForDeletion, in its order."""
    sim.ok("sim", "archive", sim.dir, "--storageclass", "ctaops_sc", "--count", "1", "--size", "10")
    sim.ok("sim", "run", sim.dir)
    tapes = [t for t in sim.ls("ta", "ls", "--all") if t["lastFseq"] != "0"]
    vid = str(tapes[0]["vid"])
    files = sim.ls("tf", "ls", "-v", vid)
    af = files[0]["af"]
    assert isinstance(af, dict)
    aid = str(af["archiveId"])
    refused(sim, ["tf", "rm", "-v", "NOPE01", "-I", aid, "-r", "x"], "Tape NOPE01 not found")
    refused(
        sim, ["tf", "rm", "-v", vid, "-I", aid, "-r", "x"], f"Tape {vid} not in REPACKING_DISABLED or BROKEN states"
    )
    refused(
        sim,
        ["tf", "rm", "-v", vid, "--dfid", "1", "-r", "x"],
        "DiskFileId makes no sense without disk instance",
    )
    accepted(sim, "ta", "ch", "-v", vid, "-s", "BROKEN", "-r", "x")
    refused(
        sim,
        ["tf", "rm", "-v", vid, "-I", aid, "-r", "x"],
        f"Cannot delete a copy of the file with archiveFileId {aid} because it is the only copy",
    )
    refused(
        sim,
        ["tf", "rm", "-v", vid, "-I", "999999", "-r", "x"],
        "Cannot delete a copy of the file with archiveFileId 999999 because the file does not exist",
    )
    refused(
        sim,
        ["tf", "rm", "-v", vid, "-f", "xyz", "-i", "eosctaops", "-r", "x"],
        "xyz is not a valid hexadecimal file ID value",
    )


def test_failedrequest_rm_unknown_object(sim: Sim) -> None:
    """scheduler/OStoreDB/OStoreDB.cpp::deleteFailed: a server error (exit 1), not a user error."""
    refused(sim, ["fr", "rm", "-o", "nosuch"], "Object nosuch not found.", code=1)


# tools/CtaAdminParsedCmd.cpp::throwUsage with no command set, printed by CtaAdminXrdCmd.cpp::main
# on stderr with a newline added; exit 1. The block is cta-interfaces.md §1.3.1.
USAGE_INTRO = """CTA Administration Tool

Usage: cta-admin [--json|--jsonl] [--config <configpath>] <command> [<subcommand> [<option>...]]
       cta-admin <command> help

By default, the output is in tabular format.
If the --json option is used, the output is a JSON array.
If, instead, the --jsonl option is used, the output is in JSON Lines format.

Commands have a long and short version. Subcommands (add/ch/ls/rm/etc.) do not have short versions. For
detailed help on the options of each subcommand, type: cta-admin <command> help

"""
# (`long/short` padded to 25 columns by CmdHelp::short_help, then the subcommands), in sorted order.
USAGE_COMMANDS = [
    ("activitymountrule/amr", " add/ch/rm/ls"),
    ("admin/ad", " add/ch/rm/ls"),
    ("archivefile/af", " ch"),
    ("archiveroute/ar", " add/ch/rm/ls"),
    ("diskinstance/di", " add/ch/rm/ls"),
    ("diskinstancespace/dis", " add/ch/rm/ls"),
    ("disksystem/ds", " add/ch/rm/ls"),
    ("drive/dr", " up/down/ls/ch/rm"),
    ("failedrequest/fr", " ls/rm"),
    ("groupmountrule/gmr", " add/ch/rm/ls"),
    ("logicallibrary/ll", " add/ch/rm/ls"),
    ("mediatype/mt", " add/ch/rm/ls"),
    ("mountpolicy/mp", " add/ch/rm/ls"),
    ("physicallibrary/pl", " add/ch/rm/ls"),
    ("recycletf/rtf", " ls"),
    ("repack/re", " add/rm/ls/err"),
    ("requestermountrule/rmr", " add/ch/rm/ls"),
    ("showqueues/sq", ""),
    ("storageclass/sc", " add/ch/rm/ls"),
    ("tape/ta", " add/ch/rm/reclaim/ls"),
    ("tapefile/tf", " ls/rm"),
    ("tapepool/tp", " add/ch/rm/ls"),
    ("version/v", ""),
    ("virtualorganization/vo", " add/ch/rm/ls"),
]
USAGE = USAGE_INTRO + "".join(f"  cta-admin {c:<25}{s}\n" for c, s in USAGE_COMMANDS) + "\n"


@pytest.mark.parametrize(
    "argv", [[], ["bogus"], ["--json"], ["--json", "--jsonl", "tape", "ls"], ["--json", "nosuch", "ls"]]
)
def test_usage(sim: Sim, argv: list[str]) -> None:
    r = sim.admin(*argv)
    assert (r.returncode, r.stdout, r.stderr) == (1, "", USAGE)
