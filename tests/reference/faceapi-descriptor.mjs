// Reference descriptors from face-api's own FaceRecognitionNet on TensorFlow.js (cpu backend).
//
// Usage: node faceapi-descriptor.mjs <face-api package dir> <input.f32> <count> <output.f32>
//   input:  <count> crops, float32 little-endian NHWC 150x150x3, RGB 0..255 (decoded by the C# test)
//   output: <count> x 128 float32 little-endian descriptors, as computeFaceDescriptor returns them
//
// Loads `dist/face-api.esm-nobundle.js` from the extracted package with the TensorFlow.js pinned in
// this folder's package.json (see faceapi-resolve-hook.mjs), and the weights from the package's
// `model/face_recognition_model-weights_manifest.json` via tf.io.decodeWeights, the same decoding
// face-api's own loaders use. Run `npm ci` in this folder first.
import { register } from 'node:module';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const [packageDir, inputPath, countText, outputPath] = process.argv.slice(2);
if (!packageDir || !inputPath || !countText || !outputPath) {
  console.error('usage: node faceapi-descriptor.mjs <face-api package dir> <input.f32> <count> <output.f32>');
  process.exit(2);
}
const size = 150;
const count = Number.parseInt(countText, 10);

register('./faceapi-resolve-hook.mjs', import.meta.url);
const faceapi = await import(pathToFileURL(join(packageDir, 'dist', 'face-api.esm-nobundle.js')).href);
const { tf } = faceapi;
// The cpu backend computes in plain float32 JavaScript: the most literal reference there is.
await tf.setBackend('cpu');
await tf.ready();

const modelDir = join(packageDir, 'model');
const [group] = JSON.parse(readFileSync(join(modelDir, 'face_recognition_model-weights_manifest.json'), 'utf8'));
const shards = Buffer.concat(group.paths.map((p) => readFileSync(join(modelDir, p))));
const weightMap = tf.io.decodeWeights(shards.buffer.slice(shards.byteOffset, shards.byteOffset + shards.length), group.weights);
faceapi.nets.faceRecognitionNet.loadFromWeightMap(weightMap);

const raw = readFileSync(inputPath);
const perCrop = size * size * 3;
if (raw.length !== count * perCrop * 4) {
  console.error(`input ${inputPath} has ${raw.length} bytes, expected ${count * perCrop * 4} for ${count} crops`);
  process.exit(3);
}
const pixels = new Float32Array(raw.buffer, raw.byteOffset, count * perCrop);
const output = new Float32Array(count * 128);
for (let i = 0; i < count; i++) {
  const crop = tf.tensor3d(pixels.slice(i * perCrop, (i + 1) * perCrop), [size, size, 3], 'float32');
  const descriptor = await faceapi.nets.faceRecognitionNet.computeFaceDescriptor(crop);
  output.set(descriptor, i * 128);
  crop.dispose();
}
writeFileSync(outputPath, Buffer.from(output.buffer));
console.log(`wrote ${count} descriptors to ${outputPath} (tfjs ${tf.version.tfjs}, backend ${tf.getBackend()})`);
