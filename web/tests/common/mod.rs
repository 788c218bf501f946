//! Shared by the web crate's tests: the lesson files, embedded (the page itself fetches them).
#![allow(dead_code)] // each test file uses part of it

#[path = "../../../tests/common/lesson_files.rs"]
mod lesson_files;
#[allow(unused_imports)] // not every test file needs all three
pub use lesson_files::{lesson_json, INDEX, LESSON_FILES};

/// A lesson's JSON by id, owned, in the form [`kafkascope_web::lessons::choose`] takes.
pub fn lesson(id: &str) -> Option<String> {
    lesson_json(id).map(str::to_owned)
}
