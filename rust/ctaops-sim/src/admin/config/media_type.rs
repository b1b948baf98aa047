//! Media types.

use super::*;

// RdbmsMediaTypeCatalogue.cpp: modifyMediaType*.
const MT_CH: &[Check] = &[missing("Cannot modify media type {name} because it does not exist")];

// RdbmsMediaTypeCatalogue.cpp: createMediaType, modifyMediaType*, deleteMediaType; the
// bounds of AdminCmd::processMediaType_Add/_Ch come first. `mt ch` has no capacity.
pub(super) const MEDIATYPE: Family = Family {
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
