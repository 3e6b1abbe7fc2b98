fn main() -> std::process::ExitCode {
    gatefold_cli::run(std::env::args_os())
}
