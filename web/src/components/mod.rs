//! Components: each takes data and callbacks only, never the simulation.

pub mod clients;
pub mod charts;
pub mod config_panel;
pub mod cluster;
pub mod flights;
pub mod ledger;
pub mod lesson_picker;
pub mod narration;
pub mod scenario_file;
pub mod strip;
pub mod strip_dom;
pub mod top_bar;
pub mod help;
pub mod inspector;
pub mod menu;
pub mod record_inspector;
pub mod replica_row;
pub mod sequence;
pub mod side_panel;
pub mod timeline;
