//! Options of the configuration commands' add/ch/rm, the remaining `ls` and the other
//! non-`ls` subcommands (cta-interfaces.md §1.3 option matrix).

use super::parse::Kind::{Bool, Flag, Positional, Str, StrList, Uint};
use super::parse::{Opt, o};

macro_rules! l {
    ($($e:expr),* $(,)?) => {{
        const O: &[Opt] = &[$($e),*];
        O
    }};
}

const COMMENT_REQ: Opt = o("comment", "--comment", "-m", Str, true);
const COMMENT: Opt = o("comment", "--comment", "-m", Str, false);

/// Options of `(cmd, sub)` not covered by `parse::options`.
#[must_use]
pub fn options(cmd: &str, sub: &str) -> Option<&'static [Opt]> {
    Some(match (cmd, sub) {
        ("activitymountrule", "add") => l![
            o("instance", "--instance", "-i", Str, true),
            o("name", "--name", "-n", Str, true),
            o("activityregex", "--activityregex", "--ar", Str, true),
            o("mountpolicy", "--mountpolicy", "-u", Str, true),
            COMMENT_REQ,
        ],
        ("activitymountrule", "ch") => l![
            o("instance", "--instance", "-i", Str, true),
            o("name", "--name", "-n", Str, true),
            o("activityregex", "--activityregex", "--ar", Str, true),
            o("mountpolicy", "--mountpolicy", "-u", Str, false),
            COMMENT,
        ],
        ("activitymountrule", "rm") => l![
            o("instance", "--instance", "-i", Str, true),
            o("name", "--name", "-n", Str, true),
            o("activityregex", "--activityregex", "--ar", Str, true),
        ],
        ("admin", "add" | "ch") => l![o("username", "--username", "-u", Str, true), COMMENT_REQ],
        ("admin", "rm") => l![o("username", "--username", "-u", Str, true)],
        ("archivefile", "ch") => l![
            o("storageclass", "--storageclass", "-s", Str, false),
            o("idfile", "--idfile", "-F", StrList, true),
            o("fxid", "--fxid", "-f", Str, false),
            o("diskfileid", "--diskfileid", "--dfid", Str, false),
            o("diskinstance", "--diskinstance", "--di", Str, false),
        ],
        ("archiveroute", "add") => l![
            o("storageclass", "--storageclass", "-s", Str, true),
            o("copynb", "--copynb", "-c", Uint, true),
            o("archiveroutetype", "--archiveroutetype", "--art", Str, false),
            o("tapepool", "--tapepool", "-t", Str, true),
            COMMENT_REQ,
        ],
        ("archiveroute", "ch") => l![
            o("storageclass", "--storageclass", "-s", Str, true),
            o("copynb", "--copynb", "-c", Uint, true),
            o("archiveroutetype", "--archiveroutetype", "--art", Str, true),
            o("tapepool", "--tapepool", "-t", Str, false),
            COMMENT,
        ],
        ("archiveroute", "rm") => l![
            o("storageclass", "--storageclass", "-s", Str, true),
            o("copynb", "--copynb", "-c", Uint, true),
            o("archiveroutetype", "--archiveroutetype", "--art", Str, true),
        ],
        ("diskinstance", "add") => l![o("name", "--name", "-n", Str, true), COMMENT_REQ],
        ("diskinstance", "ch") => l![o("name", "--name", "-n", Str, true), COMMENT],
        ("diskinstance", "rm") => l![o("name", "--name", "-n", Str, true)],
        ("diskinstancespace", "add") => l![
            o("name", "--name", "-n", Str, true),
            o("diskinstance", "--diskinstance", "--di", Str, true),
            o("freespacequeryurl", "--freespacequeryurl", "-u", Str, true),
            o("refreshinterval", "--refreshinterval", "-i", Uint, true),
            COMMENT_REQ,
        ],
        ("diskinstancespace", "ch") => l![
            o("name", "--name", "-n", Str, true),
            o("diskinstance", "--diskinstance", "--di", Str, true),
            COMMENT,
            o("freespacequeryurl", "--freespacequeryurl", "-u", Str, false),
            o("refreshinterval", "--refreshinterval", "-i", Uint, false),
        ],
        ("diskinstancespace", "rm") => l![
            o("name", "--name", "-n", Str, true),
            o("diskinstance", "--diskinstance", "--di", Str, true),
        ],
        ("disksystem", "add") => l![
            o("disksystem", "--disksystem", "-n", Str, true),
            o("fileregexp", "--fileregexp", "-r", Str, true),
            o("diskinstance", "--diskinstance", "--di", Str, true),
            o("diskinstancespace", "--diskinstancespace", "--dis", Str, true),
            o("targetedfreespace", "--targetedfreespace", "-f", Uint, true),
            o("sleeptime", "--sleeptime", "-s", Uint, true),
            COMMENT_REQ,
        ],
        ("disksystem", "ch") => l![
            o("disksystem", "--disksystem", "-n", Str, true),
            o("fileregexp", "--fileregexp", "-r", Str, false),
            o("targetedfreespace", "--targetedfreespace", "-f", Uint, false),
            o("sleeptime", "--sleeptime", "-s", Uint, false),
            COMMENT,
        ],
        ("disksystem", "rm") => l![o("disksystem", "--disksystem", "-n", Str, true)],
        ("drive", "rm") => l![
            o("drive", "", "", Positional, true),
            o("force", "--force", "-f", Flag, false),
        ],
        ("failedrequest", "rm") => l![o("objectid", "--objectid", "-o", Str, true)],
        ("groupmountrule" | "requestermountrule", "add") => l![
            o("instance", "--instance", "-i", Str, true),
            o("name", "--name", "-n", Str, true),
            o("mountpolicy", "--mountpolicy", "-u", Str, true),
            COMMENT_REQ,
        ],
        ("groupmountrule" | "requestermountrule", "ch") => l![
            o("instance", "--instance", "-i", Str, true),
            o("name", "--name", "-n", Str, true),
            o("mountpolicy", "--mountpolicy", "-u", Str, false),
            COMMENT,
        ],
        ("groupmountrule" | "requestermountrule", "rm") => l![
            o("instance", "--instance", "-i", Str, true),
            o("name", "--name", "-n", Str, true),
        ],
        ("logicallibrary", "add") => l![
            o("name", "--name", "-n", Str, true),
            o("disabled", "--disabled", "-d", Bool, false),
            o("physicallibrary", "--physicallibrary", "--pl", Str, false),
            COMMENT_REQ,
        ],
        ("logicallibrary" | "mediatype" | "mountpolicy" | "physicallibrary" | "storageclass" | "tapepool", "rm") => {
            l![o("name", "--name", "-n", Str, true)]
        }
        ("mediatype", "add") => l![
            o("name", "--name", "-n", Str, true),
            o("cartridge", "--cartridge", "-t", Str, true),
            o("capacity", "--capacity", "-c", Uint, true),
            o("primarydensitycode", "--primarydensitycode", "-p", Uint, false),
            o("secondarydensitycode", "--secondarydensitycode", "-s", Uint, false),
            o("nbwraps", "--nbwraps", "-w", Uint, false),
            o("minlpos", "--minlpos", "--minl", Uint, false),
            o("maxlpos", "--maxlpos", "--maxl", Uint, false),
            COMMENT_REQ,
        ],
        ("mediatype", "ch") => l![
            o("name", "--name", "-n", Str, true),
            o("cartridge", "--cartridge", "-t", Str, false),
            o("primarydensitycode", "--primarydensitycode", "-p", Uint, false),
            o("secondarydensitycode", "--secondarydensitycode", "-s", Uint, false),
            o("nbwraps", "--nbwraps", "-w", Uint, false),
            o("minlpos", "--minlpos", "--minl", Uint, false),
            o("maxlpos", "--maxlpos", "--maxl", Uint, false),
            COMMENT,
        ],
        ("mountpolicy", "add") => l![
            o("name", "--name", "-n", Str, true),
            o("archivepriority", "--archivepriority", "--ap", Uint, true),
            o("minarchiverequestage", "--minarchiverequestage", "--aa", Uint, true),
            o("retrievepriority", "--retrievepriority", "--rp", Uint, true),
            o("minretrieverequestage", "--minretrieverequestage", "--ra", Uint, true),
            COMMENT_REQ,
        ],
        ("mountpolicy", "ch") => l![
            o("name", "--name", "-n", Str, true),
            o("archivepriority", "--archivepriority", "--ap", Uint, false),
            o("minarchiverequestage", "--minarchiverequestage", "--aa", Uint, false),
            o("retrievepriority", "--retrievepriority", "--rp", Uint, false),
            o("minretrieverequestage", "--minretrieverequestage", "--ra", Uint, false),
            COMMENT,
        ],
        ("physicallibrary", "add") => l![
            o("name", "--name", "-n", Str, true),
            o("manufacturer", "--manufacturer", "--ma", Str, true),
            o("model", "--model", "--mo", Str, true),
            o("type", "--type", "-t", Str, false),
            o("guiurl", "--guiurl", "-g", Str, false),
            o("webcamurl", "--webcamurl", "-w", Str, false),
            o("location", "--location", "-l", Str, false),
            o("npcs", "--nbphysicalcartridgeslots", "--npcs", Uint, true),
            o("nacs", "--nbavailablecartridgeslots", "--nacs", Uint, false),
            o("npds", "--nbphysicaldriveslots", "--npds", Uint, true),
            COMMENT,
        ],
        ("physicallibrary", "ch") => l![
            o("name", "--name", "-n", Str, true),
            o("model", "--model", "--mo", Str, false),
            o("type", "--type", "-t", Str, false),
            o("guiurl", "--guiurl", "-g", Str, false),
            o("webcamurl", "--webcamurl", "-w", Str, false),
            o("location", "--location", "-l", Str, false),
            o("npcs", "--nbphysicalcartridgeslots", "--npcs", Uint, false),
            o("nacs", "--nbavailablecartridgeslots", "--nacs", Uint, false),
            o("npds", "--nbphysicaldriveslots", "--npds", Uint, false),
            COMMENT,
            o("disabled", "--disabled", "-d", Bool, false),
            o("disabledreason", "--disabledreason", "--dr", Str, false),
        ],
        ("storageclass", "add") => l![
            o("name", "--name", "-n", Str, true),
            o("numberofcopies", "--numberofcopies", "-c", Uint, true),
            o("vo", "--virtualorganisation", "--vo", Str, true),
            COMMENT_REQ,
        ],
        ("storageclass", "ch") => l![
            o("name", "--name", "-n", Str, true),
            o("numberofcopies", "--numberofcopies", "-c", Uint, false),
            o("vo", "--virtualorganisation", "--vo", Str, false),
            COMMENT,
        ],
        ("tapepool", "add") => l![
            o("name", "--name", "-n", Str, true),
            o("vo", "--virtualorganisation", "--vo", Str, true),
            o("partialtapesnumber", "--partialtapesnumber", "-p", Uint, true),
            o("encryptionkeyname", "--encryptionkeyname", "-k", Str, false),
            o("supply", "--supply", "-s", Str, false),
            COMMENT_REQ,
        ],
        ("virtualorganization", "add") => l![
            o("vo", "--virtualorganisation", "--vo", Str, true),
            o("readmaxdrives", "--readmaxdrives", "--rmd", Uint, true),
            o("writemaxdrives", "--writemaxdrives", "--wmd", Uint, true),
            COMMENT_REQ,
            o("diskinstance", "--diskinstance", "--di", Str, true),
            o("maxfilesize", "--maxfilesize", "--mfs", Uint, false),
            o("isrepackvo", "--isrepackvo", "--irvo", Bool, false),
        ],
        ("virtualorganization", "ch") => l![
            o("vo", "--virtualorganisation", "--vo", Str, true),
            COMMENT,
            o("readmaxdrives", "--readmaxdrives", "--rmd", Uint, false),
            o("writemaxdrives", "--writemaxdrives", "--wmd", Uint, false),
            o("maxfilesize", "--maxfilesize", "--mfs", Uint, false),
            o("diskinstance", "--diskinstance", "--di", Str, false),
            o("isrepackvo", "--isrepackvo", "--irvo", Bool, false),
        ],
        ("virtualorganization", "rm") => l![o("vo", "--virtualorganisation", "--vo", Str, true)],
        ("activitymountrule" | "diskinstancespace" | "disksystem", "ls") => l![],
        _ => return None,
    })
}
