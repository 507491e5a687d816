// Shared by the face-api reference scripts: loads face-api's own code and weights from an extracted
// @vladmandic/face-api package on the TensorFlow.js pinned in this folder, and moves float32 tensors
// through little-endian binary files written/read by the C# tests.
import { register } from 'node:module';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** Imports `dist/face-api.esm-nobundle.js` from the package and selects the cpu backend. */
export async function loadFaceApi(packageDir) {
  register('./faceapi-resolve-hook.mjs', import.meta.url);
  const faceapi = await import(pathToFileURL(join(packageDir, 'dist', 'face-api.esm-nobundle.js')).href);
  // The cpu backend computes in plain float32 JavaScript: the most literal reference there is.
  await faceapi.tf.setBackend('cpu');
  await faceapi.tf.ready();
  return faceapi;
}

/**
 * Decodes `model/<name>-weights_manifest.json` + shards with tf.io.decodeWeights, the decoding face-api's
 * own loaders use (its loadFromDisk needs a CommonJS `require`, which the ES bundle lacks).
 */
export function loadWeightMap(tf, packageDir, modelName) {
  const modelDir = join(packageDir, 'model');
  const manifest = JSON.parse(readFileSync(join(modelDir, `${modelName}-weights_manifest.json`), 'utf8'));
  const weightMap = {};
  for (const group of manifest) {
    const shards = Buffer.concat(group.paths.map((p) => readFileSync(join(modelDir, p))));
    Object.assign(weightMap, tf.io.decodeWeights(shards.buffer.slice(shards.byteOffset, shards.byteOffset + shards.length), group.weights));
  }
  return weightMap;
}

/** Reads `count` NHWC crops of size x size x 3 (float32, RGB 0..255) from a binary file. */
export function readCrops(path, count, size) {
  const raw = readFileSync(path);
  const perCrop = size * size * 3;
  if (raw.length !== count * perCrop * 4) {
    throw new Error(`input ${path} has ${raw.length} bytes, expected ${count * perCrop * 4} for ${count} crops of ${size}x${size}x3`);
  }
  const pixels = new Float32Array(raw.buffer, raw.byteOffset, count * perCrop);
  return Array.from({ length: count }, (_, i) => pixels.slice(i * perCrop, (i + 1) * perCrop));
}

/** Writes float32 values little-endian. */
export function writeFloats(path, values) {
  writeFileSync(path, Buffer.from(new Float32Array(values).buffer));
}

/** Parses `<package dir> <input.f32> <count> <output.f32>` or exits with the usage line. */
export function parseArguments(script) {
  const [packageDir, inputPath, countText, outputPath] = process.argv.slice(2);
  const count = Number.parseInt(countText ?? '', 10);
  if (!packageDir || !inputPath || !(count > 0) || !outputPath) {
    console.error(`usage: node ${script} <face-api package dir> <input.f32> <count> <output.f32>`);
    process.exit(2);
  }
  return { packageDir, inputPath, count, outputPath };
}
