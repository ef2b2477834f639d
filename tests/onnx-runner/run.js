// Usage: node run.js MODEL.onnx ROWS.json
// ROWS.json: {"type": "float64" | "float32", "rows": [[x11, x12, ...], ...]}
// Prints one JSON object: {"inputs": [...], "outputs": {"<name>": {"dims": [...], "type": "...", "data": [...]}, ...},
// "metadata": {...}} with every number written in JavaScript's shortest round-trip form (so doubles keep all their bits).
'use strict';
const fs = require('fs');
const ort = require('onnxruntime-node');

async function main() {
  const [modelPath, rowsPath] = process.argv.slice(2);
  if (!modelPath || !rowsPath) throw new Error('usage: node run.js MODEL.onnx ROWS.json');
  const spec = JSON.parse(fs.readFileSync(rowsPath, 'utf8'));
  const rows = spec.rows;
  const features = rows.length > 0 ? rows[0].length : 0;
  const flat = rows.flat();
  const data = spec.type === 'float32' ? Float32Array.from(flat) : Float64Array.from(flat);
  const session = await ort.InferenceSession.create(modelPath);
  const feeds = { [session.inputNames[0]]: new ort.Tensor(spec.type, data, [rows.length, features]) };
  const results = await session.run(feeds);
  const outputs = {};
  for (const name of session.outputNames) {
    const t = results[name];
    outputs[name] = { dims: t.dims, type: t.type, data: Array.from(t.data) };
  }
  process.stdout.write(JSON.stringify({ inputs: session.inputNames, outputs }) + '\n');
}

main().catch((e) => {
  process.stderr.write(`onnx-runner: ${e && e.stack ? e.stack : e}\n`);
  process.exit(1);
});
