//! The explorer: a ratatui application over one dataset.
//!
//! One loop receives every event (key presses, resizes, the worker's reports, ticks)
//! from one channel; keys become actions through the key table; [`app::update`]
//! changes the state; the screen is redrawn from the state. Fitting and neighbour
//! lists run on a worker thread.

pub mod app;
pub mod keys;
pub mod screens;
pub mod similar;
pub mod text;
pub mod theme;
pub mod view;
pub mod worker;

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::thread;
use std::time::Duration;

use anyhow::Context;
use ratatui::DefaultTerminal;
use ratatui::crossterm::event::{
    self, DisableMouseCapture, EnableMouseCapture, Event as TerminalEvent, KeyEvent, KeyEventKind,
    MouseButton, MouseEvent, MouseEventKind,
};
use ratatui::crossterm::execute;
use ratatui::layout::Rect;

use crate::data::{self, LoadOptions};
use app::{App, Overlay};
use keys::KeyMap;
use theme::Theme;
use worker::{Job, WorkerEvent};

/// How often the screen is redrawn while nothing happens (to show progress).
const TICK: Duration = Duration::from_millis(200);

/// Everything the loop reacts to.
enum Event {
    Terminal(TerminalEvent),
    Worker(WorkerEvent),
    /// The terminal stopped delivering input.
    InputFailed(String),
}

/// Opens the explorer on `path` (the bundled sample when `None`). Errors reading the
/// dataset are returned before the terminal is touched; errors during the session
/// appear in the status line.
pub fn run(path: Option<PathBuf>, options: LoadOptions) -> anyhow::Result<()> {
    run_with_model(path, options, None)
}

/// Opens the explorer as [`run`] does, showing the saved model in `model_file`
/// (fitted on this dataset) instead of fitting the first algorithm.
pub fn run_with_model(
    path: Option<PathBuf>,
    options: LoadOptions,
    model_file: Option<PathBuf>,
) -> anyhow::Result<()> {
    let _log = start_logging();
    let path = path.unwrap_or_else(data::default_dataset_path);
    if !path.exists() {
        anyhow::bail!(
            "{}: no such file; check the path (relative paths start from {})",
            path.display(),
            std::env::current_dir()
                .map(|d| d.display().to_string())
                .unwrap_or_else(|_| "the current folder".to_string())
        );
    }
    // A large file takes seconds to read: say so on the terminal meanwhile, and wipe
    // the line once it is read. The loader's errors name the file already.
    let on_terminal = std::io::stderr().is_terminal();
    if on_terminal {
        eprint!(
            "recscope: reading {}…",
            text::clean(&path.display().to_string())
        );
    }
    let dataset = data::load(&path, &options);
    if on_terminal {
        eprint!("\r\x1b[2K");
    }
    let dataset = dataset?;
    tracing::info!(path = %path.display(), "dataset loaded");
    let (keys, theme, config_errors) = load_config();
    let saved = match &model_file {
        Some(file) => Some(data::load_model(file, dataset.matrix.clone())?),
        None => None,
    };
    let mut app = App::new(dataset, &dataset_name(&path), keys, theme);
    if let Some((header, model)) = saved {
        app.use_saved_model(&header.algorithm, header.params, model.into())
            .map_err(anyhow::Error::msg)?;
    }
    if let Some(first) = config_errors.first() {
        app.message = Some(app::Message {
            text: format!("{first} (using the shipped settings)"),
            is_error: true,
        });
    }

    // `try_init` enters raw mode and the alternate screen and installs a panic hook
    // that restores the terminal; the guard restores it on every other exit.
    let _restore = RestoreTerminal;
    let mut terminal = ratatui::try_init().context("could not prepare the terminal")?;
    keep_terminal_on_worker_panics();
    // Without mouse reports the explorer still works from the keyboard.
    if let Err(err) = execute!(std::io::stdout(), EnableMouseCapture) {
        tracing::warn!(%err, "mouse capture unavailable");
    }
    event_loop(&mut terminal, &mut app)
}

/// Leaves raw mode and the alternate screen when dropped.
struct RestoreTerminal;

impl Drop for RestoreTerminal {
    fn drop(&mut self) {
        release_mouse();
        ratatui::restore();
    }
}

/// Stops mouse reports; a terminal left reporting would print them at the shell.
fn release_mouse() {
    // Nothing more can be done for a terminal that refuses it.
    let _ = execute!(std::io::stdout(), DisableMouseCapture);
}

/// A panic on the worker thread is caught there and shown in the status line, so it
/// must not restore the terminal as ratatui's hook does for a panic anywhere else.
fn keep_terminal_on_worker_panics() {
    let restoring_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if thread::current().name() == Some(WORKER_THREAD) {
            tracing::error!(%info, "worker panicked");
        } else {
            release_mouse();
            restoring_hook(info);
        }
    }));
}

const WORKER_THREAD: &str = "recscope-worker";

fn dataset_name(path: &Path) -> String {
    let file = path
        .file_name()
        .map(|name| name.to_string_lossy().to_string())
        .unwrap_or_else(|| path.display().to_string());
    match path.parent().and_then(Path::file_name) {
        Some(folder) => format!("{}/{file}", folder.to_string_lossy()),
        None => file,
    }
}

fn event_loop(terminal: &mut DefaultTerminal, app: &mut App) -> anyhow::Result<()> {
    let (events, inbox) = mpsc::channel::<Event>();
    let (jobs, job_inbox) = mpsc::channel::<Job>();
    spawn_input(events.clone());
    let worker_events = events.clone();
    thread::Builder::new()
        .name(WORKER_THREAD.to_string())
        .spawn(move || worker::serve(job_inbox, worker_events, Event::Worker))
        .context("could not start the worker thread")?;
    // Cross-validation has a worker of its own, so that fits go on while it runs.
    let (evaluations, evaluation_inbox) = mpsc::channel::<Job>();
    let worker_events = events.clone();
    thread::Builder::new()
        .name(WORKER_THREAD.to_string())
        .spawn(move || worker::serve(evaluation_inbox, worker_events, Event::Worker))
        .context("could not start the evaluation thread")?;
    // So do the dataset's measures, which would otherwise wait for a long first fit.
    let (measures, measure_inbox) = mpsc::channel::<Job>();
    let worker_events = events.clone();
    thread::Builder::new()
        .name(WORKER_THREAD.to_string())
        .spawn(move || worker::serve(measure_inbox, worker_events, Event::Worker))
        .context("could not start the stats thread")?;
    drop(events);

    let mut screen = Rect::default();
    while !app.should_quit {
        let size = terminal.size()?;
        let now = Rect::new(0, 0, size.width, size.height);
        if now != screen {
            screen = now;
            app.set_window(view::window_for(app, screen));
        }
        for job in app.outbox.drain(..) {
            let queue = match job.lane {
                worker::Lane::Evaluate => &evaluations,
                worker::Lane::Stats => &measures,
                _ => &jobs,
            };
            if queue.send(job).is_err() {
                anyhow::bail!("the worker thread stopped");
            }
        }
        terminal.draw(|frame| frame.render_widget(&*app, frame.area()))?;
        if !wait_and_handle(&inbox, app, screen)? {
            break;
        }
    }
    tracing::info!("explorer closed");
    Ok(())
}

/// Waits up to one tick for events and handles all that arrived; `false` when no
/// event can arrive any more.
fn wait_and_handle(inbox: &Receiver<Event>, app: &mut App, screen: Rect) -> anyhow::Result<bool> {
    let first = match inbox.recv_timeout(TICK) {
        Ok(event) => event,
        Err(RecvTimeoutError::Timeout) => return Ok(true),
        Err(RecvTimeoutError::Disconnected) => return Ok(false),
    };
    handle(first, app, screen)?;
    while let Ok(event) = inbox.try_recv() {
        handle(event, app, screen)?;
        if app.should_quit {
            break;
        }
    }
    Ok(true)
}

fn handle(event: Event, app: &mut App, screen: Rect) -> anyhow::Result<()> {
    match event {
        Event::Terminal(TerminalEvent::Key(key)) if key.kind != KeyEventKind::Release => {
            on_key(app, &key)
        }
        Event::Terminal(TerminalEvent::Mouse(mouse)) => on_mouse(app, &mouse, screen),
        Event::Terminal(_) => {}
        Event::Worker(report) => app.on_worker(report),
        Event::InputFailed(message) => anyhow::bail!("reading the keyboard failed: {message}"),
    }
    Ok(())
}

/// Routes a mouse report from a `screen`-sized terminal: the wheel moves as `↑` and
/// `↓` do; a left click on the matrix selects the cell, item or user under it. Open
/// prompts take no mouse input.
pub fn on_mouse(app: &mut App, mouse: &MouseEvent, screen: Rect) {
    if matches!(
        app.overlay,
        Some(Overlay::Jump(_) | Overlay::Rating(_) | Overlay::Params(_))
    ) {
        return;
    }
    match mouse.kind {
        MouseEventKind::ScrollDown => app::update(app, keys::Action::MoveDown),
        MouseEventKind::ScrollUp => app::update(app, keys::Action::MoveUp),
        MouseEventKind::Down(MouseButton::Left) if app.overlay.is_none() => {
            if let Some(position) = view::cell_at(app, screen, mouse.column, mouse.row) {
                app.select(position);
            }
        }
        _ => {}
    }
}

/// Routes a key: an open prompt takes typing; otherwise the key table decides.
pub fn on_key(app: &mut App, key: &KeyEvent) {
    if matches!(app.overlay, Some(Overlay::Jump(_))) {
        app.on_prompt_key(key);
        return;
    }
    if screens::what_if::on_prompt_key(app, key) || screens::params::on_prompt_key(app, key) {
        return;
    }
    if let Some(action) = app.keys.action(key) {
        app::update(app, action);
    }
}

fn spawn_input(events: Sender<Event>) {
    let spawned = thread::Builder::new()
        .name("recscope-input".to_string())
        .spawn(move || {
            loop {
                let next = match event::read() {
                    Ok(event) => Event::Terminal(event),
                    Err(err) => Event::InputFailed(err.to_string()),
                };
                let failed = matches!(next, Event::InputFailed(_));
                if events.send(next).is_err() || failed {
                    return;
                }
            }
        });
    if let Err(err) = spawned {
        tracing::error!(%err, "could not start the input thread");
    }
}

/// The key table and theme: shipped defaults with the user's files laid over them.
/// A broken user file is reported and skipped, never fatal.
fn load_config() -> (KeyMap, Theme, Vec<String>) {
    let mut errors = Vec::new();
    let folder = directories::ProjectDirs::from("", "", "recscope")
        .map(|dirs| dirs.config_dir().to_path_buf());
    let read = |name: &str| {
        let path = folder.as_ref()?.join(name);
        let text = std::fs::read_to_string(&path).ok()?;
        Some((text, path.display().to_string()))
    };

    let keys = match read("keys.toml").map(|(text, path)| KeyMap::with_overrides(&text, &path)) {
        Some(Ok(keys)) => Some(keys),
        Some(Err(err)) => {
            errors.push(err.to_string());
            None
        }
        None => None,
    };
    let keys = match keys.map(Ok).unwrap_or_else(KeyMap::defaults) {
        Ok(keys) => keys,
        Err(err) => {
            errors.push(err.to_string());
            KeyMap::empty()
        }
    };

    let theme = match read("theme.toml").map(|(text, path)| Theme::with_overrides(&text, &path)) {
        Some(Ok(theme)) => Some(theme),
        Some(Err(err)) => {
            errors.push(err.to_string());
            None
        }
        None => None,
    };
    let theme = match theme.map(Ok).unwrap_or_else(Theme::defaults) {
        Ok(theme) => theme,
        Err(err) => {
            errors.push(err.to_string());
            Theme::fallback()
        }
    };
    for error in &errors {
        tracing::warn!(%error, "settings file skipped");
    }
    (keys, theme, errors)
}

/// Sends tracing output to `recscope.log` in the user's data directory; the returned
/// guard flushes it when dropped. Without a data directory nothing is logged.
fn start_logging() -> Option<tracing_appender::non_blocking::WorkerGuard> {
    let dirs = directories::ProjectDirs::from("", "", "recscope")?;
    let folder = dirs.data_dir();
    std::fs::create_dir_all(folder).ok()?;
    let appender = tracing_appender::rolling::never(folder, "recscope.log");
    let (writer, guard) = tracing_appender::non_blocking(appender);
    tracing_subscriber::fmt()
        .with_writer(writer)
        .with_ansi(false)
        .with_max_level(tracing::Level::INFO)
        .try_init()
        .ok()?;
    Some(guard)
}
