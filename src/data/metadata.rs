//! Item metadata (titles and genres) from the files that come with ratings: MovieLens
//! `u.item` (Latin-1, genre flags named by `u.genre`), `movies.dat`, `movies.csv`,
//! Last.fm `artists.dat`, or any delimited file with an id and a title column.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::error::DataError;
use super::sniff::{self, Layout, Separator, fold_name};
use super::table::{self, Header, Table};
use super::text::clean_text;

/// What metadata says about one item.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ItemInfo {
    pub title: Option<String>,
    pub genres: Vec<String>,
}

/// Titles and genres by raw item id.
pub type ItemMetadata = HashMap<String, ItemInfo>;

/// The MovieLens 100K genres in flag order, used when `u.genre` is missing.
const ML100K_GENRES: [&str; 19] = [
    "unknown",
    "Action",
    "Adventure",
    "Animation",
    "Children's",
    "Comedy",
    "Crime",
    "Documentary",
    "Drama",
    "Fantasy",
    "Film-Noir",
    "Horror",
    "Musical",
    "Mystery",
    "Romance",
    "Sci-Fi",
    "Thriller",
    "War",
    "Western",
];

/// The first companion metadata file of the layout that exists beside `ratings`.
pub fn find_beside(ratings: &Path, layout: Layout) -> Option<PathBuf> {
    let folder = ratings.parent()?;
    layout
        .companion_items()
        .iter()
        .map(|name| folder.join(name))
        .find(|candidate| candidate.is_file() && candidate != ratings)
}

/// Reads an items file into a map from raw item id to its title and genres.
pub fn read_items(path: &Path) -> Result<ItemMetadata, DataError> {
    if path.is_dir() {
        return Err(DataError::malformed(
            path,
            "a folder, not an items file",
            "give the items file itself, e.g. u.item, movies.dat or movies.csv",
        ));
    }
    super::check_regular_file(path)?;
    let file = path
        .file_name()
        .map(|n| n.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    let double_colon = file.ends_with(".dat") && file != "artists.dat";
    let separator = double_colon.then_some(Separator::DoubleColon);
    let header = if double_colon || file == "u.item" {
        Header::Absent
    } else {
        Header::Sniff
    };
    let table = table::read(path, separator, header)?;
    if file == "u.item" || looks_like_u_item(&table) {
        return read_u_item(path, &table);
    }
    let (id, title, genres) = item_columns(path, &table)?;
    let mut items = HashMap::with_capacity(table.height());
    let ids = column(path, &table, id)?;
    let titles = title.map(|t| column(path, &table, t)).transpose()?;
    let genre_lists = genres.map(|g| column(path, &table, g)).transpose()?;
    for row in 0..table.height() {
        let Some(raw_id) = ids.get(row) else { continue };
        let title = titles
            .and_then(|t| t.get(row))
            .map(|t| clean_text(t.trim()).into_owned())
            .filter(|t| !t.is_empty());
        let genres = genre_lists
            .and_then(|g| g.get(row))
            .map(split_genres)
            .unwrap_or_default();
        items.insert(raw_id.trim().to_string(), ItemInfo { title, genres });
    }
    Ok(items)
}

fn column<'a>(
    path: &Path,
    table: &'a Table,
    index: usize,
) -> Result<&'a polars::prelude::StringChunked, DataError> {
    table.column(index).ok_or_else(|| {
        DataError::malformed(
            path,
            format!("column {} could not be read as text", index + 1),
            "check the items file's separator",
        )
    })
}

/// Genres written `Action|Comedy`; MovieLens's "(no genres listed)" means none.
fn split_genres(text: &str) -> Vec<String> {
    text.split('|')
        .map(|g| clean_text(g.trim()).into_owned())
        .filter(|g| !g.is_empty() && g != "(no genres listed)")
        .collect()
}

/// The id, title and genres columns: by header names, else positions 1, 2, 3.
fn item_columns(
    path: &Path,
    table: &Table,
) -> Result<(usize, Option<usize>, Option<usize>), DataError> {
    let width = table.names.len();
    if !table.has_header {
        return Ok((0, (width > 1).then_some(1), (width > 2).then_some(2)));
    }
    let find = |names: &[&str]| {
        table
            .names
            .iter()
            .position(|n| names.contains(&fold_name(n).as_str()))
    };
    let id = find(&["id"])
        .or_else(|| find(sniff::ITEM_NAMES))
        .ok_or_else(|| DataError::MissingColumn {
            path: path.to_path_buf(),
            role: "item id column".to_string(),
            found: table.list_columns(),
            hint: "name the id column of the items file movieId, itemId or id".to_string(),
        })?;
    let title = find(&["title", "name", "movietitle", "itemname", "artistname"]);
    let genres = find(&["genres", "genre", "tags", "categories", "category"]);
    Ok((id, title, genres))
}

/// `u.item`: id, title, release date, video date, URL, then 19 genre flags of 0/1.
fn looks_like_u_item(table: &Table) -> bool {
    table.separator == Some(Separator::Byte(b'|')) && !table.has_header && table.names.len() == 24
}

fn read_u_item(path: &Path, table: &Table) -> Result<ItemMetadata, DataError> {
    let genre_names = read_u_genre(path);
    let ids = column(path, table, 0)?;
    let titles = column(path, table, 1)?;
    let flags: Vec<_> = (5..table.names.len())
        .filter_map(|k| table.column(k))
        .collect();
    let mut items = HashMap::with_capacity(table.height());
    for row in 0..table.height() {
        let Some(id) = ids.get(row) else { continue };
        let title = titles
            .get(row)
            .map(|t| clean_text(t.trim()).into_owned())
            .filter(|t| !t.is_empty());
        let genres = flags
            .iter()
            .enumerate()
            .filter(|(_, flag)| flag.get(row).map(str::trim) == Some("1"))
            .filter_map(|(k, _)| genre_names.get(k).cloned())
            .collect();
        items.insert(id.trim().to_string(), ItemInfo { title, genres });
    }
    Ok(items)
}

/// Genre names from `u.genre` (`name|index`) beside `u.item`, in flag order.
fn read_u_genre(u_item: &Path) -> Vec<String> {
    let fallback = || ML100K_GENRES.iter().map(|g| g.to_string()).collect();
    let Some(path) = u_item.parent().map(|p| p.join("u.genre")) else {
        return fallback();
    };
    let Ok(bytes) = std::fs::read(&path) else {
        return fallback();
    };
    let text = super::text::decode(&bytes);
    let mut named: Vec<(usize, String)> = text
        .lines()
        .filter_map(|line| {
            let (name, index) = line.trim().rsplit_once('|')?;
            Some((index.trim().parse().ok()?, clean_text(name).into_owned()))
        })
        .collect();
    named.sort_by_key(|(index, _)| *index);
    if named.is_empty() || named.iter().enumerate().any(|(k, (index, _))| k != *index) {
        return fallback();
    }
    named.into_iter().map(|(_, name)| name).collect()
}
