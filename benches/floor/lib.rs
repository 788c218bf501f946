//! The least page around the engine: the engine, exported to JavaScript with what the page uses of it
//! (build a simulation from a scenario's JSON, apply commands, advance virtual time and take the
//! events, the summary, a snapshot and the trace hash), and a Yew app of one paragraph that runs the
//! default scenario for a second and shows its trace hash. `.ci/bench` measures its gzipped size: no
//! page with this engine and Yew can weigh less.

use kafkascope::{command::Command, scenario::Scenario, sim::Sim};
use wasm_bindgen::prelude::*;
use yew::prelude::*;

/// The page's heap, as web/src/main.rs has it.
#[cfg(target_arch = "wasm32")]
#[global_allocator]
static HEAP: kafkascope::wasm_heap::Heap = kafkascope::wasm_heap::Heap::new();

const DEFAULT_SCENARIO: &str = include_str!("../../static/scenarios/default.json");

/// One simulation.
#[wasm_bindgen]
pub struct Engine(Sim);

#[wasm_bindgen]
impl Engine {
    /// A simulation of the scenario in `json`, or the scenario's error.
    #[wasm_bindgen(constructor)]
    pub fn new(json: &str) -> Result<Engine, String> {
        let scenario = Scenario::from_json(json).map_err(|e| e.to_string())?;
        Sim::new(&scenario).map(Engine).map_err(|e| e.to_string())
    }

    /// Applies one command given as JSON (the scenario file's command form).
    pub fn apply(&mut self, json: &str) -> Result<(), String> {
        let command: Command = serde_json::from_str(json).map_err(|e| e.to_string())?;
        self.0.apply(command)
    }

    /// Advances to `until_us` and returns the events on the way as a JSON array.
    pub fn advance(&mut self, until_us: u64) -> Result<String, String> {
        serde_json::to_string(&self.0.advance_to(until_us)).map_err(|e| e.to_string())
    }

    /// The run's summary (counts, the safety ledger) as JSON.
    pub fn summary(&self) -> Result<String, String> {
        serde_json::to_string(&self.0.summary()).map_err(|e| e.to_string())
    }

    /// The rolling trace hash.
    pub fn trace_hash(&self) -> String {
        self.0.trace_hash()
    }

    /// A copy of the simulation as it is now.
    pub fn snapshot(&self) -> Engine {
        Engine(self.0.snapshot())
    }
}

/// One paragraph: the default scenario's trace hash after one simulated second (or its error).
#[function_component(Floor)]
fn floor() -> Html {
    let text = use_state(|| {
        Engine::new(DEFAULT_SCENARIO)
            .and_then(|mut engine| engine.advance(1_000_000).map(|_| engine.trace_hash()))
            .unwrap_or_else(|e| e)
    });
    html! { <p>{ (*text).clone() }</p> }
}

/// Mounts the paragraph into the body.
#[wasm_bindgen(start)]
pub fn start() {
    yew::Renderer::<Floor>::new().render();
}
