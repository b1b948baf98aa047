//! Compiles the vendored CTA `.proto` files with `protox` (pure Rust, no `protoc`), generates
//! prost messages and tonic client/server stubs, and keeps the descriptor set for prost-reflect.

use prost::Message as _;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::path::Path::new("proto");
    println!("cargo:rerun-if-changed=proto");
    let fds = protox::compile(["cta_frontend.proto"], [dir])?;
    let out = std::path::PathBuf::from(std::env::var("OUT_DIR")?);
    std::fs::write(out.join("cta_descriptor.bin"), fds.encode_to_vec())?;
    tonic_prost_build::configure()
        .build_client(true)
        .build_server(true)
        .compile_fds(fds)?;
    Ok(())
}
