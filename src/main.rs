use std::process::ExitCode;

use clap::Parser;
use segstat::cli::{self, Cli, Command, ImportCommand};
use segstat::synthetic::replay;
use segstat::{server, Config};

#[actix_web::main]
async fn main() -> ExitCode {
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("info")).init();
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Openapi => {
            print!("{}", segstat::openapi::spec_json());
            Ok(())
        }
        Command::Healthcheck { url } => server::healthcheck(&url),
        Command::Serve => match Config::from_env() {
            Ok(config) => server::serve(config).await,
            Err(e) => Err(e),
        },
        Command::Import {
            what: ImportCommand::Bundled { data_dir },
        } => Config::from_env().and_then(|config| server::import_bundled(&config, data_dir)),
        Command::Import {
            what: ImportCommand::Scb(args),
        } => Config::from_env().and_then(|config| server::import_scb(&config, &args)),
        Command::Import {
            what: ImportCommand::Synthetic { dir },
        } => Config::from_env().and_then(|config| server::import_synthetic(&config, &dir)),
        Command::Export {
            out,
            formats,
            replace,
        } => Config::from_env().and_then(|config| server::export(&config, out, &formats, replace)),
        Command::GenerateSynthetic {
            seed,
            vertices,
            out,
            data_dir,
        } => Config::from_env()
            .and_then(|config| server::generate_synthetic(&config, seed, vertices, out, data_dir)),
        Command::ReplayScb(args) => match replay::load(args.options()) {
            Ok(loaded) => replay::serve(loaded, &args.bind).await,
            Err(e) => Err(e),
        },
        Command::Migrate { revert_all } => {
            Config::from_env().and_then(|config| server::migrate(&config, revert_all))
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            let (message, status) = cli::failure(&e);
            eprintln!("{message}");
            ExitCode::from(status)
        }
    }
}
