//! The compute core: rating matrix, similarities, algorithms, predictions with their
//! explanations, and evaluation. Pure Rust with ndarray and rayon: no terminal, no
//! file formats, no I/O.

pub mod algorithms;
pub mod biases;
pub mod embeddings;
pub mod eval;
pub mod explain;
pub mod features;
pub mod generate;
pub mod matrix;
pub mod params;
pub mod progress;
pub mod similarity;
