//! Geometry of the scene (SVG user units, designed for 1280×640 under the top bars) and the palette.

use kafkascope::event::MessageKind;
use kafkascope::ids::{BrokerId, NodeId};

/// Width of the scene's viewBox.
pub const SCENE_W: f64 = 1280.0;
/// Height of the scene's viewBox.
pub const SCENE_H: f64 = 630.0;
/// Producer panel: left edge and width.
pub const PRODUCER_X: f64 = 12.0;
/// Width of the producer and consumer panels.
pub const SIDE_W: f64 = 224.0;
/// Cluster area: left and right edges.
pub const CLUSTER_X0: f64 = 268.0;
/// Right edge of the cluster area.
pub const CLUSTER_X1: f64 = 1012.0;
/// Consumer panel: left edge.
pub const CONSUMER_X: f64 = 1044.0;
/// Gap between broker columns.
pub const BROKER_GAP: f64 = 18.0;
/// Top of broker columns and client panels.
pub const COLUMN_Y: f64 = 92.0;
/// Height of a broker column's header.
pub const HEADER_H: f64 = 40.0;
/// Lane where producer traffic travels.
pub const LANE_PRODUCE_Y: f64 = 52.0;
/// Lane where broker-to-broker traffic travels.
pub const LANE_REPLICA_Y: f64 = 64.0;
/// Lane where consumer traffic travels.
pub const LANE_CONSUME_Y: f64 = 76.0;

/// Okabe–Ito colours, in the order epochs and kinds use them.
pub const OKABE_ITO: [&str; 7] = ["#56B4E9", "#E69F00", "#009E73", "#CC79A7", "#0072B2", "#D55E00", "#F0E442"];

/// Fill colour for records written under a leader epoch.
pub fn epoch_colour(epoch: i32) -> &'static str {
    OKABE_ITO[epoch.rem_euclid(OKABE_ITO.len() as i32) as usize]
}

/// Fill of an uncommitted record written under a leader epoch: its colour, hatched (one pattern per
/// colour, defined once in the page by [`HATCH_IDS`], so a cell is one rect whose fill changes when
/// the record is committed, not a rect with a second one laid over it).
pub fn epoch_hatch(epoch: i32) -> &'static str {
    const FILLS: [&str; 7] = ["url(#hatch-0)", "url(#hatch-1)", "url(#hatch-2)", "url(#hatch-3)", "url(#hatch-4)", "url(#hatch-5)", "url(#hatch-6)"];
    FILLS[epoch.rem_euclid(OKABE_ITO.len() as i32) as usize]
}

/// Ids of the hatch patterns, one per [`OKABE_ITO`] colour (see [`epoch_hatch`]).
pub const HATCH_IDS: [&str; 7] = ["hatch-0", "hatch-1", "hatch-2", "hatch-3", "hatch-4", "hatch-5", "hatch-6"];

/// Left edge and width of broker column `index` of `count`.
pub fn broker_column(index: usize, count: usize) -> (f64, f64) {
    let n = count.max(1) as f64;
    let w = (CLUSTER_X1 - CLUSTER_X0 - BROKER_GAP * (n - 1.0)) / n;
    (CLUSTER_X0 + index as f64 * (w + BROKER_GAP), w)
}

/// Where the brokers sit: for each broker id, its column's centre x.
pub fn broker_centre(brokers: &[BrokerId], id: BrokerId) -> f64 {
    let i = brokers.iter().position(|b| *b == id).unwrap_or(0);
    let (x, w) = broker_column(i, brokers.len());
    x + w / 2.0
}

/// The lane a message between two nodes travels in.
pub fn lane_y(from: NodeId, to: NodeId) -> f64 {
    match (from, to) {
        (NodeId::Producer(_), _) | (_, NodeId::Producer(_)) => LANE_PRODUCE_Y,
        (NodeId::Consumer(_), _) | (_, NodeId::Consumer(_)) => LANE_CONSUME_Y,
        _ => LANE_REPLICA_Y,
    }
}

/// Where the controller row's messages start and end (just under the row).
pub const CONTROLLER_Y: f64 = 36.0;

/// The x where a node meets the lanes (the controller meets each broker above it: `other`).
pub fn node_x(brokers: &[BrokerId], node: NodeId, other: NodeId) -> f64 {
    match node {
        NodeId::Producer(_) => PRODUCER_X + SIDE_W,
        NodeId::Consumer(_) => CONSUMER_X,
        NodeId::Broker(b) => broker_centre(brokers, b),
        NodeId::Controller(_) => match other {
            NodeId::Controller(_) => (CLUSTER_X0 + CLUSTER_X1) / 2.0,
            o => node_x(brokers, o, node),
        },
    }
}

/// Point at fraction `t` (0..=1) of the way from `from` to `to`: along a lane, or straight up and
/// down between the controller row and a broker.
pub fn flight_point(brokers: &[BrokerId], from: NodeId, to: NodeId, t: f64) -> (f64, f64) {
    let t = t.clamp(0.0, 1.0);
    let lane = lane_y(from, to);
    let y_of = |n: NodeId| if matches!(n, NodeId::Controller(_)) { CONTROLLER_Y } else { lane };
    let (x0, x1) = (node_x(brokers, from, to), node_x(brokers, to, from));
    let (y0, y1) = (y_of(from), y_of(to));
    (x0 + (x1 - x0) * t, y0 + (y1 - y0) * t)
}

/// Short label and colour for a message kind (a second cue besides colour: the label).
pub fn message_style(kind: MessageKind) -> (&'static str, &'static str) {
    #[allow(unreachable_patterns)]
    match kind {
        MessageKind::Produce => ("P", "#E69F00"),
        MessageKind::ProduceResponse => ("ack", "#009E73"),
        MessageKind::Fetch => ("F", "#56B4E9"),
        MessageKind::FetchResponse => ("R", "#0072B2"),
        MessageKind::Metadata => ("M", "#CC79A7"),
        MessageKind::MetadataResponse => ("m", "#CC79A7"),
        MessageKind::LeaderAndIsr => ("LI", "#CC79A7"),
        MessageKind::LeaderAndIsrResponse => ("li", "#CC79A7"),
        MessageKind::AlterPartition => ("AP", "#CC79A7"),
        MessageKind::AlterPartitionResponse => ("ap", "#CC79A7"),
        MessageKind::Heartbeat => ("hb", "#999999"),
        MessageKind::FindCoordinator => ("FC", "#0072B2"),
        MessageKind::FindCoordinatorResponse => ("fc", "#0072B2"),
        MessageKind::JoinGroup => ("J", "#D55E00"),
        MessageKind::JoinGroupResponse => ("j", "#D55E00"),
        MessageKind::SyncGroup => ("S", "#D55E00"),
        MessageKind::SyncGroupResponse => ("s", "#D55E00"),
        MessageKind::GroupHeartbeat => ("ghb", "#999999"),
        MessageKind::GroupHeartbeatResponse => ("ghb", "#999999"),
        MessageKind::LeaveGroup => ("L", "#D55E00"),
        MessageKind::OffsetCommit => ("OC", "#009E73"),
        MessageKind::OffsetCommitResponse => ("oc", "#009E73"),
        MessageKind::OffsetFetch => ("OF", "#009E73"),
        MessageKind::OffsetFetchResponse => ("of", "#009E73"),
        // Kinds the engine adds later are drawn plainly until they get their own style.
        _ => ("·", "#999999"),
    }
}

/// Formats a count with thousands separators (1,204).
pub fn grouped(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Formats virtual time (µs) as seconds with millisecond precision.
pub fn seconds(us: u64) -> String {
    format!("{}.{:03} s", us / 1_000_000, (us / 1_000) % 1_000)
}

/// `x` with one decimal, as `format!("{x:.1}")` writes it (ties may round the other way), for the
/// attributes written per frame: integer digits instead of the float formatter, which was a tenth
/// of the page's script time.
pub fn f1(x: f64) -> String {
    let tenths = (x * 10.0).round();
    if !tenths.is_finite() || tenths.abs() >= 1e15 {
        return format!("{x:.1}");
    }
    let t = tenths as i64;
    let mut out = String::with_capacity(12);
    if t < 0 {
        out.push('-');
    }
    let a = t.unsigned_abs();
    push_digits(&mut out, a / 10);
    out.push('.');
    out.push(char::from(b'0' + (a % 10) as u8));
    out
}

/// Appends the decimal digits of `n`.
fn push_digits(out: &mut String, n: u64) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    let mut n = n;
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend(buf[i..].iter().map(|&b| char::from(b)));
}

#[cfg(test)]
mod tests {
    use super::f1;

    #[test]
    fn f1_writes_what_the_float_formatter_writes() {
        for x in [0.0, 0.04, 0.96, 1.0, -0.3, -12.34, 268.0, 1011.99, 93.7, 1e9, -1e9, 12.25e3] {
            assert_eq!(f1(x), format!("{x:.1}"), "{x}");
        }
        // -0.04 rounds to zero tenths: the float formatter keeps the sign, f1 does not (no visible change).
        assert_eq!(f1(-0.04), "0.0");
    }
}
