//! Loading the real datasets beside the project (skipped when they are absent).

use std::path::{Path, PathBuf};
use std::time::Instant;

use recscope::data::{LoadOptions, load};

fn shared(relative: &str) -> Option<PathBuf> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/data")
        .join(relative);
    if path.exists() {
        Some(path)
    } else {
        println!("skipped: {} is absent", path.display());
        None
    }
}

#[test]
fn movielens_100k_loads_with_latin1_titles() {
    let Some(path) = shared("ml-100k/u.data") else {
        return;
    };
    let started = Instant::now();
    let dataset = load(&path, &LoadOptions::default()).unwrap();
    println!("ml-100k loaded in {:?}", started.elapsed());
    // Counts published in the dataset's README: 943 users, 1682 items, 100000 ratings.
    assert_eq!(dataset.matrix.n_users(), 943);
    assert_eq!(dataset.matrix.n_items(), 1682);
    assert_eq!(dataset.matrix.n_ratings(), 100_000);
    let item = dataset.item_index("543").unwrap();
    assert_eq!(dataset.item_label(item), "Misérables, Les (1995)");
    // u.item line 543 has flags 9 (Drama) and 15 (Romance)... see u.genre.
    println!("{:?}", dataset.item_genres[item as usize]);
    // The first line of u.data is "196	242	3	881250949": user 196 is index 0.
    assert_eq!(dataset.user_index("196"), Some(0));
    assert_eq!(dataset.item_index("242"), Some(0));
    assert_eq!(dataset.timestamps.as_ref().unwrap()[0], 881_250_949);
    let scale = dataset.matrix.scale();
    assert_eq!((scale.min, scale.max), (1.0, 5.0));
    println!("{:#?}", dataset.summary);
}

#[test]
fn movietweetings_10k_loads_with_imdb_ids() {
    let Some(path) = shared("movietweetings-10k/ratings.dat") else {
        return;
    };
    let started = Instant::now();
    let dataset = load(&path, &LoadOptions::default()).unwrap();
    println!("movietweetings loaded in {:?}", started.elapsed());
    println!("{:#?}", dataset.summary);
    assert_eq!(dataset.matrix.n_users(), 3794);
    assert_eq!(dataset.matrix.n_items(), 3096);
    assert_eq!(dataset.matrix.n_ratings(), 10_000);
    let item = dataset.item_index("0120735").unwrap();
    println!("{}", dataset.item_label(item));
}

#[test]
fn lastfm_loads_as_implicit_counts() {
    let Some(path) = shared("lastfm-2k/user_artists.dat") else {
        return;
    };
    let started = Instant::now();
    let dataset = load(&path, &LoadOptions::default()).unwrap();
    println!("lastfm loaded in {:?}", started.elapsed());
    println!("{:#?}", dataset.summary);
    assert_eq!(dataset.matrix.n_users(), 1892);
    assert_eq!(dataset.matrix.n_items(), 17632);
    assert_eq!(dataset.matrix.n_ratings(), 92_834);
    println!("{}", dataset.item_label(0));
}
