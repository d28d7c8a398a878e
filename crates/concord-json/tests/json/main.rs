//! Behaviour of concord-json, through its public API only.

mod common;
mod conformance;
mod depth;
mod diff;
mod fuzz;
mod merge3;
mod merge_patch;
mod patch_doc;
mod patch_value;
mod pointer;
mod view;
