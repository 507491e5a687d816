// Reference descriptors from face-api's own FaceRecognitionNet on TensorFlow.js (cpu backend).
//
// Usage: node faceapi-descriptor.mjs <face-api package dir> <input.f32> <count> <output.f32>
//   input:  <count> crops, float32 little-endian NHWC 150x150x3, RGB 0..255 (decoded by the C# test)
//   output: <count> x 128 float32 little-endian descriptors, as computeFaceDescriptor returns them
// Run `npm ci` in this folder first.
import { loadFaceApi, loadWeightMap, parseArguments, readCrops, writeFloats } from './faceapi-common.mjs';

const { packageDir, inputPath, count, outputPath } = parseArguments('faceapi-descriptor.mjs');
const faceapi = await loadFaceApi(packageDir);
const { tf } = faceapi;
const net = faceapi.nets.faceRecognitionNet;
net.loadFromWeightMap(loadWeightMap(tf, packageDir, 'face_recognition_model'));

const output = [];
for (const pixels of readCrops(inputPath, count, 150)) {
  const crop = tf.tensor3d(pixels, [150, 150, 3], 'float32');
  output.push(...await net.computeFaceDescriptor(crop));
  crop.dispose();
}
writeFloats(outputPath, output);
console.log(`wrote ${count} descriptors to ${outputPath} (tfjs ${tf.version.tfjs}, backend ${tf.getBackend()})`);
