//! The explorer opened with a saved model: it shows the loaded model at once, and the
//! fit it started on opening is cancelled and its result dropped.

use std::sync::Arc;
use std::time::Duration;

use recscope::core::algorithms::{Model, find};
use recscope::core::matrix::{ItemIndex, UserIndex};
use recscope::core::progress::Progress;
use recscope::data;
use recscope::tui::app::{App, Window};
use recscope::tui::keys::KeyMap;
use recscope::tui::theme::Theme;
use recscope::tui::worker::{JobOutput, Lane, WorkerEvent};

mod common;

#[test]
fn a_saved_model_is_shown_without_refitting_and_the_opening_fit_is_dropped() {
    // The first matrix of the design: U1 A=5 B=4; U2 A=3 C=4 D=2; U3 B=5 C=5.
    let dataset = common::dataset(3, 4, &common::TINY_CELLS, false);
    let spec = find("knn_means").expect("registered");
    let params = spec
        .parse_params(&["k=1".to_string()])
        .expect("valid settings");
    let model = spec
        .fit_model(dataset.matrix.clone(), &params, &Progress::none())
        .expect("fits");
    let folder = tempfile::tempdir().expect("a temporary folder");
    let path = folder.path().join("knn.json");
    data::save_model(&path, spec.name, &params, model.as_ref(), &[]).expect("saved");
    let (header, loaded) = data::load_model(&path, dataset.matrix.clone()).expect("loads");

    let keys = KeyMap::defaults().expect("shipped keys");
    let theme = Theme::defaults().expect("shipped theme");
    let mut app = App::new(dataset, "first", keys, theme);
    app.set_window(Window {
        rows: 3,
        columns: 4,
    });
    let loaded: Arc<dyn Model> = loaded.into();
    app.use_saved_model(&header.algorithm, header.params, loaded.clone())
        .expect("the explorer offers knn_means");

    // Nothing is left to fit, and the shown model is the loaded one.
    assert!(app.outbox.iter().all(|job| job.lane != Lane::Model));
    let shown = app.model.as_ref().expect("a model is shown");
    assert_eq!(shown.spec.name, "knn_means");
    assert_eq!(shown.params.int("k", 0), 1);
    assert!(Arc::ptr_eq(&shown.model, &loaded));
    for user in 0..3 as UserIndex {
        for item in 0..4 as ItemIndex {
            assert_eq!(
                shown.model.predict_value(user, item),
                model.predict_value(user, item)
            );
        }
    }

    // A result of the fit started on opening (generation 1) arrives late: dropped.
    let late = find("global_mean")
        .expect("registered")
        .fit_model(
            app.dataset.matrix.clone(),
            &Default::default(),
            &Progress::none(),
        )
        .map(Arc::<dyn Model>::from);
    app.on_worker(WorkerEvent::Done {
        lane: Lane::Model,
        generation: 1,
        elapsed: Duration::ZERO,
        output: JobOutput::Model(late),
    });
    let shown = app.model.as_ref().expect("a model is shown");
    assert!(Arc::ptr_eq(&shown.model, &loaded));

    let refused = app.use_saved_model("no_such_model", Default::default(), loaded);
    assert!(refused.is_err());
}
