fn main() -> std::process::ExitCode {
    ctaops_cli::main_with_args(std::env::args_os())
}
