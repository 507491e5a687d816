// Runs a TensorFlow.js graph model (model.json + shards, read with fs; no tfjs-node) on float32 inputs
// written by the C# parity tests, and writes every requested output as little-endian float32.
//
//   node tfjs-graph-run.mjs request.json
//
// request.json: { "model": "/abs/model.json", "backend": "cpu" | "wasm", "outDir": "/abs/dir",
//                 "outputs": ["Identity", "Identity_1"],
//                 "runs": [{ "inputs": [{ "name": "input", "shape": [1,256,256,3], "file": "/abs/x.bin" }] }, ...] }
// writes outDir/result.json: { "tfjs": "4.22.0", "backend": "cpu",
//                 "runs": [{ "ms": 12.3, "outputs": [{ "name": "Identity", "shape": [1,512,1], "file": "/abs/dir/run0_output0.bin" }] }] }
// One process serves many runs, because loading TFJS and the model costs more than one inference.
import fs from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';

const request = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));

function loadHandler(modelPath) {
  const json = JSON.parse(fs.readFileSync(modelPath, 'utf8'));
  const dir = path.dirname(modelPath);
  const weightSpecs = json.weightsManifest.flatMap((g) => g.weights);
  const shards = json.weightsManifest.flatMap((g) => g.paths).map((p) => fs.readFileSync(path.join(dir, p)));
  const all = Buffer.concat(shards);
  const weightData = all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength);
  return tf.io.fromMemory({
    modelTopology: json.modelTopology,
    weightSpecs,
    weightData,
    format: json.format,
    generatedBy: json.generatedBy,
    convertedBy: json.convertedBy,
    signature: json.signature,
    userDefinedMetadata: json.userDefinedMetadata,
  });
}

function readFloats(file, shape) {
  const bytes = fs.readFileSync(file);
  const count = shape.reduce((a, b) => a * b, 1);
  if (bytes.byteLength !== count * 4) {
    throw new Error(`${file} holds ${bytes.byteLength} bytes; shape [${shape}] needs ${count * 4}`);
  }
  const data = new Float32Array(count);
  new Uint8Array(data.buffer).set(bytes);
  return tf.tensor(data, shape, 'float32');
}

await tf.setBackend(request.backend ?? 'cpu');
await tf.ready();
const model = await tf.loadGraphModel(loadHandler(request.model));
const runs = [];
for (let r = 0; r < request.runs.length; r++) {
  const feeds = {};
  for (const input of request.runs[r].inputs) {
    feeds[input.name] = readFloats(input.file, input.shape);
  }
  const start = performance.now();
  let results = model.execute(feeds, request.outputs);
  if (!Array.isArray(results)) {
    results = [results];
  }
  const outputs = [];
  for (let i = 0; i < results.length; i++) {
    const data = await results[i].data();
    const file = path.join(request.outDir, `run${r}_output${i}.bin`);
    fs.writeFileSync(file, Buffer.from(new Float32Array(data).buffer));
    outputs.push({ name: request.outputs[i], shape: results[i].shape, file });
  }
  runs.push({ ms: performance.now() - start, outputs });
  tf.dispose([...Object.values(feeds), ...results]);
}
fs.writeFileSync(path.join(request.outDir, 'result.json'),
  JSON.stringify({ tfjs: tf.version.tfjs, backend: tf.getBackend(), runs }, null, 1));
