//! The data layer's loader on every supported layout and on bad input. Fixtures are
//! written into a temporary folder; expected values are read off the fixture text.

use std::path::{Path, PathBuf};

use recscope::data::{
    ColumnValues, DEFAULT_DATASET, DataError, Dataset, ExportTable, LoadOptions, TableFormat,
    Weights, clean_text, describe, load, write_table,
};

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

fn load_default(path: &Path) -> Dataset {
    load(path, &LoadOptions::default()).unwrap()
}

fn load_err(path: &Path, options: &LoadOptions) -> String {
    match load(path, options) {
        Ok(_) => panic!("{} loaded but should not have", path.display()),
        Err(err) => err.to_string(),
    }
}

/// The rating of a cell by raw ids, `None` when unknown.
fn cell(dataset: &Dataset, user: &str, item: &str) -> Option<f64> {
    let user = dataset.user_index(user)?;
    let item = dataset.item_index(item)?;
    dataset.matrix.rating(user, item)
}

fn crate_file(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(relative)
}

// ---------------------------------------------------------------- separators, header

/// The tiny matrix of the design: U1 rated A 5, B 4; U2 rated A 3, C 4, D 2; U3 rated
/// B 5, C 5.
const TINY_ROWS: [[&str; 3]; 7] = [
    ["U1", "A", "5"],
    ["U1", "B", "4"],
    ["U2", "A", "3"],
    ["U2", "C", "4"],
    ["U2", "D", "2"],
    ["U3", "B", "5"],
    ["U3", "C", "5"],
];

fn tiny_text(separator: &str, header: bool) -> String {
    let mut text = String::new();
    if header {
        text.push_str(&["user", "item", "rating"].join(separator));
        text.push('\n');
    }
    for row in TINY_ROWS {
        text.push_str(&row.join(separator));
        text.push('\n');
    }
    text
}

fn assert_is_tiny(dataset: &Dataset) {
    assert_eq!(dataset.matrix.n_users(), 3);
    assert_eq!(dataset.matrix.n_items(), 4);
    assert_eq!(dataset.matrix.n_ratings(), 7);
    assert_eq!(cell(dataset, "U1", "A"), Some(5.0));
    assert_eq!(cell(dataset, "U2", "D"), Some(2.0));
    assert_eq!(cell(dataset, "U3", "C"), Some(5.0));
    assert_eq!(cell(dataset, "U1", "C"), None);
    assert_eq!(cell(dataset, "U3", "A"), None);
}

#[test]
fn every_separator_reads_with_and_without_header() {
    let dir = tempfile::tempdir().unwrap();
    for (name, separator) in [
        ("comma", ","),
        ("tab", "\t"),
        ("semicolon", ";"),
        ("pipe", "|"),
        ("colons", "::"),
    ] {
        for header in [true, false] {
            let file = format!("{name}-{header}.txt");
            let path = write(dir.path(), &file, tiny_text(separator, header).as_bytes());
            let dataset = load_default(&path);
            assert_is_tiny(&dataset);
            assert_eq!(dataset.summary.rows_read, 7, "{file}");
            let expected_header = if header { "header" } else { "no header" };
            assert!(
                dataset.summary.format.contains(expected_header),
                "{file}: {}",
                dataset.summary.format
            );
        }
    }
}

#[test]
fn a_given_separator_overrides_sniffing() {
    let dir = tempfile::tempdir().unwrap();
    // Every line also has exactly one comma inside the item id, which would fool a
    // sniffer; the separator given is ';'.
    let path = write(dir.path(), "r.txt", b"u1;a,b;4\nu2;c,d;2\n");
    let options = LoadOptions {
        separator: Some(";".to_string()),
        ..LoadOptions::default()
    };
    let dataset = load(&path, &options).unwrap();
    assert_eq!(dataset.item_ids, vec!["a,b", "c,d"]);
    assert_eq!(cell(&dataset, "u2", "c,d"), Some(2.0));
}

#[test]
fn crlf_line_ends_and_blank_lines_are_tolerated() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "r.csv",
        b"user,item,rating\r\nu1,i1,4\r\n\r\nu2,i1,2\r\n",
    );
    let dataset = load_default(&path);
    assert_eq!(dataset.matrix.n_ratings(), 2);
    assert_eq!(cell(&dataset, "u2", "i1"), Some(2.0));
}

// ---------------------------------------------------------------- ids and encoding

#[test]
fn ids_stay_strings_so_leading_zeros_are_kept() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "r.csv",
        b"1,0120735,9\n1,120735,3\n007,0120735,7\n",
    );
    let dataset = load_default(&path);
    assert_eq!(dataset.matrix.n_items(), 2);
    assert_eq!(dataset.matrix.n_users(), 2);
    assert_eq!(cell(&dataset, "1", "0120735"), Some(9.0));
    assert_eq!(cell(&dataset, "1", "120735"), Some(3.0));
    assert_eq!(cell(&dataset, "007", "0120735"), Some(7.0));
    assert_eq!(dataset.user_index("7"), None);
}

#[test]
fn indices_follow_the_order_of_first_appearance() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "r.csv", b"z,i9,1\na,i2,2\nz,i1,3\nm,i9,4\n");
    let dataset = load_default(&path);
    assert_eq!(dataset.user_ids, vec!["z", "a", "m"]);
    assert_eq!(dataset.item_ids, vec!["i9", "i2", "i1"]);
    assert_eq!(dataset.user_index("m"), Some(2));
    assert_eq!(dataset.item_index("i1"), Some(2));
}

#[test]
fn duplicate_pairs_keep_the_last_rating_and_are_counted() {
    let dir = tempfile::tempdir().unwrap();
    // (u1, i1) appears three times (3, then 1, then 5) and (u2, i2) twice (2, then 4).
    let text = b"u1,i1,3,100\nu2,i2,2,101\nu1,i1,1,102\nu1,i3,4,103\nu1,i1,5,104\nu2,i2,4,105\n";
    let path = write(dir.path(), "r.csv", text);
    let dataset = load_default(&path);
    assert_eq!(cell(&dataset, "u1", "i1"), Some(5.0));
    assert_eq!(cell(&dataset, "u2", "i2"), Some(4.0));
    assert_eq!(dataset.summary.rows_read, 6);
    assert_eq!(dataset.summary.duplicates_resolved, 2);
    assert_eq!(dataset.summary.duplicate_rows_dropped, 3);
    assert!(dataset.summary.duplicate_policy.contains("last"));
    // The kept ratings stay in file order, each at the place of its last row:
    // (u1,i3,4)@103, (u1,i1,5)@104, (u2,i2,4)@105.
    let values: Vec<f64> = dataset.ratings.iter().map(|r| r.value).collect();
    assert_eq!(values, vec![4.0, 5.0, 4.0]);
    assert_eq!(dataset.timestamps, Some(vec![103, 104, 105]));
}

#[test]
fn timestamps_are_kept_from_a_named_or_fourth_column() {
    let dir = tempfile::tempdir().unwrap();
    let named = write(
        dir.path(),
        "a.csv",
        b"time,user,item,rating\n50,u1,i1,4\n60,u2,i1,3\n",
    );
    let dataset = load_default(&named);
    assert_eq!(dataset.timestamps, Some(vec![50, 60]));
    assert_eq!(cell(&dataset, "u2", "i1"), Some(3.0));

    let unnamed = write(dir.path(), "b.tsv", b"u1\ti1\t4\t881250949\n");
    assert_eq!(load_default(&unnamed).timestamps, Some(vec![881_250_949]));

    let none = write(dir.path(), "c.csv", b"u1,i1,4\n");
    assert_eq!(load_default(&none).timestamps, None);
}

// ---------------------------------------------------------------- implicit feedback

#[test]
fn a_file_without_rating_column_is_implicit_with_weight_one() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "plays.csv",
        b"user,item\nu1,song1\nu1,song2\nu2,song1\n",
    );
    let dataset = load_default(&path);
    assert!(dataset.summary.implicit);
    assert_eq!(dataset.matrix.n_ratings(), 3);
    assert!(dataset.ratings.iter().all(|r| r.value == 1.0));

    let unnamed = write(dir.path(), "plays.tsv", b"u1\tsong1\nu2\tsong2\n");
    let dataset = load_default(&unnamed);
    assert!(dataset.summary.implicit);
    assert_eq!(cell(&dataset, "u2", "song2"), Some(1.0));
}

#[test]
fn lastfm_layout_reads_play_counts_and_artist_names() {
    let dir = tempfile::tempdir().unwrap();
    let ratings = write(
        dir.path(),
        "user_artists.dat",
        b"userID\tartistID\tweight\r\n2\t51\t13883\r\n2\t52\t11690\r\n3\t51\t7\r\n",
    );
    write(
        dir.path(),
        "artists.dat",
        "id\tname\turl\tpictureURL\r\n51\tDuran Duran\thttp://x\thttp://y\r\n\
         52\t\"Weird Al\" Yankovic\thttp://x\thttp://y\r\n"
            .as_bytes(),
    );
    let dataset = load_default(&ratings);
    assert!(dataset.summary.implicit);
    assert!(dataset.summary.format.starts_with("Last.fm"));
    assert_eq!(cell(&dataset, "2", "52"), Some(11690.0));
    assert_eq!(cell(&dataset, "3", "51"), Some(7.0));
    let scale = dataset.matrix.scale();
    assert_eq!((scale.min, scale.max), (7.0, 13883.0));
    let weird = dataset.item_index("52").unwrap();
    assert_eq!(dataset.item_label(weird), "\"Weird Al\" Yankovic");
    assert_eq!(
        dataset.item_label(dataset.item_index("51").unwrap()),
        "Duran Duran"
    );
}

// ---------------------------------------------------------------- MovieLens layouts

#[test]
fn movielens_100k_layout_reads_latin1_u_item_and_genres() {
    let dir = tempfile::tempdir().unwrap();
    let ratings = write(
        dir.path(),
        "u.data",
        b"196\t242\t3\t881250949\n186\t543\t4\t891717742\n",
    );
    // "Mis\xe9rables": 0xE9 is é in Latin-1. Flags: Comedy (5) for 242; Drama (8) and
    // Musical (12) for 543.
    let mut item =
        b"242|Kolya (1996)|24-Jan-1997||http://x|0|0|0|0|0|1|0|0|0|0|0|0|0|0|0|0|0|0|0\n".to_vec();
    item.extend_from_slice(
        b"543|Mis\xe9rables, Les (1995)|01-Jan-1995||http://x|0|0|0|0|0|0|0|0|1|0|0|0|1|0|0|0|0|0|0\n",
    );
    write(dir.path(), "u.item", &item);
    write(
        dir.path(),
        "u.genre",
        b"unknown|0\nAction|1\nAdventure|2\nAnimation|3\nChildren's|4\nComedy|5\nCrime|6\n\
          Documentary|7\nDrama|8\nFantasy|9\nFilm-Noir|10\nHorror|11\nMusical|12\nMystery|13\n\
          Romance|14\nSci-Fi|15\nThriller|16\nWar|17\nWestern|18\n\n",
    );
    let dataset = load_default(&ratings);
    let les = dataset.item_index("543").unwrap();
    assert_eq!(dataset.item_label(les), "Misérables, Les (1995)");
    assert_eq!(dataset.item_genres[les as usize], vec!["Drama", "Musical"]);
    let kolya = dataset.item_index("242").unwrap();
    assert_eq!(dataset.item_genres[kolya as usize], vec!["Comedy"]);
    // The stated 1–5 scale, although these ratings only span 3–4.
    let scale = dataset.matrix.scale();
    assert_eq!((scale.min, scale.max), (1.0, 5.0));
    assert!(dataset.summary.format.starts_with("MovieLens 100K"));
    assert_eq!(dataset.summary.items_file, Some(dir.path().join("u.item")));
}

#[test]
fn movielens_dat_layout_reads_double_colon_movies() {
    let dir = tempfile::tempdir().unwrap();
    let ratings = write(
        dir.path(),
        "ratings.dat",
        b"1::1193::5::978300760\n1::661::3::978302109\n2::1193::4::978298413\n",
    );
    write(
        dir.path(),
        "movies.dat",
        "1193::One Flew Over the Cuckoo's Nest (1975)::Drama\n\
         661::Star Wars: Episode IV \"A New Hope\" (1977)::Action|Sci-Fi\n"
            .as_bytes(),
    );
    let dataset = load_default(&ratings);
    assert_eq!(dataset.matrix.n_ratings(), 3);
    assert_eq!(cell(&dataset, "2", "1193"), Some(4.0));
    let star_wars = dataset.item_index("661").unwrap();
    assert_eq!(
        dataset.item_label(star_wars),
        "Star Wars: Episode IV \"A New Hope\" (1977)"
    );
    assert_eq!(
        dataset.item_genres[star_wars as usize],
        vec!["Action", "Sci-Fi"]
    );
    assert_eq!(dataset.timestamps.as_ref().unwrap()[1], 978_302_109);
    assert!(dataset.summary.format.starts_with("MovieLens ratings.dat"));
}

#[test]
fn movielens_csv_layout_reads_quoted_titles() {
    let dir = tempfile::tempdir().unwrap();
    let ratings = write(
        dir.path(),
        "ratings.csv",
        b"userId,movieId,rating,timestamp\n1,1,4.0,964982703\n1,3,4.5,964981247\n",
    );
    write(
        dir.path(),
        "movies.csv",
        "movieId,title,genres\n1,Toy Story (1995),Adventure|Animation\n\
         3,\"American President, The (1995)\",Comedy|Drama|Romance\n\
         9,Unrated (2000),(no genres listed)\n"
            .as_bytes(),
    );
    let dataset = load_default(&ratings);
    assert_eq!(cell(&dataset, "1", "3"), Some(4.5));
    let president = dataset.item_index("3").unwrap();
    assert_eq!(
        dataset.item_label(president),
        "American President, The (1995)"
    );
    assert_eq!(
        dataset.item_genres[president as usize],
        vec!["Comedy", "Drama", "Romance"]
    );
    assert_eq!(dataset.summary.items_with_titles, 2);
    assert!(dataset.summary.format.starts_with("MovieLens ratings.csv"));
}

#[test]
fn movietweetings_layout_keeps_imdb_ids_and_the_0_to_10_scale() {
    let dir = tempfile::tempdir().unwrap();
    let ratings = write(
        dir.path(),
        "ratings.dat",
        b"1::0120735::9::1363245118\n2::2592910::8::1362901837\n",
    );
    write(
        dir.path(),
        "movies.dat",
        "0120735::Lock, Stock and Two Smoking Barrels (1998)::Comedy|Crime\n\
         2592910::Fantômas (1913)::\n"
            .as_bytes(),
    );
    let dataset = load_default(&ratings);
    assert!(dataset.summary.format.starts_with("MovieTweetings"));
    let scale = dataset.matrix.scale();
    assert_eq!((scale.min, scale.max), (0.0, 10.0));
    let fantomas = dataset.item_index("2592910").unwrap();
    assert_eq!(dataset.item_label(fantomas), "Fantômas (1913)");
    assert!(dataset.item_genres[fantomas as usize].is_empty());
    assert_eq!(dataset.item_index("120735"), None);
}

#[test]
fn an_items_file_can_be_given_explicitly() {
    let dir = tempfile::tempdir().unwrap();
    let ratings = write(dir.path(), "r.csv", b"u1,m1,4\nu2,m2,3\n");
    let items = write(
        dir.path(),
        "films.tsv",
        b"m1\tFirst Film\tDrama\nm2\tSecond\tComedy|War\n",
    );
    let options = LoadOptions {
        items_file: Some(items.clone()),
        ..LoadOptions::default()
    };
    let dataset = load(&ratings, &options).unwrap();
    assert_eq!(dataset.item_label(0), "First Film");
    assert_eq!(dataset.item_genres[1], vec!["Comedy", "War"]);
    assert_eq!(dataset.summary.items_file, Some(items));
}

#[test]
fn a_non_utf8_ratings_file_is_read_as_latin1() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "r.csv", b"Jos\xe9,Caf\xe9,4\n");
    let dataset = load_default(&path);
    assert_eq!(dataset.user_ids, vec!["José"]);
    assert_eq!(cell(&dataset, "José", "Café"), Some(4.0));
    assert!(dataset.summary.format.contains("Latin-1"));
}

// ---------------------------------------------------------------- columns by flag

#[test]
fn columns_are_found_by_usual_names_in_any_order() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "r.csv",
        b"score,comment,item_id,user_id\n4.5,nice,i1,u1\n2,meh,i2,u1\n",
    );
    let dataset = load_default(&path);
    assert_eq!(cell(&dataset, "u1", "i1"), Some(4.5));
    assert_eq!(cell(&dataset, "u1", "i2"), Some(2.0));
}

#[test]
fn columns_can_be_given_by_name_or_by_position() {
    let dir = tempfile::tempdir().unwrap();
    let named = write(dir.path(), "a.csv", b"who,what,stars_given\nu1,i1,3\n");
    let options = LoadOptions {
        user_column: Some("who".to_string()),
        item_column: Some("what".to_string()),
        rating_column: Some("stars_given".to_string()),
        ..LoadOptions::default()
    };
    assert_eq!(
        cell(&load(&named, &options).unwrap(), "u1", "i1"),
        Some(3.0)
    );

    // No header: rating in column 1, item in 3, user in 2.
    let positional = write(dir.path(), "b.csv", b"5,u1,i1\n2,u2,i1\n");
    let options = LoadOptions {
        user_column: Some("2".to_string()),
        item_column: Some("3".to_string()),
        rating_column: Some("1".to_string()),
        ..LoadOptions::default()
    };
    let dataset = load(&positional, &options).unwrap();
    assert_eq!(cell(&dataset, "u2", "i1"), Some(2.0));
}

// ---------------------------------------------------------------- parquet

#[test]
fn parquet_files_are_read_with_numbers_as_ids() {
    use polars::prelude::*;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ratings.parquet");
    let mut frame = DataFrame::new(
        3,
        vec![
            Column::new("userId".into(), &[10i64, 10, 5_000_000_000]),
            Column::new("movieId".into(), &["0120735", "120735", "0120735"]),
            Column::new("rating".into(), &[4.5f64, 2.0, 3.0]),
        ],
    )
    .unwrap();
    let file = std::fs::File::create(&path).unwrap();
    ParquetWriter::new(file).finish(&mut frame).unwrap();

    let dataset = load_default(&path);
    assert_eq!(dataset.matrix.n_users(), 2);
    assert_eq!(dataset.matrix.n_items(), 2);
    assert_eq!(cell(&dataset, "10", "0120735"), Some(4.5));
    // An id beyond 32 bits stays itself.
    assert_eq!(cell(&dataset, "5000000000", "0120735"), Some(3.0));
    assert_eq!(dataset.summary.format, "parquet");
}

#[test]
fn a_bad_parquet_rating_names_its_row() {
    use polars::prelude::*;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.parquet");
    let mut frame = DataFrame::new(
        2,
        vec![
            Column::new("user".into(), &["a", "b"]),
            Column::new("item".into(), &["x", "y"]),
            Column::new("rating".into(), &[4.0f64, f64::NAN]),
        ],
    )
    .unwrap();
    ParquetWriter::new(std::fs::File::create(&path).unwrap())
        .finish(&mut frame)
        .unwrap();
    let message = load_err(&path, &LoadOptions::default());
    assert!(message.contains("bad.parquet"), "{message}");
    assert!(message.contains("row 2"), "{message}");
    assert!(message.contains("NaN"), "{message}");
}

// ---------------------------------------------------------------- JSON

#[test]
fn json_lines_and_json_arrays_are_read() {
    let dir = tempfile::tempdir().unwrap();
    let lines = write(
        dir.path(),
        "r.jsonl",
        b"{\"user\": 1, \"item\": \"0042\", \"rating\": 4.5}\n\n{\"item\": \"7\", \"user\": 2, \"rating\": 2}\n",
    );
    let dataset = load_default(&lines);
    assert_eq!(cell(&dataset, "1", "0042"), Some(4.5));
    assert_eq!(cell(&dataset, "2", "7"), Some(2.0));
    assert_eq!(dataset.summary.format, "JSON");

    let array = write(
        dir.path(),
        "r.json",
        b"[{\"user_id\": \"a\", \"item_id\": \"x\"}, {\"user_id\": \"b\", \"item_id\": \"x\"}]",
    );
    let dataset = load_default(&array);
    assert!(dataset.summary.implicit);
    assert_eq!(cell(&dataset, "b", "x"), Some(1.0));
}

#[test]
fn bad_json_lines_name_their_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "r.jsonl",
        b"{\"user\": 1, \"item\": 2, \"rating\": 4}\n{\"user\": 1, \"item\": 3, \"rating\": \"lots\"}\nnot json\n",
    );
    let message = load_err(&path, &LoadOptions::default());
    // Line 3 is not JSON: reading stops there, before ratings are parsed.
    assert!(message.contains("line 3"), "{message}");
    assert!(message.contains("\"not json\""), "{message}");

    let path = write(
        dir.path(),
        "s.jsonl",
        b"{\"user\": 1, \"item\": 2, \"rating\": 4}\n{\"user\": 1, \"item\": 3, \"rating\": \"lots\"}\n",
    );
    let message = load_err(&path, &LoadOptions::default());
    assert!(message.contains("line 2"), "{message}");
    assert!(message.contains("\"lots\""), "{message}");
}

// ---------------------------------------------------------------- bad input

#[test]
fn a_non_numeric_rating_names_file_line_column_and_value() {
    let dir = tempfile::tempdir().unwrap();
    // Line 1 is the header, line 3 the bad row.
    let path = write(
        dir.path(),
        "bad.csv",
        b"user,item,rating\nu1,i1,4\nu2,i1,abc\n",
    );
    let message = load_err(&path, &LoadOptions::default());
    assert!(message.contains("bad.csv"), "{message}");
    assert!(message.contains("line 3"), "{message}");
    assert!(message.contains("\"rating\""), "{message}");
    assert!(message.contains("\"abc\""), "{message}");
    assert!(message.contains("is not a number"), "{message}");
    assert!(message.contains("--rating-col"), "{message}");
}

#[test]
fn line_numbers_count_blank_lines_and_the_header() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "gaps.csv",
        b"user,item,rating\n\nu1,i1,4\n\nu2,i1,x\n",
    );
    let message = load_err(&path, &LoadOptions::default());
    assert!(message.contains("line 5"), "{message}");
}

#[test]
fn non_finite_ratings_are_rejected() {
    let dir = tempfile::tempdir().unwrap();
    for (name, value) in [
        ("nan.tsv", "NaN"),
        ("inf.tsv", "inf"),
        ("neg.tsv", "-infinity"),
    ] {
        let text = format!("u1\ti1\t4\nu1\ti2\t{value}\n");
        let path = write(dir.path(), name, text.as_bytes());
        let message = load_err(&path, &LoadOptions::default());
        assert!(message.contains(name), "{message}");
        assert!(message.contains("line 2"), "{message}");
        assert!(message.contains("column 3"), "{message}");
        assert!(message.contains(&format!("\"{value}\"")), "{message}");
        assert!(message.contains("not a finite number"), "{message}");
    }
}

#[test]
fn a_decimal_comma_gets_its_own_hint() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "eu.csv", b"user;item;rating\nu1;i1;4,5\n");
    let message = load_err(&path, &LoadOptions::default());
    assert!(message.contains("\"4,5\""), "{message}");
    assert!(message.contains("decimal comma"), "{message}");
}

#[test]
fn a_missing_value_names_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "short.csv",
        b"user,item,rating\nu1,i1,4\nu2,i2\n",
    );
    let message = load_err(&path, &LoadOptions::default());
    assert!(message.contains("line 3"), "{message}");
    assert!(message.contains("line has no rating"), "{message}");

    let no_user = write(dir.path(), "nouser.tsv", b"u1\ti1\t4\n\ti2\t3\n");
    let message = load_err(&no_user, &LoadOptions::default());
    assert!(message.contains("line 2, column 1"), "{message}");
    assert!(message.contains("line has no user"), "{message}");
}

#[test]
fn a_column_position_out_of_range_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "three.csv", b"u1,i1,4\n");
    let options = LoadOptions {
        rating_column: Some("9".to_string()),
        ..LoadOptions::default()
    };
    let message = load_err(&path, &options);
    assert!(message.contains("no rating column \"9\""), "{message}");
    assert!(message.contains("from 1 to 3"), "{message}");
}

#[test]
fn an_escape_sequence_in_a_bad_value_is_shown_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "esc.csv", b"u1,i1,\x1b[31mred\n");
    let message = load_err(&path, &LoadOptions::default());
    assert!(!message.contains('\u{1b}'), "{message}");
    assert!(message.contains("\"\\u{1b}[31mred\""), "{message}");
}

#[test]
fn a_missing_column_lists_the_columns_found_and_the_flag() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "cols.csv", b"user,thing,rating\nu1,i1,4\n");
    let err = load(&path, &LoadOptions::default()).unwrap_err();
    assert!(matches!(err, DataError::MissingColumn { .. }));
    let message = err.to_string();
    assert!(message.contains("cols.csv"), "{message}");
    assert!(message.contains("no item column"), "{message}");
    assert!(message.contains("\"thing\""), "{message}");
    assert!(err.hint().contains("--item-col"), "{message}");

    let good = write(dir.path(), "good.csv", b"user,item,rating\nu1,i1,4\n");
    let options = LoadOptions {
        rating_column: Some("stars".to_string()),
        ..LoadOptions::default()
    };
    let message = load_err(&good, &options);
    assert!(message.contains("\"stars\""), "{message}");
    assert!(message.contains("--rating-col"), "{message}");
}

#[test]
fn empty_files_and_header_only_files_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    let empty = write(dir.path(), "empty.csv", b"");
    let err = load(&empty, &LoadOptions::default()).unwrap_err();
    assert!(matches!(err, DataError::Empty { .. }));
    assert!(err.to_string().contains("empty.csv"));

    let blank = write(dir.path(), "blank.csv", b"\n \n\r\n");
    assert!(matches!(
        load(&blank, &LoadOptions::default()),
        Err(DataError::Empty { .. })
    ));

    let header_only = write(dir.path(), "header.csv", b"user,item,rating\n");
    let message = load_err(&header_only, &LoadOptions::default());
    assert!(message.contains("header.csv"), "{message}");
    assert!(message.contains("no rating lines"), "{message}");
}

#[test]
fn an_unreadable_file_names_its_path() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nowhere.csv");
    let err = load(&path, &LoadOptions::default()).unwrap_err();
    assert!(matches!(err, DataError::Unreadable { .. }));
    assert!(err.to_string().contains("nowhere.csv"));
    assert!(!err.hint().is_empty());
}

#[test]
fn a_file_without_separator_and_a_bad_sep_flag_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "words.txt", b"hello\nworld\n");
    let message = load_err(&path, &LoadOptions::default());
    assert!(message.contains("\"hello\""), "{message}");
    assert!(message.contains("--sep"), "{message}");

    let csv = write(dir.path(), "ok.csv", b"u,i,1\n");
    let options = LoadOptions {
        separator: Some("ab".to_string()),
        ..LoadOptions::default()
    };
    assert!(load_err(&csv, &options).contains("\"ab\""));
}

#[test]
fn binary_garbage_is_an_error_not_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let bytes: Vec<u8> = (0..=255u8).cycle().take(4096).collect();
    let path = write(dir.path(), "noise.bin", &bytes);
    assert!(load(&path, &LoadOptions::default()).is_err());
}

// ---------------------------------------------------------------- display safety

#[test]
fn titles_and_ids_reach_labels_without_escape_sequences() {
    let dir = tempfile::tempdir().unwrap();
    let ratings = write(
        dir.path(),
        "ratings.csv",
        b"userId,movieId,rating\n\x1b[2Jmallory,1,4\n",
    );
    write(
        dir.path(),
        "movies.csv",
        b"movieId,title,genres\n1,Evil\x1b]0;owned\x07 Film\x07,Drama\n",
    );
    let dataset = load_default(&ratings);
    // The raw id is kept for lookups; its label is clean.
    let user = dataset.user_index("\u{1b}[2Jmallory").unwrap();
    assert_eq!(dataset.user_label(user), "mallory");
    assert_eq!(dataset.item_label(0), "Evil Film");
    assert_eq!(clean_text("ok"), "ok");
}

#[test]
fn datasets_built_in_memory_follow_the_file_rules() {
    let dataset = Dataset::from_triples(
        &[
            ("U1", "A", 5.0),
            ("U2", "A", 3.0),
            ("U1", "B", 4.0),
            ("U1", "A", 2.0),
        ],
        None,
    )
    .unwrap();
    assert_eq!(dataset.user_ids, vec!["U1", "U2"]);
    assert_eq!(dataset.item_ids, vec!["A", "B"]);
    // (U1, A) twice: the later 2 wins; the kept ratings are 3, 4, 2 → span 2..4.
    assert_eq!(cell(&dataset, "U1", "A"), Some(2.0));
    assert_eq!(dataset.summary.duplicates_resolved, 1);
    let scale = dataset.matrix.scale();
    assert_eq!((scale.min, scale.max), (2.0, 4.0));
    assert!(Dataset::from_triples(&[("u", "i", f64::NAN)], None).is_err());
}

// ---------------------------------------------------------------- ids asked for

#[test]
fn unknown_ids_are_errors_with_a_near_match() {
    let dir = tempfile::tempdir().unwrap();
    let ratings = write(
        dir.path(),
        "ratings.dat",
        b"1::0120735::9::5
2::2592910::8::6
",
    );
    write(
        dir.path(),
        "movies.dat",
        b"0120735::Lock, Stock and Two Smoking Barrels (1998)::Comedy
2592910::Other (2013)::
",
    );
    let dataset = load_default(&ratings);
    assert_eq!(dataset.find_user("2").unwrap(), 1);
    assert_eq!(dataset.find_item("0120735").unwrap(), 0);

    let err = dataset.find_item("120735").unwrap_err();
    let message = err.to_string();
    assert!(message.contains("ratings.dat"), "{message}");
    assert!(message.contains("no item \"120735\""), "{message}");
    assert!(message.contains("2 items"), "{message}");
    assert!(err.hint().contains("did you mean \"0120735\""), "{message}");

    let by_title = dataset.find_item("other (2013)").unwrap_err();
    assert!(by_title.hint().contains("\"2592910\""), "{by_title}");

    let nobody = dataset.find_user("U7").unwrap_err().to_string();
    assert!(nobody.contains("no user \"U7\""), "{nobody}");
    assert!(!nobody.contains("did you mean"), "{nobody}");
}

/// The ids of the reviewer's `ansi.csv`: a user id that turns the terminal red, an item
/// id that rings the bell, one that clears the screen.
const ANSI_RATINGS: &[u8] =
    b"user,item,rating\n\x1b[31mred,\x07bell,4\n\x1b[31mred,x\x1b[2Jclr,5\n\
u2,\x07bell,3\nu2,x\x1b[2Jclr,2\n";

#[test]
fn unknown_id_errors_name_the_file_and_escape_the_ids_they_list() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "ansi.csv", ANSI_RATINGS);
    let dataset = load_default(&path);

    // No id is near "nosuch": the first ids are listed, escaped, never raw.
    let message = dataset.find_item("nosuch").unwrap_err().to_string();
    assert!(message.contains("ansi.csv"), "{message}");
    assert!(message.contains("no item \"nosuch\""), "{message}");
    assert!(message.contains("the first ones are"), "{message}");
    assert!(message.contains("\"\\u{7}bell\""), "{message}");
    assert!(message.contains("\"x\\u{1b}[2Jclr\""), "{message}");
    assert!(
        !message.contains('\u{1b}') && !message.contains('\u{7}'),
        "{message:?}"
    );

    let message = dataset.find_user("red").unwrap_err().to_string();
    assert!(message.contains("\"\\u{1b}[31mred\""), "{message}");
    assert!(!message.contains('\u{1b}'), "{message:?}");
    // The id asked for is escaped too.
    let message = dataset.find_user("u\u{1b}[2J").unwrap_err().to_string();
    assert!(!message.contains('\u{1b}'), "{message:?}");
    assert!(message.contains("\"u\\u{1b}[2J\""), "{message}");
}

#[test]
fn similar_ids_are_listed_escaped_with_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "near.csv",
        b"user,item,rating\nU1,A,4\nU2,A,3\n\x1bU3,A,2\nZed,A,1\n",
    );
    let dataset = load_default(&path);
    // "U4" is one edit from U1 and U2 (ids of up to four characters allow one edit);
    // "\x1bU3" is two edits away and "Zed" three: neither is listed.
    let err = dataset.find_user("U4").unwrap_err();
    let message = err.to_string();
    assert!(message.contains("near.csv"), "{message}");
    assert!(message.contains("4 users"), "{message}");
    assert!(
        message.contains("similar user ids: \"U1\", \"U2\""),
        "{message}"
    );
    assert!(!message.contains("Zed"), "{message}");
    assert!(err.hint().contains("did you mean \"U1\""), "{message}");
    // "ZZ" reaches "U1" only by replacing every character, which is no typo.
    let message = dataset.find_user("ZZ").unwrap_err().to_string();
    assert!(message.contains("the first ones are"), "{message}");
    assert!(message.contains("\"\\u{1b}U3\""), "{message}");
}

#[test]
fn escape_sequences_are_removed_whole_from_every_label() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "ansi.csv", ANSI_RATINGS);
    let dataset = load_default(&path);
    // Users and items are cleaned the same way: the sequence goes, not only its ESC.
    let red = dataset.user_index("\u{1b}[31mred").unwrap();
    assert_eq!(dataset.user_label(red), "red");
    let clr = dataset.item_index("x\u{1b}[2Jclr").unwrap();
    assert_eq!(dataset.item_id_label(clr), "xclr");
    let bell = dataset.item_index("\u{7}bell").unwrap();
    assert_eq!(dataset.item_label(bell), "bell");
    // C1 forms (bytes 0x9B, 0x9D in a Latin-1 file) are sequences as well.
    assert_eq!(clean_text("\u{9b}31mred"), "red");
}

// ---------------------------------------------------------------- implausible values

#[test]
fn ratings_too_large_to_compute_with_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "huge.csv",
        b"user,item,rating\n1,2,4\n1,3,1e308\n2,2,3\n",
    );
    let err = load(&path, &LoadOptions::default()).unwrap_err();
    let message = err.to_string();
    assert!(message.contains("huge.csv"), "{message}");
    assert!(message.contains("line 3, column 3 \"rating\""), "{message}");
    assert!(message.contains("\"1e308\" is too large"), "{message}");
    assert!(err.hint().contains("rescale"), "{message}");

    // The limit is 1e100 in size, either sign.
    let edge = write(
        dir.path(),
        "edge.csv",
        b"user,item,rating\n1,2,1e100\n1,3,-1e100\n",
    );
    assert_eq!(cell(&load_default(&edge), "1", "2"), Some(1e100));
    let beyond = write(
        dir.path(),
        "beyond.csv",
        b"user,item,rating\n1,2,4\n1,3,-1.5e100\n",
    );
    let message = load_err(&beyond, &LoadOptions::default());
    assert!(message.contains("line 3"), "{message}");
    assert!(message.contains("\"-1.5e100\""), "{message}");

    let err = Dataset::from_triples(&[("u", "i", 3.0), ("u", "j", 2e200)], None).unwrap_err();
    assert!(err.to_string().contains("row 2"), "{err}");
    assert!(err.to_string().contains("too large"), "{err}");
}

#[test]
fn an_extreme_rating_scale_loads_with_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "wide.csv",
        b"user,item,rating\n1,2,4\n1,3,50000\n2,2,3\n",
    );
    let dataset = load_default(&path);
    let warnings = dataset.summary.warnings.join("\n");
    assert!(
        warnings.contains("ratings span 3 to 50000, far beyond usual rating scales"),
        "{warnings}"
    );
    assert_eq!(describe(&dataset).warnings, dataset.summary.warnings);

    // A 1–5 file has no such warning.
    let calm = write(dir.path(), "calm.csv", b"user,item,rating\n1,2,4\n1,3,5\n");
    assert!(load_default(&calm).summary.warnings.is_empty());
}

// ---------------------------------------------------------------- weights and counts

fn lastfm_file(dir: &Path) -> PathBuf {
    write(
        dir,
        "user_artists.dat",
        b"userID\tartistID\tweight\n2\t51\t13883\n2\t52\t11690\n3\t51\t7\n",
    )
}

#[test]
fn play_counts_are_implicit_weights_and_the_summary_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let dataset = load_default(&lastfm_file(dir.path()));
    assert!(dataset.summary.implicit);
    assert_eq!(
        dataset.summary.feedback,
        "implicit, weights from column \"weight\" (play counts), as read"
    );
    // Counts are kept as the values; the warning says the algorithms take them as ratings.
    assert_eq!(cell(&dataset, "2", "51"), Some(13883.0));
    let warnings = dataset.summary.warnings.join("\n");
    assert!(
        warnings.contains("play counts (7 to 13883) are used as they are"),
        "{warnings}"
    );
    assert!(warnings.contains("treat them as ratings"), "{warnings}");
    assert!(warnings.contains("log(1 + count)"), "{warnings}");
    // No "extreme scale" warning on top: large counts are expected of counts.
    assert!(!warnings.contains("far beyond"), "{warnings}");
    assert_eq!(describe(&dataset).feedback, dataset.summary.feedback);
}

#[test]
fn play_counts_can_be_read_as_log_one_plus_count() {
    let dir = tempfile::tempdir().unwrap();
    let options = LoadOptions {
        weights: Weights::Log,
        ..LoadOptions::default()
    };
    let dataset = load(&lastfm_file(dir.path()), &options).unwrap();
    // log(1 + 13883) = ln 13884 ≈ 9.5385; log(1 + 7) = ln 8 ≈ 2.0794.
    let value = cell(&dataset, "2", "51").unwrap();
    assert!((value - 13884f64.ln()).abs() < 1e-12, "{value}");
    assert!((value - 9.5385).abs() < 1e-4, "{value}");
    let low = cell(&dataset, "3", "51").unwrap();
    assert!((low - 2.0794).abs() < 1e-4, "{low}");
    assert!(
        dataset.summary.feedback.ends_with("read as log(1 + count)"),
        "{}",
        dataset.summary.feedback
    );
    let scale = dataset.matrix.scale();
    assert!((scale.min - 8f64.ln()).abs() < 1e-12);

    // A negative count has no logarithm: an error at its line.
    let negative = write(
        dir.path(),
        "neg.csv",
        b"user,item,count\nu1,i1,3\nu1,i2,-2\n",
    );
    let message = load_err(&negative, &options);
    assert!(message.contains("line 3"), "{message}");
    assert!(message.contains("\"-2\" is negative"), "{message}");

    // Explicit ratings are never transformed, and the summary says why.
    let explicit = write(dir.path(), "stars.csv", b"user,item,rating\nu1,i1,4\n");
    let dataset = load(&explicit, &options).unwrap();
    assert_eq!(cell(&dataset, "u1", "i1"), Some(4.0));
    assert_eq!(
        dataset.summary.feedback,
        "explicit ratings from column \"rating\""
    );
    assert!(dataset.summary.warnings[0].contains("weights and counts only"));
}

// ---------------------------------------------------------------- bad shapes

#[test]
fn a_line_with_more_fields_than_the_header_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "ragged_many.csv",
        b"user,item,rating\n1,2,4\n1,3,5,9,9\n2,2,3\n2,3,1,7\n",
    );
    let err = load(&path, &LoadOptions::default()).unwrap_err();
    let message = err.to_string();
    assert!(message.contains("ragged_many.csv"), "{message}");
    assert!(message.contains("line 3, field 4: \"9\""), "{message}");
    assert!(message.contains("the header has 3 columns"), "{message}");
    assert!(message.contains("2 lines are like it"), "{message}");
    assert!(err.hint().contains("--sep"), "{message}");

    // Without a header the first line sets the width.
    let bare = write(dir.path(), "bare.tsv", b"1\t2\t4\n1\t3\t5\tx\n");
    let message = load_err(&bare, &LoadOptions::default());
    assert!(message.contains("line 2, field 4: \"x\""), "{message}");
    assert!(message.contains("the first line has 3 fields"), "{message}");

    // A trailing separator leaves empty fields only: that is no extra data.
    let trailing = write(
        dir.path(),
        "trailing.csv",
        b"user,item,rating\n1,2,4,\n1,3,5,\n",
    );
    assert_eq!(cell(&load_default(&trailing), "1", "3"), Some(5.0));
}

#[test]
fn a_header_without_a_rating_column_is_an_error_unless_asked_for() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "missing_rating.csv",
        b"user,item,time\n1,2,100\n1,3,200\n2,2,300\n",
    );
    let err = load(&path, &LoadOptions::default()).unwrap_err();
    let message = err.to_string();
    assert!(message.contains("missing_rating.csv"), "{message}");
    assert!(message.contains("no rating column"), "{message}");
    assert!(message.contains("\"time\""), "{message}");
    assert!(err.hint().contains("--rating-col"), "{message}");
    assert!(err.hint().contains("--rating-col none"), "{message}");

    // `--rating-col none` reads it as implicit feedback, timestamps kept.
    let options = LoadOptions {
        rating_column: Some("none".to_string()),
        ..LoadOptions::default()
    };
    let dataset = load(&path, &options).unwrap();
    assert!(dataset.summary.implicit);
    assert_eq!(cell(&dataset, "1", "3"), Some(1.0));
    assert_eq!(dataset.timestamps.as_deref(), Some(&[100, 200, 300][..]));
    assert!(
        dataset
            .summary
            .feedback
            .contains("each user–item pair weighs 1"),
        "{}",
        dataset.summary.feedback
    );

    // Naming the column works as before.
    let options = LoadOptions {
        rating_column: Some("time".to_string()),
        ..LoadOptions::default()
    };
    assert_eq!(cell(&load(&path, &options).unwrap(), "2", "2"), Some(300.0));
}

#[test]
fn a_binary_file_is_not_a_text_file() {
    let dir = tempfile::tempdir().unwrap();
    // Bytes 0x00–0xFF: a NUL at offset 0 and 32 more control bytes in 256.
    let bytes: Vec<u8> = (0..=255u8).collect();
    let path = write(dir.path(), "binary.csv", &bytes);
    let message = load_err(&path, &LoadOptions::default());
    assert!(message.contains("binary.csv"), "{message}");
    assert!(message.contains("not a text file"), "{message}");

    // Control bytes without a NUL: 0x01–0x08 repeated is all control characters.
    let noise = write(
        dir.path(),
        "noise.csv",
        &[1, 2, 3, 4, 5, 6, 7, 8].repeat(64),
    );
    let message = load_err(&noise, &LoadOptions::default());
    assert!(message.contains("not a text file"), "{message}");

    // A text file with a few escape sequences (the ANSI fixture) is still text.
    let ansi = write(dir.path(), "ansi.csv", ANSI_RATINGS);
    assert_eq!(load_default(&ansi).matrix.n_ratings(), 4);
}

#[test]
fn an_items_file_given_must_be_text_and_of_use() {
    let dir = tempfile::tempdir().unwrap();
    let ratings = write(dir.path(), "r.csv", b"user,item,rating\nu1,7,4\nu2,8,3\n");
    let binary = write(dir.path(), "binary.csv", &(0..=255u8).collect::<Vec<u8>>());
    let with_items = |file: &Path| LoadOptions {
        items_file: Some(file.to_path_buf()),
        ..LoadOptions::default()
    };
    let message = load_err(&ratings, &with_items(&binary));
    assert!(message.contains("binary.csv"), "{message}");
    assert!(message.contains("not a text file"), "{message}");

    // The ratings file itself as items: ids but no titles.
    let message = load_err(&ratings, &with_items(&ratings));
    assert!(message.contains("no titles or genres"), "{message}");

    // Titles for other items only.
    let other = write(dir.path(), "other.csv", b"movieId,title\n1,Heat\n2,Ran\n");
    let message = load_err(&ratings, &with_items(&other));
    assert!(message.contains("other.csv"), "{message}");
    assert!(message.contains("none of the 2 ids"), "{message}");

    // A file that titles one of the two items is fine.
    let some = write(dir.path(), "some.csv", b"movieId,title\n7,Heat\n99,Ran\n");
    let dataset = load(&ratings, &with_items(&some)).unwrap();
    assert_eq!(dataset.summary.items_with_titles, 1);
}

// ---------------------------------------------------------------- column flags

#[test]
fn column_flags_that_collide_say_so() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "good.csv", b"user,item,rating\n1,2,4\n1,3,5\n");
    let with = |user: Option<&str>, item: Option<&str>, rating: Option<&str>| LoadOptions {
        user_column: user.map(str::to_string),
        item_column: item.map(str::to_string),
        rating_column: rating.map(str::to_string),
        ..LoadOptions::default()
    };
    for spec in ["user", "1"] {
        let message = load_err(&path, &with(None, None, Some(spec)));
        assert!(
            message.contains(&format!(
                "--rating-col \"{spec}\" is column 1 \"user\", which is already the user column"
            )),
            "{message}"
        );
    }
    let message = load_err(&path, &with(None, None, Some("item")));
    assert!(message.contains("already the item column"), "{message}");

    let message = load_err(&path, &with(Some("item"), Some("item"), None));
    assert!(
        message.contains("the user and item columns are the same (column 2 \"item\")"),
        "{message}"
    );
    let message = load_err(&path, &with(Some("item"), None, None));
    assert!(
        message
            .contains("--user-col \"item\" is column 2 \"item\", which is already the item column"),
        "{message}"
    );
}

#[test]
fn a_wrong_separator_flag_suggests_the_right_one() {
    let dir = tempfile::tempdir().unwrap();
    let comma = write(dir.path(), "good.csv", b"user,item,rating\n1,2,4\n1,3,5\n");
    let options = |sep: &str| LoadOptions {
        separator: Some(sep.to_string()),
        ..LoadOptions::default()
    };
    let err = load(&comma, &options(";")).unwrap_err();
    let message = err.to_string();
    assert!(message.contains("single field"), "{message}");
    assert!(message.contains("semicolon-separated"), "{message}");
    assert!(
        err.hint().contains("comma-separated: use --sep ','"),
        "{message}"
    );

    let dat = write(
        dir.path(),
        "ratings.dat",
        b"1::0120735::9::1363245118\n2::2592910::8::1363245119\n",
    );
    let err = load(&dat, &options(":")).unwrap_err();
    assert!(err.to_string().contains("ratings.dat"), "{err}");
    assert!(err.hint().contains("did you mean --sep '::'?"), "{err}");
    assert!(load(&dat, &options("::")).is_ok());
}

// ---------------------------------------------------------------- statistics

#[test]
fn describe_counts_the_tiny_matrix() {
    let dataset = load_default(&crate_file("sample-data/tiny.csv"));
    let stats = describe(&dataset);
    assert_eq!((stats.users, stats.items, stats.ratings), (3, 4, 7));
    // 7 known cells of 3 × 4 = 12.
    assert!((stats.density - 7.0 / 12.0).abs() < 1e-12);
    // Ratings 5,4,3,4,2,5,5: one 2, one 3, two 4s, three 5s; mean 28/7 = 4.
    let bars: Vec<(f64, usize)> = stats.histogram.iter().map(|b| (b.low, b.count)).collect();
    assert_eq!(bars, vec![(2.0, 1), (3.0, 1), (4.0, 2), (5.0, 3)]);
    assert!((stats.mean_rating - 4.0).abs() < 1e-12);
    // Per user 2, 3, 2; per item A 2, B 2, C 2, D 1.
    assert_eq!(stats.ratings_per_user.min, 2);
    assert_eq!(stats.ratings_per_user.max, 3);
    assert_eq!(stats.ratings_per_item.with_one, 1);
    assert_eq!(stats.item_popularity, vec![2, 2, 2, 1]);
    // Top fifth of 4 items = 1 item with 2 of 7 ratings.
    assert!((stats.top_fifth_share - 2.0 / 7.0).abs() < 1e-12);
    assert_eq!((stats.scale.min, stats.scale.max), (2.0, 5.0));
}

// ---------------------------------------------------------------- exports

fn small_table() -> ExportTable {
    ExportTable::default()
        .with("user", ColumnValues::Text(vec!["u1".into(), "u,2".into()]))
        .with("item", ColumnValues::Integer(vec![7, 8]))
        .with("prediction", ColumnValues::Float(vec![4.25, f64::NAN]))
}

#[test]
fn exports_write_csv_json_and_parquet() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("out.csv");
    write_table(&csv, &small_table(), TableFormat::Csv, &[]).unwrap();
    let text = std::fs::read_to_string(&csv).unwrap();
    assert!(
        text.starts_with("user,item,prediction\nu1,7,4.25\n\"u,2\",8,"),
        "{text}"
    );

    let json = dir.path().join("out.json");
    write_table(&json, &small_table(), TableFormat::Json, &[]).unwrap();
    let value: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(value[0]["user"], "u1");
    assert_eq!(value[1]["item"], 8);
    assert_eq!(value[0]["prediction"], 4.25);
    assert!(value[1]["prediction"].is_null());

    // A parquet export reads back through the loader as a ratings file.
    let parquet = dir.path().join("out.parquet");
    let ratings = ExportTable::default()
        .with("user", ColumnValues::Text(vec!["u1".into(), "u2".into()]))
        .with("item", ColumnValues::Text(vec!["i1".into(), "i1".into()]))
        .with("rating", ColumnValues::Float(vec![4.5, 1.0]));
    write_table(&parquet, &ratings, TableFormat::Parquet, &[]).unwrap();
    assert_eq!(cell(&load_default(&parquet), "u2", "i1"), Some(1.0));

    // Nothing but the three files is left behind (no temporary files).
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 3);
    assert_eq!(TableFormat::from_path(&json), Some(TableFormat::Json));
}

#[test]
fn exports_refuse_to_overwrite_the_dataset() {
    let dir = tempfile::tempdir().unwrap();
    let input = write(dir.path(), "ratings.csv", b"u1,i1,4\n");
    let dataset = load_default(&input);
    let same_file_other_spelling = dir.path().join(".").join("ratings.csv");
    let err = write_table(
        &same_file_other_spelling,
        &small_table(),
        TableFormat::Csv,
        &dataset.source_files(),
    )
    .unwrap_err();
    assert!(err.to_string().contains("ratings.csv"));
    assert_eq!(std::fs::read(&input).unwrap(), b"u1,i1,4\n");
}

// ---------------------------------------------------------------- sample data

#[test]
fn the_tiny_sample_is_the_first_matrix_of_the_design() {
    let dataset = load_default(&crate_file("sample-data/tiny.csv"));
    assert_eq!(dataset.matrix.n_users(), 3);
    assert_eq!(dataset.matrix.n_items(), 4);
    assert_eq!(cell(&dataset, "U1", "Movie A"), Some(5.0));
    assert_eq!(cell(&dataset, "U1", "Movie B"), Some(4.0));
    assert_eq!(cell(&dataset, "U2", "Movie C"), Some(4.0));
    assert_eq!(cell(&dataset, "U2", "Movie B"), None);
    assert_eq!(cell(&dataset, "U3", "Movie C"), Some(5.0));
    assert_eq!(dataset.item_label(3), "Movie D");
}

#[test]
fn the_default_dataset_is_the_classroom_set_with_titles() {
    let path = crate_file(DEFAULT_DATASET);
    assert_eq!(recscope::data::default_dataset_path(), path);
    let dataset = load_default(&path);
    // Counted in the committed file: 40 users, 30 films, 459 rating lines.
    assert_eq!(dataset.matrix.n_users(), 40);
    assert_eq!(dataset.matrix.n_items(), 30);
    assert_eq!(dataset.matrix.n_ratings(), 459);
    assert_eq!(dataset.summary.items_with_titles, 30);
    let cafe = dataset.item_index("20").unwrap();
    assert_eq!(dataset.item_label(cafe), "Café Évora (2021)");
    let lighthouse = dataset.item_index("17").unwrap();
    assert_eq!(dataset.item_label(lighthouse), "Lighthouse, The (2018)");
    let scale = dataset.matrix.scale();
    assert_eq!((scale.min, scale.max), (1.0, 5.0));
}

#[test]
fn the_shipped_movietweetings_snapshot_loads() {
    let dataset = load_default(&crate_file("sample-data/movietweetings-10k/ratings.dat"));
    assert_movietweetings_counts(&dataset);
}

// ---------------------------------------------------------------- real datasets

fn shared(relative: &str) -> Option<PathBuf> {
    let path = crate_file("../shared/data").join(relative);
    if path.exists() {
        Some(path)
    } else {
        println!("skipped: {} is absent", path.display());
        None
    }
}

/// Counts from the dataset's documentation: 3,794 users, 3,096 movies, 10,000 ratings.
fn assert_movietweetings_counts(dataset: &Dataset) {
    assert_eq!(dataset.matrix.n_users(), 3794);
    assert_eq!(dataset.matrix.n_items(), 3096);
    assert_eq!(dataset.matrix.n_ratings(), 10_000);
    assert_eq!(dataset.summary.items_with_titles, 3096);
    // The first line is "1::0120735::9::1363245118".
    assert_eq!(cell(dataset, "1", "0120735"), Some(9.0));
    let item = dataset.item_index("0120735").unwrap();
    assert_eq!(
        dataset.item_label(item),
        "Lock, Stock and Two Smoking Barrels (1998)"
    );
    let scale = dataset.matrix.scale();
    assert_eq!((scale.min, scale.max), (0.0, 10.0));
}

#[test]
fn real_movielens_100k_loads_with_its_accents() {
    let Some(path) = shared("ml-100k/u.data") else {
        return;
    };
    let started = std::time::Instant::now();
    let dataset = load_default(&path);
    println!("ml-100k loaded in {:?}", started.elapsed());
    // Counts from the dataset's README: 943 users, 1,682 items, 100,000 ratings.
    assert_eq!(dataset.matrix.n_users(), 943);
    assert_eq!(dataset.matrix.n_items(), 1682);
    assert_eq!(dataset.matrix.n_ratings(), 100_000);
    assert_eq!(dataset.summary.items_with_titles, 1682);
    let item = dataset.item_index("543").unwrap();
    assert_eq!(dataset.item_label(item), "Misérables, Les (1995)");
    // The first line of u.data is "196	242	3	881250949".
    assert_eq!(dataset.user_index("196"), Some(0));
    assert_eq!(dataset.item_index("242"), Some(0));
    assert_eq!(dataset.timestamps.as_ref().unwrap()[0], 881_250_949);
    assert_eq!(dataset.summary.duplicates_resolved, 0);
}

#[test]
fn real_movietweetings_10k_loads() {
    let Some(path) = shared("movietweetings-10k/ratings.dat") else {
        return;
    };
    assert_movietweetings_counts(&load_default(&path));
}

#[test]
fn real_lastfm_loads_as_implicit_play_counts() {
    let Some(path) = shared("lastfm-2k/user_artists.dat") else {
        return;
    };
    let dataset = load_default(&path);
    // Counts from the dataset's README: 1,892 users, 17,632 artists, 92,834 pairs.
    assert_eq!(dataset.matrix.n_users(), 1892);
    assert_eq!(dataset.matrix.n_items(), 17632);
    assert_eq!(dataset.matrix.n_ratings(), 92_834);
    assert!(dataset.summary.implicit);
    assert!(dataset.summary.feedback.contains("(play counts)"));
    // The first data line is "2	51	13883"; artists.dat names 51 "Duran Duran".
    assert_eq!(cell(&dataset, "2", "51"), Some(13883.0));
    assert_eq!(dataset.item_label(0), "Duran Duran");
}

// ---------------------------------------------------------------- robustness

mod never_panics {
    use super::*;
    use proptest::prelude::*;

    /// Bytes drawn mostly from what delimited files are made of, so that the cases
    /// reach deep into sniffing and parsing rather than failing at the first byte.
    fn file_bytes() -> impl Strategy<Value = Vec<u8>> {
        let piece = prop_oneof![
            Just(b"1".to_vec()),
            Just(b"42".to_vec()),
            Just(b"4.5".to_vec()),
            Just(b"u1".to_vec()),
            Just(b"user".to_vec()),
            Just(b"rating".to_vec()),
            Just(b",".to_vec()),
            Just(b"\t".to_vec()),
            Just(b";".to_vec()),
            Just(b"|".to_vec()),
            Just(b"::".to_vec()),
            Just(b":".to_vec()),
            Just(b"\"".to_vec()),
            Just(b"\n".to_vec()),
            Just(b"\r\n".to_vec()),
            Just(b" ".to_vec()),
            Just(b"\xe9".to_vec()),
            Just(b"\x1b[".to_vec()),
            Just(b"NaN".to_vec()),
            any::<u8>().prop_map(|b| vec![b]),
        ];
        prop::collection::vec(piece, 0..60).prop_map(|pieces| pieces.concat())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        #[test]
        fn loading_any_text_returns_a_dataset_or_an_error(bytes in file_bytes()) {
            let dir = tempfile::tempdir().unwrap();
            for name in ["r.csv", "ratings.dat", "u.data", "r.jsonl"] {
                let path = write(dir.path(), name, &bytes);
                if let Ok(dataset) = load(&path, &LoadOptions::default()) {
                    prop_assert_eq!(dataset.ratings.len(), dataset.matrix.n_ratings());
                    prop_assert!(dataset.ratings.iter().all(|r| r.value.is_finite()));
                }
            }
        }
    }
}

#[test]
fn the_usual_rating_name_wins_over_a_looser_one() {
    let dir = tempfile::tempdir().unwrap();
    // "score" is a rating name too, but "rating" says it plainly.
    let path = write(
        dir.path(),
        "scored.csv",
        b"user,item,score,rating\nu1,i1,90,4\nu2,i1,15,2\n",
    );
    let dataset = load_default(&path);
    assert_eq!(cell(&dataset, "u1", "i1"), Some(4.0));
    assert_eq!(cell(&dataset, "u2", "i1"), Some(2.0));
}

#[test]
fn two_columns_with_one_usual_name_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "twice.csv",
        b"user,item,rating,rating\nu1,i1,4,5\n",
    );
    let message = load_err(&path, &LoadOptions::default());
    assert!(
        message.contains("twice.csv") && message.contains("columns 3 and 4 are both named"),
        "{message}"
    );
    assert!(message.contains("--rating-col"), "{message}");
}

#[test]
fn a_rating_column_makes_a_file_with_events_a_ratings_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "rated.csv",
        b"user,track,event,rating\nu1,t1,play,4\nu2,t1,skip,3\n",
    );
    let dataset = load_default(&path);
    assert!(!dataset.summary.implicit);
    assert_eq!(cell(&dataset, "u1", "t1"), Some(4.0));
    assert_eq!(cell(&dataset, "u2", "t1"), Some(3.0));
}

#[test]
fn a_folder_without_a_ratings_file_says_which_files_it_looked_for() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "notes.txt", b"nothing to rate\n");
    let message = load_err(dir.path(), &LoadOptions::default());
    assert!(
        message.contains("a folder with none of the ratings files") && message.contains("u.data"),
        "{message}"
    );
    assert!(
        message.contains("give the ratings file itself"),
        "{message}"
    );
}

#[test]
fn a_repeated_name_is_fine_once_its_role_is_given_by_a_flag() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "twice.csv",
        b"user,item,rating,rating\nu1,i1,4,5\n",
    );
    let options = LoadOptions {
        rating_column: Some("4".into()),
        ..LoadOptions::default()
    };
    let dataset = load(&path, &options).unwrap();
    assert_eq!(cell(&dataset, "u1", "i1"), Some(5.0));
}
