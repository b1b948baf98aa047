//! Code generated from the vendored `.proto` files, and their descriptor pool (used to map
//! records to and from CTA's canonical JSON form, which is what the typed records read).

#![allow(clippy::all, clippy::pedantic, unused_qualifications, missing_docs)]

use std::sync::LazyLock;

use prost_reflect::DescriptorPool;

pub mod cta {
    pub mod xrd {
        tonic::include_proto!("cta.xrd");
    }
    pub mod admin {
        tonic::include_proto!("cta.admin");
    }
    pub mod common {
        tonic::include_proto!("cta.common");
    }
    pub mod eos {
        tonic::include_proto!("cta.eos");
    }
}

static DESCRIPTOR_BYTES: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/cta_descriptor.bin"));

/// All messages of the four files; the build script produced it from the same sources.
pub static POOL: LazyLock<DescriptorPool> = LazyLock::new(|| {
    #[expect(
        clippy::expect_used,
        reason = "the descriptor set is produced by build.rs from the same files"
    )]
    DescriptorPool::decode(DESCRIPTOR_BYTES).expect("descriptor set written by build.rs decodes")
});
