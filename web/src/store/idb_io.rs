//! The IndexedDB side of the store: one database, one object store `entries` of string keys.
//! Each [`write`] is one readwrite transaction (a checkpoint is a few of them, see `checkpoint.rs`);
//! every request is issued before anything is awaited except the transaction itself, so it never
//! auto-commits half-way.

use idb::{Database, DatabaseEvent, Factory, KeyRange, ObjectStoreParams, Query, TransactionMode};
use js_sys::{JsString, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};

/// The object store every entry lives in.
const ENTRIES: &str = "entries";

/// Why a store operation failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StoreError {
    /// The browser refused the write for lack of space (`QuotaExceededError`).
    Quota(String),
    /// Anything else IndexedDB reported.
    Io(String),
}

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StoreError::Quota(m) => write!(f, "storage full (QuotaExceededError: {m})"),
            StoreError::Io(m) => write!(f, "storage error: {m}"),
        }
    }
}

/// Maps an idb error, recognising the quota error by its DOMException name.
fn err(e: idb::Error) -> StoreError {
    let text = e.to_string();
    if text.contains("QuotaExceeded") || text.contains("quota") {
        StoreError::Quota(text)
    } else {
        StoreError::Io(text)
    }
}

/// One value to write: a JSON string or raw segment bytes.
#[derive(Clone, Debug)]
pub enum Value {
    /// UTF-8 text (snapshot, command log).
    Text(String),
    /// Raw bytes (a segment file or chunk).
    Bytes(Vec<u8>),
    /// Bytes already copied out of wasm memory (a checkpoint's chunks: copied once, inside the frame).
    Js(Uint8Array),
}

/// Bytes compare by content, wherever they live.
impl PartialEq for Value {
    fn eq(&self, other: &Value) -> bool {
        match (self, other) {
            (Value::Text(a), Value::Text(b)) => a == b,
            (Value::Text(_), _) | (_, Value::Text(_)) => false,
            (Value::Bytes(a), Value::Bytes(b)) => a == b,
            _ => self.len() == other.len() && self.bytes() == other.bytes(),
        }
    }
}

impl Eq for Value {}

impl Value {
    fn bytes(&self) -> Vec<u8> {
        match self {
            Value::Text(s) => s.as_bytes().to_vec(),
            Value::Bytes(b) => b.clone(),
            Value::Js(a) => a.to_vec(),
        }
    }

    /// Bytes (or characters) this value holds.
    pub fn len(&self) -> usize {
        match self {
            Value::Text(s) => s.len(),
            Value::Bytes(b) => b.len(),
            Value::Js(a) => a.length() as usize,
        }
    }

    /// Whether it holds nothing.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn to_js(&self) -> JsValue {
        match self {
            Value::Text(s) => JsValue::from_str(s),
            Value::Bytes(b) => Uint8Array::from(b.as_slice()).into(),
            Value::Js(a) => a.clone().into(),
        }
    }

    fn from_js(v: JsValue) -> Option<Value> {
        if let Some(s) = v.as_string() {
            return Some(Value::Text(s));
        }
        v.dyn_into::<Uint8Array>().ok().map(|a| Value::Bytes(a.to_vec()))
    }
}

/// Opens (creating if needed) the database `name`.
pub async fn open(name: &str) -> Result<Database, StoreError> {
    let factory = Factory::new().map_err(err)?;
    let mut req = factory.open(name, Some(1)).map_err(err)?;
    req.on_upgrade_needed(|event| {
        if let Ok(db) = event.database() {
            if !db.store_names().iter().any(|n| n == ENTRIES) {
                let _ = db.create_object_store(ENTRIES, ObjectStoreParams::new());
            }
        }
    });
    req.await.map_err(err)
}

/// Writes `puts` and removes `deletes` in one transaction; Ok only once it has committed.
pub async fn write(db: &Database, puts: &[(String, Value)], deletes: &[String]) -> Result<(), StoreError> {
    let tx = db.transaction(&[ENTRIES], TransactionMode::ReadWrite).map_err(err)?;
    let store = tx.object_store(ENTRIES).map_err(err)?;
    for key in deletes {
        let _ = store.delete(Query::Key(JsValue::from_str(key))).map_err(err)?;
    }
    for (key, value) in puts {
        let _ = store.put(&value.to_js(), Some(&JsValue::from_str(key))).map_err(err)?;
    }
    match tx.await.map_err(err)? {
        idb::TransactionResult::Committed => Ok(()),
        idb::TransactionResult::Aborted => Err(StoreError::Io("checkpoint transaction aborted".to_owned())),
    }
}

/// Every key that starts with `prefix`, ascending.
pub async fn keys(db: &Database, prefix: &str) -> Result<Vec<String>, StoreError> {
    let tx = db.transaction(&[ENTRIES], TransactionMode::ReadOnly).map_err(err)?;
    let store = tx.object_store(ENTRIES).map_err(err)?;
    let upper = format!("{prefix}\u{ffff}");
    let range = KeyRange::bound(&JsValue::from_str(prefix), &JsValue::from_str(&upper), Some(false), Some(false)).map_err(err)?;
    let found = store.get_all_keys(Some(Query::KeyRange(range)), None).map_err(err)?.await.map_err(err)?;
    Ok(found.into_iter().filter_map(|k| k.dyn_into::<JsString>().ok().map(String::from)).collect())
}

/// Reads the given keys in one read-only transaction (missing or unreadable entries are `None`).
pub async fn read(db: &Database, keys: &[String]) -> Result<Vec<Option<Value>>, StoreError> {
    let tx = db.transaction(&[ENTRIES], TransactionMode::ReadOnly).map_err(err)?;
    let store = tx.object_store(ENTRIES).map_err(err)?;
    let mut requests = Vec::with_capacity(keys.len());
    for key in keys {
        requests.push(store.get(Query::Key(JsValue::from_str(key))).map_err(err)?);
    }
    let mut out = Vec::with_capacity(keys.len());
    for r in requests {
        out.push(r.await.map_err(err)?.and_then(Value::from_js));
    }
    Ok(out)
}
