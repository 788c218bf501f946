//! The lesson files (`static/scenarios/lessons/`), embedded for tests: the engine's lesson tests and
//! the web crate's (which includes this file by path; the page itself fetches them) read them here.

macro_rules! lessons {
    ($($id:literal),* $(,)?) => { &[$(($id, include_str!(concat!("../../static/scenarios/lessons/", $id, ".json")))),*] };
}

/// Every lesson's id and JSON, in teaching order (the file is `<id>.json`).
pub const LESSON_FILES: &[(&str, &str)] = lessons!(
    "01-queue-vs-pubsub", "02-partitions-spread-load", "03-choosing-a-partition", "04-the-train",
    "05-acks0-loses-data", "06-acks1-acked-then-lost", "07-acks-all-isr", "08-idempotence", "09-transactions",
    "10-ordering", "11-follower-failure", "12-leader-failure", "13a-leader-epochs-lost-commit",
    "13b-leader-epochs-divergence", "14a-unclean-election-jepsen", "14b-last-replica-standing-elr",
    "15-segments-and-index", "16-retention-and-compaction", "17-consumer-groups", "18-delivery-semantics",
    "19-rebalance-and-reassignment", "20-why-kafka-is-fast",
);

/// The lesson index, `index.json`.
pub const INDEX: &str = include_str!("../../static/scenarios/lessons/index.json");

/// A lesson's JSON by id.
pub fn lesson_json(id: &str) -> Option<&'static str> {
    LESSON_FILES.iter().find(|(i, _)| *i == id).map(|(_, j)| *j)
}
