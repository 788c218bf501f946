//! Link and consumer liveness state folded from echoed commands and consumer events, and the
//! commands a fault menu offers for a broker, a link or a consumer.

use crate::view_model::ViewState;
use kafkascope::command::Command;
use kafkascope::event::EventKind;
use kafkascope::ids::{BrokerId, NodeId};

/// Latency a "slow" click adds to a link (µs).
pub const SLOW_STEP_US: u64 = 100_000;

/// An impaired link as drawn.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LinkView {
    /// Every message on it is dropped.
    pub cut: bool,
    /// Extra latency both ways (µs).
    pub extra_us: u64,
}

/// The two ends of a link in a fixed order.
pub fn key(a: NodeId, b: NodeId) -> (NodeId, NodeId) {
    if a <= b { (a, b) } else { (b, a) }
}

/// Folds the events that change link or consumer state.
pub fn fold(s: &mut ViewState, kind: &EventKind) {
    match kind {
        EventKind::CommandApplied { command } => match command {
            Command::CutLink { a, b } => s.links.entry(key(*a, *b)).or_default().cut = true,
            Command::HealLink { a, b } => {
                s.links.remove(&key(*a, *b));
            }
            Command::SlowLink { a, b, extra_latency_us } => s.links.entry(key(*a, *b)).or_default().extra_us = *extra_latency_us,
            _ => {}
        },
        EventKind::ConsumerStopped { consumer } => {
            s.consumers_down.insert(*consumer);
        }
        EventKind::ConsumerStarted { consumer } => {
            s.consumers_down.remove(consumer);
        }
        _ => {}
    }
}

/// Every other node a broker talks to: the other brokers, the controller quorum and the clients.
pub fn peers(s: &ViewState, broker: BrokerId) -> Vec<NodeId> {
    let mut out: Vec<NodeId> = s.brokers.keys().filter(|b| **b != broker).map(|b| NodeId::Broker(*b)).collect();
    out.push(NodeId::Controller(0));
    out.extend(s.producers.keys().map(|p| NodeId::Producer(*p)));
    out.extend(s.consumers.keys().map(|c| NodeId::Consumer(*c)));
    out
}

/// What a menu item does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MenuItem {
    /// Crash a broker.
    Crash,
    /// Cut a broker's power.
    PowerLoss,
    /// Restart a broker.
    Restart,
    /// Cut every link of a broker.
    Isolate,
    /// Heal every link of a broker.
    HealAll,
    /// Cut one link.
    Cut,
    /// Heal one link.
    Heal,
    /// Add 100 ms to one link.
    Slow,
    /// Kill a consumer.
    Kill,
    /// Restart a consumer.
    RestartConsumer,
}

/// What a menu is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MenuTarget {
    /// A broker.
    Broker(BrokerId),
    /// A link between two nodes.
    Link(NodeId, NodeId),
    /// A consumer.
    Consumer(u32),
}

impl MenuTarget {
    /// The items offered, with their message id and test id.
    pub fn items(self) -> &'static [(MenuItem, &'static str, &'static str)] {
        match self {
            MenuTarget::Broker(_) => &[
                (MenuItem::Crash, "menu.crash", "menu-crash"),
                (MenuItem::PowerLoss, "menu.power_loss", "menu-power-loss"),
                (MenuItem::Restart, "menu.restart", "menu-restart"),
                (MenuItem::Isolate, "menu.isolate", "menu-isolate"),
                (MenuItem::HealAll, "menu.heal", "menu-heal"),
            ],
            MenuTarget::Link(..) => &[
                (MenuItem::Cut, "menu.cut", "menu-cut"),
                (MenuItem::Heal, "menu.heal_link", "menu-heal-link"),
                (MenuItem::Slow, "menu.slow", "menu-slow"),
            ],
            MenuTarget::Consumer(_) => &[
                (MenuItem::Kill, "menu.kill", "menu-kill"),
                (MenuItem::RestartConsumer, "menu.restart_consumer", "menu-restart-consumer"),
            ],
        }
    }

    /// The commands an item becomes, given the current view.
    pub fn commands(self, item: MenuItem, s: &ViewState) -> Vec<Command> {
        match (self, item) {
            (MenuTarget::Broker(broker), MenuItem::Crash) => vec![Command::CrashBroker { broker }],
            (MenuTarget::Broker(broker), MenuItem::PowerLoss) => vec![Command::PowerLossBroker { broker }],
            (MenuTarget::Broker(broker), MenuItem::Restart) => vec![Command::RestartBroker { broker }],
            (MenuTarget::Broker(b), MenuItem::Isolate) => peers(s, b).into_iter().map(|p| Command::CutLink { a: NodeId::Broker(b), b: p }).collect(),
            (MenuTarget::Broker(b), MenuItem::HealAll) => peers(s, b).into_iter().map(|p| Command::HealLink { a: NodeId::Broker(b), b: p }).collect(),
            (MenuTarget::Link(a, b), MenuItem::Cut) => vec![Command::CutLink { a, b }],
            (MenuTarget::Link(a, b), MenuItem::Heal) => vec![Command::HealLink { a, b }],
            (MenuTarget::Link(a, b), MenuItem::Slow) => {
                let now = s.links.get(&key(a, b)).map_or(0, |l| l.extra_us);
                vec![Command::SlowLink { a, b, extra_latency_us: now + SLOW_STEP_US }]
            }
            (MenuTarget::Consumer(consumer), MenuItem::Kill) => vec![Command::CrashConsumer { consumer }],
            (MenuTarget::Consumer(consumer), MenuItem::RestartConsumer) => vec![Command::RestartConsumer { consumer }],
            _ => Vec::new(),
        }
    }
}
