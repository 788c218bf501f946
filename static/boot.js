// The page's loader, an external file so the Content-Security-Policy in web/index.html needs no
// inline script (no hash to keep in step with each build). Trunk writes the script tag from
// Trunk.toml's `pattern_script`, carrying the hashed names of the wasm-bindgen glue and the wasm.
const tag = document.querySelector('script[data-kafkascope-glue]');
const { default: init } = await import(tag.dataset.kafkascopeGlue);
const wasm = await init({ module_or_path: tag.dataset.kafkascopeWasm });
dispatchEvent(new CustomEvent('TrunkApplicationStarted', { detail: { wasm } }));
