fn main() -> std::process::ExitCode {
    gatefold_engine::process::limit_allocator_arenas();
    gatefold_cli::run(std::env::args_os())
}
