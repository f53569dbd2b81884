//! wasm-bindgen exports for the npm package (feature "web").
