//! The `escale` binary: see the `escale_cli` library.

fn main() -> std::process::ExitCode {
    escale_cli::main()
}
