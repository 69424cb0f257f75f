//! The screens beside the matrix (compare, evaluate) and the matrix's hold-out and
//! what-if modes. Each keeps its state and its update logic in a file of its own;
//! `dispatch` routes actions, worker results and cancellations to them.

pub mod compare;
mod dispatch;
pub mod evaluate;
pub mod hold_out;
pub mod what_if;

pub use dispatch::{
    LANES, SCREENS, after_fit, after_update, full_dataset, on_cancel, on_output, update,
};
