// Runs a wasm32-wasi command under node's WASI, for run-bench's V8 columns: the same module
// wasm-run runs, on V8's baseline compiler (node --liftoff-only) or its default tiers.
"use strict";
const fs = require("fs");
const { WASI } = require("wasi");

const path = process.argv[2];
const wasi = new WASI({ version: "preview1", args: [path], env: {} });
const wasmModule = new WebAssembly.Module(fs.readFileSync(path));
const instance = new WebAssembly.Instance(wasmModule, wasi.getImportObject());
process.exitCode = wasi.start(instance);
