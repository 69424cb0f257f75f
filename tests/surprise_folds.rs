//! recscope's k-fold split against the reference library's: the positions each fold
//! tests must be the ones Surprise's `KFold(n_splits=5, random_state=0)` tests on
//! MovieLens 100K (100,000 ratings in file order). The fixture holds positions only,
//! written by `tests/fixtures/surprise/make_kfold_fixture.py`; no data is needed.

use recscope::core::eval::folds::k_fold;

#[test]
fn five_folds_of_ml100k_test_the_same_positions_as_surprise() {
    let fixture = include_str!("fixtures/surprise/kfold_ml100k.tsv");
    let folds = k_fold(100_000, 5, 0).unwrap();
    let mut checked = 0;
    for line in fixture.lines().skip(1) {
        let fields: Vec<usize> = line.split('\t').map(|f| f.parse().unwrap()).collect();
        let [fold, size, place, position] = fields[..] else {
            panic!("bad fixture line {line}");
        };
        let test = &folds[fold - 1].test;
        assert_eq!(test.len(), size, "fold {fold}");
        assert_eq!(test[place], position, "fold {fold}, place {place}");
        checked += 1;
    }
    assert_eq!(checked, 50);
}
