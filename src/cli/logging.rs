//! Logging for the command line: a file in the user's data folder, never the
//! terminal. When the folder cannot be written, nothing is logged.

use std::fs::OpenOptions;
use std::sync::Mutex;

/// Sends `tracing` events to `recscope.log` in the user's data folder.
pub fn init() {
    let Some(dirs) = directories::ProjectDirs::from("", "", "recscope") else {
        return;
    };
    let folder = dirs.data_local_dir();
    if std::fs::create_dir_all(folder).is_err() {
        return;
    }
    let Ok(file) = OpenOptions::new()
        .create(true)
        .append(true)
        .open(folder.join("recscope.log"))
    else {
        return;
    };
    let _ = tracing_subscriber::fmt()
        .with_writer(Mutex::new(file))
        .with_ansi(false)
        .with_max_level(tracing::Level::INFO)
        .try_init();
}
