// Reference 68-point landmarks from face-api's own FaceLandmark68Net on TensorFlow.js (cpu backend).
//
// Usage: node faceapi-landmarks.mjs <face-api package dir> <input.f32> <count> <output.f32>
//   input:  <count> crops, float32 little-endian NHWC 112x112x3, RGB 0..255 (decoded by the C# test)
//   output: <count> x 136 float32 little-endian values: x0, y0, x1, y1, ... relative to the crop (0..1),
//           i.e. FaceLandmark68Net.forward's post-processed output (for a square 112 px input face-api
//           neither pads nor resizes, so this is the network output as detectLandmarks scales it)
// Run `npm ci` in this folder first.
import { loadFaceApi, loadWeightMap, parseArguments, readCrops, writeFloats } from './faceapi-common.mjs';

const { packageDir, inputPath, count, outputPath } = parseArguments('faceapi-landmarks.mjs');
const faceapi = await loadFaceApi(packageDir);
const { tf } = faceapi;
const net = faceapi.nets.faceLandmark68Net;
net.loadFromWeightMap(loadWeightMap(tf, packageDir, 'face_landmark_68_model'));

const output = [];
for (const pixels of readCrops(inputPath, count, 112)) {
  const crop = tf.tensor3d(pixels, [112, 112, 3], 'float32');
  const landmarks = await net.forward(crop);
  output.push(...await landmarks.data());
  landmarks.dispose();
  crop.dispose();
}
writeFloats(outputPath, output);
console.log(`wrote ${count} landmark sets to ${outputPath} (tfjs ${tf.version.tfjs}, backend ${tf.getBackend()})`);
