//! Share by URL: the fragment (`#lesson=06-acks1-acked-then-lost&seed=7&t=12000`) names a lesson, or
//! carries a whole scenario (`scenario=` + base64url of its deflated JSON) when that is small enough,
//! plus the seed and the virtual time (ms) to open at. Opening the URL rebuilds the same simulation and
//! advances it to that time, so everyone sees the same state.
//!
//! Pure Rust (no web APIs), so it is tested natively. Every input is untrusted: anything malformed
//! gives an `Err` with a message for the page, never a panic.

/// Longest fragment accepted (characters).
pub const MAX_FRAGMENT: usize = 16_384;
/// Longest encoded scenario a share link may carry (characters of base64url).
pub const MAX_SCENARIO_CHARS: usize = 12_000;
/// Largest scenario JSON accepted after decompression (bytes): a zip bomb stops here.
pub const MAX_SCENARIO_BYTES: usize = 262_144;
/// Latest virtual time a link may ask for (ms): one hour.
pub const MAX_T_MS: u64 = 3_600_000;

/// What the link opens.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    /// A lesson by id (`static/scenarios/lessons/<id>.json`).
    Lesson(String),
    /// A scenario's JSON text (not yet validated as a scenario).
    Scenario(String),
}

/// A parsed share link.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Permalink {
    /// The lesson or scenario.
    pub source: Source,
    /// Seed override.
    pub seed: Option<u64>,
    /// Virtual time to open at, in ms.
    pub t_ms: Option<u64>,
}

/// Builds the fragment (without `#`) for a link; `Err` when a scenario is too big to share by URL.
pub fn encode(link: &Permalink) -> Result<String, String> {
    let mut out = match &link.source {
        Source::Lesson(id) => format!("lesson={id}"),
        Source::Scenario(json) => {
            let packed = base64url_encode(&miniz_oxide::deflate::compress_to_vec(json.as_bytes(), 9));
            if packed.len() > MAX_SCENARIO_CHARS {
                return Err(format!("this scenario is too large to share by URL ({} characters compressed, at most {MAX_SCENARIO_CHARS})", packed.len()));
            }
            format!("scenario={packed}")
        }
    };
    if let Some(s) = link.seed {
        out.push_str(&format!("&seed={s}"));
    }
    if let Some(t) = link.t_ms {
        out.push_str(&format!("&t={t}"));
    }
    Ok(out)
}

/// Parses a fragment (with or without the leading `#`). An empty fragment is `Ok(None)`: no link.
pub fn parse(fragment: &str) -> Result<Option<Permalink>, String> {
    let f = fragment.strip_prefix('#').unwrap_or(fragment).trim();
    if f.is_empty() {
        return Ok(None);
    }
    if f.len() > MAX_FRAGMENT {
        return Err(format!("the link is too long ({} characters, at most {MAX_FRAGMENT})", f.len()));
    }
    let (mut source, mut seed, mut t_ms) = (None, None, None);
    for part in f.split('&').filter(|p| !p.is_empty()) {
        let Some((key, value)) = part.split_once('=') else {
            return Err(format!("the link part {:?} is not key=value", clip(part)));
        };
        let dup = |what: &str| format!("the link names {what} twice");
        match key {
            "lesson" | "scenario" if source.is_some() => return Err(dup("a lesson or scenario")),
            "lesson" => source = Some(Source::Lesson(lesson_id(value)?)),
            "scenario" => source = Some(Source::Scenario(unpack_scenario(value)?)),
            "seed" if seed.is_some() => return Err(dup("the seed")),
            "seed" => seed = Some(value.parse::<u64>().map_err(|_| format!("seed {:?} is not a whole number ≥ 0", clip(value)))?),
            "t" if t_ms.is_some() => return Err(dup("the time")),
            "t" => {
                let t = value.parse::<u64>().map_err(|_| format!("time t={:?} is not a whole number of milliseconds", clip(value)))?;
                if t > MAX_T_MS {
                    return Err(format!("time t={t} ms is beyond the one-hour limit"));
                }
                t_ms = Some(t);
            }
            other => return Err(format!("the link has an unknown part {:?} (expected lesson, scenario, seed, t)", clip(other))),
        }
    }
    let source = source.ok_or("the link names no lesson or scenario")?;
    Ok(Some(Permalink { source, seed, t_ms }))
}

fn lesson_id(value: &str) -> Result<String, String> {
    let ok = !value.is_empty() && value.len() <= 64 && value.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if ok {
        Ok(value.to_owned())
    } else {
        Err(format!("lesson id {:?} is not valid (letters, digits, '-' and '_' only)", clip(value)))
    }
}

fn unpack_scenario(value: &str) -> Result<String, String> {
    if value.len() > MAX_SCENARIO_CHARS {
        return Err(format!("the shared scenario is too long ({} characters, at most {MAX_SCENARIO_CHARS})", value.len()));
    }
    let packed = base64url_decode(value).ok_or("the shared scenario is not valid base64url")?;
    let bytes = miniz_oxide::inflate::decompress_to_vec_with_limit(&packed, MAX_SCENARIO_BYTES)
        .map_err(|_| format!("the shared scenario could not be decompressed (corrupt, or larger than {MAX_SCENARIO_BYTES} bytes)"))?;
    String::from_utf8(bytes).map_err(|_| "the shared scenario is not UTF-8 text".to_owned())
}

/// At most 40 characters of untrusted input, for messages.
fn clip(s: &str) -> String {
    let mut out: String = s.chars().take(40).collect();
    if s.chars().count() > 40 {
        out.push('…');
    }
    out
}

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// RFC 4648 §5 base64url without padding.
pub fn base64url_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |n, (i, &b)| n | (b as u32) << (16 - 8 * i));
        for i in 0..=chunk.len() {
            out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
        }
    }
    out
}

/// Decodes base64url (padding optional); `None` on any other character or an impossible length.
pub fn base64url_decode(text: &str) -> Option<Vec<u8>> {
    let text = text.trim_end_matches('=');
    if text.len() % 4 == 1 {
        return None;
    }
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    for chunk in text.as_bytes().chunks(4) {
        let mut n = 0u32;
        for (i, &c) in chunk.iter().enumerate() {
            let v = ALPHABET.iter().position(|&a| a == c)? as u32;
            n |= v << (18 - 6 * i);
        }
        for i in 0..chunk.len() - 1 {
            out.push((n >> (16 - 8 * i)) as u8);
        }
    }
    Some(out)
}
