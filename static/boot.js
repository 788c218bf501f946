// The page's loader, an external file so the Content-Security-Policy in web/index.html needs no
// inline script (no hash to keep in step with each build). Trunk writes the script tag from
// Trunk.toml's `pattern_script`, carrying the hashed names of the wasm-bindgen glue and the wasm.
//
// Lessons are data served beside the page (dist/lessons/), not compiled into the wasm. The index and
// a lesson the link names are fetched here while the wasm downloads, and handed to the app in
// globalThis.kafkascopeLessons (web/src/lessons.rs); a failed fetch leaves its entry out, and the app
// then says the lesson is unknown or lists none.
// The release wasm is built with panic=immediate-abort (.ci/size-env.sh): a panic traps
// (`RuntimeError: unreachable`) without running the Rust panic hook, so the banner the hook would have
// shown is shown here. Only wasm traps: other script errors are not the engine stopping.
const showTrap = (error) => {
  if (!(error instanceof WebAssembly.RuntimeError)) return;
  const el = document.getElementById('fatal');
  if (!el || el.classList.contains('shown')) return;
  el.textContent = `kafkascope stopped with an internal error: ${error}`;
  el.className = 'fatal shown';
};
addEventListener('error', (e) => showTrap(e.error));
addEventListener('unhandledrejection', (e) => showTrap(e.reason));
const tag = document.querySelector('script[data-kafkascope-glue]');
const wasm = fetch(tag.dataset.kafkascopeWasm);
globalThis.kafkascopeLessons = {};
const fetchLesson = async (name) => {
  try {
    const r = await fetch(`lessons/${name}.json`);
    if (r.ok) globalThis.kafkascopeLessons[name] = await r.text();
  } catch (e) {
    console.warn(`lessons/${name}.json could not be fetched`, e);
  }
};
const linked = /(?:^#|&)lesson=([A-Za-z0-9_-]+)/.exec(location.hash)?.[1];
const [{ default: init }] = await Promise.all([
  import(tag.dataset.kafkascopeGlue),
  fetchLesson('index'),
  ...(linked ? [fetchLesson(linked)] : []),
]);
const instance = await init({ module_or_path: wasm });
dispatchEvent(new CustomEvent('TrunkApplicationStarted', { detail: { wasm: instance } }));
